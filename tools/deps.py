"""Print the project's pinned dependencies from pyproject.toml, one per line.

Usage: python tools/deps.py [extra ...]   (the Makefile pipes this into pip)
"""
import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]
deps = list(project["dependencies"])
for extra in sys.argv[1:]:
    deps += project["optional-dependencies"][extra]
print("\n".join(deps))
