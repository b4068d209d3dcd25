"""Flow: blocks into columns. Knows nothing of content, languages or page furniture.

Input: a list of :class:`FlowBlock` (each can say its line heights at a column width from a text
position, and draw some of them), a :class:`Frame` (a column on a page) and a :class:`Cursor`
(which block, which text position). Output: a :class:`Fill` -- the cursor where the flow goes on,
where the last block ended, and an :class:`Overflow` when the first block does not fit an empty
frame. Rules: a heading or a list's lead-in never ends a column, a short list stays together
(keep with next, chained), a list item or call-out never
splits (one taller than a whole column splits between its parts), a paragraph leaves at least
two lines on each side of a break, a figure that does not
fit may wait for the next column while the text after it moves up.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass



@dataclass(frozen=True)
class Overflow:
    """Why an attempt failed: the section where content stops fitting and by about how much.
    ``column`` is set when one block is taller than a whole empty column (it fits nowhere)."""
    section: str
    missing: float
    column: bool = False
    region: str | None = None     # a fixed region (cover, summary, contact...) taller than its panel


@dataclass(frozen=True)
class Cursor:
    """Where the flow continues: a block, and a position in its text (0: its start)."""
    block: int = 0
    offset: int = 0


@dataclass(frozen=True)
class Fill:
    """What filling one column did: where to continue, where the last block ended, and whether
    the first block could not go in although the column was empty (``stuck``)."""
    cursor: Cursor
    y: float
    stuck: Overflow | None = None


@dataclass
class Frame:
    """A column (or part of one) that blocks flow into: its page, place and size."""
    page: int
    x: float
    top: float
    width: float
    height: float
    whole: bool | None = None     # a whole column (None: taken to be one unless it is less than
                                  # half the height it starts at, like a body under a summary)

    @property
    def is_whole(self) -> bool:
        return self.whole if self.whole is not None else self.height >= 0.5 * self.top


@dataclass
class FlowBlock:
    """Something that goes into columns. ``heights(width, offset)``: the heights of its lines
    from text position ``offset`` at a column width (one entry for unsplittable blocks);
    ``draw(pages, frame, offset, n, top)`` draws ``n`` of them and returns the text position
    where the rest continues. Heights are always worked out at the width of the column the
    block goes into, and a split paragraph resumes at a text position, never a line index."""
    section: str
    heights: Callable[[float, int], list]
    draw: Callable[..., int]
    space_before: float = 0.0
    keep_together: bool = True
    keep_with_next: bool = False  # a heading, a list's lead-in: never the last thing in a column
    keep_group: bool = False      # an item of a short list: kept with the next where a column can
    floats: bool = False          # a figure may wait for the next column, text moving up past it
    split_tall: bool = False      # kept together, but split between its parts (one at least on
                                  # each side) when taller than a whole empty column (a call-out)
    breaks: Callable[[float, int, int], bool] | None = None   # may it split after n units from
                                  # offset at this width? (None: anywhere)


def fill(pages: list, fr: Frame, blocks: list, cur: Cursor, may_skip: bool = False) -> Fill:
    """Place blocks into one column frame, from ``cur``: where to continue and where it ended.
    ``stuck`` is set when the first block does not fit although the frame is empty. ``may_skip``:
    the frame is what is left of a page and the next one is whole, so even the first block waits
    for the next page rather than leave a heading alone at the foot of this one."""
    y = fr.top
    used = 0.0          # fr.top - used is where the last block ended (summed, not stepped)
    first_in_frame = True
    bi, off = cur.block, cur.offset
    settled = -1        # the last block of a chain already decided on
    stop = None         # where a short list split to fill a large hole goes on in the next frame
    w = fr.width
    while bi < len(blocks):
        b = blocks[bi]
        space = 0.0 if first_in_frame else b.space_before
        avail = y - space - (fr.top - fr.height)
        rest = b.heights(w, off)
        need = sum(rest)
        if (b.keep_with_next or b.keep_group) and bi + 1 < len(blocks) and bi > settled:
            # The head of a chain of blocks kept together (a heading, a list's lead-in, then
            # the items of a short list) decides for all of it: it goes on only if the chain and
            # the start of what follows fit here. A chain taller than a whole column needs only
            # its strong links (heading, lead-in) and the block after them; the rest may split.
            def chain(strong: bool) -> tuple[float, int]:
                total, k = need, bi
                while k + 1 < len(blocks) and (blocks[k].keep_with_next or (not strong and blocks[k].keep_group)):
                    nxt = blocks[k + 1]
                    nh = nxt.heights(w, 0)
                    tall = nxt.split_tall and len(nh) > 1 and sum(nh) > fr.height + 0.01 and (
                        fr.is_whole)
                    whole = (nxt.keep_together or len(nh) < 4) and not tall or (
                        nxt.keep_with_next or (not strong and nxt.keep_group)) and k + 2 < len(blocks)
                    total += nxt.space_before + (sum(nh) if whole else sum(nh[:1 if tall else 2]))
                    k += 1
                return total, k
            target, end = chain(False)
            if target > fr.height + 0.01:
                target, _ = chain(True)
            if target > avail + 0.01:
                # At the top of a frame too short for it (under a summary, or what is left of a
                # flowing leaflet's first page: ``may_skip``), it waits for the next; at the top
                # of a whole column it goes in as it can. A short list that would leave a large
                # hole by waiting splits instead, two items at least on each side.
                whole = fr.is_whole
                stop = _group_split(blocks, bi, w, need, avail, fr.height) if not first_in_frame else None
                if stop is None and (not first_in_frame or not whole or may_skip):
                    return Fill(Cursor(bi, off), fr.top - used)
            settled = end       # the blocks of this chain go on without asking again
        if bi == stop:
            return Fill(Cursor(bi, off), fr.top - used)
        if need <= avail + 0.01:
            b.draw(pages, fr, off, len(rest), y - space)
            y -= space + need
            used += space + need
            bi, off = bi + 1, 0
            first_in_frame = False
            continue
        if b.floats and not first_in_frame and bi + 1 < len(blocks) and not blocks[bi + 1].floats \
                and not blocks[bi + 1].keep_with_next:
            # A figure that does not fit here waits for the next column; the text after it
            # moves up to fill this one (its place in the reading order is kept by the tags).
            blocks[bi], blocks[bi + 1] = blocks[bi + 1], blocks[bi]
            continue
        whole_column = fr.is_whole
        tall = b.split_tall and len(rest) > 1 and need > fr.height + 0.01 and whole_column
        if (b.keep_together or len(rest) < 4) and not tall:
            if first_in_frame and not may_skip:       # taller than the whole frame
                return Fill(Cursor(bi, off), fr.top - used, Overflow(b.section, need - avail, column=True))
            return Fill(Cursor(bi, off), fr.top - used)
        # Split a paragraph: at least two lines here and two in the next column (a call-out
        # taller than a column: at least one of its parts).
        least = 1 if tall else 2
        n, acc = 0, 0.0
        while n < len(rest) and acc + rest[n] <= avail + 0.01:
            acc += rest[n]
            n += 1
        n = min(n, len(rest) - least)
        while b.breaks is not None and n >= least and not b.breaks(w, off, n):
            n -= 1          # not after a list's lead-in, nor after a hyphenated line
        if n < least:
            if first_in_frame and not may_skip:
                return Fill(Cursor(bi, off), fr.top - used, Overflow(b.section, need - avail, column=True))
            return Fill(Cursor(bi, off), fr.top - used)
        off = b.draw(pages, fr, off, n, y - space)
        return Fill(Cursor(bi, off), fr.top - used - space - sum(rest[:n]))
    return Fill(Cursor(bi, off), fr.top - used)


LARGE_HOLE = 0.2    # of a frame's height: a kept-together list may split rather than leave this empty
LEAST_ITEMS = 2     # items of a split short list on each side of the break


def _group_split(blocks: list, bi: int, w: float, need: float, avail: float, height: float) -> int | None:
    """Where a chain from ``bi`` (its strong links: a heading, a lead-in; then a short list's
    items) may end in a frame with ``avail`` points left: the index of the first item that goes
    on in the next frame. None when waiting would leave less than LARGE_HOLE of the frame empty,
    or when no break leaves LEAST_ITEMS items on each side, all of them whole, fitting here."""
    if avail < LARGE_HOLE * height:
        return None
    total, k = need, bi
    while k + 1 < len(blocks) and blocks[k].keep_with_next:       # the heading and lead-in
        k += 1
        total += blocks[k].space_before + sum(blocks[k].heights(w, 0))
    if not blocks[k].keep_group:
        return None             # no short list here (or not after its strong links)
    first = k
    while blocks[k].keep_group and k + 1 < len(blocks):
        k += 1
    last = k                    # the list's last item (no longer kept with the next)
    if last - first + 1 < 2 * LEAST_ITEMS:
        return None
    best = None
    for j in range(first + 1, last - LEAST_ITEMS + 2):     # items first..j-1 here, j..last next
        if j - first >= LEAST_ITEMS and total <= avail + 0.01:
            best = j
        total += blocks[j].space_before + sum(blocks[j].heights(w, 0))
    return best


def kept_with(nxt: FlowBlock, width: float) -> float:
    """What of the block after a heading must share its column: all of it if it cannot be split
    (kept together, or under four lines: two must stay on each side of a break), else two lines."""
    nh = nxt.heights(width, 0)
    return nxt.space_before + (sum(nh) if nxt.keep_together or len(nh) < 4 else sum(nh[:2]))


def opening_fits(blocks: list, width: float, avail: float) -> bool:
    """Whether a run of blocks can start in ``avail`` points: its first block, and if that is a
    heading, what must come with it."""
    if not blocks:
        return True
    need = sum(blocks[0].heights(width, 0))
    if blocks[0].keep_with_next and len(blocks) > 1:
        need += kept_with(blocks[1], width)
    return need <= avail + 0.01


def whole(measure: Callable[[float], float]) -> Callable[[float, int], list]:
    """Heights of an unsplittable block: one entry, measured once per column width."""
    seen: dict = {}

    def heights(width, off):
        if width not in seen:
            seen[width] = [measure(width)]
        return seen[width]
    return heights
