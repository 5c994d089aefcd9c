"""Dask as the distributed engine: one task per input file on a Dask cluster.

Inside each task the file is still processed by pipeline.workers.process_isolated, in a
child process of the Dask worker under the run's time and memory limits, so a hostile file
can neither hang nor kill the worker. A worker process started by a Dask nanny is daemonic
by default, and a daemonic process cannot have children: the workers must be started with
the Dask setting `distributed.worker.daemon: False` (DASK_DISTRIBUTED__WORKER__DAEMON=False
in their environment, or `dask worker --no-nanny`). `local` starts its LocalCluster so; a
task on a worker started otherwise stops the run with one line that says how to start it.

A task carries the input's path, not its bytes: the workers read the files from a file
system they share with this machine, as the local pool's workers do (the parent never
opens an input, so no input can block or exhaust it, and the bytes do not pass through
the scheduler). A worker that cannot see an input's folder stops the run with one line
saying so. Each task also carries a digest of this machine's code, libraries and
vocabularies; a worker whose own differ stops the run: its tables could differ.

Dask is an optional extra: this module imports it only inside the functions that need it,
and importing the module itself loads nothing heavy.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.codes import Code
from pipeline.defaults import MAX_FILE_MB
from pipeline.errors import StewardError
from pipeline.exits import EXIT_UNAVAILABLE
from pipeline.formats import source_format
from pipeline.inputs import Input
from pipeline.limits import Limits
from pipeline.model import FileResult, Issue, Location, Verdict

if TYPE_CHECKING:
    from distributed import Client, Future

    from pipeline.extract.pdf_model import PdfLayout
    from pipeline.wire import K, Keep

# The address that starts a LocalCluster for the run instead of connecting to one.
LOCAL = "local"
INSTALL = "pip install 'albatts-pipeline[dask]'"
# How long to try to reach a scheduler before the run stops with a one-line error.
CONNECT_TIMEOUT_S = 10.0
# The Dask setting that lets a worker process start the child process each file runs in.
NOT_DAEMONIC = {"distributed.worker.daemon": False}
DAEMON_VARIABLE = "DASK_DISTRIBUTED__WORKER__DAEMON=False"


class WorkerSetupError(Exception):
    """Raised in a task: the Dask worker cannot process files the way this run needs (a
    daemonic process, another code version, no shared file system). Stops the run."""


@dataclass(frozen=True)
class WorkerEnvironment:
    """What a file's result depends on besides the file and the settings that travel with
    each task: the pipeline's code and library versions, and the vocabulary files."""

    code: str
    vocabularies: Mapping[str, str]


def require_dask() -> None:
    """Raise a StewardError saying what to install when Dask is not installed (without
    importing it)."""
    if find_spec("distributed") is None or find_spec("dask") is None:
        raise StewardError(
            f"--dask-scheduler needs Dask, which is not installed: run {INSTALL} (here and "
            "on every Dask worker), or leave --dask-scheduler out to use the local worker pool",
            EXIT_UNAVAILABLE,
        )


def process_on_dask(
    inputs: Sequence[Input],
    limits: Limits,
    address: str,
    progress: Callable[[Path], None] = lambda _path: None,
    layout: PdfLayout | None = None,
    max_bytes: int = MAX_FILE_MB * 1024 * 1024,
    say: Callable[[str], None] = lambda _message: None,
    *,
    keep: Keep[K],
) -> list[K]:
    """The results of process_isolated, in the order of inputs (each as `keep` makes it
    when it arrives), from tasks on the Dask cluster at address (`local`: a LocalCluster
    of limits.jobs worker processes). `say` is told once if the cluster has no worker yet."""
    found = iter_dask(inputs, limits, address, progress, layout, max_bytes, say)
    results: dict[int, K] = {index: keep(inputs[index], result, None) for index, result in found}
    return [results[index] for index in range(len(inputs))]


def iter_dask(
    inputs: Sequence[Input],
    limits: Limits,
    address: str,
    progress: Callable[[Path], None] = lambda _path: None,
    layout: PdfLayout | None = None,
    max_bytes: int = MAX_FILE_MB * 1024 * 1024,
    say: Callable[[str], None] = lambda _message: None,
) -> Iterator[tuple[int, FileResult]]:
    """(index into inputs, result) of every input as its task completes. The cluster
    connection (and a LocalCluster) lives while the iterator does: exhaust or close it.
    A cluster without workers is waited for (an autoscaled one starts them on demand),
    and `say` is told so once."""
    if not inputs:
        return
    require_dask()
    from distributed import as_completed

    expected = worker_environment()
    one_at_a_time = replace(limits, jobs=1)  # a task is one file; Dask spreads the tasks
    run = uuid.uuid4().hex[:12]
    with _connect(address, limits.jobs) as client:
        if address != LOCAL and not client.scheduler_info().get("workers"):
            say(
                f"the Dask scheduler at {address} has no workers yet: the run waits for one "
                f"(start workers with {DAEMON_VARIABLE} dask worker {address})"
            )
        futures = client.map(
            process_on_worker,
            [str(each.path.absolute()) for each in inputs],
            [each.name for each in inputs],
            key=[f"albatts-{run}-{index}" for index in range(len(inputs))],
            pure=False,
            limits=one_at_a_time,
            layout=layout,
            max_bytes=max_bytes,
            expected=expected,
        )
        index_of = {future.key: index for index, future in enumerate(futures)}
        try:
            for future in as_completed(futures, loop=client.loop):
                index = index_of[future.key]
                result = _result_of(future, inputs[index], address)
                future.release()  # the worker may forget it: results can be many
                progress(inputs[index].path)
                yield index, result
        finally:
            client.cancel([future for future in futures if not future.done()])


@contextmanager
def _connect(address: str, local_workers: int) -> Iterator[Client]:
    import dask
    from distributed import Client, LocalCluster

    if address == LOCAL:
        # The setting stays in force while the cluster lives: a worker restarted by its
        # nanny is started with it too.
        with (
            dask.config.set(NOT_DAEMONIC),
            LocalCluster(
                n_workers=local_workers,
                threads_per_worker=1,  # one file per worker process at a time
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                # The scheduler's HTTP endpoints on a free port (not 8787, which another
                # cluster may hold: a warning on stderr).
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                # Every problem reaches the run as a result or one line: no worker log.
                silence_logs=logging.CRITICAL,
            ) as cluster,
            Client(cluster, set_as_default=False) as client,
        ):
            _stop_children_on_close(client)
            yield client
        return
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, ValueError, TypeError) as error:  # OSError: the connection timed out
        raise StewardError(
            f"cannot reach the Dask scheduler at {address} within {CONNECT_TIMEOUT_S:g} s "
            f"({_reason(error)}): check the address (such as tcp://host:8786) and that "
            "the scheduler runs, or give --dask-scheduler local",
            EXIT_UNAVAILABLE,
        ) from error
    with client:
        _stop_children_on_close(client)
        yield client


def _stop_children_on_close(client: Client) -> None:
    """A worker that closes (its cluster shut down, or the run interrupted while a file is
    processed) stops the per-file child processes still running in it first. Else its
    close would wait for the task, the nanny would kill it, and a child blocked on a read
    (a stalled network share) would outlive it. They are daemonic processes, which a
    worker that ends normally terminates anyway; this makes its ending normal."""
    from distributed import WorkerPlugin

    class StopChildren(WorkerPlugin):  # pickled by value: the workers need not import it
        def teardown(self, worker: object) -> None:
            for child in multiprocessing.active_children():
                if child.daemon:
                    child.kill()

    client.register_plugin(StopChildren(), name="albatts-stop-children")


def _result_of(future: Future, each: Input, address: str) -> FileResult:
    """A task's result; a worker that died under it is the file's verdict, as in the local
    pool; a worker set up wrongly or a lost scheduler stops the run."""
    from distributed import CancelledError, KilledWorker

    try:
        result = future.result()
    except KilledWorker:
        return FileResult(_worker_died(each), None)
    except WorkerSetupError as error:
        raise StewardError(str(error), EXIT_UNAVAILABLE) from error
    except (CancelledError, OSError) as error:
        raise StewardError(
            f"lost the Dask scheduler at {address} while processing {each.name} "
            f"({_reason(error)}): run again when the cluster is back; the previous outputs "
            "are kept",
            EXIT_UNAVAILABLE,
        ) from error
    assert isinstance(result, FileResult)
    return result


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _worker_died(each: Input) -> Verdict:
    issue = Issue(
        "extract",
        "the Dask workers processing this file died (each time Dask tried it)",
        Location(each.name),
        "the parser may have crashed on a malformed file, or the workers' machine ran out "
        "of memory: try the file alone with albatts extract (without --dask-scheduler)",
        code=Code.WORKER_DIED,
    )
    return Verdict(each.name, None, source_format(each.path), "rejected", None, (issue,))


# --- on the worker -----------------------------------------------------------------------


def process_on_worker(
    path: str,
    name: str,
    limits: Limits,
    layout: PdfLayout | None,
    max_bytes: int,
    expected: WorkerEnvironment,
) -> FileResult:
    """The task: one file through process_isolated, in a child process of this worker."""
    from pipeline.wire import with_frames
    from pipeline.workers import process_isolated

    check_worker(Path(path), expected)
    _own_temp_dir()
    [result] = process_isolated(
        [Input(Path(path), name)], limits, layout=layout, max_bytes=max_bytes, keep=with_frames
    )
    return result


def check_worker(path: Path, expected: WorkerEnvironment) -> None:
    """Raise WorkerSetupError unless this process can process the file at path as the
    machine that submitted it would."""
    if multiprocessing.current_process().daemon:
        raise WorkerSetupError(
            f"the Dask worker {_worker_name()} runs as a daemonic process, which cannot "
            "start the child process each file is processed in: start the workers with "
            f"{DAEMON_VARIABLE} in their environment (or dask worker --no-nanny)"
        )
    found = _this_worker_environment()
    if found.code != expected.code:
        raise WorkerSetupError(
            f"the Dask worker {_worker_name()} runs other albatts code or library versions "
            "than this machine (another release, or pipeline modules edited since the run "
            "started), so its tables could differ: install the same albatts-pipeline (and "
            "its dependencies) on every worker"
        )
    if found.vocabularies != expected.vocabularies:
        raise WorkerSetupError(
            f"the Dask worker {_worker_name()} reads other vocabulary files than this "
            "machine: give the workers the same schemas/vocab (or ALBATTS_VOCABULARY_DIR)"
        )
    if not path.parent.is_dir():
        raise WorkerSetupError(
            f"the Dask worker {_worker_name()} cannot see the folder {path.parent}: the "
            "workers read the inputs from a file system they share with this machine, "
            "mounted at the same path"
        )


@cache
def _own_temp_dir() -> None:
    """Once per worker process, before process_isolated claims its multiprocessing temp
    folder: forget the folder name inherited from the process that spawned this one
    (multiprocessing copies its parent's process config, 'tempdir' included). Else the
    worker would mark its parent's folder as its own (pipeline/mp_tempdir.py), and once the
    worker ended, the next run would remove it as a killed run's, under the live parent."""
    from pipeline import mp_tempdir

    if mp_tempdir._held is None:  # not claimed by this process yet
        multiprocessing.current_process()._config.pop("tempdir", None)  # type: ignore[attr-defined]


def worker_environment() -> WorkerEnvironment:
    from pipeline.cache_key import code_digest
    from pipeline.contract.vocabulary import vocabulary_hashes

    return WorkerEnvironment(code_digest(), vocabulary_hashes())


@cache
def _this_worker_environment() -> WorkerEnvironment:
    """Once per worker process: neither the code nor the vocabularies change under it."""
    return worker_environment()


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):  # not in a Dask worker (a test calls the task)
        return f"on {socket.gethostname()} (pid {os.getpid()})"
