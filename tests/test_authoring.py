"""Issue 16: diagrams an editor can make (a checked schema, `diagram NAME --preview`) and a
handout an editor can start from (`new HANDOUT`)."""
from __future__ import annotations


import pytest

from leafpress.cli import main
from leafpress.diagram import load_diagram
from leafpress.errors import LeafletError

from conftest import ROOT, project_copy


@pytest.fixture
def proj(tmp_path):
    dst = project_copy(tmp_path / "proj", [ROOT / "layouts" / "letter-2page.yaml"])
    return dst


def _diagram_error(proj, old: str, new: str) -> str:
    f = proj / "assets" / "diagrams" / "port.yaml"
    text = f.read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(LeafletError) as exc:
        load_diagram("port", proj / "assets" / "diagrams", proj)
    return str(exc.value)


@pytest.mark.parametrize("old, new, says", [
    ("{panel: location, at: [84, 132], side: left}", "{panel: locaton, at: [84, 132], side: left}",
     "anchors.collarbone.panel: unknown panel 'locaton'. Use one of: location, cross_section"),
    ("panels:\n  - {id: location, box: [0, 0, 300, 300]}\n  - {id: cross_section, box: [330, 0, 310, 300]}\n", "",
     "missing key 'panels'"),
    ("{panel: location, at: [84, 132], side: left}", "{panel: location, at: [84, 132], side: right}",
     "anchors.collarbone.side: side: right would set this label beyond panel 'cross_section'"),
    ("{panel: cross_section, at: [585, 110], side: right}", "{panel: cross_section, at: [285, 110], side: right}",
     "anchors.skin.at: the anchor lies outside its panel 'cross_section'"),
    ("{panel: location, at: [84, 132], side: left}", "{at: [84, 132], side: left}", "missing key 'panel'"),
    ("{id: cross_section, box: [330, 0, 310, 300]}", "{id: location, box: [330, 0, 310, 300]}",
     "panel id 'location' is used twice"),
    ("{id: cross_section, box: [330, 0, 310, 300]}", "{id: cross_section, box: [330, 0, 410, 300]}",
     "must lie inside the viewbox"),
])
def test_diagram_references_are_checked(proj, old, new, says):
    message = _diagram_error(proj, old, new)
    assert says in message, message
    assert message.startswith("assets/diagrams/port.yaml:")


def test_diagram_preview_draws_every_language(proj, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["diagram", "port", "--preview", "--lang", "ar", "--lang", "en", "--out", str(out)], root=proj) == 0
    pdf = out / "diagrams" / "port-preview.pdf"
    assert pdf.is_file() and sorted(p.name for p in (out / "diagrams").glob("*.png")) == [
        "port-preview-p1.png", "port-preview-p2.png"]
    said = capsys.readouterr().out
    assert "port: 11 anchor(s) in 2 panel(s): ok" in said
    assert main(["diagram", "nosuch"], root=proj) == 2
    assert main(["build", "--preview"], root=proj) == 2


def test_new_writes_a_skeleton_that_builds(proj, tmp_path, capsys):
    assert main(["new", "picc-line"], root=proj) == 0
    written = proj / "handouts" / "picc-line" / "en.yaml"
    assert written.is_file()
    out = tmp_path / "out"
    assert main(["build", "--handout", "picc-line", "--brand", "open-leaflets", "--out", str(out)], root=proj) == 0
    assert (out / "open-leaflets" / "picc-line" / "picc-line-en-letter-2page.pdf").is_file()
    assert main(["new", "picc-line"], root=proj) == 2          # never overwrites
    assert main(["new", "../escape"], root=proj) == 2
    assert not (proj / "escape").exists() and not (proj / "handouts" / "escape").exists()
