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

import multiprocessing
import os
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkServerContext, SpawnContext
from pathlib import Path

from pipeline.codes import Code
from pipeline.defaults import JOBS, MAX_MEMORY_MB, TIMEOUT_S
from pipeline.extract import source_format
from pipeline.extract.pdf_model import PdfLayout
from pipeline.model import Issue, Location, Verdict
from pipeline.mp_tempdir import claim_temp_dir
from pipeline.process import (
    MAX_FILE_MB,
    FileResult,
    Input,
    not_read,
    process_bytes,
    process_file,
    read_input,
)

_POLL_SECONDS = 0.05
PAUSE_READING = "ALBATTS_TEST_PAUSE_READING"


@dataclass(frozen=True)
class Limits:
    """Per-file limits; the defaults are far above what a genuine profile needs."""

    timeout_s: float = TIMEOUT_S
    max_memory_mb: int = MAX_MEMORY_MB
    jobs: int = JOBS

    def __post_init__(self) -> None:
        if not self.timeout_s > 0:
            raise ValueError(f"timeout_s must be positive, got {self.timeout_s}")
        if self.max_memory_mb < 64:
            raise ValueError(f"max_memory_mb must be at least 64, got {self.max_memory_mb}")
        if self.jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {self.jobs}")


@dataclass
class _Task:
    index: int
    input: Input
    process: multiprocessing.process.BaseProcess
    deadline: float
    # Sent by the worker once it has read the file, for a verdict if it is stopped later.
    sha256: str | None = None


def _context() -> ForkServerContext | SpawnContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        forkserver = multiprocessing.get_context("forkserver")
        forkserver.set_forkserver_preload(["pipeline.workers", "pipeline.warm"])
        claim_temp_dir()  # where the forkserver's socket goes; killed runs' folders go
        return forkserver
    return multiprocessing.get_context("spawn")


def process_isolated(
    inputs: Sequence[Input | Path],
    limits: Limits,
    progress: Callable[[Path], None] = lambda _path: None,
    layout: PdfLayout | None = None,
    max_bytes: int = MAX_FILE_MB * 1024 * 1024,
) -> list[FileResult]:
    """process_file for every input, each in a worker; results in the order of inputs. The
    PDF layout tolerances travel with each file to its worker, which alone touches the file
    (the parent never opens an input, so no input can block or exhaust it)."""
    context = _context()
    given = [each if isinstance(each, Input) else Input.of(each) for each in inputs]
    pending = deque(enumerate(given))
    running: dict[Connection, _Task] = {}
    results: dict[int, FileResult] = {}
    try:
        while pending or running:
            while pending and len(running) < limits.jobs:
                index, each = pending.popleft()
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(
                    target=_work,
                    args=(str(each.path), each.name, sender, limits, layout, max_bytes),
                    daemon=True,
                )
                process.start()
                sender.close()
                deadline = time.monotonic() + limits.timeout_s
                running[receiver] = _Task(index, each, process, deadline)
            for ready in wait(list(running), timeout=_POLL_SECONDS):
                assert isinstance(ready, Connection)
                task = running[ready]
                result = _receive(ready, task, limits)
                if result is None:  # the file was read; its result comes later
                    continue
                del running[ready]
                results[task.index] = result
                progress(task.input.path)
            for connection, task in list(running.items()):
                verdict = _over_limits(task, limits)
                if verdict is not None:
                    _stop(task.process)
                    del running[connection]
                    connection.close()
                    results[task.index] = FileResult(verdict, None)
                    progress(task.input.path)
    finally:
        for connection, task in running.items():
            _stop(task.process)
            connection.close()
    return [results[index] for index in range(len(given))]


def _work(
    path: str,
    name: str,
    connection: Connection,
    limits: Limits,
    layout: PdfLayout | None = None,
    max_bytes: int = MAX_FILE_MB * 1024 * 1024,
) -> None:
    """Worker entry point: limit memory and CPU time, read the file (its hash goes to the
    parent at once), process it, send the result."""
    _limit_resources(limits)
    try:
        _test_pause(name)
        read = read_input(Path(path), name, max_bytes)
        if isinstance(read, Issue):
            result = not_read(Path(path), name, read)
        else:
            connection.send(("read", read.sha256))
            result = process_bytes(read, Path(path), name, layout=layout)
        over = _peak_rss_bytes(os.getpid()) > limits.max_memory_mb * 1024 * 1024
        message: tuple[str, object] = ("memory", None) if over else ("ok", result)
    except MemoryError:
        message = ("memory", None)
    except Exception:  # a bug, not an input problem: report it with its traceback
        message = ("error", traceback.format_exc())
    try:
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


def _limit_resources(limits: Limits) -> None:
    """Kernel limits as a second line behind the parent's watch: the address space, and
    CPU time, so that a worker orphaned by a killed run cannot spin for ever.

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
    cpu = int(limits.timeout_s) + 10
    for kind, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, cpu)):
        _soft, hard = resource.getrlimit(kind)
        if hard == resource.RLIM_INFINITY or value < hard:
            resource.setrlimit(kind, (value, hard))


def _receive(connection: Connection, task: _Task, limits: Limits) -> FileResult | None:
    """The worker's result, or None when it only said that it has read the file."""
    try:
        kind, payload = connection.recv()
    except (EOFError, OSError):
        kind, payload = "died", None
    if kind == "read":
        task.sha256 = str(payload)
        return None
    connection.close()
    task.process.join(timeout=5)
    if kind == "ok":
        assert isinstance(payload, FileResult)
        return payload
    if kind == "memory":
        return FileResult(_memory_verdict(task, limits), None)
    if kind == "error":
        return FileResult(_internal_error(task.input, str(payload), task.sha256), None)
    return FileResult(_died(task, task.process.exitcode), None)


def _over_limits(task: _Task, limits: Limits) -> Verdict | None:
    if time.monotonic() > task.deadline:
        return _rejected(
            task.input,
            Code.TIMEOUT,
            f"took longer than {limits.timeout_s:g} s to process, so it was stopped",
            "the file may be malformed or hostile; if it is a genuine profile, run again "
            "with a larger --timeout",
            sha256=task.sha256,
        )
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
) -> list[FileResult]:
    """The same work in this process, without limits (--jobs 0, for debugging)."""
    results = []
    for each in inputs:
        each = each if isinstance(each, Input) else Input.of(each)
        try:
            results.append(
                process_file(each.path, layout=layout, name=each.name, max_bytes=max_bytes)
            )
        except Exception:  # a bug, not an input problem: the verdict carries the traceback
            results.append(FileResult(_internal_error(each, traceback.format_exc()), None))
        progress(each.path)
    return results
