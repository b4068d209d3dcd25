"""The page inspector: every rule finds the defect it is for (a case that must fail) and keeps
quiet on the same page done right; the press fails a document the inspector rejects."""
from __future__ import annotations

from pathlib import Path

import pytest

from leafpress.layout.flow import Cursor, FlowBlock, Frame, fill, whole
from leafpress.layout.inspection import QR_MIN, BadPage, inspect
from leafpress.layout.items import Box, LaidOut, Node, Page, Picture, Qr, Rule, Svg, TextLine
from leafpress.languages import load_language
from leafpress.text.fonts import FontLibrary
from leafpress.text.paragraph import Line, break_opportunities
from leafpress.text.setter import Typesetter

from conftest import ROOT, run_cli

FONTS = FontLibrary([ROOT / "assets" / "fonts"])
_TS: dict = {}
W, H = 612.0, 792.0
BODY = Node("block", 0, 0)


def ts(code: str = "en") -> Typesetter:
    if code not in _TS:
        _TS[code] = Typesetter(load_language(ROOT / "assets" / "languages" / f"{code}.yaml", ROOT), FONTS)
    return _TS[code]


_seq = iter(range(10 ** 6))


def text(s: str, x: float, y: float, *, size: float = 12.0, role: str = "P", node: Node = BODY,
         line: Line | None = None, lang: str = "en") -> TextLine:
    sp = ts(lang).shape(s)
    ln = line or sp.lines(10 ** 6)[0]
    return TextLine(x, y, size, "#000000", sp, ln, sp.width(ln.start, ln.vis_end) * size, role, node, lang,
                    next(_seq))


def page(*items) -> LaidOut:
    return LaidOut([Page(W, H, list(items))], [], 12.0, [])


def rules(laid: LaidOut, **kw) -> list[str]:
    return sorted({d.rule for d in inspect(laid, **kw)})


def test_text_crossed_by_a_rule():
    ok = text("the port in a small pocket under the skin.", 72, 400)
    assert rules(page(ok, Rule(72, 390, 540, 390, "#999999", 0.5))) == []
    assert rules(page(text("the port in a small pocket under the skin.", 72, 400),
                      Rule(72, 403, 540, 403, "#999999", 0.5))) == ["overlap"]


def test_text_over_a_picture_or_a_qr_code_or_a_box_edge():
    art = Picture(Svg(Path("x.svg")), 100, 380, 80, 80)
    assert rules(page(text("Label", 72, 400), art)) == ["overlap"]
    assert rules(page(text("Label", 72, 500), art)) == []
    qr = Picture(Qr("https://example.org"), 300, 380, 60, 60)
    assert rules(page(text("Scan to read online", 250, 400), qr)) == ["overlap"]
    box = Box(60, 390, 200, 40, fill="#eeeeee")
    assert rules(page(text("Inside the box", 72, 400), box)) == []
    assert rules(page(text("This line runs out of its coloured box", 72, 400), box)) == ["overlap"]


def test_ink_in_the_unprintable_edge():
    assert rules(page(text("Your implanted port", 72, H - 10))) == ["edge"]
    assert rules(page(text("Your implanted port", 72, H - 40))) == []
    band = Box(0, H - 80, W, 80, fill="#004080", part="band")
    assert rules(page(band)) == ["edge"]                        # a layout must say it bleeds
    assert rules(page(band), bleeds=frozenset({"band"})) == []
    short = Box(10, 300, 200, 80, fill="#004080", part="cover")  # neither bleeds nor inset
    assert rules(page(short), bleeds=frozenset({"cover"})) == ["edge"]
    assert rules(page(Rule(200, 0, 200, 14, "#999999", 0.5))) == ["edge"]   # a fold mark
    assert rules(page(text("Your implanted port", 72, H - 40)), margin=60) == ["edge"]


def test_heading_or_lead_in_ending_a_column():
    head = text("Who can a port help?", 72, 100, role="H2", node=Node("heading", 3))
    assert rules(page(head)) == ["stranded"]
    head = text("Who can a port help?", 72, 100, role="H2", node=Node("heading", 3))
    below = text("People with cancer.", 72, 80, node=Node("item", 3, 0, 0), role="LBody")
    assert rules(page(head, below)) == []
    head = text("Who can a port help?", 72, 100, role="H2", node=Node("heading", 3))
    beside = text("People with cancer.", 340, 80, node=Node("item", 3, 0, 0), role="LBody")
    assert rules(page(head, beside)) == ["stranded"]     # text in the next column does not count
    assert rules(page(text("A port is used for two reasons:", 72, 100))) == ["stranded"]


def test_a_translations_lead_in_is_its_sources_whatever_its_punctuation():
    """Armenian ends a lead-in with its full stop (։), Burmese with a dash, Amharic with its
    preface colon: the source's colon decides, for the layout (kept with the list) and for the
    inspector (stranded at a column's foot)."""
    from leafpress.content.model import lead_ins
    from leafpress.project import Job, Project
    project = Project(ROOT)
    source = project.source("port")
    keys = lead_ins(source)
    assert keys, "the port handout has lists introduced by a colon"
    for lang in ("hy", "my", "am"):
        raw = project.handout("port", lang)
        plain = {k for k in keys if not dict(raw.texts())[k].plain.rstrip().endswith((":", "："))}
        assert plain, f"{lang}: every lead-in already ends in a colon: this test would prove nothing"
        h = project.prepare(Job("port", lang, "letter-2page", "open-leaflets"))[0]
        assert h.lead_ins >= keys
        laid = project.lay_out(Job("port", lang, "large-print", "open-leaflets"))[3]
        kept = {f"sections[{n.section}].blocks[{n.block}].paragraph" for n in laid.lead_ins}
        assert kept == keys         # each kept with its list by the layout
    # the inspector: a lead-in line without a colon, at a column's foot, with its node marked
    line = text("Ein Port hilft aus zwei Gründen.", 72, 100)
    assert rules(page(line)) == []
    laid = page(text("Ein Port hilft aus zwei Gründen.", 72, 100))
    laid.lead_ins = frozenset({BODY})
    assert rules(laid) == ["stranded"]


def test_hyphenated_title_or_last_line_of_a_page():
    sp = ts().shape("Interventional")
    cut = Line(0, 6, 6, sp.width(0, 6), hyphen=True)
    title = text("Interventional", 72, 600, role="H1", node=Node("title"), line=cut)
    assert rules(page(title)) == ["hyphen"]
    body = text("Interventional", 72, 100, line=cut)
    above = text("Radiology is a medical specialty.", 72, 300)
    assert rules(page(above, body)) == ["hyphen"]         # the last line of the page
    assert rules(page(text("Interventional", 72, 300, line=cut), text("radiology.", 72, 100))) == []


def test_phone_number_or_web_address_broken_across_lines():
    s = "Call +1 (555) 010-0142 or see leaflets.example.org/port today"
    inside = s.index("010")
    sp = ts().shape(s)
    assert rules(page(text(s, 72, 300, line=Line(0, inside, inside - 1, sp.width(0, inside - 1))))) == ["broken"]
    web = s.index("example")
    assert rules(page(text(s, 72, 300, line=Line(0, web, web, sp.width(0, web))))) == ["broken"]
    whole_phone = s.index(" or")
    assert rules(page(text(s, 72, 300, line=Line(0, whole_phone + 1, whole_phone, sp.width(0, whole_phone))))) == []


def test_line_breaking_keeps_phone_numbers_and_addresses_whole():
    s = "Call us on +1 (555) 010-0142 or visit leaflets.example.org/port-care"
    for width in (15, 18, 22, 26):    # wider than the address: it never needs cutting
        lines = ts().shape(s).lines(width)
        for ln in lines[:-1]:
            assert not (s.index("+1") < ln.end < s.index(" or")), (width, s[ln.start:ln.end])
            assert not (s.index("leaflets") < ln.end < len(s)), (width, s[ln.start:ln.end])
    assert all(not (11 < p < 28) for p in break_opportunities(s, "en"))


def test_contact_details_under_11_pt():
    s = "Contact: Open Patient Leaflets · +1 (555) 010-0142 · leaflets.example.org"
    assert rules(page(text(s, 72, 300, size=8.5, node=Node("contact")))) == ["contact-size"]
    assert rules(page(text(s, 72, 300, size=11, node=Node("contact")))) == []
    assert rules(page(text("Version 1.0 · Last reviewed 2026-11-01", 72, 300, size=8.5))) == []   # a date


def test_leaders_crossing_each_other_or_a_label():
    a = Rule(100, 500, 200, 400, "#000000", 0.6, dot=1.4)
    b = Rule(100, 400, 200, 500, "#000000", 0.6, dot=1.4)
    assert rules(page(a, b)) == ["leaders"]
    c = Rule(100, 400, 200, 420, "#000000", 0.6, dot=1.4)
    assert rules(page(Rule(100, 500, 200, 480, "#000000", 0.6, dot=1.4), c)) == []
    label = text("10", 140, 445, role="Label")
    assert rules(page(Rule(100, 450, 220, 448, "#000000", 0.6, dot=1.4), label)) == ["leaders"]


def test_cjk_last_line_of_one_or_two_characters_is_a_warning():
    s = "港口是一個放在皮膚下面的小裝置。"
    sp = ts("zh-Hant").shape(s)
    n = len(s) - 2
    last = text(s, 72, 300, lang="zh-Hant", line=Line(n, len(s), len(s), sp.width(n, len(s))))
    found = inspect(page(last))
    assert [(d.rule, d.severity) for d in found] == [("cjk-orphan", "warning")]
    full = text(s, 72, 300, lang="zh-Hant", line=Line(3, len(s), len(s), sp.width(3, len(s))))
    assert inspect(page(full)) == []


def test_qr_code_under_20_mm():
    assert rules(page(Picture(Qr("https://example.org"), 300, 300, 40, 40))) == ["qr"]
    assert rules(page(Picture(Qr("https://example.org"), 300, 300, QR_MIN, QR_MIN))) == []


def _blocks(heights: list, keep: list) -> list:
    drawn = []

    def block(i, h, k):
        def draw(pages, fr, off, n, top):
            drawn.append((i, fr.page))
            return 1
        return FlowBlock("s", whole(lambda w, h=h: h), draw, 0.0, True, k)
    return [block(i, h, k) for i, (h, k) in enumerate(zip(heights, keep))], drawn


def test_keep_with_next_chains_a_heading_and_a_short_list():
    # a paragraph, then a heading and a list of three items kept together: the heading and two
    # items would fit below the paragraph, all three would not -> the heading goes over
    blocks, drawn = _blocks([100, 30, 40, 40, 40, 20], [False, True, True, True, False, False])
    got = fill([Page(W, H)], Frame(0, 72, 220, 200, 220), blocks, Cursor())
    assert got.cursor.block == 1 and drawn == [(0, 0)]
    blocks, drawn = _blocks([100, 30, 40, 40, 40, 20], [False, True, True, True, False, False])
    got = fill([Page(W, H)], Frame(0, 72, 300, 200, 300), blocks, Cursor())
    assert got.cursor.block == 6            # with room, everything goes in
    # a heading at the top of a short frame (under a summary) waits for a whole column
    blocks, drawn = _blocks([30, 200], [True, False])
    got = fill([Page(W, H)], Frame(0, 72, 100, 200, 100, whole=False), blocks, Cursor())
    assert got.cursor.block == 0 and drawn == []
    got = fill([Page(W, H)], Frame(0, 72, 100, 200, 100, whole=True), blocks, Cursor())
    assert got.cursor.block >= 1            # nothing gained by waiting: it goes in


def _list_chain(items: int, item_h: float = 40, para: float = 100) -> tuple:
    """A paragraph, a heading (30) kept with the next, then a short list's items kept
    together (keep_group), then a paragraph (20)."""
    blocks, drawn = _blocks([para, 30] + [item_h] * items + [20], [False, True] + [False] * (items + 1))
    for b in blocks[2:1 + items]:
        b.keep_group = True
    return blocks, drawn


def test_a_short_list_splits_rather_than_leave_a_large_hole():
    # 400 pt frame: paragraph 100, heading 30 + five items of 40 (+ 20 after) need 250 more:
    # 300 are left, everything fits
    blocks, drawn = _list_chain(5)
    assert fill([Page(W, H)], Frame(0, 72, 700, 200, 400), blocks, Cursor()).cursor.block == 8
    # 260 pt frame: 160 left under the paragraph (62 % of the frame): waiting would leave it
    # empty, so heading + three items go here (130 + 120 > 160? no: 30 + 3 * 40 = 150) and two
    # go on in the next frame
    blocks, drawn = _list_chain(5)
    got = fill([Page(W, H)], Frame(0, 72, 700, 200, 260), blocks, Cursor())
    assert got.cursor.block == 5 and [i for i, _ in drawn] == [0, 1, 2, 3, 4]
    # never fewer than two items on either side: 90 pt left takes heading + one item only -> waits
    blocks, drawn = _list_chain(5, para=170)
    got = fill([Page(W, H)], Frame(0, 72, 700, 200, 260), blocks, Cursor())
    assert got.cursor.block == 1 and drawn == [(0, 0)]
    # a small hole (under a fifth of the frame) is left: the list stays whole in the next frame
    # (heading + two items, 110, would fit in the 120 left of 620, but 120 < 124)
    blocks, drawn = _list_chain(5, para=500)
    got = fill([Page(W, H)], Frame(0, 72, 700, 200, 620), blocks, Cursor())
    assert got.cursor.block == 1 and drawn == [(0, 0)]
    # a list of three cannot leave two on each side: it waits whatever the hole
    blocks, drawn = _list_chain(3)
    got = fill([Page(W, H)], Frame(0, 72, 700, 200, 200), blocks, Cursor())
    assert got.cursor.block == 1 and drawn == [(0, 0)]


def test_the_press_fails_a_document_the_inspector_rejects(scratch, capsys):
    """A layout whose printable margin its own header cannot respect fails every document,
    with a one-line message naming the rule, page, layout and language; no PDF is written."""
    lay = scratch / "layouts/letter-2page.yaml"
    lay.write_text(lay.read_text(encoding="utf-8").replace("print: {margin: 18,", "print: {margin: 100,"),
                   encoding="utf-8")
    from leafpress.project import Job, Project
    with pytest.raises(BadPage, match=r"page 1.*\[edge\].*letter-2page.*every allowed size"):
        Project(scratch).lay_out(Job("port", "en", "letter-2page", "open-leaflets"))
    out = scratch / "out"
    code = run_cli(scratch, "--lang", "en", "--layout", "letter-2page", "--brand", "open-leaflets", out=out)
    text_out = "".join(capsys.readouterr())
    assert code != 0 and "[edge]" in text_out and "Traceback" not in text_out
    assert not list(out.rglob("*.pdf"))


def test_cjk_paragraphs_never_end_with_one_or_two_characters():
    s = "港口是一個放在皮膚下面的小裝置，讓醫療團隊給您用藥和抽血。"
    sp = ts("zh-Hant").shape(s)
    for w in range(6, 28):
        lines = sp.lines(w)
        assert all(ln.width <= w + 1e-6 for ln in lines)
        assert "".join(s[ln.start:ln.end] for ln in lines) == s
        if len(lines) > 1:
            assert len(s[lines[-1].start:lines[-1].vis_end].strip()) >= 3, w
