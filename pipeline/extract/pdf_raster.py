"""A scanned page's picture to what a vector PDF draws: rulings (long thin runs of dark
pixels), filled areas (cell and row shading: long runs of one grey), and the picture
cleaned for OCR (rulings erased, shading whitened, light text on dark shading inverted).

Pure functions on a greyscale numpy array (0 black .. 255 white), in pixels; the caller
turns pixels into points. Nothing here knows about words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Grey = npt.NDArray[np.uint8]

# Darker than this is ink (a ruling, a glyph); lighter than WHITE is paper.
INK = 128
WHITE = 245
# Neighbouring pixels of one shading differ by no more than this (grey levels).
_FLAT = 6
# Shadings whose grey levels differ by more than this are different fills.
_SAME_FILL = 16
# A ruling is at least this many times as long as it is thick.
_SLENDER = 10
# More than this share of a ruling's length with ink right beside it is a glyph's bar.
_TOUCHED = 0.3


@dataclass(frozen=True)
class PixelBox:
    """A box in pixels: x0, top inclusive; x1, bottom exclusive."""

    x0: int
    top: int
    x1: int
    bottom: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.bottom - self.top


@dataclass(frozen=True)
class PixelRule:
    """A ruling: `at` is its middle row (horizontal) or column (vertical); it runs from
    `start` to `end` along the other axis."""

    orientation: str  # "h" or "v"
    at: float
    start: int
    end: int
    # Rows (columns) the line is thick.
    thickness: int = 1


@dataclass(frozen=True)
class Fill:
    box: PixelBox
    grey: int


@dataclass(frozen=True)
class RasterMarks:
    """What a page's picture draws besides its text, and the picture to OCR."""

    rules: tuple[PixelRule, ...]
    fills: tuple[Fill, ...]
    cleaned: Grey


def raster_to_marks(
    grey: Grey, rule_length: int, rule_thickness: int, fill_width: int, fill_height: int
) -> RasterMarks:
    """Fills first (a dark shading is not a stack of rulings), then rulings outside them,
    then the picture with both taken away so that OCR sees only text."""
    fills = grey_to_fills(grey, fill_width, fill_height)
    inked = grey < INK
    for fill in fills:
        b = fill.box
        inked[b.top : b.bottom, b.x0 : b.x1] = False
    rules = [
        *ink_to_rules(inked, "h", rule_length, rule_thickness),
        *ink_to_rules(inked.T, "v", rule_length, rule_thickness),
    ]
    return RasterMarks(tuple(rules), tuple(fills), marks_to_cleaned(grey, rules, fills))


def _runs(mask: npt.NDArray[np.bool_]) -> Iterator[tuple[int, int]]:
    """(start, end) of each stretch of True in a 1-D mask, end exclusive."""
    padded = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    yield from zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True)


def ink_to_rules(
    inked: npt.NDArray[np.bool_], orientation: str, length: int, thickness: int
) -> list[PixelRule]:
    """Rulings along the rows of `inked` (pass the transpose for vertical ones): runs of
    ink at least `length` long, stacked over at most `thickness` neighbouring rows. No
    glyph makes such a run; a thicker stack is a bar, not a line, and is left out."""
    found: list[tuple[int, int, int]] = []  # row, start, end
    for row in np.flatnonzero(inked.sum(axis=1) >= length).tolist():
        found += [(row, a, b) for a, b in _runs(inked[row]) if b - a >= length]
    # Stack runs on neighbouring rows that overlap into one line.
    stacks: list[list[tuple[int, int, int]]] = []
    for run in found:
        row, a, b = run
        for stack in stacks:
            last_row, la, lb = stack[-1]
            if last_row == row - 1 and a < lb and b > la:
                stack.append(run)
                break
        else:
            stacks.append([run])
    rules = []
    for stack in stacks:
        rows = [row for row, _, _ in stack]
        if len(rows) > thickness:
            continue
        start = min(a for _, a, _ in stack)
        end = max(b for _, _, b in stack)
        if end - start < _SLENDER * len(rows):
            continue  # a bold glyph's stem in a large title, not a line
        beside = [row for row in (rows[0] - 2, rows[-1] + 2) if 0 <= row < inked.shape[0]]
        if beside and float(inked[beside, start:end].any(axis=0).mean()) > _TOUCHED:
            continue  # a bold glyph's bar ('m', 'T'): the rest of the glyph touches it
        rules.append(PixelRule(orientation, (rows[0] + rows[-1] + 1) / 2, start, end, len(rows)))
    return rules


def grey_to_fills(grey: Grey, width: int, height: int) -> list[Fill]:
    """Shaded areas: rows of one grey at least `width` long, stacked over at least
    `height` rows. Text on the shading breaks a row's run but leaves long stretches
    between words and columns, so every row of a shaded cell has one."""
    runs = list(_flat_runs(grey, width))
    groups: list[list[tuple[int, int, int, int]]] = []  # row, start, end, grey
    open_groups: list[list[tuple[int, int, int, int]]] = []
    for run in runs:
        row, a, b, level = run
        target = None
        for group in open_groups:
            last_row = group[-1][0]
            ga = min(r[1] for r in group[-8:])
            gb = max(r[2] for r in group[-8:])
            if (
                row - last_row <= 3
                and a < gb
                and b > ga
                and abs(level - group[-1][3]) <= _SAME_FILL
            ):
                target = group
                break
        if target is None:
            target = []
            groups.append(target)
            open_groups.append(target)
        target.append(run)
        open_groups = [g for g in open_groups if row - g[-1][0] <= 3]
    fills = []
    page_area = grey.shape[0] * grey.shape[1]
    for group in groups:
        top, bottom = group[0][0], group[-1][0] + 1
        if bottom - top < height:
            continue
        box = PixelBox(_side(group, 1, min), top, _side(group, 2, max), bottom)
        if box.width * box.height >= 0.8 * page_area:
            continue  # the paper's own tint
        fills.append(Fill(box, int(np.median([r[3] for r in group]))))
    # Runs right of the text in a shaded row may start a group of their own: it lies
    # inside the row's shading.
    return [
        fill
        for fill in fills
        if not any(other is not fill and _within(fill.box, other.box) for other in fills)
    ]


def _within(inner: PixelBox, outer: PixelBox) -> bool:
    return (
        inner.x0 >= outer.x0
        and inner.x1 <= outer.x1
        and inner.top >= outer.top
        and inner.bottom <= outer.bottom
    )


def _side(group: Sequence[tuple[int, int, int, int]], index: int, outer: Any) -> int:
    """A shading's side: the outermost place where a good share of its rows' runs start
    (end); text breaks the runs inside, and a glyph touching the side shortens a few."""
    rows = len({run[0] for run in group})
    counts = Counter(run[index] for run in group)
    common = [place for place, count in counts.items() if count >= 0.25 * rows]
    return int(outer(common)) if common else int(outer(counts))


def _flat_runs(grey: Grey, width: int) -> Iterator[tuple[int, int, int, int]]:
    """(row, start, end, grey) of each stretch of one non-white grey at least `width` long."""
    tinted = grey < WHITE
    candidates = np.flatnonzero(tinted.sum(axis=1) >= width)
    signed = grey.astype(np.int16)
    for row in candidates.tolist():
        line = signed[row]
        steady = np.abs(np.diff(line)) <= _FLAT
        flat = tinted[row].copy()
        flat[1:] &= steady
        for a, b in _runs(flat):
            start = max(a - 1, 0)
            if b - start >= width:
                yield row, start, b, int(np.median(line[start:b]))


def marks_to_cleaned(grey: Grey, rules: Sequence[PixelRule], fills: Sequence[Fill]) -> Grey:
    """The picture with rulings erased and every shading turned to white paper (light text
    on a dark shading inverted to dark text), so that OCR reads only the text."""
    cleaned = grey.copy()
    for fill in fills:
        b = fill.box
        area = cleaned[b.top : b.bottom, b.x0 : b.x1].astype(np.float32)
        if fill.grey < INK:
            area = 255 - area
            background = 255 - fill.grey
        else:
            background = fill.grey
        stretched = np.clip(area * (255 / max(background, 1)), 0, 255)
        cleaned[b.top : b.bottom, b.x0 : b.x1] = stretched.astype(np.uint8)
    for rule in rules:
        # Its antialiased edges too.
        low, high = (
            max(int(rule.at - rule.thickness / 2) - 2, 0),
            int(rule.at + rule.thickness / 2) + 3,
        )
        if rule.orientation == "h":
            cleaned[low:high, rule.start : rule.end] = 255
        else:
            cleaned[rule.start : rule.end, low:high] = 255
    return cleaned
