"""Reading the press's input and output files safely: regular files only, bounded.

Input: a path (and a size limit). Output: its bytes, its sha256, or whether it is a regular
file; a FIFO, device or folder is never opened for reading, so nothing blocks. Kept apart from
the YAML reader so that what only needs a file's bytes or hash (the manifest, the input
fingerprints) does not import the YAML parser.
"""
from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path

from .errors import LeafletError


class NotRegular(OSError):
    """The path is a FIFO, a device, a folder or a socket: never opened for reading."""


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; ``limit + 1`` bytes are read when
    it is longer, so the caller can say it is too long without reading a 3 GB file (or
    /dev/zero). FIFOs, devices and folders raise :class:`NotRegular`; nothing blocks."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = ("a folder" if stat.S_ISDIR(st.st_mode) else "a named pipe (FIFO)"
                    if stat.S_ISFIFO(st.st_mode) else "a device or socket")
            raise NotRegular(errno.EINVAL, f"not a regular file but {kind}")
        chunks, size = [], 0
        while size <= limit:
            # the rest of the file in one read (and its one chunk returned, not copied by join)
            chunk = os.read(fd, min(max(1 << 20, st.st_size + 1 - size), limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def sha256_regular(path: Path, *, follow: bool = True, limit: int | None = None) -> str | None:
    """The sha256 of a regular file, or None if it is not one (a FIFO or device is never read;
    with ``follow=False`` neither is a link). A file over ``limit`` bytes is named by its size
    and time instead of being read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | (0 if follow else getattr(os, "O_NOFOLLOW", 0))
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None
        if limit is not None and st.st_size > limit:
            return f"too large: {st.st_size} bytes, {st.st_mtime_ns}"
        h = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            h.update(chunk)
        return h.hexdigest()
    finally:
        os.close(fd)


def signature(st: os.stat_result | None) -> list | None:
    """What says a file is unchanged without reading it: size, modification and change times
    (the change time no tool sets back: any write, or a file put in its place, changes it) and
    inode; None when ``st`` is not a regular file's."""
    if st is None or not stat.S_ISREG(st.st_mode):
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def package_folder(name: str) -> Path | None:
    """The folder an installed package is in, found without importing it (None: not installed)."""
    import importlib.util
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def code_signature(paths: list) -> str | None:
    """What says the code behind a kept answer is unchanged, without reading it: each file's
    path and :func:`signature`, a line each; None when one cannot be found (keep nothing then)."""
    parts = []
    for f in paths:
        try:
            sig = signature(os.stat(f))
        except (OSError, ValueError):
            return None
        if sig is None:
            return None
        parts.append(f"{f}:{sig}")
    return "\n".join(parts)


def is_regular(path: Path) -> bool:
    """A regular file (following links), asked without opening it."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except (OSError, ValueError):
        return False


def read_error(exc: OSError, display: str) -> LeafletError:
    if isinstance(exc, FileNotFoundError):
        return LeafletError("file not found", file=display, hint="Check the name, or create the file")
    if isinstance(exc, NotRegular):
        return LeafletError(f"cannot read the file: {exc.strerror}", file=display,
                            hint="Replace it with an ordinary file")
    if exc.errno == errno.ELOOP:
        return LeafletError("cannot read the file: it is a symbolic link that loops", file=display,
                            hint="Replace the link with the file")
    return LeafletError(f"cannot read the file ({exc.strerror or exc})", file=display)
