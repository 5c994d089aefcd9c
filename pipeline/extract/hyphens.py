"""Hyphens a typesetter added to break words at line ends, told from the document's own
hyphens by the document itself (pure).

TeX and office suites with hyphenation on break a word with an ordinary '-': 'specifica-' /
'tions' looks like 'model-' / 'based'. A line-end hyphen is taken for an added one when the
document spells the joined word elsewhere without it ('specifications') and never with it;
it then becomes a soft hyphen (U+00AD), which joining wrapped lines drops. Any other
line-end hyphen stays.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pipeline.model import Cell, Document

_T = TypeVar("_T")
_LINE_END_HYPHEN = re.compile(r"([^\W\d_]+)-\n([^\W\d_]+)")
_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def soften_hyphens(document: Document) -> Document:
    """The document with added line-end hyphens turned into soft hyphens."""
    plain, hyphenated = _spellings(_texts(document))

    def soften(match: re.Match[str]) -> str:
        head, tail = match[1], match[2]
        joined = f"{head}{tail}".casefold()
        if joined in plain and f"{head}-{tail}".casefold() not in hyphenated:
            return f"{head}\u00ad\n{tail}"
        return match[0]

    def fix(cell: Cell) -> Cell:
        if "-\n" not in cell.text:
            return cell
        return dataclasses.replace(cell, text=_LINE_END_HYPHEN.sub(soften, cell.text))

    return _map_cells(document, fix)


def _spellings(texts: Iterable[str]) -> tuple[set[str], set[str]]:
    """Words written whole and words written with a hyphen inside a line (lower case)."""
    plain: set[str] = set()
    hyphenated: set[str] = set()
    for text in texts:
        for line in text.split("\n"):
            for token in _TOKEN.findall(line):
                (hyphenated if "-" in token else plain).add(token.casefold())
    return plain, hyphenated


def _texts(value: Any) -> Iterable[str]:
    if isinstance(value, Cell):
        yield value.text
    elif isinstance(value, tuple):
        for item in value:
            yield from _texts(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _texts(getattr(value, field.name))


def _map_cells(value: _T, fix: Callable[[Cell], Cell]) -> _T:
    """A copy of a frozen record tree with every Cell passed through fix."""
    if isinstance(value, Cell):
        return fix(value)  # type: ignore[return-value]
    if isinstance(value, tuple):
        return tuple(_map_cells(item, fix) for item in value)  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            field.name: _map_cells(getattr(value, field.name), fix)
            for field in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **changes)
    return value
