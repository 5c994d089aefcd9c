"""Re-checking a published output folder: what `albatts validate OUT` reports.

Every table of every format against its pandera model and the links between tables (the
checks extraction ran, with the same messages), the formats against each other, the
manifest against the tables, and the datapackage against the contract. Problems are Issues
located in the output's own files (a CSV row by its line).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.errors

from pipeline.codes import Code
from pipeline.contract.tables import SCHEMA_VERSION, TABLES, columns
from pipeline.describe import datapackage
from pipeline.model import Issue, Location
from pipeline.out_dir import GENERATOR
from pipeline.outputs import (
    MANIFEST,
    READ_ORDER,
    OutputReadError,
    contract_frame,
    read_table,
    table_files,
)
from pipeline.validate import failures_to_issues, foreign_key_issues

DATAPACKAGE = "datapackage.json"
VALIDATION = "validation.json"
_AGAIN = "run albatts extract again"


@dataclass(frozen=True)
class OutputCheck:
    folder: Path
    formats: tuple[str, ...]
    profiles: int
    issues: tuple[Issue, ...]

    @property
    def valid(self) -> bool:
        return not any(issue.severity == "error" for issue in self.issues)


def check_output(folder: Path) -> OutputCheck:
    """Every problem of an output folder; raises OutputReadError if it holds no tables."""
    manifest, issues = _manifest(folder)
    formats = tuple(fmt for fmt in READ_ORDER if (folder / fmt).is_dir())
    if not formats:
        raise OutputReadError(f"{folder} holds no parquet/, csv/ or json/ folder of tables")
    if manifest is not None:
        promised = manifest.get("options", {}).get("formats", formats)
        issues += [
            _issue(
                Code.MISSING_OUTPUT,
                folder / fmt,
                f"the manifest lists {fmt} but there is no {fmt}/ folder",
                _AGAIN,
            )
            for fmt in promised
            if fmt not in formats
        ]
    reference: dict[str, pd.DataFrame] | None = None
    profiles = 0
    for fmt in formats:
        tables, files, unread = _read(folder, fmt)
        issues += unread
        issues += _table_issues(tables, files, fmt, folder)
        if reference is None:
            reference, profiles = tables, len(tables["profiles"])
            if manifest is not None and not unread:
                issues += _manifest_issues(manifest, tables, folder)
        elif not unread:
            issues += _disagreements(reference, tables, files, formats[0])
    issues += _datapackage_issues(folder, formats)
    if not (folder / VALIDATION).is_file():
        issues.append(
            _issue(Code.MISSING_OUTPUT, folder / VALIDATION, "the file is missing", _AGAIN)
        )
    return OutputCheck(folder, formats, profiles, tuple(issues))


def _read(folder: Path, fmt: str) -> tuple[dict[str, pd.DataFrame], dict[str, Path], list[Issue]]:
    """A format's tables; a missing or unreadable file is an Issue and an empty table."""
    _chosen, files = table_files(folder, fmt)
    tables, issues = {}, []
    for name, path in files.items():
        try:
            if not path.is_file():
                raise FileNotFoundError(path)
            tables[name] = read_table(path, name, fmt)
        except FileNotFoundError:
            issues.append(_issue(Code.MISSING_OUTPUT, path, "the table file is missing", _AGAIN))
            tables[name] = contract_frame(name, pd.DataFrame(columns=columns(name)))
        except OutputReadError as error:
            issues.append(_issue(Code.UNREADABLE, path, str(error), _AGAIN))
            tables[name] = contract_frame(name, pd.DataFrame(columns=columns(name)))
    return tables, files, issues


def _manifest(folder: Path) -> tuple[dict[str, Any] | None, list[Issue]]:
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, [_issue(Code.BAD_MANIFEST, path, "the file is missing", _AGAIN)]
    except (OSError, ValueError) as error:
        return None, [_issue(Code.BAD_MANIFEST, path, f"cannot be read as JSON ({error})", _AGAIN)]
    if not isinstance(data, dict) or data.get("generator") != GENERATOR:
        return None, [
            _issue(
                Code.BAD_MANIFEST,
                path,
                f'has no "generator": "{GENERATOR}": not an output of albatts',
                "check the folder, or run albatts extract again",
            )
        ]
    if data.get("schema_version") != SCHEMA_VERSION:
        return data, [
            _issue(
                Code.STALE_OUTPUT,
                path,
                f"written with schema version {data.get('schema_version')!r}; this albatts "
                f"reads {SCHEMA_VERSION!r}",
                "run albatts extract again with this version",
            )
        ]
    return data, []


def _table_issues(
    tables: dict[str, pd.DataFrame], files: dict[str, Path], fmt: str, folder: Path
) -> list[Issue]:
    """The extraction's own checks on each table, each failure located in the table file."""
    issues: list[Issue] = []
    located = {name: _located(frame, fmt) for name, frame in tables.items()}
    for name, model in TABLES.items():
        try:
            model.validate(tables[name], lazy=True)
        except pandera.errors.SchemaErrors as errors:
            issues += failures_to_issues(
                name, located[name], errors.failure_cases, str(files[name])
            )
    for issue in foreign_key_issues(located, str(folder / fmt)):
        where = issue.location
        location = replace(where, file=str(files[where.table or "profiles"]))
        hint = "remove the row, or restore the row it points at"
        issues.append(replace(issue, location=location, hint=hint))
    return issues


def _located(frame: pd.DataFrame, fmt: str) -> pd.DataFrame:
    """The frame with its rows' places in the table file where provenance usually sits:
    a CSV row's line (the header is line 1); other formats have no lines to name."""
    located = frame.copy()
    lines = range(2, len(frame) + 2) if fmt == "csv" else [None] * len(frame)
    located["source_line"] = pd.array(list(lines), dtype="Int64")
    located["source_page"] = pd.array([None] * len(frame), dtype="Int64")
    return located


def _disagreements(
    reference: dict[str, pd.DataFrame],
    tables: dict[str, pd.DataFrame],
    files: dict[str, Path],
    reference_format: str,
) -> list[Issue]:
    issues = []
    for name, frame in tables.items():
        try:
            pd.testing.assert_frame_equal(
                reference[name].reset_index(drop=True), frame.reset_index(drop=True)
            )
        except AssertionError as difference:
            first = str(difference).strip().splitlines()[0]
            issues.append(
                _issue(
                    Code.FORMATS_DISAGREE,
                    files[name],
                    f"differs from the {reference_format} copy of {name} ({first})",
                    "a copy was edited by hand: run albatts extract again",
                )
            )
    return issues


def _manifest_issues(
    manifest: dict[str, Any], tables: dict[str, pd.DataFrame], folder: Path
) -> list[Issue]:
    path = folder / MANIFEST
    issues = []
    counts = manifest.get("tables", {})
    for name, frame in tables.items():
        if counts.get(name) != len(frame):
            issues.append(
                _issue(
                    Code.BAD_MANIFEST,
                    path,
                    f"lists {counts.get(name)} rows for {name}, the table has {len(frame)}",
                    "the tables or the manifest were edited: run albatts extract again",
                )
            )
    published = {
        (entry.get("source_file"), entry.get("sha256"), entry.get("profile_id"))
        for entry in manifest.get("inputs", [])
        if entry.get("status") == "ok"
    }
    profiles = tables["profiles"]
    found = set(
        zip(profiles["source_file"], profiles["source_sha256"], profiles["profile_id"], strict=True)
    )
    for source_file, _sha256, profile_id in sorted(published - found, key=str):
        issues.append(
            _issue(
                Code.BAD_MANIFEST,
                path,
                f"input {source_file!r} is ok with profile {profile_id!r}, which the profiles "
                "table does not hold (with that file and hash)",
                "the tables or the manifest were edited: run albatts extract again",
            )
        )
    for source_file, _sha256, profile_id in sorted(found - published, key=str):
        issues.append(
            _issue(
                Code.BAD_MANIFEST,
                path,
                f"profile {profile_id!r} (from {source_file!r}) has no ok input in the manifest",
                "the tables or the manifest were edited: run albatts extract again",
            )
        )
    return issues


def _datapackage_issues(folder: Path, formats: tuple[str, ...]) -> list[Issue]:
    path = folder / DATAPACKAGE
    try:
        written = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [_issue(Code.MISSING_OUTPUT, path, "the file is missing", _AGAIN)]
    except (OSError, ValueError) as error:
        return [_issue(Code.BAD_DATAPACKAGE, path, f"cannot be read as JSON ({error})", _AGAIN)]
    expected = datapackage(formats)
    if written == expected:
        return []
    where = _first_difference(written, expected) or "(top level)"
    return [
        _issue(
            Code.BAD_DATAPACKAGE,
            path,
            f"does not describe these tables as the contract does (first difference at {where})",
            "the descriptor was edited or comes from another version: run albatts extract again",
        )
    ]


def _first_difference(written: Any, expected: Any, at: str = "") -> str | None:
    if isinstance(written, dict) and isinstance(expected, dict):
        for key in sorted(set(written) | set(expected)):
            found = _first_difference(written.get(key), expected.get(key), f"{at}.{key}")
            if found is not None:
                return found
        return None
    if isinstance(written, list) and isinstance(expected, list) and len(written) == len(expected):
        for index, (left, right) in enumerate(zip(written, expected, strict=True)):
            found = _first_difference(left, right, f"{at}[{index}]")
            if found is not None:
                return found
        return None
    return None if written == expected else at.lstrip(".")


def _issue(code: Code, path: Path, message: str, hint: str) -> Issue:
    return Issue("validate", message, Location(str(path)), hint, code=code)
