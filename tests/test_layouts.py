"""Layouts measured from the PDFs themselves: type sizes, trifold panel order, dual-language sheets."""
from __future__ import annotations

import collections
import html
import re

import pypdf
import pytest

from leafpress.content.loader import load_handout
from leafpress.languages import load_language

from conftest import ROOT, poppler
from test_build import LANGS, normalise, sentences, split_across_pages


def text_sizes(pdf) -> list[collections.Counter]:
    """Per page: characters drawn at each effective type size (Tf size x text matrix scale)."""
    out = []
    for page in pypdf.PdfReader(pdf).pages:
        sizes: collections.Counter = collections.Counter()

        def visit(text, cm, tm, font, size):
            if text.strip():
                sizes[round(size * tm[0] * cm[0], 2)] += len(text.strip())
        page.extract_text(visitor_text=visit)
        out.append(sizes)
    return out


@pytest.mark.parametrize("layout", ["letter-2page", "a4-2page", "trifold-letter", "trifold-a4", "bilingual-letter"])
@pytest.mark.parametrize("lang", ["es", "ar", "zh-Hant", "km"])
def test_standard_layouts_set_body_text_at_12pt_or_more(built, layout, lang):
    sizes = collections.Counter()
    for page in text_sizes(built / f"open-leaflets/port/port-{lang}-{layout}.pdf"):
        sizes.update(page)
    body, _ = sizes.most_common(1)[0]          # the size most characters are set in
    assert body >= 12, sizes


@pytest.mark.parametrize("lang", LANGS)
def test_large_print_has_nothing_under_16pt(built, lang):
    pdf = built / f"open-leaflets/port/port-{lang}-large-print.pdf"
    pages = text_sizes(pdf)
    smallest = min(min(p) for p in pages if p)
    assert smallest >= 16, smallest
    assert max(sum(p.values()) for p in pages) and len(pages) >= 3   # it flows onto more pages


def blocks(pdf, first: int | None = None, last: int | None = None) -> list[tuple[int, float, float, str]]:
    """Poppler's text blocks (page, xMin, xMax, text), ActualText applied, in poppler's order."""
    args = ["pdftotext", "-bbox-layout"]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    xml = poppler(*args, str(pdf), "-")
    out = []
    for pno, page in enumerate(re.findall(r"<page .*?</page>", xml, re.S)):
        for m in re.finditer(r'<block xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)".*?</block>', page, re.S):
            words = re.findall(r"<word [^>]*>(.*?)</word>", m.group(0), re.S)
            out.append((pno, float(m.group(1)), float(m.group(2)), html.unescape(" ".join(words))))
    return out


def panel_of(pdf, page_no: int, needle: str) -> int:
    """Which third of the landscape page a piece of text is in (0, 1, 2 from the left)."""
    width = float(pypdf.PdfReader(pdf).pages[page_no].mediabox.width)
    # (poppler's bbox output lists right-to-left text in visual order, hence the reversal)
    hits = [(x0 + x1) / 2 for _, x0, x1, text in blocks(pdf, page_no + 1)
            if needle in normalise(text) or needle in normalise(text)[::-1]]
    assert hits, needle
    return int(hits[0] // (width / 3))


def test_trifold_panel_order(built):
    h = load_handout(ROOT / "handouts/port/en.yaml", ROOT)
    pdf = built / "open-leaflets/port/port-en-trifold-letter.pdf"
    r = pypdf.PdfReader(pdf)
    assert len(r.pages) == 2
    assert all(float(p.mediabox.width) > float(p.mediabox.height) for p in r.pages)   # landscape
    # Outside: inside flap | back panel | cover.
    assert panel_of(pdf, 0, normalise(h.title.plain)[:8]) == 2                # the cover is on the right
    assert panel_of(pdf, 0, normalise(h.sections[0].heading.plain)[:10]) == 0  # the flap starts the text
    assert panel_of(pdf, 0, "QuestionsContactus") == 1                        # back panel: contact
    # Inside: the reading continues left to right.
    inside = [panel_of(pdf, 1, normalise(s.heading.plain)[:10]) for s in h.sections
              if normalise(s.heading.plain) in normalise(r.pages[1].extract_text())]
    assert len(inside) >= 3 and inside == sorted(inside) and inside[0] == 0 and inside[-1] == 2


def test_trifold_mirrors_for_right_to_left(built):
    h = load_handout(ROOT / "handouts/port/ar.yaml", ROOT)
    pdf = built / "open-leaflets/port/port-ar-trifold-letter.pdf"
    assert panel_of(pdf, 0, normalise(h.sections[0].heading.plain)) == 2      # the flap is on the right
    assert panel_of(pdf, 0, normalise(h.title.plain.split()[1])) == 0          # the cover on the left


@pytest.mark.parametrize("lang", [l for l in LANGS if l != "en"])
def test_bilingual_sheets_carry_both_languages_in_logical_order(built, lang):
    pdf = built / f"open-leaflets/port/port-{lang}-bilingual-letter.pdf"
    r = pypdf.PdfReader(pdf)
    w, hgt = float(r.pages[0].mediabox.width), float(r.pages[0].mediabox.height)
    found = blocks(pdf)
    for code, column in (("en", 0), (lang, 1)):
        h = load_handout(ROOT / f"handouts/port/{code}.yaml", ROOT)
        # One column at a time, as a reader (or a screen reader following the tags) takes it.
        if load_language(ROOT / f"assets/languages/{code}.yaml", ROOT).rtl:
            # poppler's bbox output is visual order for right-to-left text; its plain output
            # of the cropped column is logical
            got = normalise(poppler("pdftotext", "-x", str(int(w / 2)), "-y", "0", "-W", str(int(w / 2)),
                                    "-H", str(int(hgt)), str(pdf), "-"))
        else:
            got = normalise(" ".join(text for _, x0, x1, text in found if int((x0 + x1) / 2 // (w / 2)) == column))
        missing = [(key, s) for key, t in h.texts() if ".alt" not in key and key != "source_credit"
                   for s in sentences(t.plain) if normalise(s) not in got and not split_across_pages(s, got)]
        assert not missing, (code, missing[:3])


def test_bilingual_sections_start_level(built):
    """Each section's heading sits at the same height in both columns."""
    en = load_handout(ROOT / "handouts/port/en.yaml", ROOT)
    es = load_handout(ROOT / "handouts/port/es.yaml", ROOT)
    r = pypdf.PdfReader(built / "open-leaflets/port/port-es-bilingual-letter.pdf")
    positions = {}
    for pi, page in enumerate(r.pages):
        def visit(text, cm, tm, font, size, pi=pi):
            positions.setdefault(normalise(text), (pi, round(tm[5], 1)))
        page.extract_text(visitor_text=visit)
    level = 0
    for a, b in zip(en.sections, es.sections):
        pa, pb = positions.get(normalise(a.heading.plain)), positions.get(normalise(b.heading.plain))
        if pa and pb:
            assert pa == pb, (a.id, pa, pb)
            level += 1
    assert level >= 4


# -- blocks that do not fit under what is already on a page -------------------------------------
def _check(root, lang: str, layout: str, capsys) -> tuple[int, str]:
    from leafpress.cli import main
    code = main(["check", "--lang", lang, "--layout", layout, "--brand", "open-leaflets"], root=root)
    got = capsys.readouterr()
    return code, got.out + got.err


def test_large_print_moves_the_first_block_to_page_two_when_the_summary_fills_page_one(scratch, capsys):
    """A flowing leaflet whose header and summary leave no room for the first heading starts the
    body on the next page (it used to fail with 'does not fit None page(s)': tall scripts and long
    summaries in large print)."""
    en = scratch / "handouts/port/en.yaml"
    text = en.read_text(encoding="utf-8")
    words = ("The port stays under the skin as long as you need it. " * 30).split()
    built = 0
    for k in range(60, 130, 4):     # the summary ends lower and lower on page one
        en.write_text(text.replace("go home the same day.", "go home the same day. " + " ".join(words[:k]), 1),
                      encoding="utf-8")
        code, err = _check(scratch, "en", "large-print", capsys)
        # Builds, or (once the summary itself outgrows page one) says so; never "a block ... is
        # taller than a whole column" for a heading that simply did not fit under the summary.
        assert code == 0 or "header and summary region(s) do not fit" in err, (k, err)
        built += code == 0
    assert built


@pytest.mark.parametrize("layout", ["large-print", "letter-2page", "a4-2page", "trifold-letter", "trifold-a4",
                                    "bilingual-letter"])
def test_no_section_heading_is_left_at_the_foot_of_a_page(layout):
    """A section heading is always followed by some of its section in the same column (Russian
    large print used to end page one with 'Что такое порт?' under the summary, Vietnamese
    trifold-a4 a panel with 'Tìm hiểu thêm', Urdu large print page three with a heading whose
    three-line paragraph cannot be split, and dual-language sheets in eleven languages page three
    with 'Who can a port help?'). Every language, laid out without rendering."""
    from leafpress.errors import LeafletError
    from leafpress.layout.items import TextLine
    from leafpress.project import Job, Project
    project = Project(ROOT)
    for lang in LANGS:
        try:
            laid = project.lay_out(Job("port", lang, layout, "open-leaflets"))[3]
        except LeafletError:
            continue                       # a document that does not fit (Urdu, two pages)
        for no, page in enumerate(laid.pages, 1):
            body = [it for it in page.items if isinstance(it, TextLine)
                    and it.role not in ("Note", "Artifact") and it.node != "contact"]
            for head in (it for it in body if it.role == "H2"):
                # Something of the section follows it in the same column: a line below it that
                # shares part of its width.
                assert any(it.role != "H2" and it.y < head.y and it.x < head.x + head.width
                           and head.x < it.x + it.width for it in body), (lang, layout, no, head.node)


def test_a_figure_measured_without_a_page_is_as_tall_as_drawn(tmp_path):
    """Fitting measures a figure (the diagram slot, a figure in the flow) without drawing it
    (``page`` None): the height is the one drawing it gives, whatever the width, the room and
    where it is drawn, for call-outs beside the art, numbered call-outs with a key, and a
    raster illustration."""
    from leafpress.content.model import Figure
    from leafpress.layout.figures import draw_figure
    from leafpress.layout.items import Page, Picture, Raster, Rule
    from leafpress.layout.setting import Ctx
    from leafpress.project import Job, Project
    from test_library import library_project
    project = Project(library_project(tmp_path / "proj"))
    seen: set = set()
    for lang in ("en", "ar", "zh-Hant"):
        h, lg, spec, brand, ts, diagrams = project.prepare(Job("picc", lang, "letter-2page", "open-leaflets"))
        ctx = Ctx(h, lg, spec, brand, ts, diagrams, 12.0, 1.45)
        for fig in (b for s in h.sections for b in s.blocks if isinstance(b, Figure)):
            for width in (140.0, 250.0, 400.0, 560.0):
                for max_h, bottom in ((220.0, 0.0), (400.0, 0.0), (220.0, 123.4)):
                    page = Page(612, 792)
                    drawn = draw_figure(ctx, page, fig, 36.0, 36.0 + width, bottom, max_h)
                    assert draw_figure(ctx, None, fig, 36.0, 36.0 + width, bottom, max_h) == drawn
                    seen |= {"raster" if isinstance(i.source, Raster) else "art" for i in page.items
                             if isinstance(i, Picture)}
                    seen |= {{1.6: "beside", 1.4: "numbered"}[i.dot] for i in page.items if isinstance(i, Rule) and i.dot}
    assert seen == {"raster", "art", "beside", "numbered"}


def test_the_footer_measures_the_same_at_every_body_size():
    """Fitting measures the footer (whole, and the one-line footer of the other pages) once and
    gives that height, and its warnings, to every attempt (fitting._footer_height): right only
    while the footer does not depend on the body size tried. Measured at every size and line
    height each layout with a footer allows, in scripts with tall marks, Nastaliq and CJK, with
    the project's clinics' room worked out anew each time."""
    from leafpress.layout import furniture
    from leafpress.layout.fitting import leading
    from leafpress.layout.setting import Ctx, peers_in
    from leafpress.project import Job, Project
    project = Project(ROOT)
    checked = 0
    for layout in ("letter-2page", "large-print", "a4-2page"):      # (the layouts with a footer)
        for lang in ("en", "ar", "ur", "th", "zh-Hant"):
            h, lg, spec, brand, ts, diagrams = project.prepare(Job("port", lang, layout, "open-leaflets"))
            assert spec.footer is not None, layout
            brand = brand.for_language(lg.code, lg.rtl)
            peers = peers_in(project.peers(), lg.code, lg.rtl)
            seen = set()
            for size in spec.body_sizes():
                for lh in {leading(spec, lg, ts.reading_size), 1.45}:
                    for keep in (True, False):
                        furniture._MOST.clear()
                        ctx = Ctx(h, lg, spec, brand, ts, diagrams, size, lh, keep_lists=keep, peers=peers)
                        got = (furniture.draw_footer(ctx, None, 98, 99), furniture.draw_footer(ctx, None, 98, 99, short=True))
                        seen.add((got, tuple(ctx.warnings)))
            assert len(seen) == 1, (layout, lang, seen)
            checked += 1
    assert checked == 15


def test_a_clinic_room_worked_out_at_one_size_is_the_one_at_another():
    """The room kept for clinics' names, contact details, credits and footer lines (furniture.room)
    is worked out once for every body size fitting tries (``sized=False``: the sizes it depends
    on are among its parameters): at each size, with the answers of the sizes before kept, the
    contact block, the cover and the footer measure what they measure with none kept, with the
    project's brands as the clinics."""
    from leafpress.layout import furniture
    from leafpress.layout.items import Page
    from leafpress.layout.setting import Ctx, peers_in
    from leafpress.project import Job, Project
    project = Project(ROOT)
    for layout in ("letter-2page", "trifold-letter", "large-print"):
        for lang in ("en", "ar", "th"):
            h, lg, spec, brand, ts, diagrams = project.prepare(Job("port", lang, layout, "open-leaflets"))
            brand = brand.for_language(lg.code, lg.rtl)
            peers = peers_in(project.peers(), lg.code, lg.rtl)
            w = spec.body_column_width

            def measure(size):
                ctx = Ctx(h, lg, spec, brand, ts, diagrams, size, 1.45, peers=peers)
                return (furniture.draw_contact(ctx, Page(0, 0), 36.0, 36.0 + w, 10000.0),
                        furniture.draw_cover(ctx, Page(0, 0), 36.0, 36.0 + w, 10000.0, 0.0),
                        furniture.draw_footer(ctx, None, 1, 2) if spec.footer is not None else None)
            furniture._MOST.clear()
            kept = [measure(size) for size in spec.body_sizes()]
            for size, got in zip(spec.body_sizes(), kept):
                furniture._MOST.clear()
                assert measure(size) == got, (layout, lang, size)
