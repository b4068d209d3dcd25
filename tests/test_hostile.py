"""Hostile and broken inputs (issue 7): every bad input fails its own documents with one clear
line, never a traceback, never a half-written PDF; other documents still build; markup in content
prints literally.

The corpus is ``tests/bad_inputs/<case>/``: a ``case.yaml`` (``about``; ``expect``: fragments the
one-line error must contain; ``at``: the place it must name; or ``prints``: strings the PDF's
text must contain verbatim; optional ``generate``: a function below writes an input too big or
too odd to keep in git; optional ``xfail``: a known product bug) and the input files:

* ``<lang>.yaml`` replaces ``handouts/port/<lang>.yaml``; the case builds English and Spanish and
  the Spanish leaflet is the one that must fail (or print the strings).
* ``brand.yaml`` and logo files replace those of ``assets/brands/riverside-clinic/``; the case
  builds both brands and the clinic's leaflet is the one that must fail (or print the strings).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest
import yaml

from leafpress.cli import main

from conftest import ROOT, manifest

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
BRAND = "riverside-clinic"
OTHER_BRAND = "open-leaflets"
LAYOUT = "a4-2page"


# -- the corpus ---------------------------------------------------------------------------------
@dataclass
class Case:
    name: str
    folder: Path
    about: str
    expect: list
    at: str | None
    prints: list
    title: str | None
    generate: str | None
    xfail: str | None

    @property
    def files(self) -> list[Path]:
        return sorted(p for p in self.folder.iterdir() if p.name != "case.yaml")

    @property
    def brand_case(self) -> bool:
        return any(p.name == "brand.yaml" or not p.name.endswith(".yaml") for p in self.files) or \
            self.generate in BRAND_GENERATORS


def load_cases() -> list[Case]:
    cases = []
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        meta = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
        cases.append(Case(folder.name, folder, meta["about"], meta.get("expect") or [], meta.get("at"),
                          meta.get("prints") or [], meta.get("title"), meta.get("generate"),
                          meta.get("xfail")))
    return cases


CASES = load_cases()


# -- inputs written by the test ----------------------------------------------------------------
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">'
       '<circle cx="32" cy="32" r="31" fill="#7A2E1F"/>{}</svg>\n')


def giant_yaml(proj: Path) -> None:
    es = proj / "handouts/port/es.yaml"
    filler = "      - paragraph: " + "Texto de relleno. " * 50 + "\n"
    text = es.read_text(encoding="utf-8") + filler * (2_100_000 // len(filler) + 1)
    es.write_text(text, encoding="utf-8")
    assert len(text.encode()) > 2_000_000


def symlink_logo(proj: Path) -> None:
    outside = proj / "outside"
    outside.mkdir()
    (outside / "logo.svg").write_text(SVG.format(""), encoding="utf-8")
    logo = proj / "assets/brands" / BRAND / "logo.svg"
    logo.unlink()
    logo.symlink_to(outside / "logo.svg")


def symlink_dir(proj: Path) -> None:
    outside = proj / "outside"
    outside.mkdir()
    (outside / "logo.svg").write_text(SVG.format(""), encoding="utf-8")
    (proj / "assets/brands" / BRAND / "art").symlink_to(outside, target_is_directory=True)


def huge_svg(proj: Path) -> None:
    rects = "".join(f'<rect x="{i % 64}" y="{i // 64 % 64}" width="1" height="1"/>' for i in range(20_000))
    (proj / "assets/brands" / BRAND / "logo.svg").write_text(SVG.format(rects), encoding="utf-8")


def oversized_svg(proj: Path) -> None:
    (proj / "assets/brands" / BRAND / "logo.svg").write_text(
        SVG.format("<!--" + "x" * 1_100_000 + "-->"), encoding="utf-8")


def _replace_handout(proj: Path, make) -> None:
    """The Spanish handout file taken away and ``make(path)`` put in its place."""
    es = proj / "handouts/port/es.yaml"
    es.unlink()
    make(es)


def fifo_handout(proj: Path) -> None:
    _replace_handout(proj, os.mkfifo)


def dev_zero_handout(proj: Path) -> None:
    _replace_handout(proj, lambda es: es.symlink_to("/dev/zero"))


def link_out_handout(proj: Path) -> None:
    es = proj / "handouts/port/es.yaml"
    outside = proj.parent / f"{proj.name}-outside-es.yaml"
    outside.write_bytes(es.read_bytes())
    es.unlink()
    es.symlink_to(outside)


def loop_handout(proj: Path) -> None:
    _replace_handout(proj, lambda es: es.symlink_to(es))


def long_word(proj: Path) -> None:
    es = proj / "handouts/port/es.yaml"
    lines = es.read_text(encoding="utf-8").splitlines(keepends=True)
    k = next(i for i, ln in enumerate(lines) if ln.startswith("      - paragraph: "))
    lines[k] = "      - paragraph: " + "a" * 60_000 + "\n"
    es.write_text("".join(lines), encoding="utf-8")


def much_text(proj: Path) -> None:
    es = proj / "handouts/port/es.yaml"
    lines = es.read_text(encoding="utf-8").splitlines(keepends=True)
    k = next(i for i, ln in enumerate(lines) if ln.startswith("      - paragraph: "))
    lines[k] = "      - steps:\n" + "        - Texto de relleno para probar la longitud.\n" * 30_000
    es.write_text("".join(lines), encoding="utf-8")
    assert 1_000_000 < es.stat().st_size < 2_000_000


HANDOUT_GENERATORS = {"giant_yaml": giant_yaml, "much_text": much_text, "fifo_handout": fifo_handout, "dev_zero_handout": dev_zero_handout,
                      "loop_handout": loop_handout, "link_out_handout": link_out_handout, "long_word": long_word}
BRAND_GENERATORS = {"symlink_logo": symlink_logo, "symlink_dir": symlink_dir, "huge_svg": huge_svg,
                    "oversized_svg": oversized_svg}


def install(case: Case, proj: Path) -> None:
    for f in case.files:
        if case.brand_case:
            dest = proj / "assets/brands" / BRAND / f.name
        else:
            assert f.suffix == ".yaml", f
            dest = proj / "handouts/port" / f.name
        if dest.is_symlink() or dest.exists():
            dest.unlink()
        shutil.copyfile(f, dest)
    if case.generate:
        {**HANDOUT_GENERATORS, **BRAND_GENERATORS}[case.generate](proj)


# -- checks ------------------------------------------------------------------------------------
def pdf_text(path: Path) -> str:
    """The text in reading order (no -layout: two columns are not interleaved), whitespace
    collapsed so a line break reads as a space."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return " ".join(out.split())


def assert_valid_pdf(path: Path) -> pypdf.PdfReader:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), path
    reader = pypdf.PdfReader(path, strict=True)
    assert len(reader.pages) >= 1, path
    return reader


def no_temp_files(out: Path) -> list[Path]:
    """Temporary or hidden files, apart from the lock that marks the folder as the press's and
    the records it keeps for the next build (.leafpress-cache/*.json, see plancache.py)."""
    kept = [Path(".leafpress.lock"), Path(".leafpress-cache")]
    return sorted(p for p in out.rglob("*") if (p.name.endswith(".tmp") or p.name.startswith("."))
                  and p.relative_to(out) not in kept)


def docs_by(out: Path, key: str) -> dict:
    return {d[key]: d for d in manifest(out)["documents"]}


def case_param(case: Case):
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=case.name, marks=marks)


@pytest.mark.parametrize("case", [case_param(c) for c in CASES])
def test_bad_input(case: Case, scratch: Path, tmp_path: Path, capsys):
    install(case, scratch)
    out = tmp_path / "out"
    if case.brand_case:
        argv = ["--handout", "port", "--lang", "en", "--layout", LAYOUT,
                "--brand", OTHER_BRAND, "--brand", BRAND]
        key, bad, good = "brand", BRAND, OTHER_BRAND
    else:
        argv = ["--handout", "port", "--lang", "en", "--lang", "es", "--layout", LAYOUT,
                "--brand", OTHER_BRAND]
        key, bad, good = "lang", "es", "en"
    code = main(["build", *argv, "--jobs", "1", "--out", str(out)], root=scratch)
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    assert (out / "manifest.json").is_file(), (code, err)
    docs = docs_by(out, key)
    assert set(docs) == {bad, good}
    assert not no_temp_files(out), no_temp_files(out)

    # The good document always builds.
    assert docs[good]["status"] == "ok", docs[good].get("error")
    assert_valid_pdf(out / docs[good]["path"])

    entry = docs[bad]
    if case.prints:
        # Not an error: printed exactly as written.
        assert code == 0, entry.get("error")
        assert entry["status"] == "ok"
        pdf = out / entry["path"]
        reader = assert_valid_pdf(pdf)
        text = pdf_text(pdf)
        for s in case.prints:
            assert s in text, f"{s!r} not printed literally in {entry['path']}:\n{text}"
        if case.title:
            assert reader.metadata.title == case.title
        return

    assert code == 1, err
    assert entry["status"] == "failed"
    msg = entry["error"]
    assert isinstance(msg, str) and msg
    assert len(msg.splitlines()) == 1 and msg.strip() == msg, f"error is not one line: {msg!r}"
    assert "unexpected error" not in msg, f"not a clear error: {msg}"
    assert str(scratch) not in msg, f"error shows an absolute path: {msg}"
    for fragment in case.expect:
        assert fragment in msg, f"{fragment!r} not in {msg!r}"
    if case.at:
        assert msg.startswith(case.at), f"{case.at!r} not named in {msg!r}"
    assert not (out / entry["path"]).exists(), "a failed document left a PDF"
    assert entry["sha256"] is None and entry["pages"] == 0
    # stderr repeats it, on one line.
    assert f"failed: {entry['path']}: {msg}\n" in err


def test_corpus_has_every_kind():
    names = {c.name for c in CASES}
    kinds = ("yaml_", "type_", "unknown_", "missing_", "markup_injection", "logo_dotdot", "logo_absolute",
             "logo_symlink", "png_bomb", "png_truncated", "svg_entity", "svg_external", "svg_script",
             "svg_image", "svg_huge", "giant_yaml", "alias_bomb", "control_char", "surrogate", "bidi_",
             "empty_file", "utf16", "latin1", "emoji_uncovered",
             # issue 13: YAML 1.2 (numbers typed as text), files that are not files, bounded work,
             # templates, checkable SVG and brand input
             "yaml12_", "brand_phone_", "handout_fifo", "handout_dev_zero", "handout_link_loop", "handout_link_out",
             "long_word", "text_too_much", "marks_stacked", "brand_template_", "brand_website_too_long",
             "svg_url_upper", "svg_viewbox_nan")
    for k in kinds:
        assert any(n.startswith(k) for n in names), k
    for c in CASES:
        assert c.expect or c.prints, c.name
        assert c.files or c.generate, c.name


# -- the command line and the project as a whole (exit status 2) ------------------------------
def run(argv, root, capsys):
    try:
        code = main(argv, root=root)
    except SystemExit as exc:      # argparse: usage errors exit 2 with its own message
        code = exc.code
    return code, capsys.readouterr().err


@pytest.mark.parametrize("argv, fragment", [
    (["--lang", "xx"], "unknown language 'xx'"),
    (["--layout", "../../etc/passwd"], "unknown layout"),
    (["--brand", "../open-leaflets"], "unknown brand"),
    (["--handout", "port/../port"], "unknown handout"),
    (["--lang", "en\u202e"], "unknown language"),
    (["--jobs", "many"], "invalid int value"),
    (["--jobs", "-1"], "cannot be negative"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_command_line_exits_2(argv, fragment, scratch, tmp_path, capsys):
    out = tmp_path / "out"
    code, err = run([*argv, "--out", str(out)], scratch, capsys)
    assert code == 2, err
    assert fragment in err
    assert "Traceback" not in err
    assert not out.exists() or not list(out.rglob("*.pdf"))


def test_not_a_project_exits_2(tmp_path, capsys):
    code, err = run(["--out", str(tmp_path / "out")], tmp_path, capsys)
    assert code == 2 and "no handouts/ folder" in err and "Traceback" not in err


def test_out_is_a_file_is_a_clear_error(scratch, tmp_path, capsys):
    out = tmp_path / "out"
    out.write_text("not a folder")
    code, err = run(["--lang", "en", "--layout", LAYOUT, "--brand", OTHER_BRAND, "--jobs", "1",
                     "--out", str(out)], scratch, capsys)
    assert "Traceback" not in err
    assert code == 2, err
    assert str(out) in err or "out" in err
    assert out.read_text() == "not a folder"


@pytest.mark.parametrize("name", ["svg_script", "svg_not_xml"])
def test_logo_errors_name_the_logo_file(name, scratch, tmp_path, capsys):
    case = next(c for c in CASES if c.name == name)
    install(case, scratch)
    out = tmp_path / "out"
    code, err = run(["--lang", "en", "--layout", LAYOUT, "--brand", BRAND, "--jobs", "1", "--out", str(out)],
                    scratch, capsys)
    assert code == 1
    msg = manifest(out)["documents"][0]["error"]
    assert msg.startswith(f"assets/brands/{BRAND}/logo.svg") or "brand.yaml:2: logo: " in msg, msg


def _break_source(scratch: Path) -> int:
    """Empty the source's title; returns its line number."""
    en = scratch / "handouts/port/en.yaml"
    lines = en.read_text(encoding="utf-8").splitlines(keepends=True)
    [n] = [i for i, ln in enumerate(lines) if ln.startswith("title:")]
    lines[n] = "title:\n"
    en.write_text("".join(lines), encoding="utf-8")
    return n + 1


def test_broken_source_fails_every_language_cleanly(scratch, tmp_path, capsys):
    """A broken source file: every document of the handout fails with one line, and no PDF."""
    _break_source(scratch)
    out = tmp_path / "out"
    code, err = run(["--lang", "en", "--lang", "es", "--layout", LAYOUT, "--brand", OTHER_BRAND,
                     "--jobs", "1", "--out", str(out)], scratch, capsys)
    assert "Traceback" not in err
    assert code == 1, err
    docs = manifest(out)["documents"]
    assert {d["lang"] for d in docs} == {"en", "es"}
    for d in docs:
        assert d["status"] == "failed"
        assert len(d["error"].splitlines()) == 1 and d["error"].startswith("handouts/port/"), d["error"]
        assert not (out / d["path"]).exists()
    assert not no_temp_files(out)


def test_broken_source_names_its_own_error(scratch, tmp_path, capsys):
    line = _break_source(scratch)
    out = tmp_path / "out"
    run(["--lang", "en", "--layout", LAYOUT, "--brand", OTHER_BRAND, "--jobs", "1", "--out", str(out)],
        scratch, capsys)
    [d] = manifest(out)["documents"]
    assert d["error"].startswith(f"handouts/port/en.yaml:{line}: title: expected text, found nothing"), d["error"]


SMALL_ES = """\
handout: port
lang: es
version: "1.0"
last_reviewed: 2026-11-01
translation:
  status: draft
title: Su puerto implantado
summary: Un puerto es un aparato pequeño.
source_credit: Basado en información para pacientes
sections:
  - id: what
    heading: ¿Qué es un puerto?
    blocks:
      - paragraph: Un puerto es un aparato pequeño.
"""


def test_translation_that_does_not_mirror_names_both_files(scratch, tmp_path, capsys):
    """A well-formed translation with fewer sections than its source."""
    (scratch / "handouts/port/es.yaml").write_text(SMALL_ES, encoding="utf-8")
    out = tmp_path / "out"
    code, err = run(["--lang", "en", "--lang", "es", "--layout", LAYOUT, "--brand", OTHER_BRAND,
                     "--jobs", "1", "--out", str(out)], scratch, capsys)
    assert code == 1 and "Traceback" not in err
    d = docs_by(out, "lang")
    assert d["en"]["status"] == "ok"
    msg = d["es"]["error"]
    assert "handouts/port/es.yaml" in msg and "handouts/port/en.yaml" in msg and len(msg.splitlines()) == 1


def test_broken_language_settings_fail_only_that_language(scratch, tmp_path, capsys):
    (scratch / "assets/languages/es.yaml").write_text("code: es\nname: [oops\n", encoding="utf-8")
    out = tmp_path / "out"
    code, err = run(["--lang", "en", "--lang", "es", "--layout", LAYOUT, "--brand", OTHER_BRAND,
                     "--jobs", "1", "--out", str(out)], scratch, capsys)
    assert "Traceback" not in err
    assert code == 1, err
    d = docs_by(out, "lang")
    assert d["en"]["status"] == "ok"
    assert d["es"]["status"] == "failed" and "assets/languages/es.yaml" in d["es"]["error"]
    assert len(d["es"]["error"].splitlines()) == 1


def test_broken_layout_fails_only_its_documents(scratch, tmp_path, capsys):
    (scratch / "layouts/a4-2page.yaml").write_bytes(b"\xff\xfe garbage")
    out = tmp_path / "out"
    code, err = run(["--lang", "en", "--layout", LAYOUT, "--layout", "letter-2page", "--brand", OTHER_BRAND,
                     "--jobs", "1", "--out", str(out)], scratch, capsys)
    assert "Traceback" not in err
    assert code == 1, err
    d = docs_by(out, "layout")
    assert d["letter-2page"]["status"] == "ok"
    assert d[LAYOUT]["status"] == "failed" and "layouts/a4-2page.yaml" in d[LAYOUT]["error"]


# -- killed in the middle of a build ------------------------------------------------------------
KILL_ARGS = ["build", "--force", "--lang", "en", "--lang", "es", "--lang", "ar", "--lang", "th",
             "--layout", LAYOUT, "--layout", "letter-2page", "--brand", OTHER_BRAND]

# Runs generate.py as ``python generate.py ...`` would; with LP_SLOW_FSYNC set, every fsync takes
# that long first (a slow disk), so the test can reliably catch the press in the middle of writing.
DRIVER = """
import os, runpy, sys, time
delay = float(os.environ.get("LP_SLOW_FSYNC") or 0)
if delay:
    _fsync = os.fsync
    def fsync(fd):
        time.sleep(delay)
        return _fsync(fd)
    os.fsync = fsync
sys.argv = ["generate.py", *sys.argv[1:]]
runpy.run_path("generate.py", run_name="__main__")
"""


def _generate(root: Path, out: Path, slow: float = 0.0, jobs: int = 1) -> subprocess.Popen:
    env = dict(os.environ, LP_SLOW_FSYNC=str(slow), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.Popen([sys.executable, "-c", DRIVER, *KILL_ARGS, "--jobs", str(jobs), "--out", str(out)],
                            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _temp_files(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.name.endswith(".tmp"))


@pytest.fixture(scope="module")
def kill_setup(tmp_path_factory) -> tuple[Path, Path, dict]:
    """A scratch project with its own copy of generate.py and leafpress/ (so that the press's
    root is the scratch copy), built once: the project, its out folder and the good PDF bytes."""
    root = tmp_path_factory.mktemp("killproj")
    for name in ("handouts", "layouts", "leafpress"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(ROOT / "generate.py", root / "generate.py")
    (root / "assets").mkdir()
    for name in ("brands", "diagrams", "languages"):
        shutil.copytree(ROOT / "assets" / name, root / "assets" / name)
    (root / "assets" / "fonts").symlink_to(ROOT / "assets" / "fonts")
    out = root / "out"
    p = _generate(root, out, jobs=2)
    _, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    before = {pdf.relative_to(out): pdf.read_bytes() for pdf in out.rglob("*.pdf")}
    assert len(before) == 8, sorted(before)
    return root, out, before


def _interrupt(root: Path, out: Path, sig: int, slow: float, jobs: int) -> tuple[str, int, list]:
    """Rebuild everything (--force) and send ``sig``: with ``slow``, while a PDF's temporary file
    exists; without, 0.3 s in. With more than one job the signal goes to the whole process group,
    as Ctrl-C in a terminal does. Returns stderr, exit status and the temporary files seen."""
    p = _generate(root, out, slow, jobs)
    seen: list = []
    deadline = time.monotonic() + (60 if slow else 0.3)
    while time.monotonic() < deadline and p.poll() is None:
        seen = [t for t in _temp_files(out) if ".pdf." in t.name]
        if slow and seen:
            break
        time.sleep(0.005)
    if p.poll() is None:
        if jobs > 1:
            os.killpg(p.pid, sig)
        else:
            p.send_signal(sig)
    try:
        _, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    return err, p.returncode, seen


def _check_out(out: Path, before: dict) -> None:
    for rel, data in before.items():
        pdf = out / rel
        assert pdf.exists(), f"{rel} disappeared"
        assert_valid_pdf(pdf)
        # The same inputs give the same bytes: a finished rebuild equals the earlier file.
        assert pdf.read_bytes() == data, f"{rel} changed"
    json.loads((out / "manifest.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("sig, slow, jobs", [
    pytest.param("SIGKILL", 0.0, 1, id="SIGKILL-at-0.3s"),
    pytest.param("SIGTERM", 0.0, 1, id="SIGTERM-at-0.3s"),
    pytest.param("SIGINT", 0.0, 1, id="SIGINT-at-0.3s"),
    pytest.param("SIGKILL", 0.4, 1, id="SIGKILL-while-writing"),
    pytest.param("SIGTERM", 0.4, 1, id="SIGTERM-while-writing"),
    pytest.param("SIGINT", 0.4, 1, id="SIGINT-while-writing"),
    pytest.param("SIGTERM", 0.4, 2, id="SIGTERM-group-jobs2-while-writing"),
    pytest.param("SIGINT", 0.4, 2, id="ctrl-c-group-jobs2-while-writing"),
])
def test_interrupted_build_leaves_only_complete_pdfs(sig, slow, jobs, kill_setup, tmp_path):
    root, built_out, before = kill_setup
    out = tmp_path / "out"
    shutil.copytree(built_out, out)
    err, rc, seen = _interrupt(root, out, getattr(signal, sig), slow, jobs)
    if slow:
        assert seen, "the build was not caught writing a PDF"
        assert rc != 0, "the build finished before the signal"
    assert "Traceback" not in err, err
    if sig != "SIGKILL" and rc != 0 and not (rc == -getattr(signal, sig) and not err and not slow):
        # Ctrl-C and SIGTERM stop the build the same way: one line, no traceback. (A signal that
        # arrives while the interpreter itself is still starting, before any of the press's code
        # runs, ends it silently; the files are checked below all the same.)
        assert rc in (130, 143) and "interrupted" in err, (rc, err)
    _check_out(out, before)
    left = _temp_files(out)
    if sig != "SIGKILL":
        assert not left, f"temporary files left after {sig}: {left}"
    elif slow:
        # Only the while-writing run is sure to catch a write in progress (at 0.3 s a SIGKILL may
        # or may not land inside one).
        assert left, "expected the killed write to leave its temporary file (nothing can clean up)"
        # The next build must sweep what the killed one left.
        p = _generate(root, out)
        _, err2 = p.communicate(timeout=300)
        assert p.returncode == 0, err2
        _check_out(out, before)
        assert not _temp_files(out), f"temporary files left by a killed build survive the next build: {left}"
