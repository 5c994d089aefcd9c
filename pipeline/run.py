"""Orchestration: find inputs, run each through the stages, collect verdicts, write."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from pipeline.codes import Code
from pipeline.contract.tables import primary_key
from pipeline.extract import FORMATS_BY_SUFFIX
from pipeline.model import Issue, Location, Verdict
from pipeline.process import FileResult, Input, display_path
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
    # Whether the outputs were written (a run with no profile to publish keeps the old).
    published: bool = True
    # Each source_file as the steward typed it (relative to the working folder).
    typed: dict[str, str] = field(default_factory=dict)

    @property
    def rejected(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.status == "rejected")

    @property
    def row_counts(self) -> dict[str, int]:
        return {name: len(frame) for name, frame in self.tables.items()}


def discover_inputs(paths: Iterable[Path]) -> list[Input]:
    """Files as given, plus profile files found under folders; each file once (by its
    resolved path), named by its path relative to the folder it was found in (or by its
    own name when given directly); in order of those names.

    Hidden files and README files inside folders are documentation, not profiles.
    """
    found: list[Input] = []
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
                    found.append(Input(candidate, relative.as_posix()))
        else:
            found.append(Input.of(path))
    return unique_inputs(found)


def unique_inputs(inputs: Iterable[Input | Path]) -> list[Input]:
    """Each file once, by its resolved path (the first name it was given under); ordered
    by name, then by the order given."""
    seen: dict[Path, Input] = {}
    for each in inputs:
        each = each if isinstance(each, Input) else Input.of(each)
        seen.setdefault(_identity(each.path), each)
    ordered = list(seen.values())
    return sorted(ordered, key=lambda each: each.name)  # stable: ties keep the given order


def _identity(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: the path itself is all there is
        return path.absolute()


def reject_duplicate_profiles(results: Sequence[FileResult]) -> list[FileResult]:
    """Inputs that give the same profile_id are all rejected: none silently wins."""
    files_by_id: dict[str, list[int]] = {}
    for index, result in enumerate(results):
        if result.verdict.status == "ok" and result.verdict.profile_id:
            files_by_id.setdefault(result.verdict.profile_id, []).append(index)
    checked = []
    for index, result in enumerate(results):
        verdict = result.verdict
        others = [
            results[other].verdict.source_file
            for other in files_by_id.get(verdict.profile_id or "", [])
            if other != index
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
            code=Code.DUPLICATE_PROFILE,
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
    inputs: Sequence[Input | Path],
    settings: Settings,
    progress: Callable[[Path], None] = lambda _path: None,
) -> RunReport:
    """Extract every input and write the outputs of the good ones to settings.out_dir.

    Nothing is written when no profile is left to publish (unless settings.allow_empty):
    the previous output stays as it was."""
    check_output_dir(settings.out_dir)
    ordered = unique_inputs(inputs)
    if settings.limits is None:
        results = process_in_process(ordered, progress, settings.layout)
    else:
        results = process_isolated(ordered, settings.limits, progress, settings.layout)
    if settings.strict:
        results = [apply_strict(result) for result in results]
    results = reject_key_clashes(reject_duplicate_profiles(results))
    tables = with_output_dtypes(
        concat_tables(result.tables for result in results if result.tables is not None)
    )
    tables = {name: _by_profile(frame) for name, frame in tables.items()}
    verdicts = tuple(result.verdict for result in results)
    typed = {each.name: display_path(each.path) for each in ordered}
    if not any(v.status == "ok" for v in verdicts) and not settings.allow_empty:
        return RunReport(verdicts, tables, published=False, typed=typed)
    write_outputs(
        settings.out_dir,
        Outputs(
            tables, tables_to_documents(tables), verdicts, settings.formats, settings.recorded()
        ),
    )
    return RunReport(verdicts, tables, typed=typed)


def reject_key_clashes(results: Sequence[FileResult]) -> list[FileResult]:
    """The whole dataset checked before anything is published: a primary key that two
    inputs share rejects both (a key one file repeats was already its own error)."""
    owners: dict[tuple[str, tuple[object, ...]], set[int]] = {}
    for index, result in enumerate(results):
        if result.tables is None:
            continue
        for table, frame in result.tables.items():
            key = list(primary_key(table))
            for row in frame[key].itertuples(index=False, name=None):
                owners.setdefault((table, row), set()).add(index)
    clashes: dict[int, list[str]] = {}
    for (table, row), indexes in owners.items():
        if len(indexes) > 1:
            for index in indexes:
                others = sorted(results[i].verdict.source_file for i in indexes - {index})
                clashes.setdefault(index, []).append(
                    f"{table} key {row!r} is also produced by {', '.join(others)}"
                )
    checked = []
    for index, result in enumerate(results):
        problems = clashes.get(index)
        if not problems:
            checked.append(result)
            continue
        verdict = result.verdict
        issue = Issue(
            "validate",
            f"{problems[0]}"
            + (f" (and {len(problems) - 1} more keys)" if len(problems) > 1 else ""),
            Location(verdict.source_file),
            "each row must come from one input: remove the duplicate file or fix its keys",
            code=Code.DUPLICATE_KEY,
        )
        checked.append(
            FileResult(replace(verdict, status="rejected", issues=(*verdict.issues, issue)), None)
        )
    return checked


def _by_profile(frame: pd.DataFrame) -> pd.DataFrame:
    """Profiles in profile_id order, rows of a profile in document order."""
    if frame.empty:
        return frame
    order = frame["profile_id"].argsort(kind="stable")
    return frame.iloc[order].reset_index(drop=True)
