"""Diagrams for the web: the checked SVG art inline, with the language's labels as real text.

Input: a content :class:`Figure`, its :class:`Diagram` (SVG file, viewBox, panels, anchors) and
the language's typesetter (to break labels into lines with the same fonts the page uses).
Output: a :class:`FigureView` the templates draw: one ``<svg>`` per panel of the diagram (so a
phone shows each panel large enough to read), the art as elements (ids prefixed per panel,
hidden from screen readers), and per anchor a ``<text>`` label in a gutter beside the art with
a dotted leader line to its point. Labels come in reading order (per panel, top to bottom) and
are sized so that they are at least 16 px on a 360 px wide phone.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from ..content.model import Figure
from ..diagram import Diagram, check_svg
from ..errors import LeafletError

PHONE_WIDTH = 328.0     # px the figure gets on a 360 px phone (page padding taken off)
MIN_LABEL_PX = 17.0     # label size there (the page's floor is 16 px)
MAX_LABEL_PX = 21.0     # on wide screens the figure stops growing when labels reach this
GUTTER = 0.8            # a gutter's width, as a share of its panel's width
PITCH = 1.25            # label line pitch, in em


@dataclass(frozen=True)
class El:
    tag: str
    attrs: tuple            # (name, value) in file order
    children: tuple


@dataclass(frozen=True)
class Label:
    x: float
    y: float                # baseline of the first line
    anchor: str             # SVG text-anchor
    lines: tuple            # texts, one per line
    lead: tuple             # x1, y1, x2, y2: label edge to the anchor point


@dataclass(frozen=True)
class Panel:
    id: str
    viewbox: str
    max_width: int          # px
    size: float             # label font size, user units
    clip: tuple             # x, y, w, h of the art
    art: tuple              # El
    labels: tuple           # Label, reading order


@dataclass(frozen=True)
class FigureView:
    id: str
    panels: tuple
    rtl: bool


_ART_CACHE: dict = {}


def _art(diagram: Diagram) -> tuple:
    """The SVG's elements (checked again here: this is what goes into the page)."""
    key = str(diagram.svg)
    if key not in _ART_CACHE:
        check_svg(diagram.svg, diagram.svg.name)
        root = ET.fromstring(diagram.svg.read_bytes())
        _ART_CACHE[key] = tuple(_el(c) for c in root)
    return _ART_CACHE[key]


_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9:_.-]*$")


def _el(node) -> El:
    tag = node.tag.rsplit("}", 1)[-1]
    attrs = tuple((k, v) for k, v in node.attrib.items() if not k.startswith("{"))
    for name in (tag,) + tuple(k for k, _ in attrs):
        if not _NAME.match(name):      # names go into the page as they are: only plain ones
            raise LeafletError(f"SVG name {name!r} is not a plain element or attribute name",
                               hint="Save the drawing as plain SVG")
    return El(tag, attrs, tuple(_el(c) for c in node))


def _prefixed(el: El, prefix: str) -> El:
    """Ids made unique per panel (two panels show the same art), references rewritten to match."""
    attrs = []
    for k, v in el.attrs:
        if k == "id":
            v = prefix + v
        else:
            v = re.sub(r"url\(\s*#([^)\s]+)\s*\)", lambda m: f"url(#{prefix}{m.group(1)})", v)
        attrs.append((k, v))
    return El(el.tag, tuple(attrs), tuple(_prefixed(c, prefix) for c in el.children))


def figure_view(fig: Figure, diagram: Diagram, ts, fid: str, file: str) -> FigureView:
    missing = [a for a in diagram.anchors if fig.label(a) is None]
    if missing:
        raise LeafletError(f"no label for the diagram's anchor(s) {', '.join(missing)}", file=file,
                           key=fig.caption.key.rsplit(".", 1)[0] + ".labels",
                           hint=f"Add a label for each anchor in assets/diagrams/{fig.diagram}.yaml")
    vx, vy, vw, vh = diagram.viewbox
    panels = dict(diagram.panels or {}) or {"all": (vx, vy, vw, vh)}
    art = _art(diagram)
    out = []
    for pi, (pid, (px, py, pw, ph)) in enumerate(panels.items()):
        anchors = [a for a in diagram.anchors.values() if (a.panel or "all") == pid or len(panels) == 1]
        if not anchors and len(panels) > 1:
            continue
        sides = sorted({a.side for a in anchors})
        gutter = pw * GUTTER
        width = pw + gutter * len(sides)
        size = width * MIN_LABEL_PX / PHONE_WIDTH
        pitch = size * PITCH
        room = (gutter - size) / size                        # label line width, em
        labels, top, bottom = [], py, py + ph
        placed = []
        for side in sides:
            group = sorted((a for a in anchors if a.side == side), key=lambda a: a.at[1])
            boxes = []
            for a in group:
                sp = ts.shape(fig.label(a.id), file=file)
                lines = tuple(sp.text[ln.start:ln.vis_end] for ln in sp.lines(room))
                boxes.append([a.at[1] - len(lines) * pitch / 2, len(lines) * pitch, a, lines])
            _spread(boxes, py, py + ph, size * 0.35)
            top = min([top] + [b[0] for b in boxes])
            bottom = max([bottom] + [b[0] + b[1] for b in boxes])
            placed.append((side, boxes))
        left_edge = px - (gutter if "left" in sides else 0)
        for side, boxes in placed:
            for y0, h, a, lines in boxes:
                inner = px - size * 0.5 if side == "left" else px + pw + size * 0.5
                align_right = side == "left"
                anchor = "end" if align_right != ts.rtl else "start"
                mid = y0 + h / 2
                labels.append(Label(round(inner, 2), round(y0 + size, 2), anchor, lines,
                                    tuple(round(v, 2) for v in (inner + (size * 0.25 if side == "left" else -size * 0.25),
                                                                 mid - size * 0.3, a.at[0], a.at[1]))))
        pad = size * 0.25
        top, bottom = top - pad, bottom + pad
        box = (round(left_edge, 2), round(top, 2), round(width, 2), round(bottom - top, 2))
        # A top-level group named after another panel is that panel's art: leave it out here.
        mine = tuple(e for e in art if dict(e.attrs).get("id") not in set(panels) - {pid})
        out.append(Panel(f"{fid}-{pi}", " ".join(_num(v) for v in box), int(PHONE_WIDTH * MAX_LABEL_PX / MIN_LABEL_PX),
                         round(size, 2), (px, py, pw, ph),
                         tuple(_prefixed(e, f"{fid}-{pi}-") for e in mine), tuple(labels)))
    return FigureView(fid, tuple(out), ts.rtl)


def _num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _spread(boxes: list, top: float, bottom: float, gap: float) -> None:
    """Move label boxes ([y, height, ...], sorted by wanted y) apart so none overlap, staying
    near their anchors; if they do not fit between top and bottom they grow past it evenly."""
    if not boxes:
        return
    total = sum(b[1] for b in boxes) + gap * (len(boxes) - 1)
    if total > bottom - top:
        extra = (total - (bottom - top)) / 2
        top, bottom = top - extra, bottom + extra
    y = top
    for b in boxes:                 # push down
        b[0] = max(b[0], y)
        y = b[0] + b[1] + gap
    y = bottom
    for b in reversed(boxes):       # then up, where the bottom overflowed
        b[0] = min(b[0], y - b[1])
        y = b[0] - gap
