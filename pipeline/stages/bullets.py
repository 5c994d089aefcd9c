"""Description cells to statements: one statement per bullet, page breaks mended."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from pipeline.model import Cell, Statement
from pipeline.stages.clean import BULLET_MARKERS, clean_text, join_wrapped, strip_tags

# A marker stands alone: at the start of a line or after a space, and before a space or
# the end. Written marker first (then "no non-space before it, nor after it"), so that re
# looks for the markers' characters instead of trying the pattern at every position.
_MARKER_SET = f"[{re.escape(BULLET_MARKERS)}]"
_MARKER = re.compile(rf"{_MARKER_SET}(?<!\S{_MARKER_SET})(?!\S)")
_MARKERS = frozenset(BULLET_MARKERS)  # a line without any has no marker to find


@dataclass(frozen=True)
class Segment:
    """Text between bullet markers on one line; `marked` if a marker opened it."""

    marked: bool
    text: str


@dataclass
class _Bullet:
    parts: list[str] = field(default_factory=list)
    line: int | None = None
    page: int | None = None


def line_to_segments(line: str) -> list[Segment]:
    """Split one line at its bullet markers ('- a - b' -> two marked segments)."""
    segments: list[Segment] = []
    starts = [] if _MARKERS.isdisjoint(line) else [m.start() for m in _MARKER.finditer(line)]
    head = line[: starts[0]] if starts else line
    if head.strip():
        segments.append(Segment(False, head.strip()))
    for start, end in pairwise([*starts, len(line)]):
        text = line[start + 1 : end].strip()
        if text:
            segments.append(Segment(True, text))
    return segments


def cells_to_statements(cells: Sequence[Cell]) -> tuple[Statement, ...]:
    """Bullets of a description split over rows (page breaks) or lines (wrapping).

    Text that does not open with a marker continues the bullet above it, so a bullet cut
    by a page break, or wrapped over lines, stays one statement.
    """
    bullets: list[_Bullet] = []
    for cell in cells:
        text = strip_tags(cell.text) if "<" in cell.text else cell.text
        for offset, line in enumerate(text.split("\n")):
            line_no = None if cell.line is None else cell.line + offset
            for segment in line_to_segments(line):
                if segment.marked or not bullets:
                    bullets.append(_Bullet([segment.text], line_no, cell.page))
                else:
                    bullets[-1].parts.append(segment.text)
    statements = (
        Statement(clean_text(join_wrapped(bullet.parts)), bullet.line, bullet.page)
        for bullet in bullets
    )
    return tuple(statement for statement in statements if statement.text)
