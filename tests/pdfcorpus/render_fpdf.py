"""fpdf2 producer: layout ops drawn with fpdf2 and the embedded Vera TTF, deterministic bytes.

A profile with a character Vera has no glyph for (even after NFKC substitution: λ, →) is
drawn with the embedded DejaVu Sans TTF (tests/pdfcorpus/fonts/) instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from functools import cache

from fpdf import FPDF
from fpdf.fonts import TTFFont

from tests.pdfcorpus.data import ProfileData
from tests.pdfcorpus.layout import (
    REGULAR,
    LayoutError,
    LineOp,
    Measure,
    PageLayout,
    RectOp,
    Style,
    TextOp,
    drawable_profile,
    layout_profile,
)
from tests.pdfcorpus.render_reportlab import DEJAVU_FILES, FONT_DIR
from tests.pdfcorpus.variants import Variant

FAMILY = "Vera"
DEJAVU = "DejaVuSans"
FONT_FILES = {
    FAMILY: (FONT_DIR / "Vera.ttf", FONT_DIR / "VeraBd.ttf"),
    DEJAVU: DEJAVU_FILES,
}
STYLES = {"regular": "", "bold": "B"}
FIXED_DATE = datetime(2023, 6, 30, 12, 0, 0, tzinfo=UTC)

STYLE = Style(
    margin_left=42.0,
    margin_top=58.0,
    margin_right=42.0,
    margin_bottom=56.0,
    body_size=9.5,
    body_leading=1.35,
    paragraph_gap=1.3,
    title_size=15.0,
    heading_size=11.0,
    heading_before=12.0,
    heading_after=5.0,
    table_size=7.5,
    min_table_size=5.5,
    label_min_size=6.25,
    table_leading=1.3,
    pad_x=4.5,
    pad_y=2.5,
    row_gap=8.0,
    rule_width=0.4,
    table_after=12.0,
    name_share=0.2,
    esco_slack=12.0,
    min_description=20.0,
    bullet_indent=9.0,
    key_font=REGULAR,
    cover="left",
    cover_alliance_size=13.0,
    cover_period_size=11.0,
    cover_title_size=24.0,
    cover_funding_size=9.5,
    header_size=7.5,
    header_offset=26.0,
    footer_offset=28.0,
    header_kind="alliance",
    header_rule=False,
    footer_format="{page} / {pages}",
    footer_align="center",
    bare_footer_align="right",
)


class _FixedIdFPDF(FPDF):
    """FPDF with an explicit, content-independent /ID."""

    def __init__(self, file_id: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._fixed_id = file_id

    def file_id(self) -> str:
        return self._fixed_id


def new_pdf(width: float, height: float, file_id: str = "", family: str = FAMILY) -> FPDF:
    """An fpdf2 document in points with one font family loaded and no automatic layout."""
    pdf = _FixedIdFPDF(file_id, unit="pt", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    regular, bold = FONT_FILES[family]
    pdf.add_font(family, "", regular)
    pdf.add_font(family, "B", bold)
    return pdf


@cache
def _measuring_pdf(family: str = FAMILY) -> FPDF:
    return new_pdf(595.0, 842.0, family=family)


@cache
def charset(family: str = FAMILY) -> frozenset[int]:
    """Code points fpdf2 can draw with a font family (Vera or DejaVuSans)."""
    pdf = _measuring_pdf(family)
    pdf.set_font(family, "", 10)
    font = pdf.current_font
    assert isinstance(font, TTFFont)
    return frozenset(code for code in font.cmap if code >= 0x20)


def vera_charset() -> frozenset[int]:
    """Code points fpdf2 can draw with the Vera TTF."""
    return charset(FAMILY)


def make_measure(family: str = FAMILY) -> Measure:
    """measure(text, font, size) with fpdf2's own metrics."""
    pdf = _measuring_pdf(family)

    @cache
    def measure(text: str, font: str, size: float) -> float:
        pdf.set_font(family, STYLES[font], size)
        return float(pdf.get_string_width(text))

    return measure


def prepare(profile: ProfileData) -> tuple[ProfileData, str]:
    """The profile as drawn and its font family: Vera if it has every glyph (after NFKC
    substitution), else DejaVu Sans (or LayoutError naming the characters it lacks)."""
    try:
        return drawable_profile(profile, charset(FAMILY), "Vera"), FAMILY
    except LayoutError:
        return drawable_profile(profile, charset(DEJAVU), "DejaVu Sans"), DEJAVU


def font_family(profile: ProfileData) -> str:
    """The TTF family this producer draws a profile with ("Vera" or "DejaVuSans")."""
    return prepare(profile)[1]


def layout_for(profile: ProfileData, variant: Variant) -> PageLayout:
    """The pages this producer draws for a profile (variations with the typeface)."""
    drawn, family = prepare(profile)
    layout = layout_profile(drawn, variant, STYLE, make_measure(family))
    return replace(layout, variations=tuple(sorted({*layout.variations, "sans"})))


def render_fpdf(profile: ProfileData, variant: Variant) -> bytes:
    """PDF bytes; the same inputs always give the same bytes."""
    layout = layout_for(profile, variant)
    family = font_family(profile)
    digest = hashlib.md5(f"{profile.title}|{variant.name}".encode(), usedforsecurity=False)
    hex_id = digest.hexdigest().upper()
    pdf = new_pdf(layout.width, layout.height, f"<{hex_id}><{hex_id}>", family)
    pdf.set_title(profile.title)
    pdf.set_author("ALBATTS fixture builder")
    pdf.set_subject("ALBATTS job-role profile (test fixture)")
    pdf.set_keywords(variant.name)
    pdf.set_creator("tests.pdfcorpus.render_fpdf")
    pdf.set_producer("fpdf2")
    pdf.set_creation_date(FIXED_DATE)
    for index, ops in enumerate(layout.pages):
        size = layout.page_size(index)
        if size == (layout.width, layout.height):
            pdf.add_page()
        else:
            pdf.add_page(format=size)
        for op in ops:
            if isinstance(op, TextOp):
                pdf.set_font(family, STYLES[op.font], op.size)
                pdf.text(op.x, op.y, op.text)
            elif isinstance(op, LineOp):
                pdf.set_line_width(op.width)
                pdf.line(op.x1, op.y1, op.x2, op.y2)
            elif isinstance(op, RectOp):
                pdf.set_fill_color(round(op.grey * 255))
                pdf.rect(op.x, op.y, op.width, op.height, style="F")
    return bytes(pdf.output())
