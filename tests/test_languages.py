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


# -- CLDR's answers kept in the user's cache (formatting.py) --------------------------------------
_ANSWER_ALL = """
import datetime as dt, json, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from leafpress.project import Project
from leafpress import formatting
p = Project(Path(sys.argv[1]))
out = {}
for code in sorted(p.languages):
    f = formatting.for_language(p.language(code))
    out[code] = [f.digits, f.date(dt.date(2026, 11, 1)), f.date(dt.date(1999, 2, 28)), f.number(7), f.number(12)]
print(json.dumps({"answers": out, "babel": "babel" in sys.modules}))
"""


def _answer_all(cache) -> dict:
    import json
    import os
    import subprocess
    import sys
    env = dict(os.environ, LEAFPRESS_CACHE=str(cache))
    got = subprocess.run([sys.executable, "-c", _ANSWER_ALL, str(ROOT)], capture_output=True, text=True, env=env)
    assert got.returncode == 0, got.stderr
    return json.loads(got.stdout)


def test_cldr_answers_come_from_the_users_cache_as_babel_gives_them(tmp_path):
    """A process that finds every language's answers in the user's cache prints Babel's very
    answers without importing Babel; a record that does not match its key (another locale's,
    or damaged) is ignored and Babel asked again."""
    off = _answer_all("off")
    assert off["babel"]
    first = _answer_all(tmp_path)
    assert first == off                       # (the first process asks Babel and keeps the answers)
    again = _answer_all(tmp_path)
    assert again["answers"] == off["answers"] and not again["babel"]
    records = sorted(tmp_path.glob("cldr-*.json"))
    assert len(records) >= 17
    a, b = records[0], records[1]
    a.write_bytes(b.read_bytes())             # another locale's answers under this one's name
    b.write_text("{not json", encoding="utf-8")
    mixed = _answer_all(tmp_path)
    assert mixed["answers"] == off["answers"] and mixed["babel"]


def test_a_cldr_record_is_keyed_by_the_locales_data_files(tmp_path, monkeypatch):
    """An edited or added data file of the locale (or of a shorter name it falls back on, or
    the root) gives another key: the record kept before it is not used."""
    import os

    from leafpress import formatting
    data = tmp_path / "locale-data"
    data.mkdir()
    for name in ("zh.dat", "root.dat"):
        (data / name).write_bytes(b"x")
    monkeypatch.setattr(formatting, "_babel", lambda: (data, "babel's code"))
    keys = [formatting._key("zh-Hant")]
    (data / "zh_Hant.dat").write_bytes(b"y")             # a closer data file added
    keys.append(formatting._key("zh-Hant"))
    os.utime(data / "root.dat", ns=(1, 1))               # the root's changed
    keys.append(formatting._key("zh-Hant"))
    (data / "zh.dat").write_bytes(b"z!")
    keys.append(formatting._key("zh-Hant"))
    assert len(set(keys)) == 4 and formatting._key("zh-Hant") == keys[-1]
    assert "\n../zh:" not in formatting._key("../zh")      # (no file outside the data folder is looked at)
