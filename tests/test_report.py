"""report.html: written by every run, self-contained, deterministic, rebuilt by
`albatts report`, with the PDF pages of problems drawn and the place outlined."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from pipeline.cli import main
from pipeline.extract import pdf_kept
from pipeline.extract.page_pictures import _in_grey, page_pngs
from pipeline.extract.pdf import read_pdf
from pipeline.extract.pdf_model import Box, PdfLayout, Shape
from pipeline.inspect import PROBLEM
from pipeline.model import Source
from pipeline.pictures import RESOLUTION, problem_pictures
from pipeline.process import process_file
from tests.conftest import SEED
from tests.test_inspect import GOOD_ROW, profile_pdf

BAD_LEVEL = ("Listening", "S", "- Listen to people", "Expertt", "listening")
NO_NAME = ("", "S", "- Sort cells by state", "Practitioner", "")


def extract(*args: str) -> int:
    result = CliRunner().invoke(main, ["extract", *args])
    return result.exit_code


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "seed.txt").write_bytes(SEED.read_bytes())
    (folder / "bad level.pdf").write_bytes(profile_pdf([(20, GOOD_ROW), (20, BAD_LEVEL)]))
    (folder / "<b>no name<i>.pdf").write_bytes(profile_pdf([(20, GOOD_ROW), (20, NO_NAME)]))
    return folder


def red_pixels(png: bytes) -> list[tuple[int, int]]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    pixels = image.load()
    assert pixels is not None
    return [
        (x, y)
        for y in range(height)
        for x in range(width)
        if (lambda r, g, b: r > 200 and g < 60 and b < 60)(*pixels[x, y])
    ]


def colours_of(png: bytes) -> set[tuple[int, int, int]]:
    found = Image.open(io.BytesIO(png)).convert("RGB").getcolors()
    assert isinstance(found, list)
    return {(colour[0], colour[1], colour[2]) for _, colour in found if isinstance(colour, tuple)}


def test_every_run_writes_a_self_contained_report(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert extract(str(inbox), "--out", str(out)) == 1
    html = (out / "report.html").read_text(encoding="utf-8")
    # Both rejected files, each problem with its fix, a page picture for each PDF.
    assert "bad level.pdf" in html and "&lt;b&gt;no name&lt;i&gt;.pdf" in html
    assert "<b>no name" not in html  # names are text, never markup
    assert "&#39;Expertt&#39; is not in the levels vocabulary" in html
    assert "add the term to schemas/vocab/levels.txt" in html
    assert html.count('<img src="data:image/png;base64,') == 2
    # The published profile, its competences, statements and ESCO skills.
    assert "Embedded System and BMS Engineers" in html
    assert "General Programming Languages" in html
    assert "Develop models of batteries under extreme operating conditions" in html
    assert "<li>develop models</li>" in html
    # Nothing to fetch: no stylesheet, script, font or image from anywhere else.
    assert not re.search(r"<(script|link)\b", html)
    assert not re.search(r"""src=["'](?!data:)""", html)
    assert "url(" not in html


def test_report_is_deterministic_and_rebuilt_identically(inbox: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    assert extract(str(inbox), "--out", str(first)) == 1
    assert extract(str(inbox), "--out", str(second), "--jobs", "0") == 1
    written = (first / "report.html").read_bytes()
    assert (second / "report.html").read_bytes() == written

    rebuilt = CliRunner().invoke(main, ["report", str(first), str(inbox)])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert (first / "report.html").read_bytes() == written

    # Without the inputs the pictures cannot be drawn; the rest is the same.
    assert CliRunner().invoke(main, ["report", str(first)]).exit_code == 0
    bare = (first / "report.html").read_text(encoding="utf-8")
    assert "<img" not in bare and "&#39;Expertt&#39;" in bare

    # A PDF changed since the run is not drawn: it would show another document.
    (inbox / "bad level.pdf").write_bytes(profile_pdf([(20, GOOD_ROW)]))
    assert CliRunner().invoke(main, ["report", str(first), str(inbox)]).exit_code == 0
    assert (first / "report.html").read_text(encoding="utf-8").count("<img") == 1


def test_report_of_a_folder_that_is_no_output_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "holds no tables" in result.output


def test_many_problems_of_one_kind_fold_under_a_count(tmp_path: Path) -> None:
    rows = [(20, GOOD_ROW)] + [
        (20, (f"Skill {n}", "S", "- Do things", f"Level{n}", "doing")) for n in range(1, 9)
    ]
    (tmp_path / "many.pdf").write_bytes(profile_pdf(rows))
    out = tmp_path / "out"
    assert extract(str(tmp_path / "many.pdf"), "--out", str(out), "--allow-empty") == 1
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("is not in the levels vocabulary") == 8
    assert re.search(r"<summary>3 more error\(s\) of this kind", html)


def test_picture_outlines_the_cell_of_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.pdf"
    path.write_bytes(profile_pdf([(20, GOOD_ROW), (20, BAD_LEVEL)]))
    result = process_file(path)
    assert result.verdict.status == "rejected"
    [picture] = result.pictures
    assert picture.page == 2 and "outlined in red" in picture.caption
    red = red_pixels(picture.png)
    # The Level column starts at x 400 pt and the second row's baseline is at y 350 pt
    # (profile_pdf), and the picture is drawn at 70 dpi: the outline is around that cell,
    # nowhere else (not around the first row's level, at y 330).
    scale = 70 / 72
    xs, ys = [x for x, _ in red], [y for _, y in red]
    assert red
    assert 390 * scale <= min(xs) and max(xs) <= 460 * scale
    assert 335 * scale <= min(ys) and max(ys) <= 362 * scale


def test_a_picture_shows_the_page_in_grey_and_the_problem_in_its_colour(tmp_path: Path) -> None:
    """The page in grey (half the drawing time of colour), the outline in PROBLEM's red
    exactly; an overlay with translucent shapes (albatts inspect's) stays in colour."""
    data = profile_pdf([(20, GOOD_ROW), (20, BAD_LEVEL)])
    outline = Shape("outline", Box(390, 330, 460, 360), PROBLEM, 3)
    [grey] = page_pngs(data, [(2, [outline])], RESOLUTION, grey=True)
    assert grey is not None
    colours = colours_of(grey)
    assert PROBLEM[:3] in colours
    assert {(0, 0, 0), (255, 255, 255)} <= colours
    assert all(r == g == b for r, g, b in colours - {PROBLEM[:3]})
    fill = Shape("rect", Box(100, 100, 200, 200), (0, 120, 255, 80))
    [coloured] = page_pngs(data, [(2, [outline, fill])], RESOLUTION, grey=True)
    assert coloured is not None
    colours = colours_of(coloured)
    assert any(not r == g == b for r, g, b in colours - {(204, 0, 0)})


def test_a_grey_page_keeps_its_darkest_levels_out_of_the_shapes_colours() -> None:
    """A page pixel of a level whose palette entry a shape's colour took is drawn black,
    never in that colour."""
    page = Image.frombytes("L", (4, 1), bytes([0, 1, 2, 255]))
    paletted = _in_grey(page, {PROBLEM: 1, (0, 0, 255, 255): 2})
    drawn = paletted.convert("RGB")
    assert [drawn.getpixel((x, 0)) for x in range(4)] == [(0, 0, 0)] * 3 + [(255, 255, 255)]


def test_a_problem_without_a_place_is_drawn_without_an_outline(tmp_path: Path) -> None:
    data = profile_pdf([(20, GOOD_ROW)])
    from pipeline.codes import Code
    from pipeline.model import Issue, Location

    issue = Issue(
        "normalise", "something", Location("x.pdf", page=2), "fix it", code=Code.NO_ESCO_SKILLS
    )
    [picture] = problem_pictures(data, Source("x.pdf", "pdf", ""), [issue])
    assert red_pixels(picture.png) == []
    assert "could not be outlined" in picture.caption


def test_text_inputs_get_no_pictures() -> None:
    result = process_file(SEED)
    assert result.verdict.warnings and result.pictures == ()


def test_a_large_run_embeds_the_pictures_of_the_first_files_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pipeline import report
    from pipeline.model import PagePicture
    from pipeline.stages.tables import concat_tables

    monkeypatch.setattr(report, "PICTURED_FILES", 2)
    problem = {"code": "unknown-level", "message": "m", "location": {"file": "x", "page": 1}}
    inputs = [
        {
            "source_file": f"{n}.pdf",
            "source_format": "pdf",
            "sha256": "0" * 64,
            "status": "rejected",
            "profile_id": None,
            "errors": [{**problem, "stage": "validate", "hint": ""}],
            "warnings": [],
        }
        for n in range(3)
    ]
    manifest = {
        "pipeline_version": "v",
        "schema_version": "s",
        "options": {"formats": [], "strict": False},
    }
    picture = (PagePicture(1, b"\x89PNG", "m (outlined in red)"),)
    html = report.render_report(
        {**manifest, "inputs": inputs, "tables": {}},
        concat_tables([]),
        {f"{n}.pdf": picture for n in range(3)},
    )
    assert html.count("<img") == 2
    assert html.count("albatts inspect 2.pdf") == 1


def test_a_large_run_shows_the_first_profiles_in_full_and_lists_the_others(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from pipeline import report
    from pipeline.stages.tables import concat_tables
    from tests.conftest import AUTHORED

    monkeypatch.setattr(report, "DETAILED_PROFILES", 1)
    paths = [SEED, AUTHORED / "battery-cell-production-operator.txt"]
    results = [process_file(path) for path in paths]
    tables = concat_tables(result.tables for result in results if result.tables is not None)
    tables = {
        name: frame.sort_values("profile_id", kind="stable") for name, frame in tables.items()
    }
    first, second = tables["profiles"]["profile_id"].tolist()
    options = {"formats": [], "strict": False}
    manifest = {"pipeline_version": "v", "schema_version": "s", "options": options, "tables": {}}
    html = report.render_report({**manifest, "inputs": []}, tables)
    assert html.count('<section class="profile"') == 1
    assert f'id="profile-{first}"' in html and f'id="profile-{second}"' not in html
    more = html[html.index('id="more-profiles"') :]
    assert "1 more profiles" in more and second in more
    competence = tables["competences"]
    [name] = competence.loc[competence["profile_id"] == first, "name"].head(1).tolist()
    assert name in html


def test_a_large_run_lists_the_problems_of_the_first_files_and_counts_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Thousands of files with warnings would make a report no browser opens: the first
    DETAILED_FILES of each kind are shown, the others counted and pointed to."""
    from pipeline import report
    from pipeline.stages.tables import concat_tables

    monkeypatch.setattr(report, "DETAILED_FILES", 2)
    problem = {"code": "unknown-level", "message": "odd level", "location": {"file": "x"}}

    def entry(n: int, status: str) -> dict[str, object]:
        errors = [{**problem, "stage": "validate", "hint": ""}] if status == "rejected" else []
        warnings = [] if status == "rejected" else [{**problem, "stage": "validate", "hint": ""}]
        return {
            "source_file": f"{status}-{n}.txt",
            "source_format": "text",
            "sha256": "0" * 64,
            "status": status,
            "profile_id": None if status == "rejected" else f"p{n}",
            "errors": errors,
            "warnings": warnings,
        }

    inputs = [entry(n, status) for status in ("rejected", "ok") for n in range(5)]
    options = {"formats": [], "strict": False}
    manifest = {"pipeline_version": "v", "schema_version": "s", "options": options, "tables": {}}
    html = report.render_report({**manifest, "inputs": inputs}, concat_tables([]))
    assert html.count('<section class="file rejected"') == 2
    assert html.count('<section class="file warned"') == 2
    assert "Rejected files (5)" in html and "Warnings (5)" in html
    assert "3 more are in the Inputs table" in html
    assert html.count("<td>rejected-4.txt</td>") == 1  # every input is in the table


def test_pictures_drawn_from_the_pages_the_reader_kept_are_those_of_pages_loaded_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The pdfium reader leaves a file's first pages open for its pictures: they draw the
    same PNGs as pages loaded afresh, are handed over once and closed, and only the last
    KEPT_FILES files' first KEPT_PAGES pages are ever kept."""
    monkeypatch.setattr(pdf_kept, "KEPT_FILES", 2)
    monkeypatch.setattr(pdf_kept, "KEPT_PAGES", 1)
    layout = PdfLayout(reader="pdfium")
    files = [profile_pdf([(20, GOOD_ROW), (gap, BAD_LEVEL)]) for gap in (20, 30, 40)]
    for data in files:
        read_pdf(data, Source("bad.pdf", "pdf", "0" * 64), layout)
    kept = [pdf_kept.take(data) for data in files]
    assert kept[0] is None  # pushed out by the newer files
    assert kept[1] is not None and kept[2] is not None
    assert sorted(kept[2].pages) == [1]  # the first KEPT_PAGES pages only
    pdf_kept.close(kept[1])
    pdf_kept.keep(files[2], kept[2].document, kept[2].pages)
    outline = [Shape("outline", Box(390, 330, 460, 360), PROBLEM, 3)]
    from_kept = page_pngs(files[2], [(1, outline), (2, outline)], RESOLUTION, grey=True)
    assert pdf_kept.take(files[2]) is None  # handed over once, then closed
    loaded_again = page_pngs(files[2], [(1, outline), (2, outline)], RESOLUTION, grey=True)
    assert from_kept == loaded_again
    assert all(png is not None for png in from_kept)
