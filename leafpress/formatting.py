"""Numbers, dates and version numbers as each language writes them, from CLDR (through Babel).

Input: a :class:`~leafpress.languages.Language` (its CLDR locale and the digits its file chooses)
and a value. Output: the string the press prints: dates with the month as a word where CLDR's
long format has one (so no one confuses day and month), numbers with the locale's symbols, and
every digit in the chosen numbering system (Persian digits for Farsi, Arabic-Indic for Arabic
when its file asks). A version number keeps its own left-to-right order inside right-to-left
text (isolated, see text/bidi.py). Nothing here is a hand-written date or number pattern.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from .text.bidi import LRI, PDI

# Babel is imported when a language is first loaded, not when the command line starts (the
# signal handlers that make Ctrl-C clean are set up first).

# The zero of each CLDR numbering system the press can print (CLDR numberingSystems.xml: these
# systems are ten consecutive code points starting there).
ZEROS = {"latn": 0x30, "arab": 0x660, "arabext": 0x6F0, "deva": 0x966, "guru": 0xA66,
         "thai": 0xE50, "khmr": 0x17E0, "beng": 0x9E6, "mymr": 0x1040, "laoo": 0xED0}


def cldr_locale(name: str):
    """A CLDR locale (babel.Locale) by BCP 47 name ('zh-Hant'); ValueError when CLDR has none."""
    from babel import Locale, UnknownLocaleError
    try:
        return Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(str(exc)) from None


def numbering_systems(locale) -> list[str]:
    """The numbering systems CLDR lists for a locale (default first) that the press can print."""
    names = [locale.default_numbering_system, "latn", *locale.other_numbering_systems.values()]
    return [n for n in dict.fromkeys(names) if ZEROS.get(n) is not None]


class Formatter:
    def __init__(self, locale: str, digits: str, rtl: bool):
        self.locale = cldr_locale(locale)
        self.digits = digits
        zero = ZEROS[digits]
        self._table = None if digits == "latn" else {0x30 + i: zero + i for i in range(10)}
        self.rtl = rtl
        self._done: dict = {}           # (kind, value) -> text: the footer asks on every page

    def _cached(self, kind: str, value, make) -> str:
        got = self._done.get((kind, value))
        if got is None:
            got = self._done[(kind, value)] = make(value)
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
        from babel.dates import format_date
        return self._cached("date", d, lambda v: self.native(format_date(v, format="long", locale=self.locale)))

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
