"""Assets for the PDF writer: SVG files as ReportLab vector drawings, QR codes as modules.

Input: the assets of the page model (:class:`Svg`, :class:`Qr`); where a build writes, its
output folder (:func:`use_store`). Output: what the writer draws -- a svglib ``Drawing`` per SVG
file (or, when its drawing operators were stored, only its size), the dark/light modules of a QR
code -- each made once per process (cached). The layout stage never sees these objects.

An SVG file's size and drawing operators are also kept on disk, in the output folder's
``.leafpress-cache/`` (one small JSON file per SVG, named by a digest of the file's bytes and of
the code that converts it: svglib, ReportLab's renderer and canvas, this press's writer), so a
new process draws a logo or diagram without importing svglib (about 70 ms of a cold start) or
converting it again; the same records go to the user's cache (usercache.py), so a build into a
new, empty output folder finds them too. A record that does not match (another file, another
version of the code, an unreadable or edited record) is ignored and the file converted again: the
bytes written are the same either way.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import sys
from pathlib import Path

from .. import gcpolicy
from ..errors import LeafletError, kept
from ..layout.items import Qr, Svg
from ..lru import Lru
from ..plancache import CACHE as STORE_DIR

_DRAWINGS = Lru("svg drawings", 64)      # a partner clinic's own logo is one more drawing
_RECORDS = Lru("svg records", 64)        # SVG file -> (width, height, operators or None) on disk
_QR = Lru("qr codes", 256)
_MAX_RECORD = 8_000_000
_store: list[Path | None] = [None]       # the output folder's cache folder, when a build writes


def use_store(out: Path | None) -> None:
    """Keep and reuse SVG records in ``out/.leafpress-cache`` (None: keep none on disk)."""
    _store[0] = None if out is None else out / STORE_DIR
    _RECORDS.clear()


class Sized:
    """What the writer needs of a drawing whose operators are stored: its size."""

    def __init__(self, width: float, height: float):
        self.width, self.height = width, height


def _convert(path: Path, display: str):
    d = _DRAWINGS.get(path)
    if d is None:
        from svglib.svglib import svg2rlg     # only a drawing not stored yet pays for it
        logging.getLogger("svglib").setLevel(logging.ERROR)
        # svglib leaves its renderer (converters, CSS matcher, closures) in reference cycles:
        # freed right after (gcpolicy.collect_cycles; tests/test_worker_memory.py). When it
        # raises, its frames in the error's traceback hold the renderer: let go first
        # (errors.kept, which keeps where it was raised as text for --debug), then collected.
        try:
            d = svg2rlg(str(path))
        except Exception as exc:
            kept(exc)
            gcpolicy.collect_cycles()
            raise
        gcpolicy.collect_cycles()
        if d is None:
            raise LeafletError("svglib could not read this SVG", file=display)
        _DRAWINGS.put(path, d)
    return d


def drawing(svg: Svg):
    """The SVG as a ReportLab Drawing (the file was checked when it was loaded), or, when its
    operators are stored (:func:`stored_ops`), a :class:`Sized` with its width and height."""
    rec = _record(svg.path)
    if rec is not None and rec[2] is not None and svg.path not in _DRAWINGS:
        return Sized(rec[0], rec[1])
    return _convert(svg.path, svg.path.name)


def size(path: Path, display: str) -> tuple[float, float]:
    """The width and height svglib gives the (checked) SVG file, from its record if stored."""
    rec = _record(path)
    if rec is not None:
        return rec[0], rec[1]
    d = _convert(path, display)
    return d.width, d.height


def stored_ops(svg: Svg) -> tuple | None:
    """The drawing operators recorded for this SVG file, if any."""
    rec = _record(svg.path)
    return None if rec is None else rec[2]


def store(svg: Svg, d, ops: tuple | None) -> None:
    """Record the drawing's size and operators (None: they cannot be replayed) for the next process."""
    rec = (d.width, d.height, ops)
    if _RECORDS.get(svg.path) == rec:
        return          # kept already (in this process, and on disk if there is a store)
    _RECORDS.put(svg.path, rec)
    folder, key = _store[0], _key(svg.path)
    if folder is None or key is None:
        return
    from .. import usercache
    from ..project import OutsideOut, write_atomic
    data = json.dumps({"key": key, "width": rec[0], "height": rec[1], "ops": None if ops is None else list(ops)})
    name = _name(key)
    try:
        write_atomic(folder / name, data.encode(), inside=folder.parent)
        usercache.added(folder, "svg-", usercache.MAX_RECORDS)     # (an engine edit leaves a new set)
    except (OutsideOut, OSError):
        pass        # no record kept: the next process converts the file again
    usercache.write(name, data.encode(), keep=usercache.MAX_RECORDS, like="svg-")


def _name(key: str) -> str:
    from .. import usercache
    return usercache.record_name("svg-", key)


def _record(path: Path):
    rec = _RECORDS.get(path)
    if rec is None and _store[0] is not None:
        rec = _read_record(path)
        if rec is not None:
            _RECORDS.put(path, rec)
    return rec


def _read_record(path: Path):
    """The record of ``path`` in the output folder's cache, else in the user's (usercache.py)."""
    from .. import usercache
    from ..files import read_limited
    key = _key(path)
    if key is None:
        return None
    target = _store[0] / _name(key)
    try:
        if os.path.islink(_store[0]) or os.path.islink(target):
            return None
        got = json.loads(read_limited(target, _MAX_RECORD))
    except (OSError, ValueError, RecursionError):
        got = None
    if got is None:
        data = usercache.read(_name(key))
        try:
            got = None if data is None else json.loads(data)
        except (ValueError, RecursionError):
            return None
    if not isinstance(got, dict) or got.get("key") != key:
        return None
    w, h, ops = got.get("width"), got.get("height"), got.get("ops")
    if not all(isinstance(v, float | int) and not isinstance(v, bool) for v in (w, h)):
        return None
    if ops is not None and not (isinstance(ops, list) and all(isinstance(op, str) and "/" not in op for op in ops)):
        return None
    return w, h, None if ops is None else tuple(ops)


@functools.lru_cache(maxsize=1)
def _code() -> str:
    """The code an SVG's record comes from: Python, and the signatures of svglib's, ReportLab's
    and this press's files that convert and draw it ("": one is missing, nothing is kept)."""
    from ..files import code_signature, package_folder
    here = Path(__file__).resolve().parent
    files = [here / "assets.py", here / "pdf.py"]
    for pkg, names in (("svglib", ("svglib.py", "utils.py", "fonts.py", "__init__.py")),
                       ("reportlab", ("__init__.py", "graphics/renderPDF.py", "graphics/shapes.py",
                                      "graphics/renderbase.py", "pdfgen/canvas.py", "lib/colors.py",
                                      "rl_config.py", "rl_settings.py"))):
        base = package_folder(pkg)
        if base is None:
            return ""
        files += [base / n for n in names]
    sig = code_signature(files)
    return "" if sig is None else hashlib.sha256(f"{sys.version.split()[0]}\n{sig}".encode()).hexdigest()


_KEYS = Lru(None, 256)      # (path, signature) -> key: a drawing's file hashed once a process


def _key(path: Path) -> str | None:
    """The file's bytes and the converting code, as one string (None: the file cannot be read);
    worked out once per file and signature (looking a record up and storing it both ask)."""
    from ..files import sha256_regular, signature
    try:
        sig = signature(os.stat(path))
    except (OSError, ValueError):
        sig = None
    if sig is not None and (got := _KEYS.get((path, tuple(sig)))) is not None:
        return got
    digest = sha256_regular(path)
    code = _code()
    key = None if digest is None or not code else f"svg:{digest}:code:{code}"
    if sig is not None and key is not None:
        _KEYS.put((path, tuple(sig)), key)
    return key


@functools.lru_cache(maxsize=1)
def _qrencoder():
    """ReportLab's QR encoder module on its own: it needs only re and itertools, while importing
    it through its package first sets up twenty barcode widgets (a tenth of a cold start's imports)."""
    import importlib.util
    import sys
    name = "reportlab.graphics.barcode.qrencoder"
    if name not in sys.modules:
        import reportlab
        path = Path(reportlab.__file__).parent / "graphics" / "barcode" / "qrencoder.py"
        spec = importlib.util.spec_from_file_location("leafpress_qrencoder", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    return sys.modules[name]


def qr_modules(qr: Qr) -> tuple:
    """Rows of dark (True) and light modules of the QR code for ``qr.data``, error correction M:
    ReportLab's encoder, its mask chosen as its ``QRCode.make`` does (each of the eight drawn,
    the first with the fewest penalty points), the points counted by :func:`_lost_points`."""
    got = _QR.get(qr.data)
    if got is None:
        got = _qr_record(qr.data)
        if got is None:
            got = _qr_encoded(qr.data)
            _keep_qr(qr.data, got)
        _QR.put(qr.data, got)
    return got


def _qr_encoded(data: str) -> tuple:
    qrencoder = _qrencoder()
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(_qr_data(qrencoder, data))
    code.version = code.calculate_version()
    best = least = None
    for mask in range(8):
        code.makeImpl(True, mask)
        points = _lost_points(code.modules)
        if least is None or points < least:
            best, least = mask, points
    code.makeImpl(False, best)
    return tuple(tuple(bool(m) for m in row) for row in code.modules)


# A code's modules are also kept in the user's cache (usercache.py, ``qr-<32 hex>.json``), keyed
# by its data and the signatures of the code that makes them (ReportLab's encoder, this file):
# a process that finds them there neither imports the encoder nor encodes (3.4 ms a code).
@functools.lru_cache(maxsize=1)
def _qr_code() -> str:
    from ..files import code_signature, package_folder
    base = package_folder("reportlab")
    sig = None if base is None else code_signature([Path(__file__).resolve(), base / "graphics" / "barcode" / "qrencoder.py"])
    return "" if sig is None else hashlib.sha256(sig.encode()).hexdigest()


def _qr_name(data: str) -> str | None:
    code = _qr_code()
    if not code:
        return None
    from .. import usercache
    return usercache.record_name("qr-", f"{code}:{data}")


def _qr_record(data: str) -> tuple | None:
    from .. import usercache
    name = _qr_name(data)
    raw = None if name is None else usercache.read(name)
    try:
        got = None if raw is None else json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(got, dict) or got.get("data") != data or got.get("code") != _qr_code():
        return None
    rows = got.get("rows")
    n = len(rows) if isinstance(rows, list) else 0
    if not (21 <= n <= 177 and (n - 17) % 4 == 0) or not all(
            isinstance(r, str) and len(r) == n and not r.strip("01") for r in rows):
        return None
    return tuple(tuple(ch == "1" for ch in r) for r in rows)


def _keep_qr(data: str, modules: tuple) -> None:
    from .. import usercache
    name = _qr_name(data)
    if name is not None:
        rows = ["".join("1" if m else "0" for m in row) for row in modules]
        usercache.write(name, json.dumps({"data": data, "code": _qr_code(), "rows": rows}).encode(),
                        keep=usercache.MAX_RECORDS, like="qr-")


def _qr_data(qrencoder, data: str):
    """The first of ReportLab's data modes that takes ``data``, as ``QRCode.addData`` tries them;
    Kanji is not tried for data with an ASCII character (shift-JIS writes those in one byte,
    which ReportLab's QRKanji refuses), so a web address does not load the shift-JIS codec."""
    kanji = () if any(ch < "\x80" for ch in data) else (qrencoder.QRKanji,)
    for mode in (qrencoder.QRNumber, qrencoder.QRAlphaNum, *kanji, qrencoder.QR8bitByte):
        try:
            return mode(data)
        except ValueError:
            pass
    raise ValueError(f"no QR data mode takes {data!r}")


_RUN = re.compile(rb"\x00{5,}|\x01{5,}")
_FINDER = bytes([1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0])


def _lost_points(modules: list) -> int:
    """ReportLab's ``QRUtil.getLostPoint`` (qrencoder.py) for these modules, the same number
    (tests/test_batch.py compares the two on many codes and every mask), a few times faster:
    rows and columns as bytes and bits instead of Python loops over lists. As ReportLab counts:
    runs of five or more modules of one colour in a row or column, 3 points and 1 for each one
    more; 3 for each 2 x 2 block of one colour; 40 for each dark-light-dark-dark-dark-light-dark
    pattern followed by four light modules in a row (left to right, rows only, not overlapping,
    not starting in the last eleven modules: its column pass compares tuples to a list, which
    never match); 10 for each 5 % the share of dark modules is off 50 %."""
    n = len(modules)
    rows = [bytes(r) for r in modules]
    cols = [bytes(c) for c in zip(*modules)]
    points = 0
    for line in rows + cols:
        for m in _RUN.finditer(line):
            points += m.end() - m.start() - 2
    last_start = n - len(_FINDER)       # a pattern starting here or later is not counted
    for r in rows:
        at = r.find(_FINDER)
        while 0 <= at < last_start:
            points += 40
            at = r.find(_FINDER, at + len(_FINDER))
    bits = [int(r.translate(_DIGITS), 2) for r in rows]
    pairs = (1 << (n - 1)) - 1
    for a, b in zip(bits, bits[1:]):
        same = ~(a ^ b)                 # the two rows alike at each column
        points += 3 * (same & (same >> 1) & ~(a ^ (a >> 1)) & pairs).bit_count()
    dark = sum(r.count(1) for r in rows)
    return points + 10 * (abs(100 * dark // (n * n) - 50) // 5)


_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
