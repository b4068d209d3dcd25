"""Every language file carries every string the source language's file has: a language added
before a new string key existed would otherwise fall back or fail only where the key is used
(the call-out icons' alternative text, issue 20)."""
from __future__ import annotations

from leafpress.project import Project

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
