"""What the PDF writer reuses between documents changes no byte: line templates (a line's
operators made once, filled per document), font subsets, /W runs and streams compressed once.
Each case compares a document written with everything reused against the same document written
with nothing reused (the templates bypassed, the caches emptied) in the same process."""
from __future__ import annotations

import copy
import dataclasses
import io
import zlib
from types import SimpleNamespace

import pytest
from reportlab.pdfgen.canvas import Canvas

from leafpress.layout.items import TextLine
from leafpress import lru
from leafpress.lru import Lru
from leafpress.project import Job, Project
from leafpress.render import pdf, pdfa, pdfdoc, pdffont
from leafpress.render.pdf import Metadata, render_pdf

META = Metadata("t", "a", "s", "k", "en")
CACHES = (pdf._SLOT_TEMPLATES, pdf._SAME_LINES, pdf._QR_OPS, pdf._RUNS, pdf._PLANS, pdf._PATH_OPS, pdf._FORMS, pdffont._SUBSETS,
          pdffont._WIDTHS, pdffont._CMAPS, pdffont._OBJECTS, pdfa._FLATED, pdfa._PAGES, pdfa._STARTS, pdfdoc._STRINGS)


def _forget(laid) -> None:
    for c in CACHES:
        c.clear()
    for page in laid.pages:
        for item in page.items:
            item.__dict__.pop("_pdf_templates", None)
            if isinstance(item, TextLine):
                for piece in item.pieces:       # and the plans (shared by pieces of the same glyphs)
                    piece.__dict__.pop("_plan", None)


def _uncached(laid, monkeypatch) -> bytes:
    """The document with nothing reused: every line worked out as it is drawn."""
    _forget(laid)
    with monkeypatch.context() as m:
        m.setattr(pdf, "_template", lambda item, key, variant=False: None)
        m.setattr(pdf, "_runs", lambda laid, key: None)     # every item drawn on its own
        m.setattr(pdffont, "_SUBSETS", lru.BytesLru(None, 0, 0))
        m.setattr(pdffont, "_WIDTHS", lru.BytesLru(None, 0, 0))
        m.setattr(pdffont, "_CMAPS", lru.BytesLru(None, 0, 0))
        m.setattr(pdffont, "_OBJECTS", lru.BytesLru(None, 0, 0))
        m.setattr(pdf, "_QR_OPS", lru.BytesLru(None, 0, 0))
        m.setattr(pdf, "_RUNS", Lru(None, 0))
        m.setattr(pdf, "_PLANS", Lru(None, 0))
        m.setattr(pdf, "_PATH_OPS", Lru(None, 0))
        m.setattr(pdf, "_FORMS", lru.BytesLru(None, 0, 0))
        m.setattr(pdf, "Pairs", tuple)          # use_all: the loop, not the set operations
        m.setattr(pdfa, "_FLATED", lru.BytesLru(None, 0, 0))
        m.setattr(pdfa, "page_stream_once", lambda page, where=None: None)         # ReportLab's own page stream
        m.setattr(pdf, "page_stream_once", lambda page, where=None: None)
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


def test_a_clinic_drawn_after_another_shares_plans_and_paths_and_changes_no_byte(project, monkeypatch):
    """Two partner clinics' leaflets draw many pieces of the same glyphs and text (the contact
    line's label, the credit line, separators) in pieces of their own: the second clinic's
    document, drawn with the first's plans, paths and codes reused, is the one drawn afresh."""
    first = project.lay_out(Job("port", "en", "letter-2page", "valley-health"))[3]
    render_pdf(first, META)
    laid = project.lay_out(Job("port", "en", "letter-2page", "bayside-family-clinic"))[3]
    made = pdf._Plan.__init__
    plans = []

    def counting(self, piece, soft):
        plans.append(piece)
        made(self, piece, soft)
    monkeypatch.setattr(pdf._Plan, "__init__", counting)
    reused = render_pdf(laid, META)
    pieces = sum(len(i.pieces) for page in laid.pages for i in page.items if isinstance(i, TextLine))
    assert 0 < len(plans) < pieces           # some plans made here, the others shared
    monkeypatch.undo()
    assert reused == _uncached(laid, monkeypatch)


def test_use_all_in_set_operations_is_the_loop():
    """EmbeddedFont.use_all on Pairs (set operations) records and answers as on a plain tuple
    (the loop): new glyphs take their first text, a glyph seen with other text answers False."""
    from leafpress.text.fonts import FontLibrary
    from conftest import ROOT
    font = FontLibrary([ROOT / "assets" / "fonts"]).get("NotoSans-Regular")
    lines = [((5, "a"), (6, "b"), (5, "a")), ((6, "b"), (7, "c")), ((7, "x"), (8, "d")),
             ((9, "e"), (9, "f")), ((5, "a"), (6, "b")), ((10, "g"),), ()]
    loop, sets = pdffont.EmbeddedFont(font, "LP1"), pdffont.EmbeddedFont(font, "LP1")
    for pairs in lines:
        assert loop.use_all(tuple(pairs)) == sets.use_all(pdffont.Pairs(pairs))
        assert loop.to_unicode == sets.to_unicode and loop.gids == sets.gids
    assert sets.to_unicode[9] == "e" and sets.use_all(pdffont.Pairs([(9, "f")])) is False
    one, each = pdffont.EmbeddedFont(font, "LP1"), pdffont.EmbeddedFont(font, "LP1")
    for pairs in lines:         # a piece's codes in one call: code() pair by pair
        assert one.codes(pairs) == [each.code(g, t) for g, t in pairs]
        assert (one.to_unicode, one.extra, one.gids) == (each.to_unicode, each.extra, each.gids)
    assert one.extra            # (a glyph with a code of its own for its other text)


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
    live = pdf._Template(pdf._compose(line, (False, False, False), w2.embedded, pdf._hole_maker(holes)), holes,
                        ()).fill(w2, None)
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
    c = lru.BytesLru(None, 10, 1000)
    for k in range(50):
        c.put(k, b"x" * 300, 300)
        assert len(c) <= 10 and (c.bytes <= 1000 or len(c) == 1)
    assert c.get(49) == b"x" * 300 and c.get(0) is None
    c.put("big", b"y", 5000)                # one entry over the bound stays
    assert len(c) == 1 and c.get("big") == b"y"


def test_a_fonts_kept_widths_and_ink_boxes_are_what_harfbuzz_gives():
    """/W and /FontBBox are made from each glyph's advance and ink box, worked out once per
    glyph and kept with the font: the same numbers as asking HarfBuzz each time, glyphs without
    ink (a space) left out of the box."""
    from conftest import ROOT
    from leafpress.text.fonts import FontLibrary
    font = FontLibrary([ROOT / "assets" / "fonts"]).get("NotoSans-Regular")
    space = font.hb.get_nominal_glyph(32)
    gids = sorted({0, space, *range(1, font.glyph_count, 37)})

    def box(gs):
        x0 = y0 = 10 ** 9
        x1 = y1 = -10 ** 9
        for g in gs:
            e = font.hb.get_glyph_extents(g)
            if e is None or (e.width == 0 and e.height == 0):
                continue
            x0, x1 = min(x0, e.x_bearing), max(x1, e.x_bearing + e.width)
            y0, y1 = min(y0, e.y_bearing + e.height), max(y1, e.y_bearing)
        return (0, 0, 0, 0) if x0 > x1 else (x0, y0, x1, y1)
    for _ in range(2):          # worked out, then kept
        assert pdffont._bbox(font, gids) == box(gids) != (0, 0, 0, 0)
        assert pdffont._bbox(font, [space]) == (0, 0, 0, 0)
        assert [pdffont.thousandths_of(font)[g] for g in gids] == \
            [round(font.hb.get_glyph_h_advance(g) * 1000.0 / font.upem) for g in gids]


def _clinics(scratch, n: int):
    from test_stamp import with_partners
    project = Project(with_partners(scratch, n))
    return project, project.partner_ids


def _replays(monkeypatch) -> dict:
    """Counts of the runs drawn as one and of those this document could not draw so."""
    seen = {"drawn": 0, "not": 0}
    replay = pdf._Run._replay

    def counting(self, ctx):
        got = replay(self, ctx)
        seen["drawn" if got else "not"] += 1
        return got
    monkeypatch.setattr(pdf._Run, "_replay", counting)
    return seen


@pytest.mark.parametrize("lang, layout", [("en", "letter-2page"), ("ar", "trifold-letter")])
def test_a_clinics_variant_drawn_from_the_patterns_runs_is_the_bytes_of_one_drawn_item_by_item(
        scratch, lang, layout, monkeypatch):
    """The stretches of a pattern's own items between the clinic's slots, made once and drawn
    as one in each variant (pdf._Run), give the bytes that drawing each item gives, and that
    nothing reused gives."""
    project, clinics = _clinics(scratch, 5)
    seen = _replays(monkeypatch)
    built = []
    for clinic in clinics:
        laid = project.lay_out(Job("port", lang, layout, clinic))[3]
        assert laid.known is not None           # a stamped variant
        built.append((laid, render_pdf(laid, META)))
    assert seen["drawn"] > seen["not"]          # (most runs drawn as one: what a variant gains)
    for laid, data in built[-2:]:
        with monkeypatch.context() as m:
            m.setattr(pdf, "_runs", lambda laid, key: None)
            assert render_pdf(laid, META) == data
        assert _uncached(laid, monkeypatch) == data


def test_a_run_whose_glyphs_stand_for_other_text_here_is_drawn_item_by_item(scratch, monkeypatch):
    """A run is filled with the codes its fonts gave it where it was made; in a document where
    one of its glyphs already stands for other text (a clinic's line drew it so first), its
    items are drawn one by one, with the codes this document gives: the bytes of a document
    drawn without runs."""
    project, clinics = _clinics(scratch, 4)
    laids = [project.lay_out(Job("port", "en", "letter-2page", c))[3] for c in clinics]
    for laid in laids[:2]:
        render_pdf(laid, META)                  # the runs made
    laid = laids[2]
    own = laid.known.ids
    # the font the document embeds first (so its fonts keep their names), a glyph a run draws with it
    first = next(i for i in laid.pages[0].items if isinstance(i, TextLine))
    font = first.pieces[pdf._logical_order(first.pieces)[0]].font
    gid = next(p.glyphs[-1][0] for i in laid.pages[0].items if isinstance(i, TextLine) and id(i) in own
               for p in i.pieces if p.font.name == font.name)
    init = pdf.GlyphWriter.__init__

    def conflicting(self, canvas):
        init(self, canvas)
        self.embedded(font).code(gid, "\u2603")     # the glyph reads as a snowman here, first
    monkeypatch.setattr(pdf.GlyphWriter, "__init__", conflicting)
    seen = _replays(monkeypatch)
    data = render_pdf(laid, META)
    assert seen["not"] >= 1          # (the runs that draw that glyph drawn item by item)
    with monkeypatch.context() as m:
        m.setattr(pdf, "_runs", lambda laid, key: None)
        assert render_pdf(laid, META) == data
    monkeypatch.setattr(pdf.GlyphWriter, "__init__", init)
    assert render_pdf(laid, META) != data       # (the conflict shows in the bytes)


def test_lines_that_draw_the_same_share_a_template_and_lines_that_differ_do_not(project):
    """A clinic's lines of paragraphs of its own share the templates of lines that draw the same
    glyphs at the same place (pdf._drawn_as); a line at another place, or of other glyphs, or
    with its clusters in another order, does not."""
    laid = project.lay_out(Job("port", "en", "letter-2page", "open-leaflets"))[3]
    lines = [i for i in laid.pages[0].items if isinstance(i, TextLine) and len(i.pieces[0].clusters) > 3]
    a, b = lines[0], lines[1]
    key = pdf._drawn_as(a)
    assert key == pdf._drawn_as(copy.copy(a))
    for change in ({"x": a.x + 0.001}, {"y": a.y - 1}, {"size": a.size + 0.5}, {"colour": "#000001"}):
        assert pdf._drawn_as(dataclasses.replace(a, **change)) != key, change
    assert pdf._drawn_as(b) != key
    piece = a.pieces[0]
    swapped = list(piece.clusters)
    swapped[0], swapped[1] = (*swapped[0][:3], swapped[1][3]), (*swapped[1][:3], swapped[0][3])
    like = SimpleNamespace(x=a.x, y=a.y, size=a.size, colour=a.colour, line=a.line, pieces=list(a.pieces))
    assert pdf._drawn_as(like) == key
    like.pieces[0] = dataclasses.replace(piece, clusters=tuple(swapped))
    assert pdf._drawn_as(like) != key


def test_a_page_compressed_from_the_start_it_shares_with_the_last_one_is_zlibs_bytes(monkeypatch):
    """A clinic's page is compressed from the compressor that was fed the start every variant
    of that page shares (pdfa._flated_page): the bytes ``zlib.compress`` gives, for pages that
    share the start, pages that share less of it, and pages that share none."""
    monkeypatch.setattr(pdfa, "_STARTS", Lru(None, 8))
    monkeypatch.setattr(pdfa, "_PAGES", lru.BytesLru(None, 32, 8 << 20))
    body = b"".join(b"BT /LP1 9 Tf 1 0 0 1 %d %d Tm [<0041> -12 <0042>] TJ ET\n" % (i % 97, i) for i in range(900))
    starts = []
    for n, page in enumerate([body + b"Clinic A" + body, body + b"Clinic B" + body, body + b"Clinic C, longer" + body,
                              body[:9000] + b"moved" + body, b"other" + body, body + b"Clinic D" + body]):
        got = pdfa._flated_page(page, ("pattern", 0))
        assert got.packed == zlib.compress(page) and got.data == page, n
        last = pdfa._STARTS.get(("pattern", 0))
        starts.append(len(last[0]) if isinstance(last, tuple) else None)
    assert starts[0] is None and starts[1] == len(body) + len(b"Clinic ")    # found with the second page
    assert starts[2] == starts[1] and starts[3] == 9000                      # kept, then shortened
    assert starts[4] is None and starts[5] is None                            # too short a start: none kept
    assert pdfa._common_start(b"abcdef", b"abcxef") == 3 and pdfa._common_start(b"ab", b"abc") == 2


def test_a_deflate_library_whose_parts_differ_from_the_whole_turns_the_shared_start_off(monkeypatch):
    """Where the process's zlib gives other bytes fed in parts than fed whole (another deflate
    library), the first page compressed from a shared start shows it, and every page is then
    compressed whole: what is written is ``zlib.compress``'s bytes either way."""
    monkeypatch.setattr(pdfa, "_STARTS", Lru(None, 8))
    monkeypatch.setattr(pdfa, "_PAGES", lru.BytesLru(None, 32, 8 << 20))
    monkeypatch.setattr(pdfa, "_FLATED", lru.BytesLru(None, 32, 8 << 20))
    monkeypatch.setattr(pdfa, "_split_safe", None)
    whole = zlib.compress
    monkeypatch.setattr(pdfa.zlib, "compress", lambda data, *a: b"whole:" + whole(data, *a))
    body = b"".join(b"BT /LP1 9 Tf 1 0 0 1 %d %d Tm [<0041> -12 <0042>] TJ ET\n" % (i % 97, i) for i in range(900))
    for name in (b"A", b"B", b"C"):
        page = body + b"Clinic " + name + body
        got = pdfa._flated_page(page, ("pattern", 1))
        assert got.packed == b"whole:" + whole(page)
    assert pdfa._split_safe is False
