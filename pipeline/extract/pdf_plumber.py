"""PDF bytes to PageData with pdfplumber: the only module that imports it.

One pass over each page collects what the layout code needs: words with their font size
and weight, rulings (stroked lines and rectangles thin enough to be a line), filled areas,
and bullets drawn as small shapes (browsers draw list discs and squares as paths, with no
text), which become '•' words so that a list item reads the same from every producer.

The reader's own warnings (pdfminer's "Cannot set gray non-stroke color", "MediaBox
missing from /Page") are logged through `logging`, which would print them on stderr with no
file name: reader_notes keeps them for the file's verdict instead (notes_to_issues).
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import PdfminerException

from pipeline.codes import Code
from pipeline.errors import ReadError
from pipeline.extract.pdf_model import (
    BULLET_GLYPH,
    Box,
    PageData,
    PdfLayout,
    Rule,
    Word,
    no_text,
)
from pipeline.model import Issue, Location

# Bold faces: "...-Bold", "...Black", "...Heavy", "...Semibold", "...Demi", and URW's
# "...-Medi" (NimbusRomNo9L-Medi is Times Bold).
_BOLD = re.compile(r"bold|black|heavy|semibold|demi|-medi\b", re.IGNORECASE)
# A rectangle this thin (points) is drawn as a line.
_RULE_THICKNESS = 2.5
# Shapes smaller than this (points) on both sides are specks, not bullets.
_SPECK = 0.8


def read_pages(
    data: bytes,
    file: str,
    layout: PdfLayout,
    enough: Callable[[Sequence[PageData]], bool] | None = None,
    ocr: Callable[[PageData], PageData] | None = None,
) -> list[PageData]:
    """Every page's words, rulings and fills, or those read until `enough` (asked after
    each page) says the rest need not be read; a page without words is handed to `ocr`
    (pdf_ocr.PageOcr, which reads a scanned page) (I/O: the only pdfplumber call)."""
    pages: list[PageData] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages, 1):
                data_page = page_to_data(page, number, layout)
                if ocr is not None and not data_page.words:
                    data_page = ocr(data_page)  # a scanned page (pipeline/extract/pdf_ocr.py)
                pages.append(data_page)
                if enough is not None and enough(pages):
                    break
    except MemoryError:
        raise  # the worker turns it into a "used more than N MB" verdict
    except ReadError:  # a scanned page OCR could not read (pdf_ocr)
        raise
    except (PdfminerException, PSException) as error:
        # pdfplumber wraps pdfminer's errors; the cause tells an encrypted file apart.
        cause = error.args[0] if isinstance(error, PdfminerException) and error.args else error
        if isinstance(cause, PDFPasswordIncorrect):
            raise ReadError(
                Code.PDF_ENCRYPTED,
                "the PDF is encrypted and needs a password",
                Location(file),
                "ask the sender for an unprotected copy",
            ) from error
        raise ReadError(
            Code.NOT_A_PDF,
            f"not a readable PDF ({type(cause).__name__}: {cause})",
            Location(file),
            "the file may be truncated or not a PDF; download or export it again",
        ) from error
    except Exception as error:  # the parser's own failure on a malformed file
        raise ReadError(
            Code.PDF_PARSER_FAILED,
            f"the PDF parser failed on this file ({type(error).__name__}: {error})",
            Location(file),
            "the PDF is probably damaged: export or download it again",
        ) from error
    if not any(page.words for page in pages):
        raise no_text(file)
    return pages


def page_to_data(page: Any, number: int, layout: PdfLayout) -> PageData:
    return assemble_page(number, page.width, page.height, _words(page, layout), page, layout)


def assemble_page(
    number: int, width: float, height: float, words: list[Word], paths: Any, layout: PdfLayout
) -> PageData:
    """A page's PageData from its words and its paths (anything with pdfplumber's `lines`,
    `rects` and `curves`): rulings, fills and list bullets found the same way whichever
    reader gave them."""
    rules, fills, shapes = _graphics(paths)
    bullets = _bullets(shapes, words, layout)
    return PageData(
        number=number,
        width=float(width),
        height=float(height),
        words=tuple(sorted([*words, *bullets], key=lambda w: (w.top, w.x0))),
        rules=tuple(rules),
        fills=tuple(fills),
    )


def _words(page: Any, layout: PdfLayout) -> list[Word]:
    """Words with their font size and weight (a word may mix fonts: a symbol drawn from a
    fallback font stays inside its word)."""
    found = []
    for w in page.extract_words(
        x_tolerance_ratio=layout.word_gap,
        keep_blank_chars=False,
        use_text_flow=False,
        return_chars=True,
    ):
        if not w.get("upright", True) or not w["text"].strip():
            continue
        chars = w["chars"]
        found.append(
            Word(
                text=w["text"],
                x0=float(w["x0"]),
                x1=float(w["x1"]),
                top=float(w["top"]),
                bottom=float(w["bottom"]),
                size=max(float(c["size"]) for c in chars),
                bold=all(_BOLD.search(str(c["fontname"])) for c in chars),
            )
        )
    return found


def _graphics(page: Any) -> tuple[list[Rule], list[Box], list[Box]]:
    """Rulings, fills and small shapes (bullet candidates) from lines, rects and curves."""
    rules: list[Rule] = []
    fills: list[Box] = []
    shapes: list[Box] = []
    page_area = float(page.width) * float(page.height)
    for line in page.lines:
        rules.extend(_as_rule(_box(line)))
    for rect in page.rects:
        box = _box(rect)
        if min(box.width, box.height) <= _RULE_THICKNESS:
            rules.extend(_as_rule(box))
        elif rect.get("fill") and box.width * box.height < 0.8 * page_area:
            fills.append(box)
            if rect.get("stroke"):
                rules.extend(_outline(box))
        elif rect.get("stroke"):
            rules.extend(_outline(box))
        if max(box.width, box.height) < 12:
            shapes.append(box)
    for curve in page.curves:
        box = _box(curve)
        if max(box.width, box.height) < 12:
            shapes.append(box)
        elif min(box.width, box.height) <= _RULE_THICKNESS:
            rules.extend(_as_rule(box))
    return rules, fills, shapes


def _box(obj: dict[str, Any]) -> Box:
    return Box(float(obj["x0"]), float(obj["top"]), float(obj["x1"]), float(obj["bottom"]))


def _as_rule(box: Box) -> list[Rule]:
    if box.width >= box.height and box.width > _RULE_THICKNESS:
        return [Rule("h", (box.top + box.bottom) / 2, box.x0, box.x1)]
    if box.height > box.width and box.height > _RULE_THICKNESS:
        return [Rule("v", (box.x0 + box.x1) / 2, box.top, box.bottom)]
    return []


def _outline(box: Box) -> list[Rule]:
    return [
        Rule("h", box.top, box.x0, box.x1),
        Rule("h", box.bottom, box.x0, box.x1),
        Rule("v", box.x0, box.top, box.bottom),
        Rule("v", box.x1, box.top, box.bottom),
    ]


def _bullets(shapes: Iterable[Box], words: Sequence[Word], layout: PdfLayout) -> list[Word]:
    """Small roughly square shapes just left of a word on the same line: list bullets."""
    bullets: dict[tuple[float, float], Word] = {}
    for shape in shapes:
        if max(shape.width, shape.height) < _SPECK or not (
            0.5 <= shape.width / max(shape.height, 0.01) <= 2
        ):
            continue
        middle = (shape.top + shape.bottom) / 2
        after = [
            w
            for w in words
            if w.top <= middle <= w.bottom
            and 0 <= w.x0 - shape.x1 <= 2 * w.size
            and max(shape.width, shape.height) <= layout.bullet_size * w.size
        ]
        if not after or any(w.x0 <= shape.x0 <= w.x1 for w in words if w.top <= middle <= w.bottom):
            continue
        word = min(after, key=lambda w: w.x0)
        key = (round(shape.x0, 1), round(shape.top, 1))
        bullets[key] = Word(
            BULLET_GLYPH, shape.x0, shape.x1, word.top, word.bottom, word.size, word.bold
        )
    return list(bullets.values())


# pdfminer parses, pdfplumber wraps it.
_READER_LOGGERS = ("pdfminer", "pdfplumber", "pypdfium2")
# A reader's message may quote a whole PDF object.
_NOTE_CHARS = 300


@dataclass(frozen=True)
class ReaderNote:
    """One kind of warning the PDF reader logged: its first message, and how often."""

    message: str
    count: int


class _Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.first: dict[str, str] = {}
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        kind = str(record.msg)  # the template: one note for every value it is given
        if kind not in self.first:
            try:
                message = " ".join(record.getMessage().split())
            except (TypeError, ValueError):  # arguments that do not fit the template
                message = kind
            self.first[kind] = message[:_NOTE_CHARS] + ("…" if len(message) > _NOTE_CHARS else "")
        self.counts[kind] += 1


@contextmanager
def reader_notes() -> Iterator[list[ReaderNote]]:
    """The PDF reader's warnings while the block runs, in the list given, each kind once
    (filled when the block ends); none of them reaches stderr."""
    keep = _Keep()
    loggers = [logging.getLogger(name) for name in _READER_LOGGERS]
    propagating = [logger.propagate for logger in loggers]
    for logger in loggers:
        logger.addHandler(keep)
        logger.propagate = False
    notes: list[ReaderNote] = []
    try:
        yield notes
    finally:
        for logger, propagate in zip(loggers, propagating, strict=True):
            logger.removeHandler(keep)
            logger.propagate = propagate
        notes.extend(ReaderNote(message, keep.counts[kind]) for kind, message in keep.first.items())


def notes_to_issues(notes: Iterable[ReaderNote], file: str) -> tuple[Issue, ...]:
    """A warning for each kind of note: the reader worked around a defect in the file, which
    may have changed what it read."""
    return tuple(
        Issue(
            "read",
            f"the PDF reader reported: {note.message}"
            + (f" ({note.count} times)" if note.count > 1 else ""),
            Location(file),
            "the reader worked around a defect in the PDF; check this profile's rows with "
            "albatts inspect, or export the PDF again",
            severity="warning",
            code=Code.PDF_READER_WARNING,
        )
        for note in notes
    )
