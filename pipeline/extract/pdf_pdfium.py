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
"""

from __future__ import annotations

import ctypes
import functools
import io
import itertools
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

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


_H, _I, _U, _F, _D = ctypes.c_void_p, ctypes.c_int, ctypes.c_uint, ctypes.c_float, ctypes.c_double
_PF, _PD, _PI = ctypes.POINTER(_F), ctypes.POINTER(_D), ctypes.POINTER(_I)
_PRECT, _PMATRIX = ctypes.POINTER(pdfium_c.FS_RECTF), ctypes.POINTER(pdfium_c.FS_MATRIX)
_count_objects = _bind("FPDFPage_CountObjects", _I, _H)
_get_object = _bind("FPDFPage_GetObject", _H, _H, _I)
_object_type = _bind("FPDFPageObj_GetType", _I, _H)
_object_matrix_into = _bind("FPDFPageObj_GetMatrix", _I, _H, _PMATRIX)
_object_bounds = _bind("FPDFPageObj_GetBounds", _I, _H, _PF, _PF, _PF, _PF)
_form_count = _bind("FPDFFormObj_CountObjects", _I, _H)
_form_object = _bind("FPDFFormObj_GetObject", _H, _H, ctypes.c_ulong)
_count_marks = _bind("FPDFPageObj_CountMarks", _I, _H)
_get_mark = _bind("FPDFPageObj_GetMark", _H, _H, ctypes.c_ulong)
_remove_param = _bind("FPDFPageObjMark_RemoveParam", _I, _H, _H, ctypes.c_char_p)
_count_chars = _bind("FPDFText_CountChars", _I, _H)
_unicode = _bind("FPDFText_GetUnicode", _U, _H, _I)
_is_generated = _bind("FPDFText_IsGenerated", _I, _H, _I)
_is_hyphen = _bind("FPDFText_IsHyphen", _I, _H, _I)
_map_error = _bind("FPDFText_HasUnicodeMapError", _I, _H, _I)
_text_object = _bind("FPDFText_GetTextObject", _H, _H, _I)
_char_origin = _bind("FPDFText_GetCharOrigin", _I, _H, _I, _PD, _PD)
_loose_box = _bind("FPDFText_GetLooseCharBox", _I, _H, _I, _PRECT)
_char_matrix = _bind("FPDFText_GetMatrix", _I, _H, _I, _PMATRIX)
_char_font_size = _bind("FPDFText_GetFontSize", _D, _H, _I)
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
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                data_page = page_to_data(page, index + 1, layout, pdfminer)
            finally:
                page.close()
            if ocr is not None and not data_page.words:
                data_page = ocr(data_page)  # a scanned page (pipeline/extract/pdf_ocr.py)
            pages.append(data_page)
            if enough is not None and enough(pages):
                break
    except MemoryError:
        raise
    except ReadError:  # a scanned page OCR could not read (pdf_ocr)
        raise
    except Exception as error:  # the parser's own failure on a malformed file
        raise ReadError(
            Code.PDF_PARSER_FAILED,
            f"the PDF parser failed on this file ({type(error).__name__}: {error})",
            Location(file),
            "the PDF is probably damaged: export or download it again",
        ) from error
    finally:
        document.close()
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
        return _read_page(page, number, pdfminer)[0]
    finally:
        page.close()
        document.close()


def _read_page(
    page: Any, number: int, pdfminer: PdfminerPages
) -> tuple[list[Glyph], list[_Object], Frame]:
    """A page's glyphs, its objects (in content order) and its frame."""
    box = pdfminer.page(number)
    mediabox, rotation = box if box is not None else (_mediabox(page), page.get_rotation())
    frame = page_frame(mediabox, rotation)
    objects = list(_page_objects(page))
    marks = _drop_actual_text(objects)
    textpage = page.get_textpage()
    try:
        chars = _chars(textpage, objects, marks)
    finally:
        textpage.close()
    return chars_to_glyphs(chars, frame, pdfminer.fonts), objects, frame


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


class _Object(NamedTuple):
    """A page object in content order (form XObjects opened in place): its handle (an
    address), its kind, and the matrix from its own space to the page's user space."""

    handle: int
    kind: int
    matrix: Matrix


def _page_objects(page: Any) -> Iterator[_Object]:
    handle = _handle(page.raw)
    handles = (_get_object(handle, i) for i in range(_count_objects(handle)))
    yield from _objects_in(handles, IDENTITY, 0)


def _objects_in(handles: Iterable[int], outer: Matrix, depth: int) -> Iterator[_Object]:
    m = pdfium_c.FS_MATRIX()
    for handle in handles:
        kind = _object_type(handle)
        own = (m.a, m.b, m.c, m.d, m.e, m.f) if _object_matrix_into(handle, m) else IDENTITY
        matrix = _multiply(own, outer)
        if kind != pdfium_c.FPDF_PAGEOBJ_FORM:
            yield _Object(handle, kind, matrix)
        elif depth < _MAX_FORM_DEPTH:
            inner = (_form_object(handle, i) for i in range(_form_count(handle)))
            yield from _objects_in(list(inner), matrix, depth + 1)


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


def _drop_actual_text(objects: Sequence[_Object]) -> dict[int, tuple[int, bool]]:
    """Let the text page read the glyphs themselves, as pdfminer does: a marked-content
    ActualText (browsers put one on each ligature) would replace them by its text, each
    letter given an even share of the glyphs' box. Returns each text object's marked
    content: how many marks it is in, and whether one had an ActualText."""
    marks = {}
    for o in objects:
        if o.kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            count = _count_marks(o.handle)
            actual = False
            for i in range(count):
                actual |= bool(_remove_param(o.handle, _get_mark(o.handle, i), b"ActualText"))
            marks[o.handle] = (count, actual)
    return marks


# --- characters of PDFium's text page -----------------------------------------------------


class _Run(NamedTuple):
    """What the characters of one text object share."""

    order: int  # the object's place in content order
    matrix: Matrix  # text space to user space, without the origin (PDFium's, with Tz)
    size: float  # the font size (Tf)
    font: str  # PDFium's name of the font
    font_id: int
    descent: float  # PDFium's descent, in thousandths of an em
    marks: tuple[int, bool]  # marked content: marks, and an ActualText among them


class _Char(NamedTuple):
    """One character of PDFium's text page; widths in thousandths of an em."""

    order: int  # content order: the text object's (times 2**24), then the character's
    text: str
    x: float  # origin, user space
    y: float
    loose: float | None  # the loose box's width: the advance, or more where ink overhangs
    width: float | None  # PDFium's width of the glyph the character maps back to
    run: _Run
    generated: bool = False  # a space PDFium added inside the object


def _chars(
    textpage: Any, objects: Sequence[_Object], marks: Mapping[int, tuple[int, bool]]
) -> list[_Char]:
    """The text page's characters in content order, and a space for each text object it
    leaves out for drawing nothing (I/O: reads the text page)."""
    page = _handle(textpage.raw)
    text_objects = {o.handle: (i, o) for i, o in enumerate(objects) if o.kind == _TEXT}
    fonts: dict[int, tuple[str, float]] = {}
    runs: dict[int, _Run] = {}
    glyphs: dict[tuple[int, int], tuple[str, float | None]] = {}
    chars: list[_Char] = []
    rect, matrix = pdfium_c.FS_RECTF(), pdfium_c.FS_MATRIX()
    x, y = ctypes.c_double(), ctypes.c_double()
    # Bound once: this loop runs for every character of every page.
    unicode, text_object, origin, loose_box = _unicode, _text_object, _char_origin, _loose_box
    append, new = chars.append, _Char
    for i in range(_count_chars(page)):
        code = unicode(page, i)
        generated = code in _BREAKS and bool(_is_generated(page, i))
        handle = text_object(page, i)
        if not handle or (generated and code != 0x20):
            continue  # a line break, or a space between objects: PDFium's own
        run = runs.get(handle)
        if run is None:
            _char_matrix(page, i, matrix)
            m = (matrix.a, matrix.b, matrix.c, matrix.d, 0.0, 0.0)
            order = text_objects[handle][0] if handle in text_objects else len(objects)
            run = runs[handle] = _run(handle, order, m, _char_font_size(page, i), fonts, marks)
        origin(page, i, x, y)
        key = (run.order << 24) + i + 1
        if generated:
            append(new(key, " ", x.value, y.value, None, None, run, True))
            continue
        loose_box(page, i, rect)
        scale = run.matrix[0] * run.size / 1000
        loose = (rect.right - rect.left) / scale if abs(scale) > 1e-9 else None
        known = glyphs.get((run.font_id, code))
        if known is None:
            known = glyphs[(run.font_id, code)] = _glyph_info(page, i, code, run.font_id)
        text = "-" if code == _HYPHEN_MARK and _is_hyphen(page, i) else known[0]
        append(new(key, text, x.value, y.value, loose, known[1], run))
    for handle, (order, o) in text_objects.items():
        if handle not in runs and _empty(handle):
            run = _run(handle, order, (*o.matrix[:4], 0.0, 0.0), None, fonts, marks)
            width = _glyph_width(run.font_id, 0x20)
            chars.append(_Char(order << 24, " ", o.matrix[4], o.matrix[5], None, width, run))
    chars.sort(key=lambda char: char.order)
    return chars


def _run(
    handle: int,
    order: int,
    matrix: Matrix,
    size: float | None,
    fonts: dict[int, tuple[str, float]],
    marks: Mapping[int, tuple[int, bool]],
) -> _Run:
    if size is None:
        value = ctypes.c_float()
        _text_font_size(handle, value)
        size = value.value
    font = _text_font(handle) or 0
    if font not in fonts:
        fonts[font] = _pdfium_font(font)
    name, descent = fonts[font]
    return _Run(order, matrix, size, name, font, descent, marks.get(handle, (0, False)))


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


def chars_to_glyphs(
    chars: Sequence[_Char], frame: Frame, fonts: Mapping[str, Sequence[FontMetrics]]
) -> list[Glyph]:
    """The text page's characters as pdfminer's glyphs, in content order: PDFium's own
    spaces and split glyphs undone, widths and descents from the font's own numbers, and
    each origin moved by what PDFium's widths, cut to whole thousandths of an em, shifted
    it along the text (within a text object, and into the next one where it goes on)."""
    chars = list(_joined(_real(chars)))
    chosen = _choose_fonts(chars, fonts)
    placed: dict[int, _Placement] = {}
    glyphs: list[Glyph] = []
    dx = dy = 0.0  # the drift, user space
    # Where the next glyph goes if the text goes on: by PDFium's widths, and by the font's.
    ends: tuple[Point, Point] | None = None
    previous: _Run | None = None
    placement: _Placement | None = None
    widths: Mapping[str, tuple[float, ...]] = {}
    trunc = math.trunc
    for char in chars:
        run = char.run
        if run is not previous or placement is None:
            if not _goes_on(char, previous, ends):
                dx = dy = 0.0
            previous = run
            placement = placed.get(run.order)
            if placement is None:
                placement = placed[run.order] = _placement(run, chosen.get(run.font_id), frame)
            widths = placement.metrics.widths if placement.metrics is not None else {}
        options = widths.get(char.text)
        if options is not None and len(options) == 1:
            exact: float | None = options[0]
        else:
            exact = _exact_width(char, placement.metrics)
        # PDFium moved on by the width cut to whole thousandths, pdfminer by the font's.
        advance = exact if exact is not None else _pdfium_advance(char)
        moved: float = trunc(exact) if exact is not None else advance
        x, y = char.x + dx, char.y + dy
        glyphs.append(placement.glyph(char.text, x, y, advance))
        ax, ay = placement.along
        ends = ((char.x + moved * ax, char.y + moved * ay), (x + advance * ax, y + advance * ay))
        dx += (advance - moved) * ax
        dy += (advance - moved) * ay
    return _level(glyphs)


def _level(glyphs: list[Glyph]) -> list[Glyph]:
    """Glyphs on one baseline given one top (and one bottom) again. PDFium computes in
    single precision, so glyphs that pdfminer places on exactly the same line land a few
    hundred-thousandths of a point apart, which would reorder words sorted by top."""
    tops = _levels(g.top for g in glyphs if g.upright)
    bottoms = _levels(g.bottom for g in glyphs if g.upright)
    moved = {value for value, level in (*tops.items(), *bottoms.items()) if value != level}
    return [
        g._replace(top=tops[g.top], bottom=bottoms[g.bottom])
        if g.upright and (g.top in moved or g.bottom in moved)
        else g
        for g in glyphs
    ]


def _levels(values: Iterable[float]) -> dict[float, float]:
    """Each value to the lowest of the values that chain to it within the noise."""
    level: dict[float, float] = {}
    first = last = -math.inf
    for value in sorted(set(values)):
        if value - last > _NOISE:
            first = value
        level[value] = first
        last = value
    return level


class _Placement(NamedTuple):
    """How the glyphs of one text object land on the page, as pdfminer places them."""

    frame: Frame
    metrics: FontMetrics | None
    font: str
    upright: bool
    matrix: Matrix  # text space (one em = the font size) to pdfminer's space, no origin
    descent: float  # points below the baseline, in text space
    size: float
    along: Point  # one thousandth of an em along the baseline, user space

    def glyph(self, text: str, x: float, y: float, advance: float) -> Glyph:
        """pdfminer's LTChar of a glyph with this origin (user space) and advance width
        (thousandths of an em): from the font's descent to one em above it."""
        frame = self.frame
        ctm, (a, b, c, d, _, _) = frame.ctm, self.matrix
        e = ctm[0] * x + ctm[2] * y + ctm[4]
        f = ctm[1] * x + ctm[3] * y + ctm[5]
        width = advance * self.size / 1000
        low, high = self.descent, self.descent + self.size
        if b == 0 and c == 0:
            x0, x1, y0, y1 = e, e + a * width, f + d * low, f + d * high
            if x1 < x0:
                x0, x1 = x1, x0
            if y1 < y0:
                y0, y1 = y1, y0
        else:
            xs = (e + c * low, e + a * width + c * low, e + a * width + c * high, e + c * high)
            ys = (f + d * low, f + b * width + d * low, f + b * width + d * high, f + d * high)
            x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        height, top = frame.height, frame.top_shift
        return Glyph(
            text,
            x0 + frame.x_shift,
            x1 + frame.x_shift,
            (height - y1) + top,
            (height - y0) + top,
            y1 - y0,
            self.font,
            self.upright,
        )


def _placement(run: _Run, metrics: FontMetrics | None, frame: Frame) -> _Placement:
    m = _multiply(run.matrix, frame.ctm)
    upright = m[0] * m[3] > 0 and m[1] * m[2] <= 0
    descent = (metrics.descent if metrics is not None else run.descent) * run.size / 1000
    name = metrics.name if metrics is not None else run.font
    along = (run.matrix[0] * run.size / 1000, run.matrix[1] * run.size / 1000)
    return _Placement(frame, metrics, name, upright, m, descent, run.size, along)


def _goes_on(char: _Char, previous: _Run | None, ends: tuple[Point, Point] | None) -> bool:
    """Whether a text object goes on from where PDFium's widths ended the previous one,
    rather than where the font's widths did (text placed anew). A PDF starts a new object
    without moving for a reason: a change of font or of marked content (a browser marks
    each ligature with its letters)."""
    if ends is None or previous is None:
        return False
    run = char.run
    split = (run.font_id, run.size, run.marks[0]) != (
        previous.font_id,
        previous.size,
        previous.marks[0],
    )
    by_pdfium, by_font = (math.dist((char.x, char.y), end) for end in ends)
    return (split or run.marks[1] or previous.marks[1]) and by_pdfium < 1e-4 < by_font


def _choose_fonts(
    chars: Sequence[_Char], fonts: Mapping[str, Sequence[FontMetrics]]
) -> dict[int, FontMetrics]:
    """For each of PDFium's fonts, pdfminer's font of its name whose widths fit PDFium's
    (whole thousandths) best: a document may hold several fonts of one name."""
    by_font: dict[int, list[_Char]] = {}
    for char in chars:
        by_font.setdefault(char.run.font_id, []).append(char)
    chosen = {}
    for font_id, drawn in by_font.items():
        candidates = fonts.get(font_key(drawn[0].run.font), ())
        if len(candidates) > 1:
            chosen[font_id] = max(candidates, key=lambda metrics: _fit(metrics, drawn))
        elif candidates:
            chosen[font_id] = candidates[0]
    return chosen


def _fit(metrics: FontMetrics, chars: Sequence[_Char]) -> int:
    return sum(_exact_width(char, metrics) is not None for char in chars)


def _exact_width(char: _Char, metrics: FontMetrics | None) -> float | None:
    """The font's width of the glyph drawn: of the widths of the glyphs that show the
    character, the one PDFium's own measure (whole thousandths) agrees with."""
    if metrics is None:
        return None
    options = metrics.widths.get(char.text) or metrics.widths.get(
        _LIGATURE_OF.get(char.text, ""), ()
    )
    if len(options) == 1:
        return options[0]
    for measure in (char.loose, char.width):
        if measure is not None:
            fitting = [w for w in options if abs(math.trunc(w) - measure) < 0.5]
            if fitting:
                return fitting[0]
    # The loose box also covers ink beyond the advance (an 'f'): the widest that fits in it.
    inside = [w for w in options if char.loose is not None and w <= char.loose + 0.5]
    return inside[-1] if inside else None


def _real(chars: Sequence[_Char]) -> Iterator[_Char]:
    """Without PDFium's own spaces, except those that stand for a space of the PDF: a
    space it adds before one of the PDF's makes two, and it drops the second."""
    for char, following in itertools.zip_longest(chars, chars[1:]):
        if not char.generated:
            yield char
        elif following is None or (following.x, following.y) != (char.x, char.y):
            yield char._replace(generated=False)


def _joined(chars: Iterable[_Char]) -> Iterator[_Char]:
    """PDFium writes a glyph that stands for several letters (a ligature, or a glyph its
    font maps to several characters) as those letters, each with the glyph's origin and
    box; pdfminer has one glyph with all of them."""
    for _, group in itertools.groupby(chars, key=lambda c: (c.run.order, c.x, c.y, c.loose)):
        pieces = list(group)
        if len(pieces) == 1 or any(piece.generated for piece in pieces):
            yield from pieces
        else:
            text = "".join(piece.text for piece in pieces)
            yield pieces[0]._replace(text=text, width=None)


def _pdfium_advance(char: _Char) -> float:
    """PDFium's width of the glyph, in thousandths of an em. It finds it from the character,
    which may lead to another glyph; the loose box bounds it."""
    if char.width is not None and (char.loose is None or char.width <= char.loose + 0.01):
        return char.width
    return char.loose or 0.0


# --- words (pdfplumber's extract_words) ---------------------------------------------------


def glyphs_to_words(glyphs: Sequence[Glyph], layout: PdfLayout) -> list[Word]:
    """Upright words as pdf_plumber reads them: pdfplumber's extract_words with
    x_tolerance_ratio=word_gap (other options at their defaults), then its filter."""
    words: list[Word] = []
    for upright, run in itertools.groupby(glyphs, key=lambda g: g.upright):
        if not upright:
            continue
        for line in _lines(list(run)):
            for chars in _line_words(line, layout.word_gap):
                word = _word(chars)
                if word.text.strip():
                    words.append(word)
    return words


def _lines(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """pdfplumber's cluster_objects on `top`: tops that chain within the tolerance are one
    line; lines in order of their tops, each sorted by x0 (ties in content order)."""
    cluster: dict[float, int] = {}
    last: float | None = None
    for top in sorted({g.top for g in glyphs}):
        if last is None:
            cluster[top] = 0
        else:
            cluster[top] = cluster[last] + (top > last + _LINE_TOLERANCE)
        last = top
    ordered = sorted(glyphs, key=lambda g: cluster[g.top])
    return [
        sorted(line, key=lambda g: g.x0)
        for _, line in itertools.groupby(ordered, key=lambda g: cluster[g.top])
    ]


def _line_words(line: Sequence[Glyph], gap: float) -> Iterator[list[Glyph]]:
    """pdfplumber's iter_chars_to_words: a blank ends a word; so does a glyph that starts
    left of the previous one, or further right of its end than `gap` x its size, or whose
    top is more than the line tolerance away. A glyph with no text is a word of its own."""
    word: list[Glyph] = []
    for glyph in line:
        if glyph.text.isspace() or not glyph.text:
            if word:
                yield word
            if not glyph.text:
                yield [glyph]
            word = []
        elif word and _starts_word(word[-1], glyph, gap):
            yield word
            word = [glyph]
        else:
            word.append(glyph)
    if word:
        yield word


def _starts_word(previous: Glyph, glyph: Glyph, gap: float) -> bool:
    return (
        glyph.x0 < previous.x0
        or glyph.x0 > previous.x1 + gap * previous.size
        or abs(glyph.top - previous.top) > _LINE_TOLERANCE
    )


def _word(glyphs: Sequence[Glyph]) -> Word:
    first = glyphs[0]
    x0, x1, top, bottom, size = first.x0, first.x1, first.top, first.bottom, first.size
    for g in glyphs[1:]:
        x0, x1 = min(x0, g.x0), max(x1, g.x1)
        top, bottom, size = min(top, g.top), max(bottom, g.bottom), max(size, g.size)
    return Word(
        text="".join([_LIGATURES.get(g.text, g.text) for g in glyphs]),
        x0=x0,
        x1=x1,
        top=top,
        bottom=bottom,
        size=size,
        bold=all(_bold(g.font) for g in glyphs),
    )


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


def _path_view(objects: Sequence[_Object], frame: Frame) -> _PathView:
    found: dict[str, list[dict[str, Any]]] = {"line": [], "rect": [], "curve": []}
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    for o in objects:
        if o.kind != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        _draw_mode(o.handle, fill, stroke)
        if not fill.value and not stroke.value:
            continue  # pdfminer paints no path ended by 'n'
        ops = _path_ops(o.handle, _multiply(o.matrix, frame.ctm))
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
