"""Word documents to a Document: built here with python-docx, each named after the way
Word stores what it covers, with the exact rows expected; bad packages get their verdicts."""

from __future__ import annotations

import copy
import io
import os
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from pipeline.codes import Code
from pipeline.discover import discover_inputs
from pipeline.errors import PipelineError
from pipeline.extract import FORMATS_BY_SUFFIX
from pipeline.extract.docx import MAX_XML_MB, read_docx
from pipeline.model import Cell, Document, Source
from pipeline.process import process_file

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
HEADER = ("Name", "Type (S/K)", "Description/Context", "Level", "ESCO")
URI = "http://data.europa.eu/esco/occupation/10469d70-78a3-4650-9e29-d04de13c62c1"


def _element(tag: str, **attrs: str) -> Any:
    node = OxmlElement(f"w:{tag}")
    for key, value in attrs.items():
        node.set(qn(f"w:{key}"), value)
    return node


def _fill(cell: Any, texts: list[str]) -> None:
    for index, text in enumerate(texts):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.add_run(text)


def profile_document(rows: list[list[list[str]]] | None = None) -> Any:
    """A small profile: cover, description, occupations, context, one competence table
    with the given rows (each cell a list of paragraphs)."""
    document = docx.Document()
    for text in ("Alliance for Batteries Technology, Training and Skills", "2019-2023"):
        document.add_paragraph(text)
    document.add_paragraph("Cell Engineers")
    for line in ("Co-funded by the", "Erasmus+ Programme", "of the European Union"):
        document.add_paragraph(line)
    document.add_paragraph("Cell Engineers", style="Title")
    document.add_paragraph("Cell engineers design battery cells.")
    document.add_paragraph("ESCO Occupations", style="Heading 1")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ("ID", "NAME", "Concept URI"), strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ("2151.1", "electrical engineer", URI), strict=True):
        cell.text = text
    document.add_paragraph("Context", style="Heading 1")
    table = document.add_table(rows=0, cols=2)
    for key, values in (
        ("Minimum EQF", ["6/7"]),
        ("Value Chain", ["Cell Manufacturing"]),
        ("Departments", ["Production and Maintenance", "Quality"]),
        ("Specialisations", ["Other job roles that are more specialised but based on this"]),
    ):
        cells = table.add_row().cells
        _fill(cells[0], [key])
        _fill(cells[1], values)
    document.add_paragraph("Soft Competence", style="Heading 2")
    table = document.add_table(rows=1, cols=5)
    for cell, text in zip(table.rows[0].cells, HEADER, strict=True):
        cell.text = text
    body = rows or [
        [["Teamwork"], ["S"], ["- Work in teams", "- Share results"], ["Expert"], ["teamwork"]]
    ]
    for row in body:
        for cell, texts in zip(table.add_row().cells, row, strict=True):
            _fill(cell, texts)
    return document


def to_bytes(document: Any) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def read(data: bytes, name: str = "p.docx") -> Document:
    return read_docx(data, Source(name, "docx", ""))


def competence_table(document: Any) -> Any:
    return document.tables[-1]


def rows_of(document: Document) -> list[tuple[str, str, str, list[str], list[str]]]:
    return [
        (
            raw.name.text,
            raw.type.text,
            raw.level.text,
            [cell.text for cell in raw.description],
            [cell.text for cell in raw.esco],
        )
        for section in document.sections
        for raw in section.competences
    ]


def test_a_profile_reads_with_paragraph_numbers_as_lines() -> None:
    document = read(to_bytes(profile_document()))
    assert (document.alliance.text, document.period.text) == (
        "Alliance for Batteries Technology, Training and Skills",
        "2019-2023",
    )
    # The cover's title repeated as the Title paragraph is the title, not description;
    # the funding statement's three paragraphs are one block and dropped.
    assert document.title == Cell("Cell Engineers", 7)
    assert document.description == (Cell("Cell engineers design battery cells.", 8),)
    (occupation,) = document.occupations
    # Paragraphs 10-15 are the header row's; the row's first cell is paragraph 13.
    assert (occupation.code, occupation.label.text, occupation.uri.text) == (
        Cell("2151.1", 13),
        "electrical engineer",
        URI,
    )
    assert [(entry.key, entry.value.text) for entry in document.context] == [
        ("Minimum EQF", "6/7"),
        ("Value Chain", "Cell Manufacturing"),
        ("Departments", "Production and Maintenance\nQuality"),
        ("Specialisations", "Other job roles that are more specialised but based on this"),
    ]
    (section,) = document.sections
    assert section.heading.text == "Soft Competence"
    (competence,) = section.competences
    # 26 is the heading, 27-31 the header row's cells.
    assert competence.name == Cell("Teamwork", 32)
    assert competence.description == (Cell("- Work in teams", 34), Cell("- Share results", 35))
    assert competence.esco == (Cell("teamwork", 37),)


def _number(paragraph: Any, num_id: str, level: str = "0") -> None:
    numpr = _element("numPr")
    numpr.append(_element("ilvl", val=level))
    numpr.append(_element("numId", val=num_id))
    paragraph._p.get_or_add_pPr().append(numpr)


def _bullet_definition(document: Any, fmt: str = "bullet") -> str:
    """A numbering definition of one level in the given format; its numId."""
    numbering = document.part.numbering_part.element
    abstract = _element("abstractNum", abstractNumId="90")
    level = _element("lvl", ilvl="0")
    level.append(_element("numFmt", val=fmt))
    level.append(_element("lvlText", val="•"))
    abstract.append(level)
    numbering.insert(0, abstract)
    num = _element("num", numId="90")
    num.append(_element("abstractNumId", val="90"))
    numbering.append(num)
    return "90"


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ("direct-numbering", ["- Work in teams", "- Share results"]),
        ("list-style", ["- Work in teams", "- Share results"]),
        ("numbering-format-none", ["Work in teams", "Share results"]),
        ("numbering-removed", ["Work in teams", "Share results"]),
        ("literal-markers", ["• Work in teams", "– Share results"]),
    ],
)
def test_list_paragraphs_become_statements(how: str, expected: list[str]) -> None:
    document = profile_document(
        [[["Teamwork"], ["S"], ["Work in teams", "Share results"], ["Expert"], ["teamwork"]]]
    )
    paragraphs = competence_table(document).rows[1].cells[2].paragraphs
    if how == "direct-numbering":
        num_id = _bullet_definition(document)
        for paragraph in paragraphs:
            _number(paragraph, num_id)
    elif how == "list-style":  # python-docx's template: List Bullet carries the numbering
        for paragraph in paragraphs:
            paragraph.style = document.styles["List Bullet"]
    elif how == "numbering-format-none":
        num_id = _bullet_definition(document, "none")
        for paragraph in paragraphs:
            _number(paragraph, num_id)
    elif how == "numbering-removed":  # a List Bullet paragraph whose numbering is cleared
        for paragraph in paragraphs:
            paragraph.style = document.styles["List Bullet"]
            _number(paragraph, "0")
    else:
        paragraphs[0].runs[0].text = "• Work in teams"
        paragraphs[1].runs[0].text = "– Share results"
    [(_, _, _, description, _)] = rows_of(read(to_bytes(document)))
    assert description == expected


def test_a_merged_name_cell_continues_the_competence_above() -> None:
    document = profile_document(
        [
            [["Teamwork"], ["S"], ["- Work in teams"], ["Expert"], ["teamwork"]],
            [[""], [""], ["- Share results"], [""], ["communication"]],
            [["English"], ["K"], ["- Speak English"], ["Practitioner"], ["English"]],
        ]
    )
    rows = competence_table(document).rows
    for column in (0, 1, 3):
        rows[1].cells[column].merge(rows[2].cells[column])  # Word's vMerge
    assert 'w:vMerge w:val="restart"' in rows[1]._tr.xml
    assert rows_of(read(to_bytes(document))) == [
        (
            "Teamwork",
            "S",
            "Expert",
            ["- Work in teams", "- Share results"],
            ["teamwork", "communication"],
        ),
        ("English", "K", "Practitioner", ["- Speak English"], ["English"]),
    ]


def test_a_merged_name_over_rows_with_their_own_type_names_both() -> None:
    document = profile_document(
        [
            [["BMS"], ["K"], ["- Know BMS"], ["Expert"], ["BMS"]],
            [[""], ["S"], ["- Design BMS"], ["Expert"], ["design BMS"]],
        ]
    )
    rows = competence_table(document).rows
    rows[1].cells[0].merge(rows[2].cells[0])
    assert [row[:3] for row in rows_of(read(to_bytes(document)))] == [
        ("BMS", "K", "Expert"),
        ("BMS", "S", "Expert"),
    ]


def test_a_row_split_by_hand_continues_the_competence_above() -> None:
    document = profile_document(
        [
            [["Teamwork"], ["S"], ["- Work in teams"], ["Expert"], ["teamwork"]],
            [[""], [""], ["- Share results"], [""], [""]],
        ]
    )
    [(name, _, _, description, esco)] = rows_of(read(to_bytes(document)))
    assert (name, description, esco) == (
        "Teamwork",
        ["- Work in teams", "- Share results"],
        ["teamwork", ""],
    )


def test_a_continuation_row_first_in_its_table_is_an_error() -> None:
    document = profile_document([[[""], [""], ["- Share results"], [""], [""]]])
    with pytest.raises(PipelineError) as caught:
        read(to_bytes(document))
    assert caught.value.code is Code.ORPHAN_CONTINUATION
    assert caught.value.location.line == 32


def _mark_header(row: Any) -> None:
    row._tr.get_or_add_trPr().append(_element("tblHeader"))


def test_header_rows_over_two_rows_and_repeated_midway_are_not_rows() -> None:
    document = profile_document(
        [
            [["Teamwork"], ["S"], ["- Work in teams"], ["Expert"], ["teamwork"]],
            [["English"], ["K"], ["- Speak English"], ["Practitioner"], ["English"]],
        ]
    )
    table = competence_table(document)
    header = table.rows[0]._tr
    repeat = copy.deepcopy(header)
    table.rows[2]._tr.addprevious(repeat)  # retyped by hand between the two rows
    second = copy.deepcopy(header)
    header.addnext(second)
    for column, tc in enumerate(header.findall(qn("w:tc"))):
        tc.find(f".//{qn('w:t')}").text = "Type" if column == 1 else HEADER[column]
    for column, tc in enumerate(second.findall(qn("w:tc"))):
        tc.find(f".//{qn('w:t')}").text = "(S/K)" if column == 1 else ""
    _mark_header(table.rows[0])
    _mark_header(table.rows[1])
    assert [row[0] for row in rows_of(read(to_bytes(document)))] == ["Teamwork", "English"]


def test_a_category_row_spanning_the_table_heads_a_section() -> None:
    document = profile_document(
        [
            [["Teamwork"], ["S"], ["- Work in teams"], ["Expert"], ["teamwork"]],
            [["Sector Specific Competence"], [""], [""], [""], [""]],
            [["BMS"], ["K"], ["- Know BMS"], ["Expert"], ["BMS"]],
        ]
    )
    row = competence_table(document).rows[2]
    row.cells[0].merge(row.cells[4])  # Word's gridSpan
    assert 'w:gridSpan w:val="5"' in row._tr.xml
    parsed = read(to_bytes(document))
    assert [(s.heading.text, [c.name.text for c in s.competences]) for s in parsed.sections] == [
        ("Soft Competence", ["Teamwork"]),
        ("Sector Specific Competence", ["BMS"]),
    ]


def test_esco_labels_apart_by_manual_line_breaks_share_their_paragraph_number() -> None:
    document = profile_document(
        [[["Teamwork"], ["S"], ["- Work in teams"], ["Expert"], ["teamwork"]]]
    )
    paragraph = competence_table(document).rows[1].cells[4].paragraphs[0]
    run = paragraph.add_run()
    run.add_break()
    paragraph.add_run("communication")
    [competence] = read(to_bytes(document)).sections[0].competences
    assert competence.esco == (Cell("teamwork", 36), Cell("communication", 36))


def test_tracked_changes_and_field_codes_read_as_word_shows_them() -> None:
    document = profile_document()
    paragraph = competence_table(document).rows[1].cells[2].paragraphs[0]
    deleted = _element("del", id="1", author="a", date="2024-01-01T00:00:00Z")
    run = _element("r")
    text = _element("delText")
    text.text = " in silos"
    run.append(text)
    deleted.append(run)
    inserted = _element("ins", id="2", author="a", date="2024-01-01T00:00:00Z")
    run = _element("r")
    text = _element("t")
    text.text = " across sites"
    text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run.append(text)
    inserted.append(run)
    field = _element("r")
    code = _element("instrText")
    code.text = " PAGE "
    field.append(code)
    for child in (deleted, inserted, field):
        paragraph._p.append(child)
    [(_, _, _, description, _)] = rows_of(read(to_bytes(document)))
    assert description == ["- Work in teams across sites", "- Share results"]


def test_a_text_box_cover_is_read() -> None:
    document = profile_document()
    body = document.element.body
    first = body.find(qn("w:p"))
    anchor = _element("p")
    run = _element("r")
    choice = etree.Element(f"{{{MC}}}AlternateContent")
    inside = etree.Element(f"{{{MC}}}Choice")
    drawing = _element("drawing")
    box = _element("txbxContent")
    for text in ("Alliance for Batteries Technology, Training and Skills",):
        paragraph = _element("p")
        inner = _element("r")
        t = _element("t")
        t.text = text
        inner.append(t)
        paragraph.append(inner)
        box.append(paragraph)
    drawing.append(box)
    inside.append(drawing)
    choice.append(inside)
    fallback = etree.Element(f"{{{MC}}}Fallback")
    fallback.append(copy.deepcopy(drawing))
    choice.append(fallback)
    run.append(choice)
    anchor.append(run)
    first.addprevious(anchor)
    body.remove(first)  # the alliance now only in the text box (its copy skipped)
    parsed = read(to_bytes(document))
    assert parsed.alliance.text == "Alliance for Batteries Technology, Training and Skills"
    assert parsed.period.text == "2019-2023"


def test_a_table_of_contents_is_not_read_but_counted() -> None:
    plain = profile_document()
    document = profile_document()
    title = next(p for p in document.paragraphs if p.style.name == "Title")
    for style, text in (
        ("TOCHeading", "Contents"),
        ("TOC1", "ESCO Occupations\t3"),
        ("TOC1", "Context\t3"),
        ("TOC2", "Soft Competence\t4"),
    ):
        paragraph = title.insert_paragraph_before(text)
        paragraph._p.get_or_add_pPr().insert(0, _element("pStyle", val=style))
    expected, parsed = read(to_bytes(plain)), read(to_bytes(document))
    assert [c.text for c in parsed.description] == [c.text for c in expected.description]
    assert parsed.title == Cell("Cell Engineers", 11)  # the TOC's four paragraphs counted
    assert rows_of(parsed) == rows_of(expected)


def test_a_hostile_span_cannot_grow_a_table() -> None:
    document = profile_document()
    tcpr = competence_table(document).rows[1].cells[4]._tc.get_or_add_tcPr()
    tcpr.append(_element("gridSpan", val="2000000000"))
    competence_table(document).rows[1]._tr.get_or_add_trPr().append(
        _element("gridBefore", val="2000000000")
    )
    with pytest.raises(PipelineError) as caught:
        read(to_bytes(document))
    # Everything past the 64th column is folded into it: text in no named column.
    assert caught.value.code is Code.BAD_ROW


# --- packages -----------------------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)
    return buffer.getvalue()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


def _patch_central(data: bytes, member: str, offset: int, value: int, size: str = "<I") -> bytes:
    """The package with one field of a member's central directory record replaced."""
    name = member.encode()
    at = data.index(b"PK\x01\x02")
    while True:
        at = data.index(b"PK\x01\x02", at)
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + length] == name:
            end = at + offset + struct.calcsize(size)
            return data[: at + offset] + struct.pack(size, value) + data[end:]
        at += 4


def _declare_size(data: bytes, member: str, size: int) -> bytes:
    """The package declaring `size` unpacked bytes for one member (a crafted zip bomb)."""
    return _patch_central(data, member, 24, size)


def _encrypted_members(data: bytes) -> bytes:
    """The package with its document part flagged as encrypted (a zip password)."""
    return _patch_central(data, "word/document.xml", 8, 0x1, "<H")


def _macro_enabled(data: bytes) -> bytes:
    members = _members(data)
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        b"application/vnd.ms-word.document.macroEnabled.main+xml",
    )
    assert b"macroEnabled" in members["[Content_Types].xml"]
    members["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 a VBA project nobody runs"
    return _zip(members)


def _presentation(data: bytes) -> bytes:
    members = _members(data)
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"wordprocessingml.document.main+xml", b"presentationml.presentation.main+xml"
    )
    return _zip(members)


def _damaged_xml(data: bytes) -> bytes:
    members = _members(data)
    members["word/document.xml"] = members["word/document.xml"][:-200]
    return _zip(members)


def _big_xml(data: bytes) -> bytes:
    """A part that declares more XML than any profile holds, at a ratio deflate can give."""
    members = _members(data)
    members["customXml/item9.xml"] = os.urandom(64 * 1024)
    return _declare_size(_zip(members), "customXml/item9.xml", (MAX_XML_MB + 1) * 2**20)


def _too_many_members(data: bytes) -> bytes:
    at = data.rindex(b"PK\x05\x06")
    return data[: at + 8] + struct.pack("<HH", 60_000, 60_000) + data[at + 12 :]


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.parametrize(
    ("make", "code", "words"),
    [
        (lambda d: b"just some text, not a zip", Code.NOT_A_DOCX, "not a zip package"),
        (lambda d: _zip({"notes.txt": b"hello"}), Code.NOT_A_DOCX, "not a Word document"),
        (
            lambda d: _zip({"mimetype": b"application/vnd.oasis.opendocument.text"}),
            Code.NOT_A_DOCX,
            "OpenDocument",
        ),
        (
            lambda d: OLE + "EncryptedPackage".encode("utf-16-le"),
            Code.DOCX_ENCRYPTED,
            "encrypted",
        ),
        (lambda d: OLE + "WordDocument".encode("utf-16-le"), Code.NOT_A_DOCX, "97-2003"),
        (lambda d: d[: len(d) // 2], Code.NOT_A_DOCX, "damaged"),
        (_damaged_xml, Code.NOT_A_DOCX, "damaged"),
        (_presentation, Code.NOT_A_DOCX, "PowerPoint"),
        (
            lambda d: _declare_size(d, "word/document.xml", 4_000_000_000),
            Code.UNPACKS_TOO_LARGE,
            "zip bomb",
        ),
        (_big_xml, Code.UNPACKS_TOO_LARGE, "XML"),
        (_too_many_members, Code.UNPACKS_TOO_LARGE, "60,000 files"),
        (_encrypted_members, Code.DOCX_ENCRYPTED, "needs a password"),
    ],
    ids=[
        "not-a-zip",
        "zip-not-word",
        "opendocument",
        "encrypted",
        "legacy-doc",
        "truncated",
        "damaged-xml",
        "powerpoint",
        "declared-size-beyond-deflate",
        "xml-too-large",
        "too-many-members",
        "zip-password",
    ],
)
def test_bad_word_files_get_a_verdict_that_names_the_problem(
    make: Callable[[bytes], bytes], code: Code, words: str
) -> None:
    data = make(to_bytes(profile_document()))
    with pytest.raises(PipelineError) as caught:
        read(data)
    assert caught.value.code is code
    assert words in caught.value.message
    assert caught.value.hint


def test_a_macro_enabled_document_reads_like_a_docx_without_running_anything() -> None:
    data = to_bytes(profile_document())
    assert rows_of(read(_macro_enabled(data), "p.docm")) == rows_of(read(data))


def test_word_files_are_discovered_and_published_as_docx(tmp_path: Path) -> None:
    assert FORMATS_BY_SUFFIX[".docx"] == FORMATS_BY_SUFFIX[".docm"] == "docx"
    data = to_bytes(profile_document())
    (tmp_path / "profile.docx").write_bytes(data)
    (tmp_path / "macro.docm").write_bytes(_macro_enabled(data))
    (tmp_path / "locked.docx").write_bytes(OLE + "EncryptedPackage".encode("utf-16-le"))
    found = {each.name for each in discover_inputs([tmp_path])}
    assert found == {"profile.docx", "macro.docm", "locked.docx"}
    result = process_file(tmp_path / "profile.docx")
    assert result.verdict.status == "ok", [str(i) for i in result.verdict.errors]
    assert result.verdict.source_format == "docx"
    assert result.tables is not None
    statements = result.tables["competence_statements"]
    assert list(statements["source_line"]) == [34, 35]
    assert statements["source_page"].isna().all()
    locked = process_file(tmp_path / "locked.docx")
    assert locked.verdict.status == "rejected"
    assert [issue.code for issue in locked.verdict.errors] == [Code.DOCX_ENCRYPTED]
