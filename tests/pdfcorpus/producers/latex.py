"""LaTeX (pdflatex + longtable) typesetting of the truth profiles.

Four documents, each what a LaTeX author might write for a job-role profile:

- ``grid-palatino``: A4 article at 10pt in Palatino, a full ``\\hline`` / ``|`` grid, a
  shaded and centred header row and a very narrow Type column (so ``Type (S/K)`` breaks over
  three lines at the ``\\slash``), competence tables in ``\\footnotesize`` (8pt), en-dash list
  labels, a plain page number.
- ``booktabs-lmodern``: A4 article at 11pt in Latin Modern, booktabs rules (horizontal only),
  tables in the body size (10.95pt), bullets, a fancyhdr running header and page numbers.
- ``zebra-helvetica``: A4 article at 10pt in Helvetica, ``\\rowcolors`` banded rows and no
  rules, vertically centred ``m{}`` columns, ESCO labels as separate paragraphs in a narrow
  column, ragged-right description with parskip, fancyhdr header and ``Page N`` footer.
- ``landscape-times``: a US-Letter report at 12pt in Times with LaTeX's default margins and
  ``\\onehalfspacing`` (description justified, running over a page), competence tables on
  pdflscape landscape pages, borderless, bottom-aligned ``b{}`` columns.

Truth profile i (sorted by stem) is typeset with VARIANTS[i % 4] (or, should its text not
read back there, with the next variant that works). The documents are left as LaTeX makes
them: longtable may leave a section heading alone at the foot of a page, and a competence
row taller than a page is not split by hand: longtable lets it run off the bottom of the
page (over the footer); pdfplumber still reads the text beyond the MediaBox (`overflow`).
Output is deterministic (no dates, no /ID).

Every variation a PDF is said to contain is checked on the PDF with pdfplumber
(`verified_variations`), and `text_problems` checks that the text of the truth reads back.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from tests.pdfcorpus.data import CompetenceData, ProfileData, sections
from tests.pdfcorpus.producers import Producer, Rendered

PDFLATEX = "pdflatex"
PASSES = 4  # at most; longtable usually settles after two
TIMEOUT = 300
# 2023-06-30 12:00 UTC, the date the other fixture producers use.
SOURCE_DATE_EPOCH = "1688126400"
DEBIAN_PACKAGES = (
    "texlive-latex-base",
    "texlive-latex-recommended",
    "texlive-fonts-recommended",
    "lmodern",
)
PACKAGES = (
    "longtable",
    "array",
    "booktabs",
    "colortbl",
    "xcolor",
    "pdflscape",
    "ragged2e",
    "fancyhdr",
    "geometry",
    "setspace",
    "parskip",
    "url",
    "lmodern",
    "txfonts",
    "mathpazo",
    "helvet",
    "courier",
)

# --------------------------------------------------------------------------------------
# LaTeX escaping
# --------------------------------------------------------------------------------------

_GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "varepsilon",
    "η": "eta",
    "θ": "theta",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "ν": "nu",
    "π": "pi",
    "ρ": "rho",
    "σ": "sigma",
    "τ": "tau",
    "φ": "varphi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
    "Γ": "Gamma",
    "Δ": "Delta",
    "Θ": "Theta",
    "Λ": "Lambda",
    "Ξ": "Xi",
    "Π": "Pi",
    "Σ": "Sigma",
    "Φ": "Phi",
    "Ψ": "Psi",
    "Ω": "Omega",
    "\u2126": "Omega",  # OHM SIGN, read back as U+03A9 (same NFKC)
}

_MATH = {
    "≤": r"\leq",
    "≥": r"\geq",
    "≠": r"\neq",
    "≈": r"\approx",
    "∞": r"\infty",
    "→": r"\rightarrow",
    "←": r"\leftarrow",
    "↔": r"\leftrightarrow",
    "⇒": r"\Rightarrow",
    "∑": r"\sum",
    "√": r"\surd",
    "∆": r"\Delta",
    "∂": r"\partial",
    "∼": r"\sim",
    "⋅": r"\cdot",
    **{char: "\\" + name for char, name in _GREEK.items()},
}

_TEXT = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': r"\textquotedbl{}",
    "'": r"\textquotesingle{}",
    "`": r"\textasciigrave{}",
    "\u2018": r"\textquoteleft{}",
    "\u2019": r"\textquoteright{}",
    "\u201c": r"\textquotedblleft{}",
    "\u201d": r"\textquotedblright{}",
    "\u201e": r"\quotedblbase{}",
    "\u2013": r"\textendash{}",
    "\u2014": r"\textemdash{}",
    "\u2212": r"\textminus{}",
    "\u00a0": "~",
    "\u2009": r"\,",
    "\u202f": r"\,",
    "°": r"\textdegree{}",
    "±": r"\textpm{}",
    "µ": r"\textmu{}",
    "×": r"\texttimes{}",
    "÷": r"\textdiv{}",
    "·": r"\textperiodcentered{}",
    "•": r"\textbullet{}",
    "…": r"\dots{}",
    "€": r"\texteuro{}",
    "©": r"\textcopyright{}",
    "®": r"\textregistered{}",
    "™": r"\texttrademark{}",
    "§": r"\S{}",
    "¶": r"\P{}",
    "†": r"\dag{}",
    "²": r"\texttwosuperior{}",
    "³": r"\textthreesuperior{}",
    "¹": r"\textonesuperior{}",
    "½": r"\textonehalf{}",
    "¼": r"\textonequarter{}",
    "¾": r"\textthreequarters{}",
    "¬": r"\textlnot{}",
    "¦": r"\textbrokenbar{}",
}

# ASCII pairs that the T1 fonts would turn into one glyph (-- ,, << and friends).
_LIGATURE_FIRST = {"-": "-", ",": ",", "!": "`", "?": "`"}


def latex_escape(text: str) -> str:
    """Text as LaTeX source that typesets (and reads back from the PDF as) the same text.

    Specials are escaped, typographic characters become their text commands (T1/TS1),
    mathematical symbols and Greek letters are set in math (`\\ensuremath`), runs of white
    space become one space, and `--`, `,,` are kept from forming T1 ligatures. Other
    characters (accented letters) are left to inputenc's UTF-8 support.
    """
    out: list[str] = []
    text = " ".join(text.split())
    for index, char in enumerate(text):
        following = text[index + 1] if index + 1 < len(text) else ""
        if char in _TEXT:
            out.append(_TEXT[char])
        elif char in _MATH:
            out.append(r"\ensuremath{" + _MATH[char] + "}")
        elif char in _LIGATURE_FIRST and following == _LIGATURE_FIRST[char]:
            out.append(char + "{}")
        else:
            out.append(char)
    return "".join(out)


e = latex_escape


def pdf_string(text: str) -> str:
    """A PDF text string for the document info: (ASCII) or <FEFF UTF-16BE hex>."""
    if all(32 <= ord(char) < 127 and char not in "()\\" for char in text):
        return f"({text})"
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


# --------------------------------------------------------------------------------------
# The documents
# --------------------------------------------------------------------------------------

HEADER_LABELS = ("Name", "Type (S/K)", "Description/Context", "Level", "ESCO")
FUNDING = ("Co-funded by the", "Erasmus+ Programme", "of the European Union")
SPECIALISATIONS_SENTENCE = "Other job roles that are more specialised but based on this"
EU_BLUE = r"\definecolor{eublue}{RGB}{0,51,153}"
ESCO_PARAGRAPH = "\n\\escoskip\n"  # labels as paragraphs, \escoskip = \par + a skip


@dataclass(frozen=True)
class Variant:
    """One LaTeX document design. `build(profile)` returns the .tex source."""

    name: str
    summary: str
    aims: tuple[str, ...]  # variations it is designed for (each is verified on the PDF)
    build: Callable[[ProfileData], str]


def _common_preamble(profile: ProfileData) -> str:
    return "\n".join(
        (
            r"\pdfinfoomitdate=1",
            r"\pdftrailerid{}",
            r"\pdfinfo{/Title " + pdf_string(profile.title) + "}",
            # ToUnicode maps: the math font's "Delta" is the Greek letter here, not U+2206.
            r"\pdfgentounicode=1",
            r"\pdfglyphtounicode{Delta}{0394}",
            r"\usepackage[T1]{fontenc}",
            r"\usepackage[utf8]{inputenc}",
            r"\usepackage{textcomp}",
        )
    )


def _paragraphs(profile: ProfileData) -> str:
    return "\n\n".join(e(paragraph) for paragraph in profile.paragraphs)


def _lines(items: Iterable[str], sep: str = r"\newline ") -> str:
    return sep.join(e(item) for item in items)


def _statement_list(competence: CompetenceData, env: str = "statements") -> str:
    items = "\n".join(r"  \item " + e(statement) for statement in competence.statements)
    return f"\\begin{{{env}}}\n{items}\n\\end{{{env}}}"


def _statements_env(label: str, position: str) -> str:
    """A compact list for a table cell of a p (t), m (c) or b (b) column, with the usual
    idioms: a [t] minipage with a closing strut, the bare list pulled up by a line, a [b]
    minipage."""
    begin, end = {
        "t": (r"\begin{minipage}[t]{\linewidth}", r"\strut\end{list}\end{minipage}"),
        "c": ("", r"\end{list}\vspace{-\baselineskip}"),
        "b": (r"\begin{minipage}[b]{\linewidth}", r"\end{list}\end{minipage}"),
    }[position]
    return (
        r"\newenvironment{statements}"
        rf"{{{begin}"
        rf"\begin{{list}}{{{label}}}{{\setlength{{\leftmargin}}{{1.1em}}"
        r"\setlength{\labelwidth}{0.7em}\setlength{\labelsep}{0.4em}"
        r"\setlength{\itemsep}{1pt}\setlength{\parsep}{0pt}"
        r"\setlength{\topsep}{0pt}\setlength{\partopsep}{0pt}}}"
        rf"{{{end}}}"
    )


# 1. Grid, Palatino, A4, 10pt ----------------------------------------------------------


def _grid(profile: ProfileData) -> str:
    title = e(profile.title)
    competence_spec = "|p{2.8cm}|p{18pt}|p{7.6cm}|p{1.6cm}|p{2.85cm}|"
    header = (
        r"\rowcolor{headgray}"
        r"\centering\bfseries Name & \centering\bfseries Type (S\slash K) & "
        r"\centering\bfseries Description/Context & \centering\bfseries Level & "
        r"\centering\arraybackslash\bfseries ESCO \\ \hline"
    )
    parts = [
        r"\documentclass[10pt,a4paper]{article}",
        _common_preamble(profile),
        r"\usepackage{mathpazo}",
        r"\usepackage{courier}",
        r"\usepackage[a4paper,margin=2cm]{geometry}",
        r"\usepackage{array,longtable}",
        r"\usepackage[table]{xcolor}",
        r"\usepackage{url}",
        EU_BLUE,
        r"\definecolor{headgray}{gray}{0.82}",
        r"\setlength{\tabcolsep}{4pt}",
        r"\renewcommand{\arraystretch}{1.15}",
        _statements_env(r"\textendash", "t"),
        r"\pagestyle{plain}",
        r"\begin{document}",
        # A cover without the titlepage environment: page numbering just goes on.
        r"\thispagestyle{empty}",
        r"\begin{flushleft}",
        r"\vspace*{2cm}",
        r"{\Large " + e(profile.alliance) + r"\par}",
        r"\vspace{0.4cm}",
        r"{\large " + e(profile.period) + r"\par}",
        r"\vspace{4cm}",
        r"{\huge\bfseries " + title + r"\par}",
        r"\vfill",
        r"\textcolor{eublue}{\rule{2.7cm}{1.8cm}}\par\medskip",
        r"{\small " + r"\\ ".join(FUNDING) + r"\par}",
        r"\end{flushleft}",
        r"\newpage",
        r"\noindent{\LARGE\bfseries " + title + r"\par}",
        r"\bigskip",
        _paragraphs(profile),
        r"\subsection*{ESCO Occupations}",
        r"\begin{footnotesize}",
        r"\begin{longtable}{|l|p{2.1cm}|l|}",
        r"\hline",
        r"\rowcolor{headgray}\bfseries ID & \bfseries NAME & \bfseries Concept URI \\ \hline",
        r"\endhead",
    ]
    for occupation in profile.occupations:
        parts.append(
            f"{e(occupation.esco_code)} & {e(occupation.esco_label)} & "
            f"\\url{{{occupation.esco_uri}}} \\\\ \\hline"
        )
    parts += [
        r"\end{longtable}",
        r"\end{footnotesize}",
        r"\subsection*{Context}",
        r"\begin{longtable}{|l|p{11cm}|}",
        r"\hline",
        r"Minimum EQF & " + e(profile.eqf_text) + r" \\ \hline",
        r"Value Chain & " + e(profile.value_chain) + r" \\ \hline",
        r"Departments & " + _lines(profile.departments) + r" \\ \hline",
        r"Specialisations & "
        + _lines((SPECIALISATIONS_SENTENCE, *profile.specialisations))
        + r" \\ \hline",
        r"\end{longtable}",
    ]
    for section in sections(profile):
        parts += [
            r"\subsection*{" + e(section.heading) + "}",
            r"\begin{footnotesize}",
            r"\begin{longtable}{" + competence_spec + "}",
            r"\hline",
            header,
            r"\endhead",
        ]
        for competence in section.competences:
            parts.append(
                f"{e(competence.name)} & {e(competence.type)} &\n"
                f"{_statement_list(competence)}\n"
                f"& {e(competence.level)} & {_lines(competence.esco_skills)} \\\\ \\hline"
            )
        parts += [r"\end{longtable}", r"\end{footnotesize}"]
    parts.append(r"\end{document}")
    return "\n".join(parts) + "\n"


# 2. Booktabs, Latin Modern, A4, 11pt -------------------------------------------------


def _booktabs(profile: ProfileData) -> str:
    title = e(profile.title)
    ragged = r">{\raggedright\arraybackslash}"
    competence_spec = (
        f"@{{}}{ragged}p{{2.55cm}}{ragged}p{{1.2cm}}p{{6.5cm}}"
        f"{ragged}p{{2.05cm}}{ragged}p{{2.9cm}}@{{}}"
    )
    header = (
        r"\toprule"
        "\n"
        r"\textbf{Name} & \textbf{Type (S/K)} & \textbf{Description/Context} & "
        r"\textbf{Level} & \textbf{ESCO} \\"
        "\n"
        r"\midrule"
    )
    parts = [
        r"\documentclass[11pt,a4paper]{article}",
        _common_preamble(profile),
        r"\usepackage{lmodern}",
        r"\usepackage[a4paper,margin=2cm,headheight=14pt]{geometry}",
        r"\usepackage{array,longtable,booktabs}",
        r"\usepackage{xcolor}",
        r"\usepackage{url}",
        r"\urlstyle{same}",
        r"\usepackage{fancyhdr}",
        r"\pagestyle{fancy}",
        r"\fancyhf{}",
        r"\fancyhead[R]{\small\itshape " + title + "}",
        r"\fancyfoot[C]{\thepage}",
        EU_BLUE,
        _statements_env(r"\textbullet", "t"),
        r"\begin{document}",
        r"\begin{titlepage}",
        r"\centering",
        r"\vspace*{1.5cm}",
        r"{\large " + e(profile.alliance) + r"\par}",
        r"\vspace{0.5cm}",
        r"{\large " + e(profile.period) + r"\par}",
        r"\vspace{5cm}",
        r"{\Huge\bfseries " + title + r"\par}",
        r"\vfill",
        r"\textcolor{eublue}{\rule{2.4cm}{1.6cm}}\par",
        r"\vspace{0.5cm}",
        r"\\ ".join(FUNDING) + r"\par",
        r"\end{titlepage}",
        r"\begin{center}",
        r"{\LARGE\bfseries " + title + r"\par}",
        r"\end{center}",
        r"\medskip",
        _paragraphs(profile),
        r"\section*{ESCO Occupations}",
        r"\begin{footnotesize}",
        r"\begin{longtable}{@{}l>{\raggedright\arraybackslash}p{2.8cm}l@{}}",
        r"\toprule",
        r"\textbf{ID} & \textbf{NAME} & \textbf{Concept URI} \\",
        r"\midrule",
        r"\endhead",
    ]
    for occupation in profile.occupations:
        parts.append(
            f"{e(occupation.esco_code)} & {e(occupation.esco_label)} & "
            f"\\url{{{occupation.esco_uri}}} \\\\"
        )
    parts += [
        r"\bottomrule",
        r"\end{longtable}",
        r"\end{footnotesize}",
        r"\section*{Context}",
        r"\begin{longtable}{@{}>{\bfseries}lp{12.5cm}@{}}",
        r"\toprule",
        r"Minimum EQF & " + e(profile.eqf_text) + r" \\",
        r"Value Chain & " + e(profile.value_chain) + r" \\",
        r"Departments & " + _lines(profile.departments) + r" \\",
        r"Specialisations & "
        + _lines((SPECIALISATIONS_SENTENCE, *profile.specialisations))
        + r" \\",
        r"\bottomrule",
        r"\end{longtable}",
    ]
    for section in sections(profile):
        parts += [
            r"\section*{" + e(section.heading) + "}",
            r"\begin{longtable}{" + competence_spec + "}",
            header,
            r"\endfirsthead",
            header,
            r"\endhead",
            r"\bottomrule",
            r"\endfoot",
            r"\bottomrule",
            r"\endlastfoot",
        ]
        rows = [
            f"{e(competence.name)} & {e(competence.type)} &\n"
            f"{_statement_list(competence)}\n"
            f"& {e(competence.level)} & {_lines(competence.esco_skills)} \\\\"
            for competence in section.competences
        ]
        parts.append("\n\\addlinespace\n".join(rows))
        parts.append(r"\end{longtable}")
    parts.append(r"\end{document}")
    return "\n".join(parts) + "\n"


# 3. Zebra rows, Helvetica, A4, 10pt ------------------------------------------------------


def _zebra(profile: ProfileData) -> str:
    title = e(profile.title)
    ragged = r">{\raggedright\arraybackslash}"
    centred = r">{\centering\arraybackslash}"
    competence_spec = (
        f"{ragged}m{{2.9cm}}{centred}m{{1.15cm}}m{{6.75cm}}{centred}m{{1.75cm}}{ragged}m{{2.3cm}}"
    )
    header = (
        r"\rowcolor{headgray}"
        r"\textbf{Name} & \textbf{Type (S/K)} & \textbf{Description/Context} & "
        r"\textbf{Level} & \textbf{ESCO} \\"
    )
    parts = [
        r"\documentclass[10pt,a4paper]{article}",
        _common_preamble(profile),
        r"\usepackage[scaled=0.95]{helvet}",
        r"\renewcommand{\familydefault}{\sfdefault}",
        r"\usepackage[a4paper,margin=2cm,headheight=13pt]{geometry}",
        r"\usepackage{array,longtable}",
        r"\usepackage[table]{xcolor}",
        r"\usepackage{ragged2e}",
        r"\usepackage{parskip}",
        r"\usepackage{fancyhdr}",
        r"\pagestyle{fancy}",
        r"\fancyhf{}",
        r"\fancyhead[L]{\footnotesize " + e(profile.alliance) + "}",
        r"\fancyfoot[R]{\footnotesize Page \thepage}",
        r"\renewcommand{\headrulewidth}{0pt}",
        EU_BLUE,
        r"\definecolor{headgray}{gray}{0.72}",
        r"\definecolor{band}{gray}{0.9}",
        r"\renewcommand{\arraystretch}{1.3}",
        _statements_env(r"\textbullet", "c"),
        r"\newcommand{\escoskip}{\par\smallskip}",
        r"\begin{document}",
        r"\begin{titlepage}",
        r"\centering",
        r"{\Large\bfseries " + e(profile.alliance) + r"\par}",
        r"\vspace{0.3cm}",
        r"{\Large " + e(profile.period) + r"\par}",
        r"\vspace{6cm}",
        r"{\Huge\bfseries " + title + r"\par}",
        r"\vfill",
        r"\textcolor{eublue}{\rule{2cm}{1.35cm}}\par",
        r"\vspace{0.4cm}",
        r"\\".join(FUNDING) + r"\par",
        r"\end{titlepage}",
        r"{\huge\bfseries " + title + r"\par}",
        r"\medskip",
        r"\RaggedRight",
        _paragraphs(profile),
        r"\par\justifying",
        r"\section*{ESCO Occupations}",
        r"\begin{small}",
        r"\rowcolors{2}{white}{band}",
        r"\begin{longtable}{lp{3cm}l}",
        r"\rowcolor{headgray}\textbf{ID} & \textbf{NAME} & \textbf{Concept URI} \\",
        r"\endhead",
    ]
    for occupation in profile.occupations:
        parts.append(
            f"{e(occupation.esco_code)} & {e(occupation.esco_label)} & "
            f"{e(occupation.esco_uri)} \\\\"
        )
    parts += [
        r"\end{longtable}",
        r"\section*{Context}",
        r"\rowcolors{1}{band}{white}",
        r"\begin{longtable}{>{\bfseries}lp{12cm}}",
        r"Minimum EQF & " + e(profile.eqf_text) + r" \\",
        r"Value Chain & " + e(profile.value_chain) + r" \\",
        r"Departments & " + _lines(profile.departments) + r" \\",
        r"Specialisations & "
        + _lines((SPECIALISATIONS_SENTENCE, *profile.specialisations))
        + r" \\",
        r"\end{longtable}",
        r"\end{small}",
    ]
    for section in sections(profile):
        parts += [
            r"\section*{" + e(section.heading) + "}",
            r"\begin{small}",
            r"\rowcolors{2}{white}{band}",
            r"\begin{longtable}{" + competence_spec + "}",
            header,
            r"\endhead",
        ]
        for competence in section.competences:
            parts.append(
                f"{e(competence.name)} & {e(competence.type)} &\n"
                f"{_statement_list(competence)}\n"
                f"& {e(competence.level)} & "
                f"{_lines(competence.esco_skills, sep=ESCO_PARAGRAPH)} \\\\"
            )
        parts += [r"\end{longtable}", r"\end{small}"]
    parts.append(r"\end{document}")
    return "\n".join(parts) + "\n"


# 4. Landscape tables, Times, US Letter report, 12pt -----------------------------------------


def _landscape(profile: ProfileData) -> str:
    title = e(profile.title)
    ragged = r">{\raggedright\arraybackslash}"
    competence_spec = (
        f"@{{}}{ragged}b{{3.0cm}}{ragged}b{{1.2cm}}b{{8.25cm}}"
        f"{ragged}b{{2.0cm}}{ragged}b{{3.15cm}}@{{}}"
    )
    header = (
        r"\textbf{Name} & \textbf{Type (S/K)} & \textbf{Description/Context} & "
        r"\textbf{Level} & \textbf{ESCO} \\[1.5ex]"
    )
    parts = [
        r"\documentclass[12pt,letterpaper]{report}",
        _common_preamble(profile),
        r"\usepackage{txfonts}",
        r"\usepackage{array,longtable,pdflscape}",
        r"\usepackage{xcolor}",
        r"\usepackage{url}",
        r"\urlstyle{same}",
        r"\usepackage{setspace}",
        r"\onehalfspacing",
        EU_BLUE,
        _statements_env(r"\textbullet", "b"),
        r"\newcommand{\escoskip}{\par\medskip}",
        r"\begin{document}",
        r"\begin{titlepage}",
        r"\begin{center}",
        r"{\large\scshape " + e(profile.alliance) + r"\par}",
        r"\vspace{0.5cm}",
        e(profile.period) + r"\par",
        r"\vspace{4.5cm}",
        r"{\huge\bfseries " + title + r"\par}",
        r"\vfill",
        r"\textcolor{eublue}{\rule{2.4cm}{1.6cm}}\par",
        r"\vspace{0.5cm}",
        r"\begin{singlespace}",
        "\n\n".join(FUNDING),
        r"\end{singlespace}",
        r"\end{center}",
        r"\end{titlepage}",
        r"\chapter*{" + title + "}",
        _paragraphs(profile),
        r"\section*{ESCO Occupations}",
        r"\begin{singlespace}\scriptsize",
        r"\begin{longtable}{@{}lp{2.5cm}l@{}}",
        r"\textbf{ID} & \textbf{NAME} & \textbf{Concept URI} \\[1ex]",
        r"\endhead",
    ]
    for occupation in profile.occupations:
        parts.append(
            f"{e(occupation.esco_code)} & {e(occupation.esco_label)} & "
            f"\\url{{{occupation.esco_uri}}} \\\\[0.5ex]"
        )
    parts += [
        r"\end{longtable}",
        r"\end{singlespace}",
        r"\section*{Context}",
        r"\begin{singlespace}\footnotesize",
        r"\begin{longtable}{@{}>{\bfseries}lp{11cm}@{}}",
        r"Minimum EQF & " + e(profile.eqf_text) + r" \\[1ex]",
        r"Value Chain & " + e(profile.value_chain) + r" \\[1ex]",
        r"Departments & " + _lines(profile.departments) + r" \\[1ex]",
        r"Specialisations & "
        + _lines((SPECIALISATIONS_SENTENCE, *profile.specialisations))
        + r" \\",
        r"\end{longtable}",
        r"\end{singlespace}",
        r"\begin{landscape}",
        r"\singlespacing",
    ]
    for section in sections(profile):
        parts += [
            r"\section*{" + e(section.heading) + "}",
            r"\begin{footnotesize}",
            r"\begin{longtable}{" + competence_spec + "}",
            header,
            r"\endhead",
        ]
        for competence in section.competences:
            parts.append(
                f"{e(competence.name)} & {e(competence.type)} &\n"
                f"{_statement_list(competence)}\n"
                f"& {e(competence.level)} & "
                f"{_lines(competence.esco_skills, sep=ESCO_PARAGRAPH)}"
                r" \\[2.5ex]"
            )
        parts += [r"\end{longtable}", r"\end{footnotesize}"]
    parts += [r"\end{landscape}", r"\end{document}"]
    return "\n".join(parts) + "\n"


VARIANTS: tuple[Variant, ...] = (
    Variant(
        name="grid-palatino",
        summary="A4 article 10pt Palatino, full grid, shaded centred header, 8pt tables",
        aims=(
            "header-wrap-3",
            "header-centred",
            "header-bold",
            "header-shaded",
            "header-repeated",
            "rules-grid",
            "name-wrap",
            "bullets-list",
            "page-numbers",
            "hyphenation",
            "small-type",
            "serif",
        ),
        build=_grid,
    ),
    Variant(
        name="booktabs-lmodern",
        summary="A4 article 11pt Latin Modern, booktabs, fancyhdr, body-size tables",
        aims=(
            "header-wrap-2",
            "header-bold",
            "header-repeated",
            "rules-horizontal",
            "name-wrap",
            "bullets-list",
            "running-header",
            "page-numbers",
            "hyphenation",
            "large-type",
            "serif",
        ),
        build=_booktabs,
    ),
    Variant(
        name="zebra-helvetica",
        summary="A4 article 10pt Helvetica, rowcolors bands, m-columns, ESCO paragraphs",
        aims=(
            "header-wrap-2",
            "header-bold",
            "header-shaded",
            "header-repeated",
            "shaded-rows",
            "name-wrap",
            "valign-middle",
            "esco-paragraphs",
            "bullets-list",
            "running-header",
            "page-numbers",
            "hyphenation",
            "sans",
        ),
        build=_zebra,
    ),
    Variant(
        name="landscape-times",
        summary="US Letter report 12pt Times, onehalfspacing, pdflscape tables, borderless",
        aims=(
            "header-wrap-2",
            "header-bold",
            "header-repeated",
            "borderless",
            "name-wrap",
            "valign-bottom",
            "esco-paragraphs",
            "bullets-list",
            "landscape",
            "justified-description",
            "page-numbers",
            "hyphenation",
            "serif",
        ),
        build=_landscape,
    ),
)


def variant_named(name: str) -> Variant:
    return next(variant for variant in VARIANTS if variant.name == name)


def assignments(stems: Sequence[str]) -> list[tuple[str, Variant]]:
    """(truth stem, variant) pairs: stem i of the sorted stems gets VARIANTS[i % 4]."""
    return [(stem, VARIANTS[index % len(VARIANTS)]) for index, stem in enumerate(sorted(stems))]


# --------------------------------------------------------------------------------------
# Running pdflatex
# --------------------------------------------------------------------------------------


class LatexError(RuntimeError):
    """pdflatex failed or produced something unusable."""


def _tex_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH,
        FORCE_SOURCE_DATE="1",
        TZ="UTC",
        LC_ALL="C",
        # Never make bitmap fonts on the fly: a missing outline font is an error here.
        MKTEXPK="0",
        MKTEXTFM="0",
    )
    return env


_RERUN = re.compile(r"Rerun|Table widths have changed|Label\(s\) may have changed")


@dataclass(frozen=True)
class Compiled:
    pdf: Path
    passes: int
    log: str


def compile_tex(source: str, pdf: Path, jobname: str = "profile") -> Compiled:
    """Run pdflatex in a scratch folder until longtable's widths settle; copy the PDF."""
    with tempfile.TemporaryDirectory(prefix="latex-") as scratch:
        folder = Path(scratch)
        (folder / f"{jobname}.tex").write_text(source, encoding="utf-8")
        log = ""
        passes = 0
        while passes < PASSES:
            passes += 1
            result = subprocess.run(
                [
                    PDFLATEX,
                    "-interaction=nonstopmode",
                    "-halt-on-error",
                    "-file-line-error",
                    f"{jobname}.tex",
                ],
                cwd=folder,
                env=_tex_env(),
                capture_output=True,
                timeout=TIMEOUT,
                check=False,
            )
            log_path = folder / f"{jobname}.log"
            log = log_path.read_text(encoding="latin-1") if log_path.exists() else ""
            if result.returncode != 0:
                errors = [line for line in log.splitlines() if line.startswith(("!", "./"))]
                raise LatexError(f"pdflatex failed for {pdf.name}:\n" + "\n".join(errors[:20]))
            if not _RERUN.search(log):
                break
        if _RERUN.search(log):
            raise LatexError(f"{pdf.name}: longtable widths did not settle in {PASSES} passes")
        if "mktexpk" in log or re.search(r"\.pk>|Type 3", log):
            raise LatexError(f"{pdf.name}: a bitmap (Type 3) font was used")
        shutil.copyfile(folder / f"{jobname}.pdf", pdf)
    return Compiled(pdf=pdf, passes=passes, log=log)


# --------------------------------------------------------------------------------------
# Reading the PDF back
# --------------------------------------------------------------------------------------

BOLD = re.compile(r"Bold|Medi|Semibold|Demi|Black|Heavy|-bx|\bBd\b|\brtc?x\w*b\b", re.IGNORECASE)
SANS = re.compile(
    r"Sans|NimbusSan|Helvetica|Arial|Heros|LMSans|Vera(?!Se)|Carlito|Liberation ?Sans", re.I
)
SERIF = re.compile(r"Roman|Times|NimbusRom|Palladio|Palatino|Pagella|Charter|Serif|Termes", re.I)
LABELS = ("•", "–", "-", "◦", "▪", "*")
NUMBER_LINE = re.compile(r"^(?:page\s*)?(\d+)(?:\s*(?:/|of)\s*\d+)?$", re.IGNORECASE)
COLUMNS = ("name", "type", "description", "level", "esco")


def key(text: str) -> str:
    """Comparison key: NFKC, no white space, no hyphens (so hyphenation does not matter)."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\-\u00ad]", "", text)


@dataclass
class Line:
    """Characters sharing a baseline (within one column when cut by columns)."""

    page: int  # 0-based
    chars: list[dict[str, Any]]
    text: str = ""
    label: str = ""  # list label glyph drawn apart at the start of the line
    body: str = ""  # text without the label

    def __post_init__(self) -> None:
        self.chars.sort(key=lambda c: c["x0"])
        parts: list[str] = []
        previous: dict[str, Any] | None = None
        for char in self.chars:
            if previous is not None:
                gap = char["x0"] - previous["x1"]
                if gap > 0.12 * float(char["size"]):
                    parts.append(" ")
            parts.append(str(char["text"]))
            previous = char
        self.text = "".join(parts)
        first = self.chars[0]
        if len(self.chars) > 1 and first["text"] in LABELS:
            gap = self.chars[1]["x0"] - first["x1"]
            if gap > 0.15 * float(first["size"]):
                self.label = str(first["text"])
        self.body = self.text[len(self.label) :].strip() if self.label else self.text

    @property
    def top(self) -> float:
        return min(float(c["top"]) for c in self.chars)

    @property
    def bottom(self) -> float:
        return max(float(c["bottom"]) for c in self.chars)

    @property
    def baseline(self) -> float:
        return Counter(round(float(c["baseline"]), 1) for c in self.chars).most_common(1)[0][0]

    @property
    def x0(self) -> float:
        return min(float(c["x0"]) for c in self.chars)

    @property
    def x1(self) -> float:
        return max(float(c["x1"]) for c in self.chars)

    @property
    def size(self) -> float:
        return Counter(round(float(c["size"]), 1) for c in self.chars).most_common(1)[0][0]

    @property
    def bold(self) -> bool:
        return all(BOLD.search(str(c["fontname"])) for c in self.chars if c["text"].strip())


def group_lines(chars: Iterable[dict[str, Any]], page: int, tolerance: float = 1.5) -> list[Line]:
    """Characters grouped into lines by baseline, top to bottom."""
    rows: list[list[dict[str, Any]]] = []
    for char in sorted(chars, key=lambda c: (float(c["baseline"]), float(c["x0"]))):
        if not str(char["text"]).strip():
            continue
        if rows and abs(float(char["baseline"]) - float(rows[-1][-1]["baseline"])) <= tolerance:
            rows[-1].append(char)
        else:
            rows.append([char])
    return [Line(page, row) for row in rows]


@dataclass
class Rule:
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def vertical(self) -> bool:
        return (self.bottom - self.top) > (self.x1 - self.x0)


@dataclass
class Fill:
    x0: float
    x1: float
    top: float
    bottom: float

    def holds(self, x: float, y: float) -> bool:
        return self.x0 - 0.5 <= x <= self.x1 + 0.5 and self.top - 0.5 <= y <= self.bottom + 0.5


def _is_white(color: Any) -> bool:
    if color is None:
        return True
    values = color if isinstance(color, list | tuple) else [color]
    numbers = [float(v) for v in values if isinstance(v, int | float)]
    if len(numbers) == 4:  # CMYK
        return all(v < 0.02 for v in numbers)
    return bool(numbers) and all(v > 0.98 for v in numbers)


@dataclass
class Header:
    """One competence table header row on a page."""

    page: int
    lines: dict[str, list[Line]]  # column -> label lines (top to bottom)
    top: float
    bottom: float
    edges: list[float]  # 6 x positions: left edges of the 5 columns and the right edge


@dataclass
class Page:
    number: int  # 0-based
    width: float
    height: float
    rotation: int
    chars: list[dict[str, Any]]  # upright characters
    sideways: list[dict[str, Any]]  # characters not upright (rotated page furniture)
    rules: list[Rule]
    fills: list[Fill]
    lines: list[Line] = field(default_factory=list)
    furniture: set[int] = field(default_factory=set)  # ids of running header/footer lines
    furniture_chars: set[int] = field(default_factory=set)  # ids of their characters
    headers: list[Header] = field(default_factory=list)


@dataclass
class Doc:
    path: Path
    pages: list[Page]
    columns: dict[str, list[Line]]  # competence table body lines per column, in order
    table_size: float  # font size of the competence table body text


def _graphics(page: Any) -> tuple[list[Rule], list[Fill]]:
    rules: list[Rule] = []
    fills: list[Fill] = []
    for line in page.lines:
        rules.append(Rule(line["x0"], line["x1"], line["top"], line["bottom"]))
    for rect in page.rects:
        width, height = rect["width"], rect["height"]
        if min(width, height) <= 2.0 and max(width, height) >= 4.0:
            if rect.get("fill") and _is_white(rect.get("non_stroking_color")):
                continue
            rules.append(Rule(rect["x0"], rect["x1"], rect["top"], rect["bottom"]))
        elif rect.get("fill") and not _is_white(rect.get("non_stroking_color")):
            fills.append(Fill(rect["x0"], rect["x1"], rect["top"], rect["bottom"]))
    return rules, fills


def _header_for(page: Page, level: Line) -> Header | None:
    """The header row around a bold 'Level' label, or None."""
    span = 3.2 * level.size
    near = [
        line
        for line in page.lines
        if line.bold
        and abs(line.baseline - level.baseline) <= span
        and id(line) not in page.furniture
    ]
    words: list[dict[str, Any]] = []
    for line in near:
        words += _words(line)
    labels: dict[str, list[dict[str, Any]]] = {}
    anchors: dict[str, dict[str, Any]] = {}
    for word in words:
        for column, start in zip(
            COLUMNS, ("Name", "Type", "Description", "Level", "ESCO"), strict=True
        ):
            if word["text"].startswith(start) and column not in anchors:
                anchors[column] = word
    if set(anchors) != set(COLUMNS):
        return None
    order = sorted(COLUMNS, key=lambda column: anchors[column]["x0"])
    if order != list(COLUMNS):
        return None
    centres = {column: (anchors[column]["x0"] + anchors[column]["x1"]) / 2 for column in COLUMNS}
    vocabulary = {"Name", "Type", "(S/K)", "(S/", "K)", "Description/Context", "Description/"}
    vocabulary |= {"Context", "Level", "ESCO", "(S/K", "S/K)"}
    for word in words:
        if word["text"] not in vocabulary:
            continue
        column = min(COLUMNS, key=lambda c: abs(centres[c] - (word["x0"] + word["x1"]) / 2))
        labels.setdefault(column, []).append(word)
    label_lines = {
        column: group_lines(
            [c for w in labels.get(column, []) for c in w["chars"]], page.number, tolerance=1.0
        )
        for column in COLUMNS
    }
    top = min(w["top"] for ws in labels.values() for w in ws)
    bottom = max(w["bottom"] for ws in labels.values() for w in ws)
    edges = _column_edges(page, top, bottom, label_lines)
    return Header(page.number, label_lines, top, bottom, edges)


def _words(line: Line) -> list[dict[str, Any]]:
    """Space-separated words of a line, with their characters."""
    words: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    for char in line.chars:
        if previous is not None and char["x0"] - previous["x1"] > 0.12 * float(char["size"]):
            words.append(current)
            current = []
        current.append(char)
        previous = char
    if current:
        words.append(current)
    return [
        {
            "text": "".join(str(c["text"]) for c in chars),
            "x0": min(c["x0"] for c in chars),
            "x1": max(c["x1"] for c in chars),
            "top": min(c["top"] for c in chars),
            "bottom": max(c["bottom"] for c in chars),
            "chars": chars,
        }
        for chars in words
    ]


def _column_edges(
    page: Page, top: float, bottom: float, labels: dict[str, list[Line]]
) -> list[float]:
    """Column edges from vertical rules, else from the header's cell fills, else from the
    left edges of the (left-aligned) labels."""
    verticals = sorted(
        {
            round((rule.x0 + rule.x1) / 2, 0)
            for rule in page.rules
            if rule.vertical and rule.top <= bottom and rule.bottom >= top
        }
    )
    if len(verticals) == 6:
        return [float(x) for x in verticals]
    cells = [fill for fill in page.fills if fill.top <= top + 1 and fill.bottom >= bottom - 1]
    xs = sorted({round(fill.x0, 0) for fill in cells} | {round(fill.x1, 0) for fill in cells})
    if len(xs) == 6:
        return [float(x) for x in xs]
    lefts = [min(line.x0 for line in labels[column]) - 2.5 for column in COLUMNS]
    return [*lefts, page.width]


def _furniture(pages: list[Page]) -> None:
    """Mark running header/footer lines: a page-number line at the bottom, and a top line
    repeated on other pages at the same place."""
    tops: Counter[tuple[str, float]] = Counter()
    for page in pages[1:]:
        if page.lines:
            first = page.lines[0]
            tops[(first.text, round(first.top))] += 1
    footers: set[tuple[int, int, int]] = set()  # (page width, baseline, x centre)
    for page in pages:
        if not page.lines:
            continue
        last = page.lines[-1]
        if NUMBER_LINE.match(last.text.strip()) and last.top > 0.8 * page.height:
            page.furniture.add(id(last))
            footers.add((round(page.width), round(last.baseline), round((last.x0 + last.x1) / 2)))
    for page in pages:
        # A row running off the page is drawn over the footer: find the footer's words at
        # the place other pages of the same size print it.
        for line in page.lines:
            for word in _words(line):
                centre = round((word["x0"] + word["x1"]) / 2)
                if any(
                    width == round(page.width)
                    and abs(baseline - line.baseline) <= 1
                    and abs(x - centre) <= 12
                    for width, baseline, x in footers
                ) and NUMBER_LINE.match(word["text"]):
                    page.furniture_chars |= {id(c) for c in word["chars"]}
        for line in page.lines:
            if id(line) in page.furniture:
                page.furniture_chars |= {id(c) for c in line.chars}
    for page in pages:
        if not page.lines:
            continue
        first = page.lines[0]
        gap = page.lines[1].top - first.bottom if len(page.lines) > 1 else math.inf
        if (
            page.number > 0
            and tops[(first.text, round(first.top))] >= 2
            and first.top < 0.15 * page.height
            and gap > 8
            and not {"Level", "ESCO"} <= {w["text"] for w in _words(first)}
        ):
            page.furniture.add(id(first))
            page.furniture_chars |= {id(c) for c in first.chars}


def _column_lines(page: Page, header: Header, below: float, above: float) -> dict[str, list[Line]]:
    """Body lines of the competence table under `header`, between `below` and `above`."""
    edges = header.edges
    found: dict[str, list[dict[str, Any]]] = {column: [] for column in COLUMNS}
    for char in page.chars:
        if id(char) in page.furniture_chars or not str(char["text"]).strip():
            continue
        if not below < float(char["top"]) < above:
            continue
        if BOLD.search(str(char["fontname"])):
            continue
        centre = (float(char["x0"]) + float(char["x1"])) / 2
        for index, column in enumerate(COLUMNS):
            if edges[index] - 1 <= centre < edges[index + 1] - 0.5 or (
                index == 4 and centre >= edges[4]
            ):
                found[column].append(char)
                break
    return {column: group_lines(chars, page.number) for column, chars in found.items()}


@lru_cache(maxsize=8)
def _read(path: str, stamp: tuple[int, int]) -> Doc:
    import pdfplumber

    pages: list[Page] = []
    with pdfplumber.open(path) as pdf:
        for number, plumbed in enumerate(pdf.pages):
            rules, fills = _graphics(plumbed)
            # The baseline from the text matrix (pdfminer has applied /Rotate to it); the
            # bottom of a character's box depends on its font's descent.
            height = float(plumbed.height)
            chars = [{**c, "baseline": height - c["matrix"][5]} for c in plumbed.chars]
            page_obj = Page(
                number=number,
                width=float(plumbed.width),
                height=height,
                rotation=int(plumbed.rotation or 0),
                chars=[c for c in chars if c.get("upright", True)],
                sideways=[c for c in chars if not c.get("upright", True)],
                rules=rules,
                fills=fills,
            )
            page_obj.lines = group_lines(page_obj.chars, number)
            pages.append(page_obj)
    _furniture(pages)
    for page in pages:
        for line in page.lines:
            if line.bold and any(w["text"] == "Level" for w in _words(line)):
                header = _header_for(page, line)
                if header and not any(abs(h.top - header.top) < 5 for h in page.headers):
                    page.headers.append(header)
        page.headers.sort(key=lambda h: h.top)
    columns: dict[str, list[Line]] = {column: [] for column in COLUMNS}
    for page in pages:
        for index, header in enumerate(page.headers):
            above = page.headers[index + 1].top - 1 if index + 1 < len(page.headers) else math.inf
            for column, lines in _column_lines(page, header, header.bottom + 0.5, above).items():
                columns[column] += lines
    sizes = Counter(
        round(float(c["size"]) * 2) / 2 for line in columns["description"] for c in line.chars
    )
    table_size = sizes.most_common(1)[0][0] if sizes else 0.0
    return Doc(Path(path), pages, columns, table_size)


def read_doc(pdf: Path | str) -> Doc:
    """The PDF read with pdfplumber: pages, lines, rules, fills, competence table columns."""
    stat = Path(pdf).stat()
    return _read(str(Path(pdf).resolve()), (stat.st_mtime_ns, stat.st_size))


# -- locating truth items in column lines ----------------------------------------------------


@dataclass(frozen=True)
class Span:
    """Where a truth item was found: indexes of its first and last line in a line list."""

    first: int
    last: int


def locate(
    lines: Sequence[Line], items: Sequence[str], strip_labels: bool = False
) -> list[Span | None]:
    """Find each item, in order, in the concatenated text of `lines` (comparison by `key`)."""
    stream: list[str] = []
    owner: list[int] = []
    for index, line in enumerate(lines):
        text = key(line.body if strip_labels else line.text)
        stream.append(text)
        owner += [index] * len(text)
    joined = "".join(stream)
    found: list[Span | None] = []
    cursor = 0
    for item in items:
        needle = key(item)
        if not needle:
            found.append(None)
            continue
        at = joined.find(needle, cursor)
        if at < 0:
            found.append(None)
            continue
        end = at + len(needle) - 1
        found.append(Span(owner[at], owner[end]))
        cursor = end + 1
    return found


def _statements(profile: ProfileData) -> list[tuple[int, str]]:
    return [(i, s) for i, c in enumerate(profile.competences) for s in c.statements]


@dataclass(frozen=True)
class Row:
    """A competence row as found in the PDF."""

    competence: CompetenceData
    description: list[Line]
    name: list[Line]
    esco: list[Line]
    type_line: Line | None
    level_line: Line | None

    @property
    def lines(self) -> list[Line]:
        return [*self.description, *self.name, *self.esco]

    @property
    def top(self) -> float:
        return min(line.top for line in self.lines)

    @property
    def bottom(self) -> float:
        return max(line.bottom for line in self.lines)


def rows(doc: Doc, profile: ProfileData) -> list[Row]:
    """Every competence row found in the PDF (rows whose text was not all found are left out)."""
    desc = doc.columns["description"]
    statement_spans = locate(desc, [s for _, s in _statements(profile)], strip_labels=True)
    name_spans = locate(doc.columns["name"], [c.name for c in profile.competences])
    esco_items = [(i, label) for i, c in enumerate(profile.competences) for label in c.esco_skills]
    esco_spans = locate(doc.columns["esco"], [label for _, label in esco_items])
    types = doc.columns["type"]
    levels = doc.columns["level"]
    found: list[Row] = []
    for index, competence in enumerate(profile.competences):
        spans = [
            span
            for (owner, _), span in zip(_statements(profile), statement_spans, strict=True)
            if owner == index
        ]
        name_span = name_spans[index]
        e_spans = [
            span for (owner, _), span in zip(esco_items, esco_spans, strict=True) if owner == index
        ]
        if not spans or any(s is None for s in spans) or name_span is None:
            continue
        if any(s is None for s in e_spans):
            continue
        first, last = spans[0], spans[-1]
        assert first is not None and last is not None
        description = desc[first.first : last.last + 1]
        page = description[0].page
        name = doc.columns["name"][name_span.first : name_span.last + 1]
        esco: list[Line] = []
        if e_spans:
            e_first, e_last = e_spans[0], e_spans[-1]
            assert e_first is not None and e_last is not None
            esco = doc.columns["esco"][e_first.first : e_last.last + 1]
        top = min(line.top for line in [*description, *name, *esco] if line.page == page)
        bottom = max(line.bottom for line in [*description, *name, *esco] if line.page == page)
        type_line = next(
            (
                line
                for line in types
                if line.page == page
                and top - 2 <= line.top <= bottom + 2
                and line.text.strip() == competence.type
            ),
            None,
        )
        level_line = next(
            (
                line
                for line in levels
                if line.page == page
                and top - 2 <= line.top <= bottom + 2
                and key(line.text) == key(competence.level)
            ),
            None,
        )
        found.append(Row(competence, description, name, esco, type_line, level_line))
    return found


# -- truth check -------------------------------------------------------------------------


def _all_words(doc: Doc, pages: Iterable[int] | None = None) -> list[str]:
    wanted = set(range(len(doc.pages))) if pages is None else set(pages)
    words: list[str] = []
    for page in doc.pages:
        if page.number in wanted:
            for line in page.lines:
                if id(line) not in page.furniture:
                    words += [unicodedata.normalize("NFKC", w["text"]) for w in _words(line)]
    return words


def _in_order(words: Sequence[str], needed: str, window: int = 40) -> bool:
    """The words of `needed` appear in `words` in order (other words may come between, a
    word may be hyphenated over two)."""
    want = [key(w) for w in needed.split() if key(w)]
    have = [key(w) for w in words]

    def completes(j: int, target: str) -> int | None:
        """Index of the word that completes the hyphenated fragment words[j] into target."""
        if not (words[j].endswith("-") and target.startswith(have[j])):
            return None
        for k in range(j + 1, min(len(have), j + 12)):
            if have[j] + have[k] == target:
                return k
        return None

    if not want:
        return True
    for start in range(len(have)):
        if have[start] != want[0] and completes(start, want[0]) is None:
            continue
        position, ok = start, True
        for target in want:
            hit = None
            for j in range(position, min(len(have), position + window)):
                if have[j] == target:
                    hit = j
                    break
                end = completes(j, target)
                if end is not None:
                    hit = end
                    break
            if hit is None:
                ok = False
                break
            position = hit + 1
        if ok:
            return True
    return False


def text_problems(pdf: Path | str, profile: ProfileData) -> list[str]:
    """Truth text that does not read back from the PDF (empty when all is there)."""
    doc = read_doc(pdf)
    problems: list[str] = []
    cover = [line.text for line in doc.pages[0].lines]
    for line in (profile.alliance, profile.period, *FUNDING):
        if not any(key(line) == key(text) for text in cover):
            problems.append(f"cover: line {line!r} not found")
    if key(profile.title) not in key("".join(cover)):
        problems.append("cover: title not found")
    words = _all_words(doc, range(1, len(doc.pages)))
    for paragraph in profile.paragraphs:
        if not _in_order(words, paragraph, window=3):
            problems.append(f"description paragraph not found: {paragraph[:40]!r}...")
    texts = [line.text for page in doc.pages[1:] for line in page.lines]
    for uri in (o.esco_uri for o in profile.occupations):
        if not any(uri in text.split() or text.endswith(uri) for text in texts):
            problems.append(f"URI not on one line: {uri}")
    for item in (
        profile.title,
        "ESCO Occupations",
        "Context",
        "Minimum EQF",
        profile.eqf_text,
        profile.value_chain,
        SPECIALISATIONS_SENTENCE,
        *(o.esco_code for o in profile.occupations),
        *(o.esco_label for o in profile.occupations),
        *(section.heading for section in sections(profile)),
    ):
        if not _in_order(words, item, window=12):
            problems.append(f"not found: {item!r}")
    for item in (*profile.departments, *profile.specialisations):
        if not any(key(item) in key(text) for text in texts):
            problems.append(f"not on one line: {item!r}")
    found = rows(doc, profile)
    got = {id(row.competence) for row in found}
    for competence in profile.competences:
        if id(competence) not in got:
            problems.append(f"competence row not read back: {competence.name!r}")
    for row in found:
        if row.type_line is None:
            problems.append(f"type not found for {row.competence.name!r}")
        if row.level_line is None:
            problems.append(f"level not found for {row.competence.name!r}")
    return problems


# -- the variations ------------------------------------------------------------------------


def _headers(doc: Doc) -> list[Header]:
    return [header for page in doc.pages for header in page.headers]


def _table_pages(doc: Doc) -> list[Page]:
    return [page for page in doc.pages if page.headers]


def _table_region(doc: Doc, page: Page) -> tuple[float, float]:
    bottoms = [
        line.bottom
        for column in doc.columns.values()
        for line in column
        if line.page == page.number and line.bottom <= page.height
    ]
    top = page.headers[0].top - 8
    return top, max([page.headers[-1].bottom, *bottoms]) + 8


def check_header_wrap(pdf: Path | str, count: int) -> bool:
    """Some competence header label is drawn over exactly `count` lines ('Type' / '(S/K)')."""
    doc = read_doc(pdf)
    for header in _headers(doc):
        for column in COLUMNS:
            lines = header.lines[column]
            if len(lines) == count:
                joined = key(" ".join(line.text for line in lines))
                if joined == key(HEADER_LABELS[COLUMNS.index(column)]):
                    return True
    return False


def check_header_centred(pdf: Path | str) -> bool:
    """Every header label line is centred between its column edges (rules or cell fills),
    and at least three labels have room to spare (so left alignment would show)."""
    doc = read_doc(pdf)
    headers = _headers(doc)
    if not headers:
        return False
    for header in headers:
        if len(header.edges) != 6 or header.edges[-1] >= doc.pages[header.page].width:
            return False
        roomy = 0
        for index, column in enumerate(COLUMNS):
            left, right = header.edges[index], header.edges[index + 1]
            for line in header.lines[column]:
                if abs((line.x0 + line.x1) / 2 - (left + right) / 2) > 1.5:
                    return False
                if (right - left) - (line.x1 - line.x0) > 12:
                    roomy += 1
        if roomy < 3:
            return False
    return True


def check_header_bold(pdf: Path | str) -> bool:
    """All header labels of all competence tables are in a bold font."""
    headers = _headers(read_doc(pdf))
    return bool(headers) and all(
        line.bold for header in headers for lines in header.lines.values() for line in lines
    )


def check_header_shaded(pdf: Path | str) -> bool:
    """A non-white fill lies behind every header label of every competence table."""
    doc = read_doc(pdf)
    headers = _headers(doc)
    if not headers:
        return False
    for header in headers:
        page = doc.pages[header.page]
        for lines in header.lines.values():
            for line in lines:
                x, y = (line.x0 + line.x1) / 2, (line.top + line.bottom) / 2
                if not any(fill.holds(x, y) for fill in page.fills):
                    return False
    return True


def check_header_repeated(pdf: Path | str, profile: ProfileData) -> bool:
    """More competence table headers than sections: a table's header was redrawn on the
    page it continues onto (longtable's \\endhead)."""
    return len(_headers(read_doc(pdf))) > len(sections(profile))


def _rules_in(doc: Doc, page: Page) -> list[Rule]:
    top, bottom = _table_region(doc, page)
    return [rule for rule in page.rules if rule.bottom >= top and rule.top <= bottom]


def _fills_in(doc: Doc, page: Page) -> list[Fill]:
    top, bottom = _table_region(doc, page)
    return [fill for fill in page.fills if fill.bottom >= top and fill.top <= bottom]


def check_rules_grid(pdf: Path | str) -> bool:
    """Every competence table page has vertical rules at all six column edges and
    horizontal rules."""
    doc = read_doc(pdf)
    pages = _table_pages(doc)
    for page in pages:
        rules = _rules_in(doc, page)
        verticals = {round((r.x0 + r.x1) / 2) for r in rules if r.vertical}
        if len(verticals) < 6 or not any(not r.vertical for r in rules):
            return False
    return bool(pages)


def check_rules_horizontal(pdf: Path | str) -> bool:
    """Competence tables have horizontal rules and no vertical rule at all."""
    doc = read_doc(pdf)
    pages = _table_pages(doc)
    for page in pages:
        rules = _rules_in(doc, page)
        if not rules or any(r.vertical for r in rules):
            return False
    return bool(pages)


def check_shaded_rows(pdf: Path | str, profile: ProfileData) -> bool:
    """Banded rows: some competence rows sit on a fill and others do not, and no rule is
    drawn in the competence tables."""
    doc = read_doc(pdf)
    pages = _table_pages(doc)
    if not pages or any(_rules_in(doc, page) for page in pages):
        return False
    shaded = plain = 0
    for row in rows(doc, profile):
        line = row.description[0]
        page = doc.pages[line.page]
        x, y = (line.x0 + line.x1) / 2, (line.top + line.bottom) / 2
        if any(fill.holds(x, y) for fill in page.fills):
            shaded += 1
        else:
            plain += 1
    return shaded >= 2 and plain >= 2


def check_borderless(pdf: Path | str) -> bool:
    """No rule and no fill in any competence table."""
    doc = read_doc(pdf)
    pages = _table_pages(doc)
    return bool(pages) and not any(_rules_in(doc, page) or _fills_in(doc, page) for page in pages)


def _wrapped(lines: Sequence[Line], items: Sequence[str]) -> bool:
    return any(span is not None and span.last > span.first for span in locate(lines, items))


def check_name_wrap(pdf: Path | str, profile: ProfileData) -> bool:
    """A competence name is drawn over two lines or more in the Name column."""
    doc = read_doc(pdf)
    return _wrapped(doc.columns["name"], [c.name for c in profile.competences])


def _row_alignment(pdf: Path | str, profile: ProfileData) -> list[tuple[str, Row]]:
    """For each row with at least three description lines on one page, where its Type
    letter is: 'top' (first line), 'bottom' (last line), 'middle' (centred) or 'other'."""
    found = []
    for row in rows(read_doc(pdf), profile):
        desc = [line for line in row.description if line.page == row.description[0].page]
        if row.type_line is None or len(desc) < 3:
            continue
        letter = row.type_line
        pitch = (desc[-1].baseline - desc[0].baseline) / (len(desc) - 1)
        if abs(letter.baseline - desc[0].baseline) < 1.0:
            where = "top"
        elif abs(letter.baseline - desc[-1].baseline) < 1.0:
            where = "bottom"
        elif (
            abs((letter.top + letter.bottom) / 2 - (row.top + row.bottom) / 2) < 0.6 * pitch
            and letter.top > desc[0].bottom
        ):
            where = "middle"
        else:
            where = "other"
        found.append((where, row))
    return found


def check_valign(pdf: Path | str, profile: ProfileData, where: str) -> bool:
    """Type letters of tall rows are all at `where` ('middle' or 'bottom') of their rows."""
    found = _row_alignment(pdf, profile)
    return len(found) >= 3 and all(position == where for position, _ in found)


def check_esco_paragraphs(pdf: Path | str, profile: ProfileData) -> bool:
    """An ESCO label wraps inside its cell, and consecutive labels of a row are further
    apart than the lines of a wrapped label."""
    doc = read_doc(pdf)
    lines = doc.columns["esco"]
    labels = [label for c in profile.competences for label in c.esco_skills]
    spans = locate(lines, labels)
    inner: list[float] = []
    between: list[float] = []
    for span in spans:
        if span is not None:
            for i in range(span.first, span.last):
                if lines[i].page == lines[i + 1].page:
                    inner.append(lines[i + 1].baseline - lines[i].baseline)
    index = 0
    for competence in profile.competences:
        mine = spans[index : index + len(competence.esco_skills)]
        index += len(competence.esco_skills)
        for a, b in pairwise(mine):
            if a is not None and b is not None and lines[a.last].page == lines[b.first].page:
                between.append(lines[b.first].baseline - lines[a.last].baseline)
    if not inner or not between:
        return False
    return min(between) > max(inner) + 1.5


def check_bullets_list(pdf: Path | str, profile: ProfileData) -> bool:
    """Every statement starts on a line with a list label drawn apart from its text."""
    doc = read_doc(pdf)
    lines = doc.columns["description"]
    spans = locate(lines, [s for _, s in _statements(profile)], strip_labels=True)
    if any(span is None for span in spans):
        return False
    labelled = [lines[span.first].label for span in spans if span is not None]
    return all(labelled) and len(set(labelled)) == 1


def check_landscape(pdf: Path | str) -> bool:
    """Every page holding a competence table is wider than tall (pdfplumber applies the
    page's /Rotate), and the cover is not."""
    doc = read_doc(pdf)
    pages = _table_pages(doc)
    cover = doc.pages[0]
    return (
        bool(pages)
        and all(page.width > page.height for page in pages)
        and cover.height > cover.width
    )


def _description_lines(doc: Doc, profile: ProfileData) -> list[tuple[Line, int]]:
    """(line, paragraph index) for the description paragraphs on pages 2+."""
    lines = [
        line
        for page in doc.pages[1:]
        for line in page.lines
        if id(line) not in page.furniture and not line.bold
    ]
    spans = locate(lines, list(profile.paragraphs))
    found = []
    for index, span in enumerate(spans):
        if span is None:
            return []
        found += [(lines[i], index) for i in range(span.first, span.last + 1)]
    return found


def check_justified_description(pdf: Path | str, profile: ProfileData) -> bool:
    """Description lines other than a paragraph's last end flush with the right margin, and
    a paragraph runs from one page onto the next."""
    found = _description_lines(read_doc(pdf), profile)
    if not found:
        return False
    by_paragraph: dict[int, list[Line]] = {}
    for line, index in found:
        by_paragraph.setdefault(index, []).append(line)
    right = max(line.x1 for line, _ in found)
    crossing = False
    for lines in by_paragraph.values():
        if len({line.page for line in lines}) > 1:
            crossing = True
        for line in lines[:-1]:
            if abs(line.x1 - right) > 1.0:
                return False
    return crossing


def hyphenated_words(pdf: Path | str, profile: ProfileData) -> list[str]:
    """Words the PDF hyphenates at a line end (in description paragraphs and table cells)
    that the truth writes without a hyphen: ['charac-teristic', ...]."""
    doc = read_doc(pdf)
    truth = " ".join(
        [
            *profile.paragraphs,
            *(s for c in profile.competences for s in c.statements),
            *(c.name for c in profile.competences),
            *(label for c in profile.competences for label in c.esco_skills),
        ]
    )
    truth = unicodedata.normalize("NFKC", truth)
    groups = [[line for line, _ in _description_lines(doc, profile)], *doc.columns.values()]
    found = []
    for lines in groups:
        for a, b in pairwise(lines):
            text = a.text.rstrip()
            if not text.endswith("-") or len(text) < 2 or not text[-2].isalpha():
                continue
            fragment = re.split(r"\s", text)[-1][:-1]
            following = re.split(r"\s", b.body.strip())[0] if b.body.strip() else ""
            fragment = unicodedata.normalize("NFKC", fragment)
            following = unicodedata.normalize("NFKC", following)
            if not fragment or not following:
                continue
            if fragment + "-" + following.rstrip(".,;:)") in truth:
                continue  # a hyphen of the truth text
            if fragment + following.rstrip(".,;:)") in truth:
                found.append(f"{fragment}-{following}")
    return found


def _page_number(page: Page) -> int | None:
    """The number printed in the page's footer or margin (upright or sideways), if any."""
    for line in page.lines:
        if id(line) in page.furniture:
            match = NUMBER_LINE.match(line.text.strip())
            if match:
                return int(match.group(1))
    for line in page.lines:  # a footer overprinted by a row running off the page
        for word in _words(line):
            if all(id(c) in page.furniture_chars for c in word["chars"]):
                match = NUMBER_LINE.match(word["text"])
                if match:
                    return int(match.group(1))
    if page.sideways:
        text = "".join(str(c["text"]) for c in page.sideways).strip()
        match = NUMBER_LINE.match(text)
        if match:
            return int(match.group(1))
    return None


def overflow(pdf: Path | str) -> dict[int, float]:
    """Pages (1-based) with text below the bottom of the page, and by how much (pt): a
    longtable row taller than a page runs off it (pdfplumber still reads that text)."""
    found = {}
    for page in read_doc(pdf).pages:
        chars = page.chars + page.sideways
        lowest = max((float(c["bottom"]) for c in chars), default=0.0)
        if lowest > page.height + 0.5:
            found[page.number + 1] = round(lowest - page.height, 1)
    return found


def check_page_numbers(pdf: Path | str) -> bool:
    """Every page after the cover prints its number, counting up by one."""
    doc = read_doc(pdf)
    numbers = [_page_number(page) for page in doc.pages[1:]]
    if not numbers or any(n is None for n in numbers):
        return False
    counted = [n for n in numbers if n is not None]
    return all(b == a + 1 for a, b in pairwise(counted))


def check_running_header(pdf: Path | str) -> bool:
    """Every page after the cover has the same text line at the top, above the body, and
    the cover has none."""
    doc = read_doc(pdf)
    heads = []
    for page in doc.pages[1:]:
        first = page.lines[0] if page.lines else None
        if first is None or id(first) not in page.furniture or NUMBER_LINE.match(first.text):
            return False
        heads.append(first.text)
    cover = doc.pages[0].lines
    first = doc.pages[1].lines[0]
    on_cover = any(line.text == first.text and abs(line.top - first.top) < 2 for line in cover)
    return len(set(heads)) == 1 and not on_cover


def check_type_size(pdf: Path | str, small: bool) -> bool:
    """Competence table text at 8pt or smaller (small) / 10.5pt or larger (large)."""
    size = read_doc(pdf).table_size
    return 0 < size <= 8.05 if small else size >= 10.45


def table_fonts(pdf: Path | str) -> Counter[str]:
    """Fonts of the competence table body text (subset prefix removed), by character."""
    doc = read_doc(pdf)
    return Counter(
        re.sub(r"^[A-Z]{6}\+", "", str(c["fontname"]))
        for column in doc.columns.values()
        for line in column
        for c in line.chars
    )


def check_typeface(pdf: Path | str, sans: bool) -> bool:
    """The body font of the competence tables and the description is sans / serif."""
    fonts = table_fonts(pdf)
    if not fonts:
        return False
    font = fonts.most_common(1)[0][0]
    return bool(SANS.search(font)) if sans else bool(SERIF.search(font)) and not SANS.search(font)


def verified_variations(pdf: Path | str, profile: ProfileData) -> tuple[str, ...]:
    """The layout variations (variations.py) found on the PDF."""
    checks: dict[str, Callable[[], bool]] = {
        "header-wrap-2": lambda: check_header_wrap(pdf, 2),
        "header-wrap-3": lambda: check_header_wrap(pdf, 3),
        "header-centred": lambda: check_header_centred(pdf),
        "header-bold": lambda: check_header_bold(pdf),
        "header-shaded": lambda: check_header_shaded(pdf),
        "header-repeated": lambda: check_header_repeated(pdf, profile),
        "rules-grid": lambda: check_rules_grid(pdf),
        "rules-horizontal": lambda: check_rules_horizontal(pdf),
        "shaded-rows": lambda: check_shaded_rows(pdf, profile),
        "borderless": lambda: check_borderless(pdf),
        "name-wrap": lambda: check_name_wrap(pdf, profile),
        "valign-middle": lambda: check_valign(pdf, profile, "middle"),
        "valign-bottom": lambda: check_valign(pdf, profile, "bottom"),
        "esco-paragraphs": lambda: check_esco_paragraphs(pdf, profile),
        "bullets-list": lambda: check_bullets_list(pdf, profile),
        "landscape": lambda: check_landscape(pdf),
        "justified-description": lambda: check_justified_description(pdf, profile),
        "running-header": lambda: check_running_header(pdf),
        "page-numbers": lambda: check_page_numbers(pdf),
        "hyphenation": lambda: bool(hyphenated_words(pdf, profile)),
        "small-type": lambda: check_type_size(pdf, small=True),
        "large-type": lambda: check_type_size(pdf, small=False),
        "serif": lambda: check_typeface(pdf, sans=False),
        "sans": lambda: check_typeface(pdf, sans=True),
    }
    return tuple(sorted(name for name, check in checks.items() if check()))


# --------------------------------------------------------------------------------------
# The producer
# --------------------------------------------------------------------------------------


def missing() -> str | None:
    if shutil.which(PDFLATEX) is None:
        return "pdflatex (apt-get install texlive-latex-base texlive-latex-recommended "
        "texlive-fonts-recommended lmodern)"
    kpsewhich = shutil.which("kpsewhich")
    if kpsewhich is None:
        return "kpsewhich (texlive-binaries)"
    absent = [
        name
        for name in PACKAGES
        if not subprocess.run(
            [kpsewhich, f"{name}.sty"], capture_output=True, text=True, check=False
        ).stdout.strip()
    ]
    if absent:
        return "LaTeX packages " + ", ".join(absent)
    return None


def _package_version(name: str) -> str:
    path = subprocess.run(
        ["kpsewhich", f"{name}.sty"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if not path:
        return "absent"
    text = Path(path).read_text(encoding="latin-1")
    provides = re.search(
        r"\\ProvidesPackage\{" + re.escape(name) + r"\}\s*(?:%.*\n\s*)*\[([^\]]*)\]", text
    )
    if provides:
        return " ".join(provides.group(1).split())
    header = re.search(r"^%% Version: (.+)$", text, re.MULTILINE)
    return header.group(1).strip() if header else "unknown"


def versions() -> dict[str, str]:
    banner = subprocess.run(
        [PDFLATEX, "--version"], capture_output=True, text=True, check=False
    ).stdout.splitlines()
    found = {"pdftex": banner[0].strip() if banner else "unknown"}
    kpathsea = next((line for line in banner if line.startswith("kpathsea")), "")
    if kpathsea:
        found["kpathsea"] = kpathsea.strip()
    if shutil.which("dpkg-query"):
        for package in DEBIAN_PACKAGES:
            version = subprocess.run(
                ["dpkg-query", "-W", "-f=${Version}", package],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
            if version:
                found[f"debian:{package}"] = version
    for name in ("longtable", "array", "booktabs", "colortbl", "xcolor", "pdflscape", "fancyhdr"):
        found[name] = _package_version(name)
    return found


def render_one(stem: str, profile: ProfileData, variant: Variant, folder: Path) -> Rendered:
    """Typeset one profile; raise LatexError when its truth text does not read back."""
    pdf = folder / f"{stem}__{variant.name}.pdf"
    compiled = compile_tex(variant.build(profile), pdf)
    problems = text_problems(pdf, profile)
    if problems:
        pdf.unlink()
        raise LatexError(f"{pdf.name}: truth text does not read back:\n  " + "\n  ".join(problems))
    found = verified_variations(pdf, profile)
    runs_off = overflow(pdf)
    note = "".join(f"; page {n}: a row runs {pt:.0f}pt off the page" for n, pt in runs_off.items())
    print(
        f"latex: {pdf.name}: {compiled.passes} passes{note}; "
        f"hyphenated: {', '.join(hyphenated_words(pdf, profile)[:6]) or '-'}",
        file=sys.stderr,
    )
    return Rendered(pdf=pdf, truth=stem, variant=variant.name, variations=found)


def render(profiles: Sequence[tuple[str, ProfileData]], folder: Path) -> list[Rendered]:
    """Each profile in its assigned variant; should its text not read back there (a
    character the variant's fonts lack), in the next variant that works."""
    by_stem = dict(profiles)
    rendered: list[Rendered] = []
    for stem, assigned in assignments(list(by_stem)):
        start = VARIANTS.index(assigned)
        failures: list[str] = []
        for variant in (*VARIANTS[start:], *VARIANTS[:start]):
            try:
                rendered.append(render_one(stem, by_stem[stem], variant, folder))
                break
            except LatexError as error:
                failures.append(str(error))
                print(f"latex: {error}; trying the next variant", file=sys.stderr)
        else:
            raise LatexError("\n".join(failures))
    covered = {name for item in rendered for name in item.variations}
    aimed = {name for variant in VARIANTS for name in variant.aims}
    if aimed - covered:
        print(f"latex: variations not produced: {sorted(aimed - covered)}", file=sys.stderr)
    return rendered


PRODUCER = Producer(name="latex", missing=missing, versions=versions, render=render)
