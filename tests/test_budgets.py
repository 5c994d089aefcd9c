"""Small files that exhaust the limits, and documents that are not profiles.

Work must grow linearly with the input: each test times `factor` runs on a small input
against one run on an input `factor` times larger, in the same test, so the ratio is about
1 for linear work and about `factor` for quadratic work, whatever the machine's speed.
Documents that are not profiles must be rejected from their first pages or lines: those
tests count what was read.
"""

from __future__ import annotations

import gc
import io
import math
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import pandas as pd
import pandera.errors
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from pipeline.codes import Code
from pipeline.contract.tables import TABLES
from pipeline.errors import ExtractError, PipelineError, ReadError
from pipeline.extract import pdf_pdfium, pdf_plumber
from pipeline.extract import text as text_reader
from pipeline.extract.pdf import read_pdf
from pipeline.extract.pdf_model import PageData
from pipeline.extract.structure import PROFILE_LINES, PROFILE_PAGES
from pipeline.extract.text import read_text
from pipeline.model import Document, Issue, Location, Source
from pipeline.stages.clean import join_wrapped
from pipeline.stages.lists import parse_eqf_levels, split_departments
from pipeline.stages.normalise import NormaliseRules, document_to_profile
from pipeline.stages.tables import profile_to_tables
from pipeline.validate import failures_to_issues
from tests.hostile import seed_text

T = TypeVar("T")

# Linear work may take up to this many times longer per unit of input on the large input
# (caches, allocation); quadratic work takes about `factor` times longer.
SLACK = 3.0
TEXT = Source("profile.txt", "text", "0" * 64)
PDF = Source("report.pdf", "pdf", "0" * 64)
DEPARTMENTS = "Production and Maintenance Quality RnD IT/Digitalisation"
COMMUNICATION = (
    "Communication\tK\t- Communicate with customers to identify document BMS system "
    "requirements\tPractitioner\t"
)
CORPUS = Path(__file__).parent / "pdfcorpus" / "pdfs"
# A real profile longer than PROFILE_PAGES.
LONG_PROFILE = CORPUS / "libreoffice" / "battery-safety-and-compliance-officers__report-serif.pdf"


def _best_time(run: Callable[[], object], repeat: int = 2) -> float:
    """The best of `repeat` timings, with the garbage collector off as in timeit."""
    best = math.inf
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            run()
            best = min(best, time.perf_counter() - start)
    finally:
        gc.enable()
    return best


def growth(make: Callable[[int], T], work: Callable[[T], object], small: int, factor: int) -> float:
    """How much longer one run of `work` on an input `factor` times larger takes than
    `factor` runs on the small one: about 1 when the work is linear in the input."""
    little, large = make(small), make(small * factor)
    # Work that takes well under a timer's jitter is timed in batches of runs.
    batch = max(1, math.ceil(0.05 / _best_time(lambda: work(large), repeat=1)))
    many_small = _best_time(lambda: [work(little) for _ in range(factor * batch)])
    one_large = _best_time(lambda: [work(large) for _ in range(batch)])
    return one_large / many_small


def _profile(text: str) -> Document:
    return read_text(text.encode("utf-8"), TEXT)


# --- 1. wrapped lines ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("a bullet wrapped over many lines of a description cell", id="space"),
        pytest.param("a bullet wrapped over many lines of a description cell-", id="hyphen"),
        pytest.param("a bullet wrapped over many lines of a description cel\u00ad", id="soft"),
    ],
)
def test_joining_wrapped_lines_is_linear(line: str) -> None:
    # Before: 2,000 lines took 16 s, 20,000 took 161 s (the text so far was rescanned).
    ratio = growth(lambda n: [line] * n, join_wrapped, small=50, factor=20)
    assert ratio <= SLACK, f"1,000 lines took {ratio:.1f}x as long per line as 50 lines"


def test_a_bullet_wrapped_over_thousands_of_rows_is_linear() -> None:
    """The same through the reader and normalisation: text without a marker in a
    continuation row goes on with the bullet above it."""
    more = "\t\tand with suppliers, partners and the authorities\t\t"
    rules = NormaliseRules.load()
    ratio = growth(
        lambda n: _profile(
            seed_text(replacements={COMMUNICATION: "\n".join([COMMUNICATION, *[more] * n])})
        ),
        lambda document: document_to_profile(document, rules),
        small=100,
        factor=20,
    )
    assert ratio <= SLACK


# --- 2. repeated values and long lists ----------------------------------------------------


def _department_failures(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The departments table of the seed with 'Quality' n times, and pandera's failures."""
    rules = NormaliseRules.load()
    document = _profile(seed_text(replacements={DEPARTMENTS: "Quality " * n}))
    frame = profile_to_tables(document_to_profile(document, rules).profile)["departments"]
    with pytest.raises(pandera.errors.SchemaErrors) as errors:
        TABLES["departments"].validate(frame, lazy=True)
    return frame, errors.value.failure_cases


def test_repeated_departments_are_reported_in_linear_time() -> None:
    # Before: each repeat scanned every failure: 4,000 repeats took 2.6 s, 800 KB of one
    # department (100,000 repeats) timed out.
    ratio = growth(
        _department_failures,
        lambda found: failures_to_issues("departments", *found, "profile.txt"),
        small=100,
        factor=60,
    )
    assert ratio <= SLACK


def test_each_repeated_department_is_one_located_issue() -> None:
    frame, failures = _department_failures(3)
    issues = failures_to_issues("departments", frame, failures, "profile.txt")
    assert [(issue.code, issue.message, issue.location) for issue in issues] == [
        (
            Code.DUPLICATE_KEY,
            "'Quality' is repeated in departments.department",
            Location(
                "profile.txt",
                line=37,
                table="departments",
                column="department",
                row=f"department #{n}",
            ),
        )
        for n in (1, 2, 3)
    ]


def test_splitting_a_huge_departments_cell_is_linear() -> None:
    # Before: each match sliced off the rest of the cell (800 KB: 3.5 s, and quadratic).
    departments = NormaliseRules.load().departments
    ratio = growth(
        lambda n: "Quality Unknown " * n,
        lambda cell: split_departments(cell, departments),
        small=2_500,
        factor=20,
    )
    assert ratio <= SLACK


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many Context entries and competences the text reader builds."""
    counts: Counter[str] = Counter()
    for name in ("ContextEntry", "RawCompetence"):
        original = getattr(text_reader, name)

        def counted(*args: Any, name: str = name, original: Any = original) -> Any:
            counts[name] += 1
            return original(*args)

        monkeypatch.setattr(text_reader, name, counted)
    return counts


@pytest.mark.parametrize("lines", [1, 1_000])
def test_a_context_value_over_many_lines_is_built_once(lines: int, built: Counter[str]) -> None:
    # Before: each line rebuilt the value so far (copying is fast, but quadratic all
    # the same: 800 KB of one department per line copied some 40 GB).
    document = _profile(seed_text(replacements={DEPARTMENTS: "\n".join(["Quality"] * lines)}))
    assert document.context[2].value.text == "\n".join(["Quality"] * lines)
    assert built["ContextEntry"] == len(document.context) == 4


@pytest.mark.parametrize("rows", [1, 1_000])
def test_a_competence_over_many_continuation_rows_is_built_once(
    rows: int, built: Counter[str]
) -> None:
    # Before: each continuation row copied the competence's cells so far.
    more = "\t\t- and with suppliers\t\tcommunication"
    document = _profile(
        seed_text(replacements={COMMUNICATION: "\n".join([COMMUNICATION, *[more] * rows])})
    )
    competences = [
        competence for section in document.sections for competence in section.competences
    ]
    communication = next(c for c in competences if c.name.text == "Communication")
    assert len(communication.description) == rows + 1
    assert built["RawCompetence"] == len(competences)


# --- 3. EQF ranges ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        pytest.param(
            "1-99999999", "EQF range '1-99999999' goes beyond the levels 1 to 8", id="huge"
        ),
        pytest.param("6-9", "EQF range '6-9' goes beyond the levels 1 to 8", id="past-8"),
        pytest.param("0-4", "EQF range '0-4' goes beyond the levels 1 to 8", id="from-0"),
        pytest.param(
            "1-" + "9" * 5000,
            "EQF range '1-" + "9" * 37 + "…' goes beyond the levels 1 to 8",
            id="longer-than-int-parsing-allows",
        ),
    ],
)
def test_an_eqf_range_is_checked_before_it_is_expanded(cell: str, message: str) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as error:
            parse_eqf_levels(cell)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(error.value) == message
    assert peak < 256 * 1024  # before: '1-99999999' filled a set of 10^8 numbers (> 2 GB)


def test_a_huge_eqf_range_is_a_located_error() -> None:
    text = seed_text(replacements={"Minimum EQF\t6/7/8": "Minimum EQF\t1-99999999"})
    issues = document_to_profile(_profile(text), NormaliseRules.load()).issues
    assert [issue for issue in issues if issue.severity == "error"] == [
        Issue(
            "normalise",
            "Minimum EQF '1-99999999': EQF range '1-99999999' goes beyond the levels 1 to 8",
            Location("profile.txt", line=35, table="eqf_levels", column="eqf_level"),
            "write the EQF levels as numbers 1-8, e.g. 6 or 6/7/8",
            code=Code.BAD_EQF,
        )
    ]


# --- 4. documents that are not profiles ---------------------------------------------------


def report_pdf(pages: int, heading_on: int | None = None) -> bytes:
    """A report of `pages` pages of prose; 'ESCO Occupations' opens page `heading_on`."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for number in range(1, pages + 1):
        pdf.setFont("Helvetica-Bold", 14)
        title = "ESCO Occupations" if number == heading_on else f"Chapter {number}"
        pdf.drawString(72, 780, title)
        pdf.setFont("Helvetica", 10)
        for line in range(40):
            pdf.drawString(
                72, 750 - 16 * line, f"Line {line}: battery production and market figures"
            )
        pdf.drawString(290, 40, str(number))
        pdf.showPage()
    pdf.save()
    return out.getvalue()


@pytest.fixture(scope="module")
def long_report() -> bytes:
    return report_pdf(300)


@pytest.fixture
def pages_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The numbers of the pages the PDF readers (both: the default and pdfplumber) turn
    into words and rulings."""
    read: list[int] = []
    for reader in (pdf_plumber, pdf_pdfium):
        original = reader.page_to_data

        def counted(page: object, number: int, *args: Any, original: Any = original) -> PageData:
            read.append(number)
            return cast(PageData, original(page, number, *args))

        monkeypatch.setattr(reader, "page_to_data", counted)
    return read


def _rejection(read: Callable[[], object]) -> PipelineError:
    with pytest.raises(PipelineError) as error:
        read()
    return error.value


def test_a_300_page_report_is_rejected_from_its_first_pages(
    long_report: bytes, pages_read: list[int]
) -> None:
    # Before: all 300 pages were read and laid out (about 45 s) before the verdict.
    error = _rejection(lambda: read_pdf(long_report, PDF))
    assert isinstance(error, ExtractError)
    assert error.to_issue() == Issue(
        "extract",
        "not an ALBATTS job-role profile: no 'ESCO Occupations' table",
        Location("report.pdf"),
        "this does not look like an ALBATTS job-role profile; check the file",
        code=Code.NOT_A_PROFILE,
    )
    long_pages = list(pages_read)
    pages_read.clear()
    _rejection(lambda: read_pdf(report_pdf(6), PDF))
    # 50 times the pages, the same work.
    assert long_pages == pages_read == list(range(1, PROFILE_PAGES + 1))


def test_an_occupations_heading_past_the_first_pages_is_not_a_profile(
    pages_read: list[int],
) -> None:
    error = _rejection(lambda: read_pdf(report_pdf(12, heading_on=PROFILE_PAGES + 1), PDF))
    assert error.code == Code.NOT_A_PROFILE
    assert pages_read == list(range(1, PROFILE_PAGES + 1))


def test_a_long_scan_is_rejected_from_its_first_pages(pages_read: list[int]) -> None:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for _ in range(100):
        pdf.rect(72, 72, 450, 700, fill=1)  # a page drawn, with no text
        pdf.showPage()
    pdf.save()
    error = _rejection(lambda: read_pdf(out.getvalue(), PDF))
    assert isinstance(error, ReadError) and error.code == Code.NO_TEXT_LAYER
    assert pages_read == list(range(1, PROFILE_PAGES + 1))


def test_a_profile_longer_than_the_first_pages_is_read_whole(pages_read: list[int]) -> None:
    document = read_pdf(LONG_PROFILE.read_bytes(), Source(LONG_PROFILE.name, "pdf", "0" * 64))
    assert pages_read == list(range(1, 13))  # its 12 pages
    assert document.sections[-1].competences[-1].name.page == 12


@pytest.fixture
def lines_split(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many lines the text reader splits, call by call."""
    split: list[int] = []
    original = text_reader.text_to_lines

    def counted(*args: Any) -> list[text_reader.Line]:
        lines = original(*args)
        split.append(len(lines))
        return lines

    monkeypatch.setattr(text_reader, "text_to_lines", counted)
    return split


def test_a_long_text_that_is_not_a_profile_is_rejected_from_its_first_lines(
    lines_split: list[int],
) -> None:
    line = "Annual figures: battery production and sales in Europe, by country and year"
    short = "\n".join([line] * (PROFILE_LINES + 1)).encode()
    long = "\n".join([line] * 200_000).encode()  # 15 MB
    for data in (short, long):
        error = _rejection(lambda data=data: read_text(data, TEXT))
        assert error.code == Code.NOT_A_PROFILE
    # 100 times the lines, the same lines split.
    assert lines_split == [PROFILE_LINES, PROFILE_LINES]


@pytest.mark.parametrize(
    ("blank_lines", "verdict"),
    [
        pytest.param(PROFILE_LINES - 40, None, id="within"),
        pytest.param(PROFILE_LINES, Code.NOT_A_PROFILE, id="past"),
    ],
)
def test_the_occupations_heading_must_come_within_the_first_lines(
    blank_lines: int, verdict: Code | None
) -> None:
    data = ("\n" * blank_lines + seed_text()).encode()
    if verdict is None:
        assert len(read_text(data, TEXT).occupations) == 4
    else:
        assert _rejection(lambda: read_text(data, TEXT)).code == verdict
