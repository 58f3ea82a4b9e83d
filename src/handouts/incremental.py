"""Take a project and a build task and tell whether its PDF is already up to date.

Each task's *inputs key* is a SHA-256 over everything that can change its PDF: the recipe,
each block it uses (the clinic's own copy where it has one), the page strings, the layout and
its large-print fallback, every file in the clinic's folder (clinic.yaml, logo, fonts), the
fonts the language needs, the language, the variant, and the engine itself (the version of
``handouts``, a digest of its source files, and the versions of reportlab and the font package).

The record of what was built lives in the output folder as ``.handouts-build.json``:
``{file: {"inputs": key, "sha256": digest of the PDF as written, "stale": true}}``. A PDF is
skipped only when its key matches *and* the file on disk still has the recorded digest, so a
PDF written by a build that was killed before it saved the record, or a PDF changed by hand, is
rebuilt. ``stale`` marks a PDF whose last rebuild failed: it stays marked, whatever later builds
do, until a build of that file succeeds, and the gallery never offers it as current. The record
is written atomically, after the PDFs it describes; a damaged record means "rebuild everything".
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .files import sha256_file, write_atomic

if TYPE_CHECKING:
    from .load.project import Project
    from .plan import Task

RECORD = ".handouts-build.json"
FORMAT = 1


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str:
    """Return the SHA-256 of the file at ``path``, or ``"missing"``."""
    try:
        return sha256_file(path)
    except OSError:
        return "missing"


def engine_digest() -> str:
    """Return a digest of what renders: handouts' version and sources, reportlab's and the font package's version."""
    from importlib import metadata

    from . import __version__

    h = hashlib.sha256(f"handouts {__version__}\n".encode())
    here = Path(__file__).resolve().parent
    for src in sorted(here.rglob("*.py")):  # every stage's package too
        h.update(src.relative_to(here).as_posix().encode() + b"\0" + src.read_bytes() + b"\0")
    for package in ("reportlab", "pillow", "justmytype-intl-cjk"):
        try:
            h.update(f"{package} {metadata.version(package)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{package} none\n".encode())
    return h.hexdigest()


class Fingerprints:
    """Inputs keys for the tasks of one project; each file is read and hashed once."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.root = project.root
        self._files: dict[Path, str] = {}
        self._folders: dict[str, list[tuple[str, str]]] = {}
        self.engine = engine_digest()

    def file(self, path: Path) -> str:
        """Return the digest of ``path`` (memoized for this build)."""
        if path not in self._files:
            self._files[path] = file_digest(path)
        return self._files[path]

    def clinic_files(self, slug: str) -> list[tuple[str, str]]:
        """Return (relative path, digest) of each file of the clinic's folder that its handouts use.

        See ``Clinic.files``; its own blocks are listed per use. Nothing else in the folder is
        opened: a named pipe or a link to a device left there is never read.
        """
        if slug not in self._folders:
            folder = self.root / "content" / "clinics" / slug
            found: list[tuple[str, str]] = []
            for path in self.project.clinics[slug].files():
                digest = self.file(path) if path.is_file() else "missing"  # is_file: never a pipe or a device
                found.append((_relative(path, folder), digest))
            self._folders[slug] = found
        return self._folders[slug]

    def key(self, task: Task) -> str:
        """Return the inputs key of ``task``: equal keys mean the same PDF bytes."""
        project = self.project
        handout = project.handouts[task.handout]
        parts: list[Any] = [
            FORMAT,
            self.engine,
            task.lang,
            asdict(task.variant),
            ["recipe", self.file(handout.path)],
            ["strings", self.file(self.root / "content" / "strings.yaml")],
        ]
        layout = project.layouts.get(handout.layout)
        layouts = [handout.layout]
        if layout is not None and layout.values.get("large_print"):
            layouts.append(layout.values["large_print"])
        for lid in layouts:
            parts.append(["layout", lid, self.file(self.root / "layouts" / f"{lid}.yaml")])
        for ids in handout.slots.values():
            for block_id in ids:
                block = project.block_for(task.clinic, block_id)
                parts.append(["block", block_id, self.file(block.path) if block else "missing"])
        parts.append(["clinic", task.clinic, self.clinic_files(task.clinic)])
        return _digest(json.dumps(parts, sort_keys=True, default=str).encode())


def _relative(path: Path, folder: Path) -> str:
    """Return ``path`` relative to the clinic ``folder`` (resolved or not), so keys do not depend on where it lies."""
    for base in (folder, folder.resolve()):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return path.as_posix()


class Record:
    """The output folder's record of which inputs each PDF was built from, and which PDFs are stale."""

    def __init__(self, out: Path) -> None:
        self.path = out / RECORD
        self.entries: dict[str, dict[str, Any]] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return  # no record, or an unreadable one: everything is rebuilt (RecursionError: nested too deep)
        if isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("files"), dict):
            self.entries = {
                k: {"inputs": v["inputs"], "sha256": v["sha256"], **({"stale": True} if v.get("stale") is True else {})}
                for k, v in data["files"].items()
                if isinstance(k, str)
                and isinstance(v, dict)
                and isinstance(v.get("inputs"), str)
                and isinstance(v.get("sha256"), str)
            }

    def fresh(self, name: str, key: str, pdf: Path) -> bool:
        """True when ``pdf`` was built from inputs ``key`` and has not changed since.

        A stale copy whose inputs are back to what it was built from is fresh (rebuilding it
        would give the same bytes); call ``confirm`` to clear its mark.
        """
        entry = self.entries.get(name)
        return entry is not None and entry["inputs"] == key and file_digest(pdf) == entry["sha256"]

    def confirm(self, name: str) -> None:
        """Clear ``name``'s stale mark: a build found it up to date with its inputs."""
        self.entries.get(name, {}).pop("stale", None)

    def current(self, name: str, pdf: Path) -> bool:
        """True when ``pdf`` is the file a successful build wrote: recorded, not stale, unchanged on disk."""
        return name in self.entries and self.is_current(name, file_digest(pdf))

    def is_current(self, name: str, digest: str) -> bool:
        """True when a file of SHA-256 ``digest`` is what a successful build recorded as ``name``."""
        entry = self.entries.get(name)
        return entry is not None and not entry.get("stale") and digest == entry["sha256"]

    def out_of_date(self, out: Path) -> list[tuple[Path, str]]:
        """Return every PDF in ``out``'s clinic folders that is not current, with why it is not."""
        found = []
        for pdf in sorted(out.glob("*/*.pdf")):
            name = pdf.relative_to(out).as_posix()
            entry = self.entries.get(name)
            if not pdf.is_file() or pdf.is_symlink():
                continue
            if entry is None:
                found.append((pdf, "handouts has no record of building it"))
            elif entry.get("stale"):
                found.append((pdf, "its rebuild failed"))
            elif file_digest(pdf) != entry["sha256"]:
                found.append((pdf, "it was changed after handouts built it"))
        return found

    def wrote(self, name: str, key: str, data: bytes) -> None:
        """Remember that ``name`` now holds ``data``, built from inputs ``key``; it is current again."""
        self.entries[name] = {"inputs": key, "sha256": _digest(data)}

    def mark_stale(self, name: str) -> None:
        """Mark ``name`` stale: its rebuild failed, so the copy on disk is out of date until one succeeds."""
        entry = self.entries.setdefault(name, {"inputs": "", "sha256": ""})
        entry["stale"] = True

    def save(self) -> None:
        """Write the record atomically."""
        text = json.dumps({"format": FORMAT, "files": dict(sorted(self.entries.items()))}, indent=1, sort_keys=True)
        write_atomic(self.path, text.encode("utf-8"), sync=False)


def out_of_date(out: Path) -> list[tuple[Path, str]]:
    """Return every PDF in the output folder ``out`` that must not be printed as current, with why."""
    return Record(out).out_of_date(out) if out.is_dir() else []
