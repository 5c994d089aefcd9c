"""The PDFium calls pdf_pdfium makes per character of a text page, at close to C speed
(I/O).

PDFium has no bulk call for a character's text object or origin, so pdf_pdfium asks for
them character by character, from `map` so that no Python runs per call. What a call then
costs is ctypes converting its arguments, more than PDFium's own work: these calls convert
none. The text page goes as a ready-made c_void_p, an index as a plain int (ctypes passes
it as a C int), and the pointers PDFium writes an origin through as references made once
into a buffer that each thread keeps and reuses.
"""

from __future__ import annotations

import collections
import ctypes
import itertools
import threading
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pypdfium2.raw as pdfium_c


def _unconverted(name: str, restype: Any) -> Any:
    """A PDFium function whose arguments ctypes passes as they are (see the module)."""
    address = ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value
    assert address, name
    return ctypes.CFUNCTYPE(restype)(address)


_text_object = _unconverted("FPDFText_GetTextObject", ctypes.c_size_t)
_char_origin = _unconverted("FPDFText_GetCharOrigin", ctypes.c_int)
_is_generated = _unconverted("FPDFText_IsGenerated", ctypes.c_int)
_font_size = _unconverted("FPDFText_GetFontSize", ctypes.c_double)


def char_objects(page: int, count: int) -> np.ndarray:
    """The address of the text object of each of the first `count` characters of the
    text page at address `page` (0: none, a character PDFium added between objects)."""
    pages = itertools.repeat(ctypes.c_void_p(page))
    return np.fromiter(map(_text_object, pages, range(count)), np.uint64, count)


def generated(page: int, indexes: Sequence[int]) -> list[bool]:
    """Whether PDFium added each of these characters itself."""
    pages = itertools.repeat(ctypes.c_void_p(page))
    return [bool(flag) for flag in map(_is_generated, pages, indexes)]


def font_sizes(page: int, indexes: Sequence[int]) -> list[float]:
    """The font size of each of these characters, as PDFium reads it (Tf)."""
    pages = itertools.repeat(ctypes.c_void_p(page))
    return list(map(_font_size, pages, indexes))


class _Origins(threading.local):
    """A buffer of (x, y) doubles and a reference to each x and each y in it."""

    def __init__(self) -> None:
        self.capacity = 0
        self.values: Any = None
        self.x: list[Any] = []
        self.y: list[Any] = []

    def at_least(self, count: int) -> _Origins:
        if count > self.capacity:
            capacity = max(count, 2 * self.capacity, 1024)
            values = (ctypes.c_double * (2 * capacity))()
            self.x = list(map(ctypes.byref, itertools.repeat(values), range(0, 16 * capacity, 16)))
            self.y = list(map(ctypes.byref, itertools.repeat(values), range(8, 16 * capacity, 16)))
            self.values, self.capacity = values, capacity
        return self


_ORIGINS = _Origins()


def char_origins(page: int, indexes: Sequence[int]) -> np.ndarray:
    """The origin (x, y) of each of these characters, in user space: an array of shape
    (len(indexes), 2); (0, 0) where PDFium has none."""
    count = len(indexes)
    if not count:
        return np.zeros((0, 2))
    buffer = _ORIGINS.at_least(count)
    ctypes.memset(buffer.values, 0, 16 * count)  # a failed call writes nothing
    pages = itertools.repeat(ctypes.c_void_p(page))
    _exhaust(map(_char_origin, pages, indexes, buffer.x, buffer.y))
    flat = np.frombuffer(buffer.values, np.float64, 2 * count)
    return flat.reshape(count, 2).copy()


def _exhaust(calls: Iterable[object]) -> None:
    collections.deque(calls, maxlen=0)
