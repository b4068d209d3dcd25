"""PDF/A-2 pieces the writer lacks: stream syntax, the sRGB output intent; streams compressed once.

Input: ReportLab's document while it is built. Output: every stream written with an end-of-line
before ``endstream`` (ISO 19005-2, 6.1.7.1; ``/Length`` still counts the data only), and an
``/OutputIntents`` entry in the catalog with an sRGB ICC profile (made with Pillow's ImageCms,
its creation date fixed so the same inputs give the same bytes), so DeviceRGB colours are
device-independent (6.2.4.3). :func:`flate_once`: the Flate filter for data that many documents
write the same (the profile, font subsets, ToUnicode maps, glyph outlines), compressed once per
process (a bounded cache) into the bytes ReportLab's own filter gives.

ReportLab hooks used (pinned to reportlab 5.1.0, covered by tests): ``PDFStream.format``
(wrapped once, for every stream), ``doc.Catalog`` and ``doc.Reference``.
"""
from __future__ import annotations

import hashlib
import struct
import zlib
from functools import lru_cache

from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream, PDFString

from ..lru import BytesLru, Lru

_format = getattr(pdfdoc.PDFStream, "_leafpress_original_format", pdfdoc.PDFStream.format)


def _format_with_eol(self, document):
    out = _format(self, document)[:-len(b"endstream\n")]
    # Data ending in CR followed by LF would read as a CRLF end-of-line: give it a CRLF of its own.
    return out + (b"\r\n" if out.endswith(b"\r") else b"\n") + b"endstream\n"


setattr(pdfdoc.PDFStream, "_leafpress_original_format", _format)     # wrapped once, even if reloaded
setattr(pdfdoc.PDFStream, "format", _format_with_eol)


class Flated:
    """A Flate filter whose output is known: exactly what ReportLab's ``PDFZCompress`` gives
    for the stream's data (``zlib.compress`` at its default level)."""
    pdfname = "FlateDecode"

    def __init__(self, data: bytes, packed: bytes):
        self.data, self.packed = data, packed

    def encode(self, text):
        if isinstance(text, str):
            text = text.encode("utf8")
        # Only ever the data it was made for (else compressed here, as ReportLab would).
        return self.packed if text == self.data else zlib.compress(text)

    def decode(self, encoded):
        return zlib.decompress(encoded)


_FLATED = BytesLru("compressed streams", 256, 6 << 20)
# Pages' content: a page no clinic detail is drawn on is the same in every clinic's variant.
_PAGES = BytesLru("compressed pages", 32, 8 << 20)


def flate_once(data: bytes, pages: bool = False) -> Flated:
    """The filter for a stream of ``data``, compressed once while it is among the recent ones."""
    cache = _PAGES if pages else _FLATED
    got = cache.get(data)
    if got is None:
        got = Flated(data, zlib.compress(data))
        cache.put(data, got, 2 * len(data))
    return got


# A page drawn for many clinics starts with the same operators up to the first clinic detail:
# (where, e.g. a pattern's page) -> the last content seen there, or the compressor fed the part
# every content there has begun with, with what it wrote (about 270 KB a compressor: few kept;
# enough for the pages with clinic details of a language's every layout, 11 to 18 for the six,
# as a worker builds each clinic's layouts one after another: batch.groups_of).
_STARTS = Lru("compressed page starts", 24)
START_MIN = 8192       # a shorter common start is compressed again (copying a compressor costs more)


def _flated_page(data: bytes, where) -> Flated:
    """The filter of a page's content: the same page compressed before, or (``where`` the page
    was drawn before with the same start) the compressor after that start, copied and fed the
    rest: zlib's output does not depend on how its input is split between calls (checked once
    per process, :func:`_split_is_safe`; tests too), so the bytes are ``zlib.compress(data)``."""
    if where is None or _split_safe is False:
        return flate_once(data, pages=True)
    got = _PAGES.get(data)
    if got is not None:
        return got
    last = _STARTS.get(where)
    if isinstance(last, tuple) and data.startswith(last[0]):
        start, head, compressor = last
        rest = compressor.copy()
        got = Flated(data, head + rest.compress(data[len(start):]) + rest.flush())
    else:
        n = 0 if last is None else _common_start(last if isinstance(last, bytes) else last[0], data)
        if n < START_MIN:
            _STARTS.put(where, data)
            return flate_once(data, pages=True)
        compressor = zlib.compressobj()
        head = compressor.compress(data[:n])
        _STARTS.put(where, (data[:n], head, compressor))
        rest = compressor.copy()
        got = Flated(data, head + rest.compress(data[n:]) + rest.flush())
    if not _split_is_safe(got):
        return flate_once(data, pages=True)
    _PAGES.put(data, got, 2 * len(data))
    return got


_split_safe: bool | None = None      # this process's zlib gives the same bytes fed in parts


def _split_is_safe(got: Flated) -> bool:
    """Whether compressing from a shared start gives what zlib.compress gives, found once per
    process on the first page so compressed: stock zlib's output does not depend on how its
    input is split between calls, but a Python linked with another deflate library might
    differ; then every page is compressed whole (the same bytes either way)."""
    global _split_safe
    if _split_safe is None:
        _split_safe = got.packed == zlib.compress(got.data)
    return _split_safe


def _common_start(a: bytes, b: bytes) -> int:
    """How many bytes ``a`` and ``b`` begin with alike."""
    lo, hi = 0, min(len(a), len(b))
    va, vb = memoryview(a), memoryview(b)
    while lo < hi:               # (the first hi bytes differ somewhere; the first lo do not)
        mid = (lo + hi + 1) // 2
        if va[:mid] == vb[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def page_stream_once(page, where=None) -> None:
    """A page's content stream as ReportLab makes it (``PDFPage.check_format``, with page
    compression), compressed once while a page with the same content is among the recent ones
    (and, ``where`` it was drawn before, from the start it shares with that page's last
    content: see _flated_page)."""
    data = page.stream.encode("utf8")
    stream = PDFStream()
    stream.filters = [_flated_page(data, where)]
    stream.content = data       # (the bytes the filter was made for: not encoded again when written)
    stream.__Comment__ = "page stream"
    page.Contents = stream


@lru_cache(maxsize=1)
def srgb_profile() -> bytes:
    """An sRGB ICC profile (Pillow's littleCMS), dated 2000-01-01 with its MD5 id redone."""
    from PIL import ImageCms
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    data[24:36] = struct.pack(">6H", 2000, 1, 1, 0, 0, 0)
    if any(data[84:100]):
        probe = bytearray(data)
        probe[44:48] = probe[64:68] = bytes(4)
        probe[84:100] = bytes(16)
        data[84:100] = hashlib.md5(probe).digest()
    return bytes(data)


def add_output_intent(doc) -> None:
    """The catalog's /OutputIntents: one GTS_PDFA1 intent with the sRGB profile."""
    data = srgb_profile()
    icc = PDFStream(PDFDictionary({"N": 3}), data, filters=[flate_once(data)])
    intent = PDFDictionary({
        "Type": PDFName("OutputIntent"),
        "S": PDFName("GTS_PDFA1"),
        "OutputConditionIdentifier": PDFString("sRGB IEC61966-2.1"),
        "Info": PDFString("sRGB IEC61966-2.1"),
        "DestOutputProfile": doc.Reference(icc, "LPsRGBProfile"),
    })
    cat = doc.Catalog
    cat.__NoDefault__ = list(type(cat).__NoDefault__) + ["OutputIntents"]
    cat.OutputIntents = PDFArray([intent])
