"""Read leaflets back the way the readers people use do, and score them against the content.

Input: PDF paths and the handout content they were made from. Output: per reader (poppler's
pdftotext, MuPDF's mutool, PDFium through pypdfium2, pdf.js under Node), the share of the
content's strings found in the extracted text, compared as letters, marks and digits after
NFKC (so line breaks, layout hyphens and spacing do not count, every character of a word does).

Used by tests/test_readers.py and by ``python tools/readers/readback.py PDF...`` (prints the
table; ``--lang``-less: the language is read from the file name ``<handout>-<lang>-<layout>.pdf``).
"""
from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
READERS = ("poppler", "pdfjs", "mupdf", "pdfium")


def normalise(text: str) -> str:
    """Letters, marks and digits only, after NFKC."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LMN")


def content_strings(handout: str, lang: str) -> list[str]:
    """The drawn strings of a handout's content file (alternative text is not drawn)."""
    sys.path.insert(0, str(ROOT))
    from leafpress.content.loader import load_handout
    h = load_handout(ROOT / "handouts" / handout / f"{lang}.yaml", ROOT)
    out = []
    for key, text in h.texts():
        if key.endswith(".alt") or key == "alt":
            continue
        s = normalise(text.plain)
        if s:
            out.append(s)
    return out


def found(s: str, pages: list[str]) -> bool:
    """``s`` is on a page, or begins on one page and goes on on another (a paragraph that
    continues overleaf, or on a folded leaflet from an inside panel to one on the outside:
    whatever is drawn between, figure labels or the footer, is not an error of the text)."""
    for i, page in enumerate(pages):
        if s in page:
            return True
        if len(pages) > 1 and s[:1] in page:
            lo, hi = 1, len(s) - 1          # the longest prefix of s on this page
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if s[:mid] in page:
                    lo = mid
                else:
                    hi = mid - 1
            if s[:lo] in page and any(s[lo:] in other for j, other in enumerate(pages) if j != i):
                return True
    return False


def _pages(extracted: str) -> list[str]:
    return [normalise(p) for p in extracted.split("\f")]


def score(extracted: str, strings: list[str]) -> float:
    pages = _pages(extracted)
    return sum(found(s, pages) for s in strings) / len(strings)


def missing(extracted: str, strings: list[str]) -> list[str]:
    pages = _pages(extracted)
    return [s for s in strings if not found(s, pages)]


def _run(args: list[str]) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def poppler(path: Path) -> str:
    return _run(["pdftotext", str(path), "-"])


def mupdf(path: Path) -> str:
    return _run(["mutool", "draw", "-q", "-F", "txt", "-o", "-", str(path)])


def pdfium(path: Path) -> str:
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(str(path))
    try:
        out = []
        for page in doc:
            tp = page.get_textpage()
            out.append(tp.get_text_range())       # pages joined with a form feed, as poppler does
            tp.close()
            page.close()
        return "\n\f".join(out)
    finally:
        doc.close()


def pdfjs_many(paths: list[Path]) -> dict[Path, str]:
    """pdf.js text of many PDFs in one Node process."""
    if not paths:
        return {}
    got = json.loads(_run(["node", str(HERE / "extract.mjs"), *map(str, paths)]))
    return {Path(p): t for p, t in got.items()}


def extract_all(paths: list[Path]) -> dict[Path, dict[str, str]]:
    js = pdfjs_many(paths)
    return {p: {"poppler": poppler(p), "pdfjs": js[p], "mupdf": mupdf(p), "pdfium": pdfium(p)} for p in paths}


def lang_of(path: Path, handout: str) -> str:
    """``port-zh-Hant-letter-2page.pdf`` -> ``zh-Hant`` (layouts are known by their folder)."""
    stem = path.stem[len(handout) + 1:]
    layouts = sorted((p.stem for p in (ROOT / "layouts").glob("*.yaml")), key=len, reverse=True)
    for layout in layouts:
        if stem.endswith("-" + layout):
            return stem[:-len(layout) - 1]
    raise ValueError(f"{path.name}: no known layout at the end of the name")


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv]
    texts = extract_all(paths)
    print("| file | " + " | ".join(READERS) + " |")
    print("|---|" + "---|" * len(READERS))
    for p in paths:
        handout = p.parent.name
        strings = content_strings(handout, lang_of(p, handout))
        row = [f"{score(texts[p][r], strings):.2f}" for r in READERS]
        print(f"| {p.name} | " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
