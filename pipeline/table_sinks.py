"""The published tables written as the run publishes: each table's Parquet a chunk of the
dataset at a time, its CSV and JSON a profile's share (encoded.Parts) at a time, byte for
byte what writing the whole tables at once gives, so a run never holds them all."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.contract.tables import TABLES, columns
from pipeline.encoded import (
    CLOSING,
    ELEMENT_SEPARATOR,
    EMPTY_ARRAY,
    OPENING,
    Parts,
    csv_lines,
)
from pipeline.stages.tables import Tables

# (table, frame) -> the frame's Arrow schema for Parquet (write.arrow_schema).
SchemaOf = Callable[[pd.DataFrame, str], pa.Schema]


class TableSinks:
    """One open file per table and format under `folder`: write() the dataset's chunks and
    add() its profiles' Parts, each in profile_id order, then close() (also when a write
    fails: the folder is staging, thrown away)."""

    def __init__(self, folder: Path, formats: Sequence[str], schema_of: SchemaOf) -> None:
        self._folder = folder
        self._formats = formats
        self._schema_of = schema_of
        self._csv: dict[str, IO[bytes]] = {}
        self._parquet: dict[str, pq.ParquetWriter] = {}
        self._json: dict[str, IO[bytes]] = {}
        self._json_rows: dict[str, bool] = {}
        for kind in formats:
            (folder / kind).mkdir(parents=True, exist_ok=True)
        for name in TABLES if "csv" in formats else ():
            self._csv[name] = (folder / "csv" / f"{name}.csv").open("wb")
            self._csv[name].write(csv_lines([columns(name)]))
        for name in TABLES if "json" in formats else ():
            self._json[name] = (folder / "json" / f"{name}.json").open("wb")
            self._json_rows[name] = False

    def write(self, chunk: Tables) -> None:
        """A chunk of the published tables, as Parquet."""
        if "parquet" not in self._formats:
            return
        for name in TABLES:
            frame = chunk[name]
            # With pandas' metadata (from the first chunk: every chunk has the same
            # dtypes), so that pandas reads the nullable whole numbers back as such.
            schema = self._schema_of(frame, name)
            data = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
            if name not in self._parquet:
                path = self._folder / "parquet" / f"{name}.parquet"
                self._parquet[name] = pq.ParquetWriter(path, data.schema)
            self._parquet[name].write_table(data)

    def add(self, parts: Parts) -> None:
        """A profile's share of the CSV and JSON files."""
        for name, lines in zip(self._csv, parts.csv, strict=True):
            self._csv[name].write(lines)
        for name, elements in zip(self._json, parts.json, strict=True):
            if elements:
                handle = self._json[name]
                handle.write(ELEMENT_SEPARATOR if self._json_rows[name] else OPENING)
                handle.write(elements)
                self._json_rows[name] = True

    def close(self) -> None:
        for name, handle in self._json.items():
            handle.write(CLOSING if self._json_rows[name] else EMPTY_ARRAY)
        for handle in [*self._csv.values(), *self._json.values()]:
            handle.close()
        for writer in self._parquet.values():
            writer.close()
        self._csv, self._json, self._parquet = {}, {}, {}
