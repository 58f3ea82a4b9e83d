"""Take build and validation results and give back the text the command line shows."""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import click

from .errors import HandoutError, ProblemList, printable, raise_all

if TYPE_CHECKING:
    from .load.project import Project
    from .plan import Report, Task


class Progress:
    """A progress bar on stderr while handouts render (only on a terminal)."""

    def __init__(self) -> None:
        self.done = 0
        self.interactive = sys.stderr.isatty()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.interactive and self.done:
            click.echo("", err=True)

    def update(self, task: Task, status: str, total: int) -> None:
        """Show that ``task`` finished with ``status``."""
        self.done += 1
        if self.interactive:
            width = 30
            filled = int(width * self.done / max(total, 1))
            bar = "#" * filled + "-" * (width - filled)
            click.echo(
                f"\r[{bar}] {self.done}/{total} {task.clinic}/{task.filename()}".ljust(90)[:90], nl=False, err=True
            )


def _rel(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


def gallery_written(index: Path, project: Path) -> str:
    """Return where the gallery was written."""
    return f"Gallery: {printable(_rel(index, project))}"


def build_summary(report: Report, project: Path) -> str:
    """Return what was written where, per clinic, and what failed."""
    per_clinic: dict[str, list[Path]] = defaultdict(list)
    for task, path in report.written:
        per_clinic[task.clinic].append(path)
    lines = []
    for clinic, paths in sorted(per_clinic.items()):
        lines.append(f"{clinic}: {len(paths)} PDF(s) in {printable(_rel(report.out / clinic, project))}/")
    failed_tasks = [t for t, _, _ in report.failed if t is not None]
    total = len(report.written)
    skipped = len(report.skipped)
    lines.append(
        f"Built {total} of {report.planned} handout(s) into {_rel(report.out, project)}/"
        + (f"; {skipped} up to date, not rebuilt (--force rebuilds them)" if skipped else "")
        + (f"; {len(failed_tasks)} failed" if failed_tasks else "")
    )
    lines += [f"Note: {n}" for n in report.notes]
    for path, why in report.stale:
        lines.append(f"STALE: {printable(_rel(path, project))} is out of date ({why}): do not print it")
    return "\n".join(lines)


def raise_failures(report: Report) -> None:
    """Raise the build's problems, if any, so the command exits 1 and prints each one."""
    problems: dict[str, HandoutError] = {}
    for _, _, exc in report.failed:
        for p in exc.problems if isinstance(exc, ProblemList) else [exc]:
            problems.setdefault(p.format_message(), p)
    raise_all(list(problems.values()))


def raise_problems(problems: list[HandoutError]) -> None:
    """Raise all validation problems together (exit 1), or nothing; notes do not stop anything."""
    raise_all([p for p in problems if not getattr(p, "note", False)])


def validate_summary(project: Project, problems: list[HandoutError]) -> str:
    """Return a one-line summary of what was checked."""
    checked = (
        f"{len(project.clinics) + len(project.clinic_problems.keys() - project.clinics.keys())} clinic(s), "
        f"{len(project.handouts)} handout(s), {len(project.blocks)} block(s), {len(project.layouts)} layout(s)"
    )
    notes = [f"{p.format_message()}" for p in problems if getattr(p, "note", False)]
    real = len(problems) - len(notes)
    return "\n".join([*notes, f"Checked {checked}: {f'{real} problem(s)' if real else 'all good'}"])


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        out.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def listing(project: Project, stale: list[tuple[Path, str]], out: Path, base: Path) -> str:
    """Return clinics, handouts, layouts and languages as tables, then the PDFs in ``out`` not to print."""
    from .load.config import localized

    parts = []
    rows = [["CLINIC", "NAME", "PAPER", "LANGUAGES", "HANDOUTS"]]
    for slug in project.clinic_slugs():
        c = project.clinics.get(slug)
        if c is None:
            rows.append([printable(slug), "(has errors: run handouts validate)", "", "", ""])
            continue
        rows.append(
            [
                slug,
                localized(c.name, c.languages[0]) or slug,
                c.paper,
                ", ".join(c.languages),
                str(len(project.handouts_for(c))),
            ]
        )
    parts.append(_table(rows))
    rows = [["HANDOUT", "LAYOUT", "LANGUAGES", "TITLE"]]
    for hid, h in sorted(project.handouts.items()):
        rows.append([hid, h.layout, ", ".join(sorted(h.text)), h.text.get("en", next(iter(h.text.values())))["title"]])
    parts.append(_table(rows))
    rows = [["LAYOUT", "KIND", "SLOTS", "NAME"]]
    for lid, lay in sorted(project.layouts.items()):
        rows.append([lid, lay.label, ", ".join(lay.slots()), lay.name])
    parts.append(_table(rows))
    langs = sorted(lang for lang in project.strings if "@" not in lang)  # en@GB is a regional section, not a language
    parts.append("Languages with page strings: " + ", ".join(langs))
    if stale:
        rows = [["OUT OF DATE: DO NOT PRINT", "WHY"]]
        rows += [[printable(_rel(path, base)), why] for path, why in stale]
        parts.append(_table(rows) + "\nRebuild them with handouts build (handouts validate says what is wrong).")
    elif out.is_dir():
        parts.append(f"Every PDF in {_rel(out, base)}/ is current.")
    return "\n\n".join(parts)


def created(paths: list[Path], project: Path) -> str:
    """Return the files a scaffold created and what to do next."""
    lines = [f"created {_rel(p, project)}" for p in paths]
    lines.append(
        "Next: edit clinic.yaml (name, phone, address, colours), replace logo.png, then run: handouts validate, "
        "then handouts build --clinic " + paths[0].parent.name
    )
    return "\n".join(lines)


def preview_paths(paths: list[Path], project: Path) -> str:
    """Return the preview images written, one path a line."""
    return "\n".join(_rel(p, project) for p in paths)


def merged(paths: list[Path], project: Path) -> str:
    """Return the content files a merge of translations wrote, and what to run next."""
    lines = [f"merged into {_rel(p, project)}" for p in paths]
    lines.append("Next: handouts validate, then handouts lint (a translation is checked like any content)")
    return "\n".join(lines)
