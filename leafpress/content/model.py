"""The content model: typed, frozen data for one handout in one language.

Input: nothing (these are plain types). Output: what the loader builds and every later stage
reads. No ReportLab here, nothing about any particular procedure: a handout is data.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from collections.abc import Iterator
from enum import Enum


class Status(str, Enum):
    SOURCE = "source"
    DRAFT = "draft"
    REVIEWED = "reviewed"


SIGN_OFF_SCOPES = ("clinical", "linguistic")   # clinical: a medical translator vouches for the content

@dataclass(frozen=True)
class Span:
    """A piece of inline text with its emphasis. ``href`` is set for links."""
    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None


@dataclass(frozen=True)
class Text:
    """Inline text: the raw string as written and its parsed spans."""
    raw: str
    spans: tuple[Span, ...]
    key: str = ""          # key path in the content file, for error messages

    @property
    def plain(self) -> str:
        return "".join(s.text for s in self.spans)


@dataclass(frozen=True)
class Paragraph:
    text: Text
    kind = "paragraph"


@dataclass(frozen=True)
class Bullets:
    items: tuple[Text, ...]
    kind = "bullets"


@dataclass(frozen=True)
class Steps:
    items: tuple[Text, ...]
    kind = "steps"


@dataclass(frozen=True)
class Callout:
    text: Text
    kind = "callout"


@dataclass(frozen=True)
class Figure:
    diagram: str
    caption: Text
    alt: Text
    labels: tuple[tuple[str, Text], ...]   # (anchor id, label) in file order
    kind = "figure"

    def label(self, anchor: str) -> Text | None:
        return dict(self.labels).get(anchor)


Block = Paragraph | Bullets | Steps | Callout | Figure
BLOCK_KINDS = ("paragraph", "bullets", "steps", "callout", "figure")


def texts_of(block: Block, alt: bool = False) -> tuple[Text, ...]:
    """The texts of a block in reading order (a figure's caption, then its labels; its
    alternative text too when ``alt``). Every stage that walks a block's text uses this one
    rule per kind, and a kind without a rule fails loudly instead of being skipped."""
    if isinstance(block, (Paragraph, Callout)):
        return (block.text,)
    if isinstance(block, (Bullets, Steps)):
        return block.items
    if isinstance(block, Figure):
        return (block.caption,) + ((block.alt,) if alt else ()) + tuple(t for _, t in block.labels)
    raise unknown_kind(block, "content.model.texts_of")


def unknown_kind(block: object, where: str) -> TypeError:
    """The error for a block kind a stage has no rule for: a new kind must be added to every
    stage (texts_of, the loader, layout.blocks, checks), and one that is not fails loudly here
    instead of being skipped. See tests/test_block_kinds.py."""
    return TypeError(f"{where} has no rule for block kind {type(block).__name__!r}")


@dataclass(frozen=True)
class Section:
    id: str
    heading: Text
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Translation:
    status: Status
    reviewer: str | None = None
    reviewed_on: dt.date | None = None
    translated_from: tuple = ()    # (section id, source fingerprint) when it was translated
    front_from: str | None = None  # fingerprint of the source's title, subtitle, summary and credit
    reviewed_units: tuple = ()     # unit ids a reviewer marked reviewed in a translation tool
    sign_offs: tuple = ()          # SignOff records, oldest first


@dataclass(frozen=True)
class SignOff:
    """A reviewer's sign-off: who, when, and what they vouch for (clinical or linguistic)."""
    reviewer: str
    date: dt.date
    scope: str


@dataclass(frozen=True)
class Handout:
    id: str
    lang: str
    file: str                      # path relative to the project, for messages
    version: str
    last_reviewed: dt.date
    translation: Translation
    title: Text
    subtitle: Text | None
    summary: Text
    source_credit: Text
    source_url: str | None
    sections: tuple[Section, ...] = field(default_factory=tuple)
    checks: dict = field(default_factory=dict)     # per-handout thresholds (source file only)

    def texts(self) -> Iterator[tuple[str, Text]]:
        """Every piece of text in reading order, as (key path, Text)."""
        yield "title", self.title
        if self.subtitle:
            yield "subtitle", self.subtitle
        yield "summary", self.summary
        for s in self.sections:
            yield s.heading.key, s.heading
            for b in s.blocks:
                for t in texts_of(b, alt=True):
                    yield t.key, t
        yield "source_credit", self.source_credit
