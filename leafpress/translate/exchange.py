"""XLIFF and PO exchange files, through translate-toolkit.

Input (export): a handout and a language of the project. Output: ``OUT/translations/
<handout>-<lang>.xlf`` (XLIFF 1.2 as translate-toolkit writes it) or ``.po``: one unit per
translatable string with its stable id, the source, the current translation, notes for the
translator, the source fingerprint and the state.

Input (import): an exchange file edited in any translation tool. Output: a :class:`Report`
(changes, errors naming the unit id and the file's line, warnings) and, for the units that pass
every check, the YAML written back (comments and order kept). Units that fail are never
written; a section's fingerprint is stamped only when every unit of it came back done
(translated or reviewed) and valid.

States in the files. XLIFF: ``state`` on ``<target>``: new / needs-translation -> new;
needs-review-* -> needs review; translated -> translated; signed-off / final, or
``approved="yes"`` on the unit -> reviewed. PO: an
empty msgstr is new, ``#, fuzzy`` needs review, ``#, reviewed`` reviewed, otherwise translated.
A sign-off travels in the XLIFF header as ``<phase process-name="review" phase-name="clinical"
contact-name="NAME" date="YYYY-MM-DD"/>`` or in the PO header as ``X-Review-Scope``,
``X-Reviewer`` and ``X-Review-Date``.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..checks import front_hash, section_hash
from ..content.loader import load_handout
from ..content.model import SIGN_OFF_SCOPES, Handout, Status
from ..errors import LeafletError, UsageError
from ..languages import load_language
from .units import FRONT, NEEDS_REVIEW, NEW, REVIEWED, TRANSLATED, Unit, handout_units
from .validate import problems
from .yamledit import YamlDoc, fingerprint

FORMATS = {"xliff": ".xlf", "po": ".po"}
MAX_BYTES = 20_000_000     # an exchange file for one handout is a few hundred KB; XML is parsed
                           # without entities or network (translate-toolkit's safe parser)
_XLIFF_STATE = {NEW: "new", NEEDS_REVIEW: "needs-review-translation", TRANSLATED: "translated",
                REVIEWED: "signed-off"}
_ORIGINAL = re.compile(r"^handouts/([a-z0-9][a-z0-9_-]{0,63})/([A-Za-z0-9-]{1,35})\.yaml$")
_FP_NOTE = "leafpress-fingerprint"


def units_of(project, hid: str, lang: str) -> tuple[list[Unit], Handout, Handout]:
    source = project.source(hid)
    if lang == source.lang:
        raise UsageError(f"{lang} is the source language of {hid!r}: there is nothing to translate",
                         hint="Name a translation with --lang")
    if lang not in project.handouts[hid]:
        raise UsageError(f"handout {hid!r} has no {lang} file", file=f"handouts/{hid}/{lang}.yaml",
                         hint=f"Copy handouts/{hid}/{source.lang}.yaml to it with translation: {{status: draft}}")
    tr = project.handout(hid, lang)
    units = handout_units(source, tr, project.language(source.lang).strings, project.language(lang).strings)
    return units, source, tr


def _fp_text(u: Unit) -> str | None:
    if u.section is None:
        return None
    if u.section == FRONT:
        return (f"front matter (title, subtitle, summary, credit): source fingerprint {u.current}; the "
                f"translation was stamped against {u.stamped or 'nothing'}")
    return (f"section {u.section}: source fingerprint {u.current}; the translation was stamped against "
            f"{u.stamped or 'nothing'}")


# -- export -------------------------------------------------------------------------------------
def export(project, hid: str, lang: str, fmt: str, out: Path) -> Path:
    units, source, tr = units_of(project, hid, lang)
    original = f"handouts/{hid}/{lang}.yaml"
    if fmt == "xliff":
        data = _xliff_bytes(units, source.lang, lang, original)
    else:
        data = _po_bytes(units, source, lang, hid, original)
    from ..project import write_atomic
    target = out / "translations" / f"{hid}-{lang}{FORMATS[fmt]}"
    write_atomic(target, data)
    return target


def _xliff_bytes(units: list[Unit], src_lang: str, lang: str, original: str) -> bytes:
    from translate.storage import xliff
    store = xliff.xlifffile(sourcelanguage=src_lang, targetlanguage=lang)
    store.setfilename(store.getfilenode("NoName"), original)
    for u in units:
        tu = store.UnitClass(u.source)   # type: ignore[has-type]  # set per store class at runtime
        store.addunit(tu)
        tu.setid(u.id)
        tu.xmlelement.set("resname", u.id)
        if u.limit:
            tu.xmlelement.set("maxwidth", str(u.limit))
            tu.xmlelement.set("size-unit", "char")
        if u.target is not None:
            tu.target = u.target
            tu.getlanguageNode(lang=None, index=1).set("state", _XLIFF_STATE[u.state])
        tu.markapproved(u.state == REVIEWED)
        tu.addnote(u.note, origin="developer")
        if _fp_text(u):
            tu.addnote(_fp_text(u), origin=_FP_NOTE)
    return bytes(store)


def _po_bytes(units: list[Unit], source, lang: str, hid: str, original: str) -> bytes:
    from translate.storage import po
    store = po.pofile()
    stamp = source.last_reviewed.isoformat() + " 00:00+0000"    # fixed: same inputs, same bytes
    store.updateheader(add=True, Project_Id_Version=f"{hid} {source.version}", Language=lang,
                       POT_Creation_Date=stamp, PO_Revision_Date=stamp, X_Source_Language=source.lang,
                       X_Leafpress_Handout=hid, X_Leafpress_File=original,
                       Report_Msgid_Bugs_To="", Last_Translator="", Language_Team="")
    for u in units:
        pu = store.UnitClass(u.source)
        pu.setcontext(u.id)
        pu.addnote(u.note, origin="developer")
        if _fp_text(u):
            pu.addnote(_fp_text(u), origin="developer")
        if u.target is not None:
            pu.target = u.target
        if u.state == NEEDS_REVIEW:
            pu.markfuzzy(True)
        elif u.state == REVIEWED:
            pu.settypecomment("reviewed")
        store.addunit(pu)
    return bytes(store)


# -- import -------------------------------------------------------------------------------------
@dataclass
class Incoming:
    id: str
    line: int | None
    source: str
    target: str
    state: str


@dataclass
class Report:
    file: str
    handout: str = ""
    lang: str = ""
    changed: list = field(default_factory=list)         # unit ids written
    stamped: list = field(default_factory=list)         # section ids stamped
    reviewed: list = field(default_factory=list)        # unit ids newly marked reviewed
    errors: list = field(default_factory=list)          # one line each
    warnings: list = field(default_factory=list)
    written: list = field(default_factory=list)         # files written
    notes: list = field(default_factory=list)


def _norm(text: str) -> str:
    return " ".join(text.split())


def _from_name(path: Path, lang: str | None) -> tuple[str | None, str | None]:
    """Handout and language from an exported file's name (``port-zh-Hant.xlf``) and its
    target language, when the file itself no longer says."""
    lang = (lang or "").replace("_", "-")
    stem = path.stem
    for code in {lang, lang.lower()}:
        if code and stem.lower().endswith("-" + code.lower()):
            hid = stem[: -len(code) - 1]
            if _ORIGINAL.match(f"handouts/{hid}/{stem[-len(code):]}.yaml"):
                return hid, stem[-len(code):]
    return None, None


def _read_xliff(path: Path, display: str):
    from translate.storage import xliff
    try:
        store = xliff.xlifffile.parsefile(str(path))
    except Exception as exc:      # lxml and the toolkit raise many kinds
        raise UsageError(f"not a readable XLIFF file ({type(exc).__name__}: {exc})", file=display,
                         hint="Export it again from your translation tool as XLIFF 1.2") from None
    files = store.getfilenames()
    found = _ORIGINAL.match(files[0] or "") if len(files) == 1 else None
    if found:
        hid, lang = found.groups()
    else:       # a tool that rewrote original=: the exported name <handout>-<lang>.xlf and target-language
        hid, lang = _from_name(path, store.gettargetlanguage())
        if hid is None:
            raise UsageError(f"the <file original=...> should name one handout file like handouts/port/ar.yaml "
                             f"(found {', '.join(map(str, files)) or 'none'})", file=display,
                             hint="Import the file the press exported, edited in your tool")
    incoming = []
    for tu in store.getunits():
        if tu.isheader():
            continue
        node = tu.getlanguageNode(lang=None, index=1)
        raw_state = node.get("state") if node is not None else None
        target = tu.target or ""
        if raw_state and raw_state.startswith("needs-review"):
            state = NEEDS_REVIEW
        elif target and (raw_state in ("signed-off", "final") or tu.xmlelement.get("approved") == "yes"):
            state = REVIEWED         # exported units carry approved="no" unless already reviewed
        elif raw_state in (None, "translated") and target:
            state = TRANSLATED
        else:
            state = NEW
        incoming.append(Incoming(tu.xmlelement.get("id") or "", tu.xmlelement.sourceline, tu.source or "", target, state))
    signoff = None
    for phase in store.document.getroot().iter("{*}phase"):
        if (phase.get("process-name") or "").lower() == "review":
            signoff = (phase.get("contact-name"), phase.get("date"), (phase.get("phase-name") or "").lower(),
                       phase.sourceline)
    return hid, lang, incoming, signoff


def _read_po(path: Path, display: str):
    from translate.storage import po
    raw = path.read_bytes()
    try:
        store = po.pofile.parsestring(raw)
    except Exception as exc:
        raise UsageError(f"not a readable PO file ({type(exc).__name__}: {exc})", file=display,
                         hint="Export it again from your translation tool as PO") from None
    header = store.parseheader()
    hid, lang = header.get("X-Leafpress-Handout", ""), header.get("Language", "")
    if not hid:                 # a tool that dropped the press's own header: the exported file name
        hid = _from_name(path, lang)[0] or ""
    if not _ORIGINAL.match(f"handouts/{hid}/{lang}.yaml"):
        raise UsageError("the PO header lacks X-Leafpress-Handout or Language", file=display,
                         hint="Import the file the press exported, edited in your tool")
    lines = raw.decode("utf-8", "replace").splitlines()
    where = {}
    for n, ln in enumerate(lines, 1):
        m = re.match(r'^msgctxt "(.*)"\s*$', ln)
        if m:
            where.setdefault(m.group(1), n)
    incoming = []
    for pu in store.units:
        if pu.isheader() or pu.isobsolete():
            continue
        target = pu.target or ""
        if not target:
            state = NEW
        elif pu.isfuzzy():
            state = NEEDS_REVIEW
        elif pu.hastypecomment("reviewed"):
            state = REVIEWED
        else:
            state = TRANSLATED
        uid = pu.getcontext()
        incoming.append(Incoming(uid, where.get(uid), pu.source or "", target, state))
    signoff = None
    if header.get("X-Reviewer"):
        signoff = (header.get("X-Reviewer"), header.get("X-Review-Date"),
                   (header.get("X-Review-Scope") or "").lower(), where.get("", 1))
    return hid, lang, incoming, signoff


def _indent(path: tuple) -> int:
    if len(path) == 1:
        return 2
    if path[2] == "heading":
        return 6
    return {5: 10, 6: 12, 7: 14}.get(len(path), 12)


def import_file(project, path: Path) -> Report:
    display = str(path)
    if path.stat().st_size > MAX_BYTES:
        raise UsageError(f"the file is over {MAX_BYTES // 1_000_000} MB, far more than one handout needs",
                         file=display, hint="Import the file the press exported for one handout and language")
    suffix = path.suffix.lower()
    if suffix in (".xlf", ".xliff"):
        hid, lang, incoming, signoff = _read_xliff(path, display)
    elif suffix == ".po":
        hid, lang, incoming, signoff = _read_po(path, display)
    else:
        raise UsageError(f"unknown exchange format {suffix or '(no extension)'!r}", file=display,
                         hint="Import a .xlf, .xliff or .po file")
    if hid not in project.handouts:
        raise UsageError(f"the file is for handout {hid!r}, which this project does not have", file=display,
                         hint="Known: " + ", ".join(project.handouts))
    report = Report(display, hid, lang)
    units, source, tr = units_of(project, hid, lang)
    by_id = {u.id: u for u in units}
    seen: dict[str, Incoming] = {}
    failed: set[str] = set()
    texts: dict[str, str] = {}          # unit id -> new text
    for inc in incoming:
        at = f"{display}:{inc.line}" if inc.line else display
        u = by_id.get(inc.id)
        if u is None:
            report.errors.append(f"{at}: unit {inc.id}: unknown unit id: the handout has no such text "
                                 "(was it exported from another version?); not imported")
            continue
        if inc.id in seen:
            report.errors.append(f"{at}: unit {inc.id}: appears twice in the file; not imported")
            failed.add(inc.id)
            continue
        seen[inc.id] = inc
        if _norm(inc.source) != _norm(u.source):
            report.warnings.append(f"{at}: unit {inc.id}: the source changed since this file was exported; "
                                   "not imported: export again and translate the new source")
            failed.add(inc.id)
            continue
        if inc.state == NEW or not inc.target.strip():
            continue
        found = problems(u, inc.target)
        if found:
            failed.add(inc.id)
            report.errors.extend(f"{at}: unit {inc.id}: {p}; not imported" for p in found)
            continue
        if _norm(inc.target) != _norm(u.target or ""):
            texts[inc.id] = _norm(inc.target)

    # Which sections every unit came back done and valid: those are stamped.
    def done(group: str) -> bool:
        return all(u.id in seen and u.id not in failed and seen[u.id].state in (TRANSLATED, REVIEWED)
                   and seen[u.id].target.strip() for u in units if u.section == group)

    stamps = {s.id: section_hash(s) for s in source.sections if done(s.id)}
    front_from = tr.translation.front_from
    # The front fingerprint is new (older files have none): recorded when the front changes or
    # was stale, so an unchanged round trip writes nothing.
    front = (front_hash(source) if done(FRONT) and front_hash(source) != front_from
             and (front_from is not None or any(by_id[uid].section == FRONT for uid in texts)) else None)
    marked = set(tr.translation.reviewed_units)
    new_marked = set(marked)
    for uid, inc in seen.items():
        if uid in failed or by_id[uid].where != "handout":
            continue
        if inc.state == REVIEWED:
            new_marked.add(uid)
        elif uid in texts or inc.state == NEEDS_REVIEW:
            new_marked.discard(uid)
    new_marked &= set(by_id)
    report.reviewed = sorted(new_marked - marked)

    # Write the handout file, then the language file (the UI strings).
    hdoc = YamlDoc(project.handouts[hid][lang], tr.file)
    for uid, text in texts.items():
        u = by_id[uid]
        if u.where == "handout":
            hdoc.set_text(u.path, text, _indent(u.path))
            report.changed.append(uid)
    t = hdoc.data["translation"]
    recorded = dict(tr.translation.translated_from)
    fresh = {k: v for k, v in stamps.items() if recorded.get(k) != v}
    if fresh or front:
        tf = t.get("translated_from")
        if tf is None:
            t["translated_from"] = tf = {"sections": {}}
        secs = tf["sections"]
        for s in source.sections:
            if s.id in fresh:
                secs[s.id] = fingerprint(fresh[s.id])
        if front:
            if "front" in tf:
                tf["front"] = fingerprint(front)
            else:
                tf.insert(0, "front", fingerprint(front))
        report.stamped = (["front"] if front else []) + sorted(fresh)
    if new_marked != marked:
        order = [u.id for u in units if u.id in new_marked]
        if order:
            t["reviewed_units"] = order
        else:
            del t["reviewed_units"]
    if tr.translation.status is Status.REVIEWED and any(by_id[u].where == "handout" for u in texts):
        t["status"] = Status.DRAFT.value
        report.notes.append(f"sign-off of {tr.file} withdrawn: text changed after it was reviewed; "
                            f"sign it off again with 'python generate.py review --handout {hid} --lang {lang} "
                            "--reviewer NAME --scope clinical'")
    if signoff:
        _file_signoff(project, report, hdoc, signoff, units, failed, seen, stamps, display)
    _write(hdoc, report, lambda p: load_handout(p, p.parent.parent))
    ui = [uid for uid in texts if by_id[uid].where == "language"]
    if ui:
        ldoc = YamlDoc(project.languages[lang], f"assets/languages/{lang}.yaml")
        for uid in ui:
            ldoc.set_text(by_id[uid].path, texts[uid], 4)
            report.changed.append(uid)
        _write(ldoc, report, lambda p: load_language(p, p.parent))
    return report


def _file_signoff(project, report, hdoc, signoff, units, failed, seen, stamps, display) -> None:
    from .signoff import record
    name, date, scope, line = signoff
    at = f"{display}:{line}" if line else display
    try:
        when = dt.date.fromisoformat((date or "")[:10])
    except ValueError:
        report.errors.append(f"{at}: review sign-off: date {date!r} is not a date like 2026-11-30; not recorded")
        return
    scope = next((s for s in SIGN_OFF_SCOPES if s in scope), None)
    if not name or scope is None:
        report.errors.append(f"{at}: review sign-off needs a reviewer name and a scope "
                             f"({' or '.join(SIGN_OFF_SCOPES)}); not recorded")
        return
    open_units = [u.id for u in units if u.where == "handout"
                  and (u.id in failed or u.id not in seen or seen[u.id].state not in (TRANSLATED, REVIEWED))]
    unstamped = [u.section for u in units if u.section and u.section != FRONT
                 and u.section not in stamps and u.current != u.stamped]
    if open_units or unstamped:
        report.warnings.append(f"{at}: review sign-off by {name} not recorded: "
                               f"{len(open_units)} unit(s) not done or failed (first: "
                               f"{(open_units or ['-'])[0]}); sign off once every unit is translated")
        return
    record(hdoc, name.strip(), when, scope)
    report.notes.append(f"{scope} sign-off by {name.strip()} on {when.isoformat()} recorded")


def _write(doc: YamlDoc, report: Report, check=None) -> None:
    """Write the file if it changed, after ``check`` (a loader) accepts the new text."""
    from ..project import write_atomic
    text = doc.dumps()
    if text == doc.original:
        return
    if check is not None:
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            trial = Path(tmp) / doc.path.parent.name / doc.path.name
            trial.parent.mkdir()
            trial.write_text(text, encoding="utf-8")
            try:
                check(trial)
            except LeafletError as exc:
                report.errors.append(f"{doc.display}: the file would not load after the import, so it was "
                                     f"not written ({exc.message}); please report this")
                return
    write_atomic(doc.path, text.encode("utf-8"))
    report.written.append(doc.display)
