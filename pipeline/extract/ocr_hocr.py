"""Tesseract's hOCR to words in pixels: each word's box across, and down one font size
from just below its line's baseline, the font size from the line's ascent (Tesseract's
measure, or the ink's where Tesseract could not measure it); the characters the model
has no glyph for read from the picture's ink (ocr_repair.glyph_text).

Pure functions: the hOCR as bytes, the picture's ink as a boolean numpy array.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pipeline.extract.ocr_repair import article_cut, glyph_text, typical_hyphen
from pipeline.extract.pdf_model import Word

# Tesseract's line height (hOCR x_size: ascender to descender) per point of font size,
# and how far below the baseline a text layer's word box ends (x font size); measured on
# the fixture corpus against the PDFs' own text layers.
_SIZE_PER_HEIGHT = 1.0
# The font size per pixel of a line's height above its baseline (x_size less
# x_descenders), which does not shrink on a line without descenders as x_size does (a
# title's second line, 'Technicians', would read as a smaller font).
_SIZE_PER_ASCENT = 1.27
DESCENT = 0.2
_BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")
_BASELINE = re.compile(r"baseline (-?[\d.]+) (-?[\d.]+)")
_X_SIZE = re.compile(r"x_size ([\d.]+)")
_X_DESCENDERS = re.compile(r"x_descenders ([\d.]+)")
_X_ASCENDERS = re.compile(r"x_ascenders ([\d.]+)")
_CONFIDENCE = re.compile(r"x_wconf (\d+)")
_CHAR_BOX = re.compile(r"x_bboxes (-?\d+) (-?\d+) (-?\d+) (-?\d+)")


@dataclass(frozen=True)
class _Line:
    x0: float
    bottom: float
    slope: float
    offset: float
    height: float
    # Whether the line has no capital or ascender (its height is its small letters', as in
    # 'resources', however Tesseract measured it), and the height its ink shows (baseline
    # to box top).
    small: bool = False
    ink: float = 0.0


def hocr_to_words(
    hocr: bytes, inked: Any = None, hyphen: float | None = None
) -> list[tuple[Word, float]]:
    """Tesseract's hOCR to words in pixels, each with its confidence (0..1): the box
    across; down, one font size from `DESCENT` below the line's baseline. With the
    picture's ink, the characters the model has no glyph for are read from it
    (ocr_repair.glyph_text; a dash's length against `hyphen`, the page's hyphens' length
    per font size, measured here when not given)."""
    read = list(_hocr_words(hocr))
    if inked is not None and hyphen is None:
        hyphen = typical_hyphen(((chars, line.height) for _, chars, line, _, _ in read), inked)
    found: list[tuple[Word, float]] = []
    for text, chars, geometry, (x0, x1), confidence in read:
        if inked is not None and chars:
            text = glyph_text(chars, inked, geometry.height, hyphen).strip() or text
        if not text:
            continue
        baseline = (
            geometry.bottom + geometry.offset + geometry.slope * ((x0 + x1) / 2 - geometry.x0)
        )
        size = geometry.height * _SIZE_PER_HEIGHT
        bottom = baseline + DESCENT * size
        cut = article_cut(text, chars, inked, geometry.height) if inked is not None else None
        if cut is not None:  # 'Acell': the article and its noun, read as one word
            found.append((Word(text[:1], x0, cut[0], bottom - size, bottom, size), confidence))
            x0, text = cut[1], text[1:]
        found.append((Word(text, x0, x1, bottom - size, bottom, size), confidence))
    return found


def hocr_hyphen(hocr: bytes, inked: Any) -> float | None:
    """The length of a page's hyphens per font size (ocr_repair.typical_hyphen)."""
    return typical_hyphen(
        ((chars, line.height) for _, chars, line, _, _ in _hocr_words(hocr)), inked
    )


def _hocr_words(
    hocr: bytes,
) -> Iterator[
    tuple[str, list[tuple[str, tuple[int, int, int, int]]], _Line, tuple[float, float], float]
]:
    """Each word of the hOCR: its text, its characters with their boxes (none without
    hocr_char_boxes), its line, its x0 and x1, its confidence (0..1)."""
    root = ElementTree.fromstring(hocr)
    lines = [
        (line, _line_geometry(title, "".join(line.itertext())))
        for line in root.iter()
        if line.get("class", "").startswith("ocr_") and "x_size" in (title := line.get("title", ""))
    ]
    for line, geometry in _sure_heights(lines):
        for element in line:
            if element.get("class") != "ocrx_word":
                continue
            # Without the white space between the characters' elements (hocr_char_boxes).
            text = "".join("".join(element.itertext()).split())
            box = _BBOX.search(element.get("title", ""))
            conf = _CONFIDENCE.search(element.get("title", ""))
            if not text or box is None:
                continue
            x0, _, x1, _ = (float(v) for v in box.groups())
            confidence = int(conf.group(1)) / 100 if conf else 0.0
            yield text, _chars(element), geometry, (x0, x1), confidence


def _chars(element: Any) -> list[tuple[str, tuple[int, int, int, int]]]:
    """A word's characters with their boxes ([] without them)."""
    chars = []
    for each in element:
        if each.get("class") != "ocrx_cinfo":
            continue
        box = _CHAR_BOX.search(each.get("title", ""))
        char = "".join(each.itertext())
        if box is None or not char:
            return []
        x0, top, x1, bottom = (int(v) for v in box.groups())
        chars += [(c, (x0, top, x1, bottom)) for c in char]
    return chars


def _line_geometry(title: str, text: str = "") -> _Line:
    """A line's left edge, baseline and height (its font size in pixels), from hOCR."""
    box = _BBOX.search(title)
    baseline = _BASELINE.search(title)
    size = _X_SIZE.search(title)
    assert box is not None and size is not None, title
    x0, y0, _, y1 = (float(v) for v in box.groups())
    slope, offset = (float(v) for v in baseline.groups()) if baseline else (0.0, 0.0)
    height = float(size.group(1))
    descenders = _number(_X_DESCENDERS, title)
    ascent = height - descenders if 0 < descenders < height / 2 else None
    ascenders = _number(_X_ASCENDERS, title)
    if _TALL & set(text) and not _measured(height, descenders, ascenders, ascent, y1 - y0):
        # The ink's own ascent: from the baseline to the top of the line's box, which a
        # capital or an ascender reaches.
        ascent = y1 + offset - y0
    if ascent is not None:
        height = ascent * _SIZE_PER_ASCENT
    small = not _TALL & set(text)
    return _Line(x0, y1, slope, offset, height, small, (y1 + offset - y0) * _SIZE_PER_ASCENT)


def _sure_heights(lines: Sequence[tuple[Any, _Line]]) -> list[tuple[Any, _Line]]:
    """The lines with the height of each line of small letters alone set to the page's usual
    line height (the median of the other lines'), when its ink fits under that: Tesseract
    measures such a line ('resources', 'engineering') by its x-height, a third smaller than
    the body's type it is in (which would make its strokes look bold, and the line a new
    block)."""
    import numpy as np

    measured = [geometry.height for _, geometry in lines if not geometry.small]
    if not measured:
        return list(lines)
    usual = float(np.median(measured))
    return [
        (
            line,
            replace(geometry, height=usual)
            if geometry.small and geometry.ink <= usual
            else geometry,
        )
        for line, geometry in lines
    ]


# Letters that reach the ascender line, or nearly (capitals); digits may not (old-style
# figures stand on the x-height or below the baseline).
_TALL = frozenset("ABDEFHIKLMNPRTUVWXYZbdhkl")


def _measured(
    x_size: float, descenders: float, ascenders: float, ascent: float | None, box: float
) -> bool:
    """Whether Tesseract measured the line's height: not its fallback guess (ascenders and
    descenders each a quarter of x_size, as on a short line), and not an ascent taller
    than the whole line's box (a stray mark or a dash mislaid the fit)."""
    return not _guessed(x_size, descenders, ascenders) and (ascent is None or ascent <= box)


def _guessed(x_size: float, descenders: float, ascenders: float) -> bool:
    """Tesseract's fallback for a line it could not measure: ascenders and descenders each
    a quarter of x_size."""
    return abs(descenders - x_size / 4) < 0.01 and abs(ascenders - x_size / 4) < 0.01


def _number(pattern: re.Pattern[str], title: str) -> float:
    found = pattern.search(title)
    return float(found.group(1)) if found else 0.0
