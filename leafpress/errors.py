"""Errors meant for people: each names the file, the place in it and what to do.

Input: whatever went wrong. Output: one line such as
``handouts/port/es.yaml:12: sections[2].blocks[0]: unknown key 'paragrap'. Use one of: ...``
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import TypeVar

# Characters that must never reach a terminal raw: C0/C1 controls (newlines, ESC of terminal
# escape codes), bidi controls (which reorder what follows) and line/paragraph separators.
# (compiled by re when first used, and kept in its cache: a process may print nothing)
_UNSAFE = "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"


def escape(text: str) -> str:
    """``text`` with control characters written as escapes, so one message stays one line and
    a file name cannot drive the terminal."""
    return re.sub(_UNSAFE, lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                  else f"\\u{ord(m.group()):04x}", text)


class LeafletError(Exception):
    """An error in the project's inputs that a person can fix."""

    def __init__(self, message: str, *, file: str | Path | None = None, line: int | None = None,
                 key: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.key = key
        self.hint = hint

    def located(self, *, file=None, line=None, key=None) -> "LeafletError":
        """Fill in the place when a deeper stage did not know it."""
        if self.file is None and file is not None:
            self.file = str(file)
        if self.line is None and line is not None:
            self.line = line
        if self.key is None and key is not None:
            self.key = key
        return self

    def __str__(self) -> str:
        place = ""
        if self.file:
            place = self.file + (f":{self.line}" if self.line else "") + ": "
        if self.key:
            place += f"{self.key}: "
        text = place + self.message
        if self.hint:
            text = text.rstrip(".") + ". " + self.hint
        return escape(text)


E = TypeVar("E", bound=BaseException)
RAISED_AT = "First raised at (kept without its frames):"


def kept(exc: E) -> E:
    """``exc`` as a cache keeps it: without its traceback and the exception it was raised while
    handling. Their frames hold the callers' locals, among them whatever holds the cache's entry
    (a reference cycle, which a batch's worker would freeze and keep: gcpolicy.settle), and an
    error raised again from a cache would add the new frames to the old ones every time. Raised
    again, it holds that raise's frames until it is kept again.

    Where it was first raised is kept as text, a note that a traceback prints (``--debug``) and
    its one-line message never shows."""
    tb = exc.__traceback__
    if tb is not None and not any(n.startswith(RAISED_AT) for n in getattr(exc, "__notes__", ())):
        import traceback        # (raised again from the cache: noted once)
        exc.add_note(RAISED_AT + "\n" + "".join(traceback.format_tb(tb)).rstrip())
    exc.__traceback__ = exc.__context__ = exc.__cause__ = None
    return exc


class UsageError(LeafletError):
    """The command line or the project's own files cannot be used at all (exit status 2)."""
