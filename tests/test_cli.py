import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from pipeline.cache_key import CACHE_FOLDER
from pipeline.cli import main
from pipeline.contract.tables import TABLES
from tests.conftest import SEED, invoke


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_extract_folder_writes_every_table_in_every_format(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = invoke("extract", str(inbox), "--out", str(out))
    assert code == 0, output
    for table in TABLES:
        assert (out / "parquet" / f"{table}.parquet").is_file()
        assert (out / "csv" / f"{table}.csv").is_file()
        assert (out / "json" / f"{table}.json").is_file()
    assert sorted(p.name for p in (out / "json" / "profiles").iterdir()) == [
        "battery-cell-production-operator.json",
        "embedded-system-and-bms-engineers.json",
    ]
    assert [entry["source_file"].rsplit("/", 1)[-1] for entry in manifest(out)["inputs"]] == [
        "seed.txt",
        "operator.txt",
    ]
    assert "2 profile(s) ok, 0 rejected" in output
    assert "competence_statements" in output


def test_summary_counts_rows_per_table(tmp_path: Path) -> None:
    code, output = invoke("extract", str(SEED), "--out", str(tmp_path / "out"), "--format", "csv")
    assert code == 0
    rows = {
        line.split("│")[1].strip(): line.split("│")[2].strip()
        for line in output.splitlines()
        if line.count("│") == 3
    }
    assert rows["competences"] == "21"
    assert rows["competence_statements"] == "55"


def test_a_bad_file_is_rejected_and_the_good_ones_still_written(
    inbox: Path, tmp_path: Path
) -> None:
    bad = SEED.read_text(encoding="utf-8").replace("\tExpert\tC/C++", "\tExpret\tC/C++")
    bad = bad.replace("Embedded System and BMS Engineers", "Another Profile")
    (inbox / "bad.txt").write_text(bad, encoding="utf-8")
    out = tmp_path / "out"
    code, output = invoke("extract", str(inbox), "--out", str(out))
    assert code == 1
    verdicts = {Path(e["source_file"]).name: e for e in manifest(out)["inputs"]}
    assert verdicts["bad.txt"]["status"] == "rejected"
    assert verdicts["seed.txt"]["status"] == "ok"
    [error] = verdicts["bad.txt"]["errors"]
    assert error["location"]["table"] == "competences"
    assert error["location"]["column"] == "level"
    assert error["location"]["line"] == 50
    assert "'Expret' is not in the levels vocabulary" in error["message"]
    assert "rejected" in output and "bad.txt" in output and "Expret" in output
    profiles = (out / "csv" / "profiles.csv").read_text(encoding="utf-8")
    assert "another-profile" not in profiles
    assert "embedded-system-and-bms-engineers" in profiles


def test_format_option_limits_outputs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _ = invoke("extract", str(SEED), "--out", str(out), "--format", "parquet")
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "DATA.md",
        "datapackage.json",
        "manifest.json",
        "parquet",
        "report.html",
        "validation.json",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--format", "xlsx"], "choose from parquet, csv, json", id="unknown-format"),
        pytest.param(["--format", ","], "choose from", id="empty-format"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    code, output = invoke("extract", str(SEED), "--out", str(tmp_path / "out"), *args)
    assert code == 2
    assert message in output


def test_missing_input_is_a_usage_error(tmp_path: Path) -> None:
    code, output = invoke("extract", str(tmp_path / "nope.txt"), "--out", str(tmp_path / "out"))
    assert code == 2
    assert "does not exist" in output


def test_folder_without_profiles_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, output = invoke("extract", str(tmp_path / "empty"), "--out", str(tmp_path / "out"))
    assert code == 2
    assert "no .pdf, .txt, .md, .docx or .docm files" in output


def test_refuses_to_replace_a_folder_that_is_not_an_output(tmp_path: Path) -> None:
    precious = tmp_path / "documents"
    precious.mkdir()
    (precious / "thesis.docx").write_text("years of work", encoding="utf-8")
    code, output = invoke("extract", str(SEED), "--out", str(precious))
    assert code == 2
    assert "refusing to replace it" in output
    assert [p.name for p in precious.iterdir()] == ["thesis.docx"]


def test_a_rerun_replaces_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke("extract", str(SEED), "--out", str(out))[0] == 0
    (out / "stale.txt").write_text("from an older run", encoding="utf-8")
    assert invoke("extract", str(SEED), "--out", str(out), "--format", "csv")[0] == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "DATA.md",
        "csv",
        "datapackage.json",
        "manifest.json",
        "report.html",
        "validation.json",
    ]
    # Beside it, the cache of per-file results and no litter.
    assert sorted(p.name for p in tmp_path.iterdir()) == [CACHE_FOLDER, "out"]


def all_commands(group: click.Group) -> list[tuple[str, click.Command]]:
    return [("albatts", group)] + [(f"albatts {name}", cmd) for name, cmd in group.commands.items()]


@pytest.mark.parametrize(("name", "command"), all_commands(main), ids=lambda v: str(v))
def test_every_command_has_help_with_an_example(name: str, command: click.Command) -> None:
    args = name.split()[1:]
    code, output = invoke(*args, "--help")
    assert code == 0
    assert "Example" in output, f"{name} --help has no example"


def test_python_dash_m_runs_the_cli(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "extract",
            str(SEED),
            "--out",
            str(tmp_path / "o"),
            "-q",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "1 profile(s) ok, 0 rejected" in result.stdout


def test_an_internal_error_is_a_verdict_and_debug_shows_its_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise ZeroDivisionError("a bug in a stage")

    monkeypatch.setattr("pipeline.process.document_to_profile", broken)
    args = ["extract", str(SEED), "--out", str(tmp_path / "out"), "--jobs", "0"]
    code, output = invoke(*args)
    assert code == 1
    assert "internal error while processing this file (ZeroDivisionError: a bug in a stage)" in (
        output
    )
    assert "run with --debug" in output
    assert "Traceback" not in output
    code, output = invoke(*args, "--debug")
    assert code == 1
    assert "Traceback (most recent call last)" in output


def test_the_command_keeps_numpy_to_one_thread_unless_told_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OpenBLAS reads OPENBLAS_NUM_THREADS when numpy loads: the command sets it before any
    of its work (the workers' server inherits it), and leaves a value the user set."""
    out = tmp_path / "out"
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    assert invoke("validate", str(out))[0] != 0  # no output there: a command that fails
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    invoke("validate", str(out))
    assert os.environ["OPENBLAS_NUM_THREADS"] == "4"
