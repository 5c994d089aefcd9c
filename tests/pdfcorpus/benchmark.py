"""Extraction speed on the fixture corpus per producer, in pages per second:
`python -m tests.pdfcorpus.benchmark` (the budgets are `make benchmark`'s, benchmarks/scale.py).

A benchmark run, not a test: it renders our own corpus once, loads the committed PDFs of
the independent producers, then times (best of --repeat, one process) per producer the
PDF reader alone (words, rulings, fills) and the whole per-file path (read, extract,
normalise, validate).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import pdfplumber

from pipeline.extract.pdf_model import PdfLayout
from pipeline.extract.pdf_plumber import read_pages
from pipeline.process import process_file
from pipeline.stages.normalise import NormaliseRules
from tests.pdfcorpus.accuracy import CorpusPdf, committed_corpus, own_corpus


def best_seconds(work: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


def pages_of(pdfs: Sequence[CorpusPdf]) -> int:
    total = 0
    for pdf in pdfs:
        with pdfplumber.open(pdf.path) as document:
            total += len(document.pages)
    return total


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--producer", action="append", help="only this producer (repeatable)")
    args = parser.parse_args(argv)
    rules = NormaliseRules.load()
    layout = PdfLayout()
    with tempfile.TemporaryDirectory() as scratch:
        by_producer: dict[str, list[CorpusPdf]] = defaultdict(list)
        for pdf in [*own_corpus(Path(scratch)), *committed_corpus()]:
            if not args.producer or pdf.producer in args.producer:
                by_producer[pdf.producer].append(pdf)
        print(f"best of {args.repeat}, one process; pages per second")
        print(f"{'producer':<12}{'PDFs':>6}{'pages':>7}{'reader':>9}{'whole':>9}")
        totals = [0, 0.0, 0.0]
        for producer, pdfs in sorted(by_producer.items()):
            data = [pdf.path.read_bytes() for pdf in pdfs]
            pages = pages_of(pdfs)
            reading = best_seconds(
                lambda data=data: [read_pages(blob, "bench", layout) for blob in data],
                args.repeat,
            )
            whole = best_seconds(
                lambda pdfs=pdfs: [process_file(pdf.path, rules, layout) for pdf in pdfs],
                args.repeat,
            )
            totals = [totals[0] + pages, totals[1] + reading, totals[2] + whole]
            print(
                f"{producer:<12}{len(pdfs):>6}{pages:>7}"
                f"{pages / reading:>9.1f}{pages / whole:>9.1f}"
            )
        pages, reading, whole = totals
        print(f"{'all':<12}{'':>6}{int(pages):>7}{pages / reading:>9.1f}{pages / whole:>9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
