"""Take a loaded project and build options and give back the tasks to run: one per clinic × handout × language.

``Options`` say what to build, a ``Task`` is one PDF, and a ``Report`` collects what a build
did. They live here, below every stage that renders or writes, so that any stage may name
them without importing the driver in ``build.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError, ContentError, HandoutError, OutputError
from .load.project import Project
from .load.schema import LANG_CODE, did_you_mean
from .variant import Variant


@dataclass(frozen=True)
class Options:
    """What to build. ``None`` means everything."""

    clinics: tuple[str, ...] | None = None
    handouts: tuple[str, ...] | None = None
    lang: str | None = None
    out: Path | None = None
    variant: Variant = field(default_factory=Variant)
    jobs: int | None = None  # worker processes; None: one per core
    force: bool = False  # rebuild even what is up to date
    shard: tuple[int, int] | None = None  # (k, n): only the k-th of n shares of the clinics, 1 <= k <= n


@dataclass(frozen=True)
class Task:
    """One PDF to build."""

    clinic: str
    handout: str
    lang: str
    variant: Variant = field(default_factory=Variant)

    def filename(self) -> str:
        """Return the PDF's file name: ``<handout>[.<lang>][.<variant>].pdf``; English has no language part."""
        suffix = "" if self.lang == "en" else f".{self.lang}"
        return f"{self.handout}{suffix}{self.variant.suffix()}.pdf"

    def name(self) -> str:
        """Return the PDF's path inside the output folder: ``<clinic>/<file name>``."""
        return f"{self.clinic}/{self.filename()}"

    def twin_filename(self) -> str:
        """Return the file name of the PDF's HTML twin: ``<handout>[.<lang>][.<variant>].html``."""
        return self.filename().removesuffix(".pdf") + ".html"

    def twin_name(self) -> str:
        """Return the HTML twin's path inside the output folder: ``<clinic>/<twin file name>``."""
        return f"{self.clinic}/{self.twin_filename()}"


@dataclass
class Report:
    """What a build did: files written, and problems per clinic."""

    out: Path
    written: list[tuple[Task, Path]] = field(default_factory=list)
    skipped: list[tuple[Task, Path]] = field(default_factory=list)  # up to date, not rebuilt
    failed: list[tuple[Task | None, str, HandoutError]] = field(default_factory=list)  # (task, clinic, error)
    stale: list[tuple[Path, str]] = field(default_factory=list)  # PDFs on disk not to print, and why
    notes: list[str] = field(default_factory=list)
    planned: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failed


def output_folder(project_root: Path, out: Path | None) -> Path:
    """Return the output folder, refusing one that lies inside the project's inputs."""
    folder = (out if out is not None else project_root / "output").resolve()
    for name in ("content", "layouts"):
        inputs = (project_root / name).resolve()
        if folder == inputs or folder.is_relative_to(inputs):
            raise OutputError(
                f"the output folder {folder} is inside the project's {name}/ folder: choose another with --out"
            )
        if inputs.is_relative_to(folder):  # output/<clinic>/ would land among the inputs for a clinic named so
            raise OutputError(
                f"the output folder {folder} holds the project's {name}/ folder: choose another with --out"
            )
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"the output path {folder} is a file, not a folder")
    return folder


def plan(project: Project, options: Options, report: Report) -> list[Task]:
    """Return the tasks to run; unknown clinic or handout names are reported as problems."""
    every = project.clinic_slugs()
    wanted = list(options.clinics or every)
    share = in_shard(every, options.shard)
    for slug in wanted:
        if slug not in every:
            report.failed.append(
                (None, slug, ConfigError(f"no clinic {slug!r} in content/clinics/{did_you_mean(slug, every)}"))
            )
    for h in options.handouts or ():
        if h not in project.handouts:
            report.failed.append((None, "", unknown_handout(project, h)))
    tasks = []
    for slug in wanted:
        if slug not in share:
            continue
        problems = project.clinic_problems.get(slug, [])
        for p in problems:
            report.failed.append((None, slug, p))
        clinic = project.clinics.get(slug)
        if clinic is None or problems:
            continue
        langs = [options.lang] if options.lang else list(clinic.languages)
        for handout in project.handouts_for(clinic):
            if options.handouts and handout not in options.handouts:
                continue
            for lang in langs:
                tasks.append(Task(slug, handout, lang, options.variant))
    return tasks


def in_shard(every: list[str], shard: tuple[int, int] | None) -> set[str]:
    """Return the clinics of ``every`` that belong to ``shard`` ``(k, n)`` (all of them when there is none).

    The clinics, in order of their slugs, are dealt round: the first to share 1, the second to
    share 2, …, the n+1-th to share 1 again. The split depends only on the clinic folders, so n
    machines building shares 1 to n build every clinic exactly once, whatever else they are given.
    """
    if shard is None:
        return set(every)
    k, n = shard
    return {slug for i, slug in enumerate(sorted(every)) if i % n == k - 1}


def parse_shard(text: str) -> tuple[tuple[int, int] | None, str]:
    """Return ``((k, n), "")`` from ``"K/N"``, or ``(None, what to type instead)``."""
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not m:
        return None, f"{text!r} is not K/N: give the share to build and the number of shares, e.g. 1/4"
    k, n = int(m[1]), int(m[2])
    if n < 1:
        return None, f"{text!r}: N, the number of shares, must be at least 1, e.g. 1/2"
    if not 1 <= k <= n:
        return None, f"{text!r}: K must be from 1 to {n}, e.g. 1/{n}"
    return (k, n), ""


def large_print_notes(project: Project, tasks: list[Task]) -> list[str]:
    """Return a note for each handout whose layout cannot hold large print and moves to a roomier one."""
    notes = []
    for hid in sorted({t.handout for t in tasks if t.variant.large_print}):
        layout = project.layouts.get(project.handouts[hid].layout)
        if layout and layout.values["large_print"] and layout.values["large_print"] != layout.id:
            notes.append(
                f"{hid}: the {layout.label} layout cannot hold large print; "
                f"built on the {layout.values['large_print']!r} layout instead"
            )
    return notes


def stale_copies(project: Project, options: Options, out: Path) -> list[Path]:
    """Return the PDFs already in ``out`` that this build would replace but cannot plan at all.

    Those are the files of a clinic whose clinic.yaml (or own block) is broken, and of a handout
    whose recipe is broken, within what ``options`` select: they stay, but must not look current.
    """
    broken = sorted(
        Path(p.path).stem for p in project.shared_problems if p.path and p.path.startswith("content/handouts/")
    )
    wanted = set(options.handouts) if options.handouts else None
    every = project.clinic_slugs()
    share = in_shard(every, options.shard)
    found = []
    for slug in [c for c in options.clinics or every if c in share]:  # a mistyped --clinic names no folder
        failed = bool(project.clinic_problems.get(slug))
        ids = [h for h in ([*project.handouts, *broken] if failed else broken) if wanted is None or h in wanted]
        folder = out / slug
        for hid in ids if folder.is_dir() else []:
            name = re.compile(rf"{re.escape(hid)}(\.(?P<lang>[^.]+))?{re.escape(options.variant.suffix())}\.pdf")
            for pdf in sorted(folder.glob("*.pdf")):
                m = name.fullmatch(pdf.name)
                lang = m and (m["lang"] or "en")
                if lang and LANG_CODE.fullmatch(lang) and options.lang in (None, lang):
                    found.append(pdf)
    return found


def unknown_handout(project: Project, handout: str) -> HandoutError:
    """Return the error for a handout id that is not among the project's loaded recipes: broken, or not there."""
    recipe = f"content/handouts/{handout}.yaml"
    if recipe in project.broken_files:
        return ContentError("this handout cannot be built until its recipe is fixed (its errors are listed)", recipe)
    return ContentError(f"no handout {handout!r} in content/handouts/{did_you_mean(handout, project.handouts)}")
