"""The LibreOffice producer's own code, without LibreOffice: the DOCX it writes (python-docx)
and the PDF reading it verifies variations with (synthetic glyphs, or the committed PDFs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.pdfcorpus.data import CORPUS_PROFILES, load_corpus, load_profile, sections
from tests.pdfcorpus.producers.docx import (
    COMPETENCE_HEADER,
    TEMPLATES,
    Template,
    build_document,
    pieces,
)
from tests.pdfcorpus.producers.libreoffice import (
    CONTENT_VARIATIONS,
    WANTED,
    Glyph,
    PdfText,
    find_text,
    plan,
)
from tests.pdfcorpus.variations import VARIATIONS

COMMITTED = Path(__file__).resolve().parents[1] / "pdfs" / "libreoffice"
W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _profile():
    return load_profile(sorted(CORPUS_PROFILES.glob("*.json"))[0])


def test_template_variations_are_in_the_vocabulary() -> None:
    assert {t.name for t in TEMPLATES} == set(WANTED)
    for names in [*WANTED.values(), CONTENT_VARIATIONS]:
        assert set(names) <= set(VARIATIONS)


def test_every_profile_is_planned_once_at_least() -> None:
    corpus = [(path.stem, profile) for path, profile in load_corpus()]
    jobs = plan(corpus)
    assert {job.stem for job in jobs} == {stem for stem, _ in corpus}
    assert len({job.file_stem for job in jobs}) == len(jobs)
    assert len(jobs) <= len(corpus) + len(TEMPLATES) - 1


def test_pieces_break_after_hyphens_dashes_and_slashes() -> None:
    assert pieces("human–machine set-up a/b  x") == [
        "human–",
        "machine",
        "set-",
        "up",
        "a/",
        "b",
        "x",
    ]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.name)
def test_document_holds_the_truth_in_word_structures(template: Template) -> None:
    pytest.importorskip("docx", reason="python-docx is not installed (make fixtures-install)")
    profile = _profile()
    document = build_document(profile, template)
    texts = [p.text for p in document.paragraphs]
    assert texts[:3] == [profile.alliance, profile.period, profile.title]
    assert [p for p in texts if p.startswith("Co-funded") or p.startswith("Erasmus")]
    assert [p for p in profile.paragraphs if p not in texts] == []
    tables = document.tables
    assert len(tables) == 2 + len(sections(profile))
    assert [c.text for c in tables[0].rows[0].cells] == ["ID", "NAME", "Concept URI"]
    rows = [row for table in tables[2:] for row in table.rows[1:]]
    assert len(rows) == len(profile.competences)
    for table in tables[2:]:
        header = table.rows[0]
        assert [c.text for c in header.cells] == list(COMPETENCE_HEADER)
        trpr = header._tr.trPr
        repeated = trpr is not None and trpr.find(f"{W_NS}tblHeader") is not None
        assert repeated == template.header_repeat
    for row, competence in zip(rows, profile.competences, strict=True):
        name, kind, description, level, esco = row.cells
        assert (name.text, kind.text, level.text) == (
            competence.name,
            competence.type,
            competence.level,
        )
        assert [p.text for p in description.paragraphs] == list(competence.statements)
        assert [p.text for p in esco.paragraphs] == list(competence.esco_skills or [""])
        bullet = description.paragraphs[0].style
        numbered = bullet.element.pPr is not None and bullet.element.pPr.numPr is not None
        assert numbered, "statements are a Word bulleted list"
    landscape = [s.page_width > s.page_height for s in document.sections]
    assert landscape == ([False, True] if template.landscape_competences else [False])


def _glyphs(text: str, page: int, x: float, top: float) -> list[Glyph]:
    return [
        Glyph(ch, page, x + 5 * i, x + 5 * i + 5, top, top + 8, 8.0, "F")
        for i, ch in enumerate(text)
    ]


def test_find_text_follows_a_cell_over_a_page_break() -> None:
    glyphs = [
        *_glyphs("Name", 0, 10, 700),
        *_glyphs("Loadand", 0, 100, 700),
        *_glyphs("unload", 0, 100, 712),
        *_glyphs("Expert", 0, 300, 700),
        *_glyphs("Header", 1, 10, 50),  # running header / repeated header row
        *_glyphs("cells", 1, 100, 100),
        *_glyphs("other", 1, 20, 120),
    ]
    doc = PdfText([(600.0, 800.0), (600.0, 800.0)], glyphs, [])
    match = find_text(doc, "Load and unload cells")
    assert match is not None
    assert "".join(doc.glyphs[i].text for i in match) == "Loadandunloadcells"
    assert {doc.glyphs[i].page for i in match} == {0, 1}
    # a continuation must start where the cell's lines start
    assert find_text(doc, "Load and unload other") is None


@pytest.mark.skipif(not (COMMITTED / "manifest.json").exists(), reason="not rendered")
def test_committed_pdf_shows_its_variations() -> None:
    pytest.importorskip("pdfplumber")
    from tests.pdfcorpus.producers.libreoffice import detect

    manifest = json.loads((COMMITTED / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["producer"] == "libreoffice"
    entry = min(manifest["files"], key=lambda e: e["bytes"])
    profile = load_profile(CORPUS_PROFILES / f"{entry['truth']}.json")
    assert set(entry["variations"]) <= set(detect(COMMITTED / entry["file"], profile))
