"""The written PDFs, read back with an independent reader (PDFium: character boxes and font
sizes, path objects; pypdf: link annotations): what the page inspector promises holds on paper.
Every layout of the default brand, in a left-to-right, a right-to-left, a Southeast Asian and a
CJK language."""
from __future__ import annotations

import pypdf
import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pytest

LANGS = ("en", "ar", "th", "zh-Hant")
LAYOUTS = ("letter-2page", "a4-2page", "trifold-letter", "trifold-a4", "large-print", "bilingual-letter")
EDGE = 18.0                     # pt: the printable area starts here
QR_MIN = 20 * 72 / 25.4
PHONE = "+1 (555) 010-0142"


def read(path):
    """Per page: (width, height, chars [(char, l, b, r, t, size)], rules [(l, b, r, t)])."""
    pdf = pdfium.PdfDocument(str(path))
    pages = []
    for page in pdf:
        w, h = page.get_size()
        tp = page.get_textpage()
        chars = []
        for i in range(tp.count_chars()):
            c = tp.get_text_range(i, 1)
            if not c.strip():
                continue
            l, b, r, t = tp.get_charbox(i)
            chars.append((c, l, b, r, t, raw.FPDFText_GetFontSize(tp.raw, i)))
        rules = []
        for obj in page.get_objects(max_depth=3):
            if obj.type == raw.FPDF_PAGEOBJ_PATH:
                l, b, r, t = obj.get_bounds()
                if t - b < 1.5 and r - l > 20:          # a horizontal rule
                    rules.append((l, b, r, t))
        pages.append((w, h, chars, rules, tp.get_text_range()))
    pdf.close()
    return pages


def document(built, lang, layout):
    if layout == "bilingual-letter" and lang == "en":
        pytest.skip("English pairs with the other languages")
    return built / f"open-leaflets/port/port-{lang}-{layout}.pdf"


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("lang", LANGS)
def test_written_pages(built, lang, layout):
    path = document(built, lang, layout)
    for n, (w, h, chars, rules, text) in enumerate(read(path), 1):
        for c, l, b, r, t, _ in chars:       # no text in the unprintable edge
            assert min(l, b, w - r, h - t) >= EDGE - 0.5, (path.name, n, c, (l, b, r, t))
        for rl, rb, rr, rt in rules:         # no text struck through by a rule
            y = (rb + rt) / 2
            hit = [c for c, l, b, r, t, _ in chars if l < rr and rl < r and b + 1 < y < t - 1]
            assert not hit, (path.name, n, "".join(hit)[:30])
        if PHONE in text:                    # the phone number at 11 pt or more
            i = text.index(PHONE)
            sizes = [s for c, *_, s in chars]
            flat = "".join(c for c, *_ in chars)
            j = flat.find(PHONE.replace(" ", ""))
            assert j >= 0 and min(sizes[j:j + len(PHONE.replace(" ", ""))]) >= 11 - 0.05, (path.name, n, i)
    qrs = []
    for page in pypdf.PdfReader(path).pages:
        for a in page.get("/Annots", []):
            a = a.get_object()
            x0, y0, x1, y1 = (float(v) for v in a["/Rect"])
            if abs((x1 - x0) - (y1 - y0)) < 0.5 and "/port/" in a["/A"].get("/URI", ""):
                qrs.append(x1 - x0)
    assert qrs and min(qrs) >= QR_MIN - 0.05, (path.name, qrs)       # every QR code 20 mm or more
