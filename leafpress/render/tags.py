"""Tagged PDF: the structure tree, marked-content ids, the parent tree, XMP metadata.

Input: while pages are drawn, every piece of content asks :class:`Tagger` for a marked-content
id (MCID) for the structure element it belongs to (identified by language, node id and role, as
layout assigned them). Output, at the end: the StructTreeRoot with elements in reading order
(Document > [Part per language] > H1, P, Sect > H2, P, L > LI > Lbl/LBody, Figure (Alt) and
Caption, Div for contact and credits, Link with its annotation), the ParentTree, StructParents
and /Tabs /S on pages, /MarkInfo and XMP metadata with PDF/UA identification.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..layout.items import Node
from reportlab.pdfbase.pdfdoc import (PDFArray, PDFDictionary, PDFName, PDFObjectReference, PDFStream,
                                      PDFString)

# Layout roles -> structure types (lists are rebuilt from Lbl/LBody; labels belong to figures).
ROLE_TYPES = {"H1": "H1", "H2": "H2", "P": "P", "Caption": "Caption", "Figure": "Figure",
              "Label": "Figure", "Lbl": "Lbl", "LBody": "LBody", "Note": "P", "Link": "P"}


@dataclass
class Elem:
    key: tuple
    type: str
    kids: list = field(default_factory=list)   # ("mcid", page, n) | ("elem", Elem) | ("objr", page, ref)
    alt: str | None = None
    lang: str | None = None
    page: int | None = None
    bbox: list | None = None
    name: str = ""


def node_order(node: Node | None) -> tuple:
    """Reading order of structure nodes: title, subtitle, notices, summary, sections (blocks,
    items), then contact and credits (see layout.items.Node)."""
    return node.order() if node is not None else (800,)


class Tagger:
    def __init__(self, lang: str, parts: tuple = ()):
        self.lang = lang
        self.parts = parts
        self.elems: dict[tuple, Elem] = {}
        self.page_mcids: list[list[Elem]] = []     # per page: MCID -> element
        self.annots: list[tuple[Elem, object]] = []  # link elements and their annotation refs
        self._page_links: dict = {}

    def new_page(self) -> None:
        self.page_mcids.append([])

    def elem(self, lang: str, node: Node | None, role: str) -> Elem:
        stype = ROLE_TYPES.get(role, "P")
        key = (lang, node, stype if stype in ("Lbl", "LBody", "Caption") else "")
        e = self.elems.get(key)
        if e is None:
            e = self.elems[key] = Elem(key, stype)
        return e

    def mcid(self, page: int, elem: Elem) -> int:
        mcids = self.page_mcids[page]
        mcids.append(elem)
        elem.kids.append(("mcid", page, len(mcids) - 1))
        if elem.page is None:
            elem.page = page
        return len(mcids) - 1

    def link(self, parent: Elem, url: str, page: int) -> Elem:
        key = parent.key + ("Link", url)
        e = self.elems.get(key)
        if e is None:
            e = self.elems[key] = Elem(key, "Link", page=page, alt=f"Link: {url}")
            parent.kids.append(("elem", e))
        self._page_links[(page, url)] = e
        return e

    def span(self, parent: Elem, lang: str, page: int) -> Elem:
        """A run in another language inside an element: a Span with its own /Lang. Consecutive
        runs share one; a run of the element's own text after it starts a new one."""
        last = parent.kids[-1] if parent.kids else None
        if last and last[0] == "elem" and last[1].type == "Span" and last[1].lang == lang:
            return last[1]
        e = Elem(parent.key + ("Span", len(parent.kids)), "Span", page=page, lang=lang)
        self.elems[e.key] = e
        parent.kids.append(("elem", e))
        return e

    def link_on_page(self, page: int, url: str, lang: str) -> Elem:
        """The Link element an annotation belongs to: the link text drawn on that page, or (a QR
        code) a Link element of its own among the contact details."""
        e = self._page_links.get((page, url))
        if e is None:
            holder = self.elem(lang, Node("qr"), "P")
            holder.alt = None
            e = self.link(holder, url, page)
            e.alt = f"QR code: {url}"
        return e

    # -- the tree, at the end -----------------------------------------------------------------
    def write(self, doc, page_names: list[str], alts: dict, title: str) -> None:
        counter = [0]

        def ref_name() -> str:
            counter[0] += 1
            return f"LPStruct{counter[0]}"

        top = [e for e in self.elems.values() if e.type not in ("Link", "Span")]
        for e in top:
            if e.type == "Figure":
                e.alt = alts.get((e.key[0], e.key[1]), e.alt)
        langs = list(self.parts) or [self.lang]
        root_kids: list = []
        for lang in langs:
            mine = sorted((e for e in top if e.key[0] == lang), key=lambda e: (node_order(e.key[1]), e.key[2] != "Lbl"))
            kids = self._group(mine)
            if self.parts:
                part = Elem((lang, "part", ""), "Part", kids=[("elem", k) for k in kids], lang=lang)
                root_kids.append(part)
            else:
                root_kids += kids
        document = Elem(("", "document", ""), "Document", kids=[("elem", k) for k in root_kids], lang=self.lang)

        refs: dict[int, PDFObjectReference] = {}
        names: dict[int, str] = {}

        def register(e: Elem) -> None:
            names[id(e)] = e.name = ref_name()
            refs[id(e)] = PDFObjectReference(e.name)
            for kind, *rest in e.kids:
                if kind == "elem":
                    register(rest[0])

        register(document)
        root_name = "LPStructTreeRoot"

        def build(e: Elem, parent: str) -> None:
            d = {"Type": PDFName("StructElem"), "S": PDFName(e.type), "P": PDFObjectReference(parent)}
            kids = []
            for kind, *rest in e.kids:
                if kind == "mcid":
                    page, n = rest
                    if page == e.page:
                        kids.append(n)
                    else:
                        kids.append(PDFDictionary({"Type": PDFName("MCR"), "Pg": PDFObjectReference(page_names[page]),
                                                   "MCID": n}))
                elif kind == "elem":
                    kids.append(refs[id(rest[0])])
                    build(rest[0], e.name)
                elif kind == "objr":
                    page, annot = rest
                    kids.append(PDFDictionary({"Type": PDFName("OBJR"), "Obj": annot,
                                               "Pg": PDFObjectReference(page_names[page])}))
            if kids:
                d["K"] = PDFArray(kids) if len(kids) != 1 else kids[0]
            if e.page is not None:
                d["Pg"] = PDFObjectReference(page_names[e.page])
            if e.alt:
                d["Alt"] = PDFString(e.alt)
            if e.lang:
                d["Lang"] = PDFString(e.lang)
            if e.type == "Figure" and e.bbox:
                d["A"] = PDFDictionary({"O": PDFName("Layout"), "BBox": PDFArray([round(v, 2) for v in e.bbox])})
            doc.Reference(PDFDictionary(d), e.name)

        build(document, root_name)
        # The parent tree: for each page the element of each MCID, then each link annotation.
        nums = []
        for i, mcids in enumerate(self.page_mcids):
            nums += [i, PDFArray([refs[id(e)] for e in mcids])]
        next_key = len(self.page_mcids)
        for link, annot in self.annots:
            nums += [next_key, refs[id(link)]]
            next_key += 1
        parent_tree = PDFDictionary({"Nums": PDFArray(nums)})
        root = PDFDictionary({"Type": PDFName("StructTreeRoot"), "K": refs[id(document)],
                              "ParentTree": doc.Reference(parent_tree, "LPParentTree"),
                              "ParentTreeNextKey": next_key})
        doc.Reference(root, root_name)
        cat = doc.Catalog
        cat.StructTreeRoot = PDFObjectReference(root_name)
        cat.MarkInfo = PDFDictionary({"Marked": "true"})
        cat.Metadata = doc.Reference(xmp(title, self.lang), "LPMetadata")

    def _group(self, elems: list[Elem]) -> list[Elem]:
        """Sections into Sect, list items into L > LI, contact and credits into a Div."""
        out: list[Elem] = []
        sects: dict[int, Elem] = {}
        lists: dict[tuple, Elem] = {}
        items: dict[Node, Elem] = {}
        div = None
        for e in elems:
            lang, node, _ = e.key
            if node is not None and (node.furniture or node.kind == "website"):
                if div is None:
                    div = Elem((lang, "contactdiv", ""), "Div")
                    out.append(div)
                div.kids.append(("elem", e))
                continue
            if node is None or node.section is None:
                out.append(e)
                continue
            sect = sects.get(node.section)
            if sect is None:
                sect = sects[node.section] = Elem((lang, ("sect", node.section), ""), "Sect")
                out.append(sect)
            if node.list_item and e.type in ("Lbl", "LBody"):
                group = (node.section, node.block)
                lst = lists.get(group)
                if lst is None:
                    lst = lists[group] = Elem((lang, ("list",) + group, "L"), "L")
                    sect.kids.append(("elem", lst))
                li = items.get(node)
                if li is None:
                    li = items[node] = Elem((lang, node, "LI"), "LI")
                    lst.kids.append(("elem", li))
                li.kids.append(("elem", e))
                continue
            sect.kids.append(("elem", e))
        return out


def xmp(title: str, lang: str) -> PDFStream:
    def esc(s: str) -> str:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{esc(title)}</rdf:li></rdf:Alt></dc:title>
   <dc:language><rdf:Bag><rdf:li>{esc(lang)}</rdf:li></rdf:Bag></dc:language>
   <dc:format>application/pdf</dc:format>
   <pdfuaid:part>1</pdfuaid:part>
   <xmp:CreateDate>2000-01-01T00:00:00Z</xmp:CreateDate>
   <xmp:CreatorTool>leafpress</xmp:CreatorTool>
   <pdf:Producer>ReportLab PDF Library - (opensource)</pdf:Producer>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode("utf-8")
    return PDFStream(PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}), packet, filters=[])
