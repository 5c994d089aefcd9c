"""Every example input, end to end, against its reviewed goldens in tests/golden/<stem>/.

After a reviewed change to the parser, `make golden` rewrites them all; review the diff.
`make regress` shows the same comparison as `albatts diff` output.
"""

import csv
from pathlib import Path

import pytest

from pipeline.contract.tables import TABLES, columns
from pipeline.run import run
from pipeline.settings import Settings
from tests.conftest import EXAMPLES, GOLDEN, REPO, SEED

# The Makefile's EXAMPLE_INPUTS: what a reviewer reads goldens for.
EXAMPLE_INPUTS = sorted([*SEED.parent.glob("*.txt"), *EXAMPLES.glob("*.pdf")])
GOLDENS = REPO / "tests" / "golden"


@pytest.fixture(scope="module", params=EXAMPLE_INPUTS, ids=lambda path: path.name)
def example_out(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """An example input's fresh output, and its goldens folder."""
    example: Path = request.param
    out = tmp_path_factory.mktemp("golden") / "out"
    report = run([example], Settings(out_dir=out, formats=("csv",)))
    assert [v.status for v in report.verdicts] == ["ok"]
    return out, GOLDENS / example.stem


def golden_rows(table: str) -> list[dict[str, str]]:
    with (GOLDEN / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_example_input_has_goldens() -> None:
    assert {path.stem for path in EXAMPLE_INPUTS} == {
        folder.name for folder in GOLDENS.iterdir() if folder.is_dir()
    }


@pytest.mark.parametrize("table", list(TABLES))
def test_example_tables_match_golden(example_out: tuple[Path, Path], table: str) -> None:
    out, goldens = example_out
    produced = (out / "csv" / f"{table}.csv").read_text(encoding="utf-8")
    golden = (goldens / f"{table}.csv").read_text(encoding="utf-8")
    assert produced == golden, (
        f"{table} differs from {goldens.relative_to(REPO)}; see `make regress`, and run "
        "`make golden` after review"
    )


@pytest.mark.parametrize("table", list(TABLES))
def test_golden_has_the_contract_columns(table: str) -> None:
    for folder in sorted(GOLDENS.iterdir()):
        with (folder / f"{table}.csv").open(encoding="utf-8") as handle:
            assert next(csv.reader(handle)) == columns(table), folder.name


def test_golden_holds_the_facts_checked_by_hand() -> None:
    counts = {table: len(golden_rows(table)) for table in TABLES}
    assert counts == {
        "profiles": 1,
        "occupations": 4,
        "eqf_levels": 3,
        "departments": 4,
        "specialisations": 15,
        "competences": 21,
        "competence_statements": 55,
        "competence_esco_skills": 20,
    }
    statements = [row["statement"] for row in golden_rows("competence_statements")]
    assert "Work with cross-functional teams to develop, implement, test, and maintain models" in (
        statements
    )
    teamwork = [
        row["esco_skill"]
        for row in golden_rows("competence_esco_skills")
        if row["competence_id"].endswith("--teamwork")
    ]
    assert teamwork == ["teamwork principles", "communication"]
    assert [row["eqf_level"] for row in golden_rows("eqf_levels")] == ["6", "7", "8"]
    assert [row["department"] for row in golden_rows("departments")] == [
        "Production and Maintenance",
        "Quality",
        "RnD",
        "IT/Digitalisation",
    ]
    assert [row["specialisation"] for row in golden_rows("specialisations")] == [
        "Battery Management System (BMS) Engineer",
        "Battery Management System QA Engineer",
        "Electrical Engineer (BMS)",
        "Software/Modeling Engineer",
        "Lead Battery Management System (BMS) Engineer (maintenance)",
        "Embedded Software Engineer",
        "Diagnostic Engineer - BMS Function",
        "System Design Engineer - BMS",
        "Group Manager - BMS",
        "Embedded SW Developer for BMS",
        "HW Developer for BMS",
        "Requirements and System Engineer for BMS",
        "Battery Management System Lead",
        "Senior Battery Management System Engineer",
        "Application Engineer – BMS",
    ]
    academic = [
        row for row in golden_rows("competences") if row["category"] == "Academic Competence"
    ]
    assert {row["category_note"] for row in academic} == {"can be taken from University programme"}
    assert [row["esco_code"] for row in golden_rows("occupations")][-1] == "2514.2.1"
