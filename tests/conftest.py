"""Shared fixtures: the real project, a scratch copy of it, and one build of en + es."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from leafpress.cli import main  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _user_cache(tmp_path_factory):
    """The user's cache (leafpress/usercache.py) in a folder of this test session, not the
    machine's ~/.cache: what one test's build keeps may serve another's, as on a user's machine,
    and nothing outside the session's folders is written."""
    patch = pytest.MonkeyPatch()
    patch.setenv("LEAFPRESS_CACHE", str(tmp_path_factory.mktemp("user-cache")))
    yield
    patch.undo()


@pytest.fixture
def scratch(tmp_path_factory) -> Path:
    """A copy of the project's data (fonts linked, not copied) that a test may break. It lives
    beside the test's tmp_path, not in it: tmp_path is then a folder the press may build into
    (it refuses a folder that holds the project)."""
    return copy_project(tmp_path_factory.mktemp("scratch") / "proj")


def copy_project(dst: Path) -> Path:
    dst.mkdir()
    for name in ("handouts", "layouts"):
        shutil.copytree(ROOT / name, dst / name)
    (dst / "assets").mkdir()
    for name in ("brands", "diagrams", "languages", "icons", "templates"):
        shutil.copytree(ROOT / "assets" / name, dst / "assets" / name)
    (dst / "assets" / "fonts").symlink_to(ROOT / "assets" / "fonts")
    return dst


def project_copy(dst: Path, layouts: list[Path], handouts: bool = True) -> Path:
    """The project's handouts (unless ``handouts`` is False), brands, diagrams and languages
    copied into ``dst``, fonts linked, with the given layout files."""
    if handouts:
        shutil.copytree(ROOT / "handouts", dst / "handouts")
    (dst / "layouts").mkdir(parents=True)
    for f in layouts:
        shutil.copyfile(f, dst / "layouts" / f.name)
    (dst / "assets").mkdir()
    for name in ("brands", "diagrams", "languages", "icons", "templates"):
        shutil.copytree(ROOT / "assets" / name, dst / "assets" / name)
    (dst / "assets" / "fonts").symlink_to(ROOT / "assets" / "fonts")
    return dst


def run_cli(root: Path, *args: str, out: Path | None = None, capsys=None):
    argv = list(args)
    if out is not None:
        argv += ["--out", str(out)]
    code = main(argv, root=root)
    return code


# The clinic brand is built for a sample of languages (every script family, both directions,
# the tall scripts): building all 35 languages twice would double the suite's slowest fixture.
CLINIC_LANGS = ["en", "es", "ar", "fa", "th", "km", "hi", "zh-Hant", "ja", "ur", "my", "am", "bn"]
# Documents that do not fit and must fail with the overflow message naming layouts that hold
# them: Urdu in Nastaliq needs far more height than Naskh (letter-2page and, since the port
# leaflet's care-team section, both trifolds); Somali letter-2page is about 34 pt too long with
# that section at 12 pt (a4-2page holds it).
EXPECTED_OVERFLOWS = {("ur", "letter-2page"), ("ur", "trifold-a4"), ("ur", "trifold-letter"),
                      ("so", "letter-2page")}
# Open defect (issue 20): a Nastaliq word's tail at the end of a full right-to-left line reaches
# about 1 pt past the column (the line breaker counts advances, not ink); in the five-panel test
# layout (panels 8 pt from the paper's edge) the page inspector refuses Urdu's 'why' paragraph.
KNOWN_EDGE = {("ur", "test-five-panels")}


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """Every language and layout for the nonprofit, a sample for a clinic, built once."""
    out = tmp_path_factory.mktemp("out")
    main(["build", "--jobs", "2", "--brand", "open-leaflets", "--out", str(out)], root=ROOT)
    clinic = [a for lang in CLINIC_LANGS for a in ("--lang", lang)]
    main(["build", "--jobs", "2", "--brand", "riverside-clinic", *clinic, "--out", str(out)], root=ROOT)
    failed = {(d["lang"], d["layout"]): d.get("error") for d in manifest(out)["documents"]
              if d["status"] != "ok"}
    assert set(failed) <= EXPECTED_OVERFLOWS, failed
    return out


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def poppler(*args: str) -> str:
    return subprocess.run(list(args), check=True, capture_output=True, text=True).stdout
