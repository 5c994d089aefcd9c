"""Extraction: an input file's bytes to a Document, by file type."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.errors import PipelineError
from pipeline.extract.encoding import decode_text
from pipeline.extract.markdown import is_markdown
from pipeline.formats import FORMATS_BY_SUFFIX, source_format
from pipeline.model import Document, Source, SourceFormat

if TYPE_CHECKING:
    from pipeline.extract.pdf_layout import Trace
    from pipeline.extract.pdf_model import PdfLayout

__all__ = ["FORMATS_BY_SUFFIX", "content_format", "extract_document", "source_format"]


def content_format(data: bytes, fmt: SourceFormat) -> SourceFormat:
    """The format a file's content is in: a text file (.txt or .md) holding a pipe table
    or an HTML table is Markdown, one without is the seed's tab-separated text, whatever
    its name. Text that cannot be decoded keeps its suffix's format (its reader says why)."""
    if fmt not in ("text", "markdown"):
        return fmt
    try:
        text = decode_text(data, "").text
    except PipelineError:
        return fmt
    return "markdown" if is_markdown(text) else "text"


def extract_document(
    data: bytes, source: Source, layout: PdfLayout | None = None, trace: Trace | None = None
) -> Document:
    """The document in data, read as source.format says (see content_format); for a PDF,
    what the layout code found goes into trace too.

    Each reader is imported when a file of its format is read: a run, or a worker, loads
    pdfplumber or python-docx only if it meets a PDF or a Word file."""
    if source.format == "pdf":
        from pipeline.extract.pdf import read_pdf

        return read_pdf(data, source, layout, trace)
    if source.format == "docx":
        from pipeline.extract.docx import read_docx

        return read_docx(data, source)
    if source.format == "markdown":
        from pipeline.extract.markdown import read_markdown

        return read_markdown(data, source)
    from pipeline.extract.text import read_text

    return read_text(data, source)
