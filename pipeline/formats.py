"""Which reader family a file goes to, by its suffix (light: discovery and the cache use it
without loading any reader)."""

from __future__ import annotations

from pathlib import PurePath

from pipeline.model import SourceFormat

# For text files the content decides between the seed's tab-separated export and Markdown
# (pipeline.extract.content_format).
FORMATS_BY_SUFFIX: dict[str, SourceFormat] = {
    ".txt": "text",
    ".md": "markdown",
    ".pdf": "pdf",
    ".docx": "docx",
    ".docm": "docx",
}


def source_format(path: PurePath) -> SourceFormat | None:
    return FORMATS_BY_SUFFIX.get(path.suffix.lower())


# Formats whose files take a tenth of a second or more each (text files take milliseconds),
# read with PDFium, pdfminer, Pillow or python-docx.
HEAVY_FORMATS = frozenset({"pdf", "docx"})
