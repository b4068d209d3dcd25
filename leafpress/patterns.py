"""Regular expressions compiled when first used.

Input: a pattern (text) and flags. Output: an object used like the compiled pattern (``search``,
``match``, ``fullmatch``, ``findall``, ``finditer``, ``sub``), compiled the first time one of these
is called; from then on those are the compiled pattern's own methods (nothing between).

For module-level patterns a process may never use, or uses only after it has started its
work: compiling at import is paid by every process on its way to the first document (a class
of many code points, such as the CJK ranges, costs about 2 ms: ``re`` expands it code point by
code point). A pattern every document uses is compiled at import as usual.
"""
from __future__ import annotations

import re
import sys
from typing import Callable, Iterator

_METHODS = ("search", "match", "fullmatch", "findall", "finditer", "sub")


class Pattern:
    def __init__(self, pattern: str, flags: int = 0):
        self._source, self._flags = pattern, flags

    def _compiled(self) -> re.Pattern[str]:
        compiled = re.compile(self._source, self._flags)
        for name in _METHODS:       # (found on the instance before the methods below)
            setattr(self, name, getattr(compiled, name))
        return compiled

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self._compiled().search(string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self._compiled().match(string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self._compiled().fullmatch(string, pos, endpos)

    def findall(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> list:
        return self._compiled().findall(string, pos, endpos)

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        return self._compiled().finditer(string, pos, endpos)

    def sub(self, repl: str | Callable[[re.Match[str]], str], string: str, count: int = 0) -> str:
        return self._compiled().sub(repl, string, count)
