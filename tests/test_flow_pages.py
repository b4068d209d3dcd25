"""Flowing layouts (large print): a last page that is not almost empty, and a running head on
the continuation pages. Laid out in memory, no PDF written: fast."""
from __future__ import annotations

import dataclasses

import pytest

from conftest import ROOT
from leafpress.content.model import Span, Text
from leafpress.layout.fitting import lay_out
from leafpress.layout.items import Picture, Rule, TextLine
from leafpress.project import Job, Project


@pytest.fixture(scope="module")
def project():
    return Project(ROOT)


def last_page_fill(laid, spec) -> float:
    """Measured on the display list: the share of the last page's body (from the top margin to
    the footer's rule) that its text and pictures reach down to."""
    page = laid.pages[-1]
    top = page.height - spec.margins["top"]
    rule = min(i.y1 for i in page.items if isinstance(i, Rule) and i.y1 == i.y2 and i.x2 - i.x1 > page.width / 2)
    low = min([i.y - i.size * 0.3 for i in page.items if isinstance(i, TextLine) and i.y > rule] +
              [i.y for i in page.items if isinstance(i, Picture) and i.y > rule])
    return (top - low) / (top - rule)


def test_an_almost_empty_last_page_is_filled(project):
    """Pages tall enough that the closing contact block alone on the last page takes under a
    quarter of it: without the rule (last_page_min 0) such a page is printed; with it, page
    breaks move earlier and the last page holds text too, with the same number of pages."""
    h, lang, spec, brand, ts, diagrams = project.prepare(Job("port", "en", "large-print", "open-leaflets"))
    assert spec.last_page_min == 0.25
    found = 0
    for height in range(1500, 1800, 20):
        off = dataclasses.replace(spec, page_size=(612.0, float(height)), last_page_min=0.0)
        without = lay_out(h, lang, off, brand, ts, diagrams)
        if len(without.pages) < 2 or last_page_fill(without, off) >= 0.25:
            continue
        found += 1
        on = dataclasses.replace(off, last_page_min=0.25)
        laid = lay_out(h, lang, on, brand, ts, diagrams)
        assert len(laid.pages) == len(without.pages), height
        assert last_page_fill(laid, on) >= 0.25 - 0.01, (height, last_page_fill(laid, on))
        text = [i for i in laid.pages[-1].items if isinstance(i, TextLine) and i.node.content]
        assert text, height         # the last page holds some of the leaflet's own text now
    assert found >= 3, "no page height left the last page almost empty: make the test's pages taller"


def test_last_page_min_is_for_flowing_layouts_only(tmp_path):
    from leafpress.errors import LeafletError
    from leafpress.layout.spec import load_layout
    text = (ROOT / "layouts" / "letter-2page.yaml").read_text(encoding="utf-8")
    (tmp_path / "layouts").mkdir()
    bad = tmp_path / "layouts" / "letter-2page.yaml"
    bad.write_text(text.replace("max_pages: 2", "max_pages: 2\nlast_page_min: 0.25"), encoding="utf-8")
    with pytest.raises(LeafletError, match="last_page_min: is for flowing layouts"):
        load_layout(bad, tmp_path)


@pytest.mark.parametrize("layout", ("large-print", "letter-2page", "bilingual-letter"))
@pytest.mark.parametrize("lang", ("en", "ar", "hi", "th", "zh-Hant"))
def test_running_head_on_every_page_after_the_first(project, lang, layout):
    if layout == "bilingual-letter" and lang == "en":
        pytest.skip("English pairs with the other languages")
    job = Job("port", lang, layout, "open-leaflets")
    laid = project.lay_out(job)[3]
    spec = project.layout(layout)
    assert spec.running_head is not None and len(laid.pages) >= 2
    titles = {project.handout("port", code).title.plain for code in {lang, "en"}}
    for n, page in enumerate(laid.pages):
        heads = [i for i in page.items if isinstance(i, TextLine) and i.node.kind == "runninghead"]
        if n == 0:
            assert not heads
            continue
        assert heads and all(h.role == "Artifact" for h in heads)     # page furniture, not read again
        assert {h.paragraph.text for h in heads} <= titles and lang in {h.lang for h in heads}
        top_of_body = max(i.y + i.size for i in page.items if isinstance(i, TextLine) and i.node.kind != "runninghead"
                          and not (i.node.kind == "contact" and i.role == "Artifact"))     # (the clinic facing it)
        assert min(h.y for h in heads) - top_of_body > 0, (n, "the head runs into the text")
        if lang == "ar":        # on the reading side: right-aligned, like the text below it
            assert max(h.x + h.width for h in heads) == pytest.approx(spec.page_size[0] - spec.margins["outside"], abs=1) \
                or layout == "bilingual-letter"


def test_a_long_running_head_pushes_the_text_down(project):
    """A title that needs more than the top margin: the text on later pages starts below it."""
    h, lang, spec, brand, ts, diagrams = project.prepare(Job("port", "en", "large-print", "open-leaflets"))
    text = "Your implanted port: what it is, how it is placed, and how to look after it at home and at work"
    long = dataclasses.replace(h, title=Text(text, (Span(text),), "title"))     # two lines at 16 pt
    laid = lay_out(long, lang, spec, brand, ts, diagrams)
    from leafpress.layout.inspection import line_collisions
    assert not line_collisions(laid)
    page = laid.pages[1]
    heads = [i for i in page.items if isinstance(i, TextLine) and i.node.kind == "runninghead"]
    body = [i for i in page.items if isinstance(i, TextLine) and i.node.content]
    assert len(heads) > 1 and min(i.y for i in heads) > max(i.y + i.size for i in body)


# ---------------------------------------------------------------- the partner block (2-page sheets)

PARTNER, PHONE = "Valley Health Center", "+1 (555) 010-0177"


def _brand_lines(page, text):
    return [i for i in page.items if isinstance(i, TextLine) and text in i.paragraph.text
            and i.node.kind == "contact" and i.role == "Artifact"]


@pytest.mark.parametrize("layout", ("letter-2page", "a4-2page"))
@pytest.mark.parametrize("lang", ("en", "ar", "hi", "th", "zh-Hant"))
def test_partner_block_name_and_phone_prominent(project, lang, layout):
    spec = project.layout(layout)
    laid = project.lay_out(Job("port", lang, layout, "valley-health"))[3]
    W, H = spec.page_size
    rtl = project.language(lang).rtl
    # Page 2: the clinic's name and phone at the top, after the running head on its line, bold,
    # 11 pt or more; right to left, to the left of it, the phone isolated (digits in typed order).
    back = laid.pages[1]
    strip = _brand_lines(back, PHONE)
    assert len(strip) == 1 and PARTNER in strip[0].paragraph.text, lang
    line = strip[0]
    head = [i for i in back.items if isinstance(i, TextLine) and i.node.kind == "runninghead"][-1]
    assert line.size >= spec.measures["contact_min"] and line.y > H - spec.margins["top"]
    assert any(st.bold for st in line.paragraph.styles)
    assert line.y == pytest.approx(head.y, abs=0.01) or line.y < head.y
    if line.y == pytest.approx(head.y, abs=0.01):
        assert (line.x + line.width <= head.x + 0.5) if rtl else (line.x >= head.x + head.width - 0.5)
    if rtl:
        assert "\u2066" + PHONE + "\u2069" in line.paragraph.text
    # Page 1: on the band beside the title where the title leaves the room (en, ar, hi, zh-Hant).
    band = [i for i in laid.pages[0].items if getattr(i, "part", None) == "band"][0]
    front = _brand_lines(laid.pages[0], PHONE) + _brand_lines(laid.pages[0], PARTNER)
    if front or lang in ("en", "zh-Hant"):      # titles that leave the room in both layouts
        assert {PHONE, PARTNER} <= {t for i in front for t in (PHONE, PARTNER) if t in i.paragraph.text}
        assert all(band.y < i.y < band.y + band.h and i.size >= spec.measures["contact_min"] for i in front)
        assert all((i.x < W / 2) == rtl for i in front)         # at the end of the reading direction


def test_a_long_clinic_name_anywhere_moves_the_band_block_off_for_every_clinic(project):
    """The room is the widest clinic's: one clinic whose name does not fit beside the title takes
    the band block away for all (same layout for every clinic), the top of page 2 keeps them."""
    h, lang, spec, brand, ts, diagrams = project.prepare(Job("port", "en", "letter-2page", "valley-health"))
    peers = tuple(b for b in project.peers() if b.id != "valley-health")
    long = dataclasses.replace(peers[0], organisation="Sierra Nevada Regional Community Health and Wellness Center")
    laid = lay_out(h, lang, spec, brand, ts, diagrams, peers=peers)
    assert _brand_lines(laid.pages[0], PHONE)
    laid = lay_out(h, lang, spec, brand, ts, diagrams, peers=peers + (long,))
    assert not _brand_lines(laid.pages[0], PHONE) and _brand_lines(laid.pages[1], PHONE)
    # A name too long for one line there wraps, for every clinic's page 2 alike; the layout may
    # fix the room (brand_lines.partner), and a clinic that needs more fails with a message.
    laid = lay_out(h, lang, spec, long, ts, diagrams, peers=peers + (brand,))
    assert len([i for i in laid.pages[1].items if isinstance(i, TextLine) and i.node.kind == "contact"
                and i.role == "Artifact"]) >= 2
    from leafpress.errors import LeafletError
    fixed = dataclasses.replace(spec, brand_lines={**spec.brand_lines, "partner": 1})
    with pytest.raises(LeafletError, match=r"name and phone at the top of page 2 take \d+ lines"):
        lay_out(h, lang, fixed, long, ts, diagrams, peers=peers)


@pytest.mark.parametrize("layout", ("letter-2page", "a4-2page"))
def test_partner_block_keeps_every_clinic_in_the_same_layout(project, layout):
    """The block's room is the widest clinic's: the handout's own text sits in the same place on
    every clinic's leaflet (issue 11's rule, so a clinic can be stamped in)."""
    places = {}
    for brand in ("open-leaflets", "valley-health", "bayside-family-clinic", "sierra-community-health"):
        laid = project.lay_out(Job("port", "en", layout, brand))[3]
        places[brand] = [(pi, round(i.x, 2), round(i.y, 2)) for pi, p in enumerate(laid.pages) for i in p.items
                         if isinstance(i, TextLine) and i.node.content]
        assert _brand_lines(laid.pages[0], "+1 (555) 010-0") and _brand_lines(laid.pages[1], "+1 (555) 010-0")
    assert len({tuple(v) for v in places.values()}) == 1
