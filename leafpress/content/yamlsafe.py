"""Safe, bounded YAML loading that remembers where every value came from.

Input: a path to a YAML file (untrusted). Output: a :class:`Located` tree — plain Python
values (dict, list, str, int, bool, date) plus a map from key path to line number, so later
stages can say ``file:line: key.path: what is wrong``.

Safety: plain scalars are resolved with the YAML 1.2 core schema (not PyYAML's 1.1 rules), so
``0171234567`` is never octal, ``no`` is never false and ``1:30`` is never sexagesimal; dates are
only ``YYYY-MM-DD``; a plain scalar read as a number keeps the text it was typed as (``raw``),
so a later stage that wanted text can say "quote it". Explicit tags (``!!python/object`` and
friends) are refused, and size, depth and node count are bounded so that alias bombs ("billion
laughs") and giant files fail with a clear message. Files are opened only if they are regular
files, without blocking (a FIFO never hangs the press), and read up to their limit plus one byte.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import LeafletError
from ..files import read_error, read_limited

MAX_BYTES = 2_000_000
MAX_DEPTH = 32
MAX_NODES = 50_000

_STANDARD_TAG = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_STANDARD_TAG + t for t in
                 ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}

KeyPath = tuple  # of str | int


def format_path(path: KeyPath) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


# -- the YAML 1.2 core schema ------------------------------------------------------------------
class CoreLoader(yaml.SafeLoader):
    """PyYAML's safe loader with the YAML 1.2 core schema's resolution of plain scalars."""


CoreLoader.yaml_implicit_resolvers = {}
_CORE = [
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
              r"|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$", "-+.0123456789"),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("timestamp", r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "0123456789"),
]
for _tag, _rx, _first in _CORE:
    CoreLoader.add_implicit_resolver("tag:yaml.org,2002:" + _tag, re.compile(_rx), list(_first))


def _core_int(loader, node):
    v = loader.construct_scalar(node)
    if v.startswith("0o"):
        return int(v[2:], 8)
    if v.startswith("0x"):
        return int(v[2:], 16)
    return int(v, 10)


def _core_float(loader, node):
    v = loader.construct_scalar(node)
    return float(v.lower().replace(".inf", "inf").replace(".nan", "nan"))


def _core_date(loader, node):
    return dt.date.fromisoformat(loader.construct_scalar(node))


CoreLoader.add_constructor("tag:yaml.org,2002:int", _core_int)
CoreLoader.add_constructor("tag:yaml.org,2002:float", _core_float)
CoreLoader.add_constructor("tag:yaml.org,2002:timestamp", _core_date)

# The same schema over libyaml's parser (PyYAML's C extension, about ten times faster: a
# 1,000-clinic partners file). Parsing only: the nodes are read by the same constructors. A file
# it refuses, for any reason, is parsed again by the Python loader, whose messages the press words.
if getattr(yaml, "__with_libyaml__", False):
    class CCoreLoader(yaml.CSafeLoader):
        """libyaml's parser with the YAML 1.2 core schema (the resolvers and constructors above)."""
    CCoreLoader.yaml_implicit_resolvers = CoreLoader.yaml_implicit_resolvers
    CCoreLoader.yaml_constructors = CoreLoader.yaml_constructors
    FAST_LOADER: type | None = CCoreLoader
else:           # a PyYAML built without libyaml: the Python loader alone, same results
    FAST_LOADER = None
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE     # what the Python loader refuses before parsing


@dataclass
class Located:
    """A loaded YAML document and the line of every key path in it; ``raw`` holds, for every
    plain scalar read as a number, the text as it was typed (``0171234567``, ``1.10``)."""
    file: str
    data: Any
    lines: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)

    def line(self, path: KeyPath) -> int | None:
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def error(self, path: KeyPath, message: str, hint: str | None = None) -> LeafletError:
        return LeafletError(message, file=self.file, line=self.line(path),
                            key=format_path(tuple(path)), hint=hint)


def load_yaml(path: Path, display: str | None = None) -> Located:
    """Load one YAML file safely. Raises LeafletError with file and line on any problem."""
    display = display or str(path)
    try:
        raw = read_limited(path, MAX_BYTES)
    except OSError as exc:
        raise read_error(exc, display) from None
    if len(raw) > MAX_BYTES:
        raise LeafletError(f"file is over the limit of {MAX_BYTES:,} bytes",
                           file=display, hint="Split the content or remove what does not belong")
    if not raw.strip():
        raise LeafletError("file is empty", file=display, hint="Fill it in, or delete it")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise LeafletError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", file=display, line=line,
                           hint="Save the file as UTF-8") from None
    return parse_yaml(text, display)


def parse_yaml(text: str, display: str) -> Located:
    if FAST_LOADER is not None and not _NON_PRINTABLE.search(text):
        try:
            node, loader = _nodes(FAST_LOADER, text), FAST_LOADER("")
        except Exception:
            node = loader = None      # the Python loader says what is wrong, and where
        if loader is not None:
            return _located(node, display, loader)
    try:
        loader = CoreLoader(text)
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, display) from None
    try:
        node = loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, display) from None
    except RecursionError:
        raise LeafletError(f"nested deeper than {MAX_DEPTH} levels", file=display,
                           hint="Content is a few levels of mappings and lists; check the brackets") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise LeafletError(f"YAML syntax error: {problem}", file=display, line=line,
                           hint="Check indentation, colons and quotes on this line") from None
    except yaml.YAMLError as exc:
        raise LeafletError(f"YAML error: {exc}", file=display) from None
    finally:
        loader.dispose()
    return _located(node, display, loader)


def _nodes(loader_class, text: str):
    loader = loader_class(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _located(node, display: str, loader) -> Located:
    if node is None:
        raise LeafletError("file has no content", file=display)
    doc = Located(display, None)
    counter = [0]
    doc.data = _construct(node, (), doc, loader, counter)
    return doc


def _reader_error(exc, text: str, display: str) -> LeafletError:
    """A character YAML does not allow (controls, NUL: often a file saved as UTF-16)."""
    pos = exc.position if isinstance(exc.position, int) else 0
    line = text[:pos].count("\n") + 1
    ch = exc.character
    code = f"U+{ord(ch):04X}" if isinstance(ch, str) else f"U+{ch:04X}" if isinstance(ch, int) else "?"
    hint = "Remove it"
    if code == "U+0000":
        hint = "The file may be saved as UTF-16: save it as UTF-8"
    return LeafletError(f"control character {code} is not allowed in YAML", file=display, line=line, hint=hint)


def _construct(node, path: KeyPath, doc: Located, loader, counter) -> Any:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise LeafletError(f"more than {MAX_NODES:,} values (aliases expanded)", file=doc.file,
                           line=node.start_mark.line + 1,
                           hint="Remove YAML anchors and aliases (& and *); write the content out")
    if len(path) > MAX_DEPTH:
        raise LeafletError(f"nested deeper than {MAX_DEPTH} levels", file=doc.file,
                           line=node.start_mark.line + 1, key=format_path(path))
    doc.lines.setdefault(path, node.start_mark.line + 1)
    if node.tag not in _ALLOWED_TAGS:
        raise LeafletError(f"the YAML tag {node.tag!r} is not allowed", file=doc.file,
                           line=node.start_mark.line + 1, key=format_path(path),
                           hint="Remove the tag; content is plain text, lists and mappings")
    if isinstance(node, yaml.MappingNode):
        out: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _STANDARD_TAG + "merge" or \
                    (key_node.value == "<<" and not key_node.style):      # a merge key
                raise LeafletError("keys must be plain words", file=doc.file,
                                   line=key_node.start_mark.line + 1, key=format_path(path))
            key = loader.construct_scalar(key_node)
            if key in out:
                raise LeafletError(f"key {key!r} appears twice", file=doc.file,
                                   line=key_node.start_mark.line + 1, key=format_path(path),
                                   hint="Keep one of them")
            sub = path + (key,)
            doc.lines[sub] = key_node.start_mark.line + 1
            out[key] = _construct(value_node, sub, doc, loader, counter)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, path + (i,), doc, loader, counter) for i, v in enumerate(node.value)]
    if node.tag in (_STANDARD_TAG + "int", _STANDARD_TAG + "float") and not node.style:
        doc.raw[path] = node.value
    try:
        return loader.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        raise LeafletError(f"cannot read this value ({exc})", file=doc.file,
                           line=node.start_mark.line + 1, key=format_path(path)) from None
