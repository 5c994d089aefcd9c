"""report.html: one self-contained page for a person to look at what a run found.

Drawn from the records the run publishes (the manifest's verdicts, the tables) plus
pictures of the PDF pages where problems are, so `albatts report OUT` rebuilds it from an
output folder. No network, no JavaScript, no timestamps: two reports differ only when the
data does.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator, Mapping, Sequence
from importlib.resources import files
from shlex import quote
from typing import Any

import jinja2
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.model import PagePicture
from pipeline.row_spool import RowSpool
from pipeline.shards import arrow_to_frame
from pipeline.stages.tables import frame_to_records, with_output_dtypes

REPORT = "report.html"
TEMPLATE = "report.html.j2"
# Problems of one kind in one file shown before the rest fold away under a <details>.
SHOWN_PER_KIND = 5
# Files whose page pictures the report embeds (rejected files first), so a run over
# thousands of PDFs still gives a report a browser opens; the others are one
# `albatts inspect` away.
PICTURED_FILES = 50
# Profiles shown in full (the first, in profile_id order); the others are listed by title,
# so that a run of 10,000 profiles still gives a report a browser opens at once. Each one
# is in full in json/profiles/<profile_id>.json.
DETAILED_PROFILES = 200
# The report is written in pieces of about this many characters.
PIECE_CHARACTERS = 2**16
# Rejected files, and files with warnings, whose problems the report lists (each kind); the
# others are counted, their problems in validation.json and manifest.json.
DETAILED_FILES = 200


def render_report(
    manifest: Mapping[str, Any],
    tables: Mapping[str, pd.DataFrame],
    pictures: Mapping[str, Sequence[PagePicture]] | None = None,
) -> str:
    """The report of the run that `manifest` describes (see write.manifest)."""
    shown = ReportProfiles(DETAILED_PROFILES)
    shown.add(tables)
    return "".join(report_pieces(manifest, shown.detailed, shown.listed, pictures))


class ReportProfiles:
    """What the report shows of the profiles, gathered from the tables chunk by chunk (in
    profile_id order): the first `detailed` ones in full, the others' ids and titles."""

    def __init__(self, detailed: int) -> None:
        self._count = detailed
        self.detailed: dict[str, pd.DataFrame] = {}
        self.listed = RowSpool()  # on disk: a line for each profile of the run
        self._seen = 0

    def add(self, tables: Mapping[str, pd.DataFrame]) -> None:
        profiles = tables["profiles"]
        room = self._room()
        if room:
            first = _first_profiles(tables, room)
            self.detailed = (
                {
                    name: pd.concat([self.detailed[name], frame], ignore_index=True)
                    for name, frame in first.items()
                }
                if self.detailed
                else first
            )
        self.listed.extend(
            frame_to_records(profiles.iloc[room:][["profile_id", "title", "source_file"]])
        )
        self._seen += len(profiles)

    def add_arrow(self, chunk: Mapping[str, pa.Table]) -> None:
        """add() a chunk of the dataset as the shards hold it (in profile_id order): only
        its profiles, and the other tables' rows of those shown in full, become frames."""
        shown = chunk["profiles"].column("profile_id").slice(0, self._room())
        kept = {
            name: data if name == "profiles" else data.filter(pc.is_in(data["profile_id"], shown))
            for name, data in chunk.items()
        }
        self.add(
            with_output_dtypes({name: arrow_to_frame(name, data) for name, data in kept.items()})
        )

    def _room(self) -> int:
        """How many more profiles are shown in full."""
        return max(0, self._count - self._seen)


class ReportInputs:
    """What the report shows of the inputs, gathered one manifest entry at a time (see
    write.manifest_entries): a line each, and the problems of the first `detailed`
    rejected files and of the first `detailed` files with warnings."""

    def __init__(self, detailed: int | None = None) -> None:
        self._detailed = DETAILED_FILES if detailed is None else detailed
        self.lines = RowSpool()  # on disk: a line for each input of the run
        self.rejected: list[dict[str, Any]] = []
        self.warned: list[dict[str, Any]] = []
        self.rejected_count = self.warned_count = self.warning_count = 0

    def add(self, entry: Mapping[str, Any]) -> None:
        self.lines.append(
            {
                **{key: entry.get(key) for key in _LINE_KEYS},
                "errors": len(entry.get("errors", [])),
                "warnings": len(entry.get("warnings", [])),
            }
        )
        self.warning_count += len(entry.get("warnings", []))
        if entry["status"] == "rejected":
            self.rejected_count += 1
            if len(self.rejected) < self._detailed:
                self.rejected.append(_with_full_locations(entry))
        elif entry.get("warnings"):
            self.warned_count += 1
            if len(self.warned) < self._detailed:
                self.warned.append(_with_full_locations(entry))


_LINE_KEYS = ("source_file", "source_format", "status", "profile_id", "sha256")


def report_pieces(
    manifest: Mapping[str, Any],
    detailed: Mapping[str, pd.DataFrame],
    listed: RowSpool,
    pictures: Mapping[str, Sequence[PagePicture]] | None = None,
    inputs: ReportInputs | None = None,
) -> Iterator[str]:
    """The report, a piece at a time as it renders (to be written as it comes: a run over a
    hundred thousand profiles makes hundreds of megabytes of it), from the profiles shown
    in full and those listed (ReportProfiles) and the inputs as ReportInputs gathered them
    (else from manifest["inputs"])."""
    if inputs is None:
        inputs = ReportInputs()
        for entry in manifest.get("inputs", []):
            inputs.add(entry)
    context = {
        "manifest": manifest,
        "inputs": inputs.lines,
        "counts": {
            "inputs": len(inputs.lines),
            "ok": len(inputs.lines) - inputs.rejected_count,
            "rejected": inputs.rejected_count,
            "warnings": inputs.warning_count,
        },
        "rejected": inputs.rejected,
        "warned": inputs.warned,
        "more_rejected": inputs.rejected_count - len(inputs.rejected),
        "more_warned": inputs.warned_count - len(inputs.warned),
        "profiles": profile_views(detailed),
        "more_profiles": listed,
        "detailed_profiles": DETAILED_PROFILES,
        "pictures": _pictured(pictures or {}, [*inputs.rejected, *inputs.warned]),
        "anchor": anchor,
        "quote": quote,
        "by_kind": by_kind,
        "data_uri": data_uri,
        "shown_per_kind": SHOWN_PER_KIND,
    }
    return _pieces(_template().generate(**context))


def _pieces(rendered: Iterator[str]) -> Iterator[str]:
    """The rendering in pieces of about PIECE_CHARACTERS: the template yields every
    expression on its own (hundreds of thousands for a big run), each a write."""
    held: list[str] = []
    size = 0
    for piece in rendered:
        held.append(piece)
        size += len(piece)
        if size >= PIECE_CHARACTERS:
            yield "".join(held)
            held, size = [], 0
    if held:
        yield "".join(held)


def _first_profiles(tables: Mapping[str, pd.DataFrame], count: int) -> dict[str, pd.DataFrame]:
    """The tables of the first count profiles only."""
    shown = tables["profiles"]["profile_id"].iloc[:count]
    return {name: frame[frame["profile_id"].isin(shown)] for name, frame in tables.items()}


def profile_views(tables: Mapping[str, pd.DataFrame]) -> list[dict[str, Any]]:
    """Each profile with its child rows nested, competences by category (pure)."""
    children = {
        name: _by(frame_to_records(tables[name]), "profile_id")
        for name in ("occupations", "eqf_levels", "departments", "specialisations", "competences")
    }
    statements = _by(frame_to_records(tables["competence_statements"]), "competence_id")
    skills = _by(frame_to_records(tables["competence_esco_skills"]), "competence_id")
    views = []
    for profile in frame_to_records(tables["profiles"]):
        pid = str(profile["profile_id"])
        categories: dict[str, list[dict[str, Any]]] = {}
        for competence in children["competences"].get(pid, []):
            cid = str(competence["competence_id"])
            categories.setdefault(str(competence["category"]), []).append(
                {
                    **competence,
                    "statements": statements.get(cid, []),
                    "esco_skills": skills.get(cid, []),
                }
            )
        views.append(
            {
                **profile,
                "paragraphs": [p for p in str(profile["description"]).split("\n\n") if p],
                "occupations": children["occupations"].get(pid, []),
                "eqf_levels": [row["eqf_level"] for row in children["eqf_levels"].get(pid, [])],
                "departments": [row["department"] for row in children["departments"].get(pid, [])],
                "specialisations": [
                    row["specialisation"] for row in children["specialisations"].get(pid, [])
                ],
                "categories": categories,
            }
        )
    return views


def _pictured(
    pictures: Mapping[str, Sequence[PagePicture]], entries: Sequence[Mapping[str, Any]]
) -> dict[str, Sequence[PagePicture]]:
    """The pictures of the first PICTURED_FILES files that have any, in report order."""
    names = [entry["source_file"] for entry in entries if entry["source_file"] in pictures]
    return {name: pictures[name] for name in names[:PICTURED_FILES]}


def by_kind(problems: Sequence[Mapping[str, Any]]) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """Problems grouped by code, in the order each code first appears: one root cause that
    repeats row after row reads as one group with a count."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for problem in problems:
        groups.setdefault(str(problem.get("code", "")), []).append(problem)
    return list(groups.items())


def data_uri(picture: PagePicture) -> str:
    return "data:image/png;base64," + base64.b64encode(picture.png).decode("ascii")


def anchor(*parts: object) -> str:
    """An id attribute value from any text: letters, digits and dashes."""
    text = "-".join(str(part) for part in parts)
    return _NOT_ALNUM.sub("-", text).strip("-").lower() or "x"


# What str.isalnum() refuses: re's \w is isalnum() and the underscore.
_NOT_ALNUM = re.compile(r"[\W_]")
_LOCATION_KEYS = ("file", "page", "line", "table", "column", "row")


def _with_full_locations(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest leaves out what is unknown; the template wants every key."""
    return {
        **entry,
        **{
            kind: [
                {**issue, "location": {key: issue["location"].get(key) for key in _LOCATION_KEYS}}
                for issue in entry.get(kind, [])
            ]
            for kind in ("errors", "warnings")
        },
    }


def _by(records: list[dict[str, Any]], key: str) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        grouped.setdefault(str(record[key]), []).append(record)
    return grouped


def _template() -> jinja2.Template:
    source = (files("pipeline") / "templates" / TEMPLATE).read_text(encoding="utf-8")
    environment = jinja2.Environment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return environment.from_string(source)
