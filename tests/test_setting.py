"""How lines are set: CJK justification and punctuation compression (language data), per-script
size adjustment, balanced title lines."""
from __future__ import annotations

import pytest

from leafpress.content.model import Span
from leafpress.languages import load_language
from leafpress.layout.items import TextLine
from leafpress.layout.setting import JUSTIFIED
from leafpress.project import Job, Project
from leafpress.text.fonts import FontLibrary, letter_height
from leafpress.text.paragraph import MAX_JUSTIFY_GAP, ShapedParagraph
from leafpress.text.setter import Typesetter

from conftest import ROOT

FONTS = FontLibrary([ROOT / "assets" / "fonts"])


def lang(code: str):
    return load_language(ROOT / "assets" / "languages" / f"{code}.yaml", ROOT)


def shaped(code: str, text: str, compress: bool) -> ShapedParagraph:
    ts = Typesetter(lang(code), FONTS)
    return ShapedParagraph((Span(text),), ts.stacks, code, False, compress=compress)


def drawn_width(sp: ShapedParagraph, line) -> float:
    return sum(g[1] for p in sp.pieces(line) for g in p.glyphs)


@pytest.mark.parametrize("code", ["ja", "zh-Hant"])
def test_the_cjk_languages_say_they_justify_and_compress(code):
    assert lang(code).justify == "inter-character" and lang(code).compress_punctuation
    assert lang("en").justify == "none" and not lang("en").compress_punctuation     # the defaults


def test_adjacent_punctuation_leaves_no_double_gap():
    # "。」" and "）。": the first mark's blank half goes (Japanese puts 。 on the left of its em).
    full = shaped("ja", "病院へ行きます。」と言った（注）。", False)
    half = shaped("ja", "病院へ行きます。」と言った（注）。", True)
    n = len(full.text)
    assert full.width(0, n) - half.width(0, n) == pytest.approx(1.0, abs=1e-6)     # two pairs, half an em each
    # Not a pair: a lone 。 between characters keeps its full em inside a line.
    lone = shaped("ja", "行きます。病院", True)
    assert lone.width(4, 5) == pytest.approx(1.0, abs=1e-6)


def test_punctuation_at_line_edges_is_set_half_width():
    text = "「人工血管」は皮膚の下に入れる小さな器具です。薬を入れたり血液をとったりするのに使います。"
    for code in ("ja", "zh-Hant"):
        full, half = shaped(code, text, False), shaped(code, text, True)
        a, b = full.lines(12)[0], half.lines(12)[0]
        assert b.start == 0 and text[0] == "「"
        # The opening bracket loses its blank half at the start of the line (and the line's
        # width says so, as the drawn glyphs do).
        assert full.width(a.start, a.vis_end) - b.width >= 0.5 - 1e-6 - half.width(0, 0)
        assert drawn_width(half, b) == pytest.approx(b.width, abs=1e-6)
        first = half.pieces(b)[0].glyphs[0]
        assert first[1] == pytest.approx(0.5, abs=1e-6) and first[2] == pytest.approx(-0.5, abs=1e-6)
        ends = [ln for ln in half.lines(10) if half.text[ln.vis_end - 1] == "。"]
        assert ends, "a line ending with 。"
        for ln in ends:
            assert half.width(ln.start, ln.vis_end) - ln.width > 0.2


def test_justified_line_fills_its_width_by_positions_only():
    sp = shaped("zh-Hant", "人工血管是放在皮膚底下的一個小裝置。有了它，醫療團隊幫您打藥和抽血時，就不必每次都在手臂上扎新的針。", True)
    lines = sp.lines(15.3)
    first = sp.justify(lines[0], 15.3, "inter-character")
    assert first.fill > 0 and first.width == 15.3
    assert drawn_width(sp, first) == pytest.approx(15.3, abs=1e-6)
    # The characters drawn are exactly the line's text: the room is in the positions.
    assert "".join(c[2] for p in sp.pieces(first) for c in p.clusters) == sp.text[first.start:first.vis_end]
    last = sp.justify(lines[-1], 15.3, "inter-character")
    assert last == lines[-1]                        # the paragraph's last line stays ragged
    # A line that would need more than a reader's word gap between characters stays ragged.
    assert sp.justify(lines[0], lines[0].width + MAX_JUSTIFY_GAP * 40, "inter-character") == lines[0]
    words = shaped("en", "one two three four five six seven eight nine ten", False)
    ln = words.lines(12)[0]
    spread = words.justify(ln, 12, "inter-word")
    assert drawn_width(words, spread) == pytest.approx(12, abs=1e-6)


@pytest.mark.parametrize("code,layout", [("zh-Hant", "letter-2page"), ("ja", "trifold-letter")])
def test_justified_lines_end_at_the_column_edge(code, layout):
    laid = Project(ROOT).lay_out(Job("port", code, layout, "open-leaflets"))[3]
    justified = ragged = 0
    for page in laid.pages:
        body = [it for it in page.items if isinstance(it, TextLine) and it.role in ("P", "LBody")
                and it.node.kind in JUSTIFIED and it.lang == code]
        for it in body:
            drawn = sum(p.width for p in it.pieces) * it.size
            assert drawn == pytest.approx(it.width, abs=0.1)
            text = it.paragraph.text
            if not text[it.line.end:].strip():
                assert not it.line.fill         # a paragraph's last line stays ragged
                continue
            # The column's edge: the furthest right a line of the paragraph in that column reaches.
            edge = max(o.x + o.width for o in body if o.paragraph is it.paragraph and abs(o.x - it.x) < 1)
            short = edge - (it.x + it.width)
            if it.line.fill:
                justified += 1
                assert abs(short) < 0.1, (text[it.line.start:it.line.end], edge)
            elif short > 0.1:
                # Ragged only where spreading would open a reader's word gap between characters.
                ragged += 1
                gaps = it.paragraph._gaps(it.line, "inter-character")
                assert not gaps or short / it.size / len(gaps) > MAX_JUSTIFY_GAP, text[it.line.start:it.line.end]
    assert justified >= 15 and justified > 3 * ragged


def greedy_and_balanced(code: str, text: str, width: float):
    sp = Typesetter(lang(code), FONTS).shape(text, bold=True)
    return sp, sp.lines(width), sp.balanced(width)


@pytest.mark.parametrize("code,text,width", [
    ("es", "Cómo le coloca el médico el puerto", 16),
    ("ar", "لماذا البورت أفضل من الكانيولا في الذراع", 13),
    ("zh-Hant", "您的植入式人工血管", 6.5),
    ("hi", "दवा और खून की जाँच के लिए पोर्ट (पोर्टाकैथ)", 14),
])
def test_title_lines_are_balanced_in_every_script(code, text, width):
    sp, greedy, even = greedy_and_balanced(code, text, width)
    assert len(greedy) == len(even) == 2
    spread = [max(ln.width for ln in ls) - min(ln.width for ln in ls) for ls in (greedy, even)]
    assert spread[1] < spread[0] / 2, [sp.text[ln.start:ln.end] for ln in even]
    assert not any(ln.hyphen or ln.forced for ln in even)
    assert "".join(sp.text[ln.start:ln.end] for ln in even) == sp.text
    assert sp.balanced(30) == sp.lines(30)          # a title that fits one line stays one line


def test_headings_and_titles_are_set_balanced_in_the_layouts():
    laid = Project(ROOT).lay_out(Job("port", "es", "trifold-letter", "open-leaflets"))[3]
    lines: dict = {}
    for page in laid.pages:
        for it in page.items:
            if isinstance(it, TextLine) and it.role in ("H1", "H2"):
                lines.setdefault(it.paragraph.text, []).append(it.paragraph.text[it.line.start:it.line.end].strip())
    assert lines["Cómo le coloca el médico el puerto"] == ["Cómo le coloca el", "médico el puerto"]
    assert lines["Su puerto implantado"] == ["Su puerto", "implantado"]


# -- per-script size --------------------------------------------------------------------------
def test_size_factor_is_measured_from_the_fonts():
    factors = {code: Typesetter(lang(code), FONTS).size_factor for code in ("ar", "fa", "hi", "th", "en", "zh-Hant")}
    assert factors["ar"] == factors["fa"] and 1.15 <= factors["ar"] <= 1.35     # Naskh looks ~20 % smaller
    assert factors["hi"] == 1.0 and factors["en"] == 1.0 and factors["zh-Hant"] == 1.0   # never drawn smaller
    ar = Typesetter(lang("ar"), FONTS)
    naskh, latin = ar.stacks["regular"][0], ar.stacks["regular"][-1]
    assert naskh.scale == factors["ar"] and latin.scale == 1.0
    # Drawn at that size, the Arabic letters stand as tall as the Latin ones beside them.
    assert letter_height(FONTS.get("NotoNaskhArabic-Regular"), "Arab") * naskh.scale == \
        pytest.approx(letter_height(latin, "Latn"), rel=0.01)
    # In em of the type size, a scaled font's glyphs are that much wider.
    sp = ShapedParagraph((Span("البورت"),), ar.stacks, "ar", True)
    plain = ShapedParagraph((Span("البورت"),), ar.plain, "ar", True)     # the press's own strings
    assert sp.width(0, len(sp.text)) == pytest.approx(plain.width(0, len(plain.text)) * naskh.scale)


def test_the_pdf_sets_the_script_font_at_its_own_size(tmp_path):
    import re

    from pypdf import PdfReader
    from leafpress.cli import main
    assert main(["build", "--lang", "ar", "--layout", "bilingual-letter", "--brand", "open-leaflets",
                 "--out", str(tmp_path)], root=ROOT) == 0
    page = PdfReader(tmp_path / "open-leaflets/port/port-ar-bilingual-letter.pdf").pages[0]
    fonts = {name.lstrip("/"): str(f.get_object()["/BaseFont"]) for name, f in page["/Resources"]["/Font"].items()}
    sizes: dict = {}
    for res, size in re.findall(r"/(LP\d+) ([\d.]+) Tf", page.get_contents().get_data().decode("latin-1")):
        sizes.setdefault(fonts[res].split("+")[-1], set()).add(float(size))
    factor = Typesetter(lang("ar"), FONTS).size_factor
    # The body: English at 12 pt, the Arabic beside it at 12 pt times the factor.
    assert 12.0 in sizes["NotoSans-Regular"]
    assert round(12.0 * factor, 3) in sizes["NotoNaskhArabic-Regular"]


def test_language_setting_keys_have_defaults_and_are_checked(tmp_path):
    from leafpress.errors import LeafletError
    en = lang("en")
    assert (en.justify, en.compress_punctuation, en.match_latin_size) == ("none", False, False)
    folder = tmp_path / "assets" / "languages"
    folder.mkdir(parents=True)
    text = (ROOT / "assets/languages/en.yaml").read_text(encoding="utf-8")
    (folder / "en.yaml").write_text(text.replace("line_height:", "justify: full\nline_height:", 1), encoding="utf-8")
    with pytest.raises(LeafletError) as err:
        load_language(folder / "en.yaml", tmp_path)
    assert "justify" in str(err.value) and "inter-character" in str(err.value)


def test_one_fitting_shapes_each_text_once_and_lays_out_as_asking_every_time(monkeypatch):
    """The attempts of one fitting (a letter-2page leaflet tries several body sizes) share what
    they shaped (Ctx.shape): the typesetter is asked once for each heading, paragraph and list
    item, and the pages are those of a fitting that asks it for every block at every size."""
    from leafpress.content.model import Bullets, Paragraph, Steps
    from leafpress.layout import setting
    from leafpress.text import setter
    project = Project(ROOT)
    handout = project.handout("port", "es")
    texts = {id(t) for sec in handout.sections for t in [sec.heading] + [
        t for b in sec.blocks for t in ([b.text] if isinstance(b, Paragraph) else
                                        b.items if isinstance(b, (Bullets, Steps)) else [])]}

    def laid_out():
        laid = project._lay_out_alone(Job("port", "es", "letter-2page", "open-leaflets"))[3]
        return [(i.x, i.y, i.size, i.paragraph.text[i.line.start:i.line.end]) if isinstance(i, TextLine)
                else repr(i) for page in laid.pages for i in page.items]

    asked: list = []
    shape = setter.Typesetter.shape

    def counted(ts, text, **kw):
        if id(text) in texts:
            asked.append((id(text), kw.get("bold", False)))
        return shape(ts, text, **kw)
    monkeypatch.setattr(setter.Typesetter, "shape", counted)
    shared = laid_out()
    assert len(asked) >= len(texts) and len(asked) == len(set(asked))    # each once, at every size

    def plain(ctx, text, *, bold=False, file=None):
        return ctx.ts.shape(text, bold=bold, file=file)
    monkeypatch.setattr(setting.Ctx, "shape", plain)
    asked.clear()
    alone = laid_out()
    assert len(asked) > len(set(asked))          # (a fitting that asks every time asks again)
    assert alone == shared
