"""Take a project folder and build options and give back a report of the PDFs written and the problems found.

``build()`` is the whole story: load the project, plan one task per clinic × handout × language,
render each task to bytes, and write the bytes atomically into the output folder.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import HandoutError, OutputError
from .files import cache_dir, write_atomic
from .project import Project, check_references, load_project
from .schema import LANG_CODE
from .variant import Variant

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

log = logging.getLogger(__name__)
LOCK = ".handouts-build.lock"


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
    from .errors import ConfigError
    from .schema import did_you_mean

    every = sorted(set(project.clinics) | set(project.clinic_problems))
    wanted = list(options.clinics or every)
    for slug in wanted:
        if slug not in every:
            report.failed.append(
                (None, slug, ConfigError(f"no clinic {slug!r} in content/clinics/{did_you_mean(slug, every)}"))
            )
    for h in options.handouts or ():
        if h not in project.handouts:
            report.failed.append(
                (None, "", HandoutError(f"no handout {h!r} in content/handouts/{did_you_mean(h, project.handouts)}"))
            )
    tasks = []
    for slug in wanted:
        if slug not in every:
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


def render(project: Project, task: Task) -> bytes:
    """Render one task to PDF bytes; raises ``HandoutError`` subclasses for anything the user can fix."""
    from .compose import compose_handout
    from .errors import raise_all

    clinic = project.clinics[task.clinic]
    raise_all(check_references(project, clinic, task.handout, task.lang))
    return compose_handout(project, clinic, project.handouts[task.handout], task.lang, task.variant)


def stale_copies(project: Project, options: Options, out: Path) -> list[Path]:
    """Return the PDFs already in ``out`` that this build would replace but cannot plan at all.

    Those are the files of a clinic whose clinic.yaml (or own block) is broken, and of a handout
    whose recipe is broken, within what ``options`` select: they stay, but must not look current.
    """
    broken = sorted(
        Path(p.path).stem for p in project.shared_problems if p.path and p.path.startswith("content/handouts/")
    )
    wanted = set(options.handouts) if options.handouts else None
    every = sorted(set(project.clinics) | set(project.clinic_problems))
    found = []
    for slug in [c for c in options.clinics or every if c in every]:  # a mistyped --clinic names no folder
        failed = bool(project.clinic_problems.get(slug))
        ids = [h for h in ([*project.handouts, *broken] if failed else broken) if wanted is None or h in wanted]
        folder = out / slug
        for hid in ids if folder.is_dir() else []:
            name = re.compile(rf"{re.escape(hid)}(\.(?P<lang>[^.]+))?{re.escape(options.variant.suffix())}\.pdf")
            for pdf in sorted(folder.glob("*.pdf")):
                m = name.fullmatch(pdf.name)
                lang = m and (m["lang"] or "en")
                if lang and LANG_CODE.match(lang) and options.lang in (None, lang):
                    found.append(pdf)
    return found


def build(
    root: Path,
    options: Options,
    progress: Callable[[Task, str, int], None] | None = None,
    notice: Callable[[str], None] | None = None,
) -> Report:
    """Build the handouts ``options`` select from the project at ``root``.

    Returns a ``Report``; raises ``OutputError`` when the output folder cannot be used and
    ``ContentError`` when ``root`` is not a project. Problems of single handouts or clinics are
    recorded in the report, and the rest still build.
    """
    project = load_project(root)
    out = output_folder(project.root, options.out)
    report = Report(out=out)
    for problem in project.shared_problems:
        report.failed.append((None, "", problem))
    tasks = plan(project, options, report)
    report.planned = len(tasks)
    if options.variant.large_print:
        for hid in sorted({t.handout for t in tasks}):
            layout = project.layouts.get(project.handouts[hid].layout)
            if layout and layout.values["large_print"] and layout.values["large_print"] != layout.id:
                report.notes.append(
                    f"{hid}: the {layout.label} layout cannot hold large print; "
                    f"built on the {layout.values['large_print']!r} layout instead"
                )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {out}: {exc.strerror}") from None
    try:
        with tempfile.TemporaryFile(dir=out):  # a real write: os.access says yes to root on a read-only folder
            pass
    except OSError as exc:
        raise OutputError(f"the output folder {out} is not writable: {exc.strerror}") from None
    broken = stale_copies(project, options, out)
    with _locked(out):
        _sweep(out)
        _build_into(project, options, tasks, out, broken, report, progress, notice)
    return report


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold the output folder's lock for a whole build, so two builds never write into one folder."""
    import fcntl

    try:
        fh = open(out / LOCK, "a+b")
    except OSError as exc:
        raise OutputError(f"cannot write into the output folder {out}: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(
                f"another handouts build is writing to {out}: wait for it to finish, or use another --out"
            ) from None
        yield
    finally:
        fh.close()


def _sweep(out: Path) -> None:
    """Remove temporary files a killed build left behind (``write_atomic`` names them ``.<name>.<random>.tmp``)."""
    for leftover in out.rglob(".*.tmp"):
        if leftover.is_file() and not leftover.is_symlink():
            leftover.unlink(missing_ok=True)


def _build_into(
    project: Project,
    options: Options,
    tasks: list[Task],
    out: Path,
    broken: list[Path],
    report: Report,
    progress: Callable[[Task, str, int], None] | None,
    notice: Callable[[str], None] | None,
) -> None:
    """Render what is out of date, write it, save the record and the gallery (under the folder's lock).

    ``broken`` are PDFs on disk that this build cannot plan (their clinic or recipe is broken):
    they are marked stale in the record like any failed rebuild.
    """
    from .incremental import Fingerprints, Record

    record = Record(out)
    for pdf in broken:
        record.mark_stale(pdf.relative_to(out).as_posix())
    prints = Fingerprints(project)
    todo: list[tuple[Task, Path, str]] = []
    for task in tasks:
        target = out / task.clinic / task.filename()
        name = f"{task.clinic}/{task.filename()}"
        key = prints.key(task)
        if not options.force and record.fresh(name, key, target):
            record.confirm(name)
            report.skipped.append((task, target))
            if progress:
                progress(task, "skipped", len(tasks))
        else:
            todo.append((task, target, key))
    _prepare_fonts(project, [t for t, _, _ in todo], options.jobs, notice)
    try:
        for (task, target, key), (data, error) in zip(
            todo, _render_all(project, [t for t, _, _ in todo], options.jobs), strict=True
        ):
            name = f"{task.clinic}/{task.filename()}"
            if error is not None:
                report.failed.append((task, task.clinic, error))
                if target.exists():
                    record.mark_stale(name)
                status = "failed"
            else:
                assert data is not None
                try:
                    write_atomic(target, data)
                except OSError as exc:
                    raise OutputError(f"cannot write {target}: {exc.strerror}") from None
                record.wrote(name, key, data)
                report.written.append((task, target))
                status = "written"
            if progress:
                progress(task, status, len(tasks))
    finally:
        try:
            record.save()
        except OSError as exc:
            report.notes.append(
                f"could not save the build record {record.path} ({exc.strerror}): the next build rebuilds all"
            )
    # what is stale belongs to the files, not to this run: report every PDF on disk that is not current
    report.stale = record.out_of_date(out)
    from .gallery import write_gallery  # the front desk's pages list every PDF on disk, not only this run's

    write_gallery(project, tasks, out, options.jobs)


def _prepare_fonts(project: Project, tasks: list[Task], jobs: int | None, notice: Callable[[str], None] | None) -> None:
    """Make the built-in Chinese fonts the tasks need, before the workers start (once per machine)."""
    from . import cjk

    scripts = {script for t in tasks if (script := cjk.builtin_script(project.clinics[t.clinic], t.lang))}
    missing = {s for s in scripts if not cjk.ready(s)}
    if not missing:
        return
    if notice:
        names = " and ".join(cjk.LABELS[s] for s in sorted(missing))
        notice(f"Preparing {names} for Chinese handouts: once per machine, about a minute (kept in {cache_dir()})")
    cjk.prepare_all(missing, jobs_for(jobs, 2 * len(missing)))


def jobs_for(jobs: int | None, tasks: int) -> int:
    """Return how many worker processes to use for ``tasks`` renders (``None``: one per core)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(jobs if jobs else cores, tasks))


def can_fork() -> bool:
    """True where worker processes can be forked, inheriting what the parent has loaded."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def process_pool(
    workers: int, initializer: Callable[..., None] | None = None, initargs: tuple = ()
) -> ProcessPoolExecutor:
    """Return a pool of ``workers`` processes: forked where the platform can, else spawned."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if can_fork() else "spawn")
    return ProcessPoolExecutor(workers, mp_context=context, initializer=initializer, initargs=initargs)


# The project a worker renders from. Forked workers inherit it from the parent, already loaded
# (layouts resolved, fonts registered, templates compiled on first use, then cached); spawned
# workers (where fork is not available) load it once in ``_start_worker``.
_PROJECT: Project | None = None


def _start_worker(root: Path | None) -> None:
    global _PROJECT
    if root is not None:
        _PROJECT = load_project(root)


def _render_one(task: Task) -> tuple[bytes | None, HandoutError | None]:
    assert _PROJECT is not None
    try:
        return render(_PROJECT, task), None
    except HandoutError as exc:
        return None, exc


def _render_all(
    project: Project, tasks: list[Task], jobs: int | None
) -> Iterator[tuple[bytes | None, HandoutError | None]]:
    """Yield ``(pdf bytes, None)`` or ``(None, error)`` for each task, in order, from a pool of workers.

    Every PDF depends only on its task, so the bytes do not depend on the number of workers.
    """
    global _PROJECT
    workers = jobs_for(jobs, len(tasks))
    _PROJECT = project
    if workers == 1:
        yield from map(_render_one, tasks)
        return
    root = None if can_fork() else project.root  # spawned workers load the project themselves
    with process_pool(workers, _start_worker, (root,)) as pool:
        yield from pool.map(_render_one, tasks, chunksize=1)


def validate(root: Path) -> tuple[Project, list[HandoutError]]:
    """Load and check every file and every reference of the project without drawing anything.

    Returns the project and all problems found (an empty list when all is well). Text is
    rendered through the sandbox too, so ``{{ clinic.phon }}`` is caught here.
    """
    from .checks import check_contrast, check_texts

    project = load_project(root)
    problems = list(project.shared_problems)
    seen: set[str] = set()
    for slug in sorted(set(project.clinics) | set(project.clinic_problems)):
        problems += project.clinic_problems.get(slug, [])
        clinic = project.clinics.get(slug)
        if clinic is None:
            continue
        problems += check_contrast(clinic)
        for handout in project.handouts_for(clinic):
            for lang in clinic.languages:
                for p in check_references(project, clinic, handout, lang) + check_texts(project, clinic, handout, lang):
                    if p.format_message() not in seen:
                        seen.add(p.format_message())
                        problems.append(p)
    return project, problems
