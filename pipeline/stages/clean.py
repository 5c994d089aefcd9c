"""Text cleaning rules shared by every normalisation step."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable

from anyascii import anyascii

from pipeline.contract.text import BULLET_MARKERS

_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_WHITESPACE = re.compile(r"\s+")
_LEADING_MARKER = re.compile(rf"^\s*[{re.escape(BULLET_MARKERS)}](?=\s|$)")
# A line that ends in a hyphen after a letter, in a dash right after a word or number
# ("Doyle–Fuller–", "20–"), or in a slash after a number ("1999/92/") runs on into the
# next without a space. A slash after a word does not: the seed writes "Modelling/
# Diagrams" as well as "IT/Digitalisation", so a line ending "Modelling/" is as often cut
# at a space after it as inside a word.
_RUNS_ON = re.compile(r"[^\W\d_]-$|[^\W_][–—]$|\d/$")
# A hyphen a typesetter added to break a word (soft hyphen U+00AD, or the hyphen U+2010
# that WeasyPrint and others draw for it) goes when the word is joined again.
_ADDED_HYPHEN = re.compile(r"[^\W\d_][\u00ad\u2010]$")


def strip_tags(text: str) -> str:
    """Remove literal HTML tags such as <ul style="list-style-type: none">."""
    return _TAG.sub(" ", text)


def clean_text(text: str) -> str:
    """NFKC, no HTML tags or entities, whitespace collapsed to single spaces and trimmed."""
    text = unicodedata.normalize("NFKC", text)
    if "<" in text:
        text = strip_tags(text)
    # str.split() cuts at what re's \s matches (str.isspace), and drops the ends.
    return " ".join(html.unescape(text).split())


def strip_marker(text: str) -> str:
    """Drop one leading bullet marker."""
    return _LEADING_MARKER.sub("", text, count=1).strip()


def join_wrapped(parts: Iterable[str]) -> str:
    """Join lines wrapped in a layout: one space, or none after a hyphen or dash ending a
    word, or a slash ending a number."""
    pieces: list[str] = []
    for part in (part.strip() for part in parts):
        if not part:
            continue
        # The rules read the last two characters of the text so far: those of the last
        # piece, so the joined text is never rescanned (a cell may wrap over 20,000 lines).
        end = pieces[-1][-2:] if pieces else ""
        if not pieces:
            pieces.append(part)
        elif _ADDED_HYPHEN.search(end) and part[0].isalpha():
            pieces[-1] = pieces[-1][:-1]
            pieces.append(part)
        elif _RUNS_ON.search(end) and part[0].isalnum():
            pieces.append(part)
        else:
            pieces += (" ", part)
    return "".join(pieces)


# File names Windows refuses whatever the extension.
_RESERVED_NAMES = {"con", "prn", "aux", "nul"} | {
    f"{d}{n}" for d in ("com", "lpt") for n in range(10)
}


def slugify(text: str, max_length: int = 80) -> str:
    """Path-safe, lowercase ASCII slug: 'C/C++' -> 'c-c-plus-plus'; '' if nothing is left.

    Safe as a file name anywhere: no separators or dots, at most max_length characters,
    never a reserved device name.
    """
    for symbol, word in (("+", " plus "), ("&", " and "), ("#", " sharp ")):
        text = text.replace(symbol, word)
    # Any script, transliterated: 'Μηχανικός' -> 'Michanikos', 'Инженер' -> 'Inzhener'.
    ascii_text = anyascii(unicodedata.normalize("NFKC", text)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > max_length:
        slug = (
            slug[:max_length].rsplit("-", 1)[0] if "-" in slug[:max_length] else slug[:max_length]
        )
    return f"{slug}-profile" if slug in _RESERVED_NAMES else slug
