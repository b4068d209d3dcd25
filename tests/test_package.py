"""The installable package (issue 11): a wheel with every module and a ``leafpress`` command that
does what ``python generate.py`` does. (A fresh virtual environment with ``pip install .`` is
what ``make package-check`` does, in ``make test``; this file stays offline and fast.)"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path
import sys

import pytest
from conftest import ROOT


def test_the_package_declares_its_build_and_command():
    import tomllib
    from setuptools import find_namespace_packages    # pyproject's find: namespaces on by default
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["build-system"]["build-backend"] == "setuptools.build_meta"
    assert meta["project"]["scripts"]["leafpress"] == "leafpress.cli:console"
    found = set(find_namespace_packages(str(ROOT), include=meta["tool"]["setuptools"]["packages"]["find"]["include"]))
    folders = {".".join(p.relative_to(ROOT).parts[:-1]) for p in (ROOT / "leafpress").rglob("*.py")}
    assert {"leafpress", "leafpress.layout", "leafpress.render", "leafpress.text", "leafpress.content"} <= folders
    assert folders <= found, sorted(folders - found)


def test_the_command_prints_its_usage(tmp_path):
    got = subprocess.run([sys.executable, "-c", "import sys; sys.argv = ['leafpress', '--help'];"
                          "from leafpress.cli import console; sys.exit(console())"],
                         capture_output=True, text=True, cwd=ROOT)
    assert got.returncode == 0 and got.stdout.startswith("usage: leafpress"), got.stderr


def test_the_command_ends_with_its_status_its_output_and_exit_handlers(tmp_path):
    """The command ends without Python's object-by-object teardown (cli.leave), but with its exit
    status, everything it printed (also unflushed, into a pipe) and the exit handlers run."""
    got = subprocess.run([sys.executable, "-c", "import atexit, sys; atexit.register(print, 'handler ran');"
                          "sys.argv = ['leafpress', '--lang', 'xx', '--out', sys.argv[1]]; print('before', end='');"
                          "from leafpress.cli import console; console(); print('not reached')", str(tmp_path / "o")],
                         capture_output=True, text=True, cwd=ROOT)
    assert got.returncode == 2 and "error: unknown language 'xx'" in got.stderr, got.stderr
    assert got.stdout == "beforehandler ran\n"


def test_output_that_cannot_be_written_at_the_end_is_said_in_one_line_with_status_1(tmp_path):
    """What is still buffered when the command ends and cannot be written (a full disk: /dev/full)
    is said in one line on stderr, and the status is 1, not the command's 0; no traceback."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        got = subprocess.run([sys.executable, "-c", "import sys; print('a buffered line');"
                              "from leafpress.cli import leave; leave(0)"],
                             stdout=full, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                             env={k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"})
    assert got.returncode == 1, got.stderr
    assert got.stderr.count("\n") == 1 and got.stderr.startswith("error: could not write the output:"), got.stderr


def test_the_command_uses_the_folder_it_runs_in(tmp_path):
    got = subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path;"
                          "import leafpress.cli as c; print(c.default_root())"],
                         capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(ROOT)})
    assert got.stdout.strip() == str(ROOT)      # run from a checkout: the checkout
