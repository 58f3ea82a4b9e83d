"""Take a project and a build task and tell whether its PDF is already up to date.

Each task's *inputs key* is a SHA-256 over everything that can change its PDF: the recipe,
each block it uses (the clinic's own copy where it has one), the page strings, the claims list
(a new rule may refuse the handout), the layout and
its large-print fallback, every file in the clinic's folder (clinic.yaml, logo, fonts), every
file under the project's ``art/`` (figures and icons: blocks and layouts name some, the engine
itself picks others, the contact lines' and boxes' icons, so a changed picture rebuilds every
PDF rather than leave one that shows the old picture offered as current), the fonts the language
needs, the language, the variant, and the engine itself (the version of ``handouts``, a digest
of its source files, and the versions of reportlab and the font package).

The record of what was built lives beside the PDFs, one per clinic folder, as
``output/<clinic>/.handouts-build.json``: ``{file: {"inputs": key, "sha256": digest of the PDF
as written, "stale": true}}``. A PDF is skipped only when its key matches *and* the file on disk
still has the recorded digest, so a PDF written by a build that was killed before it saved the
record, or a PDF changed by hand, is rebuilt. The digest on disk comes from ``stamps``: a file
whose device, inode, size, mtime and ctime are unchanged is not read again. ``stale`` marks a
PDF whose last rebuild failed: it stays marked, whatever later builds do, until a build of that
file succeeds, and the gallery never offers it as current. Each record is written atomically,
after the PDFs it describes; a damaged record means "rebuild that clinic".

One record per clinic folder, with nothing in it that depends on when or where it was built,
means that output folders built apart (``build --shard K/N`` on several machines) merge by
copying, and equal the folder one build would have written. The single record of earlier
versions (``output/.handouts-build.json``) is read for the clinics that have no record of their
own yet, and deleted once theirs are written.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .files import path_problem, sha256_file, write_atomic
from .stamps import Stamps

if TYPE_CHECKING:
    from .load.project import Project
    from .plan import Task

RECORD = ".handouts-build.json"
CHANGED_SINCE = "its content, layout or clinic changed since it was built: build it again with the options in its name"
FORMAT = 1


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str:
    """Return the SHA-256 of the file at ``path``, or ``"missing"``."""
    try:
        return sha256_file(path)
    except OSError:
        return "missing"


def engine_digest() -> str:
    """Return a digest of what renders: handouts' version and sources, reportlab's and the font package's version."""
    from importlib import metadata

    from . import __version__

    h = hashlib.sha256(f"handouts {__version__}\n".encode())
    here = Path(__file__).resolve().parent
    for src in sorted(here.rglob("*.py")):  # every stage's package too
        h.update(src.relative_to(here).as_posix().encode() + b"\0" + src.read_bytes() + b"\0")
    for package in ("reportlab", "pillow", "justmytype-intl-cjk", "font-source-sans-pro", "segno", "svglib"):
        try:
            h.update(f"{package} {metadata.version(package)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{package} none\n".encode())
    return h.hexdigest()


class Fingerprints:
    """Inputs keys for the tasks of one project; each file is read and hashed once."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.root = project.root
        self._files: dict[Path, str] = {}
        self._folders: dict[str, list[tuple[str, str]]] = {}
        self._parts: dict[tuple[str, str], str] = {}
        self._variants: dict[Any, str] = {}
        self._art: list[tuple[str, str]] | None = None
        self.engine = engine_digest()

    def file(self, path: Path) -> str:
        """Return the digest of ``path`` (memoized for this build)."""
        if path not in self._files:
            self._files[path] = file_digest(path)
        return self._files[path]

    def clinic_files(self, slug: str) -> list[tuple[str, str]]:
        """Return (relative path, digest) of each file of the clinic's folder that its handouts use.

        See ``Clinic.files``; its own blocks are listed per use. Nothing else in the folder is
        opened: a named pipe or a link to a device left there is never read.
        """
        if slug not in self._folders:
            folder = self.root / "content" / "clinics" / slug
            found: list[tuple[str, str]] = []
            for path in self.project.clinics[slug].files():
                digest = self.file(path) if path.is_file() else "missing"  # is_file: never a pipe or a device
                found.append((_relative(path, folder), digest))
            self._folders[slug] = found
        return self._folders[slug]

    def art_files(self) -> list[tuple[str, str]]:
        """Return (path under ``art/``, digest) of every file there, once per build: a link that leads out of the
        project, a pipe or a device is listed with why it is not read (the build refuses to draw it)."""
        if self._art is None:
            art = self.root / "art"
            found: list[tuple[str, str]] = []
            seen: set[Path] = set()
            for folder, dirs, names in os.walk(art, followlinks=True):
                here = Path(folder)
                if here.resolve() in seen:  # a link back up the tree: listed once
                    dirs.clear()
                    continue
                seen.add(here.resolve())
                for name in list(dirs):  # a link to a folder outside the project is listed, not walked
                    if path_problem(here / name, self.root):
                        dirs.remove(name)
                        names.append(name)
                dirs.sort()
                for name in sorted(names):
                    path = here / name
                    problem = path_problem(path, self.root)
                    found.append((path.relative_to(art).as_posix(), problem or self.file(path)))
            self._art = found
        return self._art

    def key(self, task: Task) -> str:
        """Return the inputs key of ``task``: equal keys mean the same PDF bytes."""
        if task.variant not in self._variants:
            self._variants[task.variant] = json.dumps(asdict(task.variant), sort_keys=True)
        parts = [FORMAT, self.engine, task.lang, self._variants[task.variant], self._files_of(task)]
        return _digest(json.dumps(parts).encode())

    def _files_of(self, task: Task) -> str:
        """Return a digest of the files of ``task``'s PDF and their digests (memoized per clinic and handout)."""
        memo = (task.clinic, task.handout)
        if memo in self._parts:
            return self._parts[memo]
        project = self.project
        handout = project.handouts[task.handout]
        parts: list[Any] = [
            ["recipe", self.file(handout.path)],
            ["strings", self.file(self.root / "content" / "strings.yaml")],
            ["claims", self.file(self.root / "content" / "claims.yaml")],  # what the build refuses
        ]
        layout = project.layouts.get(handout.layout)
        layouts = [handout.layout]
        if layout is not None and layout.values.get("large_print"):
            layouts.append(layout.values["large_print"])
        for lid in layouts:
            parts.append(["layout", lid, self.file(self.root / "layouts" / f"{lid}.yaml")])
        own = project.clinic_blocks.get(task.clinic, {})
        for ids in handout.slots.values():
            for block_id in ids:
                # the file block_for reads, without making the clinic's regional wording of it
                block = own.get(block_id) or project.blocks.get(block_id)
                parts.append(["block", block_id, self.file(block.path) if block else "missing"])
        parts.append(["clinic", task.clinic, self.clinic_files(task.clinic)])
        parts.append(["art", self.art_files()])
        self._parts[memo] = _digest(json.dumps(parts, sort_keys=True, default=str).encode())
        return self._parts[memo]


def _relative(path: Path, folder: Path) -> str:
    """Return ``path`` relative to the clinic ``folder`` (resolved or not), so keys do not depend on where it lies."""
    for base in (folder, folder.resolve()):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return path.as_posix()


class Record:
    """The record of which inputs each PDF under ``out`` was built from, and which PDFs are stale.

    Names are ``<clinic>/<file>.pdf``; each clinic's entries live in that clinic's folder.
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self.path = out / RECORD  # the single record of earlier versions, read for clinics without their own
        self.entries: dict[str, dict[str, Any]] = {}
        self._saved: dict[str, str] = {}  # clinic -> the text of its record on disk
        self._stamps: dict[Path, Stamps] = {}
        own: set[str] = set()
        try:
            folders = sorted(p for p in out.iterdir() if p.is_dir() and not p.is_symlink())
        except OSError:
            folders = []
        for folder in folders:
            try:
                text = (folder / RECORD).read_text(encoding="utf-8")
            except (OSError, ValueError):
                continue
            own.add(folder.name)
            self._saved[folder.name] = text
            for name, entry in _entries(text).items():
                if "/" not in name:
                    self.entries[f"{folder.name}/{name}"] = entry
        try:
            legacy = self.path.read_text(encoding="utf-8")
        except (OSError, ValueError):
            return
        for name, entry in _entries(legacy).items():
            clinic, _, file = name.partition("/")
            if file and "/" not in file and clinic not in own:
                self.entries[name] = entry

    def _stamps_of(self, folder: Path) -> Stamps:
        if folder not in self._stamps:
            self._stamps[folder] = Stamps(folder)
        return self._stamps[folder]

    def digest(self, pdf: Path) -> str:
        """Return the SHA-256 of ``pdf`` (a file of a clinic folder), reading it only when its stat changed."""
        return self._stamps_of(pdf.parent).digest(pdf)

    def fresh(self, name: str, key: str, pdf: Path) -> bool:
        """True when ``pdf`` was built from inputs ``key`` and has not changed since.

        A stale copy whose inputs are back to what it was built from is fresh (rebuilding it
        would give the same bytes); call ``confirm`` to clear its mark.
        """
        entry = self.entries.get(name)
        return entry is not None and entry["inputs"] == key and self.digest(pdf) == entry["sha256"]

    def confirm(self, name: str) -> None:
        """Clear ``name``'s stale mark: a build found it up to date with its inputs."""
        self.entries.get(name, {}).pop("stale", None)

    def current(self, name: str, pdf: Path) -> bool:
        """True when ``pdf`` is the file a successful build wrote: recorded, not stale, unchanged on disk."""
        return name in self.entries and self.is_current(name, self.digest(pdf))

    def is_current(self, name: str, digest: str, key: str | None = None) -> bool:
        """True when a file of SHA-256 ``digest`` is what a successful build recorded as ``name``
        (and, with ``key``, built from inputs of that key)."""
        entry = self.entries.get(name)
        return (
            entry is not None
            and not entry.get("stale")
            and digest == entry["sha256"]
            and key in (None, entry["inputs"])
        )

    def out_of_date(self, out: Path, keys: Callable[[str], str | None] | None = None) -> list[tuple[Path, str]]:
        """Return every PDF in ``out``'s clinic folders that is not current, with why it is not.

        With ``keys`` (a PDF's name to the inputs key the project gives it now, or None), a PDF built
        from other inputs is out of date too: a variant or a language no build has redone since.
        """
        found = []
        for pdf in sorted(out.glob("*/*.pdf")):
            name = pdf.relative_to(out).as_posix()
            entry = self.entries.get(name)
            if not pdf.is_file() or pdf.is_symlink():
                continue
            if entry is None:
                found.append((pdf, "handouts has no record of building it"))
            elif entry.get("stale"):
                found.append((pdf, "its rebuild failed"))
            elif self.digest(pdf) != entry["sha256"]:
                found.append((pdf, "it was changed after handouts built it"))
            elif keys is not None and keys(name) not in (None, entry["inputs"]):
                found.append((pdf, CHANGED_SINCE))
        return found

    def wrote(self, name: str, key: str, data: bytes, pdf: Path | None = None) -> None:
        """Remember that ``name`` now holds ``data``, built from inputs ``key``; it is current again.

        With ``pdf``, the file just written, its stat is kept too, so the next build need not read it.
        """
        digest = _digest(data)
        self.entries[name] = {"inputs": key, "sha256": digest}
        if pdf is not None:
            self._stamps_of(pdf.parent).remember(pdf, digest)

    def mark_stale(self, name: str) -> None:
        """Mark ``name`` stale: its rebuild failed, so the copy on disk is out of date until one succeeds."""
        entry = self.entries.setdefault(name, {"inputs": "", "sha256": ""})
        entry["stale"] = True

    def save(self) -> None:
        """Write each clinic's record that changed, atomically, then the stats; raises ``OSError``.

        The single record of earlier versions is deleted once every clinic it named has its own.
        """
        clinics: dict[str, dict[str, dict[str, Any]]] = {slug: {} for slug in self._saved}
        for name, entry in self.entries.items():
            clinic, _, file = name.partition("/")
            clinics.setdefault(clinic, {})[file] = entry
        for clinic, files in sorted(clinics.items()):
            folder = self.out / clinic
            if not folder.is_dir() or folder.is_symlink():
                continue  # a clinic whose folder is gone has no PDFs to describe
            text = json.dumps({"format": FORMAT, "files": dict(sorted(files.items()))}, indent=1, sort_keys=True)
            if self._saved.get(clinic) != text:
                write_atomic(folder / RECORD, text.encode("utf-8"), sync=False)
                self._saved[clinic] = text
        self.path.unlink(missing_ok=True)
        self.save_stamps()

    def save_stamps(self) -> None:
        """Keep the stats of the files hashed or written, so that the next build need not read them again."""
        for stamps in self._stamps.values():
            try:
                stamps.save()
            except OSError:
                pass  # only a cache: the next build hashes those files again


def _entries(text: str) -> dict[str, dict[str, Any]]:
    """Return the entries of a record's ``text``; ``{}`` when it is damaged or of another format."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested too deep
        return {}
    if not (isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("files"), dict)):
        return {}
    return {
        k: {"inputs": v["inputs"], "sha256": v["sha256"], **({"stale": True} if v.get("stale") is True else {})}
        for k, v in data["files"].items()
        if isinstance(k, str)
        and isinstance(v, dict)
        and isinstance(v.get("inputs"), str)
        and isinstance(v.get("sha256"), str)
    }


def out_of_date(out: Path, keys: Callable[[str], str | None] | None = None) -> list[tuple[Path, str]]:
    """Return every PDF in the output folder ``out`` that must not be printed as current, with why."""
    return Record(out).out_of_date(out, keys) if out.is_dir() else []


def current_keys(project: Project, tasks: Any, prints: Fingerprints | None = None) -> Callable[[str], str | None]:
    """Return a lookup from a PDF's or twin's name (``<clinic>/<file>``) to the inputs key ``project`` gives it now.

    ``tasks`` are every task the project can build (all variants); a name of none of them gives None.
    A lookup made with a ``Fingerprints`` of the build shares its file digests.
    """
    prints = prints or Fingerprints(project)  # one per build: each file is hashed once
    by_name = {}
    for task in tasks:
        by_name[task.name()] = by_name[task.twin_name()] = task
    cache: dict[str, str | None] = {}

    def key(name: str) -> str | None:
        if name not in cache:
            task = by_name.get(name)
            cache[name] = prints.key(task) if task is not None else None
        return cache[name]

    return key
