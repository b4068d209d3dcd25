"""The document writer (render/pdfdoc.py) writes the bytes ReportLab's ``Canvas.save()`` writes.

Each case lays out a leaflet once and renders it twice in the same process, once with our writer
and once with ReportLab's serialiser, and compares the files byte for byte. The cases between
them hold every kind of object a leaflet has: link annotations and their actions, fillable form
fields, the outline and its destinations, print-shop boxes, a raster image, right-to-left viewer
preferences, glyph-outline forms, the output intent, the XMP stream and the structure tree."""
from __future__ import annotations

from collections import OrderedDict

import pytest
from reportlab.pdfbase import pdfdoc as rl
from reportlab.pdfgen.canvas import Canvas

from leafpress.lru import BytesLru
from leafpress.project import Job, Project
from leafpress.render import pdf, pdfdoc
from leafpress.render.pdf import Metadata, render_pdf

from test_library import library_project

META = Metadata("Title (with parentheses) \\ and a backslash", "Auth\u00e9r", "Subject \u2014 ok",
                "k\u00adw", "en")


def _reportlab(canvas) -> bytes:
    canvas.save()
    return canvas._filename.getvalue()


def _both(laid, monkeypatch, meta=META) -> tuple[bytes, bytes]:
    ours = render_pdf(laid, meta)
    with monkeypatch.context() as m:
        m.setattr(pdf, "document_bytes", _reportlab)
        m.setattr(pdf, "formatted", lambda obj, doc: rl.format(obj, doc, toplevel=1))    # objects made ahead
        m.setattr(pdf, "_FORMS", BytesLru(None, 0, 0))
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
    ("en", "letter-2page", None, [b"/Subtype /Link", b"/URI", b"/Outlines", b"/Dest [", b"/OutputIntents"]),
    ("ar", "trifold-letter", None, [b"/Direction /R2L", b"/CIDToGIDMap", b"/Subtype /Form"]),
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
        assert what in ours, what
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
    that must be referred to, a second page, another kind of destination."""
    import io
    c = Canvas(io.BytesIO(), invariant=1, pageCompression=1)
    c.setTitle("a\r(b)\\c \u0394")
    c.drawString(10, 10, "x")
    c.bookmarkPage("p1", fit="Fit")
    c.addOutlineEntry("first (one)", "p1", 0)
    c.showPage()
    doc = c._doc
    odd = rl.PDFDictionary(OrderedDict([("Zed", 1), ("Alpha", rl.PDFString("\u00e9t\u00e9")), ("B", True),
                                        ("N", None), ("F", -0.5), ("Big", 12345678901)]))
    doc.Reference(rl.PDFStream(rl.PDFDictionary({"K": rl.PDFArray(list(range(25)))}), b"data\r", filters=[]),
                  "LPOddStream")
    other = rl.PDFCatalog()     # referred to from inside a dictionary: registered while being written
    doc.Reference(rl.PDFDictionary({"Odd": odd, "Other": other, "Raw": "raw\tname", "Bytes": b"<00>"}), "LPOdd")
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
