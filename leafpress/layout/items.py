"""The page display list: what layout hands to the renderer.

Every item keeps the semantic role of what it draws (``H1``, ``H2``, ``P``, ``LI``/``Lbl``/
``LBody``, ``Figure``, ``Caption``, ``Note``, ``Artifact``) and a node id grouping the items of one
content element, so the renderer can write bookmarks now and a tagged structure later.
Coordinates are PDF points, origin bottom-left.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..text.paragraph import Line, ShapedParagraph


@dataclass
class TextLine:
    x: float                 # left edge where the first visual glyph starts
    y: float                 # baseline
    size: float
    colour: str
    paragraph: ShapedParagraph   # shaped once: its glyphs, clusters and text
    line: Line                   # the stretch of it on this line
    width: float             # points
    role: str
    node: str
    lang: str
    seq: int = 0             # the order lines were set in (reading order of a flow, not page order)

    @property
    def pieces(self) -> list:
        """Glyph pieces in visual order (worked out only for lines that get drawn)."""
        return self.paragraph.pieces(self.line)


@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float
    fill: str | None = None
    stroke: str | None = None
    stroke_width: float = 0.0
    radius: float = 0.0
    role: str = "Artifact"
    node: str = ""


@dataclass
class Rule:
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str
    width: float = 0.75
    role: str = "Artifact"
    node: str = ""
    dot: float = 0.0         # radius of a dot drawn at (x2, y2), for leader lines


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
    node: str = ""


@dataclass
class Link:
    x: float
    y: float
    w: float
    h: float
    url: str


@dataclass
class OutlineEntry:
    title: str
    page: int
    y: float
    level: int = 0


@dataclass
class Page:
    width: float
    height: float
    items: list = field(default_factory=list)
    links: list = field(default_factory=list)


@dataclass
class LaidOut:
    pages: list
    outline: list
    body_size: float
    warnings: list
    alts: dict = field(default_factory=dict)     # (lang, figure node) -> alternative text
    lang: str = ""                                # the document's language
    parts: tuple = ()                             # dual-language sheets: the languages, in order
    quote_lang: str | None = None                 # language of Latin-script terms in a non-Latin text
