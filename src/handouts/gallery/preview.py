"""Take built PDFs and give back PNG previews of their pages: a thumbnail of page 1, or every page at a chosen DPI.

Pages are rendered with pypdfium2 (a pip-installed PDFium), so no system tool is needed. Previews
sit in a ``previews/`` folder beside the PDFs, with ``previews.json`` recording the SHA-256 of the
PDF each preview was made from: a preview is rendered again only when its PDF changed.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import pypdfium2 as pdfium

from ..errors import ConfigError, OutputError, PreviewError
from ..files import sha256_file, write_atomic
from ..plan import Task, output_folder, unknown_handout
from ..pool import jobs_for, process_pool
from ..variant import Variant

log = logging.getLogger(__name__)

FOLDER = "previews"
RECORD = "previews.json"
THUMB_BOX = 400  # pixels: the thumbnail's longer side, sharp on a high-density screen at 200 CSS pixels
_RECORD_VERSION = 1
_PNG_NAME = re.compile(r"^[^/\\]+\.png$")


@dataclass(frozen=True)
class PdfInfo:
    """What the gallery shows of one PDF: its page count, the trimmed size of page 1, and its thumbnail."""

    pages: int
    width: float  # points, page 1's trim box (a print-shop PDF's bleed and marks are left out)
    height: float
    thumbnail: Path
    thumb_size: tuple[int, int]  # pixels


class _Document:
    """Open a PDF with PDFium for one ``with`` block; PDFium's errors become a ``PreviewError`` naming the file."""

    def __init__(self, pdf: Path) -> None:
        self.pdf = pdf
        self.doc: pdfium.PdfDocument | None = None

    def __enter__(self) -> pdfium.PdfDocument:
        try:
            self.doc = pdfium.PdfDocument(self.pdf)
        except pdfium.PdfiumError as exc:
            raise PreviewError(f"cannot read it as a PDF ({exc}): build it again", self.pdf) from None
        if len(self.doc) == 0:
            self.doc.close()
            raise PreviewError("the PDF has no pages: build it again", self.pdf)
        return self.doc

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.doc is not None:
            self.doc.close()
        if isinstance(exc, pdfium.PdfiumError):
            raise PreviewError(f"cannot render it ({exc}): build it again", self.pdf) from None


PNG_LEVEL = 3  # a thumbnail: 49 KiB in 4.6 ms, where optimize=True took 56 KiB in 36 ms (first-visit, page 1)


def _png(page: pdfium.PdfPage, scale: float) -> tuple[bytes, tuple[int, int]]:
    """Return the page rendered at ``scale`` (1 = 72 dpi) as PNG bytes, and its size in pixels."""
    image = page.render(scale=scale).to_pil()
    buffer = io.BytesIO()
    # zlib level 3: on a rendered page, smaller than optimize=True (level 9) and about 7 times faster
    image.save(buffer, format="PNG", compress_level=PNG_LEVEL)
    return buffer.getvalue(), image.size


def _render_thumbnail(pdf: Path) -> tuple[bytes, tuple[int, int], int, float, float] | None:
    """In a worker: page 1 of ``pdf`` as a thumbnail, with the page count and trimmed size (None if unreadable)."""
    try:
        doc = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError:
        return None
    try:
        page = doc[0]
        left, bottom, right, top = page.get_trimbox()
        width, height = page.get_size()
        data, pixels = _png(page, THUMB_BOX / max(width, height))
        return data, pixels, len(doc), round(right - left, 3), round(top - bottom, 3)
    except pdfium.PdfiumError:
        return None
    finally:
        doc.close()


class Previews:
    """The previews of the PDFs in one folder (``output/<clinic>/``), and the record of what they were made from.

    Call ``thumbnail()`` or ``pages()`` for each PDF, then ``save()`` once to keep the record.
    """

    def __init__(self, folder: Path, digests: Callable[[Path], str] | None = None) -> None:
        self.folder = folder
        self._digest_of = digests  # the build record's digests (stat fast path), or hash each PDF once
        self.target = folder / FOLDER
        self.record: dict[str, dict[str, Any]] = self._load()
        self.changed = False
        self._digests: dict[Path, str] = {}  # each PDF is read once per pass (prepare, then thumbnail)

    def _load(self) -> dict[str, dict[str, Any]]:
        path = self.target / RECORD
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            log.warning("%s is unreadable (%s); every preview will be rendered again", path, type(exc).__name__)
            return {}
        if not isinstance(data, dict) or data.get("version") != _RECORD_VERSION:
            return {}
        if not isinstance(data.get("pdfs"), dict):
            return {}
        return {k: v for k, v in data["pdfs"].items() if isinstance(v, dict) and isinstance(v.get("sha256"), str)}

    def save(self) -> None:
        """Write the record if anything changed; raises ``OutputError`` when it cannot be written."""
        if not self.changed:
            return
        data = {"version": _RECORD_VERSION, "pdfs": dict(sorted(self.record.items()))}
        path = self.target / RECORD
        try:
            write_atomic(path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode("utf-8"))
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror}") from None
        self.changed = False

    def digest(self, pdf: Path) -> str:
        """Return the SHA-256 of ``pdf`` (read once per pass); raises ``PreviewError`` when it cannot be read."""
        if self._digest_of is not None:
            digest = self._digests.get(pdf) or self._digests.setdefault(pdf, self._digest_of(pdf))
            if digest == "missing":
                raise PreviewError("cannot read it", pdf)
            return digest
        try:
            return self._digests.get(pdf) or self._digests.setdefault(pdf, sha256_file(pdf))
        except OSError as exc:
            raise PreviewError(f"cannot read it: {exc.strerror}", pdf) from None

    def _entry(self, pdf: Path) -> dict[str, Any]:
        """Return the record of ``pdf``, emptied (and its old pages deleted) when the PDF changed since."""
        digest = self.digest(pdf)
        entry = self.record.get(pdf.name)
        if entry is not None and entry.get("sha256") == digest:
            return entry
        if entry is not None:
            full = entry.get("full")
            for name in full.get("files", []) if isinstance(full, dict) else []:
                if isinstance(name, str) and _PNG_NAME.fullmatch(name):
                    (self.target / name).unlink(missing_ok=True)  # pages of the old PDF must not pass for the new
        entry = {"sha256": digest}
        self.record[pdf.name] = entry
        self.changed = True
        return entry

    def _write(self, name: str, data: bytes) -> Path:
        path = self.target / name
        try:
            write_atomic(path, data)
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror}") from None
        return path

    def prepare(self, pdfs: list[Path], jobs: int | None = None) -> None:
        """Render the thumbnails that ``thumbnail()`` would need, several at once in worker processes.

        A whole catalogue's thumbnails take seconds one after another; PDFs that cannot be read
        are left for ``thumbnail()`` to report.
        """
        todo: list[tuple[Path, dict[str, Any]]] = []
        for pdf in pdfs:
            if not pdf.is_file():
                continue
            try:
                entry = self._entry(pdf)
            except PreviewError:
                continue
            if entry.get("thumbnail") != pdf.stem + ".thumb.png" or "pages" not in entry:
                todo.append((pdf, entry))
        workers = jobs_for(jobs, len(todo))
        if workers < 2 or len(todo) < 4:
            return
        with process_pool(workers) as pool:
            results = list(pool.map(_render_thumbnail, [pdf for pdf, _ in todo], chunksize=4))
        for (pdf, entry), result in zip(todo, results, strict=True):
            if result is None:
                continue
            data, pixels, pages, width, height = result
            name = pdf.stem + ".thumb.png"
            self._write(name, data)
            entry.update(pages=pages, width=width, height=height, thumbnail=name, thumb_size=list(pixels))
            self.changed = True

    def thumbnail(self, pdf: Path) -> PdfInfo:
        """Return ``pdf``'s page count, page size and page-1 thumbnail, rendering the thumbnail only if needed.

        Raises ``PreviewError`` when the file is not a readable PDF, ``OutputError`` when the
        thumbnail cannot be written.
        """
        entry = self._entry(pdf)
        name = pdf.stem + ".thumb.png"
        known = all(isinstance(entry.get(k), int | float) for k in ("pages", "width", "height"))
        size = entry.get("thumb_size")
        known = known and isinstance(size, list) and len(size) == 2 and all(isinstance(n, int) for n in size)
        thumb = self.target / name
        if known and entry.get("thumbnail") == name and thumb.is_file() and not thumb.is_symlink():
            pages, width, height = int(entry["pages"]), float(entry["width"]), float(entry["height"])
            return PdfInfo(pages, width, height, self.target / name, (size[0], size[1]))
        with _Document(pdf) as doc:
            page = doc[0]
            left, bottom, right, top = page.get_trimbox()
            width, height = page.get_size()
            data, pixels = _png(page, THUMB_BOX / max(width, height))
            pages = len(doc)
        log.info("rendered the thumbnail of %s", pdf)
        entry.update(pages=pages, width=round(right - left, 3), height=round(top - bottom, 3))
        entry.update(thumbnail=name, thumb_size=list(pixels))
        self.changed = True
        return PdfInfo(pages, entry["width"], entry["height"], self._write(name, data), pixels)

    def pages(self, pdf: Path, dpi: int) -> list[Path]:
        """Return PNGs of every page of ``pdf`` at ``dpi``, rendering them only if the PDF or the DPI changed.

        Raises ``PreviewError`` when the file is not a readable PDF, ``OutputError`` when a page
        cannot be written.
        """
        entry = self._entry(pdf)
        full = entry.get("full")
        if isinstance(full, dict) and full.get("dpi") == dpi and isinstance(full.get("files"), list):
            # only the names this method writes, in this folder: a record is never a way to reach another file
            names = [f"{pdf.stem}.page-{n + 1}.png" for n in range(len(full["files"]))]
            paths = [self.target / n for n in names]
            if names and full["files"] == names and all(p.is_file() and not p.is_symlink() for p in paths):
                return paths
        names = []
        with _Document(pdf) as doc:
            for number in range(len(doc)):
                name = f"{pdf.stem}.page-{number + 1}.png"
                self._write(name, _png(doc[number], dpi / 72)[0])
                names.append(name)
        log.info("rendered %d page(s) of %s at %d dpi", len(names), pdf, dpi)
        entry["full"] = {"dpi": dpi, "files": names}
        self.changed = True
        return [self.target / n for n in names]


def preview_handout(
    root: Path,
    clinic: str,
    handout: str,
    lang: str | None = None,
    variant: Variant | None = None,
    out: Path | None = None,
    dpi: int = 150,
) -> list[Path]:
    """Render every page of one built handout as PNGs; return their paths.

    ``lang`` defaults to the clinic's first language. Raises ``ConfigError`` or ``ContentError``
    for an unknown clinic, handout or language, and ``OutputError`` when the PDF has not been
    built or cannot be read.
    """
    from ..load.project import load_project
    from ..load.schema import did_you_mean

    project = load_project(root)
    every = project.clinic_slugs()
    if clinic not in every:
        hint = did_you_mean(clinic, every) or f" (there are: {', '.join(every)})"
        raise ConfigError(f"no clinic {clinic!r} in content/clinics/{hint}")
    if clinic not in project.clinics:
        raise ConfigError(f"clinic {clinic!r} has errors: run handouts validate")
    if handout not in project.handouts:
        raise unknown_handout(project, handout)
    offered = project.clinics[clinic].languages
    if lang is not None and lang not in offered:  # checked before it becomes part of a path
        raise ConfigError(f"clinic {clinic!r} offers {', '.join(offered)}, not {lang!r}: pick one of those with --lang")
    task = Task(clinic, handout, lang or offered[0], variant or Variant())
    pdf = output_folder(project.root, out) / clinic / task.filename()
    if not pdf.is_file():
        shown = pdf.relative_to(project.root) if pdf.is_relative_to(project.root) else pdf
        if task.lang not in offered:
            raise OutputError(f"{shown} does not exist: clinic {clinic!r} offers {', '.join(offered)}, not {task.lang}")
        flags = "".join(f" --{part}" for part in task.variant.suffix().split(".") if part)
        raise OutputError(
            f"{shown} has not been built yet: run handouts build --clinic {clinic} --handout {handout} "
            f"--lang {task.lang}{flags}"
        )
    previews = Previews(pdf.parent)
    paths = previews.pages(pdf, dpi)
    previews.save()
    return paths
