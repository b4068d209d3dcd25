"""The PDF writer's share of a first build: the 30 leaflets of bench/side.py's "30 leaflets"
(10 languages x 3 layouts), each written as a fresh process writes it (not a test).
Run: python bench/first_render.py [PRESS ...] [--rounds N]

Each PRESS (a checkout: by default this one; or an exported copy of main) is measured in a process of its
own, the presses alternating, ROUNDS (3) times: the process lays the 30 documents out (not timed),
then forks a child per round that writes all 30 PDFs, each line drawn for the first time, as a
worker does (render_pdf, then the collection of the young generations that project.build makes
after a document), and reports its CPU time. Prints, per press, min and median of the children's
times and a digest of the 30 PDFs' bytes (the same digest: the same bytes).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

TEN = ["en", "es", "zh-Hant", "vi", "ko", "ar", "ru", "hi", "th", "km"]
THREE = ["letter-2page", "trifold-letter", "large-print"]
BRAND = "open-leaflets"


def measure(press: Path, children: int) -> dict:
    """In this process: lay out, then time ``children`` forked children writing the 30 PDFs."""
    import gc
    import hashlib
    import time
    sys.path.insert(0, str(press))
    os.chdir(press)
    import leafpress.project as project_mod
    import leafpress.render.pdf as pdf
    render = pdf.render_pdf
    laid: list = []
    pdf.render_pdf = lambda lay, meta, tagged=True: (laid.append((lay, meta)), b"")[1]
    project_mod._forget_furniture = lambda lay: None        # (the pieces stay, as during a build)
    project = project_mod.Project(press)
    for lang in TEN:
        for layout in THREE:
            project.build(project_mod.Job("port", lang, layout, BRAND))
    gc.collect()
    gc.freeze()
    times, digest = [], None
    for _ in range(children):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            t = time.process_time()
            out = hashlib.sha256()
            for lay, meta in laid:
                out.update(render(lay, meta))
                gc.collect(1)
            os.write(write, json.dumps([time.process_time() - t, out.hexdigest()[:16]]).encode())
            os._exit(0)
        os.close(write)
        with os.fdopen(read) as f:
            took, digest = json.loads(f.read())
        os.waitpid(pid, 0)
        times.append(took)
    return {"times": times, "digest": digest, "documents": len(laid)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("presses", nargs="*", type=Path)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--children", type=int, default=3, help=argparse.SUPPRESS)
    ap.add_argument("--one", type=Path, help=argparse.SUPPRESS)       # (a measuring process)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure(args.one.resolve(), args.children)))
        return
    presses = args.presses or [Path(__file__).resolve().parent.parent]
    got: dict = {p: [] for p in presses}
    digests: dict = {}
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for r in range(args.rounds):
        for press in (presses if r % 2 == 0 else presses[::-1]):
            out = subprocess.run([sys.executable, __file__, "--one", str(press), "--children", str(args.children)],
                                 capture_output=True, text=True, env=env, check=True).stdout
            res = json.loads(out.strip().splitlines()[-1])
            got[press] += res["times"]
            digests[press] = (res["digest"], res["documents"])
    print(f"load {os.getloadavg()[0]:.1f}; render_pdf CPU of the 30 documents' first drawing, min / median (ms)")
    for press, times in got.items():
        digest, n = digests[press]
        print(f"{press}: {min(times) * 1000:.0f} / {statistics.median(times) * 1000:.0f}  "
              f"({len(times)} children, {n} documents, bytes {digest})")


if __name__ == "__main__":
    main()
