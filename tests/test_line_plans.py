"""The fast paths of a first build give what the general ones give: a plain left-to-right piece's
plan made in one pass (render/pdf.py ``_plain``) is the general path's, a line template with its
glyph ids written in (``_Template.baked``) is the one composed that way, a line's glyphs sliced
from their run are the filtered ones, a piece's ink box is the union of its glyphs' ink, and a
scaled copy of a font measures ink at its own size."""
from __future__ import annotations

import pytest

from leafpress.layout import inspection
from leafpress.layout.items import TextLine
from leafpress.project import Job, Project
from leafpress.render import pdf
from leafpress.text import paragraph

from conftest import ROOT


@pytest.fixture(scope="module")
def lines():
    """The text lines of letter-2page leaflets in scripts with multi-glyph clusters, raised and
    lowered marks, kerning and right-to-left runs."""
    project = Project(ROOT)
    out = []
    for lang in ("en", "hi", "th", "vi", "ar"):
        laid = project.lay_out(Job("port", lang, "letter-2page", "open-leaflets"))[3]
        out += [i for page in laid.pages for i in page.items if isinstance(i, TextLine)]
    return out


def _general(piece):
    """The general path's groups, pairs, deferred glyphs and pen for ``piece``."""
    font = piece.font
    origins, pen = [], 0.0
    for _, ax, dx, _ in piece.glyphs:
        origins.append(pen + dx / font.scale)
        pen += ax / font.scale
    plan = pdf._Plan.__new__(pdf._Plan)
    plan.words = []
    return plan._general(piece, False, piece.clusters, pdf._scripts(piece), origins, pdf._advances(font), False), origins


def test_a_plain_piece_is_planned_as_the_general_path_plans_it(lines):
    seen = {"pieces": 0, "multi": 0, "adjusted": 0}
    for line in lines:
        for piece in line.pieces:
            if piece.rtl or pdf._cascades(piece):
                continue
            (groups, pairs, deferred, pen), origins = _general(piece)
            got = pdf._plain(piece.glyphs, piece.clusters, pdf._scripts(piece), origins,
                             pdf._advances(piece.font), piece.font)
            assert got[:4] == (groups, pairs, deferred, pen)
            if not deferred:
                plan = pdf._Plan.__new__(pdf._Plan)
                plan.groups = pdf._frozen(groups)
                assert got[4] == plan._bodies(None)
            seen["pieces"] += 1
            seen["multi"] += any(c[1] > 1 for c in piece.clusters)
            seen["adjusted"] += any(e[2] for _, subs in groups for _, entries, _, _ in subs for e in entries)
    # the cases the one pass treats apart: clusters of several glyphs, kerned glyphs
    assert seen["pieces"] > 500 and seen["multi"] > 20 and seen["adjusted"] > 20


def test_a_template_with_glyph_ids_written_in_is_the_one_composed_that_way(lines):
    """``baked()`` (made from the template whose TJ bodies are holes) is what _compose writes
    for fonts whose codes are their glyph ids: the same text, holes and glyph uses."""
    checked = 0
    pdf._SLOT_TEMPLATES.clear()         # earlier tests in this process may have drawn these paragraphs
    for line in lines[::3]:
        line.__dict__.pop("_pdf_templates", None)
        key = (line.lang == "ar", True, False)
        assert pdf._template(line, key) is None     # drawn the first time: worked out directly
        tpl = pdf._template(line, key)              # drawn again: its template
        if tpl is None:
            continue                                # (a line with words off the baseline)
        assert tpl.fast is not None
        holes: list = []
        uses: list = []
        pending: dict = {}
        hole = pdf._hole_maker(holes)

        def embedded(font):
            if font.name not in pending:
                pending[font.name] = pdf._Pending(font, hole, uses)
            return pending[font.name]
        composed = pdf._Template(pdf._compose(line, key, embedded, hole), holes, tuple(uses))
        baked = tpl.fast
        assert baked.parts == composed.parts and baked.holes == composed.holes
        assert [(f.name, p) for f, p in baked.uses] == [(f.name, p) for f, p in composed.uses]
        checked += 1
    assert checked > 50


def test_a_lines_glyphs_sliced_from_their_run_are_the_filtered_ones(lines):
    runs = {id(r): r for line in lines for r in line.paragraph.runs}.values()
    rtl = 0
    for run in runs:
        for lo in range(run.start, run.end, 3):
            for hi in (lo + 1, lo + 7, run.end):
                i, j = paragraph._span(run, lo, hi)
                assert i is not None        # HarfBuzz's clusters are monotone
                assert run.glyphs[i:j] == [g for g in run.glyphs if lo <= g[1] < hi]
        rtl += run.level % 2
    assert rtl > 10


def test_a_pieces_ink_box_is_the_union_of_its_glyphs_ink(lines):
    for line in lines:
        for piece in line.pieces:
            ink = inspection.piece_ink(piece)
            want = (min(b[0] for b in ink), max(b[1] for b in ink), min(b[2] for b in ink),
                    max(b[3] for b in ink)) if ink else None
            piece.__dict__.pop("_box", None)
            assert inspection.piece_box(piece) == want


def test_a_lines_ink_edges_from_its_pieces_boxes_are_its_glyphs_edges(lines):
    """Where a line's ink ends (the right-to-left overhang) and starts, worked out from its
    pieces' ink boxes, are the numbers glyph by glyph gives: a placed box's edge is its extreme
    glyph's (adding a place is monotonic)."""
    from leafpress.layout import setting
    overhanging = 0
    for line in lines:
        sp, ln = line.paragraph, line.line
        x, left, right, ink_right = 0.0, 0.0, ln.width, 0.0
        for piece in sp.pieces(ln):
            for x0, x1, _, _ in inspection.piece_ink(piece):
                left, right, ink_right = min(left, x + x0), max(right, x + x1), max(ink_right, x + x1)
            x += piece.width
        for k in [k for k in sp.__dict__ if k.startswith("_kept_")]:
            del sp.__dict__[k]
        assert setting.ink_span(sp, ln) == (left, right)
        assert setting.rtl_overhang(sp, ln) == max(0.0, ink_right - ln.width)
        overhanging += ink_right > ln.width
    assert overhanging         # (lines whose first letter reaches past their end are among them)


def test_a_scaled_copy_of_a_font_measures_ink_at_its_own_size():
    from leafpress.text.fonts import FontLibrary
    font = FontLibrary([ROOT / "assets" / "fonts"]).get("NotoSans-Regular")
    gid = font.hb.get_nominal_glyph(ord("H"))
    plain = inspection._glyph_inks(font)
    inspection._glyph_ink(font, plain, gid)
    bigger = font.scaled(1.25)          # a copy made after the original measured its ink
    inks = inspection._glyph_inks(bigger)
    assert inks is not plain
    assert inspection._glyph_ink(bigger, inks, gid)[1] == pytest.approx(plain[gid][1] * 1.25)
    assert inspection._glyph_inks(font)[gid] == plain[gid]


def test_forgetting_a_paragraphs_pieces_forgets_what_drawing_kept_on_its_runs(lines):
    """A clinic's lines stay shaped (rooms are sized by every clinic's), but what drawing them
    added is dropped after each document (project._forget_furniture): a worker's memory stays flat."""
    para = next(line.paragraph for line in lines if line.lang == "en")
    for line in para.lines(20):
        para.pieces(line)
    assert any("_drawn" in run.__dict__ for run in para.runs)
    para.forget_pieces()
    assert not any(k in run.__dict__ for run in para.runs for k in ("_drawn", "_keys"))


def test_a_paragraph_without_right_to_left_letters_spares_its_lines_the_search(lines, monkeypatch):
    """A left-to-right paragraph's clusters are pieces of its text, so one with no right-to-left
    letter has no line that PDFium reads right to left: found once per paragraph, the same
    answers as looking through each line's clusters."""
    from types import SimpleNamespace
    from leafpress.text.setter import Typesetter
    project = Project(ROOT)
    ts = Typesetter(project.language("ar"), project.fonts)
    ts.rtl = False              # (Arabic's fonts, a left-to-right paragraph)
    mixed = ts.shape("\u0627\u0644\u0642\u0633\u0637\u0631\u0629 port")
    [line] = mixed.lines(10_000)
    assert not mixed.rtl        # a left-to-right paragraph with a right-to-left word
    cases = [SimpleNamespace(paragraph=mixed, pieces=mixed.pieces(line))] + lines
    fast = [pdf._pdfium_rtl(item) for item in cases]
    monkeypatch.setattr(pdf, "_has_rtl_letters", lambda paragraph: True)     # every line searched
    assert fast == [pdf._pdfium_rtl(item) for item in cases]
    assert fast[0] and sum(fast) > 1 and not all(fast)


def test_a_pieces_latin_runs_and_glyph_origins_are_what_the_loops_give(lines):
    """_scripts answers pieces with one kind of letters in list operations (the passes answer the
    others), _origins adds up the advances of a font at its own size in C: the same lists as the
    loops."""
    ru = Project(ROOT).typesetter("ru").shape("\u041f\u043e\u0440\u0442 (port) \u2014 \u0434\u0430.")
    pieces = [p for line in lines for p in line.pieces] + ru.pieces(ru.lines(10_000)[0])
    seen = set()
    for piece in pieces:
        kinds = [pdf._latin_letters(c[2]) for c in piece.clusters]
        assert pdf._scripts(piece) == pdf._by_passes(kinds)
        letters = set(kinds)
        seen.add("mixed" if {True, False} <= letters else "latin" if True in letters else "other")
        origins, pen = [], 0.0
        for _, ax, dx, _ in piece.glyphs:
            origins.append(pen + dx / piece.font.scale)
            pen += ax / piece.font.scale
        assert list(map(float.hex, pdf._origins(piece.glyphs, piece.font.scale))) == list(map(float.hex, origins))
        shifted = any(g[2] for g in piece.glyphs)
        seen.add(("scaled" if piece.font.scale != 1 else "em", "shifted" if shifted else "flat"))
    # (each path of _origins: a font at its own size or scaled, glyphs shifted or not)
    assert seen >= {"mixed", "latin", "other", ("em", "flat"), ("em", "shifted"), ("scaled", "flat"),
                    ("scaled", "shifted")}


def test_no_character_before_the_first_right_to_left_one_is_right_to_left():
    """render/pdf.py's _rtl_letters skips texts whose characters all come before FIRST_RTL."""
    import unicodedata
    assert not [c for c in range(ord(pdf.FIRST_RTL)) if unicodedata.bidirectional(chr(c)) in ("R", "AL")]
    assert pdf._rtl_letters("a \u00b7 b\u05d0") and not pdf._rtl_letters("Clinic \u00b7 \u00e9t\u00e9")


def test_a_piece_of_one_glyph_per_character_is_the_general_paths_piece(lines):
    """_piece's one pass (one glyph for each character, in order, each with an advance) gives the
    piece the general path (_clustered) gives: the same glyphs, clusters, texts and width, for
    every stretch of a run on the lines of five scripts; the others (ligatures, clusters of
    several glyphs, right-to-left text) are among them and go the general way."""
    seen = {"fast": 0, "general": 0}
    done = set()
    for line in lines:
        sp, ln = line.paragraph, line.line
        for run in sp.runs:
            lo, hi = max(ln.start, run.start), min(ln.vis_end, run.end)
            i, j = paragraph._span(run, lo, hi)
            if lo >= hi or i is None or i == j or (id(run), lo, hi) in done:
                continue
            done.add((id(run), lo, hi))
            glyphs, drawn = run.glyphs[i:j], paragraph._drawn_glyphs(run)[i:j]
            got, want = sp._piece(run, glyphs, drawn, lo, hi), sp._clustered(run, glyphs, drawn, hi)
            assert (got.glyphs, got.clusters, got.width, got.rtl, got.style, got.font) == \
                (want.glyphs, want.clusters, want.width, want.rtl, want.style, want.font)
            one = not sp.rtl and not sp.controls and [g[1] for g in glyphs] == list(range(lo, hi)) \
                and all(d[1] for d in drawn)
            seen["fast" if one else "general"] += 1
    assert seen["fast"] > 200 and seen["general"] > 200


def test_a_plain_line_is_the_dataclasss_line():
    """The line breaker's plain lines (made without the frozen dataclass's __init__) are equal to,
    hash like and print like ``Line(...)``; a line's hash, kept, is the generated one."""
    made = paragraph._plain_line(3, 9, 8, 4.25)
    want = paragraph.Line(3, 9, 8, 4.25)
    assert made == want and hash(made) == hash(want) and repr(made) == repr(want)
    assert hash(want) == hash((3, 9, 8, 4.25, False, False, 0.0, "none"))
    assert {made: 1}[want] == 1
    import copy
    import pickle
    back = pickle.loads(pickle.dumps(made))
    assert back == want and "_hash" not in back.__dict__ and "_hash" not in copy.copy(made).__dict__   # (not across processes)
    from dataclasses import replace
    wider = replace(made, width=5.0)
    assert wider != made and wider == paragraph.Line(3, 9, 8, 5.0) and hash(wider) == hash(paragraph.Line(3, 9, 8, 5.0))


def test_a_kept_table_gives_its_functions_results_and_stays_bounded():
    """lru.Kept (every such table: numbers, names, a cluster's Latin letters, UTF-16 texts, codes...): each
    result is the function's, worked out again after the table empties itself at its bound."""
    from leafpress.lru import Kept
    calls: list = []

    def square(x):
        calls.append(x)
        return x * x
    table = Kept(None, square, 3)
    for x in [1, 2, 1, 3, 4, 5, 1, 2] * 3:
        assert table[x] == x * x
        assert len(table) <= 3
    assert len(calls) < 24          # (looked up while among the kept ones)
    for v in (0.0, -0.0, 0.0004, -0.0004, 0.0005, 12.3456, -7.0, 1e-9):
        assert pdf._num(v) == pdf._number(v)
    for text in ("a", "\u00e9t\u00e9", "\u0645", "1.", " ", "\u4e2d"):
        assert pdf._latin_letters(text) == pdf._latin_letters_of(text)


def test_a_qr_codes_dark_runs_draw_what_reading_its_modules_draws():
    """_qr writes each row's dark runs found once per code: the operators a walk through the
    modules writes, for codes at different places and sizes."""
    import random
    from leafpress.layout.items import Picture, Qr

    def walked(modules, p):
        n = len(modules)
        m = min(p.w, p.h) / (n + 4)
        ops = ["q 0 0 0 rg"]
        for r, row in enumerate(modules):
            y = p.y + p.h - (r + 3) * m
            c0 = None
            for col, dark in enumerate(list(row) + [False]):
                if dark and c0 is None:
                    c0 = col
                elif not dark and c0 is not None:
                    ops.append(f"{pdf._num(p.x + (c0 + 2) * m)} {pdf._num(y)} {pdf._num((col - c0) * m)} {pdf._num(m)} re")
                    c0 = None
        ops.append("f Q")
        return "\n".join(ops)
    rng = random.Random(7)
    for n in (21, 25, 33):
        modules = tuple(tuple(rng.random() < 0.5 for _ in range(n)) for _ in range(n))
        for x, y, w in ((36.0, 40.5, 72.0), (401.25, 18.0, 57.6)):
            p = Picture(Qr("https://example.org"), x, y, w, w)
            assert pdf._qr(modules, p) == walked(modules, p)


def test_a_pieces_first_texts_are_its_glyphs_first_and_recorded_as_the_loop_records_them():
    """Pairs.first is made when asked (where a document meets new glyphs): each glyph's first
    text; use_all records and answers as a pair by pair loop does."""
    from leafpress.render.pdffont import EmbeddedFont, Pairs
    from leafpress.text.fonts import FontLibrary
    font = FontLibrary([ROOT / "assets" / "fonts"]).get("NotoSans-Regular")
    pairs = [(5, "a"), (6, "b"), (5, "a"), (7, "\u2060"), (6, "c")]
    got = Pairs(pairs)
    assert "_first" not in got.__dict__
    assert got.first == {5: "a", 6: "b", 7: "\u2060"}
    for known in ({}, {5: "a"}, {5: "x"}, {5: "a", 6: "b", 7: "\u2060"}):
        fast, loop = EmbeddedFont(font, "F1"), EmbeddedFont(font, "F2")
        for emb in (fast, loop):
            emb.to_unicode.update(known)
        assert fast.use_all(Pairs(pairs)) == loop.use_all(tuple(pairs))
        assert fast.to_unicode == loop.to_unicode and fast.gids == loop.gids
