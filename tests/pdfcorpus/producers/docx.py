"""Truth profile -> Word document (DOCX), written with python-docx the way an author styles
a profile in Word: a cover page, then the description, the occupation and context tables and
one competence table per section, in one of a few document templates (`TEMPLATES`).

Everything is done with Word's own means: paragraph and table styles, a bullet numbering
definition for the statements, cell shading (w:shd), table borders, the "repeat as header
row" flag (w:tblHeader), vertical cell alignment (w:vAlign), sections (landscape pages, a
different first-page header), PAGE / NUMPAGES fields. Text is written as it is in the truth,
one run per piece; nothing is typed through an autocorrecting editor.

    python -m tests.pdfcorpus.producers.docx PROFILE.json OUT.docx [TEMPLATE]
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from io import BytesIO
from math import cos, pi, sin
from pathlib import Path
from typing import Any

from tests.pdfcorpus.data import ProfileData, load_profile, sections

TWIPS_PER_CM = 1440 / 2.54
FUNDING_LINES = ("Co-funded by the", "Erasmus+ Programme", "of the European Union")
SPECIALISATIONS_LEAD = "Other job roles that are more specialised but based on this"
OCCUPATION_HEADER = ("ID", "NAME", "Concept URI")
COMPETENCE_HEADER = ("Name", "Type (S/K)", "Description/Context", "Level", "ESCO")
PAGE_SIZES_CM = {"A4": (21.0, 29.7), "Letter": (21.59, 27.94)}
# paragraph styles of table cells, as a corporate template defines them
TABLE_TEXT, TABLE_HEADING, TABLE_BULLET, TABLE_ESCO = (
    "Table Text",
    "Table Heading",
    "Table Bullet",
    "Table ESCO",
)
# children of w:tblPr in schema order (Word rejects them out of order)
TBLPR_ORDER = (
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
)


@dataclass(frozen=True)
class Bullet:
    """The bullet of the statement lists: Word's own List Bullet style (Symbol-font bullet),
    or a numbering definition of ours with this glyph and font."""

    glyph: str = "\uf0b7"
    font: str | None = "Symbol"
    builtin_style: bool = False  # use the template's "List Bullet" paragraph style
    indent_cm: float = 0.5  # text indent; the glyph hangs in front of it


@dataclass(frozen=True)
class Template:
    """A document template: page setup, styles and table design of one author's profiles."""

    name: str
    font: str  # body and table text
    heading_font: str
    body_pt: float
    table_pt: float
    heading_pt: float
    heading_color: str | None
    page: str = "A4"
    margins_cm: tuple[float, float, float, float] = (2.5, 2.5, 2.5, 2.5)  # top right bottom left
    line_spacing: float = 1.08  # body text, multiple of single
    body_after_pt: float = 8.0
    justify_description: bool = False
    title_before_pt: float = 0.0  # space above the title on page 2 (a chapter-opener look)
    landscape_competences: bool = False
    # competence table: column widths (cm), labels (a "\n" is a manual line break)
    columns_cm: tuple[float, float, float, float, float] = (3.2, 1.4, 7.6, 2.2, 2.6)
    header_labels: tuple[str, ...] = COMPETENCE_HEADER
    rules: str = "grid"  # grid | horizontal | banded | none
    rule_color: str = "000000"
    rule_eighths: int = 4  # border width in eighths of a point
    header_fill: str | None = None
    header_color: str | None = None  # header text colour
    header_bold: bool = True
    header_centred: bool = False
    header_repeat: bool = False
    band_fill: str = "F2F2F2"  # every other body row when rules == "banded"
    valign: str = "top"  # top | center | bottom (body cells)
    cell_margin_cm: float = 0.19  # left and right
    cell_margin_v_cm: float = 0.05  # top and bottom
    cell_space_after_pt: float = 0.0  # after each table paragraph
    esco_space_after_pt: float = 0.0  # after each ESCO label paragraph
    bullet: Bullet = field(default_factory=Bullet)
    table_style: str = "Table Grid"  # Word's default for an inserted table
    heading_style: str = "Heading 1"
    space_before_competences_pt: float = 0.0  # before the first competence heading
    running_header: str | None = None  # None | "title" | "alliance"
    footer: str | None = None  # None | "page" | "page-of"
    header_footer_pt: float = 8.0
    cover_centred: bool = True
    cover_flag: bool = True
    table_widow_control: bool = False


def _cm(value: float) -> int:
    return round(value * TWIPS_PER_CM)


# ---------------------------------------------------------------------------------------
# Text widths, so that no column is narrower than its longest word: a Word author widens a
# column whose words get cut. (Metrics of the installed font files, via reportlab.)


@cache
def _font_file(family: str, bold: bool) -> str | None:
    try:
        result = subprocess.run(
            ["fc-match", "-f", "%{file}", f"{family}:style={'Bold' if bold else 'Regular'}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return None
    return result.stdout.strip() or None


@cache
def _metrics(family: str, bold: bool) -> Any:
    path = _font_file(family, bold)
    if path is None or not path.lower().endswith((".ttf", ".otf")):
        return None
    try:
        from reportlab.pdfbase.ttfonts import TTFont

        return TTFont(f"{family}-{'bold' if bold else 'regular'}", path)
    except Exception:  # no reportlab, or a font it cannot read: estimate instead
        return None


def text_width_pt(text: str, family: str, size: float, bold: bool = False) -> float:
    """Width of a text in a font (an estimate of 0.6 em per character without metrics)."""
    font = _metrics(family, bold)
    if font is None:
        return 0.6 * size * len(text)
    return float(font.stringWidth(text, size))


def pieces(text: str) -> list[str]:
    """The pieces a line may not be broken inside: words, cut after their hyphens, dashes
    and slashes (where a line may break, UAX #14)."""
    return [piece for word in text.split() for piece in re.findall(r"[^-–—/]+[-–—/]?|[-–—/]", word)]


def widest_piece_cm(texts: Sequence[str], family: str, size: float, bold: bool = False) -> float:
    widths = [text_width_pt(piece, family, size, bold) for t in texts for piece in pieces(t)]
    return max(widths, default=0.0) * 2.54 / 72


# ---------------------------------------------------------------------------------------
# The templates. Each one is a coherent design a Word user could have made.

TEMPLATES: tuple[Template, ...] = (
    # Word's defaults, lightly dressed: Calibri, Table Grid, a light blue repeated header
    # row, the List Bullet style (Symbol bullet), title in the header, "Page X of Y".
    Template(
        name="word-grid",
        font="Carlito",
        heading_font="Carlito",
        body_pt=11,
        table_pt=9,
        heading_pt=13,
        heading_color="2F5496",
        margins_cm=(2.54, 2.54, 2.54, 2.54),
        line_spacing=1.08,
        columns_cm=(3.0, 1.35, 7.9, 2.1, 2.6),
        rules="grid",
        header_fill="D9E2F3",
        header_repeat=True,
        esco_space_after_pt=4,
        bullet=Bullet(builtin_style=True),
        running_header="title",
        footer="page-of",
    ),
    # A printed report: Times-like serif on Letter paper, large table type, horizontal
    # rules only, centred header labels, cells centred vertically, justified description
    # under a chapter-opener title, en-dash bullets, bare page numbers.
    Template(
        name="report-serif",
        font="Liberation Serif",
        heading_font="Liberation Serif",
        body_pt=12,
        table_pt=10.5,
        heading_pt=14,
        heading_color=None,
        page="Letter",
        margins_cm=(2.54, 2.2, 2.54, 2.2),
        line_spacing=1.15,
        body_after_pt=6,
        justify_description=True,
        title_before_pt=300,
        columns_cm=(3.6, 1.6, 7.8, 2.4, 1.8),
        rules="horizontal",
        rule_eighths=6,
        header_centred=True,
        valign="center",
        cell_margin_cm=0.12,
        cell_space_after_pt=2,
        bullet=Bullet(glyph="–", font="Liberation Serif", indent_cm=0.45),
        heading_style="Heading 2",
        footer="page",
        header_footer_pt=10,
        cover_centred=False,
    ),
    # Wide tables on landscape pages: small sans type, a dark header row with white text,
    # banded rows and no rules, square bullets, cells aligned to the bottom.
    Template(
        name="landscape-banded",
        font="DejaVu Sans",
        heading_font="DejaVu Sans",
        body_pt=9.5,
        table_pt=7.5,
        heading_pt=11,
        heading_color="1F3864",
        margins_cm=(2.0, 2.0, 2.0, 2.0),
        line_spacing=1.15,
        landscape_competences=True,
        columns_cm=(4.2, 1.3, 12.6, 2.4, 5.1),
        rules="banded",
        header_fill="1F3864",
        header_color="FFFFFF",
        header_centred=True,
        header_repeat=True,
        band_fill="E7ECF5",
        valign="bottom",
        cell_margin_cm=0.15,
        esco_space_after_pt=3,
        bullet=Bullet(glyph="▪", font="DejaVu Sans", indent_cm=0.4),
        running_header="alliance",
        footer="page-of",
        header_footer_pt=7.5,
    ),
    # A quiet serif design: Cambria-like type, no rules and no shading at all, a very
    # narrow Type column, round bullets.
    Template(
        name="plain-caladea",
        font="Caladea",
        heading_font="Caladea",
        body_pt=11,
        table_pt=10,
        heading_pt=13,
        heading_color="000000",
        margins_cm=(2.2, 2.0, 2.2, 2.0),
        columns_cm=(3.0, 1.0, 8.2, 2.3, 2.5),  # "Type (S/K)" wraps to three lines
        rules="none",
        cell_margin_cm=0.1,
        cell_margin_v_cm=0.12,
        cell_space_after_pt=3,
        esco_space_after_pt=3,
        bullet=Bullet(glyph="•", font="Caladea", indent_cm=0.35),
        running_header="title",
        footer="page",
        header_footer_pt=8,
    ),
)


def heading_space_before_pt(template: Template) -> float:
    """Space above a heading, as the template's heading styles set it."""
    return template.heading_pt * 1.2


def template_named(name: str) -> Template:
    for template in TEMPLATES:
        if template.name == name:
            return template
    raise KeyError(f"no template {name!r}; known: {[t.name for t in TEMPLATES]}")


# ---------------------------------------------------------------------------------------
# XML helpers (python-docx has no API for these; Word writes exactly this markup).


def _w(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(f"w:{tag}")


def _element(tag: str, **attrs: str) -> Any:
    from docx.oxml import OxmlElement

    node = OxmlElement(f"w:{tag}")
    for key, value in attrs.items():
        node.set(_w(key), value)
    return node


def _replace_child(parent: Any, child: Any, successors: Sequence[str] = ()) -> Any:
    """Put `child` into `parent`, replacing one of the same tag, before any successor."""
    old = parent.find(child.tag)
    if old is not None:
        parent.replace(old, child)
        return child
    for tag in successors:
        later = parent.find(_w(tag))
        if later is not None:
            later.addprevious(child)
            return child
    parent.append(child)
    return child


def _set_fonts(rpr: Any, font: str) -> None:
    """Explicit fonts for all scripts; theme fonts (which would win) removed."""
    fonts = rpr.find(_w("rFonts"))
    if fonts is None:
        fonts = _element("rFonts")
        rpr.insert(0, fonts)
    for key in list(fonts.attrib):
        del fonts.attrib[key]
    for script in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(_w(script), font)


def _style_font(style: Any, font: str, size_pt: float | None = None) -> None:
    from docx.shared import Pt

    _set_fonts(style.element.get_or_add_rPr(), font)
    if size_pt is not None:
        style.font.size = Pt(size_pt)


def _borders(tag: str, sides: dict[str, tuple[str, int, str]]) -> Any:
    box = _element(tag)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if side in sides:
            value, size, color = sides[side]
            attrs = {"val": value}
            if value != "nil":
                attrs |= {"sz": str(size), "space": "0", "color": color}
            box.append(_element(side, **attrs))
    return box


def _shade(cell: Any, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    _replace_child(
        tcpr,
        _element("shd", val="clear", color="auto", fill=fill),
        ("noWrap", "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark"),
    )


def _field(paragraph: Any, instruction: str, shown: str) -> None:
    """A complex field (fldChar begin / instrText / separate / result / end), as Word does."""
    from docx.oxml.ns import qn

    def run_with(child: Any) -> None:
        run = paragraph.add_run()
        run._r.append(child)

    run_with(_element("fldChar", fldCharType="begin"))
    instr = _element("instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    run_with(_element("fldChar", fldCharType="separate"))
    paragraph.add_run(shown)
    run_with(_element("fldChar", fldCharType="end"))


def _flag_png(width: int = 90, height: int = 60) -> bytes:
    """A small EU-flag-like picture: blue field, a ring of twelve yellow dots; no text."""
    blue, yellow = (0x00, 0x33, 0x99), (0xFF, 0xCC, 0x00)
    cx, cy, ring, dot = width / 2, height / 2, height / 3, height / 22
    stars = [
        (cx + ring * cos(2 * pi * k / 12), cy + ring * sin(2 * pi * k / 12)) for k in range(12)
    ]
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            near = any((x - sx) ** 2 + (y - sy) ** 2 <= dot * dot for sx, sy in stars)
            rows.extend(yellow if near else blue)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


# ---------------------------------------------------------------------------------------
# The document.


@dataclass
class _Builder:
    profile: ProfileData
    template: Template
    document: Any = None
    bullet_num_id: int = 0

    # -- styles ------------------------------------------------------------------------

    def setup_styles(self) -> None:
        from docx.enum.style import WD_STYLE_TYPE
        from docx.shared import Pt, RGBColor

        t, doc = self.template, self.document
        styles = doc.styles
        # document defaults: the template font everywhere, Word's spacing
        defaults = doc.styles.element.find(_w("docDefaults"))
        rpr = defaults.find(_w("rPrDefault")).find(_w("rPr"))
        _set_fonts(rpr, t.font)
        normal = styles["Normal"]
        _style_font(normal, t.font, t.body_pt)
        normal.paragraph_format.space_after = Pt(t.body_after_pt)
        normal.paragraph_format.line_spacing = t.line_spacing
        normal.paragraph_format.widow_control = True
        for name in ("Heading 1", "Heading 2", "Title"):
            style = styles[name]
            _style_font(style, t.heading_font, t.heading_pt)
            style.font.bold = True
            style.font.color.rgb = RGBColor.from_string(t.heading_color or "000000")
            style.paragraph_format.space_before = Pt(heading_space_before_pt(t))
            style.paragraph_format.space_after = Pt(6)
            pbdr = style.element.get_or_add_pPr().find(_w("pBdr"))
            if pbdr is not None:
                pbdr.getparent().remove(pbdr)
        title = styles["Title"]
        title.font.size = Pt(t.heading_pt + 7)
        title.paragraph_format.space_before = Pt(t.title_before_pt)
        title.paragraph_format.space_after = Pt(12)
        for name in ("Header", "Footer"):
            _style_font(styles[name], t.font, t.header_footer_pt)
        # table paragraph styles, as a template would define them
        text = styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
        text.base_style = normal
        text.font.size = Pt(t.table_pt)
        fmt = text.paragraph_format
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(t.cell_space_after_pt)
        fmt.line_spacing = 1.0
        fmt.widow_control = t.table_widow_control
        head = styles.add_style(TABLE_HEADING, WD_STYLE_TYPE.PARAGRAPH)
        head.base_style = text
        head.font.bold = t.header_bold
        if t.header_color:
            head.font.color.rgb = RGBColor.from_string(t.header_color)
        if t.header_centred:
            from docx.enum.text import WD_ALIGN_PARAGRAPH

            head.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        esco = styles.add_style(TABLE_ESCO, WD_STYLE_TYPE.PARAGRAPH)
        esco.base_style = text
        esco.paragraph_format.space_after = Pt(t.esco_space_after_pt)
        if t.bullet.builtin_style:
            bullet = styles["List Bullet"]
            bullet.base_style = text
            bullet.font.size = Pt(t.table_pt)
            bullet.paragraph_format.space_after = Pt(t.cell_space_after_pt)
            bullet.paragraph_format.widow_control = t.table_widow_control
        else:
            bullet = styles.add_style(TABLE_BULLET, WD_STYLE_TYPE.PARAGRAPH)
            bullet.base_style = text
            self.bullet_num_id = self.add_bullet_numbering()
            numpr = _element("numPr")
            numpr.append(_element("ilvl", val="0"))
            numpr.append(_element("numId", val=str(self.bullet_num_id)))
            ppr = bullet.element.get_or_add_pPr()
            ppr.insert(0, numpr)
        self.bullet_style = bullet

    def add_bullet_numbering(self) -> int:
        """A single-level bullet list definition (abstractNum + num) in numbering.xml."""
        numbering = self.document.part.numbering_part.element
        b = self.template.bullet
        abstract_ids = [
            int(n.get(_w("abstractNumId"))) for n in numbering.findall(_w("abstractNum"))
        ]
        num_ids = [int(n.get(_w("numId"))) for n in numbering.findall(_w("num"))]
        abstract_id, num_id = max(abstract_ids, default=-1) + 1, max(num_ids, default=0) + 1
        abstract = _element("abstractNum", abstractNumId=str(abstract_id))
        abstract.append(_element("nsid", val=f"{0x5A1B0000 + abstract_id:08X}"))
        abstract.append(_element("multiLevelType", val="hybridMultilevel"))
        lvl = _element("lvl", ilvl="0")
        lvl.append(_element("start", val="1"))
        lvl.append(_element("numFmt", val="bullet"))
        lvl.append(_element("lvlText", val=b.glyph))
        lvl.append(_element("lvlJc", val="left"))
        ppr = _element("pPr")
        indent = _cm(b.indent_cm)
        ppr.append(_element("ind", left=str(indent), hanging=str(indent)))
        lvl.append(ppr)
        if b.font:
            rpr = _element("rPr")
            rpr.append(_element("rFonts", ascii=b.font, hAnsi=b.font, hint="default"))
            lvl.append(rpr)
        abstract.append(lvl)
        last_abstract = numbering.findall(_w("abstractNum"))
        if last_abstract:
            last_abstract[-1].addnext(abstract)
        else:
            numbering.insert(0, abstract)
        num = _element("num", numId=str(num_id))
        num.append(_element("abstractNumId", val=str(abstract_id)))
        numbering.append(num)
        return num_id

    # -- page setup --------------------------------------------------------------------

    def setup_section(self, section: Any, landscape: bool) -> None:
        from docx.enum.section import WD_ORIENT
        from docx.shared import Cm

        t = self.template
        width, height = PAGE_SIZES_CM[t.page]
        top, right, bottom, left = t.margins_cm
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Cm(height), Cm(width)
        else:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = Cm(width), Cm(height)
        section.top_margin, section.bottom_margin = Cm(top), Cm(bottom)
        section.left_margin, section.right_margin = Cm(left), Cm(right)
        section.header_distance = section.footer_distance = Cm(min(top, bottom) / 2)

    def text_width_cm(self, landscape: bool) -> float:
        t = self.template
        width, height = PAGE_SIZES_CM[t.page]
        return (height if landscape else width) - t.margins_cm[1] - t.margins_cm[3]

    def setup_header_footer(self, section: Any) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        t = self.template
        if not (t.running_header or t.footer):
            return
        section.different_first_page_header_footer = True  # the cover has none
        if t.running_header:
            paragraph = section.header.paragraphs[0]
            paragraph.text = (
                self.profile.title if t.running_header == "title" else self.profile.alliance
            )
            paragraph.alignment = (
                WD_ALIGN_PARAGRAPH.RIGHT if t.running_header == "title" else WD_ALIGN_PARAGRAPH.LEFT
            )
        if t.footer:
            paragraph = section.footer.paragraphs[0]
            if t.footer == "page-of":
                paragraph.add_run("Page ")
                _field(paragraph, "PAGE", "1")
                paragraph.add_run(" of ")
                _field(paragraph, "NUMPAGES", "1")
            else:
                _field(paragraph, "PAGE", "1")
            paragraph.alignment = (
                WD_ALIGN_PARAGRAPH.CENTER if t.footer == "page" else WD_ALIGN_PARAGRAPH.RIGHT
            )

    # -- content -----------------------------------------------------------------------

    def cover(self) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
        from docx.shared import Cm, Pt

        t, doc, p = self.template, self.document, self.profile
        align = WD_ALIGN_PARAGRAPH.CENTER if t.cover_centred else WD_ALIGN_PARAGRAPH.LEFT
        first = doc.add_paragraph()
        first.paragraph_format.space_before = Pt(90)
        run = first.add_run(p.alliance)
        run.font.size = Pt(t.body_pt + 3)
        first.alignment = align
        period = doc.add_paragraph()
        run = period.add_run(p.period)
        run.font.size = Pt(t.body_pt + 1)
        period.alignment = align
        period.paragraph_format.space_after = Pt(48)
        title = doc.add_paragraph()
        run = title.add_run(p.title)
        run.bold = True
        run.font.size = Pt(t.heading_pt + 13)
        title.alignment = align
        title.paragraph_format.space_after = Pt(150)
        if t.cover_flag:
            flag = doc.add_paragraph()
            flag.alignment = align
            flag.add_run().add_picture(BytesIO(_flag_png()), width=Cm(2.4))
            flag.paragraph_format.space_after = Pt(4)
        if t.cover_centred:
            for line in FUNDING_LINES:
                funding = doc.add_paragraph(line)
                funding.alignment = align
                funding.paragraph_format.space_after = Pt(0)
        else:  # one paragraph, manual line breaks (Shift+Enter)
            funding = doc.add_paragraph()
            funding.alignment = align
            for index, line in enumerate(FUNDING_LINES):
                run = funding.add_run(line)
                if index < len(FUNDING_LINES) - 1:
                    run.add_break(WD_BREAK.LINE)
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def introduction(self) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        t, doc, p = self.template, self.document, self.profile
        doc.add_paragraph(p.title, style="Title")
        for text in p.paragraphs:
            paragraph = doc.add_paragraph(text)
            if t.justify_description:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        doc.add_paragraph("ESCO Occupations", style=t.heading_style)
        width = self.text_width_cm(False)
        # the URI column as wide as the longest URI if the other columns keep room for
        # their widest word, else narrower (the URIs then wrap after a '-' or '/')
        margins = 2 * t.cell_margin_cm + 0.1
        uri = max((text_width_pt(o.esco_uri, t.font, t.table_pt) for o in p.occupations), default=0)
        code_cm = max(width * 0.09, self.widest([o.esco_code for o in p.occupations]) + margins)
        name_cm = max(width * 0.15, self.widest([o.esco_label for o in p.occupations]) + margins)
        uri_cm = min(uri * 2.54 / 72 * 1.04 + margins, width - code_cm - name_cm)
        widths = [code_cm, width - code_cm - uri_cm, uri_cm]
        table = self.table(widths, OCCUPATION_HEADER)
        for band, occupation in enumerate(p.occupations):
            self.row(
                table,
                [[occupation.esco_code], [occupation.esco_label], [occupation.esco_uri]],
                band=band,
            )
        doc.add_paragraph("Context", style=t.heading_style)
        table = self.table([width * 0.25, width * 0.75], None)
        rows = [
            ("Minimum EQF", [p.eqf_text]),
            ("Value Chain", [p.value_chain]),
            ("Departments", list(p.departments)),
            ("Specialisations", [SPECIALISATIONS_LEAD, *p.specialisations]),
        ]
        for band, (label, values) in enumerate(rows):
            cells = self.row(table, [[label], values], band=band)
            for run in cells[0].paragraphs[0].runs:
                run.bold = True

    def competences(self) -> None:
        from docx.enum.section import WD_SECTION
        from docx.shared import Pt

        t, doc = self.template, self.document
        landscape = t.landscape_competences
        if landscape:
            section = doc.add_section(WD_SECTION.NEW_PAGE)
            self.setup_section(section, landscape=True)
            # headers and footers continue from the portrait pages (linked to previous)
            section.different_first_page_header_footer = False
        scale = self.text_width_cm(landscape) / sum(t.columns_cm)
        widths = self.fit(
            [w * scale for w in t.columns_cm],
            [
                [c.name for c in self.profile.competences],
                [c.type for c in self.profile.competences],
                [s for c in self.profile.competences for s in c.statements],
                [c.level for c in self.profile.competences],
                [s for c in self.profile.competences for s in c.esco_skills],
            ],
            give=2,
            extra={2: t.bullet.indent_cm if not t.bullet.builtin_style else 0.64},
        )
        for index, section_data in enumerate(sections(self.profile)):
            heading = doc.add_paragraph(section_data.heading, style=t.heading_style)
            if index == 0 and t.space_before_competences_pt:
                heading.paragraph_format.space_before = Pt(t.space_before_competences_pt)
            table = self.table(widths, t.header_labels)
            for band, competence in enumerate(section_data.competences):
                self.row(
                    table,
                    [
                        [competence.name],
                        [competence.type],
                        list(competence.statements),
                        [competence.level],
                        list(competence.esco_skills),
                    ],
                    kinds=("text", "text", "bullet", "text", "esco"),
                    body=True,
                    band=band,
                )

    # -- tables ------------------------------------------------------------------------

    def widest(self, texts: Sequence[str]) -> float:
        """cm of the widest unbreakable piece of the texts in the table font."""
        return widest_piece_cm(texts, self.template.font, self.template.table_pt) * 1.06

    def fit(
        self,
        widths: list[float],
        texts: Sequence[Sequence[str]],
        give: int,
        extra: dict[int, float] | None = None,
    ) -> list[float]:
        """Widen columns narrower than their widest word, taking the room from `give`."""
        t = self.template
        widths = list(widths)
        for column, values in enumerate(texts):
            need = self.widest(values) + 2 * t.cell_margin_cm
            need += (extra or {}).get(column, 0.0) + 0.05
            if column != give and widths[column] < need:
                widths[give] -= need - widths[column]
                widths[column] = need
        return widths

    def table(
        self,
        widths_cm: Sequence[float],
        header: Sequence[str] | None,
    ) -> Any:
        from docx.shared import Cm

        t, doc = self.template, self.document
        table = doc.add_table(rows=0, cols=len(widths_cm))
        table.style = doc.styles[t.table_style]
        table.autofit = False  # w:tblLayout fixed
        tblpr = table._tbl.tblPr

        def put(child: Any) -> None:
            later = TBLPR_ORDER[TBLPR_ORDER.index(child.tag.split("}")[1]) + 1 :]
            _replace_child(tblpr, child, later)

        put(_element("tblW", w=str(sum(_cm(w) for w in widths_cm)), type="dxa"))
        if t.rules != "grid":  # the user's choice in Borders, over the table style's grid
            put(self.border_element())
        margins = _element("tblCellMar")
        for side in ("top", "left", "bottom", "right"):
            value = _cm(t.cell_margin_cm if side in ("left", "right") else t.cell_margin_v_cm)
            margins.append(_element(side, w=str(value), type="dxa"))
        put(margins)
        for column, width in zip(table.columns, widths_cm, strict=True):
            column.width = Cm(width)
        if header:
            self.row(table, [[label] for label in header], header=True)
        return table

    def border_element(self) -> Any:
        t = self.template
        line = ("single", t.rule_eighths, t.rule_color)
        nil = ("nil", 0, "")
        if t.rules == "grid":
            sides = dict.fromkeys(("top", "left", "bottom", "right", "insideH", "insideV"), line)
        elif t.rules == "horizontal":
            sides = {
                "top": line,
                "bottom": line,
                "insideH": line,
                "left": nil,
                "right": nil,
                "insideV": nil,
            }
        else:
            sides = dict.fromkeys(("top", "left", "bottom", "right", "insideH", "insideV"), nil)
        return _borders("tblBorders", sides)

    def row(
        self,
        table: Any,
        contents: Sequence[Sequence[str]],
        kinds: Sequence[str] | None = None,
        header: bool = False,
        body: bool = False,
        band: int = 0,
    ) -> list[Any]:
        from docx.enum.table import WD_ALIGN_VERTICAL
        from docx.shared import Cm

        t = self.template
        row = table.add_row()
        if header and t.header_repeat:
            row._tr.get_or_add_trPr().append(_element("tblHeader"))
        cells = list(row.cells)
        for column, (cell, texts) in enumerate(zip(cells, contents, strict=True)):
            cell.width = Cm(table.columns[column].width.cm)
            kind = "heading" if header else (kinds[column] if kinds else "text")
            style = {
                "heading": TABLE_HEADING,
                "text": TABLE_TEXT,
                "bullet": self.bullet_style.name,
                "esco": TABLE_ESCO,
            }[kind]
            for index, text in enumerate(texts):
                paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
                paragraph.style = self.document.styles[style]
                lines = text.split("\n")
                for number, line in enumerate(lines):
                    run = paragraph.add_run(line)
                    if number < len(lines) - 1:
                        from docx.enum.text import WD_BREAK

                        run.add_break(WD_BREAK.LINE)
            if not texts:
                cell.paragraphs[0].style = self.document.styles[TABLE_TEXT]
            if header and t.header_fill:
                _shade(cell, t.header_fill)
            if not header and t.rules == "banded" and band % 2 == 1:
                _shade(cell, t.band_fill)
            if body:
                cell.vertical_alignment = {
                    "top": WD_ALIGN_VERTICAL.TOP,
                    "center": WD_ALIGN_VERTICAL.CENTER,
                    "bottom": WD_ALIGN_VERTICAL.BOTTOM,
                }[t.valign]
        return cells

    # -- all ---------------------------------------------------------------------------

    def build(self) -> Any:
        import docx

        self.document = docx.Document()
        core = self.document.core_properties
        core.title = self.profile.title
        core.author = "ALBATTS"
        core.subject = "Job Role Profile"
        core.keywords = self.template.name
        self.setup_styles()
        section = self.document.sections[0]
        self.setup_section(section, landscape=False)
        self.setup_header_footer(section)
        self.cover()
        self.introduction()
        self.competences()
        return self.document


def build_document(profile: ProfileData, template: Template) -> Any:
    """The python-docx Document of a profile in a template."""
    return _Builder(profile, template).build()


def write_docx(profile: ProfileData, template: Template, path: Path) -> Path:
    """Write the profile as a DOCX file; return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    build_document(profile, template).save(str(path))
    return path


def tuned(template: Template, **changes: Any) -> Template:
    """A template with some settings changed (e.g. spacing tuned to move a page break)."""
    return replace(template, **changes)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) not in (2, 3):
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    template = template_named(args[2]) if len(args) == 3 else TEMPLATES[0]
    write_docx(load_profile(args[0]), template, Path(args[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
