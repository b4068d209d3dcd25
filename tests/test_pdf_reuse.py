"""What the PDF writer reuses between documents changes no byte: line templates (a line's
operators made once, filled per document), font subsets, /W runs and streams compressed once.
Each case compares a document written with everything reused against the same document written
with nothing reused (the templates bypassed, the caches emptied) in the same process."""
from __future__ import annotations

import io
import zlib

import pytest
from reportlab.pdfgen.canvas import Canvas

from leafpress.layout.items import TextLine
from leafpress.project import Job, Project
from leafpress.render import pdf, pdfa, pdffont
from leafpress.render.pdf import Metadata, render_pdf

META = Metadata("t", "a", "s", "k", "en")
CACHES = (pdf._SLOT_TEMPLATES, pdf._QR_OPS, pdffont._SUBSETS, pdffont._WIDTHS, pdffont._CMAPS, pdfa._FLATED, pdfa._PAGES)


def _forget(laid) -> None:
    for c in CACHES:
        c.clear()
    for page in laid.pages:
        for item in page.items:
            item.__dict__.pop("_pdf_templates", None)
            if isinstance(item, TextLine):
                for piece in item.pieces:       # and the bodies a plan last wrote with a document's codes
                    plan = piece.__dict__.get("_plan")
                    for p in [plan] + list(plan.__dict__.get("_anchored", {}).values()) if plan else []:
                        p.__dict__.pop("_rendered", None)


def _uncached(laid, monkeypatch) -> bytes:
    """The document with nothing reused: every line worked out as it is drawn."""
    _forget(laid)
    with monkeypatch.context() as m:
        m.setattr(pdf, "_template", lambda item, key: None)
        m.setattr(pdffont, "_SUBSETS", pdfa.BytesLru(None, 0, 0))
        m.setattr(pdffont, "_WIDTHS", pdfa.BytesLru(None, 0, 0))
        m.setattr(pdffont, "_CMAPS", pdfa.BytesLru(None, 0, 0))
        m.setattr(pdf, "_QR_OPS", pdfa.BytesLru(None, 0, 0))
        m.setattr(pdfa, "_FLATED", pdfa.BytesLru(None, 0, 0))
        m.setattr(pdfa, "page_stream_once", lambda page: None)         # ReportLab's own page stream
        m.setattr(pdf, "page_stream_once", lambda page: None)
        return render_pdf(laid, META)


@pytest.fixture(scope="module")
def project():
    from conftest import ROOT
    return Project(ROOT)


# Arabic and Hindi draw glyphs that stand for different text in different lines (a code of its
# own: the template with open TJ bodies), Urdu cascading words (never templated), Chinese many
# glyphs, English the plain case.
@pytest.mark.parametrize("lang", ["en", "ar", "hi", "ur", "zh-Hant"])
def test_a_document_with_everything_reused_is_the_bytes_of_one_with_nothing_reused(project, lang, monkeypatch):
    layout = "large-print" if lang == "ur" else "letter-2page"
    laid = project.lay_out(Job("port", lang, layout, "open-leaflets"))[3]
    fresh = _uncached(laid, monkeypatch)
    filled = {"fast": 0, "open": 0}
    fill = pdf.GlyphWriter._fill

    def counting(self, tpl, mark):
        got = fill(self, tpl, mark)
        filled["fast" if got is not None else "open"] += 1
        return got
    monkeypatch.setattr(pdf.GlyphWriter, "_fill", counting)
    first = render_pdf(laid, META)          # the templates made
    second = render_pdf(laid, META)         # and filled: a second document from the same pages
    assert first == fresh and second == fresh
    assert filled["fast"] > 0
    if lang in ("ar", "hi"):
        assert filled["open"] > 0           # the case where a glyph needs a code of its own


def test_a_line_moved_after_its_template_was_made_is_drawn_where_it_is_now(project, monkeypatch):
    laid = project.lay_out(Job("port", "en", "letter-2page", "open-leaflets"))[3]
    before = render_pdf(laid, META)
    line = next(i for i in laid.pages[0].items if isinstance(i, TextLine) and i.node.content)
    x = line.x
    line.x = x + 7.25
    try:
        moved = render_pdf(laid, META)
        assert moved != before and moved == _uncached(laid, monkeypatch)
    finally:
        line.x = x


def test_a_glyph_that_reads_as_other_text_here_takes_its_own_code_not_the_template(project):
    """The template writes glyph ids as codes; in a document where one of its glyphs already
    stands for other text, the line's bodies are those the document's codes give."""
    laid = project.lay_out(Job("port", "en", "letter-2page", "open-leaflets"))[3]
    line = next(i for i in laid.pages[0].items if isinstance(i, TextLine) and i.node.content
                and len(i.paragraph.text[i.line.start:i.line.end]) > 10)
    def writer_with_conflict():
        w = pdf.GlyphWriter(Canvas(io.BytesIO()))
        piece = line.pieces[0]
        gid = piece.glyphs[0][0]
        w.embedded(piece.font).code(gid, "\u2603")     # the glyph already reads as a snowman here
        return w, piece.font, gid
    w, font, gid = writer_with_conflict()
    cached = w.line(line)
    w2, _, _ = writer_with_conflict()
    holes: list = []
    live = pdf._Template(pdf._compose(line, (False, False, False), w2.embedded, holes), holes, ()).fill(w2, None)
    assert cached == live
    text = next(t for g, t in w.fonts[font.name].to_unicode.items() if g == gid)
    assert text == "\u2603"
    own = [cid for (g, _), cid in w.fonts[font.name].extra.items() if g == gid]
    assert own and f"<{own[0]:04X}>" in cached      # the line's glyph drawn with a code of its own


def test_a_precompressed_stream_is_reportlabs_and_only_for_its_own_data():
    data = b"0 0 m 10 10 l f" * 40
    f = pdfa.flate_once(data)
    assert f.encode(data) == zlib.compress(data) and f.pdfname == "FlateDecode"
    assert pdfa.flate_once(data) is f
    assert f.encode(b"other") == zlib.compress(b"other")


def test_the_byte_bounded_cache_keeps_to_its_bounds():
    c = pdfa.BytesLru(None, 10, 1000)
    for k in range(50):
        c.put(k, b"x" * 300, 300)
        assert len(c) <= 10 and (c.bytes <= 1000 or len(c) == 1)
    assert c.get(49) == b"x" * 300 and c.get(0) is None
    c.put("big", b"y", 5000)                # one entry over the bound stays
    assert len(c) == 1 and c.get("big") == b"y"
