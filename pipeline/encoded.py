"""Each profile's share of the published CSV and JSON, encoded once, as its result arrives.

A run's one process mostly waits while its workers extract; encoding a result then, rather
than all of them after the last one, takes most of the writing off the end of the run. The
shares are kept on disk (PartsSpool) and joined in profile_id order when the run publishes:
a table's file is its header and its profiles' shares one after the other, byte for byte
what writing the whole table at once gives. Each profile's JSON document is written as its
result arrives, into a folder that becomes json/profiles/ when the run publishes.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from pipeline.contract.tables import TABLES
from pipeline.errors import OutputError
from pipeline.pickle_spool import PickleSpool
from pipeline.stages.tables import records_to_documents

# An indented JSON array's text: its elements' text joined by ELEMENT_SEPARATOR between
# OPENING and CLOSING, or EMPTY_ARRAY.
ELEMENT_SEPARATOR = b",\n"
OPENING, CLOSING, EMPTY_ARRAY = b"[\n", b"\n]\n", b"[]\n"


def json_bytes(data: Any) -> bytes:
    """UTF-8 JSON indented by two spaces and ending in a newline: the text of
    json.dumps(data, ensure_ascii=False, indent=2), from a compiled encoder."""
    options = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS
    return orjson.dumps(data, option=options)


def csv_lines(rows: Iterable[Iterable[object]]) -> bytes:
    """Rows as `DataFrame.to_csv(index=False, lineterminator="\\n")` writes them: pandas
    hands the csv module each row's values (text, whole numbers, "" for a missing one), as
    Arrow's columns give them here, in a tenth of the time."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    return text.getvalue().encode("utf-8")


def json_elements(records: list[dict[str, Any]]) -> bytes:
    """The records as the elements of an indented JSON array, joined by ELEMENT_SEPARATOR
    (b"" for none)."""
    return json_bytes(records)[len(OPENING) : -len(CLOSING)] if records else b""


@dataclass(frozen=True)
class Parts:
    """One input's rows as the published tables' files hold them, per table in TABLES
    order: its CSV lines (no header) and its JSON array elements (json_elements). Empty
    for a format the run does not publish."""

    csv: tuple[bytes, ...]
    json: tuple[bytes, ...]


def encode(
    tables: Mapping[str, pa.Table], formats: Sequence[str]
) -> tuple[Parts, dict[str, bytes]]:
    """An input's Parts, and the JSON document of each of its profiles by profile_id (none
    without JSON). Arrow's values are the published ones: whole numbers, text, None."""
    if "csv" not in formats and "json" not in formats:
        return Parts((), ()), {}
    # Each row as a dict (its values in column order): a conversion per table, not per
    # column, since each costs more than its few rows.
    records = {name: tables[name].to_pylist() for name in TABLES}
    lines: tuple[bytes, ...] = ()
    if "csv" in formats:
        lines = tuple(csv_lines(map(dict.values, records[name])) for name in TABLES)
    if "json" not in formats:
        return Parts(lines, ()), {}
    documents = {
        profile_id: json_bytes(document)
        for profile_id, document in records_to_documents(records).items()
    }
    return Parts(lines, tuple(json_elements(records[name]) for name in TABLES)), documents


class PartsSpool:
    """The Parts of each input with tables, in an unnamed file in `folder` (put as results
    arrive, read back by input), and its profiles' JSON documents in `folder`/documents,
    named by profile_id as they are published."""

    def __init__(self, folder: Path, formats: Sequence[str]) -> None:
        self._formats = tuple(formats)
        self._parts = PickleSpool(Parts, prefix="parts-", folder=folder)
        self.documents = folder / "documents"
        if "json" in formats:
            self.documents.mkdir()

    def add(self, owner: int, tables: Mapping[str, pa.Table]) -> None:
        """Input number `owner`'s tables (each in shards.shard_schema), encoded."""
        parts, documents = encode(tables, self._formats)
        self._parts.put(owner, parts)
        for profile_id, document in documents.items():
            self._document(profile_id).write_bytes(document)

    def read(self, owners: Iterable[int]) -> Iterator[Parts]:
        """The Parts of these inputs, in the order given."""
        for owner in owners:
            yield self._parts.get(owner)

    def published_documents(self, unpublished: Iterable[str]) -> Path:
        """The documents folder without the documents of these profile_ids. (No published
        profile shares one: dataset.duplicate_profiles rejects every input of a profile_id
        that more than one input gives, whichever wrote the document last.)"""
        for profile_id in unpublished:
            self._document(profile_id).unlink(missing_ok=True)
        return self.documents

    def close(self) -> None:
        self._parts.close()
        shutil.rmtree(self.documents, ignore_errors=True)

    def _document(self, profile_id: str) -> Path:
        """Guard: no name taken from a document may lead a write outside the folder. A
        name of one component stays in it: the folder is this run's own, and holds no link
        (resolving each name cost as much as writing its document)."""
        target = self.documents / f"{profile_id}.json"
        if any(separator in profile_id for separator in {os.sep, os.altsep or os.sep, "\0"}):
            raise OutputError(f"refusing to write {target}: it is outside the output folder")
        return target
