"""Rows read by OCR are flagged: extraction_method 'ocr' and ocr_confidence, the lowest
confidence (percent) of the words of the row's item; every other row 'text' and empty.

The confidences travel with the cells (pipeline/extract/pdf_ocr.with_confidences), to the
items split from them (pipeline/stages/normalise.with_confidences), to the tables
(pipeline/stages/tables.profile_to_records). The tests with Tesseract are skipped without
it (tests/test_ocr.py says what to install)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.errors
import pypdfium2 as pdfium
import pytest

from pipeline.contract.tables import TABLES
from pipeline.extract.pdf_model import Word
from pipeline.extract.pdf_ocr import OcrPage, OcrWord, with_confidences
from pipeline.model import (
    Cell,
    Competence,
    Document,
    EscoSkill,
    Item,
    Occupation,
    Profile,
    Source,
    Statement,
)
from pipeline.process import process_file
from pipeline.stages.bullets import cells_to_statements
from pipeline.stages.lists import cells_to_esco_skills
from pipeline.stages.normalise import NormaliseRules, cells_confidence
from pipeline.stages.normalise import with_confidences as items_with_confidences
from pipeline.stages.tables import profile_to_records, profile_to_tables
from tests.pdfcorpus.render_scan import render_scan
from tests.test_ocr import SHORT, tesseract  # noqa: F401  (the fixture)

ROOT = Path(__file__).parent.parent
TEXT_INPUT = ROOT / "raw" / "000_ec40f3a5bbbfd221.txt"
BORN_DIGITAL = ROOT / "examples" / "battery-pack-assembly-technician.pdf"


def _assert_read_from_text(tables: dict[str, pd.DataFrame]) -> None:
    for name, frame in tables.items():
        assert set(frame["extraction_method"]) <= {"text"}, name
        assert frame["ocr_confidence"].isna().all(), name
        assert str(frame["ocr_confidence"].dtype) == "Int64", name


@pytest.mark.parametrize("path", [TEXT_INPUT, BORN_DIGITAL], ids=["text", "pdf"])
def test_rows_not_read_by_ocr_are_text_without_a_confidence(path: Path) -> None:
    result = process_file(path, NormaliseRules.load())
    assert result.tables is not None, result.verdict.errors
    assert all("extraction_method" in frame.columns for frame in result.tables.values())
    _assert_read_from_text(result.tables)


def test_every_table_has_the_columns_after_the_provenance() -> None:
    for name, model in TABLES.items():
        columns = list(model.to_schema().columns)
        assert columns[-2:] == ["extraction_method", "ocr_confidence"], name


# --- items take the lowest confidence of their own words --------------------------------


def _read(text: str, *confidences: int) -> Cell:
    words = text.split()
    assert len(words) == len(confidences)
    return Cell(text, None, 2, tuple(zip(words, confidences, strict=True)))


def test_each_statement_takes_the_lowest_confidence_of_its_words() -> None:
    cells = (
        _read(
            "• Read assembly\ndrawings • Weld manu-\nfacturing", 100, 90, 95, 40, 100, 97, 80, 60
        ),
        _read("tabs • Check seals", 70, 100, 99, 98),
    )
    statements = items_with_confidences(cells_to_statements(cells), cells)
    assert [(s.text, s.ocr_confidence) for s in statements] == [
        ("Read assembly drawings", 40),
        ("Weld manu-facturing tabs", 60),  # its words cut at a line end and by a page break
        ("Check seals", 98),
    ]


def test_each_esco_label_takes_its_own_words_even_when_a_label_repeats() -> None:
    cells = (_read("lead a team\nlead a team\nweld", 90, 91, 92, 50, 93, 94, 99),)
    skills = items_with_confidences(cells_to_esco_skills(cells), cells)
    assert [skill.ocr_confidence for skill in skills] == [90, 50, 99]


def test_an_item_not_found_in_the_words_takes_the_cells_lowest() -> None:
    cells = (_read("Plant Manager", 96, 41),)
    [item] = items_with_confidences((Item("Shift Supervisor", None, 2),), cells)
    assert item.ocr_confidence == 41


def test_items_of_cells_no_ocr_read_have_no_confidence() -> None:
    cells = (Cell("• Read drawings", None, 2),)
    statements = items_with_confidences(cells_to_statements(cells), cells)
    assert statements == (Statement("Read drawings", None, 2),)
    assert cells_confidence(cells) is None
    # A cell read partly from a text layer: its words from there have no confidence.
    mixed = (Cell("weld tabs", None, 3, (("weld", None), ("tabs", 70))),)
    skills = items_with_confidences((EscoSkill("weld tabs", None, 3),), mixed)
    assert skills[0].ocr_confidence == 70


def test_cells_of_running_text_find_their_words_on_their_page() -> None:
    """The cover is no table: its cells take the words of their page that spell them."""
    size = 10.0

    def word(text: str, x0: float, top: float, confidence: float) -> OcrWord:
        return OcrWord(Word(text, x0, x0 + 8 * len(text), top, top + size, size), confidence)

    page = OcrPage(
        1,
        (
            word("ALBATTS", 10, 10, 0.95),
            word("2019-2023", 10, 30, 0.91),
            word("Cell", 10, 50, 0.88),
            word("Engi-", 60, 50, 0.45),
            word("neer", 10, 70, 0.93),
        ),
        1.0,
    )
    document = Document(
        Source("scan.pdf", "pdf", "0" * 64),
        Cell("ALBATTS", None, 1),
        Cell("2019-2023", None, 1),
        Cell("Cell Engineer", None, 1),
        (Cell("Not on a page read by OCR.", None, 2),),
        (),
        (),
        (),
    )
    read = with_confidences(document, [page], ())
    assert read.title.ocr == (("Cell", 88), ("Engi-", 45), ("neer", 93))
    assert read.period.ocr == (("2019-2023", 91),)
    assert read.description[0].ocr is None
    assert read.ocr_pages == (1,)


# --- the tables ---------------------------------------------------------------------------


def test_the_contract_holds_method_and_confidence_together() -> None:
    frame = profile_to_tables(_profile())["departments"]
    ocr = frame.assign(extraction_method="ocr", ocr_confidence=pd.array([90], dtype="Int64"))
    TABLES["departments"].validate(ocr)
    for method, confidence in (("ocr", None), ("text", 90), ("ocr", 101), ("scan", 90)):
        wrong = frame.assign(
            extraction_method=method, ocr_confidence=pd.array([confidence], dtype="Int64")
        )
        with pytest.raises(pandera.errors.SchemaError):
            TABLES["departments"].validate(wrong)


def _profile(**changes: Any) -> Profile:
    profile = Profile(
        profile_id="cell-engineer",
        title="Cell Engineer",
        description="Builds cells.",
        alliance="ALBATTS",
        period="2019-2023",
        period_start=2019,
        period_end=2023,
        eqf_levels=(6,),
        value_chain="Cell manufacturing",
        departments=(Item("Quality", None, 2),),
        specialisations=(),
        occupations=(Occupation("2149.1", "engineer", "http://x", None, 2),),
        competences=(
            Competence(
                "cell-engineer--stacking",
                "Technical Competence",
                None,
                "Stacking",
                "S",
                "Expert",
                (Statement("Stack electrodes", None, 3),),
                (EscoSkill("stack cells", None, 3),),
                None,
                3,
            ),
        ),
        source=Source("scan.pdf", "pdf", "0" * 64),
    )
    return replace(profile, **changes)


def test_a_profile_read_by_ocr_is_flagged_with_its_weakest_row() -> None:
    profile = _profile()
    competence = profile.competences[0]
    read = _profile(
        ocr_pages=(2, 3),
        ocr_confidence=93,
        eqf_ocr_confidence=90,
        departments=(Item("Quality", None, 2, 88),),
        occupations=tuple(replace(o, ocr_confidence=85) for o in profile.occupations),
        competences=(
            replace(
                competence,
                ocr_confidence=80,
                statements=(Statement("Stack electrodes", None, 3, 47),),
                esco_skills=(EscoSkill("stack cells", None, 3, 99),),
            ),
        ),
    )
    records = profile_to_records(read)
    flags = {
        name: [(row["extraction_method"], row["ocr_confidence"]) for row in rows]
        for name, rows in records.items()
    }
    assert flags == {
        "profiles": [("ocr", 47)],
        "occupations": [("ocr", 85)],
        "eqf_levels": [("ocr", 90)],
        "departments": [("ocr", 88)],
        "specialisations": [],
        "competences": [("ocr", 80)],
        "competence_statements": [("ocr", 47)],
        "competence_esco_skills": [("ocr", 99)],
    }
    _assert_read_from_text(profile_to_tables(profile))


# --- scans, read by Tesseract ------------------------------------------------------------


def _assert_read_by_ocr(frame: pd.DataFrame, name: str) -> None:
    assert set(frame["extraction_method"]) == {"ocr"}, name
    confidences = frame["ocr_confidence"]
    assert confidences.notna().all(), name
    assert confidences.between(0, 100).all(), name


def test_rows_from_a_scanned_page_of_a_pdf_are_flagged(tesseract: None, tmp_path: Path) -> None:  # noqa: F811
    """The short profile with its page 3 scanned (the others keep their text layer): the
    rows on page 3 are read by OCR, those on page 4 from text (a competence there takes
    its category from a heading on page 3, so it may be 'ocr'); the profile is 'ocr'."""
    scan = render_scan(SHORT, tmp_path / "page-3.pdf", pages=[3])
    mixed = pdfium.PdfDocument.new()
    original, scanned = pdfium.PdfDocument(SHORT), pdfium.PdfDocument(scan)
    try:
        mixed.import_pages(original, [0, 1])
        mixed.import_pages(scanned, [0])
        mixed.import_pages(original, [3])
        mixed.save(tmp_path / "mixed.pdf")
    finally:
        for document in (mixed, original, scanned):
            document.close()
    result = process_file(tmp_path / "mixed.pdf", NormaliseRules.load())
    assert result.tables is not None, result.verdict.errors
    tables = result.tables
    assert list(tables["profiles"]["extraction_method"]) == ["ocr"]
    for name in ("competences", "competence_statements", "competence_esco_skills"):
        frame = tables[name]
        on_scan = frame[frame["source_page"] == 3]
        assert len(on_scan) > 0, name
        _assert_read_by_ocr(on_scan, name)
        assert (frame["extraction_method"] == "ocr").sum() < len(frame), name
    _assert_read_from_text({n: tables[n] for n in ("occupations", "departments", "eqf_levels")})
    for name in ("competence_statements", "competence_esco_skills"):
        frame = tables[name]
        on_text = frame[frame["source_page"] == 4]
        assert len(on_text) > 0, name
        _assert_read_from_text({name: on_text})
    lowest = min(
        value
        for name in tables
        if name != "profiles"
        for value in tables[name]["ocr_confidence"].dropna()
    )
    assert tables["profiles"]["ocr_confidence"][0] <= lowest


@pytest.mark.slow
def test_every_row_of_a_scanned_profile_is_flagged(tesseract: None, tmp_path: Path) -> None:  # noqa: F811
    scan = render_scan(SHORT, tmp_path / SHORT.name)
    result = process_file(scan, NormaliseRules.load())
    assert result.tables is not None, result.verdict.errors
    for name, frame in result.tables.items():
        assert len(frame) > 0, name
        _assert_read_by_ocr(frame, name)
