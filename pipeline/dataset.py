"""The run's results as one dataset: the checks across files (a profile or a key that two
inputs give, --strict), then the published tables, in profile_id order."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from pipeline.codes import Code
from pipeline.contract.tables import TABLES, primary_key
from pipeline.inputs import Input, display_path
from pipeline.model import FileResult, Issue, Location, printable_name
from pipeline.outcome import RunReport
from pipeline.settings import Settings
from pipeline.stages.tables import (
    Tables,
    concat_tables,
    tables_to_documents,
    with_output_dtypes,
)
from pipeline.write import Outputs, write_outputs


def publish(
    ordered: Sequence[Input],
    results: Sequence[FileResult],
    settings: Settings,
    say: Callable[[str], None],
    from_cache: int,
    published: Callable[[RunReport], None] = lambda _report: None,
) -> RunReport:
    """Check the results as a whole and write the outputs of the good ones, unless none is
    left to publish (and settings.allow_empty is off): the previous output then stays.
    `published` is told the report once the outputs are in, before another run can
    replace them."""
    if settings.strict:
        results = [apply_strict(result) for result in results]
    results = reject_duplicate_profiles(results)
    stacked = stack(results)
    results = reject_key_clashes(results, stacked)
    tables = with_output_dtypes(
        stacked.without({i for i, r in enumerate(results) if r.tables is None})
    )
    tables = {name: _by_profile(frame) for name, frame in tables.items()}
    verdicts = tuple(result.verdict for result in results)
    typed = {each.name: display_path(each.path) for each in ordered}
    if not any(v.status == "ok" for v in verdicts) and not settings.allow_empty:
        return RunReport(verdicts, tables, published=False, typed=typed, from_cache=from_cache)
    outputs = Outputs(
        tables,
        tables_to_documents(tables),
        verdicts,
        settings.formats,
        settings.recorded(),
        {
            printable_name(result.verdict.source_file): result.pictures
            for result in results
            if result.pictures
        },
    )
    report = RunReport(verdicts, tables, typed=typed, from_cache=from_cache)
    write_outputs(
        settings.out_dir,
        outputs,
        settings.wait_for_lock_s,
        say,
        lambda: published(report),
    )
    return report


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
        checked.append(replace(result, verdict=rejected, tables=None))
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
    return replace(result, verdict=replace(verdict, status="rejected", issues=strict), tables=None)


@dataclass(frozen=True)
class Stacked:
    """The tables of many inputs, one frame per table; owners[table][row] is the position of
    the input the row comes from."""

    frames: Tables
    owners: dict[str, np.ndarray]

    def without(self, inputs: set[int]) -> Tables:
        """The frames without the rows of these inputs."""
        if not inputs:
            return dict(self.frames)
        dropped = np.array(sorted(inputs))
        return {
            name: frame[~np.isin(self.owners[name], dropped)].reset_index(drop=True)
            for name, frame in self.frames.items()
        }


def stack(results: Sequence[FileResult]) -> Stacked:
    kept = [(index, result.tables) for index, result in enumerate(results) if result.tables]
    frames = concat_tables(tables for _index, tables in kept)
    owners = {
        name: np.repeat(
            np.array([index for index, _tables in kept], dtype=np.int64),
            [len(tables[name]) for _index, tables in kept],
        )
        for name in TABLES
    }
    return Stacked(frames, owners)


def reject_key_clashes(
    results: Sequence[FileResult], stacked: Stacked | None = None
) -> list[FileResult]:
    """The whole dataset checked before anything is published: a primary key that two
    inputs share rejects both (a key one file repeats was already its own error). stacked
    is stack(results), when the caller has it already."""
    clashes: dict[int, list[str]] = {}
    for _order, table, row, indexes in sorted(_shared_keys(stacked or stack(results))):
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
        clashed = replace(verdict, status="rejected", issues=(*verdict.issues, issue))
        checked.append(replace(result, verdict=clashed, tables=None))
    return checked


def _shared_keys(
    stacked: Stacked,
) -> Iterator[tuple[tuple[int, int, int], str, tuple[object, ...], set[int]]]:
    """Each primary key that more than one input gives: its table, its values, the inputs;
    first the order in which a reading of the inputs one by one (each table in turn, rows
    in order) meets it, so that every input's clashes are told in that order."""
    for position, table in enumerate(TABLES):
        frame, owners = stacked.frames[table], stacked.owners[table]
        key = list(primary_key(table))
        # Vectorised: only the repeated keys (across inputs or not) are looked at row by row.
        repeated = np.flatnonzero(frame.duplicated(subset=key, keep=False).to_numpy())
        if not len(repeated):
            continue
        seen: dict[tuple[object, ...], tuple[int, set[int]]] = {}
        values = zip(*(frame[column].to_numpy()[repeated].tolist() for column in key), strict=True)
        for row_number, row in zip(repeated.tolist(), values, strict=True):
            first, indexes = seen.setdefault(row, (row_number, set()))
            indexes.add(int(owners[row_number]))
        for row, (first, indexes) in seen.items():
            if len(indexes) > 1:
                yield (int(owners[first]), position, first), table, row, indexes


def _by_profile(frame: pd.DataFrame) -> pd.DataFrame:
    """Profiles in profile_id order, rows of a profile in document order."""
    if frame.empty:
        return frame
    order = frame["profile_id"].argsort(kind="stable")
    return frame.iloc[order].reset_index(drop=True)
