"""The context worker processes start from: a forkserver that has already imported the
pipeline (pipeline.warm), so that starting a worker costs milliseconds, not an import.

Light on imports, so that a run can start the server first thing and let it load while the
run itself loads what it needs (start_early).
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import ForkServerContext, SpawnContext

from pipeline.mp_tempdir import claim_temp_dir

# server_extras first: it keeps packages the workers never use from loading with the rest.
PRELOAD = ["pipeline.server_extras", "pipeline.workers", "pipeline.warm"]
# The readers of PDF and Word files and the page pictures (PDFium, pdfminer, Pillow,
# python-docx) and the word list of the PDF layout code (warm_documents): two tenths of a
# second more for the server to load, which a run of text files does without. A server
# runs for the rest of its process with what it first loaded: a later run with such files
# in the same process has each worker load them.
DOCUMENT_READERS = [
    "pipeline.extract.pdf",
    "pipeline.extract.docx",
    "pipeline.pictures",
    "pipeline.warm_documents",
]


def worker_context(documents: bool = True) -> ForkServerContext | SpawnContext:
    """The context workers start from; its server, once started, preloads the pipeline and,
    with `documents`, DOCUMENT_READERS."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        forkserver = multiprocessing.get_context("forkserver")
        forkserver.set_forkserver_preload(PRELOAD + (DOCUMENT_READERS if documents else []))
        claim_temp_dir()  # where the forkserver's socket goes; killed runs' folders go
        return forkserver
    return multiprocessing.get_context("spawn")


def start_early(documents: bool = True) -> None:
    """Start the forkserver now, if the platform has one: it imports the pipeline (and the
    document readers, if `documents`) in its own process while this one goes on, instead of
    when the first worker is asked for."""
    if isinstance(worker_context(documents), ForkServerContext):
        from multiprocessing import forkserver

        forkserver.ensure_running()
