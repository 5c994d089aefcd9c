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
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from pipeline.codes import Code
from pipeline.defaults import OCR_PAGE_S
from pipeline.errors import ReadError
from pipeline.extract.ocr_hocr import DESCENT, hocr_hyphen, hocr_to_words
from pipeline.extract.ocr_marks import bullet_like, with_markers
from pipeline.extract.ocr_repair import (
    header_label,
    join_pieces,
    longer_groups,
    repair_term,
    repair_uri,
    uuid_fits,
    uuid_like,
)
from pipeline.extract.pdf_model import PageData, PdfLayout, Word
from pipeline.model import Cell, ContextEntry, Document, Issue, Location, ReadWord

if TYPE_CHECKING:
    from pipeline.extract.pdf_layout import TracedRow
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
    length = round(layout.ocr_rule_length * per_point)
    thickness = max(1, round(layout.ocr_rule_thickness * per_point))
    marks = raster_to_marks(
        grey,
        rule_length=length,
        rule_thickness=thickness,
        fill_width=round(layout.ocr_fill_size * 3 * per_point),
        fill_height=round(layout.ocr_fill_size * per_point),
    )
    marks = with_pale_rules(marks, length, thickness)
    inked = marks.cleaned < 128
    hocr = run_tesseract(marks.cleaned, layout, file, page.number, "11")
    hyphen = hocr_hyphen(hocr, inked)
    found = hocr_to_words(hocr, inked, hyphen)
    found = _second_look(marks.cleaned, found, layout, file, page.number, hyphen)
    found = _hex_look(marks.cleaned, found, layout, file, page.number)
    found = [(_one_glyph(inked, word), confidence) for word, confidence in found]
    pictures = _pictures(found, marks)
    found = [pair for pair in with_markers(found, inked) if not _inside(pair[0], pictures)]
    found = _usual_sizes(_bold(_header_labels(join_pieces(found)), inked))
    ocr_words = [OcrWord(_scaled(word, sx, sy), confidence) for word, confidence in found]
    return (
        replace(
            page,
            words=tuple(sorted((w.word for w in ocr_words), key=lambda w: (w.top, w.x0))),
            rules=tuple(_rules(marks, sx, sy)),
            fills=tuple(_fills(marks, sx, sy)),
        ),
        tuple(ocr_words),
    )


# A ruling printed in a pale colour (a light blue or grey grid) is darker than this, though
# lighter than ink (pdf_raster.INK): paper is white, and no glyph makes a long thin run.
_PALE = 200
# Pale runs this close to a fill's edge (pixels) are its border's antialiasing.
_FILL_EDGE = 3


def with_pale_rules(marks: RasterMarks, length: int, thickness: int) -> RasterMarks:
    """The marks with the rulings too pale to count as ink added (found the same way, in
    the picture left after the dark ones and the fills were taken away) and erased from
    the picture OCR reads: a grid drawn in a light colour bounds rows and cells as well."""
    from pipeline.extract.pdf_raster import RasterMarks, ink_to_rules, marks_to_cleaned

    pale = marks.cleaned < _PALE
    for fill in marks.fills:
        b = fill.box
        pale[
            max(b.top - _FILL_EDGE, 0) : b.bottom + _FILL_EDGE,
            max(b.x0 - _FILL_EDGE, 0) : b.x1 + _FILL_EDGE,
        ] = False
    found = [
        *ink_to_rules(pale, "h", length, thickness),
        *ink_to_rules(pale.T, "v", length, thickness),
    ]
    if not found:
        return marks
    cleaned = marks_to_cleaned(marks.cleaned, found, ())
    return RasterMarks((*marks.rules, *found), marks.fills, cleaned)


# A dark area holding no word read with at least this confidence is a picture (a logo),
# not a shaded header: what OCR reads in it is left out.
_PICTURE_CONFIDENCE = 0.75


def _pictures(found: Sequence[tuple[Word, float]], marks: RasterMarks) -> list[Any]:
    """The dark fills in which OCR read nothing with confidence: pictures (the funding
    emblem's stars read as 'ot', 'hye'), whose ink is no text."""
    from pipeline.extract.pdf_raster import INK

    return [
        fill.box
        for fill in marks.fills
        if fill.grey < INK
        and not any(
            confidence >= _PICTURE_CONFIDENCE and _inside(word, [fill.box])
            for word, confidence in found
        )
    ]


def _inside(word: Word, boxes: Sequence[Any]) -> bool:
    middle_x, middle_y = (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2
    return any(b.x0 <= middle_x <= b.x1 and b.top <= middle_y <= b.bottom for b in boxes)


# A word is bold when its strokes are this much thicker than the page's usual ones (the
# median width of its runs of ink across, per font size; measured on the fixture corpus:
# regular text within 1.15 times the page's median, bold from 1.25 times up).
_BOLD = 1.25
# Words shorter than this take their boldness from the word next to them on their line.
_BOLD_LETTERS = 3


def _bold(found: Sequence[tuple[Word, float]], inked: Any) -> list[tuple[Word, float]]:
    """The words with their weight, which a text layer gives and OCR does not: a heading
    left at the foot of a page is told from a wrapped line by it (pdf_layout)."""
    import numpy as np

    strokes = [_stroke_width(inked, word) for word, _ in found]
    usual = [
        stroke
        for (word, _), stroke in zip(found, strokes, strict=True)
        if stroke is not None and len(word.text) >= _BOLD_LETTERS
    ]
    if not usual:
        return list(found)
    median = float(np.median(usual))
    bold = [
        stroke is not None and len(word.text) >= _BOLD_LETTERS and stroke >= _BOLD * median
        for (word, _), stroke in zip(found, strokes, strict=True)
    ]
    out = []
    for index, (word, confidence) in enumerate(found):
        weight = bold[index]
        if len(word.text) < _BOLD_LETTERS:
            near = [
                (abs((other.x0 + other.x1) - (word.x0 + word.x1)), bold[j])
                for j, (other, _) in enumerate(found)
                if j != index
                and len(other.text) >= _BOLD_LETTERS
                and _same_line(other, word)
                and min(abs(other.x0 - word.x1), abs(word.x0 - other.x1)) < 1.5 * word.size
            ]
            weight = min(near)[1] if near else False
        out.append((replace(word, bold=weight) if weight else word, confidence))
    return out


# Font sizes of a page that follow each other, sorted, with no step larger than this (x
# the smaller) are one size read roughly: below the ratio pdf_layout sets a heading
# apart by (1.1 x the table header's size, with bold; 1.3 without).
_SAME_SIZE = 1.15


def _usual_sizes(found: Sequence[tuple[Word, float]]) -> list[tuple[Word, float]]:
    """The words with their font sizes evened out, on the same baselines: the sizes of a
    page's bold words, and those of its other words, each sorted and cut where one is more
    than _SAME_SIZE times the one before, each run set to its median. Tesseract measures
    each line on its own letters (a line of short words comes out a fifth smaller or
    larger), where a text layer gives one size to all the text of a table or a paragraph;
    the layout code reads rows and paragraphs from the gaps between lines' boxes and from
    changes of size. Bold and regular words are evened out apart, so that a run of sizes
    does not carry a bold heading down to the body's size through a header row's labels.
    Bold is told before (it needs each line's own measure)."""
    usual = {
        (bold, size): median
        for bold in (False, True)
        for size, median in _size_runs([w.size for w, _ in found if w.bold == bold]).items()
    }
    out = []
    for word, confidence in found:
        size = usual[(word.bold, word.size)]
        if size != word.size:
            bottom = word.bottom - DESCENT * word.size + DESCENT * size
            word = replace(word, top=bottom - size, bottom=bottom, size=size)
        out.append((word, confidence))
    return out


def _size_runs(sizes: Sequence[float]) -> dict[float, float]:
    """Each size with the median of its run (sizes sorted, cut at a step over _SAME_SIZE)."""
    import numpy as np

    runs: list[list[float]] = []
    for size in sorted(sizes):
        if runs and size <= _SAME_SIZE * runs[-1][-1]:
            runs[-1].append(size)
        else:
            runs.append([size])
    return {size: float(np.median(run)) for run in runs for size in run}


def _stroke_width(inked: Any, word: Word) -> float | None:
    """The typical length of the word's runs of ink along its rows, per font size."""
    import numpy as np

    area = inked[max(int(word.top), 0) : int(word.bottom), max(int(word.x0), 0) : int(word.x1)]
    if area.size == 0 or word.size <= 0:
        return None
    padded = np.zeros((area.shape[0], area.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = area
    edges = np.diff(padded, axis=1)
    starts, ends = np.nonzero(edges == 1), np.nonzero(edges == -1)
    lengths = ends[1] - starts[1]
    if len(lengths) == 0:
        return None
    # The mean of the middle half: runs are whole pixels, and a median would jump by a
    # third between a stem of 3 and one of 4 pixels.
    ordered = np.sort(lengths)
    middle = ordered[len(ordered) // 4 : len(ordered) - len(ordered) // 4]
    return float(middle.mean()) / word.size


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


def run_tesseract(
    grey: Grey,
    layout: PdfLayout,
    file: str,
    number: int,
    mode: str,
    options: Sequence[str] = (),
) -> bytes:
    """Tesseract's hOCR for a picture (I/O: runs the program, the picture on stdin), with
    `options` ('name=value') set too."""
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
        # Each character's box: the glyphs the model lacks ('≤', '–') are told from their
        # ink (ocr_repair.glyph_text).
        "-c",
        "hocr_char_boxes=1",
        *(part for option in options for part in ("-c", option)),
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
_PIECE_SPACING = 40
_OVERHANG = 0.5
# Words this short read with less confidence than this are read again in the second look.
_SHORT = 2
_DOUBTFUL = 0.5


def _second_look(
    grey: Grey,
    found: Sequence[tuple[Word, float]],
    layout: PdfLayout,
    file: str,
    number: int,
    hyphen: float | None = None,
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
    # Across, half a font size: a glyph's overhang OCR left out of its word's box (the
    # hook of a 'j') is no piece of its own ('Other I job').
    across = max(pad, int(_OVERHANG * size))
    for word, _ in found:
        covered[
            max(int(word.top) - pad, 0) : int(word.bottom) + pad,
            max(int(word.x0) - across, 0) : int(word.x1) + across,
        ] = True
    pieces = [
        box
        for box in _ink_pieces(inked & ~covered, cell=max(4, int(0.25 * size)))
        if box[3] - box[1] >= _PIECE_HEIGHT * size and not bullet_like(inked, box, size)
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
    read = hocr_to_words(run_tesseract(sheet, layout, file, number, "6"), sheet < 128, hyphen)
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


def _hex_look(
    grey: Grey, found: Sequence[tuple[Word, float]], layout: PdfLayout, file: str, number: int
) -> list[tuple[Word, float]]:
    """The words that look like a piece of a UUID (an ESCO URI's id wrapped onto a line of
    its own) but do not fit its shape ('462852d5al' for '462852d5a13e'), read again with
    nothing but hexadecimal digits and '-' allowed, in one more run on a sheet of them
    stacked; the new reading replaces the old one when it fits (ocr_repair.uuid_fits) with
    no group shorter (such a reading drops what it cannot name: 'lefd' gives 'efd', which
    repair_uri sets right from the first reading instead)."""
    import numpy as np

    doubtful = [
        index
        for index, (word, _) in enumerate(found)
        if uuid_like(word.text) and not uuid_fits(word.text)
    ]
    if not doubtful:
        return list(found)
    gap = _PIECE_SPACING
    boxes = []
    for index in doubtful:
        word = found[index][0]
        pad = int(0.2 * word.size)
        boxes.append(
            (
                max(int(word.x0) - pad, 0),
                max(int(word.top) - pad, 0),
                min(int(word.x1) + pad, grey.shape[1]),
                min(int(word.bottom) + pad, grey.shape[0]),
            )
        )
    width = max(x1 - x0 for x0, _, x1, _ in boxes) + 2 * gap
    height = sum(bottom - top + gap for _, top, _, bottom in boxes) + gap
    sheet = np.full((height, width), 255, dtype=np.uint8)
    places = []
    y = gap
    for x0, top, x1, bottom in boxes:
        sheet[y : y + bottom - top, gap : gap + x1 - x0] = grey[top:bottom, x0:x1]
        places.append((y, y + bottom - top))
        y += bottom - top + gap
    options = ("tessedit_char_whitelist=0123456789abcdef-",)
    read = hocr_to_words(run_tesseract(sheet, layout, file, number, "6", options))
    out = list(found)
    for index, (start, end) in zip(doubtful, places, strict=True):
        pieces = sorted(
            (
                pair
                for pair in read
                if start - gap / 2 <= (pair[0].top + pair[0].bottom) / 2 <= end + gap / 2
            ),
            key=lambda pair: pair[0].x0,
        )
        text = "".join(word.text for word, _ in pieces)
        if pieces and uuid_fits(text) and longer_groups(text, found[index][0].text):
            out[index] = (replace(found[index][0], text=text), min(c for _, c in pieces))
    return out


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


# The printed labels of the competence and occupation tables' header rows, which OCR may
# misread ('(SIK)'): set right only on a line of header labels (ocr_repair.header_label).
HEADER_LABELS = (
    "Name",
    "Type",
    "(S/K)",
    "Description/Context",
    "Description",
    "Context",
    "Level",
    "ESCO",
    "Skills",
    "Concept",
    "URI",
    "Code",
    "Label",
)
_LABELS = frozenset(label.casefold() for label in HEADER_LABELS)


def _header_labels(found: Sequence[tuple[Word, float]]) -> list[tuple[Word, float]]:
    """Words of a header row OCR misread, set right: a note in parentheses ('(SIK)') where
    it is one letter from a label's, another word when every word on its line is a label
    or one letter from one, and one at least is a label exactly."""
    out = []
    for word, confidence in found:
        fixed = header_label(word.text, HEADER_LABELS)
        if fixed is not None and not word.text.startswith("("):
            line = [other for other, _ in found if other is not word and _same_line(other, word)]
            exact = [other for other in line if other.text.casefold() in _LABELS]
            if not exact or any(
                other.text.casefold() not in _LABELS
                and header_label(other.text, HEADER_LABELS) is None
                for other in line
            ):
                fixed = None
        out.append((word if fixed is None else replace(word, text=fixed), confidence))
    return out


def _same_line(a: Word, b: Word) -> bool:
    return abs(a.bottom - b.bottom) < 0.5 * min(a.size, b.size)


def ocr_document(
    document: Document,
    pages: Sequence[OcrPage],
    layout: PdfLayout,
    rows: Sequence[TracedRow] = (),
) -> Document:
    """The document read from pages partly or wholly read by OCR: its pages read by OCR
    noted, each cell on them with its words' confidences (from the table rows the layout
    code traced, `rows`), and a warning for each item (a cell of a table, a cover
    paragraph) holding words OCR read with less confidence than layout.ocr_confidence,
    naming its page and the words."""
    document = with_confidences(document, pages, rows)
    document, repaired = repair_fields(document, {page.number for page in pages})
    return replace(
        document,
        issues=(*document.issues, *repaired, *low_confidence_issues(document, pages, layout)),
    )


def with_confidences(
    document: Document, pages: Sequence[OcrPage], rows: Sequence[TracedRow]
) -> Document:
    """Each cell on a page read by OCR with its words and their confidences (Cell.ocr):
    a table cell's words are those of its row's bands as the layout code read them
    (`rows`, the rows traced in document order); a cell of running text (the cover, a
    section heading) is found in its page's words in reading order."""
    words = _PageWords(pages)

    def table_cell(cell: Cell, row: TracedRow | None, name: str, band: int | None = None) -> Cell:
        if row is None or not words.any_read(b.page for b in row.bands):
            return words.running(cell)
        bands = row.bands if band is None else row.bands[band : band + 1]
        read = tuple(
            words.of(b.page, word)
            for b in bands
            for line in b.cells.get(name, ())
            for word in line.words
        )
        return replace(cell, ocr=read)

    traced_occupations = _traced(rows, lambda t: t == "occupations", len(document.occupations))
    traced_context = _traced(rows, lambda t: t == "context", len(document.context))
    competences = [c for section in document.sections for c in section.competences]
    traced_competences = iter(
        _traced(rows, lambda t: t.startswith("competences"), len(competences))
    )
    sections = []
    for section in document.sections:
        read = []
        for competence in section.competences:
            row = next(traced_competences)
            same = row is not None and len(row.bands) == len(competence.description)
            same = same and len(competence.description) == len(competence.esco)
            read.append(
                replace(
                    competence,
                    name=table_cell(competence.name, row, "name"),
                    type=table_cell(competence.type, row, "type"),
                    level=table_cell(competence.level, row, "level"),
                    description=tuple(
                        table_cell(cell, row if same else None, "description", i)
                        for i, cell in enumerate(competence.description)
                    ),
                    esco=tuple(
                        table_cell(cell, row if same else None, "esco", i)
                        for i, cell in enumerate(competence.esco)
                    ),
                )
            )
        sections.append(
            replace(section, heading=words.running(section.heading), competences=tuple(read))
        )
    return replace(
        document,
        alliance=words.running(document.alliance),
        period=words.running(document.period),
        title=words.running(document.title),
        description=tuple(words.running(cell) for cell in document.description),
        occupations=tuple(
            replace(
                occupation,
                code=table_cell(occupation.code, row, "code"),
                label=table_cell(occupation.label, row, "label"),
                uri=table_cell(occupation.uri, row, "uri"),
            )
            for occupation, row in zip(document.occupations, traced_occupations, strict=True)
        ),
        context=tuple(
            ContextEntry(entry.key, table_cell(entry.value, row, "value"))
            for entry, row in zip(document.context, traced_context, strict=True)
        ),
        sections=tuple(sections),
        ocr_pages=tuple(sorted({page.number for page in pages})),
    )


def _traced(
    rows: Sequence[TracedRow], table: Callable[[str], bool], count: int
) -> list[TracedRow | None]:
    """The traced rows of a table, one per row of the document's; none (each cell then
    found in its page's words) when they do not pair up."""
    found = [row for row in rows if table(row.table)]
    return list(found) if len(found) == count else [None] * count


def _percent(confidence: float) -> int:
    return max(0, min(100, round(confidence * 100)))


class _PageWords:
    """The words OCR read on each page, with their confidences in whole percent."""

    def __init__(self, pages: Sequence[OcrPage]) -> None:
        from pipeline.extract.pdf_lines import words_to_lines

        self.confidence = {
            (page.number, each.word): _percent(each.confidence)
            for page in pages
            for each in page.words
        }
        self.words = {page.number: page.words for page in pages}
        # Each page's words in reading order (lines top to bottom, left to right).
        self.reading = {
            page.number: [
                word
                for line in words_to_lines((w.word for w in page.words), page.number)
                for word in line.words
            ]
            for page in pages
        }

    def any_read(self, numbers: Iterator[int]) -> bool:
        return any(number in self.words for number in numbers)

    def of(self, number: int, word: Word) -> ReadWord:
        """A word as the layout code read it, with OCR's confidence in it: that of the word
        OCR read, or the lowest of those its box overlaps (the layout code joins a word's
        pieces); None on a page with a text layer."""
        if number not in self.words:
            return (word.text, None)
        known = self.confidence.get((number, word))
        if known is not None:
            return (word.text, known)
        overlapping = [
            _percent(each.confidence)
            for each in self.words[number]
            if each.word.x0 < word.x1
            and word.x0 < each.word.x1
            and each.word.top < word.bottom
            and word.top < each.word.bottom
        ]
        lowest = min(self.confidence.get((number, w.word), 100) for w in self.words[number])
        return (word.text, min(overlapping, default=lowest))

    def running(self, cell: Cell) -> Cell:
        """A cell of running text with its words: the run of its page's words, in reading
        order, that spells its text (letters and digits compared); else each of its words
        with the lowest confidence of the page's words of that text (of the page's words
        when none)."""
        if cell.page is None or cell.page not in self.words or cell.ocr is not None:
            return cell
        reading = self.reading[cell.page]
        folded = [_folded(word.text) for word in reading]
        target = _folded(cell.text)
        stream = "".join(folded)
        at = stream.find(target) if target else -1
        if at >= 0:
            read: list[ReadWord] = []
            position = 0
            for word, letters in zip(reading, folded, strict=True):
                end = position + len(letters)
                if letters and position < at + len(target) and at < end:
                    read.append(self.of(cell.page, word))
                position = end
            return replace(cell, ocr=tuple(read))
        page_lowest = min((self.confidence.get((cell.page, w), 100) for w in reading), default=None)
        return replace(
            cell,
            ocr=tuple(
                (
                    text,
                    min(
                        (
                            self.confidence.get((cell.page, w), 100)
                            for w in reading
                            if w.text == text
                        ),
                        default=page_lowest,
                    ),
                )
                for text in cell.text.split()
            ),
        )


def _folded(text: str) -> str:
    """Letters and digits only, case folded: how a cell's text and OCR's words compare
    whatever the layout code did to spaces, line ends and hyphens."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


def repair_fields(document: Document, numbers: set[int]) -> tuple[Document, list[Issue]]:
    """The fields of a known shape on pages read by OCR (an occupation's ESCO URI, a
    competence's type and level) set right where OCR misread them and exactly one reading
    fits (ocr_repair); each one set right is a warning naming its page and item, with what
    OCR read, so that a steward can check it against the scan."""
    from pipeline.contract.vocabulary import load_vocabulary

    file = document.source.path
    issues: list[Issue] = []

    def fixed(cell: Cell, text: str | None, table: str, row: str, what: str) -> Cell:
        if text is None or cell.page not in numbers:
            return cell
        message = (
            f"OCR read {what} as {cell.text!r}; it was taken as {text!r}, the one reading "
            "that fits: check it against the scan"
        )
        issues.append(_doubt(message, Location(file, page=cell.page, table=table, row=row)))
        return replace(cell, text=text)

    occupations = tuple(
        replace(
            occupation,
            uri=fixed(
                occupation.uri,
                repair_uri(occupation.uri.text) if occupation.uri.page in numbers else None,
                "occupations",
                f"occupation {number}",
                "an ESCO URI",
            ),
        )
        for number, occupation in enumerate(document.occupations, 1)
    )
    types, levels = load_vocabulary("types").terms, load_vocabulary("levels").terms
    sections = []
    for section in document.sections:
        competences = []
        for competence in section.competences:
            row = f"competence '{' '.join(competence.name.text.split())}'"
            ocr = competence.type.page in numbers or competence.level.page in numbers
            competences.append(
                replace(
                    competence,
                    type=fixed(
                        competence.type,
                        repair_term(competence.type.text, types) if ocr else None,
                        "competences",
                        row,
                        "a type (S or K)",
                    ),
                    level=fixed(
                        competence.level,
                        repair_term(competence.level.text, levels) if ocr else None,
                        "competences",
                        row,
                        "a level",
                    ),
                )
            )
        sections.append(replace(section, competences=tuple(competences)))
    return replace(document, occupations=occupations, sections=tuple(sections)), issues


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
            message = (
                f"OCR read {shown} with less than {layout.ocr_confidence:.0%} confidence: "
                "check it against the scan"
            )
            location = Location(file, page=page.number, table=table, row=row)
            issues.append(_doubt(message, location))
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


def _doubt(message: str, location: Location) -> Issue:
    """A warning on what OCR read at location, with the way to check it."""
    return Issue(
        "read",
        message,
        location,
        f"run `albatts inspect {location.file} --page {location.page}` to compare the scan "
        "with what was read; a clearer scan, or a PDF exported with text, removes the doubt",
        severity="warning",
        code=Code.OCR_LOW_CONFIDENCE,
    )
