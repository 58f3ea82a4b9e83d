"""Take a problem a user caused and give back one exception that prints as ``path:line: message``.

Exception tree::

    click.ClickException
     └── HandoutError            any problem a user can cause; exit code 1
          ├── ConfigError        clinic.yaml: a missing, misspelt or mistyped field
          ├── ContentError       a block or handout file: YAML, schema, unknown ids
          ├── TemplateError      Jinja text: syntax, an undefined name, a sandbox limit
          ├── LayoutError        a layout file, or content that does not fit its panel
          └── OutputError        the output folder: missing, not writable, inside the inputs
               └── PreviewError  a built PDF cannot be read to render its previews
    ProblemList                  several HandoutErrors at once (``validate`` reports all)

Only ``click``'s ``Command.main`` catches these: it prints ``Error: …`` to stderr, no traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import click


class HandoutError(click.ClickException):
    """A problem in the user's input, located at ``path`` and ``line`` when known."""

    exit_code = 1

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.detail = message
        super().__init__(self._format())

    def _format(self) -> str:
        path = printable(self.path) if self.path else None  # a file name is never trusted to be printable
        if path and self.line:
            return f"{path}:{self.line}: {self.detail}"
        if path:
            return f"{path}: {self.detail}"
        return self.detail

    def __reduce__(self) -> tuple:  # pickled across worker processes
        return (type(self), (self.detail, self.path, self.line))


class ConfigError(HandoutError):
    """A clinic's configuration is wrong."""


class ContentError(HandoutError):
    """A content block or handout recipe is wrong."""


class TemplateError(HandoutError):
    """Jinja text failed: syntax, an undefined name, or a sandbox limit."""


class LayoutError(HandoutError):
    """A layout file is wrong, or content does not fit where the layout puts it."""


class OutputError(HandoutError):
    """The output folder cannot be used."""


class PreviewError(OutputError):
    """A built PDF cannot be read to render its previews."""


class ProblemList(HandoutError):
    """Several problems found together; prints one per line."""

    def __init__(self, problems: Iterable[HandoutError]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(p.format_message() for p in self.problems))

    def __reduce__(self) -> tuple:
        return (type(self), (self.problems,))


def raise_all(problems: list[HandoutError]) -> None:
    """Raise nothing, the single problem, or a ProblemList of them all."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ProblemList(problems)


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Return ``text`` with control and direction characters written as escapes (``\\n``, ``\\u202e``).

    A folder or file name is not trusted to be printable: a newline in one must not forge a line of
    output, nor a right-to-left mark turn a line around.
    """
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def show(name: str) -> str:
    """Return a name from the file system or the command line quoted for a message, control characters escaped."""
    return repr(name)
