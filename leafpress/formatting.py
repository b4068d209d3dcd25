"""Numbers, dates and version numbers as each language writes them, from CLDR (through Babel).

Input: a :class:`~leafpress.languages.Language` (its CLDR locale and the digits its file chooses)
and a value. Output: the string the press prints: dates with the month as a word where CLDR's
long format has one (so no one confuses day and month), numbers with the locale's symbols, and
every digit in the chosen numbering system (Persian digits for Farsi, Arabic-Indic for Arabic
when its file asks). A version number keeps its own left-to-right order inside right-to-left
text (isolated, see text/bidi.py). Nothing here is a hand-written date or number pattern.

CLDR's answers for a locale (the numbering systems it lists, each date and number printed) are
also kept in the user's cache (usercache.py, one small ``cldr-<32 hex>.json`` a locale), under a
key made of the locale's name and the signatures (size, times, inode) of what answers: Babel's
modules, its global data, its locale-data folder and the locale's files there, and this module.
A process that finds them neither imports Babel nor loads the locale's data (3-5 ms a language,
about 15 for the first). A record that does not match is ignored and Babel asked, so what is
printed is Babel's answer either way.
"""
from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from pathlib import Path

from .lru import Lru
from .text.bidi import LRI, PDI

# Babel is imported when its answer is first needed and not in the user's cache, not when the
# command line starts (the signal handlers that make Ctrl-C clean are set up first).

# The zero of each CLDR numbering system the press can print (CLDR numberingSystems.xml: these
# systems are ten consecutive code points starting there).
ZEROS = {"latn": 0x30, "arab": 0x660, "arabext": 0x6F0, "deva": 0x966, "guru": 0xA66,
         "thai": 0xE50, "khmr": 0x17E0, "beng": 0x9E6, "mymr": 0x1040, "laoo": 0xED0}
KEPT = 256          # answers a locale's record keeps (a build asks for a date and a few page numbers)
RECORDS = 256       # locales' records kept in the user's cache


def cldr_locale(name: str):
    """A CLDR locale (babel.Locale) by BCP 47 name ('zh-Hant'); ValueError when CLDR has none."""
    from babel import Locale, UnknownLocaleError
    try:
        return Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(str(exc)) from None


def numbering_systems(name: str) -> list[str]:
    """The numbering systems CLDR lists for the locale ``name`` (default first) that the press
    can print; ValueError when CLDR has no such locale."""
    answers = _answers(name)
    got = answers.get("systems")
    if not (isinstance(got, list) and got and all(isinstance(n, str) and n in ZEROS for n in got)):
        locale = cldr_locale(name)
        names = [locale.default_numbering_system, "latn", *locale.other_numbering_systems.values()]
        got = [n for n in dict.fromkeys(names) if ZEROS.get(n) is not None]
        answers.put("systems", got)
    return list(got)


class Formatter:
    def __init__(self, locale: str, digits: str, rtl: bool):
        self.name = locale
        self._locale = None             # Babel's, made when an answer is not in the user's cache
        self.digits = digits
        zero = ZEROS[digits]
        self._table = None if digits == "latn" else {0x30 + i: zero + i for i in range(10)}
        self.rtl = rtl
        self._done: dict = {}           # (kind, value) -> text: the footer asks on every page
        self._answers = _answers(locale)

    @property
    def locale(self):
        if self._locale is None:
            self._locale = cldr_locale(self.name)
        return self._locale

    def _cached(self, kind: str, value, make) -> str:
        got = self._done.get((kind, value))
        if got is None:
            key = f"{kind} {self.digits} {value.isoformat() if isinstance(value, dt.date) else repr(value)}"
            got = self._answers.get(key)
            if not isinstance(got, str):
                got = make(value)
                self._answers.put(key, got)
            self._done[(kind, value)] = got
        return got

    def native(self, text: str) -> str:
        """ASCII digits in the language's own digits."""
        return text if self._table is None else text.translate(self._table)

    def number(self, n: int | float) -> str:
        return self._cached("number", n, self._number)

    def _number(self, n: int | float) -> str:
        from babel.numbers import UnsupportedNumberingSystemError, format_decimal
        try:
            s = format_decimal(n, locale=self.locale, numbering_system=self.digits)
        except UnsupportedNumberingSystemError:    # no symbols for that system in Babel's data
            s = format_decimal(n, locale=self.locale)
        return self.native(s)

    def date(self, d: dt.date) -> str:
        """The long date format (month as a word in most locales), in the chosen digits."""
        return self._cached("date", d, self._date)

    def _date(self, d: dt.date) -> str:
        from babel.dates import format_date
        return self.native(format_date(d, format="long", locale=self.locale))

    def version(self, v: str) -> str:
        """A version number ("1.2") in the language's digits; in right-to-left text its parts
        keep their typed order (an isolated left-to-right run)."""
        v = self.native(v)
        return f"{LRI}{v}{PDI}" if self.rtl else v


@lru_cache(maxsize=64)
def formatter(locale: str, digits: str, rtl: bool) -> Formatter:
    return Formatter(locale, digits, rtl)


def for_language(lang) -> Formatter:
    return formatter(lang.locale, lang.digits, lang.rtl)


# -- CLDR's answers kept in the user's cache ------------------------------------------------------
_ANSWERS = Lru("cldr answers", 64)       # locale name -> its usercache.Values


def _answers(name: str):
    """CLDR's answers for one locale name: read from the user's cache once per process (when its
    key still matches), added to as Babel gives new ones, written back whole."""
    got = _ANSWERS.get(name)
    if got is None:
        from . import usercache
        got = usercache.Values("cldr-", _key(name), KEPT, RECORDS)     # (key None: nothing kept)
        _ANSWERS.put(name, got)
    return got


def known(names) -> bool:
    """Whether every one of these locales' answers was found in the user's cache (read now, so a
    process forked after this one asks finds them read)."""
    return all(_answers(n).values for n in dict.fromkeys(names))


@lru_cache(maxsize=1)
def _babel() -> tuple[Path, str] | None:
    """Babel's folder and the signatures of its modules, global data and this module (None:
    Babel is not installed: nothing is kept, and the first question says what is missing)."""
    from .files import code_signature, package_folder
    base = package_folder("babel")
    if base is None:
        return None
    sig = code_signature([Path(__file__).resolve(), *(base / n for n in ("__init__.py", "core.py", "dates.py", "numbers.py",
                                                                         "localedata.py", "plural.py", "global.dat"))])
    if sig is None:
        return None
    parts = [sig]
    try:
        st = os.stat(base / "locale-data")      # (a file added or removed changes the folder's times)
    except OSError:
        return None
    parts.append(f"locale-data:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}")
    return base / "locale-data", "\n".join(parts)


def _key(name: str) -> str | None:
    """The locale's name and the signatures of what answers for it: Babel's (see _babel), and its
    data files for the name and each shorter one (zh_Hant_TW, zh_Hant, zh) and the root."""
    from . import usercache
    found = _babel()
    if found is None or usercache.folder() is None:
        return None
    folder, code = found
    parts = name.replace("-", "_").split("_")
    files = ["_".join(parts[:k]) for k in range(len(parts), 0, -1)] + ["root"]
    sigs = []
    from .files import signature
    for f in files:
        if not f or "/" in f or "\\" in f or f.startswith("."):
            continue
        try:
            sigs.append(f"{f}:{signature(os.stat(folder / f'{f}.dat'))}")
        except (OSError, ValueError):
            sigs.append(f"{f}:none")
    return "\n".join([f"locale {name}", code, *sigs])
