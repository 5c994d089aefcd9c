"""Hyphens a typesetter added to break words at line ends, told from the words' own hyphens.

TeX and office suites with hyphenation on break a word with an ordinary '-': 'specifica-' /
'tions' looks like 'model-' / 'based'. A line-end hyphen is taken for an added one when the
document never writes the word with a hyphen inside a line, and either spells the joined
word elsewhere ('specifications'), or hyphenates words (a word is cut into parts that are
not words: 'specifica-') and an English dictionary knows the joined word (pyspellchecker's
word list, shipped with the package: no download). It then becomes a soft hyphen
(U+00AD), which joining wrapped lines drops. Any other line-end hyphen stays
('model-based', 'lithium-ion': the joined words are not English words). A producer that
marks its own hyphens (U+2010, or a soft hyphen) leaves every '-' to the text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from pipeline.model import Cell, Document

_T = TypeVar("_T")
# Whole words only: a hyphen inside a code or URI ('86ca306c-ab99') is the text's own.
_LINE_END_HYPHEN = re.compile(r"(?<![\w-])([^\W\d_]+)-\n([^\W\d_]+)(?![\w-])")
_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_CUT_WORD = re.compile(r"^([^\W\d_]{2,})-$")
_MARKED = ("\u2010", "\u00ad")
# Prefixes that end a line in compounds written with a hyphen ('pre-treatment'): not a
# sign of a typesetter cutting words.
_PREFIXES = frozenset(
    {"anti", "auto", "bi", "co", "counter", "cross", "de", "end", "full", "half", "high"}
    | {"inter", "intra", "low", "macro", "micro", "mid", "multi", "non", "over", "post"}
    | {"pre", "pro", "re", "self", "semi", "sub", "super", "trans", "ultra", "under", "well"}
)
# Cut words that show a producer hyphenates ('specifica-', 'docu-'): at least this many.
_PROOF = 2


def _cut_word(head: str) -> bool:
    """A line-end fragment that is no word and no prefix: part of a word cut in two."""
    return len(head) >= 3 and head.casefold() not in _PREFIXES and not english(head)


@dataclass(frozen=True)
class Hyphenation:
    """What a document's words tell about its line-end hyphens."""

    plain: frozenset[str]  # words written whole (lower case)
    hyphenated: frozenset[str]  # words written with a hyphen inside them
    hyphenates: bool  # the producer cuts words with '-' at line ends
    marked: bool  # the producer marks its own hyphens: '-' is always the text's

    @classmethod
    def of_words(cls, words: Iterable[str]) -> Hyphenation:
        plain: set[str] = set()
        hyphenated: set[str] = set()
        heads: set[str] = set()
        marked = False
        for word in words:
            marked = marked or word.endswith(_MARKED)
            if cut := _CUT_WORD.match(word):
                heads.add(cut[1])
                continue
            for token in _TOKEN.findall(word):
                (hyphenated if "-" in token else plain).add(token.casefold())
        fragments = [head for head in heads if _cut_word(head)]
        hyphenates = not marked and len(fragments) >= _PROOF
        return cls(frozenset(plain), frozenset(hyphenated), hyphenates, marked)

    def added(self, head: str, tail: str) -> bool:
        """Whether 'head-' at a line end and 'tail' on the next line are one word."""
        if self.marked or not tail[:1].islower() or not head.isalpha() or not tail.isalpha():
            return False
        if f"{head}-{tail}".casefold() in self.hyphenated:
            return False
        joined = f"{head}{tail}".casefold()
        if joined in self.plain:
            return True
        # In a document that hyphenates, a cut no word list knows still shows when neither
        # part is a word ('fluori-' / 'nated'); a compound's parts are words ('set-ups').
        return self.hyphenates and (english(joined) or not (english(head) or english(tail)))

    def soften(self, upper: str, lower: str) -> str:
        """The upper line with its last hyphen made soft when it was added."""
        head = re.search(r"(?<![\w-])([^\W\d_]+)-$", upper)
        tail = re.match(r"[^\W\d_]+(?![\w-])", lower)
        if head and tail and self.added(head[1], tail[0]):
            return upper[:-1] + "\u00ad"
        return upper


def soften_hyphens(document: Document, hyphenation: Hyphenation) -> Document:
    """The document with added line-end hyphens (in multi-line cells) turned soft."""

    def soften(match: re.Match[str]) -> str:
        if hyphenation.added(match[1], match[2]):
            return f"{match[1]}\u00ad\n{match[2]}"
        return match[0]

    def fix(cell: Cell) -> Cell:
        if "-\n" not in cell.text:
            return cell
        return dataclasses.replace(cell, text=_LINE_END_HYPHEN.sub(soften, cell.text))

    return _map_cells(document, fix)


@cache
def _dictionary() -> Any:
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1)


# British spellings the (American) word list knows in their American form.
_BRITISH = (
    (re.compile(r"is(ation|ations|e|ed|es|ing|er|ers)$"), r"iz\1"),
    (re.compile(r"ys(e|ed|es|ing)$"), r"yz\1"),
    (re.compile(r"tre(s?)$"), r"ter\1"),
    (re.compile(r"our(s?|ed|ing|ful)$"), r"or\1"),
    (re.compile(r"aluminium"), "aluminum"),
)


@cache
def english(word: str) -> bool:
    """Whether the English word list knows the word, in British or American spelling."""
    folded = word.casefold()
    forms = {folded, *(pattern.sub(american, folded) for pattern, american in _BRITISH)}
    return bool(_dictionary().known(forms))


def _map_cells(value: _T, fix: Callable[[Cell], Cell]) -> _T:
    """A copy of a frozen record tree with every Cell passed through fix."""
    if isinstance(value, Cell):
        return fix(value)  # type: ignore[return-value]
    if isinstance(value, tuple):
        return tuple(_map_cells(item, fix) for item in value)  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            field.name: _map_cells(getattr(value, field.name), fix)
            for field in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **changes)
    return value
