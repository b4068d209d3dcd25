"""The press owns its output folder and nothing else (issue 13): which folders it builds into,
what it sweeps and deletes, links it never follows, one build per folder at a time, and a
manifest that matches the PDFs on disk after a dead worker, a full disk or a bad old manifest.
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from leafpress import outdir
from leafpress.cli import main
from leafpress.project import Project

from conftest import ROOT, manifest

SMALL = ["--lang", "en", "--lang", "es", "--layout", "a4-2page", "--brand", "open-leaflets", "--jobs", "1"]


def run(argv, root, capsys):
    code = main(argv, root=root)
    return code, capsys.readouterr().err


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_matches_disk(out: Path) -> dict:
    """Every entry listed as built names a PDF with its sha256; a failed one has no PDF; every
    document PDF in the folder is listed."""
    m = manifest(out)
    listed = {d["path"]: d for d in m["documents"]}
    for d in m["documents"]:
        p = out / d["path"]
        if d["status"] == "ok":
            assert p.is_file() and sha(p) == d["sha256"], d["path"]
        else:
            assert not p.exists(), d["path"]
    for pdf in out.rglob("*.pdf"):
        rel = pdf.relative_to(out).as_posix()
        if not rel.startswith(("proofs/", "previews/")):
            assert rel in listed and listed[rel]["status"] == "ok", rel
    return listed


def snapshot(folder: Path) -> dict:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


# -- which folders ------------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["root", "home", "project", "above-project", "project-subfolder",
                                   "not-empty", "empty-string", "under-a-file"])
def test_out_must_be_the_press_own_folder(where, scratch, tmp_path, capsys, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.tmp").write_text("mine")
    (home / ".notes.tmp").write_text("mine")
    monkeypatch.setenv("HOME", str(home))
    user = tmp_path / "user"
    user.mkdir()
    (user / "letter.pdf").write_bytes(b"%PDF-1.4 mine")
    (tmp_path / "afile").write_text("a file")
    arg = {"root": "/", "home": str(home), "project": str(scratch), "above-project": str(scratch.parent),
           "project-subfolder": str(scratch / "handouts"), "not-empty": str(user), "empty-string": "",
           "under-a-file": str(tmp_path / "afile" / "sub")}[where]
    before = snapshot(tmp_path) | snapshot(scratch)
    code, err = run(["build", *SMALL, "--out", arg], scratch, capsys)
    assert code == 2, err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert snapshot(tmp_path) | snapshot(scratch) == before
    assert not Path("/manifest.json").exists() or where != "root"


def test_empty_folder_and_own_folder_are_accepted(scratch, tmp_path, capsys):
    out = tmp_path / "empty"
    out.mkdir()
    assert run(["build", *SMALL, "--out", str(out)], scratch, capsys)[0] == 0
    assert run(["build", *SMALL, "--out", str(out)], scratch, capsys)[0] == 0     # its own now
    assert_matches_disk(out)


def test_another_projects_folder_is_refused(scratch, tmp_path, capsys):
    out = tmp_path / "shared"
    assert run(["build", *SMALL, "--out", str(out)], scratch, capsys)[0] == 0
    before = snapshot(out)
    other = tmp_path / "other-checkout"
    shutil.copytree(scratch, other, symlinks=True)
    code, err = run(["build", "--lang", "en", "--layout", "letter-2page", "--brand", "open-leaflets",
                     "--out", str(out)], other, capsys)
    assert code == 2 and "another project" in err, err
    assert snapshot(out) == before


# -- what it sweeps and deletes -----------------------------------------------------------------
def test_sweep_removes_only_its_own_temporary_files_beside_its_pdfs(scratch, tmp_path, capsys):
    out = tmp_path / "out"
    assert run(["build", *SMALL, "--out", str(out)], scratch, capsys)[0] == 0
    docs = out / "open-leaflets/port"
    own = docs / ".leafpress-port-en-a4-2page.pdf.x1y2z3.tmp"     # as a killed build leaves it
    own.write_bytes(b"half a PDF")
    users = [out / ".notes.tmp", docs / ".draft.pdf.tmp", out / "mine" / ".leafpress-keep.tmp"]
    users[-1].parent.mkdir()
    for u in users:
        u.write_text("the user's")
    assert run(["build", *SMALL, "--out", str(out)], scratch, capsys)[0] == 0
    assert not own.exists()
    assert all(u.read_text() == "the user's" for u in users)


def test_stale_removal_deletes_only_unchanged_own_pdfs(scratch, tmp_path, capsys):
    out = tmp_path / "out"
    assert run(["build", *SMALL, "--layout", "letter-2page", "--out", str(out)], scratch, capsys)[0] == 0
    # Files listed by hand in the manifest, and one of the press's PDFs changed by a person.
    (out / "notes.pdf").write_bytes(b"%PDF notes")
    (out / "sub").mkdir()
    (out / "sub/thesis.pdf").write_bytes(b"%PDF thesis")
    m = manifest(out)
    for rel in ("notes.pdf", "sub/thesis.pdf"):
        m["documents"].append(dict(m["documents"][0], path=rel, sha256=sha(out / rel)))
    (out / "manifest.json").write_text(json.dumps(m))
    edited = out / "open-leaflets/port/port-es-letter-2page.pdf"
    edited.write_bytes(edited.read_bytes() + b"% annotated by hand\n")
    untouched = out / "open-leaflets/port/port-es-a4-2page.pdf"
    (scratch / "handouts/port/es.yaml").unlink()            # Spanish is gone: its PDFs are stale
    code, err = run(["build", "--lang", "en", "--layout", "a4-2page", "--brand", "open-leaflets",
                     "--out", str(out)], scratch, capsys)
    assert code == 0, err
    assert not untouched.exists()                            # the press's own, unchanged
    assert edited.exists()                                   # changed since: not the press's to delete
    assert (out / "notes.pdf").exists() and (out / "sub/thesis.pdf").exists()
    assert all(d["lang"] != "es" for d in manifest(out)["documents"])


def test_writes_never_follow_links_out_of_the_folder(scratch, tmp_path, capsys):
    out = tmp_path / "out"
    assert run(["build", *SMALL, "--out", str(out)], scratch, capsys)[0] == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.pdf").write_bytes(b"precious")
    target = out / "open-leaflets/port/port-en-a4-2page.pdf"
    target.unlink()
    target.symlink_to(elsewhere / "precious.pdf")            # a link in place of a PDF
    code, err = run(["build", *SMALL, "--force", "--out", str(out)], scratch, capsys)
    assert code == 0, err
    assert (elsewhere / "precious.pdf").read_bytes() == b"precious"
    assert not target.is_symlink() and target.read_bytes().startswith(b"%PDF-")
    # A link in place of a folder: those documents fail, nothing is written through it.
    shutil.rmtree(out / "open-leaflets")
    (out / "open-leaflets").symlink_to(elsewhere, target_is_directory=True)
    code, err = run(["build", *SMALL, "--force", "--out", str(out)], scratch, capsys)
    assert code == 1 and "Traceback" not in err, err
    assert "is a link" in err
    assert sorted(p.name for p in elsewhere.rglob("*")) == ["precious.pdf"]


# -- one build at a time ------------------------------------------------------------------------
def test_a_second_build_waits_then_exits_2(scratch, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    assert run(["build", *SMALL, "--out", str(out)], scratch, capsys)[0] == 0
    monkeypatch.setattr(outdir, "LOCK_WAIT", 0.3)
    fd = os.open(out / ".leafpress.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        before = snapshot(out)
        code, err = run(["build", *SMALL, "--force", "--out", str(out)], scratch, capsys)
        assert code == 2 and "another build is writing into" in err, err
        assert snapshot(out) == before
    finally:
        os.close(fd)


def test_a_folder_made_by_another_build_in_between_is_taken_as_existing(tmp_path, monkeypatch):
    """CI saw two builds both find --out missing; the slower mkdir then failed with 'File exists'."""
    target = tmp_path / "out"
    real_mkdir = Path.mkdir

    def racing_mkdir(self, *args, **kwargs):
        real_mkdir(self, *args, **kwargs)          # the other build wins the race ...
        raise FileExistsError(errno.EEXIST, "File exists", str(self))   # ... and ours finds it made

    monkeypatch.setattr(Path, "mkdir", racing_mkdir)
    claimed = outdir.OutDir(str(target), ROOT, wait=1)
    try:
        assert claimed.path == target.resolve()
    finally:
        claimed.close()


def test_two_builds_at_once_both_complete(scratch, tmp_path):
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    # generate.py builds its own project; point the press at the scratch copy through a tiny driver.
    driver = ("import sys; from pathlib import Path; sys.path.insert(0, %r); from leafpress.cli import main; "
              "sys.exit(main(sys.argv[1:], root=Path(%r)))" % (str(ROOT), str(scratch)))
    cmd = [sys.executable, "-c", driver, "build", "--force", *SMALL, "--out", str(out)]
    procs = [subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    for code, err in results:
        assert "Traceback" not in err and "unexpected error" not in err, err
        assert code == 0 or (code == 2 and "another build" in err), err
    listed = assert_matches_disk(out)
    assert len(listed) == 2 and all(d["status"] == "ok" for d in listed.values())


# -- the manifest -------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["garbage", "no-warnings", "not-a-list", "directory", "fifo"])
def test_a_bad_old_manifest(bad, scratch, tmp_path, capsys):
    out = tmp_path / "out"
    assert run(["build", *SMALL, "--out", str(out)], scratch, capsys)[0] == 0
    m = out / "manifest.json"
    if bad == "garbage":
        m.write_bytes(b"\x00{not json")
    elif bad == "no-warnings":
        doc = json.loads(m.read_text())
        for d in doc["documents"]:
            del d["warnings"]
        m.write_text(json.dumps(doc))
    elif bad == "not-a-list":
        m.write_text('{"documents": 5, "findings": "x"}')
    else:
        m.unlink()
        m.mkdir() if bad == "directory" else os.mkfifo(m)
    code, err = run(["build", *SMALL, "--out", str(out)], scratch, capsys)
    assert "Traceback" not in err, err
    if bad in ("directory", "fifo"):
        assert code == 2 and "manifest" in err and len(err.strip().splitlines()) == 1, err
    else:
        assert code == 0, err
        assert_matches_disk(out)


def test_a_killed_worker_fails_only_its_document(scratch, tmp_path, capsys, monkeypatch):
    """The out-of-memory killer takes one worker: that document fails with a clear message, a
    new worker builds the rest, the manifest lists them all."""
    real = Project.build

    def build(self, job, *a, **k):
        if job.lang == "es" and job.layout == "letter-2page":
            os.kill(os.getpid(), signal.SIGKILL)
        return real(self, job, *a, **k)

    monkeypatch.setattr(Project, "build", build)     # workers are forked: they inherit it
    out = tmp_path / "out"
    code, err = run(["build", "--lang", "en", "--lang", "es", "--layout", "a4-2page", "--layout", "letter-2page",
                     "--brand", "open-leaflets", "--jobs", "2", "--out", str(out)], scratch, capsys)
    assert code == 1 and "Traceback" not in err, err
    listed = assert_matches_disk(out)
    assert len(listed) == 4
    dead = listed["open-leaflets/port/port-es-letter-2page.pdf"]
    assert dead["status"] == "failed" and "killed by SIGKILL" in dead["error"], dead
    assert [d["status"] for p, d in sorted(listed.items()) if p != dead["path"]] == ["ok"] * 3


def test_a_killed_worker_gives_back_the_task_it_held_ahead(scratch, tmp_path, capsys, monkeypatch):
    """A worker holds its next task while it builds (batch.AHEAD; the first worker is given the
    two es tasks that come first, the longest language): killed, the document it was building
    fails and the task it held goes back to the queue, built by another worker."""
    real = Project.build

    def build(self, job, *a, **k):
        if job.lang == "es" and job.layout == "a4-2page":
            os.kill(os.getpid(), signal.SIGKILL)
        return real(self, job, *a, **k)

    monkeypatch.setattr(Project, "build", build)
    out = tmp_path / "out"
    code, err = run(["build", "--lang", "en", "--lang", "es", "--layout", "a4-2page", "--layout", "large-print",
                     "--layout", "letter-2page", "--brand", "open-leaflets", "--jobs", "2", "--out", str(out)],
                    scratch, capsys)
    assert code == 1 and "Traceback" not in err, err
    listed = assert_matches_disk(out)
    assert len(listed) == 6
    dead = listed.pop("open-leaflets/port/port-es-a4-2page.pdf")
    assert dead["status"] == "failed" and "killed by SIGKILL" in dead["error"], dead
    assert [d["status"] for d in listed.values()] == ["ok"] * 5


@pytest.mark.parametrize("after", [0, 1, 3])
def test_a_full_disk_leaves_a_manifest_that_matches(after, scratch, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    assert run(["build", *SMALL, "--layout", "letter-2page", "--out", str(out)], scratch, capsys)[0] == 0
    real, calls = os.fsync, [0]

    def fsync(fd):
        calls[0] += 1
        if calls[0] > after:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    code, err = run(["build", *SMALL, "--layout", "letter-2page", "--force", "--out", str(out)], scratch, capsys)
    monkeypatch.setattr(os, "fsync", real)
    assert code == 1 and "Traceback" not in err, err
    assert "No space left on device" in err
    assert_matches_disk(out)
    assert not [p for p in out.rglob("*.tmp")]
    assert run(["build", *SMALL, "--layout", "letter-2page", "--out", str(out)], scratch, capsys)[0] == 0
    assert len(assert_matches_disk(out)) == 4


def test_manifest_is_written_as_documents_finish(scratch, tmp_path, capsys, monkeypatch):
    """With every flush allowed, the manifest on disk after each document lists it."""
    monkeypatch.setattr(outdir, "FLUSH_EVERY", 0.0)
    monkeypatch.setattr(outdir, "FLUSH_COST_FACTOR", 0)
    seen = []
    real = outdir.Recorder._manifest

    def spy(self, documents, findings):
        real(self, documents, findings)
        seen.append(len(manifest(self.out.path)["documents"]))

    monkeypatch.setattr(outdir.Recorder, "_manifest", spy)
    out = tmp_path / "out"
    assert run(["build", *SMALL, "--layout", "letter-2page", "--out", str(out)], scratch, capsys)[0] == 0
    assert seen[:4] == [1, 2, 3, 4], seen


# -- partners -----------------------------------------------------------------------------------
PARTNERS = """\
base: open-leaflets
partners:
  - id: valley-health
    name: Valley Health Center
    phone: "+1 (555) 010-0177"
    website: https://valley-health.example.org
  - id: bayside-family-clinic
    name: Bayside Family Clinic
    website: javascript:alert(1)
  - name: An entry without an id
"""


def test_partner_entries_fail_one_by_one(scratch, tmp_path, capsys):
    (scratch / "assets/brands/partners.yaml").write_text(PARTNERS, encoding="utf-8")
    out = tmp_path / "out"
    code, err = run(["build", "--lang", "en", "--layout", "a4-2page", "--jobs", "1", "--out", str(out)],
                    scratch, capsys)
    assert code == 1 and "Traceback" not in err, err
    docs = {d["brand"]: d for d in manifest(out)["documents"]}
    assert docs["valley-health"]["status"] == "ok" and docs["open-leaflets"]["status"] == "ok"
    assert docs["bayside-family-clinic"]["error"].startswith(
        "assets/brands/partners.yaml:9: partners[1].website"), docs["bayside-family-clinic"]["error"]
    assert "partners.yaml:10: partners[2]: missing key 'id'" in err


def test_a_broken_partners_file_does_not_stop_the_nonprofit(scratch, tmp_path, capsys):
    out = tmp_path / "out"
    assert run(["build", "--lang", "en", "--layout", "a4-2page", "--jobs", "1", "--out", str(out)],
               scratch, capsys)[0] == 0
    partner_pdf = out / "valley-health/port/port-en-a4-2page.pdf"
    assert partner_pdf.exists()
    (scratch / "assets/brands/partners.yaml").write_text("base: open-leaflets\npartners: [\n", encoding="utf-8")
    code, err = run(["build", "--lang", "en", "--layout", "a4-2page", "--jobs", "1", "--force", "--out", str(out)],
                    scratch, capsys)
    assert code == 1 and "Traceback" not in err, err
    assert "assets/brands/partners.yaml:3: YAML syntax error" in err
    docs = {d["brand"]: d for d in manifest(out)["documents"]}
    assert docs["open-leaflets"]["status"] == "ok" and not docs["open-leaflets"]["unchanged"]
    assert partner_pdf.exists() and "valley-health" in docs      # kept, not deleted as stale
    assert_matches_disk(out)


# -- what reaches the terminal ------------------------------------------------------------------
def test_control_characters_in_names_are_escaped(scratch, tmp_path, capsys):
    bad = scratch / "handouts" / "evil\x1b[31m\nname"
    bad.mkdir()
    shutil.copyfile(scratch / "handouts/port/en.yaml", bad / "en.yaml")
    code, err = run(["build", "--lang", "en", "--layout", "a4-2page", "--brand", "open-leaflets", "--jobs", "1",
                     "--out", str(tmp_path / "out")], scratch, capsys)
    assert code == 1
    assert "\x1b" not in err
    failed = [ln for ln in err.splitlines() if ln.startswith("failed:")]
    assert len(failed) == 1 and "\\x1b[31m\\x0aname" in failed[0], err
