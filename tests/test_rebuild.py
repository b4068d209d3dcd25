"""What a build keeps for the next one in OUT/.leafpress-cache: the plan of a build whose inputs
did not change (no project loaded, nothing hashed), and the SVG drawings' sizes and operators
(no svglib): the same documents, the same bytes, and nothing kept that no longer matches."""
from __future__ import annotations

import hashlib
import json
import os
import shutil

import pytest

from leafpress import batch, plancache
from leafpress.cli import main
from leafpress.project import Project

from conftest import manifest

ONE = ["--lang", "en", "--layout", "a4-2page", "--brand", "open-leaflets", "--jobs", "1"]


def _refuse(*a, **kw):
    raise AssertionError("the project was loaded")


def test_a_rebuild_with_nothing_changed_loads_no_project_and_an_edit_plans_again(scratch, tmp_path, capsys,
                                                                                monkeypatch):
    out = tmp_path / "out"
    args = ONE + ["--out", str(out)]
    assert main(args, root=scratch) == 0
    plans = list((out / plancache.CACHE).glob("plan-*.json"))
    assert len(plans) == 1
    first = capsys.readouterr().err
    real_init = Project.__init__
    monkeypatch.setattr(Project, "__init__", _refuse)
    assert main(args, root=scratch) == 0
    again = capsys.readouterr().err
    assert "built 0 of 1 document(s), 1 unchanged, 0 failed" in again
    assert [ln for ln in again.splitlines() if ln.startswith("warning")] == \
        [ln for ln in first.splitlines() if ln.startswith("warning")]
    assert manifest(out)["documents"][0]["unchanged"] is True       # (written once more: now unchanged)
    written = (out / "manifest.json").stat().st_mtime_ns
    assert main(args, root=scratch) == 0
    assert (out / "manifest.json").stat().st_mtime_ns == written     # and now left alone
    # Another filter is another plan; so is any edited input (here a layout, by one byte).
    with pytest.raises(AssertionError, match="the project was loaded"):
        main(ONE[:-2] + ["--jobs", "1", "--print-shop", "--out", str(out)], root=scratch)
    monkeypatch.setattr(Project, "__init__", real_init)
    layout = scratch / "layouts" / "a4-2page.yaml"
    layout.write_text(layout.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    built = []
    real_build = Project.build
    monkeypatch.setattr(Project, "build", lambda self, job, *a, **kw: built.append(job) or real_build(self, job, *a, **kw))
    assert main(args, root=scratch) == 0
    assert len(built) == 1          # its fingerprint changed: built again, not taken from the old plan
    assert len(list((out / plancache.CACHE).glob("plan-*.json"))) == 2


def test_a_damaged_or_foreign_plan_record_is_ignored(scratch, tmp_path, capsys):
    out = tmp_path / "out"
    args = ONE + ["--out", str(out)]
    assert main(args, root=scratch) == 0
    (plan,) = (out / plancache.CACHE).glob("plan-*.json")
    rec = json.loads(plan.read_text())
    rec["key"] = "0" * 64
    plan.write_text(json.dumps(rec))
    assert plancache.read(str(out), plancache.state_key(scratch.resolve(), [[], ["en"], ["a4-2page"],
                                                                           ["open-leaflets"], False])) is None
    plan.write_text("{not json")
    capsys.readouterr()
    assert main(args, root=scratch) == 0
    assert "built 0 of 1 document(s), 1 unchanged" in capsys.readouterr().err
    assert manifest(out)["documents"][0]["status"] == "ok"


def _forget_drawings():
    from leafpress import diagram
    from leafpress.render import assets
    assets._DRAWINGS.clear()
    assets._RECORDS.clear()
    diagram._CACHE.clear()


def test_stored_drawings_give_the_same_bytes_without_svglib(scratch, tmp_path, monkeypatch):
    monkeypatch.setenv("LEAFPRESS_CACHE", "off")       # the output folder's own records (the user's: below)
    out = tmp_path / "out"
    args = ONE + ["--out", str(out), "--force"]
    _forget_drawings()
    assert main(args, root=scratch) == 0
    pdf_path = out / "open-leaflets/port/port-en-a4-2page.pdf"
    converted = hashlib.sha256(pdf_path.read_bytes()).hexdigest()
    records = sorted((out / ".leafpress-cache").glob("svg-*.json"))
    assert len(records) >= 2                   # the diagram and the logo at least
    import svglib.svglib
    calls = []
    real = svglib.svglib.svg2rlg
    monkeypatch.setattr(svglib.svglib, "svg2rlg", lambda *a, **kw: calls.append(a) or real(*a, **kw))
    _forget_drawings()
    assert main(args, root=scratch) == 0
    assert calls == []                          # drawn from the records
    assert hashlib.sha256(pdf_path.read_bytes()).hexdigest() == converted
    # Another diagram file (one more shape) is another key: converted, never the old record.
    svg = scratch / "assets" / "diagrams" / "port.svg"
    svg.write_text(svg.read_text(encoding="utf-8").replace("</svg>", '<rect x="1" y="1" width="2" height="2"/></svg>'),
                   encoding="utf-8")
    _forget_drawings()
    assert main(args, root=scratch) == 0
    assert [str(a[0]) for a in calls] == [str(svg)]
    assert hashlib.sha256(pdf_path.read_bytes()).hexdigest() != converted


def test_the_user_cache_serves_a_new_output_folder_and_never_an_edited_file(scratch, tmp_path, monkeypatch):
    """A build into a new, empty folder finds the fonts' hashes and the drawings' records in the
    user's cache (leafpress/usercache.py): no font is read to be hashed, svglib is not called, and
    the PDF is the same bytes. An edited font is hashed again (its fingerprint changes); a damaged
    or foreign cache is ignored."""
    from leafpress import project as project_module, usercache
    cache = tmp_path / "user-cache"
    monkeypatch.setenv("LEAFPRESS_CACHE", str(cache))
    monkeypatch.setattr(usercache, "RACY", -60.0)      # the fonts are copied just now (see the test below)
    fonts = scratch / "assets" / "fonts"
    real_fonts = fonts.resolve()
    fonts.unlink()
    shutil.copytree(real_fonts, fonts)      # real files, so one can be edited
    pdf = "open-leaflets/port/port-en-a4-2page.pdf"
    _forget_drawings()
    assert main(ONE + ["--out", str(tmp_path / "one")], root=scratch) == 0
    assert (cache / usercache.hashes_name(str(scratch.resolve() / "assets" / "fonts"))).is_file() and list(cache.glob("svg-*.json"))
    import svglib.svglib
    calls, reads = [], []
    monkeypatch.setattr(svglib.svglib, "svg2rlg", lambda *a, **kw: calls.append(a))
    real = project_module.sha256_regular
    monkeypatch.setattr(project_module, "sha256_regular", lambda path, **kw: reads.append(path) or real(path, **kw))
    monkeypatch.setattr(batch, "BESIDE", False)     # (the fingerprints taken in this process, where reads sees them)
    _forget_drawings()
    assert main(ONE + ["--out", str(tmp_path / "two")], root=scratch) == 0
    assert calls == [] and [p for p in reads if p.exists() and p.stat().st_size >= usercache.MIN_HASHED] == []
    assert (tmp_path / "one" / pdf).read_bytes() == (tmp_path / "two" / pdf).read_bytes()
    job = project_module.Job("port", "en", "a4-2page", "open-leaflets")
    cached = Project(scratch).input_hash(job)
    monkeypatch.setenv("LEAFPRESS_CACHE", "off")
    assert Project(scratch).input_hash(job) == cached         # the same fingerprint, computed
    monkeypatch.setenv("LEAFPRESS_CACHE", str(cache))
    # An edit keeping the size and the modification time: the change time says so.
    font = fonts / "NotoSans-Regular.ttf"
    st, data = font.stat(), bytearray(font.read_bytes())
    data[-1] ^= 1
    font.write_bytes(bytes(data))
    os.utime(font, ns=(st.st_atime_ns, st.st_mtime_ns))
    reads.clear()
    edited = Project(scratch).input_hash(job)
    assert edited != cached and font in reads
    # A damaged record is ignored; so is a folder others may write to.
    (cache / usercache.hashes_name(str(scratch.resolve() / "assets" / "fonts"))).write_text("{not json")
    assert Project(scratch).input_hash(job) == edited
    cache.chmod(0o777)
    assert usercache.folder() is None
    cache.chmod(0o700)
    assert usercache.folder() == cache
    # ... or one in a folder others may write to (they could rename it and put theirs there),
    # unless the sticky bit keeps them from renaming what is not theirs (as in /tmp).
    shared = tmp_path / "shared"
    shared.mkdir()
    monkeypatch.setenv("LEAFPRESS_CACHE", str(shared / "cache"))
    shared.chmod(0o777)
    assert usercache.folder() is None
    shared.chmod(0o1777)
    assert usercache.folder() == shared / "cache"
    shared.chmod(0o700)
    monkeypatch.setenv("LEAFPRESS_CACHE", str(cache))


def test_the_user_cache_keeps_no_hash_of_a_file_changed_just_now_and_touches_only_its_own_files(tmp_path, monkeypatch):
    """A same-size edit within a file system's timestamp tick keeps a file's signature: a hash
    is kept only for a file unchanged for a while, and only a digest is ever taken as one. The
    press prunes and sweeps only its own names in a folder LEAFPRESS_CACHE may share."""
    import time as time_module

    from leafpress import usercache
    monkeypatch.setenv("LEAFPRESS_CACHE", str(tmp_path))
    now_ns = time_module.time_ns()
    old_ns = now_ns - 3600 * 10 ** 9
    digest = "ab" * 32
    h = usercache.Hashes()
    h.put("/f/new", [10 ** 6, now_ns, now_ns, 1], digest)
    h.put("/f/touched", [10 ** 6, old_ns, now_ns, 2], digest)
    h.put("/f/old", [10 ** 6, old_ns, old_ns, 3], digest)
    h.put("/f/bad", [10 ** 6, old_ns, old_ns, 4], "missing")
    assert list(h.found) == ["/f/old"]
    h.save()
    h2 = usercache.Hashes()
    assert h2.get("/f/old", [10 ** 6, old_ns, old_ns, 3]) == digest
    (tmp_path / usercache.hashes_name("/g")).write_bytes((tmp_path / usercache.hashes_name("/f")).read_bytes())
    assert usercache.Hashes().get("/g/old", [10 ** 6, old_ns, old_ns, 3]) is None     # another folder's record
    (tmp_path / usercache.hashes_name("/f")).write_text(
        '{"folder": "/f", "files": {"/f/x": [[1, 2, 3, 4], "not a digest"]}}')
    assert usercache.Hashes().get("/f/x", [1, 2, 3, 4]) is None
    foreign = ["hashes.json", "svg-icons.zip", "svg-notes.json", "svg-" + "0" * 31 + ".json"]
    for name in foreign:
        (tmp_path / name).write_text("the user's")
    stale = tmp_path / ".leafpress-x.tmp"
    stale.write_text("left by a killed build")
    os.utime(stale, (time_module.time() - 7200,) * 2)
    retired = tmp_path / "leafpress-hashes.json"        # an earlier version's record, no longer read
    retired.write_text("{}")
    monkeypatch.setattr(usercache, "_counts", {})
    for k in range(8):
        usercache.write(f"svg-{k:032x}.json", b"{}", keep=4, like="svg-")
    assert all((tmp_path / name).read_text() == "the user's" for name in foreign)
    assert not stale.exists() and not retired.exists()
    assert 4 <= len(list(tmp_path.glob("svg-" + "[0-9a-f]" * 32 + ".json"))) <= 5
    counted = dict(usercache._counts)
    for _ in range(10):         # a record rewritten is not a record more
        usercache.write(f"svg-{7:032x}.json", b"{}", keep=4, like="svg-")
    assert usercache._counts == counted


def test_the_output_folders_drawing_records_are_bounded(scratch, tmp_path, monkeypatch):
    """An engine edit (or a new logo) leaves a new set of SVG records in OUT/.leafpress-cache:
    the least recently used beyond the bound go, as in the user's cache."""
    from leafpress import usercache
    from leafpress.plancache import CACHE
    monkeypatch.setenv("LEAFPRESS_CACHE", "off")
    monkeypatch.setattr(usercache, "MAX_RECORDS", 1)
    monkeypatch.setattr(usercache, "_counts", {})
    out = tmp_path / "out"
    _forget_drawings()
    assert main(ONE + ["--out", str(out)], root=scratch) == 0
    folder = out / CACHE
    for p in folder.glob("svg-*.json"):
        p.unlink()
    for k in range(5):          # records an older engine left
        (folder / f"svg-{k:032x}.json").write_text("{}")
    _forget_drawings()
    monkeypatch.setattr(usercache, "_counts", {})
    assert main(ONE + ["--out", str(out), "--force"], root=scratch) == 0
    assert len(list(folder.glob("svg-*.json"))) <= 1


def test_several_pdfs_are_staged_side_by_side_and_a_bad_place_fails_only_its_own(scratch, tmp_path):
    """Recorder._stage_all writes and syncs a flush's PDFs side by side (their folders made
    first, one after another): every PDF lands with its entry; one whose place is a folder fails
    alone, with its message, and no temporary file is left."""
    from leafpress import outdir
    out = outdir.OutDir(str(tmp_path / "out"), scratch)
    try:
        rec = outdir.Recorder(out, {"engine": "x", "project": str(scratch)}, {}, [])
        (out.path / "b" / "h").mkdir(parents=True)
        (out.path / "b" / "h" / "h-xx-l.pdf").mkdir()          # a folder where a PDF goes
        docs = [(f"b/h/h-{k:02d}-l.pdf", b"%PDF-" + bytes([k]) * 1000) for k in range(9)] + \
            [("b/h/h-xx-l.pdf", b"%PDF-x"), ("c/h/h-en-l.pdf", b"%PDF-c")]
        for path, data in docs:
            handout, name = path.split("/")[1], path.split("/")[2]
            rec.pending.append(({"handout": handout, "lang": name.split("-")[1], "layout": "l", "brand": path[0],
                                 "kind": "office", "path": path, "pages": 1, "sha256": "0" * 64, "status": "ok",
                                 "warnings": []}, data))
        rec.flush()
        for path, data in docs:
            if "xx" in path:
                assert rec.listed[path]["status"] == "failed" and "is a folder" in rec.listed[path]["error"]
            else:
                assert (out.path / path).read_bytes() == data and rec.listed[path]["status"] == "ok"
        assert not [p for p in out.path.rglob("*.tmp")]
    finally:
        out.close()
