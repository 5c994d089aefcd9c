"""A Document to a Profile: clean text, split lists, parse levels, name competences."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TypeVar

from pipeline.codes import Code
from pipeline.contract.text import CONTEXT_KEYS
from pipeline.contract.vocabulary import Vocabulary, load_vocabulary
from pipeline.model import (
    Cell,
    Competence,
    Document,
    EscoSkill,
    Issue,
    Item,
    Location,
    Occupation,
    Profile,
    RawCompetence,
    RawSection,
    Severity,
    Statement,
)
from pipeline.stages.bullets import cells_to_statements
from pipeline.stages.clean import clean_text, join_wrapped, slugify
from pipeline.stages.lists import (
    TitleRules,
    cells_to_esco_skills,
    parse_eqf_levels,
    split_departments,
    split_specialisations,
)

_PERIOD = re.compile(r"^(\d{4})\s*[-–—]\s*(\d{4})$")
_HEADING_NOTE = re.compile(r"^(?P<category>.*?)\s*\((?P<note>[^()]*)\)\s*$")
_REQUIRED_CONTEXT = {"eqf": "Minimum EQF", "value_chain": "Value Chain"}
_TYPE_WORDS = {"skill": "S", "skills": "S", "knowledge": "K"}


@dataclass(frozen=True)
class NormaliseRules:
    """The vocabularies normalisation needs, loaded from schemas/vocab."""

    categories: Vocabulary
    types: Vocabulary
    levels: Vocabulary
    departments: Vocabulary
    titles: TitleRules

    @classmethod
    def load(cls) -> NormaliseRules:
        # The same rules for the same vocabularies: a worker loads them for every file, and
        # the rules keep what they work out from the vocabularies (noun forms, lead-ins).
        return _rules(tuple(load_vocabulary(name) for name in _RULE_VOCABULARIES))


_RULE_VOCABULARIES = (
    "categories",
    "types",
    "levels",
    "departments",
    "role_nouns",
    "qualifier_nouns",
    "specialisation_lead_ins",
    "title_openers",
)


@cache
def _rules(vocabularies: tuple[Vocabulary, ...]) -> NormaliseRules:
    categories, types, levels, departments, roles, qualifiers, lead_ins, openers = vocabularies
    return NormaliseRules(
        categories=categories,
        types=types,
        levels=levels,
        departments=departments,
        titles=TitleRules(
            role_nouns=roles, qualifier_nouns=qualifiers, lead_ins=lead_ins, openers=openers
        ),
    )


@dataclass(frozen=True)
class Normalised:
    profile: Profile
    issues: tuple[Issue, ...]


def split_heading(heading: str, categories: Vocabulary) -> tuple[str, str | None]:
    """'Academic Competence (can be taken from ...)' -> category and note, apart; a heading
    wrapped over lines is one line of text."""
    text = clean_text(join_wrapped(heading.split("\n")))
    note = None
    if (match := _HEADING_NOTE.match(text)) and match["category"]:
        text, note = match["category"], match["note"].strip() or None
    return categories.canonical(text) or text, note


def canonical_level(text: str, levels: Vocabulary) -> str:
    cleaned = clean_text(text)
    return levels.canonical(cleaned) or cleaned


def canonical_type(text: str, types: Vocabulary) -> str:
    cleaned = clean_text(text)
    return types.canonical(cleaned) or _TYPE_WORDS.get(cleaned.casefold(), cleaned)


def paragraphs_to_text(paragraphs: Sequence[Cell]) -> str:
    """Paragraphs joined by one blank line; lines inside a paragraph are wrapped text."""
    cleaned = (clean_text(join_wrapped(p.text.split("\n"))) for p in paragraphs)
    return "\n\n".join(text for text in cleaned if text)


def unique_ids(slugs: Sequence[str]) -> list[str]:
    """Suffix repeats with -2, -3, ... in order, so ids stay stable across runs; a suffix
    that another slug already is (a name "Teamwork 2" beside two "Teamwork") is skipped."""
    taken = set(slugs)
    seen: set[str] = set()
    ids = []
    for slug in slugs:
        if slug not in seen:
            seen.add(slug)
            ids.append(slug)
            continue
        number = 2
        while f"{slug}-{number}" in taken:
            number += 1
        taken.add(f"{slug}-{number}")
        ids.append(f"{slug}-{number}")
    return ids


class _Findings:
    def __init__(self, file: str) -> None:
        self.file = file
        self.issues: list[Issue] = []

    def add(
        self,
        message: str,
        cell: Cell | None,
        hint: str = "",
        *,
        table: str | None = None,
        column: str | None = None,
        row: str | None = None,
        severity: Severity = "error",
        code: Code,
    ) -> None:
        location = Location(
            self.file,
            page=cell.page if cell else None,
            line=cell.line if cell else None,
            table=table,
            column=column,
            row=row,
        )
        self.issues.append(Issue("normalise", message, location, hint, severity, code=code))


def document_to_profile(document: Document, rules: NormaliseRules) -> Normalised:
    findings = _Findings(document.source.path)
    findings.issues.extend(document.issues)
    title = clean_text(join_wrapped(document.title.text.split("\n")))
    profile_id = slugify(title)
    if not profile_id:
        findings.add(
            f"title {title!r} has no letters or digits to name the profile by",
            document.title,
            "give the profile a title made of words",
            table="profiles",
            code=Code.TITLE_WITHOUT_LETTERS,
            column="title",
        )
    context = _context_values(document, findings)
    period = clean_text(document.period.text)
    period_match = _PERIOD.match(period)
    profile = Profile(
        profile_id=profile_id,
        title=title,
        description=paragraphs_to_text(document.description),
        alliance=clean_text(join_wrapped(document.alliance.text.split("\n"))),
        period=(f"{period_match[1]}-{period_match[2]}" if period_match else period),
        period_start=int(period_match[1]) if period_match else None,
        period_end=int(period_match[2]) if period_match else None,
        eqf_levels=_eqf_levels(context.get("eqf"), findings),
        value_chain=clean_text(context["value_chain"].text) if "value_chain" in context else "",
        departments=_departments(context.get("departments"), rules, findings),
        specialisations=_specialisations(context.get("specialisations"), rules, findings),
        occupations=tuple(
            Occupation(
                esco_code=clean_text(raw.code.text),
                esco_label=clean_text(join_wrapped(raw.label.text.split("\n"))),
                # A URI has no spaces: lines it wrapped over join without one.
                esco_uri=re.sub(r"\s+", "", clean_text(raw.uri.text)),
                line=raw.code.line,
                page=raw.code.page,
                ocr_confidence=cells_confidence((raw.code, raw.label, raw.uri)),
            )
            for raw in document.occupations
        ),
        competences=_competences(profile_id, document.sections, rules, findings),
        source=document.source,
        ocr_pages=document.ocr_pages,
        eqf_ocr_confidence=cells_confidence((context["eqf"],)) if "eqf" in context else None,
        ocr_confidence=cells_confidence(
            (
                document.title,
                *document.description,
                document.alliance,
                document.period,
                *(context[key] for key in ("eqf", "value_chain") if key in context),
            )
        ),
    )
    if not profile.competences:
        findings.add(
            "the competence tables have no rows",
            None,
            "add the competences under their category headings",
            table="competences",
            code=Code.NO_COMPETENCES,
        )
    if not profile.occupations:
        findings.add(
            "the ESCO Occupations table has no rows",
            None,
            "add at least one ESCO occupation (code, label, URI)",
            table="occupations",
            code=Code.NO_OCCUPATIONS,
        )
    return Normalised(profile, tuple(findings.issues))


def _context_values(document: Document, findings: _Findings) -> dict[str, Cell]:
    values: dict[str, Cell] = {}
    for entry in document.context:
        key = CONTEXT_KEYS.get(clean_text(entry.key).casefold().rstrip(":"))
        if key is None:
            findings.add(
                f"unknown Context key {entry.key!r} ignored",
                entry.value,
                "known keys: Minimum EQF, Value Chain, Departments, Specialisations",
                table="context",
                code=Code.UNKNOWN_CONTEXT_KEY,
                severity="warning",
            )
        elif key in values:
            findings.add(
                f"Context key {entry.key!r} appears twice",
                entry.value,
                "keep one row per Context key",
                table="context",
                code=Code.REPEATED_CONTEXT_KEY,
            )
        else:
            values[key] = entry.value
    for key, label in _REQUIRED_CONTEXT.items():
        if key not in values:
            findings.add(
                f"the Context table has no {label!r} row",
                None,
                f"add a '{label}' row to the Context table",
                table="context",
                code=Code.MISSING_CONTEXT_ROW,
            )
    return values


def _eqf_levels(cell: Cell | None, findings: _Findings) -> tuple[int, ...]:
    if cell is None:
        return ()
    try:
        return parse_eqf_levels(cell.text)
    except ValueError as error:
        findings.add(
            f"Minimum EQF {_short(clean_text(cell.text))!r}: {error}",
            cell,
            "write the EQF levels as numbers 1-8, e.g. 6 or 6/7/8",
            table="eqf_levels",
            code=Code.BAD_EQF,
            column="eqf_level",
        )
        return ()


def _departments(cell: Cell | None, rules: NormaliseRules, findings: _Findings) -> tuple[Item, ...]:
    if cell is None:
        findings.add(
            "the Context table has no 'Departments' row",
            None,
            "add the departments this role works in",
            table="departments",
            code=Code.MISSING_CONTEXT_ROW,
            severity="warning",
        )
        return ()
    return with_confidences(
        tuple(
            Item(text, cell.line, cell.page)
            for text in split_departments(cell.text, rules.departments)
        ),
        (cell,),
    )


def _specialisations(
    cell: Cell | None, rules: NormaliseRules, findings: _Findings
) -> tuple[Item, ...]:
    if cell is None:
        return ()
    split = split_specialisations(cell.text, rules.titles)
    nouns = rules.titles.role_nouns.path
    if split.unfinished:
        findings.add(
            f"specialisation text {split.unfinished!r} does not end in a role noun from "
            f"{nouns}, so it is kept as one title",
            cell,
            f"if its last word is a role noun, add that noun to {nouns}; if it is several "
            "titles, write one title per line (or separate them with ';')",
            table="specialisations",
            code=Code.UNFINISHED_SPECIALISATION,
            column="specialisation",
            severity="warning",
        )
    for ambiguous in split.ambiguous:
        first, second = ambiguous.nouns
        chosen = (
            "one title"
            if len(ambiguous.chosen) == 1
            else " + ".join(repr(title) for title in ambiguous.chosen)
        )
        findings.add(
            f"ambiguous specialisations {' '.join(ambiguous.chosen)!r}: read as {chosen}, "
            f"not as {' + '.join(repr(title) for title in ambiguous.other)} "
            f"({first!r} and {second!r} are both role nouns)",
            cell,
            "if the other reading is right, write one title per line (or separate them with "
            f"';'); if {second!r} usually opens a title, add it to "
            f"{rules.titles.openers.path}",
            table="specialisations",
            code=Code.AMBIGUOUS_SPECIALISATIONS,
            column="specialisation",
            severity="warning",
        )
    return with_confidences(
        tuple(Item(title, cell.line, cell.page) for title in split.titles), (cell,)
    )


def _competences(
    profile_id: str,
    sections: Sequence[RawSection],
    rules: NormaliseRules,
    findings: _Findings,
) -> tuple[Competence, ...]:
    rows: list[tuple[RawSection, RawCompetence]] = []
    for section in sections:
        if not section.competences:
            findings.add(
                f"competence table {clean_text(section.heading.text)!r} has no rows",
                section.heading,
                "fill in the table or remove its heading",
                table="competences",
                code=Code.EMPTY_COMPETENCE_TABLE,
                severity="warning",
            )
        rows.extend((section, raw) for raw in section.competences)
    names = [clean_text(join_wrapped(raw.name.text.split("\n"))) for _, raw in rows]
    ids = unique_ids([f"{profile_id}--{slugify(name) or 'competence'}" for name in names])
    competences = []
    # A section's heading names the category of each of its rows: split it once.
    headings: dict[str, tuple[str, str | None]] = {}
    for (section, raw), name, competence_id in zip(rows, names, ids, strict=True):
        heading = section.heading.text
        if heading not in headings:
            headings[heading] = split_heading(heading, rules.categories)
        category, note = headings[heading]
        competence = Competence(
            competence_id=competence_id,
            category=category,
            category_note=note,
            name=name,
            type=canonical_type(raw.type.text, rules.types),
            level=canonical_level(raw.level.text, rules.levels),
            statements=with_confidences(cells_to_statements(raw.description), raw.description),
            esco_skills=with_confidences(cells_to_esco_skills(raw.esco), raw.esco),
            line=raw.name.line,
            page=raw.name.page,
            ocr_confidence=cells_confidence((section.heading, raw.name, raw.type, raw.level)),
        )
        _competence_warnings(competence, raw, findings)
        competences.append(competence)
    return tuple(competences)


def _competence_warnings(competence: Competence, raw: RawCompetence, findings: _Findings) -> None:
    """Findings that do not make the data wrong, but that a steward may want to fix."""
    row = f"competence {competence.name!r}"
    seen: set[str] = set()
    for number, statement in enumerate(competence.statements, start=1):
        if statement.text in seen:
            findings.add(
                f"statement #{number} repeats an earlier statement: {_short(statement.text)!r}",
                Cell(statement.text, statement.line, statement.page),
                "remove the repeated bullet if it is a copy-paste slip",
                table="competence_statements",
                code=Code.REPEATED_STATEMENT,
                row=row,
                severity="warning",
            )
        seen.add(statement.text)
    if not competence.esco_skills:
        findings.add(
            "competence has no ESCO skills",
            raw.name,
            "add the matching ESCO skill labels to the ESCO column",
            table="competence_esco_skills",
            code=Code.NO_ESCO_SKILLS,
            row=row,
            severity="warning",
        )


# --- OCR confidences ---------------------------------------------------------------------

Read = TypeVar("Read", Item, Statement, EscoSkill)


def cells_confidence(cells: Sequence[Cell]) -> int | None:
    """The lowest OCR confidence of the words of these cells; None when OCR read none."""
    return min(
        (
            confidence
            for cell in cells
            for _, confidence in cell.ocr or ()
            if confidence is not None
        ),
        default=None,
    )


def with_confidences(items: tuple[Read, ...], cells: Sequence[Cell]) -> tuple[Read, ...]:
    """Items split from these cells, in order, each with the lowest OCR confidence of the
    words it is made of: its text found (letters and digits compared, so that cleaning,
    joined lines and hyphens do not matter) in the cells' words after the item before;
    an item not found there takes the lowest confidence of all the cells' words."""
    if all(cell.ocr is None for cell in cells):
        return items
    confidences: list[int | None] = []
    owners: list[int] = []
    letters: list[str] = []
    for cell in cells:
        words = cell.ocr if cell.ocr is not None else [(w, None) for w in cell.text.split()]
        for text, confidence in words:
            folded = _folded(text)
            owners.extend([len(confidences)] * len(folded))
            letters.append(folded)
            confidences.append(confidence)
    stream = "".join(letters)
    lowest = min((c for c in confidences if c is not None), default=None)
    cursor = 0
    out = []
    for item in items:
        target = _folded(item.label if isinstance(item, EscoSkill) else item.text)
        at = stream.find(target, cursor) if target else -1
        if at < 0 and target:
            at = stream.find(target)
        if at < 0:
            out.append(replace(item, ocr_confidence=lowest))
            continue
        cursor = at + len(target)
        found = [confidences[i] for i in sorted(set(owners[at:cursor]))]
        out.append(
            replace(item, ocr_confidence=min((c for c in found if c is not None), default=None))
        )
    return tuple(out)


def _folded(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
