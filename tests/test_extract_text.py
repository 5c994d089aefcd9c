"""Seed-format text to a Document: structure found, quirks accepted, errors located."""

from __future__ import annotations

import codecs
import dataclasses
import re
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.codes import Code
from pipeline.errors import ExtractError, ReadError
from pipeline.extract.encoding import decode_text
from pipeline.extract.structure import blocks_to_cover, competence_header, occupation_header
from pipeline.extract.text import Line, bytes_to_text, lines_to_blocks, read_text, text_to_lines
from pipeline.model import Cell, ContextEntry, Document, Issue, Location, RawOccupation, Source

FILE = "raw/x.txt"
SOURCE = Source(FILE, "text", "0" * 64)
HEADER = "Name\tType (S/K)\tDescription/Context\tLevel\tESCO"
ESCO = "http://data.europa.eu/esco/occupation/"


def document(text: str) -> Document:
    return read_text(text.encode("utf-8"), SOURCE)


def replace_line(text: str, number: int, new: str) -> str:
    """The text with line `number` (1-based) replaced, so no other line moves."""
    lines = text.split("\n")
    lines[number - 1] = new
    return "\n".join(lines)


def blank_lines(text: str, *numbers: int) -> str:
    for number in numbers:
        text = replace_line(text, number, "")
    return text


def strip_trailing_tabs(text: str, *numbers: int) -> str:
    lines = text.split("\n")
    for number in numbers:
        lines[number - 1] = lines[number - 1].rstrip("\t")
    return "\n".join(lines)


# --- the seed ---------------------------------------------------------------------------


def test_seed_cover_cells_and_lines(seed_text: str) -> None:
    doc = document(seed_text)
    assert doc.source == SOURCE
    assert doc.alliance == Cell("Alliance for Batteries Technology, Training and Skills", 5)
    assert doc.period == Cell("2019-2023", 7)
    # The title repeated on page 2 (line 19) is the one kept, not a description paragraph.
    assert doc.title == Cell("Embedded System and BMS Engineers", 19)
    assert [(cell.line, cell.text[:40]) for cell in doc.description] == [
        (21, "An embedded systems engineer is responsi"),
        (23, "A Battery Management System (BMS) engine"),
    ]


def test_seed_occupations(seed_text: str) -> None:
    assert document(seed_text).occupations == (
        RawOccupation(
            Cell("2511.5", 28),
            Cell("embedded system designer", 28),
            Cell(ESCO + "10469d70-78a3-4650-9e29-d04de13c62c1", 28),
        ),
        RawOccupation(
            Cell("2512.4", 29),
            Cell("software developer", 29),
            Cell(ESCO + "f2b15a0e-e65a-438a-affb-29b9d50b77d1", 29),
        ),
        RawOccupation(
            Cell("2151.1", 30),
            Cell("electrical engineer", 30),
            Cell(ESCO + "86ca306c-ab99-420a-9e2a-aa73c5c4de22", 30),
        ),
        RawOccupation(
            Cell("2514.2.1", 31),
            Cell("embedded systems software developer", 31),
            Cell(ESCO + "57af9090-55b4-4911-b2d0-86db01c00b02", 31),
        ),
    )


def test_seed_context_keys_in_order(seed_text: str) -> None:
    context = document(seed_text).context
    assert [(entry.key, entry.value.line) for entry in context] == [
        ("Minimum EQF", 35),
        ("Value Chain", 36),
        ("Departments", 37),
        ("Specialisations", 38),
    ]
    assert context[:3] == (
        ContextEntry("Minimum EQF", Cell("6/7/8", 35)),
        ContextEntry("Value Chain", Cell("Modules & Pack Battery Integration", 36)),
        ContextEntry(
            "Departments", Cell("Production and Maintenance Quality RnD IT/Digitalisation", 37)
        ),
    )


def test_seed_sections_headings_and_counts(seed_text: str) -> None:
    sections = document(seed_text).sections
    assert [(s.heading, len(s.competences)) for s in sections] == [
        (Cell("Cross-sectoral Specific Competence", 40), 11),
        (Cell("Sector Specific Competence", 58), 3),
        (Cell("Soft Competence", 65), 2),
        (Cell("General Transversal Competence", 73), 3),
        (Cell("Academic Competence (can be taken from University programme)", 80), 2),
    ]
    assert [c.name.text for c in sections[2].competences] == ["Teamwork", "Communication"]


def test_seed_continuation_row_merged_into_teamwork(seed_text: str) -> None:
    teamwork = document(seed_text).sections[2].competences[0]
    assert (teamwork.name, teamwork.type, teamwork.level) == (
        Cell("Teamwork", 68),
        Cell("K", 68),
        Cell("Expert", 68),
    )
    assert teamwork.description == (
        Cell(
            '<ul style="list-style-type: none"> - Work in specialised teams to deliver optimal '
            "results - Work with cross-functional teams to develop, implement, ",
            68,
        ),
        Cell(
            "test, and maintain models - Strong collaboration/networking skills and have an "
            "analytic mindset of a problem solver",
            70,
        ),
    )
    assert teamwork.esco == (Cell("teamwork principles", 68), Cell("communication", 70))


# --- quirks that give the very same Document ---------------------------------------------


@pytest.mark.parametrize(
    "make_variant",
    [
        pytest.param(lambda t: b"\xef\xbb\xbf" + t.encode(), id="utf8-bom"),
        pytest.param(lambda t: t.replace("\n", "\r\n").encode(), id="crlf-line-ends"),
        pytest.param(lambda t: t.replace("\n", "\r").encode(), id="cr-line-ends"),
        pytest.param(lambda t: t.rstrip("\n").encode(), id="missing-final-newline"),
        pytest.param(lambda t: (t + "\n\n\n").encode(), id="trailing-blank-lines"),
        pytest.param(
            lambda t: replace_line(t, 52, HEADER).encode(), id="header-repeated-after-row"
        ),
        pytest.param(
            lambda t: replace_line(t, 44, HEADER).encode(),
            id="header-repeated-before-continuation-row",
        ),
        pytest.param(
            lambda t: strip_trailing_tabs(t, 45, 63, 71).encode(), id="trailing-empty-cells-missing"
        ),
        pytest.param(
            lambda t: replace_line(t, 50, t.split("\n")[49] + "\t\t").encode(),
            id="extra-empty-cells",
        ),
        pytest.param(lambda t: replace_line(t, 52, "\t\t\t\t").encode(), id="tabs-only-blank-line"),
        pytest.param(lambda t: replace_line(t, 52, "\x0c").encode(), id="form-feed-page-break"),
    ],
)
def test_quirk_gives_same_document(seed_text: str, make_variant: Callable[[str], bytes]) -> None:
    assert read_text(make_variant(seed_text), SOURCE) == document(seed_text)


@pytest.mark.parametrize(
    ("encode", "warned"),
    [
        pytest.param(lambda t: t.encode("utf-16"), False, id="utf16-with-bom"),
        pytest.param(
            lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), False, id="utf16-be-bom"
        ),
        pytest.param(lambda t: t.encode("utf-32"), False, id="utf32-with-bom"),
        pytest.param(lambda t: t.encode("utf-16-le"), True, id="utf16-le-without-bom"),
        pytest.param(lambda t: t.encode("utf-16-be"), True, id="utf16-be-without-bom"),
        pytest.param(lambda t: t.encode("cp1252"), True, id="cp1252"),
    ],
)
def test_other_encodings_give_the_same_document(
    seed_text: str, encode: Callable[[str], bytes], warned: bool
) -> None:
    decoded = read_text(encode(seed_text), SOURCE)
    assert dataclasses.replace(decoded, issues=()) == document(seed_text)
    assert [(i.severity, i.stage) for i in decoded.issues] == (
        [("warning", "read")] if warned else []
    )


def test_cp1252_keeps_accents_and_dashes() -> None:
    decoded = decode_text("Électrochimie – Qualität".encode("cp1252"), "x.txt")
    assert (decoded.text, decoded.encoding, decoded.guessed) == (
        "Électrochimie – Qualität",
        "cp1252",
        True,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(bytes(range(256)) * 4, "binary data (NUL bytes)", id="random-bytes-with-nul"),
        pytest.param(b"ab\x07cd\x1b[0m", "control characters (U+0007)", id="control-characters"),
        pytest.param(
            b"Caf\xc3\xa9 and caf\xe9",
            "not valid UTF-8 (byte 0xe9 at offset 13)",
            id="utf8-mixed-with-latin1",
        ),
        pytest.param(b"abc\x81def", "nor Windows-1252", id="undefined-in-cp1252"),
    ],
)
def test_undecodable_bytes_are_read_errors(data: bytes, message: str) -> None:
    with pytest.raises(ReadError, match=re.escape(message)):
        decode_text(data, "x.txt")


CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Text around the bytes that matter: controls, the ASCII whitespace that is no control,
# UTF-8 sequences, Windows-1252 letters, and bytes undefined in it.
SOME_BYTES = st.lists(
    st.sampled_from([b"a", b"\t", b"\n", b"\r", b"\x0c", b"\x07", b"\x1b", b"\x7f", b"\x08"])
    | st.sampled_from([b"\xc3\xa9", b"\xe2\x80\x93", b"\xe9", b"\x96", b"\x81", b"\x9d"])
).map(b"".join)


@given(SOME_BYTES)
def test_text_is_refused_as_binary_exactly_when_it_holds_a_control_character(data: bytes) -> None:
    try:
        decoded = decode_text(data, "x.txt")
    except ReadError as error:
        if error.code == Code.BAD_ENCODING:  # neither UTF-8 nor Windows-1252
            return
        assert error.code == Code.BINARY_FILE
        refused = True
    else:
        assert not CONTROL.search(decoded.text)
        refused = False
    # Latin-1 gives each byte its own character: the controls are the bytes' own.
    assert refused == bool(CONTROL.search(data.decode("latin-1")))


def test_seed_itself_lacks_final_newline(seed_text: str) -> None:
    assert (
        seed_text.split("\n")[-1]
        == "Computer Science\tK\t- A degree in Computer Science\tExpert\tComputer science"
    )


def test_header_repeated_after_page_break_keeps_section(seed_text: str) -> None:
    lines = seed_text.split("\n")
    # Blank lines, then the header again, between Requirements Engineering and Product Dev.
    variant = "\n".join([*lines[:51], "", "", HEADER, *lines[51:]])
    sections = document(variant).sections
    seed_sections = document(seed_text).sections
    assert [s.heading.text for s in sections] == [s.heading.text for s in seed_sections]
    assert [[c.name.text for c in s.competences] for s in sections] == [
        [c.name.text for c in s.competences] for s in seed_sections
    ]
    assert sections[0].competences[7].name == Cell("Product Development", 56)


# --- the building blocks -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"\xef\xbb\xbfabc\n", "abc\n", id="utf8-bom-dropped"),
        pytest.param("Tr\u00e4ger".encode(), "Tr\u00e4ger", id="utf8-non-ascii"),
        pytest.param(b"", "", id="empty-file"),
    ],
)
def test_bytes_to_text(data: bytes, expected: str) -> None:
    assert bytes_to_text(data, FILE) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("a\nb", [Line(1, "a"), Line(2, "b")], id="lf"),
        pytest.param("a\r\nb\r\n", [Line(1, "a"), Line(2, "b"), Line(3, "")], id="crlf-line-ends"),
        pytest.param("a\rb", [Line(1, "a"), Line(2, "b")], id="cr-line-ends"),
        pytest.param("a\x0cb\nc", [Line(1, "a\x0cb"), Line(2, "c")], id="form-feed-not-a-line-end"),
        pytest.param("a\u2028b", [Line(1, "a\u2028b")], id="unicode-line-separator-not-a-line-end"),
    ],
)
def test_text_to_lines(text: str, expected: list[Line]) -> None:
    assert text_to_lines(text) == expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(
            [Line(1, ""), Line(2, " a "), Line(3, "b"), Line(4, "  "), Line(5, "c")],
            [Cell("a\nb", 2), Cell("c", 5)],
            id="runs-split-by-blank-lines-and-stripped",
        ),
        pytest.param([Line(1, "x\t"), Line(2, "\t\t")], [Cell("x", 1)], id="tabs-only-line-blank"),
        pytest.param([Line(1, ""), Line(2, " ")], [], id="only-blank-lines"),
    ],
)
def test_lines_to_blocks(lines: list[Line], expected: list[Cell]) -> None:
    assert lines_to_blocks(lines) == expected


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        pytest.param(
            HEADER.split("\t"), ("name", "type", "description", "level", "esco"), id="seed-header"
        ),
        pytest.param(
            [" name ", "TYPE", "Context", "level (1-3)", "esco"],
            ("name", "type", "description", "level", "esco"),
            id="case-space-and-parenthetical-ignored",
        ),
        pytest.param(
            ["Name", "Type", "Description", "Level"],
            ("name", "type", "description", "level"),
            id="no-esco-column",
        ),
        pytest.param(
            ["Name", "Type", "Description", "Level", "Notes"],
            ("name", "type", "description", "level", None),
            id="unknown-column-kept-as-none",
        ),
        pytest.param(["Name", "Type", "Description", "ESCO"], None, id="level-missing"),
        pytest.param(["Type", "Name", "Description", "Level"], None, id="name-not-first"),
        pytest.param(["Teamwork", "K", "- Work in teams", "Expert"], None, id="data-row"),
        pytest.param([""], None, id="empty-line"),
    ],
)
def test_competence_header(cells: list[str], expected: tuple[str | None, ...] | None) -> None:
    assert competence_header(cells) == expected


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        pytest.param(["ID", "NAME", "Concept URI"], ("code", "label", "uri"), id="seed-header"),
        pytest.param(["Code", "Occupation", "URI"], ("code", "label", "uri"), id="synonyms"),
        pytest.param(["ID", "NAME"], None, id="uri-missing"),
        pytest.param(HEADER.split("\t"), None, id="competence-header"),
    ],
)
def test_occupation_header(cells: list[str], expected: tuple[str | None, ...] | None) -> None:
    assert occupation_header(cells) == expected


def test_blocks_to_cover_drops_funding_statement_and_repeated_title() -> None:
    cover = blocks_to_cover(
        [
            Cell("Alliance for", 1),
            Cell("Batteries", 3),
            Cell("2019 – 2023", 5),
            Cell("BMS Engineers", 7),
            Cell("Co-funded by the\nErasmus+ Programme", 9),
            Cell("bms  engineers", 12),
            Cell("First paragraph.", 14),
        ],
        FILE,
    )
    assert cover.alliance == Cell("Alliance for\nBatteries", 1)
    assert cover.period == Cell("2019 – 2023", 5)
    assert cover.title == Cell("bms  engineers", 12)
    assert cover.description == (Cell("First paragraph.", 14),)


# --- errors ------------------------------------------------------------------------------

NOT_UTF8_HINT = "save the file as UTF-8 and run again"


@pytest.mark.parametrize(
    ("make_data", "bad_byte", "line"),
    [
        pytest.param(
            lambda t: t.encode().replace(b"Teamwork\t", b"Teamw\xf6rk\t"),
            b"\xf6",
            68,
            id="latin1-byte",
        ),
        pytest.param(lambda t: t.encode() + b"\xe2\x80", b"\xe2", 84, id="truncated-at-end"),
        pytest.param(
            lambda t: b"\xef\xbb\xbf" + t.encode().replace(b"Teamwork\t", b"Teamw\xf6rk\t"),
            b"\xf6",
            68,
            id="utf8-bom-then-latin1-byte",
        ),
    ],
)
def test_not_utf8_names_byte_offset_and_line(
    seed_text: str, make_data: Callable[[str], bytes], bad_byte: bytes, line: int
) -> None:
    data = make_data(seed_text)
    offset = data.rindex(bad_byte)
    with pytest.raises(ReadError) as caught:
        read_text(data, SOURCE)
    assert caught.value.to_issue() == Issue(
        "read",
        f"not valid UTF-8 (byte 0x{bad_byte.hex()} at offset {offset})",
        Location(FILE, line=line),
        NOT_UTF8_HINT,
        code=Code.BAD_ENCODING,
    )


@pytest.mark.parametrize(
    ("make_text", "message", "location", "hint", "code"),
    [
        pytest.param(
            lambda t: t.replace("ESCO Occupations - [", "Occupations - ["),
            "not an ALBATTS job-role profile: no 'ESCO Occupations' table",
            Location(FILE),
            "this does not look like an ALBATTS job-role profile; check the file",
            Code.NOT_A_PROFILE,
            id="no-esco-occupations-line",
        ),
        pytest.param(
            lambda t: replace_line(t, 33, "Context table"),
            "no 'Context' table after the ESCO Occupations table",
            Location(FILE, line=25),
            "the profile needs a Context table (Minimum EQF, Value Chain, ...)",
            Code.NO_CONTEXT_TABLE,
            id="no-context-line",
        ),
        pytest.param(
            lambda t: t.replace(HEADER, HEADER.replace("Name", "Title")),
            "no competence tables (header row 'Name, Type (S/K), Description/Context, Level, "
            "ESCO') after the Context table",
            Location(FILE, line=33),
            "the profile needs at least one competence table under a category heading",
            Code.NO_COMPETENCE_TABLES,
            id="no-competence-header-rows",
        ),
        pytest.param(
            lambda t: blank_lines(t, 40),
            "competence table header row without a category heading above it",
            Location(FILE, line=42),
            "put the category heading (e.g. 'Soft Competence') on its own line above",
            Code.NO_CATEGORY_HEADING,
            id="header-row-without-heading",
        ),
        pytest.param(
            lambda t: t.replace("Teamwork\tK\t", "\t\t").replace(
                "\tExpert\tteamwork principles", "\t\tteamwork principles"
            ),
            "continuation row (empty Name, Type and Level) with no competence above it",
            Location(FILE, line=68, table="competences"),
            "give this row its Name, Type and Level, or move it below its competence",
            Code.ORPHAN_CONTINUATION,
            id="continuation-before-any-row",
        ),
        pytest.param(
            lambda t: t.replace("\tExpert\tC/C++", "\tExpert\tC/C++\tstray"),
            "row has 6 tab-separated cells, the header has 5",
            Location(FILE, line=50, table="competences"),
            "remove the stray tab characters from this row",
            Code.BAD_ROW,
            id="competence-row-extra-non-empty-cell",
        ),
        pytest.param(
            lambda t: t.replace("c62c1\n", "c62c1\t\textra\n"),
            "row has 5 tab-separated cells, the header has 3",
            Location(FILE, line=28, table="occupations"),
            "remove the stray tab characters from this row",
            Code.BAD_ROW,
            id="occupation-row-extra-non-empty-cell",
        ),
        pytest.param(
            lambda t: replace_line(t, 52, "Page 3 of 5"),
            "expected a tab-separated competence row, found 'Page 3 of 5'",
            Location(FILE, line=52, table="competences"),
            "rows have 5 cells: Name, Type (S/K), Description/Context, Level, ESCO",
            Code.BAD_ROW,
            id="non-tab-line-in-competence-table",
        ),
        pytest.param(
            lambda t: replace_line(t, 7, "2019 to 2023"),
            "no project period (such as 2019-2023) on the cover",
            Location(FILE, line=5),
            "is this an ALBATTS profile? The cover should read alliance, period, title",
            Code.NO_COVER_PERIOD,
            id="no-period-on-cover",
        ),
        pytest.param(
            lambda t: blank_lines(t, 5),
            "no alliance name before the project period on the cover",
            Location(FILE, line=7),
            "the cover should start with the alliance name",
            Code.NO_COVER_ALLIANCE,
            id="no-alliance-before-period",
        ),
        pytest.param(
            lambda t: blank_lines(t, 9, 19, 21, 23),
            "no title after the project period on the cover",
            Location(FILE, line=7),
            "the cover should read alliance, period, title",
            Code.NO_TITLE,
            id="no-title-after-period",
        ),
        pytest.param(
            lambda t: blank_lines(t, 27),
            "the ESCO Occupations table has no header row (ID, NAME, Concept URI)",
            Location(FILE, line=28, table="occupations"),
            "add the header row above the occupation rows",
            Code.NO_OCCUPATIONS_HEADER,
            id="occupations-without-header-row",
        ),
        pytest.param(
            lambda t: replace_line(t, 32, "see also the ESCO portal"),
            "expected a tab-separated occupation row (ID, NAME, Concept URI), "
            "found 'see also the ESCO portal'",
            Location(FILE, line=32, table="occupations"),
            "each occupation is one line: code, label and URI separated by tabs",
            Code.BAD_ROW,
            id="stray-line-in-occupations-table",
        ),
        pytest.param(
            lambda t: replace_line(t, 34, "Key facts"),
            "unexpected line in the Context table: 'Key facts'",
            Location(FILE, line=34, table="context"),
            "Context rows are 'key<TAB>value' (Minimum EQF, Value Chain, ...)",
            Code.BAD_ROW,
            id="context-line-without-key",
        ),
    ],
)
def test_structure_error_located_with_hint(
    seed_text: str,
    make_text: Callable[[str], str],
    message: str,
    location: Location,
    hint: str,
    code: Code,
) -> None:
    with pytest.raises(ExtractError) as caught:
        document(make_text(seed_text))
    assert caught.value.to_issue() == Issue("extract", message, location, hint, code=code)
