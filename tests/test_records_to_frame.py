"""records_to_frame builds its columns directly (numpy and nullable arrays rather than
Series): the frames are those pandas builds from the records' values as Series."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.contract.tables import TABLES
from pipeline.process import Extracted, extract_file
from pipeline.stages.tables import _nullable_integers, columns, records_to_frame
from tests.conftest import AUTHORED, SEED


def by_series(table: str, records: list[dict[str, Any]]) -> pd.DataFrame:
    """The frame as built before: a Series per column, with the contract's dtype."""
    data = {}
    for name, column in TABLES[table].to_schema().columns.items():
        values = [record[name] for record in records]
        dtype = str(column.dtype)
        if dtype == "Int64":
            data[name] = pd.Series(values, dtype="Int64")
        elif dtype.startswith("int"):
            series = pd.Series(values, dtype="Int64")
            data[name] = series.astype("int64") if series.notna().all() else series
        else:
            data[name] = pd.Series(values, dtype="str")
    return pd.DataFrame(data, columns=columns(table))


def assert_same_frame(built: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(built, expected, check_exact=True)
    assert built.index.equals(pd.RangeIndex(len(expected)))
    for name in expected.columns:
        assert type(built[name].array) is type(expected[name].array), name
        assert_same_bytes(built[name].array, expected[name].array)


def assert_same_bytes(built: Any, expected: Any) -> None:
    """The same buffers, what a missing value hides included (pickles, Arrow buffers)."""
    if isinstance(expected, pd.arrays.IntegerArray):
        assert built._data.tobytes() == expected._data.tobytes()
        assert built._mask.tobytes() == expected._mask.tobytes()
    elif hasattr(expected, "_pa_array"):
        assert built._pa_array.type == expected._pa_array.type
        assert [
            [buffer.to_pybytes() if buffer else None for buffer in chunk.buffers()]
            for chunk in built._pa_array.chunks
        ] == [
            [buffer.to_pybytes() if buffer else None for buffer in chunk.buffers()]
            for chunk in expected._pa_array.chunks
        ]
    else:
        assert built.to_numpy().dtype == expected.to_numpy().dtype
        assert built.to_numpy().tobytes() == expected.to_numpy().tobytes()


_RECORDS = [
    each.records
    for each in (extract_file(path) for path in [SEED, *sorted(AUTHORED.glob("*.txt"))])
    if isinstance(each, Extracted)
]


@pytest.mark.parametrize("table", list(TABLES))
def test_frames_of_real_profiles_are_those_pandas_builds(table: str) -> None:
    records = [row for part in _RECORDS for row in part[table]]
    for chosen in (records, records[:1], []):
        assert_same_frame(records_to_frame(table, chosen), by_series(table, chosen))


@pytest.mark.parametrize("table", list(TABLES))
def test_a_missing_value_in_any_column_gives_the_same_frame(table: str) -> None:
    records = [dict(row) for part in _RECORDS[:2] for row in part[table]][:5]
    for name in records[0]:
        changed = [dict(row) for row in records]
        changed[0][name] = None
        assert_same_frame(records_to_frame(table, changed), by_series(table, changed))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.none() | st.integers(min_value=-(2**63), max_value=2**63 - 1), max_size=6))
def test_nullable_integers_are_pandas_own(values: list[int | None]) -> None:
    assert_same_bytes(_nullable_integers(values), pd.array(values, dtype="Int64"))
