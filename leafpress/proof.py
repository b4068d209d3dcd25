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
from .layout.fitting import leading
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
                write_atomic(target, buf.getvalue(), out)
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
    write_atomic(target, buf.getvalue(), out)
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
    write_atomic(target, data, out)
    return target


def diagram_preview(project: Project, name: str, out: Path, langs: list[str] | None = None,
                    layout: str | None = None) -> list[Path]:
    """``diagram NAME --preview``: the diagram checked, then drawn for each language of every
    handout that uses it, wide (a diagram slot) and narrow (one column, where the labels may
    turn into a numbered key), with its panels (green), anchors (red dots) and label boxes
    (red) over it. Writes ``OUT/diagrams/NAME-preview.pdf`` and a PNG per page; returns them."""
    from .content.model import Figure
    from .diagram import load_diagram
    from .layout.figures import draw_figure
    from .layout.items import Box, LaidOut, Node, Page, Picture, Rule, Svg, TextLine
    from .layout.setting import Ctx, emit
    root = project.root
    diagram = load_diagram(name, root / "assets" / "diagrams", root)      # the schema checks
    layout = layout or sorted(project.layouts)[0]     # --layout NAME, else the first by name
    brand = project.all_brands()[0]
    uses = [(hid, lang) for hid in sorted(project.handouts) for lang in sorted(project.handouts[hid])
            if not langs or lang in langs]
    pages = []
    for hid, code in uses:
        h, lang, spec, br, ts, diagrams = project.prepare(Job(hid, code, layout, brand))
        for fig in (b for s in h.sections for b in s.blocks if isinstance(b, Figure) and b.diagram == name):
            ctx = Ctx(h, lang, spec, br, ts, diagrams, spec.body_sizes()[0], leading(spec, lang, ts.size_factor))
            W, H = spec.page_size
            page = Page(W, H)
            left, right = spec.margins["inside"], W - spec.margins["outside"]
            head = project.typesetter(project.source(hid).lang).shape(f"{name} · {hid} · {lang.name} ({code})", bold=True)
            emit(ctx, page, head, head.lines(1000), left, right - left, H - 30, 12, 16, "#000000", "Artifact",
                 Node("other"), "left")
            top = H - 60
            narrow = spec.body_column_width
            for width, max_h in ((right - left, 300.0), (narrow, 280.0)):
                used = draw_figure(ctx, Page(0, 0), fig, left, left + width, 0, max_h)
                draw_figure(ctx, page, fig, left, left + width, top - used, max_h)
                top -= used + 30
            for item in list(page.items):
                if isinstance(item, Picture) and isinstance(item.source, Svg) and item.source.path == diagram.svg:
                    sc = item.w / diagram.width
                    vx, vy, vw, vh = diagram.viewbox        # panels are in viewBox units, y down
                    k = diagram.width / vw
                    for px, py, pw, ph in (diagram.panels or {}).values():
                        page.items.append(Box(item.x + (px - vx) * k * sc,
                                              item.y + (diagram.height - (py - vy + ph) * k) * sc,
                                              pw * k * sc, ph * k * sc, stroke="#1a8f3c", stroke_width=0.6))
                    for a in diagram.anchors.values():
                        page.items.append(Rule(item.x + a.x * sc, item.y + a.y * sc, item.x + a.x * sc,
                                               item.y + a.y * sc, "#d0021b", 0.1, dot=2.2))
                elif isinstance(item, TextLine) and item.role == "Label":
                    page.items.append(Box(item.x, item.y - item.size * 0.25, item.width, item.size * 1.05,
                                          stroke="#d0021b", stroke_width=0.4))
            for item in page.items:
                if hasattr(item, "role"):
                    item.role = "Artifact"          # a proof, not a leaflet: not tagged
            pages.append((page, code))
    if not pages:
        raise LeafletError(f"no handout uses the diagram {name!r}", file=f"assets/diagrams/{name}.yaml",
                           hint="Add a figure with 'diagram: " + name + "' to a handout, then preview it")
    laid = LaidOut([p for p, _ in pages], [], 12.0, [], {}, pages[0][1])
    data = render_pdf(laid, Metadata(f"Diagram preview: {name}", "leafpress", "", name, pages[0][1]), tagged=False)
    target = out / "diagrams" / f"{name}-preview.pdf"
    write_atomic(target, data)
    written = [target]
    pdfium = _pdfium()
    pdf = pdfium.PdfDocument(data)
    try:
        for i in range(len(pdf)):
            buf = io.BytesIO()
            pdf[i].render(scale=100 / 72).to_pil().save(buf, format="PNG", optimize=True)
            png = out / "diagrams" / f"{name}-preview-p{i + 1}.png"
            write_atomic(png, buf.getvalue())
            written.append(png)
    finally:
        pdf.close()
    return written
