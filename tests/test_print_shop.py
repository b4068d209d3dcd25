"""The print-shop export (`build --print-shop`): page boxes, bleed, crop and fold marks, read back
from the written PDFs with pypdf (boxes) and PDFium (where every text and path object is), the
page inspector on the print-shop display list, and the validator; the office PDFs beside them
stay byte for byte what a build without the option writes."""
from __future__ import annotations

import dataclasses
import json

import page as validator
import pypdf
import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pytest

from conftest import ROOT
from leafpress.cli import main
from leafpress.layout.inspection import inspect
from leafpress.layout.items import Rule
from leafpress.layout.printshop import for_print_shop
from leafpress.project import Job, Project

BLEED = 3 * 72 / 25.4           # 3 mm
LANGS = ("en", "ar")
LAYOUTS = ("letter-2page", "trifold-letter", "large-print")


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    out = tmp_path_factory.mktemp("shop")
    args = ["build", "--print-shop", "--jobs", "2", "--brand", "open-leaflets", "--out", str(out)]
    for lang in LANGS:
        args += ["--lang", lang]
    for layout in LAYOUTS:
        args += ["--layout", layout]
    assert main(args, root=ROOT) == 0
    return out


def _box(page, name):
    return [float(v) for v in page[name]]


def test_both_kinds_in_one_out_and_in_the_manifest(shop, built):
    docs = json.loads((shop / "manifest.json").read_text(encoding="utf-8"))["documents"]
    kinds = {(d["lang"], d["layout"], d["kind"]): d for d in docs}
    assert len(docs) == len(LANGS) * len(LAYOUTS) * 2
    for lang in LANGS:
        for layout in LAYOUTS:
            office, shop_copy = kinds[(lang, layout, "office")], kinds[(lang, layout, "print-shop")]
            assert shop_copy["path"] == f"open-leaflets/port/print-shop/port-{lang}-{layout}.pdf"
            # the office copy is the one a build without --print-shop writes, byte for byte
            assert (shop / office["path"]).read_bytes() == (built / office["path"]).read_bytes()


def test_a_build_without_the_option_keeps_them_and_check_refuses_it(shop):
    args = ["build", "--jobs", "1", "--brand", "open-leaflets", "--lang", "en", "--layout", "letter-2page",
            "--out", str(shop)]
    assert main(args, root=ROOT) == 0
    docs = json.loads((shop / "manifest.json").read_text(encoding="utf-8"))["documents"]
    kept = [d for d in docs if d["kind"] == "print-shop"]
    assert len(kept) == len(LANGS) * len(LAYOUTS) and all((shop / d["path"]).is_file() for d in kept)
    assert main(["check", "--print-shop", "--lang", "en"], root=ROOT) == 2


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("lang", LANGS)
def test_boxes_bleed_and_marks(shop, lang, layout):
    path = shop / f"open-leaflets/port/print-shop/port-{lang}-{layout}.pdf"
    for page in pypdf.PdfReader(path).pages:
        media, bleed, trim = _box(page, "/MediaBox"), _box(page, "/BleedBox"), _box(page, "/TrimBox")
        assert trim[:2] == [0, 0]
        for k in range(4):      # MediaBox ⊇ BleedBox ⊇ TrimBox, the bleed 3 mm all round
            sign = -1 if k < 2 else 1
            assert sign * (bleed[k] - trim[k]) == pytest.approx(BLEED, abs=0.01)
            assert sign * (media[k] - bleed[k]) > 10        # room for the marks
    pdf = pdfium.PdfDocument(str(path))
    bled = 0
    for n, page in enumerate(pdf):
        W, H = (float(v) for v in pypdf.PdfReader(path).pages[n]["/TrimBox"][2:])
        tp = page.get_textpage()
        for i in range(tp.count_chars()):       # text: inside the trim, clear of its edge
            if tp.get_text_range(i, 1).strip():
                l, b, r, t = tp.get_charbox(i)
                assert min(l, b, W - r, H - t) >= 17.5, (path.name, n, tp.get_text_range(i, 1))
        marks = 0
        for obj in page.get_objects(max_depth=1):     # (nested objects report their form's space)
            l, b, r, t = obj.get_bounds()
            if l >= -0.01 and b >= -0.01 and r <= W + 0.01 and t <= H + 0.01:
                continue                        # inside the trim (the inspector's business)
            assert obj.type == raw.FPDF_PAGEOBJ_PATH, (path.name, n, obj.type, (l, b, r, t))
            outside = r <= 0 or l >= W or t <= 0 or b >= H
            if outside:                          # a crop or fold mark: beyond the bleed
                assert min(r - l, t - b) < 1 and (r <= -BLEED + 0.3 or l >= W + BLEED - 0.3
                                                  or t <= -BLEED + 0.3 or b >= H + BLEED - 0.3), (l, b, r, t)
                marks += 1
            else:                                # art across the trim: it reaches the bleed box
                for lo, hi, edge_lo, edge_hi in ((l, r, 0, W), (b, t, 0, H)):
                    if lo < edge_lo - 0.01:
                        assert lo == pytest.approx(edge_lo - BLEED, abs=0.3), (path.name, n, (l, b, r, t))
                    if hi > edge_hi + 0.01:
                        assert hi == pytest.approx(edge_hi + BLEED, abs=0.3), (path.name, n, (l, b, r, t))
                bled += 1
        folds = 2 * 2 if layout.startswith("trifold") else 0
        assert marks == 8 + folds, (path.name, n, marks)        # two per corner, two per fold
    pdf.close()
    if layout != "trifold-letter":      # the header band bleeds (the trifold has no bleeding art)
        assert bled, path.name


@pytest.mark.parametrize("layout", ("letter-2page", "trifold-letter"))
def test_the_inspector_passes_the_print_shop_pages_and_catches_a_stray_mark(layout):
    project = Project(ROOT)
    job = Job("port", "ar", layout, "open-leaflets")
    spec = project.layout(layout)
    laid = project.lay_out(job)[3]
    shop = for_print_shop(laid, spec)
    assert shop.pages[0].items is not laid.pages[0].items
    assert not [d for d in inspect(shop, spec.printable, spec.bleeds) if d.severity == "error"]
    # The office copy's fold marks (inside the trim) are not in the print shop's.
    assert not any(isinstance(i, Rule) and i.part == "fold" and 0 < i.y1 < i.y2 < spec.page_size[1]
                   for p in shop.pages for i in p.items)
    # A mark inside the trim, or art running off an edge the layout does not let bleed, fails.
    stray = dataclasses.replace(shop, pages=[dataclasses.replace(shop.pages[0], items=shop.pages[0].items + [
        Rule(5, 100, 5, 120, "#000000", 0.25)])])
    assert any(d.rule == "edge" for d in inspect(stray, spec.printable, spec.bleeds))
    if layout == "letter-2page":        # the band, bled, is allowed only because the layout says so
        assert any(d.rule == "edge" for d in inspect(shop, spec.printable, frozenset()))


def test_print_shop_pdfs_are_pdf_ua_and_pdf_a(shop):
    bad = {}
    for pdf in sorted((shop / "open-leaflets/port/print-shop").glob("*.pdf")):
        for profile in ("ua1", "2a"):
            report = validator.validate_pdf_bytes(pdf.read_bytes(), profile=profile)
            if report.failures:
                bad[(pdf.name, profile)] = [f"{f.rule_id}: {f.message}" for f in report.failures][:3]
    assert not bad, bad
