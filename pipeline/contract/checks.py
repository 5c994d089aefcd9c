"""Checks shared by the table models, registered with pandera so a Field names them.

Each is written once here and used as `pa.Field(clean_text=())`; validation explains a
failure through CHECK_ERRORS, the checks' one wording for stewards.
"""

from __future__ import annotations

import re

import pandas as pd
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
    return ~series.fillna("").str.contains(LEFTOVER_MARKUP, regex=True)


@register_check_method(supported_types=pd.Series)
def clean_paragraphs(series: pd.Series) -> pd.Series:
    """Paragraphs of clean text separated by exactly one blank line."""
    return ~series.fillna("").str.contains(LEFTOVER_MARKUP_PARAGRAPHS, regex=True)


@register_check_method(supported_types=pd.Series)
def not_blank(series: pd.Series) -> pd.Series:
    return series.fillna("").str.strip() != ""
