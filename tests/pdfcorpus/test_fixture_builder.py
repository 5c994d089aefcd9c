"""The fixture builder itself: truth round trip, seed text, wrapping, variants, PDFs."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pdfplumber
import pytest

from tests.conftest import AUTHORED, GOLDEN, SEED
from tests.pdfcorpus.build import LAYOUTS, build_corpus, render_pdf
from tests.pdfcorpus.check import garbled, layout_problems, overlaps
from tests.pdfcorpus.data import (
    CORPUS_PROFILES,
    ProfileData,
    load_corpus,
    load_profile,
    profile_from_golden,
    profile_to_json,
)
from tests.pdfcorpus.layout import (
    ESCO_COLUMN,
    LEVEL_COLUMN,
    NAME_COLUMN,
    TYPE_COLUMN,
    LayoutError,
    LineOp,
    PageLayout,
    RectOp,
    Style,
    TextOp,
    drawable_profile,
    list_cell,
    narrowest_width,
    wrap,
)
from tests.pdfcorpus.render_fpdf import STYLE as FPDF_STYLE
from tests.pdfcorpus.render_fpdf import font_family
from tests.pdfcorpus.render_reportlab import DEJAVU_FILES, WINANSI, font_names
from tests.pdfcorpus.render_reportlab import STYLE as REPORTLAB_STYLE
from tests.pdfcorpus.render_text import render_text, seed_options
from tests.pdfcorpus.variants import (
    MARKER_NAMES,
    TABLE_SIZES,
    Variant,
    corpus_variants,
    realistic_variants,
)
from tests.pdfcorpus.variations import check_variations

TRUTHS = sorted(AUTHORED.glob("*.expected.json"))
STYLES = {"reportlab": REPORTLAB_STYLE, "fpdf2": FPDF_STYLE}
ORIGINAL_VARIANTS = [
    "rl-ruled-rep-hdr-a4-dash-ul-helvetica-s100",
    "rl-open-norep-pgno-letter-bullet-noul-helvetica-s100",
    "rl-ruled-norep-hdr-letter-endash-ul-times-s100",
    "rl-open-rep-bare-a4-mixed-ul-helvetica-s90",
    "rl-open-rep-hdr-a4-bullet-noul-times-s110",
    "rl-ruled-norep-pgno-a4-mixed-noul-helvetica-s100",
    "rl-ruled-rep-hdr-letter-dash-ul-vera-s95",
    "fp-ruled-rep-hdr-a4-bullet-ul-vera-s100",
    "fp-open-norep-bare-a4-dash-noul-vera-s100",
    "fp-open-rep-hdr-letter-endash-ul-vera-s110",
    "fp-ruled-norep-pgno-letter-mixed-ul-vera-s90",
    "fp-open-norep-hdr-a4-mixed-noul-vera-s100",
    "fp-ruled-rep-bare-letter-dash-noul-vera-s105",
    "fp-open-rep-pgno-a4-endash-ul-vera-s95",
]
# What each producer's two realistic variants show between them.
REALISTIC = {
    "header-wrap-2",
    "header-wrap-3",
    "header-centred",
    "header-shaded",
    "valign-middle",
    "valign-bottom",
    "rules-horizontal",
    "shaded-rows",
    "landscape",
    "name-across-pages",
    "esco-paragraphs",
    "large-type",
}
LONG_LABEL = "develop and apply quality assurance procedures for electrochemical energy storage"


def variant_named(prefix: str) -> Variant:
    return next(v for v in corpus_variants() if v.name.startswith(prefix))


def with_competence(profile: ProfileData, index: int, **changes: object) -> ProfileData:
    """The profile with one competence changed."""
    items = list(profile.competences)
    items[index] = replace(items[index], **changes)  # type: ignore[arg-type]
    return replace(profile, competences=tuple(items))


def cells(layout: PageLayout, column: int, role: str = "cell") -> dict[tuple, list[TextOp]]:
    """Text ops of one column, per (page, cell box), sorted by baseline."""
    found: dict[tuple, list[TextOp]] = {}
    for number, ops in enumerate(layout.pages, 1):
        for op in ops:
            if isinstance(op, TextOp) and op.role == role and op.column == column:
                assert op.box is not None
                found.setdefault((number, op.box), []).append(op)
    return {key: sorted(texts, key=lambda op: op.y) for key, texts in found.items()}


def line_box(op: TextOp, style: Style) -> tuple[float, float]:
    """Top and bottom of a table line box (layout.baseline inverted)."""
    leading = op.size * style.table_leading
    top = op.y - (leading - op.size) / 2 - 0.78 * op.size
    return top, top + leading


def chars(text: str) -> float:
    """A fake monospace measure: one point per character."""
    return float(len(text))


@pytest.mark.parametrize("path", TRUTHS, ids=lambda p: p.name)
def test_truth_json_round_trips(path: Path) -> None:
    assert profile_to_json(load_profile(path)) == path.read_text(encoding="utf-8")


def test_seed_text_is_reproduced_with_its_page_break_quirks() -> None:
    seed = profile_from_golden(GOLDEN)
    assert render_text(seed, seed_options()) == SEED.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("model-based methods", 12, ["model-based", "methods"]),
        ("use model-based methods", 10, ["use model-", "based", "methods"]),
        ("state-of-charge", 9, ["state-of-", "charge"]),
        ("pre- and post-processing", 10, ["pre- and", "post-", "processing"]),
        ("design - BMS function", 12, ["design - BMS", "function"]),
        ("COVID-19 cells", 8, ["COVID-19", "cells"]),
    ],
)
def test_wrap_breaks_at_spaces_or_after_existing_hyphens(
    text: str, width: float, lines: list[str]
) -> None:
    assert wrap(text, width, chars) == lines


def test_wrap_refuses_a_word_wider_than_the_line() -> None:
    with pytest.raises(LayoutError):
        wrap("electrochemistry", 5, chars)


def test_header_labels_wrap_after_a_slash_too() -> None:
    assert wrap("Type (S/K)", 5, chars, slash=True) == ["Type", "(S/K)"]
    assert wrap("Type (S/K)", 4, chars, slash=True) == ["Type", "(S/", "K)"]
    assert wrap("Description/Context", 12, chars, slash=True) == ["Description/", "Context"]
    assert wrap("and/or", 4, chars, slash=True) == ["and/", "or"]
    with pytest.raises(LayoutError):
        wrap("Description/Context", 12, chars)
    assert [narrowest_width("Type (S/K)", n, chars) for n in (1, 2, 3)] == [10, 5, 4]


def test_labels_wrap_as_paragraphs_only_where_needed() -> None:
    def cell(width: float, paragraphs: bool = False) -> list[tuple[str, float]]:
        lines = list_cell(["ab cd", "ef"], width, chars, "label", True, paragraphs, 2.0)
        return [(line.text, line.gap) for line in lines]

    assert cell(10) == [("ab cd", 0.0), ("ef", 0.0)]  # nothing wraps: one label per line
    assert cell(4) == [("ab", 0.0), ("cd", 0.0), ("ef", 2.0)]  # one wraps: paragraphs
    assert cell(10, paragraphs=True) == [("ab cd", 0.0), ("ef", 2.0)]
    lead = list_cell(["ab"], 10, chars, "label", True, False, 2.0, lead=["x y", "z"])
    assert [(line.text, line.gap) for line in lead] == [("x y", 0.0), ("z", 0.0), ("ab", 0.0)]
    with pytest.raises(LayoutError, match="label 'ab cd'"):
        list_cell(["ab cd"], 4, chars, "label", False, False, 2.0)


def test_missing_glyphs_become_nfkc_equivalents_or_fail() -> None:
    profile = load_profile(TRUTHS[0])
    micro = profile.__class__(**{**profile.__dict__, "title": "5 μm particles"})
    assert drawable_profile(micro, WINANSI, "WinAnsi").title == "5 µm particles"
    with pytest.raises(LayoutError, match="U\\+0151"):
        drawable_profile(micro.__class__(**{**micro.__dict__, "title": "Győr"}), WINANSI, "x")


def test_variant_matrix_covers_every_switch_for_each_producer() -> None:
    variants = corpus_variants()
    assert len({v.name for v in variants}) == len(variants)
    original = [v.name for v in variants if v not in realistic_variants()]
    assert original == ORIGINAL_VARIANTS
    for producer in ("reportlab", "fpdf2"):
        mine = [v for v in variants if v.producer == producer]
        assert len(mine) == 9
        for switch in ("ruled", "repeat_header", "running_header", "ul_prefix"):
            assert {getattr(v, switch) for v in mine} == {True, False}
        assert {v.page_size for v in mine} == {"A4", "Letter"}
        assert {v.marker for v in mine} == set(MARKER_NAMES)
        assert any(not v.running_header and v.page_number for v in mine)
        realistic = [v for v in realistic_variants() if v.producer == producer]
        assert len(realistic) == 2
        assert {name for v in realistic for name in v.variations} >= REALISTIC
        assert TABLE_SIZES[producer] == STYLES[producer].table_size


def test_variations_come_from_the_vocabulary() -> None:
    original = corpus_variants()[0]
    assert original.variations == (
        "header-bold",
        "header-repeated",
        "name-wrap",
        "page-numbers",
        "row-across-pages",
        "rules-grid",
        "running-header",
        "sans",
        "small-type",
    )
    for variant in corpus_variants():
        check_variations(variant.variations)
    with pytest.raises(ValueError, match="ruled=True contradicts"):
        replace(original, rules="bands")


@pytest.mark.parametrize("variant", corpus_variants(), ids=lambda v: v.name)
def test_pdfs_are_deterministic_and_read_back_as_drawn(variant: Variant) -> None:
    profile = load_profile(TRUTHS[0])
    pdf = render_pdf(profile, variant)
    assert render_pdf(profile, variant) == pdf
    assert pdf.startswith(b"%PDF-")
    layout = LAYOUTS[variant.producer](profile, variant)
    style = STYLES[variant.producer].scaled(variant.font_scale)
    assert garbled(layout, pdf) == []
    assert layout_problems(layout, style, variant) == []
    assert overlaps(pdf, layout, style) == []
    check_variations(layout.variations)
    assert set(layout.variations) <= set(variant.variations) | {"row-over-3-pages"}
    fills = [op for ops in layout.pages for op in ops if isinstance(op, RectOp)]
    assert bool(fills) == (variant.table_rules == "bands" or variant.header_shaded)


def test_a_wrapped_header_takes_two_or_three_lines_in_its_band() -> None:
    profile = load_profile(TRUTHS[0])
    for prefix, lines in (("rl-hrules", ["Type", "(S/K)"]), ("rl-bands", ["Type", "(S/", "K)"])):
        variant = variant_named(prefix)
        style = STYLES[variant.producer].scaled(variant.font_scale)
        layout = LAYOUTS[variant.producer](profile, variant)
        assert f"header-wrap-{len(lines)}" in layout.variations
        types = {k: v for k, v in cells(layout, TYPE_COLUMN, "table-header").items() if len(v) > 1}
        names = cells(layout, NAME_COLUMN, "table-header")
        assert types and {tuple(op.text for op in ops) for ops in types.values()} == {tuple(lines)}
        for (page, box), ops in types.items():
            leading = ops[0].size * style.table_leading
            assert box[3] - box[1] == pytest.approx(2 * style.pad_y + len(lines) * leading)
            assert line_box(ops[0], style)[0] == pytest.approx(box[1] + style.pad_y)
            assert line_box(ops[-1], style)[1] == pytest.approx(box[3] - style.pad_y)
            (name,) = next(ops for (p, b), ops in names.items() if p == page and b[1] == box[1])
            if variant.valign == "bottom":  # a one-line label sits on the band's last line
                assert name.y == pytest.approx(ops[-1].y)
            else:  # middle: half way down
                assert sum(line_box(name, style)) / 2 == pytest.approx((box[1] + box[3]) / 2)
            if variant.header_centred:
                middle = (box[0] + box[2]) / 2
                assert all(op.x < middle for op in ops)


@pytest.mark.parametrize("prefix", ["rl-bands", "fp-bands", "rl-hrules", "fp-hrules"])
def test_type_and_level_sit_at_the_bottom_or_middle_of_their_row(prefix: str) -> None:
    variant = variant_named(prefix)
    style = STYLES[variant.producer].scaled(variant.font_scale)
    layout = LAYOUTS[variant.producer](load_profile(TRUTHS[0]), variant)
    below_first_line = 0
    for column in (TYPE_COLUMN, LEVEL_COLUMN, ESCO_COLUMN, NAME_COLUMN):
        for (_, box), ops in cells(layout, column).items():
            top, bottom = line_box(ops[0], style)[0], line_box(ops[-1], style)[1]
            if variant.valign == "bottom":
                assert bottom == pytest.approx(box[3] - style.pad_y)
            else:
                assert top - box[1] == pytest.approx(box[3] - bottom)
            if column != NAME_COLUMN and top > box[1] + style.pad_y + 1:
                below_first_line += 1
    assert below_first_line > 10
    assert f"valign-{variant.valign}" in layout.variations


def test_long_esco_labels_wrap_with_paragraph_spacing_in_an_original_variant() -> None:
    profile = with_competence(
        load_profile(TRUTHS[0]), 0, esco_skills=(LONG_LABEL, "monitor automated machines")
    )
    variant = corpus_variants()[0]
    style = STYLES[variant.producer]
    layout = LAYOUTS[variant.producer](profile, variant)
    assert "esco-paragraphs" in layout.variations
    ((_, first), *_) = cells(layout, ESCO_COLUMN).items()
    leading = first[0].size * style.table_leading
    texts = [op.text for op in first]
    split = next(k for k in range(len(texts)) if " ".join(texts[:k]) == LONG_LABEL)
    assert split >= 2 and " ".join(texts[split:]) == "monitor automated machines"
    pitches = [b.y - a.y for a, b in pairwise(first)]
    gap = style.label_gap * leading
    expected = [leading] * (len(first) - 1)
    expected[split - 1] += gap  # paragraph spacing between labels, none inside one
    assert pitches == pytest.approx(expected)
    assert garbled(layout, render_pdf(profile, variant)) == []


def test_departments_and_specialisations_wrap_in_their_cell() -> None:
    long = "Research, Development and Industrialisation of " * 3 + "Cells"
    profile = replace(
        load_profile(TRUTHS[0]), departments=(long, "Quality"), specialisations=(long,)
    )
    variant = variant_named("fp-open-norep-bare")
    layout = LAYOUTS[variant.producer](profile, variant)
    values = [op for op in layout.pages[1] if isinstance(op, TextOp) and op.column == 1]
    quality = next(op for op in values if op.text == "Quality")
    above = [op for op in values if op.y < quality.y and "Industrialisation" in op.text]
    assert len(above) >= 2  # the department wrapped...
    leading = quality.size * FPDF_STYLE.table_leading
    assert quality.y - above[-1].y == pytest.approx(leading * (1 + FPDF_STYLE.label_gap))
    assert garbled(layout, render_pdf(profile, variant)) == []


def test_a_row_runs_over_three_pages() -> None:
    statement = "Monitor the formation and ageing of every cell batch " * 2
    profile = with_competence(load_profile(TRUTHS[0]), 1, statements=(statement.strip(),) * 60)
    name = profile.competences[1].name
    for variant in (corpus_variants()[0], variant_named("fp-hrules")):
        layout = LAYOUTS[variant.producer](profile, variant)
        mine = [split for split in layout.splits if split.row == name]
        assert [split.part for split in mine][:2] == [1, 2]  # two breaks: three pages
        assert [split.page for split in mine][:2] == [mine[0].page, mine[0].page + 1]
        assert "row-over-3-pages" in layout.variations
        style = STYLES[variant.producer].scaled(variant.font_scale)
        pdf = render_pdf(profile, variant)
        assert garbled(layout, pdf) == []
        assert layout_problems(layout, style, variant) == []


def test_a_name_taller_than_a_page_breaks_only_where_names_may_break() -> None:
    name = " ".join(["Electrochemistry"] * 150)
    profile = with_competence(load_profile(TRUTHS[0]), 2, name=name)
    with pytest.raises(LayoutError, match="does not fit on an empty page"):
        LAYOUTS["fpdf2"](profile, variant_named("fp-open-norep-bare"))
    variant = variant_named("fp-hrules")
    layout = LAYOUTS[variant.producer](profile, variant)
    mine = [split for split in layout.splits if split.row == name]
    assert mine and {split.kind for split in mine} == {"mid-name"}
    drawn = [texts for (_, _), texts in cells(layout, NAME_COLUMN).items()]
    parts = [ops for ops in drawn if ops[0].text == "Electrochemistry"]
    assert sum(len(ops) for ops in parts) == 150 and len(parts) == len(mine) + 1
    assert "name-across-pages" in layout.variations


@pytest.mark.parametrize("prefix", ["rl-bands", "fp-hrules"])
def test_a_corpus_row_breaks_inside_its_name(prefix: str) -> None:
    variant = variant_named(prefix)
    for _, profile in load_corpus(CORPUS_PROFILES):
        layout = LAYOUTS[variant.producer](profile, variant)
        mid = [split for split in layout.splits if split.kind == "mid-name"]
        if mid:
            names = cells(layout, NAME_COLUMN)
            before = [ops for (page, _), ops in names.items() if page == mid[0].page]
            after = [ops for (page, _), ops in names.items() if page == mid[0].page + 1]
            words = mid[0].row.split()
            assert " ".join(op.text for op in before[-1]) != mid[0].row
            assert " ".join(op.text for op in before[-1] + after[0]) == " ".join(words)
            return
    pytest.fail(f"no corpus profile breaks a row inside its Name in {variant.name}")


def test_landscape_competence_pages() -> None:
    variant = variant_named("rl-hrules")
    profile = load_profile(TRUTHS[0])
    layout = LAYOUTS[variant.producer](profile, variant)
    width, height = variant.page_width_height
    sizes = [layout.page_size(index) for index in range(len(layout.pages))]
    turned = sizes.index((height, width))
    assert sizes == [(width, height)] * turned + [(height, width)] * (len(sizes) - turned)
    first = [op.text for op in layout.pages[turned] if isinstance(op, TextOp)]
    assert "Name" in first and "Context" not in first
    with pdfplumber.open(io.BytesIO(render_pdf(profile, variant))) as pdf:
        read = [(page.width, page.height) for page in pdf.pages]
    assert [size for pair in read for size in pair] == pytest.approx(
        [size for pair in sizes for size in pair]
    )


def test_rules_and_shading() -> None:
    profile = load_profile(TRUTHS[0])
    for prefix in ("rl-hrules", "fp-bands", "rl-ruled-rep"):
        variant = variant_named(prefix)
        layout = LAYOUTS[variant.producer](profile, variant)
        top = STYLES[variant.producer].margin_top
        lines = [op for ops in layout.pages[1:] for op in ops if isinstance(op, LineOp)]
        lines = [op for op in lines if op.y1 >= top]  # not the running header's rule
        vertical = [op for op in lines if op.x1 == op.x2]
        fills = [op for ops in layout.pages for op in ops if isinstance(op, RectOp)]
        rules = variant.table_rules
        assert bool(lines) == (rules != "bands") and bool(vertical) == (rules == "grid")
        assert bool(fills) == (rules == "bands" or variant.header_shaded)


def test_dejavu_draws_what_vera_lacks() -> None:
    profile = load_profile(TRUTHS[0])
    greek = replace(profile, title="λ-phase → cells")
    assert font_names(greek, corpus_variants()[0]) == ("DejaVuSans", "DejaVuSans-Bold")
    assert font_family(greek) == "DejaVuSans" and font_family(profile) == "Vera"
    for variant in (corpus_variants()[0], variant_named("fp-open-norep-bare")):
        layout = LAYOUTS[variant.producer](greek, variant)
        assert garbled(layout, render_pdf(greek, variant)) == []
    with pytest.raises(LayoutError, match="U\\+96FB"):
        LAYOUTS["fpdf2"](replace(profile, title="電池"), variant_named("fp-open-norep-bare"))
    assert all(path.is_file() for path in DEJAVU_FILES)
    assert (DEJAVU_FILES[0].parent / "LICENSE").is_file()


def test_base14_fonts_unless_the_text_needs_more() -> None:
    profile = load_profile(TRUTHS[0])
    variant = next(v for v in corpus_variants() if v.font == "times")
    assert font_names(profile, variant) == ("Times-Roman-cp1252", "Times-Bold-cp1252")
    wide = profile.__class__(**{**profile.__dict__, "title": "Cells ≥ 4680"})
    assert font_names(wide, variant) == ("Vera", "Vera-Bold")


def test_build_corpus_writes_pdfs_texts_and_truths(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "one.json").write_text(TRUTHS[0].read_text(encoding="utf-8"), encoding="utf-8")
    variants = corpus_variants()[:1] + corpus_variants()[-1:]
    pairs = build_corpus(tmp_path / "out", profiles, variants)
    assert [pdf.name for pdf, _ in pairs] == [f"one__{v.name}.pdf" for v in variants]
    truth = tmp_path / "out" / "one.truth.json"
    assert {t for _, t in pairs} == {truth}
    assert json.loads(truth.read_text(encoding="utf-8")) == json.loads(
        TRUTHS[0].read_text(encoding="utf-8")
    )
    assert (tmp_path / "out" / "one.txt").read_text(encoding="utf-8").startswith("\n\n\n\n")
