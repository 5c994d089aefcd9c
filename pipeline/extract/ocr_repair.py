"""What OCR misreads in a profile, put right where the right reading can be told for sure.

Tesseract's English model has no glyph for '≤', '≥', '→', '±', '–' or '−': it reads them
as '<', '>', '+', '-' or '—'. Each such character is looked at again in the picture, from
its box (hOCR's character boxes): a bar under a '<' makes it '≤', a dash's length tells a
hyphen from an en or an em dash, a mark above a letter its accent, a first letter no taller
than the small ones is no capital, and so on (glyph_text). A few fields have a shape the
contract knows, which a misread character breaks: an ESCO URI (a UUID: hexadecimal), a
competence's type (S or K) and level, the header labels ('Type (S/K)'). A field read by
OCR that misses its shape is set right when exactly one reading of its doubtful characters
fits (repair_uri, repair_term, header_label); else it is left as read, so that the verdict
names it. Only pages read by OCR come here: text layers are never touched.

Pure functions: words in pixels, a picture's ink as a boolean numpy array.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from pipeline.extract.pdf_model import Word

# --- characters, from their ink -------------------------------------------------------

Box = tuple[int, int, int, int]  # x0, top, x1, bottom (pixels; x1, bottom exclusive)
_DASHES = frozenset("-‐‑–—―")


def glyph_text(
    chars: Sequence[tuple[str, Box]], inked: Any, size: float, hyphen: float | None = None
) -> str:
    """A word's text from its characters and their boxes, each character OCR cannot read
    right (no glyph in its model) decided from its ink: dashes by their length against
    the page's hyphens (`hyphen`, per font size: typical_hyphen), '<', '>', '=' and '+' by
    a bar under them or an arrow's shaft. `size`: the line's font size."""
    out: list[str] = []
    letters: list[Box] | None = None
    for index, (char, box) in enumerate(chars):
        following = chars[index + 1][0] if index + 1 < len(chars) else ""
        if following and chars[index + 1][1][0] - box[2] >= _SPACE * size:
            following = " "  # a space OCR left out of the word: the dash stands apart
        if char == ">" and out and out[-1] in _DASHES:
            out[-1] = "→"  # an arrow read as a dash and a '>'
        elif char in _DASHES or (char in _BAR_READINGS and _level_bar(inked, box, size, chars)):
            out.append(_dash(inked, box, size, hyphen, first=index == 0, following=following))
        elif char in "<>=+2":
            read = _relation(char, inked, box, size)
            if out and out[-1] == read in _RELATIONS and box[0] < chars[index - 1][1][2]:
                continue  # one glyph read as two characters ('≥' as '=' and '>')
            out.append(read)
        elif char in _ACCENTED or char in _GREEK:
            if letters is None:
                letters = _letter_boxes(chars, inked, size)
            read = _accented(char, inked, letters[index], size) if char in _ACCENTED else char
            if read == char and char in _GREEK:
                read = _greek(char, inked, box, size, chars)
            out.append(read)
        else:
            out.append(char)
    if len(out) == len(chars):
        out = _small_capitals(out, chars, inked, size)
    return "".join(out)


# Relations the model has no glyph for, which it may read as two characters.
_RELATIONS = frozenset("≤≥")
# Capitals whose small letter stands no taller than the x-height.
_CAPITALS = frozenset("ACEMNORSUVWXZ")
# A capital whose ink is at most this much taller than the word's small letters is one.
_AS_SMALL = 1.15


def _small_capitals(
    out: list[str], chars: Sequence[tuple[str, Box]], inked: Any, size: float
) -> list[str]:
    """The text with its first letter made small when OCR read a capital that stands no
    taller than the word's small letters ('Officials', 'Measurement' for 'officials',
    'measurement': the model takes a word's first letter for a capital where the shapes
    are alike). Heights are the ink's: the first run of inked columns, against the
    shortest of the others (a small letter's), since OCR's own boxes overlap their
    neighbours."""
    import numpy as np

    first = chars[0][0]
    if first not in _CAPITALS or out[0] != first or sum(c in _SMALL for c, _ in chars) < 2:
        return out
    bottoms = sorted(box[3] for char, box in chars if char in _NO_DESCENDER)
    line = bottoms[len(bottoms) // 2]
    top = min(box[1] for _, box in chars)
    left, right = max(chars[0][1][0], 0), max(box[2] for _, box in chars)
    area = inked[max(top, 0) : line, left:right]
    columns = np.flatnonzero(area.any(axis=0))
    if len(columns) == 0:
        return out
    runs = np.split(columns, np.flatnonzero(np.diff(columns) > 1) + 1)
    heights = [_ink_height(area, (int(r[0]), 0, int(r[-1]) + 1, area.shape[0])) for r in runs]
    others = [h for h in heights[1:] if h >= 0.35 * size]
    if not others or min(others) > 0.85 * max(others):
        return out  # no letter shorter than the rest: nothing to compare with
    if heights[0] <= _AS_SMALL * min(others):
        return [first.lower(), *out[1:]]
    return out


def _ink_height(inked: Any, box: Box) -> int:
    import numpy as np

    x0, top, x1, bottom = box
    rows = np.flatnonzero(inked[max(top, 0) : bottom, max(x0, 0) : x1].any(axis=1))
    return int(rows[-1] - rows[0] + 1) if len(rows) else 0


# What the model reads a dash as when it takes it for no dash: a thin level bar at a dash's
# height is one ('~3_' for '– 3 –').
_BAR_READINGS = frozenset("~_")
# A gap between two characters of a word at least this wide (x font size) is a space.
_SPACE = 0.25


def _level_bar(inked: Any, box: Box, size: float, chars: Sequence[tuple[str, Box]]) -> bool:
    """Whether a character's ink is a dash's: one solid level bar, thin, at least three
    times as long as thick, standing above the line the word's letters and digits stand on
    (an underscore lies on it or below)."""
    import numpy as np

    x0, top, x1, bottom = box
    area = inked[max(top, 0) : bottom, max(x0, 0) : x1]
    rows = np.flatnonzero(area.any(axis=1))
    if len(rows) == 0 or rows[-1] - rows[0] + 1 > max(2, 0.12 * size):
        return False
    bar = area[rows[0] : rows[-1] + 1]
    if bar.shape[1] < 3 * bar.shape[0] or bar.mean() < 0.8:
        return False
    bottoms = sorted(b[3] for c, b in chars if c.isalnum())
    middle = top + (rows[0] + rows[-1] + 1) / 2
    return not bottoms or bottoms[len(bottoms) // 2] - middle >= 0.15 * size


# The model reads 'μ' as 'u': a 'u' whose stem goes on below the line is one.
_GREEK = frozenset("u")
_NO_DESCENDER = frozenset("abcdefhiklmnorstuvwxzABCDEFGHIJKLMNOPRSTUVWXYZ0123456789")


def _greek(char: str, inked: Any, box: Box, size: float, chars: Sequence[tuple[str, Box]]) -> str:
    """'μ' for a 'u' whose box and ink reach below the line the word's other letters stand
    on (none of which has a descender next to it)."""
    index = next(i for i, (_, b) in enumerate(chars) if b is box)
    neighbours = {chars[i][0] for i in (index - 1, index + 1) if 0 <= i < len(chars)}
    bottoms = sorted(b[3] for c, b in chars if c in _NO_DESCENDER and c != "u")
    if not bottoms or neighbours - _NO_DESCENDER:
        return char
    line = bottoms[len(bottoms) // 2]
    x0, _, x1, bottom = box
    if bottom - line < 0.15 * size:
        return char
    below = inked[line + round(0.1 * size) : bottom, x0 : (x0 + x1) // 2]
    return "μ" if below.size and below.any() else char


def _foot(inked: Any, box: Box) -> list[tuple[int, int]] | None:
    """The runs of ink (start, end) along the row just above a glyph's lowest one."""
    import numpy as np

    x0, top, x1, bottom = box
    area = inked[max(top, 0) : bottom, max(x0, 0) : x1]
    rows = np.flatnonzero(area.any(axis=1))
    if len(rows) < 4:
        return None
    columns = np.flatnonzero(area[rows[-1] - 1])
    if len(columns) == 0:
        return None
    pieces = np.split(columns, np.flatnonzero(np.diff(columns) > 1) + 1)
    return [(int(piece[0]), int(piece[-1]) + 1) for piece in pieces]


# Letters the model reads without the mark above them (it knows no 'ü', 'å', 'è', 'ñ':
# only 'é'), and the combining marks told from the ink above the letter.
_ACCENTED = frozenset("aeouAEOUné")
_DIAERESIS, _RING, _ACUTE, _GRAVE, _TILDE = "\u0308", "\u030a", "\u0301", "\u0300", "\u0303"


def _accented(char: str, inked: Any, box: Box, size: float) -> str:
    """A letter with the mark its ink shows above it: two dots ('ü'), a ring ('å'), a
    stroke rising to the right or to the left ('é', 'è'), a wave ('ñ'); as read when there
    is no mark apart from the letter, or one of no known shape."""
    import unicodedata

    mark = _mark(inked, box, size)
    base = "e" if char == "é" else char
    if mark is None:
        return char
    if char == "é" and mark not in (_ACUTE, _GRAVE):
        return char
    if mark == _TILDE and base not in "nNaoAO":
        return char
    accented = unicodedata.normalize("NFC", base + mark)
    # A mark that makes no letter of a Latin alphabet ('n' with a ring) is misread.
    return accented if len(accented) == 1 else char


# Letters as tall as the x-height, no more.
_SMALL = frozenset("acemnorsuvwxz")


def _letter_boxes(chars: Sequence[tuple[str, Box]], inked: Any, size: float) -> list[Box]:
    """Each character's box, set to its letter's own ink when the word's ink shows its
    letters apart: the runs of inked columns over its small letters' height, one per
    character, in order; each box's bottom then that of its ink. OCR's
    character boxes are approximate: one that cuts a letter short puts its own accent out
    of it, one that reaches below the baseline puts the accent above the part looked at."""
    import numpy as np

    boxes = [box for _, box in chars]
    bottoms = sorted(box[3] for char, box in chars if char in _NO_DESCENDER)
    tops = sorted(box[1] for char, box in chars if char in _SMALL)
    if not bottoms or not tops:
        return boxes
    line, small = bottoms[len(bottoms) // 2], tops[len(tops) // 2]
    left, right = min(box[0] for box in boxes), max(box[2] for box in boxes)
    top = min(box[1] for box in boxes)
    body = inked[max(small + 1, 0) : line, max(left, 0) : right]
    columns = np.flatnonzero(body.any(axis=0)) + max(left, 0)
    runs = np.split(columns, np.flatnonzero(np.diff(columns) > 1) + 1) if len(columns) else []
    if len(runs) != len(chars):
        return boxes
    out = []
    for run in runs:
        start, end = int(run[0]), int(run[-1]) + 1
        rows = np.flatnonzero(inked[top:line, start:end].any(axis=1))
        out.append((start, top, end, top + int(rows[-1]) + 1 if len(rows) else line))
    return out


def _loop(mark: Any) -> bool:
    """Ink, then paper, then ink across the mark's middle row, the paper closed by ink
    above and below it: a ring (a tilde's two waves leave it open)."""
    import numpy as np

    row = mark.shape[0] // 2
    inside = np.flatnonzero(mark[row])
    if len(inside) < 2:
        return False
    hole = [c for c in range(int(inside[0]), int(inside[-1]) + 1) if not mark[row, c]]
    return bool(hole) and all(mark[:row, c].any() and mark[row + 1 :, c].any() for c in hole)


def _mark(inked: Any, box: Box, size: float) -> str | None:
    """The combining mark above a letter's body in its box's columns, or None."""
    import numpy as np

    x0, _, x1, bottom = box
    top = max(bottom - round(0.95 * size), 0)
    area = inked[top:bottom, max(x0, 0) : x1]
    if area.shape[0] < 4 or area.shape[1] < 3:
        return None
    bands = _bands(inked, (max(x0, 0), top, x1, bottom))
    if len(bands) < 2:
        return None
    mark, body = bands[-2], bands[-1]
    height = mark[1] - mark[0]
    if mark[0] == 0 or height > 0.3 * size or body[0] - mark[1] < 1:
        return None  # touching the line above, too tall, or joined to the letter
    part = area[mark[0] : mark[1]]
    columns = np.flatnonzero(part.any(axis=0))
    if columns[0] == 0 or columns[-1] == area.shape[1] - 1:
        return None  # runs out of the letter's columns: a neighbour's ink ('f' over 'o')
    pieces = np.split(columns, np.flatnonzero(np.diff(columns) > 1) + 1)
    width = int(columns[-1] - columns[0] + 1)
    if len(pieces) == 2 and all(len(piece) <= 0.2 * size for piece in pieces):
        return _DIAERESIS
    if len(pieces) != 1:
        return None
    if height >= 3 and _loop(part[:, columns[0] : columns[-1] + 1]):
        return _RING
    if width >= 1.8 * height:
        return _TILDE
    first_row, last_row = np.flatnonzero(part[0]), np.flatnonzero(part[-1])
    slope = float(first_row.mean() - last_row.mean())
    if slope > 0.25 * width:
        return _ACUTE
    if slope < -0.25 * width:
        return _GRAVE
    return None


# A dash up to this many times as long as the page's hyphens is one; an en dash up to
# the second (a hyphen is about a third of the font size long, an en dash a half, an em
# dash the whole). Without hyphens on the page, the lengths per font size.
_HYPHEN, _EN_DASH = 1.45, 2.8
_HYPHEN_SIZE, _EN_DASH_SIZE = 0.42, 0.75
# The page's hyphens are measured when it has at least this many.
_HYPHENS = 3


def _dash(
    inked: Any, box: Box, size: float, hyphen: float | None, first: bool, following: str
) -> str:
    """A dash by its length; one that opens a number ('−40') is a minus sign (`following`:
    the next character, ' ' when it stands apart)."""
    length = _stroke(inked, box) / size if size else 0.0
    if hyphen:
        short, long = _HYPHEN * hyphen, _EN_DASH * hyphen
    else:
        short, long = _HYPHEN_SIZE, _EN_DASH_SIZE
    if length < short:
        return "-"
    if first and following.isdigit():
        return "−"
    return "–" if length < long else "—"


def typical_hyphen(
    words: Iterable[tuple[Sequence[tuple[str, Box]], float]], inked: Any
) -> float | None:
    """The usual length of a page's hyphens per font size: the median of its dashes
    between two letters ('long-term'), which are hyphens; None with fewer than three."""
    import numpy as np

    lengths = [
        _stroke(inked, box) / size
        for chars, size in words
        if size > 0
        for index, (char, box) in enumerate(chars)
        if char in _DASHES
        and 0 < index < len(chars) - 1
        and chars[index - 1][0].isalpha()
        and chars[index + 1][0].isalpha()
    ]
    return float(np.median(lengths)) if len(lengths) >= _HYPHENS else None


def _stroke(inked: Any, box: Box) -> int:
    """A dash's length: the longest run of ink along a row of its box, less the columns at
    either end that hold ink above or below the run's own rows (a neighbouring glyph
    touching it: OCR's box of a character inside a word takes in parts of its
    neighbours)."""
    import numpy as np

    x0, top, x1, bottom = box
    area = inked[max(top, 0) : max(bottom, top + 1), max(x0, 0) : x1]
    best = 0
    for index, row in enumerate(area):
        columns = np.flatnonzero(row)
        if len(columns) == 0:
            continue
        for run in np.split(columns, np.flatnonzero(np.diff(columns) > 1) + 1):
            if len(run) <= best:
                continue
            middle = int(run[len(run) // 2])
            first = last = index
            while first > 0 and area[first - 1, middle]:
                first -= 1
            while last < area.shape[0] - 1 and area[last + 1, middle]:
                last += 1
            outside = np.ones(area.shape[0], dtype=bool)
            outside[max(first - 1, 0) : last + 2] = False
            alone = ~area[outside][:, run[0] : run[-1] + 1].any(axis=0)
            cut = middle - int(run[0])
            if not alone[cut]:
                continue
            left = right = cut
            while left > 0 and alone[left - 1]:
                left -= 1
            while right < len(alone) - 1 and alone[right + 1]:
                right += 1
            best = max(best, right - left + 1)
    return best or x1 - x0


def _longest_run(area: Any) -> tuple[int, int, int] | None:
    """The longest run of ink along a row of area: its row, start and end (exclusive)."""
    import numpy as np

    best = None
    for index, row in enumerate(area):
        columns = np.flatnonzero(row)
        if len(columns) == 0:
            continue
        for run in np.split(columns, np.flatnonzero(np.diff(columns) > 1) + 1):
            if best is None or len(run) > best[2] - best[1]:
                best = (index, int(run[0]), int(run[-1]) + 1)
    return best


def _bands(inked: Any, box: Box) -> list[tuple[int, int, int, int]]:
    """The stretches of rows holding ink in box: (top, bottom, left, right) of each, in the
    box's own pixels (bottom and right exclusive)."""
    import numpy as np

    x0, top, x1, bottom = box
    area = inked[max(top, 0) : bottom, max(x0, 0) : x1]
    rows = area.any(axis=1)
    bands = []
    start = None
    for row, has in enumerate([*rows.tolist(), False]):
        if has and start is None:
            start = row
        elif not has and start is not None:
            columns = np.flatnonzero(area[start:row].any(axis=0))
            bands.append((start, row, int(columns[0]), int(columns[-1]) + 1))
            start = None
    return bands


def _relation(char: str, inked: Any, box: Box, size: float) -> str:
    """'<', '>', '=', '+' as read, or what their ink shows: a bar below ('≤', '≥', '±'),
    a chevron over a bar read as '=' ('≤', '≥'), a long arrow read as '>' ('→')."""
    x0, top, x1, bottom = _grown(inked, box, round(0.3 * size))
    width = x1 - x0
    if width <= 0 or bottom <= top or size <= 0:
        return char
    if char == "+":
        runs = _foot(inked, (x0, top, x1, bottom))
        if runs is not None and len(runs) == 1 and runs[0][1] - runs[0][0] >= 0.6 * width:
            return "±"  # the bar joined to the upright: one piece of ink
    # Look a little below the box: OCR may leave the bar out of it.
    bands = _bands(inked, (x0, top, x1, bottom + round(0.3 * size)))
    if len(bands) >= 2:
        upper, bar = bands[-2], bands[-1]
        bar_height, upper_height = bar[1] - bar[0], upper[1] - upper[0]
        bar_wide = bar[3] - bar[2] >= 0.6 * width and bar_height <= 0.15 * size
        if bar_wide and upper_height >= 2 * bar_height and upper_height >= 0.25 * size:
            if char == "+":
                return "±"
            shape = (x0 + upper[2], top + upper[0], x0 + upper[3], top + upper[1])
            direction = _chevron(inked, shape)
            if char in "<>=2" and direction is not None:
                return "≤" if direction == "<" else "≥"
        return char
    if char == ">" and len(bands) == 1:
        band = bands[0]
        height = band[1] - band[0]
        if band[3] - band[2] >= 1.6 * height and _shaft(inked, box):
            return "→"
    return char


def _grown(inked: Any, box: Box, below: int) -> Box:
    """The box widened to the ink it cuts through (OCR's box of a character may hold a
    part of its glyph only), looking `below` pixels under it too."""
    x0, top, x1, bottom = box
    rows = inked[max(top, 0) : bottom + below]
    if rows.shape[0] == 0:
        return box
    columns = rows.any(axis=0)
    while x0 > 0 and columns[x0 - 1] and x1 - x0 < 4 * (bottom - top):
        x0 -= 1
    while x1 < len(columns) and columns[x1] and x1 - x0 < 4 * (bottom - top):
        x1 += 1
    return x0, top, x1, bottom


def _chevron(inked: Any, box: Box) -> str | None:
    """Which way a '<' or '>' shape points: where its ink is in its middle row, against its
    top row ('<': middle at the left)."""
    import numpy as np

    x0, top, x1, bottom = box
    area = inked[top:bottom, x0:x1]
    if area.shape[0] < 3 or area.shape[1] < 3:
        return None
    middle = np.flatnonzero(area[area.shape[0] // 2])
    first = np.flatnonzero(area[0])
    if len(middle) == 0 or len(first) == 0:
        return None
    spread = area.shape[1] / 4
    if middle.mean() < first.mean() - spread:
        return "<"
    if middle.mean() > first.mean() + spread:
        return ">"
    return None


def _shaft(inked: Any, box: Box) -> bool:
    """A horizontal run of ink across most of the box's width: an arrow's shaft."""
    x0, top, x1, bottom = box
    found = _longest_run(inked[top:bottom, x0:x1])
    return found is not None and found[2] - found[1] >= 0.7 * (x1 - x0)


# --- words on a line --------------------------------------------------------------------


def _same_line(a: Word, b: Word) -> bool:
    return abs(a.bottom - b.bottom) < 0.5 * min(a.size, b.size)


def join_pieces(words: Sequence[tuple[Word, float]]) -> list[tuple[Word, float]]:
    """Words OCR cut in two where a text layer has one: at a slash ('Description' /
    '/Context', 'http:' / '//data...'), and a URI cut anywhere (no URI holds a space). A
    piece joins the word just left of it on its line when they nearly touch."""
    out: list[tuple[Word, float]] = []
    for word, confidence in (pair for line in _lines(words) for pair in line):
        if out:
            last, last_confidence = out[-1]
            gap = word.x0 - last.x1
            if (
                _same_line(last, word)
                and -0.5 * word.size < gap < 0.6 * word.size
                and _joins(last.text, word.text)
            ):
                text = last.text + word.text
                if last.text.endswith("/") and word.text.startswith("/"):
                    text = last.text + word.text[1:]
                elif last.text[-1:] in _DASHES and word.text.startswith(">"):
                    text = last.text[:-1] + "→" + word.text[1:]  # an arrow's shaft and head
                joined = replace(
                    last,
                    text=text,
                    x1=max(last.x1, word.x1),
                    top=min(last.top, word.top),
                    bottom=max(last.bottom, word.bottom),
                )
                out[-1] = (joined, min(last_confidence, confidence))
                continue
        out.append((word, confidence))
    return out


def _lines(words: Sequence[tuple[Word, float]]) -> list[list[tuple[Word, float]]]:
    """The words in lines (top to bottom), each line's left to right: a word belongs to the
    line whose bottom is within half its size of its own (a '>' read apart, or a '/', sits
    a little higher or lower than the words it is between)."""
    lines: list[list[tuple[Word, float]]] = []
    for pair in sorted(words, key=lambda pair: pair[0].bottom):
        if lines and _same_line(lines[-1][0][0], pair[0]):
            lines[-1].append(pair)
        else:
            lines.append([pair])
    return [sorted(line, key=lambda pair: pair[0].x0) for line in lines]


_URI_PIECE = re.compile(r"^[\w/:.\-|£€]+$")


def _joins(left: str, right: str) -> bool:
    if left[-1:] in _DASHES and right.startswith(">"):
        return True
    if left.startswith("http") and _URI_PIECE.match(right) and not _complete_uri(left):
        return True
    if right.startswith("/") and len(right) > 1 and left[-1:].isalnum():
        return True
    return left.endswith("/") and right[:1].isalnum()


def _complete_uri(text: str) -> bool:
    return bool(_UUID_END.search(text))


_ARTICLE_JOINED = re.compile(r"^([Aa])([a-z]{3,})([’'][a-z]+)?[.,;:]?$")
# The space after a one-letter article is at least this wide (x font size), and the
# article no wider than the second.
_ARTICLE_GAP, _ARTICLE_WIDTH = 0.12, 0.9


def article_cut(
    text: str, chars: Sequence[tuple[str, Box]], inked: Any, size: float
) -> tuple[float, float] | None:
    """Where to cut a word OCR read together with the article before it ('Acell' for
    'A cell', 'arole' for 'a role'): when the English word list does not know the word,
    knows it without its first letter, and the picture shows a space after the first
    glyph. The end of the article and the start of the word (pixels), or None."""
    import numpy as np

    from pipeline.extract.hyphens import english

    found = _ARTICLE_JOINED.match(text)
    if found is None or not chars or size <= 0:
        return None
    if english(found[1] + found[2]) or not english(found[2]):
        return None
    x0 = min(box[0] for _, box in chars)
    x1 = max(box[2] for _, box in chars)
    top = min(box[1] for _, box in chars)
    bottom = max(box[3] for _, box in chars)
    columns = np.flatnonzero(inked[max(top, 0) : bottom, max(x0, 0) : x1].any(axis=0))
    if len(columns) < 2:
        return None
    gaps = np.flatnonzero(np.diff(columns) > _ARTICLE_GAP * size)
    if len(gaps) == 0:
        return None
    at = int(gaps[0])
    if columns[at] - columns[0] + 1 > _ARTICLE_WIDTH * size:
        return None  # more than one glyph before the space
    return float(x0 + columns[at] + 1), float(x0 + columns[at + 1])


# --- fields of a known shape ------------------------------------------------------------

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_UUID_END = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_ESCO = "http://data.europa.eu/esco/"
_URI_PARTS = re.compile(
    r"^h[tf]{2}ps?[:;.,]?/+data[.,]europa[.,]eu/+esco/+(?P<kind>[A-Za-z0-9|]+)/+(?P<id>.+)$"
)
# What OCR reads for each character of a UUID (hexadecimal digits and '-'), when it is not
# one: each doubtful character and what it may stand for ('' for a speck read as a glyph).
_HEX_READINGS: dict[str, tuple[str, ...]] = {
    "l": ("1",),
    "I": ("1",),
    "i": ("1",),
    "|": ("1",),
    "!": ("1",),
    "O": ("0",),
    "o": ("0",),
    "Q": ("0",),
    "D": ("0",),
    "S": ("5",),
    "s": ("5",),
    "Z": ("2",),
    "z": ("2",),
    "B": ("8",),
    "G": ("6",),
    "g": ("9",),
    "q": ("9",),
    "€": ("e",),
    # An accent may be a speck, or the top of the next glyph ('b6' read as 'bé6').
    "é": ("e", ""),
    "è": ("e", ""),
    "£": ("f", ""),
    "t": ("f",),
    "F": ("f",),
    "E": ("e",),
    "A": ("a",),
    "C": ("c",),
    "—": ("-",),
    "–": ("-",),
    "_": ("-",),
    ".": ("", "-"),
    ",": ("",),
}
# The kinds of ESCO concept a profile links, and what OCR reads for their letters.
_KINDS = ("occupation", "skill")
_LETTER_READINGS = str.maketrans("0157|!", "oistii")
_RIGHT_URI = re.compile(rf"^{re.escape(_ESCO)}(?:{'|'.join(_KINDS)})/{_UUID.pattern[1:-1]}$")
# At most this many doubtful characters are tried in a field (2 readings each at most).
_MAX_DOUBTS = 8


def repair_uri(text: str) -> str | None:
    """An ESCO URI as OCR read it, set right: whitespace taken out (a URI has none), the
    concept kind's letters ('0ccupat10n'), the UUID's digits OCR took for letters ('lefd'
    for '1efd'), a doubled slash; None when no single reading fits the URI's shape, or
    when the text is right as it is."""
    squeezed = re.sub(r"\s+", "", text).rstrip("/")
    if _RIGHT_URI.match(squeezed):
        return None if squeezed == text else squeezed
    parts = _URI_PARTS.match(squeezed)
    if parts is None:
        return None
    kind = parts["kind"].translate(_LETTER_READINGS).casefold()
    if kind not in _KINDS:
        return None
    readings = _uuid_readings(parts["id"])
    if len(readings) != 1:
        return None
    return f"{_ESCO}{kind}/{readings[0]}"


def _uuid_readings(text: str) -> list[str]:
    """Every way of reading text's doubtful characters that gives a UUID."""
    choices: list[tuple[str, ...]] = []
    doubts = 0
    for char in text:
        if char in "0123456789abcdef-":
            choices.append((char,))
        elif char in _HEX_READINGS:
            doubts += 1
            choices.append(_HEX_READINGS[char])
        else:
            return []
    if doubts > _MAX_DOUBTS:
        return []
    found = {"".join(each) for each in itertools.product(*choices)}
    return sorted(each for each in found if _UUID.match(each))


_UUID_GROUPS = (8, 4, 4, 4, 12)
_UUID_CHAR = re.compile(r"^[0-9a-zA-Zéè€£|]+$")


def uuid_like(text: str) -> bool:
    """Whether a word looks like a piece of a UUID: letters and digits in groups joined by
    '-', at least six of them, no other character (a word of a text has vowels, no
    digits)."""
    groups = text.split("-")
    return (
        len(groups) >= 2
        and sum(len(group) for group in groups) >= 6
        and all(not group or _UUID_CHAR.match(group) for group in groups)
        and sum(char.isdigit() for char in text) >= 2
    )


def uuid_fits(text: str) -> bool:
    """Whether a word is a piece of a UUID as printed: hexadecimal digits in groups of 8,
    4, 4, 4 and 12 joined by '-', the first and last group of the piece possibly cut (the
    id wrapped over lines)."""
    groups = text.split("-")
    if not all(re.fullmatch(r"[0-9a-f]*", group) for group in groups):
        return False
    for first in range(len(_UUID_GROUPS)):
        slots = _UUID_GROUPS[first : first + len(groups)]
        if len(slots) < len(groups):
            break
        sizes = [len(group) for group in groups]
        inner_ok = all(size == slot for size, slot in zip(sizes[1:-1], slots[1:-1], strict=True))
        ends_ok = sizes[0] <= slots[0] and sizes[-1] <= slots[-1]
        if len(groups) == 1:
            ends_ok = sizes[0] <= slots[0]
        if inner_ok and ends_ok and (len(groups) == 1 or sizes[0] > 0 or first == 0):
            return True
    return False


def longer_groups(new: str, old: str) -> bool:
    """Whether a new reading of a UUID's piece has the old one's groups, none shorter (a
    reading restricted to hexadecimal digits may drop a glyph it cannot name)."""
    new_groups, old_groups = new.split("-"), old.split("-")
    return len(new_groups) == len(old_groups) and all(
        len(a) >= len(b) for a, b in zip(new_groups, old_groups, strict=True)
    )


# What OCR reads for the letters of a one-letter term (a competence's type).
_LETTER_LOOKALIKES = {
    "S": frozenset("Ss5$§"),
    "K": frozenset("Kk"),
}


def repair_term(text: str, terms: Iterable[str]) -> str | None:
    """A vocabulary term as OCR read it, set right when exactly one term fits: a one-letter
    term from its look-alikes, each read once or more ('5S' for 'S': one glyph read twice);
    a longer one within one misread letter in five. None when the text is a term already,
    or when no term, or more than one, fits."""
    stripped = text.strip()
    terms = tuple(terms)
    if not stripped or any(stripped.casefold() == term.casefold() for term in terms):
        return None
    fits = set()
    for term in terms:
        if len(term) == 1:
            alike = _LETTER_LOOKALIKES.get(term.upper())
            if alike is not None and len(stripped) <= 2 and set(stripped) <= alike:
                fits.add(term)
        elif _distance(stripped.casefold(), term.casefold()) <= max(1, len(term) // 5):
            fits.add(term)
    return fits.pop() if len(fits) == 1 else None


def header_label(text: str, labels: Iterable[str]) -> str | None:
    """A header label's word as OCR read it ('(SIK)' for '(S/K)'), set right when exactly
    one label is within one character of it; None when it is one already or none fits.
    The label keeps the case OCR read ('NAME')."""
    folded = text.casefold()
    labels = {label.casefold() for label in labels}
    if len(folded) < 4 or folded in labels:
        return None
    fits = [label for label in labels if _distance(folded, label) <= 1]
    if len(fits) != 1:
        return None
    [label] = fits
    if text.isupper():
        return label.upper()
    if text[:1].isupper():
        return label[:1].upper() + label[1:] if label[:1].isalpha() else label.upper()
    return label


def _distance(a: str, b: str) -> int:
    """Levenshtein distance."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
