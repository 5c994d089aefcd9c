"""What a run tells its caller: each input's verdict, the published tables, and how the run
went (light: the console prints it without loading pandas)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.model import Verdict

if TYPE_CHECKING:
    from pipeline.stages.tables import Tables


@dataclass(frozen=True)
class RunReport:
    # In input order (a run's are on disk: see verdict_spool.py).
    verdicts: Sequence[Verdict]
    # Whether the outputs were written (a run with no profile to publish keeps the old).
    published: bool = True
    # Each source_file as the steward typed it (relative to the working folder).
    typed: dict[str, str] = field(default_factory=dict)
    # Inputs whose results came from the cache instead of being extracted by this run.
    from_cache: int = 0
    # Rows per table published.
    rows: Mapping[str, int] = field(default_factory=dict)
    # Whether the outputs were found up to date and left as they were.
    up_to_date: bool = False
    # Where the tables are: the output folder (None when nothing was published).
    out_dir: Path | None = None

    @cached_property
    def tables(self) -> Tables:
        """The published tables, read back from out_dir when first asked for (a run never
        holds them all: see shards.py); empty tables when nothing was published."""
        from pipeline.outputs import read_output
        from pipeline.shards import empty_tables

        if self.out_dir is None:
            return empty_tables()
        return read_output(self.out_dir).tables

    @cached_property
    def rejected(self) -> tuple[Verdict, ...]:
        """The rejected verdicts (once: a run's verdicts are read back from disk)."""
        return tuple(v for v in self.verdicts if v.status == "rejected")

    @property
    def row_counts(self) -> dict[str, int]:
        return dict(self.rows)
