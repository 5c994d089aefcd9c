import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.model import Cell
from pipeline.stages.bullets import Segment, cells_to_statements, line_to_segments
from pipeline.stages.clean import BULLET_MARKERS

UL = '<ul style="list-style-type: none">'


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param("- a - b", [Segment(True, "a"), Segment(True, "b")], id="inline-bullets"),
        pytest.param(
            "test, and more - next",
            [Segment(False, "test, and more"), Segment(True, "next")],
            id="unmarked-head",
        ),
        pytest.param("• a • b", [Segment(True, "a"), Segment(True, "b")], id="bullet-dot"),
        pytest.param(
            "model-based - x",
            [Segment(False, "model-based"), Segment(True, "x")],
            id="hyphen-in-word",
        ),
        pytest.param("- a -", [Segment(True, "a")], id="trailing-empty-marker"),
        pytest.param("", [], id="empty"),
    ],
)
def test_line_to_segments(line: str, expected: list[Segment]) -> None:
    assert line_to_segments(line) == expected


def marked_segments(line: str) -> list[Segment]:
    """line_to_segments by its definition, a character at a time: a marker opens a segment
    where nothing but whitespace (or the line's start or end) is on either side of it."""
    starts = [
        at
        for at, char in enumerate(line)
        if char in BULLET_MARKERS
        and (at == 0 or line[at - 1].isspace())
        and (at + 1 == len(line) or line[at + 1].isspace())
    ]
    pieces = [(False, line[: starts[0]] if starts else line)]
    ends = [*starts[1:], len(line)]
    pieces += [(True, line[at + 1 : ends[number]]) for number, at in enumerate(starts)]
    return [Segment(marked, text.strip()) for marked, text in pieces if text.strip()]


@given(st.text(st.sampled_from([*BULLET_MARKERS[:6], " ", "\t", "\u00a0", "\n", "a", "-"])))
def test_markers_are_found_where_only_whitespace_stands_beside_them(line: str) -> None:
    assert line_to_segments(line) == marked_segments(line)


def statements(*cells: Cell) -> list[str]:
    return [statement.text for statement in cells_to_statements(cells)]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        pytest.param(
            [Cell(f"{UL} - Develop models - Analyse data ", 10)],
            ["Develop models", "Analyse data"],
            id="ul-tag-inline",
        ),
        pytest.param(
            [Cell("- Communicate with customers", 10)],
            ["Communicate with customers"],
            id="no-ul-tag",
        ),
        pytest.param(
            [Cell(f"{UL} - Develop - Test ", 10), Cell(f"{UL} - Validate ", 12)],
            ["Develop", "Test", "Validate"],
            id="page-break-new-bullets",
        ),
        pytest.param(
            [
                Cell(f"{UL} - Work in teams - Work to develop, implement, ", 68),
                Cell("test, and maintain models - Collaborate", 70),
            ],
            [
                "Work in teams",
                "Work to develop, implement, test, and maintain models",
                "Collaborate",
            ],
            id="page-break-bullet",
        ),
        pytest.param(
            [Cell("• Develop robust battery models to\npredict cell behaviour\n• Test", None, 3)],
            ["Develop robust battery models to predict cell behaviour", "Test"],
            id="wrapped-lines",
        ),
        pytest.param(
            [Cell("- Experience in model-\nbased methods", None, 3)],
            ["Experience in model-based methods"],
            id="hyphen-join",
        ),
        pytest.param(
            [Cell("– Apply ISO 9001 – Audit * Report ▪ Improve", 1)],
            ["Apply ISO 9001", "Audit", "Report", "Improve"],
            id="every-marker",
        ),
        pytest.param(
            [Cell("A degree in Chemistry", 1)], ["A degree in Chemistry"], id="no-marker-at-all"
        ),
        pytest.param([Cell(f"{UL}  ", 1), Cell("", 2)], [], id="markup-only"),
        pytest.param(
            [Cell("- R&amp;D  work\u00a0flows", 1)], ["R&D work flows"], id="entities-and-spaces"
        ),
        pytest.param(
            [Cell("- Same bullet - Same bullet", 1)],
            ["Same bullet", "Same bullet"],
            id="repeated-bullet-kept",
        ),
    ],
)
def test_cells_to_statements(cells: list[Cell], expected: list[str]) -> None:
    assert statements(*cells) == expected


def test_statements_keep_the_line_and_page_where_each_bullet_starts() -> None:
    result = cells_to_statements(
        [Cell("- a - b cut", 68), Cell("off - c", 70), Cell("- d\n- e", None, 4)]
    )
    assert [(s.text, s.line, s.page) for s in result] == [
        ("a", 68, None),
        ("b cut off", 68, None),
        ("c", 70, None),
        ("d", None, 4),
        ("e", None, 4),
    ]
