"""Take bytes and a path and write them so no half-written file is ever seen; hash, lock, and say where the cache lives.

Every file handouts writes (PDFs, previews, the gallery, build records, prepared fonts) goes
through ``write_atomic``, so a killed build leaves only old files and ``.<name>.<random>.tmp`` leftovers,
which the next build sweeps away.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it: put it straight back
    os.umask(mask)
    return mask


_UMASK = _umask()


def write_atomic(path: Path, data: bytes, sync: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename, so no half-written file is ever seen.

    With ``sync``, the bytes reach the disk before the rename, so a power cut leaves the old
    file or the new one, never an empty one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600: honour the umask like any other program
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cache_dir() -> Path:
    """Return the folder for what handouts prepares once per machine (Chinese fonts).

    ``$HANDOUTS_CACHE``, else ``$XDG_CACHE_HOME/handouts``, else ``~/.cache/handouts``.
    """
    if os.environ.get("HANDOUTS_CACHE"):
        return Path(os.environ["HANDOUTS_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "handouts"


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of the file at ``path``, read in chunks; raises ``OSError``."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def locked(path: Path, wait: bool = True) -> Iterator[None]:
    """Hold an exclusive lock on the file at ``path`` (made if missing) for one ``with`` block.

    Raises ``OSError`` when the file cannot be opened, and ``BlockingIOError`` when another
    process holds the lock and ``wait`` is false.
    """
    import fcntl  # why: POSIX only; imported where used so the module loads everywhere

    with open(path, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def path_problem(path: Path, root: Path) -> str | None:
    """Return why ``path`` may not be read as one of the project's own files, or ``None`` when it may.

    A project file is a regular file or folder inside ``root`` once every link is followed: a link
    that leads out of the project, a named pipe or a device is refused (reading one could print
    another folder's text, hang, or read forever).
    """
    try:
        resolved = path.resolve(strict=True)
        mode = resolved.stat().st_mode
    except FileNotFoundError:
        return "is a link to a file that does not exist" if path.is_symlink() else "does not exist"
    except (OSError, RuntimeError):
        return "cannot be opened (a link that leads to itself?)"
    if not resolved.is_relative_to(root.resolve()):
        return f"is a link that leads outside the project (to {resolved}): copy the file into the project instead"
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return "is not a regular file (a named pipe, socket or device): remove it"
    return None
