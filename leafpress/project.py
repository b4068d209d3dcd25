"""The project on disk and the building of one document.

Input: the project folder (handouts/, layouts/, assets/) and a job (handout, language, layout,
brand). Output: a manifest entry (dict) and, when it built, a complete PDF written atomically.
Everything a document needs is loaded once per process and cached.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from typing import TYPE_CHECKING

from . import ENGINE_VERSION, gcpolicy
from .errors import LeafletError, UsageError, kept
from .files import is_regular, read_limited, sha256_regular, signature
from .lru import Lru
from .usercache import MIN_HASHED as MIN_USER_HASHED, Hashes, recorded

if TYPE_CHECKING:
    from .brand import Brand
    from .content.model import Handout
    from .languages import Language
    from .layout.spec import LayoutSpec

# The loaders (YAML, the content model, brands, languages, layouts) are imported where first
# used: a rebuild with nothing changed (cli, plancache) and the output folder's code import
# this module for Job and the atomic writes without them.

# Imported where first used (a rebuild with nothing changed never shapes text or draws):
# .text.fonts and .text.setter (HarfBuzz, ICU), .diagram.


@dataclass(frozen=True)
class Job:
    """One document to build: a handout in a language, a layout and a brand (and which copy)."""
    handout: str
    lang: str
    layout: str
    brand: str
    kind: str = "office"        # or "print-shop": bleed, crop marks and page boxes (see KINDS)

    def path(self) -> str:
        folder = f"{self.brand}/{self.handout}/" + ("" if self.kind == "office" else f"{self.kind}/")
        return f"{folder}{self.handout}-{self.lang}-{self.layout}.pdf"


KINDS = ("office", "print-shop")    # the office printer's PDF, and the print shop's beside it


class Project:
    """What is on disk: handouts and their languages, language settings, layouts, brands."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        hdir = self.root / "handouts"
        if not hdir.is_dir():
            raise UsageError("no handouts/ folder here", file=str(self.root),
                             hint="Run from the project folder")
        self.handouts: dict[str, dict[str, Path]] = {}
        for folder in sorted(p for p in hdir.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
            files = {f.stem: f for f in sorted(folder.glob("*.yaml"))}
            if files:
                self.handouts[folder.name] = files
        self.languages = {p.stem: p for p in sorted((self.root / "assets" / "languages").glob("*.yaml"))}
        self.layouts = {p.stem: p for p in sorted((self.root / "layouts").glob("*.yaml"))}
        self.brands = {p.parent.name: p for p in sorted((self.root / "assets" / "brands").glob("*/brand.yaml"))}
        self.partners_file = self.root / "assets" / "brands" / "partners.yaml"
        self.partner_ids: list[str] = []
        self.partners_error: LeafletError | None = None
        self.partner_errors: list[LeafletError] = []
        if self.partners_file.exists() or self.partners_file.is_symlink():
            self.partner_ids = self._partner_ids()
        self._cache: dict = {}
        # Laid-out patterns (the largest things a process keeps: every shaped line, glyph piece
        # and PDF plan of a document, 1-2 MB each): the most recent PATTERNS_KEPT, not every
        # handout x language x layout x colour set a worker has built (a worker that went
        # through every language held them all: 370 MB for the full set). A batch hands a
        # worker one language's documents together, so a dropped pattern is rarely asked for
        # again; when it is, it is laid out again, to the same bytes.
        self._patterns = Lru(None, PATTERNS_KEPT)
        gcpolicy.tune()         # a process that builds leaflets collects cycles less often (gcpolicy.py)
        self.stamped_from: str | None = None     # the last lay_out: the clinic its pages were stamped from
        # Input files' hashes: what the last build recorded (path -> [signature, sha256]), and
        # what this one found (to record in turn); large files' hashes kept in the user's cache
        # (usercache.py) serve a build into a new output folder.
        self.known_hashes: dict = {}
        self.hashed: dict = {}
        self.user_hashes = Hashes()

    def _inside(self, path: Path) -> Path:
        """``path``, if it (or the link it is) stays inside the project: content is read from
        the project only, never through a link to somewhere else."""
        try:
            real = path.resolve()
        except (OSError, RuntimeError):
            return path         # a link loop: reading it says so
        if not real.is_relative_to(self.root):
            from .content.loader import _display
            raise LeafletError("is a link to a file outside the project", file=_display(path, self.root),
                               hint="Copy the file into the project instead of linking to it")
        return path

    def _is_inside(self, path: Path) -> bool:
        try:
            self._inside(path)
            return True
        except LeafletError:
            return False

    # -- cached loading -----------------------------------------------------------------------
    def _cached(self, key, load):
        if key not in self._cache:
            try:
                self._cache[key] = load()
            except LeafletError as exc:
                self._cache[key] = kept(exc)
        value = self._cache[key]
        if isinstance(value, LeafletError):
            raise kept(value)       # (with only this raise's frames: errors.kept)
        return value

    def handout(self, hid: str, lang: str) -> Handout:
        from .content.loader import load_handout
        from .translate.pseudo import is_pseudo, pseudo_handout
        if is_pseudo(lang):
            return self._cached(("h", hid, lang), lambda: pseudo_handout(self.source(hid), lang))
        path = self.handouts[hid][lang]
        return self._cached(("h", hid, lang), lambda: load_handout(self._inside(path), self.root))

    def source(self, hid: str) -> Handout:
        def find():
            from .content.model import Status
            sources, broken = [], []
            # Only files that say so can be the source: read those first, the rest only if needed.
            says = {lang: self._is_inside(path) and _says_source(path) for lang, path in self.handouts[hid].items()}
            for lang in sorted(says, key=lambda lang: not says[lang]):
                if sources and not says[lang]:
                    break
                try:
                    h = self.handout(hid, lang)
                except LeafletError as exc:
                    broken.append(kept(exc))     # (its traceback holds ``broken``: a cycle)
                    continue     # a broken translation fails its own documents, not the source's
                if h.translation.status is Status.SOURCE:
                    sources.append(h)
            if not sources and broken:
                # The source is probably among the files that cannot be read: say why.
                raise broken[0]
            if len(sources) != 1:
                files = ", ".join(h.file for h in sources) or "none"
                raise LeafletError(f"handout {hid!r} needs exactly one file with translation.status: "
                                   f"source (found: {files})", file=f"handouts/{hid}/",
                                   hint="Mark the original language as source and the others draft or reviewed")
            return sources[0]
        return self._cached(("src", hid), find)

    def language(self, code: str) -> Language:
        from .languages import load_language
        from .translate.pseudo import is_pseudo, pseudo_language
        if is_pseudo(code):     # a pseudo-locale dresses the source language (English) up
            base = self._pseudo_base()
            return self._cached(("l", code), lambda: pseudo_language(self.language(base), code))
        if code not in self.languages:
            raise LeafletError(f"no language settings for {code!r}", file=f"assets/languages/{code}.yaml",
                               hint="Copy assets/languages/en.yaml to this name and translate its strings")
        return self._cached(("l", code), lambda: load_language(self._inside(self.languages[code]), self.root))

    def locale_of(self, code: str) -> str:
        """The CLDR locale language ``code`` names (its ``locale``, else the code), read from its
        file without loading the language: what a batch asks of the user's cache before forking.
        A file that cannot be read gives the code (its documents then say what is wrong)."""
        from .content.yamlsafe import load_yaml
        if code not in self.languages:
            return code
        try:
            data = load_yaml(self._inside(self.languages[code])).data
        except (LeafletError, OSError):
            return code
        locale = data.get("locale", code) if isinstance(data, dict) else code
        return locale if isinstance(locale, str) else code

    def _pseudo_base(self) -> str:
        """The language pseudo-locales are made from: the sources' (English here)."""
        for hid in self.handouts:
            try:
                return self.source(hid).lang
            except LeafletError:
                continue
        raise LeafletError("no handout has a readable source file, so no pseudo-locale can be made")

    def layout(self, name: str) -> LayoutSpec:
        from .layout.spec import load_layout
        return self._cached(("lay", name), lambda: load_layout(self._inside(self.layouts[name]), self.root))

    def _partner_ids(self) -> list[str]:
        """Partner ids; a partners.yaml that cannot be read stops only the partners' leaflets
        (``partners_error``), an entry that cannot be told apart only itself (``partner_errors``)."""
        from .brand import partner_ids
        from .brand import PARTNER_FILE
        try:
            ids, self.partner_errors = partner_ids(self._inside(self.partners_file), self.root)
        except LeafletError as exc:
            self.partners_error = kept(exc)
            return []
        clash = sorted(set(ids) & set(self.brands))
        for pid in clash:
            self.partner_errors.append(LeafletError(
                f"partner id {pid!r} is also a brand folder", file=PARTNER_FILE, hint="Rename the partner"))
        return [i for i in ids if i not in clash]

    def all_brands(self) -> list[str]:
        return list(self.brands) + self.partner_ids

    def peers(self) -> tuple:
        """Every brand of the project that loads (a layout without fixed room for clinic details
        keeps the room the widest of them needs, so every clinic's leaflet lays out the same).
        The same tuple for every document, the clinic's own brand among them: a room is worked
        out once per language and layout (layout/furniture.py), not once per clinic."""
        def load():
            out = []
            for other in self.all_brands():
                try:
                    out.append(self.brand(other))
                except LeafletError:
                    continue        # a broken brand fails its own documents, not the others'
            return tuple(out)
        try:
            return self._cached(("peers",), load)
        except LeafletError:
            return ()

    def brand(self, name: str) -> Brand:
        from .brand import PARTNER_FILE, load_brand, load_partners
        if name in self.brands:
            return self._cached(("b", name), lambda: load_brand(self._inside(self.brands[name]), self.root))

        def partners():
            from .content.loader import Reader
            from .content.yamlsafe import load_yaml
            doc = load_yaml(self.partners_file, PARTNER_FILE)
            base = Reader(doc).string(doc.data.get("base"), ("base",))
            if base not in self.brands:
                raise doc.error(("base",), f"base brand {base!r} is not a brand folder",
                                hint="Name a folder in assets/brands/")
            return load_partners(self.partners_file, self.root, self.brand(base), doc)
        found = self._cached(("partners",), partners).get(name)
        if isinstance(found, LeafletError):
            raise kept(found)
        if found is None:
            raise LeafletError(f"no partner {name!r}", file=PARTNER_FILE)
        return found

    @functools.cached_property
    def fonts(self):
        from .text.fonts import FontLibrary
        return FontLibrary([self.root / "assets" / "fonts"], self.root)

    def typesetter(self, code: str, hyphenate: bool = False):
        from .text.setter import Typesetter
        return self._cached(("ts", code, hyphenate),
                            lambda: Typesetter(self.language(code), self.fonts, hyphenate))

    # -- what a document depends on -------------------------------------------------------------
    def _file_hash(self, path: Path) -> str:
        key = ("fh", str(path))
        if key not in self._cache:
            # A FIFO or device is never read; a file larger than any usable input is not either.
            # A file whose size, times and inode are those recorded by the last build (the
            # output folder's manifest, or the user's cache) keeps its recorded hash: 36 MB of
            # fonts are not read again.
            sig = _signature(path)
            if (known := recorded(self.known_hashes.get(str(path)), sig)) is not None:
                digest = known
            elif sig is not None and sig[0] >= MIN_USER_HASHED and (got := self.user_hashes.get(str(path), sig)):
                digest = got
            else:
                digest = sha256_regular(path, limit=MAX_HASHED) or "missing"
                if sig is not None and digest != "missing":
                    self.user_hashes.put(str(path), sig, digest)
            if sig is not None and digest != "missing":
                self.hashed[str(path)] = [sig, digest]
            self._cache[key] = digest
        return self._cache[key]

    def _tree_files(self, folder: Path) -> list[Path]:
        key = ("tree", str(folder))
        if key not in self._cache:
            found = []
            if folder.is_dir():     # links to folders are not followed (no loops, nothing outside)
                for here, dirs, files in os.walk(folder, followlinks=False):
                    dirs.sort()
                    found += [Path(here) / f for f in files if is_regular(Path(here) / f)]
            self._cache[key] = sorted(f for f in found if f.suffix != ".pyc")
        return self._cache[key]

    def _files_digest(self, key, files) -> str:
        """One digest for a list of files (names and contents), computed once per process."""
        key = ("fd", key)
        if key not in self._cache:
            h = hashlib.sha256()
            for f in files():
                h.update(f"{f.name}:{self._file_hash(f)}\n".encode())
            self._cache[key] = h.hexdigest()
        return self._cache[key]

    def input_hash(self, job: Job) -> str:
        """A fingerprint of every input of one document: its content file and the source it
        mirrors, language settings, layout, brand, diagrams, fonts and the engine itself. The
        same fingerprint means the same PDF, so the build can skip it. What many documents
        share (fonts, diagrams, the engine, the brands) is digested once per process."""
        from .translate.pseudo import is_pseudo
        lang_file = self.languages.get(job.lang, Path("missing"))
        if is_pseudo(job.lang):        # made from the source and its language settings
            lang_file = self.languages.get(self._pseudo_base(), Path("missing"))
        files = [self.handouts[job.handout].get(job.lang, Path("missing")), lang_file,
                 self.layouts[job.layout]]
        try:
            files.append(self.root / self.source(job.handout).file)
        except LeafletError:
            files += list(self.handouts[job.handout].values())
        try:
            partner = self.layout(job.layout).bilingual
        except LeafletError:
            partner = None
        if partner:
            files += [self.handouts[job.handout].get(partner, Path("missing")),
                      self.languages.get(partner, Path("missing"))]
        try:
            fixed = set(self.layout(job.layout).brand_lines or ()) >= {"footer", "contact", "credit", "name"}
        except LeafletError:
            fixed = True
        if job.brand in self.brands and fixed and self.pattern_of(job.brand) in (job.brand, None):
            folder = self.brands[job.brand].parent
            brands = self._files_digest(("brand", job.brand), lambda: self._tree_files(folder))
        else:       # a partner, a brand stamped into another's layout, or room sized by every brand (see peers)
            brands = self._files_digest(("brands",), lambda: [self.partners_file] + self._tree_files(
                self.root / "assets" / "brands"))
        shared = self._files_digest(("shared",), lambda: [
            *(f for d in ("diagrams", "icons", "images", "fonts") for f in self._tree_files(self.root / "assets" / d)),
            *self._tree_files(Path(__file__).resolve().parent), self.root / "pyproject.toml"])
        h = hashlib.sha256(ENGINE_VERSION.encode())
        for f in files:
            h.update(f"{f.name}:{self._file_hash(f)}\n".encode())
        h.update(f"brands:{brands}\nshared:{shared}\n".encode())
        return h.hexdigest()

    # -- one document -------------------------------------------------------------------------
    def prepare(self, job: Job):
        """Load and check everything a document needs."""
        from .diagram import load_diagram, load_icon, load_image
        from .content.loader import check_mirrors
        from .content.model import Callout, Figure, lead_ins
        source = self.source(job.handout)
        h = self.handout(job.handout, job.lang)
        if h is not source:
            check_mirrors(source, h)
        h = self._cached(("lead-ins", job.handout, job.lang), lambda: dataclasses.replace(
            h, lead_ins=lead_ins(source) | lead_ins(h)))     # the source's lead-ins are the translation's
        lang = self.language(job.lang)
        spec = self.layout(job.layout)
        brand = self.brand(job.brand)
        ts = self.typesetter(job.lang, spec.hyphenate)
        diagrams = {}
        for sec in h.sections:
            for b in sec.blocks:
                if isinstance(b, Callout) and b.tone and "icon:" + b.tone not in diagrams:
                    diagrams["icon:" + b.tone] = self._cached(
                        ("i", b.tone), lambda t=b.tone: load_icon(t, self.root / "assets" / "icons", self.root))
                if isinstance(b, Figure) and b.image and "image:" + b.image not in diagrams:
                    diagrams["image:" + b.image] = self._cached(
                        ("m", b.image), lambda n=b.image: load_image(n, self.root / "assets" / "images", self.root))
                elif isinstance(b, Figure) and b.diagram and b.diagram not in diagrams:
                    diagrams[b.diagram] = self._cached(
                        ("d", b.diagram),
                        lambda d=b.diagram: load_diagram(d, self._inside(self.root / "assets" / "diagrams"),
                                                         self.root))
        return h, lang, spec, brand, ts, diagrams

    def lay_out(self, job: Job):
        """Handout, language, brand, the laid-out pages and (dual-language sheets) the first
        column's handout. Laid out once per handout, language, layout and colour set (the
        pattern: the first clinic of the project with those colours), then stamped with each
        clinic's details (layout/stamp.py); a clinic whose stamped pages fail the page inspector
        is laid out on its own (``stamped_from`` then says so: None)."""
        self.stamped_from = None
        pattern = self.pattern_of(job.brand)
        if pattern is None:
            return self._lay_out_alone(job)
        key = (job.handout, job.lang, job.layout, pattern)
        got = self._patterns.get(key)
        if got is None:
            try:
                got = self._lay_out_alone(Job(*key))
            except LeafletError as exc:
                got = kept(exc)     # (its traceback holds this frame, whose ``got`` holds it)
            self._patterns.put(key, got)
        if isinstance(got, LeafletError):
            return self._lay_out_alone(job)     # the clinic's own message (or its own success)
        if pattern == job.brand:
            return got
        stamped = self._stamp(job, got)
        if stamped is None:
            return self._lay_out_alone(job)
        self.stamped_from = pattern
        return stamped

    def pattern_of(self, name: str) -> str | None:
        """The clinic whose layout ``name``'s leaflets are stamped from: the project's first
        brand (in brand order, then partner order) with the same colours; None when ``name``
        does not load."""
        try:
            colours = tuple(sorted(self.brand(name).colours.items()))
        except LeafletError:
            return None

        def first_of():
            out: dict = {}
            for other in self.all_brands():
                try:
                    out.setdefault(tuple(sorted(self.brand(other).colours.items())), other)
                except LeafletError:
                    continue
            return out
        return self._cached(("patterns",), first_of).get(colours, name)

    def _stamp(self, job: Job, got):
        """The pattern's pages with ``job``'s clinic in the slots, checked as any layout is;
        None when the page inspector fails them (the clinic is then laid out on its own)."""
        from .layout import conserve, inspection
        from .layout.stamp import Known, stamp
        from .lru import owned_by
        h, lang, _, laid, partner = got
        brand = self.brand(job.brand)
        spec = self.layout(job.layout)

        def brand_for(ctx):
            return brand.for_language(ctx.lang.code, ctx.lang.rtl)     # made once per language
        try:
            with owned_by(job.brand):   # the clinic's lines are its own (lru.owned_by)
                stamped = stamp(laid, brand_for)
        except LeafletError:
            return None         # e.g. details longer than their room: the clinic's own layout says so
        if partner is None:
            sources = [conserve.Source(h, lang, brand.for_language(lang.code, lang.rtl))]
        else:
            first = self.language(partner.lang)
            sources = [conserve.Source(partner, first, brand.for_language(first.code, first.rtl)),
                       conserve.Source(h, lang, brand.for_language(lang.code, lang.rtl), furniture=False)]
        known: Known = stamped.known      # the pattern's own lines, worked out once (stamp.Known)
        conserve.check(stamped, sources, known)
        before = known.ids
        fresh = {id(i) for page in stamped.pages for i in page.items if id(i) not in before}
        if inspection.errors(stamped, spec, only=fresh):       # the pattern's own items passed with it
            return None
        return h, lang, brand, stamped, partner

    def _lay_out_alone(self, job: Job):
        from .layout.engine import DoesNotFit, lay_out, lay_out_bilingual   # not needed to plan
        h, lang, spec, brand, ts, diagrams = self.prepare(job)
        if spec.bilingual:
            if spec.bilingual not in self.handouts[job.handout] or spec.bilingual not in self.languages:
                what = "language settings" if spec.bilingual not in self.languages else \
                    f"handouts/{job.handout}/{spec.bilingual}.yaml"
                raise LeafletError(f"pairs every language with {spec.bilingual!r}, but there are no {what} "
                                   "for it", file=spec.file, key="bilingual.with",
                                   hint="Name a language the handouts are written in, e.g. en")
            # A dual-language sheet: the partner language (English) in the first column.
            partner = self.prepare(Job(job.handout, spec.bilingual, job.layout, job.brand))
            sides = [(partner[0], partner[1], partner[4]), (h, lang, ts)]
            diagrams = {**partner[5], **diagrams}
            return h, lang, brand, lay_out_bilingual(sides, spec, brand, diagrams,
                                                     peers=self.peers()), partner[0]
        source = self.source(job.handout)
        notice_also = None
        if source.lang != lang.code and source.lang in self.languages:
            notice_also = self.language(source.lang).strings["draft_notice"]
        try:
            laid = lay_out(h, lang, spec, brand, ts, diagrams, notice_also, self.peers())
            if lang.script not in ("Latn",) and source.lang != lang.code:
                laid.quote_lang = source.lang   # Latin-script terms ("MRI", names) are the source's
            return h, lang, brand, laid, None
        except DoesNotFit as exc:
            exc.hint = (exc.hint or "") + self._suggest(job)
            raise

    def _suggest(self, job: Job) -> str:
        """Name the layouts that do hold this content, for the overflow message."""
        from .layout.engine import lay_out
        key = ("fits", job.handout, job.lang, job.brand)
        if key not in self._cache:      # once per handout, language and brand, not per failure
            self._cache[key] = fits = []
            for name in self.layouts:
                if name == job.layout:
                    continue
                try:
                    spec = self.layout(name)
                    if spec.bilingual:
                        continue
                    h, lang, _, brand, ts, diagrams = self.prepare(Job(job.handout, job.lang, name, job.brand))
                    lay_out(h, lang, spec, brand, ts, diagrams)
                    fits.append(name)
                except LeafletError:
                    continue
        fits = [name for name in self._cache[key] if name != job.layout]
        return f" (layouts that hold it: {', '.join(fits)})" if fits else ""

    def wanted(self, job: Job) -> bool:
        """A dual-language layout pairs every language with its partner, not with itself."""
        try:
            return self.layout(job.layout).bilingual != job.lang
        except LeafletError:
            return True      # a broken layout fails its documents, with its own message

    def findings(self, job: Job, h, brand, laid, reading: bool = False) -> list:
        """Every check of one document: its own (type size, contrast, images, links) and its
        handout-language's (translation status and staleness, review date; reading level)."""
        from . import checks
        spec = self.layout(job.layout)
        floor = spec.min_text or 12.0
        found = checks.document_findings(h, job.layout, laid, floor, spec.min_text, brand.file,
                                         brand.online(h.id, h.lang))
        key = ("hf", job.handout, job.lang, reading)
        if key not in self._cache:
            self._cache[key] = checks.handout_findings(h, self.source(job.handout), reading=reading,
                                                       rtl=self.language(job.lang).rtl)
        return found + self._cache[key]

    def build(self, job: Job, write: bool = True, release: bool = False) -> tuple[dict, bytes | None]:
        """One document: its manifest entry and, when ``write`` and it built, the PDF's bytes
        (the caller writes them into the output folder it owns)."""
        from .lru import next_document
        next_document(job.brand)
        entry = {"handout": job.handout, "lang": job.lang, "layout": job.layout, "brand": job.brand,
                 "kind": job.kind, "path": job.path(), "pages": 0, "sha256": None, "status": "ok", "warnings": []}
        h, lang, brand, laid, partner = self.lay_out(job)
        try:
            return self._build(job, entry, h, lang, brand, laid, partner, write, release)
        finally:
            _forget_furniture(laid)
            # A clinic's stamped variant leaves nothing to settle: its objects, the PDF writer's
            # too, are freed by reference counting as soon as it is written
            # (tests/test_worker_memory.py).
            if self.stamped_from is None:
                gcpolicy.settle()

    def _build(self, job: Job, entry: dict, h, lang, brand, laid, partner, write: bool, release: bool):
        from .layout.engine import line_collisions
        from .render.pdf import Metadata, render_pdf
        found = self.findings(job, h, brand, laid)
        entry["warnings"] = list(dict.fromkeys(laid.warnings + line_collisions(laid) +
                                               [f.line() for f in found if f.severity == "warning"]))
        entry["findings"] = [f.as_dict() for f in found if f.severity != "info"]
        entry["body_size"] = laid.body_size
        if self.stamped_from is not None:
            entry["stamped_from"] = self.stamped_from
        blocking = [f for f in found if f.severity == "error" or (release and f.release_blocking)]
        if blocking:
            entry["status"] = "failed"
            entry["error"] = "; ".join(dict.fromkeys(
                (f.line() + (" (blocks a release)" if f.severity != "error" else "")) for f in blocking))
            return entry, None
        if not write:
            entry["pages"] = len(laid.pages)
            return entry, None
        meta = Metadata(
            title=h.title.plain if partner is None else f"{partner.title.plain} / {h.title.plain}",
            author=brand.name,
            subject=h.summary.plain,
            keywords=", ".join([h.id, lang.name, job.layout, f"version {h.version}",
                                f"reviewed {h.last_reviewed.isoformat()}"]),
            lang=lang.code if partner is None else partner.lang,
        )
        if job.kind == "print-shop":
            from .layout.printshop import for_print_shop
            laid = for_print_shop(laid, self.layout(job.layout))
        data = render_pdf(laid, meta)
        entry["pages"] = len(laid.pages)
        entry["sha256"] = hashlib.sha256(data).hexdigest()
        return entry, data


def _forget_furniture(laid) -> None:
    """After a document: the glyph pieces of its lines that are not the handout's content (a
    clinic's contact, credit, name; page facts) are dropped. Those texts stay shaped (every
    document sizes its clinic rooms by all clinics' lines), but what drawing one adds to them is
    not kept for every clinic a worker has built: its memory stays flat over clinics. What a
    stamped document's pattern draws too (its headings, page facts) is the same in every
    variant: it keeps its pieces."""
    from .layout.items import TextLine
    known = laid.known
    ids = known.ids if known is not None else frozenset()     # (the pattern's own items: kept)
    for page in laid.pages:
        for item in page.items:
            if id(item) not in ids and isinstance(item, TextLine) and not item.node.content and not (
                    known is not None and known.keeps(item.paragraph)):
                item.paragraph.forget_pieces()


def _says_source(path: Path) -> bool:
    from .content.yamlsafe import MAX_BYTES
    try:
        raw = read_limited(path, MAX_BYTES)
    except OSError:
        return False
    return re.search(rb"^\s+status:\s*['\"]?source\b", raw, re.M) is not None


PATTERNS_KEPT = 12           # laid-out patterns a process keeps (see Project.__init__)
MAX_HASHED = 64_000_000      # no input the press can use is larger (fonts are the largest)


def _signature(path: Path) -> list | None:
    """The signature (files.signature) of the file at ``path``, links followed; None when it is
    not a regular file."""
    try:
        return signature(os.stat(path))
    except (OSError, ValueError):
        return None


_UMASK = os.umask(0)
os.umask(_UMASK)


TMP_PREFIX = ".leafpress-"     # every temporary file the press makes: .leafpress-<name>.<random>.tmp


class OutsideOut(LeafletError):
    """A write would leave the output folder (through a link) or land on something not a file."""


def safe_parent(inside: Path, target: Path) -> None:
    """Make the folders from ``inside`` down to ``target``'s folder, refusing any that is a
    link or not a folder: a write never follows a link out of ``inside``."""
    rel = target.parent.relative_to(inside)
    here = inside
    for part in rel.parts:
        here = here / part
        try:
            st = os.lstat(here)
        except FileNotFoundError:
            os.mkdir(here)
            continue
        if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
            what = "a link" if stat.S_ISLNK(st.st_mode) else "not a folder"
            raise OutsideOut(f"{here.relative_to(inside)} is {what}; the press writes only into folders "
                             "it made", file=str(inside), hint="Move it away or use another --out")
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        raise OutsideOut(f"{target.relative_to(inside)} is a folder, not a file", file=str(inside),
                         hint="Move it away or use another --out")


def stage(target: Path, data: bytes, inside: Path | None = None) -> str:
    """Write ``data`` to a temporary file beside ``target`` (synced to disk) and return its
    name; ``os.replace(tmp, target)`` then puts it in place. With ``inside``, every folder on the
    way must be a real folder inside it (no links), and the rename replaces a link at
    ``target`` rather than writing through it."""
    if inside is not None:
        safe_parent(inside, target)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{target.name[:80]}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)    # mkstemp makes 0600; leaflets are for sharing
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        return tmp
    except BaseException:
        discard(tmp)
        raise


def discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


def write_atomic(target: Path, data: bytes, inside: Path | None = None) -> None:
    """Write to a temporary file beside the target, then rename: complete or not at all."""
    tmp = stage(target, data, inside)
    try:
        os.replace(tmp, target)
    except BaseException:
        discard(tmp)
        raise
