"""List-valued cells to items: ESCO skills, EQF levels, departments, specialisations."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.model import Cell, EscoSkill
from pipeline.schemas.vocabulary import Vocabulary
from pipeline.stages.clean import clean_text, strip_marker, strip_tags

_ITEM_SEPARATORS = re.compile(r"[\n;]")
_DASHES = {"-", "–", "—"}
_ACRONYM = re.compile(r"^(?=.*[A-Z])[A-Z0-9][A-Z0-9&/+.]+$")
_EQF_RANGE = re.compile(r"^(\d+)\s*[-–]\s*(\d+)$")


def cells_to_esco_skills(cells: Sequence[Cell]) -> tuple[EscoSkill, ...]:
    """One label per line of the cell or per ';'; an empty cell gives none."""
    skills: list[EscoSkill] = []
    for cell in cells:
        for offset, line in enumerate(strip_tags(cell.text).split("\n")):
            line_no = None if cell.line is None else cell.line + offset
            for piece in line.split(";"):
                label = clean_text(strip_marker(piece))
                if label:
                    skills.append(EscoSkill(label, line_no, cell.page))
    return tuple(skills)


def parse_eqf_levels(text: str) -> tuple[int, ...]:
    """'6/7/8' -> (6, 7, 8); also '6, 7', '6-8' and a single '5'. ValueError if not levels."""
    levels: set[int] = set()
    for piece in re.split(r"[/,;]|\band\b|\bor\b", clean_text(text)):
        piece = piece.strip()
        if not piece:
            continue
        if match := _EQF_RANGE.match(piece):
            low, high = int(match[1]), int(match[2])
            if low > high:
                raise ValueError(f"EQF range {piece!r} runs backwards")
            levels.update(range(low, high + 1))
        elif piece.isdigit():
            levels.add(int(piece))
        else:
            raise ValueError(f"{piece!r} is not an EQF level (a number from 1 to 8)")
    if not levels:
        raise ValueError("no EQF level given")
    return tuple(sorted(levels))


def split_items(text: str) -> list[str] | None:
    """Items of a cell written one per line or separated by ';', or None if flattened."""
    if not _ITEM_SEPARATORS.search(text.strip()):
        return None
    items = (clean_text(strip_marker(piece)) for piece in _ITEM_SEPARATORS.split(text))
    return [item for item in items if item]


def split_departments(text: str, vocabulary: Vocabulary) -> list[str]:
    """Departments by longest vocabulary match; text matching no term stays one item.

    Unknown items are kept, not dropped, so validation can name them.
    """
    pieces = split_items(text)
    if pieces is None:
        pieces = [clean_text(text)] if clean_text(text) else []
    departments: list[str] = []
    for piece in pieces:
        departments.extend(_longest_matches(piece, vocabulary.terms))
    return departments


def _longest_matches(text: str, terms: Sequence[str]) -> list[str]:
    by_length = sorted(terms, key=len, reverse=True)
    found: list[str] = []
    unknown: list[str] = []
    rest = text
    while rest:
        term = next((t for t in by_length if _starts_with_term(rest, t)), None)
        if term is None:
            word, _, rest = rest.partition(" ")
            unknown.append(word)
            continue
        if unknown:
            found.append(" ".join(unknown))
            unknown = []
        found.append(term)
        rest = rest[len(term) :].lstrip(" ,;")
    if unknown:
        found.append(" ".join(unknown))
    return found


def _starts_with_term(text: str, term: str) -> bool:
    head = text[: len(term)]
    return head.casefold() == term.casefold() and (
        len(text) == len(term) or not text[len(term)].isalnum()
    )


@dataclass(frozen=True)
class SpecialisationSplit:
    titles: tuple[str, ...]
    # Trailing text that did not end in a role noun; kept as the last title.
    unfinished: str | None = None


@dataclass(frozen=True)
class TitleRules:
    """What ends a job title and what may qualify it; all three are steward vocabularies."""

    role_nouns: Vocabulary
    qualifier_nouns: Vocabulary
    lead_ins: Vocabulary

    def is_role_noun(self, token: str) -> bool:
        word = token.rstrip(",;:.").rsplit("/", 1)[-1]
        return any(
            word.casefold() in (noun.casefold(), noun.casefold() + "s")
            for noun in self.role_nouns.terms
        )

    def is_qualifier_noun(self, token: str) -> bool:
        return self.qualifier_nouns.canonical(token) is not None


def strip_lead_in(text: str, lead_ins: Vocabulary) -> str:
    """Drop an introductory sentence such as 'Other job roles that are ... based on this'."""
    for lead_in in lead_ins.terms:
        words = r"\s+".join(re.escape(word) for word in lead_in.split())
        stripped, count = re.subn(rf"^\s*{words}[\s:.]*", "", text, count=1, flags=re.IGNORECASE)
        if count:
            return stripped
    return text


def split_specialisations(text: str, rules: TitleRules) -> SpecialisationSplit:
    """Job titles from a Specialisations cell, one per line or flattened onto one line.

    A flattened title ends at a role noun that follows at least one other word ("Lead"
    opening a title is a modifier), plus any qualifiers: "(BMS)", "- BMS Function",
    "– BMS", "for BMS".
    """
    body = strip_lead_in(strip_tags(text), rules.lead_ins)
    items = split_items(body)
    if items is not None:
        return SpecialisationSplit(tuple(items))
    tokens = clean_text(body).split()
    titles: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(tokens):
        current.append(tokens[i])
        i += 1
        if len(current) > 1 and rules.is_role_noun(current[-1]):
            while (qualifier := _qualifier(tokens, i, rules)) is not None:
                current.extend(qualifier)
                i += len(qualifier)
            titles.append(" ".join(current))
            current = []
    unfinished = " ".join(current) if current else None
    if unfinished:
        titles.append(unfinished)
    return SpecialisationSplit(tuple(titles), unfinished)


def _qualifier(tokens: Sequence[str], i: int, rules: TitleRules) -> list[str] | None:
    if i >= len(tokens):
        return None
    token = tokens[i]
    if token.startswith("("):
        depth = 0
        for j in range(i, len(tokens)):
            depth += tokens[j].count("(") - tokens[j].count(")")
            if depth <= 0:
                return list(tokens[i : j + 1])
        return None
    if token in _DASHES or token.casefold() == "for":
        phrase = _acronym_phrase(tokens, i + 1, rules)
        if phrase is None and token in _DASHES and i + 1 < len(tokens):
            phrase = [tokens[i + 1]]
        return [token, *phrase] if phrase else None
    return None


def _acronym_phrase(tokens: Sequence[str], i: int, rules: TitleRules) -> list[str] | None:
    """One acronym, then any qualifier nouns: 'BMS', 'BMS Function'."""
    if i >= len(tokens) or not _ACRONYM.match(tokens[i]):
        return None
    end = i + 1
    while end < len(tokens) and rules.is_qualifier_noun(tokens[end]):
        end += 1
    return list(tokens[i:end])
