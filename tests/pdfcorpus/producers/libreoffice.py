"""LibreOffice producer: truth profile -> Word document (python-docx, producers/docx.py) ->
PDF by LibreOffice Writer (`soffice --headless --convert-to pdf`).

Every PDF is read back with pdfplumber: all truth text must be found in it (else rendering
fails), and `Rendered.variations` lists only the layout variations `detect()` finds in the
PDF itself. Templates that need a page break at a particular place (a justified description
paragraph crossing a page, a Name cell cut by a page break) get it by trying a few values of
one spacing setting and keeping the first document in which the variation is found.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tests.pdfcorpus.data import CompetenceData, ProfileData, sections
from tests.pdfcorpus.producers import Producer, Rendered
from tests.pdfcorpus.producers.docx import (
    COMPETENCE_HEADER,
    FUNDING_LINES,
    SPECIALISATIONS_LEAD,
    TEMPLATES,
    Template,
    heading_space_before_pt,
    pieces,
    template_named,
    tuned,
    write_docx,
)

SOFFICE_NAMES = ("soffice", "libreoffice")
CONVERT_TIMEOUT = 900
# glyphs a list bullet may be drawn with (U+F0B7 is Word's Symbol-font bullet)
BULLET_GLYPHS = frozenset("\uf0b7\uf0a7\uf076\uf0d8•◦▪■●–-‣∙·►➢✓")
SERIF_HINTS = ("serif", "caladea", "cambria", "times", "georgia", "garamond")
SANS_HINTS = ("sans", "carlito", "calibri", "arial", "helvetica", "verdana")


# ---------------------------------------------------------------------------------------
# Reading a PDF back: glyphs in content-stream order, whitespace dropped.


@dataclass(frozen=True)
class Glyph:
    """One drawn character (a ligature glyph is split into its characters)."""

    text: str
    page: int  # 0-based
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    font: str

    @property
    def mid_x(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def mid_y(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class Box:
    """A vector object of a page: a line or a rectangle (pdfplumber coordinates)."""

    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    filled: bool
    stroked: bool
    fill: tuple[float, ...] | None

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def contains(self, glyph: Glyph) -> bool:
        return (
            glyph.page == self.page
            and self.x0 <= glyph.mid_x <= self.x1
            and self.top <= glyph.mid_y <= self.bottom
        )

    @property
    def is_rule(self) -> bool:
        """A line, or a rectangle thin enough to be one."""
        return min(self.width, self.height) < 2.0

    @property
    def is_vertical_rule(self) -> bool:
        return self.is_rule and self.height > 8 and self.width < 2.0

    @property
    def is_horizontal_rule(self) -> bool:
        return self.is_rule and self.width > 8 and self.height < 2.0

    @property
    def tinted(self) -> bool:
        """Filled with a colour other than white."""
        if not self.filled or self.fill is None:
            return False
        values = list(self.fill)
        if len(values) == 1:
            return values[0] < 0.97
        if len(values) == 3:
            return min(values) < 0.97
        if len(values) == 4:
            return max(values) > 0.03
        return True


@dataclass
class PdfText:
    """A PDF's glyphs in stream order (whitespace removed) and its vector boxes."""

    pages: list[tuple[float, float]]
    glyphs: list[Glyph]
    boxes: list[Box]
    joined: str = ""
    page_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.joined = "".join(g.text for g in self.glyphs)
        starts, page = [], -1
        for index, glyph in enumerate(self.glyphs):
            while page < glyph.page:
                page += 1
                starts.append(index)
        while len(starts) <= len(self.pages):
            starts.append(len(self.glyphs))
        self.page_starts = starts

    def page_span(self, page: int) -> tuple[int, int]:
        if page >= len(self.pages):
            return len(self.glyphs), len(self.glyphs)
        return self.page_starts[page], self.page_starts[page + 1]

    def page_glyphs(self, page: int) -> list[Glyph]:
        start, end = self.page_span(page)
        return self.glyphs[start:end]

    def page_boxes(self, page: int) -> list[Box]:
        return [box for box in self.boxes if box.page == page]


def squash(text: str) -> str:
    """Text as compared with the PDF: NFC, no whitespace."""
    return "".join(unicodedata.normalize("NFC", text).split())


def _color(value: Any) -> tuple[float, ...] | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return (float(value),)
    try:
        return tuple(float(v) for v in value)
    except (TypeError, ValueError):
        return None


def read_pdf(path: Path | str) -> PdfText:
    """Glyphs and boxes of a PDF, read with pdfplumber."""
    import pdfplumber

    glyphs: list[Glyph] = []
    boxes: list[Box] = []
    pages: list[tuple[float, float]] = []
    with pdfplumber.open(path) as document:
        for number, page in enumerate(document.pages):
            pages.append((float(page.width), float(page.height)))
            for char in page.chars:
                text = unicodedata.normalize("NFC", str(char["text"]))
                text = "".join(text.split())
                if not text:
                    continue
                x0, x1 = float(char["x0"]), float(char["x1"])
                step = (x1 - x0) / len(text)
                font = re.sub(r"^[A-Z]{6}\+", "", str(char["fontname"]))
                for index, letter in enumerate(text):
                    glyphs.append(
                        Glyph(
                            letter,
                            number,
                            x0 + index * step,
                            x0 + (index + 1) * step,
                            float(char["top"]),
                            float(char["bottom"]),
                            float(char["size"]),
                            font,
                        )
                    )
            for kind in ("lines", "rects"):
                for item in getattr(page, kind):
                    boxes.append(
                        Box(
                            number,
                            float(item["x0"]),
                            float(item["x1"]),
                            float(item["top"]),
                            float(item["bottom"]),
                            bool(item.get("fill")) and kind == "rects",
                            bool(item.get("stroke", kind == "lines")) or kind == "lines",
                            _color(item.get("non_stroking_color")),
                        )
                    )
    return PdfText(pages, _visual_runs(glyphs), boxes)


def _visual_runs(glyphs: list[Glyph]) -> list[Glyph]:
    """Stream order, except that each run of consecutive glyphs on one baseline is put in
    left-to-right order: LibreOffice draws a line's fallback-font glyphs (a character the
    font lacks) after the rest of the line."""
    ordered: list[Glyph] = []
    run: list[Glyph] = []
    for glyph in glyphs:
        if run and (glyph.page != run[0].page or abs(glyph.bottom - run[0].bottom) > 1.0):
            ordered.extend(sorted(run, key=lambda g: g.x0))
            run = []
        run.append(glyph)
    ordered.extend(sorted(run, key=lambda g: g.x0))
    return ordered


# ---------------------------------------------------------------------------------------
# Finding truth text in the stream: contiguous, or cut by page breaks (the rest of a cell
# continues on the next page, after that page's header rows and other cells).

Match = list[int]  # glyph indexes


def _common_prefix(joined: str, pos: int, target: str) -> int:
    length = 0
    limit = min(len(target), len(joined) - pos)
    while length < limit and joined[pos + length] == target[length]:
        length += 1
    return length


def line_starts(doc: PdfText, match: Sequence[int]) -> list[float]:
    """x0 of the glyphs of a match that begin a line."""
    starts = []
    previous: Glyph | None = None
    for index in match:
        glyph = doc.glyphs[index]
        if previous is None or glyph.page != previous.page or glyph.top > previous.bottom - 1:
            starts.append(glyph.x0)
        previous = glyph
    return starts


def find_text(
    doc: PdfText,
    text: str,
    start: int = 0,
    end: int | None = None,
    *,
    page: int | None = None,
    xs: Sequence[float] | None = None,
    depth: int = 4,
) -> Match | None:
    """The first place `text` is drawn at or after glyph `start` (its first glyph before
    `end`, on `page` if given): contiguous in the stream, or in parts on consecutive pages
    where each part starts at the x of a line start of the part before (the same cell or
    column continued after the next page's running header, header row and other cells)."""
    target = squash(text)
    if not target:
        return None
    found = _find(doc, target, start, end, page, xs, depth, 5)
    # else maybe a part of fewer than 5 characters before a page break ('wear' / ...)
    return found or _find(doc, target, start, end, page, xs, depth, 2)


def _find(
    doc: PdfText,
    target: str,
    start: int,
    end: int | None,
    page: int | None,
    xs: Sequence[float] | None,
    depth: int,
    anchor_length: int,
) -> Match | None:
    lo, hi = start, len(doc.glyphs) if end is None else end
    if page is not None:
        page_lo, page_hi = doc.page_span(page)
        lo, hi = max(lo, page_lo), min(hi, page_hi)
    anchor = target[: min(len(target), anchor_length)]
    pos = doc.joined.find(anchor, lo)
    while 0 <= pos < hi:
        glyph = doc.glyphs[pos]
        if xs is None or any(abs(glyph.x0 - x) <= 2.0 for x in xs):
            length = _common_prefix(doc.joined, pos, target)
            if length == len(target):
                return list(range(pos, pos + length))
            if depth > 0 and length >= len(anchor):
                for cut in range(length, len(anchor) - 1, -1):
                    part = list(range(pos, pos + cut))
                    rest = find_text(
                        doc,
                        target[cut:],
                        pos + cut,
                        page=doc.glyphs[part[-1]].page + 1,
                        xs=line_starts(doc, part),
                        depth=depth - 1,
                    )
                    if rest is not None:
                        return part + rest
        pos = doc.joined.find(anchor, pos + 1)
    return None


def lines_of(doc: PdfText, match: Iterable[int]) -> list[list[Glyph]]:
    """The glyphs of a match grouped into lines (page, then baseline), in order."""
    groups: dict[tuple[int, int], list[Glyph]] = {}
    for index in match:
        glyph = doc.glyphs[index]
        key = (glyph.page, round(glyph.bottom))
        # merge with a neighbouring baseline (sub-point jitter)
        for other in ((glyph.page, key[1] - 1), (glyph.page, key[1] + 1)):
            if other in groups:
                key = other
                break
        groups.setdefault(key, []).append(glyph)
    return [groups[key] for key in sorted(groups)]


def pages_of(doc: PdfText, match: Iterable[int]) -> list[int]:
    return sorted({doc.glyphs[index].page for index in match})


# ---------------------------------------------------------------------------------------
# Where the profile is in the PDF.


@dataclass
class RowFound:
    competence: CompetenceData
    name: Match
    type_glyph: Glyph | None
    statements: list[Match]
    level: Match | None
    esco: list[Match]

    @property
    def statement_glyphs(self) -> list[int]:
        return [index for match in self.statements for index in match]


@dataclass
class ProfileFound:
    doc: PdfText
    headers: list[Match]  # competence table header rows
    rows: list[RowFound]
    paragraphs: list[Match]
    missing: list[str]  # truth texts not found
    cut: list[str]  # words of truth texts cut over two lines


class RenderCheckError(RuntimeError):
    """A PDF does not contain its truth text."""


def cut_words(doc: PdfText, text: str, match: Match) -> list[str]:
    """Pieces of `text` (words, or their parts up to a hyphen) drawn on more than one line:
    words the layout cut, which would no longer read back as the truth."""
    cut, offset = [], 0
    for piece in pieces(unicodedata.normalize("NFC", text)):
        glyphs = [doc.glyphs[i] for i in match[offset : offset + len(piece)]]
        offset += len(piece)
        if len({(g.page, round(g.bottom)) for g in glyphs}) > 1 and _line_count(glyphs) > 1:
            cut.append(piece)
    return cut


def find_right_of(
    doc: PdfText, text: str, start: int, end: int | None, left: float
) -> Match | None:
    """find_text, skipping places whose first glyph is not right of `left`."""
    while True:
        found = find_text(doc, text, start, end)
        if found is None or doc.glyphs[found[0]].x0 > left:
            return found
        start = found[0] + 1


def _find_name(
    doc: PdfText, competence: CompetenceData, start: int
) -> tuple[Match | None, Glyph | None]:
    """A competence's Name cell: its text followed in the stream by the Type cell, a lone
    letter (so not the same words inside a statement)."""
    while True:
        found = find_text(doc, competence.name, start)
        if found is None:
            return None, None
        first_part_end = found[0]
        while first_part_end + 1 in found:
            first_part_end += 1
        after = first_part_end + 1
        if after < len(doc.glyphs) and doc.glyphs[after].text == competence.type:
            glyph = doc.glyphs[after]
            following = doc.glyphs[after + 1] if after + 1 < len(doc.glyphs) else None
            if following is None or not (
                following.page == glyph.page
                and abs(following.bottom - glyph.bottom) < 1
                and -0.5 < following.x0 - glyph.x1 < 1.5
            ):
                return found, glyph
        start = found[0] + 1


def locate_profile(doc: PdfText, profile: ProfileData) -> ProfileFound:
    """Find every piece of truth text of the profile; list what cannot be found."""
    missing: list[str] = []
    cut: list[str] = []

    def need(text: str, start: int = 0, end: int | None = None, words: bool = True) -> Match | None:
        found = find_text(doc, text, start, end)
        if found is None:
            missing.append(text)
        elif words:
            cut.extend(cut_words(doc, text, found))
        return found

    cover_end = doc.page_span(0)[1]
    for text in (profile.alliance, profile.period, profile.title, *FUNDING_LINES):
        need(text, 0, cover_end)
    cursor = cover_end
    need(profile.title, cursor)
    paragraphs = []
    for text in profile.paragraphs:
        found = need(text, cursor)
        if found:
            paragraphs.append(found)
            cursor = found[0]
    need("ESCO Occupations" + "".join(("ID", "NAME", "Concept URI")), cursor, words=False)
    for occupation in profile.occupations:
        for text in (occupation.esco_code, occupation.esco_label, occupation.esco_uri):
            need(text, cursor)
    need("Context", cursor)
    for text in (
        "Minimum EQF" + profile.eqf_text,
        "Value Chain" + profile.value_chain,
        "Departments" + "".join(profile.departments),
        "Specialisations" + SPECIALISATIONS_LEAD + "".join(profile.specialisations),
    ):
        need(text, cursor, words=False)
    header_text = "".join(COMPETENCE_HEADER)
    headers: list[Match] = []
    pos = doc.joined.find(squash(header_text), cursor)
    while pos >= 0:
        headers.append(list(range(pos, pos + len(squash(header_text)))))
        pos = doc.joined.find(squash(header_text), pos + 1)
    if not headers:
        missing.append(header_text)
    for section in sections(profile):
        need(section.heading, cursor)
    # rows: names and statements in stream order
    rows: list[RowFound] = []
    name_cursor = stmt_cursor = cursor
    for competence in profile.competences:
        name, type_glyph = _find_name(doc, competence, name_cursor)
        if name is None:
            name = need(competence.name, name_cursor) or []
        if name:
            name_cursor = name[0] + 1
        statements = []
        for text in competence.statements:
            found = need(text, stmt_cursor)
            if found:
                statements.append(found)
                stmt_cursor = found[0] + 1
        rows.append(RowFound(competence, name, type_glyph, statements, None, []))
    for index, row in enumerate(rows):
        if not row.statements:
            continue
        # Level and ESCO cells follow the Description cell's part on its first page, right
        # of the statements' left edge
        glyphs = row.statement_glyphs
        first_page = doc.glyphs[glyphs[0]].page
        start = max(i for i in glyphs if doc.glyphs[i].page == first_page) + 1
        left = min(doc.glyphs[i].x0 for i in glyphs) + 15
        following = [r.statements[0][0] for r in rows[index + 1 :] if r.statements]
        end = following[0] if following else None
        row.level = find_right_of(doc, row.competence.level, start, end, left)
        if row.level is None:
            missing.append(row.competence.level)
            continue
        left = doc.glyphs[row.level[0]].x0 + 5
        for label in row.competence.esco_skills:  # one after the other in the cell
            found = find_right_of(doc, label, start, end, left)
            if found:
                row.esco.append(found)
                cut.extend(cut_words(doc, label, found))
                start = found[-1] + 1
            else:
                missing.append(label)
    return ProfileFound(doc, headers, rows, paragraphs, missing, cut)


# ---------------------------------------------------------------------------------------
# Layout variations, each detected on the PDF (pure functions of the located profile).


def _header_labels(found: ProfileFound, header: Match) -> dict[str, list[Glyph]]:
    labels, offset = {}, 0
    for label in COMPETENCE_HEADER:
        length = len(squash(label))
        labels[label] = [found.doc.glyphs[i] for i in header[offset : offset + length]]
        offset += length
    return labels


def _line_count(glyphs: Sequence[Glyph]) -> int:
    """Number of text lines the glyphs are on (tops more than half a size apart)."""
    count, last = 0, None
    for glyph in sorted(glyphs, key=lambda g: (g.page, g.top)):
        if last is None or glyph.page != last.page or glyph.top > last.top + glyph.size * 0.5:
            count += 1
            last = glyph
    return count


def has_header_wrap(found: ProfileFound, lines: int) -> bool:
    """A header label over exactly `lines` lines (2: 'Type' above '(S/K)')."""
    for header in found.headers:
        labels = _header_labels(found, header)
        if lines == 2:
            glyphs = labels["Type (S/K)"]
            word, rest = glyphs[:4], glyphs[4:]
            if (
                _line_count(glyphs) == 2
                and _line_count(word) == 1
                and _line_count(rest) == 1
                and min(g.top for g in rest) > max(g.top for g in word)
            ):
                return True
        elif any(_line_count(glyphs) >= lines for glyphs in labels.values()):
            return True
    return False


def _column_lefts(found: ProfileFound, page: int) -> list[float] | None:
    """Left text edge of each competence column on a page, from the body cells."""
    doc = found.doc
    columns: list[list[float]] = [[], [], [], [], []]
    for row in found.rows:
        for index in row.name:
            if doc.glyphs[index].page == page:
                columns[0].append(doc.glyphs[index].x0)
        if row.type_glyph and row.type_glyph.page == page:
            columns[1].append(row.type_glyph.x0)
        for match in row.statements:
            for index in match:
                if doc.glyphs[index].page == page:
                    columns[2].append(doc.glyphs[index].x0)
        for index in row.level or []:
            if doc.glyphs[index].page == page:
                columns[3].append(doc.glyphs[index].x0)
        for match in row.esco:
            for index in match:
                if doc.glyphs[index].page == page:
                    columns[4].append(doc.glyphs[index].x0)
    if not all(columns):
        return None
    lefts = [min(values) for values in columns]
    # the Description column starts at its bullets, left of the statement text
    bullets = [
        g.x0
        for g in doc.page_glyphs(page)
        if g.text in BULLET_GLYPHS and lefts[1] < g.x0 < lefts[2] and g.x0 < lefts[3]
    ]
    if bullets:
        lefts[2] = min(bullets)
    return lefts if lefts == sorted(lefts) else None


def has_header_centred(found: ProfileFound) -> bool:
    """Name, Description/Context and Level labels centred over their columns."""
    seen = False
    for header in found.headers:
        page = found.doc.glyphs[header[0]].page
        lefts = _column_lefts(found, page)
        if lefts is None:
            continue
        labels = _header_labels(found, header)
        for column, label in ((0, "Name"), (2, "Description/Context"), (3, "Level")):
            glyphs = labels[label]
            left, right = lefts[column], lefts[column + 1]
            centre = (min(g.x0 for g in glyphs) + max(g.x1 for g in glyphs)) / 2
            if abs(centre - (left + right) / 2) > 10 or min(g.x0 for g in glyphs) < left + 5:
                return False
        seen = True
    return seen


def has_header_bold(found: ProfileFound) -> bool:
    glyphs = [found.doc.glyphs[i] for header in found.headers for i in header]
    return bool(glyphs) and all("bold" in g.font.lower() for g in glyphs)


def has_header_shaded(found: ProfileFound) -> bool:
    doc = found.doc
    tinted = [box for box in doc.boxes if box.tinted and not box.is_rule]
    glyphs = [doc.glyphs[i] for header in found.headers for i in header]
    return bool(glyphs) and all(any(box.contains(g) for box in tinted) for g in glyphs)


def has_header_repeated(found: ProfileFound, profile: ProfileData) -> bool:
    """More header rows than tables, a repeat at the top of a page's table part."""
    if len(found.headers) <= len(sections(profile)):
        return False
    doc = found.doc
    heading_pages = set()
    for section in sections(profile):
        match = find_text(doc, section.heading, doc.page_span(1)[0])
        if match:
            heading_pages.add((doc.glyphs[match[0]].page, doc.glyphs[match[-1]].bottom))
    for header in found.headers:
        first = doc.glyphs[header[0]]
        above = [b for p, b in heading_pages if p == first.page and 0 < first.top - b < 40]
        if not above:
            return True
    return False


def _table_pages(found: ProfileFound) -> list[int]:
    doc = found.doc
    pages = {doc.glyphs[h[0]].page for h in found.headers}
    pages |= {doc.glyphs[i].page for row in found.rows for i in row.statement_glyphs}
    return sorted(pages)


def _rules(found: ProfileFound, pages: Iterable[int]) -> list[Box]:
    wanted = set(pages)
    return [box for box in found.doc.boxes if box.page in wanted and (box.is_rule or box.stroked)]


def has_rules_grid(found: ProfileFound) -> bool:
    for page in _table_pages(found):
        rules = _rules(found, [page])
        verticals = {round(b.x0) for b in rules if b.is_vertical_rule}
        horizontals = [b for b in rules if b.is_horizontal_rule and b.width > 200]
        if len(verticals) >= 6 and len(horizontals) >= 3:
            return True
    return False


def has_rules_horizontal(found: ProfileFound) -> bool:
    pages = _table_pages(found)
    rules = _rules(found, range(1, len(found.doc.pages)))
    if any(b.is_vertical_rule or (b.stroked and not b.is_rule) for b in rules):
        return False
    return any(
        len([b for b in rules if b.page == page and b.is_horizontal_rule and b.width > 200]) >= 3
        for page in pages
    )


def has_shaded_rows(found: ProfileFound) -> bool:
    """Tinted rectangles behind some body rows (not all), no rules on any page."""
    doc = found.doc
    if _rules(found, range(1, len(doc.pages))):
        return False
    tinted = [box for box in doc.boxes if box.tinted and not box.is_rule]
    shaded = plain = 0
    for row in found.rows:
        if not row.statements:
            continue
        first = doc.glyphs[row.statements[0][0]]
        if any(box.contains(first) for box in tinted):
            shaded += 1
        else:
            plain += 1
    return shaded >= 2 and plain >= 2


def is_borderless(found: ProfileFound) -> bool:
    doc = found.doc
    pages = range(1, len(doc.pages))
    return not _rules(found, pages) and not any(
        box.tinted for box in doc.boxes if box.page in pages
    )


def has_name_wrap(found: ProfileFound) -> bool:
    return any(
        len(lines_of(found.doc, row.name)) >= 2 and len(pages_of(found.doc, row.name)) == 1
        for row in found.rows
        if row.name
    )


def has_name_across_pages(found: ProfileFound) -> bool:
    return any(len(pages_of(found.doc, row.name)) >= 2 for row in found.rows if row.name)


def has_row_across_pages(found: ProfileFound, pages: int = 2) -> bool:
    for row in found.rows:
        spread = pages_of(found.doc, row.statement_glyphs)
        for index in range(len(spread) - pages + 1):
            if spread[index + pages - 1] - spread[index] == pages - 1:
                return True
    return False


def _valign_rows(found: ProfileFound) -> Iterable[tuple[Glyph, list[list[Glyph]]]]:
    """(Type glyph, statement lines) of rows drawn on one page with 3+ statement lines."""
    doc = found.doc
    for row in found.rows:
        if row.type_glyph is None or not row.statements:
            continue
        lines = lines_of(doc, row.statement_glyphs)
        if len(pages_of(doc, row.statement_glyphs + row.name)) != 1 or len(lines) < 3:
            continue
        if lines[0][0].page != row.type_glyph.page:
            continue
        yield row.type_glyph, lines


def has_valign(found: ProfileFound, where: str) -> bool:
    """Type letters vertically centred ('center') or on the row's last line ('bottom'), in
    at least three rows and three quarters of the rows drawn on one page with 3+ lines."""
    results = []
    for glyph, lines in _valign_rows(found):
        first_top = min(g.top for g in lines[0])
        last_bottom = max(g.bottom for g in lines[-1])
        size = glyph.size
        if where == "center":
            middle = (first_top + last_bottom) / 2
            results.append(
                glyph.top > first_top + 0.8 * size
                and glyph.bottom < last_bottom - 0.8 * size
                and abs(glyph.mid_y - middle) < 0.75 * size
            )
        else:
            results.append(glyph.top > first_top + size and abs(glyph.bottom - last_bottom) < 2)
    # LibreOffice now and then leaves a cell of a bottom-aligned row at the top: most rows
    return len(results) >= 3 and sum(results) >= 0.75 * len(results)


def has_esco_paragraphs(found: ProfileFound) -> bool:
    """A label wrapped inside its cell, with more space between labels than between lines."""
    doc = found.doc
    for row in found.rows:
        for this, after in zip(row.esco, row.esco[1:], strict=False):
            lines, next_lines = lines_of(doc, this), lines_of(doc, after)
            if len(lines) < 2 or len({g.page for line in lines + next_lines for g in line}) != 1:
                continue
            if abs(lines[0][0].x0 - next_lines[0][0].x0) > 1.5:
                continue
            step = lines[1][0].top - lines[0][0].top
            gap = next_lines[0][0].top - lines[-1][0].top
            if step > 0 and gap > step + 1.5:
                return True
    return False


def has_bullets(found: ProfileFound) -> bool:
    """Every statement starts right of a bullet glyph on its first line."""
    doc = found.doc
    matches = [match for row in found.rows for match in row.statements]
    if not matches:
        return False
    for match in matches:
        first = doc.glyphs[match[0]]
        if not any(
            g.text in BULLET_GLYPHS
            and abs(g.bottom - first.bottom) < first.size * 0.6
            and 0 <= first.x0 - g.x1 < 30
            for g in doc.page_glyphs(first.page)
        ):
            return False
    return True


def is_landscape(found: ProfileFound) -> bool:
    pages = _table_pages(found)
    return bool(pages) and all(found.doc.pages[p][0] > found.doc.pages[p][1] for p in pages)


def has_justified_description(found: ProfileFound) -> bool:
    """A description paragraph on two pages whose lines (but the last) end flush right."""
    doc = found.doc
    for match in found.paragraphs:
        if len(pages_of(doc, match)) < 2:
            continue
        lines = lines_of(doc, match)
        rights = [max(g.x1 for g in line) for line in lines[:-1]]
        lefts = [min(g.x0 for g in line) for line in lines]
        if len(rights) >= 3 and max(rights) - min(rights) < 1.0 and max(lefts) - min(lefts) < 1.0:
            return True
    return False


def _margin_lines(doc: PdfText, page: int, top: bool) -> list[str]:
    """Text lines in the top (or bottom) 10% of a page."""
    height = doc.pages[page][1]
    lines: dict[int, list[Glyph]] = {}
    for glyph in doc.page_glyphs(page):
        if (glyph.bottom < height * 0.1) if top else (glyph.top > height * 0.9):
            lines.setdefault(round(glyph.bottom), []).append(glyph)
    return [
        "".join(g.text for g in sorted(line, key=lambda g: g.x0))
        for _, line in sorted(lines.items())
    ]


def has_running_header(found: ProfileFound) -> bool:
    """The same (digits aside) text in the top or bottom margin of every page but the cover."""
    doc = found.doc
    if len(doc.pages) < 3:
        return False
    for top in (True, False):
        texts = [
            {re.sub(r"\d+", "#", line) for line in _margin_lines(doc, page, top)}
            for page in range(len(doc.pages))
        ]
        common = set.intersection(*texts[1:])
        if any(re.sub(r"[#\W]", "", text) and text not in texts[0] for text in common):
            return True
    return False


def has_page_numbers(found: ProfileFound) -> bool:
    """Every page but the cover has its number in the bottom margin."""
    doc = found.doc
    for page in range(1, len(doc.pages)):
        numbers = {n for line in _margin_lines(doc, page, False) for n in re.findall(r"\d+", line)}
        if str(page + 1) not in numbers:
            return False
    return len(doc.pages) > 1


def _statement_glyphs(found: ProfileFound) -> list[Glyph]:
    return [found.doc.glyphs[i] for row in found.rows for i in row.statement_glyphs]


def table_type_sizes(found: ProfileFound) -> list[float]:
    return sorted({round(g.size * 2) / 2 for g in _statement_glyphs(found)})


def typeface_class(found: ProfileFound) -> str | None:
    """'serif' or 'sans' from the font most statement glyphs are drawn in."""
    fonts = Counter(g.font.lower() for g in _statement_glyphs(found))
    if not fonts:
        return None
    font = fonts.most_common(1)[0][0]
    if any(hint in font for hint in SERIF_HINTS):
        return "serif"
    if any(hint in font for hint in SANS_HINTS):
        return "sans"
    return None


DETECTORS: dict[str, Callable[[ProfileFound, ProfileData], bool]] = {
    "header-wrap-2": lambda f, p: has_header_wrap(f, 2),
    "header-wrap-3": lambda f, p: has_header_wrap(f, 3),
    "header-centred": lambda f, p: has_header_centred(f),
    "header-bold": lambda f, p: has_header_bold(f),
    "header-shaded": lambda f, p: has_header_shaded(f),
    "header-repeated": has_header_repeated,
    "rules-grid": lambda f, p: has_rules_grid(f),
    "rules-horizontal": lambda f, p: has_rules_horizontal(f),
    "shaded-rows": lambda f, p: has_shaded_rows(f),
    "borderless": lambda f, p: is_borderless(f),
    "name-wrap": lambda f, p: has_name_wrap(f),
    "name-across-pages": lambda f, p: has_name_across_pages(f),
    "valign-middle": lambda f, p: has_valign(f, "center"),
    "valign-bottom": lambda f, p: has_valign(f, "bottom"),
    "row-across-pages": lambda f, p: has_row_across_pages(f, 2),
    "row-over-3-pages": lambda f, p: has_row_across_pages(f, 3),
    "esco-paragraphs": lambda f, p: has_esco_paragraphs(f),
    "bullets-list": lambda f, p: has_bullets(f),
    "landscape": lambda f, p: is_landscape(f),
    "justified-description": lambda f, p: has_justified_description(f),
    "running-header": lambda f, p: has_running_header(f),
    "page-numbers": lambda f, p: has_page_numbers(f),
    "small-type": lambda f, p: bool(table_type_sizes(f)) and max(table_type_sizes(f)) <= 8.0,
    "large-type": lambda f, p: bool(table_type_sizes(f)) and min(table_type_sizes(f)) >= 10.5,
    "serif": lambda f, p: typeface_class(f) == "serif",
    "sans": lambda f, p: typeface_class(f) == "sans",
}


def analyse(pdf: Path | str, profile: ProfileData) -> tuple[ProfileFound, tuple[str, ...]]:
    """Where the profile is in the PDF, and the layout variations found there;
    RenderCheckError when some truth text cannot be found or has a word cut in two."""
    found = locate_profile(read_pdf(pdf), profile)
    if found.missing:
        shown = "; ".join(repr(text[:60]) for text in found.missing[:5])
        raise RenderCheckError(f"{pdf}: {len(found.missing)} truth texts not found: {shown}")
    if found.cut:
        raise RenderCheckError(f"{pdf}: words cut over two lines: {found.cut[:8]}")
    return found, tuple(sorted(name for name, test in DETECTORS.items() if test(found, profile)))


def detect(pdf: Path | str, profile: ProfileData) -> tuple[str, ...]:
    """The layout variations found in a PDF of the profile (see analyse)."""
    return analyse(pdf, profile)[1]


# ---------------------------------------------------------------------------------------
# LibreOffice.


def soffice_path() -> str | None:
    for name in SOFFICE_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def missing() -> str | None:
    needs = []
    if soffice_path() is None:
        needs.append("LibreOffice Writer (Debian: libreoffice-writer-nogui)")
    for module, package in (("docx", "python-docx"), ("pdfplumber", "pdfplumber")):
        try:
            __import__(module)
        except ImportError:
            needs.append(package)
    return ", ".join(needs) or None


@cache
def libreoffice_version() -> str:
    path = soffice_path()
    if path is None:
        return "missing"
    with tempfile.TemporaryDirectory(prefix="lo-version-") as profile_dir:
        result = subprocess.run(
            [path, f"-env:UserInstallation={Path(profile_dir).as_uri()}", "--version"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    return result.stdout.strip() or result.stderr.strip()


def versions() -> dict[str, str]:
    import docx

    return {"libreoffice": libreoffice_version(), "python-docx": str(docx.__version__)}


def convert(documents: Sequence[Path], out_dir: Path, profile_dir: Path) -> list[Path]:
    """Convert DOCX files to PDF with one soffice run; return the PDFs (same stems)."""
    path = soffice_path()
    if path is None:
        raise RuntimeError("soffice not found")
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [
        path,
        f"-env:UserInstallation={profile_dir.resolve().as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf:writer_pdf_Export",
        "--outdir",
        str(out_dir),
        *(str(doc) for doc in documents),
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=CONVERT_TIMEOUT, check=False
    )
    pdfs = [out_dir / f"{doc.stem}.pdf" for doc in documents]
    absent = [pdf.name for pdf in pdfs if not pdf.exists()]
    if result.returncode != 0 or absent:
        raise RuntimeError(
            f"soffice failed (exit {result.returncode}), missing {absent}: {result.stderr[-2000:]}"
        )
    return pdfs


# ---------------------------------------------------------------------------------------
# What is rendered: every profile in a template; a few extra renders for coverage.


# Per template: the variations it is designed to show. Detected ones outside this list are
# not claimed (they would be accidents of one profile's content).
WANTED: dict[str, tuple[str, ...]] = {
    "word-grid": (
        "header-wrap-2",
        "header-bold",
        "header-shaded",
        "header-repeated",
        "rules-grid",
        "name-wrap",
        "name-across-pages",
        "row-across-pages",
        "row-over-3-pages",
        "esco-paragraphs",
        "bullets-list",
        "running-header",
        "page-numbers",
        "sans",
    ),
    "report-serif": (
        "header-wrap-2",
        "header-bold",
        "header-centred",
        "rules-horizontal",
        "name-wrap",
        "name-across-pages",
        "valign-middle",
        "row-across-pages",
        "row-over-3-pages",
        "bullets-list",
        "justified-description",
        "page-numbers",
        "large-type",
        "serif",
    ),
    "landscape-banded": (
        "header-wrap-2",
        "header-bold",
        "header-centred",
        "header-shaded",
        "header-repeated",
        "shaded-rows",
        "valign-bottom",
        "row-across-pages",
        "esco-paragraphs",
        "bullets-list",
        "landscape",
        "running-header",
        "page-numbers",
        "small-type",
        "sans",
    ),
    "plain-caladea": (
        "header-wrap-3",
        "header-bold",
        "borderless",
        "name-wrap",
        "name-across-pages",
        "row-across-pages",
        "row-over-3-pages",
        "esco-paragraphs",
        "bullets-list",
        "running-header",
        "page-numbers",
        "serif",
    ),
}

# Depending on the content (where page breaks fall, how long names and labels are): claimed
# in any template when found.
CONTENT_VARIATIONS = (
    "name-wrap",
    "name-across-pages",
    "row-across-pages",
    "row-over-3-pages",
    "esco-paragraphs",
    "header-repeated",
)

# ---------------------------------------------------------------------------------------
# Tuning: a variation that needs a page break at a particular place gets it by moving one
# spacing setting: first by the amount computed from the untuned PDF, then by fixed values.

PT_PER_CM = 72 / 2.54


def _text_bottom(found: ProfileFound, template: Template, page: int) -> float:
    return found.doc.pages[page][1] - template.margins_cm[2] * PT_PER_CM


def suggest_paragraph_break(found: ProfileFound, template: Template) -> list[float]:
    """Space above the title that moves the middle of a description paragraph (of 4+
    lines, all on one page) to the bottom of its page."""
    doc, values = found.doc, []
    for match in found.paragraphs:
        lines = lines_of(doc, match)
        if len(lines) < 4 or len(pages_of(doc, match)) != 1:
            continue
        pitch = lines[1][0].bottom - lines[0][0].bottom
        keep = lines[len(lines) // 2 - 1]
        shift = _text_bottom(found, template, keep[0].page) - max(g.bottom for g in keep)
        values.append(template.title_before_pt + shift - 0.5 * pitch)
    return sorted((v for v in values if v >= 0), key=lambda v: abs(v - template.title_before_pt))


def suggest_name_break(found: ProfileFound, template: Template) -> list[float]:
    """Space above the first competence heading that leaves one line of a multi-line Name
    cell (of a row on the heading's page) at the bottom of that page."""
    if not found.headers:
        return []
    doc = found.doc
    page = doc.glyphs[found.headers[0][0]].page
    # the heading style's space above, unless the template sets its own
    current = template.space_before_competences_pt or heading_space_before_pt(template)
    values = []
    for row in found.rows:
        lines = lines_of(doc, row.name)
        if len(lines) < 2 or pages_of(doc, row.name) != [page]:
            continue
        pitch = lines[1][0].bottom - lines[0][0].bottom
        top = min(g.top for g in lines[0])
        shift = _text_bottom(found, template, page) - top - 1.5 * pitch
        if shift > 0:
            values.append(current + shift)
    # not more than a third of the page: an author's few empty lines, not a blank page
    return sorted(v for v in values if v < doc.pages[page][1] / 3)


@dataclass(frozen=True)
class Tuning:
    variation: str
    knob: str  # a Template field
    suggest: Callable[[ProfileFound, Template], list[float]]
    fallback: tuple[float, ...]


TUNINGS: dict[str, Tuning] = {
    "report-serif": Tuning(
        "justified-description", "title_before_pt", suggest_paragraph_break, (340, 420, 260)
    ),
    "plain-caladea": Tuning(
        "name-across-pages", "space_before_competences_pt", suggest_name_break, (30, 60, 90)
    ),
}
MAX_TRIES = 6  # documents rendered per job at most


@dataclass(frozen=True)
class Job:
    stem: str
    profile: ProfileData
    template: Template
    wanted: tuple[str, ...]  # variations claimed when found
    tuning: Tuning | None = None

    @property
    def file_stem(self) -> str:
        return f"{self.stem}__{self.template.name}"


LONG_ROW_STATEMENTS = 20  # a competence this long is rendered in every template
MAX_PDFS = 20  # extra renders only while the corpus stays this small


def _job(stem: str, profile: ProfileData, template: Template) -> Job:
    wanted = tuple(sorted(set(WANTED[template.name]) | set(CONTENT_VARIATIONS)))
    return Job(stem, profile, template, wanted, TUNINGS.get(template.name))


def plan(profiles: Sequence[tuple[str, ProfileData]]) -> list[Job]:
    """One job per profile, templates assigned round-robin over the sorted stems; the
    profile with the longest competence row (if it is long) again in every other template."""
    ordered = sorted(profiles, key=lambda item: item[0])
    jobs = [
        _job(stem, profile, TEMPLATES[index % len(TEMPLATES)])
        for index, (stem, profile) in enumerate(ordered)
    ]
    if ordered:
        longest = max(
            ordered,
            key=lambda item: max((len(c.statements) for c in item[1].competences), default=0),
        )
        if max((len(c.statements) for c in longest[1].competences), default=0) >= (
            LONG_ROW_STATEMENTS
        ):
            done = {job.template.name for job in jobs if job.stem == longest[0]}
            extra = [_job(*longest, t) for t in TEMPLATES if t.name not in done]
            jobs += extra[: max(0, MAX_PDFS - len(jobs))]
    return jobs


@dataclass
class _Attempt:
    job: Job
    pending: list[Template]
    tried: int = 0
    suggested: bool = False
    best: tuple[Path, tuple[str, ...]] | None = None

    @property
    def done(self) -> bool:
        tuning = self.job.tuning
        return self.best is not None and (tuning is None or tuning.variation in self.best[1])

    def consider(self, pdf: Path, names: tuple[str, ...]) -> None:
        tuning = self.job.tuning
        if self.best is None or (tuning and tuning.variation in names and not self.done):
            self.best = (pdf, names)

    def tune(self, found: ProfileFound, template: Template) -> None:
        """Queue the computed values (once), then the fixed ones."""
        tuning = self.job.tuning
        if tuning is None or self.done or self.suggested:
            return
        self.suggested = True
        values = [round(v, 1) for v in tuning.suggest(found, template)[:2]]
        values += [v for v in tuning.fallback if v not in values]
        self.pending = [tuned(self.job.template, **{tuning.knob: v}) for v in values]


def run_jobs(jobs: Sequence[Job], work: Path, log: Callable[[str], None]) -> list[Rendered]:
    """Render the jobs, tuned ones in rounds until their variation is found (one soffice
    run per round for all the documents of the round)."""
    attempts = [_Attempt(job, [job.template]) for job in jobs]
    profile_dir = work / "lo-profile"
    round_no = 0
    while True:
        batch = [
            (a, a.pending.pop(0))
            for a in attempts
            if a.pending and not a.done and a.tried < MAX_TRIES
        ]
        if not batch:
            break
        round_no += 1
        folder = work / f"round{round_no}"
        documents = []
        for attempt, template in batch:
            attempt.tried += 1
            documents.append(
                write_docx(attempt.job.profile, template, folder / f"{attempt.job.file_stem}.docx")
            )
        for (attempt, template), pdf in zip(
            batch, convert(documents, folder, profile_dir), strict=True
        ):
            found, names = analyse(pdf, attempt.job.profile)
            attempt.consider(pdf, names)
            tuning = attempt.job.tuning
            if tuning:
                value = getattr(template, tuning.knob)
                state = "found" if tuning.variation in names else "not found"
                log(f"  {pdf.name}: {tuning.knob}={value}: {tuning.variation} {state}")
            attempt.tune(found, template)
    rendered = []
    for attempt in attempts:
        assert attempt.best is not None
        pdf, names = attempt.best
        if not attempt.done and attempt.job.tuning:
            log(f"  {pdf.name}: could not produce {attempt.job.tuning.variation}")
        claimed = tuple(name for name in names if name in attempt.job.wanted)
        rendered.append(Rendered(pdf, attempt.job.stem, attempt.job.template.name, claimed))
    return rendered


def render(profiles: Sequence[tuple[str, ProfileData]], out_dir: Path) -> list[Rendered]:
    def log(message: str) -> None:
        print(message, file=sys.stderr)

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="albatts-lo-") as scratch:
        work = Path(scratch)
        rendered = run_jobs(plan(profiles), work, log)
        final = []
        for item in rendered:
            target = out_dir / f"{item.truth}__{item.variant}.pdf"
            shutil.copyfile(item.pdf, target)
            final.append(Rendered(target, item.truth, item.variant, item.variations))
            log(f"{target.name}: {', '.join(item.variations)}")
    return final


PRODUCER = Producer(name="libreoffice", missing=missing, versions=versions, render=render)

__all__ = [
    "PRODUCER",
    "detect",
    "find_text",
    "locate_profile",
    "read_pdf",
    "template_named",
]
