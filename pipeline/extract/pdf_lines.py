"""Words to text lines, running headers and footers, and paragraph blocks (pure)."""

from __future__ import annotations

import itertools
import operator
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from pipeline.extract.pdf_model import PageData, PdfLayout, Word
from pipeline.extract.structure import is_header_text
from pipeline.model import Cell

_TOP_LEFT = operator.attrgetter("top", "x0")
_LEFT = operator.attrgetter("x0")
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d+(?:\s*(?:/|of)\s*\d+)?$", re.IGNORECASE)
_STRAYS = frozenset({",", ".", ";", ":"})
_T = TypeVar("_T")


class _once(Generic[_T]):
    """functools.cached_property without its lock: Python 3.11 takes one on each first
    read, which costs about as much as what TextLine computes (the layout code makes
    hundreds of thousands of lines and reads each once or twice)."""

    def __init__(self, compute: Callable[[Any], _T]) -> None:
        self._compute = compute
        self._name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> _once[_T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> _once[_T] | _T:
        if instance is None:
            return self
        value = self._compute(instance)
        instance.__dict__[self._name] = value  # read from there from now on
        return value


@dataclass(frozen=True)
class TextLine:
    """A line of words on a page; what is read off its words is computed once (the layout
    code asks for a line's text, top and bottom many times)."""

    page: int
    words: tuple[Word, ...]

    @_once
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    @_once
    def top(self) -> float:
        return min(word.top for word in self.words)

    @_once
    def bottom(self) -> float:
        return max(word.bottom for word in self.words)

    @_once
    def x0(self) -> float:
        return self.words[0].x0

    @_once
    def x1(self) -> float:
        return max(word.x1 for word in self.words)

    @_once
    def size(self) -> float:
        return max(word.size for word in self.words)

    @_once
    def bold(self) -> bool:
        return all(word.bold for word in self.words)

    @_once
    def body(self) -> tuple[float, float]:
        """Top and bottom of most of the line's words: a taller glyph (a bracket, a symbol
        from another font) does not move it, so gaps between lines compare."""
        tops = sorted(word.top for word in self.words)
        bottoms = sorted(word.bottom for word in self.words)
        return tops[len(tops) // 2], bottoms[len(bottoms) // 2]


def words_to_lines(words: Iterable[Word], page: int) -> list[TextLine]:
    """Group words into lines, top to bottom, left to right: a word joins a line when its
    middle lies within the line's height (so a bullet or a smaller word joins it too).
    Pieces of one word the reader split (a capital set higher than the small capitals
    after it) are joined again."""
    lines: list[list[Word]] = []
    top = bottom = 0.0
    for word in sorted(words, key=_TOP_LEFT):
        if lines and top <= word.middle <= bottom:
            lines[-1].append(word)
            bottom = max(bottom, word.bottom)
        else:
            lines.append([word])
            top, bottom = word.top, word.bottom
    return [TextLine(page, _rejoined(sorted(line, key=_LEFT))) for line in lines]


def _rejoined(words: list[Word]) -> tuple[Word, ...]:
    if not words:
        return ()
    joined = [words[0]]
    for word in words[1:]:
        last = joined[-1]
        gap = word.x0 - last.x1
        size = max(word.size, last.size)
        # The reader only splits touching letters when they sit at different heights (or
        # a comma from the small capitals' font, set a little apart).
        split = abs(gap) < 0.05 * size and abs(word.top - last.top) > 0.5
        stray = word.text in _STRAYS and -0.2 * size < gap < 0.2 * size
        if split or stray:
            joined[-1] = Word(
                last.text + word.text,
                last.x0,
                word.x1,
                min(last.top, word.top),
                max(last.bottom, word.bottom),
                max(last.size, word.size),
                last.bold and word.bold,
            )
        else:
            joined.append(word)
    return tuple(joined)


@dataclass(frozen=True)
class Furniture:
    """A running header or footer line, or a page number, removed from a page."""

    line: TextLine
    kind: str  # "running header", "running footer" or "page number"


def find_furniture(
    pages: Sequence[PageData], lines: Sequence[Sequence[TextLine]], layout: PdfLayout
) -> list[set[int]]:
    """Per page, the indexes of lines that are running headers, footers or page numbers.

    A header or footer is among the first or last lines of a page and recurs, digits
    aside, at the same distance from the top (or bottom) of the page on many pages. Only
    the cover keeps a line that recurs elsewhere at another place (an alliance name that
    is also the running header).
    """
    n = layout.furniture_lines
    seen: Counter[tuple[str, str, int]] = Counter()
    for page, page_lines in zip(pages, lines, strict=True):
        keys = {
            _edge_key(page, line, where, layout.furniture_drift)
            for where, line in _edge_lines(page_lines, n)
            if not all(is_header_text(word.text) for word in line.words)
        }
        seen.update(keys)
    enough = max(2, layout.furniture_share * len(pages))
    recurring = {key for key, count in seen.items() if count >= enough}
    drift = layout.furniture_drift
    found: list[set[int]] = []
    for page, page_lines in zip(pages, lines, strict=True):
        indexes: set[int] = set()
        for where, index in _edge_indexes(len(page_lines), n):
            line = page_lines[index]
            text, _, at = _edge_key(page, line, where, drift)
            near = any((text, where, at + step) in recurring for step in (-1, 0, 1))
            if near or _PAGE_NUMBER.match(line.text):
                indexes.add(index)
        # Furniture sits at the page edges: stop at the first content line from each end.
        found.append(_from_edges(indexes, len(page_lines)))
    return found


def _edge_indexes(count: int, n: int) -> list[tuple[str, int]]:
    return [("top", i) for i in range(min(n, count))] + [
        ("bottom", i) for i in range(max(count - n, 0), count)
    ]


def _edge_lines(lines: Sequence[TextLine], n: int) -> list[tuple[str, TextLine]]:
    return [(where, lines[i]) for where, i in _edge_indexes(len(lines), n)]


def _edge_key(page: PageData, line: TextLine, where: str, drift: float) -> tuple[str, str, int]:
    distance = line.top if where == "top" else page.height - line.bottom
    return (re.sub(r"\d+", "#", line.text.strip().casefold()), where, round(distance / drift))


def _from_edges(indexes: set[int], count: int) -> set[int]:
    kept: set[int] = set()
    for order in (range(count), range(count - 1, -1, -1)):
        for i in order:
            if i not in indexes:
                break
            kept.add(i)
    return kept


def lines_to_blocks(lines: Sequence[TextLine], layout: PdfLayout) -> list[Cell]:
    """Paragraph-like blocks. A block ends at a gap wider than the text's usual line gap,
    at a change of size, or before a line indented like a paragraph's first line.

    At a page break a block goes on only if its last line ran to the right edge, as a
    paragraph cut mid-way does; the cover (page 1) never continues.
    """
    if not lines:
        return []
    right_edge = max(line.x1 for line in lines)
    usual = _usual_gaps(lines)
    blocks: list[list[TextLine]] = [[lines[0]]]
    for previous, line in itertools.pairwise(lines):
        indented = line.page > 1 and _first_line_indent(previous, line, right_edge)
        if line.page != previous.page:
            short = previous.x1 < right_edge - 3 * previous.size
            new_block = previous.page == 1 or short or indented
        else:
            gap = line.body[0] - previous.body[1]
            normal = usual.get(round(previous.size))
            if normal is None:
                wide = layout.paragraph_gap * previous.size
            else:
                wide = normal + layout.cell_paragraph_gap * previous.size
            resized = abs(line.size - previous.size) > 0.1 * previous.size
            new_block = resized or gap > wide or indented
        if new_block:
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return [Cell("\n".join(line.text for line in block), None, block[0].page) for block in blocks]


def _usual_gaps(lines: Sequence[TextLine]) -> dict[int, float]:
    """Per font size (rounded), the usual gap between two lines of one paragraph: the
    lower quartile of the gaps between consecutive lines of that size on a page."""
    gaps: dict[int, list[float]] = {}
    for upper, lower in itertools.pairwise(lines):
        if upper.page == lower.page and round(upper.size) == round(lower.size):
            gaps.setdefault(round(upper.size), []).append(lower.body[0] - upper.body[1])
    return {size: sorted(found)[len(found) // 4] for size, found in gaps.items()}


def _first_line_indent(previous: TextLine, line: TextLine, right_edge: float) -> bool:
    """A line indented by 0.5 to 4 ems after a line that stopped short of the right edge:
    a new paragraph in a layout that marks paragraphs by indenting, not by spacing."""
    indent = line.x0 - previous.x0
    return (
        0.5 * line.size <= indent <= 4 * line.size
        and previous.x1 < right_edge - 0.5 * previous.size
    )


def same_block(upper: TextLine, lower: TextLine, layout: PdfLayout) -> bool:
    """Two lines of one paragraph: same page, same size, close, and aligned left."""
    return (
        upper.page == lower.page
        and upper.bold == lower.bold
        and abs(upper.size - lower.size) <= 0.1 * lower.size
        and lower.top - upper.bottom <= layout.paragraph_gap * lower.size
        and abs(upper.x0 - lower.x0) <= layout.snap
    )
