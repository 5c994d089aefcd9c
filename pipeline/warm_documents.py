"""Warm-up for the workers of runs with PDF or Word files, imported by the forkserver after
the document readers (forkserver.DOCUMENT_READERS): the English word list the PDF layout
code asks whether a line-end hyphen joins a word (extract/hyphens.py) takes a tenth of a
second to load, once here instead of in every worker. A run of text files does without it.
"""

from __future__ import annotations

import gc

from pipeline.extract.hyphens import english

english("warm")

# As in pipeline.warm: what the server loaded, out of the collector's sight in every worker.
gc.freeze()
