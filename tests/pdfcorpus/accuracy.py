"""Cell-level accuracy of extraction on the fixture corpus: `make accuracy`.

The corpus is every PDF our own renderers draw (reportlab, fpdf2, rendered here) and every
committed PDF of the independent producers (tests/pdfcorpus/pdfs/<producer>/: a browser,
an office suite, WeasyPrint, LaTeX), and every truth profile as seed-format text, as
Markdown (each variant of render_markdown) and as a Word document (producers/docx.py and
render_docx.py, one variant per profile in turn): the "producers" text, markdown and docx.
Each is extracted with the pipeline and compared with the truth it was rendered from. An
item is one cell of one row, keyed by the row's primary key: each field, each set member
(a department, an EQF level), each statement and ESCO skill in order. Source columns
(file, format, hash, line, page) are provenance, not content, and are left out.
Precision = matched / extracted items, recall = matched / truth items; the report gives
them per table, per producer and per layout variation, and profiles per second of each
format that is not PDF.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.contract.tables import TABLES, primary_key
from pipeline.diff import PROVENANCE
from pipeline.model import (
    Competence,
    EscoSkill,
    FileResult,
    Item,
    Occupation,
    Profile,
    Source,
    Statement,
)
from pipeline.process import process_files
from pipeline.stages.clean import slugify
from pipeline.stages.normalise import NormaliseRules, unique_ids
from pipeline.stages.tables import profile_to_tables

# Where a row came from and how it was read: not compared between formats.
SOURCE_COLUMNS = set(PROVENANCE)
CellItem = tuple[str, tuple[Any, ...], str, Any]  # table, row key, column, value


def truth_to_profile(truth: Mapping[str, Any]) -> Profile:
    """The profile a truth JSON describes, in the pipeline's own model."""
    title = truth["title"]
    profile_id = slugify(title)
    start, _, end = truth["period"].partition("-")
    names = [c["name"] for c in truth["competences"]]
    ids = unique_ids([f"{profile_id}--{slugify(name)}" for name in names])
    return Profile(
        profile_id=profile_id,
        title=title,
        description=truth["description"],
        alliance=truth["alliance"],
        period=truth["period"],
        period_start=int(start),
        period_end=int(end),
        eqf_levels=tuple(truth["eqf_levels"]),
        value_chain=truth["value_chain"],
        departments=tuple(Item(text, None, None) for text in truth["departments"]),
        specialisations=tuple(Item(text, None, None) for text in truth["specialisations"]),
        occupations=tuple(
            Occupation(o["esco_code"], o["esco_label"], o["esco_uri"], None, None)
            for o in truth["occupations"]
        ),
        competences=tuple(
            Competence(
                competence_id=competence_id,
                category=c["category"],
                category_note=c["category_note"],
                name=c["name"],
                type=c["type"],
                level=c["level"],
                statements=tuple(Statement(s, None, None) for s in c["statements"]),
                esco_skills=tuple(EscoSkill(s, None, None) for s in c["esco_skills"]),
                line=None,
                page=None,
            )
            for c, competence_id in zip(truth["competences"], ids, strict=True)
        ),
        source=Source("truth", "text", "0" * 64),
    )


def tables_to_items(tables: Mapping[str, pd.DataFrame]) -> Counter[CellItem]:
    items: Counter[CellItem] = Counter()
    for table, frame in tables.items():
        key = primary_key(table)
        content = [c for c in frame.columns if c not in SOURCE_COLUMNS and c not in key]
        for row in frame.astype(object).to_dict("records"):
            row_key = tuple(row[k] for k in key)
            if not content:
                items[(table, row_key, "", None)] += 1
            for column in content:
                value = row[column]
                items[(table, row_key, column, None if pd.isna(value) else value)] += 1
    return items


@dataclass
class Score:
    truth: int = 0
    extracted: int = 0
    matched: int = 0

    def add(self, truth: int, extracted: int, matched: int) -> None:
        self.truth += truth
        self.extracted += extracted
        self.matched += matched

    @property
    def precision(self) -> float:
        return self.matched / self.extracted if self.extracted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.truth if self.truth else 1.0


@dataclass(frozen=True)
class CorpusPdf:
    """One file of the corpus (a PDF, or a text, Markdown or Word rendering): who made it,
    from which truth, with which layout variations."""

    path: Path
    producer: str
    truth: Path
    variations: tuple[str, ...]


@dataclass
class Report:
    scores: dict[str, Score] = field(default_factory=lambda: {t: Score() for t in TABLES})
    differences: list[str] = field(default_factory=list)
    files: int = 0
    pages: int = 0
    seconds: float = 0.0
    # Overall score per producer and per layout variation, with their file counts.
    producers: dict[str, Score] = field(default_factory=dict)
    variations: dict[str, Score] = field(default_factory=dict)
    group_files: Counter[str] = field(default_factory=Counter)
    # Profiles per second of one in-process extraction, per format that is not PDF.
    speeds: dict[str, float] = field(default_factory=dict)
    # Rows extracted, and those flagged as read by OCR (extraction_method "ocr").
    rows: int = 0
    ocr_rows: int = 0

    @property
    def overall(self) -> Score:
        total = Score()
        for score in self.scores.values():
            total.add(score.truth, score.extracted, score.matched)
        return total

    @property
    def perfect(self) -> bool:
        return self.overall.matched == self.overall.truth == self.overall.extracted


def compare(
    name: str, truth: Counter[CellItem], extracted: Counter[CellItem], report: Report
) -> None:
    for table in TABLES:
        t = Counter({k: v for k, v in truth.items() if k[0] == table})
        e = Counter({k: v for k, v in extracted.items() if k[0] == table})
        matched = t & e
        report.scores[table].add(sum(t.values()), sum(e.values()), sum(matched.values()))
        for item in sorted((t - e).elements(), key=repr):
            report.differences.append(f"{name}: missing  {_show(item)}")
        for item in sorted((e - t).elements(), key=repr):
            report.differences.append(f"{name}: extra    {_show(item)}")


def _show(item: CellItem) -> str:
    table, key, column, value = item
    return f"{table}{list(key)}.{column or '(row)'} = {value!r}"


def score(
    name: str,
    truth: Mapping[str, Any],
    result: FileResult,
    report: Report,
    groups: Sequence[str] = (),
) -> Score:
    """Add one extracted file's comparison with its truth to the report (and to the
    producer and variation groups named 'producer:<name>' / '<variation>'); return its
    overall score."""
    report.files += 1
    if result.tables is None:
        for issue in result.verdict.errors:
            report.differences.append(f"{name}: rejected: {issue}")
    extracted = tables_to_items(result.tables) if result.tables else Counter()
    expected = tables_to_items(profile_to_tables(truth_to_profile(truth)))
    for frame in (result.tables or {}).values():
        if "extraction_method" in frame.columns:
            report.rows += len(frame)
            report.ocr_rows += int((frame["extraction_method"] == "ocr").sum())
    before = report.overall
    compare(name, expected, extracted, report)
    after = report.overall
    own = Score(
        after.truth - before.truth,
        after.extracted - before.extracted,
        after.matched - before.matched,
    )
    for group in groups:
        target = report.producers if group.startswith("producer:") else report.variations
        key = group.removeprefix("producer:")
        target.setdefault(key, Score()).add(own.truth, own.extracted, own.matched)
        report.group_files[group] += 1
    return own


def score_corpus(pdfs: Iterable[CorpusPdf], jobs: int = 1) -> Report:
    """Extract each PDF and compare it with its truth JSON; time the extraction."""
    pdfs = list(pdfs)
    report = Report()
    started = time.perf_counter()
    results = extract_all([pdf.path for pdf in pdfs], jobs)
    report.seconds = time.perf_counter() - started
    for pdf, result in zip(pdfs, results, strict=True):
        truth = json.loads(pdf.truth.read_text(encoding="utf-8"))
        report.pages += _page_count(pdf.path)
        groups = [f"producer:{pdf.producer}", *pdf.variations]
        score(f"{pdf.producer}/{pdf.path.name}", truth, result, report, groups)
    return report


# Files whose tables one contract check covers; small enough to keep both workers busy.
CHUNK = 8


def extract_all(paths: Sequence[Path], jobs: int = 1) -> list[FileResult]:
    """process_file on every path, in `jobs` processes, in chunks whose tables are checked
    together (process_files: the same results, one contract check per chunk)."""
    chunks = [list(paths[start : start + CHUNK]) for start in range(0, len(paths), CHUNK)]
    if jobs <= 1:
        rules = NormaliseRules.load()
        return [result for chunk in chunks for result in process_files(chunk, rules)]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(jobs) as pool:
        return [result for done in pool.map(process_files, chunks) for result in done]


def own_corpus(folder: Path) -> list[CorpusPdf]:
    """Render the truth profiles with our own renderers into folder (see build.py)."""
    from tests.pdfcorpus.build import LAYOUTS, build_corpus
    from tests.pdfcorpus.data import load_profile
    from tests.pdfcorpus.variants import corpus_variants

    variants = {variant.name: variant for variant in corpus_variants()}
    found = []
    for pdf, truth in build_corpus(folder):
        variant = variants[pdf.stem.split("__")[1]]
        layout = LAYOUTS[variant.producer](load_profile(truth), variant)
        found.append(CorpusPdf(pdf, variant.producer, truth, layout.variations))
    return found


def committed_corpus() -> list[CorpusPdf]:
    """The committed PDFs of the independent producers, as their manifests describe them."""
    from tests.pdfcorpus.fixtures import load_fixture_pdfs

    return [
        CorpusPdf(pdf.path, pdf.producer, pdf.truth_path, pdf.variations)
        for pdf in load_fixture_pdfs()
    ]


def format_corpus(
    folder: Path, markdown_per_profile: int | None = None, docx_per_profile: int = 1
) -> list[CorpusPdf]:
    """Every truth profile rendered into folder as seed-format text, as Markdown (every
    variant, or `markdown_per_profile` of them) and as Word documents (`docx_per_profile`
    variants each), the variants taken in turn."""
    from tests.pdfcorpus.data import corpus_files, load_profile
    from tests.pdfcorpus.render_docx import VARIANTS as DOCX_VARIANTS
    from tests.pdfcorpus.render_docx import write_variant
    from tests.pdfcorpus.render_markdown import VARIANTS as MARKDOWN_VARIANTS
    from tests.pdfcorpus.render_markdown import render_markdown
    from tests.pdfcorpus.render_text import render_text

    folder.mkdir(parents=True, exist_ok=True)
    found: list[CorpusPdf] = []
    for index, truth in enumerate(corpus_files()):
        profile = load_profile(truth)
        text = folder / f"{truth.stem}.txt"
        text.write_text(render_text(profile), encoding="utf-8")
        found.append(CorpusPdf(text, "text", truth, ()))
        count = markdown_per_profile or len(MARKDOWN_VARIANTS)
        for turn in range(count):
            options = MARKDOWN_VARIANTS[(index + turn) % len(MARKDOWN_VARIANTS)]
            path = folder / f"{truth.stem}__{options.name}.md"
            path.write_text(render_markdown(profile, options), encoding="utf-8")
            found.append(CorpusPdf(path, "markdown", truth, (f"md-{options.name}",)))
        for turn in range(docx_per_profile):
            variant = DOCX_VARIANTS[(index + turn * 5) % len(DOCX_VARIANTS)]
            path = write_variant(profile, variant, folder / f"{truth.stem}__{variant.name}.docx")
            found.append(CorpusPdf(path, "docx", truth, (f"docx-{variant.name}",)))
    return found


# OCR's budget (issue 11): the share of the truth's items a 300 dpi scan gives exactly.
SCAN_BUDGET = 0.97


def scan_corpus(folder: Path, pdfs: Sequence[CorpusPdf], every: bool = False) -> list[CorpusPdf]:
    """300 dpi scans (render_scan: pictures, no text layer) of committed corpus PDFs: one
    per truth profile, the producers taken in turn, or `every` one; the "scan" format,
    with the producer scanned as its variation."""
    from tests.pdfcorpus.render_scan import render_scan

    folder.mkdir(parents=True, exist_ok=True)
    chosen: dict[Path, CorpusPdf] = {}
    producers = sorted({pdf.producer for pdf in pdfs})
    for pdf in sorted(pdfs, key=lambda p: (p.truth.name, p.producer, p.path.name)):
        turn = producers[len(chosen) % len(producers)]
        if every or (pdf.truth not in chosen and pdf.producer == turn):
            chosen.setdefault(pdf.truth if not every else pdf.path, pdf)
    for pdf in sorted(pdfs, key=lambda p: (p.truth.name, p.path.name)):
        if not every and pdf.truth not in chosen:  # the producer in turn has no rendering
            chosen[pdf.truth] = pdf
    return [
        CorpusPdf(
            render_scan(pdf.path, folder / f"{pdf.producer}__{pdf.path.name}"),
            "scan",
            pdf.truth,
            (f"scan-{pdf.producer}",),
        )
        for pdf in chosen.values()
    ]


def format_scan_report(report: Report) -> str:
    """The OCR figures: precision and recall per table, items exact, rows flagged, speed."""
    overall = report.overall
    lines = ["", "scans (300 dpi, read by OCR)", *format_report(report, 20).splitlines()]
    lines.append(
        f"items exact: {overall.matched}/{overall.truth} = {overall.recall:.2%} "
        f"(budget {SCAN_BUDGET:.0%}); rows flagged extraction_method=ocr: "
        f"{report.ocr_rows}/{report.rows}"
    )
    if report.seconds:
        lines.append(f"OCR: {report.pages / report.seconds:.2f} pages/s (whole extraction)")
    return "\n".join(lines)


def time_formats(files: Sequence[CorpusPdf]) -> dict[str, float]:
    """Profiles per second of reading each non-PDF format into a Document (the part that
    differs by format: normalise and validate are shared), every file read once here."""
    from pipeline.extract import content_format, extract_document, source_format

    seconds: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for each in files:
        fmt = source_format(each.path)
        if fmt is None or fmt == "pdf":
            continue
        data = each.path.read_bytes()
        started = time.perf_counter()
        extract_document(data, Source(each.path.name, content_format(data, fmt), ""))
        seconds[each.producer] += time.perf_counter() - started
        counts[each.producer] += 1
    return {name: counts[name] / seconds[name] for name in counts if seconds[name]}


def _page_count(pdf: Path) -> int:
    if pdf.suffix != ".pdf":
        return 0
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        return len(document.pages)


def format_report(report: Report, limit: int = 60) -> str:
    lines = [f"{'table':<24}{'truth':>8}{'extracted':>11}{'precision':>11}{'recall':>9}"]
    for table, score in [*report.scores.items(), ("overall", report.overall)]:
        lines.append(_score_line(table, score))
    for title, groups, prefix in (
        ("producer", report.producers, "producer:"),
        ("layout variation", report.variations, ""),
    ):
        lines += ["", f"{'by ' + title:<24}{'files':>8}{'truth':>8}{'precision':>11}{'recall':>9}"]
        for name, score in sorted(groups.items()):
            files = report.group_files[prefix + name]
            lines.append(
                f"{name:<24}{files:>8}{score.truth:>8}{score.precision:>10.2%}{score.recall:>9.2%}"
            )
    if report.speeds:
        lines += ["", f"{'reading, by format':<24}{'profiles/s':>11}"]
        lines += [f"{name:<24}{speed:>11.1f}" for name, speed in sorted(report.speeds.items())]
    lines += ["", f"{report.files} files, {report.pages} PDF pages"]
    if report.seconds:
        rate = (
            f"{report.pages / report.seconds:.1f} PDF pages/s"
            if report.pages
            else f"{report.files / report.seconds:.1f} files/s"
        )
        lines.append(
            f"extraction: {report.seconds:.1f} s, {rate} (read, extract, normalise, validate)"
        )
    if report.differences:
        lines.append(f"{len(report.differences)} differing cells:")
        lines += [f"  {d}" for d in report.differences[:limit]]
        if len(report.differences) > limit:
            lines.append(f"  ... and {len(report.differences) - limit} more")
    return "\n".join(lines)


def _score_line(name: str, score: Score) -> str:
    return (
        f"{name:<24}{score.truth:>8}{score.extracted:>11}"
        f"{score.precision:>10.2%}{score.recall:>9.2%}"
    )


KNOWN_GAPS = Path(__file__).parent / "known_gaps.json"
# Why a cell differs, from what differs in it.
CAUSES = {
    "esco": "ESCO labels the PDF does not set apart (no spacing between labels, or a label "
    "cut by a page break): a label that fills its line reads as one wrapping; the verdict "
    "counts these breaks in a warning",
    "hyphen": "a line-end hyphen read the wrong way (a word the English word list does not "
    "know, or a compound also written whole)",
    "slash": "a line break after a word and '/' keeps a space (the seed writes 'Modelling/ "
    "Diagrams' as well as 'IT/Digitalisation')",
    "other": "other (see the differences in `make accuracy`)",
}


def gap_causes(truth: Mapping[str, Any], result: FileResult) -> tuple[int, list[str]]:
    """How many cells of one PDF differ from its truth, and why (keys of CAUSES)."""
    expected = tables_to_items(profile_to_tables(truth_to_profile(truth)))
    extracted = tables_to_items(result.tables) if result.tables else Counter()
    missing, extra = expected - extracted, extracted - expected
    causes: set[str] = set()
    for table, key, column, value in missing.elements():
        found = [v for (t, k, c, v) in extra if (t, k, c) == (table, key, column)]
        if table == "competence_esco_skills":
            causes.add("esco")
        elif found and isinstance(value, str) and isinstance(found[0], str):
            causes.add(_cause(value, found[0]))
        else:
            causes.add("other")
    if any(item[0] == "competence_esco_skills" for item in extra):
        causes.add("esco")
    return sum(missing.values()) + sum(extra.values()), sorted(causes)


def _cause(truth: str, extracted: str) -> str:
    if truth.replace("-", "") == extracted.replace("-", ""):
        return "hyphen"
    if truth.replace("/ ", "/") == extracted.replace("/ ", "/"):
        return "slash"
    return "other"


def write_known_gaps(pdfs: Sequence[CorpusPdf], results: Sequence[FileResult]) -> int:
    """Rewrite known_gaps.json from a run; return the number of differing cells."""
    files = {}
    for pdf, result in zip(pdfs, results, strict=True):
        count, causes = gap_causes(json.loads(pdf.truth.read_text(encoding="utf-8")), result)
        if count:
            files[f"{pdf.producer}/{pdf.path.name}"] = {
                "differences": count,
                "why": [CAUSES[cause] for cause in causes],
            }
    document = {
        "about": "PDFs of the fixture corpus that do not yet extract at 100%, with the number "
        "of differing cells each may not exceed (see tests/test_pdf_corpus.py). Written by "
        "`python -m tests.pdfcorpus.accuracy --write-known-gaps`; review the change.",
        "files": dict(sorted(files.items())),
    }
    KNOWN_GAPS.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return sum(entry["differences"] for entry in files.values())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--producer", action="append", help="only this producer (repeatable; e.g. chromium)"
    )
    parser.add_argument("--limit", type=int, default=60, help="differences to print")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes")
    parser.add_argument(
        "--scans",
        choices=("some", "all", "none"),
        default="some",
        help="OCR scans of the committed PDFs: one per truth profile (some), all, or none",
    )
    parser.add_argument(
        "--write-known-gaps",
        action="store_true",
        help=f"rewrite {KNOWN_GAPS.name} from this run (the whole corpus) and stop",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        wanted = set(args.producer or ())
        own = not wanted or args.write_known_gaps or bool(wanted & {"reportlab", "fpdf2"})
        pdfs = [*(own_corpus(Path(scratch)) if own else []), *committed_corpus()]
        if args.write_known_gaps:
            cells = write_known_gaps(pdfs, extract_all([pdf.path for pdf in pdfs], args.jobs))
            print(f"{KNOWN_GAPS}: {cells} differing cells")
            return 0
        formats = format_corpus(Path(scratch) / "formats")
        pdfs += formats
        if args.producer:
            pdfs = [pdf for pdf in pdfs if pdf.producer in args.producer]
        report = score_corpus(pdfs, args.jobs)
        chosen = [each for each in formats if each in pdfs]
        report.speeds = time_formats(chosen) if chosen else {}
        scanned = None
        if args.scans != "none" and (not wanted or "scan" in wanted):
            committed = [pdf for pdf in committed_corpus() if not wanted or pdf.producer in wanted]
            scans = scan_corpus(Path(scratch) / "scans", committed, args.scans == "all")
            scanned = score_corpus(scans, args.jobs)
    print(format_report(report, args.limit))
    if scanned is None:
        return 0 if report.perfect else 1
    print(format_scan_report(scanned))
    return 0 if report.perfect and scanned.overall.recall >= SCAN_BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
