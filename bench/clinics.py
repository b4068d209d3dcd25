"""The clinic-variant benchmark (not a test). Run: make bench (or python bench/clinics.py [N ...])

A copy of the project is made in a temporary folder (outside the project; fonts linked) with
1, 10, 100 and 1,000 synthetic partner clinics. Each is built with ``--jobs 2 --force`` in a fresh
process, for the handout in English letter-2page and Arabic trifold-letter (two document shapes,
two scripts), and timed: wall, CPU of the process and its workers, peak RSS. The cost of one more
clinic's variant is the difference between N and 1 clinics divided by the extra documents.
"before" is the same code with stamping switched off (each clinic laid out on its own,
Project._lay_out_alone), "after" is the press as it is. The temporary folder is on /dev/shm where
there is one (see main). Prints a Markdown table and the
projection for 1,000 clinics x 17 languages x 6 layouts (101,000 documents).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import partners_yaml  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
COUNTS = (1, 10, 100, 1000)
SELECT = ["--handout", "port", "--lang", "en", "--lang", "ar", "--layout", "letter-2page", "--layout", "trifold-letter"]
SHAPES = 2          # en x letter-2page ... the build makes 4 documents per clinic (2 languages x 2 layouts)
PER_CLINIC = 4

# Runs one build in a fresh process and reports its wall and CPU time (with its workers') and
# peak memory; "before" switches stamping off in this process (the workers are forked from it).
RUNNER = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from leafpress.cli import main
from leafpress.project import Project
if sys.argv[2] == "before":
    Project.lay_out = Project._lay_out_alone
t, c = time.perf_counter(), time.process_time()
code = main(sys.argv[4:], root=__import__("pathlib").Path(sys.argv[3]))
wall = time.perf_counter() - t
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
me = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"code": code, "wall": wall, "cpu": time.process_time() - c + kids.ru_utime + kids.ru_stime,
                  "cpu_main": time.process_time() - c, "cpu_workers": kids.ru_utime + kids.ru_stime,
                  "rss_main": me.ru_maxrss / 1024, "rss_workers": kids.ru_maxrss / 1024}))
"""


def project_with(tmp: Path, n: int, source: Path = ROOT) -> Path:
    """A copy of ``source``'s project (fonts linked) with ``n`` synthetic partner clinics."""
    root = tmp / f"proj-{n}"
    root.mkdir()
    for name in ("handouts", "layouts"):
        shutil.copytree(source / name, root / name)
    (root / "assets").mkdir()
    for src in (source / "assets").iterdir():
        if src.name == "fonts":
            (root / "assets" / "fonts").symlink_to(src)
        elif src.is_dir():
            shutil.copytree(src, root / "assets" / src.name)
    shutil.rmtree(root / "assets/brands/riverside-clinic")       # the partners and their base only
    (root / "assets/brands/partners.yaml").write_text(partners_yaml(n), encoding="utf-8")
    shutil.copyfile(source / "pyproject.toml", root / "pyproject.toml")
    return root


def build(root: Path, mode: str, out: Path, press: Path = ROOT) -> dict:
    got = subprocess.run([sys.executable, "-c", RUNNER, str(press), mode, str(root), "build", *SELECT,
                          "--jobs", "2", "--force", "--out", str(out)], capture_output=True, text=True)
    if got.returncode != 0:
        raise SystemExit(f"the build failed: {got.stderr[-2000:]}")
    result = json.loads(got.stdout.strip().splitlines()[-1])
    docs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["documents"]
    result["docs"] = len(docs)
    result["failed"] = sum(1 for d in docs if d["status"] != "ok")
    return result


def main(counts=COUNTS, press: Path = ROOT, modes=("before", "after")) -> None:
    # On a memory file system where there is one: the PDFs are synced to disk as they are written
    # (complete or absent), and on a shared machine the disk's queue would be measured, not the press.
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(prefix="leafpress-clinics-", dir=shm if shm.is_dir() else None) as tmp:
        tmp = Path(tmp)
        rows = {}
        for n in counts:
            root = project_with(tmp, n, press)
            for mode in modes:
                rows[(n, mode)] = build(root, mode, tmp / f"out-{n}-{mode}", press)
                shutil.rmtree(tmp / f"out-{n}-{mode}")
    print(f"\n# Clinic variants ({', '.join(map(str, counts))} synthetic partners; port in en letter-2page, "
          f"en trifold-letter, ar letter-2page, ar trifold-letter; --jobs 2 --force)\n")
    print("| clinics | documents | before: wall s | CPU s | peak RSS main / worker MB | after: wall s | CPU s | "
          "peak RSS main / worker MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in counts:
        cells = [str(rows[(n, modes[-1])]["docs"])]
        for mode in ("before", "after"):
            r = rows.get((n, mode))
            cells += [f"{r['wall']:.2f}", f"{r['cpu']:.2f}", f"{r['rss_main']:.0f} / {r['rss_workers']:.0f}"] \
                if r else ["–"] * 3
        print(f"| {n} | " + " | ".join(cells) + " |")
    base = min(counts)
    print("\nOne more clinic's variant (the difference from the smallest run, per extra document):\n")
    print("| clinics | before: wall ms | CPU ms | after: wall ms | CPU ms |")
    print("|---:|---:|---:|---:|---:|")
    per = {}
    for n in counts:
        if n == base:
            continue
        extra = (rows[(n, modes[-1])]["docs"] - rows[(base, modes[-1])]["docs"]) or 1
        cells = []
        for mode in ("before", "after"):
            if mode not in modes:
                cells += ["–", "–"]
                continue
            for key in ("wall", "cpu"):
                v = (rows[(n, mode)][key] - rows[(base, mode)][key]) / extra * 1000
                per[(n, mode, key)] = v
                cells.append(f"{v:.1f}")
        print(f"| {n} | " + " | ".join(cells) + " |")
        if (n, modes[-1]) in rows:
            r, r0 = rows[(n, modes[-1])], rows[(base, modes[-1])]
            main_ms = (r["cpu_main"] - r0["cpu_main"]) / extra * 1000
            work_ms = (r["cpu_workers"] - r0["cpu_workers"]) / extra * 1000
            print(f"|   ({modes[-1]}: of the CPU, the main process {main_ms:.1f} ms, the workers {work_ms:.1f} ms) | | | | |")
    top = max(counts)
    if top != base:
        for mode in modes:
            v = per[(top, mode, "wall")]
            fixed = rows[(base, mode)]["wall"] / (PER_CLINIC * base) * (17 * 6) / 1.0
            print(f"\n1,000 clinics x 17 languages x 6 layouts (101,000 documents), {mode}: about "
                  f"{(101_000 * v / 1000 + fixed) / 60:.1f} min at --jobs 2 on this machine "
                  f"({v:.1f} ms per variant, measured at {top} clinics, plus one layout per language x layout)")
    bad = [k for k, r in rows.items() if r["failed"]]
    if bad:
        print(f"\nwarning: documents failed in {bad}")


def cli(argv: list[str]) -> None:
    import argparse
    ap = argparse.ArgumentParser(description="The clinic-variant benchmark (see the module's docstring).")
    ap.add_argument("counts", nargs="*", type=int, help="numbers of synthetic clinics (default 1 10 100 1000)")
    ap.add_argument("--press", type=Path, default=ROOT, help="the checkout to measure (default: this one)")
    ap.add_argument("--after-only", action="store_true", help="leave out the run with stamping off")
    args = ap.parse_args(argv)
    main(tuple(args.counts) or COUNTS, args.press.resolve(), ("after",) if args.after_only else ("before", "after"))


if __name__ == "__main__":
    cli(sys.argv[1:])
