"""The PDF fixture corpus: our own renderers' PDFs (rendered here) and the committed PDFs of
independent producers (a browser, an office suite, WeasyPrint, LaTeX), each checked against
the truth it was rendered from, and against the same profile as seed-format text.

Every PDF must extract at full cell accuracy, or be listed in known_gaps.json with the
number of differing cells it may not exceed (a ratchet: a listed file that improves must
have its entry lowered or removed). Where ESCO labels are misread, the verdict must carry
the warning that counts the line breaks the PDF does not tell, and no more labels may be
lost than it counts: the extractor may be unsure, never silently wrong.
"""

import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from pipeline.model import FileResult
from tests.pdfcorpus.accuracy import (
    KNOWN_GAPS,
    SOURCE_COLUMNS,
    CorpusPdf,
    Report,
    committed_corpus,
    extract_all,
    format_report,
    own_corpus,
    score,
)
from tests.pdfcorpus.data import CORPUS_PROFILES
from tests.pdfcorpus.fixtures import PDFS, load_fixture_pdfs
from tests.pdfcorpus.variants import corpus_variants

INDEPENDENT = {"chromium", "libreoffice", "weasyprint"}
# The layout variations the issue names, and the producers that cannot make some of them.
NAMED = {
    "header-wrap-2",
    "header-wrap-3",
    "header-centred",
    "header-bold",
    "header-shaded",
    "name-wrap",
    "name-across-pages",
    "valign-middle",
    "valign-bottom",
    "rules-horizontal",
    "shaded-rows",
    "landscape",
    "row-over-3-pages",
    "esco-paragraphs",
    "justified-description",
    "small-type",
    "large-type",
}
# Variations a producer does not make: LaTeX's longtable cannot break a row across pages;
# our own renderers do not justify paragraphs (yet).
NOT_MADE = {
    "latex": {"name-across-pages", "row-over-3-pages"},
    "reportlab": {"justified-description"},
    "fpdf2": {"justified-description"},
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[CorpusPdf]:
    return [*own_corpus(tmp_path_factory.mktemp("corpus")), *committed_corpus()]


@pytest.fixture(scope="module")
def texts(corpus: list[CorpusPdf]) -> dict[str, Path]:
    """The seed-format text export of each truth profile, written beside our own PDFs."""
    folder = next(pdf.path.parent for pdf in corpus if pdf.producer in {"reportlab", "fpdf2"})
    return {path.stem: path for path in folder.glob("*.txt")}


@pytest.fixture(scope="module")
def results(corpus: list[CorpusPdf], texts: dict[str, Path]) -> dict[Path, FileResult]:
    paths = [*(pdf.path for pdf in corpus), *texts.values()]
    return dict(zip(paths, extract_all(paths, jobs=2), strict=True))


def known_gaps() -> dict[str, int]:
    entries = json.loads(KNOWN_GAPS.read_text(encoding="utf-8"))["files"]
    return {name: entry["differences"] for name, entry in entries.items()}


def key(pdf: CorpusPdf) -> str:
    return f"{pdf.producer}/{pdf.path.name}"


def stem(pdf: CorpusPdf) -> str:
    """The truth profile's stem: '<stem>__<variant>.pdf'."""
    return pdf.path.name.split("__")[0]


def test_corpus_covers_every_profile_and_producer(corpus: list[CorpusPdf]) -> None:
    stems = {path.stem for path in CORPUS_PROFILES.glob("*.json")}
    assert len(stems) >= 11
    own = [pdf for pdf in corpus if pdf.producer in {"reportlab", "fpdf2"}]
    assert len(own) == len(stems) * len(corpus_variants())
    committed = [pdf for pdf in corpus if pdf not in own]
    by_producer: dict[str, set[str]] = {}
    for pdf in committed:
        by_producer.setdefault(pdf.producer, set()).add(stem(pdf))
    assert set(by_producer) >= INDEPENDENT
    for producer, rendered in by_producer.items():
        assert rendered == stems, f"{producer} did not render {sorted(stems - rendered)}"


def test_committed_pdfs_are_the_ones_their_manifest_records() -> None:
    import hashlib

    for manifest in sorted(PDFS.glob("*/manifest.json")):
        data = json.loads(manifest.read_text(encoding="utf-8"))
        assert data["versions"], f"{manifest}: no producer version recorded"
        for entry in data["files"]:
            pdf = manifest.parent / entry["file"]
            assert hashlib.sha256(pdf.read_bytes()).hexdigest() == entry["sha256"], pdf
    assert {pdf.path.parent.name for pdf in load_fixture_pdfs()} >= INDEPENDENT


@pytest.mark.parametrize("producer", sorted(INDEPENDENT | {"latex", "reportlab", "fpdf2"}))
def test_every_named_layout_variation_is_in_the_corpus(
    corpus: list[CorpusPdf], producer: str
) -> None:
    made = {name for pdf in corpus if pdf.producer == producer for name in pdf.variations}
    assert NAMED - NOT_MADE.get(producer, set()) <= made, sorted(NAMED - made)


def test_every_pdf_extracts_at_full_accuracy_or_within_its_known_gap(
    corpus: list[CorpusPdf], results: dict[Path, FileResult]
) -> None:
    gaps = known_gaps()
    failures = []
    overall = Report()
    for pdf in corpus:
        report = Report()
        truth = json.loads(pdf.truth.read_text(encoding="utf-8"))
        score(key(pdf), truth, results[pdf.path], report)
        score(key(pdf), truth, results[pdf.path], overall)
        differences = len(report.differences)
        allowed = gaps.get(key(pdf), 0)
        if differences > allowed:
            failures.append(f"{key(pdf)}: {differences} differing cells (allowed {allowed})")
            failures += [f"    {d}" for d in report.differences[:8]]
        elif differences < allowed:
            failures.append(
                f"{key(pdf)}: {differences} differing cells, fewer than the {allowed} in "
                "known_gaps.json: run `python -m tests.pdfcorpus.accuracy --write-known-gaps`"
            )
    assert not failures, "\n".join(failures) + "\n\n" + format_report(overall, limit=0)
    assert overall.overall.truth > 80_000


def test_known_gaps_in_esco_labels_are_breaks_the_verdict_doubted(
    corpus: list[CorpusPdf], results: dict[Path, FileResult]
) -> None:
    """Where the ESCO labels are misread, it is only at line breaks the PDF does not tell
    (no spacing between labels): each is read as a wrap, which loses at most one label,
    and the verdict counts them."""
    gaps = known_gaps()
    for pdf in corpus:
        if key(pdf) not in gaps:
            continue
        report = Report()
        truth = json.loads(pdf.truth.read_text(encoding="utf-8"))
        score(key(pdf), truth, results[pdf.path], report)
        esco = report.scores.get("competence_esco_skills")
        if esco is None or esco.matched == max(esco.truth, esco.extracted):
            continue
        doubts = [
            int(found[1])
            for issue in results[pdf.path].verdict.warnings
            if (found := re.match(r"(\d+) line break\(s\) in the ESCO", issue.message))
        ]
        assert doubts, f"{key(pdf)}: ESCO labels misread without a warning"
        tables = results[pdf.path].tables
        assert tables is not None
        lost = sum(len(c["esco_skills"]) for c in truth["competences"]) - len(
            tables["competence_esco_skills"]
        )
        assert 0 <= lost <= doubts[0], f"{key(pdf)}: {lost} labels lost, {doubts[0]} doubted"


def without_source(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {
        name: frame.drop(columns=[c for c in frame.columns if c in SOURCE_COLUMNS])
        for name, frame in tables.items()
    }


def test_pdf_and_text_renderings_give_identical_tables(
    corpus: list[CorpusPdf], texts: dict[str, Path], results: dict[Path, FileResult]
) -> None:
    gaps = known_gaps()
    compared: Counter[str] = Counter()
    for pdf in corpus:
        if key(pdf) in gaps:
            continue
        text_tables = results[texts[stem(pdf)]].tables
        pdf_tables = results[pdf.path].tables
        assert text_tables is not None, results[texts[stem(pdf)]].verdict.issues
        assert pdf_tables is not None, results[pdf.path].verdict.issues
        for name, expected in without_source(text_tables).items():
            pd.testing.assert_frame_equal(
                without_source(pdf_tables)[name], expected, obj=f"{key(pdf)} {name}"
            )
        compared[pdf.producer] += 1
    assert set(compared) >= INDEPENDENT | {"reportlab", "fpdf2"}


def test_pdf_rows_carry_their_page(
    corpus: list[CorpusPdf], texts: dict[str, Path], results: dict[Path, FileResult]
) -> None:
    for pdf in corpus:
        tables = results[pdf.path].tables
        if tables is None:
            continue
        statements = tables["competence_statements"]
        assert statements["source_page"].notna().all(), key(pdf)
        assert statements["source_line"].isna().all(), key(pdf)
        assert statements["source_page"].min() >= 2, key(pdf)
    for text in texts.values():
        tables = results[text].tables
        assert tables is not None
        assert tables["competence_statements"]["source_line"].notna().all()
        assert tables["competence_statements"]["source_page"].isna().all()
