"""Orchestration: find inputs, run each through the stages, collect verdicts, write."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

import pandas as pd

from pipeline.cache import ResultCache, fingerprint
from pipeline.codes import Code
from pipeline.contract.tables import primary_key
from pipeline.errors import OutputError
from pipeline.extract import FORMATS_BY_SUFFIX
from pipeline.model import Issue, Location, Verdict, printable_name
from pipeline.process import FileResult, Input, display_path, link_loop, refused_result
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
    # Inputs whose results came from the cache instead of being extracted by this run.
    from_cache: int = 0

    @property
    def rejected(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.status == "rejected")

    @property
    def row_counts(self) -> dict[str, int]:
        return {name: len(frame) for name, frame in self.tables.items()}


def discover_inputs(paths: Iterable[Path], follow_symlinks: bool = False) -> list[Input]:
    """Files as given, plus profile files found under folders; each file once (by its
    resolved path), named by its path relative to the folder it was found in (or by its
    own name when given directly); in order of those names.

    Hidden files and README files inside folders are documentation, not profiles. A
    symlink given as an input is followed: it is what the user asked for. One found in a
    folder is followed only to a target inside that folder (anywhere with follow_symlinks);
    one that leads elsewhere, or nowhere, and a folder that cannot be listed, are inputs
    refused with the reason, never read.
    """
    found: list[Input] = []
    for path in paths:
        if path.is_dir():
            found.extend(_folder_inputs(path, follow_symlinks))
        else:
            found.append(Input.of(path))
    return unique_inputs(found)


def _folder_inputs(root: Path, follow_symlinks: bool) -> list[Input]:
    inside = root.resolve()
    found: list[Input] = []
    entered: set[tuple[int, int]] = set()

    def visit(folder: Path, relative: PurePosixPath) -> None:
        try:
            info = folder.stat()
            entries = sorted(folder.iterdir())
        except OSError as error:
            name = relative.as_posix() if relative.parts else inside.name
            found.append(Input(folder, name, _unlistable(name, error)))
            return
        if (info.st_dev, info.st_ino) in entered:  # a link back to a folder already walked
            return
        entered.add((info.st_dev, info.st_ino))
        for entry in entries:
            if entry.name.startswith("."):
                continue
            name = (relative / entry.name).as_posix()
            if entry.is_symlink():
                refused = _link_refused(entry, name, inside, follow_symlinks)
                if refused is not None:
                    # Said only of links that would have been read: not of notes.csv.
                    if refused.code == Code.SYMLINK_LOOP or entry.is_dir() or _named(entry):
                        found.append(Input(entry, name, refused))
                    continue
            if entry.is_dir():
                visit(entry, PurePosixPath(name))
            elif _named(entry):
                found.append(Input(entry, name))

    visit(root, PurePosixPath())
    return found


def _named(path: Path) -> bool:
    """Named like a profile (README files are documentation)."""
    return path.suffix.lower() in FORMATS_BY_SUFFIX and not path.name.lower().startswith("readme")


def _link_refused(link: Path, name: str, inside: Path, follow: bool) -> Issue | None:
    """Why a symlink found in an input folder is not followed, if it is not."""
    try:
        target = link.resolve(strict=True)
    except FileNotFoundError:
        return Issue(
            "read",
            "this is a symbolic link to something that does not exist, so it was not read",
            Location(name),
            "point the link at the profile file, or remove it",
            code=Code.UNREADABLE,
        )
    except (OSError, RuntimeError):  # a loop (Python before 3.13 raises RuntimeError for it)
        return link_loop(name)
    if follow or target.is_relative_to(inside):
        return None
    return Issue(
        "read",
        "this is a symbolic link to a "
        + ("folder" if target.is_dir() else "file")
        + " outside the input folder, so it was not read",
        Location(name),
        "copy the profile into the input folder, give it as an input of its own, or run "
        "with --follow-symlinks if links out of the folder are meant to be followed",
        code=Code.SYMLINK_OUTSIDE_INPUT,
    )


def _unlistable(name: str, error: OSError) -> Issue:
    return Issue(
        "read",
        f"cannot list this folder ({error.strerror or error}), so no file in it was read",
        Location(name),
        "give the pipeline read access to the folder, or move the profiles out of it",
        code=Code.UNREADABLE,
    )


def check_out_outside_inputs(out_dir: Path, inputs: Iterable[Path]) -> None:
    """Refuse an --out that is an input folder or inside one: the output would be read as
    input by the next run, and the swap would replace the inputs."""
    out = out_dir.resolve()
    for path in inputs:
        if path.is_dir() and out.is_relative_to(path.resolve()):
            where = "is" if out == path.resolve() else "is inside"
            raise OutputError(
                f"--out {out_dir} {where} the input folder {path}: choose an output folder "
                "outside the inputs"
            )


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


def run(
    inputs: Sequence[Input | Path],
    settings: Settings,
    progress: Callable[[Path], None] = lambda _path: None,
    say: Callable[[str], None] = lambda _message: None,
) -> RunReport:
    """Extract every input and write the outputs of the good ones to settings.out_dir.

    Nothing is written when no profile is left to publish (unless settings.allow_empty):
    the previous output stays as it was. `say` is told what the user should know while the
    run goes on: once if another run is writing to the same folder and this one waits for
    it, once if the cache folder cannot be written."""
    check_output_dir(settings.out_dir)
    ordered = unique_inputs(inputs)
    results, from_cache = _results(ordered, settings, progress, say)
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
        return RunReport(verdicts, tables, published=False, typed=typed, from_cache=from_cache)
    write_outputs(
        settings.out_dir,
        Outputs(
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
        ),
        settings.wait_for_lock_s,
        say,
    )
    return RunReport(verdicts, tables, typed=typed, from_cache=from_cache)


def _results(
    ordered: Sequence[Input],
    settings: Settings,
    progress: Callable[[Path], None],
    say: Callable[[str], None],
) -> tuple[list[FileResult], int]:
    """Each input's result in order: the refused ones as discovery judged them, the others
    from the cache or else from the executor that settings pick; and how many came from
    the cache."""
    readable = [each for each in ordered if each.refused is None]

    def extract(inputs: Sequence[Input]) -> list[FileResult]:
        if not inputs:  # every file from the cache: no worker is started
            return []
        if settings.limits is None:
            return process_in_process(inputs, progress, settings.layout, settings.max_file_bytes)
        return process_isolated(
            inputs, settings.limits, progress, settings.layout, settings.max_file_bytes
        )

    from_cache = 0
    if settings.cache:
        cache = ResultCache(
            settings.cache_dir, fingerprint(settings.layout, settings.max_file_mb), say
        )
        processed = cache.results(readable, extract, progress)
        from_cache = cache.hits
    else:
        processed = extract(readable)
    results = iter(processed)
    combined = [refused_result(each) if each.refused else next(results) for each in ordered]
    return combined, from_cache


def reject_key_clashes(results: Sequence[FileResult]) -> list[FileResult]:
    """The whole dataset checked before anything is published: a primary key that two
    inputs share rejects both (a key one file repeats was already its own error)."""
    owners: dict[tuple[str, tuple[object, ...]], set[int]] = {}
    for index, result in enumerate(results):
        if result.tables is None:
            continue
        for table, frame in result.tables.items():
            key = list(primary_key(table))
            # Column by column: iterating rows of Arrow-backed strings costs a scalar per cell.
            for row in zip(*(frame[column].tolist() for column in key), strict=True):
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
        clashed = replace(verdict, status="rejected", issues=(*verdict.issues, issue))
        checked.append(replace(result, verdict=clashed, tables=None))
    return checked


def _by_profile(frame: pd.DataFrame) -> pd.DataFrame:
    """Profiles in profile_id order, rows of a profile in document order."""
    if frame.empty:
        return frame
    order = frame["profile_id"].argsort(kind="stable")
    return frame.iloc[order].reset_index(drop=True)
