"""Table contracts: every failure becomes an Issue naming file, table, column, row and line."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.errors
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pandas.core.arrays.string_arrow import ArrowStringArray
from pandera.engines import pandas_engine

from pipeline.codes import Code
from pipeline.contract.checks import LEFTOVER_MARKUP, LEFTOVER_MARKUP_PARAGRAPHS, SPACE, holds
from pipeline.contract.dtypes import Text
from pipeline.contract.tables import ORDERED_CATEGORIES, TABLES, Competences, Departments
from pipeline.contract.vocabulary import load_vocabulary
from pipeline.extract.text import read_text
from pipeline.model import Issue, Location, Source
from pipeline.stages.normalise import Normalised, NormaliseRules, document_to_profile
from pipeline.stages.tables import Tables, frame_to_records, profile_to_tables, records_to_frame
from pipeline.validate import validate_tables

FILE = "raw/x.txt"
VOCAB_DIR = Path(__file__).resolve().parent.parent / "schemas" / "vocab"
PID = "embedded-system-and-bms-engineers"
ESCO = "http://data.europa.eu/esco/occupation/"
CATEGORIES_ALLOWED = (
    "Cross-sectoral Specific Competence, Sector Specific Competence, Soft Competence, "
    "General Transversal Competence, Academic Competence"
)
DEPARTMENTS_ALLOWED = (
    "RnD, Production and Maintenance, Quality, IT/Digitalisation, Sales and Marketing, "
    "Logistics, Management, Health, Safety and Environment, Procurement, Human Resources"
)
FIX_VALUE = "correct the value in the document"


def cid(slug: str) -> str:
    return f"{PID}--{slug}"


def vocab_hint(name: str) -> str:
    return f"correct the document, or add the term to schemas/vocab/{name}.txt if it is new"


def where(line: int | None, table: str, column: str, row: str | None) -> Location:
    return Location(FILE, line=line, table=table, column=column, row=row)


def normalise(text: str, rules: NormaliseRules) -> Normalised:
    return document_to_profile(
        read_text(text.encode("utf-8"), Source(FILE, "text", "0" * 64)), rules
    )


def build_tables(text: str, rules: NormaliseRules) -> Tables:
    return profile_to_tables(normalise(text, rules).profile)


def test_seed_validates_with_only_its_warnings(seed_text: str, rules: NormaliseRules) -> None:
    normalised = normalise(seed_text, rules)
    assert [
        (i.severity, i.location.line, i.location.row, i.message) for i in normalised.issues
    ] == [
        (
            "warning",
            49,
            "competence 'Embedded Systems'",
            "statement #3 repeats an earlier statement: 'Define the interface and control "
            "strategy of embedded BMS software'",
        ),
        ("warning", 62, "competence 'BMS'", "competence has no ESCO skills"),
        ("warning", 63, "competence 'Battery System'", "competence has no ESCO skills"),
        ("warning", 71, "competence 'Communication'", "competence has no ESCO skills"),
    ]
    assert validate_tables(profile_to_tables(normalised.profile), FILE) == []


def errors(issues: tuple[Issue, ...]) -> tuple[Issue, ...]:
    return tuple(issue for issue in issues if issue.severity == "error")


# --- problems in the document that only validation catches --------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "\tAwareness\tbattery chemistry",
            "\tExpret\tbattery chemistry",
            [
                Issue(
                    "validate",
                    "'Expret' is not in the levels vocabulary "
                    "(allowed: Awareness, Practitioner, Expert)",
                    where(
                        61,
                        "competences",
                        "level",
                        f"competence 'Lithium-ion Chemistry' {cid('lithium-ion-chemistry')}",
                    ),
                    vocab_hint("levels"),
                    code=Code.UNKNOWN_LEVEL,
                )
            ],
            id="level-not-in-vocabulary",
        ),
        pytest.param(
            "C/C++\tK\t",
            "C/C++\tX\t",
            [
                Issue(
                    "validate",
                    "'X' is not in the types vocabulary (allowed: S, K)",
                    where(50, "competences", "type", f"competence 'C/C++' {cid('c-c-plus-plus')}"),
                    vocab_hint("types"),
                    code=Code.UNKNOWN_TYPE,
                )
            ],
            id="type-not-in-vocabulary",
        ),
        pytest.param(
            "\nSoft Competence\n",
            "\nSofter Competence\n",
            [
                Issue(
                    "validate",
                    f"'Softer Competence' is not in the categories vocabulary "
                    f"(allowed: {CATEGORIES_ALLOWED})",
                    where(
                        68, "competences", "category", f"competence 'Teamwork' {cid('teamwork')}"
                    ),
                    vocab_hint("categories"),
                    code=Code.UNKNOWN_CATEGORY,
                ),
                Issue(
                    "validate",
                    f"'Softer Competence' is not in the categories vocabulary "
                    f"(allowed: {CATEGORIES_ALLOWED})",
                    where(
                        71,
                        "competences",
                        "category",
                        f"competence 'Communication' {cid('communication')}",
                    ),
                    vocab_hint("categories"),
                    code=Code.UNKNOWN_CATEGORY,
                ),
            ],
            id="unknown-category-heading",
        ),
        pytest.param(
            "Departments\tProduction and Maintenance Quality",
            "Departments\tProduction and Maintenance Catering Quality",
            [
                Issue(
                    "validate",
                    f"'Catering' is not in the departments vocabulary "
                    f"(allowed: {DEPARTMENTS_ALLOWED})",
                    where(37, "departments", "department", "department #2"),
                    vocab_hint("departments"),
                    code=Code.UNKNOWN_DEPARTMENT,
                )
            ],
            id="unknown-department-kept-as-item",
        ),
        pytest.param(
            "10469d70-78a3-4650-9e29-d04de13c62c1",
            "not-a-uuid",
            [
                Issue(
                    "validate",
                    f"'{ESCO}not-a-uuid' is not {ESCO} followed by a UUID",
                    where(28, "occupations", "esco_uri", "occupation #1"),
                    FIX_VALUE,
                    code=Code.BAD_ESCO_URI,
                )
            ],
            id="esco-uri-not-uuid",
        ),
        pytest.param(
            "2511.5\t",
            "25x1\t",
            [
                Issue(
                    "validate",
                    "'25x1' is not an ESCO occupation code such as 2514.2.1",
                    where(28, "occupations", "esco_code", "occupation #1"),
                    FIX_VALUE,
                    code=Code.BAD_ESCO_CODE,
                )
            ],
            id="esco-code-malformed",
        ),
        pytest.param(
            "- A degree in Computer Science",
            "- A degree in a < b",
            [
                Issue(
                    "validate",
                    "competence_statements.statement 'A degree in a < b' has leftover markup, "
                    "bullet marker, line break or double space",
                    where(
                        84,
                        "competence_statements",
                        "statement",
                        f"competence {cid('computer-science')} #1",
                    ),
                    FIX_VALUE,
                    code=Code.LEFTOVER_MARKUP,
                )
            ],
            id="statement-leftover-less-than",
        ),
        pytest.param(
            "- A degree in Computer Science",
            "- A degree in a > b",
            [
                Issue(
                    "validate",
                    "competence_statements.statement 'A degree in a > b' has leftover markup, "
                    "bullet marker, line break or double space",
                    where(
                        84,
                        "competence_statements",
                        "statement",
                        f"competence {cid('computer-science')} #1",
                    ),
                    FIX_VALUE,
                    code=Code.LEFTOVER_MARKUP,
                )
            ],
            id="statement-leftover-greater-than",
        ),
        pytest.param(
            "- A degree in Computer Science",
            "- A degree in &lt;b&gt;Computer Science",
            [
                Issue(
                    "validate",
                    # Tags are stripped before entities are decoded, so an escaped tag stays.
                    "competence_statements.statement 'A degree in <b>Computer Science' has "
                    "leftover markup, bullet marker, line break or double space",
                    where(
                        84,
                        "competence_statements",
                        "statement",
                        f"competence {cid('computer-science')} #1",
                    ),
                    FIX_VALUE,
                    code=Code.LEFTOVER_MARKUP,
                )
            ],
            id="statement-entity-escaped-tag",
        ),
        pytest.param(
            "\tthink analytically",
            "\tthink > analytically",
            [
                Issue(
                    "validate",
                    "competence_esco_skills.esco_skill 'think > analytically' has leftover "
                    "markup, bullet marker, line break or double space",
                    where(
                        78,
                        "competence_esco_skills",
                        "esco_skill",
                        f"competence {cid('analytical-skills')} #1",
                    ),
                    FIX_VALUE,
                    code=Code.LEFTOVER_MARKUP,
                )
            ],
            id="esco-skill-leftover-markup",
        ),
        pytest.param(
            "Hardware\tK\t",
            "Hard > ware\tK\t",
            [
                Issue(
                    "validate",
                    "competences.name 'Hard > ware' has leftover markup, bullet marker, "
                    "line break or double space",
                    where(
                        56, "competences", "name", f"competence 'Hard > ware' {cid('hard-ware')}"
                    ),
                    FIX_VALUE,
                    code=Code.LEFTOVER_MARKUP,
                )
            ],
            id="competence-name-leftover-markup",
        ),
        pytest.param(
            "Minimum EQF\t6/7/8",
            "Minimum EQF\t6/7/9",
            [
                Issue(
                    "validate",
                    "9 is out of range for eqf_levels.eqf_level (less_than_or_equal_to(8))",
                    where(None, "eqf_levels", "eqf_level", None),
                    FIX_VALUE,
                    code=Code.OUT_OF_RANGE,
                )
            ],
            id="eqf-level-above-8",
        ),
    ],
)
def test_document_problem_becomes_validate_issue(
    seed_text: str, rules: NormaliseRules, old: str, new: str, expected: list[Issue]
) -> None:
    assert old in seed_text
    normalised = normalise(seed_text.replace(old, new), rules)
    assert errors(normalised.issues) == ()  # normalise keeps the text so validation names it
    assert validate_tables(profile_to_tables(normalised.profile), FILE) == expected


def test_lazy_validation_reports_every_problem_in_one_call(
    seed_text: str, rules: NormaliseRules
) -> None:
    text = seed_text.replace("\tAwareness\tbattery chemistry", "\tExpret\tbattery chemistry")
    text = text.replace("10469d70-78a3-4650-9e29-d04de13c62c1", "not-a-uuid")
    assert validate_tables(build_tables(text, rules), FILE) == [
        Issue(
            "validate",
            f"'{ESCO}not-a-uuid' is not {ESCO} followed by a UUID",
            where(28, "occupations", "esco_uri", "occupation #1"),
            FIX_VALUE,
            code=Code.BAD_ESCO_URI,
        ),
        Issue(
            "validate",
            "'Expret' is not in the levels vocabulary (allowed: Awareness, Practitioner, Expert)",
            where(
                61,
                "competences",
                "level",
                f"competence 'Lithium-ion Chemistry' {cid('lithium-ion-chemistry')}",
            ),
            vocab_hint("levels"),
            code=Code.UNKNOWN_LEVEL,
        ),
    ]


# --- problems only a hand-built frame can have ------------------------------------------


def edit_records(
    tables: Tables, table: str, edit: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
) -> None:
    tables[table] = records_to_frame(table, edit(frame_to_records(tables[table])))


def duplicate_competence_id(tables: Tables) -> None:
    second = cid("general-programming-languages")

    def without_second(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [record for record in records if record["competence_id"] != second]

    def repeat_first_id(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        records[1]["competence_id"] = records[0]["competence_id"]
        return records

    edit_records(tables, "competences", repeat_first_id)
    # Drop the child rows of the renamed competence so only the duplicate is reported.
    edit_records(tables, "competence_statements", without_second)
    edit_records(tables, "competence_esco_skills", without_second)


def empty_statement(tables: Tables) -> None:
    def blank_fourth(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        records[3]["statement"] = ""
        return records

    edit_records(tables, "competence_statements", blank_fourth)


def orphan_statement(tables: Tables) -> None:
    def point_at_ghost(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        records[3]["competence_id"] = cid("ghost")
        return records

    edit_records(tables, "competence_statements", point_at_ghost)


MODELS = cid("models-modelling-diagrams-schematics")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            duplicate_competence_id,
            [
                Issue(
                    "validate",
                    f"'{MODELS}' is repeated in competences.competence_id",
                    where(
                        43,
                        "competences",
                        "competence_id",
                        f"competence 'Models/Modelling/ Diagrams /Schematics' {MODELS}",
                    ),
                    "each value may appear once; remove the duplicate",
                    code=Code.DUPLICATE_KEY,
                ),
                Issue(
                    "validate",
                    f"'{MODELS}' is repeated in competences.competence_id",
                    where(
                        46,
                        "competences",
                        "competence_id",
                        f"competence 'General Programming Languages' {MODELS}",
                    ),
                    "each value may appear once; remove the duplicate",
                    code=Code.DUPLICATE_KEY,
                ),
            ],
            id="duplicate-competence-id",
        ),
        pytest.param(
            empty_statement,
            [
                Issue(
                    "validate",
                    "competence_statements.statement '' is empty",
                    # Statement 4 of Models/... comes from the continuation row on line 45.
                    where(45, "competence_statements", "statement", f"competence {MODELS} #4"),
                    FIX_VALUE,
                    code=Code.EMPTY_VALUE,
                )
            ],
            id="empty-statement",
        ),
        pytest.param(
            orphan_statement,
            [
                Issue(
                    "validate",
                    f"profile_id/competence_id ('{PID}', '{cid('ghost')}') has no row in "
                    "competences",
                    where(
                        45,
                        "competence_statements",
                        "competence_id",
                        f"competence {cid('ghost')} #4",
                    ),
                    "this is a pipeline bug: please report it with the input file",
                    code=Code.BROKEN_LINK,
                )
            ],
            id="foreign-key-missing-parent",
        ),
    ],
)
def test_hand_built_frame_problem(
    seed_text: str,
    rules: NormaliseRules,
    edit: Callable[[Tables], None],
    expected: list[Issue],
) -> None:
    tables = build_tables(seed_text, rules)
    edit(tables)
    assert validate_tables(tables, FILE) == expected


# --- reported badly: one problem, misleading or repeated issues ---------------------------


def test_repeated_department_blames_only_the_department(
    seed_text: str, rules: NormaliseRules
) -> None:
    text = seed_text.replace("Maintenance Quality RnD", "Maintenance Quality Quality RnD")
    issues = validate_tables(build_tables(text, rules), FILE)
    assert {(issue.location.column, "'Quality'" in issue.message) for issue in issues} == {
        ("department", True)
    }


def test_period_backwards_gives_one_issue(seed_text: str, rules: NormaliseRules) -> None:
    issues = validate_tables(build_tables(seed_text.replace("2019-2023", "2023-2019"), rules), FILE)
    assert [(issue.location.table, issue.location.row) for issue in issues] == [
        ("profiles", f"profile '{PID}'")
    ]
    assert "period_start is after period_end" in issues[0].message


# --- normalise-stage issues --------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "Minimum EQF\t6/7/8",
            "Minimum EQF\tsix",
            Issue(
                "normalise",
                "Minimum EQF 'six': 'six' is not an EQF level (a number from 1 to 8)",
                Location(FILE, line=35, table="eqf_levels", column="eqf_level"),
                "write the EQF levels as numbers 1-8, e.g. 6 or 6/7/8",
                code=Code.BAD_EQF,
            ),
            id="eqf-not-a-number",
        ),
        pytest.param(
            "Value Chain\tModules & Pack Battery Integration\n",
            "",
            Issue(
                "normalise",
                "the Context table has no 'Value Chain' row",
                Location(FILE, table="context"),
                "add a 'Value Chain' row to the Context table",
                code=Code.MISSING_CONTEXT_ROW,
            ),
            id="value-chain-row-missing",
        ),
        pytest.param(
            "Minimum EQF\t6/7/8\n",
            "Minimum EQF\t6/7/8\nFavourite Colour\tblue\n",
            Issue(
                "normalise",
                "unknown Context key 'Favourite Colour' ignored",
                Location(FILE, line=36, table="context"),
                "known keys: Minimum EQF, Value Chain, Departments, Specialisations",
                severity="warning",
                code=Code.UNKNOWN_CONTEXT_KEY,
            ),
            id="unknown-context-key-warning",
        ),
        pytest.param(
            "Application Engineer – BMS",
            "Application Engineer – BMS Battery Wizard",
            Issue(
                "normalise",
                "specialisation text 'Battery Wizard' does not end in a role noun from "
                "schemas/vocab/role_nouns.txt, so it is kept as one title",
                Location(FILE, line=38, table="specialisations", column="specialisation"),
                "if its last word is a role noun, add that noun to "
                "schemas/vocab/role_nouns.txt; if it is several titles, write one title per "
                "line (or separate them with ';')",
                severity="warning",
                code=Code.UNFINISHED_SPECIALISATION,
            ),
            id="specialisation-without-role-noun-warning",
        ),
        pytest.param(
            "Application Engineer – BMS",
            "Application Engineer – BMS Line Operator Trainer",
            Issue(
                "normalise",
                "ambiguous specialisations 'Line Operator Trainer': read as one title, not as "
                "'Line Operator' + 'Trainer' ('Operator' and 'Trainer' are both role nouns)",
                Location(FILE, line=38, table="specialisations", column="specialisation"),
                "if the other reading is right, write one title per line (or separate them "
                "with ';'); if 'Trainer' usually opens a title, add it to "
                "schemas/vocab/title_openers.txt",
                severity="warning",
                code=Code.AMBIGUOUS_SPECIALISATIONS,
            ),
            id="specialisation-role-nouns-meet-warning",
        ),
        pytest.param(
            "Application Engineer – BMS",
            "Line Operator Trainer Quality Inspector Application Engineer – BMS",
            Issue(
                "normalise",
                "ambiguous specialisations 'Line Operator Trainer Quality Inspector': read as "
                "'Line Operator Trainer' + 'Quality Inspector', not as 'Line Operator' + "
                "'Trainer Quality Inspector' ('Operator' and 'Trainer' are both role nouns)",
                Location(FILE, line=38, table="specialisations", column="specialisation"),
                "if the other reading is right, write one title per line (or separate them "
                "with ';'); if 'Trainer' usually opens a title, add it to "
                "schemas/vocab/title_openers.txt",
                severity="warning",
                code=Code.AMBIGUOUS_SPECIALISATIONS,
            ),
            id="specialisation-split-shown-warning",
        ),
    ],
)
def test_normalise_issue(
    seed_text: str, rules: NormaliseRules, old: str, new: str, expected: Issue
) -> None:
    assert old in seed_text
    baseline = {(i.message, i.location.row) for i in normalise(seed_text, rules).issues}
    issues = normalise(seed_text.replace(old, new), rules).issues
    assert tuple(i for i in issues if (i.message, i.location.row) not in baseline) == (expected,)


# --- the contract and the vocabulary files ----------------------------------------------


def vocab_file_terms(name: str) -> tuple[str, ...]:
    lines = (line.strip() for line in (VOCAB_DIR / f"{name}.txt").read_text("utf-8").splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


@pytest.mark.parametrize(
    ("model", "column", "vocabulary"),
    [
        pytest.param(Competences, "category", "categories", id="competences-category"),
        pytest.param(Competences, "type", "types", id="competences-type"),
        pytest.param(Competences, "level", "levels", id="competences-level"),
        pytest.param(Departments, "department", "departments", id="departments-department"),
    ],
)
def test_vocabulary_column_allows_exactly_the_vocab_file_terms(
    model: type, column: str, vocabulary: str
) -> None:
    schema_column = model.to_schema().columns[column]
    allowed = [
        tuple(check.statistics["allowed_values"])
        for check in schema_column.checks
        if check.name == "isin"
    ]
    assert allowed == [vocab_file_terms(vocabulary)]
    assert allowed == [load_vocabulary(vocabulary).terms]
    assert schema_column.metadata == {"vocabulary": vocabulary}


def test_only_the_vocabulary_columns_carry_vocabulary_metadata() -> None:
    tagged = {
        (table, name): column.metadata["vocabulary"]
        for table, model in TABLES.items()
        for name, column in model.to_schema().columns.items()
        if column.metadata and "vocabulary" in column.metadata
    }
    assert tagged == {
        ("departments", "department"): "departments",
        ("competences", "category"): "categories",
        ("competences", "type"): "types",
        ("competences", "level"): "levels",
    }


def test_level_order_is_the_vocab_file_order() -> None:
    assert {("competences", "level"): vocab_file_terms("levels")} == ORDERED_CATEGORIES
    assert vocab_file_terms("levels") == ("Awareness", "Practitioner", "Expert")


def test_text_dtype_answers_once_and_fails_as_pandera_string_does(
    seed_text: str, rules: NormaliseRules
) -> None:
    """The contract's Text dtype checks a matching column with one answer (pandera's
    STRING answers element by element, and then builds failure cases from it), and a
    column holding a non-text value fails exactly as under STRING."""
    tables = build_tables(seed_text, rules)
    names = tables["competences"]["name"]
    assert Text().check(pandas_engine.Engine.dtype(names.dtype), names) is True
    broken = tables["competences"].astype({"name": object})
    broken.loc[1, "name"] = 42
    schema = TABLES["competences"].to_schema()
    assert isinstance(schema.columns["name"].dtype, Text)
    as_string = schema.update_column("name", dtype=pandas_engine.STRING())
    failures = []
    for each in (schema, as_string):
        with pytest.raises(pandera.errors.SchemaErrors) as raised:
            each.validate(broken, lazy=True)
        failures.append(raised.value.failure_cases.to_dict("records"))
    assert failures[0] == failures[1]
    dtype_failures = [case for case in failures[0] if case["check"].startswith("dtype")]
    assert [(case["column"], case["index"]) for case in dtype_failures] == [("name", 1)]


def test_the_markup_checks_run_in_arrow_and_match_as_python_does() -> None:
    """SPACE is Python's \\s spelt out (pandas would run a pattern holding \\s in Python,
    value by value), and the checks find in Arrow what Python's re finds."""
    spaces = {chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()}
    matched = {chr(code) for code in range(sys.maxunicode + 1) if re.fullmatch(SPACE, chr(code))}
    assert matched == spaces
    values = ["ok", " lead", "trail ", "a  b", "a\u00a0", "\u2003x", "• item", "-", "x\n", "a\nb"]
    values += ["a\n\nb", "a\n\n\nb", "<b>", "tab\there", "•\n", "x\u3000", "\u202f", ""]
    column = pd.Series(values, dtype="str")
    for pattern in (LEFTOVER_MARKUP, LEFTOVER_MARKUP_PARAGRAPHS):
        assert column.dtype.storage == "pyarrow"
        in_arrow = holds(column, pattern).tolist()
        assert in_arrow == [re.search(pattern, value) is not None for value in values]
    # What makes pandas run a pattern in Python's re instead (pandas 3's own test of it).
    arrow = pd.array(["x"], dtype="str")
    assert isinstance(arrow, ArrowStringArray)
    assert not arrow._needs_python_regex(LEFTOVER_MARKUP)


# Text around what the markup patterns look at: line breaks, spaces of every kind,
# markers, markup, letters.
MARKUP_TEXT = st.text(
    st.sampled_from(["a", " ", "\n", "\t", "\r", "\u00a0", "\u2003", "\x1c", "•", "-", "<"])
)


@given(st.lists(MARKUP_TEXT | st.none(), max_size=6))
def test_the_markup_checks_find_in_arrow_what_pythons_re_finds(values: list[str | None]) -> None:
    column = pd.Series(values, dtype="str")
    for pattern in (LEFTOVER_MARKUP, LEFTOVER_MARKUP_PARAGRAPHS):
        expected = [re.search(pattern, value or "") is not None for value in values]
        assert holds(column, pattern).tolist() == expected
        assert holds(column.astype(object), pattern).tolist() == expected
