"""Every translatable string of one handout in one language, as units.

Input: the source handout, the translation (both loaded), and the two languages' settings.
Output: :class:`Unit` objects in reading order, each with a stable id from its content path
(``sections.what.blocks.0.paragraph``, ``sections.parts.blocks.1.figure.labels.port``,
``ui.draft_notice``), the source text, the current translation, a note for the translator, the
source fingerprint it was stamped against and its state.

States: ``new`` (no translation yet), ``needs-review`` (the source changed since the translation
was stamped, or it was never stamped), ``translated``, ``reviewed`` (the whole translation was
signed off, or this unit was marked reviewed in a translation tool).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..checks import front_hash, section_hash
from ..content.model import Bullets, Callout, Figure, Handout, Paragraph, Status, Steps, Text, unknown_kind

NEW, NEEDS_REVIEW, TRANSLATED, REVIEWED = "new", "needs-review", "translated", "reviewed"
STATES = (NEW, NEEDS_REVIEW, TRANSLATED, REVIEWED)
FRONT = "front"          # the group of the texts outside the sections (one fingerprint covers them)
LABEL_CHARS = 18          # what a diagram call-out holds comfortably (more switches to a key)
LABEL_LIMIT = 30          # beyond this a label is refused: write it shorter
INLINE_NOTE = "Keep the **bold**, *italic* and [text](link) markers around the same words."


@dataclass(frozen=True)
class Unit:
    id: str
    path: tuple            # where the text lives in its YAML file (section ids, not indexes)
    source: str
    target: str | None
    note: str
    state: str
    section: str | None = None     # the source section it belongs to (its fingerprint covers it);
                                   # FRONT for the title, subtitle, summary and credit
    stamped: str | None = None     # the section fingerprint the translation was stamped against
    current: str | None = None     # the source section's fingerprint now
    where: str = "handout"         # "handout" (handouts/<id>/<lang>.yaml) or "language" (assets/languages)
    limit: int | None = None       # most characters allowed (diagram labels)


def _lookup(tr: Handout | None, sid: str | None, j: int | None, kind: str | None, part) -> Text | None:
    """The translation's text at the same content path, or None when it has none."""
    if tr is None:
        return None
    if sid is None:
        return getattr(tr, part, None)
    sec = next((s for s in tr.sections if s.id == sid), None)
    if sec is None:
        return None
    if j is None:
        return sec.heading
    if j >= len(sec.blocks) or sec.blocks[j].kind != kind:
        return None
    b = sec.blocks[j]
    if isinstance(b, (Paragraph, Callout)):
        return b.text
    if isinstance(b, (Bullets, Steps)):
        return b.items[part] if part < len(b.items) else None
    if isinstance(b, Figure):
        if isinstance(part, tuple):
            return b.label(part[1])
        return getattr(b, part)
    return None


def _count(tr: Handout, sid: str, j: int, kind: str) -> int | None:
    sec = next((s for s in tr.sections if s.id == sid), None)
    if sec is None or j >= len(sec.blocks) or sec.blocks[j].kind != kind:
        return None
    return len(sec.blocks[j].items)


def handout_units(source: Handout, tr: Handout | None, src_strings: dict, tr_strings: dict) -> list[Unit]:
    """The units of one translation, in reading order (language strings last)."""
    t = tr.translation if tr is not None else None
    recorded = dict(t.translated_from) if t else {}
    signed = t is not None and t.status is Status.REVIEWED
    marked = set(t.reviewed_units) if t else set()
    out: list[Unit] = []

    def add(uid, path, text: Text, found: Text | None, note, sid=FRONT, limit=None):
        if sid == FRONT:        # stale only once a front fingerprint was recorded (older files have none)
            current, stamped = front_hash(source), (t.front_from if t else None)
            stale = stamped is not None and stamped != current
        else:
            current, stamped = section_hash(next(s for s in source.sections if s.id == sid)), recorded.get(sid)
            stale = stamped != current
        if found is None:
            state = NEW
        elif stale:
            state = NEEDS_REVIEW
        elif signed or uid in marked:
            state = REVIEWED
        else:
            state = TRANSLATED
        out.append(Unit(uid, path, text.raw, found.raw if found else None, note, state, sid, stamped,
                        current, "handout", limit))

    add("title", ("title",), source.title, _lookup(tr, None, None, None, "title"),
        "Leaflet title, printed large on the cover: keep it short.")
    if source.subtitle:
        add("subtitle", ("subtitle",), source.subtitle, _lookup(tr, None, None, None, "subtitle"),
            "Subtitle under the title.")
    add("summary", ("summary",), source.summary, _lookup(tr, None, None, None, "summary"),
        "Summary: the main message, printed first in a tinted box.")
    n_sec = len(source.sections)
    for i, s in enumerate(source.sections, 1):
        base = ("sections", s.id)
        add(f"sections.{s.id}.heading", base + ("heading",), s.heading, _lookup(tr, s.id, None, None, None),
            f"Section heading {i} of {n_sec} (section '{s.id}'): a short heading, not a sentence.", s.id)
        for j, b in enumerate(s.blocks):
            p = base + ("blocks", j, b.kind)
            uid = f"sections.{s.id}.blocks.{j}.{b.kind}"
            if isinstance(b, Paragraph):
                add(uid, p, b.text, _lookup(tr, s.id, j, b.kind, None),
                    f"Paragraph in section '{s.id}'. {INLINE_NOTE}", s.id)
            elif isinstance(b, Callout):
                add(uid, p, b.text, _lookup(tr, s.id, j, b.kind, None),
                    f"Call-out box: the key point of section '{s.id}', in a tinted box. {INLINE_NOTE}", s.id)
            elif isinstance(b, (Bullets, Steps)):
                what = "Bulleted list item" if isinstance(b, Bullets) else "Numbered step"
                moved = ""
                if tr is not None and _count(tr, s.id, j, b.kind) not in (None, len(b.items)):
                    moved = (f" The source list now has {len(b.items)} items and the translation "
                             f"{_count(tr, s.id, j, b.kind)}: items may have moved; check each one.")
                for k, item in enumerate(b.items):
                    add(f"{uid}.{k}", p + (k,), item, _lookup(tr, s.id, j, b.kind, k),
                        f"{what} {k + 1} of {len(b.items)} in section '{s.id}'. {INLINE_NOTE}{moved}", s.id)
            elif isinstance(b, Figure):
                add(f"{uid}.caption", p + ("caption",), b.caption, _lookup(tr, s.id, j, b.kind, "caption"),
                    "Figure caption, printed under the drawing.", s.id)
                add(f"{uid}.alt", p + ("alt",), b.alt, _lookup(tr, s.id, j, b.kind, "alt"),
                    "Alternative text for screen readers (not printed): describe the drawing.", s.id)
                for anchor, label in b.labels:
                    add(f"{uid}.labels.{anchor}", p + ("labels", anchor), label,
                        _lookup(tr, s.id, j, b.kind, ("labels", anchor)),
                        f"Diagram label '{anchor}', at most about {LABEL_CHARS} characters "
                        f"(a longer one turns the call-outs into a numbered key; over {LABEL_LIMIT} is refused).",
                        s.id, LABEL_LIMIT)
            else:
                raise unknown_kind(b, "translate.units")
    add("source_credit", ("source_credit",), source.source_credit,
        _lookup(tr, None, None, None, "source_credit"),
        "Credit line in the footer: keep organisation names as they are.")
    for key, text in src_strings.items():
        found = tr_strings.get(key)
        state = NEW if found is None else TRANSLATED
        out.append(Unit(f"ui.{key}", ("strings", key), text, found, _UI_NOTES.get(key, "Printed by the press.")
                        + " Shared by every handout in this language (assets/languages).", state,
                        where="language"))
    return out


_UI_NOTES = {
    "page": "Page furniture, button-like: page numbers in the footer. Keep {page} and {pages} as they are.",
    "version": "Footer, button-like: the handout's version. Keep {version} as it is.",
    "last_reviewed": "Footer, button-like: when the content was last checked. Keep {date} as it is.",
    "draft_notice": "Printed on every unreviewed translation, in bold, above the summary.",
    "figure_key": "Heading over the numbered key of a diagram: one short word.",
    "contact": "Heading of the contact block, button-like: short.",
}
