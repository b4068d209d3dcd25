"""The structure tree's own writer (render/tags.py): its text strings read back as written
whatever the content, and the tree it writes is the tree ReportLab's generic objects wrote
(read back with pikepdf: types, kids in order, /Alt, /Lang, MCIDs, annotations, the parent tree)."""
from __future__ import annotations

import io
import subprocess
import sys

import pikepdf
import pytest
from reportlab.lib.rl_accel import escapePDF
from reportlab.pdfbase.pdfdoc import DummyDoc, PDFArray, PDFDictionary, PDFName, PDFObjectReference, PDFString

from leafpress.project import Job, Project
from leafpress.render import tags
from leafpress.render.tags import ROOT_NAME, PARENT_TREE, Elem, pdf_string

from conftest import ROOT
from test_library import library_project

HOSTILE = ["a(b", "a)b(", ")", "((x)", "back\\slash", "\\)", "ends in a backslash\\", "line\rreturn",
           "crlf\r\nand lf\n", "tab\there", "Link: https://example.org/a_(b)?q=1&r=2", "عربى (مقال)",
           "हिन्दी", "中文（說明）", "ភាសាខ្មែរ", "café – 20 € • “quoted”", "soft\xadhyphen", "del\x7f",
           "bell\x07", "\x9f", "emoji 😀", "", "%(title)s {0} <b>x</b> endobj >>"]


def read_back(literal: bytes) -> str:
    """The text a reader gets from a string as written (qpdf's parser, through pikepdf)."""
    pdf = pikepdf.new()
    pdf.Root.T = pikepdf.Object.parse(literal)
    return str(pdf.Root.T)


@pytest.mark.parametrize("text", HOSTILE)
def test_strings_read_back_as_written(text):
    literal = pdf_string(text)
    assert literal.isascii() and b"\r" not in literal and b"\n" not in literal, literal
    assert read_back(literal) == text


def naive(text: str) -> bytes:
    return b"(" + text.encode("utf-16-be" if not text.isascii() else "ascii") + b")"


def latin1(text: str) -> bytes:
    """Escaped, but Latin-1 taken for PDFDocEncoding."""
    return b"(" + escapePDF(text.encode("latin-1")).encode("ascii") + b")"


@pytest.mark.parametrize("text, writer", [("a)b(", naive), ("back\\slash", naive), ("line\rreturn", naive),
                                          ("عربى", naive), ("soft\xadhyphen", latin1),
                                          ("del\x7f", latin1), ("\xa0no-break space", latin1),
                                          ("quote\x92", latin1)])
def test_the_check_fails_a_writer_that_does_not_escape(text, writer):
    """The read-back check finds what a careless writer gets wrong: unescaped parentheses and
    backslashes, a raw carriage return (read as a line feed), UTF-16 without its byte order mark,
    and characters PDFDocEncoding has no code for."""
    try:
        assert read_back(writer(text)) != text
    except pikepdf.PdfError:
        pass                            # or the file does not parse at all


def test_every_character_reads_back_and_pdfdoc_is_pikepdfs():
    """Every character of the first 12,288 code points (all of PDFDocEncoding's range and more)
    and a few beyond read back as written; where the writer chose PDFDocEncoding its bytes are
    what pikepdf's own PDFDocEncoding codec gives."""
    points = [cp for cp in range(0x3000) if not 0xD800 <= cp < 0xE000] + [0xFB01, 0xFB02, 0xFFFD, 0x1F600]
    pdf = pikepdf.new()
    pdf.Root.T = pikepdf.Array([pikepdf.Object.parse(pdf_string(f"<{chr(cp)}>")) for cp in points])
    assert [str(t) for t in pdf.Root.T] == [f"<{chr(cp)}>" for cp in points]
    for cp in points:
        literal = pdf_string(chr(cp))
        if not literal.startswith(b"(\\376\\377"):
            assert literal == b"(" + escapePDF(chr(cp).encode("pdfdoc_pikepdf")).encode("ascii") + b")", hex(cp)


def test_reportlabs_own_strings_are_written_the_same_way():
    """The document information, outline titles, link descriptions and field tooltips go through
    ReportLab's PDFString: it chooses the encoding as the writer does, so none of them holds a
    byte PDFDocEncoding lacks, whichever "pdfdoc" codec the process registered first."""
    doc = DummyDoc()
    for cp in [cp for cp in range(0x3000) if not 0xD800 <= cp < 0xE000] + [0xFB01, 0x1F600]:
        assert PDFString(f"<{chr(cp)}>").format(doc) == pdf_string(f"<{chr(cp)}>"), hex(cp)


MAKE_TITLED = """
import sys
import leafpress.render.pdf  # noqa: F401 (the press as it writes)
from reportlab.pdfgen.canvas import Canvas
c = Canvas(sys.argv[1], invariant=1)
c.setTitle("Port\\xadcath")
c.bookmarkPage("a")
c.addOutlineEntry("Flush\\xading the line", "a")
c.showOutline()
c.drawString(72, 72, "x")
c.save()
"""


def test_a_soft_hyphen_in_a_title_and_a_heading_reads_back(tmp_path):
    """A case that failed: a soft hyphen (allowed in content) in the title and a heading was
    written as PDFDocEncoding's undefined byte 0xAD, which readers showed as U+FFFD. Written in a
    process of its own, as the press writes (pikepdf, which registers a "pdfdoc" codec of its
    own, not imported)."""
    subprocess.run([sys.executable, "-c", MAKE_TITLED, str(tmp_path / "t.pdf")], check=True, cwd=ROOT)
    pdf = pikepdf.open(tmp_path / "t.pdf")
    assert str(pdf.docinfo.Title) == "Port\xadcath"
    assert str(pdf.Root.Outlines.First.Title) == "Flush\xading the line"


def test_strings_with_a_character_pdfdoc_lacks_are_utf16():
    assert pdf_string("soft\xadhyphen").startswith(b"(\\376\\377")
    assert pdf_string("en") == b"(en)"
    assert pdf_string("caf\xe9") == b"(caf\\351)"
    assert pdf_string("\u2019\u20ac") == b"(\\220\\240)"          # PDFDocEncoding's own codes


# -- the tree: the writer against ReportLab's generic objects ------------------------------------

def generic_serialise(self, doc, document: Elem, page_names: list[str]) -> None:
    """The tree through ReportLab's PDFDictionary/PDFArray objects (the way it was written before
    the writer of its own): the reference the writer is compared with."""
    generic_serialise.calls += 1

    def build(e: Elem) -> None:
        d = {"Type": PDFName("StructElem"), "S": PDFName(e.type), "P": PDFObjectReference(e.parent)}
        kids = []
        for kind, *rest in e.kids:
            if kind == "mcid":
                page, n = rest
                kids.append(n if page == e.page else PDFDictionary(
                    {"Type": PDFName("MCR"), "Pg": PDFObjectReference(page_names[page]), "MCID": n}))
            elif kind == "elem":
                kids.append(PDFObjectReference(rest[0].name))
                build(rest[0])
            else:
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
        if e.type == "TH":
            d["A"] = PDFDictionary({"O": PDFName("Table"), "Scope": PDFName("Column")})
        if e.type == "Figure" and e.bbox:
            d["A"] = PDFDictionary({"O": PDFName("Layout"), "BBox": PDFArray([round(v, 2) for v in e.bbox])})
        doc.Reference(PDFDictionary(d), e.name)

    build(document)
    nums = []
    for i, mcids in enumerate(self.page_mcids):
        nums += [i, PDFArray([PDFObjectReference(e.name) for e in mcids])]
    next_key = len(self.page_mcids)
    for link, _ in self.annots:
        nums += [next_key, PDFObjectReference(link.name)]
        next_key += 1
    parent_tree = doc.Reference(PDFDictionary({"Nums": PDFArray(nums)}), PARENT_TREE)
    doc.Reference(PDFDictionary({"Type": PDFName("StructTreeRoot"), "K": PDFObjectReference(document.name),
                                 "ParentTree": parent_tree, "ParentTreeNextKey": next_key}), ROOT_NAME)


generic_serialise.calls = 0


def tree_of(data: bytes) -> tuple[list, list, int]:
    """The structure tree as plain values: each element's type, /Alt, /Lang, page, attributes and
    kids in order (MCIDs with their page, annotations by subtype, rectangle and StructParent),
    each kid's /P its parent; the parent tree by the elements' places in the tree."""
    pdf = pikepdf.open(io.BytesIO(data))
    pages = {p.objgen: i for i, p in enumerate(pdf.pages)}
    places: dict = {}

    def value(v):
        if isinstance(v, pikepdf.Array):
            return [value(x) for x in v]
        if isinstance(v, pikepdf.Dictionary):
            return {k: value(v[k]) for k in sorted(v.keys())}
        return str(v) if isinstance(v, (pikepdf.Name, pikepdf.String)) else float(v)

    def elem(e, parent, place: tuple) -> tuple:
        assert e.P.objgen == parent.objgen, place
        places[e.objgen] = place
        pg = pages[e.Pg.objgen] if "/Pg" in e else None
        kids = e.get("/K")
        kids = [] if kids is None else (list(kids) if isinstance(kids, pikepdf.Array) else [kids])
        out = []
        for i, k in enumerate(kids):
            if isinstance(k, int):
                out.append(("mcid", pg, int(k)))
            elif k.get("/Type") == "/MCR":
                out.append(("mcid", pages[k.Pg.objgen], int(k.MCID)))
            elif k.get("/Type") == "/OBJR":
                a = k.Obj
                out.append(("objr", pages[k.Pg.objgen], str(a.Subtype), value(a.Rect), int(a.StructParent)))
            else:
                out.append(elem(k, e, place + (i,)))
        return (str(e.S), str(e.get("/Alt", "")), str(e.get("/Lang", "")), pg, value(e.A) if "/A" in e else {}, out)

    root = pdf.Root.StructTreeRoot
    tree = [elem(root.K, root, ())]
    nums = list(root.ParentTree.Nums)
    parent_tree = [(int(nums[i]), [places[x.objgen] for x in nums[i + 1]] if isinstance(nums[i + 1], pikepdf.Array)
                    else places[nums[i + 1].objgen]) for i in range(0, len(nums), 2)]
    return tree, parent_tree, int(root.ParentTreeNextKey)


def kinds(node, seen) -> set:
    stype = node[0].lstrip("/")
    seen.add(stype)
    if node[1]:
        seen.add("Alt")
    if node[2]:
        seen.add("Lang:" + stype)
    if node[4]:
        seen.add("A:" + stype)
    for k in node[5]:
        if isinstance(k[0], str) and k[0] in ("mcid", "objr"):
            seen.add(k[0] if k[0] == "objr" or k[1] == node[3] else "MCR")
        else:
            kinds(k, seen)
    return seen


# right to left, bilingual, large print; the test library's handout adds tables and write-ins
# (TH attributes, Form elements holding widget annotations), the port's Spanish sheet MCRs.
DOCS = [("library", "picc", "ar", "bilingual-letter"), ("library", "picc", "zh-Hant", "large-print"),
        ("port", "port", "es", "bilingual-letter"), ("port", "port", "hi", "large-print")]


def test_the_tree_is_the_one_generic_objects_wrote(monkeypatch, tmp_path):
    projects = {"port": Project(ROOT), "library": Project(library_project(tmp_path / "lib"))}
    seen: set = set()
    for where, handout, lang, layout in DOCS:
        project, job = projects[where], Job(handout, lang, layout, "open-leaflets")
        entry, mine = project.build(job)
        assert entry["status"] == "ok", entry
        with monkeypatch.context() as m:
            m.setattr(tags.Tagger, "_serialise", generic_serialise)
            calls = generic_serialise.calls
            _, generic = project.build(job)
            assert generic_serialise.calls == calls + 1
        assert tree_of(mine) == tree_of(generic), (lang, layout)
        assert mine == generic, (lang, layout)          # and, laid out the same way, the same bytes
        seen |= kinds(tree_of(mine)[0][0], set())
    # the documents compared hold every kind of element, kid and attribute the writer writes
    assert {"Document", "Part", "Sect", "H1", "H2", "P", "L", "LI", "Lbl", "LBody", "Figure", "Caption",
            "Table", "TR", "TH", "TD", "Form", "Link", "Span", "Div", "Alt", "Lang:Document", "Lang:Part",
            "Lang:Span", "Lang:Link", "A:TH", "A:Figure", "mcid", "MCR", "objr"} <= seen, seen
