"""Tagged PDF: the structure tree, marked-content ids, the parent tree, XMP metadata.

Input: while pages are drawn, every piece of content asks :class:`Tagger` for a marked-content
id (MCID) for the structure element it belongs to (identified by language, node id and role, as
layout assigned them). Output, at the end: the StructTreeRoot with elements in reading order
(Document > [Part per language] > H1, P, Sect > H2, P, L > LI > Lbl/LBody, Figure (Alt) and
Caption, Table > TR > TH (Scope Column)/TD, Form for fillable fields, Div for contact and credits,
Link with its annotation), the ParentTree, StructParents and /Tabs /S on pages, /MarkInfo and XMP
metadata with the PDF/UA-1 and PDF/A-2a identification (and the extension schema PDF/A asks for
pdfuaid), written unfiltered.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from ..layout.items import Node
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFObjectReference

from ..lru import Lru
from .pdfdoc import Written, array_bytes as _array, dict_bytes as _dict, name_bytes, pdf_string, register

# Layout roles -> structure types (lists are rebuilt from Lbl/LBody; labels belong to figures).
ROLE_TYPES = {"H1": "H1", "H2": "H2", "P": "P", "Caption": "Caption", "Figure": "Figure",
              "Label": "Figure", "Lbl": "Lbl", "LBody": "LBody", "Note": "P", "Link": "P",
              "TH": "TH", "TD": "TD"}


ROOT_NAME, PARENT_TREE = "LPStructTreeRoot", "LPParentTree"


@dataclass
class Elem:
    """A structure element of the tagged PDF: its type, kids, alternative text and language."""
    key: tuple
    type: str
    kids: list = field(default_factory=list)   # ("mcid", page, n) | ("elem", Elem) | ("objr", page, ref)
    alt: str | None = None
    lang: str | None = None
    page: int | None = None
    bbox: list | None = None
    name: str = ""            # the object's name in the document, and its parent's
    parent: str = ""


@lru_cache(maxsize=4096)      # (a node's order is its fields': every clinic's variant asks for the same nodes')
def node_order(node: Node | None) -> tuple:
    """Reading order of structure nodes: title, subtitle, notices, summary, sections (blocks,
    items), then contact and credits (see layout.items.Node)."""
    return node.order() if node is not None else (800,)


def _post_order(e: Elem, order: list) -> None:
    """``e``'s elements, kids first, appended to ``order`` (a function of the module: a closure
    calling itself is a reference cycle, which kept the tree until the next collection)."""
    for kid in e.kids:
        if kid[0] == "elem":
            _post_order(kid[1], order)
    order.append(e)


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
        """The element of a node in a role: one node drawn in several roles (a contact block's
        heading and its lines) gives several elements."""
        stype = ROLE_TYPES.get(role, "P")
        key = (lang, node, stype)
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

    def link(self, parent: Elem, url: str, page: int, rect: tuple | None = None) -> Elem:
        """The Link element for link text in ``parent``; ``rect`` (x, y, w, h) is where that
        text is drawn, so an annotation finds its own element (two columns may link the same
        address)."""
        key = parent.key + ("Link", url)
        e = self.elems.get(key)
        if e is None:
            e = self.elems[key] = Elem(key, "Link", page=page, alt=f"Link: {url}")
            parent.kids.append(("elem", e))
        self._page_links.setdefault((page, url), []).append((rect, e))
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

    def form(self, lang: str, node: Node, page: int) -> Elem:
        """The Form element of a fillable field (after the label of the write-in line it sits on)."""
        e = self.elems.get((lang, node, "Form"))
        if e is None:
            e = self.elems[(lang, node, "Form")] = Elem((lang, node, "Form"), "Form", page=page)
        return e

    def link_on_page(self, page: int, url: str, lang: str, rect: tuple, qr: bool = False) -> Elem:
        """The Link element an annotation belongs to: the link text it covers on that page (the
        one it overlaps most), or a Link element of its own among the contact details: a QR
        code's, or that of link text drawn as page furniture (tagged on another page)."""
        best, found = 0.0, None
        for where, e in self._page_links.get((page, url), []):
            if where is None:
                continue
            ox = min(rect[0] + rect[2], where[0] + where[2]) - max(rect[0], where[0])
            oy = min(rect[1] + rect[3], where[1] + where[3]) - max(rect[1], where[1])
            if ox > 0 and oy > 0 and ox * oy > best:
                best, found = ox * oy, e
        if found is not None:
            return found
        holder = self.elem(lang, Node("qr"), "P")
        holder.alt = None
        key = holder.key + ("Link", url, "qr" if qr else "text")
        e = self.elems.get(key)
        if e is None:
            e = self.elems[key] = Elem(key, "Link", page=page, alt=f"QR code: {url}" if qr else f"Link: {url}")
            holder.kids.append(("elem", e))
        return e

    # -- the tree, at the end -----------------------------------------------------------------
    def write(self, doc, page_names: list[str], alts: dict, info: dict) -> None:
        """The structure tree, the parent tree, /MarkInfo and the XMP metadata into ReportLab's
        document ``doc`` (``page_names``: the pages' object names, in order)."""
        document = self.tree(alts)
        self._serialise(doc, document, page_names)
        cat = doc.Catalog
        cat.StructTreeRoot = PDFObjectReference(ROOT_NAME)
        cat.MarkInfo = PDFDictionary({"Marked": "true"})
        cat.Metadata = doc.Reference(xmp(info, self.lang), "LPMetadata")

    def tree(self, alts: dict) -> Elem:
        """The Document element with every element under it in reading order, each named
        (``Elem.name``, in reading order) for the document's object registry."""
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
        document.parent = ROOT_NAME
        counter, stack = 0, [document]
        while stack:                    # pre-order: a parent before its kids, kids in order
            e = stack.pop()
            counter += 1
            e.name = f"LPStruct{counter}"
            for kid in reversed(e.kids):
                if kid[0] == "elem":
                    kid[1].parent = e.name
                    stack.append(kid[1])
        return document

    def _serialise(self, doc, document: Elem, page_names: list[str]) -> None:
        """Every StructElem (registered after its kids), the ParentTree and the StructTreeRoot,
        each a :class:`Written` object whose bytes are made here, laid out as ReportLab's generic
        objects would be (keys sorted, a line break every 6 entries or 10 array items), so the
        file is the same as when they were written through those objects, at a tenth of the cost.
        Pages and annotations are registered before (ReportLab does when they are added)."""
        order: list[Elem] = []
        _post_order(document, order)
        numbers = doc.idToObjectNumberAndVersion
        objects = {e.name: Written() for e in order}
        parent_tree, root = Written(), Written()
        register(doc, [*objects.items(), (PARENT_TREE, parent_tree), (ROOT_NAME, root)])

        def ref(name: str) -> bytes:
            try:
                return b"%d %d R" % numbers[name]
            except KeyError:
                raise KeyError(f"the structure tree refers to {name!r}, which the document does not "
                               f"have yet") from None

        refs = {e.name: ref(e.name) for e in order}
        refs[ROOT_NAME] = ref(ROOT_NAME)
        pages = [b"/Pg " + ref(name) for name in page_names]
        strings: dict = {}
        for e in order:
            kids: list = []
            for kid in e.kids:
                kind = kid[0]
                if kind == "mcid":
                    if kid[1] == e.page:
                        kids.append(b"%d" % kid[2])
                    else:
                        kids.append(_dict([b"/MCID %d" % kid[2], pages[kid[1]], b"/Type /MCR"]))
                elif kind == "elem":
                    kids.append(refs[kid[1].name])
                else:                                   # objr: page, annotation reference
                    kids.append(_dict([b"/Obj " + ref(kid[2].name), pages[kid[1]], b"/Type /OBJR"]))
            entries: list = []
            if e.type == "TH":
                entries.append(b"/A <<\n/O /Table /Scope /Column\n>>")
            elif e.type == "Figure" and e.bbox:
                box = _array([fp_str(round(v, 2)).encode() for v in e.bbox])
                entries.append(b"/A <<\n/BBox " + box + b" /O /Layout\n>>")
            if e.alt:
                entries.append(b"/Alt " + pdf_string(e.alt, strings))
            if kids:
                entries.append(b"/K " + (kids[0] if len(kids) == 1 else _array(kids)))
            if e.lang:
                entries.append(b"/Lang " + pdf_string(e.lang, strings))
            entries.append(b"/P " + refs[e.parent])
            if e.page is not None:
                entries.append(pages[e.page])
            entries.append(b"/S " + name_bytes(e.type))
            entries.append(b"/Type /StructElem")
            objects[e.name].data = _dict(entries)
        # The parent tree: for each page the element of each MCID, then each link annotation.
        nums: list = []
        for i, mcids in enumerate(self.page_mcids):
            nums += [b"%d" % i, _array([refs[e.name] for e in mcids])]
        next_key = len(self.page_mcids)
        for link, _ in self.annots:
            nums += [b"%d" % next_key, refs[link.name]]
            next_key += 1
        parent_tree.data = _dict([b"/Nums " + _array(nums)])
        root.data = _dict([b"/K " + refs[document.name], b"/ParentTree " + ref(PARENT_TREE),
                           b"/ParentTreeNextKey %d" % next_key, b"/Type /StructTreeRoot"])

    def _group(self, elems: list[Elem]) -> list[Elem]:
        """Sections into Sect, list items into L > LI, contact and credits into a Div."""
        out: list[Elem] = []
        sects: dict[int, Elem] = {}
        lists: dict[tuple, Elem] = {}
        tables: dict[tuple, Elem] = {}
        trs: dict[tuple, Elem] = {}
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
            if node.kind == "cell" and e.type in ("TH", "TD"):
                table = tables.get((node.section, node.block))
                if table is None:
                    table = tables[(node.section, node.block)] = Elem((lang, ("table", node.section, node.block), "Table"), "Table")
                    sect.kids.append(("elem", table))
                tr = trs.get((node.section, node.block, node.item))
                if tr is None:
                    tr = trs[(node.section, node.block, node.item)] = Elem(
                        (lang, ("tr", node.section, node.block, node.item), "TR"), "TR")
                    table.kids.append(("elem", tr))
                tr.kids.append(("elem", e))
                continue
            if node.list_item and e.type in ("Lbl", "LBody"):
                group = (node.section, node.block, node.part)
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


def xmp(info: dict, lang: str) -> Written:
    """XMP metadata matching the document information dictionary (PDF/A-2 6.6.2.3), with the
    PDF/A (part 2, conformance A: tagged, Unicode) and PDF/UA (part 1) identification and the extension schema
    that PDF/A asks for the pdfuaid namespace. ``info``: title, author, subject, keywords. Written
    unfiltered (PDF/A-2 6.6.2.1 wants it readable without decoding), byte for byte as ReportLab
    writes such a stream (tests/test_pdf_writer.py compares them)."""
    key = (info.get("title", ""), info.get("author", ""), info.get("subject", ""), info.get("keywords", ""), lang)
    written = _PACKETS.get(key)
    if written is None:
        packet = _packet(*key)
        written = (_dict([b"/Length %d" % len(packet), b"/Subtype /XML", b"/Type /Metadata"])
                   + b"\nstream\n" + packet + b"\nendstream\n")
        _PACKETS.put(key, written)
    out = Written()
    out.data = written
    return out


_PACKETS = Lru("xmp packets", 64)       # one per distinct metadata (each document's own): reused when a process builds it again


def _packet(title: str, author: str, subject: str, keywords: str, lang: str) -> bytes:
    def esc(s: str) -> str:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    title, author, subject, keywords = esc(title), esc(author), esc(subject), esc(keywords)
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>{esc(lang)}</rdf:li></rdf:Bag></dc:language>
   <dc:format>application/pdf</dc:format>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <xmp:CreateDate>2000-01-01T00:00:00+00:00</xmp:CreateDate>
   <xmp:ModifyDate>2000-01-01T00:00:00+00:00</xmp:ModifyDate>
   <xmp:CreatorTool>leafpress</xmp:CreatorTool>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdf:Producer>ReportLab PDF Library - (opensource)</pdf:Producer>
   <pdf:Keywords>{keywords}</pdf:Keywords>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <pdfaid:part>2</pdfaid:part>
   <pdfaid:conformance>A</pdfaid:conformance>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
   <pdfuaid:part>1</pdfuaid:part>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
      <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
      <pdfaSchema:property>
       <rdf:Seq>
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>part</pdfaProperty:name>
         <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
         <pdfaProperty:category>internal</pdfaProperty:category>
         <pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
        </rdf:li>
       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode("utf-8")
