"""The command line: build, check, list.

Input: arguments (see ``python generate.py --help``). Output: PDFs and ``OUT/manifest.json``,
messages on stderr, and the exit status: 0 all built, 1 some documents failed (the rest are
still built and listed), 2 the command line or the project's own files could not be used.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import ENGINE_VERSION
from .errors import LeafletError, UsageError
from .languages import match_lang
from .project import Job, Project, write_atomic

COMMANDS = ("build", "check", "list")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="generate.py",
        description="Print patient-education leaflets: every handout x language x layout x brand.")
    p.add_argument("command", nargs="?", default="build", choices=COMMANDS,
                   help="build PDFs (default), check without writing PDFs, or list what exists")
    p.add_argument("--handout", action="append", default=[], metavar="ID", help="only this handout (repeatable)")
    p.add_argument("--lang", action="append", default=[], metavar="CODE", help="only this language, BCP 47 (repeatable)")
    p.add_argument("--layout", action="append", default=[], metavar="NAME", help="only this layout (repeatable)")
    p.add_argument("--brand", action="append", default=[], metavar="NAME", help="only this brand (repeatable)")
    p.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    p.add_argument("--jobs", type=int, default=0, metavar="N", help="parallel processes (default: number of cores)")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    return p


def _select(kind: str, wanted: list[str], available, matcher=None) -> list[str]:
    if not wanted:
        return list(available)
    out = []
    for w in wanted:
        found = matcher(w, available) if matcher else (w if w in available else None)
        if found is None:
            raise UsageError(f"unknown {kind} {w!r}", hint="Known: " + (", ".join(available) or "none"))
        if found not in out:
            out.append(found)
    return out


def plan(project: Project, args) -> list[Job]:
    handouts = _select("handout", args.handout, list(project.handouts))
    all_langs = sorted({lang for h in handouts for lang in project.handouts[h]})
    langs = _select("language", args.lang, all_langs, match_lang)
    layouts = _select("layout", args.layout, list(project.layouts))
    brands = _select("brand", args.brand, list(project.brands))
    if not layouts:
        raise UsageError("no layouts in layouts/", hint="Add a layout YAML")
    if not brands:
        raise UsageError("no brands in assets/brands/", hint="Add assets/brands/<name>/brand.yaml")
    jobs = []
    for h in handouts:
        for lang in langs:
            if lang not in project.handouts[h]:
                continue
            for lay in layouts:
                for b in brands:
                    job = Job(h, lang, lay, b)
                    if project.wanted(job):
                        jobs.append(job)
    if not jobs:
        raise UsageError("nothing to build with these filters")
    return jobs


# -- workers ------------------------------------------------------------------------------------
_PROJECT: Project | None = None


def _init_worker(root: str) -> None:
    global _PROJECT
    _PROJECT = Project(Path(root))


def _run(job: Job, out: str, write: bool, debug: bool) -> dict:
    try:
        return _PROJECT.build(job, Path(out), write)
    except LeafletError as exc:
        return _failed(job, str(exc))
    except Exception as exc:  # one document's bug must not stop the batch
        detail = traceback.format_exc() if debug else f"{type(exc).__name__}: {exc}"
        return _failed(job, f"unexpected error while building {job.path()}: {detail}"
                            " (run with --debug for the traceback and report it)")


def _failed(job: Job, message: str) -> dict:
    return {"handout": job.handout, "lang": job.lang, "layout": job.layout, "brand": job.brand,
            "path": job.path(), "pages": 0, "sha256": None, "status": "failed", "warnings": [],
            "error": message}


def run_jobs(root: Path, jobs: list[Job], out: Path, write: bool, n: int, debug: bool) -> list[dict]:
    n = max(1, min(n or os.cpu_count() or 1, len(jobs)))
    if n == 1:
        _init_worker(str(root))
        return [_run(j, str(out), write, debug) for j in jobs]
    with ProcessPoolExecutor(max_workers=n, initializer=_init_worker, initargs=(str(root),)) as ex:
        return list(ex.map(_run, jobs, [str(out)] * len(jobs), [write] * len(jobs),
                           [debug] * len(jobs), chunksize=max(1, len(jobs) // (n * 4))))


# -- commands -----------------------------------------------------------------------------------
def cmd_list(project: Project) -> int:
    print("handouts:")
    for hid, langs in project.handouts.items():
        parts = []
        for lang in langs:
            try:
                parts.append(f"{lang} ({project.handout(hid, lang).translation.status.value})")
            except LeafletError:
                parts.append(f"{lang} (unreadable)")
        print(f"  {hid}: " + ", ".join(parts))
    print("languages: " + ", ".join(project.languages))
    print("layouts: " + ", ".join(project.layouts))
    print("brands: " + ", ".join(project.brands))
    return 0


def main(argv: list[str] | None = None, root: Path | None = None) -> int:
    args = parser().parse_args(argv)
    root = (root or Path(__file__).resolve().parent.parent)
    started = time.perf_counter()
    try:
        project = Project(root)
        if args.command == "list":
            return cmd_list(project)
        jobs = plan(project, args)
        out = Path(args.out)
        if not out.is_absolute():
            out = Path.cwd() / out
        write = args.command == "build"
        results = run_jobs(root, jobs, out, write, args.jobs, args.debug)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except LeafletError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: finished PDFs are complete, nothing half-written was left", file=sys.stderr)
        return 130
    failed = [r for r in results if r["status"] == "failed"]
    for r in results:
        for w in r["warnings"]:
            print(f"warning: {r['path']}: {w}", file=sys.stderr)
    for r in failed:
        print(f"failed: {r['path']}: {r['error']}", file=sys.stderr)
    if write:
        manifest = {"engine": ENGINE_VERSION, "documents": results}
        write_atomic(out / "manifest.json",
                     (json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
    verb = "built" if write else "checked"
    print(f"{verb} {len(results) - len(failed)} of {len(results)} document(s), {len(failed)} failed, "
          f"{sum(len(r['warnings']) for r in results)} warning(s) in {time.perf_counter() - started:.1f} s"
          + (f"; manifest: {out / 'manifest.json'}" if write else ""), file=sys.stderr)
    return 1 if failed else 0
