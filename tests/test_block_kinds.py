"""One rule per block kind (issue 11): every stage that walks blocks handles every kind the
content model has, and a kind without a rule fails loudly instead of being skipped."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from leafpress import checks
from leafpress.content.loader import load_handout
from leafpress.content.model import BLOCK_KINDS, Section, Text, texts_of
from leafpress.layout.blocks import flow_blocks
from leafpress.layout.setting import Ctx
from leafpress.project import Job, Project
from leafpress.translate.pseudo import pseudo_handout
from leafpress.translate.units import handout_units

from conftest import ROOT


@dataclass(frozen=True)
class Diagramme:        # a block kind the press does not know
    text: Text
    kind = "diagramme"


def _handouts():
    """The shipped handout and the test library's (tests/library: tables, figures of both
    kinds, call-outs with a tone, write-ins)."""
    return [load_handout(ROOT / "handouts/port/en.yaml", ROOT),
            load_handout(ROOT / "tests/library/handouts/picc/en.yaml", ROOT / "tests/library")]


def test_the_handouts_use_every_kind():
    assert {b.kind for h in _handouts() for s in h.sections for b in s.blocks} == set(BLOCK_KINDS)


def test_every_stage_knows_every_kind():
    for s in (s for h in _handouts() for s in h.sections):
        checks.section_hash(s)
        checks._section_text(s)
        for b in s.blocks:
            assert texts_of(b)


def test_an_unknown_kind_fails_loudly_everywhere():
    odd = Diagramme(Text("x", ()))
    section = Section("odd", Text("Odd", ()), (odd,))
    for stage in (lambda: texts_of(odd), lambda: checks.section_hash(section),
                  lambda: checks._section_text(section)):
        with pytest.raises(TypeError, match="no rule for block kind 'Diagramme'"):
            stage()
    p = Project(ROOT)
    h, lang, spec, brand, ts, diagrams = p.prepare(Job("port", "en", "letter-2page", "open-leaflets"))
    odd_handout = h.__class__(**{**h.__dict__, "sections": (section,)})
    strings = lang.strings
    for stage in (lambda: pseudo_handout(odd_handout, "en-XA"),
                  lambda: handout_units(odd_handout, None, strings, strings)):
        with pytest.raises(TypeError, match="no rule for block kind 'Diagramme'"):
            stage()
    ctx = Ctx(h.__class__(**{**h.__dict__, "sections": (section,)}), lang, spec, brand, ts, diagrams)
    with pytest.raises(TypeError, match="layout.blocks has no rule"):
        flow_blocks(ctx, [], set())


def test_boxed_text_is_spaced_by_its_ink_like_any_paragraph():
    """Call-outs with an icon and kept lists (layout.blocks._Stack) measure and draw their lines
    with the ink gaps of a ``space_by_ink`` language (Nastaliq), as plain paragraphs do."""
    from leafpress.layout.blocks import _paragraph, _Stack
    from leafpress.layout.items import Node
    p = Project(ROOT)
    h, lang, spec, brand, ts, diagrams = p.prepare(Job("port", "ur", "large-print", "open-leaflets"))
    assert lang.space_by_ink
    ctx = Ctx(h, lang, spec, brand, ts, diagrams)
    texts = [b.text for s in h.sections for b in s.blocks if b.kind == "paragraph"]
    width, node, spaced = 300.0, Node("block", 0, 0), 0
    for t in texts:
        plain = sum(_paragraph(ctx, "s", t, node, 0.0).heights(width, 0))
        boxed = _Stack(ctx, [("paragraph", t, node, 0, 0.0)]).units(width)
        assert boxed == [pytest.approx(plain)], t.key
        spaced += plain > len(ts.shape(t).lines(width / ctx.size)) * ctx.size * ctx.lh + 0.01
    assert spaced, "no Urdu paragraph needs ink gaps at this width: the test would prove nothing"
