"""The static site: the online copy each QR code opens, the library index, clinic pages.

Input: the project (content, languages, brands, layouts, diagrams, fonts), ``assets/site.yaml``
and a build's ``OUT/manifest.json`` with its PDFs. Output: ``OUT/site/`` — HTML pages from
Jinja2 templates (autoescaped), inline SVG diagrams with real-text labels, WOFF2 font subsets per
page, the PDFs, one zip per language, ``sitemap.xml`` — written deterministically, and only
the files whose bytes changed.
"""
from .build import build_site

__all__ = ["build_site"]
