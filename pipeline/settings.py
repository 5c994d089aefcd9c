"""Run settings: one frozen, self-validating record."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.extract.pdf import PdfLayout
from pipeline.workers import Limits

FORMATS = ("parquet", "csv", "json")


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

    def __post_init__(self) -> None:
        unknown = [name for name in self.formats if name not in FORMATS]
        if unknown:
            raise SettingsError(
                f"formats: unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}"
            )
        if not self.formats:
            raise SettingsError(f"formats: give at least one of {', '.join(FORMATS)}")
        # Keep the contract's order whatever order the user typed.
        object.__setattr__(self, "formats", tuple(f for f in FORMATS if f in self.formats))

    def recorded(self) -> dict[str, object]:
        """The options that shape the published tables, for the manifest: formats, strictness
        and the PDF layout tolerances (not jobs or limits, which only decide how fast or
        whether a file is processed, and no paths)."""
        layout = {
            name: value
            for name, value in vars(self.layout).items()
            if isinstance(value, int | float | str)
        }
        return {
            "formats": list(self.formats),
            "strict": self.strict,
            "allow_empty": self.allow_empty,
            "pdf_layout": layout,
        }
