"""Imported first by the workers' server (forkserver.PRELOAD): optional packages that the
pipeline's libraries load whenever they are installed, and that no worker uses, are kept
out of the server and so out of every worker.

pandera loads hypothesis, for its data-synthesis strategies, as soon as it is installed
(the development install has it: the tests use it). That cost the server a tenth of a
second of its start, which every run waits for before its first worker computes. A name
in sys.modules set to None makes importing it raise ImportError: pandera then goes
without its strategies, as it does where hypothesis is not installed.
"""

from __future__ import annotations

import sys

UNUSED_IN_WORKERS = ("hypothesis",)

for name in UNUSED_IN_WORKERS:
    sys.modules.setdefault(name, None)  # type: ignore[arg-type]
