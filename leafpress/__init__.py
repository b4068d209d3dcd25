"""Leaflet press: structured handout content in, branded multi-language PDF leaflets out.

Rooms, in the order data flows through them:

content/   YAML files -> typed, frozen content model (never imports ReportLab)
languages  language settings and resolution (which languages exist, fallback, completeness)
text/      strings -> shaped, broken, bidi-ordered lines of glyphs (fonts, shaping, bidi, breaking)
layout/    content model + layout definition + brand -> pages of positioned items (fitting)
render/    pages of positioned items -> PDF bytes (ReportLab as the writer, own font objects)
batch, cli the command line: build / check / list, manifest, exit codes
"""

ENGINE_VERSION = "0.1.0"
