import pytest

from pipeline.model import Cell
from pipeline.schemas.vocabulary import parse_vocabulary
from pipeline.stages.lists import (
    cells_to_esco_skills,
    parse_eqf_levels,
    split_departments,
    split_specialisations,
    strip_lead_in,
)
from pipeline.stages.normalise import NormaliseRules

LEAD_IN = "Other job roles that are more specialised but based on this"


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        pytest.param([Cell("develop models", 1)], ["develop models"], id="single"),
        pytest.param(
            [Cell("use technical documentation; observe documents", 1)],
            ["use technical documentation", "observe documents"],
            id="semicolon",
        ),
        pytest.param(
            [Cell("battery chemistry\nC/C++", None, 2)],
            ["battery chemistry", "C/C++"],
            id="one-per-line",
        ),
        pytest.param([Cell("", 1), Cell("  ", 2)], [], id="empty-cell"),
        pytest.param(
            [Cell("teamwork principles", 68), Cell("communication", 70)],
            ["teamwork principles", "communication"],
            id="page-break-continuation",
        ),
        pytest.param(
            [Cell("• think analytically;", 1)],
            ["think analytically"],
            id="marker-and-trailing-separator",
        ),
    ],
)
def test_cells_to_esco_skills(cells: list[Cell], expected: list[str]) -> None:
    assert [skill.label for skill in cells_to_esco_skills(cells)] == expected


def test_esco_skills_keep_their_line() -> None:
    skills = cells_to_esco_skills([Cell("a; b", 68), Cell("c", 70)])
    assert [(s.label, s.line) for s in skills] == [("a", 68), ("b", 68), ("c", 70)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("6/7/8", (6, 7, 8), id="slashes"),
        pytest.param("5", (5,), id="single"),
        pytest.param("6 / 7", (6, 7), id="spaced"),
        pytest.param("6-8", (6, 7, 8), id="range"),
        pytest.param("4, 5 or 6", (4, 5, 6), id="commas-or"),
        pytest.param("8/6/7/6", (6, 7, 8), id="unordered-repeated"),
    ],
)
def test_parse_eqf_levels(text: str, expected: tuple[int, ...]) -> None:
    assert parse_eqf_levels(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("six", "'six' is not an EQF level", id="word"),
        pytest.param("", "no EQF level given", id="empty"),
        pytest.param("8-6", "runs backwards", id="backwards-range"),
    ],
)
def test_parse_eqf_levels_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_eqf_levels(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Production and Maintenance Quality RnD IT/Digitalisation",
            ["Production and Maintenance", "Quality", "RnD", "IT/Digitalisation"],
            id="flattened-seed",
        ),
        pytest.param(
            "Health, Safety and Environment Human Resources Logistics",
            ["Health, Safety and Environment", "Human Resources", "Logistics"],
            id="comma-inside-term",
        ),
        pytest.param("Quality\nProcurement", ["Quality", "Procurement"], id="one-per-line"),
        pytest.param("quality; rnd", ["Quality", "RnD"], id="semicolons-any-case"),
        pytest.param(
            "Quality Underwater Basket Weaving RnD",
            ["Quality", "Underwater Basket Weaving", "RnD"],
            id="unknown-kept-for-validation",
        ),
        pytest.param("", [], id="empty"),
    ],
)
def test_split_departments(text: str, expected: list[str], rules: NormaliseRules) -> None:
    assert split_departments(text, rules.departments) == expected


def test_split_departments_uses_longest_match() -> None:
    vocabulary = parse_vocabulary("departments", "Sales\nSales and Marketing\nMarketing\n")
    assert split_departments("Sales and Marketing Sales", vocabulary) == [
        "Sales and Marketing",
        "Sales",
    ]


def test_a_steward_adds_a_department_by_vocabulary_alone() -> None:
    before = parse_vocabulary("departments", "Quality\nRnD\n")
    after = parse_vocabulary("departments", "Quality\nRnD\n# added by a steward\nQuality Lab\n")
    assert split_departments("Quality Lab RnD", before) == ["Quality", "Lab", "RnD"]
    assert split_departments("Quality Lab RnD", after) == ["Quality Lab", "RnD"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            f"{LEAD_IN} Electrical Engineer (BMS) Process Engineer (cell formation)",
            ["Electrical Engineer (BMS)", "Process Engineer (cell formation)"],
            id="parenthetical-qualifier",
        ),
        pytest.param(
            "Diagnostic Engineer - BMS Function System Design Engineer - BMS",
            ["Diagnostic Engineer - BMS Function", "System Design Engineer - BMS"],
            id="dash-acronym-with-qualifier-noun",
        ),
        pytest.param(
            "Application Engineer – BMS Quality Technician – QA Senior Test Engineer",
            ["Application Engineer – BMS", "Quality Technician – QA", "Senior Test Engineer"],
            id="en-dash-acronym",
        ),
        pytest.param(
            "Embedded SW Developer for BMS HW Developer for BMS",
            ["Embedded SW Developer for BMS", "HW Developer for BMS"],
            id="for-acronym-then-acronym-title",
        ),
        pytest.param(
            "Software Engineer Lead Cell Engineer (ageing) Production Line Lead",
            ["Software Engineer", "Lead Cell Engineer (ageing)", "Production Line Lead"],
            id="lead-opens-or-ends-a-title",
        ),
        pytest.param(
            "Recycling Plant Operators Process Chemists",
            ["Recycling Plant Operators", "Process Chemists"],
            id="plural-role-nouns",
        ),
        pytest.param(
            "Safety Officer - Formation Area Planner",
            ["Safety Officer - Formation", "Area Planner"],
            id="dash-word-qualifier",
        ),
        pytest.param(
            f"{LEAD_IN}\nCell Engineer\nPack Designer - HV",
            ["Cell Engineer", "Pack Designer - HV"],
            id="one-per-line",
        ),
        pytest.param(
            f"{LEAD_IN}: Cell Engineer; Pack Designer",
            ["Cell Engineer", "Pack Designer"],
            id="semicolons-after-lead-in-colon",
        ),
        pytest.param(LEAD_IN, [], id="lead-in-only"),
    ],
)
def test_split_specialisations(text: str, expected: list[str], rules: NormaliseRules) -> None:
    split = split_specialisations(text, rules.titles)
    assert list(split.titles) == expected
    assert split.unfinished is None


def test_split_specialisations_reports_text_without_a_role_noun(rules: NormaliseRules) -> None:
    split = split_specialisations("Cell Engineer Battery Whisperer", rules.titles)
    assert split.titles == ("Cell Engineer", "Battery Whisperer")
    assert split.unfinished == "Battery Whisperer"


def test_lead_in_is_matched_across_spacing_and_case(rules: NormaliseRules) -> None:
    text = "other job  roles that are more specialised\nbut based on this Cell Engineer"
    assert strip_lead_in(text, rules.titles.lead_ins) == "Cell Engineer"
