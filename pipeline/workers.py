"""Each input file in its own worker process, with a time limit and a memory limit.

A file that makes a parser spin or balloon is killed and gets a verdict of its own; the
other files go on. Workers are forked from a clean server process (forkserver) that has
already imported the pipeline, so starting one costs milliseconds, not an import.

The memory verdict does not depend on the machine's speed: the parent's watch samples the
worker's RSS, and the worker itself compares its peak RSS (the kernel's high-water mark, not
a sample) with the same limit before it reports, so a file that went over the limit is
rejected for it even when the parent's sample missed the peak and the parser turned the
MemoryError into an error of its own.
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
from pipeline.extract import source_format
from pipeline.extract.pdf_model import PdfLayout
from pipeline.model import Issue, Location, Verdict
from pipeline.process import FileResult, Input, process_file

_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Limits:
    """Per-file limits; the defaults are far above what a genuine profile needs."""

    timeout_s: float = 120.0
    max_memory_mb: int = 2048
    jobs: int = max(1, min(4, os.cpu_count() or 1))

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


def _context() -> ForkServerContext | SpawnContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        forkserver = multiprocessing.get_context("forkserver")
        forkserver.set_forkserver_preload(["pipeline.workers", "pipeline.warm"])
        return forkserver
    return multiprocessing.get_context("spawn")


def process_isolated(
    inputs: Sequence[Input | Path],
    limits: Limits,
    progress: Callable[[Path], None] = lambda _path: None,
    layout: PdfLayout | None = None,
) -> list[FileResult]:
    """process_file for every input, each in a worker; results in the order of inputs. The
    PDF layout tolerances travel with each file to its worker."""
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
                    args=(str(each.path), each.name, sender, limits, layout),
                    daemon=True,
                )
                process.start()
                sender.close()
                deadline = time.monotonic() + limits.timeout_s
                running[receiver] = _Task(index, each, process, deadline)
            for ready in wait(list(running), timeout=_POLL_SECONDS):
                assert isinstance(ready, Connection)
                task = running.pop(ready)
                results[task.index] = _receive(ready, task, limits)
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
) -> None:
    """Worker entry point: limit memory and CPU time, process the file, send the result."""
    _limit_resources(limits)
    try:
        result = process_file(Path(path), layout=layout, name=name)
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


def _receive(connection: Connection, task: _Task, limits: Limits) -> FileResult:
    try:
        kind, payload = connection.recv()
    except (EOFError, OSError):
        kind, payload = "died", None
    finally:
        connection.close()
    task.process.join(timeout=5)
    if kind == "ok":
        assert isinstance(payload, FileResult)
        return payload
    if kind == "memory":
        return FileResult(_memory_verdict(task.input, limits), None)
    if kind == "error":
        return FileResult(_internal_error(task.input, str(payload)), None)
    return FileResult(_died(task.input, task.process.exitcode), None)


def _over_limits(task: _Task, limits: Limits) -> Verdict | None:
    if time.monotonic() > task.deadline:
        return _rejected(
            task.input,
            Code.TIMEOUT,
            f"took longer than {limits.timeout_s:g} s to process, so it was stopped",
            "the file may be malformed or hostile; if it is a genuine profile, run again "
            "with a larger --timeout",
        )
    pid = task.process.pid
    if pid is not None and _rss_bytes(pid) > limits.max_memory_mb * 1024 * 1024:
        return _memory_verdict(task.input, limits)
    return None


def _memory_verdict(each: Input, limits: Limits) -> Verdict:
    return _rejected(
        each,
        Code.MEMORY_LIMIT,
        f"used more than {limits.max_memory_mb} MB while processing, so it was stopped",
        "the file may be malformed or hostile (e.g. a compression bomb); if it is a genuine "
        "profile, run again with a larger --max-memory",
    )


def _internal_error(each: Input, trace: str) -> Verdict:
    last = trace.strip().splitlines()[-1] if trace.strip() else "unknown error"
    return _rejected(
        each,
        Code.INTERNAL_ERROR,
        f"internal error while processing this file ({last})",
        "this is a bug in the pipeline: run with --debug and report the traceback",
        debug=trace,
    )


def _died(each: Input, exitcode: int | None) -> Verdict:
    how = f"signal {-exitcode}" if exitcode is not None and exitcode < 0 else f"exit {exitcode}"
    return _rejected(
        each,
        Code.WORKER_DIED,
        f"the worker processing this file died ({how})",
        "the parser may have crashed on a malformed file, or the machine ran out of memory",
    )


def _rejected(
    each: Input, code: Code, message: str, hint: str, debug: str | None = None
) -> Verdict:
    issue = Issue("extract", message, Location(each.name), hint, debug=debug, code=code)
    path = each.path
    return Verdict(each.name, _sha256(path), source_format(path), "rejected", None, (issue,))


def _sha256(path: Path) -> str | None:
    import hashlib

    if not path.is_file():  # a named pipe or a device: reading it could block the whole run
        return None
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


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
) -> list[FileResult]:
    """The same work in this process, without limits (--jobs 0, for debugging)."""
    results = []
    for each in inputs:
        each = each if isinstance(each, Input) else Input.of(each)
        try:
            results.append(process_file(each.path, layout=layout, name=each.name))
        except Exception:  # a bug, not an input problem: the verdict carries the traceback
            results.append(FileResult(_internal_error(each, traceback.format_exc()), None))
        progress(each.path)
    return results
