"""The dataclasses' generated methods made from code kept in the user's cache
(leafpress/dataclass_code.py) are the methods compiling their text makes; a damaged, foreign or
turned-off cache changes nothing; only the press's own classes are kept."""
from __future__ import annotations

import base64
import hashlib
import marshal
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Every module of the press imported (those with optional dependencies missing left out), then
# each dataclass's generated methods' code, marshalled, and what the kept code did.
_DUMP = r"""
import base64, dataclasses, importlib, marshal, pkgutil, sys
import leafpress
from leafpress import dataclass_code
for m in pkgutil.walk_packages(leafpress.__path__, "leafpress."):
    try:
        importlib.import_module(m.name)
    except ImportError:
        pass
@dataclasses.dataclass(frozen=True)
class Foreign:          # not the press's: never looked up nor kept
    a: int
codes = {}
for name, mod in list(sys.modules.items()):
    if name.startswith("leafpress") or name == "__main__":
        for cls in list(vars(mod).values()):
            if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == name:
                for meth in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__"):
                    fn = cls.__dict__.get(meth)
                    code = getattr(getattr(fn, "__wrapped__", fn), "__code__", None)
                    if code is not None:
                        codes[f"{name}.{cls.__qualname__}.{meth}"] = code
print(base64.b64encode(marshal.dumps(codes)).decode())
kept = [t for table in dataclass_code._kept.values() for t in table]
new = [t for table in dataclass_code._new.values() for t in table]
print(dataclass_code._installed, len(kept), len(dataclass_code._used), len(new), any("Foreign" in t for t in kept + new),
      len(dataclass_code._blobs))
if sys.argv[1] == "save":
    dataclass_code.save()
"""


def _dump(cache: str, save: bool = False) -> tuple[dict, list[str]]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["LEAFPRESS_CACHE"] = cache
    got = subprocess.run([sys.executable, "-c", _DUMP, "save" if save else "-"], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout.splitlines()
    return marshal.loads(base64.b64decode(got[0])), got[1].split()


def test_methods_from_kept_code_are_those_compiling_makes_and_a_bad_record_is_ignored(tmp_path):
    plain, state = _dump("off")
    assert state == ["False", "0", "0", "0", "False", "0"]        # turned off: dataclasses as Python makes them
    assert len(plain) > 200
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    first, state = _dump(str(cache), save=True)
    assert state[0] == "True" and state[1:3] == ["0", "0"] and int(state[3]) > 200 and state[4:] == ["False", "0"]
    (record,) = cache.glob("code-*.marshal")
    kept, state = _dump(str(cache))
    assert state[0] == "True" and int(state[2]) > 200 and state[3] == "0" and int(state[5]) > 20    # all from the record
    for codes in (first, kept):
        assert codes.keys() == plain.keys()
        for k, code in codes.items():
            assert code == plain[k] and code.co_filename == plain[k].co_filename and \
                code.co_flags == plain[k].co_flags and code.co_consts == plain[k].co_consts, k
    # Damaged (one byte of each module's code changed; the record cut short), or another
    # interpreter's: not used, everything compiled again.
    whole = record.read_bytes()
    key, blobs = marshal.loads(whole)
    flipped = {m: b[:40] + bytes([b[40] ^ 1]) + b[41:] for m, b in blobs.items()}
    for data in (marshal.dumps((key, flipped)), whole[:len(whole) // 2]):
        record.write_bytes(data)
        again, state = _dump(str(cache))
        assert state[1:3] == ["0", "0"] and int(state[3]) > 200 and again == plain
    inner = marshal.dumps({"x": compile("x = 1", "<string>", "exec")})
    record.write_bytes(marshal.dumps(("another interpreter", {"leafpress.x": hashlib.sha256(inner).digest() + inner})))
    again, state = _dump(str(cache))
    assert state[1:3] == ["0", "0"] and state[5] == "0" and again == plain


def test_the_command_line_keeps_the_code_for_the_next_process(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["LEAFPRESS_CACHE"] = str(cache)
    subprocess.run([sys.executable, str(ROOT / "generate.py"), "list"], cwd=tmp_path, env=env,
                   capture_output=True, check=True)
    (record,) = cache.glob("code-*.marshal")
    written = record.stat().st_mtime_ns
    subprocess.run([sys.executable, str(ROOT / "generate.py"), "list"], cwd=tmp_path, env=env,
                   capture_output=True, check=True)
    assert record.stat().st_mtime_ns == written         # nothing new: not written again
    _, state = _dump(str(cache))
    assert int(state[2]) > 50 and int(state[3]) > 0     # what the command made came from the record


def test_without_a_cache_folder_nothing_is_made(tmp_path):
    """Importing the press reads the record at most: it makes no folder."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("LEAFPRESS_CACHE", "XDG_CACHE_HOME")}
    env["HOME"] = str(home)
    subprocess.run([sys.executable, "-c", "import leafpress.cli"], cwd=ROOT, env=env, check=True)
    assert list(home.iterdir()) == []
