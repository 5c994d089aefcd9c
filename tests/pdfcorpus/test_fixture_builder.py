"""The fixture builder itself: truth round trip, seed text, wrapping, variants, PDFs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import AUTHORED, GOLDEN, SEED
from tests.pdfcorpus.build import LAYOUTS, build_corpus, render_pdf
from tests.pdfcorpus.check import garbled, layout_problems, overlaps
from tests.pdfcorpus.data import load_profile, profile_from_golden, profile_to_json
from tests.pdfcorpus.layout import LayoutError, drawable_profile, wrap
from tests.pdfcorpus.render_fpdf import STYLE as FPDF_STYLE
from tests.pdfcorpus.render_reportlab import STYLE as REPORTLAB_STYLE
from tests.pdfcorpus.render_reportlab import WINANSI, font_names
from tests.pdfcorpus.render_text import render_text, seed_options
from tests.pdfcorpus.variants import MARKER_NAMES, Variant, corpus_variants

TRUTHS = sorted(AUTHORED.glob("*.expected.json"))
STYLES = {"reportlab": REPORTLAB_STYLE, "fpdf2": FPDF_STYLE}


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


def test_missing_glyphs_become_nfkc_equivalents_or_fail() -> None:
    profile = load_profile(TRUTHS[0])
    micro = profile.__class__(**{**profile.__dict__, "title": "5 μm particles"})
    assert drawable_profile(micro, WINANSI, "WinAnsi").title == "5 µm particles"
    with pytest.raises(LayoutError, match="U\\+0151"):
        drawable_profile(micro.__class__(**{**micro.__dict__, "title": "Győr"}), WINANSI, "x")


def test_variant_matrix_covers_every_switch_for_each_producer() -> None:
    variants = corpus_variants()
    assert len({v.name for v in variants}) == len(variants)
    for producer in ("reportlab", "fpdf2"):
        mine = [v for v in variants if v.producer == producer]
        assert 6 <= len(mine) <= 8
        for switch in ("ruled", "repeat_header", "running_header", "ul_prefix"):
            assert {getattr(v, switch) for v in mine} == {True, False}
        assert {v.page_size for v in mine} == {"A4", "Letter"}
        assert {v.marker for v in mine} == set(MARKER_NAMES)
        assert any(not v.running_header and v.page_number for v in mine)


@pytest.mark.parametrize("variant", corpus_variants(), ids=lambda v: v.name)
def test_pdfs_are_deterministic_and_read_back_as_drawn(variant: Variant) -> None:
    profile = load_profile(TRUTHS[0])
    pdf = render_pdf(profile, variant)
    assert render_pdf(profile, variant) == pdf
    assert pdf.startswith(b"%PDF-")
    layout = LAYOUTS[variant.producer](profile, variant)
    style = STYLES[variant.producer]
    assert garbled(layout, pdf) == []
    assert layout_problems(layout, style) == []
    assert overlaps(pdf, layout, style) == []


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
