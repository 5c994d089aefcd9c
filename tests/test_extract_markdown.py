"""Markdown exports to a Document: what tells Markdown from the seed's text export, the
inline rules (each case named after its rule), cells, HTML tables, and whole profiles with
their real line numbers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.codes import Code
from pipeline.errors import PipelineError
from pipeline.extract import content_format
from pipeline.extract.blocks import MAX_COLUMNS
from pipeline.extract.markdown import (
    _split_row,
    cell_to_lines,
    html_to_table,
    inline_to_text,
    is_markdown,
    read_markdown,
)
from pipeline.extract.text import text_to_lines
from pipeline.model import Cell, Source
from pipeline.process import process_file

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "raw" / "000_ec40f3a5bbbfd221.txt"

PROFILE = """\
Alliance for Batteries Technology, Training and Skills

2019-2023

**Cell Engineers**

![EU flag](media/flag.png)

Co-funded by the

Erasmus+ Programme

of the European Union

Cell Engineers

Cell engineers design battery cells
and test them.

# ESCO Occupations

| ID | NAME | Concept URI |
|----|------|-------------|
| 2151.1 | electrical engineer | <http://data.europa.eu/esco/occupation/10469d70-78a3-4650-9e29-d04de13c62c1> |

## Context

| | |
|---|---|
| **Minimum EQF** | 6/7 |
| **Value Chain** | Cell Manufacturing |
| **Departments** | Production and Maintenance<br>Quality |
| **Specialisations** | Other job roles that are more specialised but based on this |

Soft Competence
---------------

| Name | Type (S/K) | Description/Context | Level | ESCO |
|:-----|:----:|---|---|---|
| Team\\|work | S | - Work in teams<br>- Share *results* with [the lab](http://lab) | Expert | teamwork<br>communication |
|  |  | <ul><li>Report pass\\|fail</li></ul> |  | report |
"""  # noqa: E501


def read(text: str, name: str = "p.md") -> object:
    return read_markdown(text.encode("utf-8"), Source(name, "markdown", ""))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Name\tType (S/K)\tDescription/Context\n", False),
        ("| Name | Type |\n|---|---|\n| a | b |\n", True),
        ("Name | Type\n:--- | ---:\na | b\n", True),
        ("<table>\n<tr><td>a</td></tr>\n</table>\n", True),
        ("a | b\nc | d\n", False),
        ("a | b\n---\n", False),
    ],
    ids=["seed-tabs", "pipe-table", "pipe-table-no-outer-pipes", "html-table", "pipes", "rule"],
)
def test_markdown_is_told_from_its_content(text: str, expected: bool) -> None:
    assert is_markdown(text) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (r"pass\|fail", "pass|fail"),
        (r"\*not emphasis\* \_nor this\_ \\", r"*not emphasis* _nor this_ \ "[:-1]),
        ("**Context**", "Context"),
        ("__Context__", "Context"),
        ("*results* and _more_", "results and more"),
        ("snake_case_name and 5 * 10", "snake_case_name and 5 * 10"),
        ("~~old~~", "old"),
        ("[the lab](http://lab) and [ref][1]", "the lab and ref"),
        ("<http://data.europa.eu/esco/occupation/x>", "http://data.europa.eu/esco/occupation/x"),
        ('![flag](media/a.png) <img src="b.png" />text', " text"),
        ("`a*b*c` and `\\|`", "a*b*c and \\|"),
        ("R&amp;D &lt;5 V", "R&D <5 V"),
        ("one<br>two<br/>three", "one\ntwo\nthree"),
    ],
    ids=[
        "escaped-pipe",
        "backslash-escapes",
        "bold",
        "bold-underscores",
        "emphasis",
        "no-emphasis-inside-words-or-spaced",
        "strikethrough",
        "links",
        "autolink",
        "pictures",
        "code-span",
        "html-entity",
        "br",
    ],
)
def test_inline_markup_reads_as_the_text_it_shows(raw: str, expected: str) -> None:
    assert inline_to_text(raw) == expected


@pytest.mark.parametrize(
    ("row", "cells"),
    [
        ("| a | b |", [" a ", " b "]),
        ("a | b", ["a ", " b"]),
        (r"| a \| b | c |", [r" a \| b ", " c "]),
        (r"| a \\| b |", [" a \\\\", " b "]),
        ("| a |  |", [" a ", "  "]),
        ("no pipes", []),
    ],
    ids=["outer-pipes", "no-outer-pipes", "escaped-pipe", "escaped-backslash", "empty", "none"],
)
def test_pipe_rows_split_at_pipes_no_backslash_escapes(row: str, cells: list[str]) -> None:
    assert _split_row(row) == cells


@pytest.mark.parametrize(
    ("raw", "lines"),
    [
        ("- a<br>- b<br/>c", ["- a", "- b", "c"]),
        ("• a<br>• b", ["• a", "• b"]),
        ("<ul><li>a</li><li><p>b</p><p>more</p></li></ul>", ["- a", "- b", "more"]),
        ('<ul style="list-style-type: none"> - a - b ', ["- a - b"]),
        ("label one<br>label two", ["label one", "label two"]),
        ("", []),
    ],
    ids=["br-bullets", "bullet-markers", "html-list", "seed-ul-quirk", "labels", "empty"],
)
def test_cell_items_each_on_the_row_line(raw: str, lines: list[str]) -> None:
    assert cell_to_lines(raw, 7) == tuple(Cell(line, 7) for line in lines)


def test_html_tables_keep_spans_headers_and_the_line_of_each_paragraph() -> None:
    text = """\
<table>
<thead>
<tr class="header"><th>Name</th><th>Type (S/K)</th></tr>
</thead>
<tbody>
<tr>
<td rowspan="2">Teamwork</td>
<td><ul>
<li><p>Work in teams
across sites</p></li>
</ul></td>
</tr>
<tr><td>S &amp; K</td></tr>
<tr><td colspan="2">Sector Specific Competence</td></tr>
</tbody>
</table>"""
    table = html_to_table(text_to_lines(text))
    header, first, second, title = table.rows
    assert header.header and not first.header
    assert [cell.text for cell in header.cells] == ["Name", "Type (S/K)"]
    assert first.cells[0].lines == (Cell("Teamwork", 7),)
    assert first.cells[1].lines == (Cell("- Work in teams across sites", 9),)
    assert second.cells[0].above and second.cells[0].text == "Teamwork"
    assert second.cells[1].lines == (Cell("S & K", 13),)
    assert title.cells[1].left and title.cells[0].text == "Sector Specific Competence"


def test_hostile_spans_cannot_grow_an_html_table() -> None:
    cells = "".join(f'<td colspan="999999" rowspan="999999">{i}</td>' for i in range(300))
    rows = "".join("<tr><td>x</td></tr>" for _ in range(2000))
    table = html_to_table(text_to_lines(f"<table><tr>{cells}</tr>{rows}</table>"))
    assert len(table.rows) == 2001
    assert {len(row.cells) for row in table.rows} == {MAX_COLUMNS}
    assert [line.text for line in table.rows[0].cells[-1].lines] == [str(i) for i in range(1, 300)]


def test_a_markdown_profile_reads_with_its_line_numbers() -> None:
    document = read(PROFILE)
    assert document.title.text == "Cell Engineers"
    # A soft line break is a space; the picture and the funding statement are no text.
    assert [cell.text for cell in document.description] == [
        "Cell engineers design battery cells and test them."
    ]
    (occupation,) = document.occupations
    assert occupation.code == Cell("2151.1", 24)
    assert occupation.uri.text.startswith("http://data.europa.eu/esco/occupation/")
    assert [(entry.key, entry.value) for entry in document.context] == [
        ("Minimum EQF", Cell("6/7", 30)),
        ("Value Chain", Cell("Cell Manufacturing", 31)),
        ("Departments", Cell("Production and Maintenance\nQuality", 32)),
        (
            "Specialisations",
            Cell("Other job roles that are more specialised but based on this", 33),
        ),
    ]
    (section,) = document.sections
    assert section.heading == Cell("Soft Competence", 35)
    (competence,) = section.competences
    assert competence.name == Cell("Team|work", 40)
    assert competence.description == (
        Cell("- Work in teams", 40),
        Cell("- Share results with the lab", 40),
        Cell("- Report pass|fail", 41),
    )
    assert competence.esco == (Cell("teamwork", 40), Cell("communication", 40), Cell("report", 41))


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (("| Team\\|work | S |", "| Team|work | S |"), Code.BAD_ROW),
        (
            ("| Team\\|work | S | - Work", "|  |  | - Work", "| Expert |", "|  |"),
            Code.ORPHAN_CONTINUATION,
        ),
        (("Soft Competence\n---------------\n", ""), Code.NO_CATEGORY_HEADING),
        (("| Name | Type (S/K) |", "| Nom | Type (S/K) |"), Code.UNEXPECTED_TABLE),
        (("| ID | NAME |", "| Nr | Title |"), Code.NO_OCCUPATIONS_HEADER),
    ],
    ids=["unescaped-pipe", "orphan-continuation", "no-heading", "unknown-table", "no-header"],
)
def test_markdown_that_is_not_a_profile_shape_is_an_extract_error(
    change: tuple[str, ...], code: Code
) -> None:
    text = PROFILE
    for old, new in zip(change[::2], change[1::2], strict=True):
        assert old in text
        text = text.replace(old, new)
    with pytest.raises(PipelineError) as caught:
        read(text)
    assert caught.value.code is code
    assert caught.value.location.line is not None or code is Code.NO_CATEGORY_HEADING


@pytest.mark.parametrize(
    "heading",
    ["# Context", "## Context ##", "**Context**", "Context\n======="],
    ids=["atx", "atx-closed", "bold", "setext"],
)
def test_headings_however_written(heading: str) -> None:
    document = read(PROFILE.replace("## Context", heading))
    assert document.context[0].key == "Minimum EQF"


def test_a_seed_export_named_md_reads_exactly_as_the_txt(tmp_path: Path) -> None:
    markdown = tmp_path / "seed.md"
    shutil.copyfile(SEED, markdown)
    assert content_format(SEED.read_bytes(), "markdown") == "text"
    as_md, as_txt = process_file(markdown), process_file(SEED)
    assert as_md.verdict.source_format == as_txt.verdict.source_format == "text"
    assert as_md.tables is not None and as_txt.tables is not None
    for name, frame in as_txt.tables.items():
        expected = frame.drop(columns=["source_file"], errors="ignore")
        got = as_md.tables[name].drop(columns=["source_file"], errors="ignore")
        pd.testing.assert_frame_equal(got, expected, obj=name)


def test_a_markdown_profile_is_published_as_markdown(tmp_path: Path) -> None:
    for name in ("profile.md", "profile.txt"):  # the content decides, not the name
        path = tmp_path / name
        path.write_text(PROFILE, encoding="utf-8")
        result = process_file(path)
        assert result.verdict.source_format == "markdown", name
        assert result.tables is not None, [str(i) for i in result.verdict.errors]
        assert set(result.tables["profiles"]["source_format"]) == {"markdown"}
        assert list(result.tables["competence_statements"]["source_line"]) == [40, 40, 41]
        assert result.tables["competence_statements"]["source_page"].isna().all()


def test_a_rejected_markdown_file_says_it_was_read_as_markdown(tmp_path: Path) -> None:
    path = tmp_path / "profile.md"
    path.write_text(PROFILE.replace("| Name | Type (S/K) |", "| Nom | Type (S/K) |"), "utf-8")
    result = process_file(path)
    assert result.verdict.status == "rejected"
    assert result.verdict.source_format == "markdown"
    assert [issue.code for issue in result.verdict.errors] == [Code.UNEXPECTED_TABLE]
