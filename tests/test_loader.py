"""Content loading: exact, located error messages; structure mirroring; safe inline syntax."""
from __future__ import annotations

from pathlib import Path

import pytest

from leafpress.content.inline import InlineError, check_characters, parse_inline
from leafpress.content.loader import check_mirrors, load_handout
from leafpress.content.model import Span
from leafpress.errors import LeafletError

from conftest import ROOT


def write(tmp_path: Path, text: str, lang: str = "en") -> Path:
    folder = tmp_path / "handouts" / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / f"{lang}.yaml"
    p.write_text(text, encoding="utf-8")
    return p


GOOD = """\
handout: demo
lang: en
version: "1"
last_reviewed: 2026-01-02
translation:
  status: source
title: A title
summary: The main message.
source_credit: Based on something
sections:
  - id: one
    heading: First
    blocks:
      - paragraph: Hello **world**.
      - steps: [Do this., Then that.]
"""


def error(tmp_path, text, lang="en") -> str:
    with pytest.raises(LeafletError) as exc:
        load_handout(write(tmp_path, text, lang), tmp_path)
    return str(exc.value)


def test_good_file_loads(tmp_path):
    h = load_handout(write(tmp_path, GOOD), tmp_path)
    assert h.title.plain == "A title"
    assert h.sections[0].blocks[0].text.spans == (Span("Hello "), Span("world", bold=True), Span("."))
    assert len(h.sections[0].blocks[1].items) == 2


def test_unknown_key_names_file_line_and_path(tmp_path):
    text = GOOD.replace("      - paragraph: Hello **world**.", "      - paragrap: Hello")
    assert error(tmp_path, text) == (
        "handouts/demo/en.yaml:14: sections[0].blocks[0].paragrap: unknown block kind 'paragrap'. "
        "Use one of: paragraph, bullets, steps, callout, figure, table, write_in")


def test_unknown_top_level_key(tmp_path):
    assert error(tmp_path, GOOD + "colour: red\n") == (
        "handouts/demo/en.yaml:16: colour: unknown key 'colour'. Use one of: handout, lang, version, "
        "last_reviewed, translation, title, summary, source_credit, sections, subtitle, source_url, checks, contact")


def test_missing_field(tmp_path):
    text = GOOD.replace("summary: The main message.\n", "")
    assert error(tmp_path, text) == "handouts/demo/en.yaml:1: (top level): missing key 'summary'. Add 'summary:' here"


def test_wrong_type(tmp_path):
    text = GOOD.replace("title: A title", "title: [a, b]")
    assert error(tmp_path, text) == (
        "handouts/demo/en.yaml:7: title: expected text, found a list. Write the text after the colon; "
        "quote it if it starts with a special character")


def test_bad_date(tmp_path):
    text = GOOD.replace("last_reviewed: 2026-01-02", "last_reviewed: soon")
    assert error(tmp_path, text) == "handouts/demo/en.yaml:4: last_reviewed: expected a date like 2026-11-01, found text"


def test_malformed_yaml(tmp_path):
    text = GOOD.replace("title: A title", "title: [unclosed")
    msg = error(tmp_path, text)
    assert msg.startswith("handouts/demo/en.yaml:8: YAML syntax error:")
    assert "\n" not in msg


def test_missing_file(tmp_path):
    with pytest.raises(LeafletError) as exc:
        load_handout(tmp_path / "handouts" / "demo" / "xx.yaml", tmp_path)
    assert str(exc.value) == "handouts/demo/xx.yaml: file not found. Check the name, or create the file"


def test_python_tags_are_refused(tmp_path):
    text = GOOD.replace("title: A title", "title: !!python/object/apply:os.system ['echo hi']")
    assert "the YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed" in error(tmp_path, text)


def test_alias_bomb_is_refused(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 8):
        bomb += f"{'abcdefgh'[i]}: &{'abcdefgh'[i]} [" + ", ".join([f"*{'abcdefgh'[i - 1]}"] * 10) + "]\n"
    msg = error(tmp_path, bomb)
    assert "values (aliases expanded)" in msg and "Remove YAML anchors" in msg


def test_reviewed_needs_reviewer(tmp_path):
    text = GOOD.replace("status: source", "status: reviewed")
    assert error(tmp_path, text) == (
        "handouts/demo/en.yaml:5: translation: a reviewed translation needs 'reviewer' and 'reviewed_on'. "
        "Add who reviewed it and when, or set status: draft")


def test_status_must_be_known(tmp_path):
    text = GOOD.replace("status: source", "status: final")
    assert error(tmp_path, text) == (
        "handouts/demo/en.yaml:6: translation.status: 'final' is not a valid status. "
        "Choose from: source, draft, reviewed")


# -- inline syntax ------------------------------------------------------------------------------
def test_markup_characters_are_literal():
    spans = parse_inline('<font color="red">x</font> &lt; <a href="javascript:alert(1)">y</a> & AT&T')
    assert spans == (Span('<font color="red">x</font> &lt; <a href="javascript:alert(1)">y</a> & AT&T'),)


def test_bold_italic_link_and_escapes():
    spans = parse_inline(r"a **b** *c* [d](https://e.org) \*f\*")
    assert spans == (Span("a "), Span("b", bold=True), Span(" "), Span("c", italic=True), Span(" "),
                     Span("d", href="https://e.org"), Span(" *f*"))


@pytest.mark.parametrize("text, message", [
    ("**open", "'**' opened but never closed"),
    ("[x](javascript:alert(1))", "link 'javascript:alert(1' is not allowed"),
    ("[x](http://plain.org)", "link 'http://plain.org' is not allowed"),
    ("a\u202eb", "invisible bidi control U+202E at character 2"),
    ("a\x07b", "control character U+0007 at character 2"),
    ("a\ue000b", "private-use character U+E000"),
    ("a\ud800b", "unpaired surrogate U+D800"),
])
def test_inline_errors(text, message):
    with pytest.raises(InlineError) as exc:
        parse_inline(text)
    assert message in str(exc.value)


def test_the_quick_character_check_passes_only_what_the_full_one_passes():
    """check_characters looks at a text's distinct characters first (content/inline.py) and
    reads it character by character only when something may be wrong: what the quick look
    passes, the full check passes too, over random mixes of every kind of character it refuses
    or counts; and each kind still reaches the full check's message."""
    import random

    from leafpress.content import inline
    pool = (list("ab \n1") + ["\u0301", "\u0e31", "\u093f", "\u0903"]     # marks (Mn, Mc)
            + ["\u2066", "\u2067", "\u2068", "\u2069", "\u200d", "\u00ad", "\ufe0f", "\U000e0041"]
            + ["\u202a", "\u202e", "\x07", "\x7f", "\ue000", "\ud800", "\u0378", "\u2061", "\u0600", "\u00e9"])
    rnd = random.Random(7)
    refused = 0
    for _ in range(3000):
        text = "".join(rnd.choice(pool if rnd.random() < 0.3 else pool[:10]) for _ in range(rnd.randrange(1, 24)))
        try:
            inline._check_each(text)
        except InlineError:
            refused += 1
            assert not inline._fine(text), repr(text)
    assert refused > 300
    for text in ("a" + "\u0301" * 9, "\u2067x", "x\u2069", "a\u2061b", "a\u0378b"):
        assert not inline._fine(text)
        with pytest.raises(InlineError):
            check_characters(text)
    assert inline._fine("a" + "\u0301" * 8 + " b" + "\u0301" * 8) and inline._fine("\u2067x\u2069") is False


def test_a_file_is_read_whole_or_to_one_byte_past_its_limit(tmp_path):
    """files.read_limited reads a file in one go when it is the size it was (fonts: one copy,
    not a join of pieces), and never more than its limit and one byte."""
    from leafpress.files import read_limited
    data = bytes(range(256)) * 12289         # a little over 3 MB
    f = tmp_path / "f.bin"
    f.write_bytes(data)
    assert read_limited(f, 64_000_000) == data
    assert read_limited(f, len(data)) == data
    assert read_limited(f, len(data) - 1) == data
    assert read_limited(f, 1000) == data[:1001]
    assert read_limited(f, 0) == data[:1]
    assert read_limited(tmp_path / "f.bin", 2_000_000) == data[:2_000_001]


# -- mirroring ----------------------------------------------------------------------------------
def test_every_translation_mirrors_the_source():
    folder = ROOT / "handouts" / "port"
    source = load_handout(folder / "en.yaml", ROOT)
    for path in sorted(folder.glob("*.yaml")):
        check_mirrors(source, load_handout(path, ROOT))


def test_mirror_mismatch_names_both_places(tmp_path):
    src = load_handout(write(tmp_path, GOOD), tmp_path)
    tr_text = GOOD.replace("lang: en", "lang: es").replace("status: source", "status: draft") \
        .replace("steps: [Do this., Then that.]", "steps: [Haga esto.]")
    tr = load_handout(write(tmp_path, tr_text, "es"), tmp_path)
    with pytest.raises(LeafletError) as exc:
        check_mirrors(src, tr)
    assert str(exc.value) == (
        "handouts/demo/es.yaml: sections[0].blocks[1].steps: has 1 items, the source has 2 "
        "(source: handouts/demo/en.yaml sections[0].blocks[1].steps). "
        "Make the translation follow the source's structure")


def test_mirror_missing_section(tmp_path):
    src = load_handout(write(tmp_path, GOOD), tmp_path)
    tr_text = GOOD.replace("lang: en", "lang: es").replace("status: source", "status: draft") \
        .replace("id: one", "id: uno")
    tr = load_handout(write(tmp_path, tr_text, "es"), tmp_path)
    with pytest.raises(LeafletError) as exc:
        check_mirrors(src, tr)
    assert "sections differ from the source: missing one; extra uno (source: handouts/demo/en.yaml sections)" in str(exc.value)
