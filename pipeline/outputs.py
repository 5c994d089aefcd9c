"""Reading a published output (or a folder of golden CSVs) back into contract tables.

`albatts diff` and `albatts validate` start here. Whatever the format read (Parquet, CSV or
JSON), the tables come back with the contract's dtypes, so two outputs compare cell by cell
and the pandera models check them as they check a fresh extraction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.contract.tables import TABLES
from pipeline.out_dir import GENERATOR, MANIFEST

# The order in which an output's formats are preferred when reading it back.
READ_ORDER = ("parquet", "csv", "json")


class OutputReadError(Exception):
    """A folder that is not an output of albatts nor a folder of golden tables."""


@dataclass(frozen=True)
class PublishedOutput:
    folder: Path
    # The format the tables were read from, and each table's file.
    format: str
    files: dict[str, Path]
    tables: dict[str, pd.DataFrame]
    # None for a folder of golden CSVs, which has no manifest.
    manifest: dict[str, Any] | None = None


def table_files(folder: Path, fmt: str | None = None) -> tuple[str, dict[str, Path]]:
    """Where each table of an output is, in the preferred (or the given) format.

    An output folder holds `<format>/<table>.<format>`; a goldens folder holds
    `<table>.csv` directly.
    """
    if not folder.is_dir():
        raise OutputReadError(f"{folder} is not a folder")
    formats = (fmt,) if fmt else READ_ORDER
    for each in formats:
        if (folder / each).is_dir():
            return each, {name: folder / each / f"{name}.{each}" for name in TABLES}
    if fmt in (None, "csv") and any((folder / f"{name}.csv").is_file() for name in TABLES):
        return "csv", {name: folder / f"{name}.csv" for name in TABLES}
    wanted = f"a {fmt}/ folder" if fmt else "a parquet/, csv/ or json/ folder"
    raise OutputReadError(
        f"{folder} holds no tables: expected {wanted} (an output of albatts extract) or "
        "<table>.csv files (a goldens folder)"
    )


def read_output(folder: Path, fmt: str | None = None) -> PublishedOutput:
    """The tables of an output folder (or a goldens folder), every one of them."""
    chosen, files = table_files(folder, fmt)
    tables: dict[str, pd.DataFrame] = {}
    for name, path in files.items():
        if not path.is_file():
            raise OutputReadError(f"{path} is missing: {folder} is not a complete output")
        tables[name] = read_table(path, name, chosen)
    return PublishedOutput(folder, chosen, files, tables, read_manifest(folder))


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """manifest.json if the folder has one written by albatts, else None."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("generator") == GENERATOR else None


def read_table(path: Path, table: str, fmt: str) -> pd.DataFrame:
    """One table file as a frame with the contract's dtypes (see contract_frame)."""
    try:
        if fmt == "parquet":
            frame = pd.read_parquet(path)
        elif fmt == "csv":
            frame = pd.read_csv(
                path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8"
            )
        else:
            frame = pd.DataFrame.from_records(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as error:
        raise OutputReadError(f"{path} cannot be read as {fmt}: {error}") from error
    return contract_frame(table, frame)


def contract_frame(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The contract's dtypes: text as str (categories too), whole numbers as int64 (Int64
    where the contract allows missing values). A value that is not a whole number is kept
    as text, so validation reports it instead of this crashing."""
    typed = frame.copy()
    for name, column in TABLES[table].to_schema().columns.items():
        if name not in typed.columns:
            continue
        values = typed[name]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object)
        if "int" in str(column.dtype).lower():
            typed[name] = _whole_numbers(values, nullable=bool(column.nullable))
        else:
            typed[name] = values.astype("str")
    return typed


def _whole_numbers(values: pd.Series, *, nullable: bool) -> pd.Series:
    try:
        numbers = pd.to_numeric(values).astype("Int64")
    except (ValueError, TypeError):
        return values.astype("str")
    return numbers if nullable or numbers.isna().any() else numbers.astype("int64")
