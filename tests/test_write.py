import json
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import write
from pipeline.cache_key import CACHE_FOLDER
from pipeline.contract.tables import TABLES, columns
from pipeline.contract.vocabulary import load_vocabulary
from pipeline.encoded import encode
from pipeline.errors import StewardError
from pipeline.exits import EXIT_IO_ERROR
from pipeline.run import run
from pipeline.settings import Settings
from pipeline.shards import empty_tables, frames_to_arrow
from pipeline.stages.tables import records_to_frame
from pipeline.table_sinks import TableSinks
from tests.conftest import SEED, authored_profiles


@pytest.fixture(scope="module")
def inputs() -> list[Path]:
    return [SEED, *authored_profiles()]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory, inputs: list[Path]) -> Path:
    target = tmp_path_factory.mktemp("write") / "out"
    report = run(inputs, Settings(out_dir=target))
    assert [v.status for v in report.verdicts] == ["ok"] * len(inputs)
    return target


@pytest.mark.parametrize("table", list(TABLES))
def test_parquet_round_trip_with_pandas(out: Path, table: str) -> None:
    parquet = pd.read_parquet(out / "parquet" / f"{table}.parquet")
    csv = pd.read_csv(out / "csv" / f"{table}.csv", dtype=str, keep_default_na=False)
    assert list(parquet.columns) == columns(table)
    assert len(parquet) == len(csv)
    for column in ("competence_no", "statement_no", "eqf_level", "min_eqf"):
        if column in parquet:
            assert parquet[column].dtype == "int64"
    as_text = parquet.astype(object).map(lambda value: "" if pd.isna(value) else str(value))
    assert as_text.to_dict("records") == csv.to_dict("records")


def test_parquet_types_for_pyarrow_readers(out: Path) -> None:
    competences = pq.read_table(out / "parquet" / "competences.parquet")
    assert competences.schema.field("level").type == pa.dictionary(
        pa.int32(), pa.string(), ordered=True
    )
    assert competences.schema.field("competence_no").type == pa.int64()
    occupations = pq.read_table(out / "parquet" / "occupations.parquet")
    assert occupations.schema.field("esco_code").type == pa.string()
    assert "2514.2.1" in occupations.column("esco_code").to_pylist()


def test_level_is_an_ordered_category_in_vocabulary_order(out: Path) -> None:
    level = pd.read_parquet(out / "parquet" / "competences.parquet")["level"]
    assert level.cat.ordered
    assert list(level.cat.categories) == list(load_vocabulary("levels").terms)
    assert (level >= "Practitioner").sum() == (level != "Awareness").sum()


def test_esco_code_stays_text_in_csv_and_json(out: Path) -> None:
    csv_codes = pd.read_csv(out / "csv" / "occupations.csv", dtype=str)["esco_code"]
    assert "2514.2.1" in list(csv_codes)
    records = json.loads((out / "json" / "occupations.json").read_text(encoding="utf-8"))
    assert all(isinstance(record["esco_code"], str) for record in records)


def test_per_profile_json_nests_the_tables(out: Path) -> None:
    document = json.loads(
        (out / "json" / "profiles" / "embedded-system-and-bms-engineers.json").read_text("utf-8")
    )
    assert document["eqf_levels"] == [6, 7, 8]
    assert document["min_eqf"] == 6
    assert len(document["competences"]) == 21
    teamwork = next(c for c in document["competences"] if c["name"] == "Teamwork")
    assert [s["statement_no"] for s in teamwork["statements"]] == [1, 2, 3]
    assert [s["esco_skill"] for s in teamwork["esco_skills"]] == [
        "teamwork principles",
        "communication",
    ]
    assert sum(len(c["statements"]) for c in document["competences"]) == 55


def test_datapackage_describes_every_table(out: Path) -> None:
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    resources = {resource["name"]: resource for resource in package["resources"]}
    assert list(resources) == list(TABLES)
    for name, resource in resources.items():
        assert [f["name"] for f in resource["schema"]["fields"]] == columns(name)
        assert (out / resource["path"]).is_file()
    assert resources["competences"]["schema"]["primaryKey"] == ["competence_id"]


def test_same_inputs_give_byte_identical_csv_and_json(
    out: Path, inputs: list[Path], tmp_path: Path
) -> None:
    again = tmp_path / "again"
    run(list(reversed(inputs)), Settings(out_dir=again))
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.suffix in (".csv", ".json"))
    assert len(files) == 8 + 8 + 4 + 3  # tables, per-profile, manifest/datapackage/validation
    for relative in files:
        assert (again / relative).read_bytes() == (out / relative).read_bytes(), relative


def test_a_failed_write_leaves_the_previous_output_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out"
    run([SEED], Settings(out_dir=target, formats=("csv",)))
    before = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}

    def disk_full(self: TableSinks, chunk: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(TableSinks, "write", disk_full)
    with pytest.raises(StewardError, match=r"^the disk is full: ") as raised:
        run([SEED], Settings(out_dir=target))
    assert raised.value.exit_code == EXIT_IO_ERROR
    after = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [CACHE_FOLDER, "out"]


def test_an_interrupted_swap_is_recovered_by_the_next_run(tmp_path: Path) -> None:
    target = tmp_path / "out"
    run([SEED], Settings(out_dir=target, formats=("csv",)))
    # A kill between the two renames of the swap leaves only the previous output aside.
    target.rename(tmp_path / ".out.previous-123")
    (tmp_path / ".out.staging-abc").mkdir()
    write.recover_interrupted(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == [CACHE_FOLDER, "out"]
    assert (target / "manifest.json").is_file()


def test_all_inputs_rejected_with_allow_empty_writes_empty_tables_with_columns(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("not a profile at all\n", encoding="utf-8")
    assert not run([bad], Settings(out_dir=tmp_path / "out")).published
    assert not (tmp_path / "out").exists()
    report = run([bad], Settings(out_dir=tmp_path / "out", allow_empty=True))
    assert report.published
    assert [v.status for v in report.verdicts] == ["rejected"]
    for table in TABLES:
        frame = pd.read_parquet(tmp_path / "out" / "parquet" / f"{table}.parquet")
        assert list(frame.columns) == columns(table)
        assert frame.empty


# Every JSON value the outputs hold: text (any character but a lone surrogate, which
# printable_name never leaves), whole numbers, null, booleans, and lists and objects of
# them. Not floats: no output holds one but the layout tolerances, written alike.
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.text(st.characters(exclude_categories=["Cs"])),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(st.characters(exclude_categories=["Cs"])), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_json_outputs_are_the_text_the_standard_encoder_writes(data: object) -> None:
    expected = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    assert write.json_bytes(data) == expected.encode("utf-8")


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.text(st.characters(exclude_categories=["Cs"]), max_size=6), _JSON, max_size=3
    ),
    st.lists(_JSON, max_size=4),
)
def test_json_written_an_item_at_a_time_is_json_written_whole(
    head: dict[str, object], items: list[object]
) -> None:
    """The manifest and validation.json are written an input at a time (a run never holds
    them whole): the bytes are those of the whole document."""
    head = {key: value for key, value in head.items() if key != "inputs"}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "streamed.json"
        write.write_json_ending_in_list(head, "inputs", iter(items), path)
        written = path.read_bytes()
    whole = json.dumps({**head, "inputs": items}, ensure_ascii=False, indent=2) + "\n"
    assert written == whole.encode("utf-8")


_CSV_TEXT = st.text(st.sampled_from(list("ab ,\"\n\r\t;\\'é€\u2028\x00")), max_size=8)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            _CSV_TEXT, st.integers(-(2**40), 2**40), _CSV_TEXT, st.none() | st.integers(0, 10**6)
        ),
        max_size=6,
    )
)
def test_csv_is_the_text_pandas_writes(rows: list[tuple[str, int, str, int | None]]) -> None:
    """A table's CSV is written with the csv module from Arrow's values (encoded.encode):
    the bytes pandas' to_csv gives, for quotes, separators, line breaks and missing values
    alike."""
    records = [
        {
            "profile_id": "p",
            "competence_id": competence,
            "statement_no": number,
            "statement": statement,
            "source_line": number,
            "source_page": page,
            "extraction_method": "text",
            "ocr_confidence": None,
        }
        for competence, number, statement, page in rows
    ]
    frame = records_to_frame("competence_statements", records)
    parts, _ = encode(frames_to_arrow({**empty_tables(), "competence_statements": frame}), ["csv"])
    with tempfile.TemporaryDirectory() as folder:
        sinks = TableSinks(Path(folder), ("csv",), write.arrow_schema)
        sinks.add(parts)
        sinks.close()
        written = (Path(folder) / "csv" / "competence_statements.csv").read_bytes()
    assert written == frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
