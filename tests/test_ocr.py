"""Scanned PDFs read by OCR (pipeline/extract/pdf_ocr.py, pdf_raster.py).

A scan is made here from a corpus PDF (tests/pdfcorpus/render_scan.py: 300 dpi pictures,
no text layer), so the words and rulings OCR gives can be held to the PDF's own text layer.
Tesseract is a program (`apt-get install tesseract-ocr tesseract-ocr-eng`); without it the
tests that run it are skipped with what to install, and fail instead when
ALBATTS_REQUIRE_OCR is set (as .ci/run does). The whole profile through OCR is slow (a few
seconds a page) and runs with `make test-slow`; the corpus figures are `make accuracy`'s.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from pipeline.codes import Code
from pipeline.extract import ocr_hocr, pdf_ocr, pdf_pdfium
from pipeline.extract.pdf_model import BULLET_GLYPH, PageData, PdfLayout, Word
from pipeline.extract.pdf_ocr import OcrPage, OcrWord, low_confidence_issues
from pipeline.extract.pdf_raster import ink_to_rules, raster_to_marks
from pipeline.model import Cell, Document, RawCompetence, RawOccupation, RawSection, Source
from pipeline.process import process_file
from pipeline.stages.normalise import NormaliseRules
from pipeline.stages.tables import profile_to_tables
from tests.pdfcorpus.accuracy import tables_to_items, truth_to_profile
from tests.pdfcorpus.render_scan import render_scan

PDFS = Path(__file__).parent / "pdfcorpus" / "pdfs"
PROFILES = Path(__file__).parent / "pdfcorpus" / "profiles"
# A full grid with shaded header rows (LaTeX), and banded rows with white-on-dark headers
# and square bullets (Chromium): rulings and fills both come from the picture.
GRID = PDFS / "latex" / "embedded-system-and-bms-engineers__grid-palatino.pdf"
BANDS = PDFS / "chromium" / "battery-pack-assembly-technician__landscape-bands.pdf"
# The shortest corpus profile (4 pages), for the whole-profile test.
SHORT = PDFS / "chromium" / "gigafactory-production-managers__compact-letter.pdf"


@pytest.fixture(scope="module")
def tesseract() -> None:
    why = pdf_ocr.tesseract_missing()
    if why is not None:
        message = f"{why}: install it with `{pdf_ocr.INSTALL}`"
        if os.environ.get("ALBATTS_REQUIRE_OCR"):  # CI installs it: a skip would hide
            pytest.fail(message)
        pytest.skip(message)


def _pages(pdf: Path, layout: PdfLayout, ocr: pdf_ocr.PageOcr | None = None) -> list[PageData]:
    return pdf_pdfium.read_pages(pdf.read_bytes(), pdf.name, layout, ocr=ocr)


@pytest.fixture(scope="module")
def scanned(
    tesseract: None, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[PageData], list[PageData], list[OcrPage]]:
    """Page 2 of the grid PDF and page 3 of the banded one (the tables), as their text
    layers give them and as OCR reads their scans."""
    layout = PdfLayout()
    folder = tmp_path_factory.mktemp("scans")
    texts, read, ocr_pages = [], [], []
    for pdf, number in ((GRID, 2), (BANDS, 3)):
        scan = render_scan(pdf, folder / pdf.name, pages=[number])
        with pdf_ocr.PageOcr(scan.read_bytes(), scan.name, layout) as ocr:
            read += _pages(scan, layout, ocr)
        ocr_pages += ocr.pages
        texts.append(_pages(pdf, layout)[number - 1])
    return texts, read, ocr_pages


def test_scanned_words_are_the_text_layers_words(
    scanned: tuple[list[PageData], list[PageData], list[OcrPage]],
) -> None:
    for text, read in zip(*scanned[:2], strict=True):
        expected = Counter(word.text for word in text.words)
        found = Counter(word.text for word in read.words)
        same = sum((expected & found).values())
        assert same >= 0.97 * sum(expected.values()), (expected - found, found - expected)
        assert found[BULLET_GLYPH] == expected[BULLET_GLYPH]  # drawn bullets, found as dots


def test_scanned_words_stand_where_the_text_layer_puts_them(
    scanned: tuple[list[PageData], list[PageData], list[OcrPage]],
) -> None:
    for text, read in zip(*scanned[:2], strict=True):
        assert (read.width, read.height) == pytest.approx((text.width, text.height), abs=0.01)
        once = {w.text: w for w in text.words if [v.text for v in text.words].count(w.text) == 1}
        read_texts = Counter(w.text for w in read.words)
        pairs = [
            (once[w.text], w) for w in read.words if w.text in once and read_texts[w.text] == 1
        ]
        assert len(pairs) > 50
        placed = [
            (truth, word)
            for truth, word in pairs
            if abs(truth.x0 - word.x0) < 1.5
            and abs(truth.x1 - word.x1) < 2.5
            and abs(truth.bottom - word.bottom) < 0.4 * truth.size
        ]
        assert len(placed) >= 0.98 * len(pairs), sorted(set(pairs) - set(placed), key=str)[:5]
        # The font size from OCR's line height: a line of capitals reads a little larger.
        ratios = sorted(word.size / truth.size for truth, word in pairs)
        assert 0.9 < ratios[len(ratios) // 2] < 1.1
        assert ratios[len(ratios) // 20] > 0.7 and ratios[-len(ratios) // 20] < 1.3


def test_rulings_and_shading_come_from_the_picture(
    scanned: tuple[list[PageData], list[PageData], list[OcrPage]],
) -> None:
    (grid, bands), (grid_read, bands_read) = scanned[:2]
    # The grid's horizontal rulings (table rows), each within a point of a vector one.
    vector_rows = sorted({round(r.at) for r in grid.rules if r.orientation == "h"})
    for rule in grid_read.rules:
        if rule.orientation == "h" and rule.end - rule.start > 200:
            assert min(abs(rule.at - y) for y in vector_rows) <= 1.5, rule
    assert sum(r.orientation == "v" for r in grid_read.rules) >= 4
    # The banded table's shading: each band's top and bottom edge within a point.
    edges = sorted({round(f.top) for f in bands.fills} | {round(f.bottom) for f in bands.fills})
    assert bands_read.fills
    for fill in bands_read.fills:
        assert min(abs(fill.top - y) for y in edges) <= 1.5, fill


def test_every_scanned_page_is_recorded_with_confidences(
    scanned: tuple[list[PageData], list[PageData], list[OcrPage]],
) -> None:
    _, read, ocr_pages = scanned
    assert [page.number for page in ocr_pages] == [1, 1]  # each scan is one page
    for page, words in zip(read, ocr_pages, strict=True):
        assert [w.word for w in words.words] == sorted(
            page.words, key=lambda w: (w.top, w.x0)
        ) or len(words.words) == len(page.words)
        assert all(0 <= w.confidence <= 1 for w in words.words)


def test_ocr_progress_names_each_page_before_it_is_read(tesseract: None, tmp_path: Path) -> None:
    scan = render_scan(SHORT, tmp_path / "scan.pdf", pages=[1])
    started: list[int] = []
    with (
        pdf_ocr.ocr_progress(started.append),
        pdf_ocr.PageOcr(scan.read_bytes(), scan.name, PdfLayout()) as ocr,
    ):
        _pages(scan, PdfLayout(), ocr)
    assert started == [1]


def test_without_tesseract_the_verdict_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan = render_scan(SHORT, tmp_path / "scan.pdf", pages=[1])
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    result = process_file(scan, NormaliseRules.load())
    assert result.verdict.status == "rejected"
    [error] = result.verdict.errors
    assert error.code == Code.OCR_UNAVAILABLE
    assert error.location.page == 1
    assert "Tesseract (the OCR program) is not installed" in error.message
    assert "apt-get install tesseract-ocr tesseract-ocr-eng" in error.hint


def test_a_page_without_words_or_pictures_is_not_read_by_ocr(tmp_path: Path) -> None:
    """A blank page of a PDF with a text layer elsewhere needs no Tesseract."""
    page = PageData(3, 595, 842, ())
    from reportlab.pdfgen import canvas

    path = tmp_path / "blank.pdf"
    pdf = canvas.Canvas(str(path))
    for _ in range(3):
        pdf.showPage()
    pdf.save()
    with pdf_ocr.PageOcr(path.read_bytes(), path.name, PdfLayout()) as ocr:
        assert ocr(page) is page
    assert ocr.pages == []


# --- the picture's marks, without Tesseract ------------------------------------------------


def _grid_picture() -> np.ndarray:
    """A 300x200 white picture with a 2x2 grid of 3-pixel lines, one cell shaded dark
    with a light letter-like mark in it, and text-like short strokes elsewhere."""
    grey = np.full((200, 300), 255, dtype=np.uint8)
    for y in (20, 100, 180):
        grey[y : y + 3, 20:280] = 0
    for x in (20, 150, 277):
        grey[20:183, x : x + 3] = 0
    grey[23:100, 23:150] = 60  # a dark header cell
    grey[50:70, 60:64] = 255  # a light stroke on it
    grey[130:150, 60:64] = 0  # a dark stroke: a glyph, not a ruling
    return grey


def test_rulings_are_long_thin_runs_of_ink() -> None:
    grid = _grid_picture()
    grid[23:100, 23:150] = 255  # no shading: on its own a dark cell is a thick bar
    rules = ink_to_rules(grid < 128, "h", length=100, thickness=5)
    assert [(r.at, r.start, r.end, r.thickness) for r in rules] == [
        (21.5, 20, 280, 3),
        (101.5, 20, 280, 3),
        (181.5, 20, 280, 3),
    ]


def test_marks_find_the_grid_the_shading_and_clean_the_picture() -> None:
    marks = raster_to_marks(
        _grid_picture(), rule_length=100, rule_thickness=5, fill_width=60, fill_height=20
    )
    assert sorted((r.orientation, r.at) for r in marks.rules) == [
        ("h", 21.5),
        ("h", 101.5),
        ("h", 181.5),
        ("v", 21.5),
        ("v", 151.5),
        ("v", 278.5),
    ]
    [fill] = marks.fills
    assert (fill.box.x0, fill.box.top, fill.box.bottom, fill.grey) == (23, 23, 100, 60)
    cleaned = marks.cleaned
    assert cleaned[21, 100] == 255 and cleaned[60, 151] == 255  # rulings erased
    assert cleaned[30, 100] == 255  # the dark shading turned to paper
    assert cleaned[60, 62] == 0  # its light stroke now dark ink
    assert cleaned[140, 62] == 0  # the glyph kept


def test_a_grid_in_a_pale_colour_is_found_and_erased_too() -> None:
    grey = _grid_picture()
    grey[grey == 0] = 166  # the grid and the glyph in a light blue-grey
    grey[130:150, 60:64] = 0  # the glyph in black
    marks = pdf_ocr.with_pale_rules(
        raster_to_marks(grey, rule_length=100, rule_thickness=5, fill_width=60, fill_height=20),
        length=100,
        thickness=5,
    )
    found = sorted((r.orientation, r.at) for r in marks.rules)
    # The shaded cell's own edges are no ruling: its top and left sides are left out.
    assert ("h", 101.5) in found and ("h", 181.5) in found and ("v", 278.5) in found
    assert all(rule.thickness <= 5 for rule in marks.rules)
    assert marks.cleaned[181, 100] == 255 and marks.cleaned[160, 278] == 255  # erased
    assert marks.cleaned[140, 62] == 0  # the glyph kept
    plain = raster_to_marks(
        _grid_picture(), rule_length=100, rule_thickness=5, fill_width=60, fill_height=20
    )
    assert pdf_ocr.with_pale_rules(plain, 100, 5) == plain  # nothing pale: as it was


# --- list markers OCR drops (ocr_marks) -------------------------------------------------


def _line_of(*marks: tuple[int, int, int, int]) -> np.ndarray:
    """A 100x400 picture with the given boxes (x0, top, x1, bottom) inked."""
    inked = np.zeros((100, 400), dtype=bool)
    for x0, top, x1, bottom in marks:
        inked[top:bottom, x0:x1] = True
    return inked


# A word at x 100..200 on a line of 40-pixel type whose baseline is at row 72: its box
# ends 0.2 font sizes below the baseline (pdf_ocr).
WORD = Word("Apply", 100, 200, 40, 80, 40)
GLYPHS = (100, 44, 198, 72)


@pytest.mark.parametrize(
    ("mark", "found"),
    [
        ((60, 58, 84, 61), "–"),  # a level bar at a dash's height, apart: a dash marker
        ((64, 52, 80, 68), BULLET_GLYPH),  # a solid square: a bullet
        ((60, 69, 84, 72), None),  # a bar on the baseline: an underscore
        ((88, 58, 99, 61), None),  # a short bar touching the word: a hyphen, a minus
        ((30, 58, 90, 61), None),  # longer than a dash
        ((60, 50, 84, 61), None),  # too thick: a block, no dash
    ],
)
def test_a_marker_ocr_left_out_is_read_from_its_ink(
    mark: tuple[int, int, int, int], found: str | None
) -> None:
    from pipeline.extract.ocr_marks import with_markers

    words = with_markers([(WORD, 0.9)], _line_of(GLYPHS, mark))
    texts = [word.text for word, _ in words]
    assert texts == ([found, "Apply"] if found else ["Apply"])
    if found:
        assert (words[0][0].x0, words[0][0].x1) == (mark[0], mark[2])


def test_a_glyphs_ink_left_of_its_box_is_no_marker() -> None:
    from pipeline.extract.ocr_marks import with_markers

    # A bullet, then a 'W' whose left stroke OCR's box leaves out (x 95..100).
    inked = _line_of(GLYPHS, (64, 52, 80, 68), (95, 44, 100, 72))
    assert [w.text for w, _ in with_markers([(WORD, 0.9)], inked)] == [BULLET_GLYPH, "Apply"]


# --- line geometry from hOCR ------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "text", "height"),
    [
        # Measured: the font size from Tesseract's ascent (x_size less descenders).
        (
            "bbox 0 100 500 131; baseline 0 -7; x_size 32; x_descenders 7; x_ascenders 6",
            "Apply",
            25 * 1.27,
        ),
        # Tesseract's guess (ascenders and descenders a quarter of x_size each): the ink's
        # ascent, baseline to box top, when a capital or an ascender reaches it.
        (
            "bbox 0 100 500 135; baseline 0 -8; x_size 30.1; x_descenders 7.525; x_ascenders 7.525",
            "Erasmus+ Programme",
            27 * 1.27,
        ),
        # An ascent taller than the whole line's box: a mark mislaid the fit.
        (
            "bbox 0 100 500 131; baseline 0 -7; x_size 44.25; x_descenders 7.5; x_ascenders 12.25",
            "Apply IEC",
            24 * 1.27,
        ),
        # No capital or ascender (old-style digits, dashes): Tesseract's figure stays.
        (
            "bbox 0 100 68 126; baseline 0 -9; x_size 37; x_descenders 10; x_ascenders 9",
            "~3-",
            27 * 1.27,
        ),
    ],
)
def test_a_lines_font_size_comes_from_its_ascent(title: str, text: str, height: float) -> None:
    assert ocr_hocr._line_geometry(title, text).height == pytest.approx(height)


def test_a_line_of_small_letters_takes_the_pages_usual_height() -> None:
    line = ocr_hocr._Line
    body = [(n, line(0, 100 * n, 0, 0, 40.0, small=False, ink=40.0)) for n in range(3)]
    small = line(0, 400, 0, 0, 27.3, small=True, ink=27.0)  # 'resources': its x-height
    big = line(0, 500, 0, 0, 60.0, small=True, ink=56.0)  # 'scanners' in a title's type
    heights = [g.height for _, g in ocr_hocr._sure_heights([*body, (3, small), (4, big)])]
    assert heights == [40.0, 40.0, 40.0, 40.0, 60.0]


def test_close_font_sizes_are_evened_out_on_the_same_baselines() -> None:
    def word(text: str, size: float, baseline: float) -> tuple[Word, float]:
        bottom = baseline + 0.2 * size
        return Word(text, 0, 50, bottom - size, bottom, size), 0.9

    found = [word("automotive", 40, 100), word("electrician", 33, 145)]
    found += [word("vehicle", 40, 190), word("mechanic", 36, 235)]
    found.append(word("Competence", 55, 300))  # a heading's larger type is kept
    out = pdf_ocr._usual_sizes(found)
    assert [w.size for w, _ in out] == [38, 38, 38, 38, 55]
    electrician = out[1][0]
    assert electrician.bottom - 0.2 * 38 == pytest.approx(145)  # the baseline kept
    assert electrician.top == pytest.approx(electrician.bottom - 38)
    # Sizes apart by more than a step are two sizes, each kept.
    apart = pdf_ocr._usual_sizes([word("body", 40, 100), word("note", 33, 145)])
    assert [w.size for w, _ in apart] == [40, 33]
    # Bold words are evened out apart: a header label read large (44) does not carry
    # a bold heading (50) down to the body's size (40) through the regular words.
    bold = [(replace(w, bold=True), c) for w, c in (word("Academic", 50, 50), word("Type", 44, 80))]
    mixed = pdf_ocr._usual_sizes([*bold, word("body", 40, 120), word("more", 44, 160)])
    assert [w.size for w, _ in mixed] == [47, 47, 42, 42]


def test_bold_is_told_by_stroke_width_whole_pixels_aside() -> None:
    inked = np.zeros((40, 400), dtype=bool)

    def word(text: str, x0: int, stems: list[int]) -> tuple[Word, float]:
        x = x0
        for width in stems:
            inked[5:35, x : x + width] = True
            x += width + 6
        return Word(text, x0, x, 0, 40, 40), 0.9

    # Regular strokes of 3.5 pixels come out 3 or 4 wide; bold ones 6.
    found = [
        word("three", 0, [3, 3, 4, 3, 4, 3]),
        word("again", 60, [3, 4, 3, 3, 4, 3]),
        word("four", 120, [4, 4, 3, 4, 3, 4]),
        word("Bold", 180, [6, 6, 6, 6]),
    ]
    assert [w.bold for w, _ in pdf_ocr._bold(found, inked)] == [False, False, False, True]


# --- confidence warnings ----------------------------------------------------------------


def test_words_read_with_low_confidence_are_warnings_naming_page_and_item() -> None:
    def cell(text: str, page: int = 2) -> Cell:
        return Cell(text, None, page)

    competence = RawCompetence(
        cell("Cell Assembly"), cell("S"), cell("Expert"), (cell("• Stack elctrodes"),), ()
    )
    document = Document(
        Source("scan.pdf", "pdf", "0" * 64),
        cell("ALBATTS", 1),
        cell("2019-2023", 1),
        cell("Cell Engineer", 1),
        (),
        (),
        (),
        (RawSection(cell("Technical Competence"), (competence,)),),
    )
    size = 10.0
    words = (
        OcrWord(Word("Stack", 0, 20, 0, size, size), 0.96),
        OcrWord(Word("elctrodes", 25, 60, 0, size, size), 0.41),
    )
    [issue] = low_confidence_issues(document, [OcrPage(2, words, 1.0)], PdfLayout())
    assert issue.code == Code.OCR_LOW_CONFIDENCE and issue.severity == "warning"
    assert (issue.location.page, issue.location.table, issue.location.row) == (
        2,
        "competence_statements",
        "competence 'Cell Assembly'",
    )
    assert "'elctrodes' (41%)" in issue.message


def test_fields_of_a_known_shape_misread_by_ocr_are_set_right_with_a_warning() -> None:
    """Only on pages read by OCR, and only where one reading fits: the rest is left as read,
    for the contract to name."""

    def cell(text: str, page: int = 2) -> Cell:
        return Cell(text, None, page)

    uri = "http://data.europa.eu/esco/occupation/9595961d-1efd-45fa-be12-f6cb34b1f234"
    read = uri.replace("occupation", "0ccupat10n").replace("-1efd", "-lefd")
    competences = (
        RawCompetence(cell("Cell Assembly"), cell("5S"), cell("Practitoner"), (), ()),
        RawCompetence(cell("Welding", 3), cell("5S", 3), cell("Expert", 3), (), ()),
        RawCompetence(cell("Testing"), cell("Q"), cell("Expert"), (), ()),
    )
    document = Document(
        Source("scan.pdf", "pdf", "0" * 64),
        cell("ALBATTS", 1),
        cell("2019-2023", 1),
        cell("Cell Engineer", 1),
        (),
        (RawOccupation(cell("2149.1"), cell("engineer"), cell(read)),),
        (),
        (RawSection(cell("Technical Competence"), competences),),
    )
    repaired, issues = pdf_ocr.repair_fields(document, {2})
    assert repaired.occupations[0].uri.text == uri
    first, second, third = repaired.sections[0].competences
    assert (first.type.text, first.level.text) == ("S", "Practitioner")
    assert second.type.text == "5S"  # page 3 was not read by OCR: a text layer's own
    assert third.type.text == "Q"  # no type looks like it: left for the contract to name
    assert [issue.code for issue in issues] == [Code.OCR_LOW_CONFIDENCE] * 3
    assert all(issue.severity == "warning" and issue.location.page == 2 for issue in issues)
    assert issues[0].location.table == "occupations"
    assert "'5S'" in issues[1].message and "'S'" in issues[1].message


# --- a whole scanned profile ------------------------------------------------------------


@pytest.mark.slow
def test_a_scanned_profile_gives_its_tables(tesseract: None, tmp_path: Path) -> None:
    """The shortest profile, scanned: at least 97% of its items exact."""
    scan = render_scan(SHORT, tmp_path / SHORT.name)
    result = process_file(scan, NormaliseRules.load())
    truth = json.loads((PROFILES / "gigafactory-production-managers.json").read_text("utf-8"))
    assert result.tables is not None, result.verdict.errors
    expected = tables_to_items(profile_to_tables(truth_to_profile(truth)))
    found = tables_to_items(result.tables)
    assert sum((expected & found).values()) >= 0.97 * sum(expected.values()), (
        expected - found,
        found - expected,
    )
