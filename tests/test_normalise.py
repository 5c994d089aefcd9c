from pathlib import Path
from typing import Any

import pytest

from pipeline.extract.text import read_text
from pipeline.model import Profile
from pipeline.stages.normalise import (
    NormaliseRules,
    canonical_level,
    canonical_type,
    document_to_profile,
    split_heading,
    unique_ids,
)
from tests.conftest import authored_profiles, expected_for, text_source


def profile_as_expected_json(profile: Profile) -> dict[str, Any]:
    """The profile in the shape of the authored *.expected.json files."""
    return {
        "title": profile.title,
        "alliance": profile.alliance,
        "period": profile.period,
        "description": profile.description,
        "min_eqf": profile.min_eqf,
        "eqf_levels": list(profile.eqf_levels),
        "value_chain": profile.value_chain,
        "occupations": [
            {"esco_code": o.esco_code, "esco_label": o.esco_label, "esco_uri": o.esco_uri}
            for o in profile.occupations
        ],
        "departments": [item.text for item in profile.departments],
        "specialisations": [item.text for item in profile.specialisations],
        "competences": [
            {
                "category": c.category,
                "category_note": c.category_note,
                "name": c.name,
                "type": c.type,
                "level": c.level,
                "statements": [s.text for s in c.statements],
                "esco_skills": [s.label for s in c.esco_skills],
            }
            for c in profile.competences
        ],
    }


@pytest.mark.parametrize("path", authored_profiles(), ids=lambda path: path.stem)
def test_authored_profiles_normalise_to_their_truth(path: Path, rules: NormaliseRules) -> None:
    document = read_text(path.read_bytes(), text_source(path.name))
    normalised = document_to_profile(document, rules)
    assert [i for i in normalised.issues if i.severity == "error"] == []
    assert {i.message for i in normalised.issues} <= {"competence has no ESCO skills"}
    assert profile_as_expected_json(normalised.profile) == expected_for(path)


def test_there_are_authored_profiles_beyond_the_seed() -> None:
    assert len(authored_profiles()) >= 3


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        pytest.param("Soft Competence", ("Soft Competence", None), id="plain"),
        pytest.param(
            "Academic Competence (can be taken from University programme)",
            ("Academic Competence", "can be taken from University programme"),
            id="parenthetical-note",
        ),
        pytest.param("soft  competence", ("Soft Competence", None), id="case-and-spacing"),
        pytest.param("Wizardry (magic)", ("Wizardry", "magic"), id="unknown-kept-for-validation"),
    ],
)
def test_split_heading(
    heading: str, expected: tuple[str, str | None], rules: NormaliseRules
) -> None:
    assert split_heading(heading, rules.categories) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Expert", "Expert"), ("practitioner ", "Practitioner"), ("Expret", "Expret")],
    ids=["exact", "case-and-space", "typo-kept-for-validation"],
)
def test_canonical_level(raw: str, expected: str, rules: NormaliseRules) -> None:
    assert canonical_level(raw, rules.levels) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("S", "S"), ("k", "K"), ("Knowledge", "K"), ("Skill", "S"), ("X", "X")],
    ids=["exact", "lowercase", "word-knowledge", "word-skill", "unknown-kept"],
)
def test_canonical_type(raw: str, expected: str, rules: NormaliseRules) -> None:
    assert canonical_type(raw, rules.types) == expected


def test_unique_ids_suffix_repeats_in_order() -> None:
    assert unique_ids(["a", "b", "a", "a"]) == ["a", "b", "a-2", "a-3"]


@pytest.mark.parametrize(
    ("slugs", "expected"),
    [
        (["a", "a", "a-2"], ["a", "a-3", "a-2"]),
        (["a-2", "a", "a"], ["a-2", "a", "a-3"]),
        (["a", "a-2", "a", "a", "a-3"], ["a", "a-2", "a-4", "a-5", "a-3"]),
    ],
)
def test_unique_ids_never_repeat_an_id(slugs: list[str], expected: list[str]) -> None:
    ids = unique_ids(slugs)
    assert ids == expected
    assert len(set(ids)) == len(ids)


def test_competence_ids_are_stable_and_readable(seed_text: str, rules: NormaliseRules) -> None:
    document = read_text(seed_text.encode(), text_source())
    first = document_to_profile(document, rules).profile
    second = document_to_profile(document, rules).profile
    ids = [c.competence_id for c in first.competences]
    assert ids == [c.competence_id for c in second.competences]
    assert ids[5] == "embedded-system-and-bms-engineers--c-c-plus-plus"
    assert len(set(ids)) == 21


def test_repeated_competence_names_get_distinct_ids(seed_text: str, rules: NormaliseRules) -> None:
    text = seed_text.replace("Computer Science\tK", "Electrical Engineering\tK")
    profile = document_to_profile(read_text(text.encode(), text_source()), rules).profile
    assert [c.competence_id for c in profile.competences[-2:]] == [
        "embedded-system-and-bms-engineers--electrical-engineering",
        "embedded-system-and-bms-engineers--electrical-engineering-2",
    ]


def test_description_keeps_paragraph_breaks(seed_text: str, rules: NormaliseRules) -> None:
    profile = document_to_profile(read_text(seed_text.encode(), text_source()), rules).profile
    paragraphs = profile.description.split("\n\n")
    assert len(paragraphs) == 2
    assert paragraphs[1].startswith("A Battery Management System (BMS) engineer is responsible")
