"""PDF/UA-1 and PDF/A-2a (PDF/A-2u and the tagged structure), as an independent validator sees
them: ``page`` (PyPI page-validation, veraPDF's rule set for PDF/UA-1 and PDF/A-2, its own PDF
parser) on every leaflet built."""
from __future__ import annotations

import re

import page
import pytest

PROFILES = ("ua1", "2a")


def failures(data: bytes, profile: str) -> list[str]:
    report = page.validate_pdf_bytes(data, profile=profile)
    return [f"{f.rule_id}: {f.message}" for f in report.failures]


def test_every_leaflet_is_pdf_ua1_and_pdf_a2a(built):
    pdfs = sorted(built.rglob("*.pdf"))
    assert len(pdfs) > 100
    bad = {}
    for pdf in pdfs:
        data = pdf.read_bytes()
        for profile in PROFILES:
            found = failures(data, profile)
            if found:
                bad[(pdf.name, profile)] = found[:3]
    assert not bad, bad


@pytest.mark.parametrize("break_it, rule", [
    # a /Filter key on the metadata stream (what hid the PDF/UA identification); same length,
    # so the cross-reference table stays right
    (lambda d: d.replace(b"/Subtype /XML /Type /Metadata", b"/Subtype /XML /Filter [] /T 1", 1),
     "METADATA-FILTER"),
    # no output intent: DeviceRGB colours are device dependent
    (lambda d: d.replace(b"/OutputIntents", b"/OutputIntentz", 1), "DEVICE-RGB"),
    # a link annotation that would not print
    (lambda d: re.sub(rb"/F 4\b", b"/F 0", d, count=1), "ANNOTATION-FLAGS"),
])
def test_the_validator_catches_what_was_fixed(built, break_it, rule):
    data = (built / "open-leaflets" / "port" / "port-hi-letter-2page.pdf").read_bytes()
    assert not failures(data, "2a")
    broken = break_it(data)
    assert broken != data
    assert any(rule in f for f in failures(broken, "2a")), failures(broken, "2a")
