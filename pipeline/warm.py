"""Warm-up for worker processes: imported once by the forkserver, so that every worker it
forks starts with pandas, pandera and the stages already initialised.

Importing this module has a side effect on purpose: it runs one tiny profile through the
worker's path (lazy imports, schema backends and Arrow's conversions are set up on first
use, ~200 ms per process).
"""

from __future__ import annotations

import gc
from pathlib import Path

# The readers of text formats; forkserver.DOCUMENT_READERS loads those of PDF and Word files
# when a run has any (extract_document imports each reader when it first reads its format).
import pipeline.extract.markdown  # noqa: F401
from pipeline.process import Extracted, FileBytes, extract_bytes, finish_together
from pipeline.stages.tables import profile_tables
from pipeline.validate import validate_tables
from pipeline.wire import Packed, pack

TINY_PROFILE = "\n".join(
    [
        "Alliance for Batteries Technology, Training and Skills",
        "",
        "2019-2023",
        "",
        "Warm Up Engineer",
        "",
        "A profile that only exists to initialise the libraries.",
        "",
        "ESCO Occupations",
        "ID\tNAME\tConcept URI",
        "2149.1\tengineer\thttp://data.europa.eu/esco/occupation/00000000-0000-0000-0000-000000000000",
        "",
        "Context",
        "Minimum EQF\t6",
        "Value Chain\tCell Manufacturing",
        "Departments\tQuality",
        "Specialisations\tCell Engineer",
        "",
        "Soft Competence",
        "Name\tType (S/K)\tDescription/Context\tLevel\tESCO",
        "Teamwork\tK\t- Work in teams\tExpert\tteamwork principles",
    ]
)


def warm_up() -> Packed:
    """The tiny profile along a worker's own path: extracted, its batch checked (and the
    profile alone, as a batch's failing profiles are) and packed for the run, as a worker
    sends it. Each step sets up what it first uses once here, not in every worker: packing
    alone cost each batch of text profiles 30 ms more in a worker than in a warm process."""
    name = "warm-up.txt"
    extracted = extract_bytes(FileBytes(TINY_PROFILE.encode(), "0" * 64), Path(name), name)
    assert isinstance(extracted, Extracted), "the warm-up profile no longer reads"
    finished = finish_together([extracted])
    validate_tables(profile_tables(finished.tables, 0), name)
    return pack(finished)


warm_up()

# What the server has loaded is out of the collector's sight in every worker forked after:
# a collection would walk (and, by writing to them, copy) the pipeline's hundreds of
# thousands of objects. A batch of text profiles takes a tenth less time.
gc.freeze()
