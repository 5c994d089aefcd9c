"""Same tables from every format: each truth profile of the fixture corpus rendered as
seed-format text, as Markdown (every variant of render_markdown), as a Word document (our
producer's templates and the author habits of render_docx, in turn), and as a committed PDF
of an independent producer, must give identical tables, provenance columns aside.

Independent converters widen this where they are installed: pandoc (Debian package
`pandoc`) turns the Word documents into GitHub-flavoured Markdown, LibreOffice (Debian
package `libreoffice-writer`) saves them again as its own DOCX. Without them those tests
are skipped, naming the package.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from pipeline.extract.markdown import inline_to_text
from pipeline.model import FileResult, SourceFormat
from tests.pdfcorpus.accuracy import (
    KNOWN_GAPS,
    SOURCE_COLUMNS,
    CorpusPdf,
    Report,
    committed_corpus,
    extract_all,
    format_corpus,
    score,
    tables_to_items,
    time_formats,
)
from tests.pdfcorpus.data import corpus_files
from tests.pdfcorpus.render_docx import VARIANTS as DOCX_VARIANTS
from tests.pdfcorpus.render_markdown import VARIANTS as MARKDOWN_VARIANTS

FORMAT_OF: dict[str, SourceFormat] = {
    ".txt": "text",
    ".md": "markdown",
    ".docx": "docx",
    ".pdf": "pdf",
}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[CorpusPdf]:
    return format_corpus(tmp_path_factory.mktemp("formats"), markdown_per_profile=2)


@pytest.fixture(scope="module")
def pdfs() -> list[CorpusPdf]:
    """A committed PDF of each independent producer, each of another truth profile, among
    those that extract at full accuracy. (A PDF takes seconds to read: every PDF of the
    corpus is held to the text export in test_pdf_corpus.)"""
    gaps = json.loads(KNOWN_GAPS.read_text(encoding="utf-8"))["files"]
    chosen: dict[str, CorpusPdf] = {}
    for pdf in sorted(committed_corpus(), key=lambda pdf: pdf.path):
        taken = {each.truth.stem for each in chosen.values()}
        if f"{pdf.producer}/{pdf.path.name}" not in gaps and pdf.truth.stem not in taken:
            chosen.setdefault(pdf.producer, pdf)
    return list(chosen.values())


@pytest.fixture(scope="module")
def results(files: list[CorpusPdf], pdfs: list[CorpusPdf]) -> dict[Path, FileResult]:
    paths = [each.path for each in [*pdfs, *files]]  # the slow ones first, spread
    return dict(zip(paths, extract_all(paths, jobs=2), strict=True))


def without_source(result: FileResult) -> dict[str, pd.DataFrame]:
    assert result.tables is not None, [str(issue) for issue in result.verdict.errors]
    return {
        name: frame.drop(columns=[c for c in frame.columns if c in SOURCE_COLUMNS])
        for name, frame in result.tables.items()
    }


def assert_same_tables(result: FileResult, expected: FileResult, name: str) -> None:
    tables = without_source(result)
    for table, frame in without_source(expected).items():
        pd.testing.assert_frame_equal(tables[table], frame, obj=f"{name} {table}")


def text_results(files: list[CorpusPdf], results: dict[Path, FileResult]) -> dict[str, FileResult]:
    return {each.truth.stem: results[each.path] for each in files if each.producer == "text"}


def test_the_formats_cover_every_profile_and_variant(
    files: list[CorpusPdf], pdfs: list[CorpusPdf]
) -> None:
    stems = {path.stem for path in corpus_files()}
    for producer in ("text", "markdown", "docx"):
        assert {each.truth.stem for each in files if each.producer == producer} == stems
    assert {each.producer for each in pdfs} >= {"chromium", "libreoffice", "weasyprint"}
    made = {variation for each in files for variation in each.variations}
    assert {f"docx-{variant.name}" for variant in DOCX_VARIANTS} <= made
    assert {f"md-{variant.name}" for variant in MARKDOWN_VARIANTS} <= made


def test_text_renderings_are_the_truth(
    files: list[CorpusPdf], results: dict[Path, FileResult]
) -> None:
    """The reference the other formats are held to is itself right."""
    for each in files:
        if each.producer == "text":
            report = Report()
            truth = json.loads(each.truth.read_text(encoding="utf-8"))
            score(each.path.name, truth, results[each.path], report)
            assert report.perfect, report.differences[:10]


def test_every_format_gives_the_tables_of_the_text_export(
    files: list[CorpusPdf], pdfs: list[CorpusPdf], results: dict[Path, FileResult]
) -> None:
    texts = text_results(files, results)
    compared: Counter[str] = Counter()
    for each in [*files, *pdfs]:
        result = results[each.path]
        fmt = FORMAT_OF[each.path.suffix]
        assert result.verdict.source_format == fmt, each.path.name
        assert result.tables is not None, [str(issue) for issue in result.verdict.errors]
        assert set(result.tables["profiles"]["source_format"]) == {fmt}
        assert_same_tables(result, texts[each.truth.stem], f"{each.producer}/{each.path.name}")
        compared[fmt] += 1
    assert set(compared) == {"text", "markdown", "docx", "pdf"}


def _items(result: FileResult) -> int:
    assert result.tables is not None
    return sum(tables_to_items(result.tables).values())


def test_items_per_format_and_profiles_per_second(
    files: list[CorpusPdf], pdfs: list[CorpusPdf], results: dict[Path, FileResult]
) -> None:
    """Not a timing test: prints the items each format gave and how fast each format reads
    (pytest -s shows it); every format gives the same items per profile."""
    texts = {
        each.truth.stem: _items(results[each.path]) for each in files if each.producer == "text"
    }
    items: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for each in [*files, *pdfs]:
        fmt = FORMAT_OF[each.path.suffix]
        found = _items(results[each.path])
        assert found == texts[each.truth.stem], each.path.name
        items[fmt] += found
        counts[fmt] += 1
    speeds = time_formats(files)
    print()
    for fmt in ("text", "markdown", "docx", "pdf"):
        speed = f"{speeds[fmt]:.1f} profiles/s read" if fmt in speeds else "(make benchmark)"
        print(f"{fmt:<9} {counts[fmt]:>3} files  {items[fmt]:>6} items  {speed}")
    assert set(speeds) == {"text", "markdown", "docx"}


# --- provenance --------------------------------------------------------------------------


def docx_paragraphs(path: Path) -> list[str]:
    """Every paragraph's text in document order (what source_line counts for a DOCX)."""
    with zipfile.ZipFile(path) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    return [
        "".join(node.text or "" for node in paragraph.iter(f"{W}t"))
        for paragraph in root.iter(f"{W}p")
        if not any(ancestor.tag == FALLBACK for ancestor in paragraph.iterancestors())
    ]


def _words(text: str, count: int = 4) -> str:
    return " ".join(text.split()[:count])


def test_docx_and_markdown_rows_carry_the_line_or_paragraph_they_start_in(
    files: list[CorpusPdf], results: dict[Path, FileResult]
) -> None:
    checked: Counter[str] = Counter()
    for each in files:
        if each.producer not in ("docx", "markdown"):
            continue
        tables = results[each.path].tables
        assert tables is not None
        if each.producer == "docx":
            lines = docx_paragraphs(each.path)
        else:
            raw = each.path.read_text(encoding="utf-8").split("\n")
            lines = [" ".join(inline_to_text(line).split()) for line in raw]
        for table, column in (
            ("competence_statements", "statement"),
            ("competence_esco_skills", "esco_skill"),
            ("competences", "name"),
            ("occupations", "esco_code"),
        ):
            frame = tables[table]
            assert frame["source_page"].isna().all(), each.path.name
            for value, line in zip(frame[column], frame["source_line"], strict=True):
                assert _words(value) in " ".join(lines[line - 1].split()), (
                    f"{each.path.name}: {table} {value!r} is not on line {line}: "
                    f"{lines[line - 1][:80]!r}"
                )
                checked[each.producer] += 1
    assert checked["docx"] > 1000 and checked["markdown"] > 1000


# --- the renderings show what they are made to show --------------------------------------


def _document_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return package.read("word/document.xml").decode("utf-8")


@pytest.mark.parametrize(
    ("habit", "sign"),
    [
        ("direct-numbering", "<w:numPr>"),
        ("literal-bullets", ">• "),
        ("merged-name", '<w:vMerge w:val="restart"/>'),
        ("repeated-header", "(S/K)</w:t>"),
        ("title-rows", '<w:gridSpan w:val="5"/>'),
        ("esco-line-breaks", "<w:br/>"),
    ],
)
def test_each_word_habit_is_in_its_documents(files: list[CorpusPdf], habit: str, sign: str) -> None:
    made = [each for each in files if each.producer == "docx" and habit in each.path.name]
    assert made
    for each in made:
        assert sign in _document_xml(each.path), each.path.name


@pytest.mark.parametrize(
    ("variant", "sign"),
    [
        ("gfm-br", "<br>- "),
        ("bold-htmllist-escaped", "<ul><li>"),
        ("bold-htmllist-escaped", "**Context**"),
        ("bold-htmllist-escaped", "2019\\-2023"),
        ("seed-quirks", '<ul style="list-style-type: none"> - '),
        ("seed-quirks", "|  |  |"),
        ("pandoc-html", "<li><p>"),
    ],
)
def test_each_markdown_variant_shows_its_quirk(
    files: list[CorpusPdf], variant: str, sign: str
) -> None:
    made = [each for each in files if each.path.name.endswith(f"__{variant}.md")]
    assert made
    assert all(sign in each.path.read_text(encoding="utf-8") for each in made), sign


# --- independent converters ----------------------------------------------------------------


def _needs(program: str, package: str) -> str:
    found = shutil.which(program)
    if found is None:
        pytest.skip(f"{program} is not installed (Debian package {package})")
    return found


def _docx(files: list[CorpusPdf]) -> list[CorpusPdf]:
    return [each for each in files if each.producer == "docx"]


def test_pandoc_markdown_of_every_word_document_gives_the_same_tables(
    files: list[CorpusPdf], results: dict[Path, FileResult], tmp_path: Path
) -> None:
    pandoc = _needs("pandoc", "pandoc")
    made = []
    for each in _docx(files):
        target = tmp_path / f"{each.path.stem}.md"
        subprocess.run(
            [pandoc, "--from", "docx", "--to", "gfm", str(each.path), "--output", str(target)],
            check=True,
            timeout=120,
        )
        made.append(CorpusPdf(target, "pandoc", each.truth, each.variations))
    # pandoc writes an HTML table where a cell holds several paragraphs, a pipe table
    # elsewhere: both kinds are read.
    assert any("<table>" in each.path.read_text(encoding="utf-8") for each in made)
    assert any("|---" in each.path.read_text(encoding="utf-8") for each in made)
    texts = text_results(files, results)
    for each, result in zip(made, extract_all([each.path for each in made]), strict=True):
        assert result.verdict.source_format == "markdown"
        assert_same_tables(result, texts[each.truth.stem], f"pandoc/{each.path.name}")


def test_word_documents_saved_by_libreoffice_give_the_same_tables(
    files: list[CorpusPdf], results: dict[Path, FileResult], tmp_path: Path
) -> None:
    soffice = shutil.which("soffice") or _needs("libreoffice", "libreoffice-writer")
    chosen = _docx(files)[:4]
    profile = tmp_path / "profile"  # a LibreOffice user profile of its own, not the user's
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(tmp_path / "saved"),
            *(str(each.path) for each in chosen),
        ],
        check=True,
        timeout=600,
        capture_output=True,
    )
    saved = [tmp_path / "saved" / each.path.name for each in chosen]
    assert all(path.exists() for path in saved)
    assert all(
        "LibreOffice" in zipfile.ZipFile(path).read("docProps/app.xml").decode() for path in saved
    )
    texts = text_results(files, results)
    for each, path, result in zip(chosen, saved, extract_all(saved), strict=True):
        assert result.verdict.source_format == "docx"
        assert_same_tables(result, texts[each.truth.stem], f"libreoffice/{path.name}")
