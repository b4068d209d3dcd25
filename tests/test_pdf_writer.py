"""The document writer (render/pdfdoc.py) writes the bytes ReportLab's ``Canvas.save()`` writes.

Each case lays out a leaflet once and renders it twice in the same process, once with our writer
and once with ReportLab's serialiser, and compares the files byte for byte. The cases between
them hold every kind of object a leaflet has: link annotations and their actions, fillable form
fields, the outline and its destinations, print-shop boxes, a raster image, right-to-left viewer
preferences, glyph-outline forms, the output intent, the XMP stream and the structure tree."""
from __future__ import annotations

import re
import zlib
from collections import OrderedDict

import pytest
from reportlab.pdfbase import pdfdoc as rl
from reportlab.pdfgen.canvas import Canvas

from leafpress.lru import BytesLru
from leafpress.project import Job, Project
from leafpress.render import pdf, pdfdoc, pdffont
from leafpress.render.pdf import Metadata, render_pdf

from test_library import library_project

META = Metadata("Title (with parentheses) \\ and a backslash", "Auth\u00e9r", "Subject \u2014 ok",
                "k\u00adw", "en")


def _reportlab(canvas) -> bytes:
    canvas.save()
    return canvas._filename.getvalue()


def _font_objects(self, doc) -> None:
    """EmbeddedFont.addObjects as it was, with ReportLab's objects (which the writer's bytes
    must equal)."""
    font, r = self.font, self.resource
    gids = sorted(self.gids)
    data, packed, tag, bbox = pdffont._subset(font, gids)
    base = f"{tag}+{pdffont._ps_name(font)}"
    scale = 1000.0 / font.upem
    ff = rl.PDFStream(rl.PDFDictionary({"Length1": len(data)}), data, filters=[packed])
    ext = font.hb.get_font_extents("ltr")
    descriptor = rl.PDFDictionary({
        "Type": rl.PDFName("FontDescriptor"), "FontName": rl.PDFName(base), "Flags": 4,
        "FontBBox": rl.PDFArray([round(v * scale) for v in bbox]), "ItalicAngle": 0,
        "Ascent": round(ext.ascender * scale), "Descent": round(ext.descender * scale),
        "CapHeight": round(ext.ascender * scale * 0.7), "StemV": 80,
        "FontFile2": doc.Reference(ff, f"LPFontFile:{r}")})
    table = self._cid_to_gid()
    cid = rl.PDFDictionary({
        "Type": rl.PDFName("Font"), "Subtype": rl.PDFName("CIDFontType2"), "BaseFont": rl.PDFName(base),
        "CIDSystemInfo": rl.PDFDictionary({"Registry": rl.PDFString("Adobe"), "Ordering": rl.PDFString("Identity"),
                                           "Supplement": 0}),
        "FontDescriptor": doc.Reference(descriptor, f"LPFontDesc:{r}"),
        "W": rl.PDFArray([x if isinstance(x, int) else rl.PDFArray(x)
                          for start, run in pdffont._width_runs(font, gids, self.extra) for x in (start, run)]),
        "CIDToGIDMap": rl.PDFName("Identity") if table is None else doc.Reference(
            rl.PDFStream(content=table, filters=[rl.PDFZCompress]), f"LPCIDToGID:{r}")})
    mapping = dict(self.to_unicode)
    mapping.update((c, text) for (_, text), c in self.extra.items())
    cmap = rl.PDFStream(content=pdffont._to_unicode_cmap(mapping).encode("ascii"), filters=[rl.PDFZCompress])
    type0 = rl.PDFDictionary({
        "Type": rl.PDFName("Font"), "Subtype": rl.PDFName("Type0"), "BaseFont": rl.PDFName(base),
        "Encoding": rl.PDFName("Identity-H"),
        "DescendantFonts": rl.PDFArray([doc.Reference(cid, f"LPCIDFont:{r}")]),
        "ToUnicode": doc.Reference(cmap, f"LPToUnicode:{r}")})
    doc.idToObject["BasicFonts"].dict[r] = doc.Reference(type0, f"LPFont:{r}")


def _both(laid, monkeypatch, meta=META) -> tuple[bytes, bytes]:
    ours = render_pdf(laid, meta)
    with monkeypatch.context() as m:
        m.setattr(pdf, "document_bytes", _reportlab)
        m.setattr(pdf, "formatted", lambda obj, doc: rl.format(obj, doc, toplevel=1))    # objects made ahead
        m.setattr(pdf, "_FORMS", BytesLru(None, 0, 0))
        m.setattr(pdffont.EmbeddedFont, "addObjects", _font_objects)
        theirs = render_pdf(laid, meta)
    return ours, theirs


@pytest.fixture(scope="module")
def project():
    from conftest import ROOT
    return Project(ROOT)


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    return Project(library_project(tmp_path_factory.mktemp("writerlib") / "proj"))


# What each case must hold, so the comparison covers it (else the case proves nothing).
@pytest.mark.parametrize("lang, layout, variant, holds", [
    ("en", "letter-2page", None, [b"/Subtype /Link", b"/URI", b"/Outlines", rb"/Dest \[", b"/OutputIntents"]),
    ("ar", "trifold-letter", None, [b"/Direction /R2L", rb"/CIDToGIDMap \d+ 0 R", b"/Subtype /Form"]),
    ("hi", "letter-2page", "print-shop", [b"/TrimBox", b"/BleedBox"]),
    ("zh-Hant", "large-print", None, [b"/StructTreeRoot"]),
])
def test_a_leaflet_is_the_bytes_reportlab_writes(project, monkeypatch, lang, layout, variant, holds):
    laid = project.lay_out(Job("port", lang, layout, "valley-health"))[3]
    if variant == "print-shop":
        from leafpress.layout.printshop import for_print_shop
        laid = for_print_shop(laid, project.layout(layout))
    ours, theirs = _both(laid, monkeypatch)
    for what in holds:
        assert re.search(what, ours), what
    assert ours == theirs


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_form_fields_and_a_raster_figure_are_the_bytes_reportlab_writes(lib, monkeypatch, lang):
    ours, theirs = _both(lib.lay_out(Job("picc", lang, "letter-2page", "open-leaflets"))[3], monkeypatch)
    for what in (b"/AcroForm", b"/FT /Tx", b"/Subtype /Widget", b"/Subtype /Image"):
        assert what in ours, what
    assert ours == theirs


def _odd_document(write) -> bytes:
    """A document of objects no leaflet has yet: an ordered dictionary, strings to escape or
    to write in UTF-16, booleans and None, a stream ending in a carriage return, a dictionary
    and a stream that must be referred to, a second page, another kind of destination."""
    import io
    c = Canvas(io.BytesIO(), invariant=1, pageCompression=1)
    c.setTitle("a\r(b)\\c \u0394")
    c.drawString(10, 10, "x")
    c.bookmarkPage("p1", fit="Fit")
    c.addOutlineEntry("first (one)", "p1", 0)
    c.showPage()
    doc = c._doc
    odd = rl.PDFDictionary(OrderedDict([("Zed", 1), ("Alpha", rl.PDFString("\u00e9t\u00e9")), ("B", True),
                                        ("N", None), ("F", -0.5), ("Big", 12345678901), ("Huge", 2 ** 63 - 1)]))
    doc.Reference(rl.PDFStream(rl.PDFDictionary({"K": rl.PDFArray(list(range(25)))}), b"data\r", filters=[]),
                  "LPOddStream")
    other = rl.PDFCatalog()     # referred to from inside a dictionary: registered while being written
    inner = rl.PDFStream(rl.PDFDictionary({}), b"inner", filters=[])      # a stream inside a dictionary: referred to
    doc.Reference(rl.PDFDictionary({"Odd": odd, "Other": other, "Raw": "raw\tname", "Bytes": b"<00>",
                                    "Inner": inner}), "LPOdd")
    c.showOutline()
    return write(c)


def test_objects_no_leaflet_has_yet_are_written_as_reportlab_writes_them():
    assert _odd_document(pdfdoc.document_bytes) == _odd_document(_reportlab)


def test_the_comparison_sees_a_wrong_byte(project, monkeypatch):
    """The tests above would see a writer that lays out one kind of object wrongly."""
    laid = project.lay_out(Job("port", "en", "letter-2page", "valley-health"))[3]
    monkeypatch.setattr(pdfdoc, "_joined", lambda items, every: b"  ".join(items))
    ours, theirs = _both(laid, monkeypatch)
    assert ours != theirs


def test_a_document_the_writer_has_no_rule_for_is_left_to_reportlab(monkeypatch):
    """With ReportLab's object comments switched on (never in the press), the file is ReportLab's own."""
    from reportlab import rl_config
    monkeypatch.setattr(rl_config, "pdfComments", 1)
    monkeypatch.setattr(rl_config, "invariant", 0)
    assert _odd_document(pdfdoc.document_bytes) == _odd_document(_reportlab)


def test_a_fonts_kept_objects_are_the_ones_made_anew(monkeypatch):
    """pdffont._objects keeps a font's objects by all they are made from: every state of a font
    (the same glyphs with other texts, extra codes, more glyphs) gets from the kept ones what
    making them anew gives, and states that differ never share."""
    from leafpress.lru import BytesLru
    from leafpress.text.fonts import FontLibrary
    from conftest import ROOT
    font = FontLibrary([ROOT / "assets" / "fonts"]).get("NotoSans-Regular")
    states = [((5, "a"), (6, "b")), ((5, "a"), (6, "c")), ((5, "a"), (6, "b"), (6, "c")),
              ((5, "a"), (6, "b"), (7, "d")), ((6, "b"), (5, "a")), ((0, "x"), (5, "a"), (6, "b"))]

    def embedded(pairs):
        emb = pdffont.EmbeddedFont(font, "LP1")
        emb.codes(pairs)
        return emb
    monkeypatch.setattr(pdffont, "_OBJECTS", BytesLru(None, 64, 8 << 20))
    kept = [pdffont._objects(embedded(p)) for p in states]
    again = [pdffont._objects(embedded(p)) for p in states]
    assert all(a is b for a, b in zip(kept, again))         # (from the cache)
    for pairs, got in zip(states, kept):
        monkeypatch.setattr(pdffont, "_OBJECTS", BytesLru(None, 0, 0))
        assert pdffont._objects(embedded(pairs)) == got
    assert kept[0] == kept[4] and len({k[4] for k in kept}) == 5     # (same pairs in another order: same)
    assert kept[2][2] is not None and kept[0][2] is None            # (an extra code: a CIDToGIDMap)


def test_a_subset_from_a_preprocessed_face_is_the_same_bytes():
    """pdffont._subset_face's preprocessed copy (used after PREPROCESS_AFTER subsets of a font)
    gives every font of the project the bytes its own face gives, for glyph sets of text, of
    marks and of any glyphs (composites, ligatures)."""
    import random
    import uharfbuzz as hb
    from leafpress.text.fonts import FontLibrary
    from conftest import ROOT
    lib = FontLibrary([ROOT / "assets" / "fonts"])
    names = sorted(p.stem for p in (ROOT / "assets" / "fonts").glob("*.[ot]tf"))
    assert len(names) > 30
    pick = random.Random(19)
    for name in names:
        font = lib.get(name)
        pre = hb.subset_preprocess(font.face)
        mapped = sorted({g for g in map(font.hb.get_nominal_glyph, sorted(font.coverage)[:400]) if g})
        sets = [[0] + mapped[:40], sorted({0, *pick.sample(range(font.glyph_count), min(60, font.glyph_count))})]
        for gids in sets:
            assert pdffont._subset_bytes(font, gids, pre) == pdffont._subset_bytes(font, gids), (name, gids)


def test_a_font_subset_often_is_subset_from_its_preprocessed_face(monkeypatch):
    """Once a process has spent PREPROCESS_AFTER subsetting a font, pdffont._subset makes its
    subsets from the preprocessed face: the same subsets as before."""
    from leafpress.lru import BytesLru, Lru
    from leafpress.text.fonts import FontLibrary
    from conftest import ROOT
    font = FontLibrary([ROOT / "assets" / "fonts"]).get("NotoSans-Bold")
    sets = [[0, 5, 6, 7], [0, 5, 6, 8], [0, 40, 41, 42, 43]]
    monkeypatch.setattr(pdffont, "_SUBSETS", BytesLru(None, 0, 0))
    monkeypatch.setattr(pdffont, "_PREPROCESSED", Lru(None, 4))
    monkeypatch.setattr(pdffont, "PREPROCESS_AFTER", 1e-9)     # (any subset takes longer)
    font.__dict__.pop("_subset_seconds", None)
    assert pdffont._subset_face(font) is None       # (nothing spent yet)
    plain = []
    for gids in sets:
        data, packed, tag, box = pdffont._subset(font, gids)        # (the first from the font's own face)
        plain.append((data, packed.packed, tag, box))
    assert pdffont._subset_face(font) is not None
    assert pdffont._subset_face(font) is pdffont._PREPROCESSED.get(pdffont.font_key(font))
    for gids, (data, packed, tag, box) in zip(sets, plain):
        assert data == pdffont._subset_bytes(font, gids) and packed == zlib.compress(data)


class _PlainStream(rl.PDFStream):
    """ReportLab's stream written as it is (no /Filter, an end-of-line before ``endstream``):
    the reference the metadata stream's own bytes (tags.xmp) are compared with."""

    def format(self, document):
        d = rl.PDFDictionary(dict(self.dictionary.dict))
        d["Length"] = len(self.content)
        return rl.format(d, document) + b"\nstream\n" + self.content + b"\nendstream\n"


def test_the_metadata_stream_is_the_bytes_reportlab_writes_for_every_clinics_packet():
    """The XMP stream is written with pdfdoc's dictionary layout, not through ReportLab (each
    clinic's metadata names it, so every variant has a packet of its own): the same bytes as
    ReportLab's stream for packets of the same and of other lengths."""
    from leafpress.render import tags
    canvas = Canvas(None)
    for author in ("Clinic 1", "Clinic 2", "Clinique du Lac 10", "عيادة", "Clinic 1"):
        info = {"title": "Port", "author": author, "subject": "s", "keywords": "k"}
        got = tags.xmp(info, "en").data
        packet = tags._packet("Port", author, "s", "k", "en")
        stream = _PlainStream(rl.PDFDictionary({"Type": rl.PDFName("Metadata"), "Subtype": rl.PDFName("XML")}),
                              packet)
        assert got == stream.format(canvas._doc)


def test_a_structure_nodes_hash_is_its_fields_and_stays_out_of_a_pickle():
    """layout.items.Node keeps its hash (the tagger and the inspectors look nodes up hundreds
    of times a document): the value the dataclass's own hash gives, equal nodes equal hashes,
    and a pickled node works its hash out again (a string's hash differs between processes)."""
    import dataclasses
    import pickle

    from leafpress.layout.items import Node
    for node in (Node("title"), Node("block", 2, 3), Node("item", 1, 0, 4, 1, "ar", 2), Node("credit", lang="en")):
        assert hash(node) == hash(tuple(getattr(node, f.name) for f in dataclasses.fields(node)))
        again = pickle.loads(pickle.dumps(node))
        assert "_hash" not in again.__dict__ and again == node and hash(again) == hash(node)
        assert hash(dataclasses.replace(node, column=5)) != hash(node) or node.column == 5
        assert {node: 1}[dataclasses.replace(node)] == 1
