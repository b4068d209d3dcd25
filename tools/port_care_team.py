"""Put the port leaflet's "Your care team" section (issue 16) into its translations.

Input: tools/port_care_team.yaml (per language: the section's strings, and the two shortened
paragraphs of 'what' and 'who_places') and handouts/port/*.yaml. Output: each translation with
its safety call-out removed (the summary says the same, with "usually" added where the data
gives the words), 'what', 'why' and 'who_places' shortened, the
'more' section replaced by 'care_team' (write-in lines, questions to ask, the link to read more),
and the fingerprints of exactly those sections recorded as matched (the translation stays a
draft; other sections keep their own state). A language with no strings in the data file is
listed and left as it is: add its strings (translate the English ones), then run this again.

    .venv/bin/python tools/port_care_team.py            # every language that needs it
    .venv/bin/python tools/port_care_team.py fr de      # only these
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from leafpress.checks import section_hash  # noqa: E402
from leafpress.project import Project  # noqa: E402
from leafpress.translate.yamledit import _yaml, fingerprint  # noqa: E402

CHANGED = ("what", "who_places", "safety", "care_team")


def care_team(s: dict) -> dict:
    return {"id": "care_team", "heading": s["heading"], "blocks": [
        {"write_in": list(s["fields"])},
        {"paragraph": s["lead_in"]},
        {"bullets": list(s["questions"])},
        {"paragraph": s["more"]}]}


def update(path: Path, s: dict, source) -> bool:
    y = _yaml()
    doc = y.load(path.read_text(encoding="utf-8"))
    secs = doc["sections"]
    ids = [sec["id"] for sec in secs]
    if "care_team" in ids:
        return False
    if "summary" in s:
        old, new = s["summary"]
        if str(doc["summary"]).count(old) != 1:
            raise SystemExit(f"{path.name}: summary: {old!r} not found once; add \"usually\" by hand")
        doc["summary"] = str(doc["summary"]).replace(old, new)
    for sec in secs:
        if sec["id"] == "what" and "what" in s:
            sec["blocks"][0]["paragraph"] = s["what"]
        elif sec["id"] == "why" and "why" in s:
            sec["blocks"][0]["paragraph"] = s["why"]
        elif sec["id"] == "who_places" and "who_places" in s:
            sec["blocks"][0]["paragraph"] = s["who_places"]
        elif sec["id"] == "safety":
            sec["blocks"] = [b for b in sec["blocks"] if "callout" not in b]
    at = ids.index("more")
    secs[at] = care_team(s)
    done = doc.get("translation", {}).get("translated_from", {}).get("sections")
    if done is not None:
        done.pop("more", None)
        for sec in source.sections:
            if sec.id in CHANGED:
                done[sec.id] = fingerprint(section_hash(sec))
    with path.open("w", encoding="utf-8") as f:
        y.dump(doc, f)
    return True


def main(argv: list[str]) -> int:
    data = yaml.safe_load((ROOT / "tools/port_care_team.yaml").read_text(encoding="utf-8"))
    project = Project(ROOT)
    source = project.source("port")
    files = project.handouts["port"]
    missing = []
    for lang in argv or sorted(files):
        if lang == source.lang:
            continue
        if lang not in data:
            missing.append(lang)
            continue
        if update(files[lang], data[lang], source):
            print(f"updated handouts/port/{lang}.yaml")
    if missing:
        print("no strings in tools/port_care_team.yaml for: " + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
