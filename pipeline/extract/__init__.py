"""Extraction: an input file's bytes to a Document, by file type."""

from __future__ import annotations

from pathlib import PurePath

from pipeline.errors import PipelineError
from pipeline.extract.docx import read_docx
from pipeline.extract.encoding import decode_text
from pipeline.extract.markdown import is_markdown, read_markdown
from pipeline.extract.pdf import PdfLayout, Trace, read_pdf
from pipeline.extract.text import read_text
from pipeline.model import Document, Source, SourceFormat

# The suffix says which reader family a file goes to; for text files the content decides
# between the seed's tab-separated export and Markdown (content_format).
FORMATS_BY_SUFFIX: dict[str, SourceFormat] = {
    ".txt": "text",
    ".md": "markdown",
    ".pdf": "pdf",
    ".docx": "docx",
    ".docm": "docx",
}


def source_format(path: PurePath) -> SourceFormat | None:
    return FORMATS_BY_SUFFIX.get(path.suffix.lower())


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
    what the layout code found goes into trace too."""
    if source.format == "pdf":
        return read_pdf(data, source, layout, trace)
    if source.format == "docx":
        return read_docx(data, source)
    if source.format == "markdown":
        return read_markdown(data, source)
    return read_text(data, source)
