"""Word documents our producer (producers/docx.py) does not make: author habits applied to
the python-docx Document it builds, each a different way Word stores the same profile.

- `direct-numbering`: bullets set on each paragraph (w:numPr), not through a list style;
- `literal-bullets`: no numbering at all, a typed "• " before each statement;
- `split-rows`: a competence row split by hand into a continuation row (empty Name, Type
  and Level) every third competence that has two statements or more;
- `merged-name`: the same split, its Name, Type and Level cells merged down (w:vMerge);
- `repeated-header`: a two-row header ("Type" over "(S/K)", both marked w:tblHeader) and a
  copy of the header row in the middle of each longer table (a header retyped by hand);
- `title-rows`: no heading paragraphs: one competence table, each category a row of one
  cell spanning the table (w:gridSpan);
- `esco-line-breaks`: a competence's ESCO labels in one paragraph, apart by manual line
  breaks (Shift+Enter).

    python -m tests.pdfcorpus.render_docx PROFILE.json OUT.docx VARIANT
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.pdfcorpus.data import ProfileData, load_profile
from tests.pdfcorpus.producers.docx import (
    COMPETENCE_HEADER,
    TABLE_TEXT,
    TEMPLATES,
    Template,
    build_document,
)


def _w(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(f"w:{tag}")


def _element(tag: str, **attrs: str) -> Any:
    from docx.oxml import OxmlElement

    node = OxmlElement(f"w:{tag}")
    for key, value in attrs.items():
        node.set(_w(key), value)
    return node


def competence_tables(document: Any) -> list[Any]:
    """The python-docx tables whose first row is the competence header."""
    return [
        table
        for table in document.tables
        if table.rows and table.rows[0].cells[0].text.strip() == COMPETENCE_HEADER[0]
    ]


def _body_rows(table: Any) -> list[Any]:
    return [row._tr for row in table.rows][1:]


def _cells(tr: Any) -> list[Any]:
    return tr.findall(_w("tc"))


def _paragraphs(tc: Any) -> list[Any]:
    return tc.findall(_w("p"))


def _style_of(paragraph: Any) -> str | None:
    style = paragraph.find(f"{_w('pPr')}/{_w('pStyle')}")
    return None if style is None else style.get(_w("val"))


def _set_style(paragraph: Any, style_id: str) -> None:
    ppr = paragraph.find(_w("pPr"))
    if ppr is None:
        ppr = _element("pPr")
        paragraph.insert(0, ppr)
    style = ppr.find(_w("pStyle"))
    if style is None:
        style = _element("pStyle")
        ppr.insert(0, style)
    style.set(_w("val"), style_id)


def _bullet_paragraphs(document: Any) -> list[Any]:
    """Statement paragraphs: those of the Description column of the competence tables."""
    return [
        paragraph
        for table in competence_tables(document)
        for tr in _body_rows(table)
        for paragraph in _paragraphs(_cells(tr)[2])
        if _text(paragraph)
    ]


def _style_id(document: Any, name: str) -> str:
    return str(document.styles[name].style_id)


def _bullet_style(document: Any, paragraphs: Sequence[Any]) -> Any:
    styles = {_style_of(p) for p in paragraphs}
    (style_id,) = styles
    return next(s for s in document.styles if s.style_id == style_id)


def direct_numbering(document: Any) -> None:
    paragraphs = _bullet_paragraphs(document)
    style = _bullet_style(document, paragraphs)
    numpr = style.element.find(f"{_w('pPr')}/{_w('numPr')}")
    text_style = _style_id(document, TABLE_TEXT)
    for paragraph in paragraphs:
        _set_style(paragraph, text_style)
        paragraph.find(_w("pPr")).append(copy.deepcopy(numpr))


def literal_bullets(document: Any) -> None:
    text_style = _style_id(document, TABLE_TEXT)
    for paragraph in _bullet_paragraphs(document):
        _set_style(paragraph, text_style)
        run = paragraph.find(_w("r"))
        text = run.find(_w("t"))
        text.text = "• " + (text.text or "")


def _text(node: Any) -> str:
    """The text of the w:t elements under a node (python-docx's elements do not itertext
    plainly)."""
    return "".join(t.text or "" for t in node.iter(_w("t"))).strip()


def _empty_paragraph(like: Any) -> Any:
    paragraph = _element("p")
    ppr = like.find(_w("pPr"))
    if ppr is not None:
        paragraph.append(copy.deepcopy(ppr))
    return paragraph


def _split(tr: Any, merge: bool) -> Any:
    """Move the second half of a row's statements and ESCO labels into a new row below."""
    new = copy.deepcopy(tr)
    tr.addnext(new)
    old_cells, new_cells = _cells(tr), _cells(new)
    for column in (2, 4):
        paragraphs = _paragraphs(old_cells[column])
        cut = (len(paragraphs) + 1) // 2 if column == 4 else len(paragraphs) // 2
        for paragraph in paragraphs[cut:]:
            old_cells[column].remove(paragraph)
        kept = _paragraphs(new_cells[column])
        for paragraph in kept[:cut]:
            new_cells[column].remove(paragraph)
        if not _paragraphs(old_cells[column]):
            old_cells[column].append(_empty_paragraph(kept[0]))
        if not _paragraphs(new_cells[column]):
            new_cells[column].append(_empty_paragraph(kept[0]))
    for column in (0, 1, 3):
        for paragraph in _paragraphs(new_cells[column]):
            new_cells[column].remove(paragraph)
        new_cells[column].append(_empty_paragraph(_paragraphs(old_cells[column])[0]))
        if merge:
            old_pr, new_pr = old_cells[column].find(_w("tcPr")), new_cells[column].find(_w("tcPr"))
            old_pr.append(_element("vMerge", val="restart"))
            new_pr.append(_element("vMerge"))
    return new


def _split_rows(document: Any, merge: bool) -> None:
    index = 0
    for table in competence_tables(document):
        for tr in _body_rows(table):
            statements = [p for p in _paragraphs(_cells(tr)[2]) if _text(p)]
            if len(statements) >= 2:
                if index % 3 == 2:
                    _split(tr, merge)
                index += 1


def split_rows(document: Any) -> None:
    _split_rows(document, merge=False)


def merged_name(document: Any) -> None:
    _split_rows(document, merge=True)


def repeated_header(document: Any) -> None:
    for table in competence_tables(document):
        header = table.rows[0]._tr
        body = _body_rows(table)
        if len(body) >= 4:
            body[len(body) // 2].addprevious(copy.deepcopy(header))
        second = copy.deepcopy(header)
        header.addnext(second)
        for column, tc in enumerate(_cells(header)):
            if column == 1:
                tc.find(f".//{_w('t')}").text = "Type"
        for column, tc in enumerate(_cells(second)):
            text = tc.find(f".//{_w('t')}")
            text.text = "(S/K)" if column == 1 else ""
        for tr in (header, second):
            trpr = tr.find(_w("trPr"))
            if trpr is None:
                trpr = _element("trPr")
                tr.insert(0, trpr)
            if trpr.find(_w("tblHeader")) is None:
                trpr.append(_element("tblHeader"))


def title_rows(document: Any) -> None:
    """One competence table: the others' rows moved into the first, each category heading
    a row of one cell spanning the table, the heading paragraphs removed."""
    tables = competence_tables(document)
    first = tables[0]._tbl
    for index, table in enumerate(tables):
        tbl = table._tbl
        heading = tbl.getprevious()
        header, *rows = [row._tr for row in table.rows]
        title = copy.deepcopy(header)
        for tc in _cells(title)[1:]:
            title.remove(tc)
        tc = _cells(title)[0]
        tc.find(_w("tcPr")).append(_element("gridSpan", val=str(len(COMPETENCE_HEADER))))
        tc.find(f".//{_w('t')}").text = _text(heading)
        trpr = title.find(_w("trPr"))
        if trpr is not None:
            title.remove(trpr)
        if index == 0:  # Word keeps a paragraph between two tables, or they are one
            for child in list(heading):
                if child.tag != _w("pPr"):
                    heading.remove(child)
        else:
            heading.getparent().remove(heading)
        if index == 0:
            header.addprevious(title)
            continue
        first.append(title)
        for tr in rows:
            first.append(tr)
        tbl.getparent().remove(tbl)


def esco_line_breaks(document: Any) -> None:
    for table in competence_tables(document):
        for tr in _body_rows(table):
            cell = _cells(tr)[4]
            paragraphs = _paragraphs(cell)
            if len(paragraphs) < 2:
                continue
            first = paragraphs[0]
            for paragraph in paragraphs[1:]:
                run = _element("r")
                run.append(_element("br"))
                first.append(run)
                for child in paragraph.findall(_w("r")):
                    first.append(child)
                cell.remove(paragraph)


HABITS: dict[str, Callable[[Any], None]] = {
    "direct-numbering": direct_numbering,
    "literal-bullets": literal_bullets,
    "split-rows": split_rows,
    "merged-name": merged_name,
    "repeated-header": repeated_header,
    "title-rows": title_rows,
    "esco-line-breaks": esco_line_breaks,
}


@dataclass(frozen=True)
class DocxVariant:
    """A producer template and the habits applied to its document, in order."""

    template: str
    habits: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return "-".join((self.template, *self.habits))


VARIANTS: tuple[DocxVariant, ...] = (
    *(DocxVariant(template.name) for template in TEMPLATES),
    DocxVariant("word-grid", ("direct-numbering", "split-rows", "esco-line-breaks")),
    DocxVariant("plain-caladea", ("literal-bullets", "merged-name", "repeated-header")),
    DocxVariant("report-serif", ("direct-numbering", "title-rows")),
)


def _template(name: str) -> Template:
    return next(template for template in TEMPLATES if template.name == name)


def write_variant(profile: ProfileData, variant: DocxVariant, path: Path) -> Path:
    document = build_document(profile, _template(variant.template))
    for habit in variant.habits:
        HABITS[habit](document)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def variant_named(name: str) -> DocxVariant:
    for variant in VARIANTS:
        if variant.name == name:
            return variant
    raise KeyError(f"no DOCX variant {name!r}; known: {[v.name for v in VARIANTS]}")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 3:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    write_variant(load_profile(args[0]), variant_named(args[2]), Path(args[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
