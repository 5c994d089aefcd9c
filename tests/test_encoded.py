"""Each profile's share of the published CSV and JSON, encoded as its result arrives
(pipeline/encoded.py): kept on disk and read back by input, and its JSON document written
where the run publishes it, never outside."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from pipeline.contract.tables import TABLES
from pipeline.defaults import FORMATS
from pipeline.encoded import PartsSpool, encode, json_bytes
from pipeline.errors import OutputError
from pipeline.process import process_files
from pipeline.shards import ArrowTables, frames_to_arrow
from pipeline.stages.tables import tables_to_documents
from tests.conftest import SEED


@pytest.fixture(scope="module")
def seed() -> ArrowTables:
    [result] = process_files([SEED])
    assert result.tables is not None
    return frames_to_arrow(result.tables)


def renamed(tables: ArrowTables, profile_id: str) -> dict[str, pa.Table]:
    """The tables with every row's profile_id replaced."""
    out = {}
    for name in TABLES:
        data = tables[name]
        at = data.schema.get_field_index("profile_id")
        column = pa.array([profile_id] * data.num_rows, data.schema.field(at).type)
        out[name] = data.set_column(at, data.schema.field(at), column)
    return out


def test_parts_are_read_back_by_input_in_the_order_asked(seed: ArrowTables, tmp_path: Path) -> None:
    spool = PartsSpool(tmp_path, FORMATS)
    given = {owner: renamed(seed, f"profile-{owner}") for owner in (4, 0, 9)}
    for owner, tables in given.items():
        spool.add(owner, tables)
    read = list(spool.read([9, 4, 0]))
    assert read == [encode(given[owner], FORMATS)[0] for owner in (9, 4, 0)]
    assert read[0] != read[1]  # each input's own rows
    spool.close()


def test_documents_are_written_as_results_arrive_and_the_unpublished_removed(
    seed: ArrowTables, tmp_path: Path
) -> None:
    spool = PartsSpool(tmp_path, FORMATS)
    for owner, profile_id in enumerate(["kept-one", "rejected-one", "kept-two"]):
        spool.add(owner, renamed(seed, profile_id))
    assert sorted(p.name for p in spool.documents.iterdir()) == [
        "kept-one.json",
        "kept-two.json",
        "rejected-one.json",
    ]
    folder = spool.published_documents(["rejected-one"])
    assert sorted(p.name for p in folder.iterdir()) == ["kept-one.json", "kept-two.json"]
    frames = {name: data.to_pandas() for name, data in renamed(seed, "kept-one").items()}
    expected = json_bytes(tables_to_documents(frames)["kept-one"])
    assert (folder / "kept-one.json").read_bytes() == expected
    spool.close()
    assert not folder.exists()


def test_a_profile_id_that_leads_outside_the_folder_is_refused(
    seed: ArrowTables, tmp_path: Path
) -> None:
    spool = PartsSpool(tmp_path, FORMATS)
    with pytest.raises(OutputError, match="outside the output folder"):
        spool.add(0, renamed(seed, "../escaped"))
    assert not (tmp_path / "escaped.json").exists()
    spool.close()


def test_formats_not_published_are_not_encoded(seed: ArrowTables, tmp_path: Path) -> None:
    spool = PartsSpool(tmp_path, ("parquet", "csv"))
    spool.add(0, dict(seed))
    [parts] = spool.read([0])
    assert parts.json == () and len(parts.csv) == len(TABLES)
    assert not spool.documents.exists()
    spool.close()
