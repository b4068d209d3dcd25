"""The checks one translated unit must pass before it is written into the YAML.

Input: a :class:`~.units.Unit` (its source text and limits) and the new translation. Output: a
list of problems (plain sentences, empty when the unit is good); the importer adds the unit id
and the line in the exchange file.

- no refused characters (the same rules as loading content: controls, private use, invisible
  format characters, unpaired surrogates);
- bidi isolates and embeddings balanced (every LRI/RLI/FSI closed by a PDI, every LRE/RLE/LRO/RLO
  by a PDF, in order);
- inline syntax well formed, and the same emphasis and links as the source: as many **bold**
  and *italic* runs, the same link addresses;
- numbers unchanged: every number the source writes in digits is in the translation (digits in
  any script count by their value: ٢٤ is 24; a number the source spells out, "two", may become
  digits);
- the press's placeholders ({page}, {date}...) kept;
- diagram labels no longer than their limit.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

from ..content.inline import InlineError, check_characters, parse_inline
from .units import Unit

_OPEN_ISOLATE, _PDI = set("\u2066\u2067\u2068"), "\u2069"
_OPEN_EMBED, _PDF = set("\u202a\u202b\u202d\u202e"), "\u202c"
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def problems(unit: Unit, target: str) -> list[str]:
    if not target.strip():
        return ["the translation is empty: translate it, or leave the unit untranslated (state new)"]
    found = []
    balance = bidi_balance(target)
    if balance:
        found.append(balance)
    try:
        check_characters(unicodedata.normalize("NFC", target))
    except InlineError as exc:
        if not balance:
            found.append(f"refused character: {exc}")
    if unit.where == "language":
        want, got = sorted(_PLACEHOLDER.findall(unit.source)), sorted(_PLACEHOLDER.findall(target))
        if want != got:
            found.append(f"placeholders {' '.join(got) or 'none'} differ from the source's "
                         f"{' '.join(want) or 'none'}: keep them exactly as in the source")
        return found
    try:
        spans = parse_inline(target)
    except InlineError as exc:
        found.append(f"inline markup: {exc}")
        spans = None
    if spans is not None:
        src = parse_inline(unit.source)
        for what, attr, marker in (("bold", "bold", "**"), ("italic", "italic", "*")):
            want, got = _runs(src, attr), _runs(spans, attr)
            if want != got:
                found.append(f"{got} {what} run(s) where the source has {want}: keep the {marker} markers "
                             f"around the same words")
        want, got = Counter(s.href for s in src if s.href), Counter(s.href for s in spans if s.href)
        if want != got:
            found.append("links differ from the source's (" + ", ".join(sorted(want)) + "): keep "
                         "[text](address) with the same address")
        plain = "".join(s.text for s in spans)
    else:
        plain = target
    missing = numbers(unit.source) - numbers(target)
    if missing:
        found.append(f"number(s) {', '.join(sorted(missing.elements()))} of the source missing or changed: "
                     "doses, times and phone numbers must stay exactly as in the source")
    if unit.limit is not None and len(plain) > unit.limit:
        found.append(f"label is {len(plain)} characters, at most {unit.limit} fit: write it shorter")
    return found


def _runs(spans, attr: str) -> int:
    runs, inside = 0, False
    for s in spans:
        on = getattr(s, attr)
        if on and not inside:
            runs += 1
        inside = on
    return runs


def numbers(text: str) -> Counter:
    """The numbers in a text by value, whatever digits write them (٢٤, २४ and 24 are all 24)."""
    out, cur = Counter(), ""
    for ch in text + " ":
        d = unicodedata.digit(ch, None)
        if d is not None:
            cur += str(d)
        elif cur:
            out[cur.lstrip("0") or "0"] += 1
            cur = ""
    return out


def bidi_balance(text: str) -> str | None:
    """None when bidi isolates and embeddings are closed in order, else what is wrong."""
    stack: list[str] = []
    for i, ch in enumerate(text, 1):
        if ch in _OPEN_ISOLATE or ch in _OPEN_EMBED:
            stack.append(ch)
        elif ch in (_PDI, _PDF):
            opener = _OPEN_ISOLATE if ch == _PDI else _OPEN_EMBED
            if not stack or stack[-1] not in opener:
                return (f"bidi marks unbalanced: U+{ord(ch):04X} at character {i} closes nothing "
                        "open: remove it or add its opening mark")
            stack.pop()
    if stack:
        return (f"bidi marks unbalanced: U+{ord(stack[-1]):04X} is never closed: add "
                + ("U+2069 (PDI)" if stack[-1] in _OPEN_ISOLATE else "U+202C (PDF)"))
    return None
