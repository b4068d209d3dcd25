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


def _fake(monkeypatch, picker, found: dict):
    """``found``: candidate name -> (path, probe answer)."""
    monkeypatch.setattr(picker.shutil, "which", lambda n: found[n][0] if n in found else None)
    monkeypatch.setattr(picker.os.path, "realpath", lambda p: p)
    answers = {path: got for path, got in found.values()}
    monkeypatch.setattr(picker, "probe", lambda path: answers[path])


def test_an_interpreter_linked_into_its_executable_is_chosen_over_a_shared_libpython(monkeypatch, picker):
    _fake(monkeypatch, picker, {"python3": ("/pyenv/python3", (True, True)),
                                "/usr/bin/python3": ("/usr/bin/python3", (True, False))})
    assert picker.choose()[0] == "/usr/bin/python3"


def test_without_one_the_first_usable_is_chosen(monkeypatch, picker):
    _fake(monkeypatch, picker, {"python3": ("/old/python3", None),
                                "python3.12": ("/pyenv/python3.12", (True, True)),
                                "/usr/bin/python3": ("/usr/bin/python3", (True, None))})
    assert picker.choose()[0] == "/pyenv/python3.12"


def test_with_none_usable_python3_is_left_to_say_what_is_missing(monkeypatch, picker):
    _fake(monkeypatch, picker, {"python3": ("/old/python3", None)})
    assert picker.choose()[0] == "python3"


def test_the_probe_on_this_interpreter_says_it_can_make_the_venv(picker):
    got = picker.probe(sys.executable)
    assert got is not None and got[0] is True
