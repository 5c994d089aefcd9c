"""List markers OCR drops or misreads, found in the picture's ink.

Tesseract reads a drawn bullet (a dot, a square) as 'e', '«' or '=', or not at all, and
often leaves out a dash that opens a list item ('– Apply ...'): a thin bar holds too
little ink for its sparse-text mode. A cell's items are told apart by their markers
(pdf_tables, stages/bullets), so each is put back where its ink is, as a text layer
would give it: a small solid blob becomes '•', a short level bar standing apart just
left of a word becomes '–'.

Pure functions: words in pixels, a picture's ink as a boolean numpy array.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pipeline.extract.pdf_model import BULLET_GLYPH, Word

# A list bullet is no larger than this (x font size).
BULLET = 0.65
DASH_GLYPH = "–"
# A dash marker's bar (x font size): at most this thick, this long, and at least this far
# from the word it opens (a minus sign or a hyphen touches its word: '−20', 'e-mail').
_DASH_THICKNESS = 0.12
_DASH_LENGTH = (0.25, 1.05)
_DASH_GAP = 0.2
# Where a dash's bar sits, above the word's box bottom (x font size; the box bottom is
# 0.2 below the baseline, ocr_hocr.DESCENT): about the middle of a lower-case letter.
_DASH_HEIGHT = (0.3, 0.75)


def with_markers(words: Sequence[tuple[Word, float]], inked: Any) -> list[tuple[Word, float]]:
    """The words with the list markers OCR dropped or misread put back: a small solid blob
    just left of a word, or read as a short word, becomes '•'; a short level bar just left
    of a word, standing apart from it, becomes '–'."""
    out: list[tuple[Word, float]] = []
    ordered = sorted(words, key=lambda pair: (round(pair[0].bottom), pair[0].x0))
    for i, (word, confidence) in enumerate(ordered):
        if len(word.text) <= 2 and _blob(inked, word, word.x0, word.x1):
            out.append((replace(word, text=BULLET_GLYPH), 1.0))
            continue
        trailing = _trailing_blob(inked, word)
        if trailing is not None:
            # A short value and the bullet of the next column read as one word ('S ▪' as
            # 'Ss'): the last letter is the bullet.
            cut, (x0, x1) = trailing
            out.append((replace(word, text=word.text[:-1], x1=cut), confidence))
            out.append((Word(BULLET_GLYPH, x0, x1, word.top, word.bottom, word.size), 1.0))
            continue
        marker = _marker_before(inked, word, [w for w, _ in ordered[:i]])
        if marker is not None:
            out.append((marker, 1.0))
        out.append((word, confidence))
    return out


def _marker_before(inked: Any, word: Word, earlier: Sequence[Word]) -> Word | None:
    """The bullet or dash OCR left unread just left of a word (within two font sizes, after
    the word before it on its line), as a word of its own."""
    left = [w for w in earlier if abs(w.bottom - word.bottom) < 0.5 * word.size and w.x1 <= word.x0]
    limit = max([w.x1 for w in left], default=0.0)
    start = max(limit + 1, word.x0 - 2 * word.size)
    # A glyph's ink may reach left of OCR's box for its word (a serif, a 'W'): not a mark.
    end = _ink_start(inked, word) - 1
    blob = _blob(inked, word, start, end)
    if blob is not None:
        return Word(BULLET_GLYPH, *blob, word.top, word.bottom, word.size)
    dash = _dash(inked, word, start, end)
    if dash is not None:
        return Word(DASH_GLYPH, *dash, word.top, word.bottom, word.size)
    return None


def _ink_start(inked: Any, word: Word) -> float:
    """Where the word's own ink starts: its box's left edge, or left of it while the
    columns next to it hold ink on the word's line."""
    top, bottom = _band(word)
    x = int(word.x0)
    while x > 0 and inked[top:bottom, x - 1].any():
        x -= 1
    return float(x)


def _band(word: Word) -> tuple[int, int]:
    """The rows a mark on the word's line is looked for in: from a font size above the
    box bottom to just above it (below-baseline ink is no marker)."""
    return max(int(word.bottom - word.size), 0), int(word.bottom - 0.1 * word.size)


def bullet_like(inked: Any, box: tuple[int, int, int, int], size: float) -> bool:
    """A list bullet's size and shape: small, square, solid (found by with_markers)."""
    x0, top, x1, bottom = box
    width, height = x1 - x0, bottom - top
    return (
        max(width, height) <= BULLET * size
        and 0.7 <= width / height <= 1.4
        and float(inked[top:bottom, x0:x1].mean()) >= 0.7
    )


def _trailing_blob(inked: Any, word: Word) -> tuple[float, tuple[float, float]] | None:
    """Where a word's ink ends before a wide white gap, and the bullet after the gap, when
    the word's box holds one at its right end."""
    import numpy as np

    if len(word.text) < 2:
        return None
    top, bottom = max(int(word.top), 0), int(word.bottom)
    columns = np.flatnonzero(inked[top:bottom, int(word.x0) : int(word.x1)].any(axis=0))
    if len(columns) < 2:
        return None
    gaps = np.diff(columns)
    widest = int(np.argmax(gaps))
    if gaps[widest] < 0.5 * word.size:
        return None
    cut = word.x0 + float(columns[widest]) + 1
    blob = _blob(inked, word, cut, word.x1)
    return (cut, blob) if blob is not None else None


def _last_piece(inked: Any, word: Word, start: float, end: float) -> tuple[int, int, Any] | None:
    """The rightmost run of inked columns in [start, end] on the word's line: its x0, x1
    (pixels) and its ink there (rows of the line's band)."""
    import numpy as np

    top, bottom = _band(word)
    left, right = max(int(start), 0), int(end)
    if right - left < 2 or bottom - top < 2:
        return None
    region = inked[top:bottom, left:right]
    columns = np.flatnonzero(region.any(axis=0))
    if len(columns) == 0:
        return None
    last = first = int(columns[-1])
    for column in columns[::-1][1:].tolist():
        if column != first - 1:
            break
        first = column
    return left + first, left + last + 1, region[:, first : last + 1]


def _opens(inked: Any, word: Word, x0: int) -> bool:
    """Nothing inked within half a font size left of x0 on the word's line: a marker opens
    its item (else the mark is a glyph's piece: a comma, an 'e')."""
    top, bottom = _band(word)
    return not inked[top:bottom, max(int(x0 - 0.5 * word.size), 0) : max(x0 - 1, 0)].any()


def _blob(inked: Any, word: Word, start: float, end: float) -> tuple[float, float] | None:
    """The small solid mark nearest the right of [start, end] on the word's line, when it
    has a list bullet's size and shape (a square or a disc, at most BULLET of the font
    size, nothing just left of it); its x0, x1."""
    import numpy as np

    piece = _last_piece(inked, word, start, end)
    if piece is None:
        return None
    x0, x1, part = piece
    rows = np.flatnonzero(part.any(axis=1))
    width, height = x1 - x0, int(rows[-1] - rows[0] + 1)
    if not 0.2 * word.size <= max(width, height) <= BULLET * word.size:
        return None
    if not 0.7 <= width / height <= 1.4 or part[rows[0] : rows[-1] + 1].mean() < 0.7:
        return None
    return (float(x0), float(x1)) if _opens(inked, word, x0) else None


def _dash(inked: Any, word: Word, start: float, end: float) -> tuple[float, float] | None:
    """The mark nearest the right of [start, end] on the word's line, when it is a dash
    opening a list item: a solid level bar, thin and short, at the middle of a small
    letter's height, apart from the word and with nothing just left of it; its x0, x1."""
    import numpy as np

    piece = _last_piece(inked, word, start, end)
    if piece is None:
        return None
    x0, x1, part = piece
    rows = np.flatnonzero(part.any(axis=1))
    width, height = x1 - x0, int(rows[-1] - rows[0] + 1)
    size = word.size
    low, high = _DASH_LENGTH
    if not (low * size <= width <= high * size and height <= max(_DASH_THICKNESS * size, 2)):
        return None
    if width < 3 * height or part[rows[0] : rows[-1] + 1].mean() < 0.7:
        return None
    top, _ = _band(word)
    above = word.bottom - (top + (rows[0] + rows[-1] + 1) / 2)
    if not _DASH_HEIGHT[0] * size <= above <= _DASH_HEIGHT[1] * size:
        return None
    if end + 1 - x1 < _DASH_GAP * size or not _opens(inked, word, x0):
        return None
    return float(x0), float(x1)
