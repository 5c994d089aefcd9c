"""Tables from positioned words: header bands, columns, row bands and cells (pure).

A table is read from its own structure, the way a reader's eye does, in small steps that
each leave an inspectable result (`albatts inspect` draws them):

- header band: the lines of a header row, however many lines its labels wrap over;
  labels are the words of the band grouped by column (words one above the other);
- columns: between two labels, at a vertical ruling (or a cell's shading edge) when the
  table has them, else in the white gutter no word crosses;
- row bands: between horizontal rulings or shading edges spanning the table; a band that
  still holds several rows (its anchor column, Type for competences, shows several
  values) is cut at the widest white gap between each two anchors;
- cells: a band's words by column, as lines; the gap above each line is kept so that
  paragraphs inside a cell can be told from wrapped lines.
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from pipeline.contract.text import BULLET_MARKERS, CONTEXT_KEYS
from pipeline.extract.pdf_items import surely_wrapped
from pipeline.extract.pdf_lines import TextLine, words_to_lines
from pipeline.extract.pdf_model import Box, PageData, PdfLayout, Word
from pipeline.extract.structure import is_header_text

Recognise = Callable[[Sequence[str], bool], tuple[str | None, ...] | None]


class TableError(Exception):
    """The layout code cannot make sense of a table; `page` (and `box`) say where."""

    def __init__(self, problem: str, page: int, box: Box | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.page = page
        self.box = box


def is_header_word(word: Word) -> bool:
    return _header_text(word.text)


# Asked of the same words many times over while header bands are looked for.
_header_text = functools.lru_cache(maxsize=16384)(is_header_text)


# --- header band --------------------------------------------------------------------------


@dataclass(frozen=True)
class HeaderBand:
    """A header row: which lines it spans, each column's field and label box."""

    first: int  # index of its first and last line in the sequence it was found in
    last: int
    page: int
    fields: tuple[str | None, ...]
    labels: tuple[Box, ...]
    texts: tuple[str, ...]

    @functools.cached_property
    def box(self) -> Box:
        return Box(
            min(b.x0 for b in self.labels),
            min(b.top for b in self.labels),
            max(b.x1 for b in self.labels),
            max(b.bottom for b in self.labels),
        )


def find_header_band(
    lines: Sequence[TextLine], index: int, recognise: Recognise, layout: PdfLayout
) -> HeaderBand | None:
    """The header band containing lines[index], if that line belongs to a header row.

    Lines next to it belong to the band while they hold only header words and sit close
    (labels wrapped over lines, or vertically centred beside a wrapped one). The largest
    band whose labels are all known wins, so a label's second line ("(S/K)") is never
    taken for a row, and a body line of header-like words ("K") is never taken for a label.
    """
    line = lines[index]
    if not any(is_header_word(word) for word in line.words):
        return None
    low = high = index
    while low > 0 and _joins_band(lines[low - 1], lines[low], layout):
        low -= 1
    while high + 1 < len(lines) and _joins_band(lines[high], lines[high + 1], layout):
        high += 1
    limit = layout.header_band_lines
    spans = [
        (first, last)
        for first in range(low, index + 1)
        for last in range(index, high + 1)
        if last - first < limit
    ]
    for first, last in sorted(spans, key=lambda span: (span[0] - span[1], span[0])):
        band = _recognise_band(lines, first, last, recognise, layout)
        if band is not None:
            return band
    return None


def _joins_band(upper: TextLine, lower: TextLine, layout: PdfLayout) -> bool:
    return (
        upper.page == lower.page
        and lower.top - upper.bottom <= layout.paragraph_gap * max(upper.size, lower.size)
        and all(is_header_word(word) for word in (*upper.words, *lower.words))
    )


def _recognise_band(
    lines: Sequence[TextLine], first: int, last: int, recognise: Recognise, layout: PdfLayout
) -> HeaderBand | None:
    runs = [run for line in lines[first : last + 1] for run in _label_runs(line, layout)]
    clusters = _overlapping(runs)
    clusters.sort(key=lambda cluster: min(word.x0 for run in cluster for word in run))
    texts = tuple(_label_text(cluster) for cluster in clusters)
    fields = recognise(texts, True)
    if fields is None:
        return None
    labels = tuple(
        Box(
            min(w.x0 for run in cluster for w in run),
            min(w.top for run in cluster for w in run),
            max(w.x1 for run in cluster for w in run),
            max(w.bottom for run in cluster for w in run),
        )
        for cluster in clusters
    )
    return HeaderBand(first, last, lines[first].page, fields, labels, texts)


def _label_runs(line: TextLine, layout: PdfLayout) -> list[list[Word]]:
    """A line's words in runs: a wide gap, or a word that opens a label, starts a run."""
    runs: list[list[Word]] = [[line.words[0]]]
    for previous, word in itertools.pairwise(line.words):
        opens = word.text.casefold().rstrip("/") in _LABEL_OPENERS
        if opens or word.x0 - previous.x1 > layout.column_gap * word.size:
            runs.append([word])
        else:
            runs[-1].append(word)
    return runs


# Words that start a header label ("Concept URI" and "Type (S/K)" go on after theirs).
_LABEL_OPENERS = frozenset(
    {"name", "type", "description", "description/context", "level", "esco", "id", "code"}
    | {"concept", "label", "occupation"}
)


def _overlapping(runs: list[list[Word]]) -> list[list[list[Word]]]:
    """Group runs that overlap horizontally (one label's lines, stacked)."""
    clusters: list[list[list[Word]]] = []
    spans: list[tuple[float, float]] = []
    for run in sorted(runs, key=lambda r: r[0].x0):
        x0, x1 = run[0].x0, max(w.x1 for w in run)
        if spans and x0 < spans[-1][1]:
            clusters[-1].append(run)
            spans[-1] = (spans[-1][0], max(spans[-1][1], x1))
        else:
            clusters.append([run])
            spans.append((x0, x1))
    return clusters


def _label_text(cluster: list[list[Word]]) -> str:
    """A label's words top to bottom; a line ending in '/' or '-' runs on without a space."""
    text = ""
    for run in sorted(cluster, key=lambda r: (r[0].top, r[0].x0)):
        part = " ".join(word.text for word in run)
        glued = not text or text.endswith(("/", "-")) or part.startswith("/")
        text = f"{text}{part}" if glued else f"{text} {part}"
    return text


# --- columns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Columns:
    """Column fields and edges: edges[i] and edges[i + 1] bound column i."""

    fields: tuple[str | None, ...]
    edges: tuple[float, ...]
    ruled: bool = False

    def index(self, word: Word, slack: float) -> int:
        i = bisect.bisect_right(self.edges, word.x0 + slack) - 1
        return min(max(i, 0), len(self.fields) - 1)

    @property
    def separators(self) -> tuple[float, ...]:
        return self.edges[1:-1]


def header_columns(
    band: HeaderBand, page: PageData, body: Sequence[Word], layout: PdfLayout
) -> Columns:
    """Columns of the table under a header band: a column boundary lies between two
    neighbouring labels, at a vertical ruling there if any, else in the white gutter
    that no word of the header or the body crosses."""
    verticals = _vertical_lines(page, band.box.top, band.box.bottom, layout)
    box = band.box
    words = [*_markers_joined(body), *(w for w in page.words if _inside(w, box))]
    separators: list[float] = []
    ruled = True
    for left, right in itertools.pairwise(band.labels):
        low, high = left.x1 - layout.snap, right.x0 + layout.snap
        ruling = [x for x in verticals if low <= x <= high]
        if ruling:
            separators.append(max(ruling))
            continue
        ruled = False
        gutter = _gutter(
            words, body, left.x1, right.x0, layout.gutter * _median_size(words), layout
        )
        separators.append(gutter if gutter is not None else right.x0 - layout.snap)
    first = min([band.labels[0].x0, *(w.x0 for w in body)]) - layout.snap
    last = max([band.labels[-1].x1, *(w.x1 for w in body)]) + layout.snap
    lefts = [x for x in verticals if x <= band.labels[0].x0 + layout.snap]
    rights = [x for x in verticals if x >= band.labels[-1].x1 - layout.snap]
    edges = (max(lefts) if lefts else first, *separators, min(rights) if rights else last)
    return Columns(band.fields, tuple(edges), ruled and bool(separators))


def _markers_joined(words: Sequence[Word]) -> list[Word]:
    """Words with each lone bullet marker stretched to the text it marks: a hanging
    marker belongs to its item's column, however wide the indent."""
    joined = list(words)
    markers = [i for i, w in enumerate(words) if len(w.text) == 1 and w.text in BULLET_MARKERS]
    if not markers:
        return joined
    # The words that may follow a marker, found by x0 (then checked exactly).
    by_x = sorted(words, key=lambda w: w.x0)
    lefts = [w.x0 for w in by_x]
    for i in markers:
        word = words[i]
        low = bisect.bisect_left(lefts, word.x1)
        high = bisect.bisect_right(lefts, word.x1 + 2 * word.size + 1.0)
        after = [
            other.x0
            for other in by_x[low:high]
            if other.x0 > word.x1
            and other.x0 - word.x1 <= 2 * word.size
            and other.top <= word.middle <= other.bottom
        ]
        if after:
            joined[i] = replace(word, x1=min(after))
    return joined


def key_value_columns(
    words: Sequence[Word], page: PageData, top: float, bottom: float, layout: PdfLayout
) -> Columns | None:
    """Two columns, key and value, for a table without a header row: split at a vertical
    ruling inside the table, else at the leftmost white gutter."""
    if not words:
        return None
    left = min(w.x0 for w in words)
    right = max(w.x1 for w in words)
    verticals = [
        x
        for x in _vertical_lines(page, top, bottom, layout)
        if left + layout.snap < x < right - layout.snap
    ]
    split = min(verticals) if verticals else _first_gutter(words, left, right, layout)
    if split is None:
        return None
    return Columns(("key", "value"), (left - layout.snap, split, right + layout.snap))


def _vertical_lines(page: PageData, top: float, bottom: float, layout: PdfLayout) -> list[float]:
    """x of vertical rulings and shading edges that overlap [top, bottom]."""
    found = [
        rule.at
        for rule in page.rules
        if rule.orientation == "v" and rule.start < bottom - 1 and rule.end > top + 1
    ]
    for fill in page.fills:
        if fill.top < bottom - 1 and fill.bottom > top + 1:
            found += [fill.x0, fill.x1]
    return _snapped(found, layout.snap)


def _snapped(values: Iterable[float], snap: float) -> list[float]:
    merged: list[float] = []
    for value in sorted(values):
        if merged and value - merged[-1] <= snap:
            continue
        merged.append(value)
    return merged


def _inside(word: Word, box: Box) -> bool:
    return box.top - 0.5 <= word.middle <= box.bottom + 0.5 and box.x0 - 0.5 <= word.x0 <= box.x1


def _free_intervals(words: Iterable[Word], low: float, high: float) -> list[tuple[float, float]]:
    """Sub-intervals of [low, high] that no word covers horizontally."""
    free = [(low, high)]
    for word in words:
        if word.x1 <= low or word.x0 >= high:
            continue
        free = [
            piece
            for a, b in free
            for piece in ((a, min(b, word.x0)), (max(a, word.x1), b))
            if piece[1] > piece[0]
        ]
    return free


def _gutter(
    words: Sequence[Word],
    body: Sequence[Word],
    low: float,
    high: float,
    narrowest: float,
    layout: PdfLayout,
) -> float | None:
    """The middle of the white stretch of [low, high] that no word crosses and that most
    body lines start right after (a column's text is aligned on its left edge); among
    equals, the widest. None if no stretch is wide enough."""
    free = [(a, b) for a, b in _free_intervals(words, low, high) if b - a >= narrowest]
    if not free:
        return None

    def starts(piece: tuple[float, float]) -> int:
        return len({round(w.top) for w in body if abs(w.x0 - piece[1]) <= layout.snap})

    a, b = max(free, key=lambda piece: (starts(piece), piece[1] - piece[0]))
    return (a + b) / 2


def _median_size(words: Sequence[Word]) -> float:
    sizes = sorted(word.size for word in words)
    return sizes[len(sizes) // 2] if sizes else 10.0


def _first_gutter(
    words: Sequence[Word], left: float, right: float, layout: PdfLayout
) -> float | None:
    narrowest = layout.gutter * _median_size(words)
    for a, b in _free_intervals(words, left, right):
        if b - a >= narrowest and a > left:
            return (a + b) / 2
    return None


# --- rows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowBand:
    """One row's part on one page: its box and its cells' lines, by field."""

    page: int
    box: Box
    cells: dict[str, tuple[TextLine, ...]]
    # How the band's top was found: "rule" (a ruling or shading edge), "gap" (white
    # space between two rows) or "start" (the top of the table's part on this page).
    bound: str = "rule"

    def anchors(self, names: Sequence[str]) -> int:
        return max((len(_anchor_boxes(self.cells.get(name, ()))) for name in names), default=0)

    def has(self, name: str) -> bool:
        return any(line.text.strip() for line in self.cells.get(name, ()))


@dataclass
class TablePart:
    """A table's part on one page, with what was found there (kept for inspect)."""

    page: int
    columns: Columns
    top: float
    bottom: float
    header: Box | None = None
    bands: list[RowBand] = field(default_factory=list)
    cut_gaps: list[float] = field(default_factory=list)
    unassigned: list[Word] = field(default_factory=list)

    @property
    def box(self) -> Box:
        return Box(self.columns.edges[0], self.top, self.columns.edges[-1], self.bottom)


def read_part(
    page: PageData,
    words: Sequence[Word],
    columns: Columns,
    top: float,
    bottom: float,
    anchors: Sequence[str],
    layout: PdfLayout,
    header: Box | None = None,
) -> TablePart:
    """Row bands of a table's part on one page (words: the part's words, header aside)."""
    part = TablePart(page.number, columns, top, bottom, header)
    if not words:
        return part
    cuts = horizontal_cuts(page, words, columns, top, bottom, layout)
    groups: dict[int, list[Word]] = {}
    for word in words:
        groups.setdefault(bisect.bisect_right(cuts, word.middle), []).append(word)
    for slot in sorted(groups):
        group = groups[slot]
        bound = "rule" if slot > 0 else "start"
        for piece, piece_bound in _split_at_gaps(group, columns, anchors, layout, part):
            part.bands.append(_band(page.number, piece, columns, layout, piece_bound or bound))
    return part


def horizontal_cuts(
    page: PageData,
    words: Sequence[Word],
    columns: Columns,
    top: float,
    bottom: float,
    layout: PdfLayout,
) -> list[float]:
    """y of rulings and shading edges that run across the table between top and bottom.

    Cell borders and cell shading are drawn cell by cell: pieces at one height are joined.
    A row boundary spans most of the table's width and more than one column; a line that
    touches the text above it is an underline (a link), not a boundary.
    """
    x0, x1 = columns.edges[0], columns.edges[-1]
    width = x1 - x0
    if width <= 0:
        return []
    segments: list[tuple[float, float, float]] = [
        (rule.at, rule.start, rule.end)
        for rule in page.rules
        if rule.orientation == "h" and top - 1 < rule.at < bottom + 1
    ]
    for fill in page.fills:
        for y in (fill.top, fill.bottom):
            if top - 1 < y < bottom + 1:
                segments.append((y, fill.x0, fill.x1))
    cuts: list[float] = []
    segments.sort()
    for _, group in itertools.groupby(segments, key=_Snap(layout.snap)):
        pieces = list(group)
        y = sum(piece[0] for piece in pieces) / len(pieces)
        spans = [(max(a, x0), min(b, x1)) for _, a, b in pieces]
        if (
            _covered(spans) >= layout.rule_span * width
            and _columns_crossed(spans, columns) > 1
            and not any(w.top < y < w.bottom and _under(w, spans) for w in words)
        ):
            cuts.append(y)
    return cuts


def _columns_crossed(spans: Sequence[tuple[float, float]], columns: Columns) -> int:
    edges = columns.edges
    return sum(
        1
        for left, right in itertools.pairwise(edges)
        if any(a < right - 1 and b > left + 1 for a, b in spans)
    )


def _under(word: Word, spans: Sequence[tuple[float, float]]) -> bool:
    return any(a < word.x1 and b > word.x0 for a, b in spans)


class _Snap:
    """Key for itertools.groupby: values within `snap` of the previous one group together."""

    def __init__(self, snap: float) -> None:
        self.snap = snap
        self.last: float | None = None
        self.key = 0

    def __call__(self, item: tuple[float, float, float]) -> int:
        if self.last is not None and item[0] - self.last > self.snap:
            self.key += 1
        self.last = item[0]
        return self.key


def _covered(spans: Iterable[tuple[float, float]]) -> float:
    total, end = 0.0, float("-inf")
    for a, b in sorted(spans):
        if b <= a:
            continue
        if a > end:
            total += b - a
            end = b
        elif b > end:
            total += b - end
            end = b
    return total


def _split_at_gaps(
    words: list[Word],
    columns: Columns,
    anchors: Sequence[str],
    layout: PdfLayout,
    part: TablePart,
) -> list[tuple[list[Word], str | None]]:
    """Cut a band holding several rows (several anchor values) at the widest white gap
    between each two anchors. Returns the pieces and how each piece's top was found."""
    by_field = _by_field(words, columns, layout)
    boxes = max(
        (_anchor_boxes(words_to_lines(by_field.get(name, []), 0)) for name in anchors),
        key=len,
        default=[],
    )
    if len(boxes) < 2:
        return [(words, None)]
    # A gap inside a word or phrase that wraps (a line ending 'oper-' or 'of') is no
    # row boundary, however wide.
    joined = [
        (upper.bottom, lower.top)
        for cell in by_field.values()
        for upper, lower in itertools.pairwise(words_to_lines(cell, 0))
        if surely_wrapped(upper, lower)
    ]
    every_gap = _white_gaps(words)
    gaps = [g for g in every_gap if not any(a < g[1] and g[0] < b for a, b in joined)]
    # Where rows set without spacing leave equal gaps, the first row's value tells how
    # cells are aligned: level with the table's first line (top-aligned), a row ends just
    # above the next row's value; lower down (bottom-aligned), just below its own.
    top_aligned = boxes[0].top - min(w.top for w in words) < 0.5 * boxes[0].height
    cuts: list[float] = []
    for upper, lower in itertools.pairwise(boxes):
        between = [g for g in gaps if g[0] >= _mid(upper) and g[1] <= _mid(lower)] or [
            g for g in every_gap if g[0] >= _mid(upper) and g[1] <= _mid(lower)
        ]
        if not between:
            raise TableError(
                "two rows overlap: no white space between them to tell them apart",
                part.page,
                Box(upper.x0, upper.top, lower.x1, lower.bottom),
            )
        widest = max(g[1] - g[0] for g in between)
        equal = [g for g in between if g[1] - g[0] >= widest - 0.5]
        a, b = equal[-1] if top_aligned else equal[0]
        cuts.append((a + b) / 2)
        part.cut_gaps.append(b - a)
    pieces: dict[int, list[Word]] = {}
    for word in words:
        pieces.setdefault(bisect.bisect_right(cuts, word.middle), []).append(word)
    return [(pieces[i], "gap" if i > 0 else None) for i in sorted(pieces)]


def split_leading(
    band: RowBand, columns: Columns, anchors: Sequence[str], threshold: float, layout: PdfLayout
) -> list[RowBand]:
    """Split off what sits above a band's first row when a row-wide white gap separates
    it: the end of a row that began on the page before."""
    words = [w for lines in band.cells.values() for line in lines for w in line.words]
    first_anchor = min(
        (line.top for name in anchors for line in band.cells.get(name, ())), default=None
    )
    if first_anchor is None:
        return [band]
    gaps = [g for g in _white_gaps(words) if g[1] <= first_anchor + 0.5]
    if not gaps:
        return [band]
    a, b = max(gaps, key=lambda g: g[1] - g[0])
    if b - a < threshold:
        return [band]
    cut = (a + b) / 2
    upper = [w for w in words if w.middle < cut]
    lower = [w for w in words if w.middle >= cut]
    return [
        _band(band.page, upper, columns, layout, band.bound),
        _band(band.page, lower, columns, layout, "gap"),
    ]


def _mid(box: Box) -> float:
    return (box.top + box.bottom) / 2


def _white_gaps(words: Iterable[Word]) -> list[tuple[float, float]]:
    """Vertical stretches no word covers, between the first and the last word.

    A word's box spans its font's ascent and descent, which differ between fonts: a URL
    set in a typewriter font can reach into the line above when rows have no spacing.
    Each box is taken as one em above its bottom, the same for every font.
    """
    spans = sorted((max(w.top, w.bottom - w.size), w.bottom) for w in words)
    gaps: list[tuple[float, float]] = []
    end: float | None = None
    for top, bottom in spans:
        if end is not None and top > end:
            gaps.append((end, top))
        end = bottom if end is None else max(end, bottom)
    return gaps


def _anchor_boxes(lines: Sequence[TextLine]) -> list[Box]:
    """Values in an anchor column (Type, Level, ID, key), one per line: a value never
    wraps, except a word broken in a narrow column (the next line goes on in lower case,
    or after a hyphen) or a Context key over two lines ('Minimum' / 'EQF')."""
    boxes: list[Box] = []
    texts: list[str] = []
    for line in lines:
        if boxes and _continues_value(texts[-1], line.text):
            last = boxes[-1]
            boxes[-1] = Box(min(last.x0, line.x0), last.top, max(last.x1, line.x1), line.bottom)
            texts[-1] = f"{texts[-1]} {line.text}"
        else:
            boxes.append(Box(line.x0, line.top, line.x1, line.bottom))
            texts.append(line.text)
    return boxes


def _continues_value(upper: str, lower: str) -> bool:
    if lower[:1].islower() or upper.endswith("-"):
        return True
    joined = f"{upper} {lower}".casefold()
    return upper.casefold() not in CONTEXT_KEYS and any(
        key.startswith(joined) for key in CONTEXT_KEYS
    )


def _by_field(words: Iterable[Word], columns: Columns, layout: PdfLayout) -> dict[str, list[Word]]:
    cells: dict[str, list[Word]] = {}
    for word in words:
        name = columns.fields[columns.index(word, layout.snap)]
        if name is not None:
            cells.setdefault(name, []).append(word)
    return cells


def _band(
    page: int, words: Sequence[Word], columns: Columns, layout: PdfLayout, bound: str
) -> RowBand:
    box = Box(
        min(w.x0 for w in words),
        min(w.top for w in words),
        max(w.x1 for w in words),
        max(w.bottom for w in words),
    )
    cells = {
        name: tuple(words_to_lines(cell_words, page))
        for name, cell_words in _by_field(words, columns, layout).items()
    }
    return RowBand(page, box, cells, bound)
