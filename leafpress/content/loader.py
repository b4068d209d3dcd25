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
from .model import (BLOCK_KINDS, CALLOUT_PARTS, SIGN_OFF_SCOPES, TONES, Bullets, Callout, Figure,
                    Handout, Paragraph, Section, SignOff, Status, Steps, Table, Text, Translation,
                    WriteIn, text_parts)
from .yamlsafe import KeyPath, Located, format_path, load_yaml

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_TOP_REQUIRED = ("handout", "lang", "version", "last_reviewed", "translation", "title", "summary",
                 "source_credit", "sections")
_TOP_OPTIONAL = ("subtitle", "source_url", "checks", "contact")


# Bounds on text, far beyond what a leaflet holds (the longest paragraph in the port handout is
# under 500 characters, all its text under 5,000): beyond them a file is not a leaflet, and
# refusing it at once keeps every later stage's work small. (A block too tall for a column is
# the layout's clear error well before these.)
MAX_STRING = 20_000
MAX_TEXT = 50_000


class Reader:
    """Typed access to a Located document, raising located errors."""

    def __init__(self, doc: Located):
        self.doc = doc
        self.total = 0

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
        if isinstance(value, (int, float)):
            # YAML reads 0171234567, +4930123456 and 1.10 as numbers: printing the number would
            # print a different phone number or version than the one typed.
            typed = self.doc.raw.get(tuple(path), str(value))
            raise self.doc.error(path, f"expected text, found the number {typed}",
                                 hint=f'Quote it if it is text: "{typed}"')
        if isinstance(value, dt.date):
            value = value.isoformat()
        if not value.strip():
            raise self.doc.error(path, "text is empty", hint="Fill it in")
        if len(value) > MAX_STRING:
            raise self.doc.error(path, f"text is {len(value):,} characters long, over {MAX_STRING:,}",
                                 hint="A leaflet's paragraphs are a few hundred characters: split or shorten it")
        self.total += len(value)
        if self.total > MAX_TEXT:
            raise self.doc.error(path, f"the file's text passes {MAX_TEXT:,} characters here",
                                 hint="A leaflet holds a few thousand: split it into several handouts")
        return value

    def token(self, value: Any, path: KeyPath) -> str:
        """A machine-written fingerprint (``50030e8132``): a plain scalar YAML read as a number
        is taken as the text it was typed as."""
        if isinstance(value, (int, float)) and not isinstance(value, bool) and tuple(path) in self.doc.raw:
            return self.doc.raw[tuple(path)]
        return self.string(value, path)

    def text(self, value: Any, path: KeyPath) -> Text:
        raw = self.string(value, path)
        if "\n" in raw.strip():
            raise self.doc.error(path, "a line break inside a text would be lost (the press joins the lines)",
                                 hint="To list things, write a list (bullets or, in a call-out, "
                                      "blocks: with a bullets list); for another paragraph, another "
                                      "block; for one long text, use >- instead of |")
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
            front_from = r.token(tf["front"], p + ("front",))
        secs = r.mapping(tf["sections"], p + ("sections",), tuple(tf["sections"]) if isinstance(tf["sections"], dict) else ())
        translated_from = tuple((str(k), r.token(v, p + ("sections", k))) for k, v in secs.items())
    reviewed_units = ()
    if tr.get("reviewed_units") is not None:
        p = ("translation", "reviewed_units")
        reviewed_units = tuple(r.token(u, p + (k,)) for k, u in enumerate(r.seq(tr["reviewed_units"], p, 0)))
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
        contact=r.text(top["contact"], ("contact",)) if top.get("contact") is not None else None,
    )


MAX_TABLE_COLUMNS = 5
MAX_TABLE_ROWS = 40
MAX_WRITE_INS = 12


def _block(r: Reader, value: Any, path: KeyPath, kinds=BLOCK_KINDS):
    if not isinstance(value, dict) or len(value) != 1:
        raise r.doc.error(path, "a block is one key naming its kind",
                          hint="Write e.g. '- paragraph: ...'; kinds: " + ", ".join(kinds))
    (kind, body), = value.items()
    if kind not in kinds:
        raise r.doc.error(path + (kind,), f"unknown block kind {kind!r}" + (
            "" if kinds is BLOCK_KINDS else " inside a call-out"), hint="Use one of: " + ", ".join(kinds))
    p = path + (kind,)
    if kind == "paragraph":
        return Paragraph(r.text(body, p))
    if kind == "callout":
        if not isinstance(body, dict):
            return Callout(r.text(body, p))
        co = r.mapping(body, p, ("tone", "blocks"))
        tone = r.string(co["tone"], p + ("tone",))
        if tone not in TONES:
            raise r.doc.error(p + ("tone",), f"{tone!r} is not a call-out tone",
                              hint="Use one of: " + ", ".join(TONES))
        parts = tuple(_block(r, b, p + ("blocks", k), CALLOUT_PARTS)
                      for k, b in enumerate(r.seq(co["blocks"], p + ("blocks",))))
        return Callout(None, tone, parts)
    if kind in ("bullets", "steps"):
        keep = False
        items_path = p
        if isinstance(body, dict) and ("items" in body or "keep_together" in body):
            m = r.mapping(body, p, ("items",), ("keep_together",))
            keep = m.get("keep_together", False)
            if not isinstance(keep, bool):
                raise r.doc.error(p + ("keep_together",), "keep_together must be true or false")
            if not keep:
                raise r.doc.error(p + ("keep_together",), "the mapping form is for keep_together: true",
                                  hint="Write the items as a plain list instead")
            body, items_path = m["items"], p + ("items",)
        items = tuple(r.text(t, items_path + (k,)) for k, t in enumerate(r.seq(body, items_path)))
        return Bullets(items, keep) if kind == "bullets" else Steps(items, keep)
    if kind == "table":
        tb = r.mapping(body, p, ("header", "rows"))
        header = tuple(r.text(t, p + ("header", c)) for c, t in enumerate(r.seq(tb["header"], p + ("header",))))
        if len(header) > MAX_TABLE_COLUMNS:
            raise r.doc.error(p + ("header",), f"a table has at most {MAX_TABLE_COLUMNS} columns, this one "
                              f"{len(header)}", hint="Split it into two tables or use a list")
        rows = []
        for i, row in enumerate(r.seq(tb["rows"], p + ("rows",))):
            if i >= MAX_TABLE_ROWS:
                raise r.doc.error(p + ("rows", i), f"a table has at most {MAX_TABLE_ROWS} rows",
                                  hint="Split it into shorter tables")
            cells = r.seq(row, p + ("rows", i))
            if len(cells) != len(header):
                raise r.doc.error(p + ("rows", i), f"row has {len(cells)} cell(s), the header {len(header)}",
                                  hint="Give every row one cell per column (quote a cell that starts with "
                                       "a special character)")
            rows.append(tuple(r.text(t, p + ("rows", i, c)) for c, t in enumerate(cells)))
        return Table(header, tuple(rows))
    if kind == "write_in":
        form = False
        fields_path = p
        if isinstance(body, dict) and ("fields" in body or "form" in body):
            m = r.mapping(body, p, ("fields",), ("form",))
            form = m.get("form", False)
            if not isinstance(form, bool) or not form:
                raise r.doc.error(p + ("form",), "the mapping form is for form: true",
                                  hint="Write the labels as a plain list instead")
            body, fields_path = m["fields"], p + ("fields",)
        wanted = r.seq(body, fields_path)
        if len(wanted) > MAX_WRITE_INS:
            raise r.doc.error(fields_path, f"at most {MAX_WRITE_INS} write-in lines per block")
        return WriteIn(tuple(r.text(t, fields_path + (k,)) for k, t in enumerate(wanted)), form)
    fig = r.mapping(body, p, ("caption", "alt"), ("diagram", "image", "labels"))
    if ("diagram" in fig) == ("image" in fig):
        raise r.doc.error(p, "a figure has either 'diagram:' (a drawing with labels) or 'image:' "
                          "(a PNG or JPEG picture)", hint="Give exactly one of them")
    if "image" in fig:
        if fig.get("labels") is not None:
            raise r.doc.error(p + ("labels",), "an image has no label anchors",
                              hint="Use a diagram for labelled art, or describe the parts in the caption")
        image = r.string(fig["image"], p + ("image",))
        if not re.match(r"^[a-z0-9][a-z0-9_-]{0,63}\.(png|jpe?g)$", image):
            raise r.doc.error(p + ("image",), f"{image!r} is not an image name",
                              hint="Name a file in assets/images/, e.g. 'picc-arm.png' (lower case, .png or .jpg)")
        return Figure(None, r.text(fig["caption"], p + ("caption",)), r.text(fig["alt"], p + ("alt",)), (),
                      image)
    if "labels" not in fig:
        raise r.doc.error(p, "missing key 'labels'", hint="Add 'labels:' with a label for each anchor")
    labels = r.mapping(fig["labels"], p + ("labels",), tuple(fig["labels"]) if isinstance(fig["labels"], dict) else ())
    return Figure(
        diagram=r.ident(fig["diagram"], p + ("diagram",)),
        caption=r.text(fig["caption"], p + ("caption",)),
        alt=r.text(fig["alt"], p + ("alt",)),
        labels=tuple((str(k), r.text(v, p + ("labels", k))) for k, v in labels.items()),
    )


def _display(path: Path, root: Path) -> str:
    """The path as people know it: relative to the project (a link named, not where it leads)."""
    try:
        return str((path.parent.resolve() / path.name).relative_to(root.resolve()))
    except (ValueError, OSError, RuntimeError):
        return str(path)


def check_mirrors(source: Handout, tr: Handout) -> None:
    """A translation must have the source's structure. Errors name both places."""
    def both(msg: str, tkey: str, skey: str) -> LeafletError:
        return LeafletError(f"{msg} (source: {source.file} {skey})", file=tr.file, key=tkey,
                            hint="Make the translation follow the source's structure")

    if (source.subtitle is None) != (tr.subtitle is None):
        raise both("has subtitle" if tr.subtitle else "lacks the subtitle", "subtitle", "subtitle")
    if (source.contact is None) != (tr.contact is None):
        raise both("has a contact line" if tr.contact else "lacks the contact line", "contact", "contact")
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
            if isinstance(sb, Callout) and sb.tone != tb.tone:
                raise both(f"has tone {tb.tone!r}, the source {sb.tone!r}" if sb.tone and tb.tone else
                           "is written in the other call-out form (one string, or tone and blocks)",
                           bkey, bkey)
            if isinstance(sb, WriteIn) and sb.form != tb.form:
                raise both("write-in 'form: true' differs from the source (the translation follows it)",
                           bkey, bkey)
            if isinstance(sb, (Table, WriteIn, Callout)):
                s_parts = [".".join(map(str, k)) for k, _ in text_parts(sb)]
                t_parts = [".".join(map(str, k)) for k, _ in text_parts(tb)]
                if s_parts != t_parts:
                    missing = [k for k in s_parts if k not in t_parts]
                    extra = [k for k in t_parts if k not in s_parts]
                    raise both("its texts differ from the source's: " + "; ".join(
                        x for x in ("missing " + ", ".join(missing) if missing else "",
                                    "extra " + ", ".join(extra) if extra else "",
                                    "in another order" if not (missing or extra) else "") if x),
                        bkey, bkey)
            if isinstance(sb, Figure) and sb.image != tb.image:
                raise both(f"uses image {tb.image!r}, the source uses {sb.image!r}", bkey, bkey)
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
