"""The exit codes of the albatts command, in one place (sysexits.h's where one fits).

A script tells from the code alone what happened: some inputs rejected (1) is a finished
run; the codes from 73 on are a mistake on the steward's side of the whole run, each with
a one-line message on stderr that names the file and what to do.
"""

from __future__ import annotations

EXIT_OK = 0
# extract and inspect: some inputs rejected (the others published); validate: invalid.
EXIT_REJECTED = 1
# diff: the outputs differ.
EXIT_DIFFERENT = 1
# A bad option or argument (click's own code).
EXIT_USAGE = 2
# EX_UNAVAILABLE: the Dask cluster of --dask-scheduler cannot be used (Dask not installed,
# the scheduler unreachable or lost, workers set up wrongly).
EXIT_UNAVAILABLE = 69
# EX_CANTCREAT: --out cannot be created or replaced (permission denied, read-only).
EXIT_CANT_CREATE = 73
# EX_IOERR: writing the outputs failed (the disk is full, a quota is exceeded).
EXIT_IO_ERROR = 74
# EX_TEMPFAIL: another run kept --out locked; try again later.
EXIT_BUSY = 75
# EX_CONFIG: a vocabulary file (schemas/vocab/*.txt) is malformed or missing.
EXIT_CONFIG = 78
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
