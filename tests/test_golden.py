"""The seed profile, end to end, against the reviewed goldens in tests/golden/seed/.

After a reviewed change to the parser, `make golden` rewrites the goldens; review the diff.
"""

import csv
from pathlib import Path

import pytest

from pipeline.contract.tables import TABLES, columns
from pipeline.run import run
from pipeline.settings import Settings
from tests.conftest import GOLDEN, SEED


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed") / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(SEED.parent.parent)
        report = run([Path("raw") / SEED.name], Settings(out_dir=out, formats=("csv",)))
    assert [v.status for v in report.verdicts] == ["ok"]
    return out


def golden_rows(table: str) -> list[dict[str, str]]:
    with (GOLDEN / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("table", list(TABLES))
def test_seed_tables_match_golden(seed_out: Path, table: str) -> None:
    produced = (seed_out / "csv" / f"{table}.csv").read_text(encoding="utf-8")
    golden = (GOLDEN / f"{table}.csv").read_text(encoding="utf-8")
    assert produced == golden, (
        f"{table} differs from tests/golden/seed; run `make golden` after review"
    )


@pytest.mark.parametrize("table", list(TABLES))
def test_golden_has_the_contract_columns(table: str) -> None:
    with (GOLDEN / f"{table}.csv").open(encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == columns(table)


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
