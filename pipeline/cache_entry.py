"""One cache entry: a file's result (FileResult) as bytes and back, without pickle.

An entry is a zip of stored members: result.json (the entry's key, the verdict, the pictures'
captions), tables/<table>.arrow (each table in Arrow IPC, as profile_to_tables built it)
and pictures/<n>.png. A planted entry is data, never code; reading one that is not a
complete entry for its key raises (CorruptEntry, or what zipfile, json or pyarrow raise on
a damaged file: READ_ERRORS).
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import pandas as pd
import pyarrow as pa

from pipeline.contract.tables import TABLES
from pipeline.model import (
    FileResult,
    PagePicture,
    Verdict,
)
from pipeline.shards import frames_to_arrow, shard_schema
from pipeline.stages.tables import records_to_frame
from pipeline.verdict_json import (
    CorruptEntry,
    _list,
    _number,
    _text,
    json_to_verdict,
    verdict_to_json,
)

# Raised when what an entry holds, or how, changes: older entries are then misses.
ENTRY_FORMAT = 1
_RESULT = "result.json"
# Fixed member times keep an entry's bytes a function of its content.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


# What reading a damaged or foreign entry can raise, from zipfile, json and pyarrow.
READ_ERRORS = (
    CorruptEntry,
    zipfile.BadZipFile,
    KeyError,
    ValueError,
    TypeError,
    EOFError,
    RuntimeError,
    NotImplementedError,
    struct.error,
    pa.ArrowException,
    OSError,
)


@dataclass(frozen=True)
class Entry:
    """A result as read back, its tables still in Arrow (shards.arrow_to_frame converts)."""

    verdict: Verdict
    pictures: tuple[PagePicture, ...]
    tables: dict[str, pa.Table] | None


def result_to_entry(
    result: FileResult, key: str, arrow: Mapping[str, pa.Table] | None = None
) -> bytes | None:
    """An entry's bytes; None for tables not as profile_to_tables builds them (no entry
    could give them back exactly). The tables are the result's, or else `arrow` (as
    shards.frames_to_arrow gives them)."""
    tables = result.tables
    if tables is not None and not all(_as_built(name, tables.get(name)) for name in TABLES):
        return None
    if tables is not None:
        arrow = frames_to_arrow(tables)
    about = {
        "entry_format": ENTRY_FORMAT,
        "key": key,
        "verdict": verdict_to_json(result.verdict),
        "pictures": [{"page": each.page, "caption": each.caption} for each in result.pictures],
        "tables": arrow is not None,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        _add(archive, _RESULT, json.dumps(about, ensure_ascii=True).encode("ascii"))
        for name, table in (arrow or {}).items():
            _add(archive, f"tables/{name}.arrow", _table_to_ipc(table))
        for number, picture in enumerate(result.pictures):
            _add(archive, f"pictures/{number}.png", picture.png)
    return buffer.getvalue()


def entry_to_parts(data: bytes, key: str) -> Entry:
    """An entry read back; raises one of READ_ERRORS unless it is a complete entry for key."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        # Stored members only: none can inflate beyond the bytes read.
        if any(info.compress_type != zipfile.ZIP_STORED for info in archive.infolist()):
            raise CorruptEntry("a compressed member")
        about = json.loads(archive.read(_RESULT))
        if not isinstance(about, dict) or about.get("entry_format") != ENTRY_FORMAT:
            raise CorruptEntry("another entry format")
        if about.get("key") != key:
            raise CorruptEntry("an entry for another key")
        verdict = json_to_verdict(about.get("verdict"))
        pictures = tuple(
            PagePicture(
                _number(picture, "page"),
                archive.read(f"pictures/{number}.png"),
                _text(picture, "caption"),
            )
            for number, picture in enumerate(_list(about, "pictures"))
        )
        # The worker hands tables on with an ok verdict only.
        if about.get("tables") is not (verdict.status == "ok"):
            raise CorruptEntry("tables and verdict disagree")
        tables = (
            {name: _arrow_table(name, archive.read(f"tables/{name}.arrow")) for name in TABLES}
            if verdict.status == "ok"
            else None
        )
    return Entry(verdict, pictures, tables)


@cache
def _expected(table: str) -> tuple[pa.Schema, tuple[object, ...]]:
    """The Arrow schema and pandas dtypes of a table as profile_to_tables builds it."""
    return shard_schema(table), tuple(records_to_frame(table, []).dtypes)


def _as_built(table: str, frame: pd.DataFrame | None) -> bool:
    if frame is None:
        return False
    schema, dtypes = _expected(table)
    return (
        list(frame.columns) == schema.names
        and tuple(frame.dtypes) == dtypes
        and frame.index.equals(pd.RangeIndex(len(frame)))
    )


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), data)


def _table_to_ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def _arrow_table(name: str, data: bytes) -> pa.Table:
    table = pa.ipc.open_file(pa.py_buffer(data)).read_all()
    schema, dtypes = _expected(name)
    if not table.schema.equals(schema, check_metadata=False):
        raise CorruptEntry(f"table {name} has other columns")
    for column, dtype in zip(table.columns, dtypes, strict=True):
        # A numpy int64 column with a null would come back as floats.
        if dtype == "int64" and column.null_count:
            raise CorruptEntry(f"table {name} has a null integer")
    return table
