"""Every language file carries every string the source language's file has: a language added
before a new string key existed would otherwise fall back or fail only where the key is used
(the call-out icons' alternative text, issue 20)."""
from __future__ import annotations

from leafpress.project import Project
from leafpress.text.fonts import latin_size_factor

from conftest import ROOT


def lacking(project: Project, source: str) -> dict[str, list[str]]:
    """Per language: the string keys its file lacks that the source language's file has."""
    want = set(project.language(source).strings)
    out = {}
    for code in sorted(project.languages):
        lack = sorted(want - set(project.language(code).strings))
        if lack:
            out[code] = lack
    return out


def test_every_language_has_every_string_of_the_source_language():
    p = Project(ROOT)
    assert not lacking(p, p.source("port").lang)


def test_a_language_without_a_string_is_found(tmp_path):
    p = Project(ROOT)
    fr = p.language("fr")
    p._cache[("l", "fr")] = type(fr)(**{**fr.__dict__, "strings": {k: v for k, v in fr.strings.items()
                                                                    if k != "icon_warning"}})
    assert lacking(p, "en") == {"fr": ["icon_warning"]}


# poppler (pdftotext) gathers lines into one block only when their baselines are at most this
# many times the type size apart (TextOutputDev's maxLineSpacingDelta); lines further apart each
# become a block of their own, and its column analysis then interleaves them with the next
# column's (Lao at 1.6 lost whole sentences). A face much taller than ordinary text (Nastaliq)
# is read at a larger size (Font.reading_scale), and a script font drawn larger than
# the type size (match_latin_size) is read at the size it is drawn: their lines may stand further apart.
POPPLER_LINE_SPACING = 1.5


def too_far_apart(project: Project) -> dict[str, float]:
    out = {}
    for code in sorted(project.languages):
        lang = project.language(code)
        stack = [project.fonts.get(n) for n in lang.fonts["regular"]]
        drawn = latin_size_factor(stack, lang.script) if lang.match_latin_size else 1.0
        spacing = max(lang.line_height, lang.min_line_height) / drawn / stack[0].reading_scale
        if spacing > POPPLER_LINE_SPACING + 1e-9:
            out[code] = round(spacing, 2)
    return out


def test_every_language_sets_lines_close_enough_for_poppler_to_gather():
    assert not too_far_apart(Project(ROOT))


def test_lines_too_far_apart_are_found():
    p = Project(ROOT)
    lo = p.language("lo")
    p._cache[("l", "lo")] = type(lo)(**{**lo.__dict__, "line_height": 1.6})
    assert too_far_apart(p) == {"lo": 1.6}
