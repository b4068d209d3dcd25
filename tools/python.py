"""Print the Python interpreter that `make` should build the project's .venv from.

Usage: python3 tools/python.py [--why]   (the Makefile calls it when it creates .venv;
`make PYTHON=/path/to/python3` chooses instead)

The press is pure Python, so the interpreter's own build is part of its speed. A build whose
executable carries the interpreter itself (a distribution's python3, built with profile-guided
optimisation and link-time optimisation and linked statically) runs the press about 10 % faster
than one that loads it from a shared libpython (a plain source build, such as pyenv's default):
measured with bench/side.py and bench/README.md ("the interpreter"), the same PDFs either way.

The linkage is what can be read off an interpreter without timing it, and it stands for the
build as a whole: a distribution's static build is also its optimised one, a source build with
no options has neither (the difference above is both together, not the linkage alone).

Candidates, in this order: ``python3`` on PATH, then ``python3.13``, ``python3.12``, ``python3.11``
on PATH, then /usr/bin/python3 and /usr/local/bin/python3. Usable: Python 3.11 or newer that can
make a venv with pip in it (venv and ensurepip import). Chosen: the first usable one whose
executable does not load libpython as a shared library (read from /proc/self/maps where there is
one), else the first usable one, else ``python3`` (whose own error then says what is missing).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

CANDIDATES = ("python3", "python3.13", "python3.12", "python3.11", "/usr/bin/python3", "/usr/local/bin/python3")

# Run by each candidate: its version, whether it can make a venv with pip, whether it maps libpython.
PROBE = """
import sys
try:
    import venv, ensurepip
    venvs = True
except ImportError:
    venvs = False
try:
    with open("/proc/self/maps") as f:
        shared = any("libpython" in line for line in f)
except OSError:
    shared = None
print(sys.version_info >= (3, 11), venvs, shared)
"""


def probe(path: str) -> tuple[bool, bool | None] | None:
    """(usable, loads libpython as a shared library: None where the system does not say), or
    None when it is not a Python that can make the project's venv."""
    try:
        out = subprocess.run([path, "-I", "-c", PROBE], capture_output=True, text=True, timeout=30).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    if len(out) != 3 or out[0] != "True" or out[1] != "True":
        return None
    return True, {"True": True, "False": False}.get(out[2])


def choose() -> tuple[str, str]:
    """The interpreter and why."""
    seen: set[str] = set()
    usable: list[tuple[str, bool | None]] = []
    for name in CANDIDATES:
        path = shutil.which(name)
        if path is None:
            continue
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        got = probe(path)
        if got is not None:
            usable.append((path, got[1]))
    for path, shared in usable:
        if shared is False:
            return path, "Python 3.11+ with the interpreter linked into its executable (faster)"
    if usable:
        return usable[0][0], "the first Python 3.11+ that can make a venv (each found loads a shared libpython)"
    return "python3", "no Python 3.11+ that can make a venv was found"


def main() -> None:
    path, why = choose()
    print(f"{path}: {why}" if "--why" in sys.argv[1:] else path)


if __name__ == "__main__":
    main()
