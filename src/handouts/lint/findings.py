"""Take what a lint check noticed and give back ``Finding``s: one thing to fix at ``file:line``, with its severity."""

from __future__ import annotations

from dataclasses import dataclass

ERROR, WARNING, INFO = "error", "warning", "info"
_SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}

Key = tuple[str | None, str]  # (clinic slug, or None for a shared block; block id)


@dataclass(frozen=True)
class Finding:
    """One thing to fix, located at ``file:line``; ``block`` is the block id when there is one."""

    file: str | None
    line: int | None
    severity: str
    check: str
    block: str | None
    message: str

    def format(self) -> str:
        """Return ``path:line: severity: [check] message``."""
        where = self.file or ""
        if self.file and self.line:
            where = f"{self.file}:{self.line}"
        prefix = f"{where}: " if where else ""
        return f"{prefix}{self.severity}: [{self.check}] {self.message}"

    def sort_key(self) -> tuple:
        """Order by file (project-wide notes last), line, severity, check and message."""
        return (
            self.file is None,
            self.file or "",
            self.line or 0,
            _SEVERITY_ORDER[self.severity],
            self.check,
            self.message,
        )


@dataclass(frozen=True)
class Sentence:
    """A sentence a patient reads, with the file line and the field it comes from."""

    text: str
    line: int
    where: str
