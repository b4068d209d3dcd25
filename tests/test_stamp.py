"""Lay out once, stamp each clinic (layout/stamp.py), and the batch's tasks and Dask executor
(batch.py, remote.py): every stamped leaflet is the bytes its own full layout gives, passes the
page inspector and the tag checks; a build of one clinic gives the bytes of the same document
from a batch of many; a Dask cluster gives the bytes of a local build."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pypdf
import pytest

from leafpress import batch
from leafpress.cli import main
from leafpress.layout import inspection
from leafpress.layout.items import Picture, Qr
from leafpress.project import Job, Project

from conftest import ROOT, manifest
from test_tags import test_tagged_with_marked_content_tied_to_the_tree as tag_checks

SAMPLE = [("en", "letter-2page"), ("ar", "trifold-letter"), ("zh-Hant", "large-print"), ("hi", "bilingual-letter")]


def partners(n: int) -> str:
    """``n`` synthetic clinics unlike each other: short and long names, with and without a
    website and address, their own logo, a note in some languages."""
    out = ["base: open-leaflets", "partners:"]
    for i in range(n):
        name = ["Oak Clinic", "Saint Barnabas Community Health Center",
                "Clinique du Lac"][i % 3] + f" {i}"
        out += [f"  - id: clinic-{i:03d}", f"    name: {name}", f'    phone: "+1 (555) 01{i % 10}-{1000 + i}"']
        if i % 4 != 1:
            out.append(f"    website: https://clinic-{i}.example.org/leaflets")
        if i % 5 != 2:
            out.append(f"    address: {100 + i} Main Street, Springfield, ST {10000 + i}")
        if i % 3 == 2:
            out.append("    logo: own.svg")
        if i % 2 == 0:
            out += ["    note:", f"      en: Call us on weekdays from 8 to {4 + i % 3} with questions.",
                    "      ar: اتصل بنا في أيام الأسبوع."]
    return "\n".join(out) + "\n"


def with_partners(root: Path, n: int) -> Path:
    (root / "assets/brands/partners").mkdir(exist_ok=True)
    shutil.copyfile(ROOT / "assets/brands/riverside-clinic/logo.svg", root / "assets/brands/partners/own.svg")
    (root / "assets/brands/partners.yaml").write_text(partners(n), encoding="utf-8")
    return root


def unstamped(root: Path) -> Project:
    """A project that lays every document out on its own (fitted for its clinic alone), as
    before stamping; its build is otherwise the same."""
    project = Project(root)
    project.lay_out = project._lay_out_alone
    return project


@pytest.mark.parametrize("count", [1, 12])
def test_stamped_is_the_bytes_of_a_full_layout_and_passes_every_page_check(scratch, count):
    project = Project(with_partners(scratch, count))
    full = unstamped(scratch)
    spec_of = project.layout
    stamped = 0
    for lang, layout in SAMPLE:
        for clinic in project.partner_ids:
            job = Job("port", lang, layout, clinic)
            entry, data = project.build(job)
            assert entry["status"] == "ok", entry
            if entry.get("stamped_from") == "open-leaflets":
                stamped += 1
                laid = project.lay_out(job)[3]
                assert not inspection.errors(laid, spec_of(layout))    # the whole inspector, every item
            assert data == full.build(job)[1], (lang, layout, clinic)
    assert stamped == len(SAMPLE) * count


def test_stamped_leaflets_pass_the_tag_checks(scratch, tmp_path):
    root = with_partners(scratch, 3)
    assert main(["--lang", "ar", "--lang", "en", "--layout", "trifold-letter", "--layout", "letter-2page",
                 "--brand", "clinic-002", "--jobs", "1", "--out", str(tmp_path / "out")], root=root) == 0
    assert {d.get("stamped_from") for d in manifest(tmp_path / "out")["documents"]} == {"open-leaflets"}
    for lang, layout in (("ar", "trifold-letter"), ("en", "letter-2page")):
        # the tag checks read open-leaflets/port/...: give them the stamped clinic's leaflet there
        fake = tmp_path / f"as-{lang}" / "open-leaflets/port"
        fake.mkdir(parents=True)
        shutil.copyfile(tmp_path / f"out/clinic-002/port/port-{lang}-{layout}.pdf", fake / f"port-{lang}-{layout}.pdf")
        tag_checks(tmp_path / f"as-{lang}", lang, layout)
        text = "".join(p.extract_text() for p in pypdf.PdfReader(fake / f"port-{lang}-{layout}.pdf").pages)
        assert "Clinique du Lac 2" in " ".join(text.split())    # pypdf spaces the words of an LTR run in RTL apart


def test_one_clinic_alone_is_the_same_bytes_as_in_a_batch_of_many(scratch, tmp_path):
    root = with_partners(scratch, 12)
    args = ["--lang", "en", "--lang", "ar", "--layout", "trifold-letter", "--layout", "a4-2page"]
    assert main(args + ["--jobs", "2", "--out", str(tmp_path / "all")], root=root) == 0
    assert main(args + ["--brand", "clinic-007", "--jobs", "1", "--out", str(tmp_path / "one")], root=root) == 0
    one = sorted((tmp_path / "one/clinic-007").rglob("*.pdf"))
    assert len(one) == 4
    for pdf in one:
        assert pdf.read_bytes() == (tmp_path / "all" / pdf.relative_to(tmp_path / "one")).read_bytes(), pdf.name


def test_a_brand_with_its_own_colours_is_laid_out_on_its_own(scratch):
    project = Project(with_partners(scratch, 2))
    assert project.pattern_of("clinic-001") == "open-leaflets"
    assert project.pattern_of("riverside-clinic") == "riverside-clinic"     # other colours: its own layout
    entry, _ = project.build(Job("port", "en", "letter-2page", "riverside-clinic"))
    assert entry["status"] == "ok" and "stamped_from" not in entry


def test_a_clinic_too_long_for_its_room_still_fails_with_its_own_message(scratch, tmp_path):
    root = with_partners(scratch, 2)
    f = root / "assets/brands/partners.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace(
        "address: 100 Main Street", "address: " + ", ".join(["Building C, Floor 2, Suite 200"] * 8) + ", 100 Main Street"),
        encoding="utf-8")
    assert main(["--lang", "en", "--layout", "trifold-letter", "--jobs", "1", "--out", str(tmp_path)], root=root) == 1
    docs = {d["brand"]: d for d in manifest(tmp_path)["documents"]}
    assert "brand_lines.contact" in docs["clinic-000"]["error"]
    assert docs["clinic-001"]["status"] == "ok" and docs["clinic-001"]["stamped_from"] == "open-leaflets"


def test_the_inspector_on_stamped_pages_checks_every_new_item(scratch):
    """``only``: a new item that breaks a rule is found; the pattern's own items are not inspected again."""
    project = Project(with_partners(scratch, 2))
    laid = project.lay_out(Job("port", "en", "letter-2page", "clinic-001"))[3]
    spec = project.layout("letter-2page")
    page = laid.pages[-1]
    qr = next(i for i in page.items if isinstance(i, Picture) and isinstance(i.source, Qr))
    small = Picture(qr.source, 1.0, 1.0, 30, 30, role="Artifact", node=qr.node)   # at the edge, under 20 mm
    page.items.append(small)
    found = {d.rule for d in inspection.errors(laid, spec, only={id(small)})}
    assert {"edge", "qr"} <= found
    assert not inspection.errors(laid, spec, only={id(qr)})


def test_the_rules_of_one_line_look_at_every_new_line_of_a_stamped_page(scratch):
    """The inspector's rules of one line (type size of contact details, broken numbers and
    addresses, stranded headings) run over a stamped page's new items only: a new contact line
    set too small is found, as the whole inspector finds it, and the pattern's own lines are not
    looked at again (each passed with the pattern)."""
    import dataclasses

    from leafpress.layout.items import TextLine
    project = Project(with_partners(scratch, 2))
    spec = project.layout("letter-2page")
    laid = project.lay_out(Job("port", "en", "letter-2page", "clinic-001"))[3]
    known = laid.known
    fresh = {id(i) for p in laid.pages for i in p.items if id(i) not in known.ids}

    def found(only):
        return [d for d in inspection.inspect(laid, spec.printable, spec.bleeds, spec.measures["contact_min"], only,
                                              known if only is not None else None) if d.rule == "contact-size"]
    assert found(fresh) == found(None) == []
    page, k, line = next((p, k, i) for p in laid.pages for k, i in enumerate(p.items)
                         if id(i) in fresh and isinstance(i, TextLine) and "555" in i.paragraph.text)
    small = dataclasses.replace(line, size=8.0)
    page.items[k] = small
    try:
        got = found((fresh - {id(line)}) | {id(small)})
        assert got and got == found(None)
        assert found(fresh - {id(line)}) == []      # an item not in ``only`` (as the pattern's own): not looked at
    finally:
        page.items[k] = line


def test_a_stamped_item_over_the_patterns_own_text_is_caught(scratch):
    """The inspector on stamped pages looks at the pattern's own lines only against fresh items
    (stamp.Known.kept, sorted once per pattern page): a fresh box, rule or picture over one of
    them is found, as the sweep over every line finds it, and a clean variant stays clean."""
    import dataclasses

    from leafpress.layout.items import Box, Rule, TextLine
    project = Project(with_partners(scratch, 3))
    for lang, layout in (("en", "letter-2page"), ("ar", "trifold-letter")):
        spec = project.layout(layout)
        laid = project.lay_out(Job("port", lang, layout, "clinic-001"))[3]
        known = laid.known
        fresh = {id(i) for p in laid.pages for i in p.items if id(i) not in known.ids}

        def found(only, kept=True):
            return inspection.inspect(laid, spec.printable, spec.bleeds, spec.measures["contact_min"], only,
                                      known if kept else None)
        assert found(fresh) == found(fresh, kept=False) == []
        for pi, page in enumerate(laid.pages):
            kept = known.kept(pi)[0]
            assert {id(i) for i in kept} == {id(i) for i in page.items if isinstance(i, TextLine)
                                             and id(i) not in fresh and inspection._line_box(i) is not None}
            line = max(kept, key=lambda ln: ln.width if ln.node.content else 0)
            box = inspection._line_box(line)
            mid = (box[2] + box[3]) / 2
            for item in (Box(box[0] + 1, mid - 1, 20, 2, fill="#cc0000"),
                         Rule(box[0] + 1, mid, box[0] + 40, mid, "#cc0000", 0.5),
                         dataclasses.replace(next(i for p in laid.pages for i in p.items
                                                  if isinstance(i, Picture)), x=box[0] + 1, y=mid - 5, w=10, h=10)):
                page.items.append(item)
                got = found(fresh | {id(item)})
                assert any(d.rule == "overlap" for d in got), (lang, layout, pi, item)
                assert got == found(fresh | {id(item)}, kept=False)
                page.items.pop()


def test_conservation_of_a_stamped_leaflet_follows_the_new_lines_and_still_catches_a_loss(scratch):
    """conserve.check with the pattern's Known: a clean variant passes from the pattern's own
    lines worked out once and the clinic's new lines (conserve._stamped); a new line lost,
    drawn twice or moved off the page, or a brand string not drawn, fails with the very message
    of the whole check."""
    import dataclasses

    from leafpress.layout import conserve
    from leafpress.layout.items import TextLine
    project = Project(with_partners(scratch, 3))
    for lang, layout in (("en", "trifold-letter"), ("ar", "letter-2page"), ("es", "bilingual-letter")):
        h, lg, brand, laid, partner = project.lay_out(Job("port", lang, layout, "clinic-001"))
        sources = [conserve.Source(h, lg, brand.for_language(lg.code, lg.rtl))]
        if partner is not None:
            first = project.language(partner.lang)
            sources = [conserve.Source(partner, first, brand.for_language(first.code, first.rtl)),
                       dataclasses.replace(sources[0], furniture=False)]
        assert conserve._stamped(laid, sources, laid.known), (lang, layout)
        fresh = [(page, i) for page in laid.pages for i in page.items
                 if isinstance(i, TextLine) and id(i) not in laid.known.ids]
        page, line = next((p, i) for p, i in fresh if i.line.end < len(i.paragraph.text.rstrip()))   # not its last line
        k = page.items.index(line)
        lost = dataclasses.replace(sources[0], brand=dataclasses.replace(sources[0].brand, phone="+1 999 999 9999"))
        for change, srcs in (("lost", sources), ("twice", sources), ("off", sources), (None, [lost] + sources[1:])):
            items = list(page.items)
            if change == "lost":
                page.items.pop(k)
            elif change == "twice":
                page.items.insert(k + 1, dataclasses.replace(line, seq=line.seq + 1e-6))
            elif change == "off":
                page.items[k] = dataclasses.replace(line, y=-50.0)
            with pytest.raises(conserve.ContentLost) as whole:
                conserve.check(laid, srcs)
            assert not conserve._stamped(laid, srcs, laid.known)
            with pytest.raises(conserve.ContentLost) as stamped:
                conserve.check(laid, srcs, laid.known)
            assert str(stamped.value) == str(whole.value), (lang, layout, change)
            page.items[:] = items


def test_tasks_are_one_language_and_a_block_of_clinics_each_in_every_layout_together():
    jobs = [Job("port", lang, lay, f"c{i}") for lang in ("en", "ar") for lay in ("a", "b", "c") for i in range(120)]
    tasks = batch.groups_of(jobs, 2)
    assert sorted(map(repr, (j for t in tasks for j in t))) == sorted(map(repr, jobs))
    assert all(len({(j.handout, j.lang) for j in t}) == 1 and len(t) <= batch.BLOCK for t in tasks)
    for t in tasks:         # a clinic's documents one after another, in the plan's layout order, in one task
        clinics = [j.brand for j in t]
        assert clinics == sorted(clinics, key=clinics.index) and all(clinics.count(c) == 3 for c in clinics)
        assert [j.layout for j in t] == ["a", "b", "c"] * (len(t) // 3)
    sizes = [len(t) for t in tasks]     # about even: no last block of a clinic or two left for another worker
    assert max(sizes) - min(sizes) <= 3 and sum(sizes) == len(jobs)
    odd = [Job("port", "ar", lay, f"c{i}") for lay in ("a", "b") for i in range(101)]
    assert [len(t) for t in batch.groups_of(odd, 2)] == [42, 40, 40, 40, 40]
    few = batch.groups_of(jobs[:6], 2)
    assert len(few) >= 4            # small batches still give every worker work
    alone = [Job("port", lang, lay, "open-leaflets") for lang in ("en", "ar", "hi") for lay in ("a", "b", "c")]
    assert batch.groups_of(alone, 2) == [[j] for j in alone]    # one brand: one task per document, as before


def test_helping_with_a_language_another_worker_is_on_takes_one_layout_of_it():
    """A worker that takes a task of a language another worker holds tasks of gets one layout's
    documents (one it has laid out, else the first): one more pattern to lay out, not one per
    layout; the rest of the task stays first in line, and nothing is lost or given twice."""
    jobs = [Job("port", "ar", lay, f"c{i}") for lay in ("a", "b") for i in range(4)]
    queue = batch._Queue(batch.groups_of(jobs, 1))
    own = queue.take(("port", "ar"), set())
    assert [(j.brand, j.layout) for j in own[:2]] == [("c0", "a"), ("c0", "b")]     # its own: every layout
    tasks = batch.groups_of(jobs, 1)
    queue = batch._Queue(tasks)
    helping = queue.take(None, {("port", "ar")}, {("port", "ar", "b")})
    assert helping == [j for j in tasks[0] if j.layout == "b"]
    assert queue.take(("port", "ar"), set()) == [j for j in tasks[0] if j.layout == "a"]
    last = queue.take(None, {("port", "ar")})          # none laid out here: the task's last layout
    assert last == [j for j in tasks[1] if j.layout == "b"]
    assert queue.take(("port", "ar"), set()) == [j for j in tasks[1] if j.layout == "a"] and not queue
    queue = batch._Queue(tasks)
    queue.take(None, {("port", "ar")}, {("port", "ar", "b")})
    again = queue.take(None, {("port", "ar")}, {("port", "ar", "b")})     # the b of the next task, not the a left
    assert again == [j for j in tasks[1] if j.layout == "b"]
    assert queue.take(("port", "ar"), set()) == [j for j in tasks[0] if j.layout == "a"]


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                                  dashboard_address=None) as c:
        yield c.scheduler_address


def digests(out: Path) -> dict:
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest() for p in out.rglob("*.pdf")}


def test_a_dask_cluster_builds_the_bytes_of_a_local_build(scratch, tmp_path, cluster):
    root = with_partners(scratch, 4)
    args = ["--lang", "en", "--lang", "ar", "--layout", "trifold-letter", "--brand", "open-leaflets",
            "--brand", "clinic-000", "--brand", "clinic-003"]
    assert main(args + ["--executor", "dask", "--scheduler", cluster, "--out", str(tmp_path / "d")], root=root) == 0
    assert main(args + ["--jobs", "2", "--out", str(tmp_path / "l")], root=root) == 0
    assert len(digests(tmp_path / "d")) == 6 and digests(tmp_path / "d") == digests(tmp_path / "l")
    docs = manifest(tmp_path / "d")["documents"]
    assert all(d["status"] == "ok" and d["input_hash"] for d in docs)


def test_a_worker_with_another_version_of_the_project_fails_its_documents(scratch, tmp_path, cluster):
    root = with_partners(scratch, 1)
    other = tmp_path / "worker-copy"
    shutil.copytree(root, other, symlinks=True)
    es = other / "handouts/port/es.yaml"
    es.write_text(es.read_text(encoding="utf-8").replace("Su puerto implantado", "Su puerto"), encoding="utf-8")
    code = main(["--lang", "en", "--lang", "es", "--layout", "a4-2page", "--brand", "clinic-000", "--executor", "dask",
                 "--scheduler", cluster, "--worker-root", str(other), "--out", str(tmp_path / "out")], root=root)
    assert code == 1
    docs = {d["lang"]: d for d in manifest(tmp_path / "out")["documents"]}
    assert docs["en"]["status"] == "ok"
    assert docs["es"]["status"] == "failed" and "worker's copy of the project differs" in docs["es"]["error"]
    assert not (tmp_path / "out/clinic-000/port/port-es-a4-2page.pdf").exists()


def test_executor_flags_go_together(scratch, tmp_path, capsys):
    assert main(["--executor", "dask", "--out", str(tmp_path)], root=scratch) == 2
    assert main(["--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path)], root=scratch) == 2
    assert "--executor dask goes with --scheduler" in capsys.readouterr().err


def test_a_clinic_whose_details_end_elsewhere_is_not_stamped(scratch):
    """Every slot drawn for the clinic must end where the pattern's did (the layout below it was
    placed from there); otherwise the clinic is laid out on its own."""
    import dataclasses

    from leafpress.layout.stamp import OutOfSlot, stamp
    project = Project(with_partners(scratch, 2))
    laid = project.lay_out(Job("port", "en", "trifold-letter", "open-leaflets"))[3]
    brand = project.brand("clinic-001")
    assert stamp(laid, lambda ctx: brand.for_language("en", False)).pages
    page = next(p for p in laid.pages if p.slots)
    page.slots[0] = dataclasses.replace(page.slots[0], result=page.slots[0].result + 1.0)
    with pytest.raises(OutOfSlot, match="ends at"):
        stamp(laid, lambda ctx: brand.for_language("en", False))


def test_a_brand_stamped_from_another_is_rebuilt_when_that_one_changes(scratch):
    shutil.copytree(scratch / "assets/brands/open-leaflets", scratch / "assets/brands/second-brand")
    spec = scratch / "layouts/trifold-letter.yaml"      # room fixed for every detail: a brand's own files would do
    spec.write_text(spec.read_text(encoding="utf-8").replace("brand_lines: {contact: 5, credit: 5, name: 2}",
                                                             "brand_lines: {contact: 5, credit: 5, name: 2, footer: 4}"),
                    encoding="utf-8")
    job = Job("port", "en", "trifold-letter", "second-brand")
    project = Project(scratch)
    assert project.pattern_of("second-brand") == "open-leaflets"
    before = project.input_hash(job)
    f = scratch / "assets/brands/open-leaflets/brand.yaml"
    f.write_text(f.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert Project(scratch).input_hash(job) != before


def test_a_thousand_clinics_load(scratch):
    """The partners file of the nonprofit's largest job: every clinic loads (the file is bounded
    by its size and each fact by its own bound, not by one leaflet's text budget)."""
    project = Project(with_partners(scratch, 1000))
    assert len(project.partner_ids) == 1000 and not project.partner_errors
    assert project.brand("clinic-999").name == "Oak Clinic 999"       # 999 % 3 == 0


def test_what_is_known_of_a_pattern_gives_what_working_it_out_gives(scratch):
    """The pattern's line boxes, glyph ink and touching lines are kept for its variants
    (stamp.Known): the checks find the same on stamped pages with them as without them,
    including a collision between two of the pattern's own lines, on every use."""
    import dataclasses

    from leafpress.layout.items import TextLine
    from leafpress.layout.stamp import stamp
    project = Project(with_partners(scratch, 3))
    spec = project.layout("letter-2page")
    pattern = project.lay_out(Job("port", "en", "letter-2page", "open-leaflets"))[3]
    page = pattern.pages[0]
    line = next(i for i in page.items if isinstance(i, TextLine) and i.node.content and i.node.kind == "block")
    page.items.append(dataclasses.replace(line, y=line.y - 2.0))      # its copy 2 pt lower touches it
    for clinic in ("clinic-000", "clinic-001", "clinic-002", "clinic-000"):
        brand = project.brand(clinic)
        laid = stamp(pattern, lambda ctx, b=brand: b.for_language(ctx.lang.code, ctx.lang.rtl))
        assert laid.known is pattern.known is not None
        alone = dataclasses.replace(laid, known=None, warnings=[])
        touching = inspection.line_collisions(laid)
        assert touching and touching == inspection.line_collisions(alone)
        before = {id(i) for p in pattern.pages for i in p.items}
        fresh = {id(i) for p in laid.pages for i in p.items if id(i) not in before}
        assert fresh
        assert inspection.inspect(laid, spec.printable, spec.bleeds, spec.measures["contact_min"], fresh,
                                  laid.known) == \
            inspection.inspect(alone, spec.printable, spec.bleeds, spec.measures["contact_min"], fresh)
    assert pattern.known.pairs and pattern.known.boxes is not None


def test_a_clinics_room_is_measured_once_per_language_and_layout_not_per_clinic(scratch, monkeypatch):
    """The room every clinic's details need (the widest of the project's brands) is worked out
    once per language and layout: a further clinic measures only its own details."""
    from leafpress.layout import furniture
    measured = []
    real = furniture._measured
    monkeypatch.setattr(furniture, "_measured", lambda measure, b: measured.append(b.id) or real(measure, b))
    furniture._MOST.clear()
    project = Project(with_partners(scratch, 8))
    counts = []
    for clinic in project.partner_ids:
        assert project.build(Job("port", "en", "letter-2page", clinic), write=False)[0]["status"] == "ok"
        counts.append(len(measured))
    assert counts[0] >= len(project.peers()) and counts[1:] == [counts[0]] * 7


def test_a_dask_worker_keeps_a_few_projects_not_every_one_it_has_built(monkeypatch):
    """A long-lived worker serving many project folders in turn keeps a bounded number loaded."""
    from leafpress import remote
    made = []

    class Loaded:
        def __init__(self, root):
            made.append(str(root))

        def input_hash(self, job):
            return "h"

    monkeypatch.setattr(remote, "Project", Loaded)
    monkeypatch.setattr(batch, "run_one", lambda job, *a: ({"status": "ok"}, None))
    monkeypatch.setattr(batch, "_PROJECT", None)
    remote._PROJECTS.clear()
    job = Job("port", "en", "letter-2page", "open-leaflets")
    for root in ["/a", "/b", "/c", "/c", "/a"]:
        assert remote._build_block(root, [job], False, False, False) == [({"status": "ok"}, None, "h")]
    assert made == ["/a", "/b", "/c", "/a"]        # /c kept between its two tasks, /a dropped
    assert len(remote._PROJECTS) <= 2
    remote._PROJECTS.clear()


def test_line_collisions_of_a_stamped_leaflet_from_its_new_lines_and_a_touch_still_caught(scratch):
    """inspection.line_collisions on stamped pages: a clean variant is known clean from its new
    lines alone (the pattern's kept lines compared with each other once, stamp.Known.clear); a
    new line moved onto a kept line, or onto another new line, is found with the very words of
    the comparison of every line."""
    import dataclasses

    from leafpress.layout.items import TextLine
    project = Project(with_partners(scratch, 3))
    for lang, layout in (("en", "letter-2page"), ("ar", "trifold-letter")):
        laid = project.lay_out(Job("port", lang, layout, "clinic-001"))[3]
        every = dataclasses.replace(laid, known=None)       # no pattern: every line, every pair
        assert inspection._fresh_clear(laid, laid.known)
        assert inspection.line_collisions(laid) == inspection.line_collisions(every) == []
        known = laid.known
        page = next(p for p in laid.pages if any(isinstance(i, TextLine) and id(i) not in known.ids for i in p.items))
        k, line = next((k, i) for k, i in enumerate(page.items) if isinstance(i, TextLine) and id(i) not in known.ids)
        kept = max(known.kept(laid.pages.index(page))[0], key=lambda ln: ln.width)
        others = [i for i in page.items if isinstance(i, TextLine) and id(i) not in known.ids and i is not line]
        targets = [kept] + others[:1]
        for target in targets:
            page.items[k] = dataclasses.replace(line, x=target.x, y=target.y + 1.0)
            assert not inspection._fresh_clear(laid, known), (lang, layout, target.node)
            got = inspection.line_collisions(laid)
            assert got and got == inspection.line_collisions(dataclasses.replace(laid, known=None))
            page.items[k] = line
        assert inspection.line_collisions(laid) == []


def test_document_findings_of_a_stamped_leaflet_from_its_new_items_and_a_fault_still_caught(scratch):
    """checks.document_findings on stamped pages: a clean variant is known clean from its new
    items (the pattern's pages checked once, checks._stamped_clean); a new line in a colour too
    faint to read, and a new dark box under one of the pattern's own lines, are found with the
    very words of the check of every item."""
    import dataclasses

    from leafpress import checks
    from leafpress.layout.items import Box, TextLine
    project = Project(with_partners(scratch, 3))
    for lang, layout in (("en", "letter-2page"), ("ar", "trifold-letter")):
        job = Job("port", lang, layout, "clinic-001")
        h, _, brand, laid, _ = project.lay_out(job)
        spec = project.layout(layout)

        def found(laid):
            return [f.as_dict() for f in checks.document_findings(h, layout, laid, spec.min_text or 12.0, spec.min_text,
                                                                  brand.file, brand.online(h.id, h.lang))]
        every = dataclasses.replace(laid, known=None)
        assert checks._stamped_clean(h, layout, laid, spec.min_text or 12.0, spec.min_text, None, laid.known)
        assert found(laid) == found(every) == []
        known = laid.known
        page = next(p for p in laid.pages if any(isinstance(i, TextLine) and id(i) not in known.ids for i in p.items))
        k, line = next((k, i) for k, i in enumerate(page.items) if isinstance(i, TextLine) and id(i) not in known.ids
                       and checks._behind(i, [("#FFFFFF", None)] + [(b.fill, b) for b in page.items[:k]
                                                                    if isinstance(b, Box) and b.fill]) == "#FFFFFF")
        kept = next(i for i in page.items if isinstance(i, TextLine) and id(i) in known.ids and i.colour != "#FFFFFF")
        for change in ("faint", "box"):
            items = list(page.items)
            if change == "faint":
                page.items[k] = dataclasses.replace(line, colour="#F4F4F4")
            else:
                page.items.insert(page.items.index(kept), Box(kept.x - 2, kept.y - 4, kept.width + 4, kept.size + 8,
                                                              fill="#111111"))
            assert not checks._stamped_clean(h, layout, laid, spec.min_text or 12.0, spec.min_text, None, known)
            got = found(laid)
            assert any(f["check"] == "contrast" for f in got), (lang, layout, change)
            assert got == found(dataclasses.replace(laid, known=None))
            page.items[:] = items


def test_a_clinics_strip_is_shaped_once_for_both_of_the_running_heads_measures(scratch, monkeypatch):
    """The strip at the top of page 2 (name and phone) is measured twice for every clinic when
    the room is worked out (its width, then its lines at the room's width): each clinic's strip
    is shaped once for both (the second pass asked for every strip again, and beyond the last
    few dozen clinics the shaping caches had dropped them: at 100 clinics, 13-22 ms a worker)."""
    import sys
    from leafpress.layout import furniture
    from leafpress.text.setter import Typesetter
    strips: list = []
    real = Typesetter.shape

    def shape(self, text, **kw):
        code = sys._getframe(1).f_code
        if code.co_name == "shape" and code.co_filename.endswith("furniture.py"):   # draw_running_head's
            strips.append(kw["whole"][0])
        return real(self, text, **kw)
    furniture._MOST.clear()
    project = Project(with_partners(scratch, 6))
    clinic = project.partner_ids[0]
    monkeypatch.setattr(Typesetter, "shape", shape)
    assert project.build(Job("port", "en", "letter-2page", clinic), write=False)[0]["status"] == "ok"
    # (the pattern's own brand is shaped in each fitting try, as before)
    names = [project.brand(p).organisation for p in project.partner_ids if p != clinic]
    assert len(names) >= 5 and all(strips.count(n) == 1 for n in names), [strips.count(n) for n in names]
