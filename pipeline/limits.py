"""The per-file limits a worker runs under."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.defaults import JOBS, MAX_MEMORY_MB, TIMEOUT_S


@dataclass(frozen=True)
class Limits:
    """Per-file limits; the defaults are far above what a genuine profile needs."""

    timeout_s: float = TIMEOUT_S
    max_memory_mb: int = MAX_MEMORY_MB
    jobs: int = JOBS

    def __post_init__(self) -> None:
        if not self.timeout_s > 0:
            raise ValueError(f"timeout_s must be positive, got {self.timeout_s}")
        if self.max_memory_mb < 64:
            raise ValueError(f"max_memory_mb must be at least 64, got {self.max_memory_mb}")
        if self.jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {self.jobs}")
