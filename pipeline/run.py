"""Orchestration: find inputs, run each through the stages, collect verdicts, write."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from pipeline.extract import FORMATS_BY_SUFFIX
from pipeline.model import Issue, Location, Verdict
from pipeline.process import FileResult, display_path
from pipeline.settings import Settings
from pipeline.stages.tables import (
    Tables,
    concat_tables,
    tables_to_documents,
    with_output_dtypes,
)
from pipeline.workers import process_in_process, process_isolated
from pipeline.write import Outputs, check_output_dir, write_outputs


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
        rejected = replace(verdict, status="rejected", issues=(*verdict.issues, issue))
        checked.append(FileResult(rejected, None))
    return checked


def apply_strict(result: FileResult) -> FileResult:
    """--strict: a warning rejects the file like an error."""
    verdict = result.verdict
    if verdict.status != "ok" or not verdict.warnings:
        return result
    strict = tuple(
        replace(issue, severity="error") if issue.severity == "warning" else issue
        for issue in verdict.issues
    )
    return FileResult(replace(verdict, status="rejected", issues=strict), None)


def run(
    inputs: Sequence[Path],
    settings: Settings,
    progress: Callable[[Path], None] = lambda _path: None,
) -> RunReport:
    """Extract every input and write the outputs of the good ones to settings.out_dir."""
    check_output_dir(settings.out_dir)
    ordered = sorted(inputs, key=display_path)
    if settings.limits is None:
        results = process_in_process(ordered, progress, settings.layout)
    else:
        results = process_isolated(ordered, settings.limits, progress, settings.layout)
    if settings.strict:
        results = [apply_strict(result) for result in results]
    results = reject_duplicate_profiles(results)
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
