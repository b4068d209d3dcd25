"""Load and validate handout files.

Input: ``handouts/<id>/<lang>.yaml`` paths. Output: :class:`Handout` objects, or a
:class:`LeafletError` naming the file, line, key path and the fix. Unknown keys, wrong types and
missing fields are all errors; a translation must mirror its source's structure.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from ..errors import LeafletError
from .inline import InlineError, check_url, parse_inline
from .model import (BLOCK_KINDS, SIGN_OFF_SCOPES, Bullets, Callout, Figure, Handout, Paragraph,
                    Section, SignOff, Status, Steps, Text, Translation)
from .yamlsafe import KeyPath, Located, format_path, load_yaml

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_TOP_REQUIRED = ("handout", "lang", "version", "last_reviewed", "translation", "title", "summary",
                 "source_credit", "sections")
_TOP_OPTIONAL = ("subtitle", "source_url", "checks")


class Reader:
    """Typed access to a Located document, raising located errors."""

    def __init__(self, doc: Located):
        self.doc = doc

    def mapping(self, value: Any, path: KeyPath, required=(), optional=()) -> dict:
        if not isinstance(value, dict):
            raise self.doc.error(path, f"expected a mapping (key: value lines), found {_kind(value)}")
        allowed = tuple(required) + tuple(optional)
        for key in value:
            if key not in allowed:
                raise self.doc.error(path + (key,), f"unknown key {key!r}",
                                     hint="Use one of: " + ", ".join(allowed))
        for key in required:
            if key not in value:
                raise self.doc.error(path, f"missing key {key!r}", hint=f"Add '{key}:' here")
        return value

    def string(self, value: Any, path: KeyPath) -> str:
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
            raise self.doc.error(path, f"expected text, found {_kind(value)}",
                                 hint="Write the text after the colon; quote it if it starts "
                                      "with a special character")
        if isinstance(value, (dt.date, int, float)):
            value = str(value)
        if not value.strip():
            raise self.doc.error(path, "text is empty", hint="Fill it in")
        return value

    def text(self, value: Any, path: KeyPath) -> Text:
        raw = self.string(value, path)
        try:
            spans = parse_inline(raw)
        except InlineError as exc:
            raise self.doc.error(path, str(exc)) from None
        return Text(raw, spans, format_path(path))

    def ident(self, value: Any, path: KeyPath) -> str:
        s = self.string(value, path)
        if not _ID.match(s):
            raise self.doc.error(path, f"{s!r} is not a valid id",
                                 hint="Use lower-case letters, digits, '-' and '_'")
        return s

    def date(self, value: Any, path: KeyPath) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        raise self.doc.error(path, f"expected a date like 2026-11-01, found {_kind(value)}")

    def seq(self, value: Any, path: KeyPath, min_len: int = 1) -> list:
        if not isinstance(value, list):
            raise self.doc.error(path, f"expected a list (lines starting with '- '), found {_kind(value)}")
        if len(value) < min_len:
            raise self.doc.error(path, f"list needs at least {min_len} item(s)")
        return value

    def enum(self, value: Any, path: KeyPath, enum_type):
        s = self.string(value, path)
        try:
            return enum_type(s)
        except ValueError:
            raise self.doc.error(path, f"{s!r} is not a valid {path[-1]}",
                                 hint="Choose from: " + ", ".join(e.value for e in enum_type)) from None


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)


def load_handout(path: Path, root: Path) -> Handout:
    """Load one handout file. ``root`` is the project folder (messages use relative paths)."""
    display = _display(path, root)
    doc = load_yaml(path, display)
    r = Reader(doc)
    top = r.mapping(doc.data, (), _TOP_REQUIRED, _TOP_OPTIONAL)
    hid = r.ident(top["handout"], ("handout",))
    if hid != path.parent.name:
        raise doc.error(("handout",), f"says {hid!r} but the file is in the folder {path.parent.name!r}",
                        hint="Make them the same")
    lang = r.string(top["lang"], ("lang",))
    if lang != path.stem:
        raise doc.error(("lang",), f"says {lang!r} but the file is named {path.name!r}",
                        hint="Make them the same")
    tr = r.mapping(top["translation"], ("translation",), ("status",),
                   ("reviewer", "reviewed_on", "translated_from", "reviewed_units", "sign_offs"))
    status = r.enum(tr["status"], ("translation", "status"), Status)
    reviewer = r.string(tr["reviewer"], ("translation", "reviewer")) if tr.get("reviewer") is not None else None
    reviewed_on = r.date(tr["reviewed_on"], ("translation", "reviewed_on")) if tr.get("reviewed_on") is not None else None
    if status is Status.REVIEWED and not (reviewer and reviewed_on):
        raise doc.error(("translation",), "a reviewed translation needs 'reviewer' and 'reviewed_on'",
                        hint="Add who reviewed it and when, or set status: draft")
    translated_from, front_from = (), None
    if tr.get("translated_from") is not None:
        p = ("translation", "translated_from")
        tf = r.mapping(tr["translated_from"], p, ("sections",), ("version", "front"))
        if tf.get("front") is not None:
            front_from = r.string(tf["front"], p + ("front",))
        secs = r.mapping(tf["sections"], p + ("sections",), tuple(tf["sections"]) if isinstance(tf["sections"], dict) else ())
        translated_from = tuple((str(k), r.string(v, p + ("sections", k))) for k, v in secs.items())
    reviewed_units = ()
    if tr.get("reviewed_units") is not None:
        p = ("translation", "reviewed_units")
        reviewed_units = tuple(r.string(u, p + (k,)) for k, u in enumerate(r.seq(tr["reviewed_units"], p, 0)))
    sign_offs = []
    if tr.get("sign_offs") is not None:
        p = ("translation", "sign_offs")
        for k, so in enumerate(r.seq(tr["sign_offs"], p, 0)):
            so = r.mapping(so, p + (k,), ("reviewer", "date", "scope"))
            scope = r.string(so["scope"], p + (k, "scope"))
            if scope not in SIGN_OFF_SCOPES:
                raise doc.error(p + (k, "scope"), f"{scope!r} is not a review scope",
                                hint="Use one of: " + ", ".join(SIGN_OFF_SCOPES))
            sign_offs.append(SignOff(r.string(so["reviewer"], p + (k, "reviewer")),
                                     r.date(so["date"], p + (k, "date")), scope))
    checks = {}
    if top.get("checks") is not None:
        ck = r.mapping(top["checks"], ("checks",), (), ("target_grade", "review_months"))
        for k, v in ck.items():
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 1 <= v <= 240:
                raise doc.error(("checks", k), f"{k} must be a number from 1 to 240")
            checks[k] = v
    source_url = None
    if top.get("source_url") is not None:
        try:
            source_url = check_url(r.string(top["source_url"], ("source_url",)))
        except InlineError as exc:
            raise doc.error(("source_url",), str(exc)) from None
    sections = []
    seen_ids: dict[str, int] = {}
    for i, sec in enumerate(r.seq(top["sections"], ("sections",))):
        p = ("sections", i)
        sec = r.mapping(sec, p, ("id", "heading", "blocks"))
        sid = r.ident(sec["id"], p + ("id",))
        if sid in seen_ids:
            raise doc.error(p + ("id",), f"section id {sid!r} is used twice (also sections[{seen_ids[sid]}])",
                            hint="Give each section its own id")
        seen_ids[sid] = i
        blocks = tuple(_block(r, b, p + ("blocks", j))
                       for j, b in enumerate(r.seq(sec["blocks"], p + ("blocks",))))
        sections.append(Section(sid, r.text(sec["heading"], p + ("heading",)), blocks))
    return Handout(
        id=hid, lang=lang, file=display,
        version=r.string(top["version"], ("version",)),
        last_reviewed=r.date(top["last_reviewed"], ("last_reviewed",)),
        translation=Translation(status, reviewer, reviewed_on, translated_from, front_from,
                                reviewed_units, tuple(sign_offs)),
        checks=checks,
        title=r.text(top["title"], ("title",)),
        subtitle=r.text(top["subtitle"], ("subtitle",)) if top.get("subtitle") is not None else None,
        summary=r.text(top["summary"], ("summary",)),
        source_credit=r.text(top["source_credit"], ("source_credit",)),
        source_url=source_url,
        sections=tuple(sections),
    )


def _block(r: Reader, value: Any, path: KeyPath):
    if not isinstance(value, dict) or len(value) != 1:
        raise r.doc.error(path, "a block is one key naming its kind",
                          hint="Write e.g. '- paragraph: ...'; kinds: " + ", ".join(BLOCK_KINDS))
    (kind, body), = value.items()
    if kind not in BLOCK_KINDS:
        raise r.doc.error(path + (kind,), f"unknown block kind {kind!r}",
                          hint="Use one of: " + ", ".join(BLOCK_KINDS))
    p = path + (kind,)
    if kind == "paragraph":
        return Paragraph(r.text(body, p))
    if kind == "callout":
        return Callout(r.text(body, p))
    if kind in ("bullets", "steps"):
        items = tuple(r.text(t, p + (k,)) for k, t in enumerate(r.seq(body, p)))
        return Bullets(items) if kind == "bullets" else Steps(items)
    fig = r.mapping(body, p, ("diagram", "caption", "alt", "labels"))
    labels = r.mapping(fig["labels"], p + ("labels",), tuple(fig["labels"]) if isinstance(fig["labels"], dict) else ())
    return Figure(
        diagram=r.ident(fig["diagram"], p + ("diagram",)),
        caption=r.text(fig["caption"], p + ("caption",)),
        alt=r.text(fig["alt"], p + ("alt",)),
        labels=tuple((str(k), r.text(v, p + ("labels", k))) for k, v in labels.items()),
    )


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def check_mirrors(source: Handout, tr: Handout) -> None:
    """A translation must have the source's structure. Errors name both places."""
    def both(msg: str, tkey: str, skey: str) -> LeafletError:
        return LeafletError(f"{msg} (source: {source.file} {skey})", file=tr.file, key=tkey,
                            hint="Make the translation follow the source's structure")

    if (source.subtitle is None) != (tr.subtitle is None):
        raise both("has subtitle" if tr.subtitle else "lacks the subtitle", "subtitle", "subtitle")
    s_ids = [s.id for s in source.sections]
    t_ids = [s.id for s in tr.sections]
    if s_ids != t_ids:
        missing = [i for i in s_ids if i not in t_ids]
        extra = [i for i in t_ids if i not in s_ids]
        detail = []
        if missing:
            detail.append("missing " + ", ".join(missing))
        if extra:
            detail.append("extra " + ", ".join(extra))
        if not detail:
            detail.append("in a different order: " + ", ".join(t_ids))
        raise both("sections differ from the source: " + "; ".join(detail), "sections", "sections")
    for i, (ss, ts) in enumerate(zip(source.sections, tr.sections)):
        sk = [b.kind for b in ss.blocks]
        tk = [b.kind for b in ts.blocks]
        key = f"sections[{i}] ({ts.id}).blocks"
        if sk != tk:
            raise both(f"block kinds {tk} differ from the source's {sk}", key, f"sections[{i}].blocks")
        for j, (sb, tb) in enumerate(zip(ss.blocks, ts.blocks)):
            bkey = f"sections[{i}].blocks[{j}].{sb.kind}"
            if isinstance(sb, (Bullets, Steps)) and len(sb.items) != len(tb.items):
                raise both(f"has {len(tb.items)} items, the source has {len(sb.items)}", bkey, bkey)
            if isinstance(sb, Figure):
                if sb.diagram != tb.diagram:
                    raise both(f"uses diagram {tb.diagram!r}, the source uses {sb.diagram!r}",
                               bkey + ".diagram", bkey + ".diagram")
                s_labels = [k for k, _ in sb.labels]
                t_labels = [k for k, _ in tb.labels]
                if sorted(s_labels) != sorted(t_labels):
                    missing = sorted(set(s_labels) - set(t_labels))
                    extra = sorted(set(t_labels) - set(s_labels))
                    raise both("diagram labels differ: " + "; ".join(
                        x for x in ("missing " + ", ".join(missing) if missing else "",
                                    "extra " + ", ".join(extra) if extra else "") if x),
                        bkey + ".labels", bkey + ".labels")
