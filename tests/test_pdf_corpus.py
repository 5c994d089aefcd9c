"""The PDF fixture corpus: every PDF from every producer at 100% cell accuracy, and the
same profile as PDF and as seed-format text giving the same tables.

The corpus is rendered from tests/pdfcorpus/profiles/*.json (the seed and six authored
profiles) by two producers in several layout variants; see tests/pdfcorpus/README.md.
"""

import json
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from pipeline.process import FileResult, process_file
from pipeline.stages.normalise import NormaliseRules
from tests.pdfcorpus.accuracy import SOURCE_COLUMNS, Report, format_report, score
from tests.pdfcorpus.build import build_corpus
from tests.pdfcorpus.data import CORPUS_PROFILES
from tests.pdfcorpus.variants import corpus_variants


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, Path]]:
    return build_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def results(corpus: list[tuple[Path, Path]], rules: NormaliseRules) -> dict[Path, FileResult]:
    texts = {pdf.with_name(f"{pdf.name.split('__')[0]}.txt") for pdf, _ in corpus}
    return {path: process_file(path, rules) for path in [*(pdf for pdf, _ in corpus), *texts]}


def test_corpus_covers_every_profile_and_producer(corpus: list[tuple[Path, Path]]) -> None:
    stems = {pdf.name.split("__")[0] for pdf, _ in corpus}
    assert stems == {path.stem for path in CORPUS_PROFILES.glob("*.json")}
    assert len(stems) >= 7
    producers = {variant.producer for variant in corpus_variants()}
    assert producers == {"reportlab", "fpdf2"}
    assert len(corpus) == len(stems) * len(corpus_variants())


def test_every_fixture_pdf_extracts_at_full_cell_accuracy(
    corpus: list[tuple[Path, Path]], results: dict[Path, FileResult]
) -> None:
    report = Report()
    for pdf, truth in corpus:
        score(pdf.name, json.loads(truth.read_text(encoding="utf-8")), results[pdf], report)
    assert report.perfect, format_report(report)
    assert report.overall.truth > 25_000


def without_source(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {
        name: frame.drop(columns=[c for c in frame.columns if c in SOURCE_COLUMNS])
        for name, frame in tables.items()
    }


def test_pdf_and_text_renderings_give_identical_tables(
    corpus: list[tuple[Path, Path]], results: dict[Path, FileResult]
) -> None:
    by_profile: dict[Path, list[Path]] = defaultdict(list)
    for pdf, _ in corpus:
        by_profile[pdf.with_name(f"{pdf.name.split('__')[0]}.txt")].append(pdf)
    for text, pdfs in by_profile.items():
        text_tables = results[text].tables
        assert text_tables is not None, results[text].verdict.issues
        for pdf in pdfs:
            pdf_tables = results[pdf].tables
            assert pdf_tables is not None, results[pdf].verdict.issues
            for name, expected in without_source(text_tables).items():
                pd.testing.assert_frame_equal(
                    without_source(pdf_tables)[name], expected, obj=f"{pdf.name} {name}"
                )


def test_pdf_rows_carry_their_page(results: dict[Path, FileResult]) -> None:
    for path, result in results.items():
        assert result.tables is not None
        statements = result.tables["competence_statements"]
        if path.suffix == ".pdf":
            assert statements["source_page"].notna().all()
            assert statements["source_line"].isna().all()
            assert statements["source_page"].min() >= 2
        else:
            assert statements["source_line"].notna().all()
            assert statements["source_page"].isna().all()
