"""Take a project folder and build options and give back a report of the PDFs written and the problems found.

``build()`` is the whole story, one named call per stage: load the project, plan one task per
clinic × handout × language, refuse what lint calls an error (``gate``), keep what is up to
date, prepare the fonts, render the rest in a pool of workers (``handout.render``), write the
bytes atomically with the build record, and write the gallery.
"""

from __future__ import annotations

import contextlib
import gc
import os  # noqa: F401  (tests patch handouts.build.os.replace to fail a write)
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from . import cjk, quick
from .errors import HandoutError, OutputError, ProblemList
from .files import cache_dir, locked, write_atomic
from .gallery import gallery_tasks, write_gallery
from .gate import refused
from .incremental import Fingerprints, Record, current_keys
from .load.project import Project, load_project
from .plan import Options, Report, Task, large_print_notes, output_folder, plan, stale_copies
from .pool import can_fork, jobs_for, process_pool

LOCK = quick.LOCK  # the output folder's lock, which the no-op check takes too
Progress = Callable[[Task, str, int], None]
Rendered = tuple[bytes, bytes]  # the PDF and its HTML twin
Outcome = tuple[Rendered | None, HandoutError | None]


def build(
    root: Path, options: Options, progress: Progress | None = None, notice: Callable[[str], None] | None = None
) -> Report:
    """Build the handouts ``options`` select from the project at ``root``.

    Returns a ``Report``; raises ``OutputError`` when the output folder cannot be used and
    ``ContentError`` when ``root`` is not a project. Problems of single handouts or clinics are
    recorded in the report, and the rest still build.
    """
    before = quick.inputs(root)  # the stats of what this build reads, before it reads any of it
    project = load_project(root)
    out = output_folder(project.root, options.out)
    report = Report(out=out, failed=[(None, "", problem) for problem in project.shared_problems])
    tasks = plan(project, options, report)
    report.planned = len(tasks)
    if options.shard and not tasks and not report.failed:
        report.notes.append(f"share {options.shard[0]}/{options.shard[1]} holds no clinic: nothing to build")
    report.notes += large_print_notes(project, tasks)
    notes = list(report.notes)
    _make_writable(out)
    broken = stale_copies(project, options, out)  # PDFs of a broken clinic or recipe: older copies now
    with _locked(out):
        _sweep(out)
        quick.forget(out)  # this build may change what the no-op manifest describes: written again at the end
        record = Record(out)
        for pdf in broken:
            record.mark_stale(pdf.relative_to(out).as_posix())
            if pdf.with_suffix(".html").is_file():  # its twin is as old as it is
                record.mark_stale(pdf.with_suffix(".html").relative_to(out).as_posix())
        prints = Fingerprints(project)  # each input file hashed once for the whole build
        todo = _out_of_date(prints, tasks, record, options.force, report, progress)
        # what lint calls an error stops that handout. A PDF that is up to date passed this gate when
        # it was built, from the same files (content/claims.yaml is in every key), so only the rest
        # need it, and a no-op build skips linting the whole library
        refusals = refused(project, [task for task, _ in todo]) if todo else {}
        todo = [(task, key) for task, key in todo if task not in refusals]
        _prepare_fonts(project, [task for task, _ in todo], options.jobs, notice)
        with _saving(record, report):
            for task, problems in refusals.items():
                error = problems[0] if len(problems) == 1 else ProblemList(problems)
                _write(out, task, "", None, error, record, report)
            outcomes = render_all(project, [task for task, _ in todo], options.jobs)
            for (task, key), (data, error) in zip(todo, outcomes, strict=True):
                status = _write(out, task, key, data, error, record, report)
                if progress:
                    progress(task, status, len(tasks))
        # what is out of date belongs to the files, whatever this run built: the record says which
        keys = current_keys(project, gallery_tasks(project, tasks), prints)
        report.stale = record.out_of_date(out, keys)
        write_gallery(project, tasks, out, options.jobs, keys)  # every PDF on disk, not only this run's
        if report.notes == notes:  # a note added since says something went wrong (e.g. the record was not saved)
            quick.remember(root, options, report, before, record)
    return report


def write_gallery_only(root: Path, out: Path | None = None, jobs: int | None = None) -> Path:
    """Write the gallery for every PDF of the project found in the output folder, building nothing.

    Output folders built apart (``build --shard K/N``) and merged by copying give, after this,
    the files one build of every clinic writes. Returns the path of ``index.html``; raises
    ``ContentError`` when ``root`` is not a project and ``OutputError`` when the folder cannot be used.
    """
    project = load_project(root)
    folder = output_folder(project.root, out)
    _make_writable(folder)
    with _locked(folder):
        _sweep(folder)
        return write_gallery(project, [], folder, jobs)


def _make_writable(out: Path) -> None:
    """Create the output folder and check with a real write that it takes files; raises ``OutputError``."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {out}: {exc.strerror}") from None
    try:
        with tempfile.TemporaryFile(dir=out):  # a real write: os.access says yes to root on a read-only folder
            pass
    except OSError as exc:
        raise OutputError(f"the output folder {out} is not writable: {exc.strerror}") from None


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold the output folder's lock for a whole build, so two builds never write into one folder."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(locked(out / LOCK, wait=False))
        except BlockingIOError:
            raise OutputError(
                f"another handouts build is writing to {out}: wait for it to finish, or use another --out"
            ) from None
        except OSError as exc:
            raise OutputError(f"cannot write into the output folder {out}: {exc.strerror}") from None
        yield


def _sweep(out: Path) -> None:
    """Remove temporary files a killed build left behind (``write_atomic`` names them ``.<name>.<random>.tmp``)."""
    for leftover in out.rglob(".*.tmp"):
        if leftover.is_file() and not leftover.is_symlink():
            leftover.unlink(missing_ok=True)


def _out_of_date(
    prints: Fingerprints, tasks: list[Task], record: Record, force: bool, report: Report, progress: Progress | None
) -> list[tuple[Task, str]]:
    """Return ``(task, inputs key)`` for each task to render; the up-to-date ones are reported as skipped."""
    todo = []
    for task in tasks:
        target = report.out / task.clinic / task.filename()
        twin = report.out / task.clinic / task.twin_filename()
        key = prints.key(task)
        if not force and record.fresh(task.name(), key, target) and record.fresh(task.twin_name(), key, twin):
            record.confirm(task.name())  # a stale copy whose inputs are back to its own is current again
            record.confirm(task.twin_name())
            report.skipped.append((task, target))
            if progress:
                progress(task, "skipped", len(tasks))
        else:
            todo.append((task, key))
    return todo


def _prepare_fonts(project: Project, tasks: list[Task], jobs: int | None, notice: Callable[[str], None] | None) -> None:
    """Make the built-in Chinese fonts the tasks need, before the workers start (once per machine)."""
    scripts = {script for t in tasks if (script := cjk.builtin_script(project.clinics[t.clinic], t.lang))}
    missing = {s for s in scripts if not cjk.ready(s)}
    if not missing:
        return
    if notice:
        names = " and ".join(cjk.LABELS[s] for s in sorted(missing))
        notice(f"Preparing {names} for Chinese handouts: once per machine, about a minute (kept in {cache_dir()})")
    cjk.prepare_all(missing, jobs_for(jobs, 2 * len(missing)))


@contextlib.contextmanager
def _saving(record: Record, report: Report) -> Iterator[None]:
    """Save the build record when the block ends, also when a write failed half-way."""
    try:
        yield
    finally:
        try:
            record.save()
        except OSError as exc:
            report.notes.append(
                f"could not save the build record in {record.out} ({exc.strerror}): the next build rebuilds all"
            )


def _write(
    out: Path, task: Task, key: str, data: Rendered | None, error: HandoutError | None, record: Record, report: Report
) -> str:
    """Write one rendered PDF and its HTML twin atomically and note both in the record, or report its error.

    The twin is written first, so a PDF on disk never has a twin older than itself that the record
    calls current. Returns the status.
    """
    target = out / task.clinic / task.filename()
    if error is not None:
        report.failed.append((task, task.clinic, error))
        for name, path in ((task.name(), target), (task.twin_name(), out / task.clinic / task.twin_filename())):
            if path.exists():
                record.mark_stale(name)
        return "failed"
    assert data is not None
    pdf, html = data
    for name, path, content in ((task.twin_name(), target.with_name(task.twin_filename()), html),
                                (task.name(), target, pdf)):  # fmt: skip
        try:
            write_atomic(path, content)
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror}") from None
        record.wrote(name, key, content, path)
    report.written.append((task, target))
    return "written"


def render_all(project: Project, tasks: list[Task], jobs: int | None) -> Iterator[Outcome]:
    """Yield ``((pdf bytes, html bytes), None)`` or ``(None, error)`` for each task, in order, from a pool of workers.

    Every PDF depends only on its task, so the bytes do not depend on the number of workers.
    """
    if not tasks:
        return  # a no-op build never imports reportlab
    from .handout import render_both  # noqa: F401  why: here, before the workers fork, and not for a no-op build

    workers = jobs_for(jobs, len(tasks))
    if workers == 1:
        yield from (_render_safely(project, task) for task in tasks)
        return
    # forked workers inherit the loaded project (layouts resolved, fonts registered, templates
    # compiled); spawned ones, where fork is not available, load it once from its folder
    source = project if can_fork() else project.root
    gc.collect()
    gc.freeze()  # what the workers inherit stays out of their collections (and its pages unwritten)
    try:
        with process_pool(workers, _start_worker, (source,)) as pool:
            yield from pool.map(_render_in_worker, tasks, chunksize=1)
    finally:
        gc.unfreeze()  # the parent (a test run, the gallery) collects its own objects again


def _render_safely(project: Project, task: Task) -> Outcome:
    try:
        from .handout import render_both  # why: imported once, by render_all; this is a lookup

        pdf, html = render_both(project, task)
        assert html is not None
        return (pdf, html), None
    except HandoutError as exc:
        return None, exc


# The project a worker process renders from, set once by ``_start_worker`` in each worker.
_worker_project: Project | None = None


def _start_worker(source: Project | Path) -> None:
    global _worker_project
    _worker_project = source if isinstance(source, Project) else load_project(source)


_renders = 0  # in this worker
COLLECT_EVERY = 5  # renders: a worker collects the cycles its placement tries left this often


def _render_in_worker(task: Task) -> Outcome:
    global _renders
    assert _worker_project is not None
    _renders += 1
    if _renders % COLLECT_EVERY == 0:  # reportlab's cycles from earlier renders go before this one's come
        gc.collect()
    return _render_safely(_worker_project, task)
