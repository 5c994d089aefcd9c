"""What a run tells its caller: each input's verdict, the published tables, and how the run
went (light: the console prints it without loading pandas)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.model import Verdict

if TYPE_CHECKING:
    from pipeline.stages.tables import Tables


@dataclass(frozen=True)
class RunReport:
    verdicts: tuple[Verdict, ...]
    # The tables as published; None when the outputs were already up to date, so that the
    # run loaded nothing (see freshness.py): they are in the output folder.
    tables: Tables | None
    # Whether the outputs were written (a run with no profile to publish keeps the old).
    published: bool = True
    # Each source_file as the steward typed it (relative to the working folder).
    typed: dict[str, str] = field(default_factory=dict)
    # Inputs whose results came from the cache instead of being extracted by this run.
    from_cache: int = 0
    # Rows per table; taken from tables when not given.
    rows: Mapping[str, int] | None = None
    # Whether the outputs were found up to date and left as they were.
    up_to_date: bool = False

    @property
    def rejected(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.status == "rejected")

    @property
    def row_counts(self) -> dict[str, int]:
        if self.rows is not None:
            return dict(self.rows)
        return {name: len(frame) for name, frame in (self.tables or {}).items()}
