"""The text engine, per script: fallback, shaping, bidi order, line breaking, CJK rules."""
from __future__ import annotations

import random
import unicodedata

import pytest
from bidi import get_display

from leafpress.content.loader import load_handout
from leafpress.errors import LeafletError
from leafpress.languages import load_language
from leafpress.text.fonts import FontLibrary
from leafpress.text.paragraph import NO_END, NO_START, ShapedParagraph
from leafpress.text.setter import Typesetter

from conftest import ROOT

FONTS = FontLibrary([ROOT / "assets" / "fonts"])
LANGS = sorted(p.stem for p in (ROOT / "assets" / "languages").glob("*.yaml"))


def setter(code: str) -> Typesetter:
    return Typesetter(load_language(ROOT / "assets" / "languages" / f"{code}.yaml", ROOT), FONTS)


def visual_text(sp: ShapedParagraph, line) -> str:
    return "".join(text for piece in sp.pieces(line) for _, _, text, _ in piece.clusters)


def test_arabic_number_and_english_word_in_visual_order():
    text = "يحتاج 25 مريضا إلى فحص MRI اليوم"
    sp = setter("ar").shape(text)
    [line] = sp.lines(1000)
    assert visual_text(sp, line) == get_display(text, base_dir="R")
    # The first thing drawn at the left is the end of the sentence (right-to-left reading).
    words = visual_text(sp, line).split()
    assert words[0] == "اليوم"[::-1]           # the sentence's last word is drawn leftmost
    assert "MRI" in words and "25" in words    # left-to-right runs keep their own order


def test_rtl_lines_keep_logical_order_across_lines():
    ts = setter("fa")
    text = "این یک جمله فارسی است که عدد 42 و کلمه port را دارد و باید به چند خط شکسته شود."
    sp = ts.shape(text)
    lines = sp.lines(8)
    assert len(lines) > 2
    assert "".join(text[ln.start:ln.end] for ln in lines) == text
    for ln in lines:
        segment = text[ln.start:ln.vis_end]
        assert visual_text(sp, ln) == get_display(segment, base_dir="R")


@pytest.mark.parametrize("code, text, words", [
    ("th", "ภาษาไทยเป็นภาษาที่สวยงามมาก", ["ภาษา", "ไทย", "เป็น", "ภาษา", "ที่", "สวยงาม", "มาก"]),
    ("km", "ភាសាខ្មែរជាភាសាដ៏ស្រស់ស្អាត", None),
])
def test_thai_and_khmer_break_only_at_word_boundaries(code, text, words):
    sp = setter(code).shape(text)
    lines = sp.lines(3.5)
    assert len(lines) >= 2
    starts = [ln.start for ln in lines[1:]]
    if words:
        bounds, pos = set(), 0
        for w in words:
            pos += len(w)
            bounds.add(pos)
        assert set(starts) <= bounds
    for s in starts:   # never inside a syllable: no line begins with a mark or a coeng/virama
        assert unicodedata.category(text[s])[0] != "M"
        assert text[s - 1] != "\u17d2"
    assert not any(ln.forced for ln in lines)


def all_texts(code: str):
    h = load_handout(ROOT / "handouts" / "port" / f"{code}.yaml", ROOT)
    return [t for _, t in h.texts()]


@pytest.mark.parametrize("code", ["zh-Hant", "zh-Hans", "ja"])
def test_no_cjk_line_starts_with_closing_punctuation(code):
    ts = setter(code)
    checked = 0
    for t in all_texts(code):
        sp = ts.shape(t)
        for width in (6, 9, 13):
            lines = sp.lines(width)
            for ln in lines[1:]:
                assert sp.text[ln.start] not in NO_START, (sp.text[ln.start - 3:ln.start + 3], width)
                checked += 1
            for ln in lines[:-1]:
                assert sp.text[ln.vis_end - 1] not in NO_END
    assert checked > 50


def test_armenian_digits_come_from_the_fallback_font():
    sp = setter("hy").shape("Բարեւ 2026 թ.")
    fonts = {sp.text[i]: f.name for i, f in enumerate(sp.char_font)}
    assert fonts["Բ"] == "NotoSansArmenian-Regular"
    assert fonts["2"] == "NotoSans-Regular"


@pytest.mark.parametrize("code", LANGS)
def test_every_shaped_glyph_is_real(code):
    ts = setter(code)
    for t in all_texts(code):
        for bold in (False, True):
            sp = ts.shape(t, bold=bold)
            for run in sp.runs:
                assert all(g[0] != 0 for g in run.glyphs), (code, t.key, sp.text[run.start:run.end])


def test_character_no_font_covers_is_an_error():
    with pytest.raises(LeafletError) as exc:
        setter("en").shape("Take 1 tablet 💊 daily", file="handouts/x/en.yaml", key="sections[0].blocks[1]")
    msg = str(exc.value)
    assert msg.startswith("handouts/x/en.yaml: sections[0].blocks[1]: no font can draw '💊' (U+1F48A PILL) at character 15")


def test_devanagari_conjuncts_are_shaped():
    sp = setter("hi").shape("क्षत्रिय")
    glyphs = [g for r in sp.runs for g in r.glyphs]
    assert len(glyphs) < len("क्षत्रिय")          # conjuncts: fewer glyphs than characters
    [line] = sp.lines(100)
    assert visual_text(sp, line) == "क्षत्रिय"     # every cluster keeps its text for ActualText


def test_hyphenation_only_where_patterns_exist_and_a_layout_allows_it():
    text = "Interventional radiologists use extraordinarily sophisticated imaging."
    assert not any(ln.hyphen for ln in setter("en").shape(text).lines(7))      # off by default
    en = Typesetter(load_language(ROOT / "assets" / "languages" / "en.yaml", ROOT), FONTS, hyphenate=True)
    assert any(ln.hyphen for ln in en.shape(text).lines(7))
    assert not any(ln.hyphen for ln in en.shape(text, bold=True).lines(7))      # never in headings
    vi = Typesetter(load_language(ROOT / "assets" / "languages" / "vi.yaml", ROOT), FONTS, hyphenate=True)
    assert not any(ln.hyphen for ln in vi.shape("Bác sĩ X-quang can thiệp đặt buồng tiêm truyền dưới da cho quý vị.").lines(9))


def test_shaping_is_cached_across_calls():
    ts = setter("es")
    assert ts.shape("Hola mundo") is ts.shape("Hola mundo")


def test_korean_keeps_words_whole():
    ts = setter("ko")
    text = "이런 약은 심장 가까이에 있는 큰 정맥으로 들어가야 하는데, 포트가 약을 그곳까지 보내 줍니다."
    sp = ts.shape(text)
    lines = sp.lines(7)
    assert len(lines) > 2
    for ln in lines[1:]:
        assert text[ln.start - 1] == " "


def test_collision_check_finds_lines_that_touch(scratch):
    """The check the build runs on every leaflet does find touching lines when spacing is too
    tight (here Khmer at 1.1), so its silence on the real leaflets means something."""
    from leafpress.layout.engine import line_collisions
    from leafpress.project import Job, Project
    lang = scratch / "assets/languages/km.yaml"
    lang.write_text(lang.read_text(encoding="utf-8").replace("line_height: 1.5", "line_height: 1.1"), encoding="utf-8")
    lay = scratch / "layouts/letter-2page.yaml"
    lay.write_text(lay.read_text(encoding="utf-8").replace("line_height: 1.4 ", "line_height: 1.0 "), encoding="utf-8")
    _, _, _, laid, _ = Project(scratch).lay_out(Job("port", "km", "letter-2page", "open-leaflets"))
    found = line_collisions(laid)
    assert found and "touches it" in found[0]


@pytest.mark.parametrize("code, text", [
    ("my", "ဆေးအချို့သည်လက်မောင်းသွေးကြောငယ်များအတွက်ပြင်းလွန်းသည်"),
    ("lo", "ຢາບາງຊະນິດແຮງເກີນໄປສຳລັບເສັ້ນເລືອດນ້ອຍໆຢູ່ແຂນ"),
])
def test_burmese_and_lao_break_between_words_without_spaces(code, text):
    """No spaces between words: ICU's Burmese and Lao dictionaries find where a line may end."""
    sp = setter(code).shape(text)
    lines = sp.lines(7)
    assert len(lines) >= 3 and not any(ln.forced for ln in lines)
    assert "".join(text[ln.start:ln.end] for ln in lines) == text
    for ln in lines[1:]:        # never inside a syllable: no line starts with a mark
        assert unicodedata.category(text[ln.start])[0] != "M", text[ln.start - 2:ln.start + 2]


def test_ethiopic_full_stop_is_a_break_opportunity():
    """Unicode gives the Ethiopic full stop ። the line-break class of a letter, so without the
    language file's ``break_after`` a sentence run on after it could not end a line there."""
    from leafpress.text.paragraph import break_opportunities
    text = "ፖርት፡ትንሽ፡መሣሪያ፡ነው።ደኅንነቱ፡የተጠበቀ፡ነው።"
    after_stop = text.index("።") + 1
    assert after_stop not in break_opportunities(text, "am")
    assert after_stop in break_opportunities(text, "am", break_after="።")
    assert text.index("፡") + 1 in break_opportunities(text, "am")        # word space: UAX #14 BA
    sp = setter("am").shape(text)
    assert after_stop in sp.breaks


def test_french_sets_a_narrow_no_break_space_before_double_punctuation():
    fr = setter("fr").shape("Qu’est-ce qu’un port ? Oui : deux raisons ; voilà !")
    assert fr.text == "Qu’est-ce qu’un port\u202f? Oui\u202f: deux raisons\u202f; voilà\u202f!"
    for mark in "?:;!":             # the mark never starts a line
        assert fr.text.index(mark) not in fr.breaks
    assert " ?" in setter("en").shape("Why ?").text        # only where the language asks for it
    link = setter("fr").shape("Lire https://example.org/a:b à 10:30")
    assert "\u202f" not in link.text                 # inside a link or a time: left alone
    assert setter("fr").shape("Contactez-nous: Open").text == "Contactez-nous\u202f: Open"


@pytest.mark.parametrize("key, value", [("break_after", "a"), ("space_before", "? "),
                                        ("min_line_height", 4), ("space_by_ink", "yes")])
def test_bad_language_spacing_keys_are_one_line_errors(scratch, key, value):
    path = scratch / "assets/languages/pt.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f"{key}: {value!r}\n".replace("'", '"'),
                    encoding="utf-8")
    with pytest.raises(LeafletError) as exc:
        load_language(path, scratch)
    msg = str(exc.value)
    assert msg.startswith("assets/languages/pt.yaml:") and key in msg and "\n" not in msg


@pytest.mark.parametrize("key", ["min_line_height: 2.0", "space_by_ink: true"])
def test_nastaliq_needs_its_spacing_keys(scratch, key):
    """Urdu's titles, notices and footers are set at the language's min_line_height, and its
    running text moves lines apart where their ink would touch (space_by_ink): without either,
    the cascading Nastaliq lines touch, and the build's check says so."""
    from leafpress.layout.engine import line_collisions
    from leafpress.project import Job, Project
    job = Job("port", "ur", "a4-2page", "open-leaflets")
    assert line_collisions(Project(scratch).lay_out(job)[3]) == []
    lang = scratch / "assets/languages/ur.yaml"
    text = lang.read_text(encoding="utf-8")
    assert key + "\n" in text
    lang.write_text(text.replace(key + "\n", ""), encoding="utf-8")
    assert line_collisions(Project(scratch).lay_out(job)[3])


def _chosen_one_by_one(text: str, stack: list) -> list:
    """choose_fonts' rule, character by character (what its shortcuts must give)."""
    from leafpress.text.fonts import MissingGlyph, is_ignorable
    out, prev = [], None
    for i, ch in enumerate(text):
        if is_ignorable(ch):
            out.append(prev or stack[0])
            continue
        if prev is not None and (ch == " " or unicodedata.category(ch) in ("Mn", "Mc", "Me")) and prev.has(ch):
            out.append(prev)
            continue
        found = next((f for f in stack if f.has(ch)), None)
        if found is None:
            raise MissingGlyph(ch, i, stack)
        out.append(found)
        prev = found
    return out


def test_fonts_are_chosen_as_one_by_one_whatever_the_stack_has_seen():
    """choose_fonts answers a text whose characters all come from the stack's first font (or ride
    with it) at once, and works out each new character once per stack: on random text of the
    Arabic stack's letters, Latin letters, digits, marks, joiners and spaces, in any order (so
    a text meets characters the stack has and has not seen), the fonts are those chosen one by
    one, and a character no font has is refused the same way."""
    from leafpress.text import fonts
    from leafpress.text.fonts import MissingGlyph, choose_fonts
    stack = [FONTS.get("NotoNaskhArabic-Regular"), FONTS.get("NotoSans-Regular")]
    alphabet = list("\u0645\u0631\u062d\u0628\u0627 \u064e\u0651\u0660\u0661") + \
        list("abcxyz 0123.,-()") + ["\u200d", "\u200c", "\ufe0f", "\u0301", "\u00a0", "\u2066", "\u2069"]
    rng = random.Random(31)
    fonts._CHARS.clear()
    whole = 0
    for k in range(3000):
        text = "".join(rng.choice(alphabet[:14] if k % 3 == 0 else alphabet) for _ in range(rng.randint(0, 20)))
        want = _chosen_one_by_one(text, stack)
        got = choose_fonts(text, stack)
        assert [f.name for f in got] == [f.name for f in want], text
        whole += bool(text) and all(f is stack[0] for f in got)
    assert whole > 200
    for text in ("\u0645\u0631 \U0001f9ea", "\U0001f9ea"):
        with pytest.raises(MissingGlyph) as got:
            choose_fonts(text, stack)
        with pytest.raises(MissingGlyph) as want:
            _chosen_one_by_one(text, stack)
        assert str(got.value) == str(want.value)
