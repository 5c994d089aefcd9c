"""The published tables written chunk after chunk: each table as CSV, Parquet and JSON, and
each profile's JSON document, byte for byte what writing the whole tables at once gives
(Parquet aside, whose row groups follow the chunks), so a run never holds them all."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.contract.tables import TABLES
from pipeline.stages.tables import Tables, records_to_documents

# (table, frame) -> the frame's Arrow schema for Parquet (write.arrow_schema).
SchemaOf = Callable[[pd.DataFrame, str], pa.Schema]
JsonOf = Callable[[object], bytes]


class TableSinks:
    """One open file per table and format under `folder`; write() the chunks in order,
    then close() (also when a write fails: the folder is staging, thrown away)."""

    def __init__(
        self,
        folder: Path,
        formats: Sequence[str],
        schema_of: SchemaOf,
        json_of: JsonOf,
        inside: Callable[[Path], Path],
    ) -> None:
        self._folder = folder
        self._formats = formats
        self._schema_of = schema_of
        self._json_of = json_of
        self._inside = inside
        self._csv: dict[str, IO[str]] = {}
        self._parquet: dict[str, pq.ParquetWriter] = {}
        self._json: dict[str, IO[bytes]] = {}
        self._json_rows: dict[str, bool] = {}
        for kind in formats:
            (folder / kind).mkdir(parents=True, exist_ok=True)
        if "json" in formats:
            (folder / "json" / "profiles").mkdir(exist_ok=True)

    def write(self, chunk: Tables) -> None:
        arrow: dict[str, pa.Table] = {}
        for name in TABLES:
            frame = chunk[name]
            if "parquet" in self._formats or "json" in self._formats:
                # With pandas' metadata (from the first chunk: every chunk has the same
                # dtypes), so that pandas reads the nullable whole numbers back as such.
                schema = self._schema_of(frame, name)
                arrow[name] = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
            if "parquet" in self._formats:
                self._write_parquet(name, arrow[name])
            if "csv" in self._formats:
                self._write_csv(name, frame)
        if "json" in self._formats:
            # Arrow's rows are plain Python values already (what frame_to_records gives).
            records = {name: arrow[name].to_pylist() for name in TABLES}
            for name in TABLES:
                self._write_json(name, records[name])
            for profile_id, document in records_to_documents(records).items():
                target = self._folder / "json" / "profiles" / f"{profile_id}.json"
                self._inside(target).write_bytes(self._json_of(document))

    def close(self) -> None:
        for name, handle in self._json.items():
            handle.write(b"\n]\n" if self._json_rows[name] else b"[]\n")
        for text in self._csv.values():
            text.close()
        for data in self._json.values():
            data.close()
        for writer in self._parquet.values():
            writer.close()
        self._csv, self._json, self._parquet = {}, {}, {}

    def _write_csv(self, name: str, frame: pd.DataFrame) -> None:
        first = name not in self._csv
        if first:
            path = self._folder / "csv" / f"{name}.csv"
            self._csv[name] = path.open("w", encoding="utf-8", newline="")
        frame.to_csv(self._csv[name], index=False, header=first, lineterminator="\n")

    def _write_parquet(self, name: str, data: pa.Table) -> None:
        if name not in self._parquet:
            path = self._folder / "parquet" / f"{name}.parquet"
            self._parquet[name] = pq.ParquetWriter(path, data.schema)
        self._parquet[name].write_table(data)

    def _write_json(self, name: str, records: list[dict[str, Any]]) -> None:
        """A JSON array written element by element: an indented array's text between its
        brackets is its elements' text, joined by commas."""
        if name not in self._json:
            self._json[name] = (self._folder / "json" / f"{name}.json").open("wb")
            self._json_rows[name] = False
        if not records:
            return
        text = self._json_of(records)
        # Written from the chunk's own bytes: a copy of a chunk's JSON is megabytes.
        elements = memoryview(text)[len(b"[\n") : -len(b"\n]\n")]
        self._json[name].write(b",\n" if self._json_rows[name] else b"[\n")
        self._json[name].write(elements)
        self._json_rows[name] = True
