"""A font file's measures (text/fonts.py letter_height, behind latin_size_factor) kept in the
user's cache: the same answer as measuring, never another font's, and nothing kept without a
user's cache."""
from __future__ import annotations

import shutil

import pytest

from leafpress.text import fonts
from leafpress.text.fonts import Font, letter_height, latin_size_factor

from conftest import ROOT

FOLDER = ROOT / "assets" / "fonts"
FACES = (("NotoNaskhArabic-Regular", "Arab"), ("NotoSans-Regular", "Latn"), ("NotoSansKhmer-Regular", "Khmr"))


def _fresh(monkeypatch, cache) -> None:
    """A new process as far as the measures go: nothing measured or read yet."""
    monkeypatch.setenv("LEAFPRESS_CACHE", str(cache))
    fonts._MEASURED.clear()
    letter_height.cache_clear()


def _heights(folder=FOLDER) -> dict:
    return {script: letter_height(Font(name, folder / f"{name}.ttf"), script) for name, script in FACES}


def test_a_fonts_measures_come_from_the_users_cache_as_measured(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    measured = {script: fonts._letter_height(Font(name, FOLDER / f"{name}.ttf"), script) for name, script in FACES}
    _fresh(monkeypatch, cache)
    assert _heights() == measured
    records = sorted(cache.glob("font-*.json"))
    assert len(records) == len(FACES)

    _fresh(monkeypatch, cache)          # the next process reads them and measures nothing

    def never(font, script):
        raise AssertionError(f"measured {font.name} again")
    monkeypatch.setattr(fonts, "_letter_height", never)
    assert _heights() == measured
    stack = [Font(n, FOLDER / f"{n}.ttf") for n in ("NotoNaskhArabic-Regular", "NotoSans-Regular")]
    assert latin_size_factor(stack, "Arab") == max(1.0, round(measured["Latn"] / measured["Arab"], 2))
    monkeypatch.undo()

    # A damaged record, and one font's record under another's name, are ignored: measured again.
    calls = []
    real = fonts._letter_height

    def counted(font, script):
        calls.append(font.name)
        return real(font, script)
    records[0].write_text("{not json", encoding="utf-8")
    records[1].write_bytes(records[2].read_bytes())
    _fresh(monkeypatch, cache)
    monkeypatch.setattr(fonts, "_letter_height", counted)
    assert _heights() == measured
    assert len(calls) == 2


def test_a_fonts_measures_are_kept_by_its_bytes_and_not_without_a_users_cache(tmp_path, monkeypatch):
    """A font file with other bytes (same name, same folder) is measured, not given the record of
    the file that was there; with the user's cache off nothing is hashed or kept."""
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    folder = tmp_path / "fonts"
    folder.mkdir()
    for name, _ in FACES:
        shutil.copyfile(FOLDER / f"{name}.ttf", folder / f"{name}.ttf")
    _fresh(monkeypatch, cache)
    before = _heights(folder)
    other = FOLDER / "NotoSansThai-Regular.ttf"         # another face in the Latin face's place
    shutil.copyfile(other, folder / "NotoSans-Regular.ttf")
    _fresh(monkeypatch, cache)
    after = _heights(folder)
    assert after["Latn"] == fonts._letter_height(Font("x", other), "Latn") != before["Latn"]
    assert after["Arab"] == before["Arab"]

    _fresh(monkeypatch, "off")
    hashed = []
    real = fonts._font_values

    def spy(font):
        got = real(font)
        hashed.append(got.key)
        return got
    monkeypatch.setattr(fonts, "_font_values", spy)
    assert _heights() == _heights_measured()
    assert hashed == [None] * len(FACES)


def _heights_measured() -> dict:
    return {script: fonts._letter_height(Font(name, FOLDER / f"{name}.ttf"), script) for name, script in FACES}


@pytest.mark.parametrize("value", ['"0.5"', "NaN", "[1]", "1e999", "1e300", "-0.5"])
def test_a_measure_that_is_not_a_number_is_not_taken(tmp_path, monkeypatch, value):
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    _fresh(monkeypatch, cache)
    font = Font("NotoSansKhmer-Regular", FOLDER / "NotoSansKhmer-Regular.ttf")
    right = letter_height(font, "Khmr")
    record, = cache.glob("font-*.json")
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace(repr(right), value), encoding="utf-8")
    _fresh(monkeypatch, cache)
    assert fonts._measures(Font("k", FOLDER / "NotoSansKhmer-Regular.ttf")).get("letter_height Khmr") is None
