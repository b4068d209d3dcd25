"""Benchmark the press on this machine (not a test). Run: make bench

Reports, as a Markdown table:
- per-document median time, warm, by language (script) for one layout: the whole pipeline
  (layout with fitting, then render) and its two halves;
- ReportLab's own Paragraph engine on the same English leaflet content (2 columns, 2 fonts, the
  same SVG diagram) as the baseline the text engine is compared with;
- the whole-process time of building one leaflet from a cold start;
- full-batch wall time and documents per second at --jobs 1 and --jobs 2, and peak memory;
- the static site on top of one brand's PDFs: a first build, a rebuild with nothing changed, and
  the weight of each online copy with its fonts;
- translation exchange: exporting every translation (XLIFF and PO) and importing them back
  unchanged, in a scratch copy of the project; the two pseudo-locales in every layout.
"""
from __future__ import annotations

import io
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from leafpress.errors import LeafletError  # noqa: E402
from leafpress.project import Job, Project  # noqa: E402
from leafpress.render.pdf import Metadata, render_pdf  # noqa: E402

REPEAT = 15
LAYOUT, BRAND = "letter-2page", "open-leaflets"


def median_ms(fn, n=REPEAT) -> float:
    fn()  # warm
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def per_document(project: Project, layout_name: str = LAYOUT, langs=None) -> list[tuple]:
    rows = []
    for lang in langs or sorted(project.handouts["port"]):
        job = Job("port", lang, layout_name, BRAND)
        if not project.wanted(job):
            continue
        h, lng, spec, brand, ts, diagrams = project.prepare(job)
        state = {}

        def layout():
            # laid out afresh each time (fitting included): project.lay_out would hand back the
            # laid-out pattern it keeps
            state["laid"] = project._lay_out_alone(job)[3]

        def render():
            render_pdf(state["laid"], Metadata(h.title.plain, brand.name, "", "", lang))

        try:
            t_layout = median_ms(layout)
        except LeafletError:        # an expected overflow (tests/conftest.py EXPECTED_OVERFLOWS)
            rows.append((lang, lng.script, None, None, None, None))
            continue
        t_render = median_ms(render)
        rows.append((lang, lng.script, t_layout + t_render, t_layout, t_render, state["laid"].body_size))
    return rows


def reportlab_baseline(project: Project) -> float:
    """ReportLab's Paragraph/Frame engine on the English content, for comparison."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import inch
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph
    from reportlab.platypus.flowables import Spacer
    from xml.sax.saxutils import escape

    from leafpress.content.model import Bullets, Callout, Figure, Paragraph as Par, Steps

    for name in ("Regular", "Bold"):
        pdfmetrics.registerFont(TTFont(f"Bench-{name}", str(ROOT / f"assets/fonts/NotoSans-{name}.ttf")))
    h = project.handout("port", "en")
    diagram = project.prepare(Job("port", "en", LAYOUT, BRAND))[5]["port"]
    body = ParagraphStyle("b", fontName="Bench-Regular", fontSize=12, leading=17)
    head = ParagraphStyle("h", fontName="Bench-Bold", fontSize=15, leading=19, spaceBefore=10)

    def story():
        out = [Paragraph(escape(h.title.plain), head), Paragraph(escape(h.summary.plain), body)]
        for s in h.sections:
            out.append(Paragraph(escape(s.heading.plain), head))
            for b in s.blocks:
                if isinstance(b, (Par, Callout)):
                    out.append(Paragraph(escape(b.text.plain), body))
                elif isinstance(b, (Bullets, Steps)):
                    out += [Paragraph(escape(t.plain), body, bulletText="•") for t in b.items]
                elif isinstance(b, Figure):
                    from reportlab.graphics.shapes import Drawing
                    from svglib.svglib import svg2rlg
                    d = Drawing(diagram.width * 0.7, diagram.height * 0.7)
                    d.add(svg2rlg(str(diagram.svg)))
                    d.scale(0.7, 0.7)
                    out += [Spacer(1, 6), d]
        return out

    def build():
        buf = io.BytesIO()
        doc = BaseDocTemplate(buf, pagesize=(612, 792), invariant=1, initialFontName="Bench-Regular")
        w = (612 - 1.2 * inch - 20) / 2
        frames = [Frame(0.6 * inch, 0.6 * inch, w, 792 - 1.2 * inch),
                  Frame(0.6 * inch + w + 20, 0.6 * inch, w, 792 - 1.2 * inch)]
        doc.addPageTemplates([PageTemplate(frames=frames)])
        doc.build(story())
    return median_ms(build)


def cold_one() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        times = []
        for _ in range(5):
            t = time.perf_counter()
            subprocess.run([sys.executable, str(ROOT / "generate.py"), "--handout", "port", "--lang", "en",
                            "--layout", LAYOUT, "--brand", BRAND, "--out", tmp, "--jobs", "1", "--force"],
                           check=True, capture_output=True)
            times.append(time.perf_counter() - t)
        return statistics.median(times)


def batch(jobs: int, args=(), again: bool = False) -> tuple:
    """Wall time of a whole batch in a fresh process; with ``again`` also the time of a second
    build with nothing changed. Peak RSS is the largest of any process so far (workers included)."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, str(ROOT / "generate.py"), "--out", tmp, "--jobs", str(jobs), *args]
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t
        import json
        docs = json.loads((Path(tmp) / "manifest.json").read_text())["documents"]
        second = None
        if again:
            t = time.perf_counter()
            subprocess.run(cmd, capture_output=True, text=True)
            second = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return wall, len(docs), peak, second


def site_times() -> None:
    """The site on top of a PDF build of one brand: first build (fonts subset from scratch), then
    a rebuild with nothing changed; and what each online copy weighs."""
    import gzip
    import re
    from leafpress.site import fonts as site_fonts
    from leafpress.site.build import build_site
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, str(ROOT / "generate.py"), "--brand", BRAND, "--out", tmp],
                              capture_output=True)
        if done.returncode not in (0, 1):       # 1: the expected overflows failed, the rest was built
            raise SystemExit(f"the build for the site exited {done.returncode}: {done.stderr.decode()[-500:]}")
        site_fonts._MADE.clear()
        t = time.perf_counter()
        c = time.process_time()
        report = build_site(Project(ROOT), Path(tmp))
        first, first_cpu = time.perf_counter() - t, time.process_time() - c
        t = time.perf_counter()
        again = build_site(Project(ROOT), Path(tmp))
        second = time.perf_counter() - t
        print(f"\nSite on top of {BRAND}'s PDFs: {len(report.pages)} pages, {report.written} files; first build "
              f"{first:.2f} s wall ({first_cpu:.2f} s CPU in this process); rebuild, nothing changed: {second:.2f} s "
              f"({again.written} files written)\n")
        root = Path(tmp) / "site"
        print("| online copy | HTML bytes | HTML gzip | fonts | total (gzip HTML/CSS + WOFF2) |")
        print("|---|---:|---:|---:|---:|")
        css = len(gzip.compress((root / "site.css").read_bytes(), mtime=0))
        for page in sorted((root / "port").glob("*/index.html")):
            html = page.read_bytes()
            fonts = sum((page.parent / f.decode()).stat().st_size for f in re.findall(rb"url\(([^)]+\.woff2)\)", html))
            gz = len(gzip.compress(html, mtime=0))
            print(f"| {page.parent.name} | {len(html):,} | {gz:,} | {fonts:,} | {gz + css + fonts:,} |")


def main() -> None:
    project = Project(ROOT)
    rows = per_document(project)
    base = reportlab_baseline(project)
    print(f"# Benchmark ({time.strftime('%Y-%m-%d')}, {LAYOUT}, {BRAND}, median of {REPEAT} warm runs)\n")
    print("| language | script | total ms | layout+fit ms | render ms | body pt |")
    print("|---|---|---:|---:|---:|---:|")
    for lang, script, total, lay, ren, size in rows:
        if total is None:
            print(f"| {lang} | {script} | does not fit | | | |")
            continue
        print(f"| {lang} | {script} | {total:.1f} | {lay:.1f} | {ren:.1f} | {size:g} |")
    en = next(r for r in rows if r[0] == "en")[2]
    print(f"\nReportLab's own Paragraph engine, same English content: {base:.1f} ms "
          f"(press/ReportLab = {en / base:.2f}x)")
    print(f"Cold start, one leaflet (whole process, median of 5): {cold_one():.2f} s")

    print("\nFirst build of a document in a warm process (nothing shaped or cached yet), ms:\n")
    import leafpress.text.setter as setter_module
    for lang in ("en", "es", "ar", "hi", "km", "th", "zh-Hant"):
        times = []
        for _ in range(5):
            setter_module._SHAPED.clear()
            fresh = Project(ROOT)
            job = Job("port", lang, LAYOUT, BRAND)
            t = time.perf_counter()
            laid = fresh.lay_out(job)[3]
            render_pdf(laid, Metadata("t", "a", "s", "k", lang))
            times.append(time.perf_counter() - t)
        print(f"- {lang}: {statistics.median(times) * 1000:.1f}")

    print("\nWhat tagging costs (render only, warm median, letter-2page):\n")
    print("| language | tagged ms | untagged ms | tagged bytes | untagged bytes |")
    print("|---|---:|---:|---:|---:|")
    for lang in ("en", "ar", "hi", "zh-Hant"):
        job = Job("port", lang, LAYOUT, BRAND)
        laid = project.lay_out(job)[3]
        meta = Metadata("t", "a", "s", "k", lang)
        sizes = {t: len(render_pdf(laid, meta, tagged=t)) for t in (True, False)}
        times = {t: median_ms(lambda t=t: render_pdf(laid, meta, tagged=t)) for t in (True, False)}
        print(f"| {lang} | {times[True]:.1f} | {times[False]:.1f} | {sizes[True]:,} | {sizes[False]:,} |")

    print("\nPer layout, warm median (ms), complex scripts and Latin:\n")
    langs = ["en", "es", "ar", "hi", "km", "th", "zh-Hant"]
    print("| layout | " + " | ".join(langs) + " |")
    print("|---|" + "---:|" * len(langs))
    for name in sorted(project.layouts):
        got = {r[0]: r[2] for r in per_document(project, name, langs) if r[2] is not None}
        print(f"| {name} | " + " | ".join(f"{got[l]:.1f}" if l in got else "-" for l in langs) + " |")

    ten = ["en", "es", "zh-Hant", "vi", "ko", "ar", "ru", "hi", "th", "km"]
    three = ["letter-2page", "trifold-letter", "large-print"]
    sel = [a for l in ten for a in ("--lang", l)] + [a for l in three for a in ("--layout", l)] + ["--brand", BRAND]
    print()
    for jobs in (1, 2):
        wall, n, peak, second = batch(jobs, sel, again=True)
        print(f"30 leaflets (10 languages x 3 layouts, one brand) --jobs {jobs}: {wall:.2f} s wall "
              f"({n / wall:.1f} docs/s); second build, nothing changed: {second:.2f} s "
              f"({second / wall * 100:.0f} %); peak RSS of any process so far {peak:.0f} MB")
    for jobs in (1, 2):
        wall, n, peak, _ = batch(jobs)
        print(f"Full batch --jobs {jobs}: {n} documents in {wall:.2f} s ({n / wall:.1f} docs/s), "
              f"peak RSS of any process so far {peak:.0f} MB")
    site_times()


def exchange() -> None:
    """Export every translation as XLIFF and PO, import each back (unchanged: nothing is
    written), in a scratch copy; then build both pseudo-locales in every layout."""
    import contextlib
    import shutil
    from leafpress.cli import main as cli
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "proj"
        (root / "assets").mkdir(parents=True)
        for rel in ("handouts", "assets/languages"):          # what an import may write: copied
            shutil.copytree(ROOT / rel, root / rel)
        for rel in ("layouts", "assets/brands", "assets/diagrams", "assets/fonts"):
            (root / rel).symlink_to(ROOT / rel)
        out = Path(tmp) / "out"
        with contextlib.redirect_stderr(io.StringIO()):
            t0 = time.perf_counter()
            cli(["export", "--out", str(out)], root=root)
            cli(["export", "--format", "po", "--out", str(out)], root=root)
            t1 = time.perf_counter()
            files = sorted((out / "translations").iterdir())
            for f in files:
                cli(["import", str(f)], root=root)
            t2 = time.perf_counter()
            cli(["build", "--lang", "en-XA", "--lang", "ar-XB", "--brand", BRAND, "--jobs", "1",
                 "--out", str(out)], root=root)
            t3 = time.perf_counter()
    print(f"\nTranslation exchange: export of {len(files)} files (XLIFF and PO) {t1 - t0:.2f} s, import of "
          f"all of them back {t2 - t1:.2f} s; pseudo-locales en-XA and ar-XB in every layout "
          f"(12 documents, --jobs 1, nothing shaped yet) {t3 - t2:.2f} s")


if __name__ == "__main__":
    if sys.argv[1:] == ["exchange"]:
        exchange()
    else:
        main()
        exchange()
