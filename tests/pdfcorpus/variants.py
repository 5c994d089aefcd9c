"""Layout variants of a rendered profile PDF, and the corpus matrix."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Literal

Producer = Literal["reportlab", "fpdf2"]
PageSize = Literal["A4", "Letter"]
Marker = Literal["-", "•", "–", "mixed"]
Font = Literal["helvetica", "times", "vera"]

MARKER_NAMES: dict[str, str] = {"-": "dash", "•": "bullet", "–": "endash", "mixed": "mixed"}
MIXED_MARKERS = ("-", "•", "–")
PAGE_SIZES: dict[str, tuple[float, float]] = {
    "A4": (595.2756, 841.8898),
    "Letter": (612.0, 792.0),
}


@dataclass(frozen=True)
class Variant:
    """One way of drawing a profile; `name` is unique and safe in file names.

    font: reportlab draws with base-14 Helvetica or Times (falling back to the embedded
    Vera TTF when a profile has text outside WinAnsi) or with Vera; fpdf2 always uses Vera.
    page_number: a bare page number in the footer when there is no running header/footer.
    font_scale multiplies every font size and line height of the producer's style.
    """

    producer: Producer
    ruled: bool
    repeat_header: bool
    running_header: bool
    page_size: PageSize
    marker: Marker
    ul_prefix: bool
    page_number: bool = False
    font: Font = "vera"
    font_scale: float = 1.0

    def __post_init__(self) -> None:
        if self.producer == "fpdf2" and self.font != "vera":
            raise ValueError("fpdf2 variants draw with the embedded Vera TTF only")

    @property
    def name(self) -> str:
        """e.g. 'rl-ruled-rep-hdr-a4-dash-ul-helvetica-s100'."""
        parts = [
            "rl" if self.producer == "reportlab" else "fp",
            "ruled" if self.ruled else "open",
            "rep" if self.repeat_header else "norep",
            "hdr" if self.running_header else ("pgno" if self.page_number else "bare"),
            self.page_size.lower(),
            MARKER_NAMES[self.marker],
            "ul" if self.ul_prefix else "noul",
            self.font,
            f"s{round(self.font_scale * 100)}",
        ]
        return "-".join(parts)

    @property
    def page_width_height(self) -> tuple[float, float]:
        """Page size in points."""
        return PAGE_SIZES[self.page_size]

    def marker_for(self, statement_index: int) -> str:
        """The bullet marker of a statement ('mixed' cycles - • –)."""
        if self.marker == "mixed":
            return MIXED_MARKERS[statement_index % len(MIXED_MARKERS)]
        return self.marker


def ul_cells(count: int, ul_prefix: bool = True) -> frozenset[int]:
    """Competence indexes whose Description cell starts with the <ul> line.

    With ul_prefix, two rows out of three (like the seed, where most but not all rows
    have it): every index but 2, 5, 8, ...; without, none.
    """
    return frozenset(i for i in range(count) if ul_prefix and i % 3 != 2)


def corpus_variants() -> list[Variant]:
    """7 variants per producer covering every value of every switch (not the full product)."""
    _rl, _fp = partial(Variant, "reportlab"), partial(Variant, "fpdf2")
    reportlab = [
        _rl(
            ruled=True,
            repeat_header=True,
            running_header=True,
            page_size="A4",
            marker="-",
            ul_prefix=True,
            font="helvetica",
        ),
        _rl(
            ruled=False,
            repeat_header=False,
            running_header=False,
            page_number=True,
            page_size="Letter",
            marker="•",
            ul_prefix=False,
            font="helvetica",
        ),
        _rl(
            ruled=True,
            repeat_header=False,
            running_header=True,
            page_size="Letter",
            marker="–",
            ul_prefix=True,
            font="times",
        ),
        _rl(
            ruled=False,
            repeat_header=True,
            running_header=False,
            page_size="A4",
            marker="mixed",
            ul_prefix=True,
            font="helvetica",
            font_scale=0.9,
        ),
        _rl(
            ruled=False,
            repeat_header=True,
            running_header=True,
            page_size="A4",
            marker="•",
            ul_prefix=False,
            font="times",
            font_scale=1.1,
        ),
        _rl(
            ruled=True,
            repeat_header=False,
            running_header=False,
            page_number=True,
            page_size="A4",
            marker="mixed",
            ul_prefix=False,
            font="helvetica",
        ),
        _rl(
            ruled=True,
            repeat_header=True,
            running_header=True,
            page_size="Letter",
            marker="-",
            ul_prefix=True,
            font="vera",
            font_scale=0.95,
        ),
    ]
    fpdf2 = [
        _fp(
            ruled=True,
            repeat_header=True,
            running_header=True,
            page_size="A4",
            marker="•",
            ul_prefix=True,
        ),
        _fp(
            ruled=False,
            repeat_header=False,
            running_header=False,
            page_size="A4",
            marker="-",
            ul_prefix=False,
        ),
        _fp(
            ruled=False,
            repeat_header=True,
            running_header=True,
            page_size="Letter",
            marker="–",
            ul_prefix=True,
            font_scale=1.1,
        ),
        _fp(
            ruled=True,
            repeat_header=False,
            running_header=False,
            page_number=True,
            page_size="Letter",
            marker="mixed",
            ul_prefix=True,
            font_scale=0.9,
        ),
        _fp(
            ruled=False,
            repeat_header=False,
            running_header=True,
            page_size="A4",
            marker="mixed",
            ul_prefix=False,
        ),
        _fp(
            ruled=True,
            repeat_header=True,
            running_header=False,
            page_size="Letter",
            marker="-",
            ul_prefix=False,
            font_scale=1.05,
        ),
        _fp(
            ruled=False,
            repeat_header=True,
            running_header=False,
            page_number=True,
            page_size="A4",
            marker="–",
            ul_prefix=True,
            font_scale=0.95,
        ),
    ]
    return reportlab + fpdf2
