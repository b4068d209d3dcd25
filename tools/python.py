"""Print the Python interpreter that `make` should build the project's .venv from.

Usage: python3 tools/python.py [--why]   (the Makefile asks it only when .venv/bin/python is
missing; `make PYTHON=/path/to/python3` chooses instead; each candidate is asked by running this
file under it with --probe)

The press is pure Python, so the interpreter's own build is part of its speed. On the 2-core
machine Debian's python3.11, whose executable carries the interpreter (linked statically, built
with profile-guided and link-time optimisation), ran the press about 10 % faster than pyenv's
default build of 3.11, which loads it from a shared libpython and has neither optimisation
(bench/README.md, "session 9"; the same PDFs either way).

The linkage is what can be read off an interpreter without timing it, and here it stands for
the build as a whole; it is only a stand-in: a build linked statically but made without those
optimisations (CPython's ./configure with no options) would be chosen too, and gain less.

Candidates, in this order: ``python3`` on PATH, then ``python3.13``, ``python3.12``, ``python3.11``
on PATH, then /usr/bin/python3 and /usr/local/bin/python3, each once (by its real path). Usable:
Python 3.11 or newer that can make a venv with pip in it (venv and ensurepip import). Chosen: the
first usable one whose executable does not load libpython as a shared library (read from
/proc/self/maps where there is one), else the first usable one, else ``python3`` (whose own
error then says what is missing).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

CANDIDATES = ("python3", "python3.13", "python3.12", "python3.11", "/usr/bin/python3", "/usr/local/bin/python3")



def linkage() -> str:
    """How the interpreter running this is linked: "shared" (it maps libpython as a shared
    library), "static" or "unknown" (the system does not say). bench/side.py names it too."""
    try:
        with open("/proc/self/maps") as f:
            return "shared" if any("libpython" in line for line in f) else "static"
    except OSError:
        return "unknown"


def _answer_probe() -> None:
    """Run by a candidate (``--probe``): its :func:`linkage`, or "unusable" when it cannot make
    the venv."""
    usable = sys.version_info >= (3, 11)
    if usable:
        try:
            import ensurepip  # noqa: F401
            import venv  # noqa: F401
        except ImportError:
            usable = False
    print(linkage() if usable else "unusable")


def probe(path: str) -> str | None:
    """How the interpreter at ``path`` is linked (:func:`linkage`, asked of it by running this
    file with ``--probe``); None when it is not a Python that can make the project's venv."""
    try:
        out = subprocess.run([path, "-I", os.path.abspath(__file__), "--probe"], capture_output=True, text=True,
                             timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out if out in ("static", "shared", "unknown") else None


def choose() -> tuple[str, str]:
    """The interpreter and why."""
    seen: set[str] = set()
    usable: list[tuple[str, str]] = []
    for name in CANDIDATES:
        path = shutil.which(name)
        if path is None:
            continue
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        linkage = probe(path)
        if linkage is not None:
            usable.append((path, linkage))
    for path, linkage in usable:
        if linkage == "static":
            return path, "Python 3.11+ with the interpreter linked into its executable (faster)"
    if usable:
        if all(linkage == "shared" for _, linkage in usable):
            return usable[0][0], "the first Python 3.11+ that can make a venv (each found loads a shared libpython)"
        return usable[0][0], "the first Python 3.11+ that can make a venv (none found linked into its executable, " \
                             "or the system does not say)"
    return "python3", "no Python 3.11+ that can make a venv was found"


def main() -> None:
    if sys.argv[1:] == ["--probe"]:
        _answer_probe()
        return
    path, why = choose()
    print(f"{path}: {why}" if "--why" in sys.argv[1:] else path)


if __name__ == "__main__":
    main()
