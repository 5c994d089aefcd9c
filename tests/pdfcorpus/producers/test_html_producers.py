"""Fast checks of the HTML producers' own code (html.py, chromium.py, weasyprint.py).

Nothing here runs Chromium or WeasyPrint: the HTML is checked as text, the PDF reading on
made-up words, and the committed PDFs (if any) are re-verified against their manifest.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.pdfcorpus.data import corpus_files, load_profile, sections
from tests.pdfcorpus.producers import chromium, weasyprint
from tests.pdfcorpus.producers.html import (
    HEADER_LABELS,
    Doc,
    Finder,
    PageInfo,
    Tok,
    aimed_variations,
    build_html,
    css_string,
    locate,
    verify_located,
    words_of,
)
from tests.pdfcorpus.variations import VARIATIONS

PRODUCERS = {"chromium": chromium, "weasyprint": weasyprint}
PDFS = Path(__file__).resolve().parent.parent / "pdfs"


class _Text(HTMLParser):
    """Text of each <li>, <tr> count and the <html lang>."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[str] = []
        self.headers: list[str] = []
        self.rows = 0
        self.lang = ""
        self._li: list[str] | None = None
        self._th: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.lang = dict(attrs).get("lang") or ""
        elif tag == "li":
            self._li = []
        elif tag == "th" and ("class", "type") in attrs:
            self._th = []
        elif tag == "td" and ("class", "name") in attrs:
            self.rows += 1
        elif tag == "br" and self._th is not None:
            self._th.append(" ")  # a line break reads as a space

    def handle_endtag(self, tag: str) -> None:
        if tag == "li" and self._li is not None:
            self.items.append("".join(self._li))
            self._li = None
        elif tag == "th" and self._th is not None:
            self.headers.append("".join(self._th))
            self._th = None

    def handle_data(self, data: str) -> None:
        for part in (self._li, self._th):
            if part is not None:
                part.append(data)


def _profile():
    files = corpus_files()
    if not files:
        pytest.skip("no truth profiles")
    return load_profile(files[0])


@pytest.mark.parametrize("producer", sorted(PRODUCERS))
def test_html_holds_the_truth_verbatim(producer: str) -> None:
    profile = _profile()
    for template in PRODUCERS[producer].TEMPLATES:
        parsed = _Text()
        parsed.feed(build_html(profile, template))
        assert parsed.lang == "en"
        assert parsed.items == [s for c in profile.competences for s in c.statements]
        assert parsed.rows == len(profile.competences)
        assert len(parsed.headers) == len(sections(profile))
        assert {" ".join(h.split()) for h in parsed.headers} == {HEADER_LABELS[1]}
        assert "text-transform" not in template.css
        assert ("hyphens: auto" in template.css) == ("hyphenation" in template.aims)


@pytest.mark.parametrize("producer", sorted(PRODUCERS))
def test_templates_aim_at_every_variation(producer: str) -> None:
    templates = PRODUCERS[producer].TEMPLATES
    assert len({t.name for t in templates}) == len(templates)
    aims = {v for t in templates for v in t.aims}
    assert aims <= set(VARIATIONS)
    assert set(aimed_variations(templates)) <= aims


def test_css_string_escapes() -> None:
    assert css_string('A "B" \\ C') == '"A \\"B\\" \\\\ C"'


def test_words_drop_markers_and_normalise() -> None:
    assert words_of("Pack – Line  -  EV µm") == ["Pack", "Line", "EV", "μm"]


def _tok(text: str, page: int, x0: float, top: float) -> Tok:
    return Tok(text, page, x0, x0 + 5 * len(text), top, top + 10, "F", 10.0)


def _doc(pages: list[list[Tok]]) -> Doc:
    flow = [t for page in pages for t in page]
    starts = [0]
    for page in pages:
        starts.append(starts[-1] + len(page))
    return Doc([PageInfo(600, 800) for _ in pages], flow, [], [], starts)


def test_finder_joins_wrapped_and_hyphenated_words() -> None:
    doc = _doc(
        [
            [
                _tok("http://a/", 0, 10, 10),
                _tok("b-c", 0, 10, 22),
                _tok("electro\u2010", 0, 10, 34),
                _tok("chemical", 0, 10, 46),
            ]
        ]
    )
    finder = Finder(doc)
    found = finder.find_text("http://a/b-c electrochemical", 0)
    assert found == [[0, 1], [2, 3]]
    assert ("electro\u2010chemical", "electrochemical") in finder.joined


def test_finder_follows_a_phrase_onto_the_next_page() -> None:
    doc = _doc(
        [
            [_tok("Keep", 0, 10, 700), _tok("the", 0, 40, 700), _tok("Expert", 0, 300, 650)],
            [_tok("Name", 1, 10, 50), _tok("line", 1, 100, 80), _tok("clean", 1, 120, 80)],
        ]
    )
    finder = Finder(doc)
    assert finder.find_text("Keep the line clean", 0) == [[0], [1], [4], [5]]
    # not when the page has more text below in the same column
    doc.flow.insert(2, _tok("more", 0, 10, 720))
    doc.page_start[1:] = [n + 1 for n in doc.page_start[1:]]
    assert Finder(doc).find_text("Keep the line clean", 0) is None


def _smallest_committed(producer: str) -> tuple[Path, dict] | None:
    manifest = PDFS / producer / "manifest.json"
    if not manifest.exists():
        return None
    files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    entry = min(files, key=lambda e: (e["pages"], e["file"]))
    return PDFS / producer / entry["file"], entry


@pytest.mark.parametrize("producer", sorted(PRODUCERS))
def test_committed_pdf_reverifies(producer: str) -> None:
    found = _smallest_committed(producer)
    if found is None:
        pytest.skip(f"no committed {producer} PDFs")
    pdf, entry = found
    truth = PDFS.parent / "profiles" / f"{entry['truth']}.json"
    if not truth.exists():
        pytest.skip(f"truth {truth.name} is gone")
    located = locate(pdf, load_profile(truth))
    assert located.problems == []
    assert sorted(verify_located(located)) == entry["variations"]
