"""reportlab producer: layout ops drawn with reportlab.pdfgen.canvas, deterministic bytes.

Fonts: base-14 Helvetica or Times (WinAnsi text only, not embedded). When a profile holds
text outside WinAnsi (cp1252), even after NFKC-equivalent substitution (μ -> µ), this producer
switches to the embedded Vera TTF for that profile, and when Vera lacks a glyph too (λ, →) to
the embedded DejaVu Sans TTF (tests/pdfcorpus/fonts/); `font_names` tells which fonts it gets.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace
from functools import cache
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.rl_codecs import RL_Codecs
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from tests.pdfcorpus.data import ProfileData
from tests.pdfcorpus.layout import (
    BOLD,
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
from tests.pdfcorpus.variants import Variant

FONT_DIR = Path(reportlab.__file__).resolve().parent / "fonts"
DEJAVU_DIR = Path(__file__).resolve().parent / "fonts"  # DejaVu Sans 2.37, see its LICENSE
DEJAVU_FILES = (DEJAVU_DIR / "DejaVuSans.ttf", DEJAVU_DIR / "DejaVuSans-Bold.ttf")
BASE14 = {
    "helvetica": ("Helvetica", "Helvetica-Bold"),
    "times": ("Times-Roman", "Times-Bold"),
}
CP1252_ENCODING = "AlbattsCp1252"
VERA = ("Vera", "Vera-Bold")
DEJAVU = ("DejaVuSans", "DejaVuSans-Bold")
SERIF = {"Times-Roman-cp1252"}
FIXED_DATE = "D:20230630120000+00'00'"

STYLE = Style(
    margin_left=56.0,
    margin_top=64.0,
    margin_right=50.0,
    margin_bottom=62.0,
    body_size=10.0,
    body_leading=1.3,
    paragraph_gap=1.0,
    title_size=16.0,
    heading_size=12.0,
    heading_before=10.0,
    heading_after=6.0,
    table_size=8.0,
    min_table_size=6.0,
    label_min_size=6.75,
    table_leading=1.25,
    pad_x=3.5,
    pad_y=3.0,
    row_gap=7.0,
    rule_width=0.6,
    table_after=14.0,
    name_share=0.17,
    esco_slack=4.0,
    min_description=19.0,
    bullet_indent=None,
    key_font=BOLD,
    cover="centered",
    cover_alliance_size=15.0,
    cover_period_size=12.0,
    cover_title_size=26.0,
    cover_funding_size=10.0,
    header_size=8.0,
    header_offset=24.0,
    footer_offset=30.0,
    header_kind="title",
    header_rule=True,
    footer_format="Page {page}",
    footer_align="right",
    bare_footer_align="center",
)


@cache
def register_vera() -> tuple[str, str]:
    """Register the Vera TTFs shipped with reportlab (once) and return their font names."""
    pdfmetrics.registerFont(TTFont(VERA[0], str(FONT_DIR / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(VERA[1], str(FONT_DIR / "VeraBd.ttf")))
    return VERA


def _cp1252_decoding() -> dict[int, int]:
    decoding = {}
    for byte in range(0x20, 0x100):
        try:
            decoding[byte] = ord(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            continue
    del decoding[0x7F]
    return decoding


WINANSI = frozenset(_cp1252_decoding().values())


@cache
def _register_cp1252() -> None:
    decoding = _cp1252_decoding()
    encoding = {code: byte for byte, code in decoding.items()}
    RL_Codecs.add_dynamic_codec(CP1252_ENCODING, encoding, decoding)  # (encode map, decode map)
    pdfmetrics.registerEncoding(pdfmetrics.Encoding(CP1252_ENCODING, "WinAnsiEncoding"))


@cache
def register_base14(font: str) -> tuple[str, str]:
    """Register base-14 fonts that encode text as cp1252 and return their names.

    reportlab's own WinAnsi codec writes '•' as code 0x7F, which PDF readers such as
    pdfminer show as '(cid:127)'; cp1252 (= PDF WinAnsiEncoding) puts it at 0x95.
    """
    _register_cp1252()
    names = []
    for face in BASE14[font]:
        name = f"{face}-cp1252"
        pdfmetrics.registerFont(pdfmetrics.Font(name, face, CP1252_ENCODING))
        names.append(name)
    return names[0], names[1]


@cache
def register_dejavu() -> tuple[str, str]:
    """Register the DejaVu Sans TTFs kept in tests/pdfcorpus/fonts (once); their names."""
    for name, path in zip(DEJAVU, DEJAVU_FILES, strict=True):
        pdfmetrics.registerFont(TTFont(name, str(path)))
    return DEJAVU


def _charset(name: str) -> frozenset[int]:
    glyphs = pdfmetrics.getFont(name).face.charToGlyph
    return frozenset(code for code, glyph in glyphs.items() if glyph and 0x20 <= code < 0xFFFF)


@cache
def vera_charset() -> frozenset[int]:
    """Code points the Vera TTF has glyphs for."""
    return _charset(register_vera()[0])


@cache
def dejavu_charset() -> frozenset[int]:
    """Code points the DejaVu Sans TTF has glyphs for."""
    return _charset(register_dejavu()[0])


def prepare(profile: ProfileData, variant: Variant) -> tuple[ProfileData, tuple[str, str]]:
    """The profile as drawn and the (regular, bold) fonts: base-14 if WinAnsi allows, else
    Vera if it has every glyph (after NFKC substitution), else DejaVu Sans (or LayoutError
    naming the characters it lacks)."""
    if variant.font in BASE14:
        try:
            drawn = drawable_profile(profile, WINANSI, "WinAnsi")
            return drawn, register_base14(variant.font)
        except LayoutError:
            pass
    try:
        return drawable_profile(profile, vera_charset(), "Vera"), register_vera()
    except LayoutError:
        return drawable_profile(profile, dejavu_charset(), "DejaVu Sans"), register_dejavu()


def font_names(profile: ProfileData, variant: Variant) -> tuple[str, str]:
    """Regular and bold font names this producer uses for the profile and variant."""
    return prepare(profile, variant)[1]


def make_measure(regular: str, bold: str) -> Measure:
    """measure(text, font, size) with reportlab's own metrics (no kerning)."""
    names = {"regular": regular, "bold": bold}

    @cache
    def measure(text: str, font: str, size: float) -> float:
        return float(pdfmetrics.stringWidth(text, names[font], size))

    return measure


def layout_for(profile: ProfileData, variant: Variant) -> PageLayout:
    """The pages this producer draws for a profile (variations with the typeface)."""
    drawn, (regular, bold) = prepare(profile, variant)
    layout = layout_profile(drawn, variant, STYLE, make_measure(regular, bold))
    face = "serif" if regular in SERIF else "sans"
    return replace(layout, variations=tuple(sorted({*layout.variations, face})))


def _document_id(profile: ProfileData, variant: Variant) -> bytes:
    digest = hashlib.md5(f"{profile.title}|{variant.name}".encode(), usedforsecurity=False)
    ids = b"<" + digest.hexdigest().upper().encode("ascii") + b">"
    return b"\n[" + ids + ids + b"]\n"


def render_reportlab(profile: ProfileData, variant: Variant) -> bytes:
    """PDF bytes; the same inputs always give the same bytes."""
    regular, bold = font_names(profile, variant)
    layout = layout_for(profile, variant)
    names = {"regular": regular, "bold": bold}
    buffer = io.BytesIO()
    pdf = canvas.Canvas(
        buffer,
        pagesize=(layout.width, layout.height),
        invariant=1,
        pageCompression=1,
        initialFontName=regular,
    )
    pdf.setTitle(profile.title)
    pdf.setAuthor("ALBATTS fixture builder")
    pdf.setSubject("ALBATTS job-role profile (test fixture)")
    pdf.setCreator("tests.pdfcorpus.render_reportlab")
    pdf.setProducer("ReportLab PDF Library - www.reportlab.com")
    pdf.setKeywords(variant.name)
    pdf.setDateFormatter(lambda *_: FIXED_DATE)
    pdf._doc._ID = _document_id(profile, variant)  # fixed /ID, whatever SOURCE_DATE_EPOCH says
    page_size = (layout.width, layout.height)
    for index, ops in enumerate(layout.pages):
        if layout.page_size(index) != page_size:
            page_size = layout.page_size(index)
            pdf.setPageSize(page_size)
        height = page_size[1]
        for op in ops:
            if isinstance(op, TextOp):
                pdf.setFont(names[op.font], op.size)
                pdf.drawString(op.x, height - op.y, op.text)
            elif isinstance(op, LineOp):
                pdf.setLineWidth(op.width)
                pdf.line(op.x1, height - op.y1, op.x2, height - op.y2)
            elif isinstance(op, RectOp):
                pdf.setFillGray(op.grey)
                pdf.rect(op.x, height - op.y - op.height, op.width, op.height, stroke=0, fill=1)
                pdf.setFillGray(0)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
