"""The only writer: tables as Parquet/CSV/JSON, per-profile JSON, manifest, descriptors.

Everything is written into a staging folder beside --out and swapped in only when complete,
so a failed or interrupted run leaves the previous outputs as they were.

Test hooks, for tests/test_interrupt.py only: when the environment variable
ALBATTS_TEST_PAUSE_BEFORE_SWAP (staging complete, nothing swapped yet) or
ALBATTS_TEST_PAUSE_MID_SWAP (between the two renames, Ctrl-C and SIGTERM deferred) names a
FIFO, the run opens it at that point, which tells the test it is there, and waits until the
test closes its end; so the test kills the run exactly there, not when it hopes to catch
it. Unset (always, outside the tests), each costs one environment lookup.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import pandas as pd
import pyarrow as pa

from pipeline import __version__
from pipeline.contract.tables import SCHEMA_VERSION, TABLES, primary_key
from pipeline.contract.vocabulary import vocabulary_hashes
from pipeline.describe import data_dictionary, datapackage
from pipeline.disk import cannot_write
from pipeline.encoded import Parts, json_bytes
from pipeline.lock import WAIT_FOR_LOCK_S, output_lock
from pipeline.model import Issue, PagePicture, Verdict, printable_name
from pipeline.out_dir import GENERATOR, MANIFEST, check_output_dir
from pipeline.report import (
    DETAILED_PROFILES,
    REPORT,
    ReportInputs,
    ReportProfiles,
    report_pieces,
)
from pipeline.shards import ArrowTables, empty_tables, frames_to_arrow, remove_abandoned
from pipeline.table_sinks import TableSinks

T = TypeVar("T")
_STAGING = ".staging-"
_PREVIOUS = ".previous-"
# What follows either in a name a run gives: mkdtemp's letters, or a pid.
_TOKEN = re.compile(r"[A-Za-z0-9_]+")
PAUSE_BEFORE_SWAP = "ALBATTS_TEST_PAUSE_BEFORE_SWAP"
PAUSE_MID_SWAP = "ALBATTS_TEST_PAUSE_MID_SWAP"


@dataclass(frozen=True)
class Outputs:
    # The published tables in profile_id order, a chunk at a time (read once, as written),
    # as the shards hold them (shards.shard_schema).
    chunks: Iterable[ArrowTables]
    # Rows per table of all the chunks.
    rows: Mapping[str, int]
    verdicts: Sequence[Verdict]
    formats: Sequence[str]
    # The options that shape the tables (never the machine's: no jobs, no paths).
    options: Mapping[str, Any] = field(default_factory=dict)
    # Pictures of the PDF pages where problems are, by published source_file.
    pictures: Mapping[str, Sequence[PagePicture]] = field(default_factory=dict)
    # The published profiles' shares of the CSV and JSON tables, in profile_id order (read
    # once, as written), and the folder of their JSON documents (moved into the output).
    parts: Iterable[Parts] = ()
    documents: Path | None = None


def recover_interrupted(out_dir: Path) -> None:
    """Undo what an interrupted run left beside out_dir: staging litter, a half swap."""
    if not out_dir.parent.is_dir():
        return
    previous = _left_beside(out_dir, _PREVIOUS)
    if previous and not out_dir.exists():
        previous[-1].rename(out_dir)
        previous = previous[:-1]
    for leftover in [*_left_beside(out_dir, _STAGING), *previous]:
        shutil.rmtree(leftover, ignore_errors=True)
    remove_abandoned(out_dir)


def _left_beside(out_dir: Path, kind: str) -> list[Path]:
    """The folders a run on out_dir names `.<name><kind><token>`, matched as text: the name
    is no pattern (`--out 'o*'` is not `out`), and a neighbour called `out.staging-x` has
    folders of its own that do not match."""
    prefix = f".{out_dir.name}{kind}"
    return sorted(
        entry
        for entry in out_dir.parent.iterdir()
        if entry.name.startswith(prefix) and _TOKEN.fullmatch(entry.name[len(prefix) :])
    )


def write_outputs(
    out_dir: Path,
    outputs: Outputs,
    wait_for_lock_s: float = WAIT_FOR_LOCK_S,
    waiting: Callable[[str], None] = lambda _message: None,
    swapped: Callable[[], None] = lambda: None,
) -> None:
    """Build the outputs beside out_dir and swap them in, one run at a time (the others
    wait up to wait_for_lock_s); `swapped` is called once they are in, while no other run
    can replace them. A symlinked out_dir is followed: the output is built and swapped
    beside its target, and the link stays a link to it. A folder or disk that refuses a
    write (no permission, read-only, full) is a StewardError, and the previous output stays
    as it was."""
    target = out_dir.resolve()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with output_lock(target, wait_for_lock_s, waiting):
            check_output_dir(target)
            recover_interrupted(target)
            _write_staged(target, outputs)
            swapped()
    except OSError as error:
        raise cannot_write(error, out_dir) from error


def _write_staged(out_dir: Path, outputs: Outputs) -> None:
    with _staged(out_dir) as staging:
        sinks = TableSinks(staging, outputs.formats, arrow_schema)
        shown = ReportProfiles(DETAILED_PROFILES)
        try:
            for chunk in _at_least_one(outputs.chunks):
                sinks.write(chunk)
                shown.add_arrow(chunk)
            for parts in outputs.parts:
                sinks.add(parts)
        finally:
            sinks.close()
        if "json" in outputs.formats:
            profiles = staging / "json" / "profiles"
            if outputs.documents is None:
                profiles.mkdir()
            else:
                outputs.documents.rename(profiles)
        write_json_ending_in_list(
            {}, "issues", validation_issues(outputs), staging / "validation.json"
        )
        head = manifest_head(outputs)
        inputs = ReportInputs()
        write_json_ending_in_list(
            head, "inputs", _told(manifest_entries(outputs), inputs.add), staging / MANIFEST
        )
        pieces = report_pieces(head, shown.detailed, shown.listed, outputs.pictures, inputs)
        with open_output(staging / REPORT) as report:
            for piece in pieces:
                report.write(piece.encode("utf-8"))
        write_json(datapackage(outputs.formats), staging / "datapackage.json")
        write_text(data_dictionary(), staging / "DATA.md")


def _told(items: Iterable[T], told: Callable[[T], None]) -> Iterator[T]:
    for item in items:
        told(item)
        yield item


def _at_least_one(chunks: Iterable[ArrowTables]) -> Iterator[ArrowTables]:
    """The chunks; one of empty tables when there is none (every file has its header)."""
    empty = True
    for chunk in chunks:
        empty = False
        yield chunk
    if empty:
        yield frames_to_arrow(empty_tables())


def arrow_schema(frame: pd.DataFrame, table: str) -> pa.Schema:
    """Plain Arrow types for downstream readers (string, int64, ordered dictionary); the
    columns the contract requires (keys among them) are non-null; the file says which
    pipeline and contract version wrote it."""
    required = {
        name for name, column in TABLES[table].to_schema().columns.items() if not column.nullable
    }
    fields = []
    for name, dtype in frame.dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype):
            arrow_type: pa.DataType = pa.dictionary(pa.int32(), pa.string(), ordered=dtype.ordered)
        elif pd.api.types.is_integer_dtype(dtype):
            arrow_type = pa.int64()
        else:
            arrow_type = pa.string()
        fields.append(pa.field(str(name), arrow_type, nullable=str(name) not in required))
    metadata = {
        "albatts.generator": GENERATOR,
        "albatts.pipeline_version": __version__,
        "albatts.schema_version": SCHEMA_VERSION,
        "albatts.table": table,
        "albatts.primary_key": ",".join(primary_key(table)),
    }
    return pa.schema(fields, metadata=metadata)


def write_json(data: Any, path: Path) -> None:
    write_bytes(json_bytes(data), path)


def write_text(text: str, path: Path) -> None:
    write_bytes(text.encode("utf-8"), path)


def write_bytes(data: bytes, path: Path) -> None:
    with open_output(path) as file:
        file.write(data)


def open_output(path: Path) -> BinaryIO:
    """Every JSON, HTML and Markdown output beside the tables is opened here, whether it is
    written whole or an item at a time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("wb")


def issue_to_json(issue: Issue) -> dict[str, Any]:
    # Every text may name a file, and a file name may not be UTF-8 (see printable_name).
    location = {
        k: printable_name(v) if isinstance(v, str) else v
        for k, v in vars(issue.location).items()
        if v is not None
    }
    return {
        "code": str(issue.code),
        "message": printable_name(issue.message),
        "location": location,
        "stage": issue.stage,
        "hint": printable_name(issue.hint),
        "text": printable_name(str(issue)),
    }


def validation_report(outputs: Outputs) -> dict[str, Any]:
    """Every error and warning of the run, one record each, in input order."""
    return {"issues": list(validation_issues(outputs))}


def validation_issues(outputs: Outputs) -> Iterator[dict[str, Any]]:
    for verdict in outputs.verdicts:
        for issue in verdict.issues:
            yield {
                "source_file": printable_name(verdict.source_file),
                "status": verdict.status,
                "severity": issue.severity,
                **issue_to_json(issue),
            }


def manifest(outputs: Outputs) -> dict[str, Any]:
    return {**manifest_head(outputs), "inputs": list(manifest_entries(outputs))}


def manifest_head(outputs: Outputs) -> dict[str, Any]:
    """The manifest but its last key, "inputs" (manifest_entries)."""
    return {
        "generator": GENERATOR,
        "pipeline_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "options": dict(outputs.options),
        "vocabularies": vocabulary_hashes(),
        "tables": {name: outputs.rows.get(name, 0) for name in TABLES},
    }


def manifest_entries(outputs: Outputs) -> Iterator[dict[str, Any]]:
    for verdict in outputs.verdicts:
        yield {
            "source_file": printable_name(verdict.source_file),
            "sha256": verdict.sha256,
            "source_format": verdict.source_format,
            "status": verdict.status,
            "profile_id": verdict.profile_id,
            "errors": [issue_to_json(issue) for issue in verdict.errors],
            "warnings": [issue_to_json(issue) for issue in verdict.warnings],
        }


def write_json_ending_in_list(
    head: Mapping[str, Any], key: str, items: Iterable[Any], path: Path
) -> None:
    """json_bytes({**head, key: list(items)}) written an item at a time: the list is the
    last value, its items two levels deep (four spaces in front of each line)."""
    text = json_bytes({**head, key: []})
    ending = b"[]\n}\n"
    assert text.endswith(ending)
    with open_output(path) as file:
        file.write(text[: -len(ending)])
        separator = b"[\n"
        for item in items:
            lines = json_bytes(item).rstrip(b"\n").split(b"\n")
            file.write(separator + b"\n".join(b"    " + line for line in lines))
            separator = b",\n"
        file.write(b"[]\n}\n" if separator == b"[\n" else b"\n  ]\n}\n")


@contextmanager
def _staged(out_dir: Path) -> Iterator[Path]:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}{_STAGING}", dir=out_dir.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; outputs are for everyone
    try:
        yield staging
        _swap(staging, out_dir)
    except BaseException:  # a done swap moved staging away; an undone one put it back
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, out_dir: Path) -> None:
    """Two renames that Ctrl-C and SIGTERM cannot split: one that arrives meanwhile undoes
    them and then interrupts the run, so the previous output stays as it was.

    Only a hard kill can split them; the next run then finds the previous output aside and
    restores it (recover_interrupted).
    """
    _test_pause(PAUSE_BEFORE_SWAP)
    previous = out_dir.parent / f".{out_dir.name}{_PREVIOUS}{os.getpid()}"
    with _signals_deferred() as interrupted:
        if out_dir.exists():
            out_dir.rename(previous)
        _test_pause(PAUSE_MID_SWAP)
        try:
            staging.rename(out_dir)
        except OSError:  # refused: the previous output goes back before the error is told
            if previous.exists():
                previous.rename(out_dir)
            raise
        if interrupted():
            out_dir.rename(staging)
            if previous.exists():
                previous.rename(out_dir)
    shutil.rmtree(previous, ignore_errors=True)


def _test_pause(variable: str) -> None:
    """The test hook (see the module docstring): wait on the FIFO that `variable` names."""
    fifo = os.environ.get(variable)
    if fifo:
        with Path(fifo).open("rb") as pause:
            pause.read()


@contextmanager
def _signals_deferred() -> Iterator[Callable[[], bool]]:
    """Ctrl-C and SIGTERM are noted and only acted on when the block ends.

    Not a signal mask: Python runs its handlers in the main thread whichever thread the
    kernel delivers a signal to, and pyarrow's threads do not mask anything.
    """
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False  # Python runs signal handlers in the main thread, not in this one
        return
    received: list[int] = []
    handlers = {
        sig: signal.signal(sig, lambda signum, _frame: received.append(signum))
        for sig in (signal.SIGINT, signal.SIGTERM)
        if signal.getsignal(sig) is not signal.SIG_IGN  # an ignored signal stays ignored
    }
    try:
        yield lambda: bool(received)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        if received:
            signal.raise_signal(received[0])  # handled now, as it would have been
