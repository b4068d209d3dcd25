"""Text every reader gets right: the leaflets read back with poppler (pdftotext), MuPDF (mutool),
PDFium (pypdfium2, as in Chrome and Edge) and pdf.js (as in Firefox, under Node), compared with
the content's strings (letters, marks and digits after NFKC; tools/readers/readback.py)."""
from __future__ import annotations

import sys
import unicodedata

import pytest

from conftest import EXPECTED_OVERFLOWS, ROOT

sys.path.insert(0, str(ROOT / "tools" / "readers"))
import readback  # noqa: E402

from leafpress.layout.items import TextLine  # noqa: E402
from leafpress.project import Job, Project  # noqa: E402

LANGS = sorted(p.stem for p in (ROOT / "handouts" / "port").glob("*.yaml"))
# Each language in letter-2page, or where it must not fit there (conftest) in the first layout
# that holds it; and pdf.js, the reader of the online copy's users, once more in another layout
# family (a sample: each language one of them in turn, so every family is read in several scripts).
MAIN = "letter-2page"
OTHER = ["trifold-letter", "large-print", "bilingual-letter", "a4-2page", "trifold-a4"]
TARGET = 0.98
# Every reader gets at least TARGET in every language but one (issue 15). What it took, so a
# regression is read right: pdftotext splits lines 1.5 body sizes apart into blocks and reads two
# level columns of one-line blocks as a table (the leading stays under 1.5: layout/fitting.py);
# PDFium splits a line at a raised mark drawn as text (such marks are outlines) and reverses the
# words of a left-to-right run inside a right-to-left line (each is an object of its own that
# starts at the run's right end: render/pdf.py, _Plan.anchored).
# One floor, issue 20's: PDFium reads no /ActualText and gathers lines from where glyphs are
# drawn; Nastaliq's cascade sets a word's letters at several heights, so Urdu comes apart in it
# (poppler, pdf.js and MuPDF read each word's span: 1.00).
FLOORS: dict = {("pdfium", "ur"): 0.3}


def main_layout(lang: str) -> str:
    return "a4-2page" if (lang, MAIN) in EXPECTED_OVERFLOWS else MAIN


@pytest.fixture(scope="module")
def texts(built):
    paths = [built / "open-leaflets" / "port" / f"port-{lang}-{main_layout(lang)}.pdf" for lang in LANGS]
    return dict(zip(LANGS, (readback.extract_all(paths)[p] for p in paths)))


@pytest.mark.parametrize("reader", readback.READERS)
def test_every_reader_reads_back_the_content(texts, reader):
    low = {}
    for lang in LANGS:
        strings = readback.content_strings("port", lang)
        got = readback.score(texts[lang][reader], strings)
        if got < FLOORS.get((reader, lang), TARGET):
            low[lang] = (round(got, 3), readback.missing(texts[lang][reader], strings)[:2])
    assert not low, f"{reader} reads back too little: {low}"


def test_pdfjs_reads_every_language_in_a_second_layout(built):
    def other(k: int, lang: str) -> str:      # the next family in turn that holds the language
        return next(lay for i in range(len(OTHER)) if (lang, lay := OTHER[(k + i) % len(OTHER)])
                    not in EXPECTED_OVERFLOWS)
    paths = {lang: built / "open-leaflets" / "port" / f"port-{lang}-{other(k, lang)}.pdf"
             for k, lang in enumerate(lang for lang in LANGS if lang != "en")}
    got = readback.pdfjs_many(list(paths.values()))
    low = {}
    for lang, path in paths.items():
        strings = readback.content_strings("port", lang)
        score = readback.score(got[path], strings)
        if score < TARGET:
            low[path.name] = (round(score, 3), readback.missing(got[path], strings)[:2])
    assert not low, f"pdf.js reads back too little: {low}"


def test_no_invented_characters(texts):
    """What a reader makes up for a glyph it cannot map (a guessed letter, U+FFFD) would not
    always show in the string comparison: every letter, mark and digit read back must be in the
    text the press drew (every line's text, as laid out: content, brand and locale strings)."""
    project = Project(ROOT)
    invented = {}
    for lang in LANGS:
        laid = project.lay_out(Job("port", lang, main_layout(lang), "open-leaflets"))[3]
        drawn = "".join(item.paragraph.text for page in laid.pages for item in page.items
                        if isinstance(item, TextLine))
        # a reader may give a letter in its canonical decomposition (PDFium: ۂ as ہ + U+0654)
        allowed = set(drawn) | set(unicodedata.normalize("NFKC", drawn)) | set(unicodedata.normalize("NFD", drawn))
        for reader, text in texts[lang].items():
            bad = sorted({ch for ch in text if unicodedata.category(ch)[0] in "LMN" and ch not in allowed})
            if bad or "\ufffd" in text:
                invented[(lang, reader)] = [f"U+{ord(ch):04X}" for ch in bad[:5]]
    assert not invented, invented


def test_scoring_fails_on_text_that_is_wrong():
    """The comparison itself: a reordered mark, a dropped letter or a guessed character fail;
    a paragraph that goes on overleaf does not."""
    strings = readback.content_strings("port", "hi")
    s = strings[2]
    assert readback.score(s, [s]) == 1.0
    assert readback.score(s[:10] + s[11:], [s]) == 0.0
    assert readback.score(s[:10] + "\u028f" + s[11:], [s]) == 0.0
    assert readback.score(s[:10] + s[11] + s[10] + s[12:], [s]) == 0.0
    assert readback.score(s[:40] + "\n\f" + s[40:], [s]) == 1.0
    assert readback.score(s[:40] + "\nlabel\n" + s[40:], [s]) == 0.0


# The other layout families, in a right-to-left, an Indic, a Southeast Asian and a CJK language.
OTHER_LAYOUTS = ["trifold-letter", "large-print", "bilingual-letter"]
OTHER_LANGS = ["ar", "hi", "th", "zh-Hant"]
# Measured where a reader's own analysis loses strings (a floor so a regression still fails):
# - pdftotext on the Arabic and English sheet takes the page as left to right (more
#   left-to-right letters) and then splits each Arabic line at its full stops and commas
#   (poppler's reorderText counts them with numbers), so a line's sentences come back in reverse.
OTHER_FLOORS = {("bilingual-letter", "ar", "poppler"): 0.75}   # measured 0.80


@pytest.fixture(scope="module")
def other_texts(built):
    jobs = [(layout, lang) for layout in OTHER_LAYOUTS for lang in OTHER_LANGS]
    paths = [built / "open-leaflets" / "port" / f"port-{lang}-{layout}.pdf" for layout, lang in jobs]
    got = readback.extract_all(paths)
    return {job: got[p] for job, p in zip(jobs, paths)}


@pytest.mark.parametrize("reader", readback.READERS)
def test_every_reader_reads_back_the_other_layouts(other_texts, reader):
    partner = Project(ROOT).layout("bilingual-letter").bilingual
    low = {}
    for (layout, lang), texts in other_texts.items():
        strings = readback.content_strings("port", lang)
        if layout == "bilingual-letter":
            strings += readback.content_strings("port", partner)
        got = readback.score(texts[reader], strings)
        if got < OTHER_FLOORS.get((layout, lang, reader), TARGET):
            low[(layout, lang)] = (round(got, 3), readback.missing(texts[reader], strings)[:2])
    assert not low, f"{reader} reads back too little: {low}"
