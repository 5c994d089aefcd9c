"""The output contract: one pandera model per table, keys, and the links between tables.

Column order here is the column order of every output file. Vocabulary-backed columns carry
metadata {"vocabulary": name} so a failure can tell the steward which file to edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.schemas.text import BULLET_MARKERS
from pipeline.schemas.vocabulary import load_vocabulary

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
COMPETENCE_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*--[a-z0-9]+(?:-[a-z0-9]+)*$"
ESCO_CODE = r"^\d{4}(?:\.\d+)*$"
ESCO_OCCUPATION_URI = (
    r"^http://data\.europa\.eu/esco/occupation/"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)
SHA256 = r"^[0-9a-f]{64}$"
PERIOD = r"^\d{4}-\d{4}$"
# Leftovers of HTML, bullets or layout that normalisation should have removed.
LEFTOVER_MARKUP = rf"[<>\t\n\r]|^\s|\s$| {{2}}|^[{re.escape(BULLET_MARKERS)}](?:\s|$)"
# Multi-paragraph text may keep blank-line paragraph breaks but nothing else.
LEFTOVER_MARKUP_PARAGRAPHS = r"[<>\t\r]|^\s|\s$| {2}|\n{3,}|[^\n]\n[^\n]"

# Version of this contract: the tables, their columns and their meaning. Raise the major
# number when a column is removed, renamed or changes meaning; the minor when one is added.
SCHEMA_VERSION = "1.1"

CATEGORIES = load_vocabulary("categories")
TYPES = load_vocabulary("types")
LEVELS = load_vocabulary("levels")
DEPARTMENTS = load_vocabulary("departments")


def _vocabulary_field(vocabulary_name: str) -> object:
    vocabulary = load_vocabulary(vocabulary_name)
    return pa.Field(isin=list(vocabulary.terms), metadata={"vocabulary": vocabulary.name})


def _clean(series: Series[str]) -> Series[bool]:
    return ~series.fillna("").str.contains(LEFTOVER_MARKUP, regex=True)


def _not_blank(series: Series[str]) -> Series[bool]:
    return series.fillna("").str.strip() != ""


class _Table(pa.DataFrameModel):
    class Config:
        strict = True
        ordered = True
        coerce = False


class Profiles(_Table):
    profile_id: Series[str] = pa.Field(unique=True, str_matches=SLUG)
    title: Series[str]
    description: Series[str]
    alliance: Series[str]
    period: Series[str] = pa.Field(str_matches=PERIOD)
    period_start: Series[int] = pa.Field(ge=1900, le=2100)
    period_end: Series[int] = pa.Field(ge=1900, le=2100)
    min_eqf: Series[int] = pa.Field(ge=1, le=8)
    value_chain: Series[str]
    source_file: Series[str]
    source_format: Series[str] = pa.Field(isin=["pdf", "text"])
    source_sha256: Series[str] = pa.Field(str_matches=SHA256)

    @pa.check(
        "title",
        "alliance",
        "value_chain",
        "period",
        name="clean_text",
        error="has leftover markup, bullet marker, line break or double space",
    )
    def _clean_text(cls, series: Series[str]) -> Series[bool]:
        return _clean(series)

    @pa.check("title", "alliance", "value_chain", "description", name="not_blank", error="is empty")
    def _not_blank(cls, series: Series[str]) -> Series[bool]:
        return _not_blank(series)

    @pa.check(
        "description",
        name="clean_paragraphs",
        error="has leftover markup or stray line breaks (paragraphs are split by one blank line)",
    )
    def _clean_paragraphs(cls, series: Series[str]) -> Series[bool]:
        return ~series.fillna("").str.contains(LEFTOVER_MARKUP_PARAGRAPHS, regex=True)

    @pa.dataframe_check(name="period_order", error="period_start is after period_end")
    def _period_order(cls, frame: pd.DataFrame) -> Series[bool]:
        return frame["period_start"] <= frame["period_end"]


class Occupations(_Table):
    profile_id: Series[str] = pa.Field(str_matches=SLUG)
    occupation_no: Series[int] = pa.Field(ge=1)
    esco_code: Series[str] = pa.Field(str_matches=ESCO_CODE)
    esco_label: Series[str]
    esco_uri: Series[str] = pa.Field(str_matches=ESCO_OCCUPATION_URI)
    source_line: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    source_page: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)

    @pa.check(
        "esco_label",
        name="clean_text",
        error="has leftover markup, bullet marker, line break or double space",
    )
    def _clean_text(cls, series: Series[str]) -> Series[bool]:
        return _clean(series) & _not_blank(series)

    class Config:
        unique = ["profile_id", "occupation_no"]


class EqfLevels(_Table):
    profile_id: Series[str] = pa.Field(str_matches=SLUG)
    eqf_level: Series[int] = pa.Field(ge=1, le=8)

    class Config:
        unique = ["profile_id", "eqf_level"]


class Departments(_Table):
    profile_id: Series[str] = pa.Field(str_matches=SLUG)
    department_no: Series[int] = pa.Field(ge=1)
    department: Series[str] = _vocabulary_field("departments")  # type: ignore[assignment]
    source_line: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    source_page: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)

    class Config:
        unique = ["profile_id", "department"]


class Specialisations(_Table):
    profile_id: Series[str] = pa.Field(str_matches=SLUG)
    specialisation_no: Series[int] = pa.Field(ge=1)
    specialisation: Series[str]
    source_line: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    source_page: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)

    @pa.check(
        "specialisation",
        name="clean_text",
        error="has leftover markup, bullet marker, line break or double space, or is empty",
    )
    def _clean_text(cls, series: Series[str]) -> Series[bool]:
        return _clean(series) & _not_blank(series)

    class Config:
        unique = ["profile_id", "specialisation_no"]


class Competences(_Table):
    profile_id: Series[str] = pa.Field(str_matches=SLUG)
    competence_id: Series[str] = pa.Field(unique=True, str_matches=COMPETENCE_ID)
    competence_no: Series[int] = pa.Field(ge=1)
    category: Series[str] = _vocabulary_field("categories")  # type: ignore[assignment]
    category_note: Series[str] = pa.Field(nullable=True)
    name: Series[str]
    type: Series[str] = _vocabulary_field("types")  # type: ignore[assignment]
    level: Series[str] = _vocabulary_field("levels")  # type: ignore[assignment]
    # The level's place in levels.txt (1 Awareness, 2 Practitioner, 3 Expert): the order
    # every engine keeps, where an ordered categorical is sorted as text by some.
    level_rank: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1, le=len(LEVELS.terms))
    source_line: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    source_page: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)

    @pa.check(
        "name",
        "category_note",
        name="clean_text",
        error="has leftover markup, bullet marker, line break or double space",
    )
    def _clean_text(cls, series: Series[str]) -> Series[bool]:
        return _clean(series)

    @pa.check("name", name="not_blank", error="is empty")
    def _not_blank(cls, series: Series[str]) -> Series[bool]:
        return _not_blank(series)

    class Config:
        unique = ["profile_id", "competence_no"]


class CompetenceStatements(_Table):
    profile_id: Series[str] = pa.Field(str_matches=SLUG)
    competence_id: Series[str] = pa.Field(str_matches=COMPETENCE_ID)
    statement_no: Series[int] = pa.Field(ge=1)
    statement: Series[str]
    source_line: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    source_page: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)

    @pa.check(
        "statement",
        name="clean_text",
        error="has leftover markup, bullet marker, line break or double space",
    )
    def _clean_text(cls, series: Series[str]) -> Series[bool]:
        return _clean(series)

    @pa.check("statement", name="not_blank", error="is empty")
    def _not_blank(cls, series: Series[str]) -> Series[bool]:
        return _not_blank(series)

    class Config:
        unique = ["competence_id", "statement_no"]


class CompetenceEscoSkills(_Table):
    profile_id: Series[str] = pa.Field(str_matches=SLUG)
    competence_id: Series[str] = pa.Field(str_matches=COMPETENCE_ID)
    esco_skill_no: Series[int] = pa.Field(ge=1)
    esco_skill: Series[str]
    source_line: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    source_page: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)

    @pa.check(
        "esco_skill",
        name="clean_text",
        error="has leftover markup, bullet marker, line break or double space, or is empty",
    )
    def _clean_text(cls, series: Series[str]) -> Series[bool]:
        return _clean(series) & _not_blank(series)

    class Config:
        unique = ["competence_id", "esco_skill_no"]


# Output order of the tables; every writer and the manifest follow it.
TABLES: dict[str, type[_Table]] = {
    "profiles": Profiles,
    "occupations": Occupations,
    "eqf_levels": EqfLevels,
    "departments": Departments,
    "specialisations": Specialisations,
    "competences": Competences,
    "competence_statements": CompetenceStatements,
    "competence_esco_skills": CompetenceEscoSkills,
}


def primary_key(table: str) -> tuple[str, ...]:
    """The column that is unique on its own, else the table's unique column combination."""
    schema = TABLES[table].to_schema()
    single = tuple(name for name, column in schema.columns.items() if column.unique)
    return single or tuple(schema.unique or ())


@dataclass(frozen=True)
class ForeignKey:
    """Every row of `table` points at an existing row of `parent` through `columns`."""

    table: str
    columns: tuple[str, ...]
    parent: str


FOREIGN_KEYS: tuple[ForeignKey, ...] = (
    ForeignKey("occupations", ("profile_id",), "profiles"),
    ForeignKey("eqf_levels", ("profile_id",), "profiles"),
    ForeignKey("departments", ("profile_id",), "profiles"),
    ForeignKey("specialisations", ("profile_id",), "profiles"),
    ForeignKey("competences", ("profile_id",), "profiles"),
    ForeignKey("competence_statements", ("profile_id", "competence_id"), "competences"),
    ForeignKey("competence_esco_skills", ("profile_id", "competence_id"), "competences"),
)

# Columns written as an ordered categorical (Parquet dictionary) after validation.
ORDERED_CATEGORIES: dict[tuple[str, str], tuple[str, ...]] = {
    ("competences", "level"): LEVELS.terms,
}


def level_rank(level: str) -> int | None:
    """1 for the first level of levels.txt, and so on; None for a level it does not know."""
    canonical = LEVELS.canonical(level)
    return None if canonical is None else LEVELS.terms.index(canonical) + 1


def columns(table: str) -> list[str]:
    return list(TABLES[table].to_schema().columns)
