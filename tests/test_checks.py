"""Checks that protect patients: each with a fixture that triggers it and one that passes it."""
from __future__ import annotations

import datetime as dt
import json

from PIL import Image

from leafpress import readability
from leafpress.checks import contrast, handout_findings
from leafpress.cli import main
from leafpress.content.loader import load_handout

from conftest import CLINIC_LANGS, ROOT, manifest

ONE = ["--layout", "a4-2page", "--brand", "open-leaflets"]


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def only_error(root, out, *args) -> str:
    """Build one document that must fail; its error."""
    assert main([*args, "--out", str(out)], root=root) == 1
    [doc] = manifest(out)["documents"]
    assert doc["status"] == "failed" and not list(out.rglob("*.pdf"))
    return doc["error"]


def check_json(root, capsys, *args) -> list[dict]:
    capsys.readouterr()
    main(["check", "--format", "json", *args], root=root)
    return json.loads(capsys.readouterr().out)


# -- reading level ------------------------------------------------------------------------------
def test_reading_level_formulas():
    easy = "You can swim. It does not hurt. You go home the same day."
    hard = ("Interventional radiologists utilise minimally invasive percutaneous methodologies, "
            "facilitating subcutaneous implantation of venous access reservoirs under fluoroscopic guidance.")
    [_, fk_easy] = readability.scores(easy, "en")          # SMOG first: the headline grade
    [smog_hard, fk_hard] = readability.scores(hard, "en")
    assert fk_easy.value < 4 < 12 < fk_hard.value and smog_hard.value > 12
    fh_easy, inflesz = readability.scores("Puede nadar. No duele. Vuelve a casa el mismo día.", "es")
    assert fh_easy.value > 90 and inflesz.value > 80
    assert readability.scores("これは日本語です。", "ja") is None          # not measured, not made up


def test_reading_level_warns_per_section_above_the_target(scratch, capsys):
    en = scratch / "handouts/port/en.yaml"
    en.write_text(en.read_text(encoding="utf-8").replace(
        "Read more at",
        "Interlocutory consultation with multidisciplinary practitioners regarding procedural "
        "considerations is unequivocally recommended. Read more at"), encoding="utf-8")
    rows = check_json(scratch, capsys, "--lang", "en", *ONE)
    hard = [r for r in rows if r["check"] == "reading-level" and r["severity"] == "warning"]
    assert any("sections (care_team)" in r["where"] and "Flesch-Kincaid" in r["message"] for r in hard)
    assert not any("sections (what)" in r["where"] for r in hard)


def test_reading_level_target_is_settable_per_handout(scratch, capsys):
    en = scratch / "handouts/port/en.yaml"
    en.write_text(en.read_text(encoding="utf-8").replace("translation:\n  status: source",
                  "checks: {target_grade: 12}\ntranslation:\n  status: source"), encoding="utf-8")
    rows = check_json(scratch, capsys, "--lang", "en", *ONE)
    assert not [r for r in rows if r["check"] == "reading-level" and r["severity"] == "warning"]


def test_other_languages_are_not_measured(capsys):
    rows = check_json(ROOT, capsys, "--lang", "th", *ONE)
    [row] = [r for r in rows if r["check"] == "reading-level"]
    assert row["severity"] == "info" and row["message"].startswith("not measured")


# -- type size and contrast -----------------------------------------------------------------------
def test_body_under_12pt_is_an_error(scratch, tmp_path):
    edit(scratch / "layouts/a4-2page.yaml", "body: {min: 12, max: 13.5", "body: {min: 10, max: 10")
    error = only_error(scratch, tmp_path, "--lang", "en", *ONE)
    assert "type-size: layouts/a4-2page.yaml: body text at 10 pt is under 12 pt" in error


def test_large_print_text_under_16pt_is_an_error(scratch, tmp_path):
    lay = scratch / "layouts/large-print.yaml"
    edit(lay, "minimum: {caption: 16, label: 16, footer: 16}", "minimum: {caption: 16, label: 12, footer: 16}")
    edit(lay, "label: 0.9}", "label: 0.6}")
    error = only_error(scratch, tmp_path, "--lang", "en", "--layout", "large-print", "--brand", "open-leaflets")
    assert "Label text at 12 pt is under 16 pt, this layout's smallest size" in error


def test_contrast_ratios():
    assert round(contrast("#FFFFFF", "#000000"), 1) == 21.0
    assert contrast("#0B4F6C", "#FFFFFF") > 4.5          # the nonprofit's band and headings


def test_low_contrast_brand_colour_is_found_on_what_is_drawn(scratch, tmp_path):
    edit(scratch / "assets/brands/open-leaflets/brand.yaml", 'primary: "#0B4F6C"', 'primary: "#7FB2C8"')
    error = only_error(scratch, tmp_path, "--lang", "en", *ONE)
    assert "contrast: assets/brands/open-leaflets/brand.yaml colours" in error
    assert "text #FFFFFF on #7FB2C8" in error      # the title on the band
    assert "text #7FB2C8 on #FFFFFF" in error      # headings on paper


def test_real_brands_pass_contrast_and_type_size(built):
    for d in manifest(built)["documents"]:
        assert not [f for f in d.get("findings", []) if f["check"] in ("contrast", "type-size")], d["path"]


# -- translations ---------------------------------------------------------------------------------
def test_changing_one_source_section_makes_every_translation_stale_there_only(scratch, capsys):
    en = scratch / "handouts/port/en.yaml"
    en.write_text(en.read_text(encoding="utf-8").replace(
        "Using it causes little pain.", "Using it causes little pain, and the skin heals in a week."),
        encoding="utf-8")
    rows = check_json(scratch, capsys, *ONE)
    stale = [r for r in rows if r["check"] == "translation" and "stale" in r["message"]]
    assert sorted(r["lang"] for r in stale) == sorted(p.stem for p in (ROOT / "handouts/port").glob("*.yaml")
                                                      if p.stem != "en")
    assert all(r["message"].endswith("in section(s) why") for r in stale)


def test_stamp_records_the_source_version(scratch, capsys):
    en = scratch / "handouts/port/en.yaml"
    en.write_text(en.read_text(encoding="utf-8").replace("It has a lower risk", "It has a much lower risk"),
                  encoding="utf-8")
    assert any("stale" in r["message"] for r in check_json(scratch, capsys, "--lang", "es", *ONE))
    assert main(["stamp", "--lang", "es"], root=scratch) == 0
    assert not any("stale" in r["message"] for r in check_json(scratch, capsys, "--lang", "es", *ONE))
    load_handout(scratch / "handouts/port/es.yaml", scratch)         # still a valid file


def test_release_refuses_draft_translations(tmp_path):
    assert main(["--release", "--lang", "en", "--lang", "es", *ONE, "--out", str(tmp_path)], root=ROOT) == 1
    docs = {d["lang"]: d for d in manifest(tmp_path)["documents"]}
    assert docs["en"]["status"] == "ok"
    assert docs["es"]["status"] == "failed"
    assert "draft translation: not yet reviewed by a medical translator (blocks a release)" in docs["es"]["error"]
    assert not list(tmp_path.rglob("port-es-*.pdf"))


def test_reviewed_translation_passes_release_and_loses_the_draft_line(scratch, tmp_path):
    es = scratch / "handouts/port/es.yaml"
    es.write_text(es.read_text(encoding="utf-8").replace(
        "  status: draft", "  status: reviewed\n  reviewer: Ana Ruiz, CoreCHI\n  reviewed_on: 2026-11-20"),
        encoding="utf-8")
    assert main(["stamp", "--handout", "port", "--lang", "es"], root=scratch) == 0   # up to date first
    assert main(["--release", "--lang", "es", *ONE, "--out", str(tmp_path)], root=scratch) == 0
    from conftest import poppler
    text = poppler("pdftotext", str(tmp_path / "open-leaflets/port/port-es-a4-2page.pdf"), "-")
    assert "Draft translation" not in text and "Borrador" not in text


def test_overdue_review_warns():
    h = load_handout(ROOT / "handouts/port/en.yaml", ROOT)
    late = handout_findings(h, h, today=dt.date(2029, 1, 1), reading=False)
    assert [f.message for f in late if f.check == "review-date"] == [
        "last reviewed 2026-11-01, 26 months ago (review every 24 months)"]
    assert not [f for f in handout_findings(h, h, today=dt.date(2027, 1, 1), reading=False)
                if f.check == "review-date"]


# -- images and links -----------------------------------------------------------------------------
def _png_logo(scratch, size):
    folder = scratch / "assets/brands/riverside-clinic"
    Image.new("RGB", size, "#7A2E1F").save(folder / "logo.png")
    brand = folder / "brand.yaml"
    brand.write_text(brand.read_text().replace("logo: logo.svg", "logo: logo.png"))


def test_low_resolution_logo_warns(scratch, capsys):
    _png_logo(scratch, (40, 40))
    rows = check_json(scratch, capsys, "--lang", "en", "--layout", "a4-2page", "--brand", "riverside-clinic")
    [row] = [r for r in rows if r["check"] == "images"]
    assert "dpi, under 300 dpi" in row["message"] and "logo.png" in row["where"]


def test_sharp_logo_passes(scratch, capsys):
    _png_logo(scratch, (400, 400))
    rows = check_json(scratch, capsys, "--lang", "en", "--layout", "a4-2page", "--brand", "riverside-clinic")
    assert not [r for r in rows if r["check"] == "images"]


def test_corrupt_logo_is_an_error_naming_the_file(scratch, tmp_path):
    _png_logo(scratch, (400, 400))
    logo = scratch / "assets/brands/riverside-clinic/logo.png"
    logo.write_bytes(logo.read_bytes()[:200])
    error = only_error(scratch, tmp_path, "--lang", "en", "--layout", "a4-2page", "--brand", "riverside-clinic")
    assert error.startswith("assets/brands/riverside-clinic/logo.png: image cannot be read")


def test_non_https_link_is_refused(scratch, tmp_path):
    edit(scratch / "assets/brands/open-leaflets/brand.yaml", "website: https://leaflets", "website: http://leaflets")
    error = only_error(scratch, tmp_path, "--lang", "en", *ONE)
    assert "contact.website: link 'http://leaflets.example.org' is not allowed" in error


def test_check_json_has_the_documented_fields(capsys):
    # (How long `check` takes is measured in bench/, not asserted here: a loaded machine is no clock.)
    sample = [a for lang in CLINIC_LANGS for a in ("--lang", lang)]     # every script family
    rows = check_json(ROOT, capsys, "--brand", "open-leaflets", *sample)
    assert rows and all({"handout", "lang", "layout", "check", "severity", "where", "message"} <= set(r) for r in rows)
