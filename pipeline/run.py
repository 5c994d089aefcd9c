"""Orchestration: find inputs, run each through the stages, collect verdicts, write."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.errors import PipelineError
from pipeline.extract import FORMATS_BY_SUFFIX, extract_document, source_format
from pipeline.model import Issue, Location, Source, Status, Verdict
from pipeline.settings import Settings
from pipeline.stages.normalise import NormaliseRules, document_to_profile
from pipeline.stages.tables import (
    Tables,
    concat_tables,
    profile_to_tables,
    tables_to_documents,
    with_output_dtypes,
)
from pipeline.validate import validate_tables
from pipeline.write import Outputs, check_output_dir, write_outputs


@dataclass(frozen=True)
class FileResult:
    verdict: Verdict
    tables: Tables | None


@dataclass(frozen=True)
class RunReport:
    verdicts: tuple[Verdict, ...]
    tables: Tables

    @property
    def rejected(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.status == "rejected")

    @property
    def row_counts(self) -> dict[str, int]:
        return {name: len(frame) for name, frame in self.tables.items()}


def discover_inputs(paths: Iterable[Path]) -> list[Path]:
    """Files as given, plus profile files found under folders; sorted, each once.

    Hidden files and README files inside folders are documentation, not profiles.
    """
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                relative = candidate.relative_to(path)
                if (
                    candidate.is_file()
                    and candidate.suffix.lower() in FORMATS_BY_SUFFIX
                    and not any(part.startswith(".") for part in relative.parts)
                    and not candidate.name.lower().startswith("readme")
                ):
                    found[candidate] = None
        else:
            found[path] = None
    return sorted(found, key=display_path)


def display_path(path: Path) -> str:
    """The path as a steward would type it: relative to the working folder when inside it."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def process_file(path: Path, rules: NormaliseRules) -> FileResult:
    """One input through read, extract, normalise and validate; never raises for bad input."""
    shown = display_path(path)
    fmt = source_format(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        issue = Issue(
            "read",
            f"cannot read the file: {error.strerror or error}",
            Location(shown),
            "check that the file exists and is readable",
        )
        return FileResult(Verdict(shown, None, fmt, "rejected", None, (issue,)), None)
    sha256 = hashlib.sha256(data).hexdigest()
    if fmt is None:
        issue = Issue(
            "read",
            f"unsupported file type {path.suffix or '(none)'!r}",
            Location(shown),
            f"give a profile as {', '.join(sorted(FORMATS_BY_SUFFIX))}",
        )
        return FileResult(Verdict(shown, sha256, None, "rejected", None, (issue,)), None)
    source = Source(shown, fmt, sha256)
    try:
        document = extract_document(data, source)
    except PipelineError as error:
        return FileResult(Verdict(shown, sha256, fmt, "rejected", None, (error.to_issue(),)), None)
    normalised = document_to_profile(document, rules)
    tables = profile_to_tables(normalised.profile)
    issues = (*normalised.issues, *validate_tables(tables, shown))
    status: Status = "rejected" if any(issue.severity == "error" for issue in issues) else "ok"
    verdict = Verdict(shown, sha256, fmt, status, normalised.profile.profile_id or None, issues)
    return FileResult(verdict, tables if status == "ok" else None)


def reject_duplicate_profiles(results: Sequence[FileResult]) -> list[FileResult]:
    """Inputs that give the same profile_id are all rejected: none silently wins."""
    files_by_id: dict[str, list[str]] = {}
    for result in results:
        if result.verdict.status == "ok" and result.verdict.profile_id:
            files_by_id.setdefault(result.verdict.profile_id, []).append(result.verdict.source_file)
    checked = []
    for result in results:
        verdict = result.verdict
        others = [
            f for f in files_by_id.get(verdict.profile_id or "", []) if f != verdict.source_file
        ]
        if verdict.status != "ok" or not others:
            checked.append(result)
            continue
        issue = Issue(
            "validate",
            f"profile_id {verdict.profile_id!r} is also produced by {', '.join(others)} "
            "(same title)",
            Location(verdict.source_file, table="profiles", column="profile_id"),
            "keep only one file per profile, or give the profiles different titles",
        )
        checked.append(
            FileResult(
                Verdict(
                    verdict.source_file,
                    verdict.sha256,
                    verdict.source_format,
                    "rejected",
                    verdict.profile_id,
                    (*verdict.issues, issue),
                ),
                None,
            )
        )
    return checked


def run(
    inputs: Sequence[Path],
    settings: Settings,
    progress: Callable[[Iterable[Path]], Iterable[Path]] = iter,
) -> RunReport:
    """Extract every input and write the outputs of the good ones to settings.out_dir."""
    check_output_dir(settings.out_dir)
    rules = NormaliseRules.load()
    ordered = sorted(inputs, key=display_path)
    results = reject_duplicate_profiles([process_file(path, rules) for path in progress(ordered)])
    tables = with_output_dtypes(
        concat_tables(result.tables for result in results if result.tables is not None)
    )
    tables = {name: _by_profile(frame) for name, frame in tables.items()}
    verdicts = tuple(result.verdict for result in results)
    write_outputs(
        settings.out_dir,
        Outputs(tables, tables_to_documents(tables), verdicts, settings.formats),
    )
    return RunReport(verdicts, tables)


def _by_profile(frame: pd.DataFrame) -> pd.DataFrame:
    """Profiles in profile_id order, rows of a profile in document order."""
    if frame.empty:
        return frame
    order = frame["profile_id"].argsort(kind="stable")
    return frame.iloc[order].reset_index(drop=True)
