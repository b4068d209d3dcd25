"""Serialise: ReportLab's document, as the canvas and our writers built it -> the PDF file's bytes.

Input: a :class:`reportlab.pdfgen.canvas.Canvas` whose pages are all shown. Output: the bytes
``Canvas.save()`` would write (header, every object in number order, the cross-reference table,
the trailer), made by our own formatter instead of ReportLab's generic ``pdfdoc.format``, which
recurses through every name, number, string and reference with a class test, a codec call and a
comment check at each step (about a millisecond of every document).

The formatter has a rule for each class a leaflet is made of (dictionaries, arrays, names,
numbers, strings, references, streams, pages, resources, outline entries and destinations, the
information dictionary, and :class:`Written` objects: the structure tree's, the fonts' and the
glyph-outline forms', whose bytes their writers made), each giving the bytes ReportLab's own
``format`` gives, and it asks for references in the same order, so objects created while
writing (a page's parent, an outline's entries) get the same numbers.
Whatever it has no rule for (or a string outside printable ASCII) is formatted by ReportLab
itself, so an object the press starts to use later is still written right, only not faster.
``tests/test_pdf_writer.py`` compares the two on documents with links, form fields, an outline,
print-shop boxes, a raster figure and right-to-left viewer preferences.

ReportLab's semi-private state read here (pinned to reportlab 5.1.0): the document's object
registry (``idToObject``, ``numberToId``, ``idToObjectNumberAndVersion``), ``delayedFonts``,
``info``, ``Outlines``, ``ID()``, ``_pdfVersion``, the classes' ``__Defaults__``,
``__NoDefault__`` and ``__Refs__``.
"""
from __future__ import annotations

from collections import OrderedDict

from reportlab import rl_config
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfdoc import (Destination, NoEncryption, OutlineEntryObject, PDFArray, PDFCatalog,
                                      PDFDate, PDFDestinationXYZ, PDFDictionary, PDFInfo, PDFName, PDFObject,
                                      PDFObjectReference, PDFOutlines, PDFPage, PDFPages, PDFResourceDictionary,
                                      PDFStream, PDFString, ViewerPreferencesPDFDictionary, pdfdocEnc)

from ..lru import Kept, Lru
from . import pdfa


# PDFDocEncoding (ISO 32000-1, Annex D, Table D.2) as a translation to Latin-1: the codes where it
# differs from Latin-1 (0x18-0x1F, 0x80-0x9E, 0xA0), and the characters whose Latin-1 byte means
# something else or nothing in it (control characters other than tab, line feed and carriage
# return; DEL; U+0080-U+00A0; the soft hyphen) sent to U+0100, which Latin-1 lacks, so a string
# holding one is written in UTF-16. (Not the codec registry's "pdfdoc": ReportLab and pikepdf both
# register one, they differ on those characters, and whichever is imported first serves it.)
_TO_PDFDOC: dict[int, int] = {cp: 0x100 for cp in [*range(0x20), 0x7F, *range(0x80, 0xA1), 0xAD]
                              if cp not in (0x09, 0x0A, 0x0D)}
_TO_PDFDOC.update({ord(c): 0x18 + i for i, c in enumerate("\u02d8\u02c7\u02c6\u02d9\u02dd\u02db\u02da\u02dc")})
_TO_PDFDOC.update({ord(c): 0x80 + i for i, c in enumerate(
    "\u2022\u2020\u2021\u2026\u2014\u2013\u0192\u2044\u2039\u203a\u2212\u2030\u201e\u201c\u201d\u2018"
    "\u2019\u201a\u2122\ufb01\ufb02\u0141\u0152\u0160\u0178\u017d\u0131\u0142\u0153\u0161\u017e")})
_TO_PDFDOC[0x20AC] = 0xA0


def _in_pdfdoc(text: str) -> int:
    """1 when every character of ``text`` has a code in PDFDocEncoding, else 0."""
    try:
        text.translate(_TO_PDFDOC).encode("latin-1")
    except UnicodeEncodeError:
        return 0
    return 1


# ReportLab's own text strings (the document information, outline titles, link descriptions,
# field tooltips) choose between PDFDocEncoding and UTF-16 by this function (``PDFString.format``
# calls it by its module-level name; reportlab 5.1.0): with its own check they wrote a soft
# hyphen in a title or heading as a byte PDFDocEncoding lacks, which readers show as U+FFFD.
pdfdoc._checkPdfdoc = _in_pdfdoc     # (ReportLab's module)


def pdf_string(text: str, cache: dict | None = None) -> bytes:
    """A PDF text string as written: PDFDocEncoding where every character has a code in it,
    else UTF-16BE with its byte order mark; every byte outside printable ASCII, each parenthesis
    and backslash escaped (``\\ooo``, ``\\(``), so untrusted text cannot end the string early
    and a carriage return is not read back as a line feed."""
    if cache is not None:
        got = cache.get(text)
        if got is not None:
            return got
    try:
        raw = text.translate(_TO_PDFDOC).encode("latin-1")
    except UnicodeEncodeError:
        raw = b"\xfe\xff" + text.encode("utf_16_be")
    got = b"(" + escapePDF(raw).encode("ascii") + b")"
    if cache is not None:
        cache[text] = got
    return got


class Written(PDFObject):
    """An object whose bytes are made before the file is written (``data``, set after the object
    is registered, so that objects referring to each other know each other's numbers). Not
    encrypted: leaflets are PDF/A, which forbids encryption."""

    data = b""

    def format(self, document) -> bytes:
        if not isinstance(document.encrypt, NoEncryption):
            raise ValueError("the PDF writer writes unencrypted strings only")
        return self.data


def register(doc, named: list) -> None:
    """``doc.Reference(obj, name)`` for each (name, new object) in order: the objects take the
    next numbers. (Reference's checks, for names and objects it has not seen, at a fraction of
    its cost: a structure tree registers a hundred objects or more.)"""
    numbers, ids, objects = doc.idToObjectNumberAndVersion, doc.numberToId, doc.idToObject
    n = doc.objectcounter
    for name, obj in named:
        if name in objects or "__InternalName__" in obj.__dict__:
            raise ValueError(f"the PDF writer registers {name!r} twice")
        n += 1
        obj.__InternalName__ = name
        numbers[name] = (n, 0)
        ids[n] = name
        objects[name] = obj
    doc.objectcounter = n


_EXACT = 1 << 53
_HEADER = b"\n%\223\214\213\236 ReportLab Generated PDF document (opensource)\n"   # PDFFile's
_STRINGS = Lru("pdf strings", 256)   # a text string outside printable ASCII -> its bytes


def document_bytes(canvas) -> bytes:
    """What ``canvas.save()`` writes, for a canvas whose pages are all shown (an unencrypted
    document without comments: anything else is left to ReportLab)."""
    doc = canvas._doc
    if canvas._code:
        canvas.showPage()
    if not isinstance(doc.encrypt, NoEncryption) or (rl_config.pdfComments and not rl_config.invariant) \
            or getattr(doc, "_digiSigs", None):
        return doc.GetPDFData(canvas)
    # PDFDocument.GetPDFData: fonts' objects, the signature, the outline, then PDFDocument.format.
    for font in doc.delayedFonts:
        font.addObjects(doc)
    doc.info.invariant = doc.invariant
    doc.info.digest(doc.signature)
    doc.Reference(doc.Catalog)
    doc.Reference(doc.info)
    doc.Outlines.prepare(doc, canvas)
    if doc.Outlines.ready < 0:
        doc.Catalog.Outlines = None
    doc.encrypt.prepare(doc)
    cat, info = doc.Reference(doc.Catalog), doc.Reference(doc.info)
    w = _Writer(doc)
    out = [pdfdocEnc("%%PDF-%s.%s" % doc._pdfVersion) + _HEADER]
    at = len(out[0])
    offsets = []
    numbers, objects = doc.numberToId, doc.idToObject
    n = 0
    while True:         # objects may be registered while others are written: up to the last
        n += 1
        name = numbers.get(n)
        if name is None:
            break
        obj = objects[name]
        # (most objects are Written: the structure tree's, the fonts', the forms')
        head, body = b"%d %d obj\n" % doc.idToObjectNumberAndVersion[name], obj.data if type(obj) is Written else w.top(obj)
        tail = b"endobj\n" if body.endswith(b"\n") else b"\nendobj\n"
        offsets.append(at)
        doc.idToOffset[name] = at
        out += (head, body, tail)       # (a font's or a page's stream is not copied twice)
        at += len(head) + len(body) + len(tail)
    count = n - 1
    if count != len(numbers):
        raise ValueError(f"the PDF writer wrote {count} objects of {len(numbers)}")
    out.append(b"xref\n0 %d\n0000000000 65535 f \n" % (count + 1)
               + b"".join(b"%010d 00000 n \n" % o for o in offsets))
    trailer = {"ID": doc.ID(), "Info": info, "Root": cat, "Size": count + 1}
    out.append(b"trailer\n<<\n" + b"\n".join(name_bytes(k) + b" " + w.value(trailer[k]) for k in sorted(trailer))
               + b"\n>>\nstartxref\n%d\n%%%%EOF\n" % at)
    w.close()
    return b"".join(out)


def formatted(obj, doc) -> bytes:
    """One object's bytes as the file would hold them (made ahead, e.g. to keep them for later
    documents: only for an object that refers to no other, whose bytes cannot depend on the
    document)."""
    w = _Writer(doc)
    try:
        return w.top(obj)
    finally:
        w.close()


def _name_bytes(key: str) -> bytes:
    return pdfdocEnc(PDFName(key))


# A name's bytes as ReportLab writes it ("/Type"), kept for the names met again (a few dozen: the
# keys of a PDF's dictionaries, looked up a few hundred times a document).
name_bytes = Kept("pdf names", _name_bytes, 1024).__getitem__


def _joined(items: list, every: int) -> bytes:
    """Items separated by spaces, a line break after every ``every`` (ReportLab's layout of a
    dictionary's entries and an array's items when they are not one per line)."""
    if len(items) <= every:
        return b" ".join(items)
    return b" \n  ".join(b" ".join(items[i:i + every]) for i in range(0, len(items), every))


def dict_bytes(entries: list) -> bytes:
    """A dictionary from its entries (``b"/Key value"``, in the order given), laid out as
    ReportLab lays out one that is not one entry per line."""
    return b"<<\n" + _joined(entries, 6) + b"\n>>"


def array_bytes(items: list) -> bytes:
    """An array from its items' bytes, laid out as ReportLab lays out one."""
    return b"[ " + _joined(items, 10) + b" ]"


class _Writer:
    """Formats one document's objects (see the module's docstring)."""

    def __init__(self, doc):
        self.doc = doc
        self.numbers = doc.idToObjectNumberAndVersion
        # Exact classes only: a subclass may format itself otherwise (ReportLab does it).
        rules = self.rules = {
            int: self._int, float: self._number, bytes: _same, str: self._str,
            PDFDictionary: self._dictionary, ViewerPreferencesPDFDictionary: self._dictionary,
            PDFArray: self._array, PDFObjectReference: self._ref, PDFString: self._string,
            PDFStream: self._stream, Written: self._written, PDFResourceDictionary: self._resources,
            OutlineEntryObject: self._outline_entry, PDFOutlines: self._outlines,
            Destination: self._destination, PDFInfo: self._info, PDFDate: self._date,
        }
        self.whole = rules | {c: self._catalog for c in (PDFCatalog, PDFPages, PDFPage)}
        # Inside another object, ReportLab's __RefOnly__ classes (catalog, pages, streams,
        # outlines) are referred to, as its format() does (it asks hasattr, whatever the value).
        rules.update({c: self._referred for c in (*rules, PDFCatalog, PDFPages, PDFPage)
                      if hasattr(c, "__RefOnly__")})

    def close(self) -> None:
        """Drop the rules (its own bound methods: a reference cycle through which the whole
        document would wait for the garbage collector instead of being freed at once)."""
        self.rules = self.whole = {}

    def top(self, obj) -> bytes:
        """An indirect object's body (``format(obj, doc, toplevel=1)``)."""
        rule = self.whole.get(type(obj))
        return rule(obj) if rule is not None else pdfdoc.format(obj, self.doc, toplevel=1)

    def value(self, v) -> bytes:
        """A value inside another object (``format(v, doc)``)."""
        rule = self.rules.get(type(v))
        return rule(v) if rule is not None else pdfdoc.format(v, self.doc)

    def _referred(self, obj) -> bytes:
        return self._ref(self.doc.Reference(obj))

    def _number(self, v) -> bytes:
        return fp_str(v).encode("ascii")

    def _int(self, v: int) -> bytes:
        # fp_str gives a whole number its digits (checked from -2**53 to 2**53: beyond, it goes
        # through a float)
        return b"%d" % v if -_EXACT < v < _EXACT else fp_str(v).encode("ascii")

    def _str(self, s: str) -> bytes:
        if s.isascii() and s.isprintable():
            return s.encode("ascii")
        return pdfdocEnc(s)

    def _ref(self, r) -> bytes:
        try:
            return b"%d %d R" % self.numbers[r.name]
        except KeyError:
            raise KeyError(f"forward reference to {r.name!r} not resolved upon final formatting") from None

    def _entries(self, d: dict, multiline, ind: bytes = b"\n ") -> bytes:
        keys = list(d)
        if not isinstance(d, OrderedDict):
            keys.sort()
        value = self.value
        items = [name_bytes(k) + b" " + value(d[k]) for k in keys]
        if (multiline and rl_config.pdfMultiLine) or multiline == "forced":
            return b"<<\n" + ind.join(items) + b"\n>>"
        return dict_bytes(items)

    def _dictionary(self, d) -> bytes:
        return self._entries(d.dict, d.multiline)

    def _array(self, a) -> bytes:
        value = self.value
        items = [value(e) for e in a.sequence]
        if (a.multiline and rl_config.pdfMultiLine) or a.multiline == "forced":
            return b"[ " + b"\n ".join(items) + b" ]"
        return array_bytes(items)

    def _string(self, s) -> bytes:
        text = s.s
        if type(text) is str and s.escape == 1 and s.enc == "auto":
            if text.isascii() and text.isprintable() and "(" not in text and ")" not in text and "\\" not in text:
                return b"(" + text.encode("ascii") + b")"       # (what escaping and every codec give it)
            # What PDFString.format gives, with its encoding chosen by _in_pdfdoc (the titles of
            # a leaflet's outline and information recur in every clinic's variant).
            got = _STRINGS.get(text)
            if got is None:
                got = pdf_string(text)
                _STRINGS.put(text, got)
            return got
        return s.format(self.doc)

    def _written(self, w) -> bytes:
        return w.data

    def _stream(self, s) -> bytes:
        """PDFStream.format as pdfa.py wraps it (an end-of-line before ``endstream``)."""
        if type(s).format is not pdfa._format_with_eol:     # (pdfa's end of line is written below)
            return s.format(self.doc)
        d = s.dictionary.dict.copy()
        content = s.content
        if content is None:
            raise ValueError("stream content not set")
        filters = s.filters if s.filters is not None else self.doc.defaultStreamFilters
        if filters is not None and "Filter" not in d:
            names = []
            for f in reversed(filters):
                content = f.encode(content)
                names.insert(0, PDFName(f.pdfname))
            d["Filter"] = PDFArray(names)
        data = self.value(content)
        d["Length"] = len(content)
        eol = b"\r\n" if (data or b"\n").endswith(b"\r") else b"\n"
        return self._entries(d, PDFDictionary.multiline) + b"\nstream\n" + data + eol + b"endstream\n"

    def _catalog(self, c) -> bytes:
        """PDFCatalog.format (and its pages' and page tree's)."""
        c.check_format(self.doc)
        d = {}
        for k, v in c.__Defaults__.items():
            v = getattr(c, k, v)
            if v is not None:
                d[k] = v
        for k in c.__NoDefault__:
            v = getattr(c, k, None)
            if v is not None:
                d[k] = v
        ref = self.doc.Reference
        for k in c.__Refs__:
            if k in d:
                d[k] = ref(d[k])
        return self._entries(d, PDFDictionary.multiline)

    def _resources(self, r) -> bytes:
        d = {}
        for name in r.dict_attributes:
            v = getattr(r, name)
            if isinstance(v, dict):
                if v:
                    d[name] = PDFDictionary(v)
            else:
                d[name] = v
        v = r.ProcSet
        if isinstance(v, (list, tuple)):
            if v:
                d["ProcSet"] = PDFArray(v)
        else:
            d["ProcSet"] = v
        return self._entries(d, PDFDictionary.multiline)

    def _outline_entry(self, e) -> bytes:
        d = {"Title": PDFString(e.Title), "Parent": e.Parent, "Dest": e.Dest}
        for k in ("Prev", "Next", "First", "Last", "Count"):
            v = getattr(e, k)
            if v is not None:
                d[k] = v
        return self._entries(d, PDFDictionary.multiline)

    def _outlines(self, o) -> bytes:
        return self._entries({"Type": PDFName("Outlines"), "Count": o.count, "First": o.first, "Last": o.last},
                             PDFDictionary.multiline)

    def _destination(self, dest) -> bytes:
        f, page = dest.fmt, dest.page
        if f is None or page is None or type(f) is not PDFDestinationXYZ:
            return dest.format(self.doc)        # (ReportLab's message for an unresolved one)
        f.page = page
        return self._array(PDFArray([self.doc.Reference(page), PDFName(f.typename), f.left, f.top, f.zoom]))

    def _info(self, i) -> bytes:
        date = PDFDate(ts=self.doc._timeStamp, dateFormatter=i._dateFormatter)
        d = {"Title": PDFString(i.title), "Author": PDFString(i.author), "ModDate": date, "CreationDate": date,
             "Producer": PDFString(i.producer), "Creator": PDFString(i.creator),
             "Subject": PDFString(i.subject), "Keywords": PDFString(i.keywords), "Trapped": PDFName(i.trapped)}
        return self._entries(d, PDFDictionary.multiline)

    def _date(self, d) -> bytes:
        if d.dateFormatter is not None:
            return d.format(self.doc)
        return self._string(PDFString("D:%04d%02d%02d%02d%02d%02d%+03d'%02d'" % (*d.date, d.dhh, d.dmm)))


def _same(b: bytes) -> bytes:
    return b

