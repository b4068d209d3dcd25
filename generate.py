#!/usr/bin/env python3
"""Leaflet press command line: `python generate.py [build|check|list] [filters]`. See README.md."""
import sys

from leafpress.cli import main

if __name__ == "__main__":
    sys.exit(main())
