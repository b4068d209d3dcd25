"""Brands: who publishes or co-brands a leaflet.

Input: ``assets/brands/<name>/brand.yaml`` and its logo. Output: a frozen :class:`Brand`
(name, colours, contact block, credit and licence lines with their translations, logo path kept
inside the brand's folder); :meth:`Brand.for_language` gives the lines a leaflet in one language
prints: the brand file's translation, else the source text as an isolated run, and the phone,
address and website as isolated runs that keep their own order in right-to-left text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .content.inline import InlineError, check_characters, check_url
from .content.loader import Reader, _display
from .content.template import expand, fields
from .content.yamlsafe import load_yaml
from .errors import LeafletError, kept
from .text.bidi import isolate

COLOUR_KEYS = ("primary", "on_primary", "accent", "text", "muted")
OPTIONAL_COLOURS = {"notice": "#8A1C1C"}    # the draft-translation line: dark red unless given
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
# Hard bounds on each printed fact (several times what any contact block holds: whether the facts
# fit a layout is checked where they are set, naming this file), so the work stays small and a
# pasted page of text is refused at once, naming the brand file rather than a handout.
MAX_LEN = {"name": 300, "organisation": 300, "phone": 100, "website": 200, "address": 1000,
           "credit": 1000, "licence": 1000}
MAX_URL = 300          # characters in a leaflet's online address (its QR code stays scannable)
TRANSLATED = ("name", "organisation", "credit", "licence", "provided_by")   # lines a brand may translate
_LANG_CODE = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?$")
PROVIDED_BY = "Provided by {name}."     # a partner's line under the nonprofit's credit (English)


@dataclass(frozen=True)
class Brand:
    """A brand (the nonprofit or a partner clinic): name, logo, colours, contact details, credit lines."""
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
    translations: dict = field(default_factory=dict)    # lang -> {line: text}, see TRANSLATED
    partner: str | None = None      # a partner clinic's name: "Provided by ..." after the credit
    rtl: bool = False               # set by for_language: the direction its lines are set in
    notes: tuple = ()               # a partner clinic's own short text, per language: (lang, text)

    def note(self, lang: str) -> str | None:
        """The clinic's text block (aftercare, hours) in a language, or None."""
        return dict(self.notes).get(lang)

    def online(self, handout: str, lang: str) -> str | None:
        """The address of the online copy, for the QR code (at most MAX_URL characters)."""
        if not self.online_url:
            return None
        url = expand(self.online_url, {"handout": handout, "lang": lang})
        if len(url) > MAX_URL:
            raise LeafletError(f"online_url gives an address of {len(url)} characters for {handout}/{lang}, "
                               f"over {MAX_URL}", file=self.file, key="online_url",
                               hint="A QR code must stay small enough to scan: shorten the address")
        return url

    @property
    def website_label(self) -> str:
        """The website as printed: without its scheme, in its own order, kept on one line."""
        return isolate(self.website.removeprefix("https://"), self.rtl, always=True)

    def for_language(self, code: str, rtl: bool) -> "Brand":
        """The brand as a leaflet in language ``code`` prints it: each line in that language
        where the brand file translates it, otherwise the source text as an isolated run (in its
        own direction, never scrambled); phone and address always isolated. Made once per
        language (every document sizes its clinic rooms by all the project's brands)."""
        made = self.__dict__.get("_by_language")
        if made is None:
            made = {}
            object.__setattr__(self, "_by_language", made)     # a cache, not a field
        key = (code, rtl)
        if key not in made:
            made[key] = self._for_language(code, rtl)
        return made[key]

    def _for_language(self, code: str, rtl: bool) -> "Brand":
        own = self.translations.get(code, {})
        base = self.translations.get("", {})     # the source lines of a partner's nonprofit

        def line(key: str, source: str) -> str:
            got = own.get(key)
            return got if got is not None else isolate(source, rtl)

        credit = line("credit", base.get("credit", self.credit))
        if self.partner is not None:
            template = own.get("provided_by")
            name = isolate(self.partner, rtl)
            if template is None:
                provided = isolate(base.get("provided_by", PROVIDED_BY).replace("{name}", self.partner), rtl)
            else:
                provided = template.replace("{name}", name)
            credit = f"{credit} {provided}"
        return replace(
            self, rtl=rtl, name=line("name", self.name), organisation=line("organisation", self.organisation),
            credit=credit, licence=line("licence", self.licence),
            phone=isolate(self.phone, rtl, always=True) if self.phone else None,
            address=isolate(self.address, rtl, always=True) if self.address else None)


def load_brand(path: Path, root: Path) -> Brand:
    display = _display(path, root)
    doc = load_yaml(path, display)
    r = Reader(doc)
    top = r.mapping(doc.data, (), ("name", "colours", "contact", "credit", "licence"),
                    ("logo", "online_url", "provided_by", "translations"))

    def plain(value, p) -> str:
        s = r.string(value, p)
        try:
            check_characters(s)
        except InlineError as exc:
            raise doc.error(p, str(exc)) from None
        return _limited(doc, " ".join(s.split()), p)

    colours = r.mapping(top["colours"], ("colours",), COLOUR_KEYS, tuple(OPTIONAL_COLOURS))
    for k, v in colours.items():
        if not isinstance(v, str) or not _HEX.match(v):
            raise doc.error(("colours", k), f"{v!r} is not a colour", hint='Write it as "#RRGGBB" in quotes')
    contact = r.mapping(top["contact"], ("contact",), ("organisation",), ("phone", "website", "address"))
    website = None
    if contact.get("website") is not None:
        try:
            website = check_url(_limited(doc, r.string(contact["website"], ("contact", "website")),
                                         ("contact", "website")))
        except InlineError as exc:
            raise doc.error(("contact", "website"), str(exc)) from None
    logo = None
    if top.get("logo") is not None:
        logo = resolve_inside(path.parent, r.string(top["logo"], ("logo",)), doc, ("logo",))
        check_image(logo, _display(logo, root))
    online_url = _online_url(r, doc, top.get("online_url"), ("online_url",))
    translations = {"": {"provided_by": _provided_by(doc, plain(top["provided_by"], ("provided_by",)),
                                                     ("provided_by",))}} if top.get("provided_by") else {}
    for code, lines in r.mapping(top.get("translations") or {}, ("translations",), (),
                                 tuple(top.get("translations") or {})).items():
        k = ("translations", code)
        if not isinstance(code, str) or not _LANG_CODE.match(code):
            raise doc.error(k, f"{code!r} is not a language code", hint="Use the code of a file in assets/languages/, e.g. es or zh-Hant")
        lines = r.mapping(lines, k, (), TRANSLATED)
        translations[code] = {key: plain(v, k + (key,)) for key, v in lines.items()}
        if "provided_by" in translations[code]:
            _provided_by(doc, translations[code]["provided_by"], k + ("provided_by",))
    return Brand(
        online_url=online_url, translations=translations,
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


def _limited(doc, text: str, path: tuple) -> str:
    limit = MAX_LEN.get(path[-1])
    if limit is not None and len(text) > limit:
        raise doc.error(path, f"is {len(text)} characters long, over {limit}: no contact block or footer "
                        "holds it", hint="Shorten it")
    return text


def _provided_by(doc, text: str, key) -> str:
    if text.count("{name}") != 1:
        raise doc.error(key, "must name the partner once, as {name}", hint='Write e.g. "Provided by {name}."')
    return text


def _online_url(r: Reader, doc, value, key) -> str | None:
    if value is None:
        return None
    template = r.string(value, key)
    try:
        fields(template, ("handout", "lang"))
        check_url(expand(template, {"handout": "h", "lang": "en"}))
        if len(template) > MAX_URL:
            raise ValueError(f"{len(template)} characters, over {MAX_URL}")
    except (InlineError, ValueError) as exc:
        raise doc.error(key, f"not a usable https address template ({exc})",
                        hint="Write e.g. https://example.org/{handout}/{lang}") from None
    return template


PARTNER_FILE = "assets/brands/partners.yaml"
MAX_NOTE = 400        # characters of a clinic's note in one language


def partner_ids(path: Path, root: Path) -> tuple[list[str], list[LeafletError]]:
    """The ids of the partner entries that can be told apart, and an error for each entry that
    cannot (no id, a bad id, an id used twice). A file that cannot be read at all raises."""
    doc = load_yaml(path, _display(path, root))
    r = Reader(doc)
    top = r.mapping(doc.data, (), ("base", "partners"))
    ids, problems = [], []
    for i, p in enumerate(r.seq(top["partners"], ("partners",))):
        k = ("partners", i)
        r = Reader(doc)         # each entry on its own, see load_partners
        try:
            p = r.mapping(p, k, ("id", "name"), ("phone", "website", "address", "logo", "note"))
            pid = r.ident(p["id"], k + ("id",))
            if pid in ids:
                raise doc.error(k + ("id",), f"partner id {pid!r} is used twice", hint="Give each partner its own id")
        except LeafletError as exc:
            problems.append(kept(exc))
            continue
        ids.append(pid)
    return ids, problems


def load_partners(path: Path, root: Path, base: Brand, doc=None) -> dict[str, Brand | LeafletError]:
    """Partner clinics from one file (``doc``: the file as loaded already, if it was): each
    becomes a brand with its own contact block, the publishing nonprofit's colours, logo (unless
    it has its own) and credit. Each entry stands alone: a bad entry is an error for that
    partner's leaflets only."""
    display = _display(path, root)
    if doc is None:
        doc = load_yaml(path, display)
    r = Reader(doc)
    top = r.mapping(doc.data, (), ("base", "partners"))
    out: dict[str, Brand | LeafletError] = {}
    lines = _partner_lines(base)        # one dict for every clinic: memory does not grow with each
    for i, p in enumerate(r.seq(top["partners"], ("partners",))):
        k = ("partners", i)
        # Each entry is read (and its text bounded, MAX_TEXT) on its own: a thousand clinics'
        # contact blocks are more text than one leaflet may hold, yet each clinic's is small.
        r = Reader(doc)
        try:
            p = r.mapping(p, k, ("id", "name"), ("phone", "website", "address", "logo", "note"))
            pid = r.ident(p["id"], k + ("id",))
        except LeafletError:
            continue            # reported once, by partner_ids
        if pid in out:
            continue
        try:
            out[pid] = _partner(r, doc, p, k, pid, path, root, base, display, lines)
        except LeafletError as exc:
            out[pid] = kept(exc)      # (raised again for each of its documents: Project.brand)
    return out


def _partner_lines(base: Brand) -> dict:
    """The nonprofit's translated lines a partner's leaflets print (the same for every partner);
    "" keeps its source credit (untranslated languages print it isolated) apart from each
    partner's own name."""
    lines = {code: {key: v for key, v in t.items() if key in ("credit", "licence", "provided_by")}
             for code, t in base.translations.items()}
    lines[""] = {"credit": base.credit, "provided_by": base.translations.get("", {}).get("provided_by", PROVIDED_BY)}
    return lines


def _partner(r: Reader, doc, p: dict, k: tuple, pid: str, path: Path, root: Path, base: Brand,
             display: str, lines: dict) -> Brand:
    def plain(key):
        if p.get(key) is None:
            return None
        s = r.string(p[key], k + (key,))
        try:
            check_characters(s)
        except InlineError as exc:
            raise doc.error(k + (key,), str(exc)) from None
        return _limited(doc, " ".join(s.split()), k + (key,))

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
    notes = []
    if p.get("note") is not None:
        nk = k + ("note",)
        nm = r.mapping(p["note"], nk, (), tuple(p["note"]) if isinstance(p["note"], dict) else ())
        for code, text in nm.items():
            s = r.string(text, nk + (code,))
            try:
                check_characters(s)
            except InlineError as exc:
                raise doc.error(nk + (code,), str(exc)) from None
            if len(s) > MAX_NOTE:
                raise doc.error(nk + (code,), f"a clinic note is at most {MAX_NOTE} characters, this one {len(s)}",
                                hint="Keep it to a few short sentences (hours, a phone line, aftercare)")
            notes.append((str(code), " ".join(s.split())))
    provided = lines[""]["provided_by"]
    return Brand(id=pid, name=name, file=display, logo=logo, colours=base.colours,
                 organisation=name, phone=plain("phone"), website=website,
                 address=plain("address"), credit=f"{base.credit} {provided.replace('{name}', name)}",
                 licence=base.licence, online_url=base.online_url, translations=lines, partner=name,
                 notes=tuple(notes))


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
