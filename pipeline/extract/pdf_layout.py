"""Pages of words and rulings to a Document (pure): the structure of a profile PDF.

Lines find the landmarks (the "ESCO Occupations" and "Context" headings, each competence
table's header band and the category heading above it); between landmarks, each table is
read from its own structure by pdf_tables. What was found on every page is kept in a
`Trace` for `albatts inspect`. When a table cannot be read, the error says which table
and page, and points to `albatts inspect`: the document may be fine.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from shlex import quote

from pipeline.codes import Code
from pipeline.errors import ExtractError
from pipeline.extract.hyphens import Hyphenation, soften_hyphens
from pipeline.extract.pdf_items import (
    ItemBreaks,
    ItemReader,
    ListColumn,
    Opens,
    item_breaks,
    line_gaps,
    text_edge,
    usual_gap,
    whole_items,
)
from pipeline.extract.pdf_lines import (
    TextLine,
    find_furniture,
    lines_to_blocks,
    same_block,
    words_to_lines,
)
from pipeline.extract.pdf_model import Box, PageData, PdfLayout, Word
from pipeline.extract.pdf_tables import (
    HeaderBand,
    Recognise,
    RowBand,
    TableError,
    TablePart,
    find_header_band,
    header_columns,
    key_value_columns,
    read_part,
    split_leading,
)
from pipeline.extract.structure import (
    CONTEXT_HEADING,
    OCCUPATIONS_HEADING,
    PROFILE_PAGES,
    blocks_to_cover,
    competence_header,
    is_header_text,
    no_competence_tables,
    no_context_table,
    no_occupations_header,
    no_occupations_table,
    occupation_header,
)
from pipeline.model import (
    Cell,
    ContextEntry,
    Document,
    Issue,
    Location,
    RawCompetence,
    RawOccupation,
    RawSection,
    Source,
)
from pipeline.stages.clean import join_wrapped

# List columns: where each is named in a message, and its table.
_LIST_COLUMNS = {"esco": "ESCO skills column", "value": "Context table's values"}
_LIST_TABLES = {"esco": "competence_esco_skills", "value": "context"}

# The columns that hold exactly one value per row: they tell how many rows a band holds.
_ANCHORS: dict[str, tuple[str, ...]] = {
    "competences": ("type", "level"),
    "occupations": ("code",),
    "context": ("key",),
}


@dataclass(frozen=True)
class TracedRow:
    """What a table row became: its table, number, bands (one per page) and cells."""

    table: str
    number: int
    bands: tuple[RowBand, ...]
    cells: dict[str, str]


@dataclass
class Trace:
    """What the layout code found, page by page, for `albatts inspect`."""

    furniture: dict[int, list[TextLine]] = field(default_factory=dict)
    headings: dict[int, list[TextLine]] = field(default_factory=dict)
    parts: list[tuple[str, TablePart]] = field(default_factory=list)
    rows: list[TracedRow] = field(default_factory=list)
    # The table problem that stopped the reading: page, place, message.
    problem: tuple[int, Box | None, str] | None = None


def pages_to_document(
    pages: Sequence[PageData], source: Source, layout: PdfLayout, trace: Trace | None = None
) -> Document:
    trace = trace if trace is not None else Trace()
    file = source.path
    page_lines = [words_to_lines(page.words, page.number) for page in pages]
    furniture = find_furniture(pages, page_lines, layout)
    lines: list[TextLine] = []
    for page, on_page, dropped in zip(pages, page_lines, furniture, strict=True):
        trace.furniture[page.number] = [on_page[i] for i in sorted(dropped)]
        lines += [line for i, line in enumerate(on_page) if i not in dropped]
    by_number = {page.number: page for page in pages}
    hyphenation = Hyphenation.of_words(word.text for page in pages for word in page.words)
    occupations_at = _find(lines, OCCUPATIONS_HEADING)
    if occupations_at is None or lines[occupations_at].page > PROFILE_PAGES:
        raise no_occupations_table(Location(file))
    context_at = _find(lines, CONTEXT_HEADING, start=occupations_at + 1)
    if context_at is None:
        raise no_context_table(Location(file, page=lines[occupations_at].page))
    bands = _header_bands(lines, context_at + 1, len(lines), competence_header, layout)
    headings = _section_headings(lines, bands, file, layout)
    if not headings:
        raise no_competence_tables(Location(file, page=lines[context_at].page))
    reader = _TableReader(file, by_number, layout, trace, hyphenation)
    cover = blocks_to_cover(lines_to_blocks(lines[:occupations_at], layout), file)
    occupations = reader.occupations(lines[occupations_at + 1 : context_at])
    context = reader.context(lines[context_at + 1 : headings[0][0]])
    found: list[_SectionRows] = []
    ends = [start for start, _ in headings[1:]] + [len(lines)]
    for (start, band), end in zip(headings, ends, strict=True):
        heading = lines[start : band.first]
        trace.headings.setdefault(heading[0].page, []).extend(heading)
        repeats = [b for b in bands if band.last < b.first < end]
        found.append(reader.section_rows(heading, band, repeats, lines[band.last + 1 : end]))
    # One producer styles every ESCO cell alike: what any cell shows of how labels are
    # told apart (paragraph spacing, labels that wrap) holds for all.
    esco_columns = [reader.list_column(f.rows, "esco", f.usual_gap) for f in found]
    esco_breaks = item_breaks(esco_columns, layout, reader.opens("esco"))
    # Labels the document writes whole somewhere tell where an unspaced label ends.
    esco_known = frozenset().union(
        *(
            reader.whole_items(f.rows, column, esco_breaks)
            for f, column in zip(found, esco_columns, strict=True)
        )
    )
    document = Document(
        source=source,
        alliance=cover.alliance,
        period=cover.period,
        title=cover.title,
        description=cover.description,
        occupations=occupations,
        context=context,
        sections=tuple(
            reader.section(f, column, esco_breaks, esco_known)
            for f, column in zip(found, esco_columns, strict=True)
        ),
        issues=tuple(reader.ambiguity_warnings()),
    )
    return soften_hyphens(document, hyphenation)


def not_a_profile(pages: Sequence[PageData]) -> bool:
    """Asked after each page read: whether these are the first PROFILE_PAGES and show no
    'ESCO Occupations' heading, so the document is not a profile and need not be read on."""
    return len(pages) == PROFILE_PAGES and not any(
        OCCUPATIONS_HEADING.match(line.text)
        for page in pages
        for line in words_to_lines(page.words, page.number)
    )


def _find(lines: Sequence[TextLine], pattern: re.Pattern[str], start: int = 0) -> int | None:
    return next((i for i in range(start, len(lines)) if pattern.match(lines[i].text)), None)


def _header_bands(
    lines: Sequence[TextLine], start: int, end: int, recognise: Recognise, layout: PdfLayout
) -> list[HeaderBand]:
    bands: list[HeaderBand] = []
    i = start
    while i < end:
        band = find_header_band(lines, i, recognise, layout)
        if band is None or band.last >= end:
            i += 1
            continue
        bands.append(band)
        i = band.last + 1
    return bands


def _section_headings(
    lines: Sequence[TextLine], bands: Sequence[HeaderBand], file: str, layout: PdfLayout
) -> list[tuple[int, HeaderBand]]:
    """Where each section starts, with its header band: the heading just above a header
    band on the same page, or a heading left alone at the foot of the page before (bold
    and larger than the table's header). A header band with nothing else above it on its
    page is the header repeated after a page break. A long heading may wrap: lines of its
    size right above it belong to it."""
    headings: list[tuple[int, HeaderBand]] = []
    floor = 0
    for band in bands:
        above = band.first - 1
        same_page = lines[above].page == band.page
        if above >= floor and (same_page or _heading_like(lines[above], lines[band.first])):
            while above - 1 >= floor and same_block(lines[above - 1], lines[above], layout):
                above -= 1
            headings.append((above, band))
        elif not headings:
            raise ExtractError(
                Code.NO_CATEGORY_HEADING,
                f"could not read the competence table on page {band.page}: its header row "
                "has no category heading above it",
                Location(file, page=band.page, table="competences"),
                f"run `albatts inspect {quote(file)} --page {band.page}` to see what was detected",
            )
        floor = band.last + 1
    return headings


def _heading_like(line: TextLine, header: TextLine) -> bool:
    """Set apart as a heading: larger than the table's header, and bold or much larger."""
    return line.size >= 1.1 * header.size and (line.bold or line.size >= 1.3 * header.size)


@dataclass(frozen=True)
class _SectionRows:
    heading: Cell
    rows: list[list[RowBand]]
    usual_gap: float | None


class _TableReader:
    """Reads the tables of one document; collects what it found into the trace."""

    def __init__(
        self,
        file: str,
        pages: dict[int, PageData],
        layout: PdfLayout,
        trace: Trace,
        hyphenation: Hyphenation,
    ) -> None:
        self.file = file
        self.hyphenation = hyphenation
        self.pages = pages
        self.layout = layout
        self.trace = trace
        # Per list column: pages and number of line breaks read with some doubt.
        self.ambiguous: dict[str, tuple[set[int], int]] = {}
        # Rows traced so far, per table (the trace may hold another reader's rows too).
        self.traced: dict[str, int] = {
            table: sum(1 for row in trace.rows if row.table == table)
            for table in {row.table for row in trace.rows}
        }

    def error(self, table: str, what: str, problem: TableError) -> ExtractError:
        page = problem.page
        self.trace.problem = (page, problem.box, problem.problem)
        return ExtractError(
            Code.UNREADABLE_TABLE,
            f"could not read the {what} on page {page}: {problem.problem}",
            Location(self.file, page=page, table=table),
            f"run `albatts inspect {quote(self.file)} --page {page}` to see what was detected",
        )

    # --- tables -------------------------------------------------------------------------

    def occupations(self, lines: Sequence[TextLine]) -> tuple[RawOccupation, ...]:
        bands = _header_bands(lines, 0, len(lines), occupation_header, self.layout)
        if not bands:
            page = lines[0].page if lines else None
            raise no_occupations_header(Location(self.file, page=page, table="occupations"))
        try:
            rows = self._rows("occupations", bands[0], bands[1:], lines[bands[0].last + 1 :])
        except TableError as problem:
            raise self.error("occupations", "ESCO Occupations table", problem) from None
        occupations = []
        for row in rows:
            code, label, uri = (_text(row, name) for name in ("code", "label", "uri"))
            page = row[0].page
            occupations.append(
                RawOccupation(
                    Cell(code, None, page), Cell(label, None, page), Cell(uri, None, page)
                )
            )
            self._traced("occupations", row, {"code": code, "label": label, "uri": uri})
        return tuple(occupations)

    def context(self, lines: Sequence[TextLine]) -> tuple[ContextEntry, ...]:
        """Key/value rows without a header row; the split between keys and values is
        looked for on every page the table runs on at once."""
        parts: list[TablePart] = []
        pages = _by_page(lines)
        try:
            if not pages:
                raise TableError("the table is empty", lines[0].page if lines else 1)
            first, first_lines = pages[0]
            columns = key_value_columns(
                [w for line in lines for w in line.words],
                self.pages[first],
                first_lines[0].top - 1,
                max(line.bottom for line in first_lines) + 1,
                self.layout,
            )
            if columns is None:
                raise TableError("no white space or ruling between the keys and the values", first)
            for page_number, page_lines in pages:
                words = [w for line in page_lines for w in line.words]
                top, bottom = page_lines[0].top - 1, max(line.bottom for line in page_lines) + 1
                parts.append(
                    read_part(
                        self.pages[page_number], words, columns, top, bottom, ("key",), self.layout
                    )
                )
            rows = self._join(parts, ("key",), "context")
        except TableError as problem:
            raise self.error("context", "Context table", problem) from None
        usual = usual_gap(gap for row in rows for band in row for gap in _gaps(band))
        column = self.list_column(rows, "value", usual)
        breaks = item_breaks([column], self.layout, None)
        values = self.items(rows, column, self.item_reader(column, breaks))
        entries = []
        for row, texts in zip(rows, values, strict=True):
            key = _text(row, "key", " ")
            value = "\n".join(text for text in texts if text)
            entries.append(ContextEntry(key, Cell(value, None, row[0].page)))
            self._traced("context", row, {"key": key, "value": value})
        return tuple(entries)

    def section_rows(
        self,
        heading: Sequence[TextLine],
        band: HeaderBand,
        repeats: Sequence[HeaderBand],
        body: Sequence[TextLine],
    ) -> _SectionRows:
        title = Cell("\n".join(line.text for line in heading), None, heading[0].page)
        try:
            rows = self._rows("competences", band, repeats, body)
            for row in rows:
                if not any(b.has("name") for b in row):
                    raise TableError(
                        f"a row without a name ({_preview(row[0])})", row[0].page, row[0].box
                    )
        except TableError as problem:
            raise self.error("competences", "competence table", problem) from None
        return _SectionRows(
            title, rows, usual_gap(g for row in rows for b in row for g in _gaps(b))
        )

    def section(
        self,
        found: _SectionRows,
        column: ListColumn,
        esco_breaks: ItemBreaks,
        esco_known: frozenset[str],
    ) -> RawSection:
        competences = []
        labels = self.items(found.rows, column, self.item_reader(column, esco_breaks, esco_known))
        for row, esco in zip(found.rows, labels, strict=True):
            page = row[0].page
            competence = RawCompetence(
                name=Cell(_text(row, "name"), None, page),
                type=Cell(_text(row, "type", " "), None, page),
                level=Cell(_text(row, "level", " "), None, page),
                description=tuple(Cell(_band_text(b, "description"), None, b.page) for b in row),
                esco=tuple(Cell(text, None, b.page) for b, text in zip(row, esco, strict=True)),
            )
            competences.append(competence)
            self._traced(
                f"competences: {found.heading.text.splitlines()[0]}",
                row,
                {
                    "name": competence.name.text,
                    "type": competence.type.text,
                    "level": competence.level.text,
                    "description": "\n".join(c.text for c in competence.description),
                    "esco": "\n".join(c.text for c in competence.esco),
                },
            )
        return RawSection(found.heading, tuple(competences))

    # --- rows across pages --------------------------------------------------------------

    def _rows(
        self,
        table: str,
        band: HeaderBand,
        repeats: Sequence[HeaderBand],
        body: Sequence[TextLine],
    ) -> list[list[RowBand]]:
        """Rows of a table with a header band, over the pages its body runs on.

        A header band (the first, or one repeated at the top of a page) gives the columns
        of its page and of the pages after it that have none; the white gutters between
        columns are looked for on all those pages at once.
        """
        headers = {band.page: band, **{b.page: b for b in repeats}}
        anchors = _ANCHORS[table]
        runs: list[tuple[HeaderBand, list[tuple[PageData, list[Word]]]]] = [(band, [])]
        for page_number, page_lines in _by_page(body):
            head = headers.get(page_number)
            box = head.box if head is not None else None
            if head is None and not runs[-1][1]:
                # The header row itself broke at the page end: its last label lines
                # ("(S/K", ")") open this page.
                page_lines = page_lines[_header_leftovers(page_lines, self.layout) :]
            words = [
                word
                for line in page_lines
                if box is None or line.top >= box.bottom - 0.5
                for word in line.words
            ]
            if head is not None and head is not band:
                runs.append((head, []))
            if words:
                runs[-1][1].append((self.pages[page_number], words))
        parts: list[TablePart] = []
        for head, pages in runs:
            if not pages:
                continue
            every_word = [word for _, words in pages for word in words]
            columns = header_columns(head, self.pages[head.page], every_word, self.layout)
            for page, words in pages:
                box = head.box if page.number == head.page else None
                top = box.bottom if box is not None else min(w.top for w in words) - 1
                bottom = max(w.bottom for w in words) + 1
                parts.append(
                    read_part(page, words, columns, top, bottom, anchors, self.layout, box)
                )
        return self._join(parts, anchors, table)

    def _join(
        self, parts: list[TablePart], anchors: Sequence[str], table: str
    ) -> list[list[RowBand]]:
        """Bands to rows: a band with no anchor value (Type or Level, ID, key) continues
        the row above; the first band of a page continues the last row of the page before
        when together they cannot be two rows (one of them has no Type, or no Level)."""
        gaps = [gap for part in parts for gap in part.cut_gaps]
        threshold = self.layout.row_gap_share * min(gaps) if gaps else _typical_size(parts)
        for part in parts[1:]:
            if part.bands and part.bands[0].bound == "start":
                part.bands[:1] = split_leading(
                    part.bands[0], part.columns, anchors, threshold, self.layout
                )
        self.trace.parts.extend((table, part) for part in parts)
        rows: list[list[RowBand]] = []
        for index, part in enumerate(parts):
            for position, band in enumerate(part.bands):
                anchored = band.anchors(anchors) > 0
                if not rows:
                    if not anchored:
                        raise TableError(
                            f"text before the first row ({_preview(band)})", band.page, band.box
                        )
                    rows.append([band])
                elif index > 0 and position == 0 and _continues(rows[-1], band, anchors):
                    rows[-1].append(band)
                elif anchored:
                    rows.append([band])
                elif band.has("name"):
                    raise TableError(f"a row without a Type or Level ({_preview(band)})", band.page)
                else:
                    rows[-1].append(band)
        return rows

    # --- cell text ----------------------------------------------------------------------

    def list_column(
        self, rows: Sequence[Sequence[RowBand]], name: str, usual: float | None
    ) -> ListColumn:
        cells = tuple(band.cells.get(name, ()) for row in rows for band in row)
        return ListColumn(name, cells, text_edge(cells), usual)

    def item_reader(
        self, column: ListColumn, breaks: ItemBreaks, known: frozenset[str] = frozenset()
    ) -> ItemReader:
        return ItemReader(
            breaks,
            column.limit,
            column.usual_gap,
            self.layout,
            self.opens(column.name),
            known,
            self.hyphenation.soften,
        )

    def whole_items(
        self, rows: Sequence[Sequence[RowBand]], column: ListColumn, breaks: ItemBreaks
    ) -> frozenset[str]:
        cells = [[band.cells.get(column.name, ()) for band in row] for row in rows]
        return whole_items(cells, self.item_reader(column, breaks))

    def items(
        self, rows: Sequence[Sequence[RowBand]], column: ListColumn, reader: ItemReader
    ) -> list[list[str]]:
        """For each row, each band's items of a list column, one item per line of text.

        An item cut by a page break goes on at the top of the next page: no spacing can
        show it there, so it is joined when the break leaves no room for the next word.
        Line breaks read as a wrap with nothing to tell are counted for the verdict."""
        name = column.name
        texts = []
        for row in rows:
            bands: list[list[str]] = []
            last: TextLine | None = None
            for band in row:
                lines = band.cells.get(name, ())
                read = reader.read(lines)
                items = list(read.items)
                if read.doubts:
                    self._doubt(name, band.page, read.doubts)
                goes_on = reader.continues(last, lines[0]) if last and lines else False
                if goes_on is not False:
                    earlier = next(b for b in reversed(bands) if b)
                    head = self.hyphenation.soften(earlier[-1], items[0])
                    earlier[-1] = join_wrapped([head, items[0]])
                    items = items[1:]
                    if goes_on is None:
                        self._doubt(name, band.page, 1)
                bands.append(items)
                last = lines[-1] if lines else last
            texts.append(["\n".join(items) for items in bands])
        return texts

    def opens(self, name: str) -> Opens | None:
        """ESCO skill labels open with a verb (or a name: 'Python (computer programming)');
        other lists (job titles, departments) give no such sign."""
        if name != "esco":
            return None
        verbs = self.layout.label_verbs
        return lambda word: word.text.casefold() in verbs or word.text[:1].isupper()

    def _doubt(self, name: str, page: int, count: int) -> None:
        pages, total = self.ambiguous.get(name, (set(), 0))
        self.ambiguous[name] = (pages | {page}, total + count)

    def ambiguity_warnings(self) -> list[Issue]:
        """One warning per list column whose items may have been misread."""
        return [
            Issue(
                "extract",
                f"{count} line break(s) in the {_LIST_COLUMNS[name]} on page(s) "
                f"{', '.join(map(str, sorted(pages)))} could be an item wrapping or a new item: "
                "the PDF does not show which (no spacing between items, or a page break); "
                "each was read as an item "
                "wrapping",
                Location(self.file, page=min(pages), table=_LIST_TABLES[name]),
                f"check them with `albatts inspect {quote(self.file)}`; the document may be fine",
                severity="warning",
                code=Code.AMBIGUOUS_LINE_BREAKS,
            )
            for name, (pages, count) in sorted(self.ambiguous.items())
        ]

    def _traced(self, table: str, row: Sequence[RowBand], cells: dict[str, str]) -> None:
        number = self.traced[table] = self.traced.get(table, 0) + 1
        self.trace.rows.append(TracedRow(table, number, tuple(row), cells))


def _by_page(lines: Sequence[TextLine]) -> list[tuple[int, list[TextLine]]]:
    pages: dict[int, list[TextLine]] = {}
    for line in lines:
        pages.setdefault(line.page, []).append(line)
    return sorted(pages.items())


def _header_leftovers(lines: Sequence[TextLine], layout: PdfLayout) -> int:
    """How many of a page's first lines are the rest of a header row cut by the page break:
    lines of header-label fragments other than a lone letter (a Type value)."""
    count = 0
    for line in lines[: layout.header_band_lines]:
        texts = [word.text for word in line.words]
        if not all(is_header_text(text) for text in texts) or _lone_letter(texts):
            break
        count += 1
    return count


def _lone_letter(texts: Sequence[str]) -> bool:
    return len(texts) == 1 and len(texts[0]) == 1 and texts[0].isalpha()


def _text(row: Sequence[RowBand], name: str, joiner: str = "\n") -> str:
    return joiner.join(line.text for band in row for line in band.cells.get(name, ()))


def _band_text(band: RowBand, name: str) -> str:
    return "\n".join(line.text for line in band.cells.get(name, ()))


def _gaps(band: RowBand) -> list[float]:
    return [gap for lines in band.cells.values() for gap in line_gaps(lines)]


def _typical_size(parts: Sequence[TablePart]) -> float:
    sizes = sorted(
        line.size
        for part in parts
        for band in part.bands
        for lines in band.cells.values()
        for line in lines
    )
    return sizes[len(sizes) // 2] if sizes else 10.0


def _continues(row: Sequence[RowBand], band: RowBand, anchors: Sequence[str]) -> bool:
    """Whether a page's first band is the rest of the row left on the page before."""
    return all(
        sum(b.anchors((name,)) for b in row) + band.anchors((name,)) <= 1 for name in anchors
    )


def _preview(band: RowBand) -> str:
    text = " ".join(line.text for lines in band.cells.values() for line in lines)
    return repr(text[:60])
