"""Controlled vocabularies: one term per line in vocab/<name>.txt, '#' starts a comment."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files


class VocabularyError(ValueError):
    """A vocabulary file is missing or malformed."""


@dataclass(frozen=True)
class Vocabulary:
    name: str
    terms: tuple[str, ...]

    @property
    def path(self) -> str:
        """Where a steward edits it, relative to the project root."""
        return f"schemas/vocab/{self.name}.txt"

    def canonical(self, value: str) -> str | None:
        """The vocabulary's own spelling of value, matched case-insensitively, or None."""
        folded = value.casefold()
        return next((term for term in self.terms if term.casefold() == folded), None)


def parse_vocabulary(name: str, text: str) -> Vocabulary:
    terms: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        term = raw.strip()
        if not term or term.startswith("#"):
            continue
        if term.casefold() in (t.casefold() for t in terms):
            raise VocabularyError(
                f"schemas/vocab/{name}.txt, line {number}: duplicate term {term!r}"
            )
        terms.append(term)
    if not terms:
        raise VocabularyError(f"schemas/vocab/{name}.txt has no terms")
    return Vocabulary(name, tuple(terms))


@cache
def load_vocabulary(name: str) -> Vocabulary:
    resource = files("pipeline.schemas") / "vocab" / f"{name}.txt"
    try:
        text = resource.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise VocabularyError(f"vocabulary file schemas/vocab/{name}.txt is missing") from error
    return parse_vocabulary(name, text)


def vocabulary_hashes() -> dict[str, str]:
    """sha256 of every vocabulary file, by file name: what a run's tables were checked with."""
    import hashlib

    folder = files("pipeline.schemas") / "vocab"
    return {
        entry.name: hashlib.sha256(entry.read_bytes()).hexdigest()
        for entry in sorted(folder.iterdir(), key=lambda entry: entry.name)
        if entry.name.endswith(".txt")
    }
