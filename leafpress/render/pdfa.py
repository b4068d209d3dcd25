"""PDF/A-2 pieces the writer lacks: stream syntax, the sRGB output intent.

Input: ReportLab's document while it is built. Output: every stream written with an end-of-line
before ``endstream`` (ISO 19005-2, 6.1.7.1; ``/Length`` still counts the data only), and an
``/OutputIntents`` entry in the catalog with an sRGB ICC profile (made with Pillow's ImageCms,
its creation date fixed so the same inputs give the same bytes), so DeviceRGB colours are
device-independent (6.2.4.3).

ReportLab hooks used (pinned to reportlab 5.1.0, covered by tests): ``PDFStream.format``
(wrapped once, for every stream), ``doc.Catalog`` and ``doc.Reference``.
"""
from __future__ import annotations

import hashlib
import struct
from functools import lru_cache

from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream, PDFString

_format = getattr(pdfdoc.PDFStream, "_leafpress_original_format", pdfdoc.PDFStream.format)


def _format_with_eol(self, document):
    out = _format(self, document)[:-len(b"endstream\n")]
    # Data ending in CR followed by LF would read as a CRLF end-of-line: give it a CRLF of its own.
    return out + (b"\r\n" if out.endswith(b"\r") else b"\n") + b"endstream\n"


setattr(pdfdoc.PDFStream, "_leafpress_original_format", _format)     # wrapped once, even if reloaded
setattr(pdfdoc.PDFStream, "format", _format_with_eol)


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
    icc = PDFStream(PDFDictionary({"N": 3}), srgb_profile(), filters=[pdfdoc.PDFZCompress])
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
