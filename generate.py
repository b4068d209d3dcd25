#!/usr/bin/env python3
"""Leaflet press command line: `python generate.py [build|check|list] [filters]`. See README.md."""
import signal
import sys


def _stop(signum, frame):
    raise KeyboardInterrupt     # SIGTERM while starting up: stop like Ctrl-C


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop)
    try:
        from leafpress.cli import main
    except KeyboardInterrupt:       # before the press had started: nothing was written
        print("interrupted: nothing was written", file=sys.stderr)
        sys.exit(130)
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:         # output piped into a command that stopped reading (| head)
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    sys.exit(code)
