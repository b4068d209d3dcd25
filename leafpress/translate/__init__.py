"""Translation exchange: translators work in their own tools (XLIFF and PO), the press keeps YAML.

Input: the project's handouts and language settings. Output: exchange files under
``OUT/translations/``, validated changes written back into the YAML (comments and order kept),
review sign-offs, and pseudo-locales for testing layouts before a translation exists.

- :mod:`.units`     every translatable string of a handout in one language, with a stable id
                    from its content path, notes for the translator and a state
- :mod:`.validate`  the checks one translated unit must pass before it is written
- :mod:`.exchange`  XLIFF and PO files through translate-toolkit (export and import)
- :mod:`.yamledit`  writing changed strings and the translation block back (ruamel.yaml)
- :mod:`.signoff`   the reviewer's sign-off (name, date, scope)
- :mod:`.pseudo`    the pseudo-locales en-XA (longer, accented) and ar-XB (mirrored, right to left)
"""
