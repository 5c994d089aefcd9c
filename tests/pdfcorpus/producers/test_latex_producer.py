"""Unit tests of the LaTeX producer's own code. Escaping and the generated sources need no
TeX; the one round trip through pdflatex is skipped when pdflatex is not installed."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from tests.pdfcorpus.data import CompetenceData, OccupationData, ProfileData, sections
from tests.pdfcorpus.producers import latex
from tests.pdfcorpus.producers.latex import key, latex_escape, pdf_string

SPECIALS = "& % $ # _ { } ~ ^ \\"


def test_escape_specials() -> None:
    assert latex_escape("R&D 5% $x #1 a_b {c} ~ ^ \\") == (
        r"R\&D 5\% \$x \#1 a\_b \{c\} \textasciitilde{} \textasciicircum{} \textbackslash{}"
    )


def test_escape_leaves_no_unescaped_special() -> None:
    out = latex_escape(SPECIALS)
    for char in "&%$#_":
        assert all(out[i - 1] == "\\" for i, c in enumerate(out) if c == char)


def test_escape_breaks_t1_ligatures() -> None:
    # "--" would typeset as an en dash, ",," as a low double quote in T1 fonts.
    assert latex_escape("a--b") == "a-{}-b"
    assert latex_escape("a,,b") == "a,{},b"
    assert latex_escape("'quoted'") == r"\textquotesingle{}quoted\textquotesingle{}"
    assert latex_escape("<<x>>") == r"\textless{}\textless{}x\textgreater{}\textgreater{}"


def test_escape_unicode() -> None:
    assert latex_escape("≤ 5 °C ± 1 %") == (r"\ensuremath{\leq} 5 \textdegree{}C \textpm{} 1 \%")
    assert latex_escape("5 μm, 3 Ω, ΔU") == (
        r"5 \ensuremath{\mu}m, 3 \ensuremath{\Omega}, \ensuremath{\Delta}U"
    )
    assert latex_escape("20–80 − 3 company’s") == (
        r"20\textendash{}80 \textminus{} 3 company\textquoteright{}s"
    )
    # Accented letters are left to inputenc.
    assert latex_escape("Münster, Québec, Göteborg") == "Münster, Québec, Göteborg"


def test_escape_collapses_white_space() -> None:
    assert latex_escape("  a \n b\t c ") == "a b c"


def test_pdf_string() -> None:
    assert pdf_string("Battery Pack") == "(Battery Pack)"
    assert pdf_string("Ü (x)") == "<FEFF" + "Ü (x)".encode("utf-16-be").hex().upper() + ">"


def test_key_ignores_white_space_and_hyphens() -> None:
    assert key("elec- tronic  equip-ment") == key("electronic equipment")
    assert key("ﬁne µm") == "fine\u03bcm"  # ligature and micro sign read back


def _profile() -> ProfileData:
    competence = CompetenceData(
        category="Soft Competence",
        category_note=None,
        name="Teamwork & Communication",
        type="S",
        level="Expert",
        statements=("Keep ΔT ≤ 5 °C at 20–80 % SOC", "Work in teams of 3–5 people"),
        esco_skills=("work in teams",),
    )
    return ProfileData(
        title="Test Role",
        alliance="Alliance for Batteries Technology, Training and Skills",
        period="2019-2023",
        description="First paragraph.\n\nSecond paragraph with R&D and 5 % μm.",
        min_eqf=4,
        eqf_levels=(4, 5),
        value_chain="Modules & Pack Battery Integration",
        occupations=(
            OccupationData(
                "8212.2",
                "battery assembler",
                "http://data.europa.eu/esco/occupation/32f19e39-2eb7-42a0-8964-d17e1af68eac",
            ),
        ),
        departments=("Quality", "Logistics"),
        specialisations=("Lead Technician",),
        competences=(
            competence,
            replace(competence, name="Problem Solving", type="K", level="Practitioner"),
        ),
    )


@pytest.mark.parametrize("variant", latex.VARIANTS, ids=lambda v: v.name)
def test_sources(variant: latex.Variant) -> None:
    profile = _profile()
    source = variant.build(profile)
    assert source.count(r"\begin{longtable}") == 2 + len(sections(profile))
    assert source.count(r"\endhead") == 1 + len(sections(profile))
    assert r"R\&D" in source and r"Modules \& Pack" in source
    assert "Co-funded by the" in source and "Erasmus+ Programme" in source
    assert "of the European Union" in source
    assert source.count(r"\item ") == 4
    for label in ("Name", "Description/Context", "Level", "ESCO"):
        assert label in source


def test_assignments_cover_every_variant() -> None:
    stems = [f"profile-{i:02d}" for i in range(7)]
    pairs = latex.assignments(list(reversed(stems)))
    assert [stem for stem, _ in pairs] == stems
    assert {variant.name for _, variant in pairs} == {v.name for v in latex.VARIANTS}


@pytest.mark.skipif(
    shutil.which("pdflatex") is None, reason="pdflatex is not installed (make fixtures-install)"
)
def test_round_trip(tmp_path: Path) -> None:
    """One variant through pdflatex: the truth reads back, characters included."""
    if latex.missing():
        pytest.skip(str(latex.missing()))
    profile = _profile()
    variant = latex.VARIANTS[1]
    pdf = tmp_path / "test.pdf"
    latex.compile_tex(variant.build(profile), pdf)
    assert latex.text_problems(pdf, profile) == []
    found = latex.verified_variations(pdf, profile)
    assert {"header-bold", "rules-horizontal", "bullets-list", "serif"} <= set(found)
    again = tmp_path / "again.pdf"
    latex.compile_tex(variant.build(profile), again)
    assert again.read_bytes() == pdf.read_bytes()
