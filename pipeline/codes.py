"""Stable machine codes for every kind of Issue: what CI and tests match, not message text.

A code never changes meaning once published; a new kind of problem gets a new code.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    # reading the file
    UNREADABLE = "unreadable"
    EMPTY_FILE = "empty-file"
    UNSUPPORTED_TYPE = "unsupported-type"
    NOT_A_REGULAR_FILE = "not-a-regular-file"
    SYMLINK_OUTSIDE_INPUT = "symlink-outside-input"
    SYMLINK_LOOP = "symlink-loop"
    BAD_ENCODING = "bad-encoding"
    GUESSED_ENCODING = "guessed-encoding"
    BINARY_FILE = "binary-file"
    PDF_ENCRYPTED = "pdf-encrypted"
    NOT_A_PDF = "not-a-pdf"
    PDF_PARSER_FAILED = "pdf-parser-failed"
    NO_TEXT_LAYER = "no-text-layer"
    OCR_UNAVAILABLE = "ocr-unavailable"
    OCR_FAILED = "ocr-failed"
    OCR_LOW_CONFIDENCE = "ocr-low-confidence"
    # the document's structure
    NOT_A_PROFILE = "not-a-profile"
    NO_COVER_PERIOD = "no-cover-period"
    NO_COVER_ALLIANCE = "no-cover-alliance"
    NO_TITLE = "no-title"
    NO_CONTEXT_TABLE = "no-context-table"
    NO_COMPETENCE_TABLES = "no-competence-tables"
    NO_OCCUPATIONS_HEADER = "no-occupations-header"
    NO_CATEGORY_HEADING = "no-category-heading"
    BAD_ROW = "bad-row"
    ORPHAN_CONTINUATION = "orphan-continuation"
    UNREADABLE_TABLE = "unreadable-table"
    AMBIGUOUS_LINE_BREAKS = "ambiguous-line-breaks"
    # limits and the pipeline itself
    TIMEOUT = "timeout"
    MEMORY_LIMIT = "memory-limit"
    WORKER_DIED = "worker-died"
    INTERNAL_ERROR = "internal-error"
    # the profile's content
    TITLE_WITHOUT_LETTERS = "title-without-letters"
    NO_COMPETENCES = "no-competences"
    NO_OCCUPATIONS = "no-occupations"
    UNKNOWN_CONTEXT_KEY = "unknown-context-key"
    REPEATED_CONTEXT_KEY = "repeated-context-key"
    MISSING_CONTEXT_ROW = "missing-context-row"
    BAD_EQF = "bad-eqf"
    UNFINISHED_SPECIALISATION = "unfinished-specialisation"
    AMBIGUOUS_SPECIALISATIONS = "ambiguous-specialisations"
    EMPTY_COMPETENCE_TABLE = "empty-competence-table"
    REPEATED_STATEMENT = "repeated-statement"
    NO_ESCO_SKILLS = "no-esco-skills"
    # the tables' contract
    UNKNOWN_CATEGORY = "unknown-category"
    UNKNOWN_TYPE = "unknown-type"
    UNKNOWN_LEVEL = "unknown-level"
    UNKNOWN_DEPARTMENT = "unknown-department"
    NOT_ALLOWED = "not-allowed"
    BAD_PROFILE_ID = "bad-profile-id"
    BAD_COMPETENCE_ID = "bad-competence-id"
    BAD_ESCO_CODE = "bad-esco-code"
    BAD_ESCO_URI = "bad-esco-uri"
    BAD_PERIOD = "bad-period"
    BAD_VALUE = "bad-value"
    LEFTOVER_MARKUP = "leftover-markup"
    EMPTY_VALUE = "empty-value"
    MISSING_VALUE = "missing-value"
    OUT_OF_RANGE = "out-of-range"
    WRONG_TYPE = "wrong-type"
    BAD_COLUMNS = "bad-columns"
    DUPLICATE_KEY = "duplicate-key"
    DUPLICATE_PROFILE = "duplicate-profile"
    BROKEN_LINK = "broken-link"
    # a published output (albatts validate)
    MISSING_OUTPUT = "missing-output"
    BAD_MANIFEST = "bad-manifest"
    BAD_DATAPACKAGE = "bad-datapackage"
    STALE_OUTPUT = "stale-output"
    FORMATS_DISAGREE = "formats-disagree"
    # reading the file (added later; codes keep their place once published)
    FILE_TOO_LARGE = "file-too-large"
    PDF_READER_WARNING = "pdf-reader-warning"
    NOT_A_DOCX = "not-a-docx"
    DOCX_ENCRYPTED = "docx-encrypted"
    UNPACKS_TOO_LARGE = "unpacks-too-large"
    # the document's structure (added later)
    UNEXPECTED_TABLE = "unexpected-table"


MEANINGS: dict[Code, str] = {
    Code.UNREADABLE: "the file cannot be opened or read",
    Code.EMPTY_FILE: "the file has 0 bytes",
    Code.UNSUPPORTED_TYPE: "the file's extension is not a profile format",
    Code.NOT_A_REGULAR_FILE: "a FIFO, device or socket, which is never read",
    Code.SYMLINK_OUTSIDE_INPUT: "a symbolic link that leaves the input folder",
    Code.SYMLINK_LOOP: "a symbolic link that points back at itself",
    Code.BAD_ENCODING: "text that is neither UTF-8 nor Windows-1252",
    Code.GUESSED_ENCODING: "text read as Windows-1252 (a warning)",
    Code.BINARY_FILE: "a .txt or .md file that holds binary data",
    Code.PDF_ENCRYPTED: "a PDF that needs a password",
    Code.NOT_A_PDF: "a .pdf file that is not a readable PDF",
    Code.PDF_PARSER_FAILED: "the PDF parser failed on a damaged file",
    Code.NO_TEXT_LAYER: "a PDF without text (a scan)",
    Code.OCR_UNAVAILABLE: "a scanned PDF where Tesseract (OCR) is not installed",
    Code.OCR_FAILED: "OCR failed or took too long on a scanned page",
    Code.OCR_LOW_CONFIDENCE: "words OCR read with low confidence (warning)",
    Code.NOT_A_PROFILE: "no ESCO Occupations table: not an ALBATTS profile",
    Code.NO_COVER_PERIOD: "no project period on the cover",
    Code.NO_COVER_ALLIANCE: "no alliance name on the cover",
    Code.NO_TITLE: "no title after the cover's period",
    Code.NO_CONTEXT_TABLE: "no Context table",
    Code.NO_COMPETENCE_TABLES: "no competence tables",
    Code.NO_OCCUPATIONS_HEADER: "the ESCO Occupations table has no header row",
    Code.NO_CATEGORY_HEADING: "a competence table without a category heading",
    Code.BAD_ROW: "a table row that cannot be read as that table's row",
    Code.ORPHAN_CONTINUATION: "a continuation row with no competence above it",
    Code.UNREADABLE_TABLE: "a PDF table whose layout could not be read",
    Code.AMBIGUOUS_LINE_BREAKS: "list items whose line breaks the PDF does not settle (warning)",
    Code.TIMEOUT: "processing took longer than --timeout",
    Code.MEMORY_LIMIT: "processing used more than --max-memory",
    Code.WORKER_DIED: "the worker process died",
    Code.INTERNAL_ERROR: "a bug in the pipeline",
    Code.TITLE_WITHOUT_LETTERS: "a title with nothing to name the profile by",
    Code.NO_COMPETENCES: "the competence tables have no rows",
    Code.NO_OCCUPATIONS: "the ESCO Occupations table has no rows",
    Code.UNKNOWN_CONTEXT_KEY: "a Context row with an unknown key (warning)",
    Code.REPEATED_CONTEXT_KEY: "a Context key given twice",
    Code.MISSING_CONTEXT_ROW: "a required Context row is missing",
    Code.BAD_EQF: "Minimum EQF is not a list of levels 1-8",
    Code.UNFINISHED_SPECIALISATION: "specialisation text kept as one title (warning)",
    Code.AMBIGUOUS_SPECIALISATIONS: "specialisations that split two ways (warning)",
    Code.EMPTY_COMPETENCE_TABLE: "a category heading with an empty table",
    Code.REPEATED_STATEMENT: "a bullet repeated within a competence (warning)",
    Code.NO_ESCO_SKILLS: "a competence without ESCO skills",
    Code.UNKNOWN_CATEGORY: "a category not in categories.txt",
    Code.UNKNOWN_TYPE: "a type not in types.txt",
    Code.UNKNOWN_LEVEL: "a level not in levels.txt",
    Code.UNKNOWN_DEPARTMENT: "a department not in departments.txt",
    Code.NOT_ALLOWED: "a value outside a column's allowed values",
    Code.BAD_PROFILE_ID: "a profile_id that is not a slug",
    Code.BAD_COMPETENCE_ID: "a competence_id that is not '<profile_id>--<slug>'",
    Code.BAD_ESCO_CODE: "an ESCO occupation code of the wrong form",
    Code.BAD_ESCO_URI: "an ESCO occupation URI of the wrong form",
    Code.BAD_PERIOD: "a project period that is not 'YYYY-YYYY'",
    Code.BAD_VALUE: "a value that does not match its column's pattern",
    Code.LEFTOVER_MARKUP: "text with markup, bullet markers or stray whitespace left in it",
    Code.EMPTY_VALUE: "a required text that is empty",
    Code.MISSING_VALUE: "a required value that is missing",
    Code.OUT_OF_RANGE: "a number outside its column's bounds",
    Code.WRONG_TYPE: "a column of the wrong type",
    Code.BAD_COLUMNS: "a table whose columns are not the contract's",
    Code.DUPLICATE_KEY: "a primary key given twice (within or across inputs)",
    Code.DUPLICATE_PROFILE: "two inputs that give the same profile_id",
    Code.BROKEN_LINK: "a row whose parent row is missing",
    Code.MISSING_OUTPUT: "a file the output should hold is missing",
    Code.BAD_MANIFEST: "manifest.json is missing, unreadable or inconsistent",
    Code.BAD_DATAPACKAGE: "datapackage.json does not describe the tables",
    Code.STALE_OUTPUT: "the output was written by another schema version",
    Code.FORMATS_DISAGREE: "the Parquet, CSV and JSON copies of a table differ",
    Code.FILE_TOO_LARGE: "a file larger than any profile, which is never read",
    Code.PDF_READER_WARNING: "the PDF reader worked around a defect in the file (warning)",
    Code.NOT_A_DOCX: "a .docx/.docm file that is not a readable Word document",
    Code.DOCX_ENCRYPTED: "a Word document that needs a password",
    Code.UNPACKS_TOO_LARGE: "a Word document that unpacks to more than a profile can be",
    Code.UNEXPECTED_TABLE: "a DOCX or Markdown table that is none of a profile's tables",
}
