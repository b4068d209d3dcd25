"""Language settings and resolution.

Input: ``assets/languages/<code>.yaml`` (how a language is set, and the words the press prints
itself) and the handout files found. Output: :class:`Language` objects, and for a handout the
list of languages it can be built in, with each translation checked against its source.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .content.inline import InlineError, check_characters
from .content.loader import Reader, _display
from .content.template import TemplateError, expand, fields
from .content.yamlsafe import load_yaml
from .formatting import numbering_systems

STRING_KEYS = ("page", "version", "last_reviewed", "draft_notice", "figure_key", "contact")
STYLES = ("regular", "bold", "italic")
PLACEHOLDERS = ("page", "pages", "version", "date")
# What the press sets between and before things, as language data: a language file may give its
# own in `strings`; these are the defaults. (A partner clinic's "Provided by {name}." line is
# brand data, translated per language in the brand file.)
MARKS = {"separator": " · ", "bullet": "•", "step": "{n}.", "credit_join": ". "}
# ``qr_caption`` says what the QR code opens, next to it (a language without it gets the code
# alone, and a warning). ``icon_<tone>``: the alternative text of a call-out tone's icon, needed
# by handouts that use it.
ICON_STRINGS = ("icon_info", "icon_warning", "icon_call_us")
OPTIONAL_STRINGS = tuple(MARKS) + ("qr_caption",) + ICON_STRINGS
OPTIONAL_PLACEHOLDERS = {"step": ("n",)}     # the others take none
# How body text is set, each optional with its default (a language file that leaves them out
# is set ragged, with full-width punctuation and no size adjustment): key -> allowed values.
SETTING_KEYS = ("justify", "compress_punctuation", "match_latin_size")
_SETTING_VALUES = {"justify": ("none", "inter-character", "inter-word"),
                   "compress_punctuation": (False, True), "match_latin_size": (False, True)}


@dataclass(frozen=True)
class Language:
    """A language's settings (assets/languages/<code>.yaml): script, direction, fonts, line breaking."""
    code: str
    name: str
    native_name: str
    direction: str                 # "ltr" | "rtl"
    script: str                    # ISO 15924
    hyphenation: str | None        # pyphen dictionary
    line_height: float
    fonts: dict                    # style -> tuple of font names
    strings: dict                  # key -> text
    file: str
    line_break: str = "normal"     # "keep-all": break only at spaces (Korean word wrapping)
    break_after: str = ""          # extra characters a line may end after (beyond UAX #14)
    space_before: str = ""         # marks a typed space before is set as a narrow no-break space
    min_line_height: float = 1.0   # no line (titles, notices, footers) set tighter than this
    space_by_ink: bool = False     # lines of running text move apart where their ink would touch
    locale: str = "en"             # CLDR locale for dates and numbers (formatting.py)
    digits: str = "latn"           # CLDR numbering system of the digits the press prints
    justify: str = "none"          # body text: "none" (ragged), "inter-character" (CJK), "inter-word"
    compress_punctuation: bool = False   # full-width punctuation half-width at line edges and in pairs
    match_latin_size: bool = False  # the script's fonts drawn larger to look the size of Latin (fonts.py)

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"

    def mark(self, key: str) -> str:
        """A separator or list marker (see MARKS): the language's own, or the default."""
        return self.strings.get(key, MARKS[key])

    def string(self, key: str, **values) -> str:
        return expand(self.strings[key], values)


def load_language(path: Path, root: Path) -> Language:
    display = _display(path, root)
    doc = load_yaml(path, display)
    r = Reader(doc)
    top = r.mapping(doc.data, (), ("code", "name", "native_name", "direction", "script",
                                   "hyphenation", "line_height", "fonts", "strings"),
                    ("line_break", "break_after", "space_before", "min_line_height", "space_by_ink",
                     "locale", "digits") + SETTING_KEYS)
    code = r.string(top["code"], ("code",))
    if code != path.stem:
        raise doc.error(("code",), f"says {code!r} but the file is named {path.name!r}",
                        hint="Make them the same")
    direction = r.string(top["direction"], ("direction",))
    if direction not in ("ltr", "rtl"):
        raise doc.error(("direction",), f"{direction!r} is not a direction", hint="Use ltr or rtl")
    spacing = {}
    for key in ("line_height", "min_line_height"):
        v = top.get(key, 1.0)
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not 1.0 <= v <= 3.0:
            raise doc.error((key,), f"{key} must be a number between 1.0 and 3.0")
        spacing[key] = float(v)
    lh = spacing["line_height"]
    fonts = r.mapping(top["fonts"], ("fonts",), STYLES)
    stacks = {}
    for style in STYLES:
        names = r.seq(fonts[style], ("fonts", style))
        stacks[style] = tuple(r.string(n, ("fonts", style, i)) for i, n in enumerate(names))
    strings = r.mapping(top["strings"], ("strings",), STRING_KEYS, OPTIONAL_STRINGS)
    checked = {}
    for key in STRING_KEYS:
        s = r.string(strings[key], ("strings", key))
        try:
            fields(s, PLACEHOLDERS)
            check_characters(s)
        except (TemplateError, InlineError) as exc:
            raise doc.error(("strings", key), str(exc)) from None
        checked[key] = s
    for key in OPTIONAL_STRINGS:
        if strings.get(key) is None:
            continue
        s = r.string(strings[key], ("strings", key))
        try:
            fields(s, OPTIONAL_PLACEHOLDERS.get(key, ()))
            check_characters(s)
        except (TemplateError, InlineError) as exc:
            raise doc.error(("strings", key), str(exc)) from None
        checked[key] = s
    hyph = top["hyphenation"]
    line_break = r.string(top.get("line_break", "normal"), ("line_break",))
    if line_break not in ("normal", "keep-all"):
        raise doc.error(("line_break",), f"{line_break!r} is not a line-break mode", hint="Use normal or keep-all")
    extra = {}
    for key in ("break_after", "space_before"):
        if key not in top:
            continue
        chars = r.string(top[key], (key,))
        bad = [c for c in chars if c.isspace() or unicodedata.category(c)[0] in "LMN"]
        if bad:
            raise doc.error((key,), f"{bad[0]!r} is a letter, digit, mark or space",
                            hint="List punctuation characters only, e.g. \"?!:;\"")
        extra[key] = chars
    by_ink = top.get("space_by_ink", False)
    if not isinstance(by_ink, bool):
        raise doc.error(("space_by_ink",), "space_by_ink must be true or false")
    locale = r.string(top.get("locale", code), ("locale",))
    try:
        systems = numbering_systems(locale)
    except ValueError:
        raise doc.error(("locale",) if "locale" in top else ("code",),
                        f"CLDR has no locale {locale!r} for dates and numbers",
                        hint="Add 'locale:' naming the closest CLDR locale (e.g. en)") from None
    digits = r.string(top.get("digits", systems[0]), ("digits",))
    if digits not in systems:
        raise doc.error(("digits",), f"{digits!r} is not a numbering system CLDR gives for {locale!r}",
                        hint="Use one of: " + ", ".join(systems))
    settings = {}
    for key in SETTING_KEYS:
        if key not in top:
            continue
        value = top[key]
        if value not in _SETTING_VALUES[key] or isinstance(value, bool) != isinstance(_SETTING_VALUES[key][0], bool):
            raise doc.error((key,), f"{value!r} is not a value of {key}",
                            hint="Use one of: " + ", ".join(str(v).lower() for v in _SETTING_VALUES[key]))
        settings[key] = value
    return Language(**settings, locale=locale, digits=digits, line_break=line_break,
                    min_line_height=spacing["min_line_height"], space_by_ink=by_ink, **extra,
                    code=code, name=r.string(top["name"], ("name",)),
                    native_name=r.string(top["native_name"], ("native_name",)),
                    direction=direction, script=r.string(top["script"], ("script",)),
                    hyphenation=None if hyph is None else r.string(hyph, ("hyphenation",)),
                    line_height=float(lh), fonts=stacks, strings=checked, file=display)


def match_lang(code: str, available) -> str | None:
    """BCP 47 matching, case-insensitive: 'zh-hant' finds 'zh-Hant'."""
    low = {a.lower(): a for a in available}
    return low.get(code.lower().replace("_", "-"))
