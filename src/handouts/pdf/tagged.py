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
import re
from xml.sax.saxutils import escape

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
        first = next((k.page for k in el.kids if isinstance(k, Content)), None)
        keys: dict[str, object] = {"Type": Name.StructElem, "S": Name("/" + el.role), "P": parent}
        if first is not None:
            keys["Pg"] = self.pages[first]  # then a content item on that page is just its MCID
        if el.alt:
            keys["Alt"] = String(el.alt)
        if el.lang:
            keys["Lang"] = String(el.lang)
        node = self.pdf.make_indirect(Dictionary(**keys))
        kids: list[object] = []
        for kid in el.kids:
            if isinstance(kid, Element):
                kids.append(self.element(kid, node))
            elif isinstance(kid, Content):
                on_page = kid.page == first
                kids.append(kid.mcid if on_page else Dictionary(Type=Name.MCR, Pg=self.pages[kid.page], MCID=kid.mcid))
                self.by_page[kid.page][kid.mcid] = node
        for annotation in self.annotations.get(id(el), ()):
            kids.append(self.annotation(annotation, node))
        node.K = kids[0] if len(kids) == 1 else Array(kids)  # one kid needs no array (and pdfua reads it right)
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
        if "/Metadata" in catalog:  # another pass wrote a packet: add to it, keep its keys
            with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
                meta["dc:title"] = title
                meta["pdfuaid:part"] = "1"
        else:  # written here rather than through pikepdf's XMP model, which costs more than the tree
            xmp = _xmp(title, pdf.docinfo if "/Info" in pdf.trailer else Dictionary())
            catalog.Metadata = pdf.make_stream(xmp, Type=Name.Metadata, Subtype=Name.XML)
        out = io.BytesIO()
        # streams are copied as they are, not decoded and compressed again (that was most of the cost)
        pdf.save(
            out,
            deterministic_id=True,
            min_version="1.7",
            fix_metadata_version=False,  # the packet says no version; reading it back costs time
            compress_streams=False,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
        )
        return out.getvalue()


def _xmp_date(value: object) -> str | None:
    """Return a PDF date ``D:20000101000000+00'00'`` in XMP's form, ``2000-01-01T00:00:00+00:00``."""
    m = re.match(r"D:(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:([+-])(\d\d)'(\d\d)'?|Z)?", str(value or ""))
    if not m:
        return None
    y, mo, d, h, mi, s, sign, oh, om = m.groups()
    zone = f"{sign}{oh}:{om}" if sign else "Z"
    return f"{y}-{mo}-{d}T{h}:{mi}:{s}{zone}"


def _xmp(title: str, info: pikepdf.Dictionary) -> bytes:
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
