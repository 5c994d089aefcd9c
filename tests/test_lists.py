from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.contract.vocabulary import parse_vocabulary
from pipeline.model import Cell
from pipeline.stages.lists import (
    AmbiguousSplit,
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
        pytest.param(
            "Company Secretaries Works Foremen Lean Coaches Patent Attorneys",
            ["Company Secretaries", "Works Foremen", "Lean Coaches", "Patent Attorneys"],
            id="plural-ies-men-es",
        ),
        pytest.param(
            "Materials Buyer and Planner Process Engineer Stores Buyer/Planner Welding "
            "Sub-Contractors Site Co-ordinator",
            [
                "Materials Buyer and Planner",
                "Process Engineer",
                "Stores Buyer/Planner",
                "Welding Sub-Contractors",
                "Site Co-ordinator",
            ],
            id="joined-slashed-hyphenated-role-nouns",
        ),
        pytest.param(
            "Process Engineer II Test Technician 3 Cell Chemist",
            ["Process Engineer II", "Test Technician 3", "Cell Chemist"],
            id="grade-after-role-noun",
        ),
        pytest.param(
            "Fire Safety Inspector for Gigafactories Site Safety Coordinator",
            ["Fire Safety Inspector for Gigafactories", "Site Safety Coordinator"],
            id="for-word",
        ),
        pytest.param(
            "Residual Value Estimator for EV Batteries Module Grading Technician Model "
            "Developer for Energy Storage Products",
            [
                "Residual Value Estimator for EV Batteries",
                "Module Grading Technician",
                "Model Developer for Energy Storage Products",
            ],
            id="for-up-to-a-plural-noun",
        ),
        pytest.param(
            "Coating Technologist for Anode and Cathode Electrodes Leaching Chemist for "
            "Nickel and Cobalt Process Modeller",
            [
                "Coating Technologist for Anode and Cathode Electrodes",
                "Leaching Chemist for Nickel and Cobalt",
                "Process Modeller",
            ],
            id="for-and-word",
        ),
        pytest.param(
            "HW Developer for BMS Requirements and System Engineer for BMS Battery "
            "Management System Lead",
            [
                "HW Developer for BMS",
                "Requirements and System Engineer for BMS",
                "Battery Management System Lead",
            ],
            id="for-stops-before-and",
        ),
        pytest.param(
            "EHS Auditor – ISO 45001 Transport Certification Assessor – UN38.3 Regulatory "
            "Affairs Officer - EPR Function",
            [
                "EHS Auditor – ISO 45001",
                "Transport Certification Assessor – UN38.3",
                "Regulatory Affairs Officer - EPR Function",
            ],
            id="dash-standard-number",
        ),
        pytest.param(
            "Shift Scheduler – Electrode Shop Process Technician Coating Line Technician "
            "(Cathode Materials) Field Engineer – BESS Mobile Diagnostics Technician",
            [
                "Shift Scheduler – Electrode Shop",
                "Process Technician",
                "Coating Line Technician (Cathode Materials)",
                "Field Engineer – BESS",
                "Mobile Diagnostics Technician",
            ],
            id="qualifier-noun-or-word-before-a-role-noun",
        ),
        pytest.param(
            "Head of Quality Vice President of Engineering Director of Operations Process "
            "Engineer in Training Pyrometallurgist – Smelting Chief Executive Officer",
            [
                "Head of Quality",
                "Vice President of Engineering",
                "Director of Operations",
                "Process Engineer in Training",
                "Pyrometallurgist – Smelting",
                "Chief Executive Officer",
            ],
            id="of-in-dash-after-a-first-word-role-noun",
        ),
        pytest.param(
            "Cell Engineer Assistant Plant Manager Pack Designer Trainee Process Engineer "
            "Test Engineer Lead Cell Chemist",
            [
                "Cell Engineer",
                "Assistant Plant Manager",
                "Pack Designer",
                "Trainee Process Engineer",
                "Test Engineer",
                "Lead Cell Chemist",
            ],
            id="opener-after-role-noun-starts-a-title",
        ),
        pytest.param(
            "Project Lead Engineer Customer Liaison Officer Senior Assistant Manager",
            ["Project Lead Engineer", "Customer Liaison Officer", "Senior Assistant Manager"],
            id="opener-before-role-noun-stays-in-the-title",
        ),
        pytest.param(
            "Operator Trainer Lean Coach Apprentice Electrician",
            ["Operator Trainer", "Lean Coach", "Apprentice Electrician"],
            id="role-noun-as-first-word-is-a-modifier",
        ),
        pytest.param(
            "Cell Engineer (BMS) Electrician",
            ["Cell Engineer (BMS)", "Electrician"],
            id="one-word-title-at-the-end",
        ),
    ],
)
def test_split_specialisations(text: str, expected: list[str], rules: NormaliseRules) -> None:
    split = split_specialisations(text, rules.titles)
    assert list(split.titles) == expected
    assert split.unfinished is None
    assert split.ambiguous == ()


# Flattened Specialisations cells of other roles, written the way the seed writes its own.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            f"{LEAD_IN} Raw Materials Buyer Cathode Materials Trader (nickel and cobalt) "
            "Senior Commodity Buyer for Lithium Contract Negotiator – CAM Purchasing Agents "
            "Metals Broker",
            [
                "Raw Materials Buyer",
                "Cathode Materials Trader (nickel and cobalt)",
                "Senior Commodity Buyer for Lithium",
                "Contract Negotiator – CAM",
                "Purchasing Agents",
                "Metals Broker",
            ],
            id="buyers-and-traders",
        ),
        pytest.param(
            f"{LEAD_IN} Internal Auditor Supplier Quality Auditor – IATF 16949 Lead Auditor "
            "for ISO 14001 Process Auditor (cell manufacturing) Sustainability Auditors",
            [
                "Internal Auditor",
                "Supplier Quality Auditor – IATF 16949",
                "Lead Auditor for ISO 14001",
                "Process Auditor (cell manufacturing)",
                "Sustainability Auditors",
            ],
            id="auditors",
        ),
        pytest.param(
            f"{LEAD_IN} Health and Safety Officer Data Protection Officer Chief "
            "Sustainability Officer Dangerous Goods Officer - ADR Function Fire Safety "
            "Officers for Gigafactories",
            [
                "Health and Safety Officer",
                "Data Protection Officer",
                "Chief Sustainability Officer",
                "Dangerous Goods Officer - ADR Function",
                "Fire Safety Officers for Gigafactories",
            ],
            id="officers",
        ),
        pytest.param(
            f"{LEAD_IN} Production Planner Supply Chain Planner – S&OP Material Requirements "
            "Planner for Pack Lines Capacity Planner Master Production Scheduler",
            [
                "Production Planner",
                "Supply Chain Planner – S&OP",
                "Material Requirements Planner for Pack Lines",
                "Capacity Planner",
                "Master Production Scheduler",
            ],
            id="planners-and-schedulers",
        ),
        pytest.param(
            f"{LEAD_IN} Analytical Chemist – ICP-OES Electrolyte Formulation Chemist Senior "
            "Process Chemist for Cathode Materials Quality Control Chemists (incoming "
            "inspection) Lead Electrochemist",
            [
                "Analytical Chemist – ICP-OES",
                "Electrolyte Formulation Chemist",
                "Senior Process Chemist for Cathode Materials",
                "Quality Control Chemists (incoming inspection)",
                "Lead Electrochemist",
            ],
            id="chemists",
        ),
        pytest.param(
            f"{LEAD_IN} Incoming Goods Inspector Weld Inspector (laser welding) Final "
            "Inspector – EOL Electrical Safety Inspectors for HV Packs Vision Inspection "
            "Technician",
            [
                "Incoming Goods Inspector",
                "Weld Inspector (laser welding)",
                "Final Inspector – EOL",
                "Electrical Safety Inspectors for HV Packs",
                "Vision Inspection Technician",
            ],
            id="inspectors",
        ),
        pytest.param(
            f"{LEAD_IN} Dangerous Goods Safety Adviser Technical Sales Advisor for Energy "
            "Storage Systems Sustainability Adviser (LCA) Customer Adviser – Fleet Battery "
            "Leasing Advisers",
            [
                "Dangerous Goods Safety Adviser",
                "Technical Sales Advisor for Energy Storage Systems",
                "Sustainability Adviser (LCA)",
                "Customer Adviser – Fleet",
                "Battery Leasing Advisers",
            ],
            id="advisers",
        ),
        pytest.param(
            f"{LEAD_IN} Production Controller Quality Controller (formation and ageing) Plant "
            "Controller – Finance Inventory Controllers Shift Process Controller for "
            "Electrode Lines",
            [
                "Production Controller",
                "Quality Controller (formation and ageing)",
                "Plant Controller – Finance",
                "Inventory Controllers",
                "Shift Process Controller for Electrode Lines",
            ],
            id="controllers",
        ),
        pytest.param(
            f"{LEAD_IN} Extractive Metallurgist Senior Hydrometallurgist (solvent extraction) "
            "Pyrometallurgist – Smelting Process Metallurgist for Nickel and Cobalt Physical "
            "Metallurgists",
            [
                "Extractive Metallurgist",
                "Senior Hydrometallurgist (solvent extraction)",
                "Pyrometallurgist – Smelting",
                "Process Metallurgist for Nickel and Cobalt",
                "Physical Metallurgists",
            ],
            id="metallurgists",
        ),
        pytest.param(
            f"{LEAD_IN} Logistics Dispatcher Dangerous Goods Dispatcher – ADR Service "
            "Dispatchers for Field Teams Shipping Coordinator Warehouse Operatives (night "
            "shift)",
            [
                "Logistics Dispatcher",
                "Dangerous Goods Dispatcher – ADR",
                "Service Dispatchers for Field Teams",
                "Shipping Coordinator",
                "Warehouse Operatives (night shift)",
            ],
            id="dispatchers",
        ),
        pytest.param(
            f"{LEAD_IN} Operator Trainer Lean Coaches Apprentice Electrician Safety Instructor "
            "– Forklift Learning and Development Lead",
            [
                "Operator Trainer",
                "Lean Coaches",
                "Apprentice Electrician",
                "Safety Instructor – Forklift",
                "Learning and Development Lead",
            ],
            id="trainers-and-instructors",
        ),
        pytest.param(
            f"{LEAD_IN} Cost Estimator Quantity Surveyor for Gigafactories Land Surveyors "
            "Building Services Engineer Document Controller (ISO 9001) Site Administrator",
            [
                "Cost Estimator",
                "Quantity Surveyor for Gigafactories",
                "Land Surveyors",
                "Building Services Engineer",
                "Document Controller (ISO 9001)",
                "Site Administrator",
            ],
            id="estimators-and-surveyors",
        ),
        pytest.param(
            f"{LEAD_IN} Used Battery Buyer Second-Life Battery Trader Stationary Storage "
            "Integrator – BESS State-of-Health Assessor (Traction Batteries) Battery Passport "
            "Data Steward",
            [
                "Used Battery Buyer",
                "Second-Life Battery Trader",
                "Stationary Storage Integrator – BESS",
                "State-of-Health Assessor (Traction Batteries)",
                "Battery Passport Data Steward",
            ],
            id="second-life-traders-and-assessors",
        ),
    ],
)
def test_split_specialisations_of_more_roles(
    text: str, expected: list[str], rules: NormaliseRules
) -> None:
    split = split_specialisations(text, rules.titles)
    assert list(split.titles) == expected
    assert split.unfinished is None
    assert split.ambiguous == ()


def test_split_specialisations_reports_text_without_a_role_noun(rules: NormaliseRules) -> None:
    split = split_specialisations("Cell Engineer Battery Whisperer", rules.titles)
    assert split.titles == ("Cell Engineer", "Battery Whisperer")
    assert split.unfinished == "Battery Whisperer"


@pytest.mark.parametrize(
    ("text", "titles", "ambiguous"),
    [
        pytest.param(
            "Line Operator Trainer Quality Inspector",
            ("Line Operator Trainer", "Quality Inspector"),
            AmbiguousSplit(
                chosen=("Line Operator Trainer", "Quality Inspector"),
                other=("Line Operator", "Trainer Quality Inspector"),
                nouns=("Operator", "Trainer"),
            ),
            id="role-noun-run-before-a-title",
        ),
        pytest.param(
            "Cell Engineer Line Operator Trainer",
            ("Cell Engineer", "Line Operator Trainer"),
            AmbiguousSplit(
                chosen=("Line Operator Trainer",),
                other=("Line Operator", "Trainer"),
                nouns=("Operator", "Trainer"),
            ),
            id="role-noun-run-at-the-end",
        ),
        pytest.param(
            "Extractive Metallurgist Hydrometallurgist (solvent extraction)",
            ("Extractive Metallurgist Hydrometallurgist (solvent extraction)",),
            AmbiguousSplit(
                chosen=("Extractive Metallurgist Hydrometallurgist (solvent extraction)",),
                other=("Extractive Metallurgist", "Hydrometallurgist (solvent extraction)"),
                nouns=("Metallurgist", "Hydrometallurgist"),
            ),
            id="one-word-title-inside-the-list",
        ),
        pytest.param(
            "BMS Controller Engineer Cell Chemist",
            ("BMS Controller Engineer", "Cell Chemist"),
            AmbiguousSplit(
                chosen=("BMS Controller Engineer", "Cell Chemist"),
                other=("BMS Controller", "Engineer Cell Chemist"),
                nouns=("Controller", "Engineer"),
            ),
            id="device-named-like-a-role",
        ),
    ],
)
def test_split_specialisations_reports_where_role_nouns_meet(
    text: str, titles: tuple[str, ...], ambiguous: AmbiguousSplit, rules: NormaliseRules
) -> None:
    split = split_specialisations(text, rules.titles)
    assert split.titles == titles
    assert split.ambiguous == (ambiguous,)
    assert split.unfinished is None


def test_a_steward_adds_a_role_noun_by_vocabulary_alone(rules: NormaliseRules) -> None:
    text = "Cell Engineer Battery Whisperer Pack Designer"
    before = split_specialisations(text, rules.titles)
    nouns = parse_vocabulary("role_nouns", "Designer\nEngineer\n# added by a steward\nWhisperer\n")
    after = split_specialisations(text, replace(rules.titles, role_nouns=nouns))
    assert before.titles == ("Cell Engineer", "Battery Whisperer Pack Designer")
    assert after.titles == ("Cell Engineer", "Battery Whisperer", "Pack Designer")


def test_a_steward_adds_a_title_opener_by_vocabulary_alone(rules: NormaliseRules) -> None:
    text = "Line Operator Trainer Quality Inspector"
    before = split_specialisations(text, rules.titles)
    openers = parse_vocabulary("title_openers", "Lead\n# added by a steward\nTrainer\n")
    after = split_specialisations(text, replace(rules.titles, openers=openers))
    assert before.titles == ("Line Operator Trainer", "Quality Inspector")
    assert after.titles == ("Line Operator", "Trainer Quality Inspector")
    assert after.ambiguous == ()


def test_role_nouns_vocabulary_is_sorted_and_broad(rules: NormaliseRules) -> None:
    nouns = rules.titles.role_nouns.terms
    assert list(nouns) == sorted(nouns, key=lambda noun: noun.casefold().replace("-", ""))
    assert len(nouns) >= 300
    assert all(rules.titles.is_role_noun(opener) for opener in rules.titles.openers.terms)


def test_lead_in_is_matched_across_spacing_and_case(rules: NormaliseRules) -> None:
    text = "other job  roles that are more specialised\nbut based on this Cell Engineer"
    assert strip_lead_in(text, rules.titles.lead_ins) == "Cell Engineer"


SPECIALISATION_WORDS = [
    *("Lead", "Line", "Operator", "Trainer", "Engineer", "Cell", "Senior", "Head", "Assistant"),
    *("for", "of", "in", "and", "/", "-", "–", "(BMS)", "(cell", "formation)", "BMS"),
    *("Function", "Batteries", "Energy", "Storage", "45001", "II", "Buyer/Planner", "Foremen"),
]


@given(st.lists(st.sampled_from(SPECIALISATION_WORDS), max_size=30))
def test_split_specialisations_keeps_every_word_in_order(words: list[str]) -> None:
    titles = split_specialisations(" ".join(words), NormaliseRules.load().titles)
    assert " ".join(titles.titles) == " ".join(words)
    assert all(titles.titles)
    for ambiguous in titles.ambiguous:
        assert " ".join(ambiguous.chosen) == " ".join(ambiguous.other)
