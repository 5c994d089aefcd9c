"""PDF bytes to PageData with pypdfium2: the pages pdf_plumber reads, from PDFium's C parser
(many times faster than pdfminer's pure Python).

The layout code was tuned on what pdfplumber hands it, so this reader rebuilds that glyph by
glyph. PDFium's text page is made for selecting and searching text and edits what the PDF
draws: it adds spaces and line breaks of its own, drops spaces it finds doubled, splits
ligatures into letters, marks line-end hyphens, takes marked-content ActualText instead of
the glyphs, and leaves out text objects that draw nothing (a browser draws each space as an
object of its own). Those edits are undone here. PDFium also keeps font widths and descents
in whole thousandths of an em, so a glyph's box is computed from the font's own numbers, read
by pdfminer's font classes from the font dictionaries alone (a millisecond a page): the
advance width across, from the descent to one em above it, through the text matrix, in
pdfplumber's coordinates (origin at the top-left of the MediaBox, page rotation applied).
Glyphs are grouped into words as pdfplumber's `extract_words` groups them with the options
pdf_plumber passes; rulings, fills and drawn bullets come from pdf_plumber's own functions,
given pdfminer's classification of the page's paths into lines, rectangles and curves.

Speed: PDFium is called in bulk where it can be (the page's whole text in one call) and
per character only where it has no bulk call (the text object, the origin), from `map` so
that no Python runs per call, without ctypes converting arguments (pdf_pdfium_calls),
writing straight into numpy arrays; loose boxes are read only for the characters that need
them (ambiguous widths, glyphs split into letters), object matrices only for the objects
that need them (paths, text objects that draw nothing). The work per character (undoing
PDFium's edits, widths, drift, boxes, lines and words) is numpy's.
"""

from __future__ import annotations

import collections
import ctypes
import functools
import io
import itertools
import math
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.pdfdocument import PDFDocument, PDFPasswordIncorrect
from pdfminer.pdffont import PDFCIDFont, PDFFont, PDFUnicodeNotDefined
from pdfminer.pdfinterp import PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFObjRef, resolve1
from pdfminer.psparser import literal_name

from pipeline.codes import Code
from pipeline.errors import ReadError
from pipeline.extract import pdf_kept, pdf_pdfium_calls
from pipeline.extract.pdf_model import PageData, PdfLayout, Word, no_text
from pipeline.extract.pdf_plumber import _BOLD, assemble_page
from pipeline.model import Location

Matrix = tuple[float, float, float, float, float, float]
Point = tuple[float, float]

IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
# pdfplumber's extract_words: glyphs whose tops are this close (points) share a line.
_LINE_TOLERANCE = 3.0
# Ligatures pdfplumber expands in words; PDFium splits them into these letters.
_LIGATURES = {
    "ﬀ": "ff",
    "ﬃ": "ffi",
    "ﬄ": "ffl",
    "ﬁ": "fi",
    "ﬂ": "fl",
    "ﬆ": "st",
    "ﬅ": "st",
}
_LIGATURE_OF = {letters: ligature for ligature, letters in _LIGATURES.items()}
# Points within which PDFium's single precision puts what pdfminer puts in one place.
_NOISE = 2e-4
# PDFium's text page leaves out text objects narrower than this (points).
_EMPTY_WIDTH = 0.01
# What PDFium's text page writes for a glyph it marks as a line-end hyphen.
_HYPHEN_MARK = 0x2
_SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")
_TEXT = pdfium_c.FPDF_PAGEOBJ_TEXT
_FORM = pdfium_c.FPDF_PAGEOBJ_FORM
# What PDFium's text page may add of its own: spaces and line breaks.
_BREAKS = frozenset((0x20, 0x0D, 0x0A))
# pypdfium2's own bound on nested form XObjects.
_MAX_FORM_DEPTH = 15


def _bind(name: str, restype: Any, *argtypes: Any) -> Any:
    """A PDFium function that takes and gives handles as plain addresses: pypdfium2's typed
    pointers cost microseconds a call, which adds up over a page's glyphs and objects."""
    address = ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value
    assert address, name
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


_H, _I, _U, _F = ctypes.c_void_p, ctypes.c_int, ctypes.c_uint, ctypes.c_float
_PF, _PI = ctypes.POINTER(_F), ctypes.POINTER(_I)
_count_objects = _bind("FPDFPage_CountObjects", _I, _H)
_get_object = _bind("FPDFPage_GetObject", _H, _H, _I)
_object_type = _bind("FPDFPageObj_GetType", _I, _H)
_object_matrix_at = _bind("FPDFPageObj_GetMatrix", _I, _H, _H)
_object_bounds = _bind("FPDFPageObj_GetBounds", _I, _H, _PF, _PF, _PF, _PF)
_form_count = _bind("FPDFFormObj_CountObjects", _I, _H)
_form_object = _bind("FPDFFormObj_GetObject", _H, _H, ctypes.c_ulong)
_count_marks = _bind("FPDFPageObj_CountMarks", _I, _H)
_get_mark = _bind("FPDFPageObj_GetMark", _H, _H, ctypes.c_ulong)
_remove_param = _bind("FPDFPageObjMark_RemoveParam", _I, _H, _H, ctypes.c_char_p)
_count_chars = _bind("FPDFText_CountChars", _I, _H)
_unicode = _bind("FPDFText_GetUnicode", _U, _H, _I)
_is_hyphen = _bind("FPDFText_IsHyphen", _I, _H, _I)
_map_error = _bind("FPDFText_HasUnicodeMapError", _I, _H, _I)
# Pointers as addresses too: PDFium writes straight into numpy arrays.
_loose_box_at = _bind("FPDFText_GetLooseCharBox", _I, _H, _I, _H)
_get_text = _bind("FPDFText_GetText", _I, _H, _I, _I, _H)
_char_matrix_at = _bind("FPDFText_GetMatrix", _I, _H, _I, _H)
_text_font = _bind("FPDFTextObj_GetFont", _H, _H)
_text_font_size = _bind("FPDFTextObj_GetFontSize", _I, _H, _PF)
_font_name = _bind("FPDFFont_GetBaseFontName", ctypes.c_ulong, _H, ctypes.c_char_p, ctypes.c_ulong)
_font_descent = _bind("FPDFFont_GetDescent", _I, _H, _F, _PF)
_glyph_width_of = _bind("FPDFFont_GetGlyphWidth", _I, _H, ctypes.c_uint32, _F, _PF)
_draw_mode = _bind("FPDFPath_GetDrawMode", _I, _H, _PI, _PI)
_count_segments = _bind("FPDFPath_CountSegments", _I, _H)
_segment = _bind("FPDFPath_GetPathSegment", _H, _H, _I)
_segment_point = _bind("FPDFPathSegment_GetPoint", _I, _H, _PF, _PF)
_segment_type = _bind("FPDFPathSegment_GetType", _I, _H)
_segment_close = _bind("FPDFPathSegment_GetClose", _I, _H)


class Glyph(NamedTuple):
    """A glyph as pdfminer reports it (an LTChar): its text, its box in pdfplumber's page
    coordinates, its size (box height), its font's name, and whether it stands upright."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    font: str
    upright: bool


@dataclass(frozen=True)
class Frame:
    """A page's coordinates as pdfminer and pdfplumber set them up: `ctm` takes PDF user
    space to pdfminer's (page rotation applied, MediaBox corner at the origin); pdfplumber
    then measures `top` down from the top and shifts a MediaBox that is off the origin."""

    ctm: Matrix
    width: float
    height: float
    x_shift: float
    top_shift: float

    def to_page(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, ...]:
        """pdfminer's (x0, y0, x1, y1) as pdfplumber's (x0, top, x1, bottom)."""
        return (
            x0 + self.x_shift,
            (self.height - y1) + self.top_shift,
            x1 + self.x_shift,
            (self.height - y0) + self.top_shift,
        )


def page_frame(mediabox: tuple[float, float, float, float], rotation: int) -> Frame:
    """The frame of a page with this MediaBox (as in the PDF) and /Rotate (degrees)."""
    x0, y0, x1, y1 = mediabox
    rotation %= 360
    if rotation == 90:
        ctm: Matrix = (0, -1, 1, 0, -y0, x1)
    elif rotation == 180:
        ctm = (-1, 0, 0, -1, x1, y1)
    elif rotation == 270:
        ctm = (0, 1, -1, 0, y1, -x0)
    else:
        ctm = (1, 0, 0, 1, -x0, -y0)
    # pdfplumber's page box: the sorted MediaBox, its sides swapped on a quarter turn,
    # flipped within its own height (so a MediaBox off the origin shifts every top).
    left, right = sorted((x0, x1))
    bottom, top = sorted((y0, y1))
    if rotation in (90, 270):
        left, bottom, right, top = bottom, left, top, right
    flip = top - bottom
    page_top, page_bottom = flip - top, flip - bottom
    return Frame(ctm, right - left, page_bottom - page_top, left, page_top)


def read_pages(
    data: bytes,
    file: str,
    layout: PdfLayout,
    enough: Callable[[Sequence[PageData]], bool] | None = None,
    ocr: Callable[[PageData], PageData] | None = None,
) -> list[PageData]:
    """Every page's words, rulings and fills, or those read until `enough` (asked after
    each page) says the rest need not be read; a page without words is handed to `ocr`
    (pdf_ocr.PageOcr, which reads a scanned page) (I/O: the only pypdfium2 calls).

    A file pdfminer cannot open (no usable cross-reference table or page tree, a wrong
    password) is refused as pdf_plumber refuses it, for the same reason, although PDFium
    might recover some of them: both readers give every file the same verdict."""
    try:
        pdfminer = PdfminerPages(data)
    except MemoryError:
        raise  # the worker turns it into a "used more than N MB" verdict
    except Exception as error:  # pdfminer's own error, as pdf_plumber reports it
        raise _unreadable(error, file) from error
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        raise _unreadable(error, file) from error
    pages: list[PageData] = []
    # The first pages stay open for the file's page pictures (pdf_kept), unless the
    # reading broke down.
    opened: dict[int, Any] = {}
    keeping = False
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                data_page = page_to_data(page, index + 1, layout, pdfminer)
            finally:
                if index < pdf_kept.KEPT_PAGES:
                    opened[index + 1] = page
                else:
                    page.close()
            if ocr is not None and not data_page.words:
                data_page = ocr(data_page)  # a scanned page (pipeline/extract/pdf_ocr.py)
            pages.append(data_page)
            if enough is not None and enough(pages):
                break
        keeping = True
    except MemoryError:
        raise
    except ReadError:  # a scanned page OCR could not read (pdf_ocr)
        keeping = True
        raise
    except Exception as error:  # the parser's own failure on a malformed file
        raise ReadError(
            Code.PDF_PARSER_FAILED,
            f"the PDF parser failed on this file ({type(error).__name__}: {error})",
            Location(file),
            "the PDF is probably damaged: export or download it again",
        ) from error
    finally:
        if keeping:
            pdf_kept.keep(data, document, opened)
        else:
            pdf_kept.close(pdf_kept.Kept(data, document, opened))
    if not any(page.words for page in pages):
        raise no_text(file)
    return pages


def _unreadable(error: Exception, file: str) -> ReadError:
    """A file the readers cannot open, in pdf_plumber's words."""
    password = isinstance(error, PDFPasswordIncorrect) or (
        isinstance(error, pdfium.PdfiumError) and error.err_code == pdfium_c.FPDF_ERR_PASSWORD
    )
    if password:
        return ReadError(
            Code.PDF_ENCRYPTED,
            "the PDF is encrypted and needs a password",
            Location(file),
            "ask the sender for an unprotected copy",
        )
    return ReadError(
        Code.NOT_A_PDF,
        f"not a readable PDF ({type(error).__name__}: {error})",
        Location(file),
        "the file may be truncated or not a PDF; download or export it again",
    )


def page_to_data(page: Any, number: int, layout: PdfLayout, pdfminer: PdfminerPages) -> PageData:
    """One PDFium page as pdf_plumber reads it (I/O: reads the page)."""
    glyphs, objects, frame = _read_page(page, number, pdfminer)
    words = glyphs_to_words(glyphs, layout)
    return assemble_page(
        number, frame.width, frame.height, words, _path_view(objects, frame), layout
    )


def page_glyphs(data: bytes, number: int) -> list[Glyph]:
    """Page `number`'s glyphs as pdfminer reads them (pdfplumber's `chars`), upright or
    not, in content order (I/O: reads the PDF)."""
    pdfminer = PdfminerPages(data)
    document = pdfium.PdfDocument(data)
    page = document[number - 1]
    try:
        return _read_page(page, number, pdfminer)[0].listed()
    finally:
        page.close()
        document.close()


def _read_page(page: Any, number: int, pdfminer: PdfminerPages) -> tuple[_Glyphs, _Objects, Frame]:
    """A page's glyphs, its objects (in content order) and its frame."""
    box = pdfminer.page(number)
    mediabox, rotation = box if box is not None else (_mediabox(page), page.get_rotation())
    frame = page_frame(mediabox, rotation)
    objects = _page_objects(page)
    marks = _drop_actual_text(objects)
    textpage = page.get_textpage()
    try:
        handle = _handle(textpage.raw)
        chars = _chars(handle, objects, marks)
        glyphs = chars_to_glyphs(chars, frame, pdfminer.fonts, _Loose(handle, chars))
    finally:
        textpage.close()
    return glyphs, objects, frame


def shown_box(page: Any) -> tuple[float, float, float, float]:
    """The part of the page PDFium draws (its CropBox within its MediaBox, inherited ones
    too), as (x0, top, x1, bottom) in the page's frame: where a drawing of the page puts
    the words and boxes the readers give."""
    frame = page_frame(_mediabox(page), page.get_rotation())
    rect = pdfium_c.FS_RECTF()
    pdfium_c.FPDF_GetPageBoundingBox(page, rect)
    a, b, c, d, e, f = frame.ctm
    corners = ((rect.left, rect.bottom), (rect.right, rect.top))
    xs = [a * x + c * y + e for x, y in corners]
    ys = [b * x + d * y + f for x, y in corners]
    x0, top, x1, bottom = frame.to_page(min(xs), min(ys), max(xs), max(ys))
    return x0, top, x1, bottom


def _mediabox(page: Any) -> tuple[float, float, float, float]:
    """The page's MediaBox. PDFium reads only a page's own; an inherited one is taken from
    the page's bounding box (the MediaBox, or the CropBox within it)."""
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    if pdfium_c.FPDFPage_GetMediaBox(page, left, bottom, right, top):
        return (left.value, bottom.value, right.value, top.value)
    rect = pdfium_c.FS_RECTF()
    pdfium_c.FPDF_GetPageBoundingBox(page, rect)
    return (rect.left, rect.bottom, rect.right, rect.top)


# --- fonts as pdfminer measures them ------------------------------------------------------


@dataclass(frozen=True)
class FontMetrics:
    """A font as pdfminer measures its glyphs: its name, its descent and the advance widths
    of the glyphs that show each character, in thousandths of an em."""

    name: str
    descent: float
    widths: Mapping[str, tuple[float, ...]]


class PdfminerPages:
    """What pdfminer reads of a document's pages without parsing their content: each page's
    MediaBox and rotation as pdfplumber takes them, and the metrics of the fonts the pages
    use, by name without the subset tag (several fonts may share one), read as PDFium
    reads the pages (I/O). Opening it raises pdfminer's errors where pdfplumber's would:
    the document and its page tree are read at once, as pdfplumber reads them."""

    def __init__(self, data: bytes) -> None:
        self.fonts: dict[str, list[FontMetrics]] = {}
        self._seen: set[int] = set()
        self._read = 0
        self._manager = PDFResourceManager()
        self._pages = list(PDFPage.create_pages(PDFDocument(PDFParser(io.BytesIO(data)))))

    def page(self, number: int) -> tuple[tuple[float, float, float, float], int] | None:
        """Page `number`'s MediaBox and rotation (its fonts, and those of the pages before
        it, join `fonts`); None past pdfminer's last page."""
        for page in self._pages[self._read : number]:
            self._add_resources(page.resources, 0)
        self._read = max(self._read, number)
        if number > len(self._pages):
            return None
        page = self._pages[number - 1]
        x0, y0, x1, y1 = page.mediabox
        return (x0, y0, x1, y1), page.rotate

    def _add_resources(self, resources: Any, depth: int) -> None:
        resources = resolve1(resources)
        if not isinstance(resources, dict) or id(resources) in self._seen:
            return
        self._seen.add(id(resources))
        for ref in _values(resources.get("Font")):
            spec = resolve1(ref)
            if isinstance(spec, dict):
                self._add_font(ref, spec)
        if depth < _MAX_FORM_DEPTH:
            for ref in _values(resources.get("XObject")):
                xobject = resolve1(ref)
                attrs = getattr(xobject, "attrs", {})
                if _name(attrs.get("Subtype")) == "Form" and "Resources" in attrs:
                    self._add_resources(attrs["Resources"], depth + 1)

    def _add_font(self, ref: Any, spec: dict[str, Any]) -> None:
        if id(spec) in self._seen:
            return
        self._seen.add(id(spec))
        objid = ref.objid if isinstance(ref, PDFObjRef) else None
        try:
            font = self._manager.get_font(objid, spec)
            metrics = font_metrics(font)
        except Exception:  # pdfminer cannot measure this font: PDFium's metrics stand in
            return
        if metrics is not None:
            key = font_key(str(getattr(font, "basefont", "") or metrics.name))
            self.fonts.setdefault(key, []).append(metrics)


def _values(value: Any) -> Iterable[Any]:
    mapping = resolve1(value)
    return mapping.values() if isinstance(mapping, dict) else ()


def _name(value: Any) -> str:
    try:
        return literal_name(resolve1(value))
    except Exception:
        return ""


def font_key(name: str) -> str:
    """A font's name without its subset tag ('ABCDEF+'): PDFium drops it for simple fonts."""
    return _SUBSET_TAG.sub("", name)


def font_metrics(font: PDFFont) -> FontMetrics | None:
    """What pdfminer makes of a font's glyphs (None for vertical writing, which this reader
    does not rebuild)."""
    if font.is_vertical():
        return None
    if isinstance(font, PDFCIDFont):
        cids: Iterable[Any] = list(getattr(font.unicode_map, "cid2unichr", {}) or {})
    else:
        numbered = [cid for cid in font.widths if isinstance(cid, int)]
        cids = numbered or range(256)
    widths: dict[str, set[float]] = {}
    for cid in cids:
        try:
            text = font.to_unichr(cid)
        except (PDFUnicodeNotDefined, KeyError):
            continue
        widths.setdefault(text, set()).add(font.char_width(cid) * 1000)
    options = {text: tuple(sorted(found)) for text, found in widths.items()}
    return FontMetrics(str(font.fontname), font.get_descent() * 1000, options)


# --- page objects -------------------------------------------------------------------------


class _Objects:
    """A page's objects in content order (form XObjects opened in place): their handles
    (addresses), their kinds, and the matrix from each one's own space to the page's user
    space (read when asked for: only paths, and text objects that draw nothing, need it)."""

    def __init__(self) -> None:
        self.handles: list[int] = []
        self.kinds: list[int] = []
        self._outer: list[Matrix] = []
        self._of_kind: dict[int, list[int]] = {}

    def __len__(self) -> int:
        return len(self.handles)

    def add(self, handles: list[int], kinds: list[int], outer: Matrix) -> None:
        self.handles += handles
        self.kinds += kinds
        self._outer += [outer] * len(handles)
        self._of_kind.clear()

    def matrix(self, index: int) -> Matrix:
        return _multiply(_own_matrix(self.handles[index]), self._outer[index])

    def of_kind(self, kind: int) -> list[int]:
        """The places of the objects of this kind."""
        if kind not in self._of_kind:
            self._of_kind[kind] = [i for i, each in enumerate(self.kinds) if each == kind]
        return self._of_kind[kind]


def _own_matrix(handle: int) -> Matrix:
    """An object's matrix (its own space to its container's), in PDFium's single
    precision; the identity where PDFium has none."""
    values = np.zeros(6, np.float32)
    if not _object_matrix_at(handle, values.ctypes.data):
        return IDENTITY
    return tuple(values.tolist())  # type: ignore[return-value]


def _page_objects(page: Any) -> _Objects:
    handle = _handle(page.raw)
    found = _Objects()
    count = _count_objects(handle)
    _objects_in(list(map(_get_object, itertools.repeat(handle), range(count))), IDENTITY, 0, found)
    return found


def _objects_in(handles: list[int], outer: Matrix, depth: int, found: _Objects) -> None:
    kinds = list(map(_object_type, handles))
    if _FORM not in kinds:
        found.add(handles, kinds, outer)
        return
    for handle, kind in zip(handles, kinds, strict=True):
        if kind != _FORM:
            found.add([handle], [kind], outer)
        elif depth < _MAX_FORM_DEPTH:
            inner = list(map(_form_object, itertools.repeat(handle), range(_form_count(handle))))
            _objects_in(inner, _multiply(_own_matrix(handle), outer), depth + 1, found)


def _exhaust(calls: Iterable[object]) -> None:
    """Run the calls of a map (PDFium writing into arrays) at C speed."""
    collections.deque(calls, maxlen=0)


def _handle(pointer: Any) -> int:
    return ctypes.cast(pointer, ctypes.c_void_p).value or 0


def _multiply(m1: Matrix, m0: Matrix) -> Matrix:
    """m1, then m0 (pdfminer's mult_matrix: row vectors, x' = a x + c y + e)."""
    a1, b1, c1, d1, e1, f1 = m1
    a0, b0, c0, d0, e0, f0 = m0
    return (
        a0 * a1 + c0 * b1,
        b0 * a1 + d0 * b1,
        a0 * c1 + c0 * d1,
        b0 * c1 + d0 * d1,
        a0 * e1 + c0 * f1 + e0,
        b0 * e1 + d0 * f1 + f0,
    )


def _drop_actual_text(objects: _Objects) -> dict[int, tuple[int, bool]]:
    """Let the text page read the glyphs themselves, as pdfminer does: a marked-content
    ActualText (browsers put one on each ligature) would replace them by its text, each
    letter given an even share of the glyphs' box. Returns each text object's marked
    content: how many marks it is in, and whether one had an ActualText."""
    texts = [objects.handles[i] for i in objects.of_kind(_TEXT)]
    counts = list(map(_count_marks, texts))
    # Each (object, mark) pair, its marks asked for in one run of calls.
    owners = list(itertools.chain.from_iterable(map(itertools.repeat, texts, counts)))
    places = list(itertools.chain.from_iterable(map(range, counts)))
    found = list(map(_get_mark, owners, places))
    # The objects of one marked-content sequence share its marks: each is edited once, by
    # its first object (the objects after it would find it edited, with nothing to remove).
    first = dict(zip(reversed(found), reversed(owners), strict=True))
    removed = map(_remove_param, first.values(), first.keys(), itertools.repeat(b"ActualText"))
    actual = {owner for owner, gone in zip(first.values(), removed, strict=True) if gone}
    return {handle: (count, handle in actual) for handle, count in zip(texts, counts, strict=True)}


# --- characters of PDFium's text page -----------------------------------------------------


class _Runs(NamedTuple):
    """What the characters of each text object share, one entry per object in each array."""

    order: np.ndarray  # the object's place in content order
    matrix: np.ndarray  # (a, b, c, d): text space to user space (PDFium's, with Tz)
    size: np.ndarray  # the font size (Tf)
    font_id: np.ndarray  # PDFium's font (an address; 0: none)
    marks: np.ndarray  # marked content: how many marks the object is in
    actual: np.ndarray  # and whether one of them had an ActualText
    fonts: dict[int, tuple[str, float]]  # PDFium's name and descent (thousandths) per font

    def font(self, run: int) -> str:
        return self.fonts[int(self.font_id[run])][0]

    def descent(self, run: int) -> float:
        return self.fonts[int(self.font_id[run])][1]


class _Chars(NamedTuple):
    """The text page's characters in content order, one entry per character in each array
    (so that the work per character is numpy's); widths in thousandths of an em."""

    place: np.ndarray  # the character's index in the text page; -1: an empty object's space
    text: list[str]
    x: np.ndarray  # origin, user space
    y: np.ndarray
    width: np.ndarray  # PDFium's width of the glyph the character maps back to; NaN: none
    generated: np.ndarray  # a space PDFium added inside the object
    run: np.ndarray  # the character's text object, in runs
    runs: _Runs


def _chars(page: int, objects: _Objects, marks: Mapping[int, tuple[int, bool]]) -> _Chars:
    """The text page's characters in content order, and a space for each text object it
    leaves out for drawing nothing (I/O: reads the text page). PDFium is asked for the
    whole page's text at once, and per character only for what has no bulk call: its text
    object and its origin."""
    count = _count_chars(page)
    pages = itertools.repeat(page)
    codes = np.array(_codes(page, count), np.int64)
    handles = pdf_pdfium_calls.char_objects(page, count)
    generated = np.zeros(count, bool)
    breaks = np.flatnonzero(np.isin(codes, list(_BREAKS))).tolist()
    generated[breaks] = pdf_pdfium_calls.generated(page, breaks)
    # A line break, or a space between objects, is PDFium's own: left out.
    kept = np.flatnonzero((handles != 0) & ~(generated & (codes != 0x20)))
    owners, first, run = np.unique(handles[kept], return_index=True, return_inverse=True)
    run = run.reshape(-1)
    text_objects = {objects.handles[i]: i for i in objects.of_kind(_TEXT)}
    # Each object's run, from its first character (the text page's matrix has Tz in it).
    starts = kept[first].tolist()
    matrices = np.zeros((len(starts), 6), np.float32)
    address = matrices.ctypes.data
    _exhaust(map(_char_matrix_at, pages, starts, range(address, address + 24 * len(starts), 24)))
    sizes = pdf_pdfium_calls.font_sizes(page, starts)
    owned = owners.tolist()
    owned_set = set(owned)
    # Objects the text page leaves out for drawing nothing: a space each, as pdfminer has.
    empty = [
        (handle, order, objects.matrix(order))
        for handle, order in text_objects.items()
        if handle not in owned_set and _empty(handle)
    ]
    for handle, _, _ in empty:
        value = ctypes.c_float()
        _text_font_size(handle, value)
        sizes.append(value.value)
    every = owned + [handle for handle, _, _ in empty]
    font_ids = [_text_font(handle) or 0 for handle in every]
    fonts: dict[int, tuple[str, float]] = {}
    for font in font_ids:
        if font not in fonts:
            fonts[font] = _pdfium_font(font)
    objects_count = len(objects)
    marked = [marks.get(handle, (0, False)) for handle in every]
    runs = _Runs(
        np.array([text_objects.get(h, objects_count) for h in every], np.int64),
        np.concatenate(
            [
                matrices[:, :4].astype(float),
                np.array([m[:4] for _, _, m in empty] or [], float).reshape(-1, 4),
            ]
        ),
        np.array(sizes, float),
        np.array(font_ids, np.uint64),
        np.array([m[0] for m in marked], np.int64),
        np.array([m[1] for m in marked], bool),
        fonts,
    )
    xy = pdf_pdfium_calls.char_origins(page, kept.tolist())
    texts, widths = _texts(page, kept, codes[kept], generated[kept], runs.font_id[run])
    keys = (runs.order[run] << 24) + kept + 1
    # The empty objects' spaces, at each object's origin.
    count_empty = len(empty)
    empty_runs = np.arange(len(owned), len(every), dtype=np.int64)
    for font in font_ids[len(owned) :]:
        width = _glyph_width(font, 0x20)
        texts.append(" ")
        widths.append(math.nan if width is None else width)
    keys = np.concatenate([keys, runs.order[empty_runs] << 24])
    sort = np.argsort(keys, kind="stable")
    return _Chars(
        np.concatenate([kept, np.full(count_empty, -1, np.int64)])[sort],
        _pick(texts, sort),
        np.concatenate([xy[:, 0], np.array([m[4] for _, _, m in empty], float)])[sort],
        np.concatenate([xy[:, 1], np.array([m[5] for _, _, m in empty], float)])[sort],
        np.array(widths, float)[sort],
        np.concatenate([generated[kept], np.zeros(count_empty, bool)])[sort],
        np.concatenate([run, empty_runs])[sort],
        runs,
    )


def _texts(
    page: int, kept: np.ndarray, codes: np.ndarray, generated: np.ndarray, fonts: np.ndarray
) -> tuple[list[str], list[float]]:
    """The text of each character as pdfminer writes it, and PDFium's width of its glyph
    (NaN: none), found once per font and code (at the first character that shows it)."""
    texts = np.full(len(kept), " ", dtype=object)
    widths = np.full(len(kept), math.nan)
    drawn = np.flatnonzero(~generated)
    if drawn.size:
        font_ids, font_of = np.unique(fonts[drawn], return_inverse=True)
        pairs = (font_of.reshape(-1).astype(np.int64) << 32) | codes[drawn]  # codes < 2**32
        unique, first, inverse = np.unique(pairs, return_index=True, return_inverse=True)
        found = [
            _glyph_info(page, int(kept[drawn[k]]), pair & 0xFFFFFFFF, int(font_ids[pair >> 32]))
            for pair, k in zip(unique.tolist(), first.tolist(), strict=True)
        ]
        inverse = inverse.reshape(-1)
        shown = np.empty(len(found), dtype=object)
        shown[:] = [text for text, _ in found]
        texts[drawn] = shown[inverse]
        known = [math.nan if width is None else width for _, width in found]
        widths[drawn] = np.array(known, float)[inverse]
    for k in np.flatnonzero(codes == _HYPHEN_MARK).tolist():
        if not generated[k] and _is_hyphen(page, int(kept[k])):
            texts[k] = "-"
    return texts.tolist(), widths.tolist()


def _codes(page: int, count: int) -> list[int]:
    """Each character's Unicode value, as FPDFText_GetUnicode gives it: from the page's
    text in one call, which writes PDFium's hyphen mark as U+FFFE (those are asked again),
    or character by character where the text does not map one to one (surrogates)."""
    units = np.zeros(count + 1, np.uint16)
    written = _get_text(page, 0, count, units.ctypes.data) if count else 0
    text = units[:count]
    odd = (text == 0) | ((text >= 0xD800) & (text <= 0xDFFF))
    if count and (written != count + 1 or odd.any()):
        return list(map(_unicode, itertools.repeat(page), range(count)))
    codes: list[int] = text.tolist()
    for i in np.flatnonzero(text == 0xFFFE).tolist():
        codes[i] = _unicode(page, i)
    return codes


class _Loose:
    """The width of each character's loose box (the advance, or more where ink overhangs),
    in thousandths of an em; NaN for a character without a glyph of the PDF's. Read from
    the open text page only for the characters that need it (I/O)."""

    def __init__(self, page: int, chars: _Chars) -> None:
        self._page = page
        self._place = chars.place
        self._value = np.full(len(chars.text), np.nan)
        self._read = chars.generated | (chars.place < 0)
        runs = chars.runs
        self._scale = (runs.matrix[:, 0] * runs.size / 1000)[chars.run]

    def values(self, positions: np.ndarray) -> np.ndarray:
        todo = np.unique(positions[~self._read[positions]])
        if todo.size:
            rects = np.zeros((len(todo), 4), np.float32)
            address = rects.ctypes.data
            boxes = range(address, address + 16 * len(todo), 16)
            indexes = self._place[todo].tolist()
            _exhaust(map(_loose_box_at, itertools.repeat(self._page), indexes, boxes))
            width = rects[:, 2].astype(float) - rects[:, 0].astype(float)
            scale = self._scale[todo]
            usable = np.abs(scale) > 1e-9
            self._value[todo] = np.where(usable, width / np.where(usable, scale, 1.0), np.nan)
            self._read[todo] = True
        return self._value[positions]


def _pdfium_font(font: int) -> tuple[str, float]:
    """PDFium's name (without a simple font's subset tag) and descent of a font."""
    length = _font_name(font, None, 0)
    buffer = ctypes.create_string_buffer(max(length, 1))
    _font_name(font, buffer, length)
    descent = ctypes.c_float()
    _font_descent(font, 1000.0, descent)
    return buffer.value.decode("utf-8", "replace"), descent.value


def _glyph_info(page: int, index: int, code: int, font: int) -> tuple[str, float | None]:
    """A character's text as pdfminer writes it, and PDFium's width of its glyph."""
    if _map_error(page, index):
        return f"(cid:{code})", None  # pdfminer's text for a glyph its font maps to nothing
    return chr(code), _glyph_width(font, code)


def _glyph_width(font: int, code: int) -> float | None:
    """PDFium's width of the glyph a character maps back to (thousandths of an em)."""
    value = ctypes.c_float()
    if not font or not _glyph_width_of(font, code, 1000.0, value) or value.value <= 0:
        return None
    return value.value


def _empty(handle: int) -> bool:
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    if not _object_bounds(handle, left, bottom, right, top):
        return False
    return abs(right.value - left.value) < _EMPTY_WIDTH


# --- glyphs (pdfminer's LTChar) -----------------------------------------------------------


class _Glyphs(NamedTuple):
    """Glyphs as pdfminer reports them (LTChars), in content order, one entry per glyph in
    each array (see Glyph)."""

    text: list[str]
    x0: np.ndarray
    x1: np.ndarray
    top: np.ndarray
    bottom: np.ndarray
    size: np.ndarray
    font_of: np.ndarray  # the glyph's font, a place in fonts
    fonts: list[str]
    upright: np.ndarray

    @classmethod
    def of(cls, glyphs: Sequence[Glyph]) -> _Glyphs:
        def column(name: str) -> np.ndarray:
            return np.array([getattr(g, name) for g in glyphs], float)

        places: dict[str, int] = {}
        font_of = [places.setdefault(g.font, len(places)) for g in glyphs]
        return cls(
            [g.text for g in glyphs],
            column("x0"),
            column("x1"),
            column("top"),
            column("bottom"),
            column("size"),
            np.array(font_of, np.int64),
            list(places),
            np.array([g.upright for g in glyphs], bool),
        )

    def listed(self) -> list[Glyph]:
        columns = (a.tolist() for a in (self.x0, self.x1, self.top, self.bottom, self.size))
        numbers = zip(*columns, strict=True)
        fonts = [self.fonts[k] for k in self.font_of.tolist()]
        return [
            Glyph(text, x0, x1, top, bottom, size, font, upright)
            for text, (x0, x1, top, bottom, size), font, upright in zip(
                self.text, numbers, fonts, self.upright.tolist(), strict=True
            )
        ]


class _Placements(NamedTuple):
    """How the glyphs of each text object land on the page, as pdfminer places them."""

    metrics: list[FontMetrics | None]
    font: list[str]
    upright: np.ndarray
    matrix: np.ndarray  # (a, b, c, d): text space (one em = the font size) to pdfminer's
    descent: np.ndarray  # points below the baseline, in text space
    size: np.ndarray
    along: np.ndarray  # (x, y): one thousandth of an em along the baseline, user space


def chars_to_glyphs(
    chars: _Chars, frame: Frame, fonts: Mapping[str, Sequence[FontMetrics]], loose: _Loose
) -> _Glyphs:
    """The text page's characters as pdfminer's glyphs, in content order: PDFium's own
    spaces and split glyphs undone, widths and descents from the font's own numbers, and
    each origin moved by what PDFium's widths, cut to whole thousandths of an em, shifted
    it along the text (within a text object, and into the next one where it goes on)."""
    at, texts, widths = _joined(chars, _real(chars), loose)
    runs = chars.runs
    run = chars.run[at]
    chosen = _choose_fonts(runs, run, texts, widths, at, fonts, loose)
    # One placement per object (content order), made from the first run that has it.
    _, first, where = np.unique(runs.order[run], return_index=True, return_inverse=True)
    where = where.reshape(-1)
    placements = _placements(runs, run[first], chosen, frame)
    # The font's width of each glyph where it has one for the text, else PDFium's; PDFium
    # moved on by the width cut to whole thousandths, pdfminer by the font's.
    every = [m.widths if m is not None else {} for m in placements.metrics]
    options = [every[p].get(text, ()) for text, p in zip(texts, where.tolist(), strict=True)]
    advance = np.array([o[0] if len(o) == 1 else math.nan for o in options], float)
    exact = ~np.isnan(advance)
    doubtful = np.flatnonzero(~exact)
    if doubtful.size:
        measures = loose.values(at[doubtful]).tolist()
        for k, measure, width in zip(
            doubtful.tolist(), measures, widths[doubtful].tolist(), strict=True
        ):
            metrics = placements.metrics[where[k]]
            found = _exact_width(texts[k], _none(measure), _none(width), metrics)
            if found is not None:
                advance[k], exact[k] = found, True
            else:
                advance[k] = _pdfium_advance(_none(measure), _none(width))
    moved = np.where(exact, np.trunc(advance), advance)
    along = placements.along[where]
    x, y = chars.x[at], chars.y[at]
    dx, dy = _drift(run, runs, x, y, advance, moved, along)
    return _level(_boxes(texts, x + dx, y + dy, advance, where, placements, frame))


def _pick(items: Sequence[Any], places: np.ndarray) -> list[Any]:
    """items[k] for each k in places, in one C call."""
    if len(places) < 2:
        return [items[k] for k in places.tolist()]
    return list(operator.itemgetter(*places.tolist())(items))


def _none(value: float) -> float | None:
    return None if math.isnan(value) else value


def _placements(
    runs: _Runs, first: np.ndarray, chosen: Mapping[int, FontMetrics], frame: Frame
) -> _Placements:
    """The placement of each run in `first`: its matrix through the page's, the font's
    metrics (pdfminer's where chosen, else PDFium's)."""
    a1, b1, c1, d1 = runs.matrix[first].T
    a0, b0, c0, d0 = frame.ctm[:4]
    # _multiply(run's matrix, ctm), without the origin.
    matrix = np.stack(
        [a0 * a1 + c0 * b1, b0 * a1 + d0 * b1, a0 * c1 + c0 * d1, b0 * c1 + d0 * d1], axis=1
    )
    upright = (matrix[:, 0] * matrix[:, 3] > 0) & (matrix[:, 1] * matrix[:, 2] <= 0)
    size = runs.size[first]
    found = [chosen.get(font) for font in runs.font_id[first].tolist()]
    descent = np.array(
        [
            metrics.descent if metrics is not None else runs.descent(r)
            for metrics, r in zip(found, first.tolist(), strict=True)
        ],
        float,
    )
    names = [
        metrics.name if metrics is not None else runs.font(r)
        for metrics, r in zip(found, first.tolist(), strict=True)
    ]
    along = np.stack([a1 * size / 1000, b1 * size / 1000], axis=1)
    return _Placements(found, names, upright, matrix, descent * size / 1000, size, along)


def _drift(
    run: np.ndarray,
    runs: _Runs,
    x: np.ndarray,
    y: np.ndarray,
    advance: np.ndarray,
    moved: np.ndarray,
    along: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """How far each glyph's origin moves (user space): the sum of (font's width - PDFium's
    cut width) over the glyphs before it since the text was last placed anew, which is at
    each new text object unless the object goes on from where PDFium's widths ended the
    previous one rather than where the font's widths did. A PDF starts a new object without
    moving for a reason: a change of font or of marked content (a browser marks each
    ligature with its letters)."""
    count = len(run)
    if not count:
        return np.zeros(0), np.zeros(0)
    shift = (advance - moved)[:, None] * along
    before = np.zeros((count, 2))
    np.cumsum(shift[:-1], axis=0, out=before[1:])
    new = np.flatnonzero(run[1:] != run[:-1]) + 1
    anew = np.zeros(count, bool)
    anew[0] = True
    anew[new] = True
    now, then = run[new], run[new - 1]
    split = (
        (runs.font_id[now] != runs.font_id[then])
        | (runs.size[now] != runs.size[then])
        | (runs.marks[now] != runs.marks[then])
    )
    reason = new[split | runs.actual[now] | runs.actual[then]]
    # Where the next glyph goes if the text goes on, by PDFium's widths and by the font's
    # (which depends on the drift so far: the objects that may go on are taken in order).
    ends = np.stack([x, y], axis=1) + moved[:, None] * along
    maybe = [
        k
        for k in reason.tolist()
        if math.dist((x[k], y[k]), (ends[k - 1, 0], ends[k - 1, 1])) < 1e-4
    ]
    anew[maybe] = False
    index = np.arange(count)
    starts = np.maximum.accumulate(np.where(anew, index, 0))
    last = 0
    for k in maybe:
        start = max(int(starts[k - 1]), last)
        drift = before[k - 1] - before[start]
        end = (
            x[k - 1] + drift[0] + advance[k - 1] * along[k - 1, 0],
            y[k - 1] + drift[1] + advance[k - 1] * along[k - 1, 1],
        )
        if not math.dist((x[k], y[k]), end) > 1e-4:
            anew[k] = True
            last = k
    if maybe:
        starts = np.maximum.accumulate(np.where(anew, index, 0))
    drift = before - before[starts]
    return drift[:, 0], drift[:, 1]


def _boxes(
    texts: list[str],
    x: np.ndarray,
    y: np.ndarray,
    advance: np.ndarray,
    where: np.ndarray,
    placements: _Placements,
    frame: Frame,
) -> _Glyphs:
    """pdfminer's LTChar of each glyph with this origin (user space) and advance width
    (thousandths of an em): from the font's descent to one em above it, through the text
    matrix, in pdfplumber's page coordinates."""
    a, b, c, d = placements.matrix[where].T
    low, size = placements.descent[where], placements.size[where]
    ctm = frame.ctm
    e = ctm[0] * x + ctm[2] * y + ctm[4]
    f = ctm[1] * x + ctm[3] * y + ctm[5]
    width = advance * size / 1000
    high = low + size
    xs = (e + c * low, e + a * width + c * low, e + a * width + c * high, e + c * high)
    ys = (f + d * low, f + b * width + d * low, f + b * width + d * high, f + d * high)
    x0, x1 = np.minimum.reduce(xs), np.maximum.reduce(xs)
    y0, y1 = np.minimum.reduce(ys), np.maximum.reduce(ys)
    height, top = frame.height, frame.top_shift
    return _Glyphs(
        texts,
        x0 + frame.x_shift,
        x1 + frame.x_shift,
        (height - y1) + top,
        (height - y0) + top,
        y1 - y0,
        where,
        placements.font,
        placements.upright[where],
    )


def _level(glyphs: _Glyphs) -> _Glyphs:
    """Glyphs on one baseline given one top (and one bottom) again. PDFium computes in
    single precision, so glyphs that pdfminer places on exactly the same line land a few
    hundred-thousandths of a point apart, which would reorder words sorted by top."""
    up = glyphs.upright
    if not up.any():
        return glyphs
    return glyphs._replace(
        top=np.where(up, _levels(glyphs.top, up), glyphs.top),
        bottom=np.where(up, _levels(glyphs.bottom, up), glyphs.bottom),
    )


def _levels(values: np.ndarray, counted: np.ndarray) -> np.ndarray:
    """Each counted value to the lowest of the counted values that chain to it within the
    noise (the others to any)."""
    found = np.unique(values[counted])
    chained = np.ones(len(found), bool)
    chained[1:] = np.diff(found) > _NOISE
    lowest = found[np.maximum.accumulate(np.where(chained, np.arange(len(found)), 0))]
    return lowest[np.minimum(np.searchsorted(found, values), len(found) - 1)]


def _choose_fonts(
    runs: _Runs,
    run: np.ndarray,
    texts: Sequence[str],
    widths: np.ndarray,
    at: np.ndarray,
    fonts: Mapping[str, Sequence[FontMetrics]],
    loose: _Loose,
) -> dict[int, FontMetrics]:
    """For each of PDFium's fonts, pdfminer's font of its name whose widths fit PDFium's
    (whole thousandths) best: a document may hold several fonts of one name."""
    font_of = runs.font_id[run]
    chosen = {}
    for font_id, first in zip(*np.unique(font_of, return_index=True), strict=True):
        candidates = fonts.get(font_key(runs.font(int(run[first]))), ())
        if len(candidates) > 1:
            drawn = np.flatnonzero(font_of == font_id)
            shown = [
                (texts[k], _none(measure), _none(width))
                for k, measure, width in zip(
                    drawn.tolist(),
                    loose.values(at[drawn]).tolist(),
                    widths[drawn].tolist(),
                    strict=True,
                )
            ]
            chosen[int(font_id)] = max(candidates, key=functools.partial(_fit, drawn=shown))
        elif candidates:
            chosen[int(font_id)] = candidates[0]
    return chosen


def _fit(metrics: FontMetrics, drawn: Sequence[tuple[str, float | None, float | None]]) -> int:
    return sum(
        _exact_width(text, measure, width, metrics) is not None for text, measure, width in drawn
    )


def _exact_width(
    text: str, loose: float | None, width: float | None, metrics: FontMetrics | None
) -> float | None:
    """The font's width of the glyph drawn: of the widths of the glyphs that show the
    character, the one PDFium's own measure (whole thousandths) agrees with."""
    if metrics is None:
        return None
    options = metrics.widths.get(text) or metrics.widths.get(_LIGATURE_OF.get(text, ""), ())
    if len(options) == 1:
        return options[0]
    for measure in (loose, width):
        if measure is not None:
            fitting = [w for w in options if abs(math.trunc(w) - measure) < 0.5]
            if fitting:
                return fitting[0]
    # The loose box also covers ink beyond the advance (an 'f'): the widest that fits in it.
    inside = [w for w in options if loose is not None and w <= loose + 0.5]
    return inside[-1] if inside else None


def _real(chars: _Chars) -> np.ndarray:
    """Without PDFium's own spaces, except those that stand for a space of the PDF: a
    space it adds before one of the PDF's makes two, and it drops the second. The places
    of the characters kept."""
    x, y = chars.x, chars.y
    moves = np.ones(len(x), bool)
    moves[:-1] = (x[1:] != x[:-1]) | (y[1:] != y[:-1])
    return np.flatnonzero(~chars.generated | moves)


def _joined(
    chars: _Chars, at: np.ndarray, loose: _Loose
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """PDFium writes a glyph that stands for several letters (a ligature, or a glyph its
    font maps to several characters) as those letters, each with the glyph's origin and
    box; pdfminer has one glyph with all of them. The places of the glyphs, their texts
    and PDFium's widths (none for a joined glyph)."""
    texts = _pick(chars.text, at)
    widths = chars.width[at]
    if len(at) < 2:
        return at, texts, widths
    orders = chars.runs.order[chars.run[at]]
    x, y = chars.x[at], chars.y[at]
    same = (orders[1:] == orders[:-1]) & (x[1:] == x[:-1]) & (y[1:] == y[:-1])
    if not same.any():
        return at, texts, widths
    # Letters of one glyph have one loose box too.
    pairs = np.flatnonzero(same)
    a, b = loose.values(at[pairs]), loose.values(at[pairs + 1])
    same[pairs] = (a == b) | (np.isnan(a) & np.isnan(b))
    if not same.any():
        return at, texts, widths
    first = np.ones(len(at), bool)
    first[1:] = ~same
    starts = np.flatnonzero(first)
    sizes = np.diff([*starts.tolist(), len(at)])
    ends = (starts + sizes).tolist()
    joined = [
        "".join(texts[start:end]) if end - start > 1 else texts[start]
        for start, end in zip(starts.tolist(), ends, strict=True)
    ]
    widths = widths[starts].copy()
    widths[sizes > 1] = np.nan
    return at[starts], joined, widths


def _pdfium_advance(loose: float | None, width: float | None) -> float:
    """PDFium's width of the glyph, in thousandths of an em. It finds it from the character,
    which may lead to another glyph; the loose box bounds it."""
    if width is not None and (loose is None or width <= loose + 0.01):
        return width
    return loose or 0.0


# --- words (pdfplumber's extract_words) ---------------------------------------------------


def glyphs_to_words(glyphs: Sequence[Glyph] | _Glyphs, layout: PdfLayout) -> list[Word]:
    """Upright words as pdf_plumber reads them: pdfplumber's extract_words with
    x_tolerance_ratio=word_gap (other options at their defaults), then its filter.

    In content order, each run of upright glyphs is cut into lines (tops that chain within
    the line tolerance), each line sorted by x0 (ties in content order); a blank ends a
    word, and so does a glyph that starts left of the previous one, or further right of its
    end than word_gap x its size, or whose top is more than the line tolerance away."""
    if not isinstance(glyphs, _Glyphs):
        glyphs = _Glyphs.of(glyphs)
    upright = glyphs.upright
    if not upright.any():
        return []
    up = np.flatnonzero(upright)
    # The runs of upright glyphs, then each run's lines: pdfplumber's cluster_objects.
    segment = np.cumsum(np.diff(up, prepend=-2) > 1)
    tops = glyphs.top[up]
    by_top = np.lexsort((tops, segment))
    sorted_tops, sorted_segments = tops[by_top], segment[by_top]
    breaks = np.ones(len(up), bool)
    breaks[1:] = (sorted_segments[1:] != sorted_segments[:-1]) | (
        sorted_tops[1:] > sorted_tops[:-1] + _LINE_TOLERANCE
    )
    # Equal tops share a line whatever their place in the sorted order.
    same_top = np.zeros(len(up), bool)
    same_top[1:] = (sorted_tops[1:] == sorted_tops[:-1]) & ~(
        sorted_segments[1:] != sorted_segments[:-1]
    )
    breaks &= ~same_top
    line = np.empty(len(up), np.int64)
    line[by_top] = np.cumsum(breaks)
    x0 = glyphs.x0[up]
    order = np.lexsort((up, x0, line))
    ordered, line = up[order], line[order]
    texts = _pick(glyphs.text, ordered)
    count = len(texts)
    blank = np.fromiter(map(str.isspace, texts), bool, count)
    blank |= np.fromiter(map(len, texts), np.int64, count) == 0
    x0, x1 = glyphs.x0[ordered], glyphs.x1[ordered]
    top, size = glyphs.top[ordered], glyphs.size[ordered]
    starts = np.ones(len(ordered), bool)
    starts[1:] = (
        (line[1:] != line[:-1])
        | blank[:-1]
        | (x0[1:] < x0[:-1])
        | (x0[1:] > x1[:-1] + layout.word_gap * size[:-1])
        | (np.abs(top[1:] - top[:-1]) > _LINE_TOLERANCE)
    )
    keep = np.flatnonzero(~blank)
    if not keep.size:
        return []
    first = np.flatnonzero(starts[keep])
    bold = np.array([_bold(font) for font in glyphs.fonts], bool)[glyphs.font_of[ordered[keep]]]
    kept = _pick(texts, keep)
    shown = cast(list[str], list(map(_LIGATURES.get, kept, kept)))
    columns = [
        np.minimum.reduceat(x0[keep], first).tolist(),
        np.maximum.reduceat(x1[keep], first).tolist(),
        np.minimum.reduceat(top[keep], first).tolist(),
        np.maximum.reduceat(glyphs.bottom[ordered][keep], first).tolist(),
        np.maximum.reduceat(size[keep], first).tolist(),
        np.logical_and.reduceat(bold, first).tolist(),
    ]
    starts_at = first.tolist()
    pieces = map(slice, starts_at, [*starts_at[1:], len(keep)])
    joined = list(map("".join, map(shown.__getitem__, pieces)))
    if all(map(str.strip, joined)):
        return list(map(Word, joined, *columns))
    return [Word(*each) for each in zip(joined, *columns, strict=True) if each[0].strip()]


@functools.cache
def _bold(font: str) -> bool:
    return bool(_BOLD.search(font))


# --- paths (pdfminer's lines, rects and curves) -------------------------------------------


@dataclass(frozen=True)
class _PathView:
    """What pdf_plumber's `_graphics` reads of a pdfplumber page: its size and pdfminer's
    painted paths as pdfplumber's objects (x0, top, x1, bottom, fill, stroke)."""

    width: float
    height: float
    lines: list[dict[str, Any]]
    rects: list[dict[str, Any]]
    curves: list[dict[str, Any]]


def _path_view(objects: _Objects, frame: Frame) -> _PathView:
    found: dict[str, list[dict[str, Any]]] = {"line": [], "rect": [], "curve": []}
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    for index in objects.of_kind(pdfium_c.FPDF_PAGEOBJ_PATH):
        handle = objects.handles[index]
        _draw_mode(handle, fill, stroke)
        if not fill.value and not stroke.value:
            continue  # pdfminer paints no path ended by 'n'
        ops = _path_ops(handle, _multiply(objects.matrix(index), frame.ctm))
        for kind, (x0, y0, x1, y1) in subpaths_to_shapes(ops):
            left, top, right, bottom = frame.to_page(x0, y0, x1, y1)
            found[kind].append(
                {
                    "x0": left,
                    "top": top,
                    "x1": right,
                    "bottom": bottom,
                    "fill": bool(fill.value),
                    "stroke": bool(stroke.value),
                }
            )
    return _PathView(frame.width, frame.height, found["line"], found["rect"], found["curve"])


def _path_ops(handle: int, m: Matrix) -> list[tuple[str, Point]]:
    """A path's operators with the point each ends at (in pdfminer's space), as pdfminer
    keeps them: 'm', 'l', 'c' (a Bézier: three of PDFium's points) and 'h' (a close)."""
    ops: list[tuple[str, Point]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    beziers = 0
    for i in range(_count_segments(handle)):
        segment = _segment(handle, i)
        _segment_point(segment, x, y)
        point = (m[0] * x.value + m[2] * y.value + m[4], m[1] * x.value + m[3] * y.value + m[5])
        kind = _segment_type(segment)
        if kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            beziers += 1
            if beziers % 3 == 0:
                ops.append(("c", point))
        else:
            beziers = 0
            ops.append(("m" if kind == pdfium_c.FPDF_SEGMENT_MOVETO else "l", point))
        if _segment_close(segment):
            ops.append(("h", point))
    return ops


def subpaths_to_shapes(ops: Sequence[tuple[str, Point]]) -> Iterator[tuple[str, tuple[float, ...]]]:
    """pdfminer's paint_path: each subpath as a line, a rect or a curve, with its box
    (x0, y0, x1, y1) around the points its operators end at."""
    shape = "".join(op for op, _ in ops)
    if shape[:1] != "m":
        return
    for found in re.finditer(r"m[^m]+", shape):
        sub = ops[found.start() : found.end()]
        kinds = found.group()
        pts = [point if op != "h" else sub[0][1] for op, point in sub]  # 'h' returns to start
        if len(kinds) > 3 and kinds[-2:] == "lh" and pts[-2] == pts[0]:
            kinds = kinds[:-2] + "h"
            pts.pop()
        if kinds in {"mlh", "ml"}:
            yield "line", _bound(pts[:2])
        elif kinds in {"mlllh", "mllll"}:
            (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
            square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
                y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0
            )
            if pts[0] == pts[4] and square:
                yield "rect", _bound([pts[0], pts[2]])
            else:
                yield "curve", _bound(pts)
        else:
            yield "curve", _bound(pts)


def _bound(pts: Sequence[Point]) -> tuple[float, ...]:
    xs = [x for x, _ in pts]
    ys = [y for _, y in pts]
    return (min(xs), min(ys), max(xs), max(ys))
