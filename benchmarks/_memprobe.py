"""Run ``handouts`` with each render recording the peak memory of the process that did it.

Usage: ``python benchmarks/_memprobe.py RECORD_DIR [handouts arguments...]``, e.g.
``python benchmarks/_memprobe.py /tmp/rec build --force --out /tmp/out``.

``handouts.build._render_in_worker`` is replaced, before any worker starts, by a wrapper that writes
``RECORD_DIR/worker-<pid>.json`` after each render: the process's peak resident set
(``ru_maxrss``, which for a forked worker includes the pages it shares with the parent) and its
private memory now (``Private_Clean + Private_Dirty`` of ``/proc/self/smaps_rollup``, Linux only).
Workers are forked, and ``pool.map`` pickles the function by its qualified name
(``handouts.build._render_in_worker``), so each worker finds the wrapper. At the end the parent
writes ``RECORD_DIR/parent.json``.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from pathlib import Path
from typing import Any

from handouts import build

RECORDS = Path(sys.argv[1])
PARENT = os.getpid()
_original = build._render_in_worker
_renders = 0


def _private_kib() -> int | None:
    try:
        text = Path("/proc/self/smaps_rollup").read_text()
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in text.splitlines()[1:] if ":" in line)
    return sum(int(fields[k].split()[0]) for k in ("Private_Clean", "Private_Dirty") if k in fields)


def _record(name: str) -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    data = {
        "pid": os.getpid(),
        "in_parent": os.getpid() == PARENT,
        "renders": _renders,
        "maxrss_kib": usage.ru_maxrss,  # KiB on Linux
        "private_kib": _private_kib(),
    }
    tmp = RECORDS / f".{name}.tmp"
    tmp.write_text(json.dumps(data))
    tmp.replace(RECORDS / f"{name}.json")


def _render_in_worker(task: Any) -> Any:
    global _renders
    try:
        return _original(task)
    finally:
        _renders += 1
        _record(f"worker-{os.getpid()}")


_render_in_worker.__module__ = build.__name__
_render_in_worker.__qualname__ = "_render_in_worker"
build._render_in_worker = _render_in_worker


def main() -> int:
    from handouts.cli import cli

    RECORDS.mkdir(parents=True, exist_ok=True)
    try:
        cli.main(args=sys.argv[2:], prog_name="handouts", standalone_mode=False)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    except Exception as exc:  # the probe reports; the caller decides
        print(f"memprobe: {type(exc).__name__}: {exc}", file=sys.stderr)
        code = 1
    _record("parent")
    return code


if __name__ == "__main__":
    sys.exit(main())
