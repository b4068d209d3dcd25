"""Tagging rules checked on every leaflet built: link annotations (one per address per line, each
tied to the link text it covers, QR descriptions only on QR codes), figures (a bounding box each,
the figures of a dual-language sheet apart), headings without links, bookmarks for every column
of a dual-language sheet, Latin-script terms in other scripts marked with their language."""
from __future__ import annotations

import re

import pypdf
import pytest

from conftest import ROOT, poppler

from leafpress.content.loader import load_handout


def elements(reader):
    """(element, ancestors' types, part index) for every structure element."""
    out = []
    parts = [-1]

    def walk(node, path, part):
        node = node.get_object()
        s = node.get("/S")
        if s is None:
            return
        if s == "/Part":
            parts[0] += 1
            part = parts[0]
        out.append((node, path, part))
        kids = node.get("/K")
        for k in (kids if isinstance(kids, list) else [] if kids is None else [kids]):
            if hasattr(k, "get_object") and hasattr(k.get_object(), "get") and k.get_object().get("/S"):
                walk(k, path + (s,), part)
    walk(reader.trailer["/Root"]["/StructTreeRoot"]["/K"], (), -1)
    return out


def annotations(elem):
    kids = elem.get("/K")
    kids = kids if isinstance(kids, list) else [] if kids is None else [kids]
    for k in kids:
        k = k.get_object() if hasattr(k, "get_object") else k
        if hasattr(k, "get") and k.get("/Type") == "/OBJR":
            yield k["/Obj"].get_object()


@pytest.fixture(scope="module")
def leaflets(built):
    return [(p, pypdf.PdfReader(p)) for p in sorted((built / "open-leaflets").rglob("*.pdf"))]


def test_one_annotation_per_address_per_line(leaflets):
    for path, r in leaflets:
        for i, page in enumerate(r.pages):
            rects = [(str(a.get_object()["/A"]["/URI"]), [float(v) for v in a.get_object()["/Rect"]])
                     for a in page.get("/Annots", [])]
            for j, (url, a) in enumerate(rects):
                for url2, b in rects[j + 1:]:
                    same_line = abs(a[1] - b[1]) < 0.5 and abs(a[3] - b[3]) < 0.5
                    touching = a[0] <= b[2] + 0.5 and b[0] <= a[2] + 0.5
                    assert not (url == url2 and same_line and touching), (path.name, i, url)


def test_annotations_print_and_belong_to_their_column(leaflets):
    for path, r in leaflets:
        width = float(r.pages[0].mediabox.width)
        for elem, up, part in elements(r):
            for annot in annotations(elem):
                assert int(annot.get("/F", 0)) & 4, path.name          # printable (PDF/A)
                x0, _, x1, _ = (float(v) for v in annot["/Rect"])
                contents = str(annot["/Contents"])
                square = abs((x1 - x0) - (float(annot["/Rect"][3]) - float(annot["/Rect"][1]))) < 1
                assert contents.startswith("QR code") == square, (path.name, contents)
                if "bilingual" in path.name and "/Div" not in up:
                    # a column's link text: its annotation is in that column's half of the page
                    assert (x0 + x1) / 2 < width / 2 if part == 0 else (x0 + x1) / 2 > width / 2, \
                        (path.name, part, contents)


def test_figures_have_their_own_boxes(leaflets):
    for path, r in leaflets:
        boxes = [[float(v) for v in e["/A"]["/BBox"]] for e, _, _ in elements(r)
                 if e["/S"] == "/Figure" and "/A" in e]
        figures = [e for e, _, _ in elements(r) if e["/S"] == "/Figure"]
        assert len(boxes) == len(figures) >= 1, path.name
        for k, a in enumerate(boxes):
            for b in boxes[k + 1:]:
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (path.name, a, b)


def test_headings_hold_no_links_or_contact_lines(leaflets):
    for path, r in leaflets:
        for elem, up, _ in elements(r):
            assert not ({"/H1", "/H2"} & set(up) and elem["/S"] == "/Link"), path.name


def test_dual_language_bookmarks_name_every_column(leaflets):
    sections = len(load_handout(ROOT / "handouts/port/en.yaml", ROOT).sections)
    for path, r in leaflets:
        if "bilingual" in path.name and "-en-" not in path.name:
            titles = [o.title for o in r.outline if not isinstance(o, list)]
            assert len(titles) == 2 * sections, (path.name, titles)


@pytest.mark.parametrize("lang", ["zh-Hant", "ja", "hi", "ar", "th"])
def test_latin_terms_in_other_scripts_carry_their_language(leaflets, lang):
    """Every Latin-script word of the content ("IR", "MIIP", "X", a web address) is read inside
    a Span or Link with the source's language."""
    [(path, r)] = [(p, r) for p, r in leaflets if p.name == f"port-{lang}-letter-2page.pdf"]
    spans = [e for e, _, _ in elements(r) if e["/S"] == "/Span"]
    assert spans and all(str(e["/Lang"]) == "en" for e in spans), path.name
    links = [e for e, up, _ in elements(r) if e["/S"] == "/Link" and "/Div" not in up]
    assert links and all(str(e.get("/Lang")) == "en" for e in links), path.name
    inside, depth = [], None
    for line in poppler("pdfinfo", "-struct-text", str(path)).splitlines():
        indent = len(line) - len(line.lstrip())
        if depth is not None and indent <= depth:
            depth = None
        if line.strip().startswith(("Span", "Link")):
            depth = indent
        elif depth is not None:
            inside.append(line.strip().strip('"'))
    spanned = " ".join(inside)
    h = load_handout(ROOT / f"handouts/port/{lang}.yaml", ROOT)
    words = {w for key, t in h.texts() if not key.endswith(".alt") for w in re.findall(r"[A-Za-z]+", t.plain)}
    missing = sorted(w for w in words if not re.search(rf"\b{w}\b", spanned))
    assert not missing, (path.name, missing)
