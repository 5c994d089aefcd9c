"""What OCR misreads, set right only where one reading fits (pipeline/extract/ocr_repair.py).

Pure functions: no Tesseract needed. The pictures are drawn here, in pixels."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.extract.ocr_repair import (
    article_cut,
    glyph_text,
    header_label,
    join_pieces,
    longer_groups,
    repair_term,
    repair_uri,
    uuid_fits,
    uuid_like,
)
from pipeline.extract.pdf_model import Word

URI = "http://data.europa.eu/esco/occupation/9595961d-1efd-45fa-be12-f6cb34b1f234"

# --- ESCO URIs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "read",
    [
        "http://data.europa.eu/esco/occupation/9595961d-lefd-45fa-be12-f6cb34b1f234",
        "http://data.europa.eu/esco/0ccupat10n/9595961d-1efd-45fa-be12-f6cb34b1f234",
        "http: //data.europa.eu/esco/occupation/9595961d-\n1efd-45fa-be12-f6cb34b1f234",
        "http://data.europa.eu/esco/occupation//9595961d-1efd-45fa-be12-f6cb34b1f234",
        "http://data.europa.eu/esco/occupation/9595961d-1e£d-45fa-be12-f6cb34b1f234",
        "http://data.europa.eu/esco/occupation/9595961d-1efd-45fa-be12-£f6cb34b1f234",
        # The top of a '3' read as an accent of its own: 'cb3' as 'cbé3'.
        "http://data.europa.eu/esco/occupation/9595961d-1efd-45fa-be12-f6cbé34b1f234",
    ],
)
def test_a_misread_esco_uri_is_set_right_when_one_reading_fits(read: str) -> None:
    assert repair_uri(read) == URI


def test_a_right_uri_or_one_of_many_readings_is_left_as_it_is() -> None:
    assert repair_uri(URI) is None
    # Too short for a UUID whatever the doubtful letters are: no reading fits.
    assert repair_uri(URI[:-2]) is None
    # Not an ESCO URI at all.
    assert repair_uri("see the ESCO portal") is None
    # A letter no hexadecimal digit looks like.
    assert repair_uri(URI.replace("f234", "x234")) is None


def test_pieces_of_a_uuid_are_told_and_checked_against_its_shape() -> None:
    assert uuid_like("6d87c2f5-18e2-44e1-b019-462852d5al")
    assert not uuid_fits("6d87c2f5-18e2-44e1-b019-462852d5al")  # an 'l'
    assert uuid_fits("6d87c2f5-18e2-44e1-b019-462852d5a13e")
    assert uuid_fits("9e29-d04de13c62c1")  # the id's end, wrapped onto a line
    assert uuid_fits("10469d70-78a3-4650-")  # its start
    assert not uuid_fits("10469d70-78a-4650-")  # a group too short
    assert not uuid_like("long-term")
    assert not uuid_like("20-80")
    # A second reading is taken only with every group at least as long as before.
    assert longer_groups("b019-462852d5a13e", "b019-462852d5al")
    assert not longer_groups("efd-45fa", "lefd-45fa")


# --- vocabulary terms -------------------------------------------------------------------


def test_a_misread_type_or_level_is_set_right_when_one_term_fits() -> None:
    types, levels = ("S", "K"), ("Awareness", "Practitioner", "Expert")
    assert repair_term("5S", types) == "S"
    assert repair_term("$", types) == "S"
    assert repair_term("k", types) is None  # a term already (matched case-insensitively)
    assert repair_term("S", types) is None
    assert repair_term("SK", types) is None  # both: no single reading
    assert repair_term("Competence", types) is None
    assert repair_term("Practitoner", levels) == "Practitioner"
    assert repair_term("Expcrt", levels) == "Expert"
    assert repair_term("Novice", levels) is None


def test_header_labels_are_matched_within_one_letter() -> None:
    labels = ("Name", "Type", "(S/K)", "Description/Context", "Level", "ESCO")
    assert header_label("(SIK)", labels) == "(S/K)"
    assert header_label("(S|K)", labels) == "(S/K)"
    assert header_label("Levcl", labels) == "Level"
    assert header_label("Level", labels) is None
    assert header_label("NAMF", labels) == "NAME"
    assert header_label("Lover", labels) is None


# --- words ------------------------------------------------------------------------------


def _word(text: str, x0: float, x1: float, bottom: float = 40.0, size: float = 30.0) -> Word:
    return Word(text, x0, x1, bottom - size, bottom, size)


def test_pieces_of_one_word_are_joined() -> None:
    words = [
        (_word("Description", 0, 200), 0.9),
        (_word("/Context", 202, 330), 0.8),
        (_word("http:", 400, 470), 0.9),
        (_word("//data.europa.eu/esco/occupation/fad7", 472, 900), 0.7),
        (_word("7dd5-663a", 910, 1050), 0.6),
        (_word("and", 1200, 1250), 0.9),
    ]
    joined = join_pieces(words)
    texts = [word.text for word, _ in joined]
    assert texts[0] == "Description/Context"
    assert texts[1] == "http://data.europa.eu/esco/occupation/fad77dd5-663a"
    assert texts[2] == "and"  # too far from the URI to be part of it
    assert joined[0][1] == 0.8  # the lower confidence of the pieces


def test_an_arrow_read_as_a_dash_and_a_greater_than_sign_is_one_arrow() -> None:
    words = [(_word("-", 0, 15), 0.7), (_word(">", 17, 27), 0.9), (_word("slitting", 40, 140), 0.9)]
    assert [w.text for w, _ in join_pieces(words)] == ["→", "slitting"]
    inked = np.zeros((60, 60), dtype=bool)
    assert glyph_text([("-", (0, 20, 15, 23)), (">", (15, 10, 25, 30))], inked, 30) == "→"


def test_words_on_other_lines_or_far_apart_are_not_joined() -> None:
    words = [
        (_word("Software", 0, 150), 0.9),
        (_word("/Modeling", 160, 300, bottom=120), 0.9),
        (_word("and", 400, 450), 0.9),
        (_word("/or", 500, 550), 0.9),
    ]
    assert [w.text for w, _ in join_pieces(words)] == ["Software", "and", "/or", "/Modeling"]


def test_an_article_read_together_with_its_word_is_cut_where_the_picture_has_a_space() -> None:
    inked = np.zeros((40, 200), dtype=bool)
    inked[10:30, 0:18] = True  # 'A'
    inked[10:30, 30:60] = True  # 'cell', a space of 12 pixels after the 'A'
    chars = [("A", (0, 10, 18, 30)), ("c", (15, 10, 35, 30)), ("e", (35, 10, 45, 30))]
    chars += [("l", (45, 10, 52, 30)), ("l", (52, 10, 60, 30))]
    assert article_cut("Acell", chars, inked, 40) == (18.0, 30.0)
    assert article_cut("about", chars, inked, 40) is None  # a word of its own
    solid = np.zeros((40, 200), dtype=bool)
    solid[10:30, 0:60] = True
    assert article_cut("Acell", chars, solid, 40) is None  # no space in the picture


# --- glyphs from their ink --------------------------------------------------------------

SIZE = 40.0


def _picture() -> np.ndarray:
    return np.zeros((120, 400), dtype=bool)


def test_dashes_by_their_length_and_a_minus_before_a_number() -> None:
    inked = _picture()
    boxes = {"hyphen": (10, 50, 22, 53), "en": (40, 50, 62, 53), "em": (80, 50, 118, 53)}
    assert glyph_text([("-", boxes["hyphen"])], inked, SIZE) == "-"
    assert glyph_text([("—", boxes["en"])], inked, SIZE) == "–"
    assert glyph_text([("-", boxes["em"])], inked, SIZE) == "—"
    digits = [("2", (0, 30, 10, 60)), ("0", (10, 30, 20, 60))]
    assert glyph_text([*digits, ("-", boxes["en"]), *digits], inked, SIZE) == "20–20"
    assert glyph_text([("—", boxes["en"]), ("4", (70, 30, 80, 60))], inked, SIZE) == "−4"


def test_a_dash_apart_from_the_number_after_it_is_no_minus_sign() -> None:
    inked = _picture()
    inked[50:53, 40:62] = True
    # '– 3' read as one word: the gap after the dash is a space, so no '−3'.
    assert glyph_text([("—", (40, 50, 62, 53)), ("3", (75, 30, 85, 60))], inked, SIZE) == "–3"


def test_a_dash_read_as_a_tilde_or_an_underscore_is_told_by_its_ink() -> None:
    inked = _picture()
    inked[50:53, 10:32] = True  # a level bar at a dash's height
    inked[30:60, 45:55] = True  # a '3' standing on the line at row 60
    inked[58:61, 70:92] = True  # a bar on that line: an underscore
    inked[44:52, 110:120] = True  # a tilde's wave: no thin bar
    inked[48:56, 120:130] = True
    three = ("3", (45, 30, 55, 60))
    assert glyph_text([("~", (10, 50, 32, 53)), three], inked, SIZE) == "–3"
    assert glyph_text([three, ("_", (70, 58, 92, 61))], inked, SIZE) == "3_"
    assert glyph_text([("~", (110, 44, 130, 56))], inked, SIZE) == "~"


def _o_with_dots(inked: np.ndarray, x0: int) -> None:
    """An 'o' 20 pixels wide, standing on row 60 (x-height 20), two dots above it."""
    inked[40:60, x0 : x0 + 3] = inked[40:60, x0 + 17 : x0 + 20] = True
    inked[40:43, x0 : x0 + 20] = inked[57:60, x0 : x0 + 20] = True
    inked[33:37, x0 + 4 : x0 + 8] = inked[33:37, x0 + 12 : x0 + 16] = True


def test_an_accent_is_read_above_the_letters_own_ink_not_ocrs_box() -> None:
    inked = _picture()
    for x0 in (70, 130):  # an 'n' either side
        inked[40:60, x0 : x0 + 3] = inked[40:60, x0 + 17 : x0 + 20] = True
        inked[40:43, x0 : x0 + 20] = True
    _o_with_dots(inked, 100)
    n1, n2 = ("n", (70, 40, 90, 60)), ("n", (130, 40, 150, 60))
    assert glyph_text([n1, ("o", (100, 40, 120, 60)), n2], inked, SIZE) == "nön"
    # OCR's box a third short of the letter, and reaching below the baseline.
    assert glyph_text([n1, ("o", (92, 40, 110, 70)), n2], inked, SIZE) == "nön"
    inked[33:37, 100:120] = False
    assert glyph_text([n1, ("o", (92, 40, 110, 70)), n2], inked, SIZE) == "non"  # no mark


def test_a_ring_is_a_closed_loop_and_only_over_a_letter_it_makes() -> None:
    inked = _picture()
    for x0 in (100, 200):  # an 'a' and an 'n', each with a ring of 8 pixels above
        inked[40:60, x0 : x0 + 20] = True
        inked[30:38, x0 + 6 : x0 + 14] = True
        inked[32:36, x0 + 8 : x0 + 12] = False
    assert glyph_text([("a", (100, 40, 120, 60))], inked, SIZE) == "å"
    assert glyph_text([("n", (200, 40, 220, 60))], inked, SIZE) == "n"  # no 'n' with a ring
    inked[30:32, 106:114] = False  # the loop open at the top: no ring
    assert glyph_text([("a", (100, 40, 120, 60))], inked, SIZE) == "a"


def _chevron(inked: np.ndarray, x0: int, top: int, pointing: str) -> None:
    """A '<' (or '>') 20 pixels wide and 20 high, 2 thick."""
    for row in range(20):
        offset = abs(10 - row)  # 10 at the top and bottom, 0 in the middle
        column = x0 + offset if pointing == "<" else x0 + 19 - offset
        inked[top + row, column : column + 2] = True


def test_a_relation_with_a_bar_under_it() -> None:
    inked = _picture()
    _chevron(inked, 10, 20, "<")
    inked[45:48, 10:31] = True  # the bar
    _chevron(inked, 60, 20, ">")
    inked[45:48, 60:81] = True
    _chevron(inked, 110, 20, "<")  # no bar: '<' it is
    assert glyph_text([("<", (10, 20, 31, 48))], inked, SIZE) == "≤"
    assert glyph_text([(">", (60, 20, 81, 40))], inked, SIZE) == "≥"  # bar left out of box
    assert glyph_text([("=", (60, 20, 81, 48))], inked, SIZE) == "≥"
    assert glyph_text([("<", (110, 20, 131, 40))], inked, SIZE) == "<"
    assert glyph_text([("2", (60, 20, 81, 48))], inked, SIZE) == "≥"  # read as a '2'
    # One '≥' read as '=' and a '>' inside its box: one relation.
    assert glyph_text([("=", (60, 20, 81, 48)), (">", (78, 20, 81, 48))], inked, SIZE) == "≥"
    two = _picture()
    two[20:23, 160:180] = True  # its top
    for row in range(23, 38):
        two[row, 178 - row + 23 : 181 - row + 23] = True  # its stroke down to the left
    two[37:40, 160:181] = True  # its foot, joined to the stroke: one piece of ink
    assert glyph_text([("2", (160, 20, 181, 40))], two, SIZE) == "2"


def test_a_plus_with_a_bar_and_an_equals_sign() -> None:
    inked = _picture()
    inked[20:40, 19:22] = True  # '+' upright
    inked[29:32, 10:31] = True  # '+' across
    inked[45:48, 10:31] = True  # the bar
    inked[25:28, 60:81] = True  # '=' top
    inked[35:38, 60:81] = True  # '=' bottom
    assert glyph_text([("+", (10, 20, 31, 48))], inked, SIZE) == "±"
    assert glyph_text([("=", (60, 25, 81, 38))], inked, SIZE) == "="


def test_an_arrow_read_as_a_greater_than_sign() -> None:
    inked = _picture()
    inked[39:42, 10:60] = True  # the shaft
    _chevron(inked, 45, 30, ">")
    assert glyph_text([(">", (10, 30, 66, 50))], inked, SIZE) == "→"
    inked2 = _picture()
    _chevron(inked2, 10, 30, ">")
    assert glyph_text([(">", (10, 30, 31, 50))], inked2, SIZE) == ">"
