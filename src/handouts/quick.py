"""Take a project folder and build options and tell, from file stats alone, that the last build left nothing to do.

A no-op build of a large chain used to load every clinic, key every PDF and write every gallery
page again, about 70 ms a clinic. The last *clean* build (nothing failed, nothing stale) leaves
``output/.handouts-noop.json``: the options it ran with, the tasks it planned and its notes,
the stat (device, inode, size, mtime, ctime) of every file it read (``content/``, ``layouts/``,
``art/`` and the engine's own files, plus the installed packages' names and versions) and of
every file in the output folder. When all of them still have those stats, the build would
render nothing and write nothing, so ``replay`` gives back its report without loading anything.
Any difference, a file added or removed, a link or a special file, different options or
``--force``, and the full build runs (and removes the manifest before it writes anything).

Trust follows ``stamps``: the manifest is written only when the inputs' stats at the end of the
build are the ones taken before it loaded them, and none of them changed within ``MARGIN`` of
that (an edit in the same clock tick could leave a stat as it was). An output file is listed
only when it holds what the build record says (its digest checked through the folder's stamps),
and an output changed within ``MARGIN`` of the manifest carries its SHA-256, which ``replay``
checks by reading it. The manifest is a cache of this disk: copied elsewhere, nothing matches.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .errors import OutputError
from .files import locked, sha256_file, write_atomic
from .incremental import Record
from .plan import Options, Report, Task, output_folder
from .stamps import MARGIN, identity

MANIFEST = ".handouts-noop.json"
LOCK = ".handouts-build.lock"
FORMAT = 1
INPUTS = ("content", "layouts", "art")
Stats = dict[str, list[int]]


def _now() -> int:
    return time.time_ns()


def _walk(folder: Path, prefix: str, found: Stats, skip: frozenset[str] = frozenset()) -> bool:
    """Add the stat of every regular file under ``folder`` to ``found``; False on a link or a special file."""
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return True
    except OSError:
        return False
    for entry in entries:
        if entry.name in skip:
            continue
        st = entry.stat(follow_symlinks=False)
        if stat.S_ISDIR(st.st_mode):
            if not _walk(Path(entry.path), f"{prefix}{entry.name}/", found, skip):
                return False
        elif stat.S_ISREG(st.st_mode):
            found[prefix + entry.name] = identity(st)
        else:
            return False  # a link may lead anywhere: the full build decides what it may read
    return True


def _installed() -> list[str]:
    """Return the installed distributions (their ``*.dist-info`` names hold the versions) on ``sys.path``."""
    names = []
    for place in sys.path:
        try:
            names += sorted(e.name for e in os.scandir(place or ".") if e.name.endswith(".dist-info"))
        except OSError:
            continue
    return names


def inputs(root: Path) -> tuple[Stats, int] | None:
    """Return the stats of every file a build of ``root`` may read, and when they were taken; ``None`` if unsure."""
    taken = _now()
    found: Stats = {}
    root = root.resolve()
    for name in INPUTS:
        if not _walk(root / name, f"{name}/", found):
            return None
    engine = Path(__file__).resolve().parent
    if not _walk(engine, "<engine>/", found, frozenset({"__pycache__"})):
        return None
    return found, taken


def _options(root: Path, out: Path, options: Options) -> str:
    """Return what of ``options`` decides the tasks and their bytes (not ``jobs``, not ``force``), as text."""
    fields = {
        "root": str(root),
        "out": str(out),
        "clinics": list(options.clinics or []),
        "handouts": list(options.handouts or []),
        "lang": options.lang,
        "variant": asdict(options.variant),
        "shard": list(options.shard) if options.shard else None,
        "python": sys.version,
        "installed": _installed(),
    }
    return json.dumps(fields, sort_keys=True)


def _outputs(out: Path) -> Stats | None:
    found: Stats = {}
    return found if _walk(out, "", found, frozenset({MANIFEST, LOCK})) else None


def replay(project: Path, options: Options) -> Report | None:
    """Return the report of a build that finds everything up to date, from stats alone; ``None``: run the build."""
    if options.force:
        return None
    root = project.resolve()
    try:
        out = output_folder(root, options.out)
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError, OutputError):  # none, damaged, or a folder the build refuses
        return None
    try:
        with locked(out / LOCK, wait=False):
            return _replay(root, out, options, data)
    except (OSError, ValueError, KeyError, TypeError):  # OSError includes BlockingIOError: a build is running
        return None


def _replay(root: Path, out: Path, options: Options, data: Any) -> Report | None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    if data.get("options") != _options(root, out, options):
        return None
    now = inputs(root)
    if now is None or now[0] != data["inputs"]:
        return None
    found = _outputs(out)
    listed = data["outputs"]
    if found is None or set(found) != set(listed):
        return None
    for name, (stat_of, digest) in listed.items():
        if found[name] != stat_of:
            return None
        if digest is not None and _sha256(out / name) != digest:
            return None
        if digest is None and stat_of[4] > data["taken"] - MARGIN:
            return None  # listed as settled, yet changed close to when it was listed: a damaged manifest
    report = Report(out=out, notes=[str(n) for n in data["notes"]])
    for clinic, handout, lang in data["tasks"]:
        task = Task(str(clinic), str(handout), str(lang), options.variant)
        report.skipped.append((task, out / task.clinic / task.filename()))
    report.planned = len(report.skipped)
    return report


def _sha256(path: Path) -> str:
    try:
        return sha256_file(path)
    except OSError:
        return "missing"


def forget(out: Path) -> None:
    """Remove the manifest: a build is about to change what it describes."""
    try:
        (out / MANIFEST).unlink(missing_ok=True)
    except OSError:
        pass


def remember(project: Path, options: Options, report: Report, before: tuple[Stats, int] | None, record: Record) -> None:
    """Write the manifest after a clean build whose inputs did not change while it ran; else write none.

    ``before`` is ``inputs(project)`` taken before the build loaded anything, ``record`` the build
    record it saved. Called with the output folder's lock held, after the gallery is written.
    """
    root = project.resolve()
    out = report.out
    if before is None or report.failed or report.stale:
        return
    stats, taken = before
    after = inputs(root)
    if after is None or after[0] != stats or any(st[4] > taken - MARGIN for st in stats.values()):
        return  # changed during the build, or too recently for a stat to tell: the next build checks in full
    found = _outputs(out)
    if found is None:
        return
    now = _now()
    listed: dict[str, tuple[list[int], str | None]] = {}
    for name, stat_of in sorted(found.items()):
        if name.rsplit("/", 1)[-1].endswith(".tmp"):
            return  # a leftover the full build sweeps away
        if name in record.entries and not record.is_current(name, record.digest(out / name)):
            return  # a PDF or twin that is not what the build wrote: the next build must see it
        digest = None
        if stat_of[4] > now - MARGIN:  # changed just now: its stat cannot vouch for it, its bytes will
            digest = _sha256(out / name)
            if identity(os.stat(out / name)) != stat_of:
                return  # changed while it was read
        listed[name] = (stat_of, digest)
    tasks = [[t.clinic, t.handout, t.lang] for t, _ in report.skipped + report.written]
    manifest = {
        "format": FORMAT,
        "options": _options(root, out, options),
        "inputs": stats,
        "outputs": listed,
        "tasks": tasks,
        "notes": report.notes,
        "taken": now,
    }
    try:
        write_atomic(out / MANIFEST, json.dumps(manifest, separators=(",", ":")).encode("utf-8"), sync=False)
    except OSError:
        pass  # only a cache: the next build checks in full
