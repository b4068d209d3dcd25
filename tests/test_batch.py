"""Batch production: incremental builds, removal of stale PDFs, partner clinics, QR codes, proofs."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pypdf
import pytest

from leafpress.cli import main

from conftest import ROOT, manifest, poppler

ONE = ["--lang", "en", "--lang", "es", "--layout", "a4-2page", "--brand", "open-leaflets", "--brand", "valley-health"]


def pdf_times(out: Path) -> dict:
    return {p: p.stat().st_mtime_ns for p in out.rglob("*.pdf")}


def test_second_build_rewrites_nothing_and_an_edit_rebuilds_only_its_language(scratch, tmp_path, capsys):
    assert main(ONE + ["--out", str(tmp_path / "out")], root=scratch) == 0
    first = manifest(tmp_path / "out")["documents"]
    assert all(d["input_hash"] and not d["unchanged"] for d in first)
    before = pdf_times(tmp_path / "out")
    capsys.readouterr()
    assert main(ONE + ["--out", str(tmp_path / "out")], root=scratch) == 0
    assert "built 0 of 4 document(s), 4 unchanged" in capsys.readouterr().err
    assert pdf_times(tmp_path / "out") == before
    assert [d["sha256"] for d in manifest(tmp_path / "out")["documents"]] == [d["sha256"] for d in first]
    es = scratch / "handouts/port/es.yaml"
    es.write_text(es.read_text(encoding="utf-8").replace("Su puerto implantado", "Su puerto"), encoding="utf-8")
    assert main(ONE + ["--out", str(tmp_path / "out")], root=scratch) == 0
    after = pdf_times(tmp_path / "out")
    changed = sorted(p.name for p in after if after[p] != before[p])
    assert changed == ["port-es-a4-2page.pdf", "port-es-a4-2page.pdf"]
    assert "built 2 of 4 document(s), 2 unchanged" in capsys.readouterr().err
    assert main(ONE + ["--force", "--out", str(tmp_path / "out")], root=scratch) == 0
    assert "built 4 of 4 document(s), 0 unchanged" in capsys.readouterr().err


def test_removing_a_language_removes_its_pdfs(scratch, tmp_path):
    assert main(ONE + ["--out", str(tmp_path / "out")], root=scratch) == 0
    assert list((tmp_path / "out").rglob("port-es-*.pdf"))
    (scratch / "handouts/port/es.yaml").unlink()
    assert main(["--lang", "en", "--layout", "a4-2page", "--brand", "open-leaflets", "--brand", "valley-health",
                 "--out", str(tmp_path / "out")], root=scratch) == 0
    assert not list((tmp_path / "out").rglob("port-es-*.pdf"))
    assert {d["lang"] for d in manifest(tmp_path / "out")["documents"]} == {"en"}


def test_a_filtered_build_keeps_the_other_entries(scratch, tmp_path):
    assert main(ONE + ["--out", str(tmp_path / "out")], root=scratch) == 0
    assert main(["--lang", "en", "--layout", "a4-2page", "--brand", "open-leaflets", "--out", str(tmp_path / "out")],
                root=scratch) == 0
    assert len(manifest(tmp_path / "out")["documents"]) == 4


def test_partner_clinic_gets_its_contact_block_and_keeps_the_credit(built, tmp_path):
    assert main(["--lang", "es", "--layout", "letter-2page", "--brand", "valley-health", "--out", str(tmp_path / "out")],
                root=ROOT) == 0
    pdf = tmp_path / "out" / "valley-health/port/port-es-letter-2page.pdf"
    text = poppler("pdftotext", str(pdf), "-")
    assert "Valley Health Center" in text and "+1 (555) 010-0177" in text and "410 Orchard Avenue" in text
    # the nonprofit's credit, in the leaflet's language (the brand file translates it)
    assert "Publicado por Open Patient Leaflets (sin fines de lucro). Entregado por Valley " \
        "Health Center." in " ".join(text.split())
    r = pypdf.PdfReader(pdf)
    assert r.metadata.author == "Valley Health Center"


def test_qr_code_is_vector_and_links_to_the_online_copy(built):
    pdf = built / "open-leaflets/port/port-es-letter-2page.pdf"
    r = pypdf.PdfReader(pdf)
    uris = [a.get_object()["/A"]["/URI"] for p in r.pages for a in p.get("/Annots", [])]
    assert "https://leaflets.example.org/port/es" in uris
    for page in r.pages:     # no raster images: the QR code is drawn as vector squares
        xobjects = page["/Resources"].get("/XObject", {})
        assert not [x for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image"]
    code = r.pages[1].get_contents().get_data()
    assert code.count(b" re") > 100          # the modules of the QR code


def test_qr_code_scans(built, tmp_path):
    pdf = built / "riverside-clinic/port/port-ar-trifold-letter.pdf"
    poppler("pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p"))
    [png] = tmp_path.glob("p*.png")
    scanned = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True).stdout.split()
    assert scanned == ["https://leaflets.example.org/port/ar"]


def test_qr_mask_choice_counts_as_reportlab_does():
    """The press picks a QR code's mask with its own count of ReportLab's penalty points
    (render/assets.py): the same number as ReportLab's for every mask of codes of many sizes,
    so the same modules; also after a module is flipped and a finder-like pattern drawn in."""
    import random

    from leafpress.layout.items import Qr
    from leafpress.render import assets
    q = assets._qrencoder()
    rnd = random.Random(19)
    for length in (0, -1, -2, 1, 14, 30, 47, 80, 134, 230, 400):
        data = "https://" + "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789/-?=&.") for _ in range(length))
        data = {0: "漢字の説明", -1: "0123456789", -2: "HTTPS://EXAMPLE.ORG/PORT"}.get(length, data)  # other modes
        code = q.QRCode(None, q.QRErrorCorrectLevel.M)
        code.addData(data)
        assert type(code.dataList[0]) is type(assets._qr_data(q, data))
        code.version = code.calculate_version()
        for mask in range(8):
            code.makeImpl(True, mask)
            assert assets._lost_points(code.modules) == q.QRUtil.getLostPoint(code), (length, mask)
        theirs = q.QRCode(None, q.QRErrorCorrectLevel.M)
        theirs.addData(data)
        theirs.make()
        assets._QR.clear()
        assert assets.qr_modules(Qr(data)) == tuple(tuple(bool(m) for m in row) for row in theirs.modules)
    code.modules[0][20] = not code.modules[0][20]
    assert assets._lost_points(code.modules) == q.QRUtil.getLostPoint(code)
    row = code.modules[30]
    row[:11] = [True, False, True, True, True, False, True, False, False, False, False]
    assert assets._lost_points(code.modules) == q.QRUtil.getLostPoint(code)


def test_proofs(scratch, tmp_path, capsys):
    assert main(["proof", "--lang", "en", "--lang", "ar", "--brand", "open-leaflets", "--png",
                 "--out", str(tmp_path / "out")], root=scratch) == 0
    sheet = tmp_path / "out" / "proofs/port-contact-sheet.pdf"
    review = tmp_path / "out" / "proofs/port-ar-review.pdf"
    assert sheet.exists() and review.exists()
    assert not (tmp_path / "out" / "proofs/port-en-review.pdf").exists()    # the source is not reviewed
    text = poppler("pdftotext", str(review), "-")
    assert "Status: draft, not yet reviewed by a medical translator" in " ".join(text.split())
    assert "What is a port?" in text and "ما هو البورت؟" in text
    sheet_text = " ".join(poppler("pdftotext", str(sheet), "-").split())
    assert "ar · trifold-letter · 2 p." in sheet_text and "en · large-print" in sheet_text
    pngs = list((tmp_path / "out" / "previews").rglob("*.png"))
    assert len(pngs) == sum(d["pages"] for d in manifest(tmp_path / "out")["documents"])


def test_same_bytes_at_any_jobs_value(built, tmp_path):
    assert main(["--lang", "th", "--lang", "fa", "--brand", "riverside-clinic", "--jobs", "1",
                 "--out", str(tmp_path / "out")], root=ROOT) == 0
    for d in manifest(tmp_path / "out")["documents"]:
        assert (tmp_path / "out" / d["path"]).read_bytes() == (built / d["path"]).read_bytes(), d["path"]


def test_a_failure_that_follows_from_the_inputs_is_not_built_again(scratch, tmp_path, capsys, monkeypatch):
    """A document that failed from its inputs alone is reported failed again, with its message,
    without being built, until its inputs change or --force; a failure that is not the inputs'
    (here an unexpected error) is tried again."""
    from leafpress.project import Project
    built = []
    real_build = Project.build
    trouble = {"port-en-a4-2page.pdf"}

    def build(self, job, *a, **kw):
        built.append(job.path().rpartition("/")[2])
        if built[-1] in trouble:
            raise RuntimeError("a passing glitch")
        return real_build(self, job, *a, **kw)

    monkeypatch.setattr(Project, "build", build)
    es = scratch / "handouts/port/es.yaml"
    es.write_text(es.read_text(encoding="utf-8").replace("title: Su puerto implantado", "title: [1, 2]"),
                  encoding="utf-8")
    args = ["--lang", "en", "--lang", "es", "--layout", "a4-2page", "--brand", "open-leaflets",
            "--jobs", "1", "--out", str(tmp_path / "out")]
    assert main(args, root=scratch) == 1
    first = capsys.readouterr().err
    docs = {d["lang"]: d for d in manifest(tmp_path / "out")["documents"]}
    assert docs["es"]["status"] == "failed" and docs["es"]["deterministic"] is True
    assert docs["en"]["status"] == "failed" and "deterministic" not in docs["en"]      # not the inputs' fault
    message = docs["es"]["error"]
    assert f"failed: open-leaflets/port/port-es-a4-2page.pdf: {message}" in first
    built.clear()
    trouble.clear()
    assert main(args, root=scratch) == 1
    again = capsys.readouterr().err
    assert built == ["port-en-a4-2page.pdf"]                # the glitch is tried again, es is not
    assert f"failed: open-leaflets/port/port-es-a4-2page.pdf: {message}" in again
    assert "built 1 of 2 document(s), 0 unchanged, 1 failed" in again
    entry = {d["lang"]: d for d in manifest(tmp_path / "out")["documents"]}["es"]
    assert entry["error"] == message and entry["unchanged"] is True
    built.clear()
    assert main(args, root=scratch) == 1
    assert built == [] and "built 0 of 2 document(s), 1 unchanged, 1 failed" in capsys.readouterr().err
    assert main(args + ["--force"], root=scratch) == 1
    assert built == ["port-en-a4-2page.pdf", "port-es-a4-2page.pdf"]
    built.clear()
    es.write_text(es.read_text(encoding="utf-8").replace("title: [1, 2]", "title: Su puerto"), encoding="utf-8")
    assert main(args, root=scratch) == 0                      # the inputs changed: built, and now it builds
    assert built == ["port-es-a4-2page.pdf"]


def test_the_languages_with_the_longest_content_go_first_and_nothing_is_lost():
    """The batch hands out the languages with the longest content files first, so the last tasks
    of a batch are short ones (neither worker waits long for the other at the end)."""
    from leafpress.batch import groups_of, longest_first
    from leafpress.project import Job, Project
    project = Project(ROOT)
    langs = ["en", "km", "es", "ar"]
    jobs = [Job("port", lang, lay, "open-leaflets") for lang in langs for lay in ("letter-2page", "large-print")]
    groups = longest_first(project, groups_of(jobs, 2))
    assert sorted(j.path() for g in groups for j in g) == sorted(j.path() for j in jobs)
    order = list(dict.fromkeys(g[0].lang for g in groups))
    size = {lang: (ROOT / "handouts" / "port" / f"{lang}.yaml").stat().st_size for lang in langs}
    assert order == sorted(langs, key=lambda lang: -size[lang]) and order[0] == "km"


def test_the_collector_is_off_while_the_press_starts_and_on_for_every_document(tmp_path, monkeypatch):
    """gcpolicy.pause: no collections while the command starts; every document is built with the
    collector on (in this process and in forked workers), and it is on when the command ends."""
    import gc

    from leafpress import batch
    seen = []
    real = batch.run_one

    def run_one(job, *a, **k):
        seen.append(gc.isenabled())
        return real(job, *a, **k)
    monkeypatch.setattr(batch, "run_one", run_one)
    starting = []
    import leafpress.cli as cli
    monkeypatch.setattr(cli, "plan", lambda *a, real=cli.plan: (starting.append(gc.isenabled()), real(*a))[1])
    assert main(["--lang", "en", "--layout", "letter-2page", "--brand", "open-leaflets", "--jobs", "1",
                 "--out", str(tmp_path / "out")], root=ROOT) == 0
    assert seen == [True] and starting == [False] and gc.isenabled()
    listing = []        # a command that builds no document has it on once the project is loaded
    monkeypatch.setattr(cli, "cmd_list", lambda project: listing.append(gc.isenabled()) or 0)
    assert main(["list"], root=ROOT) == 0 and listing == [True]


def test_a_worker_can_send_several_leaflets_before_they_are_read():
    """batch._roomy: a worker's end of its connection holds several finished PDFs the main
    process has not read yet (it may be writing the last ones to disk), so the worker goes on."""
    import multiprocessing
    import os
    import socket

    import pytest

    from leafpress import batch
    if int(open("/proc/sys/net/core/wmem_max").read()) < 1 << 20:
        pytest.skip("the system caps a socket's send buffer below 1 MB")
    main_end, worker_end = multiprocessing.get_context("fork").Pipe()
    batch._roomy(worker_end)
    with socket.fromfd(worker_end.fileno(), socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.setblocking(False)        # a send that would wait raises instead
    pdf = os.urandom(90_000)
    for k in range(8):
        worker_end.send(({"n": k}, pdf))
    assert [main_end.recv()[0]["n"] for _ in range(8)] == list(range(8))


def test_a_qr_codes_modules_come_from_the_users_cache_as_encoded(tmp_path, monkeypatch):
    """A QR code's modules are kept in the user's cache, keyed by its data and the encoding
    code: a process that finds them does not encode; a record for other data, or damaged, is
    ignored and the code encoded again, to the same modules."""
    import json

    from leafpress.layout.items import Qr
    from leafpress.render import assets
    monkeypatch.setenv("LEAFPRESS_CACHE", str(tmp_path))
    data, other = "https://leaflets.example.org/port/km", "https://leaflets.example.org/port/th"
    assets._QR.clear()
    made = assets.qr_modules(Qr(data))
    assets.qr_modules(Qr(other))
    [record] = [p for p in tmp_path.glob("qr-*.json") if json.loads(p.read_text())["data"] == data]
    encoded = []
    real = assets._qr_encoded
    monkeypatch.setattr(assets, "_qr_encoded", lambda d: encoded.append(d) or real(d))
    assets._QR.clear()
    assert assets.qr_modules(Qr(data)) == made and encoded == []
    [foreign] = [p for p in tmp_path.glob("qr-*.json") if p != record]
    saved = record.read_bytes()
    record.write_bytes(foreign.read_bytes())            # another code's modules under this name
    assets._QR.clear()
    assert assets.qr_modules(Qr(data)) == made and encoded == [data]
    got = json.loads(saved)
    got["rows"][3] = got["rows"][3][:-1]                 # a damaged row
    record.write_text(json.dumps(got))
    assets._QR.clear()
    assert assets.qr_modules(Qr(data)) == made and encoded == [data, data]
    assets._QR.clear()


def test_a_batch_asks_the_users_cache_for_cldr_answers_by_each_languages_locale(monkeypatch):
    """The answers are kept by locale (Dari's are fa_AF's, Hmong's en's): the batch's start asks
    for those, not for the language codes, which no record is named by (asking by code, every
    batch with such a language loaded Babel and CLDR's root before forking)."""
    from leafpress import batch, formatting
    from leafpress.project import Job, Project
    project = Project(ROOT)
    assert (project.locale_of("prs"), project.locale_of("hmn"), project.locale_of("ar")) == ("fa_AF", "en", "ar")
    asked: list = []
    monkeypatch.setattr(formatting, "known", lambda names: asked.extend(names) or True)
    monkeypatch.setattr(batch, "_cldr_root", lambda: None)
    batch.preload(project, [Job("port", lang, "letter-2page", "open-leaflets") for lang in ("prs", "hmn", "ar", "prs")])
    assert asked == ["fa_AF", "en", "ar"]


def test_work_beside_the_build_gives_what_this_process_would(scratch, tmp_path, monkeypatch):
    """batch.beside: the fingerprints and the per-handout checks are taken in a forked child
    while this process imports the stages and starts the documents; what comes back is what this
    process would have found. A child that dies, or work that raises there, is done here again
    (the same value, or the same error), and the child is always reaped."""
    import os

    from leafpress import batch
    from leafpress.errors import LeafletError
    here = os.getpid()
    ran = []

    def where():
        ran.append(os.getpid())
        return {"pid": os.getpid(), "n": len(ran)}

    first = batch.Aside(where)
    second = batch.Aside(lambda: dict(first.result(), later=True))    # uses the first's result
    import threading

    def fork(asides):
        with monkeypatch.context() as m:
            # (an idle thread another test's Dask client left would keep beside from forking; only
            # here, where the child's work takes no lock: the whole builds below fork only without one)
            m.setattr(threading, "active_count", lambda: 1)
            m.setattr(batch, "_cores", lambda: 2)       # (a one-core runner: forked all the same)
            return batch.beside(asides)
    child = fork([first, second])
    assert child is not None
    try:
        got, then = first.result(), second.result()
    finally:
        child.close()
    assert got["pid"] != here and then == dict(got, later=True) and ran == []     # all in the child

    def dies():
        if os.getpid() != here:
            os._exit(3)     # (the child, killed as by the out-of-memory killer)
        return "done here"
    late = batch.Aside(lambda: "never read")
    dying, after = batch.Aside(dies), late
    child = fork([dying, after])
    try:
        assert dying.result() == "done here" and after.result() == "never read"
    finally:
        child.close()
    assert child.pid == 0

    def refuses():
        raise LeafletError("handouts/port/en.yaml: a bad key")
    failing = batch.Aside(refuses)
    child = fork([failing])
    try:
        with pytest.raises(LeafletError, match="a bad key"):
            failing.result()
    finally:
        child.close()

    # A whole build: the same manifest (fingerprints, input files, reading levels) with the
    # work beside as without it.
    args = ["--lang", "en", "--lang", "ar", "--layout", "a4-2page", "--brand", "open-leaflets", "--jobs", "2"]
    children = []
    monkeypatch.setattr(batch, "beside", lambda asides, real=batch.beside: children.append(real(asides)) or children[-1])
    assert main(args + ["--out", str(tmp_path / "beside")], root=scratch) == 0
    alone = threading.active_count() > 1 or batch._cores() < 2     # (beside does not fork then)
    assert children and (children[0] is None if alone else children[0].pid == 0)    # forked, and reaped
    monkeypatch.setattr(batch, "BESIDE", False)     # (the checks in a thread beside the two workers)
    assert main(args + ["--out", str(tmp_path / "here")], root=scratch) == 0
    assert main(args[:-1] + ["1", "--out", str(tmp_path / "alone")], root=scratch) == 0
    assert len(children) == 2 and children[1] is None      # (--jobs 1: not beside at all)
    one, two = manifest(tmp_path / "beside"), manifest(tmp_path / "here")
    assert one["findings"] and one["findings"] == two["findings"]
    assert one["input_files"] == two["input_files"] and one["input_files"]
    three = manifest(tmp_path / "alone")
    assert one["findings"] == three["findings"] and one["input_files"] == three["input_files"]
    assert [(d["path"], d["input_hash"], d["sha256"]) for d in one["documents"]] == \
           [(d["path"], d["input_hash"], d["sha256"]) for d in two["documents"]] == \
           [(d["path"], d["input_hash"], d["sha256"]) for d in three["documents"]]


def test_workers_end_while_the_manifest_is_written(scratch, tmp_path, monkeypatch):
    """A batch whose documents have all come back tells its workers to stop and writes the last
    PDFs and the manifest while they end (their memory given back), then reaps them before the
    output folder's lock goes: no worker is left behind."""
    import multiprocessing

    from leafpress import batch, outdir
    waiting = []
    real = outdir.Recorder.finish

    def finish(self, *a, **kw):
        waiting.append(len(batch._ENDING))
        return real(self, *a, **kw)
    monkeypatch.setattr(outdir.Recorder, "finish", finish)
    assert main(ONE + ["--jobs", "2", "--out", str(tmp_path / "out")], root=scratch) == 0
    assert waiting == [2] and batch._ENDING == [] and multiprocessing.active_children() == []


def test_a_worker_ends_when_its_main_process_is_gone(monkeypatch):
    """A worker whose main process died without telling it to stop (killed, out of memory) ends
    instead of waiting for work for ever with the output folder's lock held: no worker keeps a
    copy of the main process's end of its own pipe, nor of another worker's (the second worker,
    forked while the first one's pipe was open, would keep the first one waiting)."""
    import multiprocessing

    from leafpress import batch
    monkeypatch.setattr(batch, "_PROJECT", None)
    ctx = multiprocessing.get_context("fork")
    first = batch._Worker(ctx, (str(ROOT), False, False, False))
    second = batch._Worker(ctx, (str(ROOT), False, False, False))
    try:
        for w in (first, second):       # as the main process's death closes its ends
            w.conn.close()
            w.proc.join(60)
            assert not w.proc.is_alive(), "a worker kept waiting for work from a main process that is gone"
            assert w.proc.exitcode == 0
    finally:
        for w in (first, second):
            if w.proc.is_alive():
                w.proc.kill()
            w.proc.join(5)
            batch._forget_end(w.conn)
    assert first.conn not in batch._PARENTS_ENDS and second.conn not in batch._PARENTS_ENDS
