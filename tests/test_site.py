"""The static site (python generate.py site): online copies at the QR addresses, library, clinics.

One site is built for the module on top of the session's PDF build (every language and layout,
two brands); the browser checks (axe-core in the system's Chromium) read a sample of its pages.
"""
from __future__ import annotations

import dataclasses
import gzip
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ROOT, main, manifest, poppler
from leafpress.content.model import BLOCK_KINDS
from leafpress.project import Project
from leafpress.site.build import RENDERERS, SiteBuilder, build_site

BROWSER = ROOT / "tests" / "browser"


@pytest.fixture(scope="module")
def site(built, tmp_path_factory) -> Path:
    """OUT with the session's PDFs (hard links) and the site built on top."""
    out = tmp_path_factory.mktemp("site-out")
    shutil.copytree(built, out, dirs_exist_ok=True, copy_function=os.link,
                    ignore=shutil.ignore_patterns("site", "site-manifest.json", "proofs", "previews"))
    report = build_site(Project(ROOT), out)
    assert report.errors == []
    return out


def _lang_of(page: Path) -> tuple[str, str]:
    m = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', page.read_text(encoding="utf-8"))
    return m.group(1), m.group(2)


def test_every_block_kind_has_a_renderer():
    macros = (ROOT / "leafpress/site/templates/macros.html").read_text(encoding="utf-8")
    for kind in BLOCK_KINDS:
        assert kind in RENDERERS, f"block kind {kind!r} has no web rendering"
        assert f'entry.kind == "{RENDERERS[kind]}"' in macros


def test_unknown_block_kind_fails_the_page_loudly(site, tmp_path):
    @dataclasses.dataclass(frozen=True)
    class Diagramme:
        kind = "diagramme"

    project = Project(ROOT)
    h = project.handout("port", "es")
    sec = dataclasses.replace(h.sections[0], blocks=h.sections[0].blocks + (Diagramme(),))
    project._cache[("h", "port", "es")] = dataclasses.replace(h, sections=(sec,) + h.sections[1:])
    report = SiteBuilder(project, tmp_path).build()
    assert report.errors == ["site: port/es/index.html: handouts/port/es.yaml: sections[0].blocks[2]: "
                             "block kind 'diagramme' has no web rendering. Add a renderer for it in "
                             "leafpress/site/build.py (RENDERERS) and templates/macros.html"]
    assert (tmp_path / "site/port/en/index.html").is_file()         # the others are built
    assert not (tmp_path / "site/port/es/index.html").exists()
    for page in (tmp_path / "site").rglob("*.html"):                # and none links to the missing one
        assert "port/es/index.html" not in page.read_text(encoding="utf-8"), page


def test_every_qr_code_opens_a_page_in_the_leaflets_language(site, tmp_path):
    """Every PDF's QR code (its link annotation carries the same address) leads to a page of the
    site in the PDF's language; a sample is scanned with zbarimg the way a phone would."""
    base = "https://leaflets.example.org/"
    docs = [d for d in manifest(site)["documents"] if d["status"] == "ok"]
    assert len(docs) > 150
    for d in docs:
        data = (site / d["path"]).read_bytes()
        uris = {u.decode() for u in re.findall(rb"/URI \((https://[^)]*)\)", data)}
        qr = f"{base}{d['handout']}/{d['lang']}"
        assert qr in uris, d["path"]
        page = site / "site" / d["handout"] / d["lang"] / "index.html"
        assert page.is_file(), qr
        assert _lang_of(page)[0] == d["lang"]
    for path, lang in (("riverside-clinic/port/port-ar-trifold-letter.pdf", "ar"),
                       ("open-leaflets/port/port-km-large-print.pdf", "km"),
                       ("open-leaflets/port/port-zh-Hant-bilingual-letter.pdf", "zh-Hant")):
        poppler("pdftoppm", "-r", "150", "-png", str(site / path), str(tmp_path / lang))
        scanned = set()
        for png in tmp_path.glob(f"{lang}*.png"):
            scanned |= set(subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True,
                                          text=True).stdout.split())
        assert scanned == {f"{base}port/{lang}"}, path
        assert _lang_of(site / "site" / "port" / lang / "index.html")[0] == lang


def test_online_url_outside_the_site_is_an_error(scratch, tmp_path):
    shutil.copy(ROOT / "assets/site.yaml", scratch / "assets/site.yaml")
    brand = scratch / "assets/brands/riverside-clinic/brand.yaml"
    brand.write_text(brand.read_text().replace("https://leaflets.example.org/{handout}/{lang}",
                                               "https://elsewhere.example.org/{handout}/{lang}"))
    report = build_site(Project(scratch), tmp_path)
    assert report.errors == [
        "assets/brands/riverside-clinic/brand.yaml: online_url: https://elsewhere.example.org/port/am is not an "
        "address inside the site (https://leaflets.example.org/, assets/site.yaml): its QR codes would lead "
        "nowhere. Make online_url and base_url agree"]
    assert (tmp_path / "site/port/ar/index.html").is_file()    # the nonprofit's pages still build
    brand.write_text(brand.read_text().replace("https://elsewhere.example.org/{handout}/{lang}",
                                               "https://leaflets.example.org/{handout}"))
    assert build_site(Project(scratch), tmp_path).errors == [
        "assets/brands/riverside-clinic/brand.yaml: online_url: https://leaflets.example.org/port is the address "
        "of two online copies (port/am and port/ar). Put {handout} and {lang} in it"]


class Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


HOSTILE = ['<script>alert(1)</script>', '<img src=x onerror="alert(2)">', '&lt;b&gt;', '{{ 7 + 7 }}',
           "{% raw %}", '"><svg onload=alert(3)>']


def test_hostile_content_prints_as_text(scratch, tmp_path):
    shutil.copy(ROOT / "assets/site.yaml", scratch / "assets/site.yaml")
    en = scratch / "handouts/port/en.yaml"
    text = en.read_text(encoding="utf-8")
    text = text.replace("title: Your implanted port", "title: 'Your port " + HOSTILE[0].replace("'", "''") + "'")
    text = text.replace("      - paragraph: >-\n          A port (also called a portacath)",
                        "      - paragraph: '" + " ".join(HOSTILE[1:]).replace("'", "''") + "'\n"
                        "      - paragraph: >-\n          A port (also called a portacath)", 1)
    en.write_text(text, encoding="utf-8")
    partners = scratch / "assets/brands/partners.yaml"
    partners.write_text(partners.read_text().replace("name: Valley Health Center",
                                                     "name: 'Valley <b>Health</b> & Co <script>x()</script>'"))
    report = build_site(Project(scratch), tmp_path)
    assert report.errors == []
    for page, wanted in (("site/port/en/index.html", HOSTILE), ("site/index.html", HOSTILE[:1]),
                         ("site/clinics/valley-health/index.html", ["Valley <b>Health</b> & Co <script>x()</script>"])):
        p = Text()
        p.feed((tmp_path / page).read_text(encoding="utf-8"))
        shown = " ".join("".join(p.text).split())
        for s in wanted:
            assert s in shown, (page, s)
        assert not [t for t, a in p.tags if t in ("script", "img", "b") or any(k.startswith("on") for k in a)]


def test_deterministic_and_incremental(site, tmp_path):
    again = build_site(Project(ROOT), site)
    assert (again.written, again.removed) == (0, 0) and again.unchanged > 100
    other = tmp_path / "other"
    shutil.copytree(site, other, copy_function=os.link, ignore=shutil.ignore_patterns("site", "site-manifest.json"))
    build_site(Project(ROOT), other)
    a = {p.relative_to(site / "site"): p.read_bytes() for p in (site / "site").rglob("*") if p.is_file()}
    b = {p.relative_to(other / "site"): p.read_bytes() for p in (other / "site").rglob("*") if p.is_file()}
    assert a.keys() == b.keys() and all(a[k] == b[k] for k in a)
    # A file the site no longer makes is removed; a file it never wrote is left alone.
    (site / "site" / "notes.txt").write_text("mine")
    state = json.loads((site / "site-manifest.json").read_text())
    state["files"]["old-page.html"] = "0" * 64
    (site / "site/old-page.html").write_text("old")
    (site / "site-manifest.json").write_text(json.dumps(state))
    assert build_site(Project(ROOT), site).removed == 1
    assert not (site / "site/old-page.html").exists() and (site / "site/notes.txt").read_text() == "mine"


def test_pages_link_what_exists_and_sitemap(site):
    root = site / "site"
    for page in root.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for href in re.findall(r'href="([^"#:]+)"', html):
            assert (page.parent / href).resolve().is_file(), (page, href)
    urls = re.findall(r"<loc>([^<]+)</loc>", (root / "sitemap.xml").read_text())
    assert "https://leaflets.example.org/port/km/" in urls and "https://leaflets.example.org/" in urls
    with __import__("zipfile").ZipFile(root / "downloads/leaflets-ar.zip") as z:
        assert sorted(z.namelist()) == sorted(f"port-ar-{lay}.pdf" for lay in
                                              ("a4-2page", "bilingual-letter", "large-print", "letter-2page",
                                               "trifold-a4", "trifold-letter"))
    ar = (root / "port/ar/index.html").read_text(encoding="utf-8")
    assert '<bdi dir="ltr">+1 (555) 010-0142</bdi>' in ar
    assert '<link rel="alternate" hreflang="km" href="https://leaflets.example.org/port/km/">' in ar
    assert '<link rel="alternate" hreflang="x-default" href="https://leaflets.example.org/port/en/">' in ar
    assert "../../pdf/open-leaflets/port/port-ar-trifold-letter.pdf" in ar
    assert '<text x=' in ar and ">وريد الرقبة<" in ar           # diagram labels as real text


def page_weight(root: Path, page: str) -> int:
    """Bytes a browser fetches for one page: HTML and CSS as a server sends them (gzip), fonts."""
    html = (root / page).read_bytes()
    fonts = re.findall(rb"url\(([^)]+\.woff2)\)", html)
    return (len(gzip.compress(html, mtime=0)) + len(gzip.compress((root / "site.css").read_bytes(), mtime=0))
            + sum((root / page).parent.joinpath(f.decode()).stat().st_size for f in fonts))


def test_online_copies_are_light(site):
    weights = {p.parent.name: page_weight(site / "site", str(p.relative_to(site / "site")))
               for p in (site / "site/port").glob("*/index.html")}
    # Chinese and Japanese pages carry ~600 distinct ideographs in two weights: about 160 KB.
    # Urdu's Nastaliq keeps its contextual forms for every letter it uses (two weights): 240 KB.
    nastaliq = weights.pop("ur", 0)
    assert nastaliq < 250_000, nastaliq
    # Traditional Chinese has as many distinct ideographs as Simplified (about 325) but their
    # forms have more strokes: its subsets weigh about a fifth more (176 KB against 147 KB).
    traditional = weights.pop("zh-Hant", 0)
    assert traditional < 185_000, traditional
    assert max(weights.values()) < 170_000, weights
    assert sum(weights.values()) / len(weights) < 110_000, weights


def test_browser_accessibility_phone_layout_and_bidi(site):
    """axe-core in headless Chromium: no violations on the index, a clinic page and the online
    copy in six languages; no horizontal scrolling at 360 px; no text under 16 px; every glyph
    drawn from the page's own font subsets; the phone number reads left to right on the Arabic page."""
    if not (BROWSER / "node_modules/axe-core").is_dir():
        pytest.fail("the browser tools are missing: run `make test` (it runs npm ci in tests/browser)")
    pages = ["index.html", "clinics/riverside-clinic/index.html", "library/hi/index.html"] + \
            [f"port/{lang}/index.html" for lang in ("en", "es", "ar", "zh-Hant", "hi", "km", "th")]
    run = subprocess.run(["node", str(BROWSER / "check.mjs"), str(site / "site"), *pages],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    results = {r["page"]: r for r in map(json.loads, run.stdout.splitlines())}
    assert sorted(results) == sorted(pages)
    for page, r in results.items():
        assert r["violations"] == [], (page, r["violations"])
        assert r["overflow"] <= 0, (page, r["overflow"])
        assert r["minTextPx"] >= 16, (page, r["minTextPx"], r["minTextWhere"])
        assert r["telInOrder"] in (True, None), page
        assert r["foreignFonts"] == [], (page, r["foreignFonts"][:5])     # every glyph from the page's fonts
    assert results["port/ar/index.html"]["dir"] == "rtl" and results["port/ar/index.html"]["telInOrder"] is True
    assert results["port/zh-Hant/index.html"]["lang"] == "zh-Hant"


def test_site_command(scratch, tmp_path, capsys):
    shutil.copy(ROOT / "assets/site.yaml", scratch / "assets/site.yaml")
    assert main(["site", "--lang", "th", "--layout", "letter-2page", "--brand", "valley-health",
                 "--out", str(tmp_path)], root=scratch) == 0
    err = capsys.readouterr().err
    assert re.search(r"site: \d+ page\(s\), \d+ file\(s\) written", err)
    assert (tmp_path / "site/clinics/valley-health/index.html").is_file()
    assert (tmp_path / "site/pdf/valley-health/port/port-th-letter-2page.pdf").is_file()
    (scratch / "assets/site.yaml").unlink()
    assert main(["site", "--lang", "th", "--layout", "letter-2page", "--brand", "valley-health",
                 "--out", str(tmp_path)], root=scratch) == 1
    assert "assets/site.yaml: the site has no settings" in capsys.readouterr().err


def test_a_qr_code_without_its_page_is_reported(scratch, tmp_path):
    shutil.copy(ROOT / "assets/site.yaml", scratch / "assets/site.yaml")
    km = scratch / "handouts/port/km.yaml"
    km.write_text(km.read_text(encoding="utf-8").replace("sections:", "sectoins:", 1), encoding="utf-8")
    pdf = "open-leaflets/port/port-km-letter-2page.pdf"
    (tmp_path / pdf).parent.mkdir(parents=True)
    (tmp_path / pdf).write_bytes(b"%PDF-1.7 an earlier build's leaflet")
    (tmp_path / "manifest.json").write_text(json.dumps({"documents": [
        {"handout": "port", "lang": "km", "layout": "letter-2page", "brand": "open-leaflets", "path": pdf,
         "pages": 2, "status": "ok", "sha256": None}]}))
    errors = build_site(Project(scratch), tmp_path).errors
    assert errors[0].startswith("site: port/km/index.html: handouts/port/km.yaml")
    assert errors[1:] == [f"site: {pdf}: its QR code opens https://leaflets.example.org/port/km, "
                          "which the site does not have"]


def test_a_character_no_font_has_fails_its_page(scratch, tmp_path):
    """The site's own words are checked like content: a character no font of the language has
    would be drawn by whatever the phone has (or as a box), so the page fails and says which."""
    text = (ROOT / "assets/site.yaml").read_text(encoding="utf-8")
    (scratch / "assets/site.yaml").write_text(text.replace("skip: ទៅកាន់ខ្លឹមសារ", "skip: ទៅកាន់ខ្លឹមសារ 🙂"),
                                              encoding="utf-8")
    errors = build_site(Project(scratch), tmp_path).errors
    assert errors and all("U+1F642" in e and "'km'" in e for e in errors)
    assert {e.split(": ")[1] for e in errors} == {"port/km/index.html", "library/km/index.html"}
