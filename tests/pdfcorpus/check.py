"""Self-check of the fixture builder: python -m tests.pdfcorpus.check [--profiles DIR].

Renders every (profile, variant), then checks with pdfplumber that each page's words are the
words drawn, that rendering is deterministic, and reports row splits and hyphen wraps.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import pdfplumber

from tests.pdfcorpus import render_fpdf, render_reportlab
from tests.pdfcorpus.build import LAYOUTS, render_pdf, unrenderable
from tests.pdfcorpus.data import load_corpus, profile_stem
from tests.pdfcorpus.layout import PageLayout, Style, TextOp
from tests.pdfcorpus.variants import Variant, corpus_variants

STYLES = {"reportlab": render_reportlab.STYLE, "fpdf2": render_fpdf.STYLE}


def drawn_words(layout: PageLayout) -> list[list[str]]:
    """Words of every page as drawn, sorted."""
    return [
        sorted(word for op in ops if isinstance(op, TextOp) for word in op.text.split())
        for ops in layout.pages
    ]


def extracted_words(pdf: bytes) -> list[list[str]]:
    """Words of every page as pdfplumber reads them, sorted."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [sorted(w["text"] for w in page.extract_words()) for page in document.pages]


RUNNING = {"running-header", "footer"}


def layout_problems(layout: PageLayout, style: Style) -> list[str]:
    """Broken conventions: content outside the text area, running text inside it, a page
    ending in a heading, running text on the cover."""
    top, bottom = style.margin_top, layout.height - style.margin_bottom
    problems = []
    for number, ops in enumerate(layout.pages, 1):
        texts = [op for op in ops if isinstance(op, TextOp)]
        if number == 1:
            if any(op.role != "cover" for op in texts):
                problems.append("page 1: non-cover text on the cover")
            continue
        content = [op for op in texts if op.role not in RUNNING]
        if any(not top <= op.y <= bottom for op in content):
            problems.append(f"page {number}: content outside the text area")
        if any(top <= op.y <= bottom for op in texts if op.role in RUNNING):
            problems.append(f"page {number}: running header/footer inside the text area")
        if content and max(content, key=lambda op: op.y).role == "heading":
            problems.append(f"page {number}: ends with a heading")
    return problems


def overlaps(pdf: bytes, layout: PageLayout, style: Style) -> list[str]:
    """Characters that overlap the next one on their line, or cross the side margins."""
    problems = []
    left, right = style.margin_left - 0.5, layout.width - style.margin_right + 0.5
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, 1):
            chars = sorted(page.chars, key=lambda c: (round(c["top"], 1), c["x0"]))
            for a, b in pairwise(chars):
                if round(a["top"], 1) == round(b["top"], 1) and b["x0"] < a["x1"] - 0.3:
                    problems.append(f"page {number}: {a['text']!r}{b['text']!r} overlap")
            if any(c["x0"] < left or c["x1"] > right for c in chars):
                problems.append(f"page {number}: text crosses a side margin")
    return problems


def hyphen_wraps(layout: PageLayout) -> list[str]:
    """Drawn lines that end in a hyphen after a letter (a wrap after an existing hyphen)."""
    return [
        op.text
        for ops in layout.pages
        for op in ops
        if isinstance(op, TextOp)
        and len(op.text) > 2
        and op.text[-1] == "-"
        and op.text[-2].isalpha()
    ]


def garbled(layout: PageLayout, pdf: bytes) -> list[str]:
    """Pages whose extracted words differ from the drawn words."""
    problems = []
    pages = extracted_words(pdf)
    if len(pages) != len(layout.pages):
        return [f"{len(pages)} pages extracted, {len(layout.pages)} drawn"]
    for number, (drawn, read) in enumerate(zip(drawn_words(layout), pages, strict=True), 1):
        if drawn != read:
            missing = Counter(drawn) - Counter(read)
            extra = Counter(read) - Counter(drawn)
            problems.append(f"page {number}: missing {dict(missing)} extra {dict(extra)}")
    return problems


@dataclass
class Stats:
    """What the corpus exercises, per producer."""

    pdfs: Counter[str] = field(default_factory=Counter)
    pages: Counter[str] = field(default_factory=Counter)
    splits: Counter[tuple[str, str]] = field(default_factory=Counter)
    hyphens: Counter[str] = field(default_factory=Counter)
    examples: dict[tuple[str, str], str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def check_one(
    name: str, layout: PageLayout, variant: Variant, pdf: bytes, again: bytes, stats: Stats
) -> None:
    """Check one rendered PDF and add it to the statistics."""
    producer = variant.producer
    stats.pdfs[producer] += 1
    stats.pages[producer] += len(layout.pages)
    if pdf != again:
        stats.problems.append(f"{name}: two renders differ")
    style = STYLES[producer]
    for problem in [*garbled(layout, pdf), *layout_problems(layout, style)]:
        stats.problems.append(f"{name}: {problem}")
    stats.problems += [f"{name}: {problem}" for problem in overlaps(pdf, layout, style)]
    for split in layout.splits:
        stats.splits[(producer, split.kind)] += 1
        stats.examples.setdefault((producer, split.kind), f"{name} p{split.page} {split.row!r}")
    stats.hyphens[producer] += len(hyphen_wraps(layout))


def check_corpus(profiles_dir: Path | None, variants: Sequence[Variant]) -> Stats:
    """Render and check every renderable (profile, variant)."""
    stats = Stats()
    corpus = load_corpus(profiles_dir)
    skipped = unrenderable(corpus, variants)
    stats.problems += [f"unrenderable {path.name}: {why}" for path, why in skipped.items()]
    for path, profile in corpus:
        if path in skipped:
            continue
        for variant in variants:
            layout = LAYOUTS[variant.producer](profile, variant)
            pdf = render_pdf(profile, variant)
            name = f"{profile_stem(path)}__{variant.name}"
            check_one(name, layout, variant, pdf, render_pdf(profile, variant), stats)
    return stats


def main(argv: Sequence[str] | None = None) -> int:
    """Print the statistics and problems; exit 1 if there is any problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=Path, help="truth JSON folder (default: profiles/)")
    args = parser.parse_args(argv)
    stats = check_corpus(args.profiles, corpus_variants())
    for producer in sorted(stats.pdfs):
        print(
            f"{producer}: {stats.pdfs[producer]} PDFs, {stats.pages[producer]} pages, "
            f"{stats.hyphens[producer]} hyphen wraps"
        )
        for (who, kind), count in sorted(stats.splits.items()):
            if who == producer:
                print(f"  split {kind}: {count} (e.g. {stats.examples[(who, kind)]})")
    for problem in stats.problems:
        print(f"PROBLEM {problem}")
    return 1 if stats.problems else 0


if __name__ == "__main__":
    sys.exit(main())
