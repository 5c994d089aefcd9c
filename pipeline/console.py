"""The summary of `albatts extract`: for a person (stdout and stderr) or a script (--json).

A person sees what matters first: the rows per table and the verdict on stdout; rejected
files, errors and warnings on stderr, with errors of one cause counted on one line and
numerous warnings collapsed (--verbose lists each). Every file name and message is shown
literally: no Rich markup is read in data, and control characters are shown escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from pipeline.model import Issue, Verdict, printable_name, terminal_text
from pipeline.outcome import RunReport

# A kind of error with this many issues in one file is counted on one line.
GROUP_ERRORS_FROM = 4
# A file with more warnings than this lists only the first few of each kind...
WARNINGS_PER_FILE = 10
WARNINGS_SHOWN_PER_KIND = 3
# ...and a run lists at most this many warning lines in all.
WARNINGS_PER_RUN = 30

Stream = Literal["out", "err"]


@dataclass(frozen=True)
class Detail:
    """How much to show: quiet (rejections and the verdict), normal, or verbose (all)."""

    quiet: bool = False
    verbose: bool = False
    debug: bool = False


@dataclass(frozen=True)
class Line:
    """One thing to print, and whether it goes to stdout or stderr."""

    stream: Stream
    content: RenderableType


@dataclass(frozen=True)
class IssueGroup:
    """Issues of one file that share a cause: same code and stage, and the same message and
    hint but for their values (quoted text and numbers)."""

    issues: tuple[Issue, ...]

    @property
    def first(self) -> Issue:
        return self.issues[0]


_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_NUMBER = re.compile(r"\d+")


def _without_values(text: str) -> str:
    return _NUMBER.sub("#", _QUOTED.sub("'…'", text))


def _kind(issue: Issue) -> tuple[object, ...]:
    # Not the table or column: a bad profile_id fails in every table, for one reason.
    return (
        issue.severity,
        issue.code,
        issue.stage,
        _without_values(issue.message),
        _without_values(issue.hint),
    )


def issues_to_groups(issues: Iterable[Issue]) -> list[IssueGroup]:
    """Issues grouped by cause, in the order each cause first appears."""
    groups: dict[tuple[object, ...], list[Issue]] = {}
    for issue in issues:
        groups.setdefault(_kind(issue), []).append(issue)
    return [IssueGroup(tuple(members)) for members in groups.values()]


def group_location(group: IssueGroup) -> str:
    """The place of a group's issues: the file, the page or line (or their range), the
    tables and columns (the first few); the row only when they all have the same."""
    first = group.first.location
    parts = [first.file]
    for name, values in (
        ("page", [i.location.page for i in group.issues]),
        ("line", [i.location.line for i in group.issues]),
    ):
        known = sorted({value for value in values if value is not None})
        if len(known) == 1:
            parts.append(f"{name} {known[0]}")
        elif known:
            parts.append(f"{name}s {known[0]}-{known[-1]}")
    tables = list(dict.fromkeys(i.location.table for i in group.issues if i.location.table))
    columns = list(dict.fromkeys(i.location.column for i in group.issues if i.location.column))
    if len(tables) == 1:
        parts.append(f"table {tables[0]}" + (f".{columns[0]}" if len(columns) == 1 else ""))
    elif tables:
        parts.append(f"tables {_first_few(tables)}")
    if columns and not (len(tables) == 1 and len(columns) == 1):
        parts.append(f"column{'s' if len(columns) > 1 else ''} {_first_few(columns)}")
    rows = {i.location.row for i in group.issues}
    if len(rows) == 1 and first.row is not None:
        parts.append(first.row)
    return ", ".join(parts)


def _first_few(names: Sequence[str], shown: int = 3) -> str:
    listed = ", ".join(names[:shown])
    return f"{listed} and {len(names) - shown} more" if len(names) > shown else listed


def group_text(group: IssueGroup) -> str:
    """One line for a group: its count, shared place, the first message (as an example
    when the values differ) and the hint."""
    first = group.first
    same = all(issue.message == first.message for issue in group.issues)
    message = first.message if same else f"e.g. {first.message}"
    text = f"x{len(group.issues)} {group_location(group)}: {message}"
    return f"{text} ({first.hint})" if first.hint else text


def _plain(stream: Stream, text: str) -> Line:
    return Line(stream, Text(terminal_text(text)))


def rows_table(report: RunReport, out_dir: Path) -> Table:
    table = Table(
        title=Text(f"albatts extract → {terminal_text(str(out_dir))}"), title_justify="left"
    )
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in report.row_counts.items():
        table.add_row(Text(name), Text(str(count)))
    return table


def error_texts(errors: Sequence[Issue], verbose: bool) -> list[tuple[Issue, str]]:
    """Each error with its text; without --verbose, a cause with GROUP_ERRORS_FROM errors
    or more as one counted text (with its first error)."""
    if verbose:
        return [(issue, str(issue)) for issue in errors]
    texts: list[tuple[Issue, str]] = []
    for group in issues_to_groups(errors):
        if len(group.issues) < GROUP_ERRORS_FROM:
            texts.extend((issue, str(issue)) for issue in group.issues)
        else:
            texts.append((group.first, group_text(group)))
    return texts


def error_lines(texts: Iterable[tuple[Issue, str]], debug: bool) -> list[Line]:
    """A rejected file's error texts, each under its stage (and an internal error's
    traceback with --debug)."""
    lines = []
    for issue, text in texts:
        lines.append(_plain("err", f"  [{issue.stage}] {text}"))
        if debug and issue.debug:
            # A traceback keeps its newlines: they are its layout.
            traceback = "\n".join(map(terminal_text, issue.debug.splitlines()))
            lines.append(Line("err", Text(traceback)))
    return lines


def warning_text(issue: Issue, verbose: bool) -> str:
    """A warning on one line: file, place and message (and the hint with --verbose)."""
    return f"warning   {issue if verbose else f'{issue.location}: {issue.message}'}"


def file_warnings(verdict: Verdict, detail: Detail) -> list[str]:
    """A file's warnings; when there are more than WARNINGS_PER_FILE, the first few of each
    kind and a count of the rest (every one with --verbose)."""
    warnings = verdict.warnings
    if detail.verbose or len(warnings) <= WARNINGS_PER_FILE:
        return [warning_text(issue, detail.verbose) for issue in warnings]
    lines: list[str] = []
    for group in issues_to_groups(warnings):
        shown = group.issues[:WARNINGS_SHOWN_PER_KIND]
        lines.extend(warning_text(issue, verbose=False) for issue in shown)
        if len(group.issues) > len(shown):
            lines.append(
                f"warning   ... and {len(group.issues) - len(shown)} more warnings of this kind"
                f" in {group.first.location.file}"
            )
    return lines


def _warnings_cut(verdict: Verdict) -> bool:
    return len(verdict.warnings) > WARNINGS_PER_FILE and any(
        len(g.issues) > WARNINGS_SHOWN_PER_KIND for g in issues_to_groups(verdict.warnings)
    )


def summary_lines(
    report: RunReport, out_dir: Path, formats: Sequence[str], detail: Detail
) -> list[Line]:
    """Everything `albatts extract` prints after a run, in order, each on its stream.

    A rejected file's warnings are counted under its errors, not listed (its errors are
    what to fix first); --verbose lists them too.
    """
    lines: list[Line] = []
    if not detail.quiet:
        lines.append(Line("out", rows_table(report, out_dir)))
    budget = None if detail.verbose else WARNINGS_PER_RUN
    unlisted, unlisted_files, grouped, cut = 0, 0, False, False
    for verdict in report.verdicts:
        typed = report.typed.get(verdict.source_file, verdict.source_file)
        noted = f" ({len(verdict.warnings)} warning(s))" if verdict.warnings else ""
        if verdict.status == "ok":
            if not detail.quiet:
                lines.append(_plain("out", f"ok        {typed} -> {verdict.profile_id}{noted}"))
        else:
            # The line ends in the path, for copying.
            name = Text(terminal_text(typed))
            lines.append(Line("err", Text.assemble(("rejected", "bold red"), "  ", name)))
            errors = verdict.errors
            texts = error_texts(errors, detail.verbose)
            grouped = grouped or len(texts) < len(errors)
            lines.extend(error_lines(texts, detail.debug))
            if verdict.warnings and not detail.verbose:
                lines.append(
                    _plain("err", f"  ({len(verdict.warnings)} warning(s) too; -v lists them)")
                )
        listed = not detail.quiet and (verdict.status == "ok" or detail.verbose)
        if not listed or not verdict.warnings:
            continue
        warnings = file_warnings(verdict, detail)
        if budget is not None and len(warnings) > budget:
            unlisted += len(verdict.warnings)
            unlisted_files += 1
            budget = 0
            continue
        if budget is not None:
            budget -= len(warnings)
        cut = cut or (not detail.verbose and _warnings_cut(verdict))
        lines.extend(_plain("err", text) for text in warnings)
    where = f"; {out_dir / 'validation.json'} has them all" if report.published else ""
    if unlisted:
        lines.append(
            _plain(
                "err",
                f"warning   ... and {unlisted} more warnings in {unlisted_files} more file(s)"
                f"; -v lists them{where}",
            )
        )
    elif cut:
        lines.append(_plain("err", f"warnings of one kind are cut short; -v lists them{where}"))
    if grouped:
        lines.append(
            _plain("err", f"errors of one cause are counted on one line (xN); -v lists each{where}")
        )
    if not report.published:
        lines.append(
            _plain(
                "err",
                f"nothing to publish: every input was rejected, so {out_dir} was left as it "
                "was (--allow-empty publishes empty tables)",
            )
        )
    if report.up_to_date and not detail.quiet:
        lines.append(
            _plain(
                "out",
                f"{out_dir} is up to date: no input, option or vocabulary changed since the "
                "run that wrote it, so nothing was extracted or written (--no-cache redoes it)",
            )
        )
    ok = len(report.verdicts) - len(report.rejected)
    warned = sum(len(v.warnings) for v in report.verdicts)
    lines.append(
        Line(
            "out",
            Text(
                f"{ok} profile(s) ok, {len(report.rejected)} rejected, {warned} warning(s); "
                f"formats: {', '.join(formats)}"
            ),
        )
    )
    return lines


def summary_to_json(
    report: RunReport, out_dir: Path, formats: Sequence[str], exit_code: int
) -> dict[str, object]:
    """The run for a script: each input's verdict (as in manifest.json), totals, the output
    folder and the exit code."""
    inputs = []
    for verdict in report.verdicts:
        codes: dict[str, int] = {}
        for issue in verdict.issues:
            codes[issue.code.value] = codes.get(issue.code.value, 0) + 1
        inputs.append(
            {
                "source_file": printable_name(verdict.source_file),
                "path": printable_name(report.typed.get(verdict.source_file, verdict.source_file)),
                "status": verdict.status,
                "profile_id": verdict.profile_id,
                "errors": len(verdict.errors),
                "warnings": len(verdict.warnings),
                "codes": dict(sorted(codes.items())),
            }
        )
    return {
        "out": printable_name(str(out_dir)),
        "published": report.published,
        "up_to_date": report.up_to_date,
        "exit_code": exit_code,
        "formats": list(formats),
        "totals": {
            "inputs": len(report.verdicts),
            "ok": len(report.verdicts) - len(report.rejected),
            "rejected": len(report.rejected),
            "errors": sum(len(v.errors) for v in report.verdicts),
            "warnings": sum(len(v.warnings) for v in report.verdicts),
        },
        "rows": report.row_counts,
        "inputs": inputs,
    }


def print_lines(lines: Iterable[Line], out: Console, err: Console) -> None:
    """Print each line on its stream; data is in Text, so no markup is ever read in it."""
    for line in lines:
        console = out if line.stream == "out" else err
        console.print(line.content, highlight=False, markup=False)
