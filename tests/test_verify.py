"""`albatts validate OUT`: a fresh output is valid; a hand-broken one is not, and says where."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.codes import Code
from pipeline.discover import discover_inputs
from pipeline.run import run
from pipeline.settings import Settings
from tests.conftest import invoke


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory, inbox_module: Path) -> Path:
    out = tmp_path_factory.mktemp("verify") / "out"
    report = run(discover_inputs([inbox_module]), Settings(out_dir=out))
    assert report.published and not report.rejected
    return out


@pytest.fixture(scope="module")
def inbox_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import AUTHORED, SEED

    folder = tmp_path_factory.mktemp("inbox")
    (folder / "seed.txt").write_bytes(SEED.read_bytes())
    for profile in sorted(AUTHORED.glob("*.txt"))[:2]:
        (folder / profile.name).write_bytes(profile.read_bytes())
    return folder


@pytest.fixture
def out(tmp_path: Path, fresh: Path) -> Path:
    copy = tmp_path / "out"
    shutil.copytree(fresh, copy)
    return copy


def problems(out: Path) -> tuple[int, list[dict]]:
    code, text = invoke("validate", str(out), "--json")
    return code, json.loads(text)["issues"]


def codes(issues: list[dict]) -> set[str]:
    return {issue["code"] for issue in issues}


def edit_csv(path: Path, edit) -> None:  # type: ignore[no-untyped-def]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(frame)
    frame.to_csv(path, index=False, lineterminator="\n")


def test_fresh_output_is_valid(fresh: Path) -> None:
    code, text = invoke("validate", str(fresh))
    assert code == 0, text
    assert text.strip() == f"{fresh}: valid (3 profile(s); formats: parquet, csv, json)"
    assert problems(fresh) == (0, [])


def test_unknown_level_in_a_csv_is_located_like_extraction(out: Path) -> None:
    def misspell(frame: pd.DataFrame) -> None:
        frame.loc[4, "level"] = "Expret"

    edit_csv(out / "csv" / "competences.csv", misspell)
    competence_id = pd.read_csv(out / "csv" / "competences.csv")["competence_id"][4]
    code, text = invoke("validate", str(out))
    assert code == 1
    assert (
        f"[validate] {out}/csv/competences.csv, line 6, table competences.level, competence "
    ) in text
    assert f"{competence_id}: 'Expret' is not in the levels vocabulary" in text
    assert "add the term to schemas/vocab/levels.txt if it is new" in text
    code, issues = problems(out)
    assert code == 1
    # The CSV no longer matches the Parquet and JSON copies either.
    assert codes(issues) == {Code.UNKNOWN_LEVEL, Code.FORMATS_DISAGREE}
    assert [i["location"]["file"] for i in issues if i["code"] == Code.FORMATS_DISAGREE] == [
        f"{out}/csv/competences.csv"
    ]


def test_duplicate_key_and_broken_link(out: Path) -> None:
    def duplicate_and_orphan(frame: pd.DataFrame) -> None:
        frame.loc[len(frame)] = frame.loc[0]
        frame.loc[1, "competence_id"] = frame.loc[1, "profile_id"] + "--ghost"

    edit_csv(out / "csv" / "competence_statements.csv", duplicate_and_orphan)
    shutil.rmtree(out / "parquet")
    shutil.rmtree(out / "json")
    _code, issues = problems(out)
    assert {Code.DUPLICATE_KEY, Code.BROKEN_LINK} <= codes(issues)
    broken = [i for i in issues if i["code"] == Code.BROKEN_LINK]
    assert len(broken) == 1
    assert broken[0]["location"]["file"] == f"{out}/csv/competence_statements.csv"
    assert broken[0]["location"]["line"] == 3
    # The manifest lists formats that are gone and row counts that changed.
    assert {Code.MISSING_OUTPUT, Code.BAD_MANIFEST} <= codes(issues)


def test_profile_removed_from_parquet(out: Path) -> None:
    profiles = pd.read_parquet(out / "parquet" / "profiles.parquet")
    profiles.iloc[1:].to_parquet(out / "parquet" / "profiles.parquet", index=False)
    _code, issues = problems(out)
    found = codes(issues)
    assert {Code.BROKEN_LINK, Code.BAD_MANIFEST, Code.FORMATS_DISAGREE} <= found
    assert any("has no ok input" in i["message"] or "does not hold" in i["message"] for i in issues)


def test_missing_table_stale_schema_and_edited_datapackage(out: Path) -> None:
    (out / "json" / "occupations.json").unlink()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["schema_version"] = "0.9"
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    package["resources"][5]["schema"]["fields"][7]["constraints"]["enum"].append("Guru")
    (out / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    code, issues = problems(out)
    assert code == 1
    assert {Code.MISSING_OUTPUT, Code.STALE_OUTPUT, Code.BAD_DATAPACKAGE} <= codes(issues)
    package_issue = next(i for i in issues if i["code"] == Code.BAD_DATAPACKAGE)
    assert "resources[5].schema.fields[7].constraints.enum" in package_issue["message"]


def test_unreadable_table_file_is_a_problem_not_a_crash(out: Path) -> None:
    (out / "parquet" / "departments.parquet").write_bytes(b"not parquet")
    code, issues = problems(out)
    assert code == 1
    assert Code.UNREADABLE in codes(issues)


def test_not_an_output_is_a_usage_error(tmp_path: Path) -> None:
    code, text = invoke("validate", str(tmp_path))
    assert code == 2
    assert "holds no parquet/, csv/ or json/ folder" in text
