"""Checks that protect patients: reading level, type size, contrast, translation status and
staleness, review dates, images, links, and mixed-direction runs a reader would misread.

Input: loaded handouts (per language) and laid-out documents. Output: :class:`Finding` objects
(handout, lang, layout, check, severity, where, message, and whether it blocks a release).
``check`` prints them; ``build`` records them in the manifest; ``--release`` turns the
release-blocking ones into failures. Thresholds are documented in the README.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import asdict, dataclass

from .content.inline import InlineError, check_url
from .content.model import (Bullets, Callout, Figure, Handout, Paragraph, Section, Status, Steps, Table,
                            WriteIn, text_parts, texts_of, unknown_kind)
from .layout.items import Box, LaidOut, Picture, Raster, TextLine
from .text.bidi import misread_runs

TARGET_GRADE = 7.0
REVIEW_MONTHS = 24
MIN_DPI = 300


@dataclass(frozen=True)
class Finding:
    """A check's finding about a handout (or a document): what, where, how serious."""
    handout: str
    lang: str
    layout: str
    check: str
    severity: str          # "error" | "warning" | "info"
    where: str
    message: str
    release_blocking: bool = False

    def as_dict(self) -> dict:
        return asdict(self)

    def line(self) -> str:
        place = f"{self.where}: " if self.where else ""
        return f"{self.check}: {place}{self.message}"


# -- content fingerprints (for staleness) ---------------------------------------------------------
def section_hash(section: Section) -> str:
    """A short fingerprint of what a section says in the source language."""
    h = hashlib.sha256(section.heading.raw.encode())
    for b in section.blocks:
        h.update(b.kind.encode())
        if isinstance(b, Paragraph) or (isinstance(b, Callout) and b.text is not None):
            h.update(b.text.raw.encode())
        elif isinstance(b, (Bullets, Steps)):
            for t in b.items:
                h.update(b"\0" + t.raw.encode())
        elif isinstance(b, Figure):
            for part in (b.diagram or "image:" + str(b.image), b.caption.raw, b.alt.raw,
                         *(k + "=" + v.raw for k, v in b.labels)):
                h.update(b"\0" + part.encode())
        elif isinstance(b, (Callout, Table, WriteIn)):
            h.update(b"\0" + str(getattr(b, "tone", "")).encode())
            for key, t in text_parts(b):      # a write-in's form flag is not wording
                key = key[-1:] if isinstance(b, WriteIn) else key
                h.update(b"\0" + ".".join(map(str, key)).encode() + b"=" + t.raw.encode())
        else:
            raise unknown_kind(b, "checks.section_hash")
    return h.hexdigest()[:10]


FRONT = "front matter (title, subtitle, summary, credit)"


def front_hash(h: Handout) -> str:
    """A short fingerprint of the texts outside the sections: title, subtitle, summary, credit
    (and the handout's contact line, when it has one)."""
    parts = [h.title.raw, h.subtitle.raw if h.subtitle else "", h.summary.raw, h.source_credit.raw]
    parts += [h.contact.raw] if h.contact else []
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:10]


# -- per handout and language ---------------------------------------------------------------------
def handout_findings(h: Handout, source: Handout, today: dt.date | None = None,
                     reading: bool = True, rtl: bool = False) -> list[Finding]:
    today = today or dt.date.today()
    out: list[Finding] = []

    def add(check, severity, where, message, blocking=False):
        out.append(Finding(h.id, h.lang, "", check, severity, where, message, blocking))

    settings = source.checks
    target = float(settings.get("target_grade", TARGET_GRADE))
    months = int(settings.get("review_months", REVIEW_MONTHS))

    # Reading level, per section and for the whole handout (the documents' own checks do not
    # read levels: a process that only builds never imports the scoring).
    if reading:
        from . import readability
    whole = [h.summary.plain]
    measured = readability.scores(h.summary.plain, h.lang) if reading else []
    if measured is None:
        add("reading-level", "info", h.file, "not measured: no validated readability formula for "
            f"this language here ({readability.MEASURED} only)")
    elif reading:
        parts = [(f"{h.file} sections ({s.id})", _section_text(s)) for s in h.sections]
        if h.contact is not None:       # the handout's own contact line is read like a section
            parts.append((f"{h.file} contact", h.contact.plain))
        for where, text in parts:
            whole.append(text)
            for sc, hard in _levels(text, h.lang, target):
                if hard:
                    add("reading-level", "warning", where,
                        f"{sc.name} {sc.value:g} is harder than the target (grade {target:g})")
        # English: SMOG is the headline grade and decides; Flesch-Kincaid is shown beside it.
        for k, sc in enumerate(readability.scores(readability.running_text(whole), h.lang) or []):
            decides = k == 0 or sc.name != "Flesch-Kincaid grade"
            sev = "warning" if decides and readability.too_hard(sc, target) else "info"
            headline = " (headline grade)" if sc.name == "SMOG grade" else ""
            add("reading-level", sev, h.file,
                f"whole handout: {sc.name} {sc.value:g}{headline} (target grade {target:g})")

    # Translation status and staleness.
    t = h.translation
    if t.status is Status.DRAFT:
        add("translation", "warning", f"{h.file} translation.status",
            "draft translation: not yet reviewed by a medical translator", blocking=True)
    if t.status is not Status.SOURCE:
        if not t.translated_from:
            add("translation", "warning", f"{h.file} translation",
                "it does not record which source version it was translated from; run "
                f"'python generate.py stamp --handout {h.id} --lang {h.lang}' once it matches the source",
                blocking=True)
        else:
            recorded = dict(t.translated_from)
            changed = [s.id for s in source.sections if recorded.get(s.id) != section_hash(s)]
            if t.front_from is not None and t.front_from != front_hash(source):
                changed.insert(0, FRONT)     # recorded since stamp and import record it
            gone = sorted(set(recorded) - {s.id for s in source.sections})
            if changed or gone:
                detail = ", ".join(changed + [f"{g} (removed)" for g in gone])
                add("translation", "warning", f"{h.file} translation",
                    f"stale: the source ({source.file}) changed since this translation, in section(s) {detail}",
                    blocking=True)

    # Review date.
    age = (today.year - h.last_reviewed.year) * 12 + today.month - h.last_reviewed.month
    if age > months:
        add("review-date", "warning", f"{h.file} last_reviewed",
            f"last reviewed {h.last_reviewed.isoformat()}, {age} months ago (review every {months} months)",
            blocking=True)

    # Mixed-direction runs in right-to-left text that would print out of their typed order.
    for key, rtl_text in h.texts() if rtl else ():
        for typed, shown in misread_runs(rtl_text.plain, rtl):
            add("bidi", "warning", f"{h.file} {key}",
                f"\"{typed}\" will print as \"{shown}\" (left to right on the page) in this "
                "right-to-left text, and a reader may misread it: put U+2066 (LRI) before it and "
                "U+2069 (PDI) after it, in YAML \"\\u2066" + typed + "\\u2069\", or reword",
                blocking=True)

    # Links in the content.
    for key, content_text in h.texts():
        for span in content_text.spans:
            if span.href:
                try:
                    check_url(span.href)
                except InlineError as exc:
                    add("links", "error", f"{h.file} {key}", str(exc), blocking=True)
    return out


def note_findings(handout: str, lang: str, brand: str, note: str, target: float = TARGET_GRADE) -> list[Finding]:
    """Reading level of a partner clinic's own note in one language (it is printed on that
    clinic's leaflets beside the handout's text): a warning when harder than the handout's target
    grade, the scores as info otherwise; "not measured" findings are left to the handout's own."""
    out = []
    from .brand import PARTNER_FILE     # (the partners file's loader: only when there are notes)
    where = f"{PARTNER_FILE} ({brand}).note.{lang}"
    for sc, hard in _levels(note, lang, target):
        out.append(Finding(handout, lang, "", "reading-level", "warning" if hard else "info", where,
                           f"clinic note: {sc.name} {sc.value:g}" + (
                               f" is harder than the target (grade {target:g})" if hard else
                               f" (target grade {target:g})")))
    return out


def _levels(text: str, lang: str, target: float) -> list:
    """(score, harder than the target) for each score of ``text``; SMOG is never the one that
    warns on a part (too few sentences in a section)."""
    from . import readability
    return [(sc, sc.name != "SMOG grade" and readability.too_hard(sc, target))
            for sc in readability.scores(text, lang) or []]


def _section_text(s: Section) -> str:
    """What a section gives to read, for the reading level: not its heading (a heading is not
    a sentence) nor diagram labels; each list item a sentence of its own."""
    from . import readability
    parts = []
    for b in s.blocks:
        if isinstance(b, Paragraph):
            parts.append(b.text.plain)
        elif isinstance(b, Callout):
            parts += [t.plain for t in texts_of(b)]
        elif isinstance(b, (Bullets, Steps)):
            parts += [t.plain for t in b.items]
        elif isinstance(b, Figure):
            parts.append(b.caption.plain)
        elif isinstance(b, (Table, WriteIn)):
            pass        # cells and labels are not running sentences (their size and contrast are checked)
        else:
            raise unknown_kind(b, "checks._section_text")
    return readability.running_text(parts)


# -- per document (what will be drawn) ------------------------------------------------------------
def luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


@functools.lru_cache(maxsize=4096)
def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (kept: a document asks for the same few pairs once a line)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def document_findings(h: Handout, layout: str, laid: LaidOut, body_floor: float, text_floor: float,
                      brand_file: str, online_url: str | None) -> list[Finding]:
    out: list[Finding] = []
    known = laid.known
    if known is not None and _stamped_clean(h, layout, laid, body_floor, text_floor, online_url, known):
        return out

    def add(check, severity, where, message, blocking=False):
        out.append(Finding(h.id, h.lang, layout, check, severity, where, message, blocking))

    if laid.body_size < body_floor:
        add("type-size", "error", f"layouts/{layout}.yaml", f"body text at {laid.body_size:g} pt is under "
            f"{body_floor:g} pt", blocking=True)
    seen = set()
    for pi, page in enumerate(laid.pages):
        background = [("#FFFFFF", None)]
        for item in page.items:
            if isinstance(item, Box) and item.fill:
                background.append((item.fill, item))
            elif isinstance(item, TextLine):
                small, (bg, large, need, ratio) = _line_faults(item, background, text_floor)
                if small and ("small", item.role) not in seen:
                    seen.add(("small", item.role))
                    add("type-size", "error", f"page {pi + 1}", f"{item.role} text at {item.size:g} pt is under "
                        f"{text_floor:g} pt, this layout's smallest size", blocking=True)
                key = ("contrast", item.colour, bg, large)
                if ratio < need and key not in seen:
                    seen.add(key)
                    add("contrast", "error", f"{brand_file} colours (page {pi + 1}, {item.role})",
                        f"text {item.colour} on {bg} has a contrast of {ratio:.2f}:1, under {need:g}:1 "
                        "(WCAG 1.4.3)", blocking=True)
            elif isinstance(item, Picture) and isinstance(item.source, Raster):
                out.extend(image_findings(h, layout, item, h.file if item.node is not None and item.node.content
                                          else brand_file))
        for link in page.links:
            try:
                check_url(link.url)
            except InlineError as exc:
                add("links", "error", f"page {pi + 1}", str(exc), blocking=True)
    if online_url:
        try:
            check_url(online_url)
        except InlineError as exc:
            add("links", "error", f"{brand_file} online_url", str(exc), blocking=True)
    return out


def _line_faults(item: TextLine, background: list, text_floor: float) -> tuple:
    """One text line's type size and contrast: (under the layout's smallest size, (the fill
    behind it, whether it is large text, the contrast it needs, the contrast it has))."""
    bg = _behind(item, background)
    large = item.size >= 18 or (item.size >= 14 and any("Bold" in p.font.name for p in item.pieces))
    return bool(text_floor and item.size < text_floor - 0.01), (bg, large, 3.0 if large else 4.5,
                                                              contrast(item.colour, bg))


def _stamped_clean(h: Handout, layout: str, laid: LaidOut, body_floor: float, text_floor: float,
                   online_url: str | None, known) -> bool:
    """Whether a stamped document (``known``: its pattern's, layout/stamp.py) has no finding,
    shown from its new items: its pattern's pages had none (worked out once per pattern and
    floors), each page's filled boxes are the pattern's in colour and place and come in the
    same order among the lines it keeps (so each kept line has the background it had), and no
    new line, picture, link or the clinic's online address gives one. False: not shown (every
    item is checked, and the findings worded)."""
    if laid.body_size < body_floor:
        return False
    base = known.memo(("findings", h.id, h.lang, layout, body_floor, text_floor), lambda: (
        not document_findings(h, layout, LaidOut(known.pages, [], laid.body_size, []), body_floor, text_floor,
                              "", None),
        [_backgrounds(page.items, known.clear(pi)[0]) for pi, page in enumerate(known.pages)]))
    clean, fills = base
    if not clean or len(laid.pages) != len(fills):
        return False
    ids = known.ids
    try:
        for pi, page in enumerate(laid.pages):
            if _backgrounds(page.items, ids) != fills[pi]:
                return False
            background = [("#FFFFFF", None)]
            for item in page.items:
                if isinstance(item, Box):
                    if item.fill:
                        background.append((item.fill, item))
                elif id(item) in ids:
                    continue        # the pattern's own, with the background it had: clean
                elif isinstance(item, TextLine):
                    small, (_, _, need, ratio) = _line_faults(item, background, text_floor)
                    if small or ratio < need:
                        return False
                elif isinstance(item, Picture) and isinstance(item.source, Raster):
                    if image_findings(h, layout, item, ""):
                        return False
            for link in page.links:
                check_url(link.url)
        if online_url:
            check_url(online_url)
    except InlineError:
        return False
    return True


def _backgrounds(items: list, kept) -> list:
    """The filled boxes of a page (colour and place) in order among the text lines in ``kept``
    (ids): the backgrounds each of those lines is set on."""
    return [(i.fill, i.x, i.y, i.w, i.h) if isinstance(i, Box) else id(i) for i in items
            if (isinstance(i, Box) and i.fill) or (isinstance(i, TextLine) and id(i) in kept)]


def _behind(item: TextLine, background: list) -> str:
    """The fill under the middle of a text line: the last box drawn there, else the paper."""
    x, y = item.x + item.width / 2, item.y + item.size * 0.3
    for fill, box in reversed(background):
        if box is None or (box.x <= x <= box.x + box.w and box.y <= y <= box.y + box.h):
            return fill
    return "#FFFFFF"


def image_findings(h: Handout, layout: str, pic: Picture, where: str) -> list[Finding]:
    from PIL import Image
    with Image.open(pic.source.path) as im:
        px_w, px_h = im.size
    dpi = min(px_w / (pic.w / 72), px_h / (pic.h / 72))
    if dpi < MIN_DPI:
        return [Finding(h.id, h.lang, layout, "images", "warning", f"{where} ({pic.source.path.name})",
                        f"printed at {dpi:.0f} dpi, under {MIN_DPI} dpi: it will look blurred; use a "
                        f"larger image or an SVG")]
    return []
