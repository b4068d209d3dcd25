"""The output folder: what the press owns, and a manifest that always matches it.

Input: the ``--out`` argument, the project root and, while a build runs, finished documents
(manifest entry + PDF bytes). Output: a claimed and locked folder; PDFs and ``manifest.json``
written inside it only (never through a link), atomically; the manifest rewritten as documents
finish, so that at every moment each entry it lists as built names a PDF on disk with that
sha256, and each PDF the press wrote there is listed.

What the press owns: a folder it made or one that was empty (refused: ``/``, the home folder,
the project folder or one above them, a non-empty folder without a manifest); in it, only files
it wrote and recorded with their hash, still unchanged; its temporary files, named
``.leafpress-*.tmp``, swept only in the folders it writes to. One build per folder at a time
(an advisory lock on ``.leafpress.lock``).
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import signal
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .files import read_limited, sha256_regular, signature as file_signature
from .errors import LeafletError, UsageError, escape
from .project import TMP_PREFIX, OutsideOut, discard, safe_parent, stage, write_atomic

MANIFEST = "manifest.json"
LOCK = ".leafpress.lock"
LOCK_WAIT = 5.0                 # seconds a second build waits for the first before giving up
MAX_MANIFEST = 64_000_000
FLUSH_EVERY = 0.2               # seconds between manifest rewrites while documents finish,
FLUSH_COST_FACTOR = 50          # and at least this many times what the last rewrite took
STAGING_THREADS = 4             # PDFs written and synced to disk at once
KEPT_TEXT = 16_000_000          # characters of manifest entries' text kept between rewrites
_TMP = re.compile(r"^" + re.escape(TMP_PREFIX) + r".+\.tmp$")
_PDF_PATH = re.compile(r"^[^/\x00]+/[^/\x00]+/(print-shop/)?[^/\x00]+\.pdf$")   # see project.Job.path


class OutDir:
    """A claimed, locked output folder."""

    def __init__(self, arg: str, root: Path, wait: float | None = None):
        self.arg = arg
        self.root = root.resolve()
        if not arg.strip():
            raise UsageError("--out is empty", hint="Name a folder for the PDFs, e.g. --out out")
        path = Path(arg)
        if not path.is_absolute():
            path = Path.cwd() / path
        try:
            real = path.resolve()
        except (OSError, RuntimeError) as exc:
            raise UsageError(f"--out {escape(arg)} cannot be used ({exc})") from None
        self._refuse_places(real)
        if real.exists() and not real.is_dir():
            raise UsageError(f"--out {escape(arg)} is a file, not a folder", hint="Name a folder for the PDFs")
        made = False
        if not real.exists():
            try:
                real.mkdir(parents=True)
                made = True
            except FileExistsError:
                # Another build made it between our look and our mkdir: it is then an existing folder,
                # checked like any other below (and the lock decides who writes).
                if not real.is_dir():
                    raise UsageError(f"--out {escape(arg)} is a file, not a folder",
                                     hint="Name a folder for the PDFs") from None
            except OSError as exc:
                raise UsageError(f"cannot make the folder --out {escape(arg)} ({exc.strerror})",
                                 hint="Name a folder you can write to") from None
        self.path = real
        self._folders: dict[str, bool] = {}      # document folders found to be real folders (see _reached)
        if not made:
            self._check_contents()
        self._fd = self._lock(LOCK_WAIT if wait is None else wait)

    # -- claiming ---------------------------------------------------------------------------
    def _refuse_places(self, real: Path) -> None:
        try:
            home = Path.home().resolve()
        except (RuntimeError, KeyError, OSError):
            home = None
        bad = None
        if real == Path(real.anchor):
            bad = "the root of the file system"
        elif home is not None and (real == home or real in home.parents):
            bad = "your home folder" if real == home else "a folder above your home folder"
        elif real == self.root or real in self.root.parents:
            bad = "the project folder" if real == self.root else "a folder above the project"
        elif any(real == self.root / name or (self.root / name) in real.parents
                 for name in ("handouts", "layouts", "assets", "leafpress", "tests", "tools", "bench", "docs")):
            bad = "one of the project's own folders"
        if bad:
            raise UsageError(f"--out {escape(self.arg)} is {bad}; the press only writes into a folder of "
                             "its own", hint="Name a new or empty folder, e.g. --out out")

    def _check_contents(self) -> None:
        try:
            names = os.listdir(self.path)
        except OSError as exc:
            raise UsageError(f"cannot read the folder --out {escape(self.arg)} ({exc.strerror})") from None
        if names and MANIFEST not in names and LOCK not in names:
            raise UsageError(f"--out {escape(self.arg)} is not empty and holds no {MANIFEST}: the press "
                             "writes only into a folder it made or an empty one",
                             hint="Name a new or empty folder")
        if MANIFEST in names:
            st = os.lstat(self.path / MANIFEST)
            if not stat.S_ISREG(st.st_mode):
                kind = ("a link" if stat.S_ISLNK(st.st_mode) else "a folder" if stat.S_ISDIR(st.st_mode)
                        else "not a regular file")
                raise UsageError(f"{escape(str(self.path / MANIFEST))} is {kind}, not the manifest the press "
                                 "writes", hint="Move it away, or use another --out")

    def _lock(self, wait: float) -> int:
        target = self.path / LOCK
        try:
            fd = os.open(target, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK, 0o644)
        except OSError as exc:
            reason = "it is a link" if exc.errno == errno.ELOOP else exc.strerror
            raise UsageError(f"cannot write into --out {escape(self.arg)} ({reason})",
                             hint="Name a folder you can write to") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise UsageError(f"{escape(str(target))} is not a file", hint="Move it away, or use another --out")
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise UsageError(f"cannot lock --out {escape(self.arg)} ({exc.strerror})") from None
            if time.monotonic() >= deadline:
                os.close(fd)
                raise UsageError(f"another build is writing into {escape(str(self.path))}",
                                 hint="Wait for it to finish, or use another --out")
            time.sleep(0.05)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)      # releases the lock
            self._fd = None

    # -- reading what is there --------------------------------------------------------------
    def manifest(self) -> dict:
        """The last manifest, or {} when there is none or it cannot be used (then nothing in the
        folder counts as the press's own, and everything is rebuilt)."""
        try:
            data = json.loads(read_limited(self.path / MANIFEST, MAX_MANIFEST)[:MAX_MANIFEST + 1])
        except (OSError, ValueError, RecursionError):
            return {}
        return data if isinstance(data, dict) else {}

    def check_project(self, manifest: dict) -> None:
        other = manifest.get("project")
        if isinstance(other, str) and other != str(self.root):
            raise UsageError(f"{escape(str(self.path))} holds the leaflets of another project ({escape(other)})",
                             hint="Use another --out for this project")

    def digest(self, rel: str) -> str | None:
        """The sha256 of the regular file at ``rel`` (reached without links), else None."""
        target = self._reached(rel)
        return None if target is None else sha256_regular(target, follow=False)

    def _reached(self, rel: str) -> str | None:
        if not isinstance(rel, str) or not _PDF_PATH.match(rel) or any(p in ("..", ".") for p in rel.split("/")):
            return None
        # Each folder on the way is a real folder (not a link); a thousand documents share a few
        # folders, each looked at once per reading (a folder replaced meanwhile is caught on writing).
        parent = rel.rpartition("/")[0]
        ok = self._folders.get(parent)
        if ok is None:
            ok = True
            here = str(self.path)
            for part in parent.split("/"):
                here = os.path.join(here, part)
                try:
                    if not stat.S_ISDIR(os.lstat(here).st_mode):
                        ok = False
                        break
                except OSError:
                    ok = False
                    break
            if ok:
                self._folders[parent] = True      # (a missing folder is asked again: it may be made)
        return os.path.join(str(self.path), rel) if ok else None

    def signature(self, rel: str) -> list | None:
        """Size, modification and change times and inode of the regular file at ``rel`` (reached
        without links), else None: any write to the file, or a file put in its place, changes it."""
        target = self._reached(rel)
        try:
            return file_signature(os.lstat(target)) if target is not None else None
        except OSError:
            return None

    def is_own(self, entry: dict) -> bool:
        """Whether the file ``entry`` lists is still the one the press wrote: unchanged since it
        was written (its recorded signature), or else the same bytes (read and hashed)."""
        sha = entry.get("sha256")
        if not sha:
            return False
        sig = self.signature(entry.get("path"))
        if sig is not None and entry.get("stat") == sig:
            return True
        return self.digest(entry.get("path")) == sha

    def sweep(self, rels) -> int:
        """Remove the press's own temporary files a killed build left, in the folders it writes
        to (and nowhere else). Returns how many."""
        folders = {self.path, self.path / "proofs", self.path / ".leafpress-cache"}
        for parent in {rel.rpartition("/")[0] for rel in rels}:     # a few folders for many documents
            folders.add(self.path / parent)
            folders.add(self.path / "previews" / parent)
        n = 0
        for folder in sorted(folders):
            try:
                if stat.S_ISLNK(os.lstat(folder).st_mode):
                    continue
                names = os.listdir(folder)
            except OSError:
                continue
            for name in names:
                if _TMP.match(name):
                    p = folder / name
                    try:
                        if stat.S_ISREG(os.lstat(p).st_mode):
                            os.unlink(p)
                            n += 1
                    except OSError:
                        pass
        return n

    def remove_own(self, entry: dict) -> bool:
        """Delete the PDF ``entry`` records, only if it is still the file the press wrote."""
        if not self.is_own(entry):
            return False
        try:
            os.unlink(self.path / entry["path"])
            return True
        except OSError:
            return False

    def stage(self, rel: str, data: bytes) -> str:
        """``data`` in a temporary file beside ``rel``, ready for ``os.replace``."""
        return stage(self.path / rel, data, inside=self.path)


ENTRY_TYPES = {"handout": str, "lang": str, "layout": str, "brand": str, "path": str, "status": str,
               "warnings": list, "pages": int}


def valid_entry(e) -> bool:
    """An entry a build can keep or compare with (older or hand-edited manifests may lack keys)."""
    return (isinstance(e, dict) and all(isinstance(e.get(k), t) for k, t in ENTRY_TYPES.items())
            and e["status"] in ("ok", "failed") and all(isinstance(w, str) for w in e["warnings"])
            and (e.get("sha256") is None or isinstance(e.get("sha256"), str))
            and isinstance(e.get("findings", []), list) and _PDF_PATH.match(e["path"]) is not None)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the manifest and the files it lists agree again: while the
    block runs they are only noted (a signal that arrived just before is noted too, as Python
    runs handlers late), and raised as KeyboardInterrupt when it ends."""
    got: list[int] = []

    def note(signum, frame):
        got.append(signum)

    try:
        old = {s: signal.signal(s, note) for s in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:       # not the main thread: nothing to hold
        yield
        return
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        if got:
            raise KeyboardInterrupt


class ManifestError(LeafletError):
    pass


class Recorder:
    """Writes finished documents and keeps the manifest equal to what is on disk.

    ``listed`` is what the manifest on disk says (path -> entry); a document that replaces or
    removes a listed PDF is first dropped from the manifest, then its file is written, then it
    is listed again: a kill at any moment leaves a manifest whose entries match their files."""

    def __init__(self, out: OutDir, head: dict, listed: dict, findings: list):
        self.out = out
        self.head = head                  # engine, project
        self.listed = dict(listed)
        self.findings = findings
        self.pending: list = []
        self.last = time.monotonic()
        self.broken: str | None = None     # why the manifest could not be written
        self.cost = 0.0                     # seconds the last manifest write took
        self.on_disk: dict | None = None    # the manifest as read at the start, until one is written
        self.texts: dict[bytes, str] = {}   # an entry's compact JSON's digest -> its text in the manifest

    def document(self, entry: dict, data: bytes | None) -> None:
        self.pending.append((entry, data))
        # Every flush rewrites the whole manifest, which grows with the batch: flushing at most
        # once per 50 manifest-writing times keeps that under 2 % of the build (linear, not
        # quadratic, in the number of documents; 101,000 documents write a large manifest).
        # (Each entry's text is kept, see _text: a rewrite costs about half what json.dumps
        # does, so the manifest is rewritten about as often as at 20 times json.dumps's.)
        if time.monotonic() - self.last >= max(FLUSH_EVERY, FLUSH_COST_FACTOR * self.cost):
            self.flush()

    def _manifest(self, documents, findings) -> None:
        started = time.monotonic()
        manifest = dict(self.head, documents=sorted(documents, key=lambda r: r["path"]), findings=findings)
        if manifest == self.on_disk:
            return              # what the folder's manifest already says (a rebuild that changed nothing)
        self.on_disk = None
        data = (self._text(manifest) + "\n").encode("utf-8")
        write_atomic(self.out.path / MANIFEST, data, inside=self.out.path)
        self.cost = time.monotonic() - started

    def _text(self, manifest: dict) -> str:
        """``json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True)``, the same
        characters, with each document's entry indented once and kept: Python indents in Python,
        many times slower than its C encoder, and every rewrite of the manifest would indent
        every entry again. An entry is known by its compact JSON (the C encoder: equal JSON,
        equal text), by a 128-bit digest of it (the texts, not their keys too, stay in memory);
        only the entries of this rewrite are kept for the next, up to KEPT_TEXT characters (about
        16,000 entries: the main process's memory stays bounded; beyond, entries are indented
        at each rewrite, as before)."""
        docs = manifest["documents"]
        head = json.dumps(dict(manifest, documents=[]), indent=2, ensure_ascii=False, sort_keys=True)
        if not docs:
            return head
        texts, parts, kept = {}, [], 0
        for d in docs:
            flat = hashlib.blake2b(json.dumps(d, ensure_ascii=False, sort_keys=True).encode("utf-8", "surrogatepass"),
                                   digest_size=16).digest()
            text = self.texts.get(flat)
            if text is None:    # (no string in JSON holds a raw line end: each line is indented)
                text = "    " + json.dumps(d, indent=2, ensure_ascii=False, sort_keys=True).replace("\n", "\n    ")
            if kept < KEPT_TEXT:
                texts[flat] = text
                kept += len(text)
            parts.append(text)
        self.texts = texts
        mark = '\n  "documents": []'      # a top-level key: no other line starts with two spaces and a quote
        at = head.index(mark)
        return head[:at] + '\n  "documents": [\n' + ",\n".join(parts) + "\n  ]" + head[at + len(mark):]

    def flush(self) -> None:
        self.last = time.monotonic()
        pending, self.pending = self.pending, []
        if not pending:
            return
        # The new PDFs go to temporary files first (the slow part, synced to disk), so that the
        # moments in which the manifest and the folder differ are only renames long.
        staged: dict[str, str] = {}
        failed_stage: dict[str, OSError] = {}
        with _signals_held():
            try:
                self._stage_all([(e["path"], d) for e, d in pending if d is not None and self.broken is None],
                                staged, failed_stage)
                self._commit(pending, staged, failed_stage)
            finally:
                for tmp in staged.values():
                    discard(tmp)

    def _stage_all(self, files: list, staged: dict, failed: dict) -> None:
        """Each (path, data) in a temporary file synced to disk, several at once: their folders
        made first, one after another, then the files written and synced side by side (the
        file system syncs them together; one after another, each waits for its own)."""
        if len(files) > 1:
            for p, _ in files:
                try:
                    safe_parent(self.out.path, self.out.path / p)
                except (OutsideOut, OSError) as exc:
                    failed[p] = exc
        files = [(p, d) for p, d in files if p not in failed]
        errors: list = []

        def write(share) -> None:
            for p, d in share:
                try:
                    staged[p] = self.out.stage(p, d)
                except (OutsideOut, OSError) as exc:
                    failed[p] = exc
                except BaseException as exc:    # noqa: BLE001 (raised again below, in this thread)
                    errors.append(exc)
                    return
        if len(files) <= 1:
            write(files)
        else:
            import threading
            k = min(STAGING_THREADS, len(files))
            threads = [threading.Thread(target=write, args=(files[i::k],), name="leafpress-stage") for i in range(k)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        if errors:
            raise errors[0]

    def _commit(self, pending, staged: dict, failed_stage: dict) -> None:
        """Drop what changes from the manifest, put the staged PDFs in place, list them."""
        changing = [e["path"] for e, d in pending
                    if e["path"] in self.listed and self.listed[e["path"]].get("sha256") != e.get("sha256")]
        old = {p: self.listed[p] for p in changing}
        if changing and self.broken is None:
            try:
                self._manifest([e for p, e in self.listed.items() if p not in old], self.findings)
                for p in changing:
                    del self.listed[p]
            except OSError as exc:
                self.broken = exc.strerror or str(exc)
        written = []
        on_disk = dict(self.listed)         # what the manifest on disk says now
        for entry, data in pending:
            p = entry["path"]
            if self.broken is not None:
                if data is not None or p not in self.listed:
                    _fail(entry, f"not written: the manifest cannot be written ({self.broken})")
                continue
            if data is not None:
                tmp = staged.get(p)
                try:
                    if tmp is None:
                        raise failed_stage.pop(p)
                    os.replace(tmp, self.out.path / p)
                    entry["stat"] = self.out.signature(p)     # the next build need not read it
                    del staged[p]
                    written.append(p)
                except (OutsideOut, OSError) as exc:
                    if tmp is not None:
                        discard(staged.pop(p))
                    _fail(entry, str(exc) if isinstance(exc, OutsideOut)
                          else f"could not write the PDF ({exc.strerror or exc})")
                    if p in self.listed:
                        continue    # the old PDF is untouched and stays listed as it is
            if entry["status"] != "ok" and p in old:
                # A failed document has no PDF: the old one, if still the press's own, goes
                # (the manifest on disk no longer lists it).
                self.out.remove_own(old[p])
            self.listed[p] = entry
        if self.broken is None:
            try:
                self._manifest(self.listed.values(), self.findings)
            except OSError as exc:
                self.broken = exc.strerror or str(exc)
                # Undo what the manifest on disk does not say: keep only PDFs it lists.
                for entry, data in pending:
                    p = entry["path"]
                    if p in on_disk:
                        self.listed[p] = on_disk[p]
                        if p in written and on_disk[p].get("sha256") == entry.get("sha256"):
                            continue    # the same bytes as listed: nothing to undo
                    else:
                        self.listed.pop(p, None)
                    if p in written:
                        try:
                            os.unlink(self.out.path / p)
                        except OSError:
                            pass
                    if entry["status"] == "ok":
                        _fail(entry, f"not kept: the manifest cannot be written ({self.broken})")

    def finish(self, documents: list[dict], findings: list[dict], stale: list[dict]) -> None:
        """The final manifest: ``documents`` as they now are, the PDFs of ``stale`` entries
        (documents that can no longer be built) removed if they are still the press's own."""
        self.flush()
        if self.broken is not None:
            raise ManifestError(f"cannot write {MANIFEST} ({self.broken}); the PDFs it lists are as it says",
                                file=str(self.out.path), hint="Free some space or fix the folder, then build again")
        # A document whose new PDF could not be written keeps its old, untouched PDF and entry.
        # (A failure remembered from the last build, ``unchanged``, is its entry already.)
        documents = [self.listed[d["path"]] if d["status"] == "failed" and not d.get("unchanged")
                     and d["path"] in self.listed else d for d in documents]
        with _signals_held():
            for entry in stale:
                self.out.remove_own(entry)
            try:
                self._manifest(documents, findings)
            except OSError as exc:
                raise ManifestError(f"cannot write {MANIFEST} ({exc.strerror or exc})", file=str(self.out.path),
                                    hint="Free some space or fix the folder, then build again") from None


def _fail(entry: dict, message: str) -> None:
    entry.update(status="failed", error=message, sha256=None, pages=0)
    entry.pop("deterministic", None)        # the folder's trouble, not the inputs': try again next time
