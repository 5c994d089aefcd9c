"""The report's lines of every input and profile are kept on disk, and read back whole and
in order, as often as the report asks."""

from __future__ import annotations

import gc
import tracemalloc

import pytest

from pipeline import row_spool
from pipeline.row_spool import RowSpool


def line(number: int, width: int = 40) -> dict[str, object]:
    return {
        "profile_id": f"profile-{number:05d}",
        "title": "x" * (number % width),
        "number": number,
        "missing": None,
    }


def test_rows_come_back_in_order_as_often_as_asked() -> None:
    rows = [line(number) for number in range(3000)]
    spool = RowSpool()
    spool.extend(rows[:1000])
    assert list(spool) == rows[:1000]
    spool.extend(rows[1000:])
    assert len(spool) == 3000 and bool(spool)
    assert list(spool) == rows
    assert list(spool) == rows
    assert not RowSpool() and list(RowSpool()) == []


@pytest.mark.parametrize("block", [1, 7, 64])
def test_rows_cut_across_blocks_come_back_whole(
    monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    monkeypatch.setattr(row_spool, "_BLOCK", block)
    rows = [line(number, width=300) for number in range(200)]
    spool = RowSpool()
    spool.extend(rows)
    assert list(spool) == rows


def test_rows_appended_do_not_stay_in_memory() -> None:
    """Fails when the spool keeps its rows (about 300 bytes each as dicts)."""
    count = 20000
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        spool = RowSpool()
        for number in range(count):
            spool.append(line(number))
        gc.collect()
        grown = sum(
            stat.size_diff for stat in tracemalloc.take_snapshot().compare_to(before, "filename")
        )
    finally:
        tracemalloc.stop()
    assert len(spool) == count
    # A block of pending bytes at most (1 MiB), not the rows.
    assert grown < row_spool._BLOCK + 64 * 1024
