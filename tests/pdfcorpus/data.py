"""Profile truth data: frozen dataclasses, JSON loading and writing, sections.

The JSON schema is the one of tests/fixtures/profiles/*.expected.json.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

CORPUS_PROFILES = Path(__file__).resolve().parent / "profiles"

_PROFILE_KEYS = (
    "title",
    "alliance",
    "period",
    "description",
    "min_eqf",
    "eqf_levels",
    "value_chain",
    "occupations",
    "departments",
    "specialisations",
    "competences",
)
_OCCUPATION_KEYS = ("esco_code", "esco_label", "esco_uri")
_COMPETENCE_KEYS = (
    "category",
    "category_note",
    "name",
    "type",
    "level",
    "statements",
    "esco_skills",
)


class ProfileDataError(ValueError):
    """A truth file does not follow the profile JSON schema."""


@dataclass(frozen=True)
class OccupationData:
    """One row of the ESCO Occupations table."""

    esco_code: str
    esco_label: str
    esco_uri: str


@dataclass(frozen=True)
class CompetenceData:
    """One competence row: its section (category, note) and its cells."""

    category: str
    category_note: str | None
    name: str
    type: str
    level: str
    statements: tuple[str, ...]
    esco_skills: tuple[str, ...]

    @property
    def heading(self) -> str:
        """Section heading text: the category, with ' (note)' when there is a note."""
        return f"{self.category} ({self.category_note})" if self.category_note else self.category


@dataclass(frozen=True)
class ProfileData:
    """A whole job-role profile, as rendered into a fixture."""

    title: str
    alliance: str
    period: str
    description: str
    min_eqf: int
    eqf_levels: tuple[int, ...]
    value_chain: str
    occupations: tuple[OccupationData, ...]
    departments: tuple[str, ...]
    specialisations: tuple[str, ...]
    competences: tuple[CompetenceData, ...]

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """Description paragraphs (separated by a blank line in the truth)."""
        return tuple(part.strip() for part in self.description.split("\n\n") if part.strip())

    @property
    def eqf_text(self) -> str:
        """The Minimum EQF cell: levels joined by '/' ('6/7/8')."""
        return "/".join(str(level) for level in self.eqf_levels)


@dataclass(frozen=True)
class Section:
    """Consecutive competences sharing category and note: one heading and one table."""

    heading: str
    competences: tuple[CompetenceData, ...]
    first_index: int


def _check_keys(data: Mapping[str, Any], keys: Sequence[str], what: str) -> None:
    missing = [key for key in keys if key not in data]
    extra = [key for key in data if key not in keys]
    if missing or extra:
        raise ProfileDataError(f"{what}: missing keys {missing}, unknown keys {extra}")


def _strings(values: Any, what: str) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ProfileDataError(f"{what} must be a list of strings")
    return tuple(values)


def competence_from_dict(data: Mapping[str, Any]) -> CompetenceData:
    """Build a CompetenceData from its JSON object."""
    _check_keys(data, _COMPETENCE_KEYS, f"competence {data.get('name')!r}")
    return CompetenceData(
        category=str(data["category"]),
        category_note=None if data["category_note"] is None else str(data["category_note"]),
        name=str(data["name"]),
        type=str(data["type"]),
        level=str(data["level"]),
        statements=_strings(data["statements"], "statements"),
        esco_skills=_strings(data["esco_skills"], "esco_skills"),
    )


def profile_from_dict(data: Mapping[str, Any]) -> ProfileData:
    """Build a ProfileData from the JSON object of a truth file."""
    _check_keys(data, _PROFILE_KEYS, "profile")
    occupations = []
    for item in data["occupations"]:
        _check_keys(item, _OCCUPATION_KEYS, "occupation")
        occupations.append(OccupationData(**{key: str(item[key]) for key in _OCCUPATION_KEYS}))
    return ProfileData(
        title=str(data["title"]),
        alliance=str(data["alliance"]),
        period=str(data["period"]),
        description=str(data["description"]),
        min_eqf=int(data["min_eqf"]),
        eqf_levels=tuple(int(level) for level in data["eqf_levels"]),
        value_chain=str(data["value_chain"]),
        occupations=tuple(occupations),
        departments=_strings(data["departments"], "departments"),
        specialisations=_strings(data["specialisations"], "specialisations"),
        competences=tuple(competence_from_dict(item) for item in data["competences"]),
    )


def profile_to_dict(profile: ProfileData) -> dict[str, Any]:
    """The JSON object of a profile, keys in the truth-file order."""
    return {
        "title": profile.title,
        "alliance": profile.alliance,
        "period": profile.period,
        "description": profile.description,
        "min_eqf": profile.min_eqf,
        "eqf_levels": list(profile.eqf_levels),
        "value_chain": profile.value_chain,
        "occupations": [
            {key: getattr(item, key) for key in _OCCUPATION_KEYS} for item in profile.occupations
        ],
        "departments": list(profile.departments),
        "specialisations": list(profile.specialisations),
        "competences": [
            {
                "category": item.category,
                "category_note": item.category_note,
                "name": item.name,
                "type": item.type,
                "level": item.level,
                "statements": list(item.statements),
                "esco_skills": list(item.esco_skills),
            }
            for item in profile.competences
        ],
    }


def profile_to_json(profile: ProfileData) -> str:
    """Pretty JSON text (UTF-8, 2-space indent, final newline); load_profile reads it back."""
    return json.dumps(profile_to_dict(profile), indent=2, ensure_ascii=False) + "\n"


def load_profile(path: Path | str) -> ProfileData:
    """Read one truth JSON file."""
    path = Path(path)
    try:
        return profile_from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ProfileDataError, KeyError, TypeError, ValueError) as error:
        raise ProfileDataError(f"{path}: {error}") from error


def corpus_files(folder: Path | str | None = None) -> list[Path]:
    """Truth files (*.json) of a folder, sorted by file name."""
    root = CORPUS_PROFILES if folder is None else Path(folder)
    return sorted(root.glob("*.json"), key=lambda path: path.name)


def load_corpus(folder: Path | str | None = None) -> list[tuple[Path, ProfileData]]:
    """Every truth file of the folder (default tests/pdfcorpus/profiles) with its profile."""
    return [(path, load_profile(path)) for path in corpus_files(folder)]


def profile_stem(path: Path) -> str:
    """File stem without '.expected' ('a.expected.json' -> 'a')."""
    name = path.name.removesuffix(".json")
    return name.removesuffix(".expected")


def sections(profile: ProfileData) -> list[Section]:
    """Group consecutive competences with the same category and note."""
    groups: list[Section] = []
    for index, competence in enumerate(profile.competences):
        key = (competence.category, competence.category_note)
        last = groups[-1] if groups else None
        if last and (last.competences[0].category, last.competences[0].category_note) == key:
            groups[-1] = Section(last.heading, (*last.competences, competence), last.first_index)
        else:
            groups.append(Section(competence.heading, (competence,), index))
    return groups


def profile_texts(profile: ProfileData) -> Iterator[str]:
    """Every piece of truth text that ends up drawn (for font-coverage checks)."""
    yield from (profile.title, profile.alliance, profile.period, *profile.paragraphs)
    yield profile.value_chain
    for occupation in profile.occupations:
        yield from (occupation.esco_code, occupation.esco_label, occupation.esco_uri)
    yield from profile.departments
    yield from profile.specialisations
    for item in profile.competences:
        yield from (item.heading, item.name, item.type, item.level)
        yield from item.statements
        yield from item.esco_skills


def map_profile_text(profile: ProfileData, change: Callable[[str], str]) -> ProfileData:
    """The profile with `change` applied to every drawn text (e.g. a glyph substitution)."""
    return replace(
        profile,
        title=change(profile.title),
        alliance=change(profile.alliance),
        period=change(profile.period),
        description=change(profile.description),
        value_chain=change(profile.value_chain),
        occupations=tuple(
            OccupationData(change(o.esco_code), change(o.esco_label), change(o.esco_uri))
            for o in profile.occupations
        ),
        departments=tuple(change(item) for item in profile.departments),
        specialisations=tuple(change(item) for item in profile.specialisations),
        competences=tuple(
            CompetenceData(
                category=change(c.category),
                category_note=None if c.category_note is None else change(c.category_note),
                name=change(c.name),
                type=change(c.type),
                level=change(c.level),
                statements=tuple(change(item) for item in c.statements),
                esco_skills=tuple(change(item) for item in c.esco_skills),
            )
            for c in profile.competences
        ),
    )


def _read_csv(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def profile_from_golden(folder: Path | str, profile_id: str | None = None) -> ProfileData:
    """Rebuild a profile's truth from golden table CSVs (e.g. tests/golden/000_ec40f3a5bbbfd221)."""
    root = Path(folder)
    rows = _read_csv(root, "profiles")
    head = next(row for row in rows if profile_id is None or row["profile_id"] == profile_id)
    pid = head["profile_id"]

    def of(table: str) -> list[dict[str, str]]:
        return [row for row in _read_csv(root, table) if row["profile_id"] == pid]

    def by(table: str, key: str) -> list[dict[str, str]]:
        return sorted(of(table), key=lambda row: int(row[key]))

    statements = by("competence_statements", "statement_no")
    skills = by("competence_esco_skills", "esco_skill_no")
    competences = tuple(
        CompetenceData(
            category=row["category"],
            category_note=row["category_note"] or None,
            name=row["name"],
            type=row["type"],
            level=row["level"],
            statements=tuple(
                s["statement"] for s in statements if s["competence_id"] == row["competence_id"]
            ),
            esco_skills=tuple(
                s["esco_skill"] for s in skills if s["competence_id"] == row["competence_id"]
            ),
        )
        for row in by("competences", "competence_no")
    )
    return ProfileData(
        title=head["title"],
        alliance=head["alliance"],
        period=head["period"],
        description=head["description"],
        min_eqf=int(head["min_eqf"]),
        eqf_levels=tuple(int(row["eqf_level"]) for row in of("eqf_levels")),
        value_chain=head["value_chain"],
        occupations=tuple(
            OccupationData(row["esco_code"], row["esco_label"], row["esco_uri"])
            for row in by("occupations", "occupation_no")
        ),
        departments=tuple(row["department"] for row in by("departments", "department_no")),
        specialisations=tuple(
            row["specialisation"] for row in by("specialisations", "specialisation_no")
        ),
        competences=competences,
    )
