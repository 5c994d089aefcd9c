"""What is published can be trusted: each input once, portable provenance, a previous output
recognised by its marker and kept when there is nothing to publish, keys checked across the
whole dataset, and tables that pandas, Polars and DuckDB read alike."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import frictionless
import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest

from pipeline import __version__, shards
from pipeline.codes import MEANINGS, Code
from pipeline.contract.tables import SCHEMA_VERSION, TABLES, primary_key
from pipeline.dataset import key_clashes
from pipeline.discover import discover_inputs
from pipeline.extract.pdf_model import PdfLayout
from pipeline.model import FileResult, Verdict
from pipeline.process import process_file
from pipeline.run import run
from pipeline.settings import Settings
from pipeline.shards import ShardStore
from tests.conftest import AUTHORED, EXAMPLES, SEED, invoke


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


# --- each input once, named portably -------------------------------------------------------


def test_the_same_file_given_twice_is_one_profile(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = invoke(
        "extract", str(inbox), str((inbox / "seed.txt").resolve()), "--out", str(out)
    )
    assert code == 0, output
    assert "2 profile(s) ok, 0 rejected" in output
    for name in TABLES:
        frame = pd.read_parquet(out / "parquet" / f"{name}.parquet")
        assert not frame.duplicated(list(primary_key(name))).any(), name


def test_source_file_is_relative_to_the_input_folder(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke("extract", str(inbox), "--out", str(out))[0] == 0
    names = [entry["source_file"] for entry in manifest(out)["inputs"]]
    assert names == ["seed.txt", "sub/operator.txt"]
    profiles = pd.read_csv(out / "csv" / "profiles.csv", dtype=str)
    assert sorted(profiles["source_file"]) == ["seed.txt", "sub/operator.txt"]
    assert invoke("extract", str(inbox / "sub" / "operator.txt"), "--out", str(out))[0] == 0
    assert [entry["source_file"] for entry in manifest(out)["inputs"]] == ["operator.txt"]


def run_from(folder: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pipeline", "extract", *args, "--quiet"],
        cwd=folder,
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )


def text_outputs(out: Path) -> dict[str, bytes]:
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.suffix in {".csv", ".json"}
    }


def test_outputs_are_byte_identical_from_any_working_folder(inbox: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    run_from(tmp_path, "inbox", "--out", "out-a")
    run_from(elsewhere, str(inbox), "--out", str(tmp_path / "out-b"))
    a, b = text_outputs(tmp_path / "out-a"), text_outputs(tmp_path / "out-b")
    assert a.keys() == b.keys() and len(a) > 10
    assert a == b
    assert str(tmp_path).encode() not in b"".join(b.values())


# --- what may be replaced, and when ---------------------------------------------------------


def test_a_folder_with_a_foreign_manifest_is_not_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"name": "web app"}', encoding="utf-8")
    (folder / "index.html").write_text("<p>keep me</p>", encoding="utf-8")
    code, output = invoke("extract", str(SEED), "--out", str(folder))
    assert code == 2
    assert "not an output of albatts" in output
    assert sorted(p.name for p in folder.iterdir()) == ["index.html", "manifest.json"]


def test_the_manifest_carries_the_marker_and_versions(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke("extract", str(SEED), "--out", str(out))[0] == 0
    written = manifest(out)
    assert written["generator"] == "albatts"
    assert written["pipeline_version"] == __version__
    assert written["schema_version"] == SCHEMA_VERSION
    assert written["options"]["formats"] == ["parquet", "csv", "json"]
    assert written["options"]["pdf_layout"]["word_gap"] == PdfLayout().word_gap
    vocab = Path(__file__).resolve().parent.parent / "schemas" / "vocab"
    levels = hashlib.sha256((vocab / "levels.txt").read_bytes()).hexdigest()
    assert written["vocabularies"]["levels.txt"] == levels
    assert set(written["vocabularies"]) == {path.name for path in vocab.glob("*.txt")}


def test_a_run_with_nothing_to_publish_keeps_the_previous_output(
    inbox: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert invoke("extract", str(inbox), "--out", str(out))[0] == 0
    before = text_outputs(out)
    code, output = invoke("extract", str(inbox), "--out", str(out), "--strict")  # warnings
    assert code == 1
    assert "nothing to publish" in output
    assert text_outputs(out) == before
    code, _ = invoke("extract", str(inbox), "--out", str(out), "--strict", "--allow-empty")
    assert code == 1
    assert pd.read_parquet(out / "parquet" / "profiles.parquet").empty


def _checked_across_inputs(results: list[FileResult], tmp_path: Path) -> list[Verdict]:
    """The results' verdicts after the key check across inputs, as publish runs it: their
    tables in a store, the keys it finds shared by ok inputs."""
    verdicts = [result.verdict for result in results]
    with ShardStore(tmp_path / "keys" / "out") as store:
        for position, result in enumerate(results):
            store.keep(position, result)
        ok = {position for position, verdict in enumerate(verdicts) if verdict.status == "ok"}
        rejected = key_clashes(verdicts, store.shared_keys(ok))
    return [rejected.get(position, verdict) for position, verdict in enumerate(verdicts)]


def test_a_key_two_inputs_share_rejects_both(seed_text: str, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(seed_text, encoding="utf-8")
    good = process_file(tmp_path / "a.txt")
    assert good.tables is not None
    twin = FileResult(
        Verdict("b.txt", None, "text", "ok", good.verdict.profile_id, ()), good.tables
    )
    other = process_file(AUTHORED / "battery-cell-production-operator.txt")
    checked = _checked_across_inputs([good, twin, other], tmp_path)
    assert [verdict.status for verdict in checked] == ["rejected", "rejected", "ok"]
    message = checked[0].errors[-1].message
    assert "is also produced by b.txt" in message


def test_the_documents_of_profiles_rejected_across_inputs_are_not_published(
    seed_text: str, tmp_path: Path
) -> None:
    """Each profile's JSON document is written as its result arrives; the two inputs of one
    profile_id are rejected afterwards, and their document goes with them."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "a.txt").write_text(seed_text, encoding="utf-8")
    (inbox / "b.txt").write_text(seed_text + "\n", encoding="utf-8")  # other bytes, same id
    shutil.copy(AUTHORED / "battery-cell-production-operator.txt", inbox / "c.txt")
    out = tmp_path / "out"
    invoke("extract", str(inbox), "--out", str(out), "--no-cache")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    statuses = {entry["source_file"]: entry["status"] for entry in manifest["inputs"]}
    assert statuses == {"a.txt": "rejected", "b.txt": "rejected", "c.txt": "ok"}
    [kept] = [e["profile_id"] for e in manifest["inputs"] if e["source_file"] == "c.txt"]
    assert [p.name for p in (out / "json" / "profiles").iterdir()] == [f"{kept}.json"]


# --- every engine reads the same ------------------------------------------------------------


@pytest.fixture(scope="module")
def examples_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("examples") / "out"
    code, output = invoke("extract", str(SEED), str(EXAMPLES), "--out", str(out), "--quiet")
    assert code == 0, output
    return out


def test_pandas_polars_and_duckdb_agree_on_level_order(examples_out: Path) -> None:
    path = examples_out / "parquet" / "competences.parquet"
    frame = pd.read_parquet(path)
    expected = int((frame["level"] >= "Practitioner").sum())  # ordered categorical
    assert 0 < expected < len(frame)
    assert int((frame["level_rank"] >= 2).sum()) == expected
    assert pl.read_parquet(path).filter(pl.col("level_rank") >= 2).height == expected
    query = f"select count(*) from read_parquet('{path}') where level_rank >= 2"
    row = duckdb.sql(query).fetchone()
    assert row is not None and row[0] == expected
    ranks = dict(zip(frame["level"].astype(str), frame["level_rank"], strict=True))
    assert ranks == {"Awareness": 1, "Practitioner": 2, "Expert": 3}


def test_esco_codes_stay_text_in_every_reader(examples_out: Path) -> None:
    path = examples_out / "parquet" / "occupations.parquet"
    codes = pd.read_parquet(path)["esco_code"]
    assert pd.api.types.is_string_dtype(codes)
    assert pl.read_parquet(path)["esco_code"].dtype == pl.String
    described = duckdb.sql(f"describe select esco_code from read_parquet('{path}')").fetchall()
    assert described[0][1] == "VARCHAR"


def test_parquet_keys_are_non_null_and_files_say_who_wrote_them(examples_out: Path) -> None:
    for name in TABLES:
        schema = pq.read_schema(examples_out / "parquet" / f"{name}.parquet")
        for column in primary_key(name):
            assert not schema.field(column).nullable, (name, column)
        metadata = {k.decode(): v.decode() for k, v in (schema.metadata or {}).items()}
        assert metadata["albatts.pipeline_version"] == __version__
        assert metadata["albatts.schema_version"] == SCHEMA_VERSION
        assert metadata["albatts.table"] == name


def test_the_data_package_is_valid_and_catches_a_broken_table(
    examples_out: Path, tmp_path: Path
) -> None:
    report = frictionless.validate(examples_out / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    broken = tmp_path / "broken"
    shutil.copytree(examples_out, broken)
    competences = broken / "csv" / "competences.csv"
    text = competences.read_text(encoding="utf-8")
    competences.write_text(text.replace(",Expert,3,", ",Guru,3,", 1), encoding="utf-8")
    report = frictionless.validate(broken / "datapackage.json")
    assert not report.valid
    errors = report.flatten(["fieldName", "type"])
    assert ["level", "constraint-error"] in errors


# --- any script --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "profile_id"),
    [
        pytest.param(
            "Μηχανικοί Συστημάτων Διαχείρισης Μπαταριών",
            "michanikoi-systimaton-diacheirisis-mpatarion",
            id="greek",
        ),
        pytest.param(
            "Инженеры по системам управления батареями",
            "inzhenery-po-sistemam-upravleniya-batareyami",
            id="cyrillic",
        ),
    ],
)
def test_a_title_in_another_script_gives_a_readable_profile_id(
    title: str, profile_id: str, seed_text: str, tmp_path: Path
) -> None:
    path = tmp_path / "profile.txt"
    path.write_text(seed_text.replace("Embedded System and BMS Engineers", title), encoding="utf-8")
    result = process_file(path)
    assert result.verdict.profile_id == profile_id, result.verdict.issues
    assert result.tables is not None
    competences = result.tables["competences"]["competence_id"]
    assert competences.str.startswith(f"{profile_id}--").all()


def test_a_title_with_nothing_to_name_it_by_is_one_error(seed_text: str, tmp_path: Path) -> None:
    path = tmp_path / "profile.txt"
    path.write_text(seed_text.replace("Embedded System and BMS Engineers", "???"), encoding="utf-8")
    verdict = process_file(path).verdict
    assert verdict.status == "rejected"
    assert [issue.message for issue in verdict.errors] == [
        "title '???' has no letters or digits to name the profile by"
    ]


# --- one data dictionary, stable codes ----------------------------------------------------


def test_every_column_is_described_once_and_everywhere(examples_out: Path) -> None:
    package = json.loads((examples_out / "datapackage.json").read_text(encoding="utf-8"))
    data_md = (examples_out / "DATA.md").read_text(encoding="utf-8")
    assert package["title"] and package["description"] and package["version"] == SCHEMA_VERSION
    resources = {resource["name"]: resource for resource in package["resources"]}
    for name, model in TABLES.items():
        schema = model.to_schema()
        assert schema.title and schema.description, name
        assert resources[name]["title"] == schema.title
        assert f"## {name}: {schema.title}" in data_md
        fields = {field["name"]: field for field in resources[name]["schema"]["fields"]}
        for column_name, column in schema.columns.items():
            assert column.description, f"{name}.{column_name} has no description"
            assert fields[column_name]["description"] == column.description
            assert f"| `{column_name}` |" in data_md
            assert column.description.replace("|", "\\|") in data_md


def test_every_problem_code_is_documented_and_written(tmp_path: Path, seed_text: str) -> None:
    assert set(MEANINGS) == set(Code)
    assert all(code.value == code.value.lower() and " " not in code.value for code in Code)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "bad-level.txt").write_text(
        seed_text.replace("\tExpert\tC/C++", "\tExpret\tC/C++"), encoding="utf-8"
    )
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "ok.txt").write_text(seed_text.replace("Embedded", "Other"), encoding="utf-8")
    out = tmp_path / "out"
    assert invoke("extract", str(inbox), "--out", str(out), "--quiet")[0] == 1
    issues = json.loads((out / "validation.json").read_text(encoding="utf-8"))["issues"]
    by_file = {}
    for issue in issues:
        if issue["severity"] == "error":
            by_file.setdefault(issue["source_file"], set()).add(issue["code"])
    assert by_file["bad-level.txt"] == {"unknown-level"}
    assert by_file["empty.txt"] == {"empty-file"}
    inputs = {entry["source_file"]: entry for entry in manifest(out)["inputs"]}
    assert [error["code"] for error in inputs["empty.txt"]["errors"]] == ["empty-file"]
    data_md = (out / "DATA.md").read_text(encoding="utf-8")
    assert all(f"| `{code}` |" in data_md for code in Code)


def _clashes_one_row_at_a_time(results: list[FileResult]) -> dict[int, list[str]]:
    """The clash messages each input gets, found the slow and obvious way: every key of
    every input, one row at a time (the oracle for the vectorised check)."""
    owners: dict[tuple[str, tuple[object, ...]], set[int]] = {}
    for index, result in enumerate(results):
        for table, frame in (result.tables or {}).items():
            for row in frame[list(primary_key(table))].itertuples(index=False, name=None):
                owners.setdefault((table, tuple(row)), set()).add(index)
    clashes: dict[int, list[str]] = {}
    for (table, row), indexes in owners.items():
        if len(indexes) > 1:
            for index in sorted(indexes):
                others = sorted(results[i].verdict.source_file for i in indexes - {index})
                clashes.setdefault(index, []).append(
                    f"{table} key {row!r} is also produced by {', '.join(others)}"
                )
    return clashes


@pytest.mark.parametrize(
    ("spill_bytes", "key_rows"),
    [(1, shards.KEY_ROWS), (shards.SPILL_BYTES, shards.KEY_ROWS), (1, 8)],
    ids=["a-run-each", "one-run", "hashes-in-many-ranges"],
)
def test_key_clashes_are_told_as_a_row_by_row_reading_finds_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spill_bytes: int, key_rows: int
) -> None:
    """Partial overlaps: b shares a's competences only (another profile row), c shares
    everything with a, d shares nothing; each rejection names its first clash and counts
    the others, in the order of a reading of the inputs one by one; whether the inputs'
    tables are on disk in one run or each in its own, and whether their key hashes are
    checked all at once or a few at a time."""
    monkeypatch.setattr(shards, "SPILL_BYTES", spill_bytes)
    monkeypatch.setattr(shards, "KEY_ROWS", key_rows)
    (tmp_path / "a.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    a = process_file(tmp_path / "a.txt")
    d = process_file(AUTHORED / "battery-cell-production-operator.txt")
    assert a.tables is not None and d.tables is not None
    b_tables = dict(a.tables)
    b_tables["profiles"] = d.tables["profiles"]
    b = FileResult(Verdict("b.txt", None, "text", "ok", "b", ()), b_tables)
    c = FileResult(Verdict("c.txt", None, "text", "ok", "c", ()), a.tables)
    results = [a, b, c, d]
    expected = _clashes_one_row_at_a_time(results)
    assert set(expected) == {0, 1, 2, 3}  # d's profile row is b's too
    checked = _checked_across_inputs(results, tmp_path)
    for index, verdict in enumerate(checked):
        [clash] = [e for e in verdict.errors if e.code == Code.DUPLICATE_KEY]
        first, *more = expected[index]
        suffix = f" (and {len(more)} more keys)" if more else ""
        assert clash.message == first + suffix
        assert verdict.status == "rejected"


# --- the collector -------------------------------------------------------------------------


@pytest.mark.parametrize("frozen_before", [False, True])
def test_a_run_freezes_what_is_loaded_and_leaves_the_collector_as_it_found_it(
    frozen_before: bool, inbox: Path, tmp_path: Path
) -> None:
    """While the run goes on, what was loaded before it is out of the collector's sight;
    afterwards the heap is as the caller had it: unfrozen, or frozen by the caller still."""
    gc.unfreeze()
    if frozen_before:
        gc.freeze()
    during: list[int] = []
    try:
        run(
            discover_inputs([inbox]),
            Settings(out_dir=tmp_path / "out", cache=False),
            progress=lambda _path: during.append(gc.get_freeze_count()),
        )
        assert len(during) == 2 and all(count > 0 for count in during)
        # (Frozen objects that die leave the count: it only says whether any is frozen.)
        assert bool(gc.get_freeze_count()) == frozen_before
    finally:
        gc.unfreeze()
