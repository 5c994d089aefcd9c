"""Items of list cells (ESCO labels, departments, job titles) from their lines (pure).

A list cell holds items one under the other; a long item wraps. What tells a wrapped line
from a new item is the producer's: paragraph spacing between items, or only the column's
width (a line breaks where the next word does not fit). Where neither tells, the
document's own words may: an item it writes whole elsewhere ("battery chemistry") ends
where it is complete. What is still undecided is read as a wrap and counted, so that the
verdict can say where the reading is unsure.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from pipeline.extract.pdf_lines import TextLine
from pipeline.extract.pdf_model import PdfLayout, Word
from pipeline.stages.clean import join_wrapped


def line_gaps(lines: Sequence[TextLine]) -> list[float]:
    """Gap above each line of a cell but the first."""
    return [lower.top - upper.bottom for upper, lower in itertools.pairwise(lines)]


def usual_gap(gaps: Iterable[float]) -> float | None:
    """The line gap of wrapped text in a table: the lower quartile of its gaps."""
    ordered = sorted(gaps)
    return ordered[len(ordered) // 4] if ordered else None


# How the items of a list column (ESCO labels, departments, titles) are told apart:
# "spacing": paragraph spacing separates items, a line break without it is a wrap;
# "fit": the column wraps its items and has no spacing: a line break is a wrap when the
#   next line's first word would not have fitted on the line;
# "lines": nothing shows that items wrap: each line is an item (as in a text export).
ItemBreaks = Literal["spacing", "fit", "lines"]

# Words an English list item (an ESCO label, a job title) never ends with or starts with:
# a line that ends (or a next line that starts) with one is an item wrapping.
_OPEN_STARTS = frozenset(
    {"and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "to", "with"}
    | {"within", "via", "per"}
)
_OPEN_ENDS = _OPEN_STARTS | {"a", "an", "the", "without"}


@dataclass(frozen=True)
class ListColumn:
    """The cells of one list column of one table, and the column's right text edge."""

    name: str
    cells: tuple[tuple[TextLine, ...], ...]
    limit: float
    usual_gap: float | None


def text_edge(cells: Iterable[Sequence[TextLine]]) -> float:
    """The right edge of a column's text: where its longest line of several words ends.
    A single word longer than the column is set overflowing it, never wrapped; a line of
    several words ends inside the column, since it could have wrapped at a space."""
    lines = [line for cell in cells for line in cell]
    several = [line.x1 for line in lines if len(line.words) > 1]
    return max(several or [line.x1 for line in lines], default=0.0)


# Whether a word opens a new item (an ESCO label's verb), for columns that know.
Opens = Callable[[Word], bool]
# Marks a hyphen a typesetter added at the end of the upper line (see hyphens.py).
Soften = Callable[[str, str], str]

# Below this many line breaks, their share tells nothing about wrapping.
_FEW_BREAKS = 6


def item_breaks(
    columns: Sequence[ListColumn], layout: PdfLayout, opens: Opens | None
) -> ItemBreaks:
    """How a producer tells list items apart, from the evidence of all its list cells.

    "spacing" when any cell sets items apart with paragraph spacing. Else "fit" when items
    wrap: a line break no item can end at shows it, or (for a column whose items open with
    a known word, as ESCO skills open with a verb) many breaks leave no room for the next
    word and few of the lines after them open an item; without such words, most breaks
    leave no room. Else "lines": each line is an item, as in a text export.
    """
    if any(
        len(paragraphs(cell, column.usual_gap, layout)) > 1
        for column in columns
        for cell in column.cells
        if len(cell) > 1
    ):
        return "spacing"
    pairs = [
        (upper, lower, column)
        for column in columns
        for cell in column.cells
        for upper, lower in itertools.pairwise(cell)
    ]
    if any(surely_wrapped(upper, lower) for upper, lower, _ in pairs):
        return "fit"
    tight = [lower for upper, lower, column in pairs if _no_room(upper, lower, column.limit)]
    if len(tight) < _FEW_BREAKS:
        return "lines"
    if opens is not None:
        opening = sum(1 for lower in tight if opens(lower.words[0]))
        return "fit" if opening < layout.opening_share * len(tight) else "lines"
    return "fit" if len(tight) >= layout.wrapped_share * len(pairs) else "lines"


def surely_wrapped(upper: TextLine, lower: TextLine) -> bool:
    """A line break no list item could end at: after a word-joining hyphen, or after or
    before a word that cannot end or start an item ('of', 'and', 'the', ...)."""
    last = upper.words[-1].text
    if re.search(r"[^\W\d_]-$", last):
        return True
    first = lower.words[0].text
    return last.casefold().rstrip(",;:") in _OPEN_ENDS or first.casefold() in _OPEN_STARTS


@dataclass(frozen=True)
class ItemReader:
    """How the line breaks of one list column are read.

    `limit` is the column's right text edge; a line whose first word `opens` an item starts
    one; `known` holds the items the document writes whole elsewhere (folded, see `fold`);
    `soften(upper, lower)` marks a hyphen a typesetter added at the end of the upper line.
    """

    breaks: ItemBreaks
    limit: float
    usual: float | None
    layout: PdfLayout
    opens: Opens | None = None
    known: frozenset[str] = frozenset()
    soften: Soften | None = None

    def starts_item(self, item: Sequence[TextLine], lower: TextLine) -> bool | None:
        """Whether `lower` starts a new item after the lines of `item`, or None when nothing
        tells (read as a wrap). A break no item can end at never does; a break before a word
        that would have fitted on the line always does (text only wraps when it must);
        else the column's way of telling items apart decides, and where it cannot (no
        spacing, no room), the document's whole items."""
        upper = item[-1]
        if surely_wrapped(upper, lower):
            return False
        if self.breaks == "lines" or _room_for_sure(upper, lower, self.limit):
            return True
        if self.opens is not None and self.opens(lower.words[0]):
            return True
        if self.breaks == "spacing":
            return len(paragraphs([upper, lower], self.usual, self.layout)) > 1
        if not _no_room(upper, lower, self.limit):
            return True
        return self._by_known(item, lower)

    def continues(self, upper: TextLine, lower: TextLine) -> bool | None:
        """Whether the first line of a cell's next part (after a page break) goes on with
        the last item above it, or None when nothing tells (read as going on): spacing
        cannot tell there, so only the words can."""
        if surely_wrapped(upper, lower):
            return True
        if self.breaks == "lines" or (self.opens is not None and self.opens(lower.words[0])):
            return False
        if not _no_room(upper, lower, self.limit):
            return False
        starts = self._by_known([upper], lower)
        return None if starts is None else not starts

    def _by_known(self, item: Sequence[TextLine], lower: TextLine) -> bool | None:
        if not self.known:
            return None
        text = fold(self.text(item))
        joined = f"{text} {fold(lower.text)}"
        if any(known == joined or known.startswith(f"{joined} ") for known in self.known):
            return False
        if text in self.known:
            return True
        return None

    def text(self, lines: Sequence[TextLine]) -> str:
        texts = [line.text for line in lines]
        if self.soften is not None:
            texts = [self.soften(a, b) for a, b in itertools.pairwise(texts)] + texts[-1:]
        return join_wrapped(texts)

    def read(self, lines: Sequence[TextLine]) -> CellItems:
        """The items of a list cell, and how many of its line breaks were read as a wrap
        with nothing to tell."""
        items: list[list[TextLine]] = []
        whole: list[bool] = []
        doubts = 0
        for line in lines:
            starts = self.starts_item(items[-1], line) if items else True
            if starts:
                items.append([line])
                whole.append(True)
            else:
                items[-1].append(line)
                if starts is None:
                    doubts += 1
                    whole[-1] = False
        texts = tuple(self.text(item) for item in items)
        return CellItems(texts, tuple(whole), doubts)


@dataclass(frozen=True)
class CellItems:
    """A list cell read: its items, whether each was read without doubt, the doubts."""

    items: tuple[str, ...]
    whole: tuple[bool, ...]
    doubts: int


def whole_items(
    cells: Iterable[Sequence[Sequence[TextLine]]], reader: ItemReader
) -> frozenset[str]:
    """The items a column writes whole, folded: read without doubt, and not at a page
    break (each cell given as its parts, one per page, the first and last item of a part
    that a page break cuts may be unfinished)."""
    found: set[str] = set()
    for parts in cells:
        for index, part in enumerate(parts):
            read = reader.read(part)
            for position, (item, whole) in enumerate(zip(read.items, read.whole, strict=True)):
                cut_above = index > 0 and position == 0
                cut_below = index < len(parts) - 1 and position == len(read.items) - 1
                if whole and not cut_above and not cut_below:
                    found.add(fold(item))
    return frozenset(found)


def fold(text: str) -> str:
    """An item's text compared without case and spacing differences."""
    return " ".join(text.split()).casefold()


def _no_room(upper: TextLine, lower: TextLine, limit: float) -> bool:
    """Whether the lower line's first word would not have fitted at the end of the upper
    (with a narrow space: when in doubt, there was no room)."""
    first = lower.words[0]
    needed = first.x1 - first.x0 + 0.25 * first.size
    return upper.x1 + needed > limit + 0.5


def _room_for_sure(upper: TextLine, lower: TextLine, limit: float) -> bool:
    """Whether the lower line's first word would have fitted on the upper even with a wide
    space and some margin: then the line break was made on purpose, not by wrapping."""
    first = lower.words[0]
    needed = first.x1 - first.x0 + 0.4 * first.size
    return upper.x1 + needed < limit - 1.0


def paragraphs(
    lines: Sequence[TextLine], usual: float | None, layout: PdfLayout
) -> list[list[TextLine]]:
    """Lines grouped into paragraphs: a gap wider than the usual line gap by
    cell_paragraph_gap x the font size starts a new one."""
    groups: list[list[TextLine]] = []
    for i, line in enumerate(lines):
        gap = line.top - lines[i - 1].bottom if i else None
        if gap is None or usual is None or gap > usual + layout.cell_paragraph_gap * line.size:
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups
