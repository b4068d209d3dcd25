"""Bounded work and checkable inputs (issue 13).

Complexity tests time a step at size n and 8n: linear work grows about 8x, quadratic 64x; the
bound (16x) allows 2x slack for a noisy shared machine and still fails the quadratic code these
tests were written against. Every run gets a fresh input (nothing cached), sizes are small, so
each test costs about a second. Checkable project files (layouts, language settings)
fail their own documents with a line naming the file, never "unexpected error".
"""
from __future__ import annotations

import itertools
import time

import pytest

from leafpress.cli import main
from leafpress.content.inline import check_characters
from leafpress.content.template import expand, fields
from leafpress.content.yamlsafe import parse_yaml
from leafpress.readability import scores
from leafpress.text.fonts import FontLibrary
from leafpress.languages import load_language

from conftest import ROOT, manifest


_FRESH = itertools.count()


def _time(step, n: int) -> float:
    """The best of three runs of ``step(n, k)``, each with a new ``k`` so that no cache of an
    earlier run answers."""
    best = float("inf")
    for _ in range(3):
        k = next(_FRESH)
        t = time.process_time()     # this process's CPU time: other processes on a loaded machine do not count
        step(n, k)
        best = min(best, time.process_time() - t)
    return best


def assert_linear(step, n: int) -> None:
    """8 times the input may take at most 16 times as long (quadratic work takes 64 times). A
    measurement disturbed by the machine is taken again; a quadratic step fails every time."""
    step(n // 8, next(_FRESH))         # warm what is loaded once (fonts, dictionaries)
    for _ in range(3):
        small, large = _time(step, n), _time(step, 8 * n)
        if large < 16 * max(small, 0.01):
            return
    raise AssertionError(f"{n}: {small:.4f} s, {8 * n}: {large:.4f} s (quadratic?)")


@pytest.fixture(scope="module")
def typesetter():
    from leafpress.text.setter import Typesetter
    lang = load_language(ROOT / "assets/languages/es.yaml", ROOT)
    return Typesetter(lang, FontLibrary([ROOT / "assets" / "fonts"]))


def test_a_word_without_breaks_is_set_in_linear_time(typesetter):
    """A 60,000-character word took over 120 s (hyphenation retried on the rest of the word for
    every line)."""
    assert_linear(lambda n, k: typesetter.shape("a" * n + "b" * (k + 1)).lines(18.0), 4000)


def test_a_word_of_hyphenatable_letters_is_set_in_linear_time(typesetter):
    assert_linear(lambda n, k: typesetter.shape("palabra" * (n // 7) + "s" * (k + 1)).lines(18.0), 4000)


def test_reading_level_of_a_long_word_is_linear():
    assert_linear(lambda n, k: scores(f"Una frase {k}. " + "a" * n + " b.c", "es"), 5000)
    assert_linear(lambda n, k: scores(f"A sentence {k}. " + "a" * n + " b.c", "en"), 5000)


def test_character_checks_are_linear():
    assert_linear(lambda n, k: check_characters(("e\u0301\u0323 " * (n // 4)) + str(k)), 20000)


def test_templates_are_linear_and_named_fields_only():
    assert_linear(lambda n, k: expand("{page}/" * n, {"page": k}), 20000)
    for bad in ("{page:0>2000000}", "{page.__class__.__mro__}", "{page[0]}", "{0}", "{}", "{page!r}"):
        with pytest.raises(ValueError):
            fields(bad, ("page", "pages"))
    assert expand("{{page}} {page}", {"page": 1}) == "{page} 1"


def test_yaml_keeps_what_was_typed_and_never_reads_1_1_numbers():
    doc = parse_yaml("a: 0171234567\nb: +4930123456\nc: 1.10\nd: 010\ne: no\nf: 1:30\ng: 0o17\n"
                     "h: 2026-1-1\ni: on\n", "x.yaml")
    assert doc.data == {"a": 171234567, "b": 4930123456, "c": 1.1, "d": 10, "e": "no", "f": "1:30", "g": 15,
                        "h": "2026-1-1", "i": "on"}
    assert doc.raw[("a",)] == "0171234567" and doc.raw[("c",)] == "1.10" and doc.raw[("b",)] == "+4930123456"


# -- layouts and language settings that can be checked ------------------------------------------
def _layout_error(scratch, tmp_path, name: str, old: str, new: str, lang: str = "en") -> str:
    f = scratch / "layouts" / f"{name}.yaml"
    text = f.read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, new, 1), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["--lang", lang, "--layout", name, "--brand", "open-leaflets", "--jobs", "1",
                 "--out", str(out)], root=scratch) == 1
    [doc] = manifest(out)["documents"]
    assert "unexpected error" not in doc["error"] and len(doc["error"].splitlines()) == 1
    assert not list(out.rglob("*.pdf"))
    return doc["error"]


@pytest.mark.parametrize("name, old, new, lang, fragment", [
    ("a4-2page", "{slot: body, columns: 2}", "{slot: body, columns: 3.9}", "en", "whole number"),
    ("trifold-letter", "[[1, 1], [2, 1]", "[[1, 1], [1, 1]", "en", "already in the flow"),
    ("bilingual-letter", "{with: en}", "{with: xx}", "es", "no language settings"),
    ("a4-2page", "inside: 40, outside: 40", "inside: 290, outside: 290", "en", "too narrow"),
    ("a4-2page", "{size: a4, orientation: portrait}", "{size: [600, 100], orientation: landscape}", "en", "height for text"),
])
def test_layout_errors_name_the_layout(name, old, new, lang, fragment, scratch, tmp_path):
    error = _layout_error(scratch, tmp_path, name, old, new, lang)
    assert error.startswith(f"layouts/{name}.yaml:"), error
    assert fragment in error, error


@pytest.mark.parametrize("old, new, fragment", [
    ('page: "Página {page} de {pages}"', 'page: "Página {page:0>2000000} de {pages}"', "not a {name} placeholder"),
    ('page: "Página {page} de {pages}"', 'page: "{page.__class__.__mro__}"', "not a {name} placeholder"),
    ("regular: [NotoSans-Regular]", "regular: [../../../../../etc/hostname]", "is not a font name"),
    ("regular: [NotoSans-Regular]", "regular: [/etc/hostname]", "is not a font name"),
])
def test_language_settings_errors_name_the_file(old, new, fragment, scratch, tmp_path):
    f = scratch / "assets/languages/es.yaml"
    text = f.read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, new, 1), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["--lang", "es", "--layout", "a4-2page", "--brand", "open-leaflets", "--jobs", "1",
                 "--out", str(out)], root=scratch) == 1
    [doc] = manifest(out)["documents"]
    assert doc["error"].startswith("assets/languages/es.yaml"), doc["error"]
    assert fragment in doc["error"]


def test_a_font_linked_from_outside_the_project_is_not_used(scratch, tmp_path):
    fonts = scratch / "assets" / "fonts"
    fonts.unlink()                                    # the scratch project links the real folder
    fonts.mkdir()
    for f in (ROOT / "assets/fonts").glob("NotoSans-*.ttf"):
        (fonts / f.name).symlink_to(f)                # links inside the folder to the real files...
    outside = tmp_path / "Evil-Regular.ttf"
    outside.write_bytes((ROOT / "assets/fonts/NotoSans-Regular.ttf").read_bytes())
    (fonts / "Evil-Regular.ttf").symlink_to(outside)  # ...and one leading out of the project
    f = scratch / "assets/languages/es.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("regular: [NotoSans-Regular]", "regular: [Evil-Regular]"),
                 encoding="utf-8")
    out = tmp_path / "out"
    assert main(["--lang", "es", "--layout", "a4-2page", "--brand", "open-leaflets", "--jobs", "1",
                 "--out", str(out)], root=scratch) == 1
    [doc] = manifest(out)["documents"]
    assert "Evil-Regular" in doc["error"] and "not found" in doc["error"], doc["error"]


def test_a_damaged_font_names_the_font(scratch, tmp_path):
    fonts = scratch / "assets" / "fonts"
    fonts.unlink()
    fonts.mkdir()
    for f in (ROOT / "assets/fonts").glob("*.ttf"):
        (fonts / f.name).symlink_to(f)
    (fonts / "NotoSans-Regular.ttf").unlink()
    (fonts / "NotoSans-Regular.ttf").write_bytes(b"\x00\x01\x00\x00" + b"\x00" * 200)
    out = tmp_path / "out"
    assert main(["--lang", "es", "--layout", "a4-2page", "--brand", "open-leaflets", "--jobs", "1",
                 "--out", str(out)], root=scratch) == 1
    [doc] = manifest(out)["documents"]
    assert doc["error"].startswith("assets/fonts/NotoSans-Regular.ttf: the font file is damaged"), doc["error"]


def test_a_huge_logo_is_embedded_at_print_resolution(scratch, tmp_path):
    """A logo of many megapixels (under the 50 MP limit) was embedded whole: 70 MB per PDF."""
    from PIL import Image, ImageDraw
    from conftest import poppler
    folder = scratch / "assets/brands/riverside-clinic"
    im = Image.new("RGB", (5000, 5000), "#FFFFFF")
    ImageDraw.Draw(im).ellipse((50, 50, 4950, 4950), fill="#7A2E1F")
    im.save(folder / "logo.png", compress_level=1)
    brand = folder / "brand.yaml"
    brand.write_text(brand.read_text(encoding="utf-8").replace("logo: logo.svg", "logo: logo.png"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["--lang", "en", "--layout", "a4-2page", "--brand", "riverside-clinic", "--jobs", "1",
                 "--out", str(out)], root=scratch) == 0
    pdf = out / "riverside-clinic/port/port-en-a4-2page.pdf"
    assert pdf.stat().st_size < 400_000, pdf.stat().st_size
    rows = [ln.split() for ln in poppler("pdfimages", "-list", str(pdf)).splitlines()[2:]]
    assert rows and all(int(r[3]) * int(r[4]) <= 4_000_000 and float(r[12]) <= 301 for r in rows), rows
