"""Build the static site into ``OUT/site/``.

Input: the :class:`Project`, the output folder with its ``manifest.json`` and PDFs, and
``assets/site.yaml``. Output: the site's files (pages, fonts, PDFs, zips, sitemap, stylesheet),
each written atomically and only when its bytes change, files of earlier builds that are no
longer produced removed (only those this builder wrote, listed in ``OUT/site-manifest.json``),
and a :class:`SiteReport` (pages written, unchanged, errors one line each).

Every page is made from the content model through Jinja2 templates with autoescaping: content is
text, never markup. Every block kind of the content model has a renderer here; a kind without
one fails the page with a clear message instead of leaving a silent gap.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .. import formatting
from ..brand import PROVIDED_BY
from ..content.model import Status
from ..diagram import load_diagram, load_icon, load_image
from ..errors import LeafletError
from ..project import Project, write_atomic
from .config import SiteConfig, load_site_config
from .figure import figure_view, icon_view, picture_uri
from .fonts import Subsetter, family_of
from .inline import runs

STATE = "site-manifest.json"      # in OUT, beside manifest.json: what the last site build wrote
# The template macro that draws each block kind of the content model. A kind missing here is
# reported (UnknownBlock), never skipped: tests/test_site.py checks this covers BLOCK_KINDS.
RENDERERS = {"paragraph": "paragraph", "bullets": "bullets", "steps": "steps", "callout": "callout",
             "figure": "figure", "table": "table", "write_in": "write_in"}
RESERVED = ("library", "clinics", "pdf", "fonts", "downloads", "site.css", "sitemap.xml")
_CSS_SAFE = re.compile(r"^[A-Za-z0-9_#.,:()\- ]*$")
_PATH_SAFE = re.compile(r"^[A-Za-z0-9._~\-]+(/[A-Za-z0-9._~\-]+)*$")


class UnknownBlock(LeafletError):
    pass


@dataclass
class SiteReport:
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    pages: list = field(default_factory=list)      # site-relative paths of the HTML pages
    errors: list = field(default_factory=list)     # one line each


def _env():
    import jinja2
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).resolve().parent / "templates")),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True)
    env.globals["runs"] = runs
    return env


class SiteBuilder:
    def __init__(self, project: Project, out: Path):
        self.project = project
        self.out = out
        self.site = out / "site"
        self.config: SiteConfig = load_site_config(project.root / "assets" / "site.yaml", project.root)
        if self.config.brand not in project.all_brands():
            raise LeafletError(f"brand {self.config.brand!r} is not a brand", file=self.config.file, key="brand",
                               hint="Name a folder in assets/brands/ or a partner id")
        if self.config.language not in project.languages:
            raise LeafletError(f"language {self.config.language!r} has no settings", file=self.config.file,
                               key="language", hint="Name a file in assets/languages/")
        self.env = _env()
        self.state = self._state()
        self.fonts = Subsetter(self.state.get("fonts", {}), lambda name: (self.site / "fonts" / name).is_file()
                               and f"fonts/{name}" in self.state.get("files", {}))
        self.files: dict[str, bytes] = {}          # site path -> bytes (pages, css, sitemap, fonts)
        self.copies: dict[str, Path] = {}          # site path -> PDF in OUT
        self.zips: dict[str, list] = {}            # site path -> [(name, OUT path)]
        self.report = SiteReport()
        self.docs = self._documents()

    # -- what the build made ------------------------------------------------------------------
    def _state(self) -> dict:
        """What the last site build wrote (files and their digests, zip and font keys)."""
        try:
            state = json.loads((self.out / STATE).read_text(encoding="utf-8"))
            return {k: dict(state.get(k, {})) for k in ("files", "zips", "fonts")}
        except (OSError, ValueError, TypeError, AttributeError):
            return {"files": {}, "zips": {}, "fonts": {}}

    def _documents(self) -> list[dict]:
        """The built PDFs, from OUT/manifest.json (an entry that is not sound is left out)."""
        try:
            docs = json.loads((self.out / "manifest.json").read_text(encoding="utf-8"))["documents"]
        except (OSError, ValueError, KeyError, TypeError):
            return []
        ok, root = [], self.out.resolve()
        for d in docs if isinstance(docs, list) else []:
            if not isinstance(d, dict) or d.get("status") != "ok" or d.get("kind", "office") != "office" or \
                    not all(isinstance(d.get(k), str) for k in ("handout", "lang", "layout", "brand", "path")):
                continue
            p = d["path"]
            if _PATH_SAFE.match(p) and ".." not in p.split("/") and p.endswith(".pdf") \
                    and (self.out / p).is_file() and (self.out / p).resolve().is_relative_to(root):
                ok.append(d)     # only PDFs the press wrote inside OUT go into the site
        return sorted(ok, key=lambda d: d["path"])

    def pdfs(self, brand: str, handout: str, lang: str) -> list[dict]:
        out = []
        for d in self.docs:
            if (d["brand"], d["handout"], d["lang"]) == (brand, handout, lang):
                site_path = "pdf/" + d["path"]
                self.copies[site_path] = self.out / d["path"]
                out.append({"layout": d["layout"], "path": site_path, "pages": d.get("pages", 0),
                            "size": _size((self.out / d["path"]).stat().st_size),
                            "description": self._layout_description(d["layout"])})
        return sorted(out, key=lambda p: list(self.project.layouts).index(p["layout"])
                      if p["layout"] in self.project.layouts else 99)

    def _layout_description(self, name: str) -> str:
        try:
            return self.project.layout(name).description
        except (LeafletError, KeyError):
            return name

    # -- addresses -------------------------------------------------------------------------------
    def page_of(self, url: str) -> str | None:
        """The site path of a page URL, or None when the URL is not inside the site."""
        base = self.config.base_url
        if not url.startswith(base):
            return None
        rest = url[len(base):].split("#", 1)[0].split("?", 1)[0].strip("/")
        if not rest:
            return "index.html"
        if not _PATH_SAFE.match(rest) or any(part in (".", "..") for part in rest.split("/")):
            return None
        return rest if rest.endswith(".html") else rest + "/index.html"

    def url_of(self, site_path: str) -> str:
        p = site_path.removesuffix("index.html")
        return self.config.base_url + p

    # -- pages -------------------------------------------------------------------------------------
    def build(self) -> SiteReport:
        p = self.project
        brand = p.brand(self.config.brand)
        copies: dict[str, tuple] = {}              # site path -> (handout, lang, brand id)
        bad: set = set()
        for hid, langs in p.handouts.items():
            for lang in langs:
                for bid in [self.config.brand] + [b for b in p.all_brands() if b != self.config.brand]:
                    if bid in bad:
                        continue
                    try:
                        b = p.brand(bid)
                    except LeafletError as exc:
                        bad.add(bid)
                        self._error(f"site: {exc}")
                        continue
                    url = b.online(hid, lang)
                    if url is None:
                        continue
                    path = self.page_of(url)
                    problem = None
                    if path is None:
                        problem = (f"{url} is not an address inside the site ({self.config.base_url}, "
                                   f"{self.config.file}): its QR codes would lead nowhere. Make online_url and "
                                   "base_url agree")
                    elif path.split("/")[0] in RESERVED or path == "index.html":
                        problem = (f"{url} is an address the site uses for its own pages "
                                   f"({', '.join(sorted(RESERVED))}, the index). Use e.g. {{handout}}/{{lang}}")
                    elif path in copies and copies[path][:2] != (hid, lang):
                        problem = (f"{url} is the address of two online copies ({copies[path][0]}/{copies[path][1]} "
                                   f"and {hid}/{lang}). Put {{handout}} and {{lang}} in it")
                    if problem:
                        bad.add(bid)
                        self._error(f"{b.file}: online_url: {problem}")
                        continue
                    copies.setdefault(path, (hid, lang, bid))
        # First what every copy holds: a copy that cannot be made is left out before any page
        # links to it (its QR codes are then reported below).
        contents = {}
        for path, (hid, lang, bid) in sorted(copies.items()):
            try:
                contents[path] = self._content(hid, lang)
            except LeafletError as exc:
                self._error(f"site: {path}: {exc}")
        copies = {path: c for path, c in copies.items() if path in contents}
        self.online = copies
        self.online_by = {(h, l): path for path, (h, l, b) in sorted(copies.items(), reverse=True)}
        for path, (hid, lang, bid) in sorted(copies.items()):
            try:
                self._leaflet(path, hid, lang, p.brand(bid), contents[path])
            except LeafletError as exc:
                self._error(f"site: {path}: {exc}")
        langs = sorted({lang for langs in p.handouts.values() for lang in langs})
        for lang in langs:
            try:
                self._library(lang, langs)
            except LeafletError as exc:
                self._error(f"site: library/{lang}/index.html: {exc}")
        try:
            self._index(langs)
        except LeafletError as exc:
            self._error(f"site: index.html: {exc}")
        for bid in p.all_brands():
            if bid != self.config.brand:
                try:
                    self._clinic(bid)
                except LeafletError as exc:
                    self._error(f"site: clinics/{bid}/index.html: {exc}")
        self._check_qr_codes()
        self.files["site.css"] = self.env.get_template("site.css").render(
            colours=_colours(brand.colours)).encode("utf-8")
        self.files["sitemap.xml"] = self.env.get_template("sitemap.xml").render(
            urls=self._sitemap()).encode("utf-8")
        self._write()
        return self.report

    def _error(self, line: str) -> None:
        if line not in self.report.errors:
            self.report.errors.append(line)

    def _check_qr_codes(self) -> None:
        """Every built PDF's QR code must open a page of the site, in the PDF's language
        (one line per address that does not, naming the first PDF and how many there are)."""
        wrong: dict = {}
        for d in self.docs:
            if d["lang"] not in self.project.handouts.get(d["handout"], {}):
                continue        # a pseudo-locale (en-XA...): a layout test, never handed out
            try:
                url = self.project.brand(d["brand"]).online(d["handout"], d["lang"])
            except LeafletError:
                continue
            if url is None:
                continue
            path = self.page_of(url)
            if path not in self.files or path not in self.online:
                wrong.setdefault((url, "which the site does not have"), []).append(d["path"])
            elif self.online[path][:2] != (d["handout"], d["lang"]):
                wrong.setdefault((url, f"the online copy of {'/'.join(self.online[path][:2])}, not of "
                                       f"{d['handout']}/{d['lang']}"), []).append(d["path"])
        for (url, why), paths in wrong.items():
            more = f" (and {len(paths) - 1} more PDF(s))" if len(paths) > 1 else ""
            self._error(f"site: {paths[0]}{more}: its QR code opens {url}, {why}")

    def lang_info(self, code: str) -> dict:
        lang = self.project.language(code)
        return {"code": code, "dir": lang.direction, "name": lang.native_name, "english": lang.name}

    def word(self, lang: str, key: str, **values) -> dict:
        text, in_lang = self.config.word(lang, key, **values)
        return {"text": text, "lang": in_lang if in_lang != lang else None,
                "dir": self.project.language(in_lang).direction if in_lang != lang else None}

    def _render(self, site_path: str, template: str, lang: str, **ctx) -> None:
        depth = site_path.count("/")
        root = "../" * depth
        base = dict(root=root, lang=self.lang_info(lang), site_brand=self.project.brand(self.config.brand),
                    w=lambda key, **v: self.word(lang, key, **v), runs=runs, canonical=self.url_of(site_path),
                    library_href=root + f"library/{lang}/index.html" if lang in self._languages() else root + "index.html",
                    faces=[], stacks=[], site_lang=self.config.language,
                    wl=lambda other: (lambda key, **v: self.word(other, key, **v)),
                    footer_lines=brand_lines(self.project.brand(self.config.brand), lang, self.config.language),
                    footer_quote=self.config.language if self.project.language(lang).script != "Latn" else None)
        base.update(ctx)
        tpl = self.env.get_template(template)
        first = tpl.render(**base)
        base["faces"], base["stacks"] = self._fonts(first, lang, root)
        self.files[site_path] = tpl.render(**base).encode("utf-8")
        self.report.pages.append(site_path)

    def _languages(self) -> set:
        return {lang for langs in self.project.handouts.values() for lang in langs}

    def _fonts(self, page: str, lang: str, root: str):
        """The WOFF2 subsets this page needs and the font stack of each language on it: every
        character goes to the font the browser will draw it with (the first font of its
        language's stack, in its style, that has it), so each subset holds just those."""
        wanted: dict = {}               # font name -> (font, set of characters)
        codes = [lang]
        for text, code, style in page_text(page, lang):
            if code not in self.project.languages:
                code = lang
            if code not in codes:
                codes.append(code)
            stack = self.project.typesetter(code).stacks[style]
            for ch in text:
                if ch in "\n\r\t" or unicodedata.category(ch) == "Cf":     # spaces are drawn: kept
                    continue
                for font in stack:
                    if font.has(ch):
                        wanted.setdefault(font.name, (font, set()))[1].add(ch)
                        break
                else:       # the browser would draw it with whatever the phone has, or a box
                    raise LeafletError(f"no font of {code!r} ({style}) has {ch!r} (U+{ord(ch):04X}), "
                                       f"in {text.strip()[:40]!r}",
                                       hint="Add a font that has it to the language's stack, or change the text")
        faces, stacks = [], []
        for name, (font, chars) in sorted(wanted.items()):
            got = self.fonts.subset(font, "".join(chars))
            if got:
                face, data = got
                self.files["fonts/" + face.file] = data
                faces.append({"family": face.family, "weight": face.weight, "style": face.style,
                              "href": root + "fonts/" + face.file})
        for code in codes:
            families = list(dict.fromkeys(family_of(f.name)[0] for f in self.project.typesetter(code).stacks["regular"]))
            stacks.append({"lang": code, "families": ",".join(families + ["sans-serif"])})
        for f in faces + stacks:
            for v in f.values():
                if not _CSS_SAFE.match(str(v).replace("/", "")):
                    raise LeafletError(f"font name {v!r} cannot go into CSS", hint="Rename the font file")
        return sorted(faces, key=lambda f: (f["family"], f["weight"], f["style"])), stacks

    def _content(self, hid: str, code: str) -> list:
        """The sections of one online copy, each block with its renderer (and the figure's view).
        Raises for a block kind without a renderer, an unreadable file, a diagram that fails."""
        p = self.project
        h = p.handout(hid, code)
        p.source(hid)
        ts = p.typesetter(code)
        sections = []
        for si, sec in enumerate(h.sections):
            blocks = []
            for bi, block in enumerate(sec.blocks):
                kind = getattr(block, "kind", type(block).__name__)
                macro = RENDERERS.get(kind)
                if macro is None:
                    raise UnknownBlock(f"block kind {kind!r} has no web rendering", file=h.file,
                                       key=f"sections[{si}].blocks[{bi}]",
                                       hint="Add a renderer for it in leafpress/site/build.py (RENDERERS) "
                                            "and templates/macros.html")
                entry = {"kind": macro, "block": block}
                if kind == "figure" and block.image is not None:
                    entry["kind"] = "picture"
                    entry["src"] = picture_uri(load_image(block.image, p.root / "assets" / "images", p.root))
                elif kind == "figure":
                    diagram = load_diagram(block.diagram, p.root / "assets" / "diagrams", p.root)
                    entry["view"] = figure_view(block, diagram, ts, f"fig{si}-{bi}", h.file)
                if kind == "callout" and block.tone:
                    icon = load_icon(block.tone, p.root / "assets" / "icons", p.root)
                    entry["icon"] = icon_view(icon.path)
                    entry["icon_alt"] = p.language(code).strings.get("icon_" + block.tone.replace("-", "_"), block.tone)
                blocks.append(entry)
            sections.append({"id": f"s-{sec.id}", "heading": sec.heading, "blocks": blocks})
        return sections

    def _leaflet(self, path: str, hid: str, code: str, brand, sections: list) -> None:
        p = self.project
        h = p.handout(hid, code)
        source = p.source(hid)
        lang = p.language(code)
        quote = source.lang if lang.script != "Latn" and source.lang != code else None
        notice = []
        if h.translation.status not in (Status.REVIEWED, Status.SOURCE):
            notice.append({"text": lang.strings["draft_notice"], "lang": None, "dir": None})
            if source.lang in p.languages:
                other = p.language(source.lang)
                if other.strings["draft_notice"] != lang.strings["draft_notice"]:
                    notice.append({"text": other.strings["draft_notice"], "lang": other.code,
                                   "dir": other.direction})
        others = []         # every language, this one marked: the same list (and fonts) on every copy
        for other in sorted(p.handouts[hid]):
            if (hid, other) in self.online_by:
                others.append(dict(self.lang_info(other), href=_rel(path, self.online_by[(hid, other)]),
                                   url=self.url_of(self.online_by[(hid, other)]), current=other == code))
        pdfs = self.pdfs(self.config.brand if brand.id == self.config.brand or not self._has_pdfs(brand.id)
                         else brand.id, hid, code)
        for d in pdfs:
            d["href"] = _rel(path, d["path"])
        f = formatting.for_language(lang)
        facts = []          # (before, value, after, isolated): version and review date as the PDF prints them
        for key, name, value, isolated in (("version", "version", f.native(h.version), True),
                                           ("last_reviewed", "date", f.date(h.last_reviewed), False)):
            before, _, after = lang.strings[key].partition("{" + name + "}")
            facts.append((before, value, after, isolated))
        self._render(path, "leaflet.html", code, h=h, contact_heading=lang.strings["contact"],
                     phone_href=_tel(brand.phone), sections=sections, notice=notice, others=others,
                     pdfs=pdfs, brand=brand, lines=brand_lines(brand, code, self.config.language), facts=facts,
                     quote=quote,
                     source_lang=self.lang_info(source.lang) if quote else None,
                     desc_lang=self.lang_info(self.config.language) if code != self.config.language else None,
                     title=h.title.plain, alternates=[{"lang": o["code"], "url": o["url"]} for o in others] +
                     [{"lang": "x-default", "url": o["url"]} for o in others if o["code"] == source.lang])

    def _has_pdfs(self, brand: str) -> bool:
        return any(d["brand"] == brand for d in self.docs)

    def _titles(self, hid: str) -> dict:
        out = {}
        for code in sorted(self.project.handouts[hid]):
            try:
                h = self.project.handout(hid, code)
            except LeafletError:
                continue
            out[code] = h
        return out

    def _library(self, code: str, langs: list) -> None:
        path = f"library/{code}/index.html"
        items = []
        for hid in self.project.handouts:
            if (hid, code) not in self.online_by:
                continue
            h = self._titles(hid).get(code)
            if h is None:
                continue
            items.append({"h": h, "href": _rel(path, self.online_by[(hid, code)])})
        zip_path = f"downloads/leaflets-{code}.zip"
        members = [(PurePosixPath(d["path"]).name, self.out / d["path"]) for d in self.docs
                   if d["lang"] == code and d["brand"] == self.config.brand]
        zip_link = None
        if members:
            self.zips[zip_path] = members
            size = sum(m[1].stat().st_size for m in members)
            zip_link = {"href": _rel(path, zip_path), "word": self.word(code, "download_all", size=_size(size))}
        self._render(path, "library.html", code, items=items, zip=zip_link, title=self.word(code, "library")["text"],
                     picker=self._picker(path, langs), alternates=[
                         {"lang": c, "url": self.url_of(f"library/{c}/index.html")} for c in langs])

    def _picker(self, path: str, langs: list) -> list:
        return [dict(self.lang_info(c), href=_rel(path, f"library/{c}/index.html"),
                     current=path == f"library/{c}/index.html") for c in langs]

    def _index(self, langs: list) -> None:
        path = "index.html"
        code = self.config.language
        handouts = []
        for hid in self.project.handouts:
            titles = self._titles(hid)
            if not titles:
                continue
            try:
                main = self.project.source(hid)
            except LeafletError:
                main = next(iter(titles.values()))
            handouts.append({"h": main, "copies": [
                dict(self.lang_info(c), title=h.title, href=_rel(path, self.online_by[(hid, c)]))
                for c, h in titles.items() if (hid, c) in self.online_by]})
        clinics = [{"name": self.project.brand(b).name, "href": f"clinics/{b}/index.html"}
                   for b in self.project.all_brands() if b != self.config.brand and self._brand_ok(b)]
        self._render(path, "index.html", code, handouts=handouts, picker=self._picker(path, langs),
                     clinics=clinics, title=self.word(code, "library")["text"], alternates=[])

    def _brand_ok(self, bid: str) -> bool:
        try:
            self.project.brand(bid)
            return True
        except LeafletError:
            return False

    def _clinic(self, bid: str) -> None:
        brand = self.project.brand(bid)
        path = f"clinics/{bid}/index.html"
        code = self.config.language
        handouts = []
        for hid in self.project.handouts:
            titles = self._titles(hid)
            langs = []
            for c, h in titles.items():
                pdfs = self.pdfs(bid, hid, c)
                for d in pdfs:
                    d["href"] = _rel(path, d["path"])
                if pdfs:
                    langs.append(dict(self.lang_info(c), title=h.title, pdfs=pdfs,
                                      online=_rel(path, self.online_by[(hid, c)]) if (hid, c) in self.online_by else None))
            if langs:
                handouts.append({"h": titles.get(self.config.language) or next(iter(titles.values())),
                                 "langs": langs})
        notes = [dict(self.lang_info(c), text=t) for c, t in sorted(brand.notes, key=lambda n: n[0] != code)
                 if c in self.project.languages]     # the clinic's own note, site language first
        self._render(path, "clinic.html", code, brand=brand, handouts=handouts, title=brand.name, alternates=[],
                     notes=notes,
                     phone_href=_tel(brand.phone), desc_lang=self.lang_info(self.config.language))

    def _sitemap(self) -> list:
        urls = []
        for path in sorted(self.report.pages):
            urls.append(self.url_of(path))
        return urls

    # -- writing ---------------------------------------------------------------------------------
    def _write(self) -> None:
        state_path = self.out / STATE
        old_files, old_zips = self.state["files"], self.state["zips"]
        new: dict[str, str] = {}
        zips: dict[str, str] = {}

        def put(rel: str, data: bytes | None, digest: str, size: int) -> None:
            target = self.site / rel
            new[rel] = digest
            try:
                same = old_files.get(rel) == digest and target.stat().st_size == size and not target.is_symlink()
            except OSError:
                same = False
            if same:
                self.report.unchanged += 1
                return
            write_atomic(target, data if data is not None else b"", inside=self.out)   # never through a link
            self.report.written += 1

        for rel, data in sorted(self.files.items()):
            if data is None:            # a font subset made by an earlier build, still there
                new[rel] = old_files[rel]
                self.report.unchanged += 1
                continue
            put(rel, data, hashlib.sha256(data).hexdigest(), len(data))
        for rel, src in sorted(self.copies.items()):
            data = src.read_bytes()
            put(rel, data, hashlib.sha256(data).hexdigest(), len(data))
        for rel, members in sorted(self.zips.items()):
            key = hashlib.sha256("".join(f"{n}:{self._digest(p)}\n" for n, p in members).encode()).hexdigest()
            zips[rel] = key
            target = self.site / rel
            if old_zips.get(rel) == key and rel in old_files and target.is_file():
                new[rel] = old_files[rel]
                self.report.unchanged += 1
                continue
            data = _zip(members)
            put(rel, data, hashlib.sha256(data).hexdigest(), len(data))
        site_root = self.site.resolve()
        for rel in sorted(set(old_files) - set(new)):
            target = (self.site / rel)
            if target.resolve().is_relative_to(site_root) and target.is_file() and not target.is_symlink():
                target.unlink()
                self.report.removed += 1
        state = {"files": new, "zips": zips, "fonts": self.fonts.used}
        write_atomic(state_path, (json.dumps(state, indent=1, sort_keys=True) + "\n").encode())

    def _digest(self, path: Path) -> str:
        rel = path.relative_to(self.out).as_posix()
        for d in self.docs:
            if d["path"] == rel and d.get("sha256"):
                return d["sha256"]
        return hashlib.sha256(path.read_bytes()).hexdigest()


# What the stylesheet sets in bold or italic (site.css): a character drawn there needs the bold or
# italic font. Keep these in step with site.css; the browser test fails on any text drawn in a
# font that is not the page's own (a character missing from a subset).
BOLD_TAGS = {"h1", "h2", "h3", "strong", "b", "th"}
BOLD_CLASSES = {"notice", "callout", "endonym", "download", "brand"}
ITALIC_TAGS = {"em", "i"}
_VOID = {"meta", "link", "br", "img", "input", "hr", "source", "wbr"}


def page_text(page: str, lang: str):
    """(text, language, style) for every piece of text a browser draws on the page, and the
    digits of the numbered steps (drawn by the stylesheet, in bold)."""
    from html.parser import HTMLParser
    out = [("0123456789", lang, "bold")]

    class P(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.stack = [("", lang, "regular", False)]

        def handle_starttag(self, tag, attrs):
            if tag in _VOID:
                return
            a = dict(attrs)
            _, code, style, skip = self.stack[-1]
            code = a.get("lang") or code
            classes = set((a.get("class") or "").split())
            if tag in BOLD_TAGS or classes & BOLD_CLASSES:
                style = "bold"
            elif tag in ITALIC_TAGS and style == "regular":
                style = "italic"
            self.stack.append((tag, code, style, skip or tag in ("title", "style", "script")))

        def handle_endtag(self, tag):
            for i in range(len(self.stack) - 1, 0, -1):
                if self.stack[i][0] == tag:
                    del self.stack[i:]
                    break

        def handle_data(self, data):
            _, code, style, skip = self.stack[-1]
            if not skip and data.strip():
                out.append((data, code, style))

    P().feed(page)
    return out


def _rel(page: str, target: str) -> str:
    """A relative link from one site page to another site path (works from the file system)."""
    depth = page.count("/")
    return "../" * depth + target


def brand_lines(brand, code: str, source_lang: str) -> dict:
    """The brand's lines as a page in language ``code`` prints them, each as (text, language):
    the brand file's translation (in ``code``), else its source line (in ``source_lang``). The
    same choice as Brand.for_language makes for the PDF, without its bidi controls: the page
    isolates with <bdi> and says the language with ``lang``."""
    own = brand.translations.get(code, {})
    base = brand.translations.get("", {})

    def line(key: str, source: str) -> tuple:
        got = own.get(key)
        return (got, code) if got is not None else (source, source_lang)

    credit = [line("credit", base.get("credit", brand.credit))]
    if brand.partner is not None:
        template = own.get("provided_by")
        if template is None:
            credit.append((base.get("provided_by", PROVIDED_BY).replace("{name}", brand.partner), source_lang))
        else:
            credit.append((template.replace("{name}", brand.partner), code))
    credit.append(line("licence", brand.licence))
    return {"organisation": line("organisation", brand.organisation), "credit": credit}


def _tel(phone: str | None) -> str:
    return "".join(ch for ch in phone or "" if ch.isdigit() or ch == "+")


def _size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    return f"{max(1, round(n / 1000))} KB"


def _colours(colours: dict) -> dict:
    out = {}
    for k, v in colours.items():
        if not re.fullmatch(r"#[0-9A-Fa-f]{6}", v):
            raise LeafletError(f"colour {k} {v!r} cannot go into CSS")
        out[k] = v
    return out


def _zip(members: list) -> bytes:
    """A zip with fixed dates and permissions: the same PDFs give the same bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, path in sorted(members):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.create_system = 3
            info.external_attr = 0o644 << 16
            z.writestr(info, path.read_bytes())
    return buf.getvalue()


def build_site(project: Project, out: Path) -> SiteReport:
    return SiteBuilder(project, out).build()


__all__ = ["build_site", "SiteBuilder", "RENDERERS"]
