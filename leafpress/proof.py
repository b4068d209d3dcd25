"""Proofs for people: contact sheets, side-by-side review copies, PNG previews.

Input: the project, the built PDFs and the manifest (``build`` runs first, incrementally).
Output, in ``OUT/proofs/`` and ``OUT/previews/``:
- ``<handout>-contact-sheet.pdf``: a thumbnail of page 1 of every language x layout (one brand);
- ``<handout>-<lang>-review.pdf``: the source and the translation section by section, side by
  side, with the translation's status, for the medical translator who signs it off;
- with ``--png``: every page of every selected leaflet as a PNG.
"""
from __future__ import annotations

import dataclasses
import io
from pathlib import Path

from .content.model import Status
from .errors import LeafletError
from .layout.engine import lay_out_bilingual
from .project import Job, Project, write_atomic
from .render.pdf import Metadata, render_pdf


def _pdfium():
    import pypdfium2 as pdfium
    return pdfium


def previews(out: Path, docs: list[dict], dpi: int = 80) -> int:
    """PNG previews of every page of the given (built) documents."""
    pdfium = _pdfium()
    n = 0
    for d in docs:
        if d["status"] != "ok":
            continue
        pdf = pdfium.PdfDocument(str(out / d["path"]))
        try:
            for i in range(len(pdf)):
                image = pdf[i].render(scale=dpi / 72).to_pil()
                target = out / "previews" / Path(d["path"]).parent / f"{Path(d['path']).stem}-p{i + 1}.png"
                buf = io.BytesIO()
                image.save(buf, format="PNG", optimize=True)
                write_atomic(target, buf.getvalue())
                n += 1
        finally:
            pdf.close()
    return n


def contact_sheet(project: Project, out: Path, handout: str, docs: list[dict]) -> Path:
    """One landscape page (or more) of thumbnails: every language x layout of one brand."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.lib.colors import HexColor

    pdfium = _pdfium()
    W, H = 792.0, 612.0
    cols, rows = 6, 3
    cell_w, cell_h = (W - 60) / cols, (H - 90) / rows
    buf = io.BytesIO()
    from .layout.items import Page
    from .render.pdf import GlyphWriter, _base_font
    c = Canvas(buf, pagesize=(W, H), invariant=1, pageCompression=1, initialFontName=_base_font())
    c.setTitle(f"Contact sheet: {handout}")
    ts = project.typesetter(project.source(handout).lang)
    ok = [d for d in docs if d["status"] == "ok"]
    failed = [d for d in docs if d["status"] != "ok"]
    per_page = cols * rows
    pages = [ok[i:i + per_page] for i in range(0, len(ok), per_page)] or [[]]
    writer = GlyphWriter(c)
    for pi, chunk in enumerate(pages):
        page = Page(W, H)
        title = f"{handout}: {len(ok)} leaflet(s), {len(failed)} failed — page {pi + 1} of {len(pages)}"
        _text(page, ts, title, 30, H - 40, 14, True)
        for i, d in enumerate(chunk):
            x = 30 + (i % cols) * cell_w
            y = H - 60 - (i // cols + 1) * cell_h
            pdf = pdfium.PdfDocument(str(out / d["path"]))
            try:
                image = pdf[0].render(scale=0.45).to_pil()
            finally:
                pdf.close()
            iw, ih = image.size
            scale = min((cell_w - 12) / iw, (cell_h - 28) / ih)
            png = io.BytesIO()
            image.save(png, format="PNG")
            png.seek(0)
            c.drawImage(ImageReader(png), x + 6, y + 22, iw * scale, ih * scale)
            c.setStrokeColor(HexColor("#999999"))
            c.rect(x + 6, y + 22, iw * scale, ih * scale, stroke=1, fill=0)
            _text(page, ts, f"{d['lang']} · {d['layout']} · {d['pages']} p.", x + 6, y + 10, 8, False)
        for item in page.items:
            c.addLiteral(writer.line(item))
        c.showPage()
    c.save()
    target = out / "proofs" / f"{handout}-contact-sheet.pdf"
    write_atomic(target, buf.getvalue())
    return target


def _text(page, ts, text: str, x: float, y: float, size: float, bold: bool) -> None:
    from .layout.items import Node, TextLine
    sp = ts.shape(text, bold=bold)
    for line in sp.lines(10 ** 6)[:1]:
        page.items.append(TextLine(x, y, size, "#1B1B1B", sp, line, line.width * size, "P", Node("other"), ts.lang.code))


def review_copy(project: Project, out: Path, handout: str, lang: str, brand: str) -> Path:
    """Source and translation side by side, section by section, with the translation's status."""
    source = project.source(handout)
    if source.lang == lang:
        raise LeafletError(f"{lang!r} is the source of {handout!r}: there is nothing to review against",
                         file=source.file)
    template = next((n for n in project.layouts if project.layout(n).bilingual), None)
    if template is None:
        raise LeafletError("no dual-language layout to set the review copy in",
                           file="layouts/", hint="Keep layouts/bilingual-letter.yaml")
    spec = dataclasses.replace(project.layout(template), bilingual=source.lang)
    h, lng, _, brand_obj, ts, diagrams = project.prepare(Job(handout, lang, template, brand))
    src = project.prepare(Job(handout, source.lang, template, brand))
    t = h.translation
    if t.status is Status.REVIEWED:
        state = f"reviewed by {t.reviewer} on {t.reviewed_on.isoformat()}"
    else:
        state = f"{t.status.value}, not yet reviewed by a medical translator"
    if t.sign_offs:
        state += "; sign-offs: " + ", ".join(f"{s.scope} by {s.reviewer} on {s.date.isoformat()}"
                                             for s in t.sign_offs)
    banner = (f"Translation review: {handout}, {lng.name} ({lng.code}) against the {src[1].name} source. "
              f"Status: {state}. Version {h.version}, source last reviewed {source.last_reviewed.isoformat()}.")
    laid = lay_out_bilingual([(src[0], src[1], src[4]), (h, lng, ts)], spec, brand_obj,
                             {**src[5], **diagrams}, banner=banner)
    data = render_pdf(laid, Metadata(f"Review: {h.title.plain}", brand_obj.name, banner,
                                     f"{handout}, {lng.name}, review", source.lang))
    target = out / "proofs" / f"{handout}-{lang}-review.pdf"
    write_atomic(target, data)
    return target
