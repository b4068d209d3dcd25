"""What a press process does before its first document: the start of a build (the imports and
batch.preload, what every worker inherits) leaves out what only other work needs, and a build in
one process builds with its start frozen out of the collector, as forked workers do."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from leafpress.text.paragraph import has_cjk

ROOT = Path(__file__).resolve().parent.parent
CJK = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"


def test_has_cjk_is_the_cjk_pattern_on_every_boundary():
    edges = [0x303F, 0x3040, 0x30FF, 0x3100, 0x33FF, 0x3400, 0x4DBF, 0x4DC0, 0x4DFF, 0x4E00, 0x9FFF, 0xA000,
             0xF8FF, 0xF900, 0xFAFF, 0xFB00, 0xAC00, 0xFF01, 0x1F600, 0x20000, 0x10FFFF]
    cases = [""] + [chr(c) for c in edges] + [f"Port {chr(c)} ok" for c in edges] + ["\u2019tail", "ab"]
    for t in cases:
        assert has_cjk(t) == (re.search(CJK, t) is not None), ascii(t)


_START = r"""
import json, sys
from pathlib import Path
from leafpress import batch
from leafpress.project import Job, Project
project = Project(Path(sys.argv[1]))
jobs = [Job("port", lang, "letter-2page", "open-leaflets") for lang in ("en", "ar", "hi")]
batch.preload(project, jobs)
print(json.dumps({"readability": "leafpress.readability" in sys.modules}))
"""


def test_the_start_of_a_build_leaves_out_what_its_documents_do_not_need():
    """What batch.preload imports and makes is what every worker starts from (forked): not the
    reading-level scoring (the checks beside the workers import it)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    got = subprocess.run([sys.executable, "-c", _START, str(ROOT)], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True).stdout
    assert json.loads(got) == {"readability": False}


def test_a_build_in_one_process_builds_with_its_start_frozen(tmp_path, monkeypatch):
    """At --jobs 1 what the documents need is loaded first and frozen out of the collector (as
    forked workers have it), so the first document's collections do not scan the whole start;
    nothing stays frozen after the command."""
    import gc

    from leafpress import batch
    from leafpress.cli import main
    from leafpress.project import Project
    frozen, calls = [], []
    build, preload = Project.build, batch.preload
    monkeypatch.setattr(batch, "preload", lambda *a: calls.append(("preload", gc.get_freeze_count())) or preload(*a))
    monkeypatch.setattr(Project, "build", lambda self, *a, **kw: calls.append(("build", 0)) or
                        frozen.append(gc.get_freeze_count()) or build(self, *a, **kw))
    assert main(["--lang", "en", "--layout", "letter-2page", "--brand", "open-leaflets", "--jobs", "1",
                 "--out", str(tmp_path / "out")], root=ROOT) == 0
    assert [c[0] for c in calls] == ["preload", "build"]
    assert len(frozen) == 1 and frozen[0] > calls[0][1] and gc.get_freeze_count() == 0
