"""Layout: content model + layout definition + brand -> pages of positioned items.

The stage is split into rooms, each saying its input and output:

- ``fitting``: a handout onto a layout's pages at the largest body size that fits (entry point);
- ``flow``: blocks into columns with a typed cursor and a typed result;
- ``blocks``: content into flow blocks, one rule per block kind;
- ``furniture``: header, cover, summary, contact block and footer;
- ``figures``: a diagram with its call-outs or numbered key, and its caption;
- ``bilingual``: two languages side by side, section by section;
- ``conserve`` and ``inspection``: the checks every document passes (no text lost, repeated or
  reordered; no ink touching other ink).

This module keeps the stage's public names in one place.
"""
from __future__ import annotations

from .bilingual import lay_out_bilingual
from .conserve import ContentLost
from .fitting import DoesNotFit, lay_out
from .inspection import line_collisions

__all__ = ["ContentLost", "DoesNotFit", "lay_out", "lay_out_bilingual", "line_collisions"]
