"""The project on disk and the building of one document.

Input: the project folder (handouts/, layouts/, assets/) and a job (handout, language, layout,
brand). Output: a manifest entry (dict) and, when it built, a complete PDF written atomically.
Everything a document needs is loaded once per process and cached.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import ENGINE_VERSION
from .brand import Brand, load_brand, load_partners
from .content.loader import check_mirrors, load_handout
from .content.model import Figure, Handout, Status
from .diagram import load_diagram
from .errors import LeafletError, UsageError
from .languages import Language, load_language
from .layout.spec import LayoutSpec, load_layout
from .text.fonts import FontLibrary
from .text.setter import Typesetter
from .translate.pseudo import is_pseudo, pseudo_handout, pseudo_language


@dataclass(frozen=True)
class Job:
    handout: str
    lang: str
    layout: str
    brand: str

    def path(self) -> str:
        return f"{self.brand}/{self.handout}/{self.handout}-{self.lang}-{self.layout}.pdf"


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
        if self.partners_file.is_file():
            self.partner_ids = self._partner_ids()
        self.fonts = FontLibrary([self.root / "assets" / "fonts"])
        self._cache: dict = {}

    # -- cached loading -----------------------------------------------------------------------
    def _cached(self, key, load):
        if key not in self._cache:
            try:
                self._cache[key] = load()
            except LeafletError as exc:
                self._cache[key] = exc
        value = self._cache[key]
        if isinstance(value, LeafletError):
            raise value
        return value

    def handout(self, hid: str, lang: str) -> Handout:
        if is_pseudo(lang):
            return self._cached(("h", hid, lang), lambda: pseudo_handout(self.source(hid), lang))
        path = self.handouts[hid][lang]
        return self._cached(("h", hid, lang), lambda: load_handout(path, self.root))

    def source(self, hid: str) -> Handout:
        def find():
            sources, broken = [], []
            # Only files that say so can be the source: read those first, the rest only if needed.
            says = {lang: _says_source(path) for lang, path in self.handouts[hid].items()}
            for lang in sorted(says, key=lambda lang: not says[lang]):
                if sources and not says[lang]:
                    break
                try:
                    h = self.handout(hid, lang)
                except LeafletError as exc:
                    broken.append(exc)
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
        if is_pseudo(code):     # a pseudo-locale dresses the source language (English) up
            base = self._pseudo_base()
            return self._cached(("l", code), lambda: pseudo_language(self.language(base), code))
        if code not in self.languages:
            raise LeafletError(f"no language settings for {code!r}", file=f"assets/languages/{code}.yaml",
                               hint="Copy assets/languages/en.yaml to this name and translate its strings")
        return self._cached(("l", code), lambda: load_language(self.languages[code], self.root))

    def _pseudo_base(self) -> str:
        """The language pseudo-locales are made from: the sources' (English here)."""
        for hid in self.handouts:
            try:
                return self.source(hid).lang
            except LeafletError:
                continue
        raise LeafletError("no handout has a readable source file, so no pseudo-locale can be made")

    def layout(self, name: str) -> LayoutSpec:
        return self._cached(("lay", name), lambda: load_layout(self.layouts[name], self.root))

    def _partner_ids(self) -> list[str]:
        from .content.yamlsafe import load_yaml
        try:
            doc = load_yaml(self.partners_file, "assets/brands/partners.yaml")
            ids = [str(p["id"]) for p in doc.data["partners"]]
        except LeafletError as exc:
            raise UsageError(str(exc)) from None
        except (KeyError, TypeError):
            raise UsageError("assets/brands/partners.yaml: expected 'partners:' with an 'id' for each",
                             hint="See README, 'A brand'") from None
        clash = sorted(set(ids) & set(self.brands))
        if clash:
            raise UsageError(f"assets/brands/partners.yaml: partner id(s) {', '.join(clash)} are also brand folders",
                             hint="Rename the partner")
        return ids

    def all_brands(self) -> list[str]:
        return list(self.brands) + self.partner_ids

    def brand(self, name: str) -> Brand:
        if name in self.brands:
            return self._cached(("b", name), lambda: load_brand(self.brands[name], self.root))

        def partners():
            from .content.yamlsafe import load_yaml
            base = load_yaml(self.partners_file, "assets/brands/partners.yaml").data.get("base")
            if base not in self.brands:
                raise LeafletError(f"base brand {base!r} is not a brand folder", file="assets/brands/partners.yaml",
                                   key="base", hint="Name a folder in assets/brands/")
            return {b.id: b for b in load_partners(self.partners_file, self.root, self.brand(base))}
        return self._cached(("partners",), partners)[name]

    def typesetter(self, code: str) -> Typesetter:
        return self._cached(("ts", code), lambda: Typesetter(self.language(code), self.fonts))

    # -- what a document depends on -------------------------------------------------------------
    def _file_hash(self, path: Path) -> str:
        key = ("fh", str(path))
        if key not in self._cache:
            try:
                self._cache[key] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                self._cache[key] = "missing"
        return self._cache[key]

    def _tree_files(self, folder: Path) -> list[Path]:
        key = ("tree", str(folder))
        if key not in self._cache:
            self._cache[key] = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
        return self._cache[key]

    def input_hash(self, job: Job) -> str:
        """A fingerprint of every input of one document: its content file and the source it
        mirrors, language settings, layout, brand, diagrams, fonts and the engine itself. The
        same fingerprint means the same PDF, so the build can skip it."""
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
        if job.brand in self.brands:
            files += self._tree_files(self.brands[job.brand].parent)
        else:
            files += [self.partners_file] + self._tree_files(self.root / "assets" / "brands")
        files += self._tree_files(self.root / "assets" / "diagrams")
        files += self._tree_files(self.root / "assets" / "fonts")
        files += self._tree_files(Path(__file__).resolve().parent)
        files.append(self.root / "pyproject.toml")
        h = hashlib.sha256(ENGINE_VERSION.encode())
        for f in files:
            if f.suffix == ".pyc":
                continue
            h.update(f"{f.name}:{self._file_hash(f)}\n".encode())
        return h.hexdigest()

    # -- one document -------------------------------------------------------------------------
    def prepare(self, job: Job):
        """Load and check everything a document needs."""
        source = self.source(job.handout)
        h = self.handout(job.handout, job.lang)
        if h is not source:
            check_mirrors(source, h)
        lang = self.language(job.lang)
        spec = self.layout(job.layout)
        brand = self.brand(job.brand)
        ts = self.typesetter(job.lang)
        diagrams = {}
        for sec in h.sections:
            for b in sec.blocks:
                if isinstance(b, Figure) and b.diagram not in diagrams:
                    diagrams[b.diagram] = self._cached(
                        ("d", b.diagram),
                        lambda d=b.diagram: load_diagram(d, self.root / "assets" / "diagrams", self.root))
        return h, lang, spec, brand, ts, diagrams

    def lay_out(self, job: Job):
        from .layout.engine import DoesNotFit, lay_out, lay_out_bilingual   # not needed to plan
        h, lang, spec, brand, ts, diagrams = self.prepare(job)
        if spec.bilingual:
            # A dual-language sheet: the partner language (English) in the first column.
            partner = self.prepare(Job(job.handout, spec.bilingual, job.layout, job.brand))
            sides = [(partner[0], partner[1], partner[4]), (h, lang, ts)]
            diagrams = {**partner[5], **diagrams}
            return h, lang, brand, lay_out_bilingual(sides, spec, brand, diagrams), partner[0]
        source = self.source(job.handout)
        notice_also = None
        if source.lang != lang.code and source.lang in self.languages:
            notice_also = self.language(source.lang).strings["draft_notice"]
        try:
            laid = lay_out(h, lang, spec, brand, ts, diagrams, notice_also)
            if lang.script not in ("Latn",) and source.lang != lang.code:
                laid.quote_lang = source.lang   # Latin-script terms ("MRI", names) are the source's
            return h, lang, brand, laid, None
        except DoesNotFit as exc:
            exc.hint = (exc.hint or "") + self._suggest(job)
            raise

    def _suggest(self, job: Job) -> str:
        """Name the layouts that do hold this content, for the overflow message."""
        from .layout.engine import lay_out
        fits = []
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

    def build(self, job: Job, out: Path, write: bool = True, release: bool = False) -> dict:
        from .layout.engine import line_collisions
        from .render.pdf import Metadata, render_pdf
        entry = {"handout": job.handout, "lang": job.lang, "layout": job.layout, "brand": job.brand,
                 "path": job.path(), "pages": 0, "sha256": None, "status": "ok", "warnings": []}
        h, lang, brand, laid, partner = self.lay_out(job)
        found = self.findings(job, h, brand, laid)
        entry["warnings"] = list(dict.fromkeys(laid.warnings + line_collisions(laid) +
                                               [f.line() for f in found if f.severity == "warning"]))
        entry["findings"] = [f.as_dict() for f in found if f.severity != "info"]
        entry["body_size"] = laid.body_size
        blocking = [f for f in found if f.severity == "error" or (release and f.release_blocking)]
        if blocking:
            entry["status"] = "failed"
            entry["error"] = "; ".join(dict.fromkeys(
                (f.line() + (" (blocks a release)" if f.severity != "error" else "")) for f in blocking))
            return entry
        if not write:
            entry["pages"] = len(laid.pages)
            return entry
        meta = Metadata(
            title=h.title.plain if partner is None else f"{partner.title.plain} / {h.title.plain}",
            author=brand.name,
            subject=h.summary.plain,
            keywords=", ".join([h.id, lang.name, job.layout, f"version {h.version}",
                                f"reviewed {h.last_reviewed.isoformat()}"]),
            lang=lang.code if partner is None else partner.lang,
        )
        data = render_pdf(laid, meta)
        target = out / job.path()
        write_atomic(target, data)
        entry["pages"] = len(laid.pages)
        entry["sha256"] = hashlib.sha256(data).hexdigest()
        return entry


def _says_source(path: Path) -> bool:
    try:
        return re.search(rb"^\s+status:\s*['\"]?source\b", path.read_bytes(), re.M) is not None
    except OSError:
        return False


_UMASK = os.umask(0)
os.umask(_UMASK)


def write_atomic(target: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename: complete or not at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)    # mkstemp makes 0600; leaflets are for sharing
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
