"""Diagrams: vector art (SVG, no text) plus label anchors as data.

Input: ``assets/diagrams/<id>.svg`` and ``<id>.yaml`` (viewbox, panels, anchors: which point
each leader line touches and on which side its label goes). Output: a :class:`Diagram` with a
the checked SVG file, its size (read through svglib) and anchors in the drawing's own units. Label texts
come from each language's handout, not from here.

SVG files are checked before svglib sees them: size and element limits, no DOCTYPE or
entities, no scripts, no external or file references, no text elements.
"""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from .brand import resolve_inside
from .content.loader import Reader, _display
from .content.yamlsafe import load_yaml
from .files import read_error, read_limited
from .errors import LeafletError

MAX_SVG_BYTES = 1_000_000
MAX_SVG_ELEMENTS = 5_000
_FORBIDDEN = ("script", "foreignObject", "image", "use", "text", "style", "iframe", "feImage")


@dataclass(frozen=True)
class Anchor:
    """Where a diagram label points, and on which side of the drawing its label goes."""
    id: str
    x: float          # drawing units (points at scale 1), origin bottom-left
    y: float
    side: str         # left | right
    at: tuple = ()    # the same point in the SVG's own viewBox coordinates (origin top-left)
    panel: str | None = None   # the panel it belongs to (its label stays on that panel's side)


@dataclass
class Diagram:
    """A checked diagram: its SVG, size, anchors and panels."""
    id: str
    svg: Path         # the checked SVG file (the writer draws it)
    width: float
    height: float
    anchors: dict     # id -> Anchor
    viewbox: tuple = ()               # (x, y, width, height) in SVG units
    panels: dict | None = None        # panel id -> (x, y, width, height) in viewBox units


def check_svg(path: Path, display: str) -> None:
    try:
        raw = read_limited(path, MAX_SVG_BYTES)
    except OSError as exc:
        raise read_error(exc, display) from None
    if len(raw) > MAX_SVG_BYTES:
        raise LeafletError(f"SVG is over the limit of {MAX_SVG_BYTES:,} bytes",
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
    for name in ("viewBox", "width", "height"):
        value = root.attrib.get(name)
        if value is not None and not _finite_numbers(value, 4 if name == "viewBox" else 1):
            raise LeafletError(f"SVG {name}={value[:40]!r} is not a finite positive size", file=display,
                               hint='Write it as numbers, e.g. viewBox="0 0 64 64"')
    count = 0
    for el in root.iter():
        count += 1
        if count > MAX_SVG_ELEMENTS:
            raise LeafletError(f"SVG has more than {MAX_SVG_ELEMENTS:,} elements", file=display,
                               hint="Simplify the drawing")
        tag = el.tag.rsplit("}", 1)[-1]
        if el.text and _EXTERNAL.search(el.text):
            raise LeafletError(f"SVG <{tag}> refers to another file or address", file=display,
                               hint="Remove external references")
        if tag in _FORBIDDEN:
            raise LeafletError(f"SVG element <{tag}> is not allowed", file=display,
                               hint="Diagrams are plain shapes; labels come from the handout")
        for name, value in el.attrib.items():
            lname = name.rsplit("}", 1)[-1]
            if lname == "href" or _EXTERNAL.search(value or ""):
                raise LeafletError(f"SVG refers to another file or address ({lname}={value[:40]!r})",
                                   file=display, hint="Remove external references")
            if lname.startswith("on"):
                raise LeafletError(f"SVG has an event handler ({lname})", file=display,
                                   hint="Remove it")


_CACHE: dict = {}
_EXTERNAL = re.compile(r"url\(\s*['\"]?(?!#)", re.I)      # url(...) in any case, unless to #id
_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?:px|pt|mm|cm|in|%)?$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def _finite_numbers(value: str, n: int) -> bool:
    parts = value.replace(",", " ").split()
    if len(parts) != n or not all(_NUMBER.match(p) for p in parts):
        return False
    nums = [float(re.sub(r"[a-z%]+$", "", p)) for p in parts]
    return all(math.isfinite(v) for v in nums) and all(v > 0 for v in nums[-2:])


def _coordinate(doc, value, path) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise doc.error(path, f"expected a number, found {value!r}")
    return float(value)


def _numbers(r: Reader, value, path, n: int) -> tuple:
    seq = r.seq(value, path, n)
    if len(seq) != n:
        raise r.doc.error(path, f"expected {n} numbers, like [{', '.join(['0'] * n)}]")
    return tuple(_coordinate(r.doc, v, path + (i,)) for i, v in enumerate(seq))


def _panels(r: Reader, value, viewbox: tuple) -> dict:
    """The diagram's panels: id -> box (viewBox units), each inside the viewbox, ids unique."""
    vx, vy, vw, vh = viewbox
    out: dict = {}
    for i, p in enumerate(r.seq(value, ("panels",))):
        path = ("panels", i)
        p = r.mapping(p, path, ("id", "box"))
        pid = r.string(p["id"], path + ("id",))
        if not _ID.match(pid):
            raise r.doc.error(path + ("id",), f"{pid!r} is not a valid panel id",
                              hint="Use lower-case letters, digits, '-' and '_'")
        if pid in out:
            raise r.doc.error(path + ("id",), f"panel id {pid!r} is used twice", hint="Give each panel its own id")
        box = _numbers(r, p["box"], path + ("box",), 4)
        x, y, w, h = box
        if w <= 0 or h <= 0 or x < vx - 0.01 or y < vy - 0.01 or x + w > vx + vw + 0.01 or y + h > vy + vh + 0.01:
            raise r.doc.error(path + ("box",), "the panel box [x, y, width, height] must lie inside the viewbox")
        out[pid] = box
    return out


def load_diagram(diagram_id: str, folder: Path, root: Path) -> Diagram:
    key = (diagram_id, str(folder))
    if key in _CACHE:
        return _CACHE[key]
    data_path = folder / f"{diagram_id}.yaml"
    display = _display(data_path, root)
    try:
        outside = not data_path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        outside = False         # a link loop: reading it says so
    if outside:
        raise LeafletError("is a link to a file outside the diagrams folder", file=display,
                           hint="Copy the file into assets/diagrams/ instead of linking to it")
    doc = load_yaml(data_path, display)
    r = Reader(doc)
    top = r.mapping(doc.data, (), ("viewbox", "panels", "anchors"), ("svg",))
    svg_path = resolve_inside(folder, r.string(top.get("svg", f"{diagram_id}.svg"), ("svg",)), doc, ("svg",))
    svg_display = _display(svg_path, root)
    check_svg(svg_path, svg_display)
    from .render.assets import size     # svglib's size of it, stored by an earlier process or converted
    width, height = size(svg_path, svg_display)
    vx, vy, vw, vh = _numbers(r, top["viewbox"], ("viewbox",), 4)
    if vw <= 0 or vh <= 0:
        raise doc.error(("viewbox",), "the viewbox is [x, y, width, height] with a positive width and height",
                        hint="Copy the viewBox of the SVG")
    if not (math.isfinite(width) and math.isfinite(height)) or width <= 0 or height <= 0:
        raise LeafletError("the SVG has no usable size", file=svg_display, hint="Give it a viewBox")
    sx, sy = width / vw, height / vh
    panels = _panels(r, top["panels"], (vx, vy, vw, vh))
    anchors = {}
    am = r.mapping(top["anchors"], ("anchors",), tuple(top["anchors"]) if isinstance(top["anchors"], dict) else ())
    if not am:
        raise doc.error(("anchors",), "a diagram needs at least one anchor",
                        hint="Add an anchor per label: name: {panel: ..., at: [x, y], side: left}")
    for aid, a in am.items():
        p = ("anchors", aid)
        if not _ID.match(str(aid)):
            raise doc.error(p, f"{aid!r} is not a valid anchor id", hint="Use lower-case letters, digits, '-' and '_'")
        a = r.mapping(a, p, ("panel", "at", "side"))
        x, y = _numbers(r, a["at"], p + ("at",), 2)
        side = r.string(a["side"], p + ("side",))
        if side not in ("left", "right"):
            raise doc.error(p + ("side",), f"{side!r} is not a side", hint="Use left or right")
        pid = r.string(a["panel"], p + ("panel",))
        if pid not in panels:
            raise doc.error(p + ("panel",), f"unknown panel {pid!r}", hint="Use one of: " + ", ".join(panels))
        px, py, pw, ph = panels[pid]
        if not (px <= x <= px + pw and py <= y <= py + ph):
            raise doc.error(p + ("at",), f"the anchor lies outside its panel {pid!r} "
                            f"(x {px:g} to {px + pw:g}, y {py:g} to {py + ph:g})",
                            hint="Check the coordinates (viewBox units, y down) or the panel")
        beyond = [q for q, (qx, qy, qw, qh) in panels.items() if q != pid and qy < py + ph and py < qy + qh
                  and (qx + qw <= px + 0.01 if side == "left" else qx >= px + pw - 0.01)]
        if beyond:
            raise doc.error(p + ("side",), f"side: {side} would set this label beyond panel {beyond[0]!r}, "
                            f"its leader line crossing it (labels stay by their own panel)",
                            hint=f"Use side: {'right' if side == 'left' else 'left'}, or anchor it in the "
                                 f"panel at the {side} edge")
        anchors[aid] = Anchor(aid, (x - vx) * sx, height - (y - vy) * sy, side, (x, y), pid)
    diagram = Diagram(diagram_id, svg_path, width, height, anchors,
                      (vx, vy, vw, vh), panels)
    _CACHE[key] = diagram
    return diagram


def load_icon(tone: str, folder: Path, root: Path):
    """A call-out tone's icon (``assets/icons/<tone>.svg``), checked like a diagram."""
    from .layout.items import Svg
    path = folder / f"{tone}.svg"
    display = _display(path, root)
    if not path.is_file():
        raise LeafletError(f"no icon for the call-out tone {tone!r}", file=display,
                           hint="Ship an SVG icon for each tone in assets/icons/")
    check_svg(path, display)
    return Svg(path)


@dataclass(frozen=True)
class Image:
    """A raster illustration (PNG or JPEG) checked for size and soundness; its pixels, for the
    resolution check at the size it is printed."""
    path: Path
    width_px: int
    height_px: int


def load_image(name: str, folder: Path, root: Path) -> Image:
    from .brand import check_image
    from PIL import Image as PILImage
    path = folder / name
    display = _display(path, root)
    if not path.is_file():
        raise LeafletError(f"no image {name!r}", file=display, hint="Put the PNG or JPEG in assets/images/")
    check_image(path, display)
    with PILImage.open(path) as im:
        w, h = im.size
    return Image(path, w, h)
