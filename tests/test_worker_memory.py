"""What a worker keeps between documents stays bounded however many clinics it builds; what a
build remembers between runs (input files' hashes) is used only while the files are unchanged;
the batch's bookkeeping grows linearly with the documents (issue 19). Sizes and counts, never
timings."""
from __future__ import annotations

import contextlib
import json
import os
import random

import pytest

import leafpress.project as project_module
import leafpress.render.pdf  # noqa: F401  (its caches exist before the test bounds them)
from leafpress import lru, outdir
from leafpress.layout import inspection
from leafpress.project import Job, Project
from leafpress.text import setter

from conftest import ROOT, copy_project


def _partners(root, n: int) -> list[str]:
    lines = ["base: open-leaflets", "partners:"]
    for i in range(n):
        lines += [f"  - id: clinic-{i:03d}", f"    name: Synthetic Clinic {i:03d} of the Valley",
                  f'    phone: "+1 (555) 010-{i:04d}"', f"    website: https://clinic-{i:03d}.example.org",
                  f"    address: {i + 1} Example Road, Fresno, CA 93701"]
    (root / "assets" / "brands" / "partners.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [f"clinic-{i:03d}" for i in range(n)]


def test_many_clinics_in_one_worker_keep_every_cache_within_its_bound(tmp_path, monkeypatch):
    """Sixteen clinics' leaflets in one process with small bounds: no cache grows past its bound,
    the project's own cache stops growing once every brand is loaded, and the PDFs are the same
    bytes as with the usual bounds (an evicted entry is made again, identically)."""
    root = copy_project(tmp_path / "proj")
    ids = _partners(root, 16)
    small, new = 48, 200          # probation holds more than one document makes
    monkeypatch.setattr(setter, "PARAGRAPHS_KEPT", small)
    monkeypatch.setattr(setter, "PARAGRAPHS_NEW", new)
    setter._SHAPED.clear()
    for cache in lru._ALL.values():
        monkeypatch.setattr(cache, "size", 4)
        cache.clear()
    p = Project(root)
    sizes_seen, project_cache, digests, shared = [], [], {}, []
    for k, pid in enumerate(ids):
        entry, data = p.build(Job("port", "en", "letter-2page", pid))
        assert entry["status"] == "ok", entry.get("error")
        digests[pid] = entry["sha256"]
        sizes_seen.append(dict(lru.sizes()))
        sizes_seen[-1]["shaped"] = (max(len(c) for c in setter._SHAPED.values()), small + new)
        shared.append(max(len(c.main) for c in setter._SHAPED.values()))
        project_cache.append(len(p._cache))
    for seen in sizes_seen:
        assert all(n <= bound for n, bound in seen.values()), seen
    assert len(setter._SHAPED) <= setter._LANGS_KEPT
    # What is shared (kept in the main part) is what every clinic's leaflet draws: it stops
    # growing after the first clinics; a clinic's own lines never get there (lru.next_document's
    # owner), so they never crowd out the handout's.
    assert 0 < shared[2] == shared[-1] < small
    assert project_cache[2] == project_cache[-1]           # nothing kept per clinic built
    for pid in ids[-3:]:
        by_language = p.brand(pid).__dict__.get("_by_language", {})
        assert len(by_language) <= 2                        # one per language (and direction) used

    # The same documents with the usual bounds, from nothing cached: the same bytes.
    monkeypatch.undo()
    setter._SHAPED.clear()
    for cache in lru._ALL.values():
        cache.clear()
    fresh = Project(root)
    for pid in (ids[0], ids[7], ids[-1]):
        assert fresh.build(Job("port", "en", "letter-2page", pid))[0]["sha256"] == digests[pid]


def test_recorded_hashes_spare_reading_the_files_and_a_replaced_file_is_read_again(scratch, monkeypatch):
    job = Job("port", "en", "letter-2page", "open-leaflets")
    first = Project(scratch)
    digest = first.input_hash(job)
    recorded = json.loads(json.dumps(first.hashed))      # as the manifest stores them
    assert any(k.endswith("NotoSans-Regular.ttf") for k in recorded)
    reads = []
    real = project_module.sha256_regular
    monkeypatch.setattr(project_module, "sha256_regular", lambda path, **kw: reads.append(path) or real(path, **kw))
    second = Project(scratch)
    second.known_hashes = recorded
    assert second.input_hash(job) == digest
    assert [f for f in reads if f.exists()] == []          # (a missing file is never recorded)
    reads.clear()
    # An edit saved the usual way (a new file renamed over the old), with the same size and
    # modification time as before: read again, and the fingerprint changes.
    svg = scratch / "assets" / "diagrams" / "port.svg"
    st = svg.stat()
    data = svg.read_bytes()
    new = svg.with_name("port.svg.new")
    new.write_bytes(data.replace(b"<svg", b"<SVG", 1))
    os.utime(new, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(new, svg)
    assert svg.stat().st_size == st.st_size and svg.stat().st_mtime_ns == st.st_mtime_ns
    third = Project(scratch)
    third.known_hashes = recorded
    assert third.input_hash(job) != digest
    assert [f.name for f in reads if f.exists()] == ["port.svg"]
    # A recorded entry that is not what the press writes is ignored, not trusted or fatal.
    fourth = Project(scratch)
    fourth.known_hashes = {k: "nonsense" for k in recorded} | {str(svg): [[1, 2], 3]}
    assert fourth.input_hash(job) == third.input_hash(job)


class _Clock:
    def __init__(self):
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now


def _manifest_entries_written(n: int, monkeypatch) -> int:
    """A build of ``n`` documents finishing 1 ms apart, each manifest write taking 10 µs per entry
    (a simulated clock): how many entries all the manifest writes together hold."""
    clock = _Clock()
    monkeypatch.setattr(outdir.time, "monotonic", clock.monotonic)
    written = [0]

    class Counting(outdir.Recorder):
        def _manifest(self, documents, findings):
            documents = list(documents)
            written[0] += len(documents)
            self.cost = len(documents) * 1e-5
            clock.now += self.cost

    rec = Counting(None, {}, {}, [])
    for i in range(n):
        clock.now += 1e-3
        rec.document({"path": f"b/h/h-{i:06d}.pdf", "status": "ok", "sha256": "x"}, None)
    rec.flush()
    return written[0]


def test_manifest_writes_grow_linearly_with_the_documents(monkeypatch):
    n = 4000
    small, large = _manifest_entries_written(n, monkeypatch), _manifest_entries_written(8 * n, monkeypatch)
    assert large <= 12 * small          # linear: 8x the documents, about 8x the writing (not 64x)


def test_the_manifest_text_is_json_dumps_with_each_entry_indented_once(monkeypatch):
    """Recorder._text keeps each entry's indented text between rewrites: the manifest is still
    exactly what json.dumps(indent=2, sort_keys=True) writes, after entries change in place,
    come and go, or are none; only the current entries' texts are kept, up to a bound."""
    import json
    rec = outdir.Recorder(None, {"engine": "9", "project": "/p"}, {}, [])
    docs = [{"path": f"b/h/h-{i}.pdf", "status": "ok", "sha256": "ab" * i, "pages": i, "warnings": [f"w {i}"] * (i % 3),
             "findings": [{"where": "x", "n": 1.5, "none": None, "nested": {"z": [1, {"y": "é\n\"q\""}]}}],
             "brand": "клиника", "stat": [1, 2.0, True]} for i in range(12)]

    def same(documents, findings=()):
        m = dict(rec.head, documents=documents, findings=list(findings))
        assert rec._text(m) == json.dumps(m, indent=2, ensure_ascii=False, sort_keys=True)
    same(docs, [{"handout": "port", "message": "m"}])
    docs[3]["warnings"].append("a new one")     # changed in place: its new text
    docs[5]["status"] = "failed"
    same(docs)
    same(docs[4:9])
    assert len(rec.texts) == 5
    same([])
    same(docs[:1])
    monkeypatch.setattr(outdir, "KEPT_TEXT", 1500)     # bounded: the first entries' texts only
    same(docs)
    assert 0 < len(rec.texts) < len(docs)
    same(docs)


def test_neighbour_sweep_finds_every_pair_the_full_comparison_finds():
    """inspection._near: for random line and item heights, every line-item pair whose vertical
    extents overlap is among the candidates (the exact test is then made on those only)."""
    rnd = random.Random(19)

    class L:
        pass
    for _ in range(200):
        lines = [L() for _ in range(rnd.randint(0, 30))]
        boxes = {}
        for ln in lines:
            b = rnd.uniform(0, 700)
            boxes[id(ln)] = (0.0, 10.0, b, b + rnd.uniform(0, 40))
        spans = []
        for _ in range(rnd.randint(0, 12)):
            lo = rnd.uniform(-20, 720)
            spans.append((lo, lo + rnd.choice([0.0, rnd.uniform(0, 300)])))
        near = inspection._near(lines, boxes, spans)
        for k, ln in enumerate(lines):
            _, _, bottom, top = boxes[id(ln)]
            must = [i for i, (lo, hi) in enumerate(spans) if bottom < hi and lo < top]
            assert set(must) <= set(near[k]) and near[k] == sorted(near[k])


@pytest.mark.parametrize("size", [2, 3])
def test_lru_keeps_the_most_recently_used(size):
    c = lru.Lru(None, size)
    for i in range(5):
        c.put(i, str(i))
        c.get(0)            # 0 is used all along: kept
    assert len(c) == size and c.get(0) == "0" and c.get(4) == "4" and c.get(1) is None


def test_a_thousand_partner_clinics_all_load(tmp_path):
    """The nonprofit's largest job is 1,000 clinics: the limit on a file's text applies to each
    clinic's entry, not to the partners file's sum (which stopped at about 400 clinics)."""
    root = copy_project(tmp_path / "proj")
    ids = _partners(root, 1000)
    p = Project(root)
    assert p.partner_ids == ids and p.partner_errors == [] and p.partners_error is None
    assert p.brand(ids[-1]).organisation == "Synthetic Clinic 999 of the Valley"
    # What every clinic prints alike (the nonprofit's translated lines) is one object, not a
    # copy per clinic (7 MB at 1,000 clinics, held by every worker).
    lines = p.brand(ids[0]).translations
    assert len(lines) > 30 and all(p.brand(i).translations is lines for i in ids)
    assert p.brand(ids[5]).for_language("es", False).credit != p.brand(ids[6]).for_language("es", False).credit


def test_manifest_merge_and_stale_removal_are_linear_in_the_documents():
    """cli._merge_manifest over n and 8n clinics' entries (half rebuilt, a quarter of the rest no
    longer buildable): linear (issue 13's complexity rule, this process's CPU time)."""
    from types import SimpleNamespace

    from leafpress.cli import _merge_manifest
    from test_limits import assert_linear

    def step(n: int, k: int) -> None:
        brands = [f"c{k}-{i}" for i in range(n)]
        project = SimpleNamespace(handouts={"port": {"en": None, "es": None}}, layouts=["a", "b"],
                                  all_brands=lambda: brands[: 3 * n // 4], partners_error=None, brands={})
        entries = [{"handout": "port", "lang": lang, "layout": lay, "brand": b,
                    "path": Job("port", lang, lay, b).path()} for b in brands for lang in ("en", "es")
                   for lay in ("a", "b")]
        previous = {e["path"]: e for e in entries}
        merged, stale = _merge_manifest(project, previous, entries[::2])
        assert len(merged) + len(stale) == len(entries)
    assert_linear(step, 800)


def test_a_rebuild_that_changes_nothing_leaves_the_manifest_alone(scratch, tmp_path, capsys):
    """Nothing changed: no PDF and not the manifest is rewritten (its bytes and time stay)."""
    from leafpress.cli import main
    out = tmp_path / "out"
    args = ["--lang", "en", "--layout", "letter-2page", "--brand", "open-leaflets", "--out", str(out)]
    assert main(args, root=scratch) == 0
    assert main(args, root=scratch) == 0          # marks the entry unchanged: written once more
    first = (out / "manifest.json").stat().st_mtime_ns, (out / "manifest.json").read_bytes()
    assert main(args, root=scratch) == 0
    assert ((out / "manifest.json").stat().st_mtime_ns, (out / "manifest.json").read_bytes()) == first
    assert "built 0 of 1 document(s), 1 unchanged" in capsys.readouterr().err
    stats = json.loads(first[1])
    assert stats["input_files"] and all(d.get("stat") for d in stats["documents"])


def test_a_clinics_own_lines_stay_its_own_and_what_every_leaflet_draws_is_shared():
    """lru.Shared: what a clinic's documents alone use (made under owned_by) stays in a small
    part of its own, even when its leaflet in another layout asks for it again; what a later
    document of another clinic asks for is shared (the main part)."""
    cache = lru.Shared(None, 8, 8, own=2)
    lru.next_document("clinic-a")
    cache.put("page facts", 1)
    with lru.owned_by("clinic-a"):
        cache.put("clinic-a phone", 2)
    lru.next_document("clinic-a")             # the same clinic's leaflet in another layout
    assert cache.get("clinic-a phone") == 2 and len(cache.main) == 0
    lru.next_document("clinic-b")
    assert cache.get("page facts") == 1 and len(cache.main) == 1
    with lru.owned_by("clinic-b"):
        for k in range(5):
            cache.put(("clinic-b", k), k)
    assert len(cache.own) == 2 and cache.get("clinic-a phone") is None     # bounded: the oldest left
    assert cache.get("page facts") == 1 and len(cache) == 3


def test_a_process_keeps_a_bounded_number_of_laid_out_patterns_and_lays_a_dropped_one_out_again_the_same():
    """The laid-out documents (patterns) a process keeps are its most recent few, not every
    handout x language x layout it has built (a worker that went through every language kept
    them all); a dropped one asked for again is laid out again, to the same bytes."""
    project = Project(ROOT)
    project._patterns = lru.Lru(None, 2)
    jobs = [Job("port", "en", layout, "open-leaflets") for layout in ("letter-2page", "a4-2page", "trifold-letter")]
    first = project.build(jobs[0])[1]
    for job in jobs[1:]:
        project.build(job)
    assert len(project._patterns) == 2 and ("port", "en", "letter-2page", "open-leaflets") not in project._patterns
    assert project.build(jobs[0])[1] == first


@contextlib.contextmanager
def _garbage_of(found: list, label: str):
    """The block run with nothing pending before it and no automatic collection in it; after it,
    what a collection finds (made or let go in the block, saved by DEBUG_SAVEALL) is added to
    ``found`` as "label: type"."""
    import gc
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield
        gc.collect()
        found += [f"{label}: {type(o).__qualname__}" for o in gc.garbage]
    finally:
        gc.garbage.clear()
        gc.set_debug(0)
        gc.enable()


def _not_counted(monkeypatch) -> list:
    """For a test that collects with DEBUG_SAVEALL and counts what it finds: what is alive before
    it starts, to hold while it runs, so that none of it becomes garbage there (another test's
    leftovers: a Dask cluster's event loop, let go later by its thread, is not this test's).
    svglib's own cycles, freed where they are made (render/assets.py, gcpolicy.collect_cycles,
    the next tests), are not counted; what was pending before a conversion is (saved by a
    collection first). svglib is imported now: its import's cycles (importlib.metadata's) are
    once a process's."""
    import gc
    import types

    import svglib.svglib
    from leafpress.render import assets

    def unsaved():
        gc.set_debug(0)
        try:
            gc.collect()
        finally:
            gc.set_debug(gc.DEBUG_SAVEALL)
    monkeypatch.setattr(assets, "gcpolicy", types.SimpleNamespace(collect_cycles=unsaved))

    def converting(path, *args, real=svglib.svglib.svg2rlg, **kw):
        gc.collect()
        return real(path, *args, **kw)
    monkeypatch.setattr(svglib.svglib, "svg2rlg", converting)
    gc.collect()
    return gc.get_objects()


def test_a_clinics_variant_leaves_nothing_for_the_garbage_collector(tmp_path, monkeypatch):
    """A stamped variant's objects are freed by reference counting as soon as it is written: a
    collection after building one finds no reference cycle to free, in four document shapes, so
    project.build makes no collection after a variant (a cycle made per document -- a closure
    calling itself, an object keeping its own bound methods -- kept the whole PDF writer's
    document, about a thousand objects, until the next collection). What the test's earlier builds
    made counts too, not only what this build made: a cycle a cache held and let go during the
    build would be frozen in a worker (gcpolicy.settle); after a shape's last clinic the caches
    are emptied too."""
    root = copy_project(tmp_path / "proj")
    earlier = _not_counted(monkeypatch)     # noqa: F841 (held: see _not_counted)
    ids = _partners(root, 4)
    project = Project(root)
    shapes = [("en", "letter-2page"), ("ar", "trifold-letter"), ("hi", "bilingual-letter"), ("zh-Hant", "large-print")]
    for lang, layout in shapes:
        for clinic in ids[:2]:          # the pattern, its Known and the first stamp: made once
            project.build(Job("port", lang, layout, clinic))
    found: list = []
    for lang, layout in shapes:
        for clinic in ids[2:]:
            with _garbage_of(found, f"{lang} {layout}"):
                entry, data = project.build(Job("port", lang, layout, clinic))
                assert entry["status"] == "ok" and entry.get("stamped_from") == "open-leaflets" and data
                del data
                if clinic == ids[-1]:       # (what the caches hold is let go as evictions would)
                    for cache in lru._ALL.values():
                        cache.clear()
    assert not found, sorted(set(found))


def test_the_page_starts_kept_cover_a_languages_every_layout(tmp_path):
    """A worker builds each clinic's documents in every layout of a language one after another
    (batch.groups_of): the compressors kept for the start of each page with clinic details
    (render/pdfa._STARTS) cover every layout's pages, so none is dropped and made again for each
    clinic."""
    from leafpress.render import pdfa

    root = copy_project(tmp_path / "proj")
    ids = _partners(root, 3)
    project = Project(root)
    layouts = sorted(project.layouts)
    seen: set = set()
    put = pdfa._STARTS.put

    def noted(key, value):
        seen.add(key)
        put(key, value)
    pdfa._STARTS.put = noted        # type: ignore[method-assign]
    try:
        for clinic in ids:
            for layout in layouts:
                job = Job("port", "ar", layout, clinic)
                if project.wanted(job):
                    assert project.build(job)[0]["status"] == "ok"
    finally:
        del pdfa._STARTS.put
    assert len(layouts) == 6 and 6 <= len(seen) <= pdfa._STARTS.size, (len(seen), pdfa._STARTS.size)


def test_a_document_laid_out_on_its_own_leaves_nothing_for_the_garbage_collector(tmp_path, monkeypatch):
    """A batch's worker freezes what a document leaves (gcpolicy.settle) instead of collecting:
    that is right only if no document makes a reference cycle, which would then stay in memory.
    Every layout family, right to left (a cascading Nastaliq face too), Indic, Southeast Asian and
    CJK, and a document that does not fit: a collection after each finds nothing to free (before
    this test, the fitting's two attempt functions held each other and every attempt's pages, a
    Nastaliq piece's plan held words that held the piece, and a pattern that failed was kept with
    its traceback, whose frame held it). The process's caches are emptied too, now and then, so
    a cycle a cache still holds is found as well; an SVG converted again then collects its own
    cycles (the next test), which this one does not count."""
    from leafpress.errors import LeafletError

    earlier = _not_counted(monkeypatch)     # noqa: F841 (held: see _not_counted)
    project = Project(copy_project(tmp_path / "proj"))
    project.build(Job("port", "en", "letter-2page", "open-leaflets"))    # (fonts, dictionaries: loaded once)
    jobs = [("ar", "letter-2page"), ("ur", "large-print"), ("hi", "trifold-letter"), ("th", "bilingual-letter"),
            ("zh-Hant", "large-print"), ("en", "a4-2page"), ("so", "letter-2page")]
    found: list = []
    failed = 0
    for lang, layout in jobs:
        with _garbage_of(found, f"{lang} {layout}"):
            try:
                entry, data = project.build(Job("port", lang, layout, "open-leaflets"))
                assert entry["status"] == "ok" and data
                del data
            except LeafletError:
                failed += 1
            project._patterns.clear()   # (what a cache holds is let go as an eviction would)
            if layout == "large-print":     # (and, now and then, the process's caches: they refill)
                setter._SHAPED.clear()
                for cache in lru._ALL.values():
                    cache.clear()
    assert failed == 1          # (so in letter-2page: its care team section does not fit)
    assert not found, sorted(set(found))[:20]


def test_converting_an_svg_leaves_nothing_for_the_garbage_collector():
    """svglib leaves its renderer in reference cycles (its converters, CSS matcher, closures):
    render/assets.py collects them right after converting, since a batch's worker makes no
    collection after its documents (gcpolicy.settle)."""
    import gc

    import svglib.svglib  # noqa: F401 (imported first: its import reads the package's version through
    # importlib.metadata, whose replaced lookups are old cycles; once a process, not each conversion's)
    from leafpress.render import assets

    path = ROOT / "assets" / "brands" / "riverside-clinic" / "logo.svg"
    assets._DRAWINGS.clear()
    gc.collect()
    gc.disable()
    try:
        assert assets._convert(path, path.name) is not None
        assert gc.collect() == 0
    finally:
        gc.enable()
        assets._DRAWINGS.clear()


def test_an_svg_whose_conversion_fails_leaves_nothing_for_the_garbage_collector(monkeypatch):
    """svglib's renderer is in cycles when it raises too, and its frames in the error's traceback
    hold it: render/assets.py lets the traceback go before it collects, then raises the error."""
    import gc

    import svglib.svglib
    from leafpress.render import assets

    class Renderer:
        def __init__(self):
            self.me = self      # (a cycle, as svglib's converters and matchers make)

    def failing(path):
        renderer = Renderer()   # noqa: F841 (held by this frame, in the error's traceback)
        raise ValueError("svglib failed")

    monkeypatch.setattr(svglib.svglib, "svg2rlg", failing)
    path = ROOT / "assets" / "brands" / "riverside-clinic" / "logo.svg"
    assets._DRAWINGS.clear()
    gc.collect()
    gc.disable()
    try:
        with pytest.raises(ValueError, match="svglib failed") as raised:
            assets._convert(path, path.name)
        assert gc.collect() == 0
        # (where svglib failed is kept as text, for --debug's traceback: errors.kept)
        assert "in failing" in "".join(raised.value.__notes__)
    finally:
        gc.enable()
        assets._DRAWINGS.clear()


def test_a_plan_with_nothing_to_anchor_does_not_keep_itself():
    """_Plan.anchored gives the plan itself where PDFium's runs cannot be made (a raised glyph):
    kept among its own anchored plans, it would hold itself (a cycle a worker would keep)."""
    import gc

    from leafpress.render import pdf
    from leafpress.text.fonts import FontLibrary

    font = FontLibrary([ROOT / "assets" / "fonts"]).get("NotoSans-Regular")
    plan = pdf._Plan.__new__(pdf._Plan)
    plan.font = font
    plan.groups = ((False, [[0.3, [(5, "a", 0.0)], False, None]]),)     # (a raised glyph: no tokens)
    assert plan.anchored(1.0, 0) is plan
    gc.collect()
    gc.disable()
    try:
        del plan
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_a_worker_freezes_what_a_document_leaves_and_other_processes_collect_it(monkeypatch):
    """gcpolicy.settle: in a batch's worker, what is alive after a document moves out of the
    collector's reach (the young generations are empty); elsewhere they are collected. After
    svglib (gcpolicy.collect_cycles), a worker collects every generation, elsewhere the young."""
    import gc

    from leafpress import gcpolicy

    calls: list = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(gc, "collect", lambda gen=2: calls.append(f"collect {gen}") or 0)
    monkeypatch.setattr(gcpolicy, "_settling", False)
    gcpolicy.settle()
    gcpolicy.collect_cycles()
    gcpolicy.worker()
    gcpolicy.settle()
    gcpolicy.collect_cycles()       # (svglib's: every generation, since a worker freezes what is left)
    assert calls == ["collect 1", "collect 1", "freeze", "collect 2"]


def _traceback_depths(root, job, times: int = 3) -> list[int]:
    """How many frames the error of each of ``times`` builds of ``job`` (which fails) carries."""
    import traceback

    from leafpress.errors import LeafletError

    project = Project(root)
    depths = []
    for _ in range(times):
        with pytest.raises(LeafletError) as caught:
            project.build(job)
        depths.append(len(traceback.extract_tb(caught.value.__traceback__)))
        # Where it was first raised, once, as text (errors.kept: --debug's traceback prints it)
        notes = getattr(caught.value, "__notes__", [])
        assert len(notes) == 1 and notes[0].startswith("First raised at") and "File " in notes[0], notes
        del caught
    return depths


def test_an_error_kept_in_a_cache_holds_only_its_last_raise(tmp_path):
    """A broken translation fails each of its documents from the project's cache: raised again
    with only that raise's frames (errors.kept), not with every earlier document's added on (a
    worker building a thousand clinics against it grew by seven frames a clinic, their locals with
    them)."""
    root = copy_project(tmp_path / "proj")
    (root / "handouts" / "port" / "ar.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    depths = _traceback_depths(root, Job("port", "ar", "letter-2page", "open-leaflets"))
    assert depths[0] == depths[1] == depths[2], depths


def test_a_broken_partner_clinic_kept_in_the_cache_holds_only_its_last_raise(tmp_path):
    """A partner clinic whose entry fails (its logo is not there) fails each of its documents
    from the cached partners file, raised again with only that raise's frames (errors.kept)."""
    root = copy_project(tmp_path / "proj")
    (root / "assets" / "brands" / "partners.yaml").write_text(
        "base: open-leaflets\npartners:\n  - id: broken-clinic\n    name: Broken Clinic\n"
        "    logo: no-such-logo.svg\n", encoding="utf-8")
    depths = _traceback_depths(root, Job("port", "en", "letter-2page", "broken-clinic"))
    assert depths[0] == depths[1] == depths[2], depths
