"""Stamping: one layout, every clinic.

Input: a :class:`LaidOut` laid out for one clinic (the pattern), whose pages recorded each call
that drew clinic details (a *slot*: the header band with the logo, the cover with the clinic's
name, the contact block, the footer, a partner's note), and another clinic's brand. Output: that
clinic's :class:`LaidOut`: the pattern's own items (the content, fitted and broken into lines
once) with each slot's items replaced by the same call's items drawn for that clinic, at the same
place in the display list, so the page is drawn in the same order as a layout of its own.

This holds because the layouts keep fixed room for clinic details (``brand_lines``, or the room
every clinic of the project needs): where the slots are does not depend on the clinic. What
does (the colours of text and bands) belongs to the pattern: the caller lays out one pattern per
colour set, and checks the stamped pages as any laid-out pages (conservation, page inspector).
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from itertools import count

from ..errors import LeafletError
from ..lru import Lru
from .items import LaidOut, Page, TextLine
from .setting import Ctx


@dataclass(frozen=True)
class Slot:
    """One recorded call: the drawing function, its arguments, what it added to the page (item
    and link index ranges), the number reserved for its lines' reading order and its warnings."""
    fn: object
    ctx: object          # a Ctx, or a list of them (a dual-language sheet's columns)
    args: tuple
    kwargs: dict
    items: tuple[int, int]
    links: tuple[int, int]
    seq: int
    warned: tuple
    result: object       # what the call returned (where it ended): a replay must return the same


def slot(fn):
    """Record calls of ``fn(ctx or [ctx, ...], page, ...)`` that draw on a page in
    ``page.slots`` (measuring calls, page None, are not recorded); a slot drawn inside another is
    part of it."""
    @functools.wraps(fn)
    def recorded(ctx, page, *args, **kwargs):
        if page is None or page.in_slot:
            return fn(ctx, page, *args, **kwargs)
        first = ctx[0] if isinstance(ctx, (list, tuple)) else ctx
        i0, l0, w0 = len(page.items), len(page.links), len(first.warnings)
        seq = next(first.seq)       # the slot's lines come after it (a replay numbers between)
        page.in_slot = True
        try:
            out = fn(ctx, page, *args, **kwargs)
        finally:
            page.in_slot = False
        page.slots.append(Slot(fn, ctx, args, kwargs, (i0, len(page.items)), (l0, len(page.links)), seq,
                               tuple(first.warnings[w0:]), out))
        return out
    return recorded


class OutOfSlot(LeafletError):
    """A clinic's details do not end where the pattern's did (the layout below them would move):
    the clinic is laid out on its own."""


def stamp(pattern: LaidOut, brand_for) -> LaidOut:
    """The pattern with every slot drawn again for another clinic (:class:`OutOfSlot`, or the
    room's own error, when one does not fit where the pattern's did). ``brand_for(ctx)`` gives the
    clinic's brand as ``ctx``'s language prints it. Its warnings are the pattern's, less those
    the pattern's slots gave, plus those the clinic's slots give."""
    pages, gave, dropped = [], [], []
    for page in pattern.pages:
        items, links = list(page.items), list(page.links)
        for s in reversed(page.slots):          # from the end: earlier index ranges stay valid
            seq = count(s.seq + 1e-4, 1e-4)     # between the pattern's numbers: the same order
            warnings: list = []
            swapped: dict = {}

            def one(v):
                if id(v) not in swapped:
                    swapped[id(v)] = dataclasses.replace(v, brand=brand_for(v), seq=seq, warnings=warnings)
                return swapped[id(v)]

            def swap(v):        # (not calling itself: a closure that does is a reference cycle)
                if isinstance(v, (list, tuple)) and v and all(isinstance(x, Ctx) for x in v):
                    return type(v)(one(x) for x in v)
                return one(v) if isinstance(v, Ctx) else v

            scratch = Page(page.width, page.height)
            scratch.in_slot = True
            got = s.fn(swap(s.ctx), scratch, *map(swap, s.args), **{k: swap(v) for k, v in s.kwargs.items()})
            if not _same(got, s.result):
                raise OutOfSlot(f"{getattr(s.fn, '__name__', s.fn)} ends at {got} for this clinic, at {s.result} "
                                "in the layout it is stamped into")
            items[s.items[0]:s.items[1]] = scratch.items
            links[s.links[0]:s.links[1]] = scratch.links
            gave = warnings + gave
            dropped += s.warned
        pages.append(Page(page.width, page.height, items, links, page.fields))
    kept = list(pattern.warnings)
    for w in dropped:
        if w in kept:
            kept.remove(w)
    return dataclasses.replace(pattern, pages=pages, warnings=kept + gave, known=known_of(pattern))


class Known:
    """What a pattern's own lines are, worked out once for every clinic stamped into it: the
    ink box of each text line, its glyphs' ink where asked for, how far two lines' ink overlaps.
    A line is known by what it draws and where (its shaped paragraph, the stretch of it, its
    place and size): the pattern's lines are kept in every variant, and a slot redrawn for a
    clinic sets many of the same lines again (the title, the headings and page facts of the
    furniture); only lines drawing a paragraph of the pattern's are kept (a clinic's own text
    is worked out in its own document). Each table is bounded (a line set at more places than
    the pattern has lines leaves the oldest out: it is worked out again, the same)."""

    def __init__(self, pattern: LaidOut):
        items = [i for page in pattern.pages for i in page.items]
        self.ids = frozenset(map(id, items))    # the pattern's items: a variant's others are fresh
        self._pages = pattern.pages
        self._memo: dict = {}
        self._kept: dict = {}
        self._clear: dict = {}
        self._conserved: object = False
        # the pattern's shaped paragraphs, kept alive with it: their identities stay theirs
        self.paragraphs = {id(i.paragraph): i.paragraph for i in items if hasattr(i, "paragraph")}
        # the pattern's own lines: item -> what is known of it (the fast way for most lines)
        self.own = {id(i): (i, {}) for i in items if hasattr(i, "paragraph")}
        bound = 2 * len(items) + 64
        self.boxes = Lru(None, bound)      # line -> its ink box (inspection._line_box)
        self.inks = Lru(None, bound)       # line -> its glyphs' ink boxes (inspection._ink)
        self.pairs = Lru(None, 4 * bound)  # (line, line) -> how far their ink overlaps

    def kept(self, index: int) -> tuple:
        """The text lines of the pattern's page ``index`` that no slot drew (every variant keeps
        them, in the same places), those with ink sorted by the bottom of their ink box: (lines,
        bottoms, the tallest ink box). Worked out once for all variants."""
        got = self._kept.get(index)
        if got is None:
            lines = [(i, self.boxes_of(i)) for i in self.unstamped(index)]
            lines = sorted(((i, b) for i, b in lines if b is not None), key=lambda lb: lb[1][2])
            got = self._kept[index] = ([i for i, _ in lines], [b[2] for _, b in lines],
                                       max((b[3] - b[2] for _, b in lines), default=0.0))
        return got

    def clear(self, index: int) -> tuple:
        """The ids of the text lines of the pattern's page ``index`` that no slot drew, and
        whether no two of them touch (inspection.line_collisions): worked out once for all
        variants."""
        got = self._clear.get(index)
        if got is None:
            from .inspection import touching
            lines = self.unstamped(index)
            kept, _, _ = self.kept(index)
            got = self._clear[index] = (frozenset(map(id, lines)),
                                        not touching([(i, self.boxes_of(i)) for i in kept], self))
        return got

    def boxes_of(self, line):
        """The ink box of one of the pattern's own lines (inspection._line_box), kept."""
        from .inspection import _known, _line_box
        return _known("boxes", line, _line_box, self)

    def conserved(self):
        """What the pattern's own lines draw, for conservation (conserve.kept_lines), once."""
        if self._conserved is False:
            from .conserve import kept_lines
            self._conserved = kept_lines(self._pages, self.unstamped)
        return self._conserved

    @property
    def pages(self) -> list:
        """The pattern's pages (as laid out for the pattern's own clinic)."""
        return self._pages

    def memo(self, key, make):
        """``make()``, worked out once for the pattern (a check's result on its own pages)."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def unstamped(self, index: int) -> list:
        """The text lines of the pattern's page ``index`` that no slot drew."""
        page = self._pages[index]
        drawn = {k for s in page.slots for k in range(*s.items)}
        return [i for k, i in enumerate(page.items) if k not in drawn and isinstance(i, TextLine)]

    def key(self, line):
        """What identifies a text line's ink, or None (not a paragraph of the pattern's)."""
        if not self.keeps(line.paragraph):
            return None
        return id(line.paragraph), line.line, line.x, line.y, line.size

    def keeps(self, paragraph) -> bool:
        """Whether one of the pattern's lines draws ``paragraph`` (its pieces stay worked out)."""
        return id(paragraph) in self.paragraphs


def known_of(pattern: LaidOut) -> Known:
    """The pattern's :class:`Known`, made with its first stamp and kept with it."""
    if pattern.known is None:
        pattern.known = Known(pattern)
    return pattern.known


def _same(a, b) -> bool:
    """The same place: equal, or numbers within a millionth of a point (the rows above it summed
    in another order round differently)."""
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) < 1e-6
    return a == b
