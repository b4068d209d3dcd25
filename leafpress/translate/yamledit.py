"""Write changed strings back into a YAML file, keeping its comments, order and style.

Input: a handout or language file and the changes (content path -> new text; translation-block
updates). Output: the new text of the file (the caller writes it atomically), or the file's own
bytes when nothing changed. Uses ruamel.yaml's round-trip mode: every value not touched is
written as it was read (folded ``>-`` paragraphs stay folded, quotes stay quotes, comments stay).

ruamel.yaml reads by YAML 1.2 rules, where ``50030e8132`` (a section fingerprint) is a float and
would come back as ``.inf``; here, as for the press's loader, such a value stays text. New
fingerprints that look like numbers are quoted, so no YAML reader takes them for one.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import (DoubleQuotedScalarString, FoldedScalarString,
                                      LiteralScalarString, SingleQuotedScalarString)

from ..errors import LeafletError

_FLOAT = "tag:yaml.org,2002:float"
_NUMBERISH = re.compile(r"^[-+]?(\.?[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|0o[0-7]+)$")
WIDTH = 78


class _Resolver(VersionedResolver):
    """YAML 1.2 rules without implicit floats: fingerprints and versions stay text."""

    @property
    def versioned_resolver(self):
        table = super().versioned_resolver
        return {ch: [(tag, rx) for tag, rx in rules if tag != _FLOAT] for ch, rules in table.items()}


def _yaml() -> YAML:
    y = YAML()
    y.Resolver = _Resolver
    y.preserve_quotes = True
    y.width = 4096                      # never re-fold lines that were not changed
    y.indent(mapping=2, sequence=4, offset=2)
    y.representer.add_representer(
        type(None), lambda r, d: r.represent_scalar("tag:yaml.org,2002:null", "null"))
    return y


def fingerprint(value: str):
    """A fingerprint as YAML text: quoted when some reader could take it for a number."""
    return DoubleQuotedScalarString(value) if _NUMBERISH.match(value) else value


class YamlDoc:
    """One YAML file loaded for editing."""

    def __init__(self, path: Path, display: str):
        self.path, self.display = path, display
        self.original = path.read_text(encoding="utf-8")
        self.yaml = _yaml()
        self.data = self.yaml.load(self.original)

    def _node(self, path: tuple, create: bool = False):
        """Parent container and key for a content path (sections are named by id)."""
        node, parts = self.data, list(path)
        keys = []
        while parts:
            part = parts.pop(0)
            if node is self.data.get("sections") and isinstance(part, str):
                idx = next((i for i, s in enumerate(node) if isinstance(s, dict) and s.get("id") == part), None)
                if idx is None:
                    raise LeafletError(f"no section {part!r}", file=self.display,
                                       hint="Make the translation follow the source's sections first")
                part = idx
            keys.append(part)
            if not parts:
                return node, part
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                raise LeafletError(f"nothing at {'.'.join(map(str, keys))}", file=self.display,
                                   hint="Make the translation follow the source's structure first") from None
        raise LeafletError("empty content path", file=self.display)

    def get(self, path: tuple):
        parent, key = self._node(path)
        try:
            return parent[key]
        except (KeyError, IndexError, TypeError):
            return None

    def set_text(self, path: tuple, text: str, indent: int) -> None:
        parent, key = self._node(path)
        old = None
        try:
            old = parent[key]
        except (KeyError, IndexError):
            pass
        value = _styled(old, text, indent)
        if isinstance(parent, list) and key == len(parent):
            parent.append(value)
        else:
            try:
                parent[key] = value
            except (IndexError, TypeError):
                raise LeafletError(f"cannot place a new item at {'.'.join(map(str, path))}",
                                   file=self.display,
                                   hint="Make the translation follow the source's structure first") from None

    def dumps(self) -> str:
        buf = io.StringIO()
        self.yaml.dump(self.data, buf)
        return buf.getvalue()


def _styled(old, text: str, indent: int):
    """The new text in the old value's style (plain stays plain, folded stays folded); a new
    long value is folded like the file's paragraphs."""
    if isinstance(old, (DoubleQuotedScalarString, SingleQuotedScalarString)):
        return type(old)(text)
    if isinstance(old, (FoldedScalarString, LiteralScalarString)) or (old is None and len(text) + indent > WIDTH):
        if "\n" in text or text != text.strip() or "  " in text:
            return DoubleQuotedScalarString(text)
        folded = FoldedScalarString(text)
        folded.fold_pos = _folds(text, WIDTH - indent - 2)   # type: ignore[attr-defined]  # ruamel reads it, its stubs do not say so
        return folded
    return text


def _folds(text: str, width: int) -> list[int]:
    """Positions of the spaces where a folded scalar breaks its lines (about ``width`` wide)."""
    out, start, last = [], 0, None
    for i, ch in enumerate(text):
        if ch == " ":
            if i - start > width and last is not None:
                out.append(last)
                start = last + 1
            last = i
    if len(text) - start > width and last is not None and last > start:
        out.append(last)
    return out
