"""Bounded caches for what a long-running worker keeps between documents.

Input: keys and values to keep. Output: the value for a key while it is among the ``size`` most
recently used, else None. A worker building thousands of clinics' leaflets keeps what is shared
(fonts, drawings, shaped content) without keeping every clinic's pieces forever: its memory stays
flat whatever the number of clinics. ``sizes()`` reports every cache's length (the tests check
that none grows past its bound).
"""
from __future__ import annotations

from collections import OrderedDict
from contextlib import contextmanager

_ALL: dict[str, "Lru"] = {}


class Lru:
    def __init__(self, name: str | None, size: int):
        """``name``: how :func:`sizes` reports it (None: not reported, e.g. one of many)."""
        self.name, self.size = name, size
        self._d: OrderedDict = OrderedDict()
        if name is not None:
            _ALL[name] = self

    def get(self, key, default=None):
        try:
            self._d.move_to_end(key)
        except KeyError:
            return default
        return self._d[key]

    def put(self, key, value) -> None:
        self._d[key] = value
        self._d.move_to_end(key)
        while len(self._d) > self.size:
            self._d.popitem(last=False)

    def of(self, objs: tuple, extra: tuple, make):
        """The value for the objects ``objs`` (by identity) and ``extra``, made by ``make()`` when
        missing. The objects are kept with the value and compared on every use, so a new object
        at a reused address never meets an old answer."""
        key = (*map(id, objs), *extra)
        got = self.get(key)
        if got is None or any(a is not b for a, b in zip(got[0], objs)):
            got = (objs, make())
            self.put(key, got)
        return got[1]

    def __contains__(self, key) -> bool:
        return key in self._d

    def __len__(self) -> int:
        return len(self._d)

    def clear(self) -> None:
        self._d.clear()


class Kept(dict):
    """A pure function's results by argument, each worked out when first asked for: a look-up
    is ``table[x]`` (a dictionary's, about a third of a call through ``lru_cache``, which a
    first build makes some 70,000 times for numbers alone). Bounded: emptied when it holds
    ``size`` results (a result worked out again is the same)."""

    def __init__(self, name: str | None, make, size: int):
        super().__init__()
        self.name, self.make, self.size = name, make, size
        if name is not None:
            _ALL[name] = self       # type: ignore[assignment]

    def __missing__(self, key):
        if len(self) >= self.size:
            self.clear()
        got = self[key] = self.make(key)
        return got


def sizes() -> dict[str, tuple[int, int]]:
    """name -> (entries, bound) of every bounded cache made so far."""
    return {name: (len(c), c.size) for name, c in _ALL.items()}


_DOCUMENT = [0, None]   # which document the process is building, and whose (see next_document)
_OWNER = [None]         # inside owned_by: whose details are being set


def next_document(owner=None) -> None:
    """A new document begins: what is made from now on and asked for again in a later document
    is shared (kept in a :class:`Shared` cache's main part); what only one document used is not.
    ``owner``: whose document it is (a clinic's, see :func:`owned_by`)."""
    _DOCUMENT[0] += 1
    _DOCUMENT[1] = owner


@contextmanager
def owned_by(owner):
    """What is made inside is ``owner``'s own (a clinic's details, set in its leaflet or measured
    for the room every clinic needs): a :class:`Shared` cache keeps it in a small part of its
    own, shared only when a document of another owner asks for it, so however many clinics a
    worker builds, their lines never crowd out what every leaflet shares (nor its memory)."""
    was = _OWNER[0]
    _OWNER[0] = owner
    try:
        yield
    finally:
        _OWNER[0] = was


OWN = 32       # a Shared cache's entries made under owned_by: a few documents' clinic details


class BytesLru(Lru):
    """An :class:`Lru` bounded by the bytes of its values too (``put`` is given each value's
    size): at most ``size`` entries and about ``max_bytes`` (one entry over it stays)."""

    def __init__(self, name: str | None, size: int, max_bytes: int):
        super().__init__(name, size)
        self.max_bytes, self.bytes = max_bytes, 0

    def get(self, key, default=None):
        got = super().get(key)
        return default if got is None else got[1]

    def put(self, key, value, weight: int = 0) -> None:     # type: ignore[override]
        old = self._d.pop(key, None)
        if old is not None:
            self.bytes -= old[0]
        self._d[key] = (weight, value)
        self.bytes += weight
        while len(self._d) > self.size or (self.bytes > self.max_bytes and len(self._d) > 1):
            self.bytes -= self._d.popitem(last=False)[1][0]

    def clear(self) -> None:
        super().clear()
        self.bytes = 0


class Shared:
    """A cache in three parts: what a document makes goes into a small probation part; it moves
    to the main part when a later document asks for it (the handout's paragraphs, the page
    furniture every leaflet prints). What one document alone uses leaves with the next
    ``probation`` entries, so it never crowds out what is shared; what is a clinic's own
    (:func:`owned_by`: its contact, credit and name lines) goes to a smaller part still, and is
    shared only when another owner's document asks for it."""

    def __init__(self, name: str | None, size: int, probation: int, own: int = OWN):
        self.main = Lru(None, size)
        self.new = Lru(None, probation)
        self.own = Lru(None, own)
        self.name, self.size = name, size + probation + own
        if name is not None:
            _ALL[name] = self         # type: ignore[assignment]

    def get(self, key, default=None):
        got = self.main.get(key, _MISSING)
        if got is not _MISSING:
            return got
        for part in (self.new, self.own):
            got = part.get(key, _MISSING)
            if got is _MISSING:
                continue
            value, made_in, owner = got
            asker = _OWNER[0] if _OWNER[0] is not None else _DOCUMENT[1]
            if made_in != _DOCUMENT[0] and (owner is None or owner != asker):
                part._d.pop(key)
                self.main.put(key, value)
            return value
        return default

    def put(self, key, value) -> None:
        if _OWNER[0] is None:
            self.new.put(key, (value, _DOCUMENT[0], None))
        else:
            self.own.put(key, (value, _DOCUMENT[0], _OWNER[0]))

    def __len__(self) -> int:
        return len(self.main) + len(self.new) + len(self.own)

    def clear(self) -> None:
        self.main.clear()
        self.new.clear()
        self.own.clear()


_MISSING = object()
