"""Diagrams: vector art (SVG, no text) plus label anchors as data.

Input: ``assets/diagrams/<id>.svg`` and ``<id>.yaml`` (viewbox, panels, anchors: which point
each leader line touches and on which side its label goes). Output: a :class:`Diagram` with a
the checked SVG file, its size (read through svglib) and anchors in the drawing's own units. Label texts
come from each language's handout, not from here.

SVG files are checked before svglib sees them: size and element limits, no DOCTYPE or
entities, no scripts, no external or file references, no text elements.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from .brand import resolve_inside
from .content.loader import Reader, _display
from .content.yamlsafe import load_yaml
from .errors import LeafletError

MAX_SVG_BYTES = 1_000_000
MAX_SVG_ELEMENTS = 5_000
_FORBIDDEN = ("script", "foreignObject", "image", "use", "text", "style", "iframe", "feImage")


@dataclass(frozen=True)
class Anchor:
    id: str
    x: float          # drawing units (points at scale 1), origin bottom-left
    y: float
    side: str         # left | right
    at: tuple = ()    # the same point in the SVG's own viewBox coordinates (origin top-left)
    panel: str | None = None


@dataclass
class Diagram:
    id: str
    svg: Path         # the checked SVG file (the writer draws it)
    width: float
    height: float
    anchors: dict     # id -> Anchor
    viewbox: tuple = ()               # (x, y, width, height) in SVG units
    panels: dict | None = None        # panel id -> (x, y, width, height) in viewBox units


def check_svg(path: Path, display: str) -> None:
    raw = path.read_bytes()
    if len(raw) > MAX_SVG_BYTES:
        raise LeafletError(f"SVG is {len(raw):,} bytes, over the limit of {MAX_SVG_BYTES:,}",
                           file=display, hint="Simplify the drawing")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise LeafletError("SVG is not UTF-8 text", file=display, hint="Save it as UTF-8") from None
    lowered = text.lower()
    if "<!doctype" in lowered or "<!entity" in lowered:
        raise LeafletError("SVG has a DOCTYPE or entity declarations", file=display,
                           hint="Remove the <!DOCTYPE ...> and any <!ENTITY ...>")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise LeafletError(f"SVG is not well-formed XML ({exc})", file=display,
                           line=exc.position[0] if exc.position else None) from None
    count = 0
    for el in root.iter():
        count += 1
        if count > MAX_SVG_ELEMENTS:
            raise LeafletError(f"SVG has more than {MAX_SVG_ELEMENTS:,} elements", file=display,
                               hint="Simplify the drawing")
        tag = el.tag.rsplit("}", 1)[-1]
        if tag in _FORBIDDEN:
            raise LeafletError(f"SVG element <{tag}> is not allowed", file=display,
                               hint="Diagrams are plain shapes; labels come from the handout")
        for name, value in el.attrib.items():
            lname = name.rsplit("}", 1)[-1]
            if lname == "href" or re.search(r"url\(\s*['\"]?(?!#)", value or ""):
                raise LeafletError(f"SVG refers to another file or address ({lname}={value[:40]!r})",
                                   file=display, hint="Remove external references")
            if lname.startswith("on"):
                raise LeafletError(f"SVG has an event handler ({lname})", file=display,
                                   hint="Remove it")


_CACHE: dict = {}


def load_diagram(diagram_id: str, folder: Path, root: Path) -> Diagram:
    key = (diagram_id, str(folder))
    if key in _CACHE:
        return _CACHE[key]
    data_path = folder / f"{diagram_id}.yaml"
    display = _display(data_path, root)
    doc = load_yaml(data_path, display)
    r = Reader(doc)
    top = r.mapping(doc.data, (), ("viewbox", "anchors"), ("panels", "svg"))
    svg_path = resolve_inside(folder, r.string(top.get("svg", f"{diagram_id}.svg"), ("svg",)), doc, ("svg",))
    svg_display = _display(svg_path, root)
    check_svg(svg_path, svg_display)
    from svglib.svglib import svg2rlg   # imported here: only builds that draw diagrams pay for it
    import logging
    logging.getLogger("svglib").setLevel(logging.ERROR)
    drawing = svg2rlg(str(svg_path))
    if drawing is None:
        raise LeafletError("svglib could not read this SVG", file=svg_display)
    vb = r.seq(top["viewbox"], ("viewbox",), 4)
    vx, vy, vw, vh = (float(v) for v in vb)
    sx, sy = drawing.width / vw, drawing.height / vh
    anchors = {}
    am = r.mapping(top["anchors"], ("anchors",), tuple(top["anchors"]) if isinstance(top["anchors"], dict) else ())
    for aid, a in am.items():
        p = ("anchors", aid)
        a = r.mapping(a, p, ("at", "side"), ("panel",))
        at = r.seq(a["at"], p + ("at",), 2)
        side = r.string(a["side"], p + ("side",))
        if side not in ("left", "right"):
            raise doc.error(p + ("side",), f"{side!r} is not a side", hint="Use left or right")
        x, y = float(at[0]), float(at[1])
        if not (vx <= x <= vx + vw and vy <= y <= vy + vh):
            raise doc.error(p + ("at",), "the anchor lies outside the viewbox")
        panel = r.string(a["panel"], p + ("panel",)) if a.get("panel") is not None else None
        anchors[aid] = Anchor(aid, (x - vx) * sx, drawing.height - (y - vy) * sy, side, (x, y), panel)
    panels = {}
    for i, pn in enumerate(r.seq(top["panels"], ("panels",)) if top.get("panels") is not None else ()):
        pn = r.mapping(pn, ("panels", i), ("id", "box"))
        box = r.seq(pn["box"], ("panels", i, "box"), 4)
        panels[r.string(pn["id"], ("panels", i, "id"))] = tuple(float(v) for v in box)
    for aid, a in anchors.items():
        if a.panel is not None and a.panel not in panels:
            raise doc.error(("anchors", aid, "panel"), f"no panel {a.panel!r} in panels:",
                            hint="Name one of the panels, or add it to panels:")
    diagram = Diagram(diagram_id, svg_path, drawing.width, drawing.height, anchors,
                      (vx, vy, vw, vh), panels)
    _CACHE[key] = diagram
    return diagram
