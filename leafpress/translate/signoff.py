"""A reviewer's sign-off of a translation: name, date and scope.

Input: a handout, a language, the reviewer's name, the scope (``clinical``: a medical
translator vouches for the content; ``linguistic``: language and style) and the date. Output:
the translation block of ``handouts/<id>/<lang>.yaml`` updated (comments and order kept): the
sign-off appended to ``sign_offs``; a clinical sign-off also sets ``status: reviewed``,
``reviewer`` and ``reviewed_on``, which removes the draft notice from the leaflets. A
translation with stale or never-stamped sections cannot be signed off.
"""
from __future__ import annotations

import datetime as dt

from ..checks import FRONT, front_hash, section_hash
from ..content.inline import InlineError, check_characters
from ..content.model import SIGN_OFF_SCOPES, Status
from ..errors import LeafletError, UsageError
from .yamledit import YamlDoc


def record(doc: YamlDoc, reviewer: str, date: dt.date, scope: str) -> None:
    t = doc.data["translation"]
    seq = t.get("sign_offs")
    if seq is None:
        t["sign_offs"] = seq = []
    seq.append({"reviewer": reviewer, "date": date, "scope": scope})
    if scope == "clinical":
        t["status"] = Status.REVIEWED.value
        keys = list(t)
        for key, value in (("reviewer", reviewer), ("reviewed_on", date)):
            if key in t:
                t[key] = value
            else:
                t.insert(keys.index("status") + 1 + (key == "reviewed_on"), key, value)
                keys = list(t)


def review(project, hid: str, lang: str, reviewer: str, scope: str, date: dt.date | None = None) -> str:
    from ..project import write_atomic
    if scope not in SIGN_OFF_SCOPES:
        raise UsageError(f"unknown review scope {scope!r}", hint="Use --scope " + " or --scope ".join(SIGN_OFF_SCOPES))
    reviewer = " ".join((reviewer or "").split())
    if not reviewer or len(reviewer) > 100:
        raise UsageError("--reviewer needs the reviewer's name (at most 100 characters)")
    try:
        check_characters(reviewer)
    except InlineError as exc:
        raise UsageError(f"--reviewer: {exc}") from None
    source = project.source(hid)
    if lang == source.lang:
        raise UsageError(f"{lang} is the source language of {hid!r}: only translations are signed off")
    h = project.handout(hid, lang)
    recorded = dict(h.translation.translated_from)
    stale = [s.id for s in source.sections if recorded.get(s.id) != section_hash(s)]
    if h.translation.front_from is not None and h.translation.front_from != front_hash(source):
        stale.insert(0, FRONT)
    if stale:
        raise LeafletError(f"cannot sign off: section(s) {', '.join(stale)} do not match the current source "
                           f"({source.file})", file=h.file, key="translation",
                           hint="Bring them up to date (export, translate, import) first")
    doc = YamlDoc(project.handouts[hid][lang], h.file)
    record(doc, reviewer, date or dt.date.today(), scope)
    write_atomic(doc.path, doc.dumps().encode("utf-8"))
    notice = ("the draft notice is gone from its leaflets" if scope == "clinical"
              else "the draft notice stays until a clinical sign-off")
    return f"{h.file}: {scope} sign-off by {reviewer} on {(date or dt.date.today()).isoformat()} recorded; {notice}"
