"""Files extracted one by one and finished together (tables built and checked against the
contract once per batch) give each the verdict and tables it gives alone."""

from __future__ import annotations

import hashlib
import importlib
import multiprocessing
import resource
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from pathlib import Path

import pandas as pd
import pytest

from pipeline import workers
from pipeline.contract.tables import TABLES
from pipeline.forkserver import worker_context
from pipeline.inputs import Input
from pipeline.limits import Limits
from pipeline.model import FileResult, Issue
from pipeline.process import (
    Extracted,
    FileBytes,
    extract_bytes,
    finish,
    finish_together,
    process_bytes,
)
from pipeline.shards import frames_to_arrow
from pipeline.stages.tables import profile_tables, records_to_batch
from pipeline.validate import contract_issues, validate_tables
from pipeline.wire import pack, unpack
from tests.conftest import AUTHORED, SEED
from tests.hostile import seed_text

# Good files, and files whose tables break the contract in different ways: a value not
# in a vocabulary, a bad pattern, a value missing from an integer column (which makes the
# whole batch's column nullable), a duplicate key within a file, and two files that give
# the same profile (keys repeated across files, which is not an error of either file).
FILES: dict[str, bytes] = {
    "seed.txt": SEED.read_bytes(),
    **{path.name: path.read_bytes() for path in sorted(AUTHORED.glob("*.txt"))},
    "bad-level.txt": seed_text("Level Typo", {"\tExpert\tC/C++": "\tExpret\tC/C++"}).encode(),
    "bad-code.txt": seed_text("Code Typo", {"2151.1\t": "21x1.1\t"}).encode(),
    "bad-type.txt": seed_text("Type Typo", {"C/C++\tK\t": "C/C++\tX\t"}).encode(),
    "no-eqf.txt": seed_text("No Eqf", {"Minimum EQF\t6/7/8": "Minimum EQF\t"}).encode(),
    "twice-a.txt": seed_text("Twice").encode(),
    "twice-b.txt": seed_text("Twice").encode(),
    "repeated-skill.txt": seed_text(
        "Repeated Skill", {"\tExpert\tC/C++": "\tExpert\tC/C++\nC/C++\tK\tx\tExpert\tC/C++"}
    ).encode(),
    "not-a-profile.txt": b"Dear colleague,\n\nplease find attached...\n",
    "empty.txt": b"",
}


def read(name: str) -> FileBytes:
    data = FILES[name]
    return FileBytes(data, hashlib.sha256(data).hexdigest())


def assert_same(together: FileResult, alone: FileResult) -> None:
    assert together.verdict == alone.verdict
    assert together.pictures == alone.pictures
    assert (together.tables is None) == (alone.tables is None)
    if together.tables is None or alone.tables is None:
        return
    assert list(together.tables) == list(alone.tables)
    for name, frame in together.tables.items():
        pd.testing.assert_frame_equal(frame, alone.tables[name], check_exact=True)
        assert frame.index.equals(pd.RangeIndex(len(frame)))


def test_a_batch_gives_each_file_what_it_gives_alone() -> None:
    names = list(FILES)
    extracted = [extract_bytes(read(name), Path(name), name) for name in names]
    assert sum(isinstance(each, Extracted) for each in extracted) >= 10
    together = finish(extracted)
    alone = [process_bytes(read(name), Path(name), name) for name in names]
    for name, batched, single in zip(names, together, alone, strict=True):
        assert_same(batched, single), name
    verdicts = {name: result.verdict for name, result in zip(names, together, strict=True)}
    # The batch did meet every kind of file: some ok, each broken one rejected for itself.
    assert verdicts["seed.txt"].status == "ok"
    assert verdicts["twice-a.txt"].status == verdicts["twice-b.txt"].status == "ok"
    for broken in ("bad-level.txt", "bad-code.txt", "bad-type.txt"):
        assert verdicts[broken].status == "rejected", broken
        assert all(issue.location.file == broken for issue in verdicts[broken].errors)


@pytest.mark.parametrize("name", ["bad-level.txt", "no-eqf.txt", "repeated-skill.txt"])
def test_one_broken_file_does_not_change_the_others(name: str) -> None:
    names = ["seed.txt", name, "twice-a.txt"]
    together = finish([extract_bytes(read(each), Path(each), each) for each in names])
    for each, result in zip(names, together, strict=True):
        assert_same(result, process_bytes(read(each), Path(each), each))


def test_a_worker_sends_each_file_its_own_rows() -> None:
    """The tables of a batch go to the run converted to Arrow at once (wire.pack); cut back
    into files, each file's rows are those of its own tables, rejected files have none."""
    names = list(FILES)
    finished = finish_together([extract_bytes(read(name), Path(name), name) for name in names])
    sent = unpack(pack(finished))
    own = finished.cut()
    assert sum(result.tables is not None for result in own) >= 5
    for name, (result, arrow), alone in zip(names, sent, own, strict=True):
        assert result.verdict == alone.verdict, name
        assert result.tables is None
        assert (arrow is None) == (alone.tables is None), name
        if arrow is None or alone.tables is None:
            continue
        expected = frames_to_arrow(alone.tables)
        for table in TABLES:
            assert arrow[table].equals(expected[table]), (name, table)
            assert arrow[table].num_rows == len(alone.tables[table])


def test_the_warm_up_profile_takes_every_step_a_workers_profile_takes() -> None:
    """The forkserver warms its workers up with a tiny profile (pipeline.warm): it must be
    an ok profile with a row in every table, or the warm-up would leave the contract
    check's success path or Arrow's conversion of some table to each worker."""
    from pipeline.warm import warm_up

    [(result, arrow)] = unpack(warm_up())
    assert result.verdict.status == "ok" and not result.verdict.issues
    assert arrow is not None
    assert {table: arrow[table].num_rows for table in TABLES} == dict.fromkeys(TABLES, 1)


def _importable_in_a_worker(names: tuple[str, ...], connection: Connection) -> None:
    found = {}
    for name in names:
        try:
            importlib.import_module(name)
            found[name] = True
        except ImportError:
            found[name] = False
    connection.send(found)


def test_the_workers_server_keeps_out_what_no_worker_uses() -> None:
    """hypothesis, which pandera loads whenever it is installed, is not loaded by the
    workers' server (a tenth of a second of every run's start); what workers use is."""
    context = worker_context(documents=False)
    if not isinstance(context, ForkServerContext):
        pytest.skip("no forkserver on this platform: each worker starts afresh")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(
        target=_importable_in_a_worker, args=(("hypothesis", "pandera", "pyarrow"), sender)
    )
    worker.start()
    sender.close()
    assert receiver.recv() == {"hypothesis": False, "pandera": True, "pyarrow": True}
    worker.join()


def test_a_batch_keeps_the_rows_of_the_profiles_chosen() -> None:
    names = ["seed.txt", "twice-a.txt", "bad-level.txt"]
    extracted = [extract_bytes(read(name), Path(name), name) for name in names]
    records = [each.records for each in extracted if isinstance(each, Extracted)]
    batch = records_to_batch(records)
    assert batch.select([0, 1, 2]) is batch
    chosen = batch.select([0, 2])
    for table in TABLES:
        expected = pd.concat(
            [profile_tables(batch, 0)[table], profile_tables(batch, 2)[table]], ignore_index=True
        )
        assert chosen.sizes[table] == [batch.sizes[table][0], batch.sizes[table][2]]
        pd.testing.assert_frame_equal(
            chosen.frames[table], expected, check_dtype=False, check_exact=True
        )


def test_only_files_that_fail_are_checked_again_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two files of one profile repeat each other's keys in the batch, which is no failure
    of either: neither is checked again alone. A key repeated within one file is."""
    checked_alone: list[str] = []

    def spy(tables: dict[str, pd.DataFrame], file: str) -> list[Issue]:
        checked_alone.append(file)
        return validate_tables(tables, file)

    monkeypatch.setattr("pipeline.validate.validate_tables", spy)
    seed = extract_bytes(read("seed.txt"), Path("seed.txt"), "seed.txt")
    assert isinstance(seed, Extracted) and seed.records["departments"]
    repeated = {**seed.records, "departments": [*seed.records["departments"]] * 2}
    files = ["a.txt", "b.txt", "repeated.txt"]
    issues = contract_issues(records_to_batch([seed.records, seed.records, repeated]), files)
    assert checked_alone == ["repeated.txt"]
    assert issues[:2] == [[], []]
    assert issues[2] and all(issue.location.table == "departments" for issue in issues[2])
    assert issues[2] == validate_tables(
        profile_tables(records_to_batch([repeated]), 0), "repeated.txt"
    )


@pytest.mark.parametrize(("count", "jobs"), [(1, 1), (10, 2), (100, 2), (1000, 1), (1000, 2)])
def test_text_batches_shrink_towards_the_end_and_pdf_batches_stay_even(
    count: int, jobs: int
) -> None:
    """Text files in batches of a share of what is left (the last results, stored after the
    workers are done, are few), never above MAX_BATCH nor below MIN_BATCH but the last;
    PDFs evenly; every input once, in order within its kind."""
    texts = [Input.of(Path(f"/in/{number:05d}.txt")) for number in range(count)]
    pdfs = [Input.of(Path(f"/in/{number:05d}.pdf")) for number in range(count, count + 20)]
    groups = workers.batches([*texts, *pdfs], jobs)
    light = [[each for _, each in group] for group in groups if group[0][1] in texts]
    heavy = [[each for _, each in group] for group in groups if group[0][1] in pdfs]
    assert [each for group in light for each in group] == texts
    assert [each for group in heavy for each in group] == pdfs
    sizes = [len(group) for group in light]
    assert sizes == sorted(sizes, reverse=True)
    assert all(workers.MIN_BATCH <= size <= workers.MAX_BATCH for size in sizes[:-1])
    if count >= 1000:
        assert sizes[-1] < sizes[0] / 2  # the end of a run is stored in little time
    assert len({len(group) for group in heavy[:-1]}) <= 1
    assert max(len(group) for group in heavy) <= workers.MAX_HEAVY_BATCH


def _cpu_limit_in_a_worker(files: int, connection: Connection) -> None:
    workers._limit_resources(Limits(timeout_s=30), files)
    connection.send(resource.getrlimit(resource.RLIMIT_CPU)[0])


@pytest.mark.parametrize("files", [1, 8, 256])
def test_a_workers_cpu_limit_leaves_every_file_of_its_batch_its_time(files: int) -> None:
    """The kernel's CPU limit on a worker is a backstop behind the parent's watch, which
    gives each file of the batch, and the batch's check, the time limit: a worker whose
    files each keep within it is never killed (the file it was at would be told it crashed
    the parser)."""
    if resource.getrlimit(resource.RLIMIT_CPU)[1] != resource.RLIM_INFINITY:
        pytest.skip("this machine caps CPU time below what a worker would be given")
    receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
    worker = multiprocessing.get_context("fork").Process(
        target=_cpu_limit_in_a_worker, args=(files, sender)
    )
    worker.start()
    sender.close()  # a worker that fails closes the pipe: recv raises instead of waiting
    limit = receiver.recv()
    worker.join()
    assert limit >= 30 * (files + 1)


def test_the_next_worker_starts_while_a_result_crosses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker says when its work is done: with one worker at a time, the next batch's
    worker starts then, before the result has crossed, and no sooner (so no two compute
    at once); every file still gets its verdict."""
    for number in range(4):
        (tmp_path / f"{number}.txt").write_bytes(FILES["seed.txt"])
    monkeypatch.setattr(workers, "MIN_BATCH", 1)
    monkeypatch.setattr(workers, "MAX_BATCH", 2)  # batches of 2, 1 and 1
    events: list[str] = []
    receive, start = workers._receive, multiprocessing.process.BaseProcess.start

    def logged_receive(connection: Connection, task: workers._Task, limits: Limits) -> object:
        outcome = receive(connection, task, limits)
        events.append("sending" if task.sending and outcome is None else "")
        if outcome is not None:
            events.append("result")
        return outcome

    def logged_start(process: multiprocessing.process.BaseProcess) -> None:
        events.append("start")
        start(process)

    monkeypatch.setattr(workers, "_receive", logged_receive)
    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", logged_start)
    inputs = sorted(tmp_path.iterdir())
    verdicts = workers.process_isolated(
        inputs, Limits(jobs=1), keep=lambda _each, result, _arrow: result.verdict
    )
    assert [verdict.status for verdict in verdicts] == ["ok"] * 4
    # Each result is announced once: a worker starts after that, never two while computing.
    shown = [event for event in events if event in ("start", "result")]
    announced = [event for event in events if event]
    assert shown == ["start", "start", "result", "start", "result", "result"]
    assert announced[:3] == ["start", "sending", "start"]
    assert announced.count("sending") == 3
