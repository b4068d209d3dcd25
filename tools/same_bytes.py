#!/usr/bin/env python3
"""Compare two build folders PDF by PDF (sha256): which documents changed, appeared or went.

Usage: python tools/same_bytes.py BEFORE AFTER   (e.g. a build of main and one of a branch)
Exit status 0 when every PDF is byte-identical, 1 otherwise.
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*.pdf")) if "proofs" not in p.parts}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    before, after = (digests(Path(a)) for a in argv)
    changed = sorted(k for k in before.keys() & after.keys() if before[k] != after[k])
    gone, new = sorted(before.keys() - after.keys()), sorted(after.keys() - before.keys())
    for label, names in (("changed", changed), ("only before", gone), ("only after", new)):
        for name in names:
            print(f"{label}: {name}")
    same = len(before.keys() & after.keys()) - len(changed)
    print(f"{same} identical, {len(changed)} changed, {len(gone)} only before, {len(new)} only after")
    return 0 if not (changed or gone or new) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
