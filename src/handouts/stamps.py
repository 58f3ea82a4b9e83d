"""Take the files of one folder and give back their SHA-256, hashing only those whose stat changed since.

A build asks for the digest of every PDF it keeps (is it still what was written?) and the
gallery asks again (is this the PDF the previews were made from?). Hashing every PDF of a
large chain on every build would cost seconds, so each folder keeps ``.handouts-stat.json``:
for each file its SHA-256 with the device, inode, size, mtime and ctime it had. A file whose
stat is unchanged is not read again; any other is hashed.

This is the rule git uses for its index, with its care for "racy" entries. A second write within
one tick of the file system's clock can leave a file's stat as it was, so a stat is trusted only
when the digest beside it was taken at least ``MARGIN`` after the file's last change (its ctime);
an entry hashed or written sooner than that is hashed again when the stat file is saved (or, if
even then too soon, at the next build). The ctime cannot be set by hand (``touch -d`` sets the
mtime only), so a file edited and given back its old size and mtime is hashed again too. The stat
file is a cache of this disk: copied elsewhere, its inodes and ctimes match nothing, and every
file is hashed once.
"""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path
from typing import Any

from .files import sha256_file, write_atomic

STAT_FILE = ".handouts-stat.json"
FORMAT = 1
MARGIN = 2_000_000_000  # ns: a stat taken this long after the last change is trusted (FAT's clock ticks in 2 s)


def identity(st: os.stat_result) -> list[int]:
    """Return what identifies a file's content without reading it: device, inode, size, mtime and ctime."""
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


class Stamps:
    """The digests of the files in one folder, with the stat each was hashed at; loaded on first use."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / STAT_FILE
        self._entries: dict[str, dict[str, Any]] | None = None
        self.changed = False

    def _load(self) -> dict[str, dict[str, Any]]:
        if self._entries is not None:
            return self._entries
        self._entries = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return self._entries  # none, or damaged: every file is hashed
        if not (isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("taken"), int)):
            return self._entries
        files = data.get("files")
        for name, entry in files.items() if isinstance(files, dict) else ():
            identity = entry.get("stat") if isinstance(entry, dict) else None
            if (
                isinstance(identity, list)
                and isinstance(entry.get("sha256"), str)
                and len(identity) == 5
                and all(isinstance(n, int) for n in identity)
            ):
                # racy: checked too soon after its last change to trust its stat
                racy = data["taken"] - identity[4] < MARGIN
                self._entries[name] = {"sha256": entry["sha256"], "stat": identity, "racy": racy}
        return self._entries

    def digest(self, path: Path) -> str:
        """Return the SHA-256 of ``path`` (a file of this folder), or ``"missing"`` when it is not a readable file.

        Reads the file unless its stat is the one recorded with its digest, and that stat can be trusted.
        """
        entries = self._load()
        try:
            st = os.stat(path)
        except OSError:
            return "missing"
        if not stat.S_ISREG(st.st_mode):
            return "missing"
        entry = entries.get(path.name)
        if entry is not None and not entry["racy"] and entry["stat"] == identity(st):
            return str(entry["sha256"])
        try:
            seen = time.time_ns()
            digest = sha256_file(path)
            after = os.stat(path)
        except OSError:
            return "missing"
        if identity(after) == identity(st):  # not changed while it was read
            self.remember(path, digest, after, seen)
        return digest

    def remember(self, path: Path, digest: str, st: os.stat_result | None = None, seen: int | None = None) -> None:
        """Note that ``path`` holds content of SHA-256 ``digest`` (just written, or just hashed at ``seen``)."""
        try:
            st = st or os.stat(path)
        except OSError:
            return
        seen = time.time_ns() if seen is None else seen
        racy = seen - st.st_ctime_ns < MARGIN
        self._load()[path.name] = {"sha256": digest, "stat": identity(st), "racy": racy}
        self.changed = True

    def save(self) -> None:
        """Write the stat file if anything changed; raises ``OSError`` when it cannot be written.

        Entries whose file changed since are dropped; racy ones old enough by now are hashed
        again, so that every entry the file calls trusted was checked ``MARGIN`` after the change.
        """
        if not self.changed or self._entries is None:
            return
        files = {}
        for name, entry in sorted(self._entries.items()):
            path = self.path.parent / name
            try:
                st = os.stat(path)
                if identity(st) != entry["stat"]:
                    continue
                if entry["racy"] and time.time_ns() - st.st_ctime_ns >= MARGIN:
                    if sha256_file(path) != entry["sha256"] or identity(os.stat(path)) != entry["stat"]:
                        continue
                    entry["racy"] = False
            except OSError:
                continue
            files[name] = {"sha256": entry["sha256"], "stat": entry["stat"]}
        taken = min([time.time_ns()] + [e["stat"][4] + MARGIN - 1 for e in self._entries.values() if e["racy"]])
        text = json.dumps({"format": FORMAT, "taken": taken, "files": files}, separators=(",", ":"), sort_keys=True)
        write_atomic(self.path, text.encode("utf-8"), sync=False)
        self.changed = False
