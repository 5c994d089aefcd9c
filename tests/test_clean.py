import pytest

from pipeline.stages.clean import clean_text, join_wrapped, slugify, strip_marker, strip_tags


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            '<ul style="list-style-type: none"> Develop models', "Develop models", id="html-tag"
        ),
        pytest.param("<li>Develop</li> models", "Develop models", id="html-tags-closing"),
        pytest.param("R&amp;D and Q&amp;A", "R&D and Q&A", id="html-entity"),
        pytest.param("&lt;5 V", "<5 V", id="html-entity-not-a-tag"),
        pytest.param("e\ufb03cient \ufb01lter", "efficient filter", id="nfkc-ligature"),
        pytest.param("state\u00a0of charge", "state of charge", id="nfkc-nbsp"),
        pytest.param(
            "  two   spaces\tand\ttabs  ", "two spaces and tabs", id="whitespace-collapse"
        ),
        pytest.param("line\nbreak", "line break", id="line-break"),
        pytest.param(
            "Électrochimie – cellules", "Électrochimie – cellules", id="accents-en-dash-kept"
        ),
        pytest.param("voltage < 5 V", "voltage < 5 V", id="lone-angle-bracket-kept"),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_strip_tags_keeps_text_around_tags() -> None:
    assert strip_tags('a<ul style="x">b</ul>c') == "a b c"


@pytest.mark.parametrize("marker", ["-", "•", "–", "*", "▪"])
def test_strip_marker_each_marker(marker: str) -> None:
    assert strip_marker(f"{marker} Develop models") == "Develop models"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("-5 °C storage", "-5 °C storage", id="signed-number-not-marker"),
        pytest.param("Li-ion cells", "Li-ion cells", id="hyphen-in-word"),
        pytest.param("- - nested", "- nested", id="one-marker-only"),
    ],
)
def test_strip_marker_leaves_non_markers(raw: str, expected: str) -> None:
    assert strip_marker(raw) == expected


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        pytest.param(["model-", "based methods"], "model-based methods", id="hyphen-join"),
        pytest.param(["develop, implement,", "test"], "develop, implement, test", id="space-join"),
        pytest.param(["range 10-", "20 V"], "range 10- 20 V", id="hyphen-after-digit-spaced"),
        pytest.param(["tools -", "and more"], "tools - and more", id="free-dash-spaced"),
        pytest.param(["a", "", "  b  "], "a b", id="blank-parts-skipped"),
        pytest.param(["state-of-", "charge"], "state-of-charge", id="hyphen-join-compound"),
        pytest.param(["Doyle–Fuller–", "Newman"], "Doyle–Fuller–Newman", id="en-dash-join"),
        pytest.param(["the 20–", "80 % window"], "the 20–80 % window", id="en-dash-range-join"),
        pytest.param(["20 –", "80 %"], "20 – 80 %", id="spaced-en-dash-keeps-space"),
        pytest.param(["quali\u2010", "fy"], "qualify", id="typesetter-hyphen-dropped"),
        pytest.param(["specifica\u00ad", "tions"], "specifications", id="soft-hyphen-dropped"),
        pytest.param(["Models/", "Modelling"], "Models/ Modelling", id="slash-keeps-space"),
        pytest.param(["1999/92/", "EC"], "1999/92/EC", id="slash-join-after-number"),
        pytest.param(["Diagrams /", "Schematics"], "Diagrams / Schematics", id="lone-slash-spaced"),
    ],
)
def test_join_wrapped(parts: list[str], expected: str) -> None:
    assert join_wrapped(parts) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Embedded System and BMS Engineers", "embedded-system-and-bms-engineers", id="title"
        ),
        pytest.param("C/C++", "c-c-plus-plus", id="plus-signs"),
        pytest.param(
            "Battery Quality & Test Technician",
            "battery-quality-and-test-technician",
            id="ampersand",
        ),
        pytest.param("Électrochimie Ingénieur", "electrochimie-ingenieur", id="accents-folded"),
        pytest.param("../../etc/evil", "etc-evil", id="path-traversal"),
        pytest.param("***", "", id="nothing-left"),
    ],
)
def test_slugify(text: str, expected: str) -> None:
    assert slugify(text) == expected


def test_slugify_caps_length_at_a_word_boundary() -> None:
    slug = slugify("word " * 40, max_length=23)
    assert slug == "word-word-word-word"
