"""Setting text on a page: the context of one document in one language, and the helpers that
break shaped paragraphs into lines and place them.

Input: a :class:`Ctx` (handout, language, layout, brand, typesetter, body size), shaped
paragraphs, a box. Output: :class:`TextLine` items on a :class:`Page` (with their links), in the
order they are set (``seq``, the reading order the conservation check follows).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count

from ..brand import Brand
from ..content.model import Handout
from ..languages import Language
from ..text.paragraph import ShapedParagraph
from ..text.setter import Typesetter
from .items import Link, Node, Page, TextLine
from .spec import LayoutSpec


JUSTIFIED = frozenset({"block", "item", "summary"})     # node kinds whose text may be justified


@dataclass
class Ctx:
    handout: Handout
    lang: Language
    spec: LayoutSpec
    brand: Brand
    ts: Typesetter
    diagrams: dict
    size: float = 12.0
    lh: float = 1.45
    warnings: list = field(default_factory=list)
    alts: dict = field(default_factory=dict)      # (lang, figure node) -> alternative text
    notice_also: str | None = None
    keep_lists: bool = True      # short lists kept in one column (dropped only when they cannot be)
    seq: Iterator[int] = field(default_factory=count)   # numbers lines in the order they are set
    peers: tuple = ()       # the project's other brands: room for clinic details fits them all

    def sz(self, key: str) -> float:
        v = self.size * self.spec.scale[key]
        return max(v, self.spec.minimum.get(key, 0))


def break_lines(ctx: Ctx, sp: ShapedParagraph, width: float, size: float, where: str,
                balance: bool = False):
    """``balance``: a title's or heading's lines as even as they can be (ShapedParagraph.balanced)."""
    lines = sp.balanced(width / size) if balance else sp.lines(width / size)
    for ln in lines:
        if ln.forced:
            ctx.warnings.append(f"{where}: a word is wider than its column and was cut")
    return lines


def emit(ctx: Ctx, page: Page, sp: ShapedParagraph, lines, x: float, width: float, top: float,
          size: float, pitch: float, colour: str, role: str, node: Node, align: str | None = None):
    """Draw lines from ``top`` downwards; align follows the text direction unless given.
    Body text (paragraphs, list items, the summary) is justified as the language says
    (``justify``), all lines but a paragraph's last."""
    if align is None and role in ("P", "LBody") and node.kind in JUSTIFIED and ctx.lang.justify != "none":
        lines = [sp.justify(ln, width / size, ctx.lang.justify) for ln in lines]
    align = align or ("right" if ctx.lang.rtl else "left")
    y = top
    has_links = any(st.href for st in sp.styles)
    for ln in lines:
        w = ln.width * size
        if align == "right":
            lx = x + width - w
        elif align == "center":
            lx = x + (width - w) / 2
        else:
            lx = x
        baseline = y - (pitch - size) / 2 - size * 0.8
        page.items.append(TextLine(lx, baseline, size, colour, sp, ln, w, role, node, ctx.lang.code,
                                   next(ctx.seq)))
        if has_links:
            px = lx
            for p in sp.pieces(ln):
                if p.style.href:
                    page.links.append(Link(px, baseline - size * 0.25, p.width * size, size * 1.1, p.style.href))
                px += p.width * size
        y -= pitch
    return y


def fit_words(sp: ShapedParagraph, width: float, size: float, floor: float) -> float:
    """A display size no larger than ``size`` at which the longest word fits ``width``."""
    widest = sp.min_width()
    if widest * size <= width or widest == 0:
        return size
    return max(floor, width / widest * 0.98)
