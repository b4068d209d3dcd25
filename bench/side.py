"""The press side by side with Typst, in one run, alternating the two (not a test). Run: make bench

Prints a Markdown table, min and median of each:
- cold: one English leaflet, the whole process (Python start, imports, loading, layout, checks,
  PDF written), against a Python process that imports the Typst binding and compiles the same
  handout (bench/typst/leaflet.typ, fed the same YAML, same fonts, tagged PDF/UA-1); into a
  folder built before, into a new empty folder, and into a new empty folder without the user's
  cache (LEAFPRESS_CACHE=off: the first build on a machine);
- warm, per leaflet, in a process that has built the other languages before (every text
  changed since the last document): en, ar, hi, zh-Hant; the press's whole document (layout with
  fitting, checks, PDF) against Typst's compile of the same language with a compiler kept;
- 30 leaflets (10 languages x 3 layouts) at --jobs 2, whole processes, against the Typst
  template in the same 3 page shapes in 2 processes;
- the press alone: a rebuild of the full set with nothing changed; the peak memory of the
  worker processes after 10 and after 1,000 partner clinics (a synthetic partners.yaml in a
  scratch copy of the project under the system's temporary folder, never in the project), the
  wall time per clinic variant and the projection to 1,000 clinics x 101 documents.

  python bench/side.py [--press DIR] [--rounds N] [--skip-clinics]
--press: the checkout whose press is measured (default: this one), to measure a branch
against another with the same benchmark.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
import typst_side  # noqa: E402
from synthetic import partners_yaml  # noqa: E402

BRAND, LAYOUT = "open-leaflets", "letter-2page"
WARM_LANGS = ["en", "ar", "hi", "zh-Hant"]
TEN = ["en", "es", "zh-Hant", "vi", "ko", "ar", "ru", "hi", "th", "km"]
THREE = ["letter-2page", "trifold-letter", "large-print"]


def stats(xs: list[float], unit: float = 1000) -> str:
    """'min / median' in ms (unit 1000) or s (unit 1)."""
    fmt = "{:.1f}" if unit == 1000 else "{:.2f}"
    return f"{fmt.format(min(xs) * unit)} / {fmt.format(statistics.median(xs) * unit)}"


# Whole processes run as a user's do: with Python's bytecode cache (a shell that sets
# PYTHONDONTWRITEBYTECODE would compile every module from source on every run).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], codes=(0,), env: dict | None = None, **kw) -> float:
    """Wall time of a whole process; ``codes``: the exit codes it may end with."""
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, env=env or ENV, **kw)
    if done.returncode not in codes:
        raise SystemExit(f"{' '.join(cmd[:3])} ... exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return time.perf_counter() - t


def cold(press: Path, rounds: int) -> tuple[list, list, list, list]:
    """One English leaflet, whole process: into a folder built before (its manifest and
    .leafpress-cache there), into a new empty folder (the user's cache, leafpress/usercache.py,
    as a build before left it), and into a new empty folder with no user cache (a first build on
    a machine: LEAFPRESS_CACHE=off); Typst alternating."""
    p, new, bare, t = [], [], [], []
    one = [sys.executable, str(press / "generate.py"), "--handout", "port", "--lang", "en",
           "--layout", LAYOUT, "--brand", BRAND, "--jobs", "1", "--force", "--out"]
    off = dict(ENV, LEAFPRESS_CACHE="off")
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(rounds + 1):       # the first round (bytecode written) is not counted
            if k == 1:
                p, new, bare, t = [], [], [], []
            p.append(timed(one + [f"{tmp}/same"]))
            new.append(timed(one + [f"{tmp}/new-{k}"]))
            bare.append(timed(one + [f"{tmp}/bare-{k}"], env=off))
            t.append(timed([sys.executable, str(BENCH / "typst_side.py"), "one", "en", f"{tmp}/typst.pdf"]))
    return p, new, bare, t


def warm(press: Path, rounds: int) -> dict:
    """Per language: the press's per-document time and Typst's, rotating through the languages
    so each document follows one in another language."""
    sys.path.insert(0, str(press))
    from leafpress.project import Job, Project
    project = Project(press)
    c = typst_side.compiler()
    fams = {lang: typst_side.families(lang) for lang in WARM_LANGS}
    jobs = {lang: Job("port", lang, LAYOUT, BRAND) for lang in WARM_LANGS}
    for lang in WARM_LANGS:     # first builds: shaping, fonts, dictionaries
        project.build(jobs[lang])
        typst_side.compile_pdf(c, lang, LAYOUT, fams[lang])
    got: dict = {lang: ([], []) for lang in WARM_LANGS}
    for _ in range(rounds):
        for lang in WARM_LANGS:
            t = time.perf_counter()
            project.build(jobs[lang])
            got[lang][0].append(time.perf_counter() - t)
            t = time.perf_counter()
            typst_side.compile_pdf(c, lang, LAYOUT, fams[lang])
            got[lang][1].append(time.perf_counter() - t)
    return got


def thirty(press: Path, rounds: int) -> tuple[list, list]:
    sel = [a for lang in TEN for a in ("--lang", lang)] + [a for lay in THREE for a in ("--layout", lay)]
    p, t = [], []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            p.append(timed([sys.executable, str(press / "generate.py"), *sel, "--brand", BRAND, "--out", tmp,
                            "--jobs", "2", "--force"]))
            t.append(timed([sys.executable, str(BENCH / "typst_side.py"), "batch", "2", tmp, *TEN,
                            "--layouts", ",".join(THREE)]))
    return p, t


def unchanged(press: Path, rounds: int) -> tuple[list, int]:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, str(press / "generate.py"), "--out", tmp, "--jobs", "2"]
        done = subprocess.run(cmd, capture_output=True, env=ENV)
        if done.returncode not in (0, 1):       # 1: some documents failed (expected overflows)
            raise SystemExit(f"the full build exited {done.returncode}: {done.stderr.decode()[-500:]}")
        n = len(json.loads((Path(tmp) / "manifest.json").read_text())["documents"])
        return [timed(cmd, codes=(0, 1)) for _ in range(rounds)], n


def scratch_project(dest: Path, clinics: int) -> Path:
    """A copy of the project's inputs with ``clinics`` synthetic partner clinics."""
    for rel in ("handouts", "layouts", "assets"):
        shutil.copytree(ROOT / rel, dest / rel, symlinks=False)
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    (dest / "assets" / "brands" / "partners.yaml").write_text(partners_yaml(clinics), encoding="utf-8")
    return dest


def clinics(press: Path, counts=(10, 1000)) -> dict:
    """The partner clinics' English letter-2page leaflets at --jobs 2: wall time, and the peak RSS
    of the worker processes (what a worker holds after building its share)."""
    out = {}
    for n in counts:
        with tempfile.TemporaryDirectory() as tmp:
            proj = scratch_project(Path(tmp) / "proj", n)
            cmd = [sys.executable, str(BENCH / "side.py"), "_build", str(press), str(proj),
                   "--lang", "en", "--layout", LAYOUT, "--out", str(Path(tmp) / "out"), "--jobs", "2"]
            t = time.perf_counter()
            res = subprocess.run(cmd, check=True, capture_output=True, text=True, env=ENV)
            wall = time.perf_counter() - t
            rss = json.loads(res.stdout.strip().splitlines()[-1])
            entries = json.loads((Path(tmp) / "out" / "manifest.json").read_text())["documents"]
            docs = sum(1 for d in entries if d["status"] == "ok")      # a failure is no measure
            out[n] = (wall, docs, rss["workers"], rss["main"])
            if docs < len(entries):
                print(f"({len(entries) - docs} of the {len(entries)} documents with {n} clinics failed)", flush=True)
    return out


def _build(press: str, proj: str, argv: list[str]) -> None:
    """Run a build in this process (workers are its children) and print the peak RSS (MB)."""
    sys.path.insert(0, press)
    from leafpress.cli import main
    main(argv, root=Path(proj))
    kb = 1024
    print(json.dumps({"workers": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / kb,
                      "main": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kb}))


def interpreter() -> str:
    """The Python both sides run under, and how it is built (tools/python.py: on the 2-core
    machine pyenv's shared-libpython build ran the press about 10 % slower than Debian's, whose
    executable carries the interpreter)."""
    spec = importlib.util.spec_from_file_location("pick_python", ROOT / "tools" / "python.py")
    picker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(picker)
    how = {"shared": "libpython shared", "static": "libpython in the executable"}.get(picker.linkage(),
                                                                                     "libpython linkage unknown")
    return f"Python {sys.version.split()[0]} ({os.path.realpath(sys.executable)}, {how})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--press", type=Path, default=ROOT)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--skip-clinics", action="store_true")
    args = ap.parse_args()
    press, r = args.press.resolve(), args.rounds
    import typst
    print(f"# leafpress ({press}) and Typst {typst.__version__} side by side, {time.strftime('%Y-%m-%d %H:%M')}, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; min / median of {r} alternating rounds; "
          f"{interpreter()}\n")
    print("| | leafpress | Typst | ratio (median) |")
    print("|---|---:|---:|---:|")

    def row(label, p, t, unit=1000):
        print(f"| {label} | {stats(p, unit)} | {stats(t, unit)} | {statistics.median(p) / statistics.median(t):.1f}x |",
              flush=True)
    p, new, bare, t = cold(press, r)
    row("cold, one English leaflet, whole process (ms)", p, t)
    row("... into a new, empty --out (ms)", new, t)
    row("... into a new, empty --out, no user cache (ms)", bare, t)
    for lang, (p, t) in warm(press, r * 3).items():
        row(f"warm, one leaflet, {lang} (ms)", p, t)
    p, t = thirty(press, max(3, r // 2))
    row("30 leaflets (10 languages x 3 layouts) at --jobs 2, whole process (s)", p, t, unit=1)
    again, n = unchanged(press, max(3, r // 2))
    print(f"| rebuild of the full set ({n} documents), nothing changed (ms) | {stats(again)} | | |", flush=True)
    if args.skip_clinics:
        return
    got = clinics(press)
    (w10, d10, r10, _), (w1k, d1k, r1k, _) = got[10], got[1000]
    per = (w1k - w10) / (d1k - d10)
    print(f"| partner clinics, en letter-2page at --jobs 2: 10 clinics ({d10} documents built) | {w10:.2f} s, "
          f"worker peak RSS {r10:.0f} MB | | |")
    print(f"| ... 1,000 clinics ({d1k} documents built) | {w1k:.2f} s, worker peak RSS {r1k:.0f} MB | | |")
    print(f"| one more clinic variant, wall at --jobs 2 (ms) | {per * 1000:.1f} | a full compile | |")
    proj_min = per * 101_000 / 60
    print(f"\nProjection: 1,000 clinics x 101 documents (17 languages x 6 layouts, the bilingual layout not "
          f"pairing English with itself) = 101,000 PDFs at {per * 1000:.1f} ms each (the measured wall per "
          f"variant at --jobs 2, English letter-2page; other scripts cost more per document, see the warm "
          f"rows) = {proj_min:.0f} minutes on this machine.")


if __name__ == "__main__":
    if sys.argv[1:2] == ["_build"]:
        _build(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        main()
