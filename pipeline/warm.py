"""Warm-up for worker processes: imported once by the forkserver, so that every worker it
forks starts with pandas, pandera and the stages already initialised.

Importing this module has a side effect on purpose: it runs one tiny profile through the
stages (lazy imports and schema backends are set up on first use, ~150 ms per process).
"""

from __future__ import annotations

import gc

# The readers of text formats; forkserver.DOCUMENT_READERS loads those of PDF and Word files
# when a run has any (extract_document imports each reader when it first reads its format).
import pipeline.extract.markdown  # noqa: F401
from pipeline.extract.hyphens import english
from pipeline.extract.text import read_text
from pipeline.model import Source
from pipeline.stages.normalise import NormaliseRules, document_to_profile
from pipeline.stages.tables import profile_to_tables
from pipeline.validate import validate_tables

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


def warm_up() -> None:
    english("warm")  # loads the word list once, for every worker forked after
    source = Source("warm-up.txt", "text", "0" * 64)
    profile = document_to_profile(read_text(TINY_PROFILE.encode(), source), NormaliseRules.load())
    validate_tables(profile_to_tables(profile.profile), source.path)


warm_up()

# What the server has loaded is out of the collector's sight in every worker forked after:
# a collection would walk (and, by writing to them, copy) the pipeline's hundreds of
# thousands of objects. A batch of text profiles takes a tenth less time.
gc.freeze()
