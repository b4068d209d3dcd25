"""The site's settings.

Input: ``assets/site.yaml`` (base URL, the publishing brand, the site language, the words the
site prints per language). Output: a frozen :class:`SiteConfig`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..content.inline import InlineError, check_characters, check_url
from ..content.loader import Reader, _display
from ..content.yamlsafe import load_yaml
from ..errors import LeafletError

STRING_KEYS = ("skip", "library", "languages", "pdfs", "pdf_pages", "download_all", "choose_language",
               "all_languages", "clinic_intro", "clinics", "figure_labels")
_PLACEHOLDERS = {"pages": 2, "size": "1 MB", "clinic": "X"}


@dataclass(frozen=True)
class SiteConfig:
    base_url: str          # ends with "/"
    brand: str
    language: str
    strings: dict          # lang -> key -> text (the site language has every key)
    file: str

    def word(self, lang: str, key: str, **values) -> tuple[str, str]:
        """(text, the language it is in): the language's own word, else the site language's."""
        own = self.strings.get(lang, {})
        if key in own:
            return own[key].format(**values), lang
        return self.strings[self.language][key].format(**values), self.language


def load_site_config(path: Path, root: Path) -> SiteConfig:
    display = _display(path, root)
    if not path.is_file():
        raise LeafletError("the site has no settings", file=display,
                           hint="Add assets/site.yaml with base_url, brand, language and strings (see README, 'The site')")
    doc = load_yaml(path, display)
    r = Reader(doc)
    top = r.mapping(doc.data, (), ("base_url", "brand", "language", "strings"))
    base = r.string(top["base_url"], ("base_url",))
    try:
        check_url(base)
    except InlineError as exc:
        raise doc.error(("base_url",), str(exc)) from None
    if not base.endswith("/"):
        base += "/"
    language = r.string(top["language"], ("language",))
    strings = {}
    langs = r.mapping(top["strings"], ("strings",), (language,), tuple(top["strings"]) if isinstance(top["strings"], dict) else ())
    for code, table in langs.items():
        required = STRING_KEYS if code == language else ()
        table = r.mapping(table, ("strings", code), required, STRING_KEYS)
        out = {}
        for key, value in table.items():
            s = r.string(value, ("strings", code, key))
            try:
                check_characters(s)
                s.format(**_PLACEHOLDERS)
            except InlineError as exc:
                raise doc.error(("strings", code, key), str(exc)) from None
            except (KeyError, IndexError, ValueError) as exc:
                raise doc.error(("strings", code, key), f"bad placeholder {exc}",
                                hint="Only {pages}, {size} and {clinic} may appear in braces") from None
            out[key] = s
        strings[str(code)] = out
    return SiteConfig(base, r.string(top["brand"], ("brand",)), language, strings, display)
