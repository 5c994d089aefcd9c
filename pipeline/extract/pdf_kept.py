"""The pages the pdfium reader has just read, kept open for the page pictures of the same
file (I/O: PDFium's pages). A worker reads a batch of PDFs, checks their tables together,
then draws the pages where each one's problems are (pictures.py): loading a page again
costs about a millisecond, near a tenth of reading it, and a picture is mostly of a page
read moments before.

Bounded, whatever the run: the first KEPT_PAGES pages of each of the last KEPT_FILES files
read, known by the very bytes they were read from. take() hands a file's pages over to
the one drawing them, who closes them; the oldest file's are closed when a newer one comes.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, NamedTuple

# A batch of PDFs (workers.MAX_HEAVY_BATCH), each with the pages of a profile (its cover,
# occupations and first competence tables): about 0.5 MB a page.
KEPT_FILES = 16
KEPT_PAGES = 8


class Kept(NamedTuple):
    data: bytes  # the bytes the pages were read from (held: they are the file's identity)
    document: Any  # a pypdfium2 PdfDocument
    pages: dict[int, Any]  # its open pypdfium2 PdfPages, by page number


_kept: OrderedDict[int, Kept] = OrderedDict()


def keep(data: bytes, document: Any, pages: dict[int, Any]) -> None:
    """Keep the document and these pages of it open, for take(data)."""
    release(id(data))
    _kept[id(data)] = Kept(data, document, pages)
    while len(_kept) > KEPT_FILES:
        close(_kept.popitem(last=False)[1])


def take(data: bytes) -> Kept | None:
    """The pages kept of these bytes, now the caller's to close (None: none kept)."""
    return _kept.pop(id(data), None)  # an id is the bytes' own while they are held


def release(key: int) -> None:
    kept = _kept.pop(key, None)
    if kept is not None:
        close(kept)


def close(kept: Kept) -> None:
    for page in kept.pages.values():
        page.close()
    kept.document.close()
