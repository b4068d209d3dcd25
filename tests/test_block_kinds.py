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


def test_the_shipped_handout_uses_every_kind():
    h = load_handout(ROOT / "handouts/port/en.yaml", ROOT)
    assert {b.kind for s in h.sections for b in s.blocks} == set(BLOCK_KINDS)


def test_every_stage_knows_every_kind():
    h = load_handout(ROOT / "handouts/port/en.yaml", ROOT)
    for s in h.sections:
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
