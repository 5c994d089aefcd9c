"""Cell-level accuracy of PDF extraction on the fixture corpus: `make accuracy`.

Every fixture PDF is extracted with the pipeline and compared with the truth it was
rendered from. An item is one cell of one row, keyed by the row's primary key: each field,
each set member (a department, an EQF level), each statement and ESCO skill in order.
Source columns (file, format, hash, line, page) are provenance, not content, and are left
out. Precision = matched / extracted items, recall = matched / truth items.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.model import Competence, EscoSkill, Item, Occupation, Profile, Source, Statement
from pipeline.process import FileResult, process_file
from pipeline.schemas.tables import TABLES, primary_key
from pipeline.stages.clean import slugify
from pipeline.stages.normalise import NormaliseRules, unique_ids
from pipeline.stages.tables import profile_to_tables

SOURCE_COLUMNS = {"source_file", "source_format", "source_sha256", "source_line", "source_page"}
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


@dataclass
class Report:
    scores: dict[str, Score] = field(default_factory=lambda: {t: Score() for t in TABLES})
    differences: list[str] = field(default_factory=list)
    files: int = 0
    pages: int = 0
    seconds: float = 0.0

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


def score(name: str, truth: Mapping[str, Any], result: FileResult, report: Report) -> None:
    """Add one extracted file's comparison with its truth to the report."""
    report.files += 1
    if result.tables is None:
        for issue in result.verdict.issues:
            report.differences.append(f"{name}: rejected: {issue}")
    extracted = tables_to_items(result.tables) if result.tables else Counter()
    expected = tables_to_items(profile_to_tables(truth_to_profile(truth)))
    compare(name, expected, extracted, report)


def score_corpus(pairs: Iterable[tuple[Path, Path]]) -> Report:
    """Extract each PDF and compare it with its truth JSON; time the extraction."""
    rules = NormaliseRules.load()
    report = Report()
    for pdf, truth_path in pairs:
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        started = time.perf_counter()
        result = process_file(pdf, rules)
        report.seconds += time.perf_counter() - started
        report.pages += _page_count(pdf)
        score(pdf.name, truth, result, report)
    return report


def _page_count(pdf: Path) -> int:
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        return len(document.pages)


def format_report(report: Report, limit: int = 60) -> str:
    lines = [f"{'table':<24}{'truth':>8}{'extracted':>11}{'precision':>11}{'recall':>9}"]
    for table, score in [*report.scores.items(), ("overall", report.overall)]:
        lines.append(
            f"{table:<24}{score.truth:>8}{score.extracted:>11}"
            f"{score.precision:>10.2%}{score.recall:>9.2%}"
        )
    lines.append(f"{report.files} PDFs, {report.pages} pages")
    if report.seconds:
        lines.append(
            f"extraction: {report.seconds:.1f} s, {report.pages / report.seconds:.1f} pages/s "
            "(read, extract, normalise, validate; one process)"
        )
    if report.differences:
        lines.append(f"{len(report.differences)} differing cells:")
        lines += [f"  {d}" for d in report.differences[:limit]]
        if len(report.differences) > limit:
            lines.append(f"  ... and {len(report.differences) - limit} more")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    from tests.pdfcorpus.build import build_corpus

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="reuse a built corpus folder")
    parser.add_argument("--limit", type=int, default=60, help="differences to print")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.corpus or Path(scratch)
        pairs = build_corpus(folder) if args.corpus is None else _pairs(folder)
        report = score_corpus(pairs)
    print(format_report(report, args.limit))
    return 0 if report.perfect else 1


def _pairs(folder: Path) -> list[tuple[Path, Path]]:
    return [
        (pdf, folder / f"{pdf.name.split('__')[0]}.truth.json")
        for pdf in sorted(folder.glob("*.pdf"))
    ]


if __name__ == "__main__":
    sys.exit(main())
