"""The published tables written as the run publishes: each table's Parquet a chunk of the
dataset at a time, its CSV and JSON a profile's share (encoded.Parts) at a time, byte for
byte what writing the whole tables at once gives, so a run never holds them all.

A chunk comes as the shards hold it (Arrow, shards.shard_schema) and is written as what
pyarrow makes of its frames with the published dtypes (stages.tables.with_output_dtypes),
pandas' metadata included, without going through pandas: published_table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.contract.tables import ORDERED_CATEGORIES, TABLES, columns
from pipeline.encoded import (
    CLOSING,
    ELEMENT_SEPARATOR,
    EMPTY_ARRAY,
    OPENING,
    Parts,
    csv_lines,
)
from pipeline.stages.tables import records_to_frame, with_output_dtypes

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
        self._schemas: dict[str, pa.Schema] = {}
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

    def write(self, chunk: Mapping[str, pa.Table]) -> None:
        """A chunk of the published tables, as the shards hold them, as Parquet."""
        if "parquet" not in self._formats:
            return
        for name in TABLES:
            if name not in self._parquet:
                self._schemas[name] = published_schema(name, self._schema_of)
                path = self._folder / "parquet" / f"{name}.parquet"
                self._parquet[name] = pq.ParquetWriter(path, self._schemas[name])
            self._parquet[name].write_table(published_table(name, chunk[name], self._schemas[name]))

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


def published_schema(table: str, schema_of: SchemaOf) -> pa.Schema:
    """The Parquet schema of a published table: `schema_of` its frame with the published
    dtypes, and the pandas metadata pyarrow adds, so that pandas reads the nullable whole
    numbers and the ordered levels back as such (it depends on the dtypes alone)."""
    frame = with_output_dtypes({table: records_to_frame(table, [])})[table]
    return pa.Table.from_pandas(frame, schema=schema_of(frame, table), preserve_index=False).schema


def published_table(table: str, data: pa.Table, schema: pa.Schema) -> pa.Table:
    """A table as the shards hold it, as `pa.Table.from_pandas` gives its frame with the
    published dtypes (schema: its published_schema): text and whole numbers as they are,
    each ordered level as its place among the levels (a dictionary of them all, as a
    pandas Categorical gives it)."""
    published = []
    for field in schema:
        column = data.column(field.name)
        if pa.types.is_dictionary(field.type):
            levels = pa.array(ORDERED_CATEGORIES[table, field.name], field.type.value_type)
            places = pc.index_in(column, value_set=levels).cast(field.type.index_type)
            column = pa.chunked_array(
                [
                    pa.DictionaryArray.from_arrays(each, levels, ordered=field.type.ordered)
                    for each in places.chunks
                ],
                field.type,
            )
        published.append(column.cast(field.type))
    return pa.Table.from_arrays(published, schema=schema)
