"""The command line: build, check, list.

Input: arguments (see ``python generate.py --help``). Output: PDFs and ``OUT/manifest.json``,
messages on stderr, and the exit status: 0 all built, 1 some documents failed (the rest are
still built and listed), 2 the command line or the project's own files could not be used.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import traceback
from pathlib import Path

from . import ENGINE_VERSION, gcpolicy
from .errors import LeafletError, UsageError, escape
from .outdir import ManifestError, OutDir, Recorder, valid_entry
from .project import KINDS, Job, Project, write_atomic

# Imported where used, so that a rebuild with nothing changed needs none of them: the batch
# (and with it the stages), language matching and the pseudo-locales (the content loaders).

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

COMMANDS = ("build", "check", "list", "proof", "stamp", "site", "diagram", "new")
TRANSLATE_COMMANDS = ("export", "import", "review")     # translation exchange (leafpress/translate)


PROG = "generate.py"        # the name usage lines show ("leafpress" when installed as a command)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Print patient-education leaflets: every handout x language x layout x brand.")
    p.add_argument("command", nargs="?", default="build", choices=COMMANDS + TRANSLATE_COMMANDS,
                   help="build PDFs (default), check without writing PDFs, list what exists, or "
                        "proof: build, then contact sheets and side-by-side review copies; "
                        "stamp: record in translations which source version they match; "
                        "site: build, then the static website under OUT/site/; "
                        "export: XLIFF or PO files for translators; import FILE: bring one back; "
                        "review: record a reviewer's sign-off; "
                        "diagram NAME: check a diagram (--preview: draw it for every language); "
                        "new HANDOUT: write a skeleton handout to start from")
    p.add_argument("file", nargs="?", metavar="FILE",
                   help="import: the XLIFF (.xlf) or PO (.po) file; diagram: its name; new: the handout id")
    p.add_argument("--preview", action="store_true",
                   help="diagram: draw it with its panels, anchors, label boxes and leader lines for "
                        "each language, in OUT/diagrams/")
    p.add_argument("--handout", action="append", default=[], metavar="ID", help="only this handout (repeatable)")
    p.add_argument("--lang", action="append", default=[], metavar="CODE", help="only this language, BCP 47 (repeatable)")
    p.add_argument("--layout", action="append", default=[], metavar="NAME", help="only this layout (repeatable)")
    p.add_argument("--brand", action="append", default=[], metavar="NAME", help="only this brand (repeatable)")
    p.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    p.add_argument("--jobs", type=int, default=0, metavar="N", help="parallel processes (default: number of cores)")
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="where documents are built: here (--jobs processes) or on a Dask cluster (--scheduler)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="--executor dask: the scheduler, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--worker-root", metavar="DIR",
                   help="--executor dask: the project folder on the workers (default: the same path as here)")
    p.add_argument("--force", action="store_true", help="rebuild documents whose inputs did not change")
    p.add_argument("--print-shop", action="store_true",
                   help="build: also write each leaflet for a print shop (3 mm bleed, crop marks, "
                        "TrimBox/BleedBox) in OUT/<brand>/<handout>/print-shop/")
    p.add_argument("--png", action="store_true", help="proof: also write PNG previews of every page")
    p.add_argument("--release", action="store_true",
                   help="treat release-blocking findings (draft or stale translations, overdue review, "
                        "contrast, type size) as failures")
    p.add_argument("--format", choices=("text", "json", "xliff", "po"), default=None,
                   help="check: print findings as text (default) or JSON; export: xliff (default) or po")
    p.add_argument("--reviewer", metavar="NAME", help="review: who signs the translation off")
    p.add_argument("--scope", choices=("clinical", "linguistic"), default="clinical",
                   help="review: what the reviewer vouches for (default clinical; only a clinical "
                        "sign-off removes the draft notice)")
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
    from .languages import match_lang
    from .translate.pseudo import PSEUDO
    handouts = _select("handout", args.handout, list(project.handouts))
    all_langs = sorted({lang for h in handouts for lang in project.handouts[h]})
    # Pseudo-locales (en-XA, ar-XB) are built only when asked for by name.
    langs = _select("language", args.lang, all_langs,
                    lambda w, known: match_lang(w, known) or match_lang(w, PSEUDO))
    layouts = _select("layout", args.layout, list(project.layouts))
    try:
        brands = _select("brand", args.brand, project.all_brands())
    except UsageError:
        if project.partners_error is None:
            raise
        raise UsageError(f"{project.partners_error} (so no partner clinic can be built)") from None
    if not layouts:
        raise UsageError("no layouts in layouts/", hint="Add a layout YAML")
    if not brands:
        raise UsageError("no brands in assets/brands/", hint="Add assets/brands/<name>/brand.yaml")
    jobs = []
    for h in handouts:
        for lang in langs:
            if lang not in project.handouts[h] and lang not in PSEUDO:
                continue
            for lay in layouts:
                for b in brands:
                    job = Job(h, lang, lay, b)
                    if project.wanted(job):
                        jobs.append(job)
                        if getattr(args, "print_shop", False):
                            jobs.append(Job(h, lang, lay, b, "print-shop"))
    if not jobs:
        raise UsageError("nothing to build with these filters")
    return jobs


def _unchanged(entry: dict | None, digest: str) -> bool:
    """Built before from the same inputs (and, as checked on reading, still on disk as written),
    or failed before from the same inputs and engine in a way that depends on them alone (see
    batch.run_one): building it again would give the same PDF, or the same failure."""
    if not entry or entry.get("input_hash") != digest:
        return False
    return entry.get("status") == "ok" or (entry.get("status") == "failed" and entry.get("deterministic") is True
                                           and isinstance(entry.get("error"), str) and not entry.get("sha256"))


def _progress(total: int):
    if not sys.stderr.isatty() or total < 2:
        return None
    from tqdm import tqdm
    return tqdm(total=total, unit="doc", file=sys.stderr, leave=False)


# -- commands -----------------------------------------------------------------------------------
def cmd_list(project: Project) -> int:
    from .translate.pseudo import PSEUDO
    print("handouts:")
    for hid, langs in project.handouts.items():
        parts = []
        for lang in langs:
            try:
                parts.append(f"{lang} ({project.handout(hid, lang).translation.status.value})")
            except LeafletError:
                parts.append(f"{lang} (unreadable)")
        print(escape(f"  {hid}: " + ", ".join(parts)))
    print(escape("languages: " + ", ".join(project.languages)))
    print(escape("layouts: " + ", ".join(project.layouts)))
    print(escape("brands: " + ", ".join(project.brands)))
    print(escape("pseudo-locales (built when asked for by name, e.g. --lang en-XA): " + ", ".join(PSEUDO)))
    if project.partner_ids:
        print(escape("partner clinics (assets/brands/partners.yaml): " + ", ".join(project.partner_ids)))
    return 0


def threading_main() -> bool:
    import threading
    return threading.current_thread() is threading.main_thread()


def _terminate(signum, frame):
    raise KeyboardInterrupt       # SIGTERM: stop like Ctrl-C, cleaning up half-written files


def main(argv: list[str] | None = None, root: Path | None = None) -> int:
    import signal
    if not threading_main():
        return _main(argv, root)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _main(argv, root)
    finally:
        signal.signal(signal.SIGTERM, previous)


def default_root() -> Path:
    """The project the press works on: the checkout it runs from (``python generate.py``), or,
    installed as the ``leafpress`` command, the current folder."""
    checkout = Path(__file__).resolve().parent.parent
    return checkout if (checkout / "handouts").is_dir() and (checkout / "layouts").is_dir() else Path.cwd()


def console() -> int:
    """The ``leafpress`` command (what ``python generate.py`` does)."""
    global PROG
    PROG = "leafpress"
    finish(main)
    return 1            # (finish does not return)


def finish(command) -> None:
    """Run ``command()`` (a command line's main) and end the process with its status (see
    :func:`leave`): output piped into a command that stopped reading (``| head``) ends it with 1,
    said nowhere, as other commands do."""
    try:
        code = command()
    except BrokenPipeError:
        _to_devnull()
        code = 1
    leave(code)


def leave(code: int) -> None:
    """End this process with ``code`` once its exit handlers have run and its output is out,
    without Python's own teardown of every module and object one by one (40 ms after a batch of
    30 leaflets, for memory the system takes back at once): what a command does at its very
    end, after everything it writes is written and closed. Where that teardown may still be
    needed (another thread still running, a profiler or debugger watching that reports when the
    program ends, or a Python without CPython's exit handler runner), the usual exit."""
    import atexit
    import threading
    code = _flushed(code)
    run = getattr(atexit, "_run_exitfuncs", None)
    others = [t for t in threading.enumerate() if t is not threading.current_thread() and not t.daemon]
    if run is None or others or threading.current_thread() is not threading.main_thread() \
            or sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)
    run()
    os._exit(_flushed(code))


def _flushed(code: int) -> int:
    """``code`` once the command's output is out, or 1 when it could not be written: output
    piped into a command that stopped reading (``| head``: said nowhere, as other commands do),
    or a full disk or a failed device (said in one line on stderr)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _to_devnull()
        return 1
    except OSError as exc:
        _to_devnull()
        try:
            sys.stderr.write(f"error: could not write the output: {exc.strerror or exc} (free some space, or send it elsewhere)\n")
        except (OSError, ValueError):
            pass
        code = 1
    except ValueError:          # (stdout closed by the caller: nothing to flush)
        pass
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return code


def _to_devnull() -> None:
    """stdout pointed at the null device: what is still buffered is dropped, not written again at
    exit (which would fail again)."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _main(argv: list[str] | None, root: Path | None) -> int:
    gcpolicy.pause()        # (until the first document, or the project loaded for other commands)
    try:
        return _run(argv, root)
    finally:
        gcpolicy.resume()


def _run(argv: list[str] | None, root: Path | None) -> int:
    args = parser().parse_args(argv)
    root = root or default_root()
    started = time.perf_counter()
    out_dir = None
    try:
        if args.jobs < 0:
            raise UsageError(f"--jobs {args.jobs}: the number of processes cannot be negative",
                             hint="Use --jobs N with N of 1 or more, or 0 for one per core")
        if (args.executor == "dask") != (args.scheduler is not None) or (args.worker_root and not args.scheduler):
            raise UsageError("--executor dask goes with --scheduler ADDRESS (and --worker-root with both)",
                             hint="e.g. --executor dask --scheduler tcp://10.0.0.5:8786")
        fast = _unchanged_build(root, args, started)
        if fast is not None:
            return fast
        project = Project(root)
        if args.command not in ("build", "check", "proof", "site"):
            gcpolicy.resume()       # (only a batch's start keeps it paused, up to its first document)
        if args.command == "list":
            return cmd_list(project)
        if args.command == "stamp":
            return cmd_stamp(project, args)
        if args.command in TRANSLATE_COMMANDS:
            return cmd_translate(project, args)
        if args.command == "diagram":
            return cmd_diagram(project, args)
        if args.command == "new":
            return cmd_new(project, args)
        if args.preview:
            raise UsageError("--preview is for the diagram command", hint="python generate.py diagram NAME --preview")
        if args.print_shop and args.command not in ("build", "proof", "site"):
            raise UsageError(f"--print-shop writes PDFs: it is for build, not {args.command}",
                             hint="python generate.py build --print-shop")
        if args.file:
            raise UsageError(f"unexpected argument {args.file!r}", hint=f"'{args.command}' takes options only")
        if args.format not in (None, "text", "json"):
            raise UsageError(f"--format {args.format} is for export", hint="Use --format text or json")
        args.format = args.format or "text"
        jobs = plan(project, args)
        write = args.command in ("build", "proof", "site")
        if write:
            out_dir = OutDir(args.out, root)
            out = out_dir.path
        else:
            out = Path(args.out)
        return _build(project, root, args, jobs, out_dir, out, write, started, getattr(args, "plan_key", None))
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ManifestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except LeafletError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: finished PDFs are complete and listed in the manifest, nothing half-written "
              "was left", file=sys.stderr)
        return 130
    except OSError as exc:          # the file system refused something the checks could not foresee
        if args.debug:
            traceback.print_exc()
        where = f" ({escape(str(exc.filename))})" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2
    except (MemoryError, RecursionError) as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: the press ran out of {'memory' if isinstance(exc, MemoryError) else 'stack'} "
              "(run with --debug for the traceback and report it)", file=sys.stderr)
        return 2
    finally:
        try:
            if "leafpress.batch" in sys.modules:
                sys.modules["leafpress.batch"].reap()      # (before the folder's lock goes: they hold it too)
        finally:
            if out_dir is not None:
                out_dir.close()


class _NotUnchanged(Exception):
    """The planned build has something to do: it is done the usual way."""


def _plan_filters(args) -> list:
    return [args.handout, args.lang, args.layout, args.brand, bool(args.print_shop)]


def _unchanged_build(root: Path, args, started: float) -> int | None:
    """A build whose inputs are exactly those of a recorded plan (see plancache), with every
    document unchanged (or a remembered failure) and nothing stale: done from the record, the
    manifest and the PDFs' signatures, without loading the project. None: build as usual."""
    if args.command != "build" or args.force or args.release or args.executor != "local" or args.preview \
            or args.file or args.format not in (None, "text", "json"):
        return None         # (what the usual path refuses, it refuses with its own message)
    from . import plancache
    args.plan_key = key = plancache.state_key(root.resolve(), _plan_filters(args))
    rec = plancache.read(args.out, key)
    if rec is None:
        return None
    known = plancache.Known(root.resolve(), rec)
    jobs = []
    for h, lang, lay, b, kind, digest in rec["jobs"]:
        job = Job(h, lang, lay, b, kind)
        known.digests[job] = digest
        jobs.append(job)
    out_dir = OutDir(args.out, root)
    try:
        return _build(known, root, args, jobs, out_dir, out_dir.path, True, started, None)
    except _NotUnchanged:
        return None
    finally:
        out_dir.close()


def _build(project: Project, root: Path, args, jobs: list[Job], out_dir: OutDir | None, out: Path,
           write: bool, started: float, plan_key: str | None = None) -> int:
    from .plancache import Known
    recorded = isinstance(project, Known)
    previous, old_findings, recorder = {}, [], None
    if write:
        last = out_dir.manifest()
        out_dir.check_project(last)
        docs = last.get("documents") if isinstance(last.get("documents"), list) else []
        for d in docs:
            if not valid_entry(d):
                continue
            if d["status"] == "ok" and not out_dir.is_own(d):
                continue        # not (or no longer) the file the press wrote: not the press's to keep
            previous[d["path"]] = d
        found = last.get("findings") if isinstance(last.get("findings"), list) else []
        old_findings = [f for f in found if isinstance(f, dict) and isinstance(f.get("handout"), str)
                        and isinstance(f.get("lang"), str) and isinstance(f.get("where"), str)
                        and isinstance(f.get("message"), str)]
        out_dir.sweep([j.path() for j in jobs] + list(previous))
        known = last.get("input_files")
        project.known_hashes = known if isinstance(known, dict) else {}
        # The input files' hashes go into the manifest (filled in just below): the next build
        # reads a file again only if its size, times or inode changed.
        recorder = Recorder(out_dir, {"engine": ENGINE_VERSION, "project": str(project.root),
                                      "input_files": project.hashed}, previous, old_findings)
        recorder.on_disk = last
    from . import batch

    def fingerprints() -> tuple[dict, dict]:
        found = {j: project.input_hash(j) for j in jobs} if write else {}
        if not recorded:
            project.user_hashes.save()      # what was hashed, for a build into another folder (usercache.py)
        return found, project.hashed

    rebuild_all = not write or args.force or args.release      # (whatever the fingerprints)

    def todo_of(digests: dict) -> list[Job]:
        return [j for j in jobs if rebuild_all or not _unchanged(previous.get(j.path()), digests[j])]

    def checks() -> list:
        # Per handout-language checks (reading level...) only where something is rebuilt or
        # checked (otherwise the last manifest's findings stand).
        redo = {(j.handout, j.lang) for j in todo_of(hashes.result()[0])}
        return _handout_findings(project, [j for j in jobs if (j.handout, j.lang) in redo],
                                 everything=args.command == "check")
    # Both are done beside the build (batch.beside: in a child process while this one imports the
    # stages and forks the workers), not before it: the build waits for the fingerprints only
    # when the last manifest lists one of its documents (they tell what is unchanged).
    hashes, aside = batch.Aside(fingerprints), batch.Aside(checks)
    everything = rebuild_all or not any(j.path() in previous for j in jobs)
    child = None
    # Only beside workers: with --jobs 1 this process builds all along, and the child's copy of
    # its memory (each page it writes after the fork is copied) cost about what the child saved.
    if not recorded and args.executor == "local" and batch.processes(args.jobs, len(jobs)) > 1:
        if everything:
            from . import checks as _checks  # noqa: F401 (every document needs it: imported once, before the child)
        child = batch.beside([hashes, aside])
    digests: dict = {}

    def fingerprinted() -> dict:
        if not digests:
            found, hashed = hashes.result()
            digests.update(found)
            if hashed is not project.hashed:        # (the child's: the manifest's input_files)
                project.hashed.update(hashed)
        return digests

    try:
        if child is None:
            fingerprinted()     # here, now (the checks, in a thread while workers build, use them)
        if everything:
            todo = list(jobs)       # (what todo_of gives whatever the fingerprints)
        else:
            todo = todo_of(fingerprinted())
        if recorded and (todo or len(previous) != len(jobs)):
            raise _NotUnchanged      # something to build, or entries to keep or remove: plan as usual
        redo = {(j.handout, j.lang) for j in todo}
        bar = _progress(len(todo))
        fresh: dict[str, dict] = {}

        def done(job: Job, entry: dict, data: bytes | None) -> None:
            entry["unchanged"] = False
            if write:
                entry["input_hash"] = fingerprinted()[job]
                recorder.document(entry, data)
            fresh[entry["path"]] = entry
            if bar:
                bar.update(1)

        if todo:
            from .render.assets import use_store
            use_store(out if write else None)      # drawings converted once, kept in OUT/.leafpress-cache
        try:
            batch.run(root, todo, args.jobs, write, args.debug, args.release, done, project,
                      scheduler=args.scheduler if args.executor == "dask" else None,
                      worker_root=args.worker_root, aside=aside,
                      digests=digests)    # (Dask: every fingerprint taken above; a local build takes them as documents come)
            fingerprinted()
            if write and plan_key is not None and args.command == "build":
                from . import plancache
                plancache.write(out, plan_key, plancache.record(project, jobs, digests,
                                                                _partner_problems(project, args)))
            if recorder:
                recorder.flush()
        finally:
            if bar:
                bar.close()
        findings = aside.result()
    finally:
        if child is not None:
            child.close()
    results = []
    for j in jobs:
        r = fresh.get(j.path())
        if r is None:                       # inputs unchanged: keep the PDF and its entry
            r = dict(previous[j.path()], unchanged=True)
        results.append(r)
    if args.command == "check":
        _report(findings, results, args.format)
    else:
        shown = set()
        for r in results:
            for w in r["warnings"]:
                if w not in shown:      # one line per distinct warning, not per copy
                    shown.add(w)
                    print(f"warning: {escape(r['path'])}: {escape(w)}", file=sys.stderr)
    if write:
        merged, stale = _merge_manifest(project, previous, results)
        kept = [f for f in old_findings if (f["handout"], f["lang"]) not in redo]
        recorder.finish(merged, sorted(kept + [f.as_dict() for f in findings if f.check == "reading-level"],
                                       key=lambda f: (f["handout"], f["lang"], f["where"], f["message"])),
                        stale)
    failed = [r for r in results if r["status"] == "failed"]
    if args.command != "check":
        for r in failed:
            print(f"failed: {escape(r['path'])}: {escape(r['error'])}", file=sys.stderr)
    partner_problems = _partner_problems(project, args)
    for exc in partner_problems:
        print(f"error: {exc}", file=sys.stderr)
    unchanged = sum(1 for r in results if r.get("unchanged") and r["status"] == "ok")
    if args.command == "proof":
        code = _proofs(project, out, args, [r for r in merged if r.get("kind", "office") == "office"])
        if code:
            return code
    if args.command == "site":
        code = _site(project, out, args)
        if code:
            return code
    verb = "built" if write else "checked"
    print(f"{verb} {len(jobs) - len(failed) - unchanged} of {len(jobs)} document(s), {unchanged} unchanged, "
          f"{len(failed)} failed, {sum(len(r['warnings']) for r in results)} "
          f"warning(s) in {time.perf_counter() - started:.1f} s"
          + (f"; manifest: {escape(str(out / 'manifest.json'))}" if write else ""), file=sys.stderr)
    return 1 if failed or partner_problems else 0


def _partner_problems(project: Project, args) -> list:
    """What in partners.yaml kept partner clinics out of this build (their entries, or the
    whole file: then the nonprofit's own brands were still built)."""
    if hasattr(project, "partner_problems"):
        return project.partner_problems     # a recorded plan's (plancache.Known)
    if args.brand and all(b in project.brands for b in args.brand):
        return []
    if project.partners_error is not None:
        return [f"{project.partners_error} (the partner clinics' leaflets were not built; the "
                "other brands were)"]
    return [f"{exc} (this partner was left out)" for exc in project.partner_errors]


def _handout_findings(project: Project, jobs: list[Job], everything: bool = True) -> list:
    """Reading level (and the other per-language checks) once per handout and language. Not
    ``everything``: the reading levels only (what a build's manifest keeps; each document's entry
    has the rest), so the language settings are not loaded here for their direction (a build's
    workers load them; this runs beside them)."""
    if not jobs:
        return []
    from .checks import TARGET_GRADE, handout_findings, note_findings
    out = []
    for hid, lang in sorted({(j.handout, j.lang) for j in jobs}):
        try:
            rtl = project.language(lang).rtl if everything else False
            found = handout_findings(project.handout(hid, lang), project.source(hid), rtl=rtl)
        except LeafletError:
            continue        # the documents report why the file cannot be read
        out += found if everything else [f for f in found if f.check == "reading-level"]
    for hid, lang, name in sorted({(j.handout, j.lang, j.brand) for j in jobs}):
        try:                # a partner clinic's note, once per handout, language and clinic
            note = project.brand(name).note(lang)
            target = float(project.source(hid).checks.get("target_grade", TARGET_GRADE))
        except LeafletError:
            continue
        if note:
            out += note_findings(hid, lang, name, note, target)
    return out


def _report(findings: list, results: list[dict], fmt: str) -> None:
    """Findings of `check`: per handout-language ones once, per document ones per layout
    (the same finding for several brands once), failures as errors."""
    rows, seen = [], set()
    for f in findings:
        rows.append(f.as_dict())
    for r in results:
        for f in r.get("findings", []):
            key = (f["handout"], f["lang"], f["layout"], f["check"], f["where"], f["message"])
            if f["layout"] and key not in seen:
                seen.add(key)
                rows.append(f)
        if r["status"] == "failed" and not r.get("findings"):
            key = (r["handout"], r["lang"], r["layout"], r["error"])
            if key not in seen:
                seen.add(key)
                rows.append({"handout": r["handout"], "lang": r["lang"], "layout": r["layout"],
                             "check": "build", "severity": "error", "where": r["path"], "message": r["error"],
                             "release_blocking": True})
    rows = [dict(t) for t in dict.fromkeys(tuple(sorted(d.items())) for d in rows)]
    if fmt == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        if row["severity"] == "info" and row["check"] != "reading-level":
            continue
        where = f"{row['where']}: " if row["where"] else ""
        layout = f" [{row['layout']}]" if row["layout"] else ""
        print(escape(f"{row['severity']}: {row['handout']}/{row['lang']}{layout}: {row['check']}: {where}"
                     f"{row['message']}"))


def _fingerprint_text(value: str) -> str:
    """A fingerprint such as 50030e8132 reads as a number in YAML 1.2: quote those."""
    from .translate.yamledit import fingerprint
    return f'"{value}"' if fingerprint(value) is not value else value


def cmd_stamp(project: Project, args) -> int:
    """Record, in each selected translation, the source fingerprints it now matches."""
    from .checks import front_hash, section_hash
    from .languages import match_lang
    hids = _select("handout", args.handout, list(project.handouts))
    n = 0
    for hid in hids:
        source = project.source(hid)
        langs = _select("language", args.lang, [l for l in project.handouts[hid] if l != source.lang], match_lang)
        for lang in langs:
            path = project.handouts[hid][lang]
            project.handout(hid, lang)       # refuse to stamp a file that does not load
            text = path.read_text(encoding="utf-8")
            block = (f"  translated_from:\n    front: {_fingerprint_text(front_hash(source))}\n"
                     "    sections:\n") + "".join(
                f"      {s.id}: {_fingerprint_text(section_hash(s))}\n" for s in source.sections)
            lines = text.splitlines(keepends=True)
            try:
                start = next(i for i, ln in enumerate(lines) if ln.rstrip() == "translation:")
            except StopIteration:
                raise LeafletError("no 'translation:' block to stamp", file=str(path)) from None
            end = start + 1
            while end < len(lines) and (lines[end].startswith("  ") or not lines[end].strip()):
                end += 1
            body = [ln for ln in lines[start + 1:end]]
            kept, skipping = [], False
            for ln in body:
                if ln.startswith("  translated_from:"):
                    skipping = True
                    continue
                if skipping and ln.startswith("    "):
                    continue
                skipping = False
                kept.append(ln)
            new = "".join(lines[:start + 1] + kept + [block] + lines[end:])
            write_atomic(path, new.encode("utf-8"))
            n += 1
            print(f"stamped {path.relative_to(project.root)} against {source.file}", file=sys.stderr)
    return 0


# -- translation exchange: export, import, review (leafpress/translate) -------------------------------
def cmd_diagram(project: Project, args) -> int:
    """Check one diagram (its schema, and every handout's labels for it); with --preview, draw it."""
    from .diagram import load_diagram
    from .proof import diagram_preview
    if not args.file:
        raise UsageError("which diagram?", hint="python generate.py diagram NAME [--preview]; names: " +
                         ", ".join(sorted(p.stem for p in (project.root / "assets" / "diagrams").glob("*.yaml"))))
    name = args.file
    if not _ID.match(name) or not (project.root / "assets" / "diagrams" / f"{name}.yaml").is_file():
        raise UsageError(f"no diagram {name!r}", hint="Known: " + ", ".join(
            sorted(p.stem for p in (project.root / "assets" / "diagrams").glob("*.yaml"))))
    d = load_diagram(name, project.root / "assets" / "diagrams", project.root)
    print(f"{name}: {len(d.anchors)} anchor(s) in {len(d.panels)} panel(s): ok")
    if args.preview:
        out = Path(args.out)
        for path in diagram_preview(project, name, out if out.is_absolute() else Path.cwd() / out, args.lang or None,
                                    args.layout[0] if args.layout else None):
            print(f"wrote {path}")
    return 0


def cmd_new(project: Project, args) -> int:
    """Write handouts/ID/<lang>.yaml from assets/templates/handout.yaml: a valid skeleton."""
    import datetime as dt
    hid = args.file
    if not hid or not _ID.match(hid):
        raise UsageError(f"{hid!r} is not a handout id" if hid else "which handout id?",
                         hint="python generate.py new ID, with lower-case letters, digits, '-' and '_'")
    # The language the project's handouts are written in (their sources), unless --lang says.
    sources = sorted({project.source(h).lang for h in project.handouts}) if not args.lang else []
    if not args.lang and len(sources) != 1:
        raise UsageError("which language is the new handout written in?", hint="python generate.py new ID --lang CODE")
    lang = args.lang[0] if args.lang else sources[0]
    if lang not in project.languages:
        raise UsageError(f"unknown language {lang!r}", hint="Known: " + ", ".join(sorted(project.languages)))
    folder = project.root / "handouts" / hid
    if folder.exists():
        raise UsageError(f"handouts/{hid} already exists", hint="Choose another id, or edit that handout")
    template = (project.root / "assets" / "templates" / "handout.yaml").read_text(encoding="utf-8")
    text = (template.replace("HANDOUT_ID", hid).replace("LANG", lang)
            .replace("TODAY", dt.date.today().isoformat()))
    write_atomic(folder / f"{lang}.yaml", text.encode("utf-8"))
    print(f"wrote handouts/{hid}/{lang}.yaml: replace its example texts, then "
          f"python generate.py --handout {hid} --lang {lang}")
    return 0


def cmd_translate(project: Project, args) -> int:
    from .languages import match_lang
    from .translate import exchange, signoff
    if args.command != "import" and args.file:
        raise UsageError(f"unexpected argument {args.file!r}", hint=f"'{args.command}' takes options only")
    if args.command == "import":
        if not args.file:
            raise UsageError("import needs the file: python generate.py import FILE")
        path = Path(args.file)
        if not path.is_file():
            raise UsageError(f"no such file: {args.file}", hint="Name the .xlf or .po file to import")
        report = exchange.import_file(project, path)
        for line in report.errors:
            print(f"error: {line}", file=sys.stderr)
        for line in report.warnings:
            print(f"warning: {line}", file=sys.stderr)
        for line in report.notes:
            print(line, file=sys.stderr)
        print(f"imported {report.file} ({report.handout}/{report.lang}): {len(report.changed)} unit(s) changed, "
              f"{len(report.reviewed)} newly marked reviewed, section(s) stamped: "
              f"{', '.join(report.stamped) or 'none'}, {len(report.errors)} error(s); written: "
              f"{', '.join(report.written) or 'nothing'}", file=sys.stderr)
        return 1 if report.errors else 0
    hids = _select("handout", args.handout, list(project.handouts))
    if args.command == "review":
        if len(hids) != 1 or len(args.lang) != 1:
            raise UsageError("review signs off one translation: give --handout ID and --lang CODE once each")
        if not args.reviewer:
            raise UsageError("review needs --reviewer NAME")
        lang = _select("language", args.lang, list(project.handouts[hids[0]]), match_lang)[0]
        print(signoff.review(project, hids[0], lang, args.reviewer, args.scope), file=sys.stderr)
        return 0
    fmt = args.format or "xliff"
    if fmt not in exchange.FORMATS:
        raise UsageError(f"--format {fmt} cannot be exported", hint="Use --format xliff or --format po")
    out_dir = OutDir(args.out, project.root)      # the same rules as a build's output folder
    written = []
    try:
        for hid in hids:
            source = project.source(hid).lang
            langs = _select("language", args.lang, [x for x in project.handouts[hid] if x != source], match_lang)
            for lang in langs:
                written.append(exchange.export(project, hid, lang, fmt, out_dir.path))
    finally:
        out_dir.close()
    for w in written:
        print(f"exported {w}", file=sys.stderr)
    return 0


def _proofs(project: Project, out: Path, args, results: list[dict]) -> int:
    from . import proof
    brand = (args.brand or [next(iter(project.brands))])[0]
    made = []
    try:
        for hid in sorted({r["handout"] for r in results}):
            docs = [r for r in results if r["handout"] == hid and r["brand"] == brand]
            made.append(proof.contact_sheet(project, out, hid, docs))
            source = project.source(hid).lang
            for lang in sorted({r["lang"] for r in docs} - {source}):
                made.append(proof.review_copy(project, out, hid, lang, brand))
        if args.png:
            n = proof.previews(out, [r for r in results if r["status"] == "ok"])
            print(f"proof: {n} PNG preview(s) in {out / 'previews'}", file=sys.stderr)
    except LeafletError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"proof: {len(made)} proof PDF(s) in {out / 'proofs'}", file=sys.stderr)
    return 0


def _site(project: Project, out: Path, args) -> int:
    """The static site from the manifest's PDFs and the content (see leafpress/site/)."""
    from .site import build_site
    started = time.perf_counter()
    try:
        report = build_site(project, out)
    except LeafletError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug must still end in one line (the PDFs are already built)
        if args.debug:
            traceback.print_exc()
        print(f"error: unexpected error while building the site: {type(exc).__name__}: {exc} "
              "(run with --debug for the traceback and report it)", file=sys.stderr)
        return 1
    for line in report.errors:
        print(f"failed: {line}", file=sys.stderr)
    print(f"site: {len(report.pages)} page(s), {report.written} file(s) written, {report.unchanged} unchanged, "
          f"{report.removed} removed in {time.perf_counter() - started:.1f} s: {out / 'site' / 'index.html'}",
          file=sys.stderr)
    return 1 if report.errors else 0


def _merge_manifest(project: Project, previous: dict, results: list[dict]) -> tuple[list[dict], list[dict]]:
    """Keep entries of documents this (filtered) build did not touch; forget documents that can
    no longer be built (a language, layout or brand was removed) and return them as stale:
    their PDFs are removed if they are still the files the press wrote."""
    done = {r["path"] for r in results}
    brands = set(project.all_brands())
    every: set = set()

    def possible(path: str, e: dict) -> bool:
        kind = e.get("kind", "office")
        job = Job(e["handout"], e["lang"], e["layout"], e["brand"], kind if kind in KINDS else "office")
        if job.path() == path:      # as the press writes entries: its fields say which document
            return (job.lang in project.handouts.get(job.handout, ()) and job.layout in project.layouts
                    and job.brand in brands)
        if not every:               # an entry edited by hand: every document the project can make
            for h, langs in project.handouts.items():
                for lang in langs:
                    for lay in project.layouts:
                        for b in brands:
                            every.update(Job(h, lang, lay, b, k).path() for k in KINDS)
        return path in every

    merged, stale = list(results), []
    for path, entry in sorted(previous.items()):
        if path in done:
            continue
        unknown = project.partners_error is not None and entry["brand"] not in project.brands
        (merged if unknown or possible(path, entry) else stale).append(entry)
    merged.sort(key=lambda r: r["path"])
    return merged, stale
