"""What a build planned, kept for the next build with the same inputs: a rebuild with nothing
changed decides so from file signatures alone.

Input: the project folder, the build's filters, and (after a build) its plan: the documents,
each one's input fingerprint (``input_hash``), the input files' hashes and what the manifest
merge needs to know of the project. Output: ``OUT/.leafpress-cache/plan-<key>.json``, and on
the next build with the same key, that record.

The key is a digest of the filters, the engine version and the signature (size, times, inode,
mode; a link's target) of every file and folder under ``handouts/``, ``layouts/``, ``assets/``
and the press's own code, with ``pyproject.toml``: everything a plan and a fingerprint are made
from. A file edited, added, removed or replaced gives another key, so a record is used only for
exactly the inputs it was made from; the build then reads no YAML and hashes nothing (and
imports neither). A record that cannot be read or does not match is ignored: the build plans as
usual. The folder keeps the few most recent records.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

from . import ENGINE_VERSION

CACHE = ".leafpress-cache"
KEEP = 8                     # records kept (one per recent set of inputs and filters)
MAX_RECORD = 64_000_000
_TOPS = ("handouts", "layouts", "assets")


def _sig(st: os.stat_result) -> str:
    return f"{st.st_mode:o}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}"


def state_key(root: Path, filters: list) -> str:
    """The digest of ``filters`` and of the signature of every input file and folder."""
    h = hashlib.sha256(json.dumps([ENGINE_VERSION, str(root), filters]).encode())
    engine = Path(__file__).resolve().parent
    seen: set = set()
    for top in [root / t for t in _TOPS] + [engine]:
        h.update(f"\0top {top}\n".encode())
        for here, dirs, files in os.walk(top, followlinks=True):
            try:
                st = os.stat(here)
            except OSError:
                continue
            if (st.st_dev, st.st_ino) in seen:      # a link back up the tree: listed, not walked again
                dirs[:] = []
                continue
            seen.add((st.st_dev, st.st_ino))
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            h.update(f"\0dir {here} {dirs}\n".encode())
            for name in sorted(files):
                if name.endswith(".pyc"):
                    continue
                p = os.path.join(here, name)
                try:
                    lst = os.lstat(p)
                    line = _sig(lst)
                    if stat.S_ISLNK(lst.st_mode):
                        line += f" -> {os.readlink(p)} {_sig(os.stat(p))}"
                except OSError:
                    line = "unreadable"
                h.update(f"{name} {line}\n".encode())
    for extra in (root / "pyproject.toml",):
        try:
            h.update(f"\0{extra} {_sig(os.stat(extra))}\n".encode())
        except OSError:
            h.update(f"\0{extra} missing\n".encode())
    return h.hexdigest()


def _file(folder: Path, key: str) -> Path:
    return folder / CACHE / f"plan-{key[:40]}.json"


def read(out_arg: str, key: str) -> dict | None:
    """The record for ``key`` in the output folder ``out_arg`` names, if there is a sound one."""
    try:
        path = _file(Path(out_arg).resolve(), key)
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_RECORD:
            return None
        with open(path, "rb") as f:
            rec = json.loads(f.read())
    except (OSError, ValueError, RecursionError, RuntimeError):
        return None
    if not isinstance(rec, dict) or rec.get("key") != key:
        return None
    try:
        jobs = [(str(h), str(lang), str(lay), str(b), str(kind), str(d)) for h, lang, lay, b, kind, d in rec["jobs"]]
        shape = rec["shape"]
        ok = (isinstance(shape["handouts"], dict) and all(isinstance(v, list) for v in shape["handouts"].values())
              and all(isinstance(shape[k], list) for k in ("layouts", "brands", "partners"))
              and isinstance(rec["hashed"], dict) and isinstance(rec["partner_problems"], list)
              and (shape["partners_error"] is None or isinstance(shape["partners_error"], str)))
    except (KeyError, TypeError, ValueError):
        return None
    if not ok or not jobs:
        return None
    rec["jobs"] = jobs
    return rec


def write(out: Path, key: str, record: dict) -> None:
    """Keep ``record`` for ``key`` (and only the few most recent others)."""
    from .project import OutsideOut, write_atomic
    folder = out / CACHE
    try:
        if _file(out, key).is_file():
            return          # the same key is the same plan: already kept
        write_atomic(_file(out, key), json.dumps(dict(record, key=key)).encode(), inside=out)
        old = sorted(folder.glob("plan-*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)[KEEP:]
        for p in old:
            if stat.S_ISREG(os.lstat(p).st_mode):
                os.unlink(p)
    except (OutsideOut, OSError):
        pass            # no record: the next build plans as usual


class Known:
    """The project as a record describes it: what a build with nothing to do asks of it."""

    def __init__(self, root: Path, rec: dict):
        shape = rec["shape"]
        self.root = root
        self.handouts = {h: dict.fromkeys(langs) for h, langs in shape["handouts"].items()}
        self.layouts = dict.fromkeys(shape["layouts"])
        self.brands = dict.fromkeys(shape["brands"])
        self.partner_ids = list(shape["partners"])
        self.partners_error = shape["partners_error"]
        self.partner_problems = [str(p) for p in rec["partner_problems"]]
        self.hashed = rec["hashed"]
        self.known_hashes: dict = {}
        self.digests: dict = {}

    def all_brands(self) -> list[str]:
        return list(self.brands) + self.partner_ids

    def input_hash(self, job) -> str:
        return self.digests[job]


def record(project, jobs: list, digests: dict, partner_problems: list) -> dict:
    """What :class:`Known` needs, from a planned build."""
    return {"jobs": [[j.handout, j.lang, j.layout, j.brand, j.kind, digests[j]] for j in jobs],
            "hashed": project.hashed,
            "partner_problems": [str(p) for p in partner_problems],
            "shape": {"handouts": {h: list(langs) for h, langs in project.handouts.items()},
                      "layouts": list(project.layouts), "brands": list(project.brands),
                      "partners": list(project.partner_ids),
                      "partners_error": None if project.partners_error is None else str(project.partners_error)}}
