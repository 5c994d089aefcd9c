"""An OutputDiff as text for a terminal, Markdown for a CI log or pull request, or JSON."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd

from pipeline.diff import MATCHES, PROVENANCE, OutputDiff, TableDiff
from pipeline.stages.tables import frame_to_records

_LONGEST_VALUE = 100


def as_json(diff: OutputDiff, old: str, new: str) -> dict[str, Any]:
    return {
        "old": old,
        "new": new,
        "identical": diff.identical,
        "compared_provenance": diff.compared_provenance,
        "profiles_removed": list(diff.profiles_removed),
        "profiles_added": list(diff.profiles_added),
        "profile_rows": dict(sorted(diff.profile_rows.items())),
        "tables": {
            name: {
                "key": list(table.key),
                "added": frame_to_records(table.added),
                "removed": frame_to_records(table.removed),
                "changed": frame_to_records(table.changed),
                "rows_in_added_profiles": table.in_added_profiles,
                "rows_in_removed_profiles": table.in_removed_profiles,
            }
            for name, table in diff.tables.items()
        },
    }


def summary(diff: OutputDiff) -> str:
    if diff.identical:
        return "identical"
    tables = diff.tables.values()
    parts = [
        _count(len(diff.profiles_removed), "profile missing in NEW", "profiles missing in NEW"),
        _count(len(diff.profiles_added), "profile new in NEW", "profiles new in NEW"),
        _count(sum(len(t.added) for t in tables), "row added", "rows added"),
        _count(sum(len(t.removed) for t in tables), "row removed", "rows removed"),
        _count(sum(t.changed_rows for t in tables), "row changed", "rows changed"),
    ]
    return ", ".join(part for part in parts if part)


def as_text(diff: OutputDiff, old: str, new: str, limit: int) -> str:
    lines = [f"albatts diff {old} {new}: {summary(diff)}"]
    if diff.identical:
        return lines[0] + "\n"
    if diff.profiles_removed:
        lines += ["", f"Profiles in OLD, missing in NEW ({len(diff.profiles_removed)}):"]
        lines += [f"  - {_profile(diff, profile_id)}" for profile_id in diff.profiles_removed]
    if diff.profiles_added:
        lines += ["", f"Profiles new in NEW ({len(diff.profiles_added)}):"]
        lines += [f"  + {_profile(diff, profile_id)}" for profile_id in diff.profiles_added]
    for table in _changed_tables(diff):
        lines += ["", f"{table.table}: {_table_counts(table)}"]
        lines += _limited(
            [f"  + {_describe(row)}" for row in _shown_rows(table, table.added, diff)], limit
        )
        lines += _limited(
            [f"  - {_describe(row)}" for row in _shown_rows(table, table.removed, diff)], limit
        )
        lines += _limited(
            [
                f"  ~ {_describe(key)}: {column}: {_value(old_value)} -> {_value(new_value)}"
                for key, column, old_value, new_value in _cells(table)
            ],
            limit,
        )
    return "\n".join(lines) + "\n"


def as_markdown(diff: OutputDiff, old: str, new: str, limit: int) -> str:
    lines = [f"### albatts diff `{old}` → `{new}`", "", f"**{summary(diff)}**"]
    if diff.identical:
        return "\n".join(lines) + "\n"
    if diff.profiles_removed:
        lines += ["", f"#### Profiles in OLD, missing in NEW ({len(diff.profiles_removed)})", ""]
        lines += [f"- {_profile(diff, profile_id, '`')}" for profile_id in diff.profiles_removed]
    if diff.profiles_added:
        lines += ["", f"#### Profiles new in NEW ({len(diff.profiles_added)})", ""]
        lines += [f"- {_profile(diff, profile_id, '`')}" for profile_id in diff.profiles_added]
    for table in _changed_tables(diff):
        lines += ["", f"#### {table.table}: {_table_counts(table)}"]
        for sign, frame in (("added", table.added), ("removed", table.removed)):
            rows = _shown_rows(table, frame, diff)
            if rows:
                columns = list(rows[0])
                lines += ["", f"{sign.capitalize()}:", "", _md_row(columns), _md_rule(columns)]
                lines += _limited([_md_row(row.values()) for row in rows], limit)
        cells = list(_cells(table))
        if cells:
            header = [*table.key, "column", "old", "new"]
            lines += ["", "Changed:", "", _md_row(header), _md_rule(header)]
            lines += _limited(
                [
                    _md_row([*key.values(), column, old_value, new_value])
                    for key, column, old_value, new_value in cells
                ],
                limit,
            )
    return "\n".join(lines) + "\n"


def _profile(diff: OutputDiff, profile_id: str, quote: str = "") -> str:
    rows = diff.profile_rows.get(profile_id, 0)
    return f"{quote}{profile_id}{quote} ({rows} rows in all tables)"


def _changed_tables(diff: OutputDiff) -> Iterator[TableDiff]:
    return (table for table in diff.tables.values() if not table.identical)


def _table_counts(table: TableDiff) -> str:
    return f"{len(table.added)} added, {len(table.removed)} removed, {table.changed_rows} changed"


def _shown_rows(table: TableDiff, frame: pd.DataFrame, diff: OutputDiff) -> list[dict[str, Any]]:
    """Rows as their key and content, without provenance unless it was compared."""
    hidden = () if diff.compared_provenance else PROVENANCE
    match = MATCHES[table.table]
    first = [c for c in (*match.parent, match.position, *match.key) if c]
    order = list(dict.fromkeys([*first, *frame.columns]))
    return [
        {column: record[column] for column in order if column not in hidden}
        for record in frame_to_records(frame)
    ]


def _cells(table: TableDiff) -> Iterator[tuple[dict[str, Any], str, Any, Any]]:
    for record in frame_to_records(table.changed):
        key = {column: record[column] for column in table.key}
        yield key, record["column"], record["old"], record["new"]


def _describe(row: dict[str, Any]) -> str:
    return " ".join(f"{column}={_value(value)}" for column, value in row.items())


def _value(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else "null" if value is None else str(value)
    return text if len(text) <= _LONGEST_VALUE else text[: _LONGEST_VALUE - 3] + "..."


def _limited(lines: list[str], limit: int) -> list[str]:
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f"  ... and {len(lines) - limit} more (all of them: --json)"]


def _md_row(values: Any) -> str:
    cells = ("" if value is None else str(value).replace("|", "\\|") for value in values)
    return "| " + " | ".join(cells) + " |"


def _md_rule(columns: list[Any]) -> str:
    return "|" + " --- |" * len(columns)


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}" if number else ""
