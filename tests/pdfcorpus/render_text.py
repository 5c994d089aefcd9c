"""Profile truth to the seed text format (a tab-separated text export of a profile PDF).

Optional quirks reproduce what page breaks leave in the seed: continuation rows (blank line,
then empty Name/Type/Level cells) and stray blank lines between rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tests.pdfcorpus.data import CompetenceData, ProfileData, sections

UL_PREFIX = '<ul style="list-style-type: none">'
OCCUPATIONS_LINE = (
    "ESCO Occupations - [ESCO - Occupations - European Commission \\(europa.eu\\)]"
    "(http://data.europa.eu/esco/occupation/)"
)
FUNDING_LINES = ("Co-funded by the", "Erasmus+ Programme", "of the European Union")
SPECIALISATIONS_LEAD_IN = "Other job roles that are more specialised but based on this"
COMPETENCE_HEADER = ("Name", "Type (S/K)", "Description/Context", "Level", "ESCO")
OCCUPATION_HEADER = ("ID", "NAME", "Concept URI")


@dataclass(frozen=True)
class TextBreak:
    """A page break inside one competence row: the rest goes to a continuation row.

    `statement` is the first statement (index) that goes to the continuation; with `word`
    set, that statement is cut after `word` words instead (a bullet cut mid-sentence).
    `esco` is the first ESCO label of the continuation (None: all labels stay above).
    """

    competence: int
    statement: int
    word: int | None = None
    esco: int | None = None


@dataclass(frozen=True)
class TextOptions:
    """Which rows carry the <ul> prefix, and the page-break quirks to emit."""

    ul: bool | frozenset[int] = True
    breaks: tuple[TextBreak, ...] = ()
    blank_before: frozenset[int] = field(default_factory=frozenset)
    blank_after_continuation: bool = False
    final_newline: bool = True

    def has_ul(self, index: int) -> bool:
        """Whether competence `index` (in profile order) has the <ul> prefix."""
        return self.ul if isinstance(self.ul, bool) else index in self.ul


def bullets_text(statements: Sequence[str], ul: bool) -> str:
    """A Description cell: '<ul ...> - a - b ' with the prefix, '- a - b' without."""
    if not statements:
        return UL_PREFIX + " " if ul else ""
    if ul:
        return UL_PREFIX + "".join(f" - {item}" for item in statements) + " "
    return "- " + " - ".join(statements)


def _split_description(item: CompetenceData, cut: TextBreak, ul: bool) -> tuple[str, str]:
    """Description text above and below a page break."""
    before = list(item.statements[: cut.statement])
    after = list(item.statements[cut.statement :])
    if cut.word is None:
        return bullets_text(before, ul), bullets_text(after, ul)
    words = after[0].split(" ")
    if not 0 < cut.word < len(words):
        raise ValueError(f"cannot cut {after[0]!r} after {cut.word} words")
    head = " ".join(words[: cut.word])
    tail = " ".join(words[cut.word :])
    return bullets_text([*before, head], ul), " - ".join([tail, *after[1:]])


def competence_lines(item: CompetenceData, index: int, options: TextOptions) -> list[str]:
    """The line(s) of one competence row, with its continuation row if it is broken."""
    ul = options.has_ul(index)
    cut = next((b for b in options.breaks if b.competence == index), None)
    lines = [""] if index in options.blank_before else []
    if cut is None:
        description = bullets_text(item.statements, ul)
        esco = "; ".join(item.esco_skills)
        return [*lines, "\t".join((item.name, item.type, description, item.level, esco))]
    above, below = _split_description(item, cut, ul)
    split = len(item.esco_skills) if cut.esco is None else cut.esco
    esco_above = "; ".join(item.esco_skills[:split])
    esco_below = "; ".join(item.esco_skills[split:])
    lines += [
        "\t".join((item.name, item.type, above, item.level, esco_above)),
        "",
        f"\t\t{below}\t\t{esco_below}",
    ]
    return [*lines, ""] if options.blank_after_continuation else lines


def front_lines(profile: ProfileData) -> list[str]:
    """Cover, title and description, occupations and context tables."""
    lines = ["", "", "", "", profile.alliance, "", profile.period, "", profile.title]
    lines += ["", "", "", *FUNDING_LINES, "", "", "", profile.title, ""]
    for paragraph in profile.paragraphs:
        lines += [paragraph, ""]
    lines += [OCCUPATIONS_LINE, "", "\t".join(OCCUPATION_HEADER)]
    lines += [f"{o.esco_code}\t{o.esco_label}\t{o.esco_uri}" for o in profile.occupations]
    lines += ["", "Context", ""]
    lines += [
        f"Minimum EQF\t{profile.eqf_text}",
        f"Value Chain\t{profile.value_chain}",
        "Departments\t" + " ".join(profile.departments),
        "Specialisations\t" + " ".join((SPECIALISATIONS_LEAD_IN, *profile.specialisations)),
    ]
    return lines


def render_text(profile: ProfileData, options: TextOptions | None = None) -> str:
    """The whole profile in the seed text format."""
    options = options or TextOptions()
    lines = front_lines(profile)
    for section in sections(profile):
        lines += ["", section.heading, "", "\t".join(COMPETENCE_HEADER)]
        for offset, item in enumerate(section.competences):
            lines += competence_lines(item, section.first_index + offset, options)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + ("\n" if options.final_newline else "")


def seed_options() -> TextOptions:
    """The quirks of the real seed export (/work/shared/seeds/000_ec40f3a5bbbfd221.txt)."""
    return TextOptions(
        ul=frozenset(range(15)),
        breaks=(TextBreak(0, 3), TextBreak(14, 1, word=7, esco=1)),
        blank_before=frozenset({7}),
        final_newline=False,
    )
