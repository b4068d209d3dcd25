#!/usr/bin/env python3
"""Leaflet press command line: `python generate.py [build|check|list] [filters]`. See README.md."""
import os
import signal
import sys


def _interrupted_early(signum, frame):
    """Ctrl-C or SIGTERM while the press is still starting: nothing has been written yet."""
    sys.stderr.write("interrupted: the press had not started writing\n")
    os._exit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, _interrupted_early)
    signal.signal(signal.SIGTERM, _interrupted_early)
    from leafpress import gcpolicy
    gcpolicy.pause()        # no collections while the press starts (leafpress/gcpolicy.py)
    from leafpress.cli import finish, main
    signal.signal(signal.SIGINT, signal.default_int_handler)   # the press's own handling from here on
    finish(main)        # (output flushed, a failed write said in one line; without Python's teardown)
