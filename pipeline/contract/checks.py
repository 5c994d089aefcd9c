"""Checks shared by the table models, registered with pandera so a Field names them.

Each is written once here and used as `pa.Field(clean_text=())`; validation explains a
failure through CHECK_ERRORS, the checks' one wording for stewards.
"""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandera.api.extensions import register_check_method

from pipeline.contract.text import BULLET_MARKERS

# Python's \s (the characters str.isspace knows) spelt out: pandas hands a pattern with \s
# to Python's re, one value at a time (RE2's \s is narrower); this class runs in Arrow's RE2
# over the whole column (Python's re took four tenths of a text batch's contract check).
SPACE = "[\t-\r\x1c- \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
# Leftovers of HTML, bullets or layout that normalisation should have removed.
LEFTOVER_MARKUP = (
    rf"[<>\t\n\r]|^{SPACE}|{SPACE}$| {{2}}|^[{re.escape(BULLET_MARKERS)}](?:{SPACE}|$)"
)
# Multi-paragraph text may keep blank-line paragraph breaks but nothing else.
LEFTOVER_MARKUP_PARAGRAPHS = rf"[<>\t\r]|^{SPACE}|{SPACE}$| {{2}}|\n{{3,}}|[^\n]\n[^\n]"

CHECK_ERRORS = {
    "clean_text": "has leftover markup, bullet marker, line break or double space",
    "clean_paragraphs": (
        "has leftover markup or stray line breaks (paragraphs are split by one blank line)"
    ),
    "not_blank": "is empty",
}


@register_check_method(supported_types=pd.Series)
def clean_text(series: pd.Series) -> pd.Series:
    """One line of text without markup, bullet markers or stray whitespace."""
    return ~holds(series, LEFTOVER_MARKUP)


@register_check_method(supported_types=pd.Series)
def clean_paragraphs(series: pd.Series) -> pd.Series:
    """Paragraphs of clean text separated by exactly one blank line."""
    return ~holds(series, LEFTOVER_MARKUP_PARAGRAPHS)


def holds(series: pd.Series, pattern: str) -> pd.Series:
    """Whether each value (a missing one: "") holds a match of `pattern`, found by Arrow's
    RE2 over the whole column. pandas would hand a pattern with `$` to Python's re, value
    by value, once a value holds a line break (Python's `$` also matches before a final
    line break): these patterns end with whitespace or at the text's end, RE2's `$` or the
    line break itself, so the two find the same."""
    values = series.fillna("")
    try:
        found = pc.match_substring_regex(pa.array(values), pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return values.str.contains(pattern, regex=True)  # not all text: as pandas finds it
    return pd.Series(found.to_numpy(zero_copy_only=False), index=series.index, dtype=bool)


@register_check_method(supported_types=pd.Series)
def not_blank(series: pd.Series) -> pd.Series:
    return series.fillna("").str.strip() != ""
