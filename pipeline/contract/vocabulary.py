"""Controlled vocabularies: one term per line in vocab/<name>.txt, '#' starts a comment.

The files are the steward's to edit, so a mistake in one (a term given twice, a tab or an
invisible character in a term, bytes that are not UTF-8) is a VocabularyError that names
the file and the line: a StewardError, which stops the run before any work with its own exit
code. A term is malformed when the pipeline could never match it: every text is compared
after clean_text (Unicode NFKC, markup and entities removed, whitespace collapsed to single
spaces), so a term must already be written that way.

The environment variable ALBATTS_VOCABULARY_DIR names another folder to read every
vocabulary file from (a copy of schemas/vocab/ with the steward's edits, to try them).
"""

from __future__ import annotations

import html
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from pipeline.contract.text import BULLET_MARKERS
from pipeline.errors import StewardError
from pipeline.exits import EXIT_CONFIG

# Every vocabulary the pipeline reads (schemas/vocab/<name>.txt); a run checks them all first.
VOCABULARIES = (
    "categories",
    "departments",
    "esco_skill_verbs",
    "levels",
    "qualifier_nouns",
    "role_nouns",
    "specialisation_lead_ins",
    "title_openers",
    "types",
)
FOLDER_VARIABLE = "ALBATTS_VOCABULARY_DIR"
DEFAULT_FOLDER = "schemas/vocab"
_WHITESPACE_BUT_SPACE = re.compile(r"[^\S ]| {2}")
_INLINE_COMMENT = re.compile(r"\s#")


class VocabularyError(StewardError, ValueError):
    """A vocabulary file is missing or malformed."""

    exit_code = EXIT_CONFIG


@dataclass(frozen=True)
class Vocabulary:
    name: str
    terms: tuple[str, ...]
    # The folder it was read from, as the steward knows it.
    folder: str = DEFAULT_FOLDER

    @property
    def path(self) -> str:
        """Where a steward edits it (relative to the project root for the default folder)."""
        return f"{self.folder}/{self.name}.txt"

    def canonical(self, value: str) -> str | None:
        """The vocabulary's own spelling of value, matched case-insensitively, or None."""
        return self._by_folded.get(value.casefold())

    @cached_property
    def _by_folded(self) -> dict[str, str]:
        """Each term by its casefolded spelling (the first, should two fold alike)."""
        folded: dict[str, str] = {}
        for term in self.terms:
            folded.setdefault(term.casefold(), term)
        return folded


def term_problem(term: str) -> str | None:
    """Why a term (a stripped line) could never match a cleaned text, or None if it can."""
    for char in term:
        if char == "\t":
            return "has a tab in it (one term per line, single spaces between words)"
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            return (
                f"has an invisible character (U+{ord(char):04X}) in it: delete the term's "
                "line and type it again"
            )
    if _WHITESPACE_BUT_SPACE.search(term):
        return (
            "has a double space or a space other than a plain one (such as a no-break "
            "space) in it: use single plain spaces between words"
        )
    if term[0] in BULLET_MARKERS and (len(term) == 1 or term[1] == " "):
        return f"starts with the list marker {term[0]!r}: write the term alone on its line"
    if _INLINE_COMMENT.search(term):
        return "has a comment after it: a comment goes on a line of its own, starting with #"
    if "<" in term or ">" in term or html.unescape(term) != term:
        return "has markup in it (<, > or an HTML entity such as &amp;): write plain text"
    normal = unicodedata.normalize("NFKC", term)
    if normal != term:
        return (
            f"is not written as texts are compared (Unicode NFKC turns it into {normal!r}, "
            "e.g. a ligature or a full-width letter): write it that way"
        )
    return None


def parse_vocabulary(name: str, text: str, folder: str = DEFAULT_FOLDER) -> Vocabulary:
    """The terms of a vocabulary file's text; VocabularyError names the line of a term
    given twice (in any case) or malformed (see term_problem), or a file without terms."""
    path = f"{folder}/{name}.txt"
    terms: list[str] = []
    lines: dict[str, int] = {}
    # Lines end at "\n" only (a trailing "\r" is stripped): the numbers are an editor's,
    # and any other line or paragraph separator inside a line is an invisible character.
    for number, raw in enumerate(text.split("\n"), start=1):
        term = raw.strip()
        if not term or term.startswith("#"):
            continue
        problem = term_problem(term)
        if problem is not None:
            raise VocabularyError(f"{path}, line {number}: the term {term!r} {problem}")
        folded = term.casefold()
        if folded in lines:
            raise VocabularyError(
                f"{path}, line {number}: the term {term!r} is already on line "
                f"{lines[folded]} (terms match in any case): remove one of the two lines"
            )
        lines[folded] = number
        terms.append(term)
    if not terms:
        raise VocabularyError(
            f"{path} has no terms: write one term per line (lines starting with # are "
            "comments), or restore the file"
        )
    return Vocabulary(name, tuple(terms), folder)


def decode_vocabulary(name: str, data: bytes, folder: str = DEFAULT_FOLDER) -> str:
    """A vocabulary file's bytes as text: UTF-8, with or without a byte order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise VocabularyError(
            f"{folder}/{name}.txt, line {line}: not valid UTF-8 (byte "
            f"0x{data[error.start]:02x}): save the file as UTF-8"
        ) from None


def vocabulary_folder() -> tuple[Traversable, str]:
    """The folder the vocabularies are read from, and its name as the steward knows it:
    ALBATTS_VOCABULARY_DIR when set, else the package's own schemas/vocab."""
    override = os.environ.get(FOLDER_VARIABLE)
    if override:
        return Path(override), override.rstrip("/") or "/"
    return files("pipeline.schemas") / "vocab", DEFAULT_FOLDER


def load_vocabulary(name: str) -> Vocabulary:
    return _load(os.environ.get(FOLDER_VARIABLE) or None, name)


@cache
def _load(_override: str | None, name: str) -> Vocabulary:
    # Cached by the folder too: the tests point ALBATTS_VOCABULARY_DIR at broken copies.
    folder, shown = vocabulary_folder()
    try:
        data = (folder / f"{name}.txt").read_bytes()
    except FileNotFoundError:
        raise VocabularyError(
            f"{shown}/{name}.txt is missing: restore it (the pipeline reads it)"
        ) from None
    except OSError as error:
        raise VocabularyError(
            f"cannot read {shown}/{name}.txt ({error.strerror or error}): check that it is "
            "a readable file"
        ) from None
    return parse_vocabulary(name, decode_vocabulary(name, data, shown), shown)


def _files(folder: Traversable, shown: str) -> Iterator[Traversable]:
    try:
        entries = sorted(folder.iterdir(), key=lambda entry: entry.name)
    except OSError as error:
        raise VocabularyError(
            f"cannot list the vocabulary folder {shown} ({error.strerror or error}): check "
            "that it exists and is readable"
        ) from None
    return (entry for entry in entries if entry.name.endswith(".txt"))


def check_vocabularies() -> None:
    """Load every vocabulary the pipeline reads and every other file in the folder (each is
    recorded in the manifest), so that a missing or malformed one stops a run before any
    work, not in the middle of it."""
    folder, shown = vocabulary_folder()
    present = [entry.name.removesuffix(".txt") for entry in _files(folder, shown)]
    for name in sorted({*VOCABULARIES, *present}):
        load_vocabulary(name)


def vocabulary_hashes() -> dict[str, str]:
    """sha256 of every vocabulary file, by file name: what a run's tables were checked with."""
    import hashlib

    folder, shown = vocabulary_folder()
    return {
        entry.name: hashlib.sha256(entry.read_bytes()).hexdigest()
        for entry in _files(folder, shown)
    }
