"""The output contract and its data dictionary: one pandera model per table.

Every column's description, every table's title and description are written here once;
validation, the datapackage descriptor and out/DATA.md all read them from these models.
Column order here is the column order of every output file. Vocabulary-backed columns carry
metadata {"vocabulary": name} so a failure can tell the steward which file to edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, get_args

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

# Registers clean_text, clean_paragraphs and not_blank with pandera before the models use them.
import pipeline.contract.checks  # noqa: F401
from pipeline.contract.dtypes import Text
from pipeline.contract.pandera_probe import answer_without_dask
from pipeline.contract.vocabulary import load_vocabulary
from pipeline.model import SourceFormat

# Before any schema is built (see pandera_probe).
answer_without_dask()

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
COMPETENCE_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*--[a-z0-9]+(?:-[a-z0-9]+)*$"
ESCO_CODE = r"^\d{4}(?:\.\d+)*$"
ESCO_OCCUPATION_URI = (
    r"^http://data\.europa\.eu/esco/occupation/"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)
SHA256 = r"^[0-9a-f]{64}$"
PERIOD = r"^\d{4}-\d{4}$"

# Version of this contract: the tables, their columns and their meaning. Raise the major
# number when a column is removed, renamed or changes meaning; the minor when one is added
# or takes new values (1.2: source_format 'markdown' and 'docx', whose rows give a line;
# 1.3: extraction_method and ocr_confidence, for rows read by OCR).
SCHEMA_VERSION = "1.3"

CATEGORIES = load_vocabulary("categories")
TYPES = load_vocabulary("types")
LEVELS = load_vocabulary("levels")
DEPARTMENTS = load_vocabulary("departments")

_PROFILE_ID = "The profile this row belongs to (profiles.profile_id)."
_COMPETENCE_ID = "The competence this row belongs to (competences.competence_id)."
_SOURCE_LINE = (
    "Line of the text or Markdown input where the row starts; for a Word input, the number "
    "of the paragraph it starts in, paragraphs (table cells' too) counted in document order "
    "from 1; empty for a PDF."
)
_SOURCE_PAGE = "Page of the PDF input where the row starts; empty for other formats."
EXTRACTION_METHODS = ("text", "ocr")
_EXTRACTION_METHOD = (
    "How the row's content was read: 'ocr' when words of it come from a page of a PDF "
    "without a text layer (a scan), read by OCR (Tesseract); 'text' otherwise (a PDF's text "
    "layer, a Word, Markdown or text input)."
)
_OCR_CONFIDENCE = (
    "For a row read by OCR, the lowest confidence (percent, 0-100) Tesseract gave a word of "
    "the row's item (a competence: its heading, name, type and level; an occupation: its "
    "code, label and URI); words under the warning threshold (80 by default) are also "
    "ocr-low-confidence warnings naming the page and the item. Empty when "
    "extraction_method is 'text'."
)


def _vocabulary_field(vocabulary_name: str, description: str) -> Any:
    vocabulary = load_vocabulary(vocabulary_name)
    return pa.Field(
        isin=list(vocabulary.terms),
        metadata={"vocabulary": vocabulary.name},
        description=f"{description} One of schemas/vocab/{vocabulary.name}.txt.",
    )


def _source_line() -> Any:
    return pa.Field(nullable=True, ge=1, description=_SOURCE_LINE)


def _source_page() -> Any:
    return pa.Field(nullable=True, ge=1, description=_SOURCE_PAGE)


def _extraction_method(description: str = _EXTRACTION_METHOD) -> Any:
    return pa.Field(isin=list(EXTRACTION_METHODS), description=description)


def _ocr_confidence(description: str = _OCR_CONFIDENCE) -> Any:
    return pa.Field(nullable=True, ge=0, le=100, description=description)


def _ocr_consistent(frame: pd.DataFrame) -> Series[bool]:
    """A row read by OCR has its confidence; one read from text has none."""
    return (frame["extraction_method"] == "ocr") == frame["ocr_confidence"].notna()  # type: ignore[return-value]


class _Table(pa.DataFrameModel):
    class Config:
        strict = True
        ordered = True
        coerce = False


class Profiles(_Table):
    profile_id: Series[Text] = pa.Field(
        unique=True,
        str_matches=SLUG,
        description="Lower-case ASCII slug of the title (transliterated from any script); "
        "stable across runs.",
    )
    title: Series[Text] = pa.Field(
        clean_text=(), not_blank=(), description="The job role's title, as the profile writes it."
    )
    description: Series[Text] = pa.Field(
        clean_paragraphs=(),
        not_blank=(),
        description="The profile's description; paragraphs separated by one blank line.",
    )
    alliance: Series[Text] = pa.Field(
        clean_text=(), not_blank=(), description="The alliance that published the profile."
    )
    period: Series[Text] = pa.Field(
        str_matches=PERIOD, clean_text=(), description="The project period, as 'YYYY-YYYY'."
    )
    period_start: Series[int] = pa.Field(
        ge=1900, le=2100, description="First year of the project period."
    )
    period_end: Series[int] = pa.Field(
        ge=1900, le=2100, description="Last year of the project period."
    )
    min_eqf: Series[int] = pa.Field(
        ge=1,
        le=8,
        description="The lowest EQF level the profile names (Context table, Minimum EQF).",
    )
    value_chain: Series[Text] = pa.Field(
        clean_text=(),
        not_blank=(),
        description="The battery value-chain segment (Context table, Value Chain).",
    )
    source_file: Series[Text] = pa.Field(
        description="The input file: its path relative to the folder it was found in, or "
        "its name when given directly."
    )
    source_format: Series[Text] = pa.Field(
        isin=list(get_args(SourceFormat)),
        description="How the input was read: 'text' (the tab-separated text export), "
        "'markdown' (pipe or HTML tables), 'docx' (a Word document, .docx or .docm) or "
        "'pdf'.",
    )
    source_sha256: Series[Text] = pa.Field(
        str_matches=SHA256, description="SHA-256 of the input file's bytes."
    )
    extraction_method: Series[Text] = _extraction_method(
        "How the profile was read: 'ocr' when any page of its input was read by OCR (a PDF "
        "page without a text layer, a scan), so some of its rows in any table may be; 'text' "
        "otherwise."
    )
    ocr_confidence: Series[pd.Int64Dtype] = _ocr_confidence(
        "For a profile read by OCR, the lowest ocr_confidence of its rows in every table, its "
        "own fields (title, description, alliance, period, Minimum EQF, Value Chain) "
        "included: the item to check first. Empty when extraction_method is 'text' (or when "
        "no row came from the pages read by OCR)."
    )

    @pa.dataframe_check(
        name="ocr_confidence_only_if_ocr",
        error="ocr_confidence is given for a profile not read by OCR",
    )
    def _read_consistently(cls, frame: pd.DataFrame) -> Series[bool]:
        return (frame["extraction_method"] == "ocr") | frame["ocr_confidence"].isna()  # type: ignore[return-value]

    @pa.dataframe_check(name="period_order", error="period_start is after period_end")
    def _period_order(cls, frame: pd.DataFrame) -> Series[bool]:
        return frame["period_start"] <= frame["period_end"]  # type: ignore[return-value]

    class Config:
        title = "Profiles"
        description = "One row per job-role profile: its title, description and context."


class Occupations(_Table):
    profile_id: Series[Text] = pa.Field(str_matches=SLUG, description=_PROFILE_ID)
    occupation_no: Series[int] = pa.Field(
        ge=1, description="Position in the profile's ESCO Occupations table, from 1."
    )
    esco_code: Series[Text] = pa.Field(
        str_matches=ESCO_CODE,
        description="ESCO occupation code such as '2514.2.1' (text: keep trailing zeros).",
    )
    esco_label: Series[Text] = pa.Field(
        clean_text=(), not_blank=(), description="ESCO occupation label."
    )
    esco_uri: Series[Text] = pa.Field(
        str_matches=ESCO_OCCUPATION_URI, description="ESCO occupation URI."
    )
    source_line: Series[pd.Int64Dtype] = _source_line()
    source_page: Series[pd.Int64Dtype] = _source_page()
    extraction_method: Series[Text] = _extraction_method()
    ocr_confidence: Series[pd.Int64Dtype] = _ocr_confidence()

    @pa.dataframe_check(
        name="ocr_confidence_iff_ocr",
        error="ocr_confidence is given exactly for the rows read by OCR",
    )
    def _read_consistently(cls, frame: pd.DataFrame) -> Series[bool]:
        return _ocr_consistent(frame)

    class Config:
        title = "ESCO occupations"
        description = "The ESCO occupations each profile maps to, in document order."
        unique = ["profile_id", "occupation_no"]


class EqfLevels(_Table):
    profile_id: Series[Text] = pa.Field(str_matches=SLUG, description=_PROFILE_ID)
    eqf_level: Series[int] = pa.Field(
        ge=1, le=8, description="An EQF level the profile targets ('6/7/8' gives three rows)."
    )
    extraction_method: Series[Text] = _extraction_method()
    ocr_confidence: Series[pd.Int64Dtype] = _ocr_confidence(
        "For a row read by OCR, the lowest confidence (percent, 0-100) Tesseract gave a word of "
        "the Context table's Minimum EQF value the row is read from. Empty when "
        "extraction_method is 'text'."
    )

    @pa.dataframe_check(
        name="ocr_confidence_iff_ocr",
        error="ocr_confidence is given exactly for the rows read by OCR",
    )
    def _read_consistently(cls, frame: pd.DataFrame) -> Series[bool]:
        return _ocr_consistent(frame)

    class Config:
        title = "EQF levels"
        description = "The European Qualifications Framework levels of each profile."
        unique = ["profile_id", "eqf_level"]


class Departments(_Table):
    profile_id: Series[Text] = pa.Field(str_matches=SLUG, description=_PROFILE_ID)
    department_no: Series[int] = pa.Field(
        ge=1, description="Position in the Context table's Departments, from 1."
    )
    department: Series[Text] = _vocabulary_field("departments", "A department the role works in.")
    source_line: Series[pd.Int64Dtype] = _source_line()
    source_page: Series[pd.Int64Dtype] = _source_page()
    extraction_method: Series[Text] = _extraction_method()
    ocr_confidence: Series[pd.Int64Dtype] = _ocr_confidence()

    @pa.dataframe_check(
        name="ocr_confidence_iff_ocr",
        error="ocr_confidence is given exactly for the rows read by OCR",
    )
    def _read_consistently(cls, frame: pd.DataFrame) -> Series[bool]:
        return _ocr_consistent(frame)

    class Config:
        title = "Departments"
        description = "The departments each profile names in its Context table."
        unique = ["profile_id", "department"]


class Specialisations(_Table):
    profile_id: Series[Text] = pa.Field(str_matches=SLUG, description=_PROFILE_ID)
    specialisation_no: Series[int] = pa.Field(
        ge=1, description="Position in the Context table's Specialisations, from 1."
    )
    specialisation: Series[Text] = pa.Field(
        clean_text=(), not_blank=(), description="One specialisation (a job title)."
    )
    source_line: Series[pd.Int64Dtype] = _source_line()
    source_page: Series[pd.Int64Dtype] = _source_page()
    extraction_method: Series[Text] = _extraction_method()
    ocr_confidence: Series[pd.Int64Dtype] = _ocr_confidence()

    @pa.dataframe_check(
        name="ocr_confidence_iff_ocr",
        error="ocr_confidence is given exactly for the rows read by OCR",
    )
    def _read_consistently(cls, frame: pd.DataFrame) -> Series[bool]:
        return _ocr_consistent(frame)

    class Config:
        title = "Specialisations"
        description = "The specialisations (job titles) each profile lists."
        unique = ["profile_id", "specialisation_no"]


class Competences(_Table):
    profile_id: Series[Text] = pa.Field(str_matches=SLUG, description=_PROFILE_ID)
    competence_id: Series[Text] = pa.Field(
        unique=True,
        str_matches=COMPETENCE_ID,
        description="'<profile_id>--<slug of the name>' ('-2' for a repeated name); "
        "stable across runs and reorderings.",
    )
    competence_no: Series[int] = pa.Field(
        ge=1, description="Position of the competence in the profile, from 1."
    )
    category: Series[Text] = _vocabulary_field(
        "categories", "The heading the competence is grouped under."
    )
    category_note: Series[Text] = pa.Field(
        nullable=True,
        clean_text=(),
        description="Text after the category heading's name, if any (e.g. a qualifier).",
    )
    name: Series[Text] = pa.Field(clean_text=(), not_blank=(), description="The competence's name.")
    type: Series[Text] = _vocabulary_field("types", "S for a skill, K for knowledge.")
    level: Series[Text] = _vocabulary_field(
        "levels", "Required level; ordered Awareness < Practitioner < Expert."
    )
    # An ordered categorical is sorted as text by some engines; the rank is not.
    level_rank: Series[pd.Int64Dtype] = pa.Field(
        nullable=True,
        ge=1,
        le=len(LEVELS.terms),
        description="The level's place in levels.txt (1 Awareness, 2 Practitioner, "
        "3 Expert): compare levels with it in Polars, DuckDB or SQL.",
    )
    source_line: Series[pd.Int64Dtype] = _source_line()
    source_page: Series[pd.Int64Dtype] = _source_page()
    extraction_method: Series[Text] = _extraction_method()
    ocr_confidence: Series[pd.Int64Dtype] = _ocr_confidence()

    @pa.dataframe_check(
        name="ocr_confidence_iff_ocr",
        error="ocr_confidence is given exactly for the rows read by OCR",
    )
    def _read_consistently(cls, frame: pd.DataFrame) -> Series[bool]:
        return _ocr_consistent(frame)

    class Config:
        title = "Competences"
        description = "One row per competence (skill or knowledge) of a profile."
        unique = ["profile_id", "competence_no"]


class CompetenceStatements(_Table):
    profile_id: Series[Text] = pa.Field(str_matches=SLUG, description=_PROFILE_ID)
    competence_id: Series[Text] = pa.Field(str_matches=COMPETENCE_ID, description=_COMPETENCE_ID)
    statement_no: Series[int] = pa.Field(
        ge=1, description="Position of the bullet in the Description/Context cell, from 1."
    )
    statement: Series[Text] = pa.Field(
        clean_text=(), not_blank=(), description="One bullet of the Description/Context cell."
    )
    source_line: Series[pd.Int64Dtype] = _source_line()
    source_page: Series[pd.Int64Dtype] = _source_page()
    extraction_method: Series[Text] = _extraction_method()
    ocr_confidence: Series[pd.Int64Dtype] = _ocr_confidence()

    @pa.dataframe_check(
        name="ocr_confidence_iff_ocr",
        error="ocr_confidence is given exactly for the rows read by OCR",
    )
    def _read_consistently(cls, frame: pd.DataFrame) -> Series[bool]:
        return _ocr_consistent(frame)

    class Config:
        title = "Competence statements"
        description = "The bullets that describe each competence, in document order."
        unique = ["competence_id", "statement_no"]


class CompetenceEscoSkills(_Table):
    profile_id: Series[Text] = pa.Field(str_matches=SLUG, description=_PROFILE_ID)
    competence_id: Series[Text] = pa.Field(str_matches=COMPETENCE_ID, description=_COMPETENCE_ID)
    esco_skill_no: Series[int] = pa.Field(
        ge=1, description="Position of the label in the ESCO skills cell, from 1."
    )
    esco_skill: Series[Text] = pa.Field(
        clean_text=(), not_blank=(), description="One ESCO skill label."
    )
    source_line: Series[pd.Int64Dtype] = _source_line()
    source_page: Series[pd.Int64Dtype] = _source_page()
    extraction_method: Series[Text] = _extraction_method()
    ocr_confidence: Series[pd.Int64Dtype] = _ocr_confidence()

    @pa.dataframe_check(
        name="ocr_confidence_iff_ocr",
        error="ocr_confidence is given exactly for the rows read by OCR",
    )
    def _read_consistently(cls, frame: pd.DataFrame) -> Series[bool]:
        return _ocr_consistent(frame)

    class Config:
        title = "Competence ESCO skills"
        description = "The ESCO skills each competence maps to, in document order."
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


def unique_keys(table: str) -> list[tuple[str, ...]]:
    """Every column or column combination the table holds unique: each column unique on its
    own, then the table's unique combination."""
    schema = TABLES[table].to_schema()
    keys = [(name,) for name, column in schema.columns.items() if column.unique]
    return keys + ([tuple(schema.unique)] if schema.unique else [])


def primary_key(table: str) -> tuple[str, ...]:
    """The column that is unique on its own, else the table's unique column combination."""
    return unique_keys(table)[0]


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
