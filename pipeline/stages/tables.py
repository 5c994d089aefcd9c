"""Profiles to tidy tables (one DataFrame per output table) and back to nested documents."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

import numpy as np
import pandas as pd

from pipeline.contract.tables import ORDERED_CATEGORIES, TABLES, columns, level_rank
from pipeline.model import Profile

Tables = dict[str, pd.DataFrame]

_NULLABLE_INT: Final = "Int64"
# What pandas keeps under a missing value of a nullable integer array.
_MASKED_FILL = 1


Records = dict[str, list[dict[str, Any]]]


def profile_to_tables(profile: Profile) -> Tables:
    """The eight output tables for one profile, columns in contract order."""
    rows = profile_to_records(profile)
    return {name: records_to_frame(name, rows[name]) for name in TABLES}


def profile_to_records(profile: Profile) -> Records:
    """The rows of the eight output tables for one profile, as plain records (frames are
    built from the records of many profiles at once: one frame per table costs more than
    a profile's rows)."""
    pid = profile.profile_id
    rows: Records = {
        "profiles": [
            {
                "profile_id": pid,
                "title": profile.title,
                "description": profile.description,
                "alliance": profile.alliance,
                "period": profile.period,
                "period_start": profile.period_start,
                "period_end": profile.period_end,
                "min_eqf": profile.min_eqf,
                "value_chain": profile.value_chain,
                "source_file": profile.source.path,
                "source_format": profile.source.format,
                "source_sha256": profile.source.sha256,
                "extraction_method": "ocr" if profile.ocr_pages else "text",
                "ocr_confidence": _profile_confidence(profile),
            }
        ],
        "occupations": [
            {
                "profile_id": pid,
                "occupation_no": number,
                "esco_code": occupation.esco_code,
                "esco_label": occupation.esco_label,
                "esco_uri": occupation.esco_uri,
                "source_line": occupation.line,
                "source_page": occupation.page,
                **_read_by(occupation.ocr_confidence),
            }
            for number, occupation in enumerate(profile.occupations, start=1)
        ],
        "eqf_levels": [
            {"profile_id": pid, "eqf_level": level, **_read_by(profile.eqf_ocr_confidence)}
            for level in profile.eqf_levels
        ],
        "departments": [
            {
                "profile_id": pid,
                "department_no": number,
                "department": department.text,
                "source_line": department.line,
                "source_page": department.page,
                **_read_by(department.ocr_confidence),
            }
            for number, department in enumerate(profile.departments, start=1)
        ],
        "specialisations": [
            {
                "profile_id": pid,
                "specialisation_no": number,
                "specialisation": title.text,
                "source_line": title.line,
                "source_page": title.page,
                **_read_by(title.ocr_confidence),
            }
            for number, title in enumerate(profile.specialisations, start=1)
        ],
        "competences": [
            {
                "profile_id": pid,
                "competence_id": competence.competence_id,
                "competence_no": number,
                "category": competence.category,
                "category_note": competence.category_note,
                "name": competence.name,
                "type": competence.type,
                "level": competence.level,
                "level_rank": level_rank(competence.level),
                "source_line": competence.line,
                "source_page": competence.page,
                **_read_by(competence.ocr_confidence),
            }
            for number, competence in enumerate(profile.competences, start=1)
        ],
        "competence_statements": [
            {
                "profile_id": pid,
                "competence_id": competence.competence_id,
                "statement_no": number,
                "statement": statement.text,
                "source_line": statement.line,
                "source_page": statement.page,
                **_read_by(statement.ocr_confidence),
            }
            for competence in profile.competences
            for number, statement in enumerate(competence.statements, start=1)
        ],
        "competence_esco_skills": [
            {
                "profile_id": pid,
                "competence_id": competence.competence_id,
                "esco_skill_no": number,
                "esco_skill": skill.label,
                "source_line": skill.line,
                "source_page": skill.page,
                **_read_by(skill.ocr_confidence),
            }
            for competence in profile.competences
            for number, skill in enumerate(competence.esco_skills, start=1)
        ],
    }
    return rows


def _read_by(confidence: int | None) -> dict[str, Any]:
    """A row's extraction_method and ocr_confidence: read by OCR when it has a confidence."""
    return {
        "extraction_method": "text" if confidence is None else "ocr",
        "ocr_confidence": confidence,
    }


def _profile_confidence(profile: Profile) -> int | None:
    """The lowest OCR confidence of the profile's own fields and of all its rows."""
    if not profile.ocr_pages:
        return None
    confidences = (
        profile.ocr_confidence,
        profile.eqf_ocr_confidence,
        *(occupation.ocr_confidence for occupation in profile.occupations),
        *(item.ocr_confidence for item in (*profile.departments, *profile.specialisations)),
        *(competence.ocr_confidence for competence in profile.competences),
        *(s.ocr_confidence for c in profile.competences for s in c.statements),
        *(skill.ocr_confidence for c in profile.competences for skill in c.esco_skills),
    )
    return min((c for c in confidences if c is not None), default=None)


def records_to_frame(table: str, records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """A frame with the table's columns and dtypes, whatever the number of records."""
    data: dict[str, Any] = {}
    for name, dtype in _column_dtypes(table):
        values = [record[name] for record in records]
        if dtype == _NULLABLE_INT:
            data[name] = _nullable_integers(values)
        elif dtype.startswith("int"):
            # A missing value stays missing (nullable) so validation reports it, not a crash.
            if all(type(value) is int for value in values):
                data[name] = _integers(values)
            else:
                array = pd.array(values, dtype=_NULLABLE_INT)
                data[name] = array if array.isna().any() else array.to_numpy("int64")
        else:
            data[name] = pd.array(values, dtype="str")
    # Arrays, not Series: a frame built from Series aligns their indexes first.
    return pd.DataFrame(data, columns=columns(table))


@cache
def _column_dtypes(table: str) -> tuple[tuple[str, str], ...]:
    schema = TABLES[table].to_schema()
    return tuple((name, str(column.dtype)) for name, column in schema.columns.items())


def _integers(values: list[int]) -> Any:
    """Python ints as int64 (as pandas' nullable array would give them); an int out of
    int64's range goes the slow way, to fail there as it did."""
    try:
        return np.array(values, dtype=np.int64)
    except OverflowError:
        return pd.array(values, dtype=_NULLABLE_INT).to_numpy("int64")


def _nullable_integers(values: list[Any]) -> Any:
    """Ints and None as a nullable Int64 array, as pandas builds it (the same values under
    the missing ones too), built directly when they are just that."""
    if all(value is None or type(value) is int for value in values):
        mask = np.array([value is None for value in values], dtype=bool)
        try:
            data = np.array(
                [_MASKED_FILL if value is None else value for value in values], dtype=np.int64
            )
        except OverflowError:
            return pd.array(values, dtype=_NULLABLE_INT)
        return pd.arrays.IntegerArray(data, mask)
    return pd.array(values, dtype=_NULLABLE_INT)


@dataclass(frozen=True)
class Batch:
    """The tables of many profiles, one frame per table, each profile's rows together and
    in order; sizes[table][n] is how many rows of the table profile n has."""

    frames: Tables
    sizes: dict[str, list[int]]

    def owners(self, table: str) -> np.ndarray:
        """The position of the profile each row of the table comes from."""
        sizes = self.sizes[table]
        return np.repeat(np.arange(len(sizes)), sizes)

    def select(self, numbers: Sequence[int]) -> Batch:
        """The batch of profiles `numbers` (in increasing order) only."""
        count = len(next(iter(self.sizes.values()), []))
        if list(numbers) == list(range(count)):
            return self
        frames: Tables = {}
        for name, frame in self.frames.items():
            kept = np.isin(self.owners(name), numbers)
            frames[name] = frame[kept].reset_index(drop=True)
        sizes = {name: [sizes[n] for n in numbers] for name, sizes in self.sizes.items()}
        return Batch(frames, sizes)


def records_to_batch(parts: Sequence[Records]) -> Batch:
    return Batch(
        {
            name: records_to_frame(name, [r for part in parts for r in part[name]])
            for name in TABLES
        },
        {name: [len(part[name]) for part in parts] for name in TABLES},
    )


def batch_to_tables(batch: Batch) -> list[Tables]:
    """Each profile's tables, as profile_to_tables builds them from its records alone."""
    count = len(next(iter(batch.sizes.values()), []))
    return [profile_tables(batch, number) for number in range(count)]


def profile_tables(batch: Batch, number: int) -> Tables:
    """Profile `number`'s tables, as profile_to_tables builds them from its records alone."""
    tables: Tables = {}
    for name in TABLES:
        frame = batch.frames[name]
        sizes = batch.sizes[name]
        start, size = sum(sizes[:number]), sizes[number]
        # A slice with its own default index: reset_index would copy every column.
        part = frame.iloc[start : start + size]
        part.index = pd.RangeIndex(size)
        # Nullable in the batch because a profile misses a value: not in the others.
        for column in _integer_columns(name):
            if part[column].dtype == _NULLABLE_INT and part[column].notna().all():
                part[column] = part[column].astype("int64")
        tables[name] = part
    return tables


@cache
def _integer_columns(table: str) -> tuple[str, ...]:
    schema = TABLES[table].to_schema()
    return tuple(n for n, c in schema.columns.items() if str(c.dtype).startswith("int"))


def concat_tables(parts: Iterable[Tables]) -> Tables:
    """One set of tables from many profiles; empty tables keep their columns and dtypes."""
    collected = list(parts)
    tables: Tables = {}
    for name in TABLES:
        frames = [part[name] for part in collected if not part[name].empty]
        tables[name] = (
            pd.concat(frames, ignore_index=True) if frames else records_to_frame(name, [])
        )
    return tables


def with_output_dtypes(tables: Mapping[str, pd.DataFrame]) -> Tables:
    """Validated tables with their published dtypes (ordered levels)."""
    typed: Tables = {}
    for name, frame in tables.items():
        frame = frame.copy()
        for (table, column), categories in ORDERED_CATEGORIES.items():
            if table == name:
                frame[column] = pd.Categorical(frame[column], categories=categories, ordered=True)
        typed[name] = frame
    return typed


def tables_to_documents(tables: Mapping[str, pd.DataFrame]) -> dict[str, dict[str, Any]]:
    """One nested document per profile: the profile row with its child rows inside."""
    return records_to_documents({name: frame_to_records(tables[name]) for name in TABLES})


def records_to_documents(
    records: Mapping[str, list[dict[str, Any]]],
) -> dict[str, dict[str, Any]]:
    """tables_to_documents from the tables' rows as frame_to_records gives them."""
    by_profile = {
        name: _group(records[name], "profile_id", drop=("profile_id",)) for name in TABLES
    }
    by_competence = {
        name: _group(records[name], "competence_id", drop=("profile_id", "competence_id"))
        for name in ("competence_statements", "competence_esco_skills")
    }
    documents: dict[str, dict[str, Any]] = {}
    for profile in records["profiles"]:
        pid = profile["profile_id"]
        competences = [
            {
                **competence,
                "statements": by_competence["competence_statements"].get(
                    competence["competence_id"], []
                ),
                "esco_skills": by_competence["competence_esco_skills"].get(
                    competence["competence_id"], []
                ),
            }
            for competence in by_profile["competences"].get(pid, [])
        ]
        documents[pid] = {
            **profile,
            "occupations": by_profile["occupations"].get(pid, []),
            "eqf_levels": [row["eqf_level"] for row in by_profile["eqf_levels"].get(pid, [])],
            "departments": [row["department"] for row in by_profile["departments"].get(pid, [])],
            "specialisations": [
                row["specialisation"] for row in by_profile["specialisations"].get(pid, [])
            ],
            "competences": competences,
        }
    return documents


def frame_to_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain Python values (int, str, None), ready for JSON."""
    # Column by column: iterating rows of Arrow-backed strings costs a scalar per cell.
    columns = list(frame.columns)
    values = [[_plain(value) for value in frame[column].tolist()] for column in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _group(
    records: Iterable[dict[str, Any]], key: str, drop: tuple[str, ...]
) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        row = record.copy()  # a copy without the dropped keys: a third of a comprehension's time
        for name in drop:
            row.pop(name, None)
        groups.setdefault(record[key], []).append(row)
    return groups


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value
