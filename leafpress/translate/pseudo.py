"""Pseudo-locales: test layouts before a translation exists.

Input: the source handout and the source language's settings. Output: a :class:`Handout` and a
:class:`Language` for a pseudo-locale, built in memory (nothing is written to handouts/):

- ``en-XA`` (accented, longer): every letter swapped for an accented one (``Your port`` ->
  ``Ýóûŕ þóŕţ``), the text wrapped in ``[`` ... ``]`` so a cut-off end shows, and padded with
  filler words to 40 % more characters than the source (brackets included; a string under five
  characters gets only its brackets). Emphasis, links and numbers are kept.
- ``ar-XB`` (mirrored): the source's English words in right-to-left order, each word still
  readable, with RIGHT-TO-LEFT MARKs between them and at both ends so the bidi algorithm
  lays them out as a right-to-left language; the language runs right to left (mirrored panels
  and columns, right-aligned text) with the source's fonts.

They carry ``status: draft`` (the draft notice shows, ``--release`` refuses them) and are
built only when asked for by name (``--lang en-XA``), never by a plain full build.
"""
from __future__ import annotations

import dataclasses
import re

from ..content.inline import parse_inline
from ..content.model import (Bullets, Callout, Figure, Handout, Paragraph, Section, Span, Status, Steps, unknown_kind,
                             Table, WriteIn, map_texts,
                             Text, Translation)

PSEUDO = {"en-XA": "Pseudo-locale: accented, 40 % longer", "ar-XB": "Pseudo-locale: mirrored right to left"}
EXPANSION = 0.40
_ACCENTS = dict(zip(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "áƀçðéƒğĥíĵķľɱñóþǫŕšţúṽŵẋýžÁƁÇÐÉƑĞĤÍĴĶĽṀÑÓÞǪŔŠŢÚṼŴẊÝŽ"))
_FILLER = "óñé ţŵó ţĥŕéé ƒóúŕ ƒíṽé šíẋ šéṽéñ éíğĥţ ñíñé ţéñ "
_RLM = "\u200f"
_PLACEHOLDER = re.compile(r"(\{[a-z_]+\})")


def is_pseudo(code: str) -> bool:
    return code in PSEUDO


def accent(text: str) -> str:
    """Accented letters, placeholders such as {page} untouched."""
    return "".join(p if _PLACEHOLDER.fullmatch(p) else "".join(_ACCENTS.get(c, c) for c in p)
                   for p in _PLACEHOLDER.split(text))


def padding(n: int) -> str:
    """The filler that makes a string of ``n`` characters 40 % longer, brackets included."""
    extra = round(n * EXPANSION) - 2
    if extra < 2:
        return ""
    fill = (_FILLER * (extra // len(_FILLER) + 1))[:extra - 1].rstrip()
    while len(fill) < extra - 1:           # a cut that ended on a space: one more letter
        fill += "·"
    return " " + fill


def expand(text: str) -> str:
    """en-XA for a plain string (language strings): accented, bracketed, padded."""
    return "[" + accent(text) + padding(len(text)) + "]"


def mirror(text: str) -> str:
    """ar-XB for a plain string: the words in right-to-left order, marked for bidi."""
    return _RLM + re.sub(r" +", " " + _RLM, text.strip()) + _RLM


def _escape(s: str) -> str:
    return re.sub(r"([\\*\[\]()])", r"\\\1", s)


def _raw(spans: list[Span]) -> str:
    out = []
    for s in spans:
        body = _escape(s.text)
        if s.href:
            body = f"[{body}]({s.href})"
        if s.italic:
            body = f"*{body}*"
        if s.bold:
            body = f"**{body}**"
        out.append(body)
    return "".join(out)


def _text(t: Text, code: str) -> Text:
    spans = list(t.spans)
    if code == "en-XA":
        spans = [dataclasses.replace(s, text=accent(s.text)) for s in spans]
        spans[0] = dataclasses.replace(spans[0], text="[" + spans[0].text)
        spans.append(Span(padding(len(t.plain)) + "]"))
    else:
        spans = [dataclasses.replace(s, text=re.sub(r" +", " " + _RLM, s.text)) for s in spans]
        spans[0] = dataclasses.replace(spans[0], text=_RLM + spans[0].text)
        spans.append(Span(_RLM))
    raw = _raw(spans)
    return Text(raw, parse_inline(raw), t.key)


def pseudo_handout(source: Handout, code: str) -> Handout:
    def tx(t):
        return _text(t, code) if t is not None else None

    sections = []
    for s in source.sections:
        blocks = []
        for b in s.blocks:
            if isinstance(b, (Paragraph, Callout, Bullets, Steps, Figure, Table, WriteIn)):
                blocks.append(map_texts(b, tx))
            else:
                raise unknown_kind(b, "translate.pseudo")
        sections.append(Section(s.id, tx(s.heading), tuple(blocks)))
    from ..checks import section_hash      # not needed to tell a pseudo-locale's code
    stamps = tuple((s.id, section_hash(s)) for s in source.sections)
    return dataclasses.replace(
        source, lang=code, file=f"{source.file} (pseudo-locale {code})",
        translation=Translation(Status.DRAFT, translated_from=stamps),
        title=tx(source.title), subtitle=tx(source.subtitle), summary=tx(source.summary),
        source_credit=tx(source.source_credit), sections=tuple(sections), contact=tx(source.contact))


def pseudo_language(base, code: str):
    """The pseudo-locale's settings: the source language's fonts, its strings transformed."""
    change = expand if code == "en-XA" else mirror
    return dataclasses.replace(
        base, code=code, name=PSEUDO[code], native_name=change(base.native_name),
        direction="rtl" if code == "ar-XB" else base.direction,
        hyphenation=None if code == "ar-XB" else base.hyphenation,
        strings={k: change(v) for k, v in base.strings.items()},
        file=f"{base.file} (pseudo-locale {code})")


def growth(source: Handout, pseudo: Handout) -> float:
    """How much longer the pseudo-locale's text is than the source's, as a fraction."""
    a = sum(len(t.plain) for _, t in source.texts())
    b = sum(len(t.plain) for _, t in pseudo.texts())
    return b / a - 1 if a else 0.0

