"""Safe, bounded YAML loading that remembers where every value came from.

Input: a path to a YAML file (untrusted). Output: a :class:`Located` tree — plain Python
values (dict, list, str, int, bool, date) plus a map from key path to line number, so later
stages can say ``file:line: key.path: what is wrong``.

Safety: only the YAML core schema is constructed (``yaml.SafeLoader``), explicit tags
(``!!python/object`` and friends) are refused, and size, depth and node count are bounded so
that alias bombs ("billion laughs") and giant files fail with a clear message.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import LeafletError

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


@dataclass
class Located:
    """A loaded YAML document and the line of every key path in it."""
    file: str
    data: Any
    lines: dict = field(default_factory=dict)

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
        raw = path.read_bytes()
    except FileNotFoundError:
        raise LeafletError("file not found", file=display,
                           hint="Check the name, or create the file") from None
    except OSError as exc:
        raise LeafletError(f"cannot read the file ({exc.strerror})", file=display) from None
    if len(raw) > MAX_BYTES:
        raise LeafletError(f"file is {len(raw):,} bytes, over the limit of {MAX_BYTES:,}",
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
    try:
        loader = yaml.SafeLoader(text)
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
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _STANDARD_TAG + "merge":
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
    try:
        return loader.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        raise LeafletError(f"cannot read this value ({exc})", file=doc.file,
                           line=node.start_mark.line + 1, key=format_path(path)) from None
