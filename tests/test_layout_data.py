"""Layout measures are data (issue 11): `measures:` in a layout file changes what is drawn, an
unknown measure is a clear error, and the defaults are what the shipped layouts use."""
from __future__ import annotations

from leafpress.cli import main
from leafpress.layout.items import TextLine
from leafpress.layout.spec import MEASURES
from leafpress.project import Job, Project

from conftest import manifest


def bullet_indents(root) -> set:
    """Indent of the text of bulleted items in the left column of page 1, in body sizes."""
    laid = Project(root).lay_out(Job("port", "en", "letter-2page", "open-leaflets"))[3]
    h = Project(root).handout("port", "en")
    bullets = {(si, bi) for si, s in enumerate(h.sections) for bi, b in enumerate(s.blocks) if b.kind == "bullets"}
    left = Project(root).layout("letter-2page").margins["inside"]
    return {round((i.x - left) / i.size, 3) for i in laid.pages[0].items if isinstance(i, TextLine)
            and i.role == "LBody" and (i.node.section, i.node.block) in bullets and i.x < 200}


def test_a_measure_from_the_layout_file_is_used(scratch):
    assert bullet_indents(scratch) == {MEASURES["bullet_indent"]}
    lay = scratch / "layouts/letter-2page.yaml"
    lay.write_text(lay.read_text(encoding="utf-8") + "measures: {bullet_indent: 3.0}\n", encoding="utf-8")
    assert bullet_indents(scratch) == {3.0}


def test_an_unknown_measure_is_a_clear_error(scratch, tmp_path):
    lay = scratch / "layouts/letter-2page.yaml"
    lay.write_text(lay.read_text(encoding="utf-8") + "measures: {bulet_indent: 3.0}\n", encoding="utf-8")
    main(["--lang", "en", "--layout", "letter-2page", "--brand", "open-leaflets", "--out", str(tmp_path)],
         root=scratch)
    [doc] = manifest(tmp_path)["documents"]
    assert doc["error"].startswith("layouts/letter-2page.yaml") and "bulet_indent" in doc["error"], doc["error"]
    assert "bullet_indent" in doc["error"]       # the hint lists the measures there are


def test_a_layout_that_would_drop_the_title_or_summary_is_refused(scratch, tmp_path):
    lay = scratch / "layouts/letter-2page.yaml"
    text = lay.read_text(encoding="utf-8")
    lay.write_text(text.replace("      - {slot: header}\n", "").replace("      - {slot: summary}\n", ""),
                   encoding="utf-8")
    main(["--lang", "en", "--layout", "letter-2page", "--brand", "open-leaflets", "--out", str(tmp_path)],
         root=scratch)
    [doc] = manifest(tmp_path)["documents"]
    assert doc["error"].startswith("layouts/letter-2page.yaml") and "no page has a header or cover region" \
        in doc["error"], doc["error"]


def test_a_summary_below_the_body_is_drawn(scratch, tmp_path):
    """Regions listed after the body are set from the bottom up: a summary there too."""
    lay = scratch / "layouts/large-print.yaml"
    text = lay.read_text(encoding="utf-8")
    lay.write_text(text.replace("[{slot: header}, {slot: summary}, {slot: body}]",
                                "[{slot: header}, {slot: body}, {slot: summary}]"), encoding="utf-8")
    assert main(["--lang", "en", "--layout", "large-print", "--brand", "open-leaflets", "--out", str(tmp_path)],
                root=scratch) == 0, manifest(tmp_path)["documents"][0].get("error")
