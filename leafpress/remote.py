"""Building on a Dask cluster: the same documents, on machines past this one.

Input: a Dask scheduler's address, the project folder as the workers see it, the jobs and the
build options. Output: as for a local batch (batch.py), each job's manifest entry and PDF bytes
handed to ``done`` in this process, which alone writes the output folder. Tasks are one
handout x language and a block of clinics in every layout (batch.groups_of), so a worker lays
each layout out once and stamps it for each clinic of the block; a worker keeps its loaded project
between tasks. Each worker also fingerprints the inputs of every document it builds: a document
whose fingerprint differs from this process's (a worker with another version of the project)
fails with a message saying so, and nothing from that worker is written.

Needs the ``dask`` extra (distributed), here and on the workers.
"""
from __future__ import annotations

import threading
from pathlib import Path

from . import batch
from .errors import UsageError
from .lru import Lru
from .project import Job, Project

# The projects a worker has loaded, by folder: a few kept (a worker serving several projects in
# turn), not every one it has ever seen (each holds fonts, shaped text and laid-out pages).
_PROJECTS = Lru(None, 2)
_ONE_AT_A_TIME = threading.Lock()     # a project's caches serve one build at a time: run workers with --nthreads 1


def build_block(root: str, jobs: list[Job], write: bool, debug: bool, release: bool) -> list[tuple]:
    """On a worker: (entry, PDF bytes or None, input fingerprint) for each job of one task."""
    with _ONE_AT_A_TIME:
        return _build_block(root, jobs, write, debug, release)


def _build_block(root: str, jobs: list[Job], write: bool, debug: bool, release: bool) -> list[tuple]:
    project = _PROJECTS.get(root)
    if project is None:
        project = Project(Path(root))
        _PROJECTS.put(root, project)
    batch._PROJECT = project
    out = []
    for job in jobs:
        entry, data = batch.run_one(job, write, debug, release)
        try:
            digest = project.input_hash(job)
        except Exception as exc:       # noqa: BLE001 (one document's problem, said in its entry)
            digest = f"unreadable: {type(exc).__name__}"
        out.append((entry, data, digest))
    return out


def connect(scheduler: str):
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--scheduler needs Dask's distributed package",
                         hint="Install the dask extra: pip install 'leafpress[dask]'") from None
    try:
        return Client(scheduler, timeout="20s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {scheduler}: {exc}",
                         hint="Start one with `dask scheduler` and workers with `dask worker ADDRESS`, "
                              "or check the address") from None


def run_dask(scheduler: str, root: str, jobs: list[Job], write: bool, debug: bool, release: bool, done,
             digests: dict) -> None:
    from distributed import as_completed
    client = connect(scheduler)
    try:
        threads = sum(client.nthreads().values()) or 1
        tasks = batch.groups_of(jobs, threads)
        futures = {client.submit(build_block, root, group, write, debug, release, pure=False): group
                   for group in tasks}
        for future in as_completed(futures, loop=client.loop):
            group = futures.pop(future)
            try:
                results = future.result()
            except Exception as exc:       # noqa: BLE001 (a worker died or the task could not run)
                for job in group:
                    done(job, batch.failed(job, f"the Dask task building it failed ({type(exc).__name__}: {exc}); "
                                                "the other documents were built. Build it again"), None)
                continue
            finally:
                future.release()
            for job, (entry, data, digest) in zip(group, results):
                want = digests.get(job)
                if want is not None and digest != want:
                    entry, data = batch.failed(job, "the worker's copy of the project differs from this one "
                                                    "(its inputs have another fingerprint); give every worker "
                                                    "the same version of the project"), None
                done(job, entry, data)
    finally:
        client.close()
