"""Two sets of tables compared by key: rows added, removed and changed, per table.

List items (statements, ESCO skills, specialisations, departments, occupations) are matched
by their content within their parent, so one inserted bullet is one added row, not a
cascade of renumbered ones; an item whose text changed is paired with the removed item at
its place. Positions (`*_no`) are therefore not compared, and neither is provenance unless
asked. Everything here is pandas merges on frames with the contract's dtypes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from pipeline.contract.tables import TABLES, primary_key

# Where a row came from and how it was read (a scan read by OCR, or a text layer).
PROVENANCE = (
    "source_file",
    "source_format",
    "source_sha256",
    "source_line",
    "source_page",
    "extraction_method",
    "ocr_confidence",
)
_OCCURRENCE = "_occurrence"
_PLACE = "_place"


@dataclass(frozen=True)
class Match:
    """How a table's rows are matched: by `key` (plus an occurrence number, for an item
    given twice); `position` is the row's place in its parent, not compared; `pair`
    turns a removed and an added item at the same place in one parent into one change."""

    key: tuple[str, ...]
    parent: tuple[str, ...] = ()
    position: str | None = None
    pair: bool = False


MATCHES: dict[str, Match] = {
    "profiles": Match(("profile_id",)),
    "occupations": Match(("profile_id", "esco_code"), ("profile_id",), "occupation_no", True),
    "eqf_levels": Match(("profile_id", "eqf_level")),
    "departments": Match(("profile_id", "department"), ("profile_id",), "department_no", True),
    "specialisations": Match(
        ("profile_id", "specialisation"), ("profile_id",), "specialisation_no", True
    ),
    # A competence is known by its id; its number shifts when one is inserted above it.
    "competences": Match(("competence_id",), ("profile_id",), "competence_no"),
    "competence_statements": Match(
        ("competence_id", "statement"), ("competence_id",), "statement_no", True
    ),
    "competence_esco_skills": Match(
        ("competence_id", "esco_skill"), ("competence_id",), "esco_skill_no", True
    ),
}


@dataclass(frozen=True)
class TableDiff:
    table: str
    key: tuple[str, ...]
    # Whole rows, in the table's columns.
    added: pd.DataFrame
    removed: pd.DataFrame
    # One row per changed cell: the key columns (NEW's values), column, old, new.
    changed: pd.DataFrame
    # Rows that belong to a profile only one side has (counted, not listed).
    in_added_profiles: int = 0
    in_removed_profiles: int = 0

    @property
    def changed_rows(self) -> int:
        return len(self.changed[list(self.key)].drop_duplicates()) if len(self.changed) else 0

    @property
    def identical(self) -> bool:
        return self.added.empty and self.removed.empty and self.changed.empty


@dataclass(frozen=True)
class OutputDiff:
    # Profiles listed first: those OLD has and NEW lacks, and the new ones.
    profiles_removed: tuple[str, ...]
    profiles_added: tuple[str, ...]
    tables: dict[str, TableDiff] = field(default_factory=dict)
    compared_provenance: bool = False
    # Rows of each removed or added profile, all tables together.
    profile_rows: dict[str, int] = field(default_factory=dict)

    @property
    def identical(self) -> bool:
        return (
            not self.profiles_removed
            and not self.profiles_added
            and all(table.identical for table in self.tables.values())
        )


def diff_tables(
    old: Mapping[str, pd.DataFrame],
    new: Mapping[str, pd.DataFrame],
    *,
    provenance: bool = False,
) -> OutputDiff:
    old_ids = set(old["profiles"]["profile_id"].dropna())
    new_ids = set(new["profiles"]["profile_id"].dropna())
    removed_ids, added_ids = old_ids - new_ids, new_ids - old_ids
    tables = {}
    for name in TABLES:
        old_frame, in_removed = _split(old[name], removed_ids)
        new_frame, in_added = _split(new[name], added_ids)
        table = _diff_table(name, old_frame, new_frame, provenance)
        tables[name] = TableDiff(
            name,
            table.key,
            table.added,
            table.removed,
            table.changed,
            in_added_profiles=in_added,
            in_removed_profiles=in_removed,
        )
    return OutputDiff(
        tuple(sorted(removed_ids)),
        tuple(sorted(added_ids)),
        tables,
        compared_provenance=provenance,
        profile_rows=_rows_per_profile(old, removed_ids) | _rows_per_profile(new, added_ids),
    )


def _rows_per_profile(tables: Mapping[str, pd.DataFrame], profile_ids: set[str]) -> dict[str, int]:
    ids = pd.concat([frame["profile_id"] for frame in tables.values()], ignore_index=True)
    counts = ids[ids.isin(profile_ids)].value_counts()
    return {str(profile_id): int(count) for profile_id, count in counts.items()}


def _split(frame: pd.DataFrame, profile_ids: set[str]) -> tuple[pd.DataFrame, int]:
    """The rows outside the given profiles, and how many rows were inside them."""
    inside = frame["profile_id"].isin(profile_ids)
    return frame[~inside], int(inside.sum())


def _diff_table(name: str, old: pd.DataFrame, new: pd.DataFrame, provenance: bool) -> TableDiff:
    match = MATCHES[name]
    columns = list(TABLES[name].to_schema().columns)
    ignored = {match.position} | (set() if provenance else set(PROVENANCE))
    compared = [c for c in columns if c not in match.key and c not in ignored]
    on = [*match.key, _OCCURRENCE]
    merged = _numbered(old, match).merge(
        _numbered(new, match), on=on, how="outer", suffixes=("_old", "_new"), indicator=True
    )
    removed = _side(merged[merged["_merge"] == "left_only"], columns, on, "_old", old)
    added = _side(merged[merged["_merge"] == "right_only"], columns, on, "_new", new)
    # A list item is reported by its parent and its place in NEW, which a reader can find.
    key = (*match.parent, match.position) if match.pair and match.position else match.key
    both = merged[merged["_merge"] == "both"].astype(
        {
            f"{c}{suffix}": side[c].dtype
            for c in columns
            if c not in on
            for suffix, side in (("_old", old), ("_new", new))
        }
    )
    changed = _changed_cells(both, key, on, compared)
    if match.pair and not (added.empty or removed.empty):
        added, removed, paired = _pair_at_place(added, removed, match, columns, ignored)
        changed = pd.concat([changed, paired], ignore_index=True) if len(paired) else changed
    changed = changed.sort_values([*key, "column"], kind="stable").reset_index(drop=True)
    return TableDiff(
        name,
        tuple(key),
        _ordered(added, columns, name),
        _ordered(removed, columns, name),
        changed[[*key, "column", "old", "new"]],
    )


def _numbered(frame: pd.DataFrame, match: Match) -> pd.DataFrame:
    """The frame with an occurrence number per key, so an item given twice matches twice."""
    numbered = frame.copy()
    numbered[_OCCURRENCE] = numbered.groupby(list(match.key), dropna=False).cumcount()
    return numbered


def _side(
    rows: pd.DataFrame, columns: list[str], on: list[str], suffix: str, like: pd.DataFrame
) -> pd.DataFrame:
    """One side's rows of an outer merge, with the dtypes the merge widened restored."""
    picked = {c: rows[c] if c in on else rows[f"{c}{suffix}"] for c in columns}
    side = pd.DataFrame(picked, columns=columns).reset_index(drop=True)
    return side.astype({c: like[c].dtype for c in columns})


def _changed_cells(
    both: pd.DataFrame, key: tuple[str, ...], on: list[str], compared: list[str]
) -> pd.DataFrame:
    # A key column that is not matched on is the item's place, shown as NEW has it.
    shown = {c: both[c] if c in on else both[f"{c}_new"] for c in key}
    parts = []
    for column in compared:
        old, new = both[f"{column}_old"], both[f"{column}_new"]
        differs = _differs(old, new)
        if differs.any():
            cells = pd.DataFrame({c: values[differs] for c, values in shown.items()})
            cells["column"] = column
            cells["old"] = old[differs].astype(object)
            cells["new"] = new[differs].astype(object)
            parts.append(cells)
    return pd.concat(parts, ignore_index=True) if parts else _no_changes(key)


def _differs(old: pd.Series, new: pd.Series) -> pd.Series:
    """Cell by cell: the values differ (two missing values are equal)."""
    return ~((old == new).fillna(False).astype(bool) | (old.isna() & new.isna()))


def _pair_at_place(
    added: pd.DataFrame,
    removed: pd.DataFrame,
    match: Match,
    columns: list[str],
    ignored: set[str | None],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Within one parent, the n-th removed item and the n-th added item (in document order)
    are one item whose text changed."""
    assert match.position is not None
    parent = list(match.parent)
    old = _placed(removed, parent, match.position)
    new = _placed(added, parent, match.position)
    paired = old.merge(new, on=[*parent, _PLACE], suffixes=("_old", "_new"))
    if paired.empty:
        return added, removed, _no_changes((*parent, match.position))
    changed = _changed_cells(
        paired,
        (*parent, match.position),
        [*parent, _PLACE],
        [c for c in columns if c not in parent and c not in ignored],
    )
    places = paired[[*parent, _PLACE]]
    return _unpaired(new, places, columns), _unpaired(old, places, columns), changed


def _unpaired(frame: pd.DataFrame, places: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    marked = frame.merge(places, on=list(places.columns), how="left", indicator=True)
    return marked[marked["_merge"] == "left_only"][columns]


def _placed(frame: pd.DataFrame, parent: list[str], position: str) -> pd.DataFrame:
    placed = frame.sort_values([*parent, position], kind="stable").copy()
    placed[_PLACE] = placed.groupby(parent, dropna=False).cumcount()
    return placed


def _ordered(frame: pd.DataFrame, columns: list[str], table: str) -> pd.DataFrame:
    order = [c for c in primary_key(table) if c in frame.columns]
    return frame[columns].sort_values(order, kind="stable").reset_index(drop=True)


def _no_changes(key: tuple[str, ...] | list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=[*key, "column", "old", "new"])
