"""List cells split into items: paragraph spacing, the column's width, the words that
open or cannot end an item, and the items the document writes whole elsewhere.

Words use the fake monospace measure of test_extract_pdf: a character is half the font
size wide, a space a quarter.
"""

from __future__ import annotations

import pytest

from pipeline.extract.pdf_items import (
    ItemBreaks,
    ItemReader,
    ListColumn,
    item_breaks,
    whole_items,
)
from pipeline.extract.pdf_lines import TextLine
from pipeline.extract.pdf_model import PdfLayout, Word

LAYOUT = PdfLayout()
SIZE = 10.0
LIMIT = 560.0
VERBS = frozenset({"analyse", "perform", "use"})


def words(text: str, x0: float, top: float) -> tuple[Word, ...]:
    placed, x = [], x0
    for part in text.split(" "):
        width = len(part) * SIZE / 2
        placed.append(Word(part, x, x + width, top, top + SIZE, SIZE))
        x += width + SIZE / 4
    return tuple(placed)


def cell(*lines: tuple[str, float]) -> tuple[TextLine, ...]:
    return tuple(TextLine(3, words(text, 474, top)) for text, top in lines)


def opens(word: Word) -> bool:
    return word.text in VERBS


def reader(breaks: ItemBreaks, known: frozenset[str] = frozenset()) -> ItemReader:
    return ItemReader(breaks, LIMIT, 2.0, LAYOUT, opens, known)


@pytest.mark.parametrize(
    ("lines", "breaks", "expected"),
    [
        pytest.param(
            cell(("perform laboratory", 100), ("tests", 112), ("analyse data", 126)),
            "spacing",
            ["perform laboratory tests", "analyse data"],
            id="spacing-tells-labels-apart",
        ),
        pytest.param(
            cell(("use", 100), ("spreadsheets", 112)),
            "spacing",
            ["use", "spreadsheets"],
            id="next-word-would-have-fitted-so-new-label",
        ),
        pytest.param(
            cell(("health and safety", 100), ("regulations", 112)),
            "fit",
            ["health and safety regulations"],
            id="no-room-so-wrapped",
        ),
        pytest.param(
            cell(("monitor the quality of", 100), ("coated electrodes", 112)),
            "lines",
            ["monitor the quality of coated electrodes"],
            id="a-label-never-ends-in-of",
        ),
        pytest.param(
            cell(("operate lithium-", 100), ("ion cells", 112)),
            "lines",
            ["operate lithium-ion cells"],
            id="hyphen-wrap",
        ),
        pytest.param(
            cell(("manage production line", 100), ("analyse quality data", 112)),
            "fit",
            ["manage production line", "analyse quality data"],
            id="a-line-opening-with-a-skill-verb-starts-a-label",
        ),
        pytest.param(
            cell(("manage production line", 100), ("equipment", 112)),
            "lines",
            ["manage production line", "equipment"],
            id="lines-mode-each-line-a-label",
        ),
    ],
)
def test_cell_items(lines: tuple[TextLine, ...], breaks: ItemBreaks, expected: list[str]) -> None:
    assert list(reader(breaks).read(lines).items) == expected


def column(*cells: tuple[TextLine, ...]) -> ListColumn:
    return ListColumn("esco", cells, LIMIT, 2.0)


def test_item_breaks_from_the_evidence_of_every_cell() -> None:
    one_per_line = cell(("use power tools", 100), ("weld", 112))
    spaced = cell(("use power tools", 100), ("weld", 126))
    wrapped_at_of = cell(("monitor the quality of", 100), ("coated electrodes", 112))
    assert item_breaks([column(one_per_line)], LAYOUT, opens) == "lines"
    assert item_breaks([column(one_per_line, spaced)], LAYOUT, opens) == "spacing"
    assert item_breaks([column(one_per_line, wrapped_at_of)], LAYOUT, opens) == "fit"


# --- items the document writes whole ---------------------------------------------------------

# Two knowledge labels one under the other, no spacing, the second too long for the room
# left on the first line: the column alone cannot tell them from one label wrapping.
TWO_LABELS = cell(("battery chemistry", 100), ("electrochemistry", 112))


def test_without_other_evidence_an_unspaced_break_is_a_wrap_and_a_doubt() -> None:
    read = reader("fit").read(TWO_LABELS)
    assert read.items == ("battery chemistry electrochemistry",)
    assert read.doubts == 1
    assert read.whole == (False,)


def test_a_label_the_document_writes_whole_ends_where_it_is_complete() -> None:
    read = reader("fit", frozenset({"battery chemistry"})).read(TWO_LABELS)
    assert read.items == ("battery chemistry", "electrochemistry")
    assert read.doubts == 0


def test_a_longer_known_label_keeps_its_wrapped_line() -> None:
    known = frozenset({"battery chemistry", "battery chemistry electrochemistry"})
    read = reader("fit", known).read(TWO_LABELS)
    assert read.items == ("battery chemistry electrochemistry",)
    assert read.doubts == 0


def test_whole_items_leave_out_doubted_items_and_items_cut_by_a_page_break() -> None:
    alone = cell(("battery chemistry", 100))
    certain_break = cell(("use spreadsheets", 100), ("analyse data", 112))
    top_of_next_page = cell(("materials", 100))
    known = whole_items([[alone], [TWO_LABELS], [certain_break, top_of_next_page]], reader("fit"))
    assert known == {"battery chemistry", "use spreadsheets"}
