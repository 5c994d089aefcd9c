"""A run's tables on disk (pipeline/shards.py) and the writers that stream them
(pipeline/table_sinks.py): the dataset read back from many runs is the one the results
give in memory, the files written chunk by chunk are the bytes of the whole tables written
at once, and no shard folder outlives its run."""

from __future__ import annotations

import json
import os
from pathlib import Path
from random import Random

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline import shards
from pipeline.contract.tables import TABLES
from pipeline.defaults import FORMATS
from pipeline.discover import discover_inputs
from pipeline.encoded import encode, json_bytes
from pipeline.model import FileResult, PagePicture
from pipeline.process import process_files
from pipeline.run import run
from pipeline.settings import Settings
from pipeline.shards import ShardStore, arrow_to_frame, frames_to_arrow, remove_abandoned
from pipeline.stages.tables import (
    Tables,
    concat_tables,
    frame_to_records,
    tables_to_documents,
    with_output_dtypes,
)
from pipeline.table_sinks import TableSinks, published_schema, published_table
from pipeline.write import arrow_schema
from tests.conftest import SEED

TITLE = "Embedded System and BMS Engineers"
# Titles out of their sorting order, so that input order and profile_id order differ.
SUFFIXES = ["delta", "alpha", "echo", "charlie", "bravo", "golf", "foxtrot"]


def write_copies(folder: Path) -> list[Path]:
    folder.mkdir()
    text = SEED.read_text(encoding="utf-8")
    paths = []
    for number, suffix in enumerate(SUFFIXES):
        path = folder / f"{number}.txt"
        path.write_text(text.replace(TITLE, f"{TITLE} {suffix}"), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> list[FileResult]:
    folder = tmp_path_factory.mktemp("copies") / "in"
    processed = process_files(write_copies(folder))
    assert all(result.tables is not None for result in processed)
    return processed


def in_memory(results: list[FileResult], kept: set[int]) -> Tables:
    """The oracle: the kept results' frames in profile_id order, concatenated."""
    order = sorted(kept, key=lambda i: (results[i].verdict.profile_id, i))
    return concat_tables(results[i].tables for i in order if results[i].tables is not None)


def arrivals(results: list[FileResult], runs: str) -> list[list[int]]:
    """The results (by index) each run gathers, in the order they arrive."""
    by_id = sorted(range(len(results)), key=lambda i: (results[i].verdict.profile_id, i))
    if runs == "one":
        return [list(reversed(range(len(results))))]
    if runs == "each":
        return [[index] for index in reversed(range(len(results)))]
    if runs == "one-after-another":  # each run's profiles follow the run before's
        return [by_id[start : start + 2] for start in range(0, len(by_id), 2)]
    # "nested": each run holds a profile from each end of the order, so all are open at once
    half = len(by_id) // 2
    return [[by_id[at], by_id[-1 - at]] for at in range(half)] + [[by_id[half]]] * (len(by_id) % 2)


@pytest.mark.parametrize(
    ("runs", "max_runs", "read_rows", "merged"),
    [
        ("each", 2, shards.READ_ROWS, False),
        ("one", 2, shards.READ_ROWS, False),
        ("one-after-another", 2, shards.READ_ROWS, False),
        ("nested", shards.MAX_RUNS, shards.READ_ROWS, False),
        ("nested", 2, shards.READ_ROWS, True),
        ("nested", 2, 2, True),  # with PART_ROW_GROUPS 1 below: a merged run in many files
    ],
    ids=[
        "a-run-each",
        "one-run",
        "runs-one-after-another",
        "nested-runs-few-enough",
        "nested-runs-merged",
        "merged-runs-in-many-files",
    ],
)
@pytest.mark.parametrize("chunk", [2, 1000])
def test_the_dataset_read_back_is_the_results_in_profile_id_order(
    results: list[FileResult],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    runs: str,
    max_runs: int,
    read_rows: int,
    merged: bool,
    chunk: int,
) -> None:
    """Whatever order the results arrive in and however they are cut into runs, the
    dataset is read back in profile_id order; runs are merged only when more than
    MAX_RUNS would be open at once, and no more than that are ever open."""
    monkeypatch.setattr(shards, "MAX_RUNS", max_runs)
    monkeypatch.setattr(shards, "READ_ROWS", read_rows)
    monkeypatch.setattr(shards, "PART_ROW_GROUPS", 1)
    opened: list[int] = []
    reader = shards._Run.reader

    def counted(run: shards._Run, table: str) -> shards._Reader:
        found = reader(run, table)
        opened.append(sum(bool(each.readers) for each in store._runs))
        return found

    monkeypatch.setattr(shards._Run, "reader", counted)
    kept = set(range(len(results))) - {2, 5}  # the rejected ones are skipped in their runs
    with ShardStore(tmp_path / "out") as store:
        for group in arrivals(results, runs):
            for index in group:
                tables = results[index].tables
                assert tables is not None
                store.add(index, results[index].verdict.profile_id or "", frames_to_arrow(tables))
            store.flush()
        assert store.rows(kept) == {
            name: len(frame) for name, frame in in_memory(results, kept).items()
        }
        chunks = list(store.chunks(kept, chunk))
        parts = {path.name for path in store.folder.rglob("competence_statements.*.parquet")}
        assert bool(store._merges) == merged
    assert ("competence_statements.00001.parquet" in parts) == (read_rows == 2)
    assert opened and max(opened) <= max_runs
    assert len(chunks) == -(-len(kept) // chunk)
    expected = in_memory(results, kept)
    for name in TABLES:
        together = pd.concat([arrow_to_frame(name, each[name]) for each in chunks])
        together = together.reset_index(drop=True)
        pd.testing.assert_frame_equal(together, expected[name], check_exact=True)
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # the shard folder went with the store


def test_tables_written_chunk_by_chunk_are_the_bytes_of_the_whole_tables(
    results: list[FileResult], tmp_path: Path
) -> None:
    """Parquet a chunk of profiles at a time, CSV and JSON a profile's Parts at a time:
    the whole tables, and the CSV and JSON text pandas and the json module write."""
    kept = set(range(len(results)))
    dataset = in_memory(results, kept)
    whole = with_output_dtypes(dataset)
    order = sorted(kept, key=lambda i: (results[i].verdict.profile_id, i))
    encoded = [encode(frames_to_arrow(results[i].tables or {}), FORMATS) for i in order]
    written = {}
    for chunk in (1, 3, 1000):
        folder = tmp_path / f"chunk-{chunk}"
        sinks = TableSinks(folder, FORMATS, arrow_schema)
        for start in range(0, len(results), chunk):
            ids = sorted(r.verdict.profile_id for r in results)[start : start + chunk]
            sinks.write(frames_to_arrow({name: _rows_of(dataset[name], ids) for name in TABLES}))
        for parts, _documents in encoded:
            sinks.add(parts)
        sinks.close()
        written[chunk] = {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*")
            if p.suffix in (".csv", ".json")
        }
        for name, frame in whole.items():
            back = pd.read_parquet(folder / "parquet" / f"{name}.parquet")
            pd.testing.assert_frame_equal(back, frame.reset_index(drop=True))
    assert written[1] == written[3] == written[1000]
    for name, frame in whole.items():
        csv = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
        assert written[3][f"csv/{name}.csv"] == csv
        text = json.dumps(frame_to_records(frame), ensure_ascii=False, indent=2) + "\n"
        assert written[3][f"json/{name}.json"] == text.encode("utf-8")
    # Each profile's document is the nested document of its rows.
    documents = tables_to_documents(whole)
    for _parts, each in encoded:
        [(profile_id, document)] = each.items()
        assert document == json_bytes(documents[profile_id])


def test_a_published_table_is_what_pyarrow_makes_of_its_frame_with_the_published_dtypes(
    results: list[FileResult],
) -> None:
    """The Parquet writer is given the shards' Arrow tables without a detour through pandas:
    the same table, schema and pandas metadata as pa.Table.from_pandas of the frames."""
    dataset = in_memory(results, set(range(len(results))))
    arrow = frames_to_arrow(dataset)
    for name, frame in with_output_dtypes(dataset).items():
        schema = arrow_schema(frame, name)
        expected = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
        published = published_table(name, arrow[name], published_schema(name, arrow_schema))
        assert published.equals(expected, check_metadata=True), name
        assert published.num_rows > 0


def _rows_of(frame: pd.DataFrame, ids: list[str | None]) -> pd.DataFrame:
    return frame[frame["profile_id"].isin(ids)].reset_index(drop=True)


def test_empty_tables_are_a_header_and_an_empty_array(tmp_path: Path) -> None:
    sinks = TableSinks(tmp_path, ("csv", "json"), arrow_schema)
    sinks.write(frames_to_arrow(shards.empty_tables()))
    sinks.close()
    assert (tmp_path / "json" / "profiles.json").read_bytes() == b"[]\n"
    header = (tmp_path / "csv" / "competences.csv").read_text(encoding="utf-8")
    assert header.startswith("profile_id,competence_id,") and header.count("\n") == 1


def test_a_run_over_many_shards_and_chunks_publishes_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "in"
    write_copies(inbox)

    def published(out: Path) -> dict[str, bytes]:
        run(discover_inputs([inbox]), Settings(out_dir=out, cache=False, formats=("csv", "json")))
        return {
            p.relative_to(out).as_posix(): p.read_bytes()
            for p in out.rglob("*")
            if p.is_file() and p.name != "report.html"
        }

    once = published(tmp_path / "one")
    assert "csv/profiles.csv" in once
    monkeypatch.setattr(shards, "SPILL_BYTES", 1)
    monkeypatch.setattr(shards, "CHUNK_PROFILES", 2)
    monkeypatch.setattr(shards, "MAX_RUNS", 2)  # a run each, no more than two open at once
    assert published(tmp_path / "many") == once
    profiles = pd.read_csv(tmp_path / "many" / "csv" / "profiles.csv")
    assert list(profiles["profile_id"]) == sorted(profiles["profile_id"])
    assert len(profiles) == len(SUFFIXES)
    leftovers = [p.name for p in tmp_path.iterdir() if ".shards-" in p.name]
    assert leftovers == []


def test_the_shards_of_a_killed_run_are_removed_and_a_live_runs_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    abandoned = tmp_path / ".out.shards-killed"
    abandoned.mkdir()
    (abandoned / ".held").write_bytes(b"")  # no process holds its lock any more
    (abandoned / "run-00000").mkdir()
    neighbour = tmp_path / ".other.shards-x"  # another output's
    neighbour.mkdir()
    (neighbour / ".held").write_bytes(b"")
    with ShardStore(out) as live:
        remove_abandoned(out)
        assert live.folder.is_dir() and not abandoned.exists() and neighbour.is_dir()
        assert live.folder.name.startswith(".out.shards-")
        assert os.access(live.folder / ".held", os.F_OK)


def test_page_pictures_wait_on_disk_until_the_report_asks(tmp_path: Path) -> None:
    pictures = (PagePicture(2, b"\x89PNG two", "row outlined"), PagePicture(3, b"\x89PNG", "x"))
    with ShardStore(tmp_path / "out") as store:
        store.add_pictures(4, pictures)
        shown = store.pictures({4: "a.pdf", 5: "b.pdf"})
        assert "a.pdf" in shown and "b.pdf" not in shown and list(shown) == ["a.pdf"]
        assert tuple(shown["a.pdf"]) == pictures


@given(st.lists(st.booleans(), max_size=30), st.randoms())
def test_the_runs_open_at_once_are_counted_as_a_reading_meets_them(
    single: list[bool], random: Random
) -> None:
    """_deepest against counting, place by place, the spans that hold it: spans of
    distinct places (a run's first and last input; one input for a run of one), laid out
    in any order; the place it names holds that many."""
    places = random.sample(range(2 * len(single)), 2 * len(single))
    spans = []
    for at, one in enumerate(single):
        first, last = sorted(places[2 * at : 2 * at + 2])
        spans.append((first, first) if one else (first, last))

    def held(place: int) -> int:
        return sum(first <= place <= last for first, last in spans)

    most, where = shards._deepest(spans)
    assert most == max(map(held, range(len(places))), default=0)
    assert held(where) == most if spans else where == -1


def test_only_runs_open_together_are_merged(
    results: list[FileResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two short runs that the others follow, then three nested ones: with two open at
    most, two of the nested are merged, and the short runs before them are left alone."""
    monkeypatch.setattr(shards, "MAX_RUNS", 2)
    by_id = sorted(range(len(results)), key=lambda i: (results[i].verdict.profile_id, i))
    arrival = [[by_id[0]], [by_id[1]], [by_id[2], by_id[6]], [by_id[3], by_id[5]], [by_id[4]]]
    with ShardStore(tmp_path / "out") as store:
        for group in arrival:
            for index in group:
                tables = results[index].tables
                assert tables is not None
                store.add(index, results[index].verdict.profile_id or "", frames_to_arrow(tables))
            store.flush()
        chunks = list(store.chunks(set(range(len(results)))))
        left = sorted(p.name for p in store.folder.glob("run-*"))
        assert store._merges == 1
    assert left == ["run-00000", "run-00001", "run-00003"]  # the shortest where three are open
    ids = [i for chunk in chunks for i in chunk["profiles"].column("profile_id").to_pylist()]
    assert ids == [results[i].verdict.profile_id for i in by_id]
