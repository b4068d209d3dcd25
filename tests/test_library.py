"""Issue 16: handouts beyond the port. A second handout (tests/library: a PICC line, with a
table, a diagram and a raster figure, a warning call-out holding a list, steps kept together,
write-in lines, five translations including Arabic and Traditional Chinese) builds in every
layout with every string back from pdftotext and its blocks tagged; the new block kinds are
checked in the schema and mirrored by translations."""
from __future__ import annotations

import html
import shutil
from pathlib import Path

import pypdf
import pytest

from leafpress.cli import main
from leafpress.content.loader import check_mirrors, load_handout
from leafpress.content.model import Table, WriteIn, text_parts
from leafpress.errors import LeafletError
from leafpress.layout.items import TextLine
from leafpress.project import Job, Project
from leafpress.translate.units import handout_units

from conftest import ROOT, manifest, poppler, project_copy
from test_build import normalise, sentences, split_across_pages
from test_tags import struct_elems

LIB = ROOT / "tests" / "library"
LANGS = ("en", "es", "ar", "zh-Hant", "ru", "hi")


def library_project(dst: Path) -> Path:
    project_copy(dst, sorted((ROOT / "layouts").glob("*.yaml")), handouts=False)
    shutil.copytree(LIB / "handouts", dst / "handouts")
    for f in (LIB / "assets" / "diagrams").iterdir():
        shutil.copyfile(f, dst / "assets" / "diagrams" / f.name)
    shutil.copytree(LIB / "assets" / "images", dst / "assets" / "images")
    shutil.copyfile(ROOT / "assets" / "site.yaml", dst / "assets" / "site.yaml")
    with open(dst / "assets" / "brands" / "partners.yaml", "a", encoding="utf-8") as f:
        f.write(PARTNER)
    return dst


# A partner clinic with its own text block (in English and Arabic only).
PARTNER = """  - id: lakeside-infusion
    name: Lakeside Infusion Center
    phone: "+1 (555) 010-0190"
    address: 12 Shore Road, Tahoe City, CA 96145
    note:
      en: "Infusion suite hours: Monday to Friday, 8 am to 6 pm. After hours, ask for the nurse on call."
      ar: "ساعات جناح التسريب: من الاثنين إلى الجمعة، من 8 صباحًا حتى 6 مساءً. بعد ساعات العمل، اطلب الممرضة المناوبة."
"""


@pytest.fixture(scope="module")
def lib(tmp_path_factory) -> Path:
    return library_project(tmp_path_factory.mktemp("lib") / "proj")


@pytest.fixture(scope="module")
def lib_built(lib, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("libout")
    code = main(["build", "--jobs", "2", "--brand", "open-leaflets", "--out", str(out)], root=lib)
    docs = manifest(out)["documents"]
    assert code == 0, [d.get("error") for d in docs if d["status"] != "ok"]
    return out


def test_every_layout_and_language_builds_without_layout_findings(lib_built):
    docs = manifest(lib_built)["documents"]
    layouts = {p.stem for p in (ROOT / "layouts").glob("*.yaml")}
    assert {d["layout"] for d in docs} == layouts
    assert {d["lang"] for d in docs} == set(LANGS)
    for d in docs:
        odd = [w for w in d["warnings"] if not w.startswith("translation:")]
        assert not odd, (d["path"], odd)


@pytest.mark.parametrize("lang", LANGS)
def test_every_string_comes_back_from_pdftotext(lib, lib_built, lang):
    h = load_handout(lib / "handouts" / "picc" / f"{lang}.yaml", lib)
    pdfs = sorted(lib_built.glob(f"open-leaflets/picc/picc-{lang}-*.pdf"))
    assert len(pdfs) >= 5
    for pdf in pdfs:
        got = normalise(poppler("pdftotext", str(pdf), "-"))
        missing = [(key, s) for key, text in h.texts() if ".alt" not in key
                   for s in sentences(text.plain) if normalise(s) not in got and not split_across_pages(s, got)]
        assert not missing, (pdf.name, missing[:5])


@pytest.mark.parametrize("lang, layout", [("en", "letter-2page"), ("ar", "trifold-letter"),
                                          ("zh-Hant", "large-print")])
def test_table_icon_and_write_in_are_tagged(lib, lib_built, lang, layout):
    r = pypdf.PdfReader(lib_built / f"open-leaflets/picc/picc-{lang}-{layout}.pdf")
    elems = struct_elems(r)
    types = [str(e["/S"]) for _, e in elems]
    assert types.count("/Table") == 1 and types.count("/TR") == 4
    assert types.count("/TH") == 3 and types.count("/TD") == 9
    assert all(e["/A"]["/Scope"] == "/Column" for _, e in elems if e["/S"] == "/TH")
    p = Project(lib)
    alt = p.language(lang).strings["icon_warning"]
    assert any(e["/S"] == "/Figure" and e.get("/Alt") == alt for _, e in elems)
    h = load_handout(lib / "handouts" / "picc" / f"{lang}.yaml", lib)
    fields = [b for s in h.sections for b in s.blocks if isinstance(b, WriteIn)][0].fields
    text = normalise(poppler("pdftotext", str(lib_built / f"open-leaflets/picc/picc-{lang}-{layout}.pdf"), "-"))
    assert all(normalise(f.plain) in text for f in fields)


def test_a_table_split_repeats_its_header_as_an_artifact(lib):
    """A long table split between columns: the header again at the top of the next one, drawn
    as an artifact (it is content once), every cell exactly once."""
    en = lib / "handouts" / "picc" / "en.yaml"
    text = en.read_text(encoding="utf-8")
    rows = "".join(f"            - [Row {i} first cell, Row {i} second cell, Row {i} third]\n" for i in range(24))
    text = text.replace("            - [Flush the line, Every week, Your nurse]\n", rows)
    for lang in LANGS[1:]:
        (lib.parent / "split").mkdir(exist_ok=True)
    work = lib.parent / "split" / "proj"
    if not work.exists():
        library_project(work)
        for lang in LANGS[1:]:
            (work / "handouts" / "picc" / f"{lang}.yaml").unlink()
    (work / "handouts" / "picc" / "en.yaml").write_text(text, encoding="utf-8")
    p = Project(work)
    h, lang, brand, laid, _ = p.lay_out(Job("picc", "en", "trifold-letter", "open-leaflets"))
    header = [t for t in h.sections[2].blocks[0].header]
    drawn = [(pi, i) for pi, page in enumerate(laid.pages) for i in page.items
             if isinstance(i, TextLine) and i.paragraph.text == header[0].plain]
    assert len(drawn) >= 2
    assert [i.role for _, i in drawn].count("TH") == 1
    assert all(i.role == "Artifact" and not i.node.content for _, i in drawn if i.role != "TH")


def test_a_figure_alone_in_its_section_stays_with_its_heading(lib):
    p = Project(lib)
    for layout in ("letter-2page", "a4-2page", "trifold-letter"):
        h, lang, brand, laid, _ = p.lay_out(Job("picc", "en", layout, "open-leaflets"))
        sec = next(i for i, s in enumerate(h.sections) if s.id == "dressing")
        heading = [(pi, i) for pi, page in enumerate(laid.pages) for i in page.items
                   if isinstance(i, TextLine) and i.node.kind == "heading" and i.node.section == sec]
        pic = [(pi, i) for pi, page in enumerate(laid.pages) for i in page.items
               if getattr(i, "role", "") == "Figure" and getattr(i, "node", None) is not None
               and i.node.section == sec and i.node.kind == "block"]
        assert heading and pic and heading[0][0] == pic[0][0], layout
        hx, px = heading[0][1], pic[0][1]
        assert hx.y > px.y + px.h and abs(hx.x - px.x) < px.w, layout     # right under its heading


def test_new_blocks_export_as_translation_units(lib):
    p = Project(lib)
    src, ar = p.source("picc"), p.handout("picc", "ar")
    units = {u.id: u for u in handout_units(src, ar, {}, {})}
    assert units["sections.care.blocks.0.table.rows.2.1"].target == "*كل يوم*"
    assert units["sections.care.blocks.0.table.header.0"].path == ("sections", "care", "blocks", 0, "table", "header", 0)
    assert units["sections.notes.blocks.0.write_in.fields.1"].target == "هاتف فريق الرعاية"
    assert units["sections.warning.blocks.0.callout.blocks.1.bullets.2"].source == "A wet or loose dressing."
    assert units["sections.care.blocks.1.steps.0"].path[-2:] == ("items", 0)
    assert all(u.state == "translated" for u in units.values())


def _bad(lib: Path, tmp_path: Path, old: str, new: str, lang: str = "en") -> LeafletError:
    work = tmp_path / "p"
    shutil.copytree(lib, work, symlinks=True)
    f = work / "handouts" / "picc" / f"{lang}.yaml"
    text = f.read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, new, 1), encoding="utf-8")
    p = Project(work)
    with pytest.raises(LeafletError) as exc:
        p.prepare(Job("picc", lang, "letter-2page", "open-leaflets"))
    return exc.value


@pytest.mark.parametrize("old, new, lang, says", [
    ("- [Check the arm, '*Every day*', You]", "- [Check the arm, '*Every day*']", "en",
     "row has 2 cell(s), the header 3"),
    ("tone: warning", "tone: danger", "en", "'danger' is not a call-out tone"),
    ("            - paragraph: '**Call", "            - table: '**Call", "en", "unknown block kind 'table' inside a call-out"),
    ("image: picc-dressing.png", "image: ../../secret.png", "en", "is not an image name"),
    ("            - [فحص الذراع, '*كل يوم*', أنت]\n", "", "ar", "missing rows.2.0"),
    ("tone: warning", "tone: info", "ar", "has tone 'info', the source 'warning'"),
    ("keep_together: true", "keep_together: false", "en", "the mapping form is for keep_together: true"),
])
def test_new_blocks_are_checked(lib, tmp_path, old, new, lang, says):
    err = _bad(lib, tmp_path, old, new, lang)
    assert says in str(err), str(err)
    assert err.file and err.file.endswith(f"{lang}.yaml")


def test_mirror_rules_cover_every_text_of_the_new_kinds(lib):
    src = load_handout(lib / "handouts/picc/en.yaml", lib)
    for lang in LANGS[1:]:
        tr = load_handout(lib / f"handouts/picc/{lang}.yaml", lib)
        check_mirrors(src, tr)
        for ss, ts in zip(src.sections, tr.sections):
            for sb, tb in zip(ss.blocks, ts.blocks):
                assert [k for k, _ in text_parts(sb)] == [k for k, _ in text_parts(tb)]
    table = next(b for s in src.sections for b in s.blocks if isinstance(b, Table))
    assert len(text_parts(table)) == 3 + 9


def test_write_in_form_fields_are_tagged_with_their_label(lib_built):
    r = pypdf.PdfReader(lib_built / "open-leaflets/picc/picc-ar-letter-2page.pdf")
    widgets = [a.get_object() for p in r.pages for a in p.get("/Annots", [])
               if a.get_object()["/Subtype"] == "/Widget"]
    assert [w["/TU"] for w in widgets] == ["تاريخ الإجراء", "هاتف فريق الرعاية", "موعد الغسل القادم"]
    assert all(isinstance(w["/StructParent"], int) for w in widgets)
    assert [str(e["/S"]) for _, e in struct_elems(r)].count("/Form") == 3


@pytest.mark.parametrize("lang", ["en", "ar", "es"])
def test_handout_contact_line_and_clinic_note(lib, tmp_path, lang):
    """The handout's own contact line is printed with the contact details in every layout; a
    partner clinic's note is printed in the languages it has (and only there)."""
    out = tmp_path / "out"
    assert main(["build", "--handout", "picc", "--lang", lang, "--brand", "lakeside-infusion",
                 "--out", str(out), "--jobs", "2"], root=lib) == 0
    h = load_handout(lib / "handouts" / "picc" / f"{lang}.yaml", lib)
    note = {"en": "Infusion suite hours", "ar": "ساعات جناح التسريب"}.get(lang)
    pdfs = sorted(out.glob("lakeside-infusion/picc/*.pdf"))
    assert len(pdfs) >= 5
    for pdf in pdfs:
        got = normalise(poppler("pdftotext", str(pdf), "-"))
        assert normalise(h.contact.plain) in got or split_across_pages(h.contact.plain, got), pdf.name
        if note:
            assert normalise(note) in got or split_across_pages(note, got), pdf.name
        else:
            assert "Infusionsuite" not in got or "bilingual" in pdf.name   # the English column has it


def test_a_layout_may_keep_room_for_a_clinic_note(lib, tmp_path):
    work = tmp_path / "p"
    shutil.copytree(lib, work, symlinks=True)
    spec = work / "layouts" / "letter-2page.yaml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("brand_lines: {footer: 4}", "brand_lines: {footer: 4, note: 3}"), encoding="utf-8")
    plain = Project(work).lay_out(Job("picc", "en", "letter-2page", "open-leaflets"))[3]
    clinic = Project(work).lay_out(Job("picc", "en", "letter-2page", "lakeside-infusion"))[3]
    assert plain.body_size == clinic.body_size      # the same room for every clinic
    spec.write_text(text.replace("brand_lines: {footer: 4}", "brand_lines: {footer: 4, note: 1}"), encoding="utf-8")
    with pytest.raises(LeafletError, match=r"the clinic's note take \d lines in layout 'letter-2page'.*keeps room for 1"):
        Project(work).lay_out(Job("picc", "en", "letter-2page", "lakeside-infusion"))


def test_the_site_renders_every_new_block(lib, lib_built):
    """The online copy (issue 18's site) of the second handout: a table with column headers, the
    call-out's icon with its words, the write-in labels, the picture with its alternative text."""
    from leafpress.site.build import build_site
    report = build_site(Project(lib), lib_built)
    assert report.errors == []
    for lang in ("en", "ar"):
        page = (lib_built / "site" / "picc" / lang / "index.html").read_text(encoding="utf-8")
        h = load_handout(lib / "handouts" / "picc" / f"{lang}.yaml", lib)
        assert page.count('<th scope="col">') == 3 and page.count("<td>") == 9
        assert f'role="img" aria-label="{Project(lib).language(lang).strings["icon_warning"]}"' in page
        fields = [b for s in h.sections for b in s.blocks if isinstance(b, WriteIn)][0].fields
        assert all(html.escape(f.plain, quote=False).replace("'", "&#39;") in page for f in fields)
        assert 'src="data:image/png;base64,' in page and h.sections[1].blocks[0].alt.plain in page
    # The clinic's page shows its own note in each language it has, marked with that language.
    clinic = (lib_built / "site" / "clinics" / "lakeside-infusion" / "index.html").read_text(encoding="utf-8")
    assert '<p lang="en" dir="ltr">Infusion suite hours: Monday to Friday, 8 am to 6 pm.' in clinic
    assert '<p lang="ar" dir="rtl">ساعات جناح التسريب' in clinic


def test_a_call_out_taller_than_a_column_splits_between_its_parts(tmp_path):
    """A warning call-out whose list is taller than a whole column (issue 16: it was refused)
    is split between its items: part of it in one column, the rest at the top of the next, the
    box open at the split and the icon only at its start; every item is read back once and the
    tags keep one list with every item."""
    proj = library_project(tmp_path / "proj")
    en = proj / "handouts/picc/en.yaml"
    items = [f"Warning sign number {k} that needs a call to your care team today." for k in range(1, 41)]
    text = en.read_text(encoding="utf-8")
    text = text.replace("                - A wet or loose dressing.\n",
                        "".join(f"                - {t}\n" for t in items))
    en.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    # The translations no longer mirror the source, so build English alone.
    assert main(["--handout", "picc", "--lang", "en", "--layout", "large-print", "--layout", "letter-2page",
                 "--brand", "open-leaflets", "--out", str(out)], root=proj) in (0, 1)
    docs = {d["layout"]: d for d in manifest(out)["documents"]}
    doc = docs["large-print"]
    assert doc["status"] == "ok", doc.get("error")
    pdf = out / doc["path"]
    pages = [normalise(poppler("pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-")) for n in range(1, doc["pages"] + 1)]
    where = [[n for n, p in enumerate(pages) if normalise(t) in p] for t in items]
    assert all(len(w) == 1 for w in where), where            # each item once, whole
    assert where[0][0] < where[-1][0]                         # the call-out runs on to another page
    r = pypdf.PdfReader(pdf)
    def kids(e):
        return [k.get_object() for k in (e["/K"] if isinstance(e["/K"], list) else [e["/K"]]) if hasattr(k, "get_object")]
    lists = [e for _, e in struct_elems(r) if e["/S"] == "/L"]
    assert 42 in [sum(1 for k in kids(e) if k.get("/S") == "/LI") for e in lists]   # one list, 2 + 40 items
    icons = [e for _, e in struct_elems(r) if e["/S"] == "/Figure" and e.get("/Alt") == "Warning"]
    assert len(icons) == 1                                    # the icon once, at the start
    # A fixed sheet cannot hold it at all: the overflow message, not a crash.
    assert docs["letter-2page"]["status"] == "failed" and "picc" in docs["letter-2page"]["error"]


def test_clinic_notes_and_contact_lines_count_in_the_reading_level(lib, capsys):
    """A partner clinic's note is measured in its own finding per language (a hard one warns);
    the handout's contact line counts with its sections."""
    from leafpress.checks import note_findings
    main(["check", "--handout", "picc", "--brand", "lakeside-infusion", "--lang", "en",
          "--layout", "letter-2page", "--format", "json"], root=lib)
    out = capsys.readouterr().out
    assert '"where": "assets/brands/partners.yaml (lakeside-infusion).note.en"' in out
    hard = ("Notwithstanding institutional administrative considerations, intravenous catheter "
            "maintenance appointments necessitate preliminary telephonic authorization.")
    found = note_findings("picc", "en", "lakeside-infusion", hard)
    assert any(f.severity == "warning" and "harder than the target" in f.message for f in found)
    assert all(f.severity == "info" for f in note_findings("picc", "en", "x", "Call us. We are open all day."))
    assert note_findings("picc", "zh-Hant", "x", "請打電話給我們。") == []       # not measured there
    from leafpress.checks import handout_findings
    from leafpress.content.inline import parse_inline
    h = Project(lib).handout("picc", "en")
    assert h.contact is not None and not [f for f in handout_findings(h, h) if f.where.endswith(" contact")]
    hard_contact = h.__class__(**{**h.__dict__, "contact": h.contact.__class__(hard, parse_inline(hard))})
    assert any(f.where.endswith(" contact") for f in handout_findings(hard_contact, hard_contact))
