"""Typst's side of the side-by-side benchmark (bench/side.py): the port handout through
bench/typst/leaflet.typ, fed the project's own YAML, with the press's fonts only (no system
fonts), tagged PDF/UA-1 output.

Run as a process of its own, it is what the cold and batch rows time:
  python bench/typst_side.py one LANG OUT.pdf               one leaflet (letter-2page)
  python bench/typst_side.py batch JOBS OUTDIR LANG... --layouts L1,L2,...
                                                              every language x layout, JOBS processes
Typst is the `typst` package (a binding of the Typst compiler), an optional bench dependency.
"""
from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "bench" / "typst" / "leaflet.typ"
BRAND = "open-leaflets"


def families(lang: str) -> str:
    """The language's regular fonts (assets/languages/<lang>.yaml) as Typst family names."""
    import yaml
    from fontTools.ttLib import TTFont
    names = yaml.safe_load((ROOT / "assets" / "languages" / f"{lang}.yaml").read_text(encoding="utf-8"))
    out: list[str] = []
    for name in names["fonts"]["regular"] + ["NotoSans-Regular"]:
        font = TTFont(ROOT / "assets" / "fonts" / f"{name}.ttf", lazy=True)
        family = font["name"].getDebugName(1)
        if family not in out:
            out.append(family)
    return ",".join(out)


def inputs(lang: str, layout: str = "letter-2page", fams: str | None = None) -> dict[str, str]:
    return {"handout": f"/handouts/port/{lang}.yaml", "language": f"/assets/languages/{lang}.yaml",
            "brand": f"/assets/brands/{BRAND}/brand.yaml", "logo": f"/assets/brands/{BRAND}/logo.svg",
            "diagram": "/assets/diagrams/port.svg", "fonts": fams or families(lang), "layout": layout}


def compiler():
    import typst
    return typst.Compiler(str(TEMPLATE), root=str(ROOT), font_paths=[str(ROOT / "assets" / "fonts")],
                          ignore_system_fonts=True)


def compile_pdf(c, lang: str, layout: str = "letter-2page", fams: str | None = None) -> bytes:
    return c.compile(format="pdf", sys_inputs=inputs(lang, layout, fams), pdf_standards=["ua-1"], timestamp=0)


def _share(args: tuple) -> int:
    out, work = args
    c = compiler()
    fams: dict[str, str] = {}
    for lang, layout in work:
        fams.setdefault(lang, families(lang))
        (Path(out) / f"port-{lang}-{layout}.pdf").write_bytes(compile_pdf(c, lang, layout, fams[lang]))
    return len(work)


def main(argv: list[str]) -> int:
    if argv[0] == "one":
        lang, out = argv[1], Path(argv[2])
        out.write_bytes(compile_pdf(compiler(), lang))
        return 0
    if argv[0] == "batch":
        jobs, out = int(argv[1]), argv[2]
        layouts = argv[argv.index("--layouts") + 1].split(",")
        langs = argv[3:argv.index("--layouts")]
        # Whole languages per process, as the press hands them out.
        work = [[(lang, lay) for lang in langs[k::jobs] for lay in layouts] for k in range(jobs)]
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            pool.map(_share, [(out, w) for w in work])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
