"""Results on their way from a worker to the run: a batch's verdicts and pictures, and the
tables of all its files as one Arrow IPC stream per table. Unpickling a file's eight
frames cost the run's one process more than the worker spent extracting a text profile;
an IPC stream is read without a copy and cut into each file's rows for nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

import pyarrow as pa

from pipeline.contract.tables import TABLES
from pipeline.inputs import Input
from pipeline.model import FileResult
from pipeline.process import Finished
from pipeline.shards import ArrowTables, arrow_to_frame, frames_to_arrow

K = TypeVar("K")
# What a run does with each result as it arrives, given its tables as Arrow when they came
# that way (from a worker or from the cache): moves them to disk, say, and gives back
# what the executor hands back for it (with_frames: the result whole; the run: nothing).
Keep = Callable[[Input, FileResult, "ArrowTables | None"], K]


@dataclass(frozen=True)
class Packed:
    """A batch's results without their tables; tables[name] the IPC stream of every
    file's rows of that table, file after file; rows[n] file n's rows per table (None
    for a file without tables)."""

    results: list[FileResult]
    tables: dict[str, bytes]
    rows: list[tuple[int, ...] | None]


def pack(finished: Finished) -> Packed:
    """The batch's tables converted to Arrow at once: a conversion per table and file
    cost more than extracting a text profile."""
    tables = {}
    for name, rows in frames_to_arrow(finished.tables.frames).items():
        tables[name] = _to_ipc(rows.combine_chunks())
    sizes = finished.tables.sizes
    rows = [
        None if number is None else tuple(sizes[name][number] for name in TABLES)
        for number in finished.numbers
    ]
    return Packed([replace(r, tables=None) for r in finished.results], tables, rows)


def unpack(packed: Packed) -> list[tuple[FileResult, ArrowTables | None]]:
    """Each result, and its tables as slices of the batch's (no copy)."""
    wholes = {name: pa.ipc.open_stream(data).read_all() for name, data in packed.tables.items()}
    starts = dict.fromkeys(TABLES, 0)
    unpacked: list[tuple[FileResult, ArrowTables | None]] = []
    for result, rows in zip(packed.results, packed.rows, strict=True):
        if rows is None:
            unpacked.append((result, None))
            continue
        own = {}
        for name, count in zip(TABLES, rows, strict=True):
            own[name] = wholes[name].slice(starts[name], count)
            starts[name] += count
        unpacked.append((result, own))
    return unpacked


def with_frames(_each: Input, result: FileResult, arrow: ArrowTables | None) -> FileResult:
    """Keep for a caller that wants results whole: the tables as frames."""
    if arrow is None:
        return result
    return replace(result, tables={name: arrow_to_frame(name, arrow[name]) for name in TABLES})


def _to_ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())
