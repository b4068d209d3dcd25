"""The garbage collector's schedule for a press process.

Input: nothing. Output: the collector's thresholds, set once per process (:func:`tune`); no
collection while a process starts (:func:`pause`, :func:`resume`); a batch's worker freezing
what each document leaves instead of collecting it (:func:`worker`, :func:`settle`).

Laying out and writing a leaflet allocates hundreds of thousands of short-lived containers
(glyph pieces, lines, PDF objects) that reference counting frees at once; almost none of them
form cycles. With CPython's default thresholds (700, 10, 10) the collector still ran about a
thousand times for 30 leaflets, seven of them full collections that scanned every object the
process keeps (fonts, dictionaries, shaped paragraphs): 0.97 s of a 5.2 s batch, measured with
gc.callbacks. Collecting the youngest generation every 10,000 allocations instead of 700 leaves
0.28 s. Cycles are still collected, only later (except in a batch's worker, which does not collect
after a document: documents make no cycles, see :func:`settle`); the worker memory test holds
(memory stays flat over clinics).

Full collections wait for 100 collections of the middle generation (CPython: 10). A batch's
first documents fill the caches, so the collector found the oldest generation grown by a quarter
and scanned everything the process keeps, twice in 30 leaflets (150–290 ms each, most of a
worker's collecting time), to free 42 objects: the cycles documents made then were freed by the
collection of the young generations after each (project.py; documents now make none,
:func:`settle`). 30 leaflets in one process: 1.80 s of CPU before, 1.57 s after, the same peak
memory; a worker building clinic after clinic made no full collection before either. A clinic's stamped variant makes no cycle at all (its objects
are freed by reference counting: tests/test_worker_memory.py), so none is collected after it;
the young generations' own threshold then runs about once every 40 variants.

The youngest generation is collected every 50,000 allocations (10,000 before session 6): what a
collection scans is what is alive at that moment, and with 10,000 a worker's collections kept
scanning the document under construction (its lines, pieces, PDF objects, freed by reference
counting at its end) 2-3 times a document. Measured with gc.callbacks over the 30-leaflet batch
at --jobs 2: 55-76 ms of collecting per worker before, 43-54 after (the collections after each
document laid out on its own, project.py, were all that remained; in a worker they are now a
freeze, :func:`settle`); clinic variants at --jobs 2
(bench/clinics.py 1 100): 9.2 -> 8.5 ms CPU a variant; worker memory the same (at most 50,000
young containers of garbage in cycles wait for a collection, and variants make none).
"""
from __future__ import annotations

import gc

THRESHOLDS = (50_000, 10, 100)
_tuned = False


def tune() -> None:
    """Set the thresholds (once per process; a process that set its own keeps them)."""
    global _tuned
    if _tuned:
        return
    _tuned = True
    if gc.get_threshold() == (700, 10, 10):          # CPython's defaults: nobody chose otherwise
        gc.set_threshold(*THRESHOLDS)


_paused = False


def pause() -> None:
    """No collections while a command starts: the imports and the project's loading make tens of
    thousands of objects that live as long as the process, and hardly a cycle; collecting them
    as they come took 32 collections, about 8 ms, before a batch's first document. :func:`resume`
    turns the collector back on (before the first document is built, and when the command ends);
    a collector someone else turned off stays off."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    global _paused
    if _paused:
        _paused = False
        gc.enable()


_settling = False


def worker() -> None:
    """This process is a batch's worker: it builds documents until the batch ends, and what it
    keeps between them is caches (see :func:`settle`)."""
    global _settling
    _settling = True


def collect_cycles() -> None:
    """Right after a step known to make reference cycles (svglib's conversion of an SVG,
    render/assets.py): the young generations, and in a batch's worker every generation, since it
    makes no collection after a document (:func:`settle`) and a cycle the threshold's collections
    moved to the oldest generation during the step would be frozen with the caches. (Everything a
    worker had before its last document is frozen: its oldest generation holds little.)"""
    gc.collect(2 if _settling else 1)


def settle() -> None:
    """After a document laid out on its own (project.py): what it left alive is kept, the caches
    it filled (shaped paragraphs, plans, fonts' glyphs: 5,000-33,000 containers a document, most
    of them tuples); what it made and dropped is already freed, since a document makes no
    reference cycles (tests/test_worker_memory.py builds every layout family in six languages of
    five scripts and finds none; the one step known to make them, converting an SVG with svglib,
    collects after itself: :func:`collect_cycles`).

    In a batch's worker, what is left is frozen (``gc.freeze``: moved out of every later collection,
    at no cost) rather than scanned by a collection of the young generations: that scan, 1-5 ms a
    document, found nothing to free once the fitting's attempts stopped making a cycle, and cost
    each worker of the 30-leaflet batch 31-39 ms of its ~500 (measured with gc.callbacks). A cycle a
    later change let slip in would stay in memory (one document's worth each), never be freed
    wrongly; the test catches it (it empties the project's caches before it collects, so a cycle
    a cache still holds is found too). Elsewhere (a build in the main process, a Dask worker, whose
    other libraries make cycles of their own) the young generations are collected as before."""
    if _settling:
        gc.freeze()
    else:
        gc.collect(1)
