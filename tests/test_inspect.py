"""Honest verdicts for layouts the extractor cannot read, and `albatts inspect`.

The strange layouts are drawn here with reportlab's canvas, line by line, so each PDF is a
minimal profile with one deliberate oddity in its competence table.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from reportlab.pdfgen import canvas

from pipeline.cli import main
from pipeline.inspect import inspect_file
from pipeline.process import process_file
from tests.conftest import EXAMPLES, SEED

HEIGHT = 842.0
URI = "http://data.europa.eu/esco/occupation/00d9f4ad-53a2-42b6-b3f5-f28807f0cbd4"
COLUMNS = (50.0, 160.0, 210.0, 400.0, 470.0)
HEADER = ("Name", "Type (S/K)", "Description/Context", "Level", "ESCO")

Row = tuple[str, str, str, str, str]


def profile_pdf(rows: list[tuple[float, Row]]) -> bytes:
    """A two-page profile: a cover, then the tables; rows are (gap above, cells)."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=(595.0, HEIGHT), invariant=1)

    def text(x: float, y: float, value: str, size: float = 10) -> None:
        page.setFont("Helvetica", size)
        page.drawString(x, HEIGHT - y, value)

    text(150, 200, "Alliance for Batteries Technology, Training and Skills")
    text(270, 240, "2019-2023")
    text(150, 280, "Battery Strange Layout Technician", 16)
    page.showPage()
    text(50, 60, "Battery Strange Layout Technician", 14)
    text(50, 90, "A technician whose profile was laid out in a strange way.")
    text(50, 130, "ESCO Occupations", 12)
    for x, label in ((50, "ID"), (110, "NAME"), (260, "Concept URI")):
        text(x, 150, label)
    for x, value in ((50, "3113.3"), (110, "electrical technician"), (260, URI)):
        text(x, 170, value, 8)
    text(50, 210, "Context", 12)
    for y, key, value in ((230, "Minimum EQF", "4"), (250, "Value Chain", "Recycling")):
        text(50, y, key)
        text(200, y, value)
    text(50, 290, "Soft Competence", 12)
    for x, label in zip(COLUMNS, HEADER, strict=True):
        text(x, 310, label)
    y = 310.0
    for gap, cells in rows:
        y += gap
        for x, value in zip(COLUMNS, cells, strict=True):
            if value:
                text(x, y, value)
    page.showPage()
    page.save()
    return buffer.getvalue()


GOOD_ROW: Row = ("Teamwork", "K", "- Work in a team", "Expert", "teamwork principles")


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        pytest.param(
            [(20, GOOD_ROW), (20, ("", "S", "- Sort cells by state", "Practitioner", ""))],
            "a row without a name",
            id="row-without-a-name",
        ),
        pytest.param(
            [(20, GOOD_ROW), (5, ("Listening", "S", "- Listen to people", "Expert", ""))],
            "two rows overlap",
            id="rows-set-so-tight-they-overlap",
        ),
    ],
)
def test_a_table_the_extractor_cannot_read_gets_an_honest_extract_verdict(
    tmp_path: Path, rows: list[tuple[float, Row]], problem: str
) -> None:
    path = tmp_path / "strange.pdf"
    path.write_bytes(profile_pdf(rows))
    verdict = process_file(path).verdict
    assert verdict.status == "rejected"
    [issue] = verdict.errors
    assert issue.stage == "extract"
    assert issue.message.startswith(f"could not read the competence table on page 2: {problem}")
    assert issue.location.page == 2
    assert issue.location.table == "competences"
    assert f"albatts inspect {verdict.source_file} --page 2" in issue.hint
    assert "correct" not in f"{issue.message} {issue.hint}"


def test_the_same_layout_without_the_oddity_is_read(tmp_path: Path) -> None:
    path = tmp_path / "plain.pdf"
    path.write_bytes(profile_pdf([(20, GOOD_ROW)]))
    result = process_file(path)
    assert result.verdict.status == "ok", result.verdict.issues
    assert result.tables is not None
    assert result.tables["competences"][["name", "type", "level"]].values.tolist() == [
        ["Teamwork", "K", "Expert"]
    ]


def test_inspect_draws_each_page_and_dumps_the_rows(tmp_path: Path) -> None:
    pdf = EXAMPLES / "battery-pack-assembly-technician.pdf"
    result = inspect_file(pdf, tmp_path)
    assert result.error is None
    assert [image.name for image in result.images][:2] == [
        "battery-pack-assembly-technician-page-001.png",
        "battery-pack-assembly-technician-page-002.png",
    ]
    for image in result.images:
        data = image.read_bytes()
        assert data.startswith(b"\x89PNG"), image
    dump = result.dump.read_text(encoding="utf-8")
    assert "== occupations" in dump
    assert "== competences: Cross-sectoral Specific Competence" in dump
    assert "  name        Reading Technical | Drawings" in dump
    assert "running header/footer 'ALBATTS – Job Role Profile" in dump


def test_inspect_marks_the_problem_of_a_rejected_pdf(tmp_path: Path) -> None:
    path = tmp_path / "strange.pdf"
    path.write_bytes(profile_pdf([(20, GOOD_ROW), (20, ("", "S", "- Sort", "Expert", ""))]))
    result = inspect_file(path, tmp_path / "look", pages=[2])
    assert result.error is not None
    assert [image.name for image in result.images] == ["strange-page-002.png"]
    dump = result.dump.read_text(encoding="utf-8")
    assert dump.startswith("could not read the file:")
    assert "problem on page 2 at x" in dump
    assert "a row without a name" in dump


def test_inspect_a_text_profile_lists_rows_with_line_numbers(tmp_path: Path) -> None:
    result = inspect_file(SEED, tmp_path)
    assert result.images == ()
    dump = result.dump.read_text(encoding="utf-8")
    assert "title (line 19): Embedded System and BMS Engineers" in dump
    assert "  name        Models/Modelling/ Diagrams /Schematics" in dump


def test_inspect_command(tmp_path: Path) -> None:
    runner = CliRunner()
    pdf = EXAMPLES / "battery-recycling-plant-operators.pdf"
    ok = runner.invoke(main, ["inspect", str(pdf), "--page", "3", "--out", str(tmp_path)])
    assert ok.exit_code == 0, ok.output
    assert "page image" in ok.output
    assert "battery-recycling-plant-operators-page-003.png" in ok.output
    assert (tmp_path / "battery-recycling-plant-operators-page-003.png").exists()
    strange = tmp_path / "strange.pdf"
    strange.write_bytes(profile_pdf([(20, ("", "S", "- Sort", "Expert", ""))]))
    bad = runner.invoke(main, ["inspect", str(strange), "--out", str(tmp_path / "bad")])
    assert bad.exit_code == 1
    assert "could not read the competence table on page 2" in bad.output
