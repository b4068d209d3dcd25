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
    """A paragraph of running text."""
    text: Text
    kind = "paragraph"


@dataclass(frozen=True)
class Bullets:
    """A bulleted list, its items in order."""
    items: tuple[Text, ...]
    keep_together: bool = False    # written as a mapping {keep_together: true, items: [...]}
    kind = "bullets"


@dataclass(frozen=True)
class Steps:
    """A numbered list of steps, in the order they are done."""
    items: tuple[Text, ...]
    keep_together: bool = False
    kind = "steps"


TONES = ("info", "warning", "call-us")   # a long call-out's tone picks its icon (assets/icons/)


@dataclass(frozen=True)
class Callout:
    """A key point in a tinted box. The short form is one string (``text``, no icon); the long
    form ``{tone: ..., blocks: [...]}`` holds paragraphs and lists (``parts``) and an icon."""
    text: Text | None
    tone: str | None = None
    parts: tuple = ()              # Paragraph | Bullets | Steps, the long form
    kind = "callout"

    @property
    def blocks(self) -> tuple:
        return (Paragraph(self.text),) if self.text is not None else self.parts


@dataclass(frozen=True)
class Table:
    """A table: a header row and rows of cells (inline emphasis allowed), all rows as wide."""
    header: tuple[Text, ...]
    rows: tuple[tuple[Text, ...], ...]
    kind = "table"


@dataclass(frozen=True)
class WriteIn:
    """Labelled lines for the patient or clinic to fill in by hand (optionally form fields)."""
    fields: tuple[Text, ...]
    form: bool = False             # also a fillable PDF form field on each line
    kind = "write_in"


@dataclass(frozen=True)
class Figure:
    """A diagram with its labels (or a raster image), its caption and alternative text."""
    diagram: str | None            # a diagram id (assets/diagrams/), or None for an image
    caption: Text
    alt: Text
    labels: tuple[tuple[str, Text], ...]   # (anchor id, label) in file order
    image: str | None = None       # a raster illustration (assets/images/<name>, PNG or JPEG)
    kind = "figure"

    def label(self, anchor: str) -> Text | None:
        return dict(self.labels).get(anchor)


Block = Paragraph | Bullets | Steps | Callout | Figure | Table | WriteIn
BLOCK_KINDS = ("paragraph", "bullets", "steps", "callout", "figure", "table", "write_in")
CALLOUT_PARTS = ("paragraph", "bullets", "steps")
# A paragraph ending like this introduces the list after it (a lead-in), in any script; a
# translation's lead-ins are the source's (see lead_ins), whatever its punctuation.
LEAD_IN = (":", "：", "︰", "׃")


def lead_ins(h: "Handout") -> frozenset:
    """The keys of the paragraphs that introduce the list after them: ending in a colon (LEAD_IN),
    at the top level of a section or inside a call-out."""
    out = set()
    for sec in h.sections:
        for blocks in [sec.blocks] + [b.parts for b in sec.blocks if isinstance(b, Callout)]:
            for a, b in zip(blocks, blocks[1:]):
                if isinstance(a, Paragraph) and isinstance(b, (Bullets, Steps)) \
                        and a.text.plain.rstrip().endswith(LEAD_IN):
                    out.add(a.text.key)
    return frozenset(out)


def text_parts(block: Block) -> tuple[tuple[tuple, Text], ...]:
    """The texts of a block in reading order, each with its key path below the block's kind key
    (``()`` for a paragraph, ``(2,)`` for a list item, ``("rows", 0, 1)`` for a table cell,
    ``("blocks", 1, "bullets", 0)`` inside a call-out). One rule per kind: texts, translation
    units, mirroring and fingerprints all walk this, and an unknown kind fails loudly."""
    if isinstance(block, Paragraph):
        return (((), block.text),)
    if isinstance(block, Callout):
        if block.text is not None:
            return (((), block.text),)
        return tuple((("blocks", k, part.kind) + sub, t)
                     for k, part in enumerate(block.parts) for sub, t in text_parts(part))
    if isinstance(block, (Bullets, Steps)):
        pre = ("items",) if block.keep_together else ()
        return tuple((pre + (k,), t) for k, t in enumerate(block.items))
    if isinstance(block, Figure):
        return ((("caption",), block.caption), (("alt",), block.alt)) + tuple(
            (("labels", k), t) for k, t in block.labels)
    if isinstance(block, Table):
        return tuple((("header", c), t) for c, t in enumerate(block.header)) + tuple(
            (("rows", r, c), t) for r, row in enumerate(block.rows) for c, t in enumerate(row))
    if isinstance(block, WriteIn):
        pre = ("fields",) if block.form else ()
        return tuple((pre + (k,), t) for k, t in enumerate(block.fields))
    raise unknown_kind(block, "content.model.text_parts")


def map_texts(block: Block, f) -> Block:
    """The same block with every text replaced by ``f(text)`` (pseudo-locales, tests)."""
    if isinstance(block, Paragraph):
        return Paragraph(f(block.text))
    if isinstance(block, Callout):
        return Callout(f(block.text) if block.text is not None else None, block.tone,
                       tuple(map_texts(p, f) for p in block.parts))
    if isinstance(block, (Bullets, Steps)):
        return type(block)(tuple(f(t) for t in block.items), block.keep_together)
    if isinstance(block, Figure):
        return Figure(block.diagram, f(block.caption), f(block.alt),
                      tuple((k, f(v)) for k, v in block.labels), block.image)
    if isinstance(block, Table):
        return Table(tuple(f(t) for t in block.header), tuple(tuple(f(t) for t in row) for row in block.rows))
    if isinstance(block, WriteIn):
        return WriteIn(tuple(f(t) for t in block.fields), block.form)
    raise unknown_kind(block, "content.model.map_texts")


def texts_of(block: Block, alt: bool = False) -> tuple[Text, ...]:
    """The texts of a block in reading order (a figure's caption, then its labels; its
    alternative text too when ``alt``). Every stage that walks a block's text uses this one
    rule per kind, and a kind without a rule fails loudly instead of being skipped."""
    return tuple(t for sub, t in text_parts(block)
                 if alt or not (isinstance(block, Figure) and sub == ("alt",)))


def unknown_kind(block: object, where: str) -> TypeError:
    """The error for a block kind a stage has no rule for: a new kind must be added to every
    stage (texts_of, the loader, layout.blocks, checks), and one that is not fails loudly here
    instead of being skipped. See tests/test_block_kinds.py."""
    return TypeError(f"{where} has no rule for block kind {type(block).__name__!r}")


@dataclass(frozen=True)
class Section:
    """A section of a handout: its id, heading and blocks in order."""
    id: str
    heading: Text
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Translation:
    """A handout file's translation status: review, what source it was made from, sign-offs."""
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
    """One handout in one language, as its YAML file gives it."""
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
    contact: Text | None = None    # this handout's own contact line (e.g. a procedure suite)
    lead_ins: frozenset = frozenset()   # keys of paragraphs introducing the list after them

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
        if self.contact:
            yield "contact", self.contact
        yield "source_credit", self.source_credit
