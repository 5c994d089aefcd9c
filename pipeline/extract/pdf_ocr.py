"""Pages without a text layer read by OCR: the page drawn by PDFium at PdfLayout.ocr_dpi,
its rulings and shading found in the picture (pdf_raster), the rest read by Tesseract
(its hOCR output: words with boxes, baselines, line heights and confidences), all turned
into the PageData a text layer gives, in points, so the same layout code reads it.

Tesseract is a program (Debian `tesseract-ocr`, with its English model
`tesseract-ocr-eng`), run once per page with the picture on stdin; nothing is downloaded.
Heavy modules (numpy, pypdfium2) are imported when a page is read, so a worker that
only signals OCR progress (pipeline/workers.py) does not load them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from pipeline.codes import Code
from pipeline.defaults import OCR_PAGE_S
from pipeline.errors import ReadError
from pipeline.extract.pdf_model import BULLET_GLYPH, PageData, PdfLayout, Word
from pipeline.model import Cell, Document, Issue, Location

if TYPE_CHECKING:
    from pipeline.extract.pdf_raster import Grey, RasterMarks

TESSERACT = "tesseract"
LANGUAGE = "eng"
# What to install where Tesseract or its English model is missing (Debian, Ubuntu).
INSTALL = "apt-get install tesseract-ocr tesseract-ocr-eng"
# Called with a page's number before it is read by OCR: the worker tells its parent, which
# gives the file more time (pipeline/workers.py).
OCR_PAGE_STARTED: ContextVar[Callable[[int], None] | None] = ContextVar(
    "OCR_PAGE_STARTED", default=None
)
# Tesseract's line height (hOCR x_size: ascender to descender) per point of font size,
# and how far below the baseline a text layer's word box ends (x font size); measured on
# the fixture corpus against the PDFs' own text layers.
_SIZE_PER_HEIGHT = 1.0
_DESCENT = 0.2
_BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")
_BASELINE = re.compile(r"baseline (-?[\d.]+) (-?[\d.]+)")
_X_SIZE = re.compile(r"x_size ([\d.]+)")
_CONFIDENCE = re.compile(r"x_wconf (\d+)")


@dataclass(frozen=True)
class OcrWord:
    """A word read by OCR, in points, with Tesseract's confidence (0..1)."""

    word: Word
    confidence: float


@dataclass(frozen=True)
class OcrPage:
    number: int
    words: tuple[OcrWord, ...]
    seconds: float


@dataclass
class PageOcr:
    """The OCR hook the PDF readers call on a page they found no words on: the page read by
    OCR when it holds a picture, else the page as it is (a blank page). Keeps what each
    page read for the confidence warnings (ocr_warnings). Use as a context manager."""

    data: bytes
    file: str
    layout: PdfLayout
    pages: list[OcrPage] = field(default_factory=list)
    _document: Any = None

    def __enter__(self) -> PageOcr:
        return self

    def __exit__(self, *_: object) -> None:
        if self._document is not None:
            self._document.close()
            self._document = None

    def __call__(self, page: PageData) -> PageData:
        import pypdfium2 as pdfium

        if self._document is None:
            self._document = pdfium.PdfDocument(self.data)
        pdf_page = self._document[page.number - 1]
        try:
            if not _holds_picture(pdf_page):
                return page
            started = OCR_PAGE_STARTED.get()
            if started is not None:
                started(page.number)
            clock = time.perf_counter()
            grey = _render(pdf_page, self.layout.ocr_dpi)
        finally:
            pdf_page.close()
        read = picture_to_page(grey, page, self.layout, self.file)
        words, ocr_words = read
        self.pages.append(OcrPage(page.number, ocr_words, time.perf_counter() - clock))
        return words


def _holds_picture(page: Any) -> bool:
    import pypdfium2.raw as pdfium_c

    images = page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=15)
    return any(True for _ in images)


def _render(page: Any, dpi: int) -> Grey:
    import numpy as np

    bitmap = page.render(scale=dpi / 72, grayscale=True)
    array = bitmap.to_numpy()
    return np.ascontiguousarray(array.reshape(array.shape[0], array.shape[1], -1)[:, :, 0])


def picture_to_page(
    grey: Grey, page: PageData, layout: PdfLayout, file: str
) -> tuple[PageData, tuple[OcrWord, ...]]:
    """A page's picture read: its words (OCR), rulings and fills (the picture), in the
    page's points; and the words with their confidences."""
    from pipeline.extract.pdf_raster import raster_to_marks

    height_px, width_px = grey.shape
    sx, sy = page.width / width_px, page.height / height_px
    per_point = layout.ocr_dpi / 72
    marks = raster_to_marks(
        grey,
        rule_length=round(layout.ocr_rule_length * per_point),
        rule_thickness=max(1, round(layout.ocr_rule_thickness * per_point)),
        fill_width=round(layout.ocr_fill_size * 3 * per_point),
        fill_height=round(layout.ocr_fill_size * per_point),
    )
    found = hocr_to_words(run_tesseract(marks.cleaned, layout, file, page.number, "11"))
    found = _second_look(marks.cleaned, found, layout, file, page.number)
    inked = marks.cleaned < 128
    found = [
        (_uri(_dash(inked, _one_glyph(inked, word))), confidence) for word, confidence in found
    ]
    ocr_words = [
        OcrWord(_scaled(word, sx, sy), confidence)
        for word, confidence in _with_bullets(found, marks)
    ]
    return (
        replace(
            page,
            words=tuple(sorted((w.word for w in ocr_words), key=lambda w: (w.top, w.x0))),
            rules=tuple(_rules(marks, sx, sy)),
            fills=tuple(_fills(marks, sx, sy)),
        ),
        tuple(ocr_words),
    )


def _scaled(word: Word, sx: float, sy: float) -> Word:
    return Word(
        word.text,
        word.x0 * sx,
        word.x1 * sx,
        word.top * sy,
        word.bottom * sy,
        word.size * sy,
        word.bold,
    )


def _rules(marks: RasterMarks, sx: float, sy: float) -> Iterator[Any]:
    from pipeline.extract.pdf_model import Rule

    for rule in marks.rules:
        if rule.orientation == "h":
            yield Rule("h", rule.at * sy, rule.start * sx, rule.end * sx)
        else:
            yield Rule("v", rule.at * sx, rule.start * sy, rule.end * sy)


def _fills(marks: RasterMarks, sx: float, sy: float) -> Iterator[Any]:
    from pipeline.extract.pdf_model import Box

    for fill in marks.fills:
        b = fill.box
        yield Box(b.x0 * sx, b.top * sy, b.x1 * sx, b.bottom * sy)


def tesseract_missing() -> str | None:
    """Why OCR cannot run here (Tesseract or its English model not installed), or None."""
    program = shutil.which(TESSERACT)
    if program is None:
        return "Tesseract (the OCR program) is not installed"
    try:
        listed = subprocess.run(
            [program, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"Tesseract does not run ({error})"
    if LANGUAGE not in listed.stdout.split():
        return f"Tesseract's English model ({LANGUAGE}) is not installed"
    return None


def run_tesseract(grey: Grey, layout: PdfLayout, file: str, number: int, mode: str) -> bytes:
    """Tesseract's hOCR for a picture (I/O: runs the program, the picture on stdin)."""
    program = shutil.which(TESSERACT)
    if program is None:
        raise _unavailable("Tesseract (the OCR program) is not installed", file, number)
    height, width = grey.shape
    picture = b"P5\n%d %d\n255\n" % (width, height) + grey.tobytes()
    command = [
        program,
        "stdin",
        "stdout",
        "--dpi",
        str(layout.ocr_dpi),
        "-l",
        LANGUAGE,
        "--psm",
        mode,
        # Light text on dark shading is inverted before (pdf_raster); trying each word
        # inverted again costs a fifth of the time.
        "-c",
        "tessedit_do_invert=0",
        "hocr",
    ]
    # One thread: the run already keeps every core busy with a file each.
    environment = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(
            command,
            input=picture,
            capture_output=True,
            timeout=OCR_PAGE_S,
            env=environment,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ReadError(
            Code.OCR_FAILED,
            f"OCR took longer than {OCR_PAGE_S:g} s on this page, so it was stopped",
            Location(file, page=number),
            "the scan may be huge or damaged; ask for a PDF exported with text",
        ) from error
    except OSError as error:
        raise _unavailable(f"Tesseract does not run ({error})", file, number) from error
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip()
        if "Failed loading language" in said or "Error opening data file" in said:
            raise _unavailable(
                f"Tesseract's English model ({LANGUAGE}) is not installed", file, number
            )
        last = said.splitlines()[-1] if said else f"exit status {done.returncode}"
        raise ReadError(
            Code.OCR_FAILED,
            f"OCR failed on this page ({last})",
            Location(file, page=number),
            "the scan may be damaged; scan the page again or ask for a PDF exported with text",
        )
    return done.stdout


def _unavailable(why: str, file: str, number: int) -> ReadError:
    return ReadError(
        Code.OCR_UNAVAILABLE,
        f"the PDF has no text layer (a scan) and it cannot be read by OCR: {why}",
        Location(file, page=number),
        f"install Tesseract ({INSTALL} on Debian or Ubuntu) and run again, or ask for a "
        "PDF exported with text",
    )


# Pieces of ink OCR left unread are looked at again when at least this tall (x the
# page's usual font size) and this far apart from each other in the second look's picture
# (pixels).
_PIECE_HEIGHT = 0.3
# A list bullet is no larger than this (x font size).
_BULLET = 0.5
_PIECE_SPACING = 40
# Words this short read with less confidence than this are read again in the second look.
_SHORT = 2
_DOUBTFUL = 0.5


def _second_look(
    grey: Grey, found: Sequence[tuple[Word, float]], layout: PdfLayout, file: str, number: int
) -> list[tuple[Word, float]]:
    """The words found, with those Tesseract's sparse-text mode leaves out or misreads (a
    lone 'S' or 'K' in a Type column, a single digit) read again: ink no word covers, and
    short words read with little confidence, cut out and stacked one piece a line in a
    second picture, read in one more run, and put back where each piece came from."""
    import numpy as np

    if not found:
        return []
    found = [
        (word, confidence)
        for word, confidence in found
        if not (len(word.text) <= _SHORT and (confidence < _DOUBTFUL or _alone(word, found)))
    ]
    size = float(np.median([word.size for word, _ in found])) if found else 40.0
    inked = grey < 128
    covered = np.zeros_like(inked)
    pad = max(2, int(0.2 * size))
    for word, _ in found:
        covered[
            max(int(word.top) - pad, 0) : int(word.bottom) + pad,
            max(int(word.x0) - pad, 0) : int(word.x1) + pad,
        ] = True
    pieces = [
        box
        for box in _ink_pieces(inked & ~covered, cell=max(4, int(0.25 * size)))
        if box[3] - box[1] >= _PIECE_HEIGHT * size and not _bullet_like(inked, box, size)
    ]
    if not pieces:
        return list(found)
    gap = _PIECE_SPACING
    width = max(x1 - x0 for x0, _, x1, _ in pieces) + 2 * gap
    height = sum(bottom - top + gap for _, top, _, bottom in pieces) + gap
    sheet = np.full((height, width), 255, dtype=np.uint8)
    places = []  # (sheet top, sheet bottom, dx, dy)
    y = gap
    for x0, top, x1, bottom in pieces:
        sheet[y : y + bottom - top, gap : gap + x1 - x0] = grey[top:bottom, x0:x1]
        places.append((y, y + bottom - top, x0 - gap, top - y))
        y += bottom - top + gap
    read = hocr_to_words(run_tesseract(sheet, layout, file, number, "6"))
    back = list(found)
    for word, confidence in read:
        middle = (word.top + word.bottom) / 2
        for start, end, dx, dy in places:
            if start - gap / 2 <= middle <= end + gap / 2:
                back.append(
                    (
                        replace(
                            word,
                            x0=word.x0 + dx,
                            x1=word.x1 + dx,
                            top=word.top + dy,
                            bottom=word.bottom + dy,
                        ),
                        confidence,
                    )
                )
                break
    return back


_DASHES = frozenset("-‐‑–—―")
# Letters OCR reads for the digits of an ESCO URI's UUID (hexadecimal: no other letter
# belongs there).
_HEX_DIGIT = str.maketrans("lIi|OoSsZzBGgqé", "111100552286996")
_ESCO_ID = re.compile(r"(?<=/esco/)([a-z]+/)?([0-9A-Za-z|é-]+)$")


def _uri(word: Word) -> Word:
    """An ESCO URI's UUID with the digits OCR took for letters ('d17elaf' for 'd17e1af')."""
    if "/esco/" not in word.text:
        return word
    return replace(
        word,
        text=_ESCO_ID.sub(
            lambda m: (m.group(1) or "") + m.group(2).translate(_HEX_DIGIT), word.text
        ),
    )


def _dash(inked: Any, word: Word) -> Word:
    """A lone dash (a list marker, a range) by its length, which OCR does not tell: the
    model reads most dashes as an em dash. A hyphen is a third of the font size long, an
    en dash a half, an em dash the whole."""
    import numpy as np

    if not word.text or set(word.text) - _DASHES:
        return word
    box = inked[max(int(word.top), 0) : int(word.bottom), int(word.x0) : int(word.x1)]
    columns = np.flatnonzero(box.any(axis=0))
    if len(columns) == 0:
        return word
    length = (columns[-1] - columns[0] + 1) / word.size
    text = "-" if length < 0.42 else "–" if length < 0.75 else "—"
    return replace(word, text=text)


def _one_glyph(inked: Any, word: Word) -> Word:
    """A lone letter whose capital and small shapes are alike ('S', 'K', 'O') is often
    read as both ('Ss', 'kK'): one glyph in the picture is one letter, a capital when it
    stands as tall as one."""
    import numpy as np

    text = word.text
    if not (len(text) == 2 and text[0].isalpha() and text[0].swapcase() == text[1]):
        return word
    box = inked[max(int(word.top), 0) : int(word.bottom), int(word.x0) : int(word.x1)]
    columns = np.flatnonzero(box.any(axis=0))
    if len(columns) == 0 or np.diff(columns).max(initial=1) > 1:
        return word  # two glyphs
    rows = np.flatnonzero(box.any(axis=1))
    tall = rows[-1] - rows[0] + 1 >= 0.6 * word.size
    return replace(word, text=text[0].upper() if tall else text[0].lower())


def _bullet_like(inked: Any, box: tuple[int, int, int, int], size: float) -> bool:
    """A list bullet's size and shape: small, square, solid (found by _with_bullets)."""
    x0, top, x1, bottom = box
    width, height = x1 - x0, bottom - top
    return (
        max(width, height) <= _BULLET * size
        and 0.7 <= width / height <= 1.4
        and float(inked[top:bottom, x0:x1].mean()) >= 0.7
    )


def _alone(word: Word, found: Sequence[tuple[Word, float]]) -> bool:
    """No other word on the word's line within one and a half font sizes: a table cell of
    its own (a Type, a Level, an ID), which the sparse-text mode reads worst."""
    reach = 1.5 * word.size
    return not any(
        other is not word
        and abs(other.bottom - word.bottom) < 0.5 * word.size
        and other.x0 < word.x1 + reach
        and other.x1 > word.x0 - reach
        for other, _ in found
    )


def _ink_pieces(inked: Any, cell: int) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, top, x1, bottom) of the clusters of ink: cells of `cell` pixels that hold
    ink, joined with their neighbours (so the letters of a word are one piece)."""
    import numpy as np

    rows, columns = -(-inked.shape[0] // cell), -(-inked.shape[1] // cell)
    padded = np.zeros((rows * cell, columns * cell), dtype=bool)
    padded[: inked.shape[0], : inked.shape[1]] = inked
    grid = np.asarray(padded.reshape(rows, cell, columns, cell).any(axis=(1, 3)), dtype=bool)
    seen = np.zeros_like(grid)
    boxes = []
    for r_start, c_start in zip(*np.nonzero(grid), strict=True):
        start = (int(r_start), int(c_start))
        if seen[start]:
            continue
        seen[start] = True
        stack = [start]
        r0 = r1 = start[0]
        c0 = c1 = start[1]
        while stack:
            r, c = stack.pop()
            r0, r1, c0, c1 = min(r0, r), max(r1, r), min(c0, c), max(c1, c)
            for nr in range(max(r - 1, 0), min(r + 2, rows)):
                for nc in range(max(c - 1, 0), min(c + 2, columns)):
                    if grid[nr, nc] and not seen[nr, nc]:
                        seen[nr, nc] = True
                        stack.append((nr, nc))
        # Shrink the cells' box to the ink inside it.
        part = inked[r0 * cell : (r1 + 1) * cell, c0 * cell : (c1 + 1) * cell]
        ys, xs = np.flatnonzero(part.any(axis=1)), np.flatnonzero(part.any(axis=0))
        boxes.append(
            (
                c0 * cell + int(xs[0]),
                r0 * cell + int(ys[0]),
                c0 * cell + int(xs[-1]) + 1,
                r0 * cell + int(ys[-1]) + 1,
            )
        )
    return boxes


@dataclass(frozen=True)
class _Line:
    x0: float
    bottom: float
    slope: float
    offset: float
    height: float


def hocr_to_words(hocr: bytes) -> list[tuple[Word, float]]:
    """Tesseract's hOCR to words in pixels, each with its confidence (0..1): the box
    across; down, one font size from `_DESCENT` below the line's baseline."""
    root = ElementTree.fromstring(hocr)
    found: list[tuple[Word, float]] = []
    for line in root.iter():
        title = line.get("title", "")
        if not line.get("class", "").startswith("ocr_") or "x_size" not in title:
            continue
        geometry = _line_geometry(title)
        for element in line:
            if element.get("class") != "ocrx_word":
                continue
            text = "".join(element.itertext()).strip()
            box = _BBOX.search(element.get("title", ""))
            conf = _CONFIDENCE.search(element.get("title", ""))
            if not text or box is None:
                continue
            x0, _, x1, _ = (float(v) for v in box.groups())
            baseline = (
                geometry.bottom + geometry.offset + geometry.slope * ((x0 + x1) / 2 - geometry.x0)
            )
            size = geometry.height * _SIZE_PER_HEIGHT
            bottom = baseline + _DESCENT * size
            word = Word(text, x0, x1, bottom - size, bottom, size)
            found.append((word, int(conf.group(1)) / 100 if conf else 0.0))
    return found


def _line_geometry(title: str) -> _Line:
    box = _BBOX.search(title)
    baseline = _BASELINE.search(title)
    size = _X_SIZE.search(title)
    assert box is not None and size is not None, title
    x0, _, _, y1 = (float(v) for v in box.groups())
    slope, offset = (float(v) for v in baseline.groups()) if baseline else (0.0, 0.0)
    return _Line(x0, y1, slope, offset, float(size.group(1)))


def _with_bullets(
    words: Sequence[tuple[Word, float]], marks: RasterMarks
) -> list[tuple[Word, float]]:
    """List bullets drawn as dots or squares, which OCR drops or misreads ('e', '«', '='):
    a small solid blob just left of a word, or read as a short word, becomes '•'."""
    inked = marks.cleaned < 128
    out: list[tuple[Word, float]] = []
    ordered = sorted(words, key=lambda pair: (round(pair[0].bottom), pair[0].x0))
    for i, (word, confidence) in enumerate(ordered):
        if len(word.text) <= 2 and not word.text.isalnum() and _blob(inked, word, word.x0, word.x1):
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
        left = [
            w
            for w, _ in ordered[:i]
            if abs(w.bottom - word.bottom) < 0.5 * word.size and w.x1 <= word.x0
        ]
        limit = max([w.x1 for w in left], default=0.0)
        start = max(limit + 1, word.x0 - 2 * word.size)
        blob = _blob(inked, word, start, word.x0 - 1)
        if blob is not None:
            x0, x1 = blob
            out.append((Word(BULLET_GLYPH, x0, x1, word.top, word.bottom, word.size), 1.0))
        out.append((word, confidence))
    return out


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


def _blob(inked: Any, word: Word, start: float, end: float) -> tuple[float, float] | None:
    """The small solid mark nearest the right of [start, end] on the word's line, when it
    has a list bullet's size and shape (a square or a disc, at most `bullet_size` of the
    font size, nothing just left of it); its x0, x1."""
    import numpy as np

    top = max(int(word.bottom - word.size), 0)
    bottom = int(word.bottom - 0.1 * word.size)
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
    part = region[:, first : last + 1]
    rows = np.flatnonzero(part.any(axis=1))
    width, height = last - first + 1, int(rows[-1] - rows[0] + 1)
    if not 0.2 * word.size <= max(width, height) <= _BULLET * word.size:
        return None
    if not 0.7 <= width / height <= 1.4 or part[rows[0] : rows[-1] + 1].mean() < 0.7:
        return None
    x0 = left + first
    before = inked[top:bottom, max(int(x0 - 0.5 * word.size), 0) : max(x0 - 1, 0)]
    if before.any():  # a bullet opens its item: this is a glyph's piece (a comma, an 'e')
        return None
    return float(x0), float(left + last + 1)


def ocr_document(document: Document, pages: Sequence[OcrPage], layout: PdfLayout) -> Document:
    """The document read from pages partly or wholly read by OCR, with a warning for each
    item (a cell of a table, a cover paragraph) holding words OCR read with less
    confidence than layout.ocr_confidence, naming its page and the words."""
    return replace(
        document, issues=(*document.issues, *low_confidence_issues(document, pages, layout))
    )


def low_confidence_issues(
    document: Document, pages: Sequence[OcrPage], layout: PdfLayout
) -> list[Issue]:
    file = document.source.path
    items = list(_document_items(document))
    issues = []
    for page in pages:
        doubtful = [w for w in page.words if w.confidence < layout.ocr_confidence]
        by_item: dict[int, list[OcrWord]] = {}
        for each in doubtful:
            place = next(
                (
                    i
                    for i, (cell, _) in enumerate(items)
                    if cell.page == page.number and each.word.text in cell.text
                ),
                None,
            )
            if place is not None:  # else furniture, a heading: in no table
                by_item.setdefault(place, []).append(each)
        for place, words in sorted(by_item.items()):
            _, (table, row) = items[place]
            shown = ", ".join(f"'{w.word.text}' ({w.confidence:.0%})" for w in words)
            issues.append(
                Issue(
                    "read",
                    f"OCR read {shown} with less than {layout.ocr_confidence:.0%} "
                    "confidence: check it against the scan",
                    Location(file, page=page.number, table=table, row=row),
                    f"run `albatts inspect {file} --page {page.number}` to compare the scan "
                    "with what was read; a clearer scan, or a PDF exported with text, "
                    "removes the doubt",
                    severity="warning",
                    code=Code.OCR_LOW_CONFIDENCE,
                )
            )
    return issues


def _document_items(document: Document) -> Iterator[tuple[Cell, tuple[str | None, str]]]:
    """Every cell of a document with the table and the item it is part of."""
    yield document.title, (None, "title")
    for cell in document.description:
        yield cell, (None, "description")
    for number, occupation in enumerate(document.occupations, 1):
        for cell in (occupation.code, occupation.label, occupation.uri):
            yield cell, ("occupations", f"occupation {number}")
    for entry in document.context:
        yield entry.value, ("context", f"'{entry.key}'")
    for section in document.sections:
        for competence in section.competences:
            row = f"competence '{' '.join(competence.name.text.split())}'"
            for cell in (competence.name, competence.type, competence.level):
                yield cell, ("competences", row)
            for cell in competence.description:
                yield cell, ("competence_statements", row)
            for cell in competence.esco:
                yield cell, ("competence_esco_skills", row)


@contextmanager
def ocr_progress(started: Callable[[int], None]) -> Iterator[None]:
    """Call `started` with each page's number before it is read by OCR, in this block."""
    token = OCR_PAGE_STARTED.set(started)
    try:
        yield
    finally:
        OCR_PAGE_STARTED.reset(token)
