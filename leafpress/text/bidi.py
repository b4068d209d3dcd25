"""The Unicode bidirectional algorithm (UAX #9, as of Unicode 15), for one paragraph.

Input: a paragraph's text and its base direction ("ltr", "rtl", or None to find it from the
text, rules P2-P3). Output: the embedding level of every character (rules X1-X10, W1-W7, N0-N2,
I1-I2, and L1 for the paragraph's end), and, for a line, the visual order of its characters or
pieces (rule L2, :func:`reorder`). Proven on Unicode's own BidiCharacterTest.txt (tests/).

python-bidi 0.6 gives only the reordered string (its Rust core exposes no levels, so it cannot
reorder line by line) and its pure-Python module predates isolates and paired brackets (UAX #9
of Unicode 6.2 and later), which is why this room has its own implementation. Character classes
come from Python's ``unicodedata``; the paired brackets are BidiBrackets.txt's, below.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ..lru import Lru

MAX_DEPTH = 125

# Isolates and marks an author may use, and the embeddings and overrides the press refuses.
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
LRM, RLM, ALM = "\u200e", "\u200f", "\u061c"
ISOLATES = frozenset(LRI + RLI + FSI + PDI)
MARKS = frozenset(LRM + RLM + ALM)
EMBEDDINGS = frozenset("\u202a\u202b\u202c\u202d\u202e")      # LRE RLE PDF LRO RLO
CONTROLS = ISOLATES | MARKS | EMBEDDINGS                      # invisible: never drawn

# BidiBrackets.txt (Unicode 15): opening and closing bracket of each pair, as hex code points.
_PAIRS = """
00280029 005B005D 007B007D 0F3A0F3B 0F3C0F3D 169B169C 20452046 207D207E 208D208E 23082309
230A230B 2329232A 27682769 276A276B 276C276D 276E276F 27702771 27722773 27742775 27C527C6
27E627E7 27E827E9 27EA27EB 27EC27ED 27EE27EF 29832984 29852986 29872988 2989298A 298B298C
298D2990 298F298E 29912992 29932994 29952996 29972998 29D829D9 29DA29DB 29FC29FD 2E222E23
2E242E25 2E262E27 2E282E29 2E552E56 2E572E58 2E592E5A 2E5B2E5C 30083009 300A300B 300C300D
300E300F 30103011 30143015 30163017 30183019 301A301B FE59FE5A FE5BFE5C FE5DFE5E FF08FF09
FF3BFF3D FF5BFF5D FF5FFF60 FF62FF63
"""
# Canonical equivalents count as the same bracket (BD16): U+2329/U+232A are U+3008/U+3009.
_CANON = {0x2329: 0x3008, 0x232A: 0x3009}
OPENING: dict[str, int] = {}        # opening bracket -> id of its pair
CLOSING: dict[str, int] = {}        # closing bracket -> id of its pair
for _p in _PAIRS.split():
    _o, _c = int(_p[:4], 16), int(_p[4:], 16)
    OPENING[chr(_o)] = _CANON.get(_o, _o)
    CLOSING[chr(_c)] = _CANON.get(_o, _o)

STRONG_RTL = frozenset(("R", "AL"))
_INITIATORS = frozenset(("LRI", "RLI", "FSI"))
_REMOVED = frozenset(("RLE", "LRE", "RLO", "LRO", "PDF", "BN"))
_FAST_OUT = frozenset(("R", "AL", "AN", "RLE", "LRE", "RLO", "LRO", "RLI", "LRI", "FSI"))
_NEUTRAL = frozenset(("B", "S", "WS", "ON", "LRI", "RLI", "FSI", "PDI"))

# Unassigned code points take the class of their block (DerivedBidiClass.txt).
_DEFAULT_RANGES = (
    (0x0590, 0x05FF, "R"), (0x0600, 0x07BF, "AL"), (0x07C0, 0x085F, "R"), (0x0860, 0x08FF, "AL"),
    (0x20A0, 0x20CF, "ET"), (0xFB1D, 0xFB4F, "R"), (0xFB50, 0xFDCF, "AL"), (0xFDF0, 0xFDFF, "AL"),
    (0xFE70, 0xFEFF, "AL"), (0x10800, 0x10CFF, "R"), (0x10D00, 0x10D3F, "AL"),
    (0x10D40, 0x10EBF, "R"), (0x10EC0, 0x10EFF, "AL"), (0x10F00, 0x10F2F, "R"),
    (0x10F30, 0x10F6F, "AL"), (0x10F70, 0x10FFF, "R"), (0x1E800, 0x1EC6F, "R"),
    (0x1EC70, 0x1ECBF, "AL"), (0x1ECC0, 0x1ECFF, "R"), (0x1ED00, 0x1ED4F, "AL"),
    (0x1ED50, 0x1EDFF, "R"), (0x1EE00, 0x1EEFF, "AL"), (0x1EF00, 0x1EFFF, "R"),
)
_CLASS: dict[str, str] = {}


def bidi_class(ch: str) -> str:
    got = _CLASS.get(ch)
    if got is None:
        got = unicodedata.bidirectional(ch)
        if not got:
            cp = ord(ch)
            got = "L"
            if (cp & 0xFFFE) == 0xFFFE or 0xFDD0 <= cp <= 0xFDEF or 0xE0000 <= cp <= 0xE0FFF:
                got = "BN"
            for lo, hi, cls in _DEFAULT_RANGES:
                if lo <= cp <= hi:
                    got = cls
                    break
        _CLASS[ch] = got
    return got


def classes(text: str) -> list[str]:
    """The bidi class of every character of ``text``."""
    out = list(map(_CLASS.get, text))
    if None in out:
        for ch in set(text):
            bidi_class(ch)
        out = list(map(_CLASS.get, text))
    return out


def kinds_of(text: str) -> set[str]:
    """The bidi classes present in ``text``."""
    chars = set(text)
    out = set(map(_CLASS.get, chars))
    if None in out:
        for ch in chars:
            bidi_class(ch)
        out = set(map(_CLASS.get, chars))
    return out


def _matching_pdis(types: list[str]) -> dict[int, int]:
    """BD9: each isolate initiator's matching PDI (index -> index), where it has one."""
    match, stack = {}, []
    for i, t in enumerate(types):
        if t in _INITIATORS:
            stack.append(i)
        elif t == "PDI" and stack:
            match[stack.pop()] = i
        elif t == "B":
            stack.clear()
    return match


def _first_strong(types: list[str], start: int, end: int, match: dict[int, int]) -> str | None:
    """P2: the first L, R or AL from ``start`` (skipping isolates), stopping at ``end``."""
    i = start
    while i < end:
        t = types[i]
        if t == "L":
            return "L"
        if t in STRONG_RTL:
            return "R"
        if t in _INITIATORS:
            i = match.get(i, end)
        elif t == "B":
            return None
        i += 1
    return None


def paragraph_level(text: str, direction: str | None = None) -> int:
    """P2-P3: 0 for a left-to-right paragraph, 1 for a right-to-left one."""
    if direction is not None:
        return 1 if direction == "rtl" else 0
    types = classes(text)
    return 1 if _first_strong(types, 0, len(types), _matching_pdis(types)) == "R" else 0


_LEVELS = Lru("bidi.levels", 512)      # (text, base) -> levels, removed (the full algorithm's)


def levels(text: str, base: int) -> tuple[list[int], list[bool]]:
    """Embedding levels of every character of one paragraph at ``base`` level (0 or 1), and which
    characters rule X9 removes (embeddings, overrides, boundary neutrals). A removed character
    gets its neighbour's level, so it stays inside the run it sits in.

    A text the whole algorithm runs on (one with right-to-left characters, explicit formatting,
    or at level 1) is worked out once per process while it is among the 512 most recent: a
    paragraph is shaped with its stacks at the layout's size and at the type size, and the
    findings read the same paragraphs (misread_runs); each caller gets lists of its own."""
    n = len(text)
    kinds = kinds_of(text)
    if base == 0 and _FAST_OUT.isdisjoint(kinds):
        return [0] * n, ([False] * n if _REMOVED.isdisjoint(kinds) else [t in _REMOVED for t in classes(text)])
    got = _LEVELS.get((text, base))
    if got is None:
        got = _levels(text, base, kinds)
        _LEVELS.put((text, base), got)
    return list(got[0]), list(got[1])


# The explicit formatting classes (rules X1-X8 do nothing in a paragraph without them, nor X10
# beyond one level run) and those rules W1-W7 and N0 act on.
_EXPLICIT = frozenset(("RLE", "LRE", "RLO", "LRO", "PDF", "LRI", "RLI", "FSI", "PDI", "B"))


def _levels(text: str, base: int, kinds: set | None = None) -> tuple[list[int], list[bool]]:
    """levels() worked out, every rule in order (``kinds``: the classes present, if known)."""
    n = len(text)
    orig = classes(text)
    if kinds is None:
        kinds = set(orig)
    if base == 0 and _FAST_OUT.isdisjoint(kinds):
        return [0] * n, [t in _REMOVED for t in orig]
    got = _ltr_isolated(orig, base)
    if got is not None:
        return got, [False] * n
    if _EXPLICIT.isdisjoint(kinds):
        # X1-X8 give every character the paragraph's level and its own class; X9 removes only
        # boundary neutrals; X10 finds one level run, the one isolating run sequence.
        lv = [base] * n
        removed = [t == "BN" for t in orig] if "BN" in kinds else [False] * n
        kept = [i for i in range(n) if not removed[i]] if "BN" in kinds else list(range(n))
        if kept:
            _resolve_sequence(kept, text, orig, list(orig), lv, list(lv), base, kept,
                              dict(zip(kept, range(len(kept)))), kinds)
        return _finish(orig, lv, removed, base)
    types = list(orig)
    match = _matching_pdis(types)
    lv = [base] * n

    # X1-X8: explicit levels and directions.
    stack = [(base, None, False)]       # (level, override class, isolate)
    over_iso = over_emb = valid_iso = 0
    for i, t in enumerate(orig):
        if t in ("RLE", "LRE", "RLO", "LRO"):
            cur = stack[-1][0]
            new = (cur + 1) | 1 if t[0] == "R" else (cur + 2) & ~1
            lv[i] = cur
            if new <= MAX_DEPTH and over_iso == 0 and over_emb == 0:
                stack.append((new, {"RLO": "R", "LRO": "L"}.get(t), False))
            elif over_iso == 0:
                over_emb += 1
        elif t in _INITIATORS:
            cur, ovr, _ = stack[-1]
            lv[i] = cur
            if ovr:
                types[i] = ovr
            if t == "FSI":
                t = "RLI" if _first_strong(orig, i + 1, match.get(i, n), match) == "R" else "LRI"
            new = (cur + 1) | 1 if t == "RLI" else (cur + 2) & ~1
            if new <= MAX_DEPTH and over_iso == 0 and over_emb == 0:
                valid_iso += 1
                stack.append((new, None, True))
            else:
                over_iso += 1
        elif t == "PDI":
            if over_iso > 0:
                over_iso -= 1
            elif valid_iso > 0:
                over_emb = 0
                while not stack[-1][2]:
                    stack.pop()
                stack.pop()
                valid_iso -= 1
            cur, ovr, _ = stack[-1]
            lv[i] = cur
            if ovr:
                types[i] = ovr
        elif t == "PDF":
            lv[i] = stack[-1][0]
            if over_iso > 0:
                pass
            elif over_emb > 0:
                over_emb -= 1
            elif not stack[-1][2] and len(stack) >= 2:
                stack.pop()
        elif t == "B":
            lv[i] = base
        elif t == "BN":
            lv[i] = stack[-1][0]
        else:
            cur, ovr, _ = stack[-1]
            lv[i] = cur
            if ovr:
                types[i] = ovr

    # X9: remove embeddings, overrides and boundary neutrals.
    removed = [t in _REMOVED for t in orig]
    kept = [i for i in range(n) if not removed[i]]

    # X10: level runs, chained into isolating run sequences.
    runs: list[list[int]] = []
    for i in kept:
        if runs and lv[runs[-1][-1]] == lv[i]:
            runs[-1].append(i)
        else:
            runs.append([i])
    run_of_start = {r[0]: k for k, r in enumerate(runs)}
    sequences: list[list[int]] = []
    for k, r in enumerate(runs):
        if orig[r[0]] == "PDI" and r[0] in match.values():
            continue            # continues the sequence of its initiator
        seq = list(r)
        while orig[seq[-1]] in _INITIATORS and seq[-1] in match:
            nxt = run_of_start.get(match[seq[-1]])
            if nxt is None:
                break
            seq.extend(runs[nxt])
        sequences.append(seq)
    pos_in_kept = {i: k for k, i in enumerate(kept)}
    explicit = list(lv)             # sos and eos look at the levels before rules I1-I2
    for seq in sequences:
        _resolve_sequence(seq, text, orig, types, lv, explicit, base, kept, pos_in_kept, kinds)
    return _finish(orig, lv, removed, base)


def _finish(orig: list[str], lv: list[int], removed: list[bool], base: int) -> tuple[list[int], list[bool]]:
    """Rule L1 on resolved levels, and the removed characters' levels (see levels)."""
    n = len(orig)
    # L1 at the paragraph's end and at segment and paragraph separators.
    trailing = True
    for i in range(n - 1, -1, -1):
        t = orig[i]
        if t in ("S", "B"):
            lv[i] = base
            trailing = True
        elif trailing and (t == "WS" or t in _INITIATORS or t == "PDI" or removed[i]):
            lv[i] = base
        else:
            trailing = False
    # Removed characters take the level of the character before them (after, at the start).
    first = next((i for i in range(n) if not removed[i]), None)
    prev = lv[first] if first is not None else base
    for i in range(n):
        if removed[i]:
            lv[i] = prev
        else:
            prev = lv[i]
    return lv, removed


_NOT_ISOLATED_LTR = _FAST_OUT - {"LRI"} | _REMOVED | {"B"}


def _ltr_isolated(orig: list[str], base: int) -> list[int] | None:
    """The levels of a paragraph whose only right-to-left-capable classes are left-to-right
    isolates (LRI ... PDI, one level deep, each closed: a phone number or address a leaflet
    wraps), or None for any other text: at ``base`` 0, any such text; at ``base`` 1 (a
    right-to-left paragraph), one isolate that is the whole text (a clinic's detail on its own
    line). Nothing inside is right to left, so every character keeps its explicit level (rules
    W1-I2 resolve all to L inside, and the initiator and PDI of a right-to-left paragraph to R):
    the base level outside, the initiators and PDIs included, 2 inside; then L1 (separators and
    trailing white space at the base level). The same levels as the whole algorithm, in one pass
    (a clinic's contact line took 0.2 ms)."""
    n = len(orig)
    if base and (n < 2 or orig[0] != "LRI"):
        return None
    lv, depth = [], 0
    for i, t in enumerate(orig):
        if t == "LRI":
            if depth:
                return None
            lv.append(base)
            depth = 1
        elif t == "PDI":
            if not depth or base and i != n - 1:
                return None
            lv.append(base)
            depth = 0
        elif t in _NOT_ISOLATED_LTR or base and not depth:
            return None
        else:
            lv.append(2 if depth else 0)
    if depth:
        return None
    trailing = True
    for i in range(n - 1, -1, -1):     # L1, as in levels (nothing is removed here)
        t = orig[i]
        if t == "S":
            lv[i] = base
            trailing = True
        elif trailing and (t == "WS" or t == "LRI" or t == "PDI"):
            lv[i] = base
        else:
            trailing = False
    return lv


def _resolve_sequence(seq, text, orig, types, lv, explicit, base, kept, pos_in_kept, kinds) -> None:
    """W1-W7, N0-N2 and I1-I2 on one isolating run sequence. ``kinds``: the classes of the
    paragraph (a rule that only acts on classes absent there is not run: it would change nothing)."""
    level = lv[seq[0]]
    first_k, last_k = pos_in_kept[seq[0]], pos_in_kept[seq[-1]]
    before = explicit[kept[first_k - 1]] if first_k > 0 else base
    sos = "R" if max(level, before) % 2 else "L"
    if orig[seq[-1]] in _INITIATORS:
        after = base
    else:
        after = explicit[kept[last_k + 1]] if last_k + 1 < len(kept) else base
    eos = "R" if max(level, after) % 2 else "L"
    t = [types[i] for i in seq]
    m = len(t)

    # Each rule below runs only where the paragraph has a class it acts on (after W1 a sequence
    # holds only the paragraph's classes, L, R and ON; W2-W5 turn numbers and separators into
    # numbers only where there are numbers).
    numbers = "EN" in kinds or "AN" in kinds
    # W1: non-spacing marks take the class before them (ON after an isolate initiator or PDI).
    if "NSM" in kinds:
        prev = sos
        for k in range(m):
            if t[k] == "NSM":
                t[k] = "ON" if prev in ("LRI", "RLI", "FSI", "PDI") else prev
            prev = t[k]
    # W2, W3: European numbers after Arabic letters are Arabic numbers; AL becomes R.
    if "AL" in kinds:
        strong = sos
        for k in range(m):
            c = t[k]
            if c in ("L", "R", "AL"):
                strong = c
                if c == "AL":
                    t[k] = "R"
            elif c == "EN" and strong == "AL":
                t[k] = "AN"
    # W4: one separator between two numbers of the same kind.
    if numbers and ("ES" in kinds or "CS" in kinds):
        for k in range(1, m - 1):
            c = t[k]
            if c == "ES" and t[k - 1] == "EN" and t[k + 1] == "EN":
                t[k] = "EN"
            elif c == "CS" and t[k - 1] == t[k + 1] and t[k - 1] in ("EN", "AN"):
                t[k] = t[k - 1]
    # W5: terminators next to European numbers become European numbers.
    k = 0 if "ET" in kinds and "EN" in kinds else m
    while k < m:
        if t[k] == "ET":
            j = k
            while j < m and t[j] == "ET":
                j += 1
            if (k > 0 and t[k - 1] == "EN") or (j < m and t[j] == "EN"):
                for q in range(k, j):
                    t[q] = "EN"
            k = j
        else:
            k += 1
    # W6: other separators and terminators are neutral.
    if "ES" in kinds or "ET" in kinds or "CS" in kinds:
        for k in range(m):
            if t[k] in ("ES", "ET", "CS"):
                t[k] = "ON"
    # W7: European numbers after L (or sos L) are L.
    if "EN" in kinds:
        strong = sos
        for k in range(m):
            c = t[k]
            if c in ("L", "R"):
                strong = c
            elif c == "EN" and strong == "L":
                t[k] = "L"

    # N0: paired brackets take the embedding direction, or the context's (brackets are ON).
    e = "R" if level % 2 else "L"
    pairs, stack = [], []
    for k in range(m if "ON" in kinds and not (OPENING.keys().isdisjoint(text) and
                                               CLOSING.keys().isdisjoint(text)) else 0):
        if t[k] != "ON":
            continue
        ch = text[seq[k]]
        if ch in OPENING:
            if len(stack) == 63:
                break
            stack.append((OPENING[ch], k))
        elif ch in CLOSING:
            pid = CLOSING[ch]
            for d in range(len(stack) - 1, -1, -1):
                if stack[d][0] == pid:
                    pairs.append((stack[d][1], k))
                    del stack[d:]
                    break
    pairs.sort()

    def strong_of(c):
        if c == "L":
            return "L"
        if c in ("R", "EN", "AN"):
            return "R"
        return None

    for o, c in pairs:
        found_e = found_other = False
        for k in range(o + 1, c):
            s = strong_of(t[k])
            if s == e:
                found_e = True
                break
            if s is not None:
                found_other = True
        if found_e:
            new = e
        elif found_other:
            ctx = sos
            for k in range(o - 1, -1, -1):
                s = strong_of(t[k])
                if s is not None:
                    ctx = s
                    break
            new = ctx if ctx != e else e
        else:
            continue
        for k in (o, c):
            t[k] = new
            q = k + 1
            while q < m and orig[seq[q]] == "NSM":
                t[q] = new
                q += 1

    # N1, N2: neutrals between two strong sides of one direction take it, else the embedding's.
    k = 0
    while k < m:
        if t[k] in _NEUTRAL:
            j = k
            while j < m and t[j] in _NEUTRAL:
                j += 1
            left = strong_of(t[k - 1]) if k > 0 else sos
            right = strong_of(t[j]) if j < m else eos
            new = left if left == right else e
            for q in range(k, j):
                t[q] = new
            k = j
        else:
            k += 1

    # I1, I2: implicit levels.
    for k, i in enumerate(seq):
        c = t[k]
        if level % 2 == 0:
            if c == "R":
                lv[i] = level + 1
            elif c in ("AN", "EN"):
                lv[i] = level + 2
        elif c in ("L", "EN", "AN"):
            lv[i] = level + 1


def reorder(levels: list[int]) -> list[int]:
    """Rule L2: the visual order (left to right) of items at these levels, as indices. The items
    are a line's characters, or its pieces (runs of one level)."""
    order = list(range(len(levels)))
    if not levels:
        return order
    top = max(levels)
    low_odd = min((lv for lv in levels if lv % 2), default=top + 1)
    lv = list(levels)
    for k in range(top, low_odd - 1, -1):
        i, n = 0, len(lv)
        while i < n:
            if lv[i] >= k:
                j = i
                while j < n and lv[j] >= k:
                    j += 1
                order[i:j] = order[i:j][::-1]
                lv[i:j] = lv[i:j][::-1]
                i = j
            else:
                i += 1
    return order


def first_strong(text: str) -> str | None:
    """'L' or 'R' for the first strong character of a text (isolates skipped), else None."""
    types = classes(text)
    return _first_strong(types, 0, len(types), _matching_pdis(types))


@lru_cache(maxsize=1024)
def isolate(text: str, rtl: bool, always: bool = False) -> str:
    """A run whose direction is known (a phone number, an address, a name in another script),
    wrapped in an isolate so it keeps its own order in a paragraph of direction ``rtl``. Text
    that reads the same either way is returned as it is (so left-to-right leaflets of
    left-to-right text do not change), unless ``always``: a phone number or an address is
    isolated everywhere, which also keeps it on one line (text/paragraph.py)."""
    if not text:
        return text
    first = first_strong(text)
    if always:
        return f"{RLI}{text}{PDI}" if first == "R" else f"{LRI}{text}{PDI}"
    if first == "R":
        return text if rtl else f"{RLI}{text}{PDI}"
    if rtl:
        needs = any(bidi_class(c) in ("L", "EN", "AN", "ET", "ES", "CS") for c in text)
    else:
        needs = any(bidi_class(c) in ("R", "AL", "AN") for c in text)
    return f"{LRI}{text}{PDI}" if needs else text


# -- what a reader would misread ------------------------------------------------------------------
_UNIT_SIGNS = frozenset("°%‰‱′″℃℉µ")
_MIRROR = {**{o: c for o in OPENING for c in CLOSING if CLOSING[c] == OPENING[o]},
           **{c: o for o in OPENING for c in CLOSING if CLOSING[c] == OPENING[o]},
           "<": ">", ">": "<", "«": "»", "»": "«", "‹": "›", "›": "‹"}


def misread_runs(text: str, rtl: bool) -> list[tuple[str, str]]:
    """Runs of digits, units, Latin letters and brackets inside a right-to-left paragraph that
    would not print as typed: (the run as typed, how it looks on the page, left to right).

    A run may print as typed (left to right, "(IR)", "100.4") or, holding at most one number,
    with its words in right-to-left order ("mg 10" is read "10 mg" from the right, "%50" is how
    Arabic sets 50%); anything else (a phone number's groups reversed, a unit split from its
    sign, "C° 38", a bracketed conversion moved) is reported.
    Runs the author isolated (LRI/RLI/FSI ... PDI) print in their own order and are skipped."""
    if not rtl or not text:
        return []
    lv, removed = levels(text, 1)
    n = len(text)
    cls = classes(text)
    outside = [True] * n            # not inside an author's isolate, not a control
    depth = 0
    for i, ch in enumerate(text):
        if ch in (LRI, RLI, FSI):
            depth += 1
        if depth or ch in CONTROLS:
            outside[i] = False
        if ch == PDI and depth:
            depth -= 1

    def core(k: int) -> bool:
        c, ch = cls[k], text[k]
        if c in ("L", "EN", "AN") or ch in _UNIT_SIGNS or ch in _MIRROR:
            return True
        # a sign or terminator touching a number ("+1", "50 %" is the unit case above)
        return c in ("ES", "ET") and ((k + 1 < n and cls[k + 1] in ("EN", "AN")) or
                                      (k > 0 and cls[k - 1] in ("EN", "AN")))

    partner = _bracket_partners(text)

    def inside_pair(k: int, a: int, b: int) -> bool:
        """A bracket belongs to the run only when its partner does too ("(IR)"); the other
        bracket of "(بورت port)" belongs to the right-to-left text around the run."""
        return text[k] not in _MIRROR or a <= partner.get(k, -1) < b

    out, i = [], 0
    while i < n:
        if cls[i] in STRONG_RTL or not outside[i]:
            i += 1
            continue
        j = i
        while j < n and cls[j] not in STRONG_RTL and outside[j]:
            j += 1
        a, b = i, j
        while True:             # trim until both ends are the run's own (shrinks, so it ends)
            was = (a, b)
            while a < b and not (core(a) and inside_pair(a, a, b)):
                a += 1
            while b > a and not (core(b - 1) and inside_pair(b - 1, a, b)):
                b -= 1
            if (a, b) == was:
                break
        i = j
        if b <= a or not any(cls[k] in ("L", "EN", "AN") for k in range(a, b)):
            continue
        keep = [k for k in range(a, b) if not removed[k] and text[k] not in CONTROLS]
        typed = "".join(text[k] for k in keep)
        order = reorder([lv[k] for k in keep])
        shown = "".join(_MIRROR.get(text[keep[v]], text[keep[v]]) if lv[keep[v]] % 2 else text[keep[v]]
                        for v in order)
        if shown != typed and not _read_right_to_left(typed, shown):
            out.append((typed, shown))
    return out


def _bracket_partners(text: str) -> dict[int, int]:
    """Each paired bracket's partner (both ways), matched as BD16 does but over the whole text."""
    out, stack = {}, []
    for k, ch in enumerate(text):
        if ch in OPENING:
            stack.append((OPENING[ch], k))
        elif ch in CLOSING:
            for d in range(len(stack) - 1, -1, -1):
                if stack[d][0] == CLOSING[ch]:
                    out[stack[d][1]], out[k] = k, stack[d][1]
                    del stack[d:]
                    break
    return out


def _read_right_to_left(typed: str, shown: str) -> bool:
    """Whether a run that does not print as typed still reads right, word by word from the right:
    its words in right-to-left order, each as typed, and a word of only digits and signs either
    as typed or in the right-to-left way Arabic sets it ("%50", "10-5"). Only when the run holds
    at most one number: two or more numbers (a phone number, a dose with a conversion) must
    print as typed."""
    words = typed.split()
    numbers = [w for w in words if any(bidi_class(c) in ("EN", "AN") for c in w)]
    if len(numbers) > 1:
        return False
    forms = [" ".join(reversed(words))]
    if numbers and not any(c.isalpha() for c in numbers[0]):
        atoms = re.findall(r"\d+(?:[.,:]\d+)*|\D", numbers[0])
        flipped = "".join(_MIRROR.get(a, a) for a in reversed(atoms))
        forms.append(" ".join(flipped if w is numbers[0] else w for w in reversed(words)))
    return shown in forms
