"""Render: pages of positioned items -> PDF bytes.

Input: :class:`LaidOut` plus document metadata. Output: the bytes of a complete PDF.
ReportLab is the writer (document, pages, graphics, drawings, links, outline, metadata). Text
is drawn as shaped glyph runs in the project's own embedded fonts (pdffont.py), with
``/ActualText`` spans around every cluster whose glyphs do not map one-to-one to its text, so
copy, search and screen readers get the source text back. Decorations are marked as
artifacts. No content string ever reaches a markup parser: text goes in as glyph ids.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from reportlab import rl_config
from reportlab.graphics import renderPDF
from reportlab.lib.colors import HexColor
from reportlab.pdfgen.canvas import Canvas

from ..layout.items import Box, LaidOut, Picture, Qr, Raster, Rule, Svg, TextLine
from .assets import drawing, qr_modules
from reportlab.pdfbase.pdfdoc import PDFName, PDFString

from .pdffont import EmbeddedFont
from .tags import Tagger


rl_config.useA85 = 0      # plain Flate streams: smaller files, no slow ASCII85 pass


@dataclass(frozen=True)
class Metadata:
    title: str
    author: str
    subject: str
    keywords: str
    lang: str


def _hex(s: str) -> str:
    return s.encode("utf-16-be").hex().upper()


class GlyphWriter:
    """Turns TextLines into content-stream operators, tracking glyph use per font."""

    def __init__(self, canvas: Canvas):
        self.canvas = canvas
        self.fonts: dict = {}

    def embedded(self, font) -> EmbeddedFont:
        emb = self.fonts.get(font.name)
        if emb is None:
            emb = self.fonts[font.name] = EmbeddedFont(font, f"LP{len(self.fonts) + 1}")
            self.canvas._doc.delayedFonts.append(emb)
        return emb

    def _fast_line(self, item: TextLine, mark, ops: list) -> str | None:
        """Lines made only of simple left-to-right pieces: one TJ per piece, no per-glyph work."""
        pieces = item.pieces
        runs = []
        for piece in pieces:
            run = _simple_run(piece)
            if run is None:
                return None
            runs.append(run)
        size, x, y = item.size, item.x, item.y
        current = None
        for piece, (body, pairs) in zip(pieces, runs):
            emb = self.embedded(piece.font)
            if not emb.use_all(pairs):
                return None         # a glyph already stands for other text: take the slow path
            if mark is not None:
                tag, mcid = mark(piece.style.href, _latin(piece))
                ops.append(f"/{tag} <</MCID {mcid}>> BDC")
            if current != emb.resource:
                ops.append(f"/{emb.resource} {_num(size)} Tf")
                current = emb.resource
            ops.append(f"1 0 0 1 {_num(x)} {_num(y)} Tm [{body}] TJ")
            if mark is not None:
                ops.append("EMC")
            x += piece.width * size
        ops.append("ET")
        return "\n".join(ops)

    def _cascading_word(self, ops: list, parts: list, y: float, size: float, mark) -> None:
        """One word of a cascading script as one ActualText span. Extraction places a span where
        its first glyph is drawn and ends it where its last one ends, so the span opens and closes
        with an invisible space glyph on the baseline at the word's two edges; the letters in
        between keep their heights."""
        piece = parts[0][3]
        emb = parts[0][2]
        text = "".join(t[6] for t in parts)
        actual = text[::-1] if piece.rtl and len(text) > 1 else text
        props = f"/ActualText <FEFF{_hex(actual)}>"
        if mark is not None:
            _, mcid = mark(piece.style.href, _latin(piece))
            props = f"/MCID {mcid} " + props
        ops.append(f"/Span <<{props}>> BDC")
        space = piece.font.hb.get_nominal_glyph(0x20)
        left = min(t[1] for t in parts)
        right = max(t[1] + sum(g[1] for g in piece.glyphs[t[4]:t[4] + t[5]]) * size for t in parts)
        if space:
            emb.use(space, None)
            ops.append(f"1 0 0 1 {_num(left)} {_num(y)} Tm <{space:04X}> Tj")
        for _, cx, _, _, first, count, _ in sorted(parts, key=lambda t: t[1]):
            for gid, ax, dx, dy in piece.glyphs[first:first + count]:
                emb.use(gid, None)
                ops.append(f"1 0 0 1 {_num(cx + dx * size)} {_num(y + dy * size)} Tm <{gid:04X}> Tj")
                cx += ax * size
        if space:
            # Extraction takes the span's type size from where it ends, and gathers lines into a
            # paragraph only when their baselines are close for that size. A cascading face's
            # lines stand far apart (Nastaliq: 2.5 em of ink, lines 2.1 em apart), so the closing
            # anchor is set at the size a face of ordinary height would have for the same ink.
            big = size * _span_scale(piece.font)
            back = piece.font.advance(space) * big
            if big != size:
                ops.append(f"/{emb.resource} {_num(big)} Tf")
            ops.append(f"1 0 0 1 {_num(right - back)} {_num(y)} Tm <{space:04X}> Tj")
            if big != size:
                ops.append(f"/{emb.resource} {_num(size)} Tf")
        ops.append("EMC")

    def line(self, item: TextLine, mark=None) -> str:
        """Operators for one line. ``mark(href)`` gives (tag, MCID) for tagged content; without
        it the caller has wrapped the line as an artifact."""
        size = item.size
        col = HexColor(item.colour)
        ops = [f"{col.red:.4f} {col.green:.4f} {col.blue:.4f} rg", "BT 0 Ts 0 Tc 0 Tw 100 Tz 0 Tr"]
        fast = self._fast_line(item, mark, ops)
        if fast is not None:
            return fast
        # Position every cluster in visual order, then draw them in logical (reading) order:
        # the page looks the same, and text extraction in stream order reads correctly, right to
        # left included.
        x, y = item.x, item.y
        placed = []
        for piece in item.pieces:
            emb = self.embedded(piece.font)
            for first, count, text, logical in piece.clusters:
                placed.append((logical, x, emb, piece, first, count, text))
                x += sum(g[1] for g in piece.glyphs[first:first + count]) * size
        placed.sort(key=lambda t: t[0])
        state = {"font": None, "pen": None, "open": None}
        run: list = []          # a TJ array being built: simple glyphs, left to right

        def flush():
            if run:
                ops.append("[" + " ".join(run) + "] TJ")
                run.clear()

        def close():
            flush()
            if state["open"] is not None:
                ops.append("EMC")
                state["open"] = None

        def open_(href, latin):
            if mark is None or (state["open"] is not None and state["open"] == (href, latin)):
                return
            close()
            tag, mcid = mark(href, latin)
            ops.append(f"/{tag} <</MCID {mcid}>> BDC")
            state["open"] = (href, latin)
            state["pen"] = None

        words = _cascading_words(placed)
        for i, (_, cx, emb, piece, first, count, text) in enumerate(placed):
            href = piece.style.href
            glyphs = piece.glyphs[first:first + count]
            if i in words:
                if words[i] is None:
                    continue            # drawn with the word it belongs to
                close()
                state["pen"] = None
                if state["font"] != emb.resource:
                    ops.append(f"/{emb.resource} {_num(size)} Tf")
                    state["font"] = emb.resource
                self._cascading_word(ops, [placed[k] for k in words[i]], y, size, mark)
                continue
            # One glyph for one character, or a left-to-right ligature ("fi"): ToUnicode gives the
            # text back. Clusters of several glyphs (marks, conjuncts, reordered vowels) get an
            # ActualText span: drawn glyph by glyph, poppler would reorder a mark past its base.
            simple = count == 1 and (len(text) == 1 or not piece.rtl) and emb.use(glyphs[0][0], text)
            if simple:
                open_(href, _latin(piece))
                if state["font"] != emb.resource:
                    flush()
                    ops.append(f"/{emb.resource} {_num(size)} Tf")
                    state["font"], state["pen"] = emb.resource, None
                for gid, ax, dx, dy in glyphs:
                    if dx or dy:
                        flush()
                        ops.append(f"1 0 0 1 {_num(cx + dx * size)} {_num(y + dy * size)} Tm <{gid:04X}> Tj")
                        state["pen"] = None
                    else:
                        if state["pen"] is None or abs(state["pen"] - cx) > 0.001:
                            flush()
                            ops.append(f"1 0 0 1 {_num(cx)} {_num(y)} Tm")
                        adjust = round(emb.width(gid) - ax * 1000, 2)
                        run.append(f"<{gid:04X}>" + (f" {_num(adjust)}" if adjust else ""))
                        state["pen"] = cx + ax * size
                    cx += ax * size
                continue
            close()
            state["pen"] = None
            if state["font"] != emb.resource:
                ops.append(f"/{emb.resource} {_num(size)} Tf")
                state["font"] = emb.resource
            for g in glyphs:
                emb.use(g[0], None)
            # Poppler spreads an ActualText over the span's width left to right; in a
            # right-to-left piece that would put a ligature's first letter at the wrong end.
            actual = text[::-1] if piece.rtl and len(text) > 1 else text
            props = f"/ActualText <FEFF{_hex(actual)}>"
            if mark is not None:
                _, mcid = mark(href, _latin(piece))
                props = f"/MCID {mcid} " + props
            if props:
                ops.append(f"/Span <<{props.strip()}>> BDC")
            for gid, ax, dx, dy in glyphs:
                ops.append(f"1 0 0 1 {_num(cx + dx * size)} {_num(y + dy * size)} Tm <{gid:04X}> Tj")
                cx += ax * size
            if props:
                ops.append("EMC")
        close()
        ops.append("ET")
        return "\n".join(ops)


def _cascading_words(placed) -> dict:
    """The words (runs of clusters of one piece between spaces, in reading order) of pieces that
    set letters off the baseline, as Nastaliq's cascade does with nearly every letter. Drawn
    cluster by cluster, such letters land on lines of their own in extraction and overlapping
    neighbours swap places; each word is drawn as one span instead.
    Returns {index of a word's first cluster: [its indices], index of another: None}."""
    out: dict = {}
    i, n = 0, len(placed)
    while i < n:
        piece = placed[i][3]
        if not _cascades(piece):
            i += 1
            continue
        j = i
        while j < n and placed[j][3] is piece and not placed[j][6].isspace():
            j += 1
        if j == i:
            i += 1
            continue
        out[i] = list(range(i, j))
        out.update((k, None) for k in range(i + 1, j))
        i = j
    return out


ORDINARY_HEIGHT = 1.7      # em from descender to ascender of Naskh, the everyday Arabic style


def _span_scale(font) -> float:
    """How much taller than an ordinary text face a font's ascender-to-descender height is
    (Noto Nastaliq Urdu: 2.5 em, so 1.47); 1 for ordinary faces."""
    ext = font.hb.get_font_extents("ltr")
    return max(1.0, round((ext.ascender - ext.descender) / font.upem / ORDINARY_HEIGHT, 2))


def _cascades(piece) -> bool:
    """Whether a piece sets a letter (a glyph that advances) off the baseline."""
    cached = getattr(piece, "_cascades", None)
    if cached is None:
        cached = piece._cascades = any(g[1] > 0 and abs(g[3]) > 1e-6 for g in piece.glyphs)
    return cached


def _latin(piece) -> bool:
    """Whether a piece is Latin-script words (an English term inside an Arabic or Thai text)."""
    cached = getattr(piece, "_latin", None)
    if cached is None:
        text = "".join(t for _, _, t, _ in piece.clusters)
        letters = [ch for ch in text if ch.isalpha()]
        cached = piece._latin = bool(letters) and all(ch.isascii() for ch in letters)
    return cached


def _simple_run(piece) -> tuple | None:
    """For a left-to-right piece of one-glyph, one-character clusters without offsets (most
    Latin, Cyrillic and CJK text): its TJ array body and (glyph, text) pairs, worked out once and
    kept with the piece, which the line cache shares between documents."""
    cached = getattr(piece, "_tj", None)
    if cached is not None:
        return cached or None
    result = ()
    if not piece.rtl and all(count == 1 and len(text) == 1 for _, count, text, _ in piece.clusters) \
            and all(dx == 0 and dy == 0 for _, _, dx, dy in piece.glyphs):
        font = piece.font
        scale = 1000.0 / font.upem
        parts, pairs = [], []
        for (first, _, text, _) in piece.clusters:
            gid, ax, _, _ = piece.glyphs[first]
            adjust = round(round(font.hb.get_glyph_h_advance(gid) * scale) - ax * 1000, 2)
            parts.append(f"<{gid:04X}>" + (f" {_num(adjust)}" if adjust else ""))
            pairs.append((gid, text))
        result = (" ".join(parts), tuple(pairs))
    piece._tj = result
    return result or None


def _num(v: float) -> str:
    s = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def render_pdf(laid: LaidOut, meta: Metadata, tagged: bool = True) -> bytes:
    """The PDF's bytes. ``tagged=False`` exists only so the benchmark can measure what tagging
    costs; leaflets are always tagged."""
    buf = io.BytesIO()
    W, H = laid.pages[0].width, laid.pages[0].height
    c = Canvas(buf, pagesize=(W, H), invariant=1, pageCompression=1, lang=meta.lang,
               initialFontName=_base_font())
    c.setTitle(meta.title)
    c.setAuthor(meta.author)
    c.setSubject(meta.subject)
    c.setKeywords(meta.keywords)
    c.setCreator("leafpress")
    c.setViewerPreference("DisplayDocTitle", "true")
    writer = GlyphWriter(c)
    tagger = Tagger(laid.lang or meta.lang, laid.parts)
    # Footer text repeats on every page: it is tagged once (its last appearance), an artifact elsewhere.
    last_seen = {}
    for pi, page in enumerate(laid.pages):
        for item in page.items:
            if isinstance(item, TextLine) and item.node.furniture:
                last_seen[(item.lang, item.node)] = pi
    bookmarks = []
    n_pages = len(laid.pages)
    for pi, page in enumerate(laid.pages):
        c.setPageSize((page.width, page.height))
        tagger.new_page()
        for item in page.items:
            if not tagged:
                _draw(c, writer, item, None)
                continue
            role = getattr(item, "role", "Artifact")
            if isinstance(item, TextLine) and item.node.furniture \
                    and last_seen.get((item.lang, item.node)) != pi:
                role = "Artifact"
            if isinstance(item, Box) and role != "Label":
                role = "Artifact"
            if role == "Artifact":
                c.addLiteral("/Artifact BMC")
                _draw(c, writer, item, None)
                c.addLiteral("EMC")
                continue
            lang = getattr(item, "lang", None) or tagger.lang
            elem = tagger.elem(lang if isinstance(item, TextLine) else laid.lang, item.node, role)

            def mark(href, latin=False, elem=elem, pi=pi):
                target = tagger.link(elem, href, pi) if href else elem
                if latin and laid.quote_lang and target.type != "Link":
                    target = tagger.span(target, laid.quote_lang, pi)   # /Lang on a foreign term
                return target.type, tagger.mcid(pi, target)

            if isinstance(item, TextLine):
                _draw(c, writer, item, mark)
            else:
                tag, mcid = mark(None)
                if isinstance(item, Picture):
                    elem.bbox = [item.x, item.y, item.x + item.w, item.y + item.h]
                c.addLiteral(f"/{tag} <</MCID {mcid}>> BDC")
                _draw(c, writer, item, None)
                c.addLiteral("EMC")
        for link in page.links:
            if not tagged:
                c.linkURL(link.url, (link.x, link.y, link.x + link.w, link.y + link.h), relative=0, thickness=0)
                continue
            target = tagger.link_on_page(pi, link.url, tagger.lang)
            key = n_pages + len(tagger.annots)
            c.linkURL(link.url, (link.x, link.y, link.x + link.w, link.y + link.h), relative=0, thickness=0,
                      StructParent=key, Contents=PDFString(target.alt or link.url))
            ref = c._doc.refAnnotation("NUMBER" + repr(c._annotationCount))
            tagger.annots.append((target, ref))
            target.kids.append(("objr", pi, ref))
        for entry in laid.outline:
            if entry.page == pi:
                key = f"s{laid.outline.index(entry)}"
                c.bookmarkHorizontalAbsolute(key, entry.y)
                bookmarks.append((laid.outline.index(entry), key, entry))
        c.showPage()
        pdf_page = c._doc.Pages.pages[-1]
        if not tagged:
            continue
        pdf_page.__NoDefault__ = list(type(pdf_page).__NoDefault__) + ["StructParents", "Tabs"]
        pdf_page.StructParents = pi
        pdf_page.Tabs = PDFName("S")
    for _, key, entry in sorted(bookmarks, key=lambda t: t[0]):
        c.addOutlineEntry(entry.title, key, entry.level)
    c.showOutline()
    if tagged:
        tagger.write(c._doc, [f"Page{i + 1}" for i in range(n_pages)], laid.alts, meta.title)
    c.save()
    return buf.getvalue()


def _draw(c: Canvas, writer: GlyphWriter, item, mark) -> None:
    if isinstance(item, TextLine):
        c.addLiteral(writer.line(item, mark))
    elif isinstance(item, Box):
        _box(c, item)
    elif isinstance(item, Rule):
        _rule(c, item)
    elif isinstance(item, Picture):
        _picture(c, item)


_BASE = None


def _base_font() -> str:
    """ReportLab wants an initial font; register a dynamic (subset-on-use) one so no unembedded
    Helvetica is ever referenced. It is never used for drawing."""
    global _BASE
    if _BASE is None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont
        name = Path("assets") / "fonts" / "NotoSans-Regular.ttf"    # the checkout's, or (installed) the project's
        path = Path(__file__).resolve().parents[2] / name
        path = path if path.is_file() else Path.cwd() / name
        pdfmetrics.registerFont(TTFont("LeafpressBase", str(path)))
        _BASE = "LeafpressBase"
    return _BASE


def _box(c: Canvas, b: Box) -> None:
    if b.fill:
        c.setFillColor(HexColor(b.fill))
    if b.stroke:
        c.setStrokeColor(HexColor(b.stroke))
        c.setLineWidth(b.stroke_width)
    if b.radius:
        c.roundRect(b.x, b.y, b.w, b.h, b.radius, stroke=1 if b.stroke else 0, fill=1 if b.fill else 0)
    else:
        c.rect(b.x, b.y, b.w, b.h, stroke=1 if b.stroke else 0, fill=1 if b.fill else 0)


def _rule(c: Canvas, r: Rule) -> None:
    c.setStrokeColor(HexColor(r.colour))
    c.setLineWidth(r.width)
    c.line(r.x1, r.y1, r.x2, r.y2)
    if r.dot:
        c.setFillColor(HexColor(r.colour))
        c.circle(r.x2, r.y2, r.dot, stroke=0, fill=1)


def _qr(c: Canvas, p: Picture, modules: tuple) -> None:
    """Dark modules as one filled path, runs of a row merged, with a two-module quiet zone."""
    n = len(modules)
    m = min(p.w, p.h) / (n + 4)
    ops = ["q 0 0 0 rg"]
    for r, row in enumerate(modules):
        y = p.y + p.h - (r + 3) * m
        c0 = None
        for col, dark in enumerate(list(row) + [False]):
            if dark and c0 is None:
                c0 = col
            elif not dark and c0 is not None:
                ops.append(f"{_num(p.x + (c0 + 2) * m)} {_num(y)} {_num((col - c0) * m)} {_num(m)} re")
                c0 = None
    ops.append("f Q")
    c.addLiteral("\n".join(ops))


def _picture(c: Canvas, p: Picture) -> None:
    """Every kind of asset has its rule; an unknown kind fails loudly."""
    src = p.source
    if isinstance(src, Qr):
        _qr(c, p, qr_modules(src))
        return
    if isinstance(src, Raster):
        c.drawImage(str(src.path), p.x, p.y, p.w, p.h, mask="auto", preserveAspectRatio=True)
        return
    if not isinstance(src, Svg):
        raise TypeError(f"the PDF writer has no rule for asset {type(src).__name__}")
    d = drawing(src)
    d.initialFontName = _base_font()    # else ReportLab sets (and references) Helvetica
    c.saveState()
    c.translate(p.x, p.y)
    c.scale(p.w / d.width, p.h / d.height)
    renderPDF.draw(d, c, 0, 0)
    c.restoreState()
