"""Assets for the PDF writer: SVG files as ReportLab vector drawings, QR codes as modules.

Input: the assets of the page model (:class:`Svg`, :class:`Qr`). Output: what the writer draws
-- a svglib ``Drawing`` per SVG file, the dark/light modules of a QR code -- each made once per
process (cached). The layout stage never sees these objects.
"""
from __future__ import annotations

import functools
import logging
from pathlib import Path

from ..errors import LeafletError
from ..layout.items import Qr, Svg
from ..lru import Lru

_DRAWINGS = Lru("svg drawings", 64)      # a partner clinic's own logo is one more drawing
_QR = Lru("qr codes", 256)


def drawing(svg: Svg):
    """The SVG as a ReportLab Drawing (the file was checked when it was loaded)."""
    got = _DRAWINGS.get(svg.path)
    if got is None:
        from svglib.svglib import svg2rlg     # only documents that draw an SVG pay for it
        logging.getLogger("svglib").setLevel(logging.ERROR)
        got = svg2rlg(str(svg.path))
        if got is None:
            raise LeafletError("svglib could not read this SVG", file=svg.path.name)
        _DRAWINGS.put(svg.path, got)
    return got


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
    """Rows of dark (True) and light modules of the QR code for ``qr.data``, error correction M."""
    got = _QR.get(qr.data)
    if got is None:
        qrencoder = _qrencoder()
        code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        code.addData(qr.data)
        code.make()
        got = tuple(tuple(bool(m) for m in row) for row in code.modules)
        _QR.put(qr.data, got)
    return got
