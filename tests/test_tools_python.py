"""tools/python.py: the interpreter `make` builds .venv from (a faster build first)."""
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def picker():
    spec = importlib.util.spec_from_file_location("pick_python", ROOT / "tools" / "python.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _fake(monkeypatch, picker, found: dict, real: dict | None = None):
    """``found``: candidate name -> (path, probe answer); ``real``: path -> its real path."""
    monkeypatch.setattr(picker.shutil, "which", lambda n: found[n][0] if n in found else None)
    monkeypatch.setattr(picker.os.path, "realpath", lambda p: (real or {}).get(p, p))
    answers = {path: got for path, got in found.values()}
    asked = []
    monkeypatch.setattr(picker, "probe", lambda path: asked.append(path) or answers[path])
    return asked


def test_an_interpreter_linked_into_its_executable_is_chosen_over_a_shared_libpython(monkeypatch, picker):
    _fake(monkeypatch, picker, {"python3": ("/pyenv/python3", "shared"),
                                "/usr/bin/python3": ("/usr/bin/python3", "static")})
    assert picker.choose()[0] == "/usr/bin/python3"


def test_without_one_the_first_usable_is_chosen(monkeypatch, picker):
    _fake(monkeypatch, picker, {"python3": ("/old/python3", None),
                                "python3.12": ("/pyenv/python3.12", "shared"),
                                "/usr/bin/python3": ("/usr/bin/python3", "unknown")})
    path, why = picker.choose()
    assert path == "/pyenv/python3.12" and "does not say" in why


def test_where_the_system_does_not_say_the_first_usable_is_chosen_and_the_reason_says_so(monkeypatch, picker):
    _fake(monkeypatch, picker, {"python3": ("/a/python3", "unknown"), "python3.11": ("/b/python3.11", "unknown")})
    path, why = picker.choose()
    assert path == "/a/python3" and "shared libpython" not in why


def test_each_interpreter_is_asked_once_by_its_real_path(monkeypatch, picker):
    asked = _fake(monkeypatch, picker, {"python3": ("/usr/bin/python3", "static"),
                                        "python3.11": ("/usr/bin/python3.11", "static")},
                  real={"/usr/bin/python3": "/usr/bin/python3.11"})
    picker.choose()
    assert asked == ["/usr/bin/python3"]


def test_with_none_usable_python3_is_left_to_say_what_is_missing(monkeypatch, picker):
    _fake(monkeypatch, picker, {"python3": ("/old/python3", None)})
    assert picker.choose()[0] == "python3"


def test_the_probe_reads_how_this_interpreter_is_linked(picker):
    assert picker.probe(sys.executable) == picker.linkage() in ("shared", "static")


def test_a_program_that_is_not_a_python_or_is_missing_is_unusable(picker, tmp_path):
    assert picker.probe("/bin/true") is None
    assert picker.probe(str(tmp_path / "missing")) is None
