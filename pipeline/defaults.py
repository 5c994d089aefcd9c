"""The defaults `albatts --help` shows, in a module that imports nothing, so that the help
answers before pandas, pandera and pdfplumber would have loaded (cli.py imports those only
inside its commands)."""

from __future__ import annotations

import os

FORMATS = ("parquet", "csv", "json")
# Per-file worker limits, far above what a genuine profile needs.
TIMEOUT_S = 120.0
# Each page of a scan read by OCR gives its file this much more time (and Tesseract this
# long on the page at most): OCR takes seconds a page where a text layer takes milliseconds.
OCR_PAGE_S = 60.0
MAX_MEMORY_MB = 2048
JOBS = max(1, min(4, os.cpu_count() or 1))
# Long enough for another run to write a large output; a run that holds it longer is stuck.
WAIT_FOR_LOCK_S = 600.0
# Far above any profile (tens of MB at most), far below what would exhaust a worker.
MAX_FILE_MB = 100
