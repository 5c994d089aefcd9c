"""Layout variants of a rendered profile PDF, and the corpus matrix."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Literal

Producer = Literal["reportlab", "fpdf2"]
PageSize = Literal["A4", "Letter"]
Marker = Literal["-", "•", "–", "mixed"]
Font = Literal["helvetica", "times", "vera"]
Rules = Literal["grid", "horizontal", "none", "bands"]
VAlign = Literal["top", "middle", "bottom"]

MARKER_NAMES: dict[str, str] = {"-": "dash", "•": "bullet", "–": "endash", "mixed": "mixed"}
MIXED_MARKERS = ("-", "•", "–")
PAGE_SIZES: dict[str, tuple[float, float]] = {
    "A4": (595.2756, 841.8898),
    "Letter": (612.0, 792.0),
}
RULES_NAMES: dict[str, str] = {
    "grid": "ruled",
    "none": "open",
    "horizontal": "hrules",
    "bands": "bands",
}
RULES_VARIATIONS: dict[str, str] = {
    "grid": "rules-grid",
    "horizontal": "rules-horizontal",
    "bands": "shaded-rows",
    "none": "borderless",
}
# The producers' table font size at scale 1 (their Style.table_size), for small-/large-type.
TABLE_SIZES: dict[str, float] = {"reportlab": 8.0, "fpdf2": 7.5}
SMALL_TYPE = 8.0  # 'small-type': table text at 8 pt or smaller
LARGE_TYPE = 10.5  # 'large-type': table text at 10.5 pt or larger


@dataclass(frozen=True)
class Variant:
    """One way of drawing a profile; `name` is unique and safe in file names.

    font: reportlab draws with base-14 Helvetica or Times (falling back to the embedded
    Vera TTF when a profile has text outside WinAnsi, and to DejaVu Sans when Vera lacks a
    glyph) or with Vera; fpdf2 always uses Vera (or DejaVu Sans, the same way).
    page_number: a bare page number in the footer when there is no running header/footer.
    font_scale multiplies every font size and line height of the producer's style.

    The fields after font_scale default to the original look (the first 14 variants):
    rules: None follows `ruled` ("grid" or "none"); "horizontal" (ruled, no vertical lines)
    or "bands" (not ruled: every other body row shaded, no lines at all).
    header_lines: the most lines the 'Type (S/K)' header label may take: above 1 the Type
    column is as narrow as that allows, header labels wrap (at spaces and after '/').
    header_centred, header_shaded: header labels centred in their cells / a grey header band.
    valign: where cell text sits in the height of its row part ("top", "middle", "bottom").
    landscape: the competence tables start on a new page, and run on pages, turned landscape.
    keep_name: False lets a row break anywhere after its first line, inside the Name cell.
    esco_share: None keeps labels (ESCO skills, departments, specialisations) on one line,
    shrinking the table type (down to the producer's Style.label_min_size) until they fit,
    and wraps them only when they cannot fit so (in an ESCO column at most the producer's
    Style.esco_share of the width); a number sizes the ESCO column at most that share of
    the table width, and labels wider than their column wrap. A cell where a label wraps
    sets every label as a paragraph.
    esco_paragraphs: the labels of every ESCO, Departments or Specialisations cell are
    paragraphs, with spacing between them, whether they wrap or not.
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
    rules: Rules | None = None
    header_lines: int = 1
    header_centred: bool = False
    header_shaded: bool = False
    valign: VAlign = "top"
    landscape: bool = False
    keep_name: bool = True
    esco_share: float | None = None
    esco_paragraphs: bool = False

    def __post_init__(self) -> None:
        if self.producer == "fpdf2" and self.font != "vera":
            raise ValueError("fpdf2 variants draw with the embedded Vera TTF only")
        if self.rules is not None and self.ruled != (self.rules in ("grid", "horizontal")):
            raise ValueError(f"ruled={self.ruled} contradicts rules={self.rules!r}")
        if not 1 <= self.header_lines <= 3:
            raise ValueError("header_lines is 1, 2 or 3")

    @property
    def table_rules(self) -> Rules:
        """How table rows and cells are told apart: grid, horizontal, none or bands."""
        if self.rules is not None:
            return self.rules
        return "grid" if self.ruled else "none"

    @property
    def name(self) -> str:
        """e.g. 'rl-ruled-rep-hdr-a4-dash-ul-helvetica-s100'; switches off their default
        add a suffix each (e.g. '-hwrap2-hcentre-vmiddle-landscape')."""
        parts = [
            "rl" if self.producer == "reportlab" else "fp",
            RULES_NAMES[self.table_rules],
            "rep" if self.repeat_header else "norep",
            "hdr" if self.running_header else ("pgno" if self.page_number else "bare"),
            self.page_size.lower(),
            MARKER_NAMES[self.marker],
            "ul" if self.ul_prefix else "noul",
            self.font,
            f"s{round(self.font_scale * 100)}",
        ]
        if self.header_lines > 1:
            parts.append(f"hwrap{self.header_lines}")
        if self.header_centred:
            parts.append("hcentre")
        if self.header_shaded:
            parts.append("hshade")
        if self.valign != "top":
            parts.append(f"v{self.valign}")
        if self.landscape:
            parts.append("landscape")
        if not self.keep_name:
            parts.append("namebreak")
        if self.esco_paragraphs:
            parts.append("escopara")
        return "-".join(parts)

    @property
    def page_width_height(self) -> tuple[float, float]:
        """Page size in points (portrait)."""
        return PAGE_SIZES[self.page_size]

    @property
    def table_size(self) -> float:
        """Table font size in points before any shrinking to fit (producer size x scale)."""
        return TABLE_SIZES[self.producer] * self.font_scale

    @property
    def variations(self) -> tuple[str, ...]:
        """The layout variations (tests/pdfcorpus/variations.py) this variant is made to show.

        Every PDF of the variant has the structural ones (rules, header style, running
        header, page numbers, landscape, bullets-list); those that need content to show
        (row-across-pages, name-wrap, name-across-pages, header-repeated, valign-*,
        esco-paragraphs, header-wrap-*) and the type size and face asked for show in at
        least one corpus profile, which check.py verifies. What one PDF really holds is
        `PageLayout.variations` (the renderers' `layout_for`): its text may shrink the table
        type, make reportlab fall back from Times to a sans TTF, wrap labels as paragraphs in
        any variant, or make a row run over three pages.
        """
        names = {"header-bold", "row-across-pages", "name-wrap", RULES_VARIATIONS[self.table_rules]}
        if self.repeat_header:
            names.add("header-repeated")
        if self.running_header:
            names |= {"running-header", "page-numbers"}
        elif self.page_number:
            names.add("page-numbers")
        if self.header_lines > 1:
            names.add(f"header-wrap-{self.header_lines}")
        if self.header_centred:
            names.add("header-centred")
        if self.header_shaded:
            names.add("header-shaded")
        if self.valign != "top":
            names.add(f"valign-{self.valign}")
        if self.landscape:
            names.add("landscape")
        if not self.keep_name:
            names.add("name-across-pages")
        if self.esco_paragraphs or self.esco_share is not None:
            names.add("esco-paragraphs")  # with esco_share: labels too wide for it wrap
        if self.producer == "fpdf2":
            names.add("bullets-list")
        if self.table_size <= SMALL_TYPE + 1e-6:
            names.add("small-type")
        if self.table_size >= LARGE_TYPE - 1e-6:
            names.add("large-type")
        names.add("serif" if self.font == "times" else "sans")
        return tuple(sorted(names))

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
    """9 variants per producer: the first 7 cover every value of every original switch (not
    the full product); the last 2 the layouts real producers make (see `realistic_variants`)."""
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
    realistic = realistic_variants()
    return (
        reportlab
        + [v for v in realistic if v.producer == "reportlab"]
        + fpdf2
        + [v for v in realistic if v.producer == "fpdf2"]
    )


def realistic_variants() -> list[Variant]:
    """2 variants per producer with what browser and office PDFs do and the first 7 don't.

    Each producer gets, over its two: wrapped (2 and 3 lines), centred, shaded header rows;
    middle- and bottom-aligned cells; horizontal rules only and banded rows; landscape
    competence pages with large type; rows breaking inside the Name; ESCO paragraphs.
    """
    _rl, _fp = partial(Variant, "reportlab"), partial(Variant, "fpdf2")
    return [
        _rl(
            ruled=True,
            rules="horizontal",
            repeat_header=True,
            running_header=True,
            page_size="A4",
            marker="•",
            ul_prefix=False,
            font="helvetica",
            font_scale=1.35,
            header_lines=2,
            header_centred=True,
            header_shaded=True,
            valign="middle",
            landscape=True,
            esco_share=0.25,
        ),
        _rl(
            ruled=False,
            rules="bands",
            repeat_header=False,
            running_header=False,
            page_number=True,
            page_size="Letter",
            marker="–",
            ul_prefix=True,
            font="vera",
            header_lines=3,
            valign="bottom",
            keep_name=False,
            esco_share=0.2,
            esco_paragraphs=True,
        ),
        _fp(
            ruled=False,
            rules="bands",
            repeat_header=True,
            running_header=True,
            page_size="Letter",
            marker="-",
            ul_prefix=False,
            font_scale=1.45,
            header_lines=2,
            header_centred=True,
            header_shaded=True,
            valign="bottom",
            landscape=True,
            esco_share=0.25,
        ),
        _fp(
            ruled=True,
            rules="horizontal",
            repeat_header=False,
            running_header=False,
            page_size="A4",
            marker="mixed",
            ul_prefix=True,
            header_lines=3,
            valign="middle",
            keep_name=False,
            esco_share=0.2,
            esco_paragraphs=True,
        ),
    ]
