"""Translators in their own tools: XLIFF and PO export and import, validation per unit,
review sign-off, pseudo-locales."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from lxml import etree

from conftest import ROOT, main, manifest
from leafpress.project import Project
from leafpress.translate import pseudo
from leafpress.translate.units import handout_units
from leafpress.translate.validate import bidi_balance, numbers, problems

XLIFF_NS = {"x": "urn:oasis:names:tc:xliff:document:1.1"}
LANGS = sorted(p.stem for p in (ROOT / "handouts" / "port").glob("*.yaml") if p.stem != "en")


def _digests(root: Path) -> dict:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*.yaml"))}


def _export(root: Path, out: Path, *args) -> None:
    assert main(["export", "--out", str(out), *args], root=root) == 0


def _xliff(path: Path):
    tree = etree.parse(str(path))
    return tree, lambda uid: tree.find(f".//x:trans-unit[@id='{uid}']", XLIFF_NS)


def _target(tu):
    return tu.find("x:target", XLIFF_NS)


# -- round trip ---------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["xliff", "po"])
def test_export_then_import_without_change_leaves_every_yaml_byte_identical(scratch, tmp_path, capsys, fmt):
    before = _digests(scratch)
    _export(scratch, tmp_path, "--format", fmt)
    files = sorted((tmp_path / "translations").iterdir())
    assert [f.name for f in files] == [f"port-{lang}.{'xlf' if fmt == 'xliff' else 'po'}" for lang in LANGS]
    for f in files:
        assert main(["import", str(f)], root=scratch) == 0, capsys.readouterr().err
    assert _digests(scratch) == before
    assert "written: nothing" in capsys.readouterr().err


def test_export_is_byte_identical_run_to_run(tmp_path):
    _export(ROOT, tmp_path / "a", "--lang", "ar", "--lang", "es")
    _export(ROOT, tmp_path / "b", "--lang", "ar", "--lang", "es")
    _export(ROOT, tmp_path / "a", "--lang", "hi", "--format", "po")
    _export(ROOT, tmp_path / "b", "--lang", "hi", "--format", "po")
    for f in (tmp_path / "a" / "translations").iterdir():
        assert f.read_bytes() == (tmp_path / "b" / "translations" / f.name).read_bytes()


def test_units_have_ids_notes_fingerprints_and_states(tmp_path):
    _export(ROOT, tmp_path, "--lang", "ar")
    tree, tu = _xliff(tmp_path / "translations" / "port-ar.xlf")
    assert tree.find(".//x:file", XLIFF_NS).get("original") == "handouts/port/ar.yaml"
    step = tu("sections.steps.blocks.0.steps.2")
    assert "Numbered step 3 of 5" in step.find("x:note[@from='developer']", XLIFF_NS).text
    assert _target(step).get("state") == "translated"
    assert "source fingerprint" in step.find("x:note[@from='leafpress-fingerprint']", XLIFF_NS).text
    label = tu("sections.parts.blocks.1.figure.labels.port")
    assert label.get("maxwidth") == "30" and "at most about 18 characters" in label.find("x:note", XLIFF_NS).text
    assert "button-like" in tu("ui.page").find("x:note", XLIFF_NS).text
    kinds = {u.get("id").split(".")[-1] for u in tree.findall(".//x:trans-unit", XLIFF_NS)}
    assert {"title", "summary", "heading", "paragraph", "caption", "alt", "draft_notice"} <= kinds
    assert any(".write_in." in u.get("id") for u in tree.findall(".//x:trans-unit", XLIFF_NS))


# -- the held-out case: an XLIFF edited in another tool ------------------------------------------
def test_edited_xliff_imports_exactly_the_expected_changes_and_one_error(scratch, tmp_path, capsys):
    en = scratch / "handouts/port/en.yaml"           # the source moves on: section 'what' is stale
    en.write_text(en.read_text(encoding="utf-8").replace("Less often, it is placed in your upper arm.",
                                                         "Sometimes it is placed in your upper arm."),
                  encoding="utf-8")
    _export(scratch, tmp_path, "--lang", "ar")
    path = tmp_path / "translations" / "port-ar.xlf"
    tree, tu = _xliff(path)
    assert _target(tu("sections.what.blocks.1.paragraph")).get("state") == "needs-review-translation"
    _target(tu("sections.why.heading")).text = "لماذا يكون المنفذ أفضل من القسطرة؟"       # changed
    _target(tu("sections.steps.heading")).set("state", "signed-off")                    # reviewed
    callout = _target(tu("sections.who_places.blocks.0.paragraph"))           # has **bold**
    callout.text = callout.text.replace("**", "", 1)                                    # broken bold
    broken_line = tu("sections.who_places.blocks.0.paragraph").sourceline
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")

    ar = scratch / "handouts/port/ar.yaml"
    before, lang_before = ar.read_text(encoding="utf-8"), (scratch / "assets/languages/ar.yaml").read_bytes()
    capsys.readouterr()
    assert main(["import", str(path)], root=scratch) == 1
    err = capsys.readouterr().err
    errors = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1
    assert f"port-ar.xlf:{broken_line}: unit sections.who_places.blocks.0.paragraph:" in errors[0]
    assert "'**' opened but never closed" in errors[0]
    after = ar.read_text(encoding="utf-8")
    removed = [ln for ln in before.splitlines() if ln not in after.splitlines()]
    added = [ln for ln in after.splitlines() if ln not in before.splitlines()]
    assert removed == ["    heading: لماذا البورت أفضل من الكانيولا في الذراع"]
    assert added == ["  reviewed_units:", "    - sections.steps.heading",
                     "    heading: لماذا يكون المنفذ أفضل من القسطرة؟"]
    assert (scratch / "assets/languages/ar.yaml").read_bytes() == lang_before
    h = Project(scratch).handout("port", "ar")
    assert h.translation.reviewed_units == ("sections.steps.heading",)
    # The stale section is still stale: nothing was stamped.
    assert "what: bdf0ba2927" in after

    # The translator brings the stale section up to date and marks it done: it is stamped.
    _export(scratch, tmp_path, "--lang", "ar")
    tree, tu = _xliff(path)
    _target(tu("sections.what.blocks.1.paragraph")).text = "يوضع المنفذ تحت جلد صدرك. وأحيانًا يوضع في أعلى الذراع."
    for uid in ("sections.what.heading", "sections.what.blocks.0.paragraph", "sections.what.blocks.1.paragraph"):
        _target(tu(uid)).set("state", "translated")
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    assert main(["import", str(path)], root=scratch) == 0
    assert "section(s) stamped: what" in capsys.readouterr().err
    assert "what: bdf0ba2927" not in ar.read_text(encoding="utf-8")
    assert main(["check", "--lang", "ar", "--layout", "letter-2page", "--brand", "open-leaflets"], root=scratch) == 0
    assert _stale_sections(capsys.readouterr().out) <= {"why"}     # 'why' waits for a translator (issue 16)


def test_a_unit_exported_before_the_source_changed_is_not_imported(scratch, tmp_path, capsys):
    _export(scratch, tmp_path, "--lang", "es", "--format", "po")
    po = tmp_path / "translations" / "port-es.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "¿Qué es un puerto?"', 'msgstr "¿Qué es?"'),
                  encoding="utf-8")
    en = scratch / "handouts/port/en.yaml"
    en.write_text(en.read_text(encoding="utf-8").replace("heading: What is a port?", "heading: What is it?"),
                  encoding="utf-8")
    before = (scratch / "handouts/port/es.yaml").read_bytes()
    capsys.readouterr()
    assert main(["import", str(po)], root=scratch) == 0
    err = capsys.readouterr().err
    assert re.search(r"port-es\.po:\d+: unit sections\.what\.heading: the source changed since", err)
    assert (scratch / "handouts/port/es.yaml").read_bytes() == before


def test_po_states_fuzzy_and_reviewed(scratch, tmp_path, capsys):
    _export(scratch, tmp_path, "--lang", "es", "--format", "po")
    po = tmp_path / "translations" / "port-es.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgctxt "sections.care_team.heading"', '#, reviewed\nmsgctxt "sections.care_team.heading"')
    text = text.replace('msgctxt "title"\nmsgid "Your implanted port"\nmsgstr "Su puerto implantado"',
                        '#, fuzzy\nmsgctxt "title"\nmsgid "Your implanted port"\nmsgstr "Su port implantado"')
    po.write_text(text, encoding="utf-8")
    assert main(["import", str(po)], root=scratch) == 0
    h = Project(scratch).handout("port", "es")
    assert h.title.raw == "Su port implantado"                 # written, but not a done unit
    assert h.translation.reviewed_units == ("sections.care_team.heading",)


def test_ui_strings_go_to_the_language_file_and_keep_placeholders(scratch, tmp_path, capsys):
    _export(scratch, tmp_path, "--lang", "es")
    path = tmp_path / "translations" / "port-es.xlf"
    tree, tu = _xliff(path)
    _target(tu("ui.contact")).text = "¿Tiene preguntas? Llámenos"
    _target(tu("ui.page")).text = "Página {page}"                     # {pages} lost
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    assert main(["import", str(path)], root=scratch) == 1
    err = capsys.readouterr().err
    assert "unit ui.page: placeholders" in err
    lang = (scratch / "assets/languages/es.yaml").read_text(encoding="utf-8")
    assert 'contact: "¿Tiene preguntas? Llámenos"' in lang and "Página {page} de {pages}" in lang


# -- validation of one unit -----------------------------------------------------------------------
def _unit(uid: str, lang: str = "es"):
    p = Project(ROOT)
    us = handout_units(p.source("port"), p.handout("port", lang), p.language("en").strings,
                       p.language(lang).strings)
    return next(u for u in us if u.id == uid)


def test_every_current_translation_passes_validation():
    p = Project(ROOT)
    for lang in LANGS:
        for u in handout_units(p.source("port"), p.handout("port", lang), p.language("en").strings,
                               p.language(lang).strings):
            assert problems(u, u.target) == [], (lang, u.id)


def test_validation_catches_each_class_of_defect():
    callout = _unit("sections.safety.blocks.0.paragraph")
    ok = "Colocar un puerto toma **una hora o menos**. La mayoría vuelve a casa el **mismo día**."
    callout = type(callout)(**{**callout.__dict__, "source": "It takes **an hour or less**. Most go home the **same day**."})
    assert problems(callout, ok) == []
    assert "bold" in problems(callout, ok.replace("**mismo día**", "mismo día"))[0]
    assert "never closed" in problems(callout, ok.replace("**mismo día**", "**mismo día"))[0]
    more = _unit("sections.care_team.blocks.3.paragraph")
    assert "links differ" in " ".join(problems(more, "Pregunte a su médico. Lea [aquí](https://example.org)."))
    step = _unit("sections.steps.blocks.0.steps.1")
    assert problems(step, step.target + " 24") == []                  # a number may be added...
    dosed = type(step)(**{**step.__dict__, "source": "Take 2 tablets every 12 hours."})
    assert "12" in problems(dosed, "Tome 2 tabletas cada 21 horas.")[0]           # ...not changed
    assert problems(dosed, "Tome ٢ tabletas cada ١٢ horas.") == []                # any digits count
    label = _unit("sections.parts.blocks.1.figure.labels.port")
    assert "at most 30" in problems(label, "Puerto implantado debajo de la piel del pecho")[0]
    assert "refused character" in problems(label, "Puer\u200bto\u0007")[0]
    assert "unbalanced" in problems(label, "Puerto \u2067x")[0]
    assert problems(label, " ")[0].startswith("the translation is empty")


def test_numbers_and_bidi_balance():
    assert numbers("Call 555-0142 in 24 h") == numbers("اتصل ٥٥٥-٠١٤٢ خلال ٢٤ ساعة")
    assert bidi_balance("a \u2067b\u2069 c") is None
    assert "closes nothing" in bidi_balance("a \u2069")
    assert "never closed" in bidi_balance("\u2066a \u202bb\u202c")


def test_import_refuses_what_it_cannot_read(scratch, tmp_path, capsys):
    bad = tmp_path / "x.xlf"
    bad.write_text("<xliff><file", encoding="utf-8")
    assert main(["import", str(bad)], root=scratch) == 2
    other = tmp_path / "x.txt"
    other.write_text("hello", encoding="utf-8")
    assert main(["import", str(other)], root=scratch) == 2
    assert main(["export", "--lang", "en"], root=scratch) == 2
    err = capsys.readouterr().err
    assert "not a readable XLIFF" in err and "unknown exchange format" in err and "unknown language 'en'" in err
    assert "Traceback" not in err


# -- review sign-off ----------------------------------------------------------------------------
def test_clinical_sign_off_removes_the_draft_notice_linguistic_does_not(scratch, tmp_path, capsys):
    one = ["--lang", "ar", "--layout", "letter-2page", "--brand", "open-leaflets"]
    assert main(["stamp", "--handout", "port", "--lang", "ar"], root=scratch) == 0   # brought up to date
    assert main(["review", "--handout", "port", "--lang", "ar", "--reviewer", "Dr. Amal Haddad",
                 "--scope", "linguistic"], root=scratch) == 0
    h = Project(scratch).handout("port", "ar")
    assert h.translation.status.value == "draft" and h.translation.sign_offs[0].scope == "linguistic"
    assert main(["build", "--release", *one, "--out", str(tmp_path / "a")], root=scratch) == 1
    assert main(["review", "--handout", "port", "--lang", "ar", "--reviewer", "Dr. Amal Haddad",
                 "--scope", "clinical"], root=scratch) == 0
    h = Project(scratch).handout("port", "ar")
    assert h.translation.status.value == "reviewed" and h.translation.reviewer == "Dr. Amal Haddad"
    assert [s.scope for s in h.translation.sign_offs] == ["linguistic", "clinical"]
    text = (scratch / "handouts/port/ar.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Port handout, Arabic")                  # comments kept
    assert main(["build", "--release", *one, "--out", str(tmp_path / "b")], root=scratch) == 0
    doc = manifest(tmp_path / "b")["documents"][0]
    assert not any("draft" in w for w in doc["warnings"])


def test_stale_translation_cannot_be_signed_off_and_release_refuses_it(scratch, tmp_path, capsys):
    en = scratch / "handouts/port/en.yaml"
    en.write_text(en.read_text(encoding="utf-8").replace("heading: Your care team", "heading: Your care team today"),
                  encoding="utf-8")
    assert main(["review", "--handout", "port", "--lang", "hi", "--reviewer", "R. Sharma"], root=scratch) == 2
    err = capsys.readouterr().err
    assert "cannot sign off: section(s) " in err and "care_team do not match" in err, err


def test_sign_off_travels_in_the_xliff_header(scratch, tmp_path, capsys):
    assert main(["stamp", "--handout", "port", "--lang", "vi"], root=scratch) == 0   # brought up to date
    _export(scratch, tmp_path, "--lang", "vi")
    path = tmp_path / "translations" / "port-vi.xlf"
    tree, _ = _xliff(path)
    file_el = tree.find(".//x:file", XLIFF_NS)
    header = etree.Element("{urn:oasis:names:tc:xliff:document:1.1}header")
    group = etree.SubElement(header, "{urn:oasis:names:tc:xliff:document:1.1}phase-group")
    etree.SubElement(group, "{urn:oasis:names:tc:xliff:document:1.1}phase", {
        "phase-name": "clinical", "process-name": "review", "contact-name": "Dr. Linh Tran",
        "date": "2026-11-30T10:00:00Z"})
    file_el.insert(0, header)
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    assert main(["import", str(path)], root=scratch) == 0
    t = Project(scratch).handout("port", "vi").translation
    assert t.status.value == "reviewed" and t.reviewer == "Dr. Linh Tran" and str(t.reviewed_on) == "2026-11-30"


# -- pseudo-locales -----------------------------------------------------------------------------
def test_en_xa_is_accented_bracketed_and_35_to_40_percent_longer():
    p = Project(ROOT)
    src, xa = p.source("port"), p.handout("port", "en-XA")
    for (key, a), (_, b) in zip(src.texts(), xa.texts()):
        assert b.plain.startswith("[") and b.plain.endswith("]"), key
        if len(a.plain) >= 10:
            assert 1.35 <= len(b.plain) / len(a.plain) <= 1.40 + 1 / len(a.plain), key
        assert [s.bold for s in a.spans if s.bold] == [s.bold for s in b.spans if s.bold]
        assert [s.href for s in a.spans if s.href] == [s.href for s in b.spans if s.href]
    assert "Ýóúŕ" in xa.title.plain
    assert p.language("en-XA").strings["page"].count("{page}") == 1


def test_ar_xb_runs_right_to_left_with_marks():
    p = Project(ROOT)
    xb, lang = p.handout("port", "ar-XB"), p.language("ar-XB")
    assert lang.rtl and xb.title.plain.startswith("\u200f") and "\u200f" in xb.summary.plain
    assert xb.title.plain.replace("\u200f", "") == p.source("port").title.plain


def test_pseudo_locales_build_on_request_only(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["build", "--lang", "en-xa", "--lang", "ar-XB", "--layout", "large-print",
                 "--layout", "letter-2page", "--brand", "open-leaflets", "--out", str(out)], root=ROOT)
    docs = {(d["lang"], d["layout"]): d for d in manifest(out)["documents"]}
    assert code == 1                                          # en-XA overflows letter-2page...
    assert docs[("en-XA", "large-print")]["status"] == "ok"
    assert docs[("ar-XB", "letter-2page")]["status"] == "ok"
    err = docs[("en-XA", "letter-2page")]["error"]
    assert "does not fit 2 page(s)" in err and "layouts that hold it" in err     # ...with the overflow message
    assert main(["build", "--release", "--lang", "ar-XB", "--layout", "large-print", "--brand",
                 "open-leaflets", "--out", str(out)], root=ROOT) == 1           # never released
    from leafpress.cli import parser, plan
    jobs = plan(Project(ROOT), parser().parse_args(["build"]))
    assert not {j.lang for j in jobs} & set(pseudo.PSEUDO)                   # not in the full build


def test_approved_in_xliff_counts_as_reviewed(scratch, tmp_path, capsys):
    _export(scratch, tmp_path, "--lang", "ko")
    path = tmp_path / "translations" / "port-ko.xlf"
    tree, tu = _xliff(path)
    tu("summary").set("approved", "yes")
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    assert main(["import", str(path)], root=scratch) == 0
    assert Project(scratch).handout("port", "ko").translation.reviewed_units == ("summary",)
    _export(scratch, tmp_path / "again", "--lang", "ko")               # and it goes out reviewed
    _, tu = _xliff(tmp_path / "again" / "translations" / "port-ko.xlf")
    assert _target(tu("summary")).get("state") == "signed-off"


def test_front_matter_has_its_own_fingerprint(scratch, tmp_path, capsys):
    assert main(["stamp", "--lang", "es"], root=scratch) == 0          # stamp records the front too
    assert Project(scratch).handout("port", "es").translation.front_from is not None
    en = scratch / "handouts/port/en.yaml"
    en.write_text(en.read_text(encoding="utf-8").replace("most people go home the same day.",
                                                         "most people go home that day."), encoding="utf-8")
    capsys.readouterr()
    main(["check", "--lang", "es", "--layout", "letter-2page", "--brand", "open-leaflets"], root=scratch)
    assert "in section(s) front matter (title, subtitle, summary, credit)" in capsys.readouterr().out
    _export(scratch, tmp_path, "--lang", "es")
    path = tmp_path / "translations" / "port-es.xlf"
    tree, tu = _xliff(path)
    assert _target(tu("summary")).get("state") == "needs-review-translation"
    assert _target(tu("sections.what.heading")).get("state") == "translated"
    for uid in ("title", "subtitle", "summary", "source_credit"):
        _target(tu(uid)).set("state", "translated")
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    assert main(["import", str(path)], root=scratch) == 0
    assert "section(s) stamped: front" in capsys.readouterr().err
    main(["check", "--lang", "es", "--layout", "letter-2page", "--brand", "open-leaflets"], root=scratch)
    assert _stale_sections(capsys.readouterr().out) <= {"why"}     # 'why' waits for a translator (issue 16)


def _stale_sections(out: str) -> set:
    """The sections a check's output calls stale."""
    return {s.strip() for line in out.splitlines() if "stale" in line and "in section(s) " in line
            for s in line.split("in section(s) ", 1)[1].split(",")}


def test_a_new_source_item_is_exported_new_and_imported_into_place(scratch, tmp_path, capsys):
    en = scratch / "handouts/port/en.yaml"
    en.write_text(en.read_text(encoding="utf-8").replace(
        "          - It has a lower risk of infection.\n",
        "          - It has a lower risk of infection.\n          - It needs a flush every 4 weeks.\n"),
        encoding="utf-8")
    _export(scratch, tmp_path, "--lang", "es")
    path = tmp_path / "translations" / "port-es.xlf"
    tree, tu = _xliff(path)
    assert _target(tu("sections.why.blocks.1.bullets.4")) is None                     # new: no target
    assert "items may have moved" in tu("sections.why.blocks.1.bullets.3").find("x:note", XLIFF_NS).text
    _target(tu("sections.why.blocks.1.bullets.3")).text = "Necesita un lavado cada 4 semanas."
    new = etree.SubElement(tu("sections.why.blocks.1.bullets.4"), "{urn:oasis:names:tc:xliff:document:1.1}target")
    new.text = "Puede nadar y bañarse como siempre."
    for u in tree.findall(".//x:trans-unit", XLIFF_NS):
        if u.get("id").startswith("sections.why."):
            _target(u).set("state", "translated")
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    assert main(["import", str(path)], root=scratch) == 0
    p = Project(scratch)
    items = p.handout("port", "es").sections[2].blocks[1].items
    assert [t.raw for t in items[-2:]] == ["Necesita un lavado cada 4 semanas.", "Puede nadar y bañarse como siempre."]
    from leafpress.content.loader import check_mirrors
    check_mirrors(p.source("port"), p.handout("port", "es"))                        # mirrors again


def test_a_tool_that_rewrote_original_still_imports(scratch, tmp_path, capsys):
    _export(scratch, tmp_path, "--lang", "zh-Hant")
    path = tmp_path / "translations" / "port-zh-Hant.xlf"
    tree, tu = _xliff(path)
    tree.find(".//x:file", XLIFF_NS).set("original", "port-zh-Hant.xlf")
    _target(tu("sections.care_team.heading")).text = "瞭解更多資訊"
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    assert main(["import", str(path)], root=scratch) == 0
    assert Project(scratch).handout("port", "zh-Hant").sections[-1].heading.raw == "瞭解更多資訊"
