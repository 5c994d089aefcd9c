"""List-valued cells to items: ESCO skills, EQF levels, departments, specialisations."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Literal

from pipeline.contract.vocabulary import Vocabulary
from pipeline.model import Cell, EscoSkill
from pipeline.stages.clean import clean_text, strip_marker, strip_tags

_ITEM_SEPARATORS = re.compile(r"[\n;]")
_DASHES = {"-", "–", "—"}
# After a role noun: a qualifier ("Developer for BMS", "Head of Quality", "Engineer in
# Training"); a second role noun joined on ("Buyer and Planner"); a grade ("Engineer II").
_PREPOSITIONS = {"for", "of", "in"}
_JOINERS = {"and", "&", "or", "/", "+"}
_GRADE = re.compile(r"^(?:I{1,3}|IV|V|\d{1,2})$")
# Inside a qualifier: "for Lithium and Nickel", "– ISO 45001".
_CONNECTORS = {"and", "&", "or"}
_NUMBER = re.compile(r"^\d[\d.:/-]*$")
_EQF_RANGE = re.compile(r"^(\d+)\s*[-–]\s*(\d+)$")
# The EQF has eight levels. A range is checked against them before it is expanded
# ('1-99999999' would fill gigabytes); a single level out of them is left to the contract.
EQF_LEVELS = range(1, 9)


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
            low, high = _eqf_level(match[1]), _eqf_level(match[2])
            if low is None or high is None:
                raise ValueError(f"EQF range {_shown(piece)} goes beyond the levels 1 to 8")
            if low > high:
                raise ValueError(f"EQF range {_shown(piece)} runs backwards")
            levels.update(range(low, high + 1))
        elif piece.isdigit():
            levels.add(int(piece))
        else:
            raise ValueError(f"{_shown(piece)} is not an EQF level (a number from 1 to 8)")
    if not levels:
        raise ValueError("no EQF level given")
    return tuple(sorted(levels))


def _eqf_level(digits: str) -> int | None:
    """The level a number names, or None if it is not one of EQF_LEVELS (however long)."""
    digits = digits.lstrip("0")
    return int(digits) if len(digits) == 1 and int(digits) in EQF_LEVELS else None


def _shown(piece: str, limit: int = 40) -> str:
    return repr(piece if len(piece) <= limit else piece[: limit - 1] + "…")


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
    # Read by position, never by slicing off what is read: a cell may be 800 KB long.
    by_length = sorted(((term, term.casefold()) for term in terms), key=lambda t: -len(t[0]))
    found: list[str] = []
    unknown: list[str] = []
    at = 0
    while at < len(text):
        term = next((t for t, folded in by_length if _term_at(text, at, t, folded)), None)
        if term is None:
            space = text.find(" ", at)
            end = len(text) if space < 0 else space
            unknown.append(text[at:end])
            at = end + 1
            continue
        if unknown:
            found.append(" ".join(unknown))
            unknown = []
        found.append(term)
        at += len(term)
        while at < len(text) and text[at] in " ,;":
            at += 1
    if unknown:
        found.append(" ".join(unknown))
    return found


def _term_at(text: str, at: int, term: str, folded: str) -> bool:
    """Whether `term` (casefolded: `folded`) is the whole word or words of `text` from `at`."""
    end = at + len(term)
    return (
        end <= len(text)
        and text[at:end].casefold() == folded
        and (end == len(text) or not text[end].isalnum())
    )


@dataclass(frozen=True)
class AmbiguousSplit:
    """Two readings where role nouns meet ('Line Operator Trainer'); `chosen` is the one kept."""

    chosen: tuple[str, ...]
    other: tuple[str, ...]
    nouns: tuple[str, str]


@dataclass(frozen=True)
class SpecialisationSplit:
    titles: tuple[str, ...]
    # Trailing text that did not end in a role noun; kept as the last title.
    unfinished: str | None = None
    ambiguous: tuple[AmbiguousSplit, ...] = ()


@dataclass(frozen=True)
class TitleRules:
    """What ends a job title, what opens one and what may qualify it: steward vocabularies."""

    role_nouns: Vocabulary
    qualifier_nouns: Vocabulary
    lead_ins: Vocabulary
    openers: Vocabulary

    @cached_property
    def _role_forms(self) -> frozenset[str]:
        return _noun_forms(self.role_nouns)

    @cached_property
    def _opener_forms(self) -> frozenset[str]:
        return _noun_forms(self.openers)

    @cached_property
    def _qualifier_forms(self) -> frozenset[str]:
        return frozenset(term.casefold() for term in self.qualifier_nouns.terms)

    @cached_property
    def _token_memo(self) -> dict[str, tuple[bool, bool]]:
        return {}

    def _token_kinds(self, token: str) -> tuple[bool, bool]:
        """Whether the token ends in a role noun, and in a title opener: looked up once
        per token (the same words make the titles of every profile)."""
        memo = self._token_memo
        kinds = memo.get(token)
        if kinds is None:
            kinds = (_ends_in(token, self._role_forms), _ends_in(token, self._opener_forms))
            if len(token) <= _MEMO_TOKEN_LENGTH:  # bounded, whatever the files hold
                if len(memo) >= _TOKEN_MEMO_SIZE:
                    memo.clear()
                memo[token] = kinds
        return kinds

    def is_role_noun(self, token: str) -> bool:
        return self._token_kinds(token)[0]

    def is_opener(self, token: str) -> bool:
        return self._token_kinds(token)[1]

    def is_qualifier_noun(self, token: str) -> bool:
        return token.casefold() in self._qualifier_forms


_TOKEN_MEMO_SIZE, _MEMO_TOKEN_LENGTH = 20_000, 64


def _ends_in(token: str, forms: frozenset[str]) -> bool:
    """'Engineers', 'Buyer/Planner' and 'Sub-Contractor' end in a role noun."""
    word = token.rstrip(",;:.").casefold()
    return any(part in forms for part in (word, word.rsplit("/", 1)[-1], word.rsplit("-", 1)[-1]))


def _noun_forms(nouns: Vocabulary) -> frozenset[str]:
    """Each noun and its English plural, casefolded: Coach(es), Secretar(ies), Fore(men)."""
    forms: set[str] = set()
    for noun in nouns.terms:
        word = noun.casefold()
        forms.update((word, word + "s"))
        if word.endswith(("s", "x", "z", "ch", "sh")):
            forms.add(word + "es")
        if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u"):
            forms.add(word[:-1] + "ies")
        if word.endswith("man"):
            forms.add(word[:-3] + "men")
    return frozenset(forms)


def strip_lead_in(text: str, lead_ins: Vocabulary) -> str:
    """Drop an introductory sentence such as 'Other job roles that are ... based on this'."""
    for pattern in _lead_in_patterns(lead_ins.terms):
        stripped, count = pattern.subn("", text, count=1)
        if count:
            return stripped
    return text


@cache
def _lead_in_patterns(terms: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """Each lead-in as a pattern, compiled once: its words apart by any whitespace."""
    patterns = []
    for lead_in in terms:
        words = r"\s+".join(re.escape(word) for word in lead_in.split())
        patterns.append(re.compile(rf"^\s*{words}[\s:.]*", flags=re.IGNORECASE))
    return tuple(patterns)


def split_specialisations(text: str, rules: TitleRules) -> SpecialisationSplit:
    """Job titles from a Specialisations cell, one per line or flattened onto one line.

    Flattened, a title ends at a role noun that follows another of its words (the first
    word is a modifier: "Lead Cell Engineer"), or at a first word followed by a dash, "for",
    "of" or "in" ("Head of Quality"); its qualifiers come with it (`_qualifier_length`).
    "and", "&", "or", "/" after a role noun carry the title on ("Buyer and Planner").
    Where two role nouns meet, a new title starts at the second if it is a title opener
    ("... Engineer Lead Cell Engineer"); otherwise both stay in one title: silently when the
    first is an opener ("Team Lead Engineer"), else with the other reading in `ambiguous`
    ("Line Operator Trainer" or "Line Operator" + "Trainer ...").
    """
    body = strip_lead_in(strip_tags(text), rules.lead_ins)
    items = split_items(body)
    if items is not None:
        return SpecialisationSplit(tuple(items))
    words = _Words.of(clean_text(body).split(), rules)
    parse = _words_to_spans(words)
    titles = _span_texts(words.tokens, parse.spans)
    ambiguous = tuple(_other_reading(words, parse.spans, cut) for cut in parse.runs)
    return SpecialisationSplit(titles, titles[-1] if parse.unfinished else None, ambiguous)


@dataclass(frozen=True)
class _Words:
    """The tokens of a flattened cell, each looked up in the vocabularies once."""

    tokens: tuple[str, ...]
    role: tuple[bool, ...]
    opener: tuple[bool, ...]
    qualifier: tuple[bool, ...]

    @classmethod
    def of(cls, tokens: Sequence[str], rules: TitleRules) -> _Words:
        return cls(
            tuple(tokens),
            tuple(rules.is_role_noun(token) for token in tokens),
            tuple(rules.is_opener(token) for token in tokens),
            tuple(rules.is_qualifier_noun(token) for token in tokens),
        )

    def __len__(self) -> int:
        return len(self.tokens)

    def window(self, start: int, end: int) -> _Words:
        return _Words(
            self.tokens[start:end],
            self.role[start:end],
            self.opener[start:end],
            self.qualifier[start:end],
        )


@dataclass(frozen=True)
class _Parse:
    spans: tuple[tuple[int, int], ...]  # token ranges of the titles
    runs: tuple[int, ...]  # second role nouns kept in the title of the first: an ambiguity
    unfinished: bool  # the last span does not end in a role noun


# How far around an ambiguity the other reading is worked out (longer than any real title).
_READING_BEFORE, _READING_AFTER = 16, 32


def _other_reading(words: _Words, spans: Sequence[tuple[int, int]], cut: int) -> AmbiguousSplit:
    """The titles around `cut` as read, and as read with a new title starting at `cut`."""
    at = next(n for n, (start, end) in enumerate(spans) if start < cut < end)
    start = max(spans[at][0], cut - _READING_BEFORE)
    end = min(spans[min(at + 1, len(spans) - 1)][1], cut + _READING_AFTER)
    window = words.window(start, end)
    chosen = _words_to_spans(window).spans
    other = _words_to_spans(window, cut - start).spans
    head, tail = _common_ends(chosen, other)
    return AmbiguousSplit(
        chosen=_span_texts(window.tokens, chosen[head : len(chosen) - tail]),
        other=_span_texts(window.tokens, other[head : len(other) - tail]),
        nouns=(words.tokens[cut - 1], words.tokens[cut]),
    )


def _words_to_spans(words: _Words, cut: int | None = None) -> _Parse:
    """Titles as token ranges; `cut` forces a new title at that token (the other reading)."""
    spans: list[tuple[int, int]] = []
    runs: list[int] = []
    start = i = 0
    while i < len(words):
        i += 1
        boundary = _boundary(words, start, i, cut)
        if boundary == "run":
            runs.append(i)
        if boundary != "end":
            continue
        while length := _qualifier_length(words, i):
            i += length
        spans.append((start, i))
        start = i
    if start < len(words):
        spans.append((start, len(words)))
    return _Parse(tuple(spans), tuple(runs), start < len(words))


def _boundary(words: _Words, start: int, i: int, cut: int | None) -> Literal["end", "on", "run"]:
    """Whether the title tokens[start:i] ends here, goes on, or goes on through a run of
    role nouns that could also be read as a new title."""
    if not words.role[i - 1]:
        return "on"
    if i == len(words):
        return "end"
    after = words.tokens[i]
    if i - start == 1:
        return "end" if after in _DASHES or after.casefold() in _PREPOSITIONS else "on"
    if after.casefold() in _JOINERS:
        return "on"
    if i == cut or not words.role[i]:
        return "end"
    if words.opener[i] and i + 1 < len(words) and not _opens_qualifier(words.tokens[i + 1]):
        return "end"
    return "on" if words.opener[i - 1] else "run"


def _opens_qualifier(token: str) -> bool:
    return token.startswith("(") or token in _DASHES or token.casefold() in _PREPOSITIONS


def _qualifier_length(words: _Words, i: int) -> int:
    """Tokens from i that qualify the title before: "(cell formation)", "II", "- BMS
    Function", "– UN38.3", "for Gigafactories", "of Quality"; 0 if none."""
    if i >= len(words):
        return 0
    token = words.tokens[i]
    if token.startswith("("):
        depth = 0
        for j in range(i, len(words)):
            depth += words.tokens[j].count("(") - words.tokens[j].count(")")
            if depth <= 0:
                return j + 1 - i
        return 0
    if _GRADE.match(token):
        return 1
    if token in _DASHES or token.casefold() in _PREPOSITIONS:
        phrase = _phrase_length(words, i + 1)
        return 1 + phrase if phrase else 0
    return 0


def _phrase_length(words: _Words, i: int) -> int:
    """The words of a qualifier after a dash or "for"/"of"/"in": its first word, then more
    while `_phrase_step` finds them."""
    if i >= len(words) or words.tokens[i].startswith("("):
        return 0
    end = i + 1
    while end < len(words) and (step := _phrase_step(words, end)):
        end += step
    return end - i


def _phrase_step(words: _Words, i: int) -> int:
    """How many tokens from i carry the qualifier on: a number ("ISO 45001"), "and"/"&"/"or"
    + a word ("for Lithium and Nickel"), a qualifier noun or lowercase word ("- BMS
    Function"), or words up to a plural noun within three ("for Energy Storage Products",
    "for EV Batteries"). Never a role noun or the word just before one: that word opens the
    next title ("Safety Officer - Formation" + "Area Planner")."""
    token = words.tokens[i]
    if _NUMBER.match(token):
        return 1
    if token.casefold() in _CONNECTORS:
        return 2 if _may_join(words, i + 1) else 0
    if words.qualifier[i] or token[:1].islower():
        return 1 if _may_join(words, i) else 0
    for k in range(i, min(i + 3, len(words))):
        word = words.tokens[k]
        if words.role[k] or not word[:1].isupper():
            return 0
        if _is_plural(word):
            after = k + 1
            ends = after == len(words) or (
                words.tokens[after][:1].isupper() and not words.role[after]
            )
            return k + 1 - i if ends else 0
    return 0


def _may_join(words: _Words, i: int) -> bool:
    """Whether tokens[i] may join a qualifier: it is neither a role noun nor right before one."""
    return i < len(words) and not words.role[i] and not (i + 1 < len(words) and words.role[i + 1])


def _is_plural(word: str) -> bool:
    """'Batteries', 'Modules', 'PCBs'; not 'Process', 'Status', 'Analysis', 'Gas', 'EHS'."""
    word = word.rstrip(",;:.")
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "as"))


def _common_ends(a: Sequence[object], b: Sequence[object]) -> tuple[int, int]:
    """How many items a and b share at the start, and then at the end."""
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    return head, tail


def _span_texts(tokens: Sequence[str], spans: Sequence[tuple[int, int]]) -> tuple[str, ...]:
    return tuple(" ".join(tokens[start:end]) for start, end in spans)
