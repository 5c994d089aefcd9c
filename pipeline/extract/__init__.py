"""Extraction: an input file's bytes to a Document, by file type."""

from __future__ import annotations

from pathlib import PurePath

from pipeline.extract.pdf import PdfLayout, read_pdf
from pipeline.extract.text import read_text
from pipeline.model import Document, Source, SourceFormat

FORMATS_BY_SUFFIX: dict[str, SourceFormat] = {".txt": "text", ".md": "text", ".pdf": "pdf"}


def source_format(path: PurePath) -> SourceFormat | None:
    return FORMATS_BY_SUFFIX.get(path.suffix.lower())


def extract_document(data: bytes, source: Source, layout: PdfLayout | None = None) -> Document:
    if source.format == "pdf":
        return read_pdf(data, source, layout)
    return read_text(data, source)
