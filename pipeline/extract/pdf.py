"""Profile PDFs to a Document: the reader (pdf_plumber, or pdf_pdfium: the same pages,
faster) gives each page's words and rulings in one pass; the layout code (pdf_layout,
pdf_tables, pdf_lines) finds the profile's structure in them, with no fixed coordinates.
A page without a text layer (a scan) is read by OCR (pdf_ocr) into the same words and
rulings. Tolerances live in PdfLayout.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

from pipeline.extract import pdf_pdfium, pdf_plumber
from pipeline.extract.pdf_layout import Trace, not_a_profile, pages_to_document
from pipeline.extract.pdf_model import PageData, PdfEngine, PdfLayout
from pipeline.extract.pdf_ocr import PageOcr, ocr_document
from pipeline.extract.pdf_plumber import notes_to_issues, reader_notes
from pipeline.model import Document, Source

__all__ = ["READERS", "PdfEngine", "PdfLayout", "Trace", "read_pdf"]


class PageReader(Protocol):
    def __call__(
        self,
        data: bytes,
        file: str,
        layout: PdfLayout,
        enough: Callable[[Sequence[PageData]], bool] | None = None,
        ocr: Callable[[PageData], PageData] | None = None,
    ) -> list[PageData]: ...


# The PDF readers, by engine: each gives the same pages (tests/test_pdfium.py holds them to
# identical tables on the fixture corpus); pdfium reads them several times faster.
READERS: dict[PdfEngine, PageReader] = {
    "pdfplumber": pdf_plumber.read_pages,
    "pdfium": pdf_pdfium.read_pages,
}


def read_pdf(
    data: bytes,
    source: Source,
    layout: PdfLayout | None = None,
    trace: Trace | None = None,
) -> Document:
    """The profile in a PDF, read by layout.reader; what the reader had to work around is
    among its warnings."""
    layout = layout or PdfLayout()
    read_pages = READERS[layout.reader]
    with reader_notes() as notes, PageOcr(data, source.path, layout) as ocr:
        pages = read_pages(data, source.path, layout, enough=not_a_profile, ocr=ocr)
    trace = trace if trace is not None else Trace()
    traced = len(trace.rows)
    document = pages_to_document(pages, source, layout, trace)
    if ocr.pages:
        document = ocr_document(document, ocr.pages, layout, trace.rows[traced:])
    return replace(document, issues=(*notes_to_issues(notes, source.path), *document.issues))
