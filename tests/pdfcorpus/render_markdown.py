"""Profile truth to Markdown, the way document converters write a profile.

GitHub-flavoured pipe tables with the variations converters produce (`MarkdownOptions`):
`<br>` between a cell's items or HTML lists (`<ul><li>`), every punctuation character
backslash-escaped or only those that must be, `#` headings or bold ones, the seed's literal
`<ul style=...>` prefix, rows split by hand into continuation rows, pandoc's HTML tables
(`<table>`, one `<p>` per paragraph, wrapped lines) for the tables whose cells hold several
items, and paragraphs wrapped at 72 columns.

    python -m tests.pdfcorpus.render_markdown PROFILE.json OUT.md [VARIANT]
"""

from __future__ import annotations

import html
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.pdfcorpus.data import CompetenceData, ProfileData, load_profile, sections
from tests.pdfcorpus.render_text import (
    COMPETENCE_HEADER,
    FUNDING_LINES,
    OCCUPATION_HEADER,
    SPECIALISATIONS_LEAD_IN,
    UL_PREFIX,
)

# What a converter escapes when it plays safe (CommonMark's escapable characters), and
# what must be escaped anyway for the text to read back as written.
_ALL_PUNCTUATION = set("""!"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~""")
_MUST = set("\\|*_`<[]")


@dataclass(frozen=True)
class MarkdownOptions:
    name: str
    headings: str = "atx"  # atx ('# ESCO Occupations') | bold ('**Context**')
    items: str = "br"  # br ('- a<br>- b') | html (<ul><li>) | seed ('<ul ...> - a - b')
    escape_all: bool = False  # every punctuation character escaped, as some converters do
    tables: str = "pipe"  # pipe | html (pandoc's HTML tables for cells with several items)
    wrap: bool = False  # paragraphs wrapped at 72 columns (soft line breaks)
    continuation_every: int = 0  # split every n-th multi-statement row by hand (0: none)
    context_header: str = "first-row"  # first-row | empty (pipe tables need a header row)


VARIANTS: tuple[MarkdownOptions, ...] = (
    MarkdownOptions("gfm-br"),
    MarkdownOptions("bold-htmllist-escaped", headings="bold", items="html", escape_all=True),
    MarkdownOptions("seed-quirks", items="seed", continuation_every=3, context_header="empty"),
    MarkdownOptions("pandoc-html", tables="html", wrap=True, continuation_every=4),
)


def variant_named(name: str) -> MarkdownOptions:
    for variant in VARIANTS:
        if variant.name == name:
            return variant
    raise KeyError(f"no Markdown variant {name!r}; known: {[v.name for v in VARIANTS]}")


def escape(text: str, options: MarkdownOptions) -> str:
    chars = _ALL_PUNCTUATION if options.escape_all else _MUST
    return "".join(f"\\{char}" if char in chars else char for char in text)


def _heading(text: str, level: int, options: MarkdownOptions) -> list[str]:
    if options.headings == "bold":
        return [f"**{escape(text, options)}**", ""]
    return [f"{'#' * level} {escape(text, options)}", ""]


def _paragraph(text: str, options: MarkdownOptions) -> list[str]:
    body = escape(text, options)
    if options.wrap:
        return [*textwrap.wrap(body, 72, break_on_hyphens=False, break_long_words=False), ""]
    return [body, ""]


def _pipe_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _items(texts: Sequence[str], options: MarkdownOptions, bullets: bool) -> str:
    """A pipe-table cell holding several items (statements when `bullets`)."""
    escaped = [escape(text, options) for text in texts]
    if bullets and options.items == "html":
        return "<ul>" + "".join(f"<li>{text}</li>" for text in escaped) + "</ul>" if texts else ""
    if bullets and options.items == "seed":
        return UL_PREFIX + "".join(f" - {text}" for text in escaped) + " "
    if bullets:
        return "<br>".join(f"- {text}" for text in escaped)
    return "<br>".join(escaped)


@dataclass(frozen=True)
class _Row:
    name: str
    type: str
    statements: tuple[str, ...]
    level: str
    esco: tuple[str, ...]


def _rows(item: CompetenceData, index: int, options: MarkdownOptions) -> list[_Row]:
    """A competence's row, split by hand into a continuation row (empty Name, Type and
    Level) every `continuation_every` competences that have two statements or more."""
    every = options.continuation_every
    whole = _Row(item.name, item.type, item.statements, item.level, item.esco_skills)
    if not every or index % every != every - 1 or len(item.statements) < 2:
        return [whole]
    cut = len(item.statements) // 2
    esco_cut = (len(item.esco_skills) + 1) // 2
    return [
        _Row(item.name, item.type, item.statements[:cut], item.level, item.esco_skills[:esco_cut]),
        _Row("", "", item.statements[cut:], "", item.esco_skills[esco_cut:]),
    ]


def _html_cell(texts: Sequence[str], bullets: bool) -> str:
    """A cell as pandoc writes it: one <p> per paragraph, <ul><li><p> for a list."""
    escaped = [html.escape(text, quote=False) for text in texts]
    if not escaped:
        return "<td></td>"
    if bullets:
        items = "\n".join(f"<li><p>{_wrapped(text)}</p></li>" for text in escaped)
        return f"<td><ul>\n{items}\n</ul></td>"
    if len(escaped) == 1:
        return f"<td>{escaped[0]}</td>"
    return "<td>" + "\n".join(f"<p>{text}</p>" for text in escaped) + "</td>"


def _wrapped(text: str) -> str:
    return "\n".join(textwrap.wrap(text, 72, break_on_hyphens=False, break_long_words=False))


def _html_table(header: Sequence[str] | None, rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["<table>", "<colgroup>"]
    lines += ['<col style="width: 20%" />' for _ in rows[0]] if rows else []
    lines.append("</colgroup>")
    if header:
        lines += ["<thead>", '<tr class="header">']
        lines += [f"<th>{html.escape(label, quote=False)}</th>" for label in header]
        lines += ["</tr>", "</thead>"]
    lines.append("<tbody>")
    for index, cells in enumerate(rows):
        lines.append(f'<tr class="{"odd" if index % 2 == 0 else "even"}">')
        lines += cells
        lines.append("</tr>")
    return [*lines, "</tbody>", "</table>", ""]


def _front(profile: ProfileData, options: MarkdownOptions) -> list[str]:
    lines = [escape(profile.alliance, options), "", escape(profile.period, options), ""]
    lines += [f"**{escape(profile.title, options)}**", ""]
    lines += ['<img src="media/image1.png" style="width:0.94in;height:0.63in" />', ""]
    for line in FUNDING_LINES:  # one paragraph each, as pandoc writes Word's
        lines += [escape(line, options), ""]
    lines += _paragraph(profile.title, options)
    for paragraph in profile.paragraphs:
        lines += _paragraph(paragraph, options)
    lines += _heading("ESCO Occupations", 1, options)
    lines += [_pipe_row(OCCUPATION_HEADER), _pipe_row(["---"] * 3)]
    for o in profile.occupations:
        lines.append(
            _pipe_row([escape(v, options) for v in (o.esco_code, o.esco_label, o.esco_uri)])
        )
    lines += ["", *_heading("Context", 1, options)]
    context = [
        ("Minimum EQF", [profile.eqf_text]),
        ("Value Chain", [profile.value_chain]),
        ("Departments", list(profile.departments)),
        ("Specialisations", [SPECIALISATIONS_LEAD_IN, *profile.specialisations]),
    ]
    if options.tables == "html":
        rows = [
            [
                f"<td><strong>{html.escape(key, quote=False)}</strong></td>",
                _html_cell(values, False),
            ]
            for key, values in context
        ]
        return [*lines, *_html_table(None, rows)]
    cells = [[f"**{key}**", _items(values, options, bullets=False)] for key, values in context]
    if options.context_header == "empty":
        lines += [_pipe_row(["", ""]), _pipe_row(["---", "---"])]
        lines += [_pipe_row(row) for row in cells]
    else:
        lines += [_pipe_row(cells[0]), _pipe_row(["---", "---"])]
        lines += [_pipe_row(row) for row in cells[1:]]
    return [*lines, ""]


def render_markdown(profile: ProfileData, options: MarkdownOptions | None = None) -> str:
    """The whole profile as a Markdown export."""
    options = options or VARIANTS[0]
    lines = _front(profile, options)
    for section in sections(profile):
        lines += _heading(section.heading, 2, options)
        rows = [
            row
            for offset, item in enumerate(section.competences)
            for row in _rows(item, section.first_index + offset, options)
        ]
        if options.tables == "html":
            cells = [
                [
                    _html_cell([row.name] if row.name else [], False),
                    _html_cell([row.type] if row.type else [], False),
                    _html_cell(row.statements, True),
                    _html_cell([row.level] if row.level else [], False),
                    _html_cell(row.esco, False),
                ]
                for row in rows
            ]
            lines += _html_table(COMPETENCE_HEADER, cells)
            continue
        lines += [_pipe_row(COMPETENCE_HEADER), _pipe_row(["---"] * 5)]
        for row in rows:
            lines.append(
                _pipe_row(
                    [
                        escape(row.name, options),
                        escape(row.type, options),
                        _items(row.statements, options, bullets=True),
                        escape(row.level, options),
                        _items(row.esco, options, bullets=False),
                    ]
                )
            )
        lines.append("")
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) not in (2, 3):
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    options = variant_named(args[2]) if len(args) == 3 else VARIANTS[0]
    Path(args[1]).write_text(render_markdown(load_profile(args[0]), options), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
