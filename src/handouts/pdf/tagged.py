"""Take the PDF bytes reportlab wrote and the structure collected while painting, and give back a tagged PDF.

Adds what PDF/UA-1 asks of the catalog and pages that reportlab cannot write: the structure
tree (``/StructTreeRoot``, its ``/ParentTree`` and each page's ``/StructParents``), each link
and form field in a ``Link`` or ``Form`` element (``/StructParent``, and ``/Contents`` on links),
``/MarkInfo``, ``/ViewerPreferences /DisplayDocTitle``, ``/Tabs /S`` on pages with annotations,
and the title and ``pdfuaid:part`` in the XMP metadata (keys added to whatever packet is there).
Saved with a deterministic ID, so the same input gives the same bytes.
"""

from __future__ import annotations

import io

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from .tags import Annotation, Content, Element

_SCHEMES = ("mailto:", "tel:")


def _description(annot: pikepdf.Dictionary) -> str:
    """Return what a link leads to, as a screen reader should announce it: the address, the number, the page."""
    action = annot.get("/A")
    uri = str(action.get("/URI", "")) if isinstance(action, pikepdf.Dictionary) else ""
    for scheme in _SCHEMES:
        if uri.startswith(scheme):
            return uri[len(scheme) :]
    return uri


class _Writer:
    def __init__(self, pdf: pikepdf.Pdf, annotations: list[tuple[Annotation, Element]]) -> None:
        self.pdf = pdf
        self.pages = [page.obj for page in pdf.pages]
        self.by_page: list[dict[int, pikepdf.Object]] = [{} for _ in self.pages]  # page -> MCID -> element
        self.objects: list[tuple[pikepdf.Object, pikepdf.Object]] = []  # (annotation, its element)
        self.annotations: dict[int, list[Annotation]] = {}
        for annotation, holder in annotations:
            self.annotations.setdefault(id(holder), []).append(annotation)

    def element(self, el: Element, parent: pikepdf.Object) -> pikepdf.Object:
        """Return the indirect ``/StructElem`` for ``el`` and, recursively, its children."""
        node = self.pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name("/" + el.role), P=parent))
        if el.alt:
            node.Alt = String(el.alt)
        if el.lang:
            node.Lang = String(el.lang)
        kids = Array()
        for kid in el.kids:
            if isinstance(kid, Element):
                kids.append(self.element(kid, node))
            elif isinstance(kid, Content):
                kids.append(Dictionary(Type=Name.MCR, Pg=self.pages[kid.page], MCID=kid.mcid))
                self.by_page[kid.page][kid.mcid] = node
        for annotation in self.annotations.get(id(el), ()):
            kids.append(self.annotation(annotation, node))
        first = next((k for k in el.kids if isinstance(k, Content)), None)
        if first is not None:
            node.Pg = self.pages[first.page]
        node.K = kids[0] if len(kids) == 1 else kids  # one kid needs no array (and pdfua reads it right)
        return node

    def annotation(self, where: Annotation, parent: pikepdf.Object) -> pikepdf.Object:
        """Return a ``Link`` (or ``Form``, for a field) element holding one annotation."""
        page = self.pages[where.page]
        annot = page.Annots[where.index]
        link = annot.get("/Subtype") == Name.Link
        node = self.pdf.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name.Link if link else Name.Form, P=parent, Pg=page)
        )
        if link and not str(annot.get("/Contents", "")).strip():
            annot.Contents = String(_description(annot))
        node.K = Array([Dictionary(Type=Name.OBJR, Obj=annot, Pg=page)])
        self.objects.append((annot, node))
        return node


def tag(data: bytes, document: Element, annotations: list[tuple[Annotation, Element]], title: str) -> bytes:
    """Return the PDF ``data`` with the structure tree of ``document`` and PDF/UA-1's catalog, page and XMP entries.

    ``annotations`` are each page annotation and the element it belongs to. Raises nothing for
    a PDF reportlab wrote.
    """
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        writer = _Writer(pdf, annotations)
        root.K = writer.element(document, root)
        nums = Array()
        for index, page in enumerate(writer.pages):
            page.StructParents = index
            marked = writer.by_page[index]
            nums.extend([index, Array([marked[m] for m in sorted(marked)])])
            if "/Annots" in page and len(page.Annots):
                page.Tabs = Name.S
        key = len(writer.pages)
        for annot, node in writer.objects:
            annot.StructParent = key
            nums.extend([key, node])
            key += 1
        root.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
        root.ParentTreeNextKey = key
        catalog = pdf.Root
        catalog.StructTreeRoot = root
        catalog.MarkInfo = Dictionary(Marked=True)
        prefs = catalog.get("/ViewerPreferences", Dictionary())
        prefs.DisplayDocTitle = True
        catalog.ViewerPreferences = prefs
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["dc:title"] = title
            meta["pdfuaid:part"] = "1"
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, min_version="1.7")
        return out.getvalue()
