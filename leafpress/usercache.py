"""The user's cache: what one build learned that any later build on this machine may reuse, in
a folder outside every output folder.

Input: the environment (``LEAFPRESS_CACHE``: a folder, or ``off``; else ``$XDG_CACHE_HOME/leafpress``
or ``~/.cache/leafpress``) and what a build found: the sha256 of large input files (fonts) under
their signature, SVG records and QR codes' modules (render/assets.py), CLDR's answers for a
locale (formatting.py), a font file's measures (text/fonts.py). Output: the same, for the next process, so a build into a new, empty
output folder neither hashes 36 MB of fonts again nor imports svglib to convert the logo and the
diagram, nor Babel to write a date.

The cache is never needed: it is used only when its folder is the user's own (not a link, not
writable by others, in a folder others cannot rename it out of) and writable; a record that
cannot be read, is damaged or does not match is ignored and the work done again; deleting the
folder is always safe. Nothing read from it changes what is written: a file's hash is taken from
it only for the same path with the same size, modification and change times and inode (an edit
always changes the change time); an SVG record is keyed by the SVG's bytes and the converting
code, as in the output folder's own cache; a QR code's modules by its data and the encoding
code; a locale's answers by its name and the signatures of Babel's code and data; a font's
measures by the sha256 of its bytes and the measuring code's signatures. Records are
replaced whole (a temporary file renamed), so two builds at once never see half of one. The
press touches only its own names there (``hashes-<32 hex>.json``, one a folder of hashed files,
``svg-<32 hex>.json``, ``qr-<32 hex>.json``, ``cldr-<32 hex>.json``, ``font-<32 hex>.json`` and
its temporary ``.leafpress-*.tmp`` files), so ``LEAFPRESS_CACHE`` may name a folder shared with other tools.
A hash is kept only for a file not changed in the last RACY seconds (a same-size edit within a
file system's timestamp tick would otherwise keep its signature).
"""
from __future__ import annotations

import json
import os
import re
import stat
import tempfile
import time
from pathlib import Path

MIN_HASHED = 64 * 1024          # smaller files cost less to hash than to look up: not kept
MAX_HASHES = 4096               # entries kept in a folder's record (the most recent)
HASH_RECORDS = 256              # folders whose files' hashes are kept (the most recently used)
MAX_FILE = 8_000_000            # a record larger than this is not read
MAX_RECORDS = 1024              # SVG records kept (a clinic's own logo is one more)
PREFIX = ".leafpress-"
RACY = 2.0                      # seconds: a file changed more recently than this is not kept
STALE_TMP = 3600.0              # seconds: a temporary file older than this was left by a killed build
DIGEST = re.compile(r"[0-9a-f]{64}")
RETIRED = ("leafpress-hashes.json",)    # this cache's own records of earlier versions, no longer read
KINDS = ("svg-", "cldr-", "hashes-", "qr-", "font-")     # the record kinds, by prefix (record_name)
OWN = {kind: re.compile(re.escape(kind) + r"[0-9a-f]{32}\.json") for kind in KINDS}
_counts: dict = {}              # (folder, kind) -> records there, as this process last counted them


def folder() -> Path | None:
    """The cache folder, made if need be; None when there is none to use (turned off, not the
    user's own, not writable)."""
    setting = os.environ.get("LEAFPRESS_CACHE")
    if setting is not None and setting.strip().lower() in ("off", "0", "no", "none", ""):
        return None
    try:
        if setting:
            path = Path(setting).expanduser()
        else:
            xdg = os.environ.get("XDG_CACHE_HOME", "")
            base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
            base.mkdir(mode=0o700, exist_ok=True)      # (in a home folder that exists: none is made)
            path = base / "leafpress"
        if not path.is_absolute():
            return None
        path.mkdir(mode=0o700, exist_ok=True)
        st, up = os.lstat(path), os.stat(path.parent)
    except (OSError, RuntimeError):
        return None
    uid = os.getuid() if hasattr(os, "getuid") else None
    if not stat.S_ISDIR(st.st_mode) or st.st_mode & 0o022 or (uid is not None and st.st_uid != uid):
        return None
    # Records are reached by path: a folder others could rename ours out of (and put theirs in
    # its place) is no place for them. Its parent is the user's or the system's, and others may
    # write there only where the sticky bit keeps them from renaming what is not theirs (/tmp).
    if (uid is not None and up.st_uid not in (uid, 0)) or (up.st_mode & 0o022 and not up.st_mode & stat.S_ISVTX):
        return None
    return path if os.access(path, os.W_OK | os.X_OK) else None


def read(name: str) -> bytes | None:
    """A record's bytes (a regular file, at most MAX_FILE bytes), or None."""
    where = folder()
    if where is None:
        return None
    from .files import read_limited
    try:
        if os.path.islink(where / name):
            return None
        data = read_limited(where / name, MAX_FILE)
    except OSError:
        return None
    if len(data) > MAX_FILE:
        return None
    try:
        os.utime(where / name)      # used: the last to be pruned
    except OSError:
        pass
    return data


def write(name: str, data: bytes, keep: int | None = None, like: str = "") -> None:
    """Replace a record (a temporary file renamed over it; a cache needs no sync to disk). With
    ``keep``: at most that many records of the kind ``like`` (a prefix of OWN) stay, the least
    recently used removed (when a quarter more have gathered: the folder is not listed at every
    write). Failures are silent: the next build does the work again."""
    where = folder()
    if where is None:
        return
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=PREFIX, suffix=".tmp", dir=where)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        new = keep is not None and not os.path.lexists(where / name)     # (a rewrite adds no record)
        os.replace(tmp, where / name)
        tmp = None
        if new:
            added(where, like, keep)
    except OSError:
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def added(where: Path, like: str, keep: int) -> None:
    """A record of the kind ``like`` was just written in ``where`` (this cache, or an output
    folder's own, render/assets.py): when a quarter more than ``keep`` have gathered, the least
    recently used beyond ``keep`` are removed (the folder is listed once per process, then
    counted, not listed at every write)."""
    n = _counts.get((where, like))
    n = _counts[(where, like)] = len(_own(where, like)) if n is None else n + 1
    if n > keep + keep // 4:
        _prune(where, like, keep)
        _counts[(where, like)] = keep


def _own(where: Path, like: str) -> list:
    pattern = OWN[like]
    return [e for e in os.scandir(where) if pattern.fullmatch(e.name) and e.is_file(follow_symlinks=False)]


def _prune(where: Path, like: str, keep: int) -> None:
    """The least recently used records of the kind ``like`` beyond ``keep``, and temporary files
    a killed build left, removed."""
    now = time.time()
    for e in os.scandir(where):
        if e.name in RETIRED and e.is_file(follow_symlinks=False):
            try:
                os.unlink(e.path)
            except OSError:
                pass
        elif e.name.startswith(PREFIX) and e.name.endswith(".tmp") and e.is_file(follow_symlinks=False):
            try:
                if now - e.stat(follow_symlinks=False).st_mtime > STALE_TMP:
                    os.unlink(e.path)
            except OSError:
                pass
    names = _own(where, like)
    if len(names) <= keep:
        return
    names.sort(key=lambda e: e.stat(follow_symlinks=False).st_mtime_ns)
    for e in names[:len(names) - keep]:
        try:
            os.unlink(e.path)
        except OSError:
            pass


def is_digest(value) -> bool:
    """A sha256 as this cache and the manifest write it (64 lower-case hex digits)."""
    return isinstance(value, str) and DIGEST.fullmatch(value) is not None


def recorded(entry, sig: list | None) -> str | None:
    """The hash an entry ``[signature, sha256]`` (the manifest's or this cache's) records for
    a file whose signature is ``sig`` now, or None (another file, or a damaged entry)."""
    if sig is not None and isinstance(entry, list) and len(entry) == 2 and entry[0] == sig and is_digest(entry[1]):
        return entry[1]
    return None


def record_name(kind: str, key: str) -> str:
    """The name of the record of kind ``kind`` (one of KINDS) kept under ``key``."""
    import hashlib
    assert kind in KINDS, kind
    return f"{kind}{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()[:32]}.json"


def hashes_name(folder: str) -> str:
    """The record of the hashes of the files in ``folder`` (a path as the press names files)."""
    return record_name("hashes-", folder)


class Hashes:
    """File hashes by path and signature, as the output folder's manifest keeps them
    (``path -> [signature, sha256]``), for files of at least MIN_HASHED bytes: one record per
    folder of such files (a project's fonts are one), so a process reads the hashes of the
    folders it uses, not those of every project and scratch copy built on the machine."""

    def __init__(self):
        self.known: dict = {}       # folder -> its record's entries, read when first asked
        self.found: dict = {}

    def get(self, path: str, sig: list) -> str | None:
        where = os.path.dirname(path)
        if where not in self.known:
            self.known[where] = self._read(where)
        return recorded(self.known[where].get(path), sig)

    def put(self, path: str, sig: list, digest: str) -> None:
        """Keep ``digest`` for ``path`` with signature [size, mtime_ns, ctime_ns, inode], unless
        the file changed within RACY seconds of now (or its times are in the future)."""
        newest = max(sig[1], sig[2]) / 1e9 if len(sig) >= 3 else float("inf")
        if sig and sig[0] >= MIN_HASHED and is_digest(digest) and newest < time.time() - RACY:
            self.found[path] = [sig, digest]

    def save(self) -> None:
        """Add what this process hashed to its folders' records (nothing to do: nothing written)."""
        by_folder: dict = {}
        for path, entry in self.found.items():
            by_folder.setdefault(os.path.dirname(path), {})[path] = entry
        for where, found in by_folder.items():
            merged = {k: v for k, v in self._read(where).items() if k not in found}
            merged.update(found)
            kept = dict(list(merged.items())[-MAX_HASHES:])
            write(hashes_name(where), json.dumps({"folder": where, "files": kept}).encode(),
                  keep=HASH_RECORDS, like="hashes-")
        self.found = {}

    @staticmethod
    def _read(where: str) -> dict:
        data = read(hashes_name(where))
        if data is None:
            return {}
        try:
            got = json.loads(data)
        except (ValueError, RecursionError):
            return {}
        files = got.get("files") if isinstance(got, dict) and got.get("folder") == where else None
        return {k: v for k, v in files.items() if os.path.dirname(k) == where} if isinstance(files, dict) else {}


class Values:
    """One record of answers kept under ``key`` (CLDR's for a locale, a font file's measures):
    read when made (only while its key still matches, each value passing ``valid``), added to as
    answers come (at most ``kept``), written back whole, at most ``records`` of its ``kind``
    kept. With ``key`` None (nothing to key it by, or no user's cache) nothing is read or kept."""

    def __init__(self, kind: str, key: str | None, kept: int, records: int, valid=None):
        self.kind, self.key, self.kept, self.records = kind, key, kept, records
        self.file = None if key is None else record_name(kind, key)
        self.values: dict = {}
        if self.file is not None:
            data = read(self.file)
            try:
                got = json.loads(data) if data is not None else None
            except (ValueError, RecursionError):
                got = None
            if isinstance(got, dict) and got.get("key") == key and isinstance(got.get("values"), dict):
                self.values = {k: v for k, v in got["values"].items()
                               if isinstance(k, str) and (valid is None or valid(v))}

    def get(self, name: str):
        return self.values.get(name)

    def put(self, name: str, value) -> None:
        if self.file is None or self.values.get(name) == value or len(self.values) >= self.kept:
            return
        self.values[name] = value
        data = json.dumps({"key": self.key, "values": self.values}, ensure_ascii=False, sort_keys=True)
        write(self.file, data.encode("utf-8"), keep=self.records, like=self.kind)
