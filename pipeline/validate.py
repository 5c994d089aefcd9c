"""Tables to Issues: the pandera contract (pipeline/contract) plus the links between tables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pandera.errors
from pandera.api.pandas.container import DataFrameSchema

from pipeline.codes import Code
from pipeline.contract.checks import CHECK_ERRORS
from pipeline.contract.tables import FOREIGN_KEYS, TABLES, unique_keys
from pipeline.contract.vocabulary import load_vocabulary
from pipeline.model import Issue, Location
from pipeline.stages.tables import Batch, profile_tables

_PATTERN_MEANING = {
    "profile_id": "a lowercase slug such as 'battery-cell-engineer'",
    "competence_id": "'<profile_id>--<competence slug>'",
    "esco_code": "an ESCO occupation code such as 2514.2.1",
    "esco_uri": "http://data.europa.eu/esco/occupation/ followed by a UUID",
    "period": "two years such as 2019-2023",
    "source_sha256": "a SHA-256 hex digest",
}
_PATTERN_CODES = {
    "profile_id": Code.BAD_PROFILE_ID,
    "competence_id": Code.BAD_COMPETENCE_ID,
    "esco_code": Code.BAD_ESCO_CODE,
    "esco_uri": Code.BAD_ESCO_URI,
    "period": Code.BAD_PERIOD,
}
_VOCABULARY_CODES = {
    "categories": Code.UNKNOWN_CATEGORY,
    "types": Code.UNKNOWN_TYPE,
    "levels": Code.UNKNOWN_LEVEL,
    "departments": Code.UNKNOWN_DEPARTMENT,
}
_SHOW_VALUES_UP_TO = 12


def validate_tables(tables: Mapping[str, pd.DataFrame], file: str) -> list[Issue]:
    """Every contract failure of one input's tables, all at once (lazy validation)."""
    issues: list[Issue] = []
    for name, model in TABLES.items():
        frame = tables[name]
        try:
            model.validate(frame, lazy=True)
        except pandera.errors.SchemaErrors as errors:
            issues.extend(failures_to_issues(name, frame, errors.failure_cases, file))
    issues.extend(foreign_key_issues(tables, file))
    return issues


def contract_issues(batch: Batch, files: Sequence[str]) -> list[list[Issue]]:
    """validate_tables for many inputs at once: each input's tables (profile n of the
    batch, from files[n]) give the issues they would give alone.

    The contract is checked once on the batch. Every check is of a value, of a row, or of
    uniqueness (which the rows of one input break only if the batch's rows do), so an input
    none of whose rows fails in the batch passes alone; the few that fail, and all of them
    when a failure names no row, are checked alone for their own issues and locations.
    """
    if not files:
        return []
    failing: set[int] = set()
    for name in TABLES:
        owners = batch.owners(name)
        rows = _pandera_rows(name, batch.frames[name], owners)
        if rows is None:  # a failure of a whole column: whose, the batch cannot say
            failing.update(range(len(files)))
            break
        failing.update(np.unique(owners[rows]).tolist())
    failing.update(_broken_links(batch))
    return [
        validate_tables(profile_tables(batch, n), files[n]) if n in failing else []
        for n in range(len(files))
    ]


def _pandera_rows(table: str, frame: pd.DataFrame, owners: np.ndarray) -> np.ndarray | None:
    """The positions of the rows that fail the table's contract as their own profile's
    rows would (owners: each row's profile), or None if a failure names no row.

    Uniqueness is asked of each profile's rows, not of the batch's: two inputs of one
    profile (the same profile from two producers, say) repeat each other's keys, which is
    no failure of either alone (the dataset's key check reports it). pandera checks the
    rest, without the table's uniqueness, so that a batch holding one profile twice costs
    no failure report.
    """
    failed = np.empty(0, dtype=np.intp)
    try:
        _BATCH_SCHEMAS[table].validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        labels = pd.to_numeric(errors.failure_cases["index"], errors="coerce")
        if labels.isna().any():
            return None
        failed = labels.astype(int).to_numpy()  # the labels of a default index
    return np.concatenate([failed, _repeated_in_a_profile(table, frame, owners)])


def _without_uniqueness(schema: DataFrameSchema) -> DataFrameSchema:
    unique = {name: {"unique": False} for name, column in schema.columns.items() if column.unique}
    batch_schema = schema.update_columns(unique)
    batch_schema.unique = None
    return batch_schema


_BATCH_SCHEMAS = {name: _without_uniqueness(model.to_schema()) for name, model in TABLES.items()}
_UNIQUE_KEYS = {name: unique_keys(name) for name in TABLES}


def _repeated_in_a_profile(table: str, frame: pd.DataFrame, owners: np.ndarray) -> np.ndarray:
    """The positions of the rows whose unique columns repeat another row of their profile."""
    repeated = np.zeros(len(frame), dtype=bool)
    for key in _UNIQUE_KEYS[table]:
        if not frame.duplicated(list(key)).any():  # nor then within any profile
            continue
        scoped = frame[list(key)].assign(_profile=owners)
        repeated |= scoped.duplicated(keep=False).to_numpy()
    return np.flatnonzero(repeated)


def _broken_links(batch: Batch) -> set[int]:
    """The profiles of a batch with a row whose foreign key has no parent row in the same
    profile."""
    broken: set[int] = set()
    for key in FOREIGN_KEYS:
        child, parent = batch.frames[key.table], batch.frames[key.parent]
        known = set(
            zip(
                batch.owners(key.parent).tolist(),
                *(parent[column].tolist() for column in key.columns),
                strict=True,
            )
        )
        owners = batch.owners(key.table).tolist()
        rows = zip(owners, *(child[column].tolist() for column in key.columns), strict=True)
        broken.update(row[0] for row in rows if row not in known)
    return broken


def failures_to_issues(
    table: str, frame: pd.DataFrame, failures: pd.DataFrame, file: str
) -> list[Issue]:
    """One Issue per failing value; a check spanning columns gives one Issue per row."""
    schema = TABLES[table].to_schema()
    issues = []
    records = [{str(k): v for k, v in r.items()} for r in failures.to_dict("records")]
    kept = _one_per_row(records, schema.unique or ())
    rows = _rows(frame, (failure.get("index") for failure in kept))
    for failure in kept:
        column = failure.get("column")
        column = column if isinstance(column, str) and column in schema.columns else None
        row = rows.get(failure.get("index"), {})
        code, message, hint = _explain(
            table, column, str(failure.get("check")), failure.get("failure_case")
        )
        location = Location(
            file,
            page=_int_or_none(row.get("source_page")),
            line=_int_or_none(row.get("source_line")),
            table=table,
            column=column,
            row=_describe_row(table, row),
        )
        issues.append(Issue("validate", message, location, hint, code=code))
    return issues


def _one_per_row(
    failures: list[dict[str, Any]], unique_together: Sequence[str]
) -> list[dict[str, Any]]:
    """pandera reports table-wide checks once per column; keep one failure per row.

    For a repeated column combination that is its last column (the one a reader would fix,
    e.g. department rather than profile_id); for other table-wide checks, no column.
    """
    kept: list[dict[str, Any]] = []
    seen: set[tuple[str, Any]] = set()
    # The first failing value of each (column, row): one look-up per repeated row, not a
    # scan of every failure (100,000 repeated departments made 10^10 comparisons).
    values: dict[tuple[Any, Any], Any] = {}
    for failure in failures:
        where = (failure.get("column"), failure.get("index"))
        values.setdefault(where, failure.get("failure_case"))
    for failure in failures:
        if failure.get("schema_context") != "DataFrameSchema" or failure.get("index") is None:
            kept.append(failure)
            continue
        key = (str(failure.get("check")), failure.get("index"))
        if key in seen:
            continue
        seen.add(key)
        if failure.get("check") == "multiple_fields_uniqueness" and unique_together:
            blamed = unique_together[-1]
            value = values.get((blamed, failure.get("index")), failure.get("failure_case"))
            kept.append({**failure, "column": blamed, "failure_case": value})
        else:
            kept.append({**failure, "column": None, "failure_case": None})
    return kept


def foreign_key_issues(tables: Mapping[str, pd.DataFrame], file: str) -> list[Issue]:
    issues = []
    for key in FOREIGN_KEYS:
        child, parent = tables[key.table], tables[key.parent]
        known = set(parent[list(key.columns)].itertuples(index=False, name=None))
        broken = [
            (index, values)
            for index, values in zip(
                child.index,
                child[list(key.columns)].itertuples(index=False, name=None),
                strict=True,
            )
            if values not in known
        ]
        rows = _rows(child, (index for index, _ in broken))
        for index, values in broken:
            row = rows.get(index, {})
            issues.append(
                Issue(
                    "validate",
                    f"{'/'.join(key.columns)} {values!r} has no row in {key.parent}",
                    Location(
                        file,
                        line=_int_or_none(row.get("source_line")),
                        table=key.table,
                        column=key.columns[-1],
                        row=_describe_row(key.table, row),
                    ),
                    "this is a pipeline bug: please report it with the input file",
                    code=Code.BROKEN_LINK,
                )
            )
    return issues


def _explain(table: str, column: str | None, check: str, value: Any) -> tuple[Code, str, str]:
    shown = _show(value)
    what = f"{table}.{column}" if column else table
    if check.startswith("isin"):
        vocabulary_name = (
            (TABLES[table].to_schema().columns[column].metadata or {}).get("vocabulary")
            if column
            else None
        )
        if vocabulary_name:
            vocabulary = load_vocabulary(vocabulary_name)
            allowed = (
                f" (allowed: {', '.join(vocabulary.terms)})"
                if len(vocabulary.terms) <= _SHOW_VALUES_UP_TO
                else ""
            )
            return (
                _VOCABULARY_CODES.get(vocabulary.name, Code.NOT_ALLOWED),
                f"{shown} is not in the {vocabulary.name} vocabulary{allowed}",
                f"correct the document, or add the term to {vocabulary.path} if it is new",
            )
        return (
            Code.NOT_ALLOWED,
            f"{shown} is not an allowed value for {what}",
            "correct the document",
        )
    if check.startswith("str_matches"):
        meaning = _PATTERN_MEANING.get(column or "", "the expected pattern")
        return (
            _PATTERN_CODES.get(column or "", Code.BAD_VALUE),
            f"{shown} is not {meaning}",
            "correct the value in the document",
        )
    if "uniqueness" in check:
        return (
            Code.DUPLICATE_KEY,
            f"{shown} is repeated in {what}",
            "each value may appear once; remove the duplicate",
        )
    if check == "not_nullable":
        return Code.MISSING_VALUE, f"{what} is missing", "fill in the value in the document"
    if check.startswith(("greater_than", "less_than", "in_range")):
        return (
            Code.OUT_OF_RANGE,
            f"{shown} is out of range for {what} ({check})",
            "correct the value in the document",
        )
    if check.startswith("dtype"):
        return (
            Code.WRONG_TYPE,
            f"{what} has the wrong type ({shown}, expected {check})",
            "usually a consequence of a value reported missing above",
        )
    if check in ("column_in_schema", "column_in_dataframe", "column_ordered"):
        return (
            Code.BAD_COLUMNS,
            f"{what}: unexpected column layout ({shown})",
            "this is a pipeline bug: please report it",
        )
    if check in ("period_order", "period_start is after period_end"):
        return Code.BAD_PERIOD, f"{what}: {check}", "correct the project period on the cover"
    if check in CHECK_ERRORS:
        code = Code.EMPTY_VALUE if check == "not_blank" else Code.LEFTOVER_MARKUP
        return code, f"{what} {shown} {CHECK_ERRORS[check]}", "correct the value in the document"
    if value is None:
        return Code.BAD_VALUE, f"{what}: {check}", "correct the values in the document"
    return Code.BAD_VALUE, f"{what} {shown} {check}", "correct the value in the document"


def _rows(frame: pd.DataFrame, indexes: Iterable[Any]) -> dict[Any, dict[str, Any]]:
    """The rows at these index labels as dicts (the first of a repeated label), fetched at
    once: one .loc per label takes seconds when 100,000 rows fail."""
    labels = [
        index
        for index in dict.fromkeys(indexes)
        if not (index is None or (isinstance(index, float) and index != index))
        and index in frame.index
    ]
    found = frame.loc[labels]
    rows = found[~found.index.duplicated()].to_dict("index")
    return {index: {str(k): v for k, v in row.items()} for index, row in rows.items()}


def _describe_row(table: str, row: Mapping[str, Any]) -> str | None:
    if not row:
        return None
    if "competence_id" in row:
        number = next(
            (f" #{row[key]}" for key in ("statement_no", "esco_skill_no") if key in row), ""
        )
        name = f" {row['name']!r}" if "name" in row else ""
        return f"competence{name} {row['competence_id']}{number}"
    for key in ("occupation_no", "department_no", "specialisation_no", "eqf_level"):
        if key in row:
            return f"{key.removesuffix('_no')} #{row[key]}" if key.endswith("_no") else None
    return f"profile {row.get('profile_id')!r}" if table == "profiles" else None


def _show(value: Any, limit: int = 80) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _int_or_none(value: Any) -> int | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return int(value)
