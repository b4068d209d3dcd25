"""Assets for the PDF writer: SVG files as ReportLab vector drawings, QR codes as modules.

Input: the assets of the page model (:class:`Svg`, :class:`Qr`). Output: what the writer draws
-- a svglib ``Drawing`` per SVG file, the dark/light modules of a QR code -- each made once per
process (cached). The layout stage never sees these objects.
"""
from __future__ import annotations

import logging

from ..errors import LeafletError
from ..layout.items import Qr, Svg

_DRAWINGS: dict = {}
_QR: dict = {}


def drawing(svg: Svg):
    """The SVG as a ReportLab Drawing (the file was checked when it was loaded)."""
    got = _DRAWINGS.get(svg.path)
    if got is None:
        from svglib.svglib import svg2rlg     # only documents that draw an SVG pay for it
        logging.getLogger("svglib").setLevel(logging.ERROR)
        got = svg2rlg(str(svg.path))
        if got is None:
            raise LeafletError("svglib could not read this SVG", file=svg.path.name)
        _DRAWINGS[svg.path] = got
    return got


def qr_modules(qr: Qr) -> tuple:
    """Rows of dark (True) and light modules of the QR code for ``qr.data``, error correction M."""
    got = _QR.get(qr.data)
    if got is None:
        from reportlab.graphics.barcode import qrencoder
        code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        code.addData(qr.data)
        code.make()
        got = _QR[qr.data] = tuple(tuple(bool(m) for m in row) for row in code.modules)
    return got
