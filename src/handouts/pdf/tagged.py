"""Take a painted canvas, before it is saved, and the structure collected while painting, and make it a tagged PDF.

Adds what PDF/UA-1 asks of the catalog and pages, as reportlab objects written in the same save as
the page content: the structure tree (``/StructTreeRoot``, its ``/ParentTree`` and each page's
``/StructParents``), each link and form field in a ``Link`` or ``Form`` element (``/StructParent``,
and ``/Contents`` on links), ``/MarkInfo``, ``/ViewerPreferences /DisplayDocTitle``, ``/Tabs /S`` on
pages with annotations, and an XMP packet with the title and ``pdfuaid:part``. reportlab's invariant
mode gives the same bytes for the same input. (An earlier version opened the saved PDF again with
pikepdf to add these; writing them in reportlab's own save is a tenth of a render faster.)
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfdoc import (
    PDFDate,
    PDFDictionary,
    PDFDocument,
    PDFName,
    PDFObject,
    PDFObjectReference,
    PDFStream,
    PDFString,
    PDFtrue,
)
from reportlab.pdfbase.pdfdoc import (
    format as pdf_format,
)
from reportlab.pdfgen.canvas import Canvas

from .tags import Annotation, Content, Element

_SCHEMES = ("mailto:", "tel:")
_ELEM, _MCR, _OBJR = PDFName("StructElem"), PDFName("MCR"), PDFName("OBJR")


def _description(annot: PDFDictionary) -> str:
    """Return what a link leads to, as a screen reader should announce it: the address, the number, the page."""
    action = annot.dict.get("A")
    uri = action.dict.get("URI") if isinstance(action, PDFDictionary) else None
    text = str(uri.s) if isinstance(uri, PDFString) else ""
    for scheme in _SCHEMES:
        if text.startswith(scheme):
            return text[len(scheme) :]
    return text


def _bytes(value: Any, document: PDFDocument) -> bytes:
    """Return ``value`` as PDF: an int, a name (``PDFName``'s text), a reference, text, or a list or dict of these.

    The structure tree is a few hundred small dictionaries; reportlab's ``PDFDictionary`` formats each key
    and value through several calls and sorts the keys, which cost more than the rest of tagging.
    """
    cls = value.__class__
    if cls is int:
        return b"%d" % value
    if cls is PDFObjectReference:
        return b"%d %d R" % document.idToObjectNumberAndVersion[value.name]
    if cls is str:
        return value.encode("ascii")  # a name: PDFName has escaped it
    if cls is list:
        return b"[" + b" ".join([_bytes(v, document) for v in value]) + b"]"
    if cls is dict:
        pairs = [b"/%s %s" % (k.encode("ascii"), _bytes(v, document)) for k, v in value.items()]
        return b"<< " + b" ".join(pairs) + b" >>"
    return pdf_format(value, document)  # text (PDFString escapes and encodes it)


class _Node(PDFObject):
    """An indirect dictionary of the structure tree, written by ``_bytes``."""

    def __init__(self, keys: dict[str, Any]) -> None:
        self.keys = keys

    def format(self, document: PDFDocument) -> bytes:
        return _bytes(self.keys, document)


class _Plain(PDFStream):
    """A stream written as it is, never compressed: the XMP packet, which a reader may look for as text."""

    def format(self, document: PDFDocument) -> bytes:
        content = document.encrypt.encode(self.content)
        keys = PDFDictionary(dict(self.dictionary.dict, Length=len(content)))
        return pdf_format(keys, document) + b"\nstream\n" + content + b"\nendstream\n"


class _Writer:
    def __init__(self, doc: PDFDocument, annotations: list[tuple[Annotation, Element]]) -> None:
        self.doc = doc
        self.pages: list[Any] = list(doc.Pages.pages)
        self.refs = [doc.Reference(page) for page in self.pages]
        self.by_page: list[dict[int, PDFObjectReference]] = [{} for _ in self.pages]  # page -> MCID -> element
        self.objects: list[tuple[PDFDictionary, PDFObjectReference]] = []  # (annotation, its element)
        self.annotations: dict[int, list[Annotation]] = {}
        for annotation, holder in annotations:
            self.annotations.setdefault(id(holder), []).append(annotation)

    def element(self, el: Element, parent: PDFObjectReference) -> PDFObjectReference:
        """Return a reference to the indirect ``/StructElem`` for ``el`` and, recursively, its children."""
        first = next((k.page for k in el.kids if isinstance(k, Content)), None)
        keys: dict[str, Any] = {"Type": _ELEM, "S": PDFName(el.role), "P": parent}
        if first is not None:
            keys["Pg"] = self.refs[first]  # then a content item on that page is just its MCID
        if el.alt:
            keys["Alt"] = PDFString(el.alt)
        if el.lang:
            keys["Lang"] = PDFString(el.lang)
        node = _Node(keys)
        ref = self.doc.Reference(node)
        kids: list[Any] = []
        for kid in el.kids:
            if isinstance(kid, Element):
                kids.append(self.element(kid, ref))
            elif isinstance(kid, Content):
                on_page = kid.page == first
                kids.append(kid.mcid if on_page else {"Type": _MCR, "Pg": self.refs[kid.page], "MCID": kid.mcid})
                self.by_page[kid.page][kid.mcid] = ref
        for annotation in self.annotations.get(id(el), ()):
            kids.append(self.annotation(annotation, ref))
        keys["K"] = kids[0] if len(kids) == 1 else kids  # one kid needs no array (and pdfua reads it right)
        return ref

    def annotation(self, where: Annotation, parent: PDFObjectReference) -> PDFObjectReference:
        """Return a ``Link`` (or ``Form``, for a field) element holding one annotation."""
        annot_ref = self.pages[where.page].Annots[where.index]
        annot = self.doc.idToObject[annot_ref.name]
        link = annot.dict.get("Subtype") == PDFName("Link")
        page = self.refs[where.page]
        node = _Node({"Type": _ELEM, "S": PDFName("Link" if link else "Form"), "P": parent, "Pg": page})
        ref = self.doc.Reference(node)
        contents = annot.dict.get("Contents")
        if link and not (isinstance(contents, PDFString) and str(contents.s).strip()):
            annot["Contents"] = PDFString(_description(annot))
        node.keys["K"] = [{"Type": _OBJR, "Obj": annot_ref, "Pg": page}]
        self.objects.append((annot, ref))
        return ref


def tag(canvas: Canvas, document: Element, annotations: list[tuple[Annotation, Element]], title: str) -> None:
    """Add the structure tree of ``document`` and PDF/UA-1's catalog, page and XMP entries to ``canvas``.

    Call after the last ``showPage`` and before ``save``. ``annotations`` are each page annotation
    and the element it belongs to. Raises nothing for a canvas painted here.
    """
    doc = canvas._doc
    root = _Node({"Type": PDFName("StructTreeRoot")})
    root_ref = doc.Reference(root)
    writer = _Writer(doc, annotations)
    root.keys["K"] = writer.element(document, root_ref)
    nums: list[Any] = []
    for index, page in enumerate(writer.pages):
        extra = [k for k in ("StructParents", "Tabs") if k not in page.__NoDefault__]
        page.__NoDefault__ = [*page.__NoDefault__, *extra]  # keys reportlab writes when set
        page.StructParents = index
        marked = writer.by_page[index]
        nums.extend([index, [marked[m] for m in sorted(marked)]])
        if page.Annots:
            page.Tabs = PDFName("S")
    key = len(writer.pages)
    for annot, node in writer.objects:
        annot["StructParent"] = key
        nums.extend([key, node])
        key += 1
    root.keys["ParentTree"] = doc.Reference(_Node({"Nums": nums}))
    root.keys["ParentTreeNextKey"] = key
    catalog = doc.Catalog
    catalog.StructTreeRoot = root
    catalog.MarkInfo = PDFDictionary({"Marked": PDFtrue})
    canvas.setViewerPreference("DisplayDocTitle", PDFtrue)
    info = doc.info
    # the date reportlab writes as /CreationDate and /ModDate, from its own formatter
    date = PDFDate(ts=doc._timeStamp, dateFormatter=info._dateFormatter).format(doc).decode("latin-1")[1:-1]
    fields = {"/Author": info.author, "/Subject": info.subject, "/Creator": info.creator}
    fields.update({"/Producer": info.producer, "/CreationDate": date, "/ModDate": date})
    xmp = _xmp(title, fields)
    catalog.Metadata = _Plain(PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}), xmp)


def _xmp_date(value: object) -> str | None:
    """Return a PDF date ``D:20000101000000+00'00'`` in XMP's form, ``2000-01-01T00:00:00+00:00``."""
    m = re.match(r"D:(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:([+-])(\d\d)'(\d\d)'?|Z)?", str(value or ""))
    if not m:
        return None
    y, mo, d, h, mi, s, sign, oh, om = m.groups()
    zone = f"{sign}{oh}:{om}" if sign else "Z"
    return f"{y}-{mo}-{d}T{h}:{mi}:{s}{zone}"


def _xmp(title: str, info: dict[str, str]) -> bytes:
    """Return an XMP packet saying what the document info says (title, author, subject, tools, dates), and PDF/UA-1."""

    def text(key: str) -> str:
        return escape(str(info.get(key, "")))

    dates = "".join(
        f"<xmp:{name}>{value}</xmp:{name}>"
        for name, key in (("CreateDate", "/CreationDate"), ("ModifyDate", "/ModDate"))
        if (value := _xmp_date(info.get(key)))
    )
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" '
        'xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>'
        f"<dc:creator><rdf:Seq><rdf:li>{text('/Author')}</rdf:li></rdf:Seq></dc:creator>"
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{text("/Subject")}</rdf:li></rdf:Alt></dc:description>'
        f"<xmp:CreatorTool>{text('/Creator')}</xmp:CreatorTool>{dates}"
        f"<pdf:Producer>{text('/Producer')}</pdf:Producer>"
        "<pdfuaid:part>1</pdfuaid:part>"
        '</rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end="w"?>'
    ).encode()
