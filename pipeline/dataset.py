"""The run's results as one dataset: the checks across files (a profile or a key that two
inputs give, --strict), then the published tables, in profile_id order, streamed from the
run's shards (shards.py) to the writers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from pipeline.codes import Code
from pipeline.inputs import Input, display_path
from pipeline.model import Issue, Location, Verdict, printable_name
from pipeline.outcome import RunReport
from pipeline.settings import Settings
from pipeline.shards import ShardStore, SharedKey
from pipeline.verdict_spool import VerdictSpool
from pipeline.write import Outputs, write_outputs


def publish(
    ordered: Sequence[Input],
    verdicts: VerdictSpool,
    store: ShardStore,
    settings: Settings,
    say: Callable[[str], None],
    from_cache: int,
    published: Callable[[RunReport], None] = lambda _report: None,
) -> RunReport:
    """Check the results as a whole and write the outputs of the good ones, unless none is
    left to publish (and settings.allow_empty is off): the previous output then stays.
    Each input's verdict is in `verdicts` and each ok one's tables in the store, under its
    position; a verdict the checks across inputs change is put again. `published` is told
    the report once the outputs are in, before another run can replace them."""
    if settings.strict:
        for position in sorted(verdicts.ok_with_warnings()):
            verdicts.put(position, apply_strict(verdicts[position]))
    ok = verdicts.ok()
    for position, verdict in duplicate_profiles(verdicts, store.profile_ids, ok).items():
        verdicts.put(position, verdict)
    for position, verdict in key_clashes(verdicts, store.shared_keys(verdicts.ok())).items():
        verdicts.put(position, verdict)
    kept = verdicts.ok()
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
                position: printable_name(verdicts[position].source_file)
                for position in store.pictured()
            }
        ),
        store.parts.read(store.in_order(kept)),
        store.published_documents(kept) if "json" in settings.formats else None,
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


def duplicate_profiles(
    verdicts: Sequence[Verdict], profile_ids: Mapping[int, str], ok: set[int]
) -> dict[int, Verdict]:
    """Inputs that give the same profile_id are all rejected: none silently wins. The
    rejected verdicts by position (profile_ids: each ok input's, by position)."""
    positions_by_id: dict[str, list[int]] = {}
    for position in sorted(ok):
        if profile_ids.get(position):
            positions_by_id.setdefault(profile_ids[position], []).append(position)
    rejected: dict[int, Verdict] = {}
    for profile_id, positions in positions_by_id.items():
        if len(positions) < 2:
            continue
        files = {position: verdicts[position].source_file for position in positions}
        for position in positions:
            others = [files[other] for other in positions if other != position]
            issue = Issue(
                "validate",
                f"profile_id {profile_id!r} is also produced by {', '.join(others)} (same title)",
                Location(files[position], table="profiles", column="profile_id"),
                "keep only one file per profile, or give the profiles different titles",
                code=Code.DUPLICATE_PROFILE,
            )
            rejected[position] = _rejected(verdicts[position], issue)
    return rejected


def apply_strict(verdict: Verdict) -> Verdict:
    """--strict: a warning rejects the file like an error."""
    if verdict.status != "ok" or not verdict.warnings:
        return verdict
    strict = tuple(
        replace(issue, severity="error") if issue.severity == "warning" else issue
        for issue in verdict.issues
    )
    return replace(verdict, status="rejected", issues=strict)


def key_clashes(verdicts: Sequence[Verdict], shared: Sequence[SharedKey]) -> dict[int, Verdict]:
    """The whole dataset checked before anything is published: a primary key that two
    inputs share (the store's shared_keys of the ok inputs) rejects both (a key one file
    repeats was already its own error). The rejected verdicts by position."""
    clashes: dict[int, list[str]] = {}
    for key in shared:
        for position in sorted(key.owners):
            others = sorted(verdicts[i].source_file for i in key.owners - {position})
            clashes.setdefault(position, []).append(
                f"{key.table} key {key.values!r} is also produced by {', '.join(others)}"
            )
    rejected: dict[int, Verdict] = {}
    for position, problems in clashes.items():
        verdict = verdicts[position]
        issue = Issue(
            "validate",
            f"{problems[0]}"
            + (f" (and {len(problems) - 1} more keys)" if len(problems) > 1 else ""),
            Location(verdict.source_file),
            "each row must come from one input: remove the duplicate file or fix its keys",
            code=Code.DUPLICATE_KEY,
        )
        rejected[position] = _rejected(verdict, issue)
    return rejected


def _rejected(verdict: Verdict, issue: Issue) -> Verdict:
    return replace(verdict, status="rejected", issues=(*verdict.issues, issue))
