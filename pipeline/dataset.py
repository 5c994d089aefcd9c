"""The run's results as one dataset: the checks across files (a profile or a key that two
inputs give, --strict), then the published tables, in profile_id order, streamed from the
run's shards (shards.py) to the writers."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from pipeline.codes import Code
from pipeline.inputs import Input, display_path
from pipeline.model import FileResult, Issue, Location, printable_name
from pipeline.outcome import RunReport
from pipeline.settings import Settings
from pipeline.shards import ShardStore, SharedKey
from pipeline.write import Outputs, write_outputs


def publish(
    ordered: Sequence[Input],
    results: Sequence[FileResult],
    store: ShardStore,
    settings: Settings,
    say: Callable[[str], None],
    from_cache: int,
    published: Callable[[RunReport], None] = lambda _report: None,
) -> RunReport:
    """Check the results as a whole and write the outputs of the good ones, unless none is
    left to publish (and settings.allow_empty is off): the previous output then stays.
    Each ok result's tables are in the store (under its position), or still with it.
    `published` is told the report once the outputs are in, before another run can
    replace them."""
    results = spill(results, store)
    if settings.strict:
        results = [apply_strict(result) for result in results]
    results = reject_duplicate_profiles(results)
    results = reject_key_clashes(results, store.shared_keys(_ok(results)))
    kept = _ok(results)
    verdicts = tuple(result.verdict for result in results)
    typed = {each.name: display_path(each.path) for each in ordered}
    rows = store.rows(kept)
    if not kept and not settings.allow_empty:
        return RunReport(verdicts, published=False, typed=typed, from_cache=from_cache, rows=rows)
    outputs = Outputs(
        store.chunks(kept),
        rows,
        verdicts,
        settings.formats,
        settings.recorded(),
        store.pictures(
            {
                index: printable_name(result.verdict.source_file)
                for index, result in enumerate(results)
            }
        ),
    )
    report = RunReport(
        verdicts, typed=typed, from_cache=from_cache, rows=rows, out_dir=settings.out_dir
    )
    write_outputs(
        settings.out_dir,
        outputs,
        settings.wait_for_lock_s,
        say,
        lambda: published(report),
    )
    return report


def spill(results: Sequence[FileResult], store: ShardStore) -> list[FileResult]:
    """The results with their tables and pictures moved into the store, under their
    positions."""
    return [store.keep(index, result) for index, result in enumerate(results)]


def _ok(results: Sequence[FileResult]) -> set[int]:
    return {index for index, result in enumerate(results) if result.verdict.status == "ok"}


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


def reject_key_clashes(
    results: Sequence[FileResult], shared: Sequence[SharedKey] | None = None
) -> list[FileResult]:
    """The whole dataset checked before anything is published: a primary key that two
    inputs share rejects both (a key one file repeats was already its own error). shared
    is the store's shared_keys, when the results' tables are in a store already."""
    if shared is None:
        with tempfile.TemporaryDirectory() as scratch, ShardStore(Path(scratch) / "k") as store:
            shared = store.shared_keys(_ok(spill(results, store)))
    clashes: dict[int, list[str]] = {}
    for key in shared:
        for index in sorted(key.owners):
            others = sorted(results[i].verdict.source_file for i in key.owners - {index})
            clashes.setdefault(index, []).append(
                f"{key.table} key {key.values!r} is also produced by {', '.join(others)}"
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
