"""Each input file in its own worker process, with a time limit and a memory limit.

A file that makes a parser spin or balloon is killed and gets a verdict of its own; the
other files go on. Workers are forked from a clean server process (forkserver) that has
already imported the pipeline, so starting one costs milliseconds, not an import.

The memory verdict does not depend on the machine's speed: the parent's watch samples the
worker's RSS, and the worker itself compares its peak RSS (the kernel's high-water mark, not
a sample) with the same limit before it reports, so a file that went over the limit is
rejected for it even when the parent's sample missed the peak and the parser turned the
MemoryError into an error of its own.

Test hook, for the tests only: when the environment variable ALBATTS_TEST_PAUSE_READING
names a FIFO, the worker given an input of the same file name opens the FIFO just before it
reads the input and waits until the test closes its end: a read that stalls (a file on a
hung network share) exactly there, whatever the machine's speed. Inputs that are FIFOs
themselves are never read, so a test cannot stall a worker with one.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from pipeline.codes import Code
from pipeline.defaults import MAX_FILE_MB, OCR_PAGE_S
from pipeline.extract import source_format
from pipeline.extract.pdf_model import PdfLayout
from pipeline.extract.pdf_ocr import ocr_progress
from pipeline.forkserver import worker_context
from pipeline.formats import HEAVY_FORMATS
from pipeline.inputs import Input
from pipeline.limits import Limits as Limits
from pipeline.model import FileResult, Issue, Location, Verdict
from pipeline.process import (
    Extracted,
    extract_bytes,
    finish_together,
    not_read,
    process_file,
    read_input,
)
from pipeline.shards import ArrowTables
from pipeline.wire import K, Keep, Packed, pack, unpack

Unpacked = tuple[FileResult, ArrowTables | None]

_POLL_SECONDS = 0.05
# Files that share a worker and one contract check (see batches). A contract check costs
# much the same for 32 text profiles as for 256 (a worker took 7.2 ms per seed profile in
# batches of 32, 3.9 in batches of 256). PDF and Word files take a tenth of a second or
# more each (the pdfium reader: 0.1 s for a 6-page profile), a contract check about 60 ms
# a batch: in batches of 16 the check costs a PDF 4 ms instead of 7 in batches of 8 (the
# corpus's 55 PDFs: 4.79 s instead of 4.99), and a batch stopped for a limit re-runs at
# most 16 files of about 0.1 s alone.
MAX_HEAVY_BATCH = 16
MAX_BATCH = 256
# A worker's start and a contract check cost a batch about 85 ms, whatever its size: what
# 40 text profiles take to extract.
MIN_BATCH = 64
PAUSE_READING = "ALBATTS_TEST_PAUSE_READING"


@dataclass
class _Task:
    """A batch of inputs (their positions in the run, and the inputs) in one worker."""

    batch: list[tuple[int, Input]]
    process: multiprocessing.process.BaseProcess
    deadline: float
    # The position in the batch of the file being processed, as the worker last said.
    current: int = 0
    # Sent by the worker once it has read each file, for a verdict if it is stopped later.
    sha256s: dict[int, str] = field(default_factory=dict)
    # Pages of the current file read by OCR so far: each gave it OCR_PAGE_S more time.
    ocr_pages: int = 0
    # When the worker's memory was last read (every message from a worker wakes the run).
    memory_read: float = -math.inf
    # The worker has done its work and is sending the result: its slot is free.
    sending: bool = False

    @property
    def input(self) -> Input:
        return self.batch[self.current][1]

    @property
    def sha256(self) -> str | None:
        return self.sha256s.get(self.current)


def process_isolated(
    inputs: Sequence[Input | Path],
    limits: Limits,
    progress: Callable[[Path], None] = lambda _path: None,
    layout: PdfLayout | None = None,
    max_bytes: int = MAX_FILE_MB * 1024 * 1024,
    *,
    keep: Keep[K],
) -> list[K]:
    """process_file for every input, in workers; results in the order of inputs, each as
    `keep` makes it when it arrives (its tables come as Arrow: see wire.py). The PDF
    layout tolerances travel with each file to its worker, which alone touches the file
    (the parent never opens an input, so no input can block or exhaust it).

    Text files go in batches (see batches): a worker extracts them one by one, each under
    the time limit from its start, and checks their tables together. A batch stopped for a
    limit, or whose worker died, is run again one file per worker, so that only the file
    that caused it gets the verdict."""
    context = worker_context()
    given = [each if isinstance(each, Input) else Input.of(each) for each in inputs]
    pending = deque(batches(given, limits.jobs))
    running: dict[Connection, _Task] = {}
    results: dict[int, K] = {}

    def settle(task: _Task, outcome: list[Unpacked] | Verdict) -> None:
        if isinstance(outcome, Verdict) and len(task.batch) > 1:
            pending.extendleft([each] for each in reversed(task.batch))
            return
        done = outcome if isinstance(outcome, list) else [(FileResult(outcome, None), None)]
        for (index, each), (result, arrow) in zip(task.batch, done, strict=True):
            results[index] = keep(each, result, arrow)
            progress(each.path)

    def start_more() -> None:
        while pending and sum(not task.sending for task in running.values()) < limits.jobs:
            batch = pending.popleft()
            receiver, sender = context.Pipe(duplex=False)
            files = [(str(each.path), each.name) for _index, each in batch]
            process = context.Process(
                target=_work, args=(files, sender, limits, layout, max_bytes), daemon=True
            )
            process.start()
            sender.close()
            running[receiver] = _Task(batch, process, time.monotonic() + limits.timeout_s)

    try:
        while pending or running:
            start_more()
            arrived: list[tuple[_Task, list[Unpacked] | Verdict]] = []
            for ready in wait(list(running), timeout=_POLL_SECONDS):
                assert isinstance(ready, Connection)
                task = running[ready]
                outcome = _receive(ready, task, limits)
                if outcome is None:  # the worker said how far it is; its results come later
                    continue
                del running[ready]
                arrived.append((task, outcome))
            # The next batches start before these results are stored: no worker waits for
            # the parent.
            start_more()
            for task, outcome in arrived:
                settle(task, outcome)
            for connection, task in list(running.items()):
                verdict = _over_limits(task, limits)
                if verdict is not None:
                    _stop(task.process)
                    del running[connection]
                    connection.close()
                    settle(task, verdict)
    finally:
        for connection, task in running.items():
            _stop(task.process)
            connection.close()
    return [results[index] for index in range(len(given))]


def batches(inputs: Sequence[Input], jobs: int) -> list[list[tuple[int, Input]]]:
    """The inputs (with their positions) in the groups one worker processes at once. Text
    and Markdown files (milliseconds each) go in batches of a share of what is left per
    worker, at most MAX_BATCH and at least MIN_BATCH: the batches shrink towards the end,
    so that the last results, which the run stores while no worker has anything left to
    do, are few. PDF and Word files (a tenth of a second or more each, whose own contract
    check would cost half of that) go in even batches of up to MAX_HEAVY_BATCH, small
    enough that every worker gets several."""
    groups: list[list[tuple[int, Input]]] = []
    light = [(i, each) for i, each in enumerate(inputs) if not _heavy(each)]
    start = 0
    while start < len(light):
        left = len(light) - start
        size = min(left, max(MIN_BATCH, min(MAX_BATCH, math.ceil(left / (jobs * 2)))))
        groups.append(light[start : start + size])
        start += size
    heavy = [(i, each) for i, each in enumerate(inputs) if _heavy(each)]
    size = max(1, min(MAX_HEAVY_BATCH, math.ceil(len(heavy) / (jobs * 4))))
    groups += [heavy[start : start + size] for start in range(0, len(heavy), size)]
    return sorted(groups, key=lambda group: group[0][0])


def _heavy(each: Input) -> bool:
    return source_format(each.path) in HEAVY_FORMATS


def _work(
    files: Sequence[tuple[str, str]],
    connection: Connection,
    limits: Limits,
    layout: PdfLayout | None = None,
    max_bytes: int = MAX_FILE_MB * 1024 * 1024,
) -> None:
    """Worker entry point: limit memory and CPU time; for each (path, name), say that it
    starts, read the file (its hash goes to the parent at once) and extract it; check the
    tables of them all; send the results."""
    _limit_resources(limits, len(files))
    try:
        extracted: list[FileResult | Extracted] = []
        for position, (path, name) in enumerate(files):
            connection.send(("start", position))
            _test_pause(name)
            read = read_input(Path(path), name, max_bytes)
            if isinstance(read, Issue):
                extracted.append(not_read(Path(path), name, read))
                continue
            connection.send(("read", read.sha256))
            with ocr_progress(lambda page: connection.send(("ocr", page))):
                extracted.append(extract_bytes(read, Path(path), name, layout=layout))
        if len(files) > 1:
            connection.send(("finishing", None))
        finished = finish_together(extracted)
        over = _peak_rss_bytes(os.getpid()) > limits.max_memory_mb * 1024 * 1024
        message: tuple[str, object] = ("memory", None) if over else ("ok", pack(finished))
    except MemoryError:
        message = ("memory", None)
    except Exception:  # a bug, not an input problem: report it with its traceback
        message = ("error", traceback.format_exc())
    try:
        # The run starts the next worker while this one's result crosses.
        connection.send(("sending", None))
        connection.send(message)
    except MemoryError:
        connection.send(("memory", None))
    except BrokenPipeError:  # the run was killed: nobody waits for this result any more
        pass
    finally:
        connection.close()


def _test_pause(name: str) -> None:
    """The test hook (see the module docstring)."""
    fifo = os.environ.get(PAUSE_READING)
    if fifo and Path(fifo).name == Path(name).name:
        with Path(fifo).open("rb") as pause:
            pause.read()


def _limit_resources(limits: Limits, files: int) -> None:
    """Kernel limits as a second line behind the parent's watch: the address space, and
    CPU time, so that a worker orphaned by a killed run cannot spin for ever.

    The CPU time is that of the whole batch (_batch_cpu_seconds): a limit of one file's time
    would kill a worker whose files each keep within theirs, and the file it was at would
    be told it crashed the parser.

    The address space may grow by twice the memory limit: a file that balloons then goes
    over the limit (which counts RSS) before an allocation fails, so its verdict is the
    memory verdict even when the parser catches the MemoryError and reports it as its own
    failure.
    """
    try:
        import resource
    except ImportError:  # not on POSIX: the parent's watch still applies
        return
    memory = _vm_size_bytes(os.getpid()) + 2 * limits.max_memory_mb * 1024 * 1024
    cpu = _batch_cpu_seconds(limits, files)
    for kind, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, cpu)):
        _soft, hard = resource.getrlimit(kind)
        if hard == resource.RLIM_INFINITY or value < hard:
            resource.setrlimit(kind, (value, hard))


def _batch_cpu_seconds(limits: Limits, files: int) -> int:
    """The CPU time a worker may use: what the parent's watch gives each of its files and
    the batch's check (timeout_s of wall-clock time each), and a margin."""
    return math.ceil(limits.timeout_s) * (files + 1) + 10


def _receive(
    connection: Connection, task: _Task, limits: Limits
) -> list[Unpacked] | Verdict | None:
    """The worker's results, or the verdict on the file it was at when it failed; None when
    it only said how far it is."""
    try:
        kind, payload = connection.recv()
    except (EOFError, OSError):
        kind, payload = "died", None
    if kind == "start":
        task.current = int(str(payload))
        task.deadline = time.monotonic() + limits.timeout_s
        task.ocr_pages = 0
        return None
    if kind == "ocr":  # a scanned page: OCR takes seconds where a text layer takes ms
        task.deadline += OCR_PAGE_S
        task.ocr_pages += 1
        return None
    if kind == "read":
        task.sha256s[task.current] = str(payload)
        return None
    if kind == "finishing":  # the batch's own time to check its tables together
        task.deadline = time.monotonic() + limits.timeout_s
        return None
    if kind == "sending":
        task.sending = True
        return None
    connection.close()
    task.process.join(timeout=5)
    if kind == "ok":
        assert isinstance(payload, Packed)
        return unpack(payload)
    if kind == "memory":
        return _memory_verdict(task, limits)
    if kind == "error":
        return _internal_error(task.input, str(payload), task.sha256)
    return _died(task, task.process.exitcode)


def _over_limits(task: _Task, limits: Limits) -> Verdict | None:
    now = time.monotonic()
    if now > task.deadline:
        return _rejected(
            task.input,
            Code.TIMEOUT,
            f"took longer than {limits.timeout_s:g} s to process"
            + (
                f" (and {OCR_PAGE_S:g} s for each of its {task.ocr_pages} page(s) read by OCR)"
                if task.ocr_pages
                else ""
            )
            + ", so it was stopped",
            "the file may be malformed or hostile; if it is a genuine profile, run again "
            "with a larger --timeout",
            sha256=task.sha256,
        )
    if now < task.memory_read + _POLL_SECONDS:
        return None
    task.memory_read = now
    pid = task.process.pid
    if pid is not None and _rss_bytes(pid) > limits.max_memory_mb * 1024 * 1024:
        return _memory_verdict(task, limits)
    return None


def _memory_verdict(task: _Task, limits: Limits) -> Verdict:
    return _rejected(
        task.input,
        Code.MEMORY_LIMIT,
        f"used more than {limits.max_memory_mb} MB while processing, so it was stopped",
        "the file may be malformed or hostile (e.g. a compression bomb); if it is a genuine "
        "profile, run again with a larger --max-memory",
        sha256=task.sha256,
    )


def _internal_error(each: Input, trace: str, sha256: str | None = None) -> Verdict:
    last = trace.strip().splitlines()[-1] if trace.strip() else "unknown error"
    return _rejected(
        each,
        Code.INTERNAL_ERROR,
        f"internal error while processing this file ({last})",
        "this is a bug in the pipeline: run with --debug and report the traceback",
        debug=trace,
        sha256=sha256,
    )


def _died(task: _Task, exitcode: int | None) -> Verdict:
    how = f"signal {-exitcode}" if exitcode is not None and exitcode < 0 else f"exit {exitcode}"
    return _rejected(
        task.input,
        Code.WORKER_DIED,
        f"the worker processing this file died ({how})",
        "the parser may have crashed on a malformed file, or the machine ran out of memory",
        sha256=task.sha256,
    )


def _rejected(
    each: Input,
    code: Code,
    message: str,
    hint: str,
    debug: str | None = None,
    sha256: str | None = None,
) -> Verdict:
    """A verdict from the parent, which never reads the file: its hash is the one the worker
    sent, if it got that far."""
    issue = Issue("extract", message, Location(each.name), hint, debug=debug, code=code)
    return Verdict(each.name, sha256, source_format(each.path), "rejected", None, (issue,))


def _stop(process: multiprocessing.process.BaseProcess) -> None:
    if process.is_alive():
        process.kill()
    process.join(timeout=5)


def _status_kb(pid: int, field: str) -> int:
    try:
        with Path(f"/proc/{pid}/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _vm_size_bytes(pid: int) -> int:
    return _status_kb(pid, "VmSize:") * 1024


def _rss_bytes(pid: int) -> int:
    return _status_kb(pid, "VmRSS:") * 1024


def _peak_rss_bytes(pid: int) -> int:
    return _status_kb(pid, "VmHWM:") * 1024


def process_in_process(
    inputs: Iterable[Input | Path],
    progress: Callable[[Path], None] = lambda _path: None,
    layout: PdfLayout | None = None,
    max_bytes: int = MAX_FILE_MB * 1024 * 1024,
    *,
    keep: Keep[K],
) -> list[K]:
    """The same work in this process, without limits (--jobs 0, for debugging)."""
    results = []
    for each in inputs:
        each = each if isinstance(each, Input) else Input.of(each)
        try:
            result = process_file(each.path, layout=layout, name=each.name, max_bytes=max_bytes)
        except Exception:  # a bug, not an input problem: the verdict carries the traceback
            result = FileResult(_internal_error(each, traceback.format_exc()), None)
        results.append(keep(each, result, None))
        progress(each.path)
    return results
