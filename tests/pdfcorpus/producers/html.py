"""Shared part of the HTML producers (Chromium, WeasyPrint): the profile as an HTML document
styled by a `Template`, and the checks run on the PDF a producer printed from it.

The HTML is what an author would write: a cover, the description, the ESCO occupations and
context tables, then one heading and one `<table>` (with `<thead>`) per competence section,
statements as `<ul><li>`. All layout comes from the template's stylesheet.

The checks read the PDF with pdfplumber only and know nothing of the template: `locate()`
finds every truth text in the text flow (the order the producer drew it), `text_problems()`
lists truth texts that could not be found, `verify()` returns the layout variations
(tests/pdfcorpus/variations.py) that the PDF was seen to contain.
"""

from __future__ import annotations

import html
import re
import statistics
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from tests.pdfcorpus.data import ProfileData, sections
from tests.pdfcorpus.producers import Rendered
from tests.pdfcorpus.variations import VARIATIONS

HEADER_LABELS = ("Name", "Type (S/K)", "Description/Context", "Level", "ESCO")
OCCUPATION_LABELS = ("ID", "NAME", "Concept URI")
COLUMNS = ("name", "type", "desc", "level", "esco")
SPECIALISATIONS_INTRO = "Other job roles that are more specialised but based on this"
FUNDING = ("Co-funded by the", "Erasmus+ Programme", "of the European Union")
# Variations no template here tries to make (automatic hyphenation would change words).
NOT_AIMED = frozenset({"hyphenation"})


# --------------------------------------------------------------------------- HTML


@dataclass(frozen=True)
class Template:
    """One author's styling of the profile document."""

    name: str
    css: str  # stylesheet; %TITLE% / %ALLIANCE% become CSS string literals
    aims: tuple[str, ...]  # variations the styling is meant to produce (verify() decides)
    labels: tuple[str, ...] = HEADER_LABELS  # header cells of the competence tables (HTML)
    cols: tuple[str, ...] | None = None  # <col> widths of the competence tables
    esco: str = "p"  # ESCO labels: "p" (one <p> each) or "br" (lines of one cell)
    lines: str = "p"  # departments / specialisations: "p" or "br"
    wide: bool = False  # competence part in <div class="competences wide"> (named page)
    links: bool = False  # occupation URIs as <a href>
    lang: str = "en"


def css_string(text: str) -> str:
    """A CSS string literal holding text."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _lines(items: Sequence[str], mode: str) -> str:
    if mode == "br":
        return "<br>".join(_e(item) for item in items)
    return "".join(f"<p>{_e(item)}</p>" for item in items)


def build_html(profile: ProfileData, template: Template) -> str:
    """The profile as a complete HTML document styled by the template."""
    css = template.css.replace("%TITLE%", css_string(profile.title)).replace(
        "%ALLIANCE%", css_string(profile.alliance)
    )
    out: list[str] = [
        "<!DOCTYPE html>",
        f'<html lang="{template.lang}">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_e(profile.title)}</title>",
        f'<meta name="author" content="{_e(profile.alliance)}">',
        '<meta name="dcterms.created" content="2023-06-30T12:00:00Z">',
        '<meta name="dcterms.modified" content="2023-06-30T12:00:00Z">',
        f"<style>\n{css}\n</style>",
        "</head>",
        "<body>",
        '<section class="cover">',
        f'<p class="alliance">{_e(profile.alliance)}</p>',
        f'<p class="period">{_e(profile.period)}</p>',
        f'<h1 class="cover-title">{_e(profile.title)}</h1>',
        '<div class="funding"><div class="flag"></div>',
        f'<p class="funded">{"<br>".join(_e(line) for line in FUNDING)}</p></div>',
        "</section>",
        '<article class="profile">',
        f'<h1 class="title">{_e(profile.title)}</h1>',
        '<div class="description">',
        *(f"<p>{_e(paragraph)}</p>" for paragraph in profile.paragraphs),
        "</div>",
        "<h2>ESCO Occupations</h2>",
        '<table class="occupations">',
        "<thead><tr>" + "".join(f"<th>{_e(label)}</th>" for label in OCCUPATION_LABELS),
        "</tr></thead>",
        "<tbody>",
    ]
    for occupation in profile.occupations:
        uri = _e(occupation.esco_uri)
        cell = f'<a href="{uri}">{uri}</a>' if template.links else uri
        out.append(
            f"<tr><td>{_e(occupation.esco_code)}</td><td>{_e(occupation.esco_label)}</td>"
            f'<td class="uri">{cell}</td></tr>'
        )
    out += [
        "</tbody></table>",
        "<h2>Context</h2>",
        '<table class="context"><tbody>',
        f"<tr><th>Minimum EQF</th><td>{_e(profile.eqf_text)}</td></tr>",
        f"<tr><th>Value Chain</th><td>{_e(profile.value_chain)}</td></tr>",
        f"<tr><th>Departments</th><td>{_lines(profile.departments, template.lines)}</td></tr>",
        "<tr><th>Specialisations</th><td>"
        + _lines((SPECIALISATIONS_INTRO, *profile.specialisations), template.lines)
        + "</td></tr>",
        "</tbody></table>",
        "</article>",
        f'<div class="competences{" wide" if template.wide else ""}">',
    ]
    colgroup = ""
    if template.cols:
        colgroup = "<colgroup>" + "".join(
            f'<col class="c{i}" style="width: {width}">' for i, width in enumerate(template.cols)
        )
        colgroup += "</colgroup>"
    head_classes = ("name", "type", "desc", "level", "esco")
    for section in sections(profile):
        out += [
            '<section class="section">',
            f"<h2>{_e(section.heading)}</h2>",
            '<table class="competence">',
            colgroup,
            "<thead><tr>"
            + "".join(
                f'<th class="{cls}">{label}</th>'
                for cls, label in zip(head_classes, template.labels, strict=True)
            )
            + "</tr></thead>",
            "<tbody>",
        ]
        for item in section.competences:
            statements = "".join(f"<li>{_e(text)}</li>" for text in item.statements)
            out.append(
                "<tr>"
                f'<td class="name">{_e(item.name)}</td>'
                f'<td class="type">{_e(item.type)}</td>'
                f'<td class="desc">{f"<ul>{statements}</ul>" if statements else ""}</td>'
                f'<td class="level">{_e(item.level)}</td>'
                f'<td class="esco">{_lines(item.esco_skills, template.esco)}</td>'
                "</tr>"
            )
        out += ["</tbody>", "</table>", "</section>"]
    out += ["</div>", "</body>", "</html>", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- reading PDFs

# Glyphs a producer draws as list markers; a word made only of these is a marker, not text.
MARKERS = "•◦▪▫‣●○■□–—-*·∙⁃"
_LEADING_MARKERS = "•◦▪▫‣●○■□∙⁃"
_HYPHENS = ("-", "\u00ad", "\u2010")
_SERIF = ("serif", "caladea", "cambria", "times", "roman", "georgia", "charter", "utopia")
_SANS = ("sans", "carlito", "calibri", "arial", "helvetica", "verdana", "vera")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def words_of(text: str) -> list[str]:
    """Truth text as the words a reader sees (NFKC, whitespace-split, markers dropped)."""
    return [word for word in _norm(text).split() if word.strip(MARKERS)]


@dataclass(frozen=True)
class Tok:
    """One word of the text flow."""

    text: str
    page: int  # 0-based
    x0: float
    x1: float
    top: float
    bottom: float
    font: str
    size: float

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class Box:
    x0: float
    top: float
    x1: float
    bottom: float
    color: tuple[float, ...] = ()

    def holds(self, x: float, y: float) -> bool:
        return self.x0 - 0.5 <= x <= self.x1 + 0.5 and self.top - 0.5 <= y <= self.bottom + 0.5


@dataclass
class PageInfo:
    width: float
    height: float
    rules: list[Box] = field(default_factory=list)  # thin lines: borders, underlines
    fills: list[Box] = field(default_factory=list)  # filled non-white areas
    shapes: list[Box] = field(default_factory=list)  # small filled shapes (list markers)


@dataclass
class Doc:
    """A PDF as flowing words (running text removed) plus its graphics."""

    pages: list[PageInfo]
    flow: list[Tok]  # content words in drawing order
    markers: list[Tok]  # marker glyph words
    running: list[Tok]  # running header/footer words
    page_start: list[int]  # index in flow of the first word of each page (len = pages + 1)


def _color(value: object) -> tuple[float, ...]:
    if value is None:
        return (0.0,)
    if isinstance(value, int | float):
        return (float(value),)
    if isinstance(value, tuple | list) and all(isinstance(v, int | float) for v in value):
        return tuple(float(v) for v in value)
    return (0.5,)  # pattern or named colour: not white


def _is_white(color: tuple[float, ...]) -> bool:
    if len(color) == 4:  # CMYK
        return all(v <= 0.01 for v in color)
    return all(v >= 0.99 for v in color)


def _graphics(page: Any) -> PageInfo:
    """Rules, fills and small shapes of a pdfplumber page."""
    info = PageInfo(float(page.width), float(page.height))

    def add(obj: dict, kind: str) -> None:
        x0, x1, top, bottom = obj["x0"], obj["x1"], obj["top"], obj["bottom"]
        w, h = x1 - x0, bottom - top
        if kind == "line" or (max(w, h) > 4 and min(w, h) <= 2.5):
            painted = []  # colours it is painted in; a white rule is no rule
            if kind == "line" or obj.get("stroke"):
                painted.append(_color(obj.get("stroking_color")))
            if kind != "line" and obj.get("fill"):
                painted.append(_color(obj.get("non_stroking_color")))
            if any(not _is_white(color) for color in painted):
                info.rules.append(Box(x0, top, x1, bottom))
            return
        fill = obj.get("fill")
        color = _color(obj.get("non_stroking_color"))
        if fill and not _is_white(color):
            if max(w, h) <= 7:
                info.shapes.append(Box(x0, top, x1, bottom, color))
            else:
                info.fills.append(Box(x0, top, x1, bottom, color))
        stroke = _color(obj.get("stroking_color"))
        if obj.get("stroke") and kind == "rect" and max(w, h) > 4 and not _is_white(stroke):
            info.rules += [
                Box(x0, top, x1, top),
                Box(x0, bottom, x1, bottom),
                Box(x0, top, x0, bottom),
                Box(x1, top, x1, bottom),
            ]

    for obj in page.lines:
        add(obj, "line")
    for obj in page.rects:
        add(obj, "rect")
    for obj in page.curves:
        add(obj, "curve")
    return info


def _split_marker(text: str) -> tuple[str, str]:
    """('•', 'Read') for '•Read'; ('', text) when the word does not start with a marker."""
    stripped = text.lstrip(_LEADING_MARKERS)
    if stripped != text and stripped:
        return text[: len(text) - len(stripped)], stripped
    if len(text) > 1 and text[0] in "–-" and text[1].isalpha():
        return text[0], text[1:]
    return "", text


def _line_groups(tokens: Sequence[Tok]) -> list[list[Tok]]:
    """Tokens of one page grouped into visual lines (by top)."""
    groups: list[list[Tok]] = []
    for tok in sorted(tokens, key=lambda t: (t.top, t.x0)):
        if groups and abs(groups[-1][0].top - tok.top) <= 1.5:
            groups[-1].append(tok)
        else:
            groups.append([tok])
    return groups


_LABEL_WORDS = {
    "Name",
    "Type",
    "(S/K)",
    "(S/",
    "K)",
    "Description/Context",
    "Description/",
    "Context",
    "Level",
    "ESCO",
}


def _running_lines(pages: list[list[Tok]], heights: list[float]) -> set[int]:
    """ids of tokens in lines repeated near the top or bottom of most pages after the first."""
    if len(pages) < 3:
        return set()
    keyed: dict[tuple[str, int], set[int]] = {}
    lines_of: list[list[tuple[tuple[str, int], list[Tok]]]] = []
    for number, tokens in enumerate(pages):
        found = []
        for line in _line_groups(tokens):
            top, bottom = line[0].top, max(t.bottom for t in line)
            if not (top < 0.16 * heights[number] or bottom > 0.84 * heights[number]):
                continue
            labels = sum(t.text in _LABEL_WORDS for t in line)
            if labels >= 2 or labels == len(line):  # a (repeated) table header row
                continue
            text = re.sub(r"\d+", "#", " ".join(t.text for t in sorted(line, key=lambda t: t.x0)))
            key = (text, round(top / 4))
            found.append((key, line))
            if number > 0:
                keyed.setdefault(key, set()).add(number)
        lines_of.append(found)
    need = max(2, (len(pages) - 1) // 2)
    running: set[int] = set()
    for found in lines_of:
        for key, line in found:
            if len(keyed.get(key, ())) >= need:
                running.update(id(t) for t in line)
    return running


def read_doc(pdf: Path | str) -> Doc:
    """Read a PDF into flowing words, running text and graphics."""
    import pdfplumber

    pages: list[PageInfo] = []
    per_page: list[list[Tok]] = []
    markers: list[Tok] = []
    with pdfplumber.open(pdf) as document:
        for number, page in enumerate(document.pages):
            pages.append(_graphics(page))
            tokens: list[Tok] = []
            for word in page.extract_words(
                use_text_flow=True, x_tolerance=1.5, y_tolerance=2, return_chars=True
            ):
                text = _norm(word["text"])
                chars = word["chars"]
                # a word's font: the one most of its letters are in (a fallback font may
                # draw a glyph the main font lacks, e.g. 'μ' in 'μm')
                fonts = [str(c["fontname"]) for c in chars]
                font = re.sub(r"^[A-Z]{6}\+", "", max(set(fonts), key=fonts.count))
                size = statistics.median(float(c["size"]) for c in chars)
                geometry = (number, word["x0"], word["x1"], word["top"], word["bottom"])
                make = lambda t, g=geometry, f=font, s=size: Tok(t, *g, f, s)  # noqa: E731
                if not text.strip(MARKERS):
                    markers.append(make(text))
                    continue
                marker, rest = _split_marker(text)
                if marker:
                    markers.append(make(marker))
                tokens.append(make(rest))
            per_page.append(tokens)
    running_ids = _running_lines(per_page, [p.height for p in pages])
    flow: list[Tok] = []
    running: list[Tok] = []
    page_start: list[int] = []
    for tokens in per_page:
        page_start.append(len(flow))
        for tok in tokens:
            (running if id(tok) in running_ids else flow).append(tok)
    page_start.append(len(flow))
    return Doc(pages, flow, markers, running, page_start)


# --------------------------------------------------------------------------- locating text

Match = list[list[int]]  # per truth word, the flow indices it was read from


class Finder:
    """Finds truth phrases in a document's text flow.

    A phrase matches where its words follow each other in the flow; a word may be read from
    pieces on consecutive lines (a URL broken after '/', a hyphenated word); a phrase may
    continue on the next page when its last word on a page is the lowest text of its column
    there (a cell or paragraph broken by the page break).
    """

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.flow = doc.flow
        self.joined: list[tuple[str, str]] = []  # (pieces joined, truth word) of kept matches

    def keep(self, match: Match | None, words: Sequence[str]) -> Match | None:
        """Note the words of a match that were read from several pieces."""
        for used, word in zip(match or [], words, strict=False):
            if len(used) > 1:
                self.joined.append(("".join(self.flow[i].text for i in used), word))
        return match

    def _new_line(self, a: int, b: int) -> bool:
        ta, tb = self.flow[a], self.flow[b]
        return ta.page != tb.page or abs(ta.top - tb.top) > 0.5 * max(ta.size, 1.0)

    def word_at(self, i: int, word: str) -> list[int] | None:
        flow = self.flow
        if i >= len(flow):
            return None
        if flow[i].text == word:
            return [i]
        acc, used, j = "", [], i
        while j < len(flow) and len(used) < 6:
            if used and (j != used[-1] + 1 or not self._new_line(used[-1], j)):
                return None
            piece = flow[j].text
            if acc + piece == word:
                return [*used, j]
            if word.startswith(acc + piece):
                acc += piece
            elif piece.endswith(_HYPHENS) and len(piece) > 1 and word.startswith(acc + piece[:-1]):
                acc += piece[:-1]
            else:
                return None
            used.append(j)
            j += 1
        return None

    def _column_bottom(self, i: int) -> bool:
        """True if no text of the page lies below flow[i] in its column."""
        flow, tok = self.flow, self.flow[i]
        left, k = tok.x0, i
        while k > self.doc.page_start[tok.page] and not self._new_line(k - 1, k):
            if flow[k].x0 - flow[k - 1].x1 > 2 * tok.size:
                break
            k -= 1
            left = flow[k].x0
        start, stop = self.doc.page_start[tok.page], self.doc.page_start[tok.page + 1]
        for other in flow[start:stop]:
            if other.top > tok.bottom - 0.5 and other.x1 > left and other.x0 < tok.x1:
                return False
        return True

    def match_at(self, i: int, words: Sequence[str], jumps: bool = True) -> Match | None:
        result: Match = []
        for k, word in enumerate(words):
            if k == 0:
                used = self.word_at(i, word)
            else:
                last = result[-1][-1]
                used = self.word_at(last + 1, word)
                if used is None and jumps and self._column_bottom(last):
                    page = self.flow[last].page + 1
                    q = self.find_on_page(page, words[k : k + 4])
                    used = None if q is None else self.word_at(q, word)
                if used is None and jumps:
                    used = self._split_at_page_end(last + 1, word, words[k + 1 : k + 4])
            if used is None:
                return None
            result.append(used)
        return result

    def _split_at_page_end(self, i: int, word: str, then: Sequence[str]) -> list[int] | None:
        """A word whose first piece ends its column at a page bottom, the rest on the next
        page ('start-' / 'ups')."""
        if i >= len(self.flow) or not self._column_bottom(i):
            return None
        piece = self.flow[i].text
        rests = []
        if word.startswith(piece):
            rests.append(word[len(piece) :])
        if piece.endswith(_HYPHENS) and word.startswith(piece[:-1]):
            rests.append(word[len(piece) - 1 :])
        for rest in rests:
            if not rest:
                continue
            q = self.find_on_page(self.flow[i].page + 1, [rest, *then])
            if q is not None:
                used = self.word_at(q, rest)
                if used:
                    return [i, *used]
        return None

    def find_on_page(self, page: int, words: Sequence[str]) -> int | None:
        if page >= len(self.doc.pages):
            return None
        for q in range(self.doc.page_start[page], self.doc.page_start[page + 1]):
            if self.match_at(q, words, jumps=False):
                return q
        return None

    def find(
        self,
        words: Sequence[str],
        start: int = 0,
        accept: Callable[[Match], bool] | None = None,
    ) -> Match | None:
        if not words:
            return None
        first = words[0]
        for i in range(start, len(self.flow)):
            text = self.flow[i].text
            if text != first and not first.startswith(text.rstrip("".join(_HYPHENS))):
                continue
            found = self.match_at(i, words)
            if found and (accept is None or accept(found)):
                return found
        return None

    def find_text(
        self, text: str, start: int, accept: Callable[[Match], bool] | None = None
    ) -> Match | None:
        """find() for a truth text, noting the words it read from several pieces."""
        words = words_of(text)
        return self.keep(self.find(words, start, accept), words)

    def toks(self, match: Match | None) -> list[Tok]:
        return [] if match is None else [self.flow[i] for used in match for i in used]


class _Table:
    """Cursors of one competence table, one per column: a column's cells are drawn in row
    order, but a row broken by a page may have some cells on the first page and the others
    only on the next (e.g. a one-line Type cell stays, a two-line Name is pushed on)."""

    def __init__(self, finder: Finder, start: int) -> None:
        self.finder = finder
        self.at = dict.fromkeys(COLUMNS, start)
        self.column_x: dict[str, float] = {}  # x0 of the previous row's cell, per column

    def cell(
        self, column: str, text: str, left_of_it: Sequence[Tok], first: bool = True
    ) -> Match | None:
        """The next match of text in its column: right of the row's cells left of it on
        the same page, and (for a cell's first text) aligned with the cell above."""
        flow, known = self.finder.flow, self.column_x.get(column)

        def accept(m: Match) -> bool:
            tok = flow[m[0][0]]
            if first and known is not None and abs(tok.x0 - known) > 2:
                return False
            return tok.x0 > _xmax(left_of_it, tok.page)

        found = self.finder.find_text(text, self.at[column], accept)
        if found is not None:
            self.at[column] = found[-1][-1] + 1
            if first and column != "desc":  # statements may start after a marker
                self.column_x[column] = flow[found[0][0]].x0
        return found

    @property
    def end(self) -> int:
        return max(self.at.values())


@dataclass
class Row:
    """Where one competence row's cells were found."""

    index: int
    name: list[Tok]
    type: list[Tok]
    statements: list[list[Tok]]
    level: list[Tok]
    esco: list[list[Tok]]

    def all(self) -> list[Tok]:
        return [
            *self.name,
            *self.type,
            *(t for s in self.statements for t in s),
            *self.level,
            *(t for e in self.esco for t in e),
        ]


@dataclass
class Located:
    doc: Doc
    problems: list[str]
    paragraphs: list[list[Tok]]
    headings: list[list[Tok]]  # competence section headings
    header_rows: list[list[list[Tok]]]  # per header row, the tokens of each label
    rows: list[Row]
    hyphenated: list[tuple[str, str]]  # (as drawn, truth word): hyphens added at line ends


def _xmax(toks: Iterable[Tok], page: int) -> float:
    return max((t.x0 for t in toks if t.page == page), default=-1.0)


def locate(pdf: Path | str, profile: ProfileData) -> Located:
    """Find every truth text of the profile in the PDF, in document order."""
    doc = read_doc(pdf)
    finder = Finder(doc)
    problems: list[str] = []
    cursor = 0

    def seq(text: str, what: str) -> list[Tok]:
        nonlocal cursor
        found = finder.find_text(text, cursor)
        if found is None:
            problems.append(f"{what} not found: {text[:60]!r}")
            return []
        cursor = found[-1][-1] + 1
        return finder.toks(found)

    cover = [
        seq(text, what)
        for text, what in (
            (profile.alliance, "alliance"),
            (profile.period, "period"),
            (profile.title, "cover title"),
            *((line, "funding") for line in FUNDING),
        )
    ]
    if any(t.page != 0 for part in cover for t in part):
        problems.append("the cover runs over page 1")
    title = seq(profile.title, "title")
    if title and title[0].page != 1:
        problems.append("the title is not on page 2")
    paragraphs = [seq(p, f"description paragraph {n}") for n, p in enumerate(profile.paragraphs)]
    seq("ESCO Occupations", "heading")
    seq(" ".join(OCCUPATION_LABELS), "occupations header")
    for occupation in profile.occupations:
        for text in (occupation.esco_code, occupation.esco_label, occupation.esco_uri):
            seq(text, "occupation")
    seq("Context", "heading")
    for label, texts in (
        ("Minimum EQF", (profile.eqf_text,)),
        ("Value Chain", (profile.value_chain,)),
        ("Departments", profile.departments),
        ("Specialisations", (SPECIALISATIONS_INTRO, *profile.specialisations)),
    ):
        seq(label, "context label")
        for text in texts:
            seq(text, label)

    header_words = words_of(" ".join(HEADER_LABELS))
    label_of = [n for n, label in enumerate(HEADER_LABELS) for _ in words_of(label)]
    headings: list[list[Tok]] = []
    header_rows: list[list[list[Tok]]] = []
    first_header = None
    rows: list[Row] = []
    for section in sections(profile):
        headings.append(seq(section.heading, "section heading"))
        header = finder.find(header_words, cursor)
        if header is None:
            problems.append(f"header row of {section.heading!r} not found")
        else:
            first_header = header[0][0] if first_header is None else first_header
            cursor = header[-1][-1] + 1
        table = _Table(finder, cursor)
        for offset, item in enumerate(section.competences):
            index = section.first_index + offset
            where = f"competence {index} {item.name[:30]!r}"
            name = finder.toks(table.cell("name", item.name, ()))
            if not name:
                problems.append(f"{where}: name not found")
            type_m = table.cell("type", item.type, name)
            if type_m is None and words_of(item.type):
                problems.append(f"{where}: type not found")
            statements: list[list[Tok]] = []
            for n, text in enumerate(item.statements):
                found = table.cell("desc", text, finder.toks(type_m) or name, first=n == 0)
                if found is None:
                    problems.append(f"{where}: statement {n} not found: {text[:50]!r}")
                statements.append(finder.toks(found))
            desc = [t for s in statements for t in s]
            level = finder.toks(table.cell("level", item.level, desc or name))
            if not level and words_of(item.level):
                problems.append(f"{where}: level not found")
            esco: list[list[Tok]] = []
            for n, text in enumerate(item.esco_skills):
                found = table.cell("esco", text, level or desc or name, first=n == 0)
                if found is None:
                    problems.append(f"{where}: ESCO label {n} not found: {text[:50]!r}")
                esco.append(finder.toks(found))
            rows.append(Row(index, name, finder.toks(type_m), statements, level, esco))
        cursor = table.end
    if first_header is not None:
        i = first_header
        while True:
            found = finder.find(header_words, i)
            if found is None:
                break
            cells: list[list[Tok]] = [[] for _ in HEADER_LABELS]
            for n, used in enumerate(found):
                cells[label_of[n]] += [finder.flow[k] for k in used]
            header_rows.append(cells)
            i = found[-1][-1] + 1
    hyphenated = [
        (pieces, word)
        for pieces, word in finder.joined
        if pieces != word and any(h in pieces for h in _HYPHENS)
    ]
    return Located(doc, problems, paragraphs, headings, header_rows, rows, hyphenated)


def text_problems(pdf: Path | str, profile: ProfileData) -> list[str]:
    """Truth texts (cover, description, tables, every statement) not readable in the PDF."""
    return locate(pdf, profile).problems


# --------------------------------------------------------------------------- variations


def _lines_of(toks: Sequence[Tok]) -> list[list[Tok]]:
    """Visual lines of some tokens, per page, top to bottom."""
    out: list[list[Tok]] = []
    for page in sorted({t.page for t in toks}):
        out += _line_groups([t for t in toks if t.page == page])
    return out


def _fontnames_bold(toks: Sequence[Tok]) -> bool:
    return bool(toks) and all(re.search(r"bold|black|heavy", t.font, re.I) for t in toks)


def _family(font: str) -> str | None:
    name = font.lower()
    if any(key in name for key in ("sans", *_SANS[1:])):
        return "sans"
    if any(key in name for key in _SERIF):
        return "serif"
    return None


@dataclass
class _Region:
    x0: float
    x1: float
    top: float
    bottom: float
    holes: list[tuple[float, float]]  # y bands (headings) not part of a table


def _regions(loc: Located) -> dict[int, _Region]:
    """Per page, the area covered by competence tables (headings between them excluded)."""
    toks = [t for row in loc.rows for t in row.all()]
    toks += [t for header in loc.header_rows for cell in header for t in cell]
    regions: dict[int, _Region] = {}
    for page in sorted({t.page for t in toks}):
        on = [t for t in toks if t.page == page]
        holes = [
            (min(t.top for t in h) - 4, max(t.bottom for t in h) + 2)
            for h in loc.headings
            if h and h[0].page == page
        ]
        regions[page] = _Region(
            min(t.x0 for t in on) - 4,
            max(t.x1 for t in on) + 4,
            min(t.top for t in on) - 6,
            max(t.bottom for t in on) + 6,
            holes,
        )
    return regions


def _rules_in(loc: Located) -> tuple[list[tuple[int, Box]], list[tuple[int, Box]]]:
    """(horizontal, vertical) rules inside the competence table areas."""
    horizontal, vertical = [], []
    for page, region in _regions(loc).items():
        for rule in loc.doc.pages[page].rules:
            if rule.x1 < region.x0 or rule.x0 > region.x1:
                continue
            if rule.bottom < region.top or rule.top > region.bottom:
                continue
            mid = (rule.top + rule.bottom) / 2
            if rule.x1 - rule.x0 >= rule.bottom - rule.top:
                if any(a <= mid <= b for a, b in region.holes):
                    continue
                horizontal.append((page, rule))
            else:
                vertical.append((page, rule))
    return horizontal, vertical


def _fill_at(loc: Located, tok: Tok) -> Box | None:
    for box in loc.doc.pages[tok.page].fills:
        if box.holds(tok.cx, tok.cy):
            return box
    return None


def _header_centred(loc: Located) -> bool:
    if not loc.header_rows:
        return False
    cells = loc.header_rows[0]
    page = cells[0][0].page if cells[0] else 0
    info = loc.doc.pages[page]
    top = min(t.top for cell in cells for t in cell)
    bottom = max(t.bottom for cell in cells for t in cell)
    verticals = sorted(
        (r.x0 + r.x1) / 2
        for r in info.rules
        if r.bottom - r.top > r.x1 - r.x0 and r.top <= bottom and r.bottom >= top
    )
    # rule segments drawn per cell just under the header (collapsed cell borders)
    unders = [
        r
        for r in info.rules
        if r.x1 - r.x0 > r.bottom - r.top and bottom - 1 <= r.top <= bottom + 10
    ]
    checked, offset = 0, False
    for cell in cells:
        if not cell:
            return False
        lines = _lines_of(cell)
        x0, x1 = min(t.x0 for t in cell), max(t.x1 for t in cell)
        others = [t for c in cells if c is not cell for t in c]
        left = max((x for x in verticals if x <= x0), default=None)
        right = min((x for x in verticals if x >= x1), default=None)
        if left is None or right is None:
            box = _fill_at(loc, cell[0])
            segment = next(
                (
                    Box(r.x0, r.top, r.x1, r.bottom)
                    for r in unders
                    if r.x0 <= x0 and r.x1 >= x1 and not any(r.x0 < t.cx < r.x1 for t in others)
                ),
                None,
            )
            if box is None or any(box.holds(t.cx, t.cy) for t in others):
                box = segment
            if box is None:
                continue
            left, right = box.x0, box.x1
        centre = (left + right) / 2
        for line in lines:
            mid = (min(t.x0 for t in line) + max(t.x1 for t in line)) / 2
            if abs(mid - centre) > 1.5:
                return False
        checked += 1
        offset = offset or x0 - left > 6
    if checked >= 3:
        return offset
    for cell in cells:  # no cell bounds: a wrapped label's lines share their centre
        lines = _lines_of(cell)
        if len(lines) >= 2:
            mids = [(min(t.x0 for t in ln) + max(t.x1 for t in ln)) / 2 for ln in lines]
            starts = [min(t.x0 for t in ln) for ln in lines]
            if max(mids) - min(mids) <= 1.0 and max(starts) - min(starts) > 2:
                return True
    return False


def _valign(loc: Located) -> tuple[int, int, int]:
    """Counts of multi-line unbroken rows whose Type cell is (top, middle, bottom) aligned."""
    top = middle = bottom = 0
    for row in loc.rows:
        toks = row.all()
        if not row.type or len({t.page for t in toks}) != 1:
            continue
        if len(_line_groups(toks)) < 3:
            continue
        t = row.type[0]
        row_top, row_bottom = min(x.top for x in toks), max(x.bottom for x in toks)
        if t.top <= row_top + 1:
            top += 1
        elif t.bottom >= row_bottom - 1.0:
            bottom += 1
        elif abs(t.cy - (row_top + row_bottom) / 2) <= 0.15 * (row_bottom - row_top) + t.size:
            middle += 1
    return top, middle, bottom


def _esco_paragraphs(loc: Located) -> bool:
    pitches, gaps = [], []
    for row in loc.rows:
        labels = [lab for lab in row.esco if lab]
        for label in labels:
            lines = _lines_of(label)
            if len(lines) >= 2 and lines[0][0].page == lines[1][0].page:
                pitches.append(lines[1][0].top - lines[0][0].top)
        for a, b in pairwise(labels):
            if a[-1].page == b[0].page:
                gaps.append(b[0].top - _lines_of(a)[-1][0].top)
    if not pitches or not gaps:
        return False
    pitch = min(pitches)
    return sum(g > pitch + 1.5 for g in gaps) >= 0.9 * len(gaps)


def _marked(loc: Located) -> tuple[int, int, set[str]]:
    """(statements with a marker drawn left of their first word, statements, glyphs)."""
    found, total, glyphs = 0, 0, set()
    markers_by_page: dict[int, list[Tok]] = {}
    for m in loc.doc.markers:
        markers_by_page.setdefault(m.page, []).append(m)
    for row in loc.rows:
        for statement in row.statements:
            if not statement:
                continue
            total += 1
            t = statement[0]
            hit = None
            for m in markers_by_page.get(t.page, []):
                same_line = abs(m.cy - t.cy) < 0.6 * t.size
                if same_line and m.x1 <= t.x0 + 0.5 and t.x0 - m.x1 < 3 * t.size:
                    hit = m.text
                    break
            if hit is None:
                for s in loc.doc.pages[t.page].shapes:
                    near = t.x0 - s.x1 < 3 * t.size and s.x1 <= t.x0 + 0.5
                    if near and t.top - 1 <= (s.top + s.bottom) / 2 <= t.bottom + 1:
                        hit = "shape"
                        break
            if hit is not None:
                found += 1
                glyphs.add(hit)
    return found, total, glyphs


def _justified_across(loc: Located) -> bool:
    for paragraph in loc.paragraphs:
        if len({t.page for t in paragraph}) < 2:
            continue
        lines = _lines_of(paragraph)[:-1]  # the paragraph's last line is not justified
        if len(lines) < 3:
            continue
        rights = [max(t.x1 for t in line) for line in lines]
        lefts = [min(t.x0 for t in line) for line in lines[1:]]  # the first may be indented
        if max(rights) - min(rights) <= 1.0 and max(lefts) - min(lefts) <= 1.0:
            return True
    return False


def _page_numbers(loc: Located) -> bool:
    pages = len(loc.doc.pages)
    hits = 0
    for number in range(2, pages + 1):
        info = loc.doc.pages[number - 1]
        toks = [t for t in loc.doc.running if t.page == number - 1]
        toks += [  # a folio alone in the margin (its position may differ between pages)
            t
            for t in loc.doc.flow[loc.doc.page_start[number - 1] : loc.doc.page_start[number]]
            if t.top < 0.08 * info.height or t.bottom > 0.92 * info.height
        ]
        text = " ".join(t.text for t in toks)
        if any(re.fullmatch(rf"{number}(/\d+)?", t.text) for t in toks) or re.search(
            rf"\bPage {number}\b", text
        ):
            hits += 1
    return pages >= 3 and hits >= 0.8 * (pages - 1)


def verify(pdf: Path | str, profile: ProfileData) -> tuple[str, ...]:
    """The layout variations seen in the PDF (names of tests/pdfcorpus/variations.py)."""
    return verify_located(locate(pdf, profile))


def verify_located(loc: Located) -> tuple[str, ...]:
    found: set[str] = set()
    doc = loc.doc
    # header rows
    if loc.header_rows:
        first = loc.header_rows[0]
        wraps = [len(_lines_of(cell)) for header in loc.header_rows for cell in header if cell]
        if any(n == 2 for n in wraps):
            found.add("header-wrap-2")
        if any(n >= 3 for n in wraps):
            found.add("header-wrap-3")
        header_toks = [t for cell in first for t in cell]
        if _fontnames_bold(header_toks):
            found.add("header-bold")
        if header_toks and all(_fill_at(loc, t) for t in header_toks):
            found.add("header-shaded")
        if _header_centred(loc):
            found.add("header-centred")
        if len(loc.header_rows) > len(loc.headings):
            found.add("header-repeated")
    # rules and shading
    horizontal, vertical = _rules_in(loc)
    body = [t for row in loc.rows for t in row.all()]
    if horizontal and vertical and len({round(r.x0) for _, r in vertical}) >= 4:
        found.add("rules-grid")
    if len({(p, round(r.top)) for p, r in horizontal}) >= 2 and not vertical:
        found.add("rules-horizontal")
    if not horizontal and not vertical:
        colours = []
        for row in loc.rows:
            if row.name:
                box = _fill_at(loc, row.name[0])
                colours.append(box.color if box else None)
        shaded = sum(c is not None for c in colours)
        if shaded >= 2 and len(set(colours)) >= 2:
            found.add("shaded-rows")
        header_toks = [t for h in loc.header_rows for c in h for t in c]
        if not any(_fill_at(loc, t) for t in (*body, *header_toks)):
            found.add("borderless")
    # cells
    for row in loc.rows:
        if len({t.page for t in row.name}) >= 2:
            found.add("name-across-pages")
        name_pages = {t.page for t in row.name}
        if any(len(_line_groups([t for t in row.name if t.page == p])) >= 2 for p in name_pages):
            found.add("name-wrap")
        pages = sorted({t.page for t in row.all()})
        if len(pages) >= 2:
            found.add("row-across-pages")
        statement_pages = sorted({t.page for s in row.statements for t in s})
        for a, c in zip(statement_pages, statement_pages[2:], strict=False):
            if c == a + 2:  # pages are distinct and sorted: a, a + 1, a + 2
                found.add("row-over-3-pages")
    top, middle, bottom = _valign(loc)
    total = top + middle + bottom
    if total >= 3 and middle >= 0.75 * total:
        found.add("valign-middle")
    if total >= 3 and bottom >= 0.75 * total:
        found.add("valign-bottom")
    if _esco_paragraphs(loc):
        found.add("esco-paragraphs")
    marked, statements, _ = _marked(loc)
    if statements and marked >= 0.95 * statements:
        found.add("bullets-list")
    # pages and text
    table_pages = {t.page for t in body}
    if table_pages and all(doc.pages[p].width > doc.pages[p].height for p in table_pages):
        found.add("landscape")
    if _justified_across(loc):
        found.add("justified-description")
    later = range(1, len(doc.pages))
    worded = [t for t in doc.running if any(c.isalpha() for c in t.text)]  # not a bare folio
    with_running = sum(any(t.page == p for t in worded) for p in later)
    if len(doc.pages) >= 3 and with_running >= 0.8 * len(later):
        found.add("running-header")
    if _page_numbers(loc):
        found.add("page-numbers")
    statement_toks = [t for row in loc.rows for s in row.statements for t in s]
    if statement_toks:
        size = statistics.median(t.size for t in statement_toks)
        if size <= 8.05:
            found.add("small-type")
        if size >= 10.45:
            found.add("large-type")
    for part in (statement_toks, [t for p in loc.paragraphs for t in p]):
        if part:
            fonts = [_family(t.font) for t in part]
            family = max(set(fonts), key=fonts.count)
            if family and fonts.count(family) >= 0.9 * len(fonts):
                found.add(family)
    if loc.hyphenated:
        found.add("hyphenation")
    return tuple(sorted(found))


def describe(pdf: Path | str, profile: ProfileData) -> dict[str, object]:
    """Facts for the report: fonts and sizes of the tables, marker glyphs, page sizes."""
    loc = locate(pdf, profile)
    statement_toks = [t for row in loc.rows for s in row.statements for t in s]
    marked, total, glyphs = _marked(loc)
    return {
        "pages": len(loc.doc.pages),
        "page_sizes": sorted({(round(p.width), round(p.height)) for p in loc.doc.pages}),
        "table_fonts": sorted({t.font for t in statement_toks}),
        "table_sizes": sorted({round(t.size, 2) for t in statement_toks}),
        "markers": sorted(glyphs),
        "marked": f"{marked}/{total}",
        "running": sorted({t.text for t in loc.doc.running})[:12],
        "header_rows": len(loc.header_rows),
        # rows whose Name starts on a later page than another of their cells
        "cells_ahead_of_name": [
            row.index
            for row in loc.rows
            if row.name and any(t.page < row.name[0].page for t in row.all())
        ],
        "problems": loc.problems,
    }


# --------------------------------------------------------------------------- corpus


def aimed_variations(templates: Sequence[Template] = ()) -> list[str]:
    """Every variation an HTML producer must show in at least one PDF: all but NOT_AIMED,
    and those too if one of the templates aims at them."""
    aims = {v for t in templates for v in t.aims}
    return [name for name in VARIATIONS if name not in NOT_AIMED or name in aims]


def _longest_row(profile: ProfileData) -> int:
    return max((len(c.statements) for c in profile.competences), default=0)


def render_corpus(
    profiles: Sequence[tuple[str, ProfileData]],
    folder: Path,
    templates: Sequence[Template],
    print_pdf: Callable[[ProfileData, Template, Path], None],
    budget: int = 18,
    tries: int = 10,
) -> list[Rendered]:
    """Render every profile with one template (by sorted stem index), then extra
    (profile, template) pairs until every aimed variation was seen: at most `tries` extra
    renders per variation, `budget` PDFs in all.

    `print_pdf(profile, template, pdf)` writes one PDF. A PDF whose truth text cannot all be
    read back is dropped with a warning (the profile then gets the next template;
    RuntimeError if none works); the variations of a kept PDF are the verified ones.
    """
    ordered = sorted(profiles, key=lambda item: item[0])
    done: dict[tuple[str, str], Rendered] = {}

    def render(stem: str, profile: ProfileData, template: Template) -> Rendered | None:
        pdf = folder / f"{stem}__{template.name}.pdf"
        print_pdf(profile, template, pdf)
        loc = locate(pdf, profile)
        if loc.problems:
            print(f"warning: {pdf.name} dropped, text not read back: {loc.problems[:3]}")
            pdf.unlink()
            return None
        return Rendered(pdf, stem, template.name, verify_located(loc))

    for n, (stem, profile) in enumerate(ordered):
        for k in range(len(templates)):
            template = templates[(n + k) % len(templates)]
            result = render(stem, profile, template)
            if result is not None:
                done[(stem, template.name)] = result
                break
        else:
            raise RuntimeError(f"{stem}: no template rendered all of its text readably")
    seen = {v for r in done.values() for v in r.variations}
    by_length = sorted(ordered, key=lambda item: (-_longest_row(item[1]), item[0]))
    by_description = sorted(ordered, key=lambda item: (-len(item[1].description), item[0]))
    for variation in aimed_variations(templates):
        candidates = {
            "row-over-3-pages": by_length,
            "justified-description": by_description,
        }.get(variation, ordered)
        pairs = [
            (stem, profile, template)
            for template in templates
            if variation in template.aims
            for stem, profile in candidates
            if (stem, template.name) not in done
        ]
        for stem, profile, template in pairs[:tries]:
            if variation in seen or len(done) >= budget:
                break
            result = render(stem, profile, template)
            if result is not None and set(result.variations) - seen:
                done[(stem, template.name)] = result
                seen |= set(result.variations)
            elif result is not None:
                result.pdf.unlink()
    rendered = sorted(done.values(), key=lambda r: r.pdf.name)
    missing = missing_variations(rendered, templates)
    if missing:
        print(f"warning: variations not produced: {', '.join(missing)}")
    return rendered


def missing_variations(
    rendered: Sequence[Rendered], templates: Sequence[Template] = ()
) -> list[str]:
    seen = {v for r in rendered for v in r.variations}
    return [v for v in aimed_variations(templates) if v not in seen]
