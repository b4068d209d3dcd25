"""End to end through generate.py's main(): manifest, exit codes, the PDFs themselves."""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import unicodedata

import pypdf
import pytest

from leafpress.cli import main
from leafpress.content.loader import load_handout

from conftest import CLINIC_LANGS, EXPECTED_OVERFLOWS, ROOT, manifest, poppler

FIELDS = {"handout", "lang", "layout", "brand", "path", "pages", "sha256", "status", "warnings"}


LANGS = sorted(p.stem for p in (ROOT / "handouts/port").glob("*.yaml"))
LAYOUTS = sorted(p.stem for p in (ROOT / "layouts").glob("*.yaml"))
PAGES = {"a4-2page": 2, "letter-2page": 2, "trifold-a4": 2, "trifold-letter": 2}


def test_manifest_lists_every_document_ok(built):
    docs = manifest(built)["documents"]
    assert len(LANGS) == 35
    assert LAYOUTS == ["a4-2page", "bilingual-letter", "large-print", "letter-2page", "trifold-a4", "trifold-letter"]
    assert {(d["lang"], d["layout"], d["brand"]) for d in docs} == {
        (lang, lay, b) for lang in LANGS for lay in LAYOUTS for b in ("open-leaflets", "riverside-clinic")
        if not (lay == "bilingual-letter" and lang == "en")
        and (b == "open-leaflets" or lang in CLINIC_LANGS)}
    ok = {(d["lang"], d["layout"]) for d in docs if d["status"] == "ok"}
    for d in docs:
        assert FIELDS <= set(d)
        if (d["lang"], d["layout"]) in EXPECTED_OVERFLOWS:
            # It fails the way the README promises: the overflow, and layouts that do hold it.
            assert d["status"] == "failed" and "content does not fit" in d["error"], d
            holders = d["error"].rpartition("layouts that hold it: ")[2].rstrip(")").split(", ")
            assert holders and all((d["lang"], lay) in ok for lay in holders), d["error"]
            continue
        assert d["status"] == "ok"
        assert d["pages"] == PAGES.get(d["layout"], d["pages"]) and d["pages"] >= 2
        assert not [w for w in d["warnings"] if "touches it" in w], d["warnings"]
        data = (built / d["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == d["sha256"]
        assert d["path"] == f"{d['brand']}/port/port-{d['lang']}-{d['layout']}.pdf"


def test_every_font_is_embedded_and_subset(built):
    for pdf in built.rglob("*.pdf"):
        rows = poppler("pdffonts", str(pdf)).splitlines()[2:]
        assert rows, pdf
        for row in rows:
            name, *_, emb, sub, uni, _obj, _gen = row.split()
            assert (emb, sub, uni) == ("yes", "yes", "yes"), row
            assert "Helvetica" not in row


def normalise(s: str) -> str:
    """Letters, marks and digits only: line breaks, hyphenation, and the places poppler puts
    punctuation between right-to-left and left-to-right runs are not what is being checked."""
    s = unicodedata.normalize("NFKC", s)
    return "".join(ch for ch in s if unicodedata.category(ch)[0] in "LMN")


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?:。！？։؟।॥។])\s*", text)
    return [p for p in parts if len(p) > 2]


def split_across_pages(sentence: str, got: str, max_parts: int = 3) -> bool:
    """A sentence that runs on into the next column or page has other text between its parts
    (page furniture, or lines of the neighbouring column where poppler's reading-order guess
    interleaves two columns). Accept it in at most ``max_parts`` pieces, each found whole."""
    rest = normalise(sentence)
    for _ in range(max_parts):
        if rest in got:
            return True
        cut = max((c for c in range(1, len(rest)) if rest[:c] in got), default=0)
        if cut == 0:
            return False
        rest = rest[cut:]
    return False


@pytest.mark.parametrize("lang", LANGS)
def test_every_sentence_comes_back_from_pdftotext(built, lang):
    h = load_handout(ROOT / "handouts" / "port" / f"{lang}.yaml", ROOT)
    pdfs = sorted(built.glob(f"open-leaflets/port/port-{lang}-*.pdf"))
    assert pdfs
    for pdf in pdfs:
        if "bilingual" in pdf.name:     # checked column by column below
            continue
        got = normalise(poppler("pdftotext", str(pdf), "-"))
        missing = []
        for key, text in h.texts():
            if ".alt" in key:          # alt text is for screen readers, not printed
                continue
            for s in sentences(text.plain):
                if normalise(s) not in got and not split_across_pages(s, got):
                    missing.append((key, s))
        assert not missing, (pdf.name, missing[:5])


def test_pdf_metadata_outline_links_and_language(built):
    pdf = built / "riverside-clinic/port/port-es-letter-2page.pdf"
    r = pypdf.PdfReader(pdf)
    root = r.trailer["/Root"]
    assert root["/Lang"] == "es"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert r.metadata.title == "Su puerto implantado"
    assert r.metadata.author == "Riverside Community Clinic"
    assert r.metadata.subject and r.metadata.keywords
    titles = [o.title for o in r.outline]
    h = load_handout(ROOT / "handouts/port/es.yaml", ROOT)
    assert titles == [s.heading.plain for s in h.sections]
    uris = {a.get_object()["/A"]["/URI"] for p in r.pages for a in p.get("/Annots", [])}
    assert "https://riverside-clinic.example.org" in uris
    assert "https://www.theinterventionalinitiative.org" in uris
    info = poppler("pdfinfo", str(pdf))
    assert re.search(r"Pages:\s+2", info)


def test_build_twice_gives_the_same_bytes(built, tmp_path):
    code = main(["--lang", "es", "--layout", "a4-2page", "--brand", "open-leaflets", "--jobs", "1",
                 "--out", str(tmp_path)], root=ROOT)
    assert code == 0
    again = (tmp_path / "open-leaflets/port/port-es-a4-2page.pdf").read_bytes()
    assert again == (built / "open-leaflets/port/port-es-a4-2page.pdf").read_bytes()


def test_a_separate_process_gives_the_same_bytes(built, tmp_path):
    """Different process, hash seed and --jobs value: same bytes."""
    subprocess.run([sys.executable, str(ROOT / "generate.py"), "--lang", "en", "--layout", "letter-2page",
                    "--brand", "open-leaflets", "--out", str(tmp_path)], check=True, cwd=tmp_path,
                   env={"PYTHONHASHSEED": "123", "PATH": "/usr/bin:/bin",
                        "LEAFPRESS_CACHE": os.environ.get("LEAFPRESS_CACHE", "off")}, capture_output=True)
    name = "open-leaflets/port/port-en-letter-2page.pdf"
    assert (tmp_path / name).read_bytes() == (built / name).read_bytes()


# -- the command line ---------------------------------------------------------------------------
def test_unknown_lang_is_a_usage_error(capsys, tmp_path):
    assert main(["--lang", "xx", "--out", str(tmp_path)], root=ROOT) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: unknown language 'xx'. Known: " + ", ".join(
        sorted(p.stem for p in (ROOT / "handouts/port").glob("*.yaml")))]
    assert not any(tmp_path.iterdir())


def test_lang_matching_is_case_insensitive(tmp_path):
    assert main(["check", "--lang", "ZH-hant", "--layout", "a4-2page", "--brand", "open-leaflets"], root=ROOT) == 0


def test_list(capsys):
    assert main(["list"], root=ROOT) == 0
    out = capsys.readouterr().out
    assert "port: " in out and "en (source)" in out and "es (draft)" in out
    assert "layouts: a4-2page, bilingual-letter, large-print, letter-2page, trifold-a4, trifold-letter" in out
    assert "partner clinics (assets/brands/partners.yaml): valley-health, bayside-family-clinic" in out


def test_check_writes_no_pdfs(tmp_path):
    assert main(["check", "--lang", "en", "--out", str(tmp_path)], root=ROOT) == 0
    assert not any(tmp_path.iterdir())


def test_broken_translation_fails_alone(scratch, tmp_path, capsys):
    es = scratch / "handouts/port/es.yaml"
    es.write_text(es.read_text(encoding="utf-8").replace("title: ", "title: [", 1), encoding="utf-8")
    code = main(["--lang", "en", "--lang", "es", "--layout", "a4-2page", "--brand", "open-leaflets",
                 "--brand", "riverside-clinic", "--out", str(tmp_path)], root=scratch)
    assert code == 1
    docs = manifest(tmp_path)["documents"]
    assert [d["status"] for d in docs if d["lang"] == "en"] == ["ok", "ok"]
    failed = [d for d in docs if d["lang"] == "es"]
    assert [d["status"] for d in failed] == ["failed", "failed"]
    assert failed[0]["error"].startswith("handouts/port/es.yaml:")
    assert "YAML syntax error" in failed[0]["error"]
    assert not list(tmp_path.rglob("*-es-*.pdf"))
    assert not list(tmp_path.rglob("*.tmp"))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "failed: open-leaflets/port/port-es-a4-2page.pdf: handouts/port/es.yaml:" in err


def test_unknown_key_in_translation_gives_one_line(scratch, tmp_path, capsys):
    es = scratch / "handouts/port/es.yaml"
    es.write_text(es.read_text(encoding="utf-8").replace("summary:", "sumary:", 1), encoding="utf-8")
    assert main(["--lang", "es", "--layout", "a4-2page", "--brand", "open-leaflets", "--out", str(tmp_path)],
                root=scratch) == 1
    [line] = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("failed:")]
    assert re.match(r"failed: \S+: handouts/port/es\.yaml:\d+: sumary: unknown key 'sumary'\. Use one of:", line)


def test_missing_language_settings(scratch, tmp_path):
    (scratch / "assets/languages/es.yaml").unlink()
    assert main(["--lang", "es", "--layout", "a4-2page", "--brand", "open-leaflets", "--out", str(tmp_path)],
                root=scratch) == 1
    [doc] = manifest(tmp_path)["documents"]
    assert doc["error"] == ("assets/languages/es.yaml: no language settings for 'es'. "
                            "Copy assets/languages/en.yaml to this name and translate its strings")


def test_overflow_names_the_section(scratch, tmp_path):
    en = scratch / "handouts/port/en.yaml"
    text = en.read_text(encoding="utf-8")
    long = " ".join(["Ask your care team about anything that worries you."] * 60)
    text = text.replace("      - paragraph: >-\n          Read more at", f"      - paragraph: {long}\n      - paragraph: >-\n          Read more at")
    en.write_text(text, encoding="utf-8")
    # The translations no longer mirror the source, so build English alone.
    assert main(["--lang", "en", "--layout", "letter-2page", "--brand", "open-leaflets",
                 "--out", str(tmp_path)], root=scratch) == 1
    [doc] = manifest(tmp_path)["documents"]
    assert "content does not fit 2 page(s) of layout 'letter-2page' in English (en)" in doc["error"]
    assert "the overflow begins in section 'care_team'" in doc["error"]
    assert "(layouts that hold it: large-print)" in doc["error"]
    assert not list(tmp_path.rglob("*.pdf"))


def test_debug_shows_traceback_only_when_asked(scratch, tmp_path, capsys):
    (scratch / "layouts/a4-2page.yaml").write_text("name: a4-2page\npage: {size: a5}\n")
    assert main(["--lang", "en", "--layout", "a4-2page", "--brand", "open-leaflets", "--out", str(tmp_path)],
                root=scratch) == 1
    err = capsys.readouterr().err
    assert "layouts/a4-2page.yaml:2: page.size: unknown page size 'a5'" in err or "layouts/a4-2page.yaml" in err
    assert "Traceback" not in err
