"""Templates in brand and language files: ``{name}`` placeholders and nothing else.

Input: a template string from a project file and the names it may use. Output: the names it
uses (checked when the file is loaded) and, given values, the expanded text. Only named fields
are replaced; ``{{`` and ``}}`` print a brace. Format specs (``{page:0>2000000}``), attribute
and index access (``{page.__class__}``, ``{page[0]}``) and positional fields are errors, so a
template can neither print the press's internals nor make work out of proportion to its size:
the expansion is one pass over the template.
"""
from __future__ import annotations

import re

_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]{0,31})\}|[{}]")


class TemplateError(ValueError):
    pass


def fields(template: str, allowed) -> list[str]:
    """The placeholder names in ``template``; raises TemplateError for anything but ``{name}``
    with a name from ``allowed``."""
    names = []
    for m in _TOKEN.finditer(template):
        tok = m.group()
        if tok in ("{{", "}}"):
            continue
        name = m.group(1)
        usable = ", ".join("{" + a + "}" for a in allowed)
        if name is None:
            rest = template[m.start():m.start() + 24]
            raise TemplateError(f"a brace that is not a {{name}} placeholder at {rest!r}; "
                                + (f"only {usable} may appear in braces (no formats, no dots)" if allowed
                                   else "no placeholder may appear here") + ", and {{ or }} prints a brace")
        if name not in allowed:
            raise TemplateError(f"unknown placeholder {{{name}}}; "
                                + (f"use {usable}" if allowed else "no placeholder may appear here"))
        names.append(name)
    return names


def expand(template: str, values: dict) -> str:
    """``template`` with each ``{name}`` replaced by ``str(values[name])`` (one pass)."""
    def sub(m):
        tok = m.group()
        if tok == "{{":
            return "{"
        if tok == "}}":
            return "}"
        name = m.group(1)
        if name is None or name not in values:
            raise TemplateError(f"bad placeholder {tok!r}")
        return str(values[name])
    return _TOKEN.sub(sub, template)
