"""Run settings: one frozen, self-validating record."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.cache_key import CACHE_FOLDER
from pipeline.defaults import FORMATS, MAX_FILE_MB
from pipeline.extract.pdf_model import PdfLayout
from pipeline.limits import Limits
from pipeline.lock import WAIT_FOR_LOCK_S


class SettingsError(ValueError):
    """A setting has a value the pipeline cannot use; the message names the field."""


@dataclass(frozen=True)
class Settings:
    out_dir: Path = Path("out")
    formats: tuple[str, ...] = FORMATS
    # Per-file worker limits; None processes files in this process, without limits.
    limits: Limits | None = field(default_factory=Limits)
    strict: bool = False
    # Publish empty tables when every input is rejected (else the previous output stays).
    allow_empty: bool = False
    # Every tolerance of the PDF layout code; travels with each file to its worker.
    layout: PdfLayout = field(default_factory=PdfLayout)
    # Follow symlinks found inside input folders to files and folders outside them (a
    # symlink given as an input is always followed: it is what the user asked for).
    follow_symlinks: bool = False
    # A larger file is rejected without being read.
    max_file_mb: int = MAX_FILE_MB
    # How long to wait for another run writing to the same out_dir before giving up.
    wait_for_lock_s: float = WAIT_FOR_LOCK_S
    # Reuse the result of each file unchanged since a run with the same code, vocabularies
    # and layout, from cache_dir (see pipeline/cache.py); False extracts every file afresh.
    cache: bool = True
    # Run each file as a task on the Dask cluster at this address (tcp://host:8786), or on a
    # LocalCluster started for the run ("local"); None: the local worker pool.
    dask_scheduler: str | None = None

    def __post_init__(self) -> None:
        if self.dask_scheduler is not None and self.limits is None:
            raise SettingsError(
                "dask_scheduler: Dask tasks run each file under the limits, so it cannot go "
                "with processing in this process (--jobs 0)"
            )
        if self.dask_scheduler is not None and not self.dask_scheduler.strip():
            raise SettingsError("dask_scheduler: give an address such as tcp://host:8786")
        if self.max_file_mb < 1:
            raise SettingsError(f"max_file_mb: must be at least 1, got {self.max_file_mb}")
        if not self.wait_for_lock_s >= 0:
            raise SettingsError(
                f"wait_for_lock_s: must be 0 or more seconds, got {self.wait_for_lock_s}"
            )
        unknown = [name for name in self.formats if name not in FORMATS]
        if unknown:
            raise SettingsError(
                f"formats: unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}"
            )
        if not self.formats:
            raise SettingsError(f"formats: give at least one of {', '.join(FORMATS)}")
        # Keep the contract's order whatever order the user typed.
        object.__setattr__(self, "formats", tuple(f for f in FORMATS if f in self.formats))

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * 1024 * 1024

    @property
    def cache_dir(self) -> Path:
        """Beside the output, so that it goes where the output goes and is never an input."""
        return self.out_dir.absolute().parent / CACHE_FOLDER

    def recorded(self) -> dict[str, object]:
        """The options that shape the published tables, for the manifest: formats, strictness
        and the PDF layout tolerances (not jobs or limits, which only decide how fast or
        whether a file is processed, and no paths)."""
        layout = {
            name: value
            for name, value in vars(self.layout).items()
            # Not the reader: both give the same tables (tests/test_pdfium.py).
            if isinstance(value, int | float | str) and name != "reader"
        }
        return {
            "formats": list(self.formats),
            "strict": self.strict,
            "allow_empty": self.allow_empty,
            "pdf_layout": layout,
        }
