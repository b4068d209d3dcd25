"""Building many documents, in this process or in worker processes that may die.

Input: the project root, the jobs (a language's documents come together) and the options.
Output: for each job, as soon as it is finished, its manifest entry and PDF bytes (or None),
handed to a callback in this process, which alone writes into the output folder. A worker
that dies (the out-of-memory killer, a crash) fails only the document it was building, with a
message saying so; a new worker takes over the rest of its share.
"""
from __future__ import annotations

import os
import signal
import traceback
from collections import deque
from contextlib import contextmanager
from pathlib import Path

from .errors import LeafletError
from .project import Job, Project

_PROJECT: Project | None = None


def init(root: str) -> None:
    global _PROJECT
    _PROJECT = Project(Path(root))


def run_one(job: Job, write: bool, debug: bool, release: bool = False) -> tuple[dict, bytes | None]:
    """One document's entry and PDF bytes. A failure that follows from the inputs alone (a
    LeafletError: content, layout, brand, checks) is marked ``deterministic``: a build with the
    same inputs and engine (the same input_hash) would fail the same way, so the next build does
    not try again. Failures of the machine or of the press itself (memory, stack, a bug, a
    killed worker) are not marked, and are tried again."""
    try:
        entry, data = _PROJECT.build(job, write, release)
    except LeafletError as exc:
        return failed(job, str(exc), deterministic=True), None
    except RecursionError:
        return failed(job, "the content is nested or repeated too deeply to lay out"), None
    except MemoryError:
        return failed(job, "ran out of memory while building it"), None
    except Exception as exc:  # one document's bug must not stop the batch
        detail = traceback.format_exc() if debug else f"{type(exc).__name__}: {exc}"
        return failed(job, f"unexpected error while building {job.path()}: {detail}"
                           " (run with --debug for the traceback and report it)"), None
    if entry["status"] == "failed" and not release:
        entry["deterministic"] = True       # a check's error finding (with --release, every build checks again)
    return entry, data


def failed(job: Job, message: str, deterministic: bool = False) -> dict:
    entry = {"handout": job.handout, "lang": job.lang, "layout": job.layout, "brand": job.brand,
             "kind": job.kind, "path": job.path(), "pages": 0, "sha256": None, "status": "failed", "warnings": [],
             "error": message}
    if deterministic:
        entry["deterministic"] = True
    return entry


BLOCK = 50      # documents per task: one handout x language, a block of clinics stamped (project.lay_out)


def groups_of(jobs: list[Job], n: int) -> list[list[Job]]:
    """Tasks of one handout x language and a block of up to BLOCK documents, each clinic's
    documents in every layout together (its name, contact and credit lines are shaped once for
    all its layouts: a worker's shaping caches keep a clinic's few lines, not every clinic's);
    each layout is done once in the worker that builds it and stamped for each clinic. A
    handout x language with one brand keeps one task per layout (nothing to share, and the
    work is given out finer). Smaller blocks when there would not be two tasks per worker."""
    brands: dict = {}
    for j in jobs:
        brands.setdefault((j.handout, j.lang), set()).add(j.brand)
    runs: dict = {}
    for j in jobs:
        key = (j.handout, j.lang) if len(brands[j.handout, j.lang]) > 1 else (j.handout, j.lang, j.layout)
        runs.setdefault(key, {}).setdefault(j.brand, []).append(j)
    size = BLOCK
    tasks = _blocks(runs, size)
    while size > 1 and len(tasks) < n * 2:
        size = -(-size // 2)
        tasks = _blocks(runs, size)
    return tasks


def _blocks(runs: dict, size: int) -> list[list[Job]]:
    """Each run's clinics' documents in as few blocks of up to ``size`` as can hold them, about
    even (not full blocks and a last one of a clinic or two, which another worker would take at
    the end and lay the document out again for), a clinic's documents in one block where they
    fit in one."""
    out: list[list[Job]] = []
    for clinics in runs.values():
        units = [docs[i:i + size] for docs in clinics.values() for i in range(0, len(docs), size)]
        total = sum(map(len, units))
        count = -(-total // size)
        blocks: list[list[Job]] = []
        block: list[Job] = []
        done = 0
        for unit in units:
            if block and len(block) + len(unit) > size:
                blocks.append(block)
                block = []
            block += unit
            done += len(unit)
            if done * count >= (len(blocks) + 1) * total:     # at the next of ``count`` even cuts
                blocks.append(block)
                block = []
        out += blocks + ([block] if block else [])
    return out


class Aside:
    """Work of the main process that can run while documents are built (the input fingerprints,
    the per-handout checks): in a forked child started at once where the system forks (see
    beside), else in a thread once the workers have started, else when its result is asked for.
    Its result is always the one this process would get: whatever goes wrong in the child (it
    raised, died or could not send its result), the work is done again here when asked for."""

    def __init__(self, work):
        self.work, self.thread, self.value, self.error = work, None, None, None
        self.child: tuple | None = None         # forked: (the child, which of its results)

    def start(self) -> None:
        import threading
        if self.child is not None or self.thread is not None:
            return      # already under way (in a child) or done

        def go():
            try:
                self.value = self.work()
            except BaseException as exc:      # noqa: BLE001 (raised again in the main thread)
                self.error = exc
        self.thread = threading.Thread(target=go, name="leafpress-aside", daemon=True)
        self.thread.start()

    def join(self) -> None:
        """Wait for it (before forking: a fork never copies a thread's half-held locks)."""
        if self.thread:
            self.thread.join()

    def result(self):
        if self.child is not None:
            (child, i), self.child = self.child, None
            got = child.get(i)
            if got is not None:
                self.thread, self.value = False, got[0]
        if self.thread is None:
            self.thread = False
            self.value = self.work()
        self.join()
        if self.error is not None:
            raise self.error
        return self.value


BESIDE = True      # beside() forks (tests that watch this process's own calls turn it off)


def beside(asides: list[Aside]) -> _Child | None:
    """Start ``asides`` now, one after the other, in one child process forked from this one (a
    later one may use an earlier one's result): they run on another core while this process goes
    on (imports and loading before the workers are forked).
    Nothing where the system cannot fork or has one core, or where a thread runs (a fork copies
    no thread and none of its half-held locks). Returns the child (close it when done)."""
    import threading
    if not (BESIDE and asides and hasattr(os, "fork")) or _cores() < 2 or threading.active_count() > 1:
        return None
    import pickle
    try:
        r, w = os.pipe()
    except OSError:
        return None
    try:        # (room for a large batch's fingerprints: the child need not wait for this process to read them)
        import fcntl
        fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass
    try:
        pid = os.fork()
    except OSError:         # (no process to spare: done here when asked for)
        os.close(r)
        os.close(w)
        return None
    if pid == 0:        # the child: never returns (no exit handlers, nothing of the parent's flushed)
        code = 0
        try:
            os.close(r)
            signal.signal(signal.SIGINT, signal.SIG_IGN)       # Ctrl-C: the main process decides
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            with open(w, "wb") as out:
                for a in asides:
                    a.thread = False
                    try:
                        a.value = a.work()
                        data = pickle.dumps((a.value,), pickle.HIGHEST_PROTOCOL)
                    except BaseException as exc:    # noqa: BLE001 (the main process does it again)
                        a.error = exc
                        data = b""
                    out.write(len(data).to_bytes(8, "big") + data)
                    out.flush()
        except BaseException:   # noqa: BLE001 (the main process does what was not sent)
            code = 1
        finally:
            os._exit(code)
    os.close(w)
    child = _Child(r, pid)
    for i, a in enumerate(asides):
        a.child = (child, i)
    return child


def _cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class _Child:
    """The reading end of a child started by beside: its results in order."""

    def __init__(self, fd: int, pid: int):
        self.file, self.pid = open(fd, "rb"), pid
        self.got: list = []
        _PARENTS_ENDS.append(self.file)     # (a worker forked later closes its copy)

    def get(self, i: int) -> tuple | None:
        """Its ``i``-th result, as a 1-tuple; None if that work raised, or the child died or sent
        something unreadable before it."""
        import pickle
        while len(self.got) <= i and not self.file.closed:
            try:
                size = int.from_bytes(self._read(8), "big")
                self.got.append(pickle.loads(self._read(size)) if size else None)
            except Exception:   # noqa: BLE001 (cut off or damaged: done here instead)
                self.close()
        return self.got[i] if i < len(self.got) else None

    def _read(self, n: int) -> bytes:
        data = self.file.read(n)
        if len(data) != n:
            raise EOFError
        return data

    def close(self) -> None:
        """Stop it if it still runs, and reap it."""
        if not self.file.closed:
            self.file.close()
        _forget_end(self.file)
        if self.pid:
            pid, self.pid = self.pid, 0
            try:
                if os.waitpid(pid, os.WNOHANG) == (0, 0):
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
            except (ChildProcessError, ProcessLookupError, OSError):
                pass


def run(root: Path, jobs: list[Job], n: int, write: bool, debug: bool, release: bool, done,
        project: Project | None = None, scheduler: str | None = None, worker_root: str | None = None,
        digests: dict | None = None, aside: Aside | None = None) -> None:
    """Build ``jobs`` in ``n`` processes (1: here, with ``project`` if given: what it has loaded
    is not loaded again), or on a Dask cluster (``scheduler``: its address), calling
    ``done(job, entry, data)`` for each; ``aside`` runs here meanwhile when workers build."""
    global _PROJECT
    from . import gcpolicy
    if scheduler is not None:
        gcpolicy.resume()
        from .remote import run_dask
        run_dask(scheduler, worker_root or str(root), jobs, write, debug, release, done, digests or {})
        return
    n = processes(n, len(jobs))
    if n == 1:
        if project is not None:
            _PROJECT = project
        else:
            init(str(root))
        # (writing PDFs: the render stage too, as forked workers get it; young, the start was
        # scanned by the first document's collections: 25 ms of a cold one-leaflet build's 190)
        with _started(_PROJECT, jobs if write else []):
            for j in jobs:
                done(j, *run_one(j, write, debug, release))
        return
    pool = _Pool(root, n, write, debug, release)
    if not pool.forks:
        gcpolicy.resume()
        pool.run(groups_of(jobs, n), done, aside)
        return
    # Workers forked from this process start with what it has imported and loaded: done once
    # here rather than once in each worker. Frozen, it is left out of the workers' collections
    # (which would scan it, and copy its pages for the collector's bookkeeping; a worker's own
    # collecting: gcpolicy.worker and settle).
    _PROJECT = project if project is not None else Project(Path(root))
    with _started(_PROJECT, jobs):
        pool.run(longest_first(_PROJECT, groups_of(jobs, n)), done, aside)


@contextmanager
def _started(project: Project, jobs: list[Job]):
    """What the documents of ``jobs`` need, loaded now (:func:`preload`; nothing for none) and
    frozen out of the collector while they are built; the collector, paused while the command
    started (gcpolicy.pause), runs again meanwhile."""
    import gc

    from . import gcpolicy
    if jobs:
        preload(project, jobs)
    gc.freeze()
    gcpolicy.resume()
    try:
        yield
    finally:
        gc.unfreeze()


def processes(n: int, count: int) -> int:
    """How many processes build ``count`` documents at ``--jobs n`` (0: one per core)."""
    return max(1, min(n or os.cpu_count() or 1, count or 1))


def longest_first(project: Project, groups: list[list[Job]]) -> list[list[Job]]:
    """The tasks, the languages with the longest content files first (more text to shape, break
    and draw): what is left when the first worker runs out of work is short, so neither waits
    long for the other at the end. Only the order changes, never what a document is."""
    def size(g: list[Job]) -> int:
        try:
            return os.stat(project.handouts[g[0].handout][g[0].lang]).st_size
        except (KeyError, OSError, ValueError):
            return 0
    weight: dict = {}
    for g in groups:
        if _key(g) not in weight:
            weight[_key(g)] = size(g)
    return sorted(groups, key=lambda g: -weight[_key(g)])


def preload(project: Project, jobs: list[Job]) -> None:
    """Import and load, in this process, what every document needs: the layout, text and PDF
    stages, the font library, the layouts and sources of ``jobs`` and its first brand, the writer's
    base font. Not svglib: the drawings' records (render/assets.py, kept in the output folder and
    the user's cache) spare it, and a worker that must convert a drawing imports it then."""
    from . import checks, diagram  # noqa: F401
    from .layout import engine  # noqa: F401
    from .render import pdf, pdfa
    from .text import setter  # noqa: F401
    pdf._base_font()
    try:
        pdfa.srgb_profile()
    except Exception:  # noqa: BLE001 (each document then says what is missing, as without preloading)
        pass
    from .formatting import known
    if not known(project.locale_of(code) for code in dict.fromkeys(j.lang for j in jobs)):
        # (read now, by locale as they are kept: the workers find CLDR's answers read)
        _cldr_root()
    project.fonts
    _quietly(project.brand, jobs[0].brand)     # (not each of a thousand partner clinics: the workers share those)
    for name in dict.fromkeys(j.layout for j in jobs):
        _quietly(project.layout, name)
    for hid in dict.fromkeys(j.handout for j in jobs):
        _quietly(project.source, hid)


def _cldr_root() -> None:
    """CLDR's number and date formatting (Babel) and its root locale, which every language's
    locale data is merged onto: every document formats its dates and page numbers (unless the
    user's cache has CLDR's answers for each language, formatting.py)."""
    try:
        import babel.dates  # noqa: F401
        import babel.numbers  # noqa: F401
        from babel import localedata
        localedata.load("root")
    except (ImportError, OSError, ValueError):
        pass        # the documents say what is missing


def _quietly(load, *args) -> None:
    try:
        load(*args)
    except LeafletError:
        pass        # the documents that need it fail with its message


def _worker(conn, root: str, write: bool, debug: bool, release: bool) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C reaches the group: the main process decides
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _close_parents_ends()
    from . import gcpolicy
    gcpolicy.worker()       # (what a document leaves, its caches, is frozen: gcpolicy.settle)
    if _PROJECT is None or str(_PROJECT.root) != str(Path(root).resolve()):
        init(root)          # not forked from a process that loaded the project (see run)
    while True:
        try:
            group = conn.recv()
        except (EOFError, OSError):
            return          # the main process is gone (or closed its end): nothing more will come
        if group is None:
            return
        for job in group:
            try:
                conn.send(run_one(job, write, debug, release))
            except OSError:
                return      # the main process is gone: nobody reads what this one builds


_PARENTS_ENDS: list = []     # the main process's ends of its pipes to its workers and to a child beside


def _close_parents_ends() -> None:
    """In a forked worker: close its copies of the main process's ends of every pipe (its own
    too). Held open here, a pipe whose main process died (killed, out of memory) would never
    read as ended, and the worker would wait for work for ever, holding the output folder's
    lock (every later build into the folder refused as "another build is writing")."""
    for end in _PARENTS_ENDS:
        try:
            end.close()
        except OSError:
            pass
    _PARENTS_ENDS.clear()


SEND_BUFFER = 4 << 20       # bytes a worker may have sent that this process has not read yet


class _Worker:
    def __init__(self, ctx, args: tuple) -> None:
        self.conn, child = ctx.Pipe()
        _PARENTS_ENDS.append(self.conn)     # (closed in this worker and in those forked after it)
        _roomy(child)
        self.proc = ctx.Process(target=_worker, args=(child, *args), daemon=True)
        self.proc.start()
        child.close()
        self.groups: deque = deque()        # the tasks sent to it, in order; results come in that order
        self.pos = 0                        # the next result is for self.groups[0][self.pos]
        self.key: tuple | None = None       # the handout and language of its last task
        self.shapes: set = set()            # the (handout, language, layout)s of its tasks
        self.asked = False                  # told to stop (no more tasks will come)


def _roomy(conn) -> None:
    """Let the worker's end of ``conn`` hold several finished PDFs this process has not read yet
    (up to SEND_BUFFER, as far as the system allows): a worker then goes on to its next document
    while this process writes the last ones to disk, instead of waiting in ``send`` (a socket's
    usual 208 kB held about two leaflets: the workers waited 20-60 ms each in a batch of 30)."""
    import socket
    try:
        with socket.fromfd(conn.fileno(), socket.AF_UNIX, socket.SOCK_STREAM) as s:
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) < SEND_BUFFER:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
    except (OSError, ValueError, AttributeError):
        pass        # not a socket (another platform's pipes): as it is


def _key(group: list[Job]) -> tuple:
    return group[0].handout, group[0].lang


AHEAD = 2       # tasks a worker holds: the one it builds and the next


class _Queue:
    """The tasks not yet given out, by handout and language. A worker is given the next task of
    the language it did last (what it has loaded and shaped for it serves again), else the first
    language no other worker is on, else one of the busiest language's tasks."""

    def __init__(self, groups: list[list[Job]]):
        self.by_key: dict[tuple, deque] = {}
        for g in groups:
            self.by_key.setdefault(_key(g), deque()).append(g)

    def __bool__(self) -> bool:
        return bool(self.by_key)

    def __len__(self) -> int:
        return sum(len(tasks) for tasks in self.by_key.values())

    def take(self, last: tuple | None, busy: set, shapes: set = frozenset()) -> list[Job]:
        """The next task for a worker whose last language was ``last`` (``busy``: the languages
        other workers hold tasks of; ``shapes``: the (handout, language, layout)s it has laid
        out). Helping with a language another worker is on, it takes the first task with a
        layout it has laid out (else the first task), cut to that layout's documents (else the
        task's last layout's), the rest left in its place: helping costs one more layout here,
        not one per layout of the language."""
        key = last if last in self.by_key else next((k for k in self.by_key if k not in busy), None)
        if key is None:
            key = max(self.by_key, key=lambda k: len(self.by_key[k]))
        tasks = self.by_key[key]
        if key in busy:     # helping: a task with a layout laid out here if there is one, cut to it
            def mine(j: Job) -> bool:
                return (j.handout, j.lang, j.layout) in shapes
            at = next((i for i, g in enumerate(tasks) if any(map(mine, g))), 0)
            group = tasks[at]
            del tasks[at]
            if len({j.layout for j in group}) > 1:
                layout = next((j.layout for j in group if mine(j)), group[-1].layout)
                tasks.insert(at, [j for j in group if j.layout != layout])
                group = [j for j in group if j.layout == layout]
        else:
            group = tasks.popleft()
        if not tasks:
            del self.by_key[key]
        return group

    def put_back(self, group: list[Job]) -> None:
        self.by_key.setdefault(_key(group), deque()).appendleft(group)


class _Pool:
    def __init__(self, root: Path, n: int, write: bool, debug: bool, release: bool):
        import multiprocessing      # not imported by a build in one process (or with nothing to build)
        self.ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods()
                                               else None)
        self.forks = self.ctx.get_start_method() == "fork"
        self.args = (str(root), write, debug, release)
        self.n = n

    def run(self, groups: list[list[Job]], done, aside: Aside | None = None) -> None:
        from multiprocessing.connection import wait
        queue = _Queue(groups)
        count = min(self.n, len(groups))
        workers: list[_Worker] = []

        def give(w: _Worker) -> None:
            # A worker holds its next task while it builds (it starts it without waiting for
            # this process to take its last result), unless few are left: then each goes to
            # whichever worker is free first.
            while queue and not w.asked and (not w.groups or (len(w.groups) < AHEAD and len(queue) > count)):
                group = queue.take(w.key, {_key(g) for o in workers if o is not w for g in o.groups}, w.shapes)
                w.groups.append(group)
                w.key = _key(group)
                w.shapes.update((j.handout, j.lang, j.layout) for j in group)
                try:
                    w.conn.send(group)
                except OSError:
                    return      # it died; noticed below
        finished = False
        try:
            for _ in range(count):
                workers.append(_Worker(self.ctx, self.args))
                give(workers[-1])       # at once: it starts building while the next one is forked
            if aside is not None and self.forks:
                aside.start()
            while True:
                for w in workers:
                    give(w)
                busy = [w for w in workers if w.groups]
                if not busy:
                    finished = True
                    return
                if not queue:
                    for w in workers:
                        if not w.groups:
                            _ask_to_stop(w)     # nothing left for it: it ends while the others build
                ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy])
                for k, w in enumerate(workers):
                    ended = w.proc.sentinel in ready
                    if not w.groups or not (ended or w.conn in ready):
                        continue
                    dead = False
                    try:
                        # One result a wake-up (the next wait returns at once while more wait to
                        # be read; polling after each result made a selector of its own, about
                        # three a document); a worker that ended is read to the end first.
                        if w.conn in ready:
                            _result(w, done)
                        while ended and w.groups and w.conn.poll():
                            _result(w, done)
                    except (EOFError, OSError, ValueError, TypeError, AttributeError, ImportError):
                        dead = True     # a message cut off by the worker's death
                    except Exception:
                        dead = True
                    if w.groups and (dead or ended):
                        w.proc.join(1)
                        job = w.groups[0][w.pos]
                        done(job, failed(job, f"the process building it stopped ({_why(w.proc.exitcode)}); "
                                              "the other documents were built. Build it again, or with "
                                              "--jobs 1 to see what stops it"), None)
                        rest = [w.groups[0][w.pos + 1:], *list(w.groups)[1:]]
                        for group in reversed(rest):        # (each back at the front of its language)
                            if group:
                                queue.put_back(group)
                        _stop(w)
                        if aside is not None:
                            aside.join()
                        workers[k] = _Worker(self.ctx, self.args)
        finally:
            for w in workers:
                _ask_to_stop(w)     # all at once: they end side by side
            for w in workers:
                if finished:
                    _ENDING.append(w)       # (this process writes the last PDFs and the manifest meanwhile)
                else:
                    _stop(w)


def _result(w: _Worker, done) -> None:
    """Take one document's result from worker ``w``: for the next job of the tasks it holds."""
    entry, data = w.conn.recv()
    done(w.groups[0][w.pos], entry, data)
    w.pos += 1
    if w.pos == len(w.groups[0]):
        w.groups.popleft()
        w.pos = 0


def _why(code) -> str:
    if code is None:
        return "it stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"killed by {name}" + (", perhaps for lack of memory" if -code == signal.SIGKILL else "")
    return f"exit status {code}"


def _ask_to_stop(w: _Worker) -> None:
    if not w.asked:
        w.asked = True
        try:
            w.conn.send(None)
        except (OSError, ValueError):
            pass


_ENDING: list[_Worker] = []      # told to stop after all their documents came: reaped by reap()


def reap() -> None:
    """Wait for the workers of a finished batch to end (killed if they do not): a worker's end
    (its memory given back, 5-20 ms) goes on while this process writes the last PDFs and the
    manifest, instead of before."""
    while _ENDING:
        _stop(_ENDING.pop())


def _stop(w: _Worker) -> None:
    _ask_to_stop(w)
    w.proc.join(0.5)
    if w.proc.is_alive():
        w.proc.kill()
        w.proc.join(2)
    w.conn.close()
    _forget_end(w.conn)


def _forget_end(end) -> None:
    try:
        _PARENTS_ENDS.remove(end)
    except ValueError:
        pass
