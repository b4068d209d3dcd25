"""The page display list: what layout hands to the renderer.

Every item keeps the semantic role of what it draws (``H1``, ``H2``, ``P``, ``LI``/``Lbl``/
``LBody``, ``Figure``, ``Caption``, ``Note``, ``Artifact``) and a typed :class:`Node` grouping
the items of one structure element. Nothing here is tied to a writer: pictures carry assets
(SVG files, raster files, QR data), text lines their shaped glyphs, so a PDF, an HTML or a
brand-overlay writer can use the same pages.
Coordinates are PDF points, origin bottom-left.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..text.paragraph import Line, ShapedParagraph


# Structure elements that belong to the page furniture: repeated on every page, tagged once.
FURNITURE = frozenset({"contact", "credit", "brandcredit", "facts", "qr"})
# Reading order of the elements that are not section content (sections sort 10 + their index).
_ORDER = {"brandname": (0, 0), "title": (0, 1), "subtitle": (1,), "banner": (2,), "draft": (2, 1),
          "summary": (3,), "contact": (900,), "website": (900, 1), "qr": (900, 2), "credit": (901,),
          "brandcredit": (901, 1), "facts": (902,), "pagefacts": (903,), "runninghead": (904,)}
NODE_KINDS = frozenset(_ORDER) | {"heading", "block", "item", "caption", "cell", "icon", "other"}


@dataclass(frozen=True)
class Node:
    """The structure element a drawn item belongs to: a typed key -- what it is and, for content,
    its section, block and list item -- that the tagger sorts and groups by (never a string to
    parse). Kinds: title, subtitle (``column`` on dual-language sheets), brandname, banner, draft,
    summary; heading (section), block (paragraph, call-out, figure, write-in), item (of a list or
    a write-in block), caption (of a figure), cell (of a table: ``item`` its row, 0 the header, and
    ``part`` its column), icon (of a call-out); ``part`` also numbers the paragraphs and lists
    inside a call-out; contact, website, qr, credit (``lang`` for another language's credit),
    brandcredit, facts, pagefacts; other."""
    kind: str
    section: int | None = None
    block: int | None = None
    item: int | None = None
    column: int = 0
    lang: str | None = None
    part: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in NODE_KINDS:
            raise ValueError(f"unknown structure node kind {self.kind!r}")

    def __hash__(self) -> int:
        """The hash of the fields' tuple (what the dataclass's own gives), worked out once: the
        tagger, the reading order and the inspectors look nodes up hundreds of times a
        document. (Kept out of the pickled state: a string's hash differs between processes.)"""
        got = self.__dict__.get("_hash")
        if got is None:
            got = hash((self.kind, self.section, self.block, self.item, self.column, self.lang, self.part))
            object.__setattr__(self, "_hash", got)
        return got

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}

    @property
    def content(self) -> bool:
        """Drawn from the handout's own text (not furniture, brand or language strings)."""
        return self.kind in ("title", "subtitle", "summary", "heading", "block", "item", "caption", "cell")

    @property
    def furniture(self) -> bool:
        return self.kind in FURNITURE

    @property
    def list_item(self) -> bool:
        return self.kind == "item"

    def order(self) -> tuple:
        """Where the element goes in the reading order."""
        if self.section is not None:
            if self.kind == "icon":
                return (10 + self.section, self.block + 1, 0)
            if self.part is not None and self.kind != "cell":      # inside a call-out
                return (10 + self.section, self.block + 1, 1 + self.part, *(
                    [self.item + 1] if self.item is not None else []), 0)
            tail = [n + 1 for n in (self.block, self.item, self.part) if n is not None]
            return (10 + self.section, *tail, 1 if self.kind == "caption" else 0)
        if self.kind == "credit" and self.lang:
            return (901, 2)
        return _ORDER.get(self.kind, (800,))

    def __str__(self) -> str:
        if self.section is not None:
            return "sections[%d]" % self.section + "".join(
                f".{k}[{v}]" for k, v in (("blocks", self.block), ("rows" if self.kind == "cell" else "items", self.item),
                                          ("cells" if self.kind == "cell" else "parts", self.part)) if v is not None) + \
                (".caption" if self.kind == "caption" else "")
        return self.kind + (f"-{self.lang}" if self.lang else "")


@dataclass
class TextLine:
    """One line of a shaped paragraph, placed on a page."""
    x: float                 # left edge where the first visual glyph starts
    y: float                 # baseline
    size: float
    colour: str
    paragraph: ShapedParagraph   # shaped once: its glyphs, clusters and text
    line: Line                   # the stretch of it on this line
    width: float             # points
    role: str
    node: Node
    lang: str
    seq: int = 0             # the order lines were set in (reading order of a flow, not page order)

    @property
    def pieces(self) -> list:
        """Glyph pieces in visual order (worked out only for lines that get drawn)."""
        return self.paragraph.pieces(self.line)


@dataclass
class Box:
    """A rectangle, filled and/or stroked, placed on a page."""
    x: float
    y: float
    w: float
    h: float
    fill: str | None = None
    stroke: str | None = None
    stroke_width: float = 0.0
    radius: float = 0.0
    role: str = "Artifact"
    node: Node | None = None
    part: str | None = None  # what background it is (band, cover): a layout may let it bleed


@dataclass
class Rule:
    """A straight line placed on a page (a rule, a leader line, a fold mark)."""
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str
    width: float = 0.75
    role: str = "Artifact"
    node: Node | None = None
    dot: float = 0.0         # radius of a dot drawn at (x2, y2), for leader lines
    part: str | None = None  # a printer's mark (fold, crop): where it may go is the layout's print data


@dataclass(frozen=True)
class Svg:
    """A checked SVG file (diagram or logo, no text): the writer turns it into vectors."""
    path: Path


@dataclass(frozen=True)
class Raster:
    """A checked PNG or JPEG (a logo)."""
    path: Path


@dataclass(frozen=True)
class Qr:
    """A QR code carrying ``data`` (a URL): the writer encodes it (error correction M) and draws
    its modules as vector squares."""
    data: str


Asset = Svg | Raster | Qr


@dataclass
class Picture:
    """An asset (SVG, raster image, QR code) scaled into a box."""
    source: Asset
    x: float
    y: float
    w: float
    h: float
    role: str = "Figure"
    node: Node | None = None


@dataclass
class Link:
    """A clickable area of a page and the address it opens."""
    x: float
    y: float
    w: float
    h: float
    url: str


@dataclass
class FormField:
    """A fillable text field over a write-in line (for clinic staff who type before printing);
    ``label`` is its tooltip (what a screen reader says)."""
    name: str
    label: str
    x: float
    y: float
    w: float
    h: float
    lang: str
    node: Node


@dataclass
class OutlineEntry:
    """A bookmark: its title and where on which page it leads."""
    title: str
    page: int
    y: float
    level: int = 0


@dataclass
class Page:
    """A laid-out page: its size, its items in drawing order, its links and form fields."""
    width: float
    height: float
    items: list = field(default_factory=list)
    links: list = field(default_factory=list)
    fields: list = field(default_factory=list)      # FormField, in reading order
    slots: list = field(default_factory=list, repr=False, compare=False)   # clinic details drawn (stamp.py)
    in_slot: bool = field(default=False, repr=False, compare=False)


@dataclass
class LaidOut:
    """A laid-out document: its pages, outline, body size and warnings."""
    pages: list
    outline: list
    body_size: float
    warnings: list
    alts: dict = field(default_factory=dict)     # (lang, figure node) -> alternative text
    lang: str = ""                                # the document's language
    parts: tuple = ()                             # dual-language sheets: the languages, in order
    quote_lang: str | None = None                 # language of Latin-script terms in a non-Latin text
    print_boxes: PrintBoxes | None = None         # a print-shop copy: bleed and marks outside the trim
    lead_ins: frozenset = frozenset()             # nodes of the paragraphs kept with the list they introduce
    # stamped pages: what the pattern's own items are known to be (layout/stamp.py, Known)
    known: object = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class PrintBoxes:
    """The page boxes of a print-shop copy, in points outside the trim (the page's own size):
    the bleed (BleedBox) and the sheet with the marks (MediaBox)."""
    bleed: float
    media: float
