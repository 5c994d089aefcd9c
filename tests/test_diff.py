"""`albatts diff`: an edited example profile shows as exactly the rows that changed."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.diff import diff_tables
from pipeline.discover import discover_inputs
from pipeline.outputs import read_output
from pipeline.run import run
from pipeline.settings import Settings
from tests.conftest import EXAMPLES, GOLDEN, SEED, invoke

PID = "embedded-system-and-bms-engineers"
CPP = f"{PID}--c-c-plus-plus"
PROGRAMMING = f"{PID}--general-programming-languages"
SW = f"{PID}--sw-development-engineering"
SAFETY = f"{PID}--functional-safety"
VANISHING = "battery-recycling-plant-operators"

# The edits a steward might make to the seed profile.
INSERTED_BULLET = (
    '<ul style="list-style-type: none"> - Knowledge and understanding of the programming',
    '<ul style="list-style-type: none"> - Write unit tests for embedded code '
    "- Knowledge and understanding of the programming",
)
REMOVED_BULLET = (
    " - Good knowledge of modern SW development tools, e.g. Git, Jira, Enterprise Architect",
    "",
)
EDITED_BULLET = (
    "Experience in Embedded system design",
    "Experience in embedded system design and testing",
)
ADDED_COMPETENCE = (
    "C/C++\tK\t",
    'Functional Safety\tK\t<ul style="list-style-type: none"> - Knowledge of ISO 26262 '
    "\tPractitioner\tfunctional safety\nC/C++\tK\t",
)


def extract(folder: Path, out: Path) -> Path:
    report = run(discover_inputs([folder]), Settings(out_dir=out, formats=("parquet", "csv")))
    assert all(verdict.status == "ok" for verdict in report.verdicts)
    return out


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """OLD: the seed and both example PDFs; NEW: the seed edited, one PDF gone."""
    root = tmp_path_factory.mktemp("diff")
    old_in, new_in = root / "old-in", root / "new-in"
    old_in.mkdir()
    new_in.mkdir()
    seed = SEED.read_text(encoding="utf-8")
    (old_in / "seed.txt").write_text(seed, encoding="utf-8")
    edited = seed
    for old, new in (INSERTED_BULLET, REMOVED_BULLET, EDITED_BULLET, ADDED_COMPETENCE):
        assert edited.count(old) == 1, old
        edited = edited.replace(old, new)
    (new_in / "seed.txt").write_text(edited, encoding="utf-8")
    for pdf in sorted(EXAMPLES.glob("*.pdf")):
        (old_in / pdf.name).write_bytes(pdf.read_bytes())
        if VANISHING not in pdf.name:
            (new_in / pdf.name).write_bytes(pdf.read_bytes())
    return extract(old_in, root / "old"), extract(new_in, root / "new")


def test_edited_profile_shows_exactly_the_changed_rows(outputs: tuple[Path, Path]) -> None:
    old, new = (read_output(folder).tables for folder in outputs)
    diff = diff_tables(old, new)

    assert diff.profiles_removed == (VANISHING,)
    assert diff.profiles_added == ()
    assert diff.profile_rows[VANISHING] == sum(
        int((frame["profile_id"] == VANISHING).sum()) for frame in old.values()
    )
    counts = {
        name: (len(t.added), len(t.removed), t.changed_rows)
        for name, t in diff.tables.items()
        if not t.identical
    }
    # The inserted bullet and the new competence's bullet; not a cascade of renumbered ones.
    assert counts == {
        "competences": (1, 0, 0),
        "competence_statements": (2, 1, 1),
        "competence_esco_skills": (1, 0, 0),
    }
    statements = diff.tables["competence_statements"]
    assert sorted(statements.added["statement"]) == [
        "Knowledge of ISO 26262",
        "Write unit tests for embedded code",
    ]
    assert (
        statements.added.set_index("statement").loc[
            "Write unit tests for embedded code", "competence_id"
        ]
        == CPP
    )
    assert list(statements.removed["statement"]) == [REMOVED_BULLET[0].removeprefix(" - ")]
    assert list(statements.removed["competence_id"]) == [PROGRAMMING]
    assert statements.changed.to_dict("records") == [
        {
            "competence_id": SW,
            "statement_no": 2,
            "column": "statement",
            "old": EDITED_BULLET[0],
            "new": EDITED_BULLET[1],
        }
    ]
    assert list(diff.tables["competences"].added["competence_id"]) == [SAFETY]
    assert list(diff.tables["competence_esco_skills"].added["esco_skill"]) == ["functional safety"]


def test_changed_cell_names_column_old_and_new(outputs: tuple[Path, Path]) -> None:
    old = read_output(outputs[0]).tables
    new = {name: frame.copy() for name, frame in old.items()}
    competences = new["competences"]
    row = competences.index[competences["competence_id"] == CPP][0]
    competences.loc[row, ["level", "level_rank"]] = ["Practitioner", 2]
    diff = diff_tables(old, new)
    changed = diff.tables["competences"].changed
    assert changed.to_dict("records") == [
        {"competence_id": CPP, "column": "level", "old": "Expert", "new": "Practitioner"},
        {"competence_id": CPP, "column": "level_rank", "old": 3, "new": 2},
    ]
    assert diff.tables["competences"].changed_rows == 1


def test_provenance_is_compared_only_when_asked(outputs: tuple[Path, Path]) -> None:
    old = read_output(outputs[0]).tables
    moved = {name: frame.copy() for name, frame in old.items()}
    moved["competence_statements"]["source_line"] += 1
    assert diff_tables(old, moved).identical
    with_provenance = diff_tables(old, moved, provenance=True)
    changed = with_provenance.tables["competence_statements"].changed
    assert set(changed["column"]) == {"source_line"}
    assert len(changed) == len(old["competence_statements"].dropna(subset=["source_line"]))


def test_a_repeated_item_matches_once_per_occurrence() -> None:
    old = read_output(GOLDEN).tables
    new = {name: frame.copy() for name, frame in old.items()}
    statements = new["competence_statements"]
    first = statements.iloc[[0]].assign(statement_no=statements["statement_no"].max() + 1)
    new["competence_statements"] = pd.concat([statements, first], ignore_index=True)
    diff = diff_tables(old, new).tables["competence_statements"]
    assert (len(diff.added), len(diff.removed), diff.changed_rows) == (1, 0, 0)


def test_cli_text_markdown_json_and_exit_codes(outputs: tuple[Path, Path]) -> None:
    old, new = outputs
    code, text = invoke("diff", str(old), str(new))
    assert code == 1
    lines = text.splitlines()
    assert lines[0].endswith("1 profile missing in NEW, 4 rows added, 1 row removed, 1 row changed")
    # The vanished profile is listed before any table.
    assert lines[2] == "Profiles in OLD, missing in NEW (1):"
    assert lines[3].startswith(f"  - {VANISHING} (")
    assert (
        f"  ~ competence_id='{SW}' statement_no=2: statement: "
        f"'{EDITED_BULLET[0]}' -> '{EDITED_BULLET[1]}'"
    ) in lines
    assert (
        f"  - competence_id='{PROGRAMMING}' statement_no=2 "
        f"statement='{REMOVED_BULLET[0].removeprefix(' - ')}' profile_id='{PID}'"
    ) in lines

    code, markdown = invoke("diff", str(old), str(new), "--markdown")
    assert code == 1
    assert f"- `{VANISHING}`" in markdown
    assert "#### competence_statements: 2 added, 1 removed, 1 changed" in markdown
    assert f"| {SW} | 2 | statement | {EDITED_BULLET[0]} | {EDITED_BULLET[1]} |" in markdown

    code, raw = invoke("diff", str(old), str(new), "--json")
    assert code == 1
    report = json.loads(raw)
    assert report["identical"] is False
    assert report["profiles_removed"] == [VANISHING]
    assert len(report["tables"]["competence_statements"]["added"]) == 2

    assert invoke("diff", str(old), str(old)) == (0, f"albatts diff {old} {old}: identical\n")


def test_output_compares_with_a_goldens_folder_in_any_format(
    tmp_path: Path, outputs: tuple[Path, Path]
) -> None:
    golden = tmp_path / "golden"
    golden.mkdir()
    for table in (outputs[0] / "csv").iterdir():
        (golden / table.name).write_bytes(table.read_bytes())
    assert invoke("diff", str(golden), str(outputs[0]))[0] == 0
    assert invoke("diff", str(golden), str(outputs[1]))[0] == 1


def test_usage_errors_exit_2(tmp_path: Path, outputs: tuple[Path, Path]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, text = invoke("diff", str(empty), str(outputs[0]))
    assert code == 2
    assert "holds no tables" in text
    assert invoke("diff", str(outputs[0]), str(tmp_path / "nowhere"))[0] == 2
    assert invoke("diff", str(outputs[0]), str(outputs[1]), "--json", "--markdown")[0] == 2
    incomplete = tmp_path / "incomplete"
    (incomplete / "csv").mkdir(parents=True)
    (incomplete / "csv" / "profiles.csv").write_bytes(
        (outputs[0] / "csv" / "profiles.csv").read_bytes()
    )
    code, text = invoke("diff", str(outputs[0]), str(incomplete))
    assert code == 2
    assert "occupations.csv is missing" in text
