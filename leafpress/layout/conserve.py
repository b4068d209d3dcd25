"""Content conservation: proof that no text is lost, repeated or reordered on the way to the page.

Input: a :class:`LaidOut` and, per language drawn on it, the :class:`Source` of its strings (the
handout, the language settings and the brand). Output: nothing when every grapheme cluster of the
content is drawn exactly once and in reading order, and every brand and language string is drawn
in full; otherwise a :class:`ContentLost` (a LeafletError) naming the section and the text.

How: every drawn line names its shaped paragraph and the text range it draws. Per paragraph the
ranges, in the order they were drawn, must tile its text exactly (start at 0, each line starting
where the last one ended, ending at its length) -- a lost or repeated line anywhere breaks the
tiling. Then each content text must be drawn as whole paragraphs exactly as many times as the
content has it, the section texts (headings, paragraphs, call-outs, list items) in content order,
and each brand and language string inside some whole paragraph. Runs on every document.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from icu4py.breakers import CharacterBreaker

from ..brand import Brand
from ..content.model import Figure, Handout, Status, texts_of
from ..errors import LeafletError
from ..languages import Language
from ..lru import Lru
from ..text.setter import set_form
from .items import LaidOut, Node, TextLine


class ContentLost(LeafletError):
    """Text of the content (or of the brand or language) is not drawn exactly once."""


@dataclass(frozen=True)
class Source:
    """Where the strings of one language on a document come from."""
    handout: Handout
    lang: Language
    brand: Brand
    furniture: bool = True      # page furniture (footer, contact) is set in this language


def clusters(text: str) -> int:
    """Number of grapheme clusters (extended, by ICU)."""
    return sum(1 for _ in CharacterBreaker(text, "en")) if text else 0


def _section_texts(h: Handout):
    """(section id, key, text) of what is set in the flow, in reading order; figure texts apart."""
    flow, figure = [], []
    for sec in h.sections:
        flow.append((sec.id, sec.heading.key, sec.heading.plain))
        for b in sec.blocks:
            if isinstance(b, Figure):
                figure.append((sec.id, b.caption.key, b.caption.plain))
                figure += [(sec.id, t.key, t.plain) for _, t in b.labels]
            else:
                flow += [(sec.id, t.key, t.plain) for t in texts_of(b)]
    return flow, figure


def check(laid: LaidOut, sources: list[Source], known=None) -> None:
    """Raise ContentLost at the first text that is not drawn exactly once, in order. ``known``:
    a stamped document's pattern's (stamp.Known): what the pattern's own lines draw is taken
    as worked out once for it, and only the clinic's new lines are followed (:func:`_stamped`);
    where that cannot say the document passes, the whole check runs (and words any error)."""
    if known is not None and _stamped(laid, sources, known):
        return
    tiles: dict = {}            # (lang, node, paragraph id) -> [paragraph, pos, copies, first seen]
    whole: dict = {}            # lang -> [(text, node, order)] paragraphs drawn completely
    drawn = sorted((i for page in laid.pages for i in page.items if isinstance(i, TextLine)),
                   key=lambda t: t.seq)
    for pi, page in enumerate(laid.pages):
        for item in page.items:
            if isinstance(item, TextLine) and not _on_page(item, page):
                _off_page(sources, item, pi)
    for order, item in enumerate(drawn):
        sp, ln = item.paragraph, item.line
        key = (item.lang, item.node, id(sp))
        t = tiles.get(key)
        if t is None:
            t = tiles[key] = [sp, 0, 0, order, item.role]
        if ln.start != t[1]:
            _lost(sources, item.lang, item.node, sp.text, t[1], ln.start)
        t[1] = ln.end
        if ln.end >= len(sp.text):
            whole.setdefault(item.lang, []).append((sp.text, item.node, t[3], item.role))
            t[1], t[3] = 0, order + 1
    for (lang, node, _), (sp, pos, _, _, _) in tiles.items():
        if pos:
            _lost(sources, lang, node, sp.text, pos, None)
    for src in sources:
        _check_language(src, whole.get(src.lang.code, []), whole)


_EXPECTED = Lru("conserve.expected", 64)


def _expected(h: Handout, lang: Language) -> tuple:
    """What a handout's content sets in a language, worked out once for every document of it
    (every layout and clinic): the flow and figure texts as the language sets them (a French
    space before "?" is narrow), the title and summary, how often each text is drawn (Lru.of:
    kept under the objects' identities, a new object never meets an old answer)."""
    return _EXPECTED.of((h, lang), (), lambda: _expected_of(h, lang))


def _expected_of(h: Handout, lang: Language) -> tuple:
    flow, figure = _section_texts(h)
    flow = [(sec, k, set_form(text, lang)) for sec, k, text in flow]
    figure = [(sec, k, set_form(text, lang)) for sec, k, text in figure]
    title, subtitle, summary = (set_form(t.plain, lang) if t else "" for t in (h.title, h.subtitle, h.summary))
    want = Counter(text for _, _, text in flow + figure if text)
    for text in (title, subtitle, summary):
        if text:
            want[text] += 1
    return (flow, figure, title, summary, want, {text for _, _, text in flow},
            [text for _, _, text in flow if text])


def _on_page(item: TextLine, page) -> bool:
    return (-0.5 <= item.x and item.x + item.width <= page.width + 0.5
            and item.y - item.size * 0.25 >= 0 and item.y + item.size * 0.75 <= page.height)


def kept_lines(pages: list, lines_of) -> tuple | None:
    """What the lines a pattern keeps in every variant (``lines_of(page index)``: those no slot
    drew) draw, for :func:`_stamped`: (their keys, {lang: [(text, node, first line's seq, role)]}
    of the paragraphs they draw whole, their seqs, the (language, text) of those drawn again), or
    None when they do not tile their paragraphs, are off the page or share seqs (then every
    variant is checked in full)."""
    lines = []
    for pi, page in enumerate(pages):
        for item in lines_of(pi):
            if not _on_page(item, page):
                return None
            lines.append(item)
    whole: dict = {}
    again: list = []
    tiles = _tile(sorted(lines, key=lambda t: t.seq), whole, again)
    seqs = {i.seq for i in lines}
    if tiles is None or len(seqs) != len(lines):
        return None
    return frozenset(tiles), whole, seqs, again


def _tile(lines: list, whole: dict, again: list) -> dict | None:
    """Each paragraph's lines (in reading order) tiling its text from the start, as
    :func:`check` follows them; the paragraphs drawn whole added to ``whole`` with their first
    line's seq, and the (language, text) of those drawn again to ``again`` (check orders a copy
    by where the last one ended: the caller looks at it whole where that order counts). None
    when one does not tile."""
    tiles: dict = {}
    for item in lines:
        sp, ln = item.paragraph, item.line
        key = (item.lang, item.node, id(sp))
        t = tiles.get(key)
        if t is None:
            t = tiles[key] = [0, item.seq, True]
        if ln.start != t[0]:
            return None
        t[0] = ln.end
        if ln.end >= len(sp.text):
            if not t[2]:
                again.append((item.lang, sp.text))
            whole.setdefault(item.lang, []).append((sp.text, item.node, t[1], item.role))
            t[0], t[2] = 0, False       # (a list's markers: the same paragraph, drawn again)
    if any(t[0] for t in tiles.values()):
        return None
    return tiles


def _stamped(laid: LaidOut, sources: list[Source], known) -> bool:
    """Whether a stamped document passes, from its pattern's own lines as worked out once
    (``known.conserved()``, :func:`kept_lines`) and its new lines: those on their pages, each
    of their paragraphs tiled once and none shared with the pattern's own lines; then every
    language's texts, as :func:`check` does, with the paragraphs in order of their first lines
    (a line's seq, all different: the same order as check's). False: not shown (check in full)."""
    base = known.conserved()
    if base is None:
        return False
    keys, kept_whole, seqs, kept_again = base
    fresh = []
    for page in laid.pages:
        for item in page.items:
            if isinstance(item, TextLine) and id(item) not in known.ids:
                if not _on_page(item, page):
                    return False
                if item.seq in seqs or (item.lang, item.node, id(item.paragraph)) in keys:
                    return False
                fresh.append(item)
    whole = {lang: list(entries) for lang, entries in kept_whole.items()}
    again = list(kept_again)
    if len({i.seq for i in fresh}) != len(fresh) or _tile(sorted(fresh, key=lambda t: t.seq), whole, again) is None:
        return False
    for src in sources:         # a section text drawn again (not a list's marker): order as check does
        flow_texts = _expected(src.handout, src.lang)[5]
        if any(lang == src.lang.code and text in flow_texts for lang, text in again):
            return False
    try:
        for src in sources:
            _check_language(src, whole.get(src.lang.code, []), whole)
    except ContentLost:
        return False
    return True


def _check_language(src: Source, drawn: list, every: dict) -> None:
    h, file = src.handout, src.handout.file
    flow, figure, title, summary, want, flow_texts, expected = _expected(h, src.lang)
    mine = [(text, node, o) for text, node, o, role in drawn if node.content and role != "Lbl"]
    got = Counter(text for text, _, _ in mine)
    for section, key, text in [("", "title", title), ("", "summary", summary)] + flow + figure:
        if text and got[text] != want[text]:
            n = clusters(text)
            raise ContentLost(
                f"{'section ' + repr(section) + ': ' if section else ''}{_quote(text)} is drawn "
                f"{got[text]} time(s), expected {want[text]} ({got[text] * n} grapheme clusters "
                f"drawn of {want[text] * n})", file=file, key=key, hint=_HINT)
    # Section texts in reading order (figures may float; furniture has its own places).
    seen = [text for text, _, _ in sorted(mine, key=lambda m: m[2]) if text in flow_texts]
    if seen != expected:
        i = next(i for i, (a, b) in enumerate(zip(seen, expected)) if a != b)
        section, key, _ = next(f for f in flow if f[2] == expected[i])
        raise ContentLost(f"section {section!r}: {_quote(expected[i])} is not drawn in reading order "
                          f"(found {_quote(seen[i])} in its place)", file=file, key=key, hint=_HINT)
    # Brand and language strings: each inside some paragraph drawn in full (any language); the
    # page furniture's paragraphs (where those strings are set) looked through first.
    everything = [text for lines in every.values() for text, node, _, _ in lines if not node.content] + \
        [text for lines in every.values() for text, node, _, _ in lines if node.content]
    b = src.brand
    strings = [("brand", b.file, "organisation", b.organisation), ("brand", b.file, "phone", b.phone),
               ("brand", b.file, "address", b.address),
               ("brand", b.file, "website", b.website.removeprefix("https://") if b.website else None),
               ("brand", b.file, "credit", b.credit), ("brand", b.file, "licence", b.licence),
               ("language", src.lang.file, "strings.contact", src.lang.strings["contact"]),
               ("content", file, "source_credit", h.source_credit.plain)]
    if not src.furniture:
        strings = strings[-1:]
    else:       # this handout's contact line and the clinic's note are set with the contact details
        if h.contact:
            strings.append(("content", file, "contact", h.contact.plain))
        if b.note(src.lang.code):
            strings.append(("brand", b.file, "note." + src.lang.code, b.note(src.lang.code)))
    if h.translation.status not in (Status.REVIEWED, Status.SOURCE):
        strings.append(("language", src.lang.file, "strings.draft_notice", src.lang.strings["draft_notice"]))
    for _, where, key, text in strings:
        text = set_form(text, src.lang) if text else text
        if text and not any(text in t for t in everything):
            raise ContentLost(f"{_quote(text)} is not drawn in full ({clusters(text)} grapheme clusters)",
                              file=where, key=key, hint=_HINT)


_HINT = "The press lost or repeated text: report this with the layout and language"


def _quote(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "…")


def _off_page(sources: list, item: TextLine, page: int) -> None:
    src = next((s for s in sources if s.lang.code == item.lang), sources[0])
    text = item.paragraph.text[item.line.start:item.line.end]
    raise ContentLost(f"the line {_quote(text)} is set outside page {page + 1}", file=src.handout.file,
                      key=str(item.node), hint=_HINT)


def _lost(sources: list, lang: str, node: Node, text: str, expected: int, got: int | None) -> None:
    """A paragraph's lines do not tile its text: name its section and the clusters missing or
    repeated."""
    src = next((s for s in sources if s.lang.code == lang), sources[0])
    section, key = "", str(node)
    for sid, k, t in _section_texts(src.handout)[0] + _section_texts(src.handout)[1]:
        if t == text:
            section, key = sid, k
            break
    if got is None:
        what = f"stops after {clusters(text[:expected])} of its {clusters(text)} grapheme clusters"
    elif got > expected:
        what = f"skips {clusters(text[expected:got])} grapheme cluster(s) ({_quote(text[expected:got])})"
    else:
        what = f"repeats {clusters(text[got:expected])} grapheme cluster(s) ({_quote(text[got:expected])})"
    raise ContentLost(f"{'section ' + repr(section) + ': ' if section else ''}the text {_quote(text)} {what}",
                      file=src.handout.file, key=key, hint=_HINT)
