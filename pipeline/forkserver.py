"""The context worker processes start from: a forkserver that has already imported the
pipeline (pipeline.warm), so that starting a worker costs milliseconds, not an import.

Light on imports, so that a run can start the server first thing and let it load while the
run itself loads what it needs (start_early).
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import ForkServerContext, SpawnContext

from pipeline.mp_tempdir import claim_temp_dir

PRELOAD = ["pipeline.workers", "pipeline.warm"]


def worker_context() -> ForkServerContext | SpawnContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        forkserver = multiprocessing.get_context("forkserver")
        forkserver.set_forkserver_preload(PRELOAD)
        claim_temp_dir()  # where the forkserver's socket goes; killed runs' folders go
        return forkserver
    return multiprocessing.get_context("spawn")


def start_early() -> None:
    """Start the forkserver now, if the platform has one: it imports the pipeline in its
    own process while this one goes on, instead of when the first worker is asked for."""
    if isinstance(worker_context(), ForkServerContext):
        from multiprocessing import forkserver

        forkserver.ensure_running()
