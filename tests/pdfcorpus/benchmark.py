"""Extraction speed on the fixture corpus, in pages per second: `make benchmark`.

A benchmark run, not a test: it renders the corpus once, then times (best of --repeat)
the PDF reader alone and the whole per-file path (read, extract, normalise, validate).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pdfplumber

from pipeline.extract.pdf import PdfLayout, pdf_to_pages
from pipeline.process import process_file
from pipeline.stages.normalise import NormaliseRules
from tests.pdfcorpus.build import build_corpus


def best_seconds(work: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rules = NormaliseRules.load()
    with tempfile.TemporaryDirectory() as scratch:
        pdfs = [pdf for pdf, _ in build_corpus(Path(scratch))]
        data = [pdf.read_bytes() for pdf in pdfs]
        pages = 0
        for pdf in pdfs:
            with pdfplumber.open(pdf) as document:
                pages += len(document.pages)
        reading = best_seconds(
            lambda: [pdf_to_pages(blob, "bench", PdfLayout()) for blob in data], args.repeat
        )
        whole = best_seconds(lambda: [process_file(pdf, rules) for pdf in pdfs], args.repeat)
    print(f"{len(pdfs)} PDFs, {pages} pages, best of {args.repeat}, one process")
    print(f"pdfplumber words and lines only: {reading:6.2f} s  {pages / reading:6.1f} pages/s")
    print(f"read+extract+normalise+validate: {whole:6.2f} s  {pages / whole:6.1f} pages/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
