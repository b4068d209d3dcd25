"""The compiled code of the press's dataclasses' generated methods, kept between processes.

Input: the user's cache (usercache.py) and this interpreter. Output: for each method Python's
``dataclasses`` makes for one of the press's classes (``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, a frozen class's ``__setattr__`` and ``__delattr__``), the code object compiling
its source text gives, taken from the cache when this interpreter compiled that text before.

Why: ``dataclasses`` writes each generated method as source text and compiles it with ``exec``
when the class is made: about 270 compilations for the press's 54 classes, some 17 ms of the
120 ms a press process spends importing before its first document (bench/README.md, session 8
part B), on every start. Compiling is a pure function of the text, the interpreter (its build,
which fixes its bytecode) and its optimisation and debug-range settings, which is what Python's
own bytecode cache (``__pycache__``) relies on: the code objects are kept (marshalled, as a
``.pyc`` keeps a module's) in one record per interpreter under exactly that key, and each is
found by its whole source text, so a method made from a kept code object is the one compiling the
text makes. Only the press's own classes (made in modules named ``leafpress.*``) are looked up and
kept, a module's read from the record when its first class is made (a command that imports few
modules reads few), at most MAX_BYTES of them.

The record is code the process runs: it is read only from the user's own cache folder (the
checks of usercache.folder: not a link, not writable by others), the trust Python gives its own
``__pycache__``, and each module's part only when its sha256 matches.

Nothing here is ever needed: with no user's cache (``LEAFPRESS_CACHE=off``), another Python whose
``dataclasses`` does not compile through ``exec``, or a record that is missing, damaged (a
module's part whose sha256 does not match), another interpreter's or not made of texts and code
objects, every method is compiled as Python does it. ``save`` (the command line, at its end)
writes the record when this process compiled texts it did not hold.
"""
from __future__ import annotations

import marshal
import os
import sys
import types

MAX_BYTES = 4_000_000   # kept code (the press's is about 300 kB; room for other checkouts' versions)
RECORD = "code-"        # the record's kind in the user's cache (usercache.KINDS)

_blobs: dict = {}       # module -> sha256 + its marshalled {source text: code}, as read from the record
_kept: dict = {}        # module -> {source text: code}, unmarshalled when the module's first class is made
_new: dict = {}         # module -> {source text: code} compiled by this process, not in the record
_used: set = set()      # the kept texts this process made methods from
_installed = False


def _key() -> str:
    """Everything besides the text that the code compiling it depends on (the version string
    names the build: its bytecode's magic number changes only with it)."""
    ranges = not ("no_debug_ranges" in sys._xoptions or os.environ.get("PYTHONNODEBUGRANGES"))
    return "\n".join((sys.implementation.name, sys.implementation.cache_tag or "", sys.version,
                      hex(sys.hexversion), f"optimize={sys.flags.optimize}", f"ranges={ranges}"))


def install() -> None:
    """Make the press's dataclasses from the kept code from now on (where this Python's
    ``dataclasses`` compiles through ``exec`` and the user's cache is not turned off). Reads,
    never writes: not even the cache's folder is made."""
    global _installed
    import dataclasses
    make = getattr(dataclasses, "_create_fn", None)
    if _installed or "exec" in vars(dataclasses) or make is None or "exec" not in make.__code__.co_names:
        return
    from . import usercache
    if usercache.turned_off():
        return
    _blobs.update(_read())
    setattr(dataclasses, "exec", _exec)       # (the name dataclasses' own code calls; the builtin elsewhere)
    _installed = True


def _exec(source, globals=None, locals=None, /):
    """``exec`` as dataclasses calls it, the text's code taken from the record when kept."""
    if not isinstance(source, str):
        return exec(source, globals, locals)
    module = globals.get("__name__") if isinstance(globals, dict) else None
    ours = isinstance(module, str) and module.startswith("leafpress.")
    code = _table(module).get(source) if ours else None
    if code is not None:
        _used.add(source)
    else:
        # What exec(source) compiles in dataclasses' own code: no future flags (dataclasses.py has
        # none; this module's are not passed on), the file name "<string>", this interpreter's
        # optimisation level.
        code = compile(source, "<string>", "exec", dont_inherit=True)
        if ours:
            _new.setdefault(module, {})[source] = code
    return exec(code, globals, locals)


def _table(module: str) -> dict:
    table = _kept.get(module)
    if table is None:
        table = _kept[module] = _unmarshal(_blobs.get(module))
    return table


def _unmarshal(blob: bytes | None) -> dict:
    """A module's kept code (nothing if its part of the record is damaged)."""
    if not blob or len(blob) < 32:
        return {}
    import hashlib
    if hashlib.sha256(blob[32:]).digest() != blob[:32]:
        return {}
    try:
        got = marshal.loads(blob[32:])
    except (EOFError, ValueError, TypeError):
        got = None
    if not isinstance(got, dict):
        return {}
    return {t: c for t, c in got.items() if isinstance(t, str) and isinstance(c, types.CodeType)}


def _read() -> dict:
    """The record's modules and their marshalled code, each checked when first used (nothing if
    the record is missing, cannot be read or is another interpreter's)."""
    from . import usercache
    data = usercache.read(usercache.record_name(RECORD, _key()), touch=False)
    try:
        got = marshal.loads(data) if data else None
    except (EOFError, ValueError, TypeError):
        return {}
    if not (isinstance(got, tuple) and len(got) == 2 and got[0] == _key() and isinstance(got[1], dict)):
        return {}
    return {m: b for m, b in got[1].items() if isinstance(m, str) and isinstance(b, bytes)}


def save() -> None:
    """Write the record when this process compiled texts it did not hold: for each module it
    made classes of, what it used and compiled (and, up to as many again, what else was kept
    for it: another checkout's versions of its classes), then the other modules' as they were,
    up to MAX_BYTES. Failures are silent."""
    if not _new:
        return
    import hashlib

    from . import usercache
    blobs: dict = {}
    size = 0
    for module in sorted(set(_kept) | set(_new)):
        old = _kept.get(module, {})
        table = {t: c for t, c in old.items() if t in _used}
        table.update(_new.get(module, {}))
        room = len(table)       # (as many again of the rest)
        for t, c in old.items():
            if room <= 0:
                break
            if t not in table:
                table[t] = c
                room -= 1
        if table:
            try:
                inner = marshal.dumps(table)
            except ValueError:
                continue
            blobs[module] = hashlib.sha256(inner).digest() + inner
            size += len(blobs[module])
    for module, blob in _blobs.items():
        if module not in blobs and module not in _kept and size + len(blob) <= MAX_BYTES:
            blobs[module] = blob
            size += len(blob)
    usercache.write(usercache.record_name(RECORD, _key()), marshal.dumps((_key(), blobs)),
                    keep=usercache.CODE_RECORDS, like=RECORD)
    for module, table in _new.items():
        _kept.setdefault(module, {}).update(table)
        _used.update(table)
    _new.clear()
