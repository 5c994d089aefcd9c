"""The layout variations the fixture corpus is made of: one vocabulary, named in manifests
and in the accuracy report.

A variation is a layout choice a real document producer makes. Each committed fixture PDF
lists, in its producer's manifest, the variations it was verified to contain (checked on
the rendered PDF, not assumed from the styling that was asked for).
"""

from __future__ import annotations

VARIATIONS: dict[str, str] = {
    # header rows
    "header-wrap-2": "a header label wrapped over two lines inside its cell ('Type' / '(S/K)')",
    "header-wrap-3": "a header label wrapped over three lines inside its cell",
    "header-centred": "header labels centred in their cells",
    "header-bold": "bold header row",
    "header-shaded": "shaded (filled) header row",
    "header-repeated": "the header row repeated at the top of each page a table runs onto",
    # rulings and shading
    "rules-grid": "full grid: horizontal and vertical rules",
    "rules-horizontal": "horizontal rules only, no vertical rules",
    "shaded-rows": "shaded (banded) rows and no rules at all",
    "borderless": "no rules and no shading: rows told apart by white space only",
    # cells
    "name-wrap": "a Name cell wrapped over several lines",
    "name-across-pages": "a Name cell that continues on the next page when its row breaks",
    "valign-middle": "cells vertically centred (Type and Level not on the row's first line)",
    "valign-bottom": "cells bottom-aligned",
    "row-across-pages": "a competence row broken by a page break",
    "row-over-3-pages": "a competence row that runs over three pages",
    "esco-paragraphs": "ESCO cells with several labels as separate paragraphs, a long label "
    "wrapping inside the cell",
    "bullets-list": "statements as list items whose bullet glyph is drawn by the producer",
    # pages and text
    "landscape": "competence tables on landscape pages",
    "justified-description": "justified description paragraphs, one crossing a page",
    "running-header": "a running header and/or footer on every page but the cover",
    "page-numbers": "page numbers in the footer",
    "hyphenation": "words hyphenated automatically at line ends",
    "small-type": "table text at 8 pt or smaller",
    "large-type": "table text at 10.5 pt or larger",
    "serif": "a serif typeface",
    "sans": "a sans-serif typeface",
}


def check_variations(names: list[str] | tuple[str, ...]) -> None:
    """Raise ValueError naming any variation that is not in the vocabulary."""
    unknown = sorted(set(names) - set(VARIATIONS))
    if unknown:
        raise ValueError(f"unknown layout variation(s) {unknown}; known: {sorted(VARIATIONS)}")
