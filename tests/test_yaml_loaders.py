"""The C YAML parser (libyaml through PyYAML) and the Python one give the same documents under the
YAML 1.2 core schema, and every file the C parser refuses gets the Python loader's message."""
from pathlib import Path

import pytest

from leafpress.content import yamlsafe
from leafpress.errors import LeafletError

ROOT = Path(__file__).resolve().parent.parent

CASES = [
    "a: no\nb: yes\nc: 0x1F\nd: 1.10\ne: 2026-01-01\nf: on\ng: ~\nh: .inf\ni: 0o17\nj: 012\nk: '1'\n",
    "a: [1, 2", "a: b\n\tc: d\n", "a: &x 1\nb: *x\n", "<<: {a: 1}\n", "a: !!python/object 1\n",
    "- " * 40 + "x", "[" * 1001 + "]" * 1001, "a: 'x\u0085y'\n", "a: \"\\x01\"\n", "x: 1\n---\ny: 2\n",
    "a: b\x07\n", "a: 1\na: 2\n", "a:\n  - b\n  -\n", "? [a]\n: b\n", "a: \"\\uD800\"\n",
]


def _both(text: str):
    out = []
    for loader in (yamlsafe.FAST_LOADER, None):
        saved, yamlsafe.FAST_LOADER = yamlsafe.FAST_LOADER, loader
        try:
            doc = yamlsafe.parse_yaml(text, "f.yaml")
            out.append((doc.data, doc.lines, doc.raw))
        except LeafletError as exc:
            out.append(("error", str(exc)))
        finally:
            yamlsafe.FAST_LOADER = saved
    return out


def test_the_c_parser_is_used():
    assert yamlsafe.FAST_LOADER is not None      # the pinned PyYAML wheel carries libyaml


@pytest.mark.parametrize("text", CASES)
def test_same_result_or_same_message(text):
    fast, slow = _both(text)
    assert fast == slow


def test_same_documents_for_every_project_file():
    files = [p for d in ("handouts", "layouts", "assets", "tests/library") for p in sorted((ROOT / d).rglob("*.yaml"))]
    assert len(files) > 40
    for f in files:
        fast, slow = _both(f.read_bytes().decode("utf-8-sig"))
        assert fast == slow, f
        assert fast[0] != "error", f
