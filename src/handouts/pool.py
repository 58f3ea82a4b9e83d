"""Take a number of jobs and give back a pool of worker processes: forked where the platform can, else spawned."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor


def jobs_for(jobs: int | None, tasks: int) -> int:
    """Return how many worker processes to use for ``tasks`` renders (``None``: one per core)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(jobs if jobs else cores, tasks))


def can_fork() -> bool:
    """True where worker processes can be forked, inheriting what the parent has loaded."""
    return "fork" in multiprocessing.get_all_start_methods()


def process_pool(
    workers: int, initializer: Callable[..., None] | None = None, initargs: tuple = ()
) -> ProcessPoolExecutor:
    """Return a pool of ``workers`` processes: forked where the platform can, else spawned."""
    context = multiprocessing.get_context("fork" if can_fork() else "spawn")
    return ProcessPoolExecutor(workers, mp_context=context, initializer=initializer, initargs=initargs)
