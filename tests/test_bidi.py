"""Mixed-direction text: the bidi layer on Unicode's own test data, isolates and marks in
content, data fields the press isolates, the bidi check, CLDR formats, brand lines per
language, and what text extraction gives back."""
from __future__ import annotations

import datetime as dt
import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bidi import get_display

from leafpress.brand import load_brand, load_partners
from leafpress.cli import main
from leafpress.content.inline import InlineError, check_characters
from leafpress.errors import LeafletError
from leafpress.formatting import for_language
from leafpress.languages import load_language
from leafpress.text import bidi
from leafpress.text.fonts import FontLibrary
from leafpress.text.setter import Typesetter

from conftest import ROOT, copy_project, manifest

UNICODE = Path("/usr/share/unicode")
# Cases of BidiCharacterTest.txt the press does not pass, with the reason. None at present:
# every one of the file's cases passes.
EXCEPTIONS: dict[int, str] = {}
FONTS = FontLibrary([ROOT / "assets" / "fonts"])
LRI, RLI, FSI, PDI, LRM = "\u2066", "\u2067", "\u2068", "\u2069", "\u200e"


def lang(code: str):
    return load_language(ROOT / "assets" / "languages" / f"{code}.yaml", ROOT)


def unicode_file(name: str) -> Path:
    path = UNICODE / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: install Debian's unicode-data (make test does)")
    return path


# -- UAX #9 on Unicode's own test data -------------------------------------------------------------
def test_every_bidi_character_test_case_through_the_press_code_path():
    """Paragraph level (P2-P3), levels (X1-I2, L1) and the line reordering the press draws with
    (L2, the function ShapedParagraph uses for its pieces), for all ~91,000 cases."""
    failed, count = [], 0
    with unicode_file("BidiCharacterTest.txt").open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            count += 1
            cps, direction, par_level, want_levels, want_order = line.rstrip("\n").split(";")
            text = "".join(chr(int(c, 16)) for c in cps.split())
            base = bidi.paragraph_level(text, {"0": "ltr", "1": "rtl", "2": None}[direction])
            levels, removed = bidi.levels(text, base)
            got_levels = " ".join("x" if r else str(lv) for lv, r in zip(levels, removed))
            kept = [i for i in range(len(text)) if not removed[i]]
            got_order = " ".join(str(kept[k]) for k in bidi.reorder([levels[i] for i in kept]))
            if (str(base), got_levels, got_order) != (par_level, want_levels, want_order.strip()) \
                    and number not in EXCEPTIONS:
                failed.append(f"line {number}: {cps}: levels {got_levels} (want {want_levels}), "
                              f"order {got_order} (want {want_order})")
    assert count > 90_000
    assert not failed, f"{len(failed)} of {count} cases fail:\n" + "\n".join(failed[:20])


def test_paired_brackets_are_unicode_s():
    pairs = {}
    for line in unicode_file("BidiBrackets.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            cp, pair, kind = (p.strip() for p in line.split(";"))
            pairs[chr(int(cp, 16))] = (chr(int(pair, 16)), kind)
    assert set(bidi.OPENING) == {c for c, (_, k) in pairs.items() if k == "o"}
    assert set(bidi.CLOSING) == {c for c, (_, k) in pairs.items() if k == "c"}
    for o in bidi.OPENING:
        assert any(bidi.CLOSING[c] == bidi.OPENING[o] for c in [pairs[o][0]])


def test_agrees_with_an_independent_implementation_on_random_mixed_text():
    """python-bidi (Rust, unicode-bidi) on random Arabic/Latin/digit/bracket text, one line."""
    rng = random.Random(12)
    pieces = ["مرحبا", "فارسی", "MRI", "port", "38", "100.4", " ", " ", "(", ")", "-", "°C", "%",
              "+1", ".", "،", "١٢", "۳۴"]
    ts = Typesetter(lang("ar"), FONTS)
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))).strip() or "x"
        sp = ts.shape(text)
        [line] = sp.lines(10_000)
        # python-bidi reorders without mirroring (the glyphs are mirrored by HarfBuzz)
        assert _visual(sp, line, mirror=False) == get_display(text, base_dir="R"), text


def test_left_to_right_text_with_isolates_gets_the_levels_of_the_whole_algorithm(monkeypatch):
    """The one-pass levels of a paragraph with left-to-right isolates (a clinic's phone and
    address: bidi._ltr_isolated), left to right or (one isolate, the whole text) right to left,
    are those of rules X1-L1 run in full, on random text of Latin letters, digits, separators,
    brackets, marks, tabs, spaces and isolates, nested, unbalanced, or with a right-to-left
    letter, an Arabic digit or a line end (the full algorithm then)."""
    rng = random.Random(19)
    ltr = list("ab Z19+-(),.:/#$%[]\t") + [LRI, PDI, LRI, PDI, "\u0301", "\u00a0", "\u00b7", "\u3000", "\u202f"]
    other = ltr + [RLI, FSI, "\u05d0", "\u0661", "\u200b", "\n", "\u001f"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
             for alphabet in (ltr, other) for _ in range(10_000)]
    texts.append(f"Contact: Oak Clinic · {LRI}+1 (555) 010-1000{PDI} · {LRI}100 Main Street{PDI}")
    texts += [f"{LRI}{t}{PDI}" for t in texts[:10_000:2]] + [f"{LRI}+1 (555) 010-1000 {PDI}", f"{LRI}a\tb{PDI}"]
    cases = [(t, base) for t in texts for base in (0, 1)]
    fast = [bidi.levels(t, base) for t, base in cases]
    for base, least in ((0, 300), (1, 300)):    # the one-pass path is taken, isolates and all
        assert sum(bidi._ltr_isolated([bidi.bidi_class(c) for c in t], base) is not None and LRI in t
                   for t in texts) > least
    monkeypatch.setattr(bidi, "_ltr_isolated", lambda types, base: None)
    for (text, base), got in zip(cases, fast):
        assert got == bidi._levels(text, base, _EVERY_CLASS), (text, base)      # (every rule, in full)


# Every bidi class (as the paragraph's own): bidi._levels then runs every rule on every sequence.
_EVERY_CLASS = frozenset({bidi.bidi_class(chr(c)) for c in range(0x3000)} | {"LRI", "RLI", "FSI", "PDI"})


def test_the_shortcuts_give_the_levels_of_every_rule_run_in_full():
    """levels() on random text of Arabic, Hebrew and Latin letters, both kinds of digits,
    separators, terminators, brackets, marks, boundary neutrals, tabs, line ends and isolates
    (and embeddings, for the explicit rules) is what every rule run on every sequence gives: the
    paragraph without explicit formatting taken as one run, and the rules that act on classes
    the paragraph lacks left out, change nothing. Each caller gets lists of its own."""
    rng = random.Random(23)
    plain = list("ab Z19+-(),.:/#$%[]\t") + ["\u0645", "\u05d0", "\u0661", "\u06f1", "\u0301", "\u064e",
                                             "\u00a0", "\u00b0", "\u200b", "\u060c", "\u00ab", "\u00bb"]
    explicit = plain + [LRI, RLI, FSI, PDI, "\u202a", "\u202b", "\u202c", "\u202e", "\n"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 16)))
             for alphabet in (plain, explicit) for _ in range(4000)]
    taken = 0
    for text in texts:
        for base in (0, 1):
            got = bidi.levels(text, base)
            assert got == bidi._levels(text, base, _EVERY_CLASS), (text, base)
            taken += bidi._EXPLICIT.isdisjoint(bidi.classes(text))
    assert taken > 3000
    lv, removed = bidi.levels("\u0645\u0631 38", 1)
    lv[0], removed[0] = 9, True
    assert bidi.levels("\u0645\u0631 38", 1) == ([1, 1, 1, 2, 2], [False] * 5)


def _visual(sp, line, mirror: bool = True) -> str:
    """A line as drawn, left to right: cluster texts in visual order, brackets in right-to-left
    pieces mirrored (as the glyphs are), extraction marks left out."""
    out = []
    for p in sp.pieces(line):
        for _, _, text, _ in p.clusters:
            t = "".join(ch for ch in text if ch not in (bidi.LRM, "\u200f"))
            out.append("".join(bidi._MIRROR.get(ch, ch) for ch in t) if p.rtl and mirror else t)
    return "".join(out)


# -- isolates and marks in content -----------------------------------------------------------------
@pytest.mark.parametrize("text", [f"a {LRI}38 °C{PDI} b", f"{RLI}x{PDI}", f"{FSI}a{LRI}b{PDI}{PDI}",
                                  f"38 °C{LRM}", "\u200f", "\u061c"])
def test_isolates_and_marks_are_accepted(text):
    check_characters(text)


@pytest.mark.parametrize("text, message", [
    (f"a {LRI}38", "U+2066 at character 3 is never closed"),
    (f"a{PDI}", "U+2069 (PDI) at character 2 closes nothing"),
    (f"{PDI}{LRI}", "closes nothing"),
    ("a\u202bb", "invisible bidi control U+202B"),
    ("a\u202db", "invisible bidi control U+202D"),
    ("a\u202cb", "invisible bidi control U+202C"),
])
def test_overrides_embeddings_and_unbalanced_isolates_are_refused(text, message):
    with pytest.raises(InlineError, match=re.escape(message)):
        check_characters(text)


def test_isolated_run_keeps_its_order_and_is_never_drawn_or_extracted():
    ts = Typesetter(lang("ar"), FONTS)
    sp = ts.shape(f"اتصل على {LRI}+1 (555) 010-0142{PDI} الآن")
    [line] = sp.lines(10_000)
    assert "+1 (555) 010-0142" in _visual(sp, line)
    texts = "".join(c[2] for p in sp.pieces(line) for c in p.clusters)
    assert not any(ch in bidi.ISOLATES for ch in texts)


def test_isolated_run_stays_on_one_line_when_it_fits_and_breaks_after_a_comma_when_not():
    ts = Typesetter(lang("en"), FONTS)
    address = bidi.isolate("410 Orchard Avenue, Fresno, CA 93701", False, always=True)
    sp = ts.shape("Visit us at " + address + " today")
    a, b = sp.text.index(LRI), sp.text.index(PDI) + 1
    for width in (sp.width(a, b) + 0.1, sp.width(a, b) + 3.0):     # the address fits on a line
        lines = sp.lines(width)
        cuts = [ln.end for ln in lines[:-1]]
        inside = [c for c in cuts if sp.text.index(LRI) < c < sp.text.index(PDI)]
        assert not inside, [sp.text[ln.start:ln.end] for ln in lines]
    narrow = sp.lines(sp.width(0, sp.text.index(",")) + 1.0)      # the address alone cannot fit
    ends = [sp.text[:ln.vis_end] for ln in narrow]
    assert any(e.endswith(",") for e in ends), [sp.text[ln.start:ln.end] for ln in narrow]


def test_isolate_wraps_only_what_needs_it():
    assert bidi.isolate("+1 (555) 010-0142", True) == f"{LRI}+1 (555) 010-0142{PDI}"
    assert bidi.isolate("Open Patient Leaflets", False) == "Open Patient Leaflets"
    assert bidi.isolate("مرحبا", True) == "مرحبا"
    assert bidi.isolate("مرحبا", False) == f"{RLI}مرحبا{PDI}"
    assert bidi.isolate("+1 555", False, always=True) == f"{LRI}+1 555{PDI}"


# -- the bidi check ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text, shown", [
    ("أصبت بحمّى 38 °C (100.4 °F) أو أكثر.", "C (100.4 °F)° 38"),
    ("حرارتك 38 °C أو أكثر.", "C° 38"),
    ("اتصل على +1 (555) 010-0142 الآن", "0142-010 (555) 1+"),
    ("بحد أقصى 2 × 500 mg من الأقراص", "mg 500 × 2"),
])
def test_misread_runs_are_found(text, shown):
    assert [r[1] for r in bidi.misread_runs(text, True)] == [shown]


@pytest.mark.parametrize("text", [
    "الأشعة التداخلية (IR) المنفذ", "تناول 10 mg كل يوم", "حرارة 38° أو", "نسبة 50% من",
    "خذ 5-10 mg", "جهاز CT scan هنا", f"حرارتك {LRI}38 °C{PDI} أو", f"حرارتك {LRM}38 °C{LRM} أو",
    "الساعة 8:30 a.m. غدا", "حرارة ٣٨٫٥ درجة", "(بورت port) هنا", "نص <MRI> نص",
])
def test_runs_that_read_right_are_not_reported(text):
    assert bidi.misread_runs(text, True) == []


def test_misread_runs_on_random_text_reports_runs_that_are_there():
    rng = random.Random(9)
    pieces = ["مرحبا", "MRI", "38", " ", "(", ")", "°C", "+1", "-", ".", LRI, PDI, LRM, "۳۴", "[", "]"]
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        plain = text.translate({ord(c): None for c in bidi.CONTROLS})
        for typed, shown in bidi.misread_runs(text, True):
            # the run as typed is in the text, and shown is the same characters (brackets may be
            # mirrored), moved
            one = {ord(c): o for o, c in bidi._MIRROR.items() if o in bidi.OPENING}
            assert typed in plain and sorted(typed.translate(one)) == sorted(shown.translate(one)), \
                (text, typed, shown)


def test_misread_runs_only_in_right_to_left_text():
    assert bidi.misread_runs("You have 38 °C (100.4 °F).", False) == []


# -- the Arabic test handout: every run prints and extracts as typed, or is reported -----------------
RUNS = ["38 °C (100.4 °F)", "38 °C", "500 mg", "2 × 500 mg", "(acetaminophen)", "(IR)", "+1 (555) 010-0142",
        "911"]


@pytest.fixture(scope="module")
def fever(tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("fever") / "proj")
    shutil.copytree(ROOT / "tests" / "data" / "fever", root / "handouts" / "fever")
    out = root / "out"
    assert main(["build", "--handout", "fever", "--lang", "ar", "--layout", "letter-2page",
                 "--layout", "trifold-letter", "--brand", "open-leaflets", "--out", str(out)], root=root) == 0
    return root, out


def _extracted(pdf: Path) -> str:
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    text = text.translate({0x202A: None, 0x202B: None, 0x202C: None, 0x200E: None, 0x200F: None})
    return " ".join(text.split())


def test_arabic_handout_runs_print_in_order_or_are_reported(fever):
    from leafpress.content.loader import load_handout
    root, out = fever
    h = load_handout(root / "handouts" / "fever" / "ar.yaml", root)
    docs = [d for d in manifest(out)["documents"] if d["handout"] == "fever"]
    assert len(docs) == 2
    for doc in docs:
        text = _extracted(out / doc["path"])
        findings = [f for f in doc["findings"] if f["check"] == "bidi"]
        reported = {(f["where"].split(" ", 1)[1], m) for f in findings
                    for m in re.findall(r'^"(.*?)" will print as', f["message"])}
        checked = 0
        for key, t in h.texts():
            plain = t.plain
            for run in RUNS:
                if run not in plain.translate({0x2066: None, 0x2069: None, 0x200E: None}):
                    continue
                checked += 1
                isolated = f"{LRI}{run}{PDI}" in plain or f"{LRM}{run}{LRM}" in plain
                if any(run in typed for k, typed in reported if k == key):
                    assert not isolated, (key, run)
                    continue
                assert run in text, f"{doc['path']}: {key}: {run!r} neither extracted in order nor reported"
        assert checked >= 15
        # the plain, unmarked versions are the ones reported
        assert {k for k, _ in reported} == {"sections[0].blocks[0].bullets[0]", "sections[0].blocks[0].bullets[3]",
                                            "sections[1].blocks[0].steps[0]", "sections[2].blocks[0].paragraph"}
        assert all(f["release_blocking"] and "U+2066" in f["message"] for f in findings)


def test_release_build_fails_on_a_bidi_finding(fever, tmp_path):
    root, _ = fever
    code = main(["build", "--release", "--handout", "fever", "--lang", "ar", "--layout", "letter-2page",
                 "--brand", "open-leaflets", "--out", str(tmp_path)], root=root)
    assert code == 1
    [doc] = manifest(tmp_path)["documents"]
    assert doc["status"] == "failed" and "bidi: handouts/fever/ar.yaml sections[0].blocks[0].bullets[0]" in doc["error"]
    assert '"38 °C (100.4 °F)" will print as "C (100.4 °F)° 38"' in doc["error"]


def test_check_command_reports_the_bidi_findings(fever, capsys):
    root, _ = fever
    capsys.readouterr()
    main(["check", "--format", "json", "--handout", "fever", "--lang", "ar", "--layout", "letter-2page",
          "--brand", "open-leaflets"], root=root)
    rows = [r for r in json.loads(capsys.readouterr().out) if r["check"] == "bidi"]
    assert len(rows) == 4 and all(r["release_blocking"] and r["severity"] == "warning" for r in rows)
    phone = [r for r in rows if r["where"] == "handouts/fever/ar.yaml sections[2].blocks[0].paragraph"]
    assert phone and '"+1 (555) 010-0142" will print as "0142-010 (555) 1+"' in phone[0]["message"]
    assert '\\u2066+1 (555) 010-0142\\u2069' in phone[0]["message"]


# -- every Arabic and Farsi leaflet: phone and address come back exactly ------------------------------
@pytest.fixture(scope="module")
def rtl_built(tmp_path_factory):
    out = tmp_path_factory.mktemp("rtl")
    assert main(["build", "--jobs", "2", "--lang", "ar", "--lang", "fa", "--out", str(out)], root=ROOT) == 0
    return out


def test_phone_and_address_extract_exactly_in_every_arabic_and_farsi_leaflet(rtl_built):
    brands = {b.id: b for b in _brands()}
    docs = manifest(rtl_built)["documents"]
    layouts = {p.stem for p in (ROOT / "layouts").glob("*.yaml")}
    assert {d["layout"] for d in docs} == layouts and {d["brand"] for d in docs} == set(brands)
    for doc in docs:
        brand = brands[doc["brand"]]
        text = _extracted(rtl_built / doc["path"])
        for field in (brand.phone, brand.address, brand.website.removeprefix("https://") if brand.website else None):
            if field:
                assert field in text, f"{doc['path']}: {field!r} not extracted as written"


def _brands():
    base = load_brand(ROOT / "assets/brands/open-leaflets/brand.yaml", ROOT)
    clinic = load_brand(ROOT / "assets/brands/riverside-clinic/brand.yaml", ROOT)
    return [base, clinic, *load_partners(ROOT / "assets/brands/partners.yaml", ROOT, base).values()]


# -- CLDR formats --------------------------------------------------------------------------------------
def test_dates_numbers_and_digits_come_from_cldr():
    day = dt.date(2026, 11, 1)
    assert for_language(lang("en")).date(day) == "November 1, 2026"
    assert for_language(lang("es")).date(day) == "1 de noviembre de 2026"
    assert for_language(lang("ar")).date(day) == "1 نوفمبر 2026"        # month as a word
    fa = for_language(lang("fa"))
    assert fa.date(day) == "۱ نوامبر ۲۰۲۶" and fa.number(12) == "۱۲"      # Persian digits by default
    assert fa.version("1.0") == f"{LRI}۱.۰{PDI}"
    assert for_language(lang("ja")).date(day) == "2026年11月1日"
    assert for_language(lang("hmn")).date(day) == "November 1, 2026"     # CLDR has no Hmong


def test_arabic_indic_digits_are_a_choice_of_the_language_file(tmp_path):
    src = (ROOT / "assets/languages/ar.yaml").read_text(encoding="utf-8")
    (tmp_path / "assets/languages").mkdir(parents=True)
    path = tmp_path / "assets/languages/ar.yaml"
    path.write_text(src.replace("digits: latn ", "digits: arab "), encoding="utf-8")
    ar = load_language(path, tmp_path)
    assert for_language(ar).date(dt.date(2026, 11, 1)) == "١ نوفمبر ٢٠٢٦"
    path.write_text(src.replace("digits: latn ", "digits: thai "), encoding="utf-8")
    with pytest.raises(LeafletError, match=r"ar.yaml:\d+: digits: 'thai' is not a numbering system CLDR gives"):
        load_language(path, tmp_path)


def test_farsi_leaflet_prints_persian_digits_and_a_worded_date(rtl_built):
    text = _extracted(rtl_built / "open-leaflets/port/port-fa-letter-2page.pdf")
    assert "نوامبر ۲۰۲۶" in text and "نسخه ۱.۰" in text and "2026" not in text and "11-01" not in text


# -- brand lines per language ----------------------------------------------------------------------------
def test_the_nonprofit_translates_its_lines_into_every_language():
    base = load_brand(ROOT / "assets/brands/open-leaflets/brand.yaml", ROOT)
    codes = {p.stem for p in (ROOT / "assets/languages").glob("*.yaml")} - {"en"}
    assert set(base.translations) - {""} == codes
    for code in codes:
        assert set(base.translations[code]) == {"credit", "licence", "provided_by"}, code
        rtl = lang(code).rtl
        for line in base.translations[code].values():
            assert bidi.misread_runs(line.replace("{name}", "Valley Health Center"), rtl) == [], (code, line)


def test_a_missing_translation_prints_the_source_line_isolated():
    clinic = load_brand(ROOT / "assets/brands/riverside-clinic/brand.yaml", ROOT)
    ar = clinic.for_language("ar", True)
    assert ar.credit == f"{LRI}{clinic.credit}{PDI}" and ar.licence == f"{LRI}{clinic.licence}{PDI}"
    assert ar.phone == f"{LRI}{clinic.phone}{PDI}" and ar.website_label == f"{LRI}riverside-clinic.example.org{PDI}"
    es = clinic.for_language("es", False)
    assert es.credit == clinic.credit          # left-to-right text in a left-to-right leaflet: as it is


def test_partner_credit_uses_the_nonprofit_s_translation():
    valley = [b for b in _brands() if b.id == "valley-health"][0]
    assert valley.for_language("es", False).credit == (
        "Publicado por Open Patient Leaflets (sin fines de lucro). Entregado por Valley Health Center.")
    assert valley.for_language("en", False).credit == valley.credit
    fa = valley.for_language("fa", True)
    assert fa.credit.endswith(f"ارائه‌شده توسط {LRI}Valley Health Center{PDI}.")


def test_translated_credit_is_printed(rtl_built):
    text = _extracted(rtl_built / "open-leaflets/port/port-ar-letter-2page.pdf")
    assert "وهي منظمة غير ربحية" in text and "Free to print" not in text


def test_brand_translation_errors_name_the_place(scratch):
    path = scratch / "assets/brands/open-leaflets/brand.yaml"
    src = path.read_text(encoding="utf-8")
    path.write_text(src.replace('provided_by: "Entregado por {name}."', 'provided_by: "Entregado."'), encoding="utf-8")
    with pytest.raises(LeafletError, match=r"brand.yaml:\d+: translations.es.provided_by: must name the partner once"):
        load_brand(path, scratch)
    path.write_text(src.replace("  es:\n    credit", "  spanish:\n    credit"), encoding="utf-8")
    with pytest.raises(LeafletError, match="'spanish' is not a language code"):
        load_brand(path, scratch)


def test_rtl_manifest_is_clean_of_bidi_findings(rtl_built):
    """The shipped Arabic and Farsi content has no run a reader would misread."""
    found = [f for d in manifest(rtl_built)["documents"] for f in d["findings"] if f["check"] == "bidi"]
    assert not found, json.dumps(found[:3], ensure_ascii=False)
