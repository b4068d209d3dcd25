"""Brands: who publishes or co-brands a leaflet.

Input: ``assets/brands/<name>/brand.yaml`` and its logo. Output: a frozen :class:`Brand`
(name, colours, contact block, credit and licence lines, logo path kept inside the brand's
folder).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .content.inline import InlineError, check_characters, check_url
from .content.loader import Reader, _display
from .content.yamlsafe import load_yaml
from .errors import LeafletError

COLOUR_KEYS = ("primary", "on_primary", "accent", "text", "muted")
OPTIONAL_COLOURS = {"notice": "#8A1C1C"}    # the draft-translation line: dark red unless given
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class Brand:
    id: str
    name: str
    file: str
    logo: Path | None
    colours: dict            # key -> "#RRGGBB"
    organisation: str
    phone: str | None
    website: str | None
    address: str | None
    credit: str
    licence: str
    online_url: str | None = None   # template for the online copy: {handout}, {lang} -> QR code
    partner: str | None = None      # a partner clinic's name: its credit adds "provided by" it
    provided_by: str | None = None  # the partners file's wording for that, e.g. "Provided by {name}."

    def online(self, handout: str, lang: str) -> str | None:
        return self.online_url.format(handout=handout, lang=lang) if self.online_url else None


def load_brand(path: Path, root: Path) -> Brand:
    display = _display(path, root)
    doc = load_yaml(path, display)
    r = Reader(doc)
    top = r.mapping(doc.data, (), ("name", "colours", "contact", "credit", "licence"), ("logo", "online_url"))

    def plain(value, p) -> str:
        s = r.string(value, p)
        try:
            check_characters(s)
        except InlineError as exc:
            raise doc.error(p, str(exc)) from None
        return " ".join(s.split())

    colours = r.mapping(top["colours"], ("colours",), COLOUR_KEYS, tuple(OPTIONAL_COLOURS))
    for k, v in colours.items():
        if not isinstance(v, str) or not _HEX.match(v):
            raise doc.error(("colours", k), f"{v!r} is not a colour", hint='Write it as "#RRGGBB" in quotes')
    contact = r.mapping(top["contact"], ("contact",), ("organisation",), ("phone", "website", "address"))
    website = None
    if contact.get("website") is not None:
        try:
            website = check_url(r.string(contact["website"], ("contact", "website")))
        except InlineError as exc:
            raise doc.error(("contact", "website"), str(exc)) from None
    logo = None
    if top.get("logo") is not None:
        logo = resolve_inside(path.parent, r.string(top["logo"], ("logo",)), doc, ("logo",))
        check_image(logo, _display(logo, root))
    online_url = _online_url(r, doc, top.get("online_url"), ("online_url",))
    return Brand(
        online_url=online_url,
        id=path.parent.name, name=plain(top["name"], ("name",)), file=display, logo=logo,
        colours={**OPTIONAL_COLOURS, **colours}, organisation=plain(contact["organisation"], ("contact", "organisation")),
        phone=plain(contact["phone"], ("contact", "phone")) if contact.get("phone") is not None else None,
        website=website,
        address=plain(contact["address"], ("contact", "address")) if contact.get("address") is not None else None,
        credit=plain(top["credit"], ("credit",)), licence=plain(top["licence"], ("licence",)),
    )


MAX_PIXELS = 50_000_000
RASTER = {".png", ".jpg", ".jpeg"}


def check_image(path: Path, display: str) -> None:
    """A logo must be an SVG (checked when drawn) or a sound PNG/JPEG of sensible size."""
    suffix = path.suffix.lower()
    if suffix == ".svg":
        return
    if suffix not in RASTER:
        raise LeafletError(f"logo format {suffix or '(none)'} is not supported", file=display,
                           hint="Use an SVG (best) or a PNG/JPEG")
    from PIL import Image
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(path) as im:
            w, h = im.size
            if w * h > MAX_PIXELS:
                raise LeafletError(f"image is {w}x{h} pixels, over {MAX_PIXELS // 1_000_000} megapixels",
                                   file=display, hint="Scale it down; 300 dpi at the printed size is enough")
            im.verify()
        with Image.open(path) as im:
            im.load()           # decode it all: truncated files fail here, not in the renderer
    except LeafletError:
        raise
    except Image.DecompressionBombError:
        raise LeafletError(f"image is too large to open safely (over {MAX_PIXELS // 1_000_000} megapixels)",
                           file=display, hint="Scale it down") from None
    except (OSError, SyntaxError, ValueError) as exc:
        reason = str(exc).replace(f"'{path}'", "").replace(str(path), "").replace("  ", " ").strip()
        raise LeafletError(f"image cannot be read ({reason})", file=display,
                           hint="Export it again as PNG or JPEG") from None


def _online_url(r: Reader, doc, value, key) -> str | None:
    if value is None:
        return None
    template = r.string(value, key)
    try:
        check_url(template.format(handout="h", lang="en"))
    except (InlineError, KeyError, IndexError, ValueError) as exc:
        raise doc.error(key, f"not a usable https address template ({exc})",
                        hint="Write e.g. https://example.org/{handout}/{lang}") from None
    return template


def load_partners(path: Path, root: Path, base: Brand) -> list[Brand]:
    """Partner clinics from one file: each becomes a brand with its own contact block, the
    publishing nonprofit's colours, logo (unless it has its own) and credit."""
    display = _display(path, root)
    doc = load_yaml(path, display)
    r = Reader(doc)
    top = r.mapping(doc.data, (), ("base", "partners"), ("provided_by",))
    provided_by = None
    if top.get("provided_by") is not None:
        provided_by = r.string(top["provided_by"], ("provided_by",))
        try:
            provided_by.format(name="Clinic")
        except (KeyError, IndexError, ValueError) as exc:
            raise doc.error(("provided_by",), f"bad placeholder {exc}", hint="Only {name} may appear in braces") from None
    out = []
    seen = set()
    for i, p in enumerate(r.seq(top["partners"], ("partners",))):
        k = ("partners", i)
        p = r.mapping(p, k, ("id", "name"), ("phone", "website", "address", "logo"))
        pid = r.ident(p["id"], k + ("id",))
        if pid in seen:
            raise doc.error(k + ("id",), f"partner id {pid!r} is used twice", hint="Give each partner its own id")
        seen.add(pid)

        def plain(key):
            if p.get(key) is None:
                return None
            s = r.string(p[key], k + (key,))
            try:
                check_characters(s)
            except InlineError as exc:
                raise doc.error(k + (key,), str(exc)) from None
            return " ".join(s.split())

        website = plain("website")
        if website:
            try:
                check_url(website)
            except InlineError as exc:
                raise doc.error(k + ("website",), str(exc)) from None
        logo = base.logo
        if p.get("logo") is not None:
            logo = resolve_inside(path.parent / "partners", r.string(p["logo"], k + ("logo",)), doc, k + ("logo",))
            check_image(logo, _display(logo, root))
        name = plain("name")
        out.append(Brand(id=pid, name=name, file=display, logo=logo, colours=base.colours,
                         organisation=name, phone=plain("phone"), website=website,
                         address=plain("address"), credit=base.credit, licence=base.licence,
                         online_url=base.online_url, partner=name, provided_by=provided_by))
    return out


def resolve_inside(folder: Path, name: str, doc, key) -> Path:
    """A file named in YAML must stay inside ``folder``: no absolute paths, no '..', no
    symlinks that lead out, and it must exist."""
    if Path(name).is_absolute() or "\\" in name or any(part == ".." for part in Path(name).parts):
        raise doc.error(key, f"the path {name!r} leaves its folder",
                        hint=f"Name a file inside {folder.name}/ without '..' or a leading '/'")
    target = (folder / name).resolve()
    if not target.is_relative_to(folder.resolve()):
        raise doc.error(key, f"the path {name!r} leads outside {folder.name}/ (through a link)",
                        hint="Copy the file into the folder instead of linking to it")
    if not target.is_file():
        raise doc.error(key, f"the file {name!r} does not exist in {folder.name}/",
                        hint="Add the file or fix the name")
    return target
