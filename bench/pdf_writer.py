"""The PDF writer's share of a warm leaflet and of one more clinic's variant, in one process (not a
test). Run: python bench/pdf_writer.py PRESS [ROUNDS]

PRESS: the checkout to measure (this one, or an exported copy of main: how the before and after
figures in bench/README.md were taken, the two alternating). A scratch copy of PRESS's project
with 60 synthetic partner clinics is made under the system's temporary folder (/dev/shm where
there is one), never in the project. Prints, per language (en, ar, hi, zh-Hant; letter-2page; the
same job built again, so its layout is cached), the build's wall time and render_pdf's CPU time;
then, per shape (en letter-2page, ar letter-2page, ar trifold-letter), one more clinic's stamped
variant: the whole build's CPU time and render_pdf's. Min and median of ROUNDS (7) rounds.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from clinics import project_with  # noqa: E402

LANGS = ["en", "ar", "hi", "zh-Hant"]
SHAPES = [("en", "letter-2page"), ("ar", "letter-2page"), ("ar", "trifold-letter")]
CLINICS = 60


def ms(xs: list[float]) -> str:
    return f"{min(xs) * 1000:6.1f} / {statistics.median(xs) * 1000:6.1f}"


def main(press: Path, rounds: int) -> None:
    sys.path.insert(0, str(press))
    import leafpress.render.pdf as pdf
    from leafpress.project import Job, Project
    spent = [0.0]
    render = pdf.render_pdf

    def timed(*args, **kwargs):
        t = time.process_time()
        try:
            return render(*args, **kwargs)
        finally:
            spent[0] += time.process_time() - t
    pdf.render_pdf = timed          # the project imports it when it builds
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        project = Project(project_with(Path(tmp), CLINICS, source=press))
        jobs = {lang: Job("port", lang, "letter-2page", "open-leaflets") for lang in LANGS}
        for lang in LANGS:
            project.build(jobs[lang])
        wall: dict = {lang: [] for lang in LANGS}
        cpu: dict = {lang: [] for lang in LANGS}
        for _ in range(rounds):
            for lang in LANGS:
                spent[0] = 0.0
                t = time.perf_counter()
                project.build(jobs[lang])
                wall[lang].append(time.perf_counter() - t)
                cpu[lang].append(spent[0])
        print("| warm leaflet | build wall (ms, min / median) | render_pdf CPU |")
        for lang in LANGS:
            print(f"| {lang} | {ms(wall[lang])} | {ms(cpu[lang])} |")
        print("\n| one more clinic's variant | build CPU (ms, min / median) | render_pdf CPU |")
        for lang, layout in SHAPES:
            for k in range(3):
                project.build(Job("port", lang, layout, f"clinic-{k:05d}"))
            whole, part = [], []
            for k in range(3, 3 + 5 * rounds):
                spent[0] = 0.0
                t = time.process_time()
                entry, _ = project.build(Job("port", lang, layout, f"clinic-{k % CLINICS:05d}"))
                whole.append(time.process_time() - t)
                part.append(spent[0])
                if not entry.get("stamped_from"):
                    raise SystemExit(f"{lang} {layout}: clinic-{k % CLINICS:05d} was not stamped")
            print(f"| {lang} {layout} | {ms(whole)} | {ms(part)} |")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else BENCH.parent,
         int(sys.argv[2]) if len(sys.argv) > 2 else 7)
