"""The content model: typed, frozen data for one handout in one language.

Input: nothing (these are plain types). Output: what the loader builds and every later stage
reads. No ReportLab here, nothing about any particular procedure: a handout is data.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
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

    def texts(self):
        """Every piece of text in reading order, as (key path, Text)."""
        yield "title", self.title
        if self.subtitle:
            yield "subtitle", self.subtitle
        yield "summary", self.summary
        for s in self.sections:
            yield s.heading.key, s.heading
            for b in s.blocks:
                if isinstance(b, (Paragraph, Callout)):
                    yield b.text.key, b.text
                elif isinstance(b, (Bullets, Steps)):
                    for t in b.items:
                        yield t.key, t
                elif isinstance(b, Figure):
                    yield b.caption.key, b.caption
                    yield b.alt.key, b.alt
                    for _, t in b.labels:
                        yield t.key, t
        yield "source_credit", self.source_credit
