"""Profile PDFs to a Document: the reader (pdf_plumber) gives each page's words and
rulings in one pass; the layout code (pdf_layout, pdf_tables, pdf_lines) finds the
profile's structure in them, with no fixed coordinates. Tolerances live in PdfLayout.
"""

from __future__ import annotations

from pipeline.extract.pdf_layout import Trace, not_a_profile, pages_to_document
from pipeline.extract.pdf_model import PdfLayout
from pipeline.extract.pdf_plumber import read_pages
from pipeline.model import Document, Source

__all__ = ["PdfLayout", "Trace", "read_pdf"]


def read_pdf(
    data: bytes, source: Source, layout: PdfLayout | None = None, trace: Trace | None = None
) -> Document:
    layout = layout or PdfLayout()
    pages = read_pages(data, source.path, layout, enough=not_a_profile)
    return pages_to_document(pages, source, layout, trace)
