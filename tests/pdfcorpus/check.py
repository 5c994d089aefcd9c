"""Self-check of the fixture builder: python -m tests.pdfcorpus.check [--profiles DIR].

Renders every (profile, variant), then checks with pdfplumber that each page's words are the
words drawn, that rendering is deterministic, that the layout keeps its rules (text area,
cells, vertical alignment, header band, rules and shading, page sizes), that every variant
shows its variations in some profile, and reports row splits, hyphen wraps and variations.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import pdfplumber

from tests.pdfcorpus import render_fpdf, render_reportlab
from tests.pdfcorpus.build import LAYOUTS, render_pdf, unrenderable
from tests.pdfcorpus.data import load_corpus, profile_stem
from tests.pdfcorpus.layout import LineOp, PageLayout, RectOp, Style, TextOp
from tests.pdfcorpus.render_text import COMPETENCE_HEADER, OCCUPATION_HEADER
from tests.pdfcorpus.variants import Variant, corpus_variants
from tests.pdfcorpus.variations import check_variations

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
TABLE_TEXT = {"cell", "table-header"}
HEADER_LABELS = {*COMPETENCE_HEADER, *OCCUPATION_HEADER}
EPS = 0.01


def layout_problems(layout: PageLayout, style: Style, variant: Variant | None = None) -> list[str]:
    """Broken conventions: content outside the text area, running text inside it, a page
    ending in a heading, running text on the cover; with the variant also the table rules
    (table_problems) and the page sizes (landscape competence pages)."""
    problems = []
    for number, ops in enumerate(layout.pages, 1):
        texts = [op for op in ops if isinstance(op, TextOp)]
        if number == 1:
            if any(op.role != "cover" for op in texts):
                problems.append("page 1: non-cover text on the cover")
            continue
        top, bottom = style.margin_top, layout.page_size(number - 1)[1] - style.margin_bottom
        content = [op for op in texts if op.role not in RUNNING]
        if any(not top <= op.y <= bottom for op in content):
            problems.append(f"page {number}: content outside the text area")
        if any(top <= op.y <= bottom for op in texts if op.role in RUNNING):
            problems.append(f"page {number}: running header/footer inside the text area")
        if content and max(content, key=lambda op: op.y).role == "heading":
            problems.append(f"page {number}: ends with a heading")
    if variant is not None:
        problems += table_problems(layout, style, variant)
        problems += size_problems(layout, variant)
    return problems


def size_problems(layout: PageLayout, variant: Variant) -> list[str]:
    """Portrait pages of the variant's size; with landscape, the competence tables' pages
    (from the first competence heading on) turned, and only those."""
    portrait = variant.page_width_height
    turned = (portrait[1], portrait[0])
    first = next(
        (
            index
            for index, ops in enumerate(layout.pages)
            for op in ops
            if isinstance(op, TextOp)
            and op.role == "table-header"
            and op.text == COMPETENCE_HEADER[0]
        ),
        len(layout.pages),
    )
    problems = []
    for index in range(len(layout.pages)):
        expected = turned if variant.landscape and index >= first else portrait
        if layout.page_size(index) != expected:
            problems.append(f"page {index + 1}: size {layout.page_size(index)}, not {expected}")
    return problems


def _line_box(op: TextOp, style: Style) -> tuple[float, float]:
    """Top and bottom of the table line box whose baseline is op.y (layout.baseline)."""
    leading = op.size * style.table_leading
    top = op.y - (leading - op.size) / 2 - 0.78 * op.size
    return top, top + leading


def _joined(lines: Sequence[str]) -> str:
    """Header lines read back as one label: glued after '/', else with a space."""
    text = ""
    for line in lines:
        text += line if not text or text.endswith("/") else " " + line
    return text


def table_problems(layout: PageLayout, style: Style, variant: Variant) -> list[str]:
    """Table rules, per page: every table text inside its cell's padded box; each cell's
    lines placed as variant.valign says in the height of its row part; header cells reading
    back as the header labels, wrapped over as many lines as the layout says (header-wrap-N,
    else one); lines as variant.table_rules says (grid: vertical lines too; horizontal: no
    vertical line; none, bands: no line in the text area); grey fills only for bands and
    shaded headers, each covering a whole row."""
    problems: list[str] = []
    wrapped = [int(name[-1]) for name in layout.variations if name.startswith("header-wrap-")]
    header_lines = wrapped[0] if wrapped else 1
    most_header_lines = 0
    for number, ops in enumerate(layout.pages[1:], 2):
        top, bottom = style.margin_top, layout.page_size(number - 1)[1] - style.margin_bottom
        cells: dict[tuple[str, tuple[float, ...]], list[TextOp]] = defaultdict(list)
        for op in ops:
            if isinstance(op, TextOp) and op.role in TABLE_TEXT:
                if op.box is None:
                    problems.append(f"page {number}: table text {op.text!r} without a cell")
                    continue
                cells[(op.role, op.box)].append(op)
        rows: set[tuple[float, float]] = set()
        for (role, box), texts in cells.items():
            left, box_top, right, box_bottom = box
            inner_top, inner_bottom = box_top + style.pad_y, box_bottom - style.pad_y
            rows.add((box_top, box_bottom))
            lines = sorted({round(op.y, 6) for op in texts})
            first = _line_box(min(texts, key=lambda op: op.y), style)
            last = _line_box(max(texts, key=lambda op: op.y), style)
            where = f"page {number}: {role} {texts[0].text!r}"
            if any(op.x < left + style.pad_x - EPS or op.x >= right for op in texts):
                problems.append(f"{where}: outside its cell")
            if first[0] < inner_top - EPS or last[1] > inner_bottom + EPS:
                problems.append(f"{where}: outside the padded cell height")
            above, below = first[0] - inner_top, inner_bottom - last[1]
            aligned = {
                "top": abs(above) <= EPS,
                "bottom": abs(below) <= EPS,
                "middle": abs(above - below) <= EPS,
            }[variant.valign]
            if not aligned:
                problems.append(f"{where}: not {variant.valign}-aligned ({above:.2f}/{below:.2f})")
            if role == "table-header":
                label = _joined([op.text for op in sorted(texts, key=lambda op: op.y)])
                if label not in HEADER_LABELS:
                    problems.append(f"{where}: header reads {label!r}")
                if label in COMPETENCE_HEADER:
                    most_header_lines = max(most_header_lines, len(lines))
        lines_in_area = [
            op
            for op in ops
            if isinstance(op, LineOp)
            and top - EPS <= min(op.y1, op.y2)
            and max(op.y1, op.y2) <= bottom + EPS
        ]
        vertical = [op for op in lines_in_area if op.x1 == op.x2]
        rules = variant.table_rules
        if rules in ("none", "bands") and lines_in_area:
            problems.append(f"page {number}: a line in a {rules} table")
        if rules == "horizontal" and vertical:
            problems.append(f"page {number}: a vertical line with horizontal rules only")
        if rules == "grid" and cells and not vertical:
            problems.append(f"page {number}: a grid table without vertical lines")
        for op in ops:
            if not isinstance(op, RectOp):
                continue
            grey = style.band_grey if rules == "bands" else None
            header_grey = style.header_grey if variant.header_shaded else None
            if op.grey not in (grey, header_grey):
                problems.append(f"page {number}: an unexpected fill (grey {op.grey})")
            whole = any(
                abs(op.y - row_top) <= EPS and abs(op.y + op.height - row_bottom) <= EPS
                for row_top, row_bottom in rows
            )
            if not whole or abs(op.x - style.margin_left) > EPS:
                problems.append(f"page {number}: a fill that is not a whole row")
    if most_header_lines and most_header_lines != header_lines:
        problems.append(f"competence header on {most_header_lines} lines, not {header_lines}")
    return problems


def overlaps(pdf: bytes, layout: PageLayout, style: Style) -> list[str]:
    """Characters that overlap the next one on their line, or cross the side margins."""
    problems = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, 1):
            width = layout.page_size(number - 1)[0]
            left, right = style.margin_left - 0.5, width - style.margin_right + 0.5
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
    """What the corpus exercises, per producer (and the variations per variant)."""

    pdfs: Counter[str] = field(default_factory=Counter)
    pages: Counter[str] = field(default_factory=Counter)
    splits: Counter[tuple[str, str]] = field(default_factory=Counter)
    hyphens: Counter[str] = field(default_factory=Counter)
    examples: dict[tuple[str, str], str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    variations: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))


def check_one(
    name: str, layout: PageLayout, variant: Variant, pdf: bytes, again: bytes, stats: Stats
) -> None:
    """Check one rendered PDF and add it to the statistics."""
    producer = variant.producer
    stats.pdfs[producer] += 1
    stats.pages[producer] += len(layout.pages)
    if pdf != again:
        stats.problems.append(f"{name}: two renders differ")
    style = STYLES[producer].scaled(variant.font_scale)
    try:
        check_variations(layout.variations)
    except ValueError as error:
        stats.problems.append(f"{name}: {error}")
    for problem in [*garbled(layout, pdf), *layout_problems(layout, style, variant)]:
        stats.problems.append(f"{name}: {problem}")
    stats.problems += [f"{name}: {problem}" for problem in overlaps(pdf, layout, style)]
    for split in layout.splits:
        kinds = [split.kind] + (["over-3-pages"] if split.part == 2 else [])
        for kind in kinds:
            stats.splits[(producer, kind)] += 1
            stats.examples.setdefault((producer, kind), f"{name} p{split.page} {split.row!r}")
    stats.hyphens[producer] += len(hyphen_wraps(layout))
    stats.variations[variant.name].update(layout.variations)


def missing_variations(stats: Stats, variants: Sequence[Variant]) -> list[str]:
    """Variations a variant is made to show (Variant.variations) that no PDF of it shows."""
    problems = []
    for variant in variants:
        seen = stats.variations.get(variant.name, Counter())
        missing = sorted(set(variant.variations) - set(seen))
        if seen and missing:
            problems.append(f"{variant.name}: no PDF shows {missing}")
    return problems


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
    stats.problems += missing_variations(stats, variants)
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
    for name, seen in stats.variations.items():
        print(f"{name}: {max(seen.values())} PDFs")
        print("  " + ", ".join(f"{variation} {count}" for variation, count in sorted(seen.items())))
    for problem in stats.problems:
        print(f"PROBLEM {problem}")
    return 1 if stats.problems else 0


if __name__ == "__main__":
    sys.exit(main())
