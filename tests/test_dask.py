"""The Dask engine: the same outputs, byte for byte, as the local worker pool, on a
LocalCluster and on a scheduler and workers started as separate processes; hostile files
rejected under the limits on a Dask worker, which survives them; one-line errors for a
scheduler that cannot be reached, a missing Dask and a daemonic worker.

Skipped when Dask is not installed (pip install -e '.[dev]' installs it), unless
ALBATTS_REQUIRE_DASK=1, which makes a missing Dask fail these tests instead.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.util
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

from pipeline import dask_executor
from pipeline.cli import main
from pipeline.codes import Code
from pipeline.dask_executor import (
    DAEMON_VARIABLE,
    INSTALL,
    WorkerSetupError,
    check_worker,
    iter_dask,
    process_on_dask,
    worker_environment,
)
from pipeline.exits import EXIT_UNAVAILABLE, EXIT_USAGE
from pipeline.inputs import Input
from pipeline.limits import Limits
from pipeline.model import FileResult
from pipeline.mp_tempdir import MARK
from pipeline.wire import with_frames
from pipeline.workers import PAUSE_READING
from tests.conftest import AUTHORED, EXAMPLES, REPO, SEED
from tests.hostile import compression_bomb_pdf, release, seed_text, stalled_file

if TYPE_CHECKING:
    import psutil
    from distributed import Client

try:
    import distributed  # noqa: F401

    HAVE_DASK = True
except ImportError:
    HAVE_DASK = False
REQUIRED = os.environ.get("ALBATTS_REQUIRE_DASK") == "1"
needs_dask = pytest.mark.skipif(
    not HAVE_DASK and not REQUIRED,
    reason=f"Dask is not installed ({INSTALL}; ALBATTS_REQUIRE_DASK=1 fails instead)",
)

# The test hook's FIFO (see pipeline/workers.py): a worker given an input of this name
# waits on it before reading, until it is stopped at the time limit.
STALLED = "stalled.pdf"
READY_S = 120.0


def test_dask_is_installed_where_it_is_required() -> None:
    assert HAVE_DASK or not REQUIRED, f"ALBATTS_REQUIRE_DASK=1 but Dask is missing: {INSTALL}"


# --- inputs and the reference run ----------------------------------------------------------


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Text and PDF, ok and rejected: a few inputs whose outputs hold every kind of file."""
    folder = tmp_path_factory.mktemp("dask") / "inbox"
    (folder / "sub").mkdir(parents=True)
    (folder / "seed.txt").write_bytes(SEED.read_bytes())
    (folder / "sub" / "operator.txt").write_bytes(
        (AUTHORED / "battery-cell-production-operator.txt").read_bytes()
    )
    (folder / "pack.pdf").write_bytes(
        (EXAMPLES / "battery-pack-assembly-technician.pdf").read_bytes()
    )
    typo = seed_text("Level Typo", {"\tExpert\tC/C++": "\tExpret\tC/C++"})
    (folder / "typo.txt").write_text(typo, encoding="utf-8")
    return folder


def extract(inbox: Path, out: Path, *options: str) -> Result:
    """The command (in this process: the local pool's workers are warm already)."""
    args = ["extract", str(inbox), "--out", str(out), "--no-cache", "--quiet", *options]
    return CliRunner().invoke(main, args)


@pytest.fixture(scope="module")
def reference(inbox: Path) -> Path:
    """The outputs of the local worker pool."""
    out = inbox.parent / "local"
    result = extract(inbox, out)
    assert result.exit_code == 1, result.output  # typo.txt is rejected
    return out


def files_of(out: Path) -> dict[str, bytes]:
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file()
    }


def assert_identical(expected: Path, found: Path) -> None:
    """Every file (tables in every format, manifest, validation, report), byte for byte."""
    want, got = files_of(expected), files_of(found)
    assert sorted(got) == sorted(want)
    assert any(name.endswith(".parquet") for name in want)
    assert "report.html" in want and "manifest.json" in want
    different = [name for name in want if want[name] != got[name]]
    assert different == []


# --- a LocalCluster -------------------------------------------------------------------------


@needs_dask
def test_a_local_cluster_gives_the_outputs_of_the_local_pool_byte_for_byte(
    inbox: Path, reference: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    out = inbox.parent / "dask-local"
    # This process's multiprocessing temp folder (the local pool's, claimed by the reference
    # run): the cluster's worker processes, spawned from this one, must not take it over.
    mark = Path(multiprocessing.util.get_temp_dir()) / MARK
    before = mark.stat().st_ino
    capfd.readouterr()
    result = extract(inbox, out, "--dask-scheduler", "local", "--jobs", "2")
    assert result.exit_code == 1, result.output
    assert mark.stat().st_ino == before
    assert_identical(reference, out)
    manifest = (out / "manifest.json").read_text(encoding="utf-8")
    assert "dask" not in manifest.lower()  # the engine is not recorded
    # Nothing of the cluster's machinery (its worker processes' logs) reaches the steward.
    assert "typo.txt" in result.output
    assert "distributed" not in result.output
    leaked = capfd.readouterr()
    assert "distributed" not in leaked.err + leaked.out


# --- a scheduler and workers started as separate processes -----------------------------------


class Processes:
    """`dask` commands started as separate processes in `root`, each in its own session, so
    that stop() ends them with their worker processes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.started.append(
            subprocess.Popen(
                [sys.executable, "-m", "dask", *args],
                cwd=self.root,
                env={**os.environ, **(env or {})},
                stdout=subprocess.DEVNULL,
                stderr=(self.root / f"{args[0]}-{len(self.started)}.log").open("wb"),
                start_new_session=True,
            )
        )

    def scheduler(self) -> str:
        """A scheduler on 127.0.0.1, on a port it chooses: its address."""
        address_file = self.root / "scheduler.json"
        self.start(
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(address_file),
        )
        process, log = self.started[-1], self.root / f"scheduler-{len(self.started) - 1}.log"
        deadline = time.monotonic() + READY_S
        while not address_file.exists():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.05)
        return wait_for_address(address_file, deadline)

    def worker(self, address: str, env: dict[str, str] | None = None) -> None:
        """One non-daemonic worker process (the README's way)."""
        daemon = dict([DAEMON_VARIABLE.split("=")])
        self.start(
            "worker",
            address,
            "--host",
            "127.0.0.1",
            "--nworkers",
            "1",
            "--nthreads",
            "1",
            "--no-dashboard",
            env={**daemon, **(env or {})},
        )

    def stop(self) -> None:
        for process in reversed(self.started):
            with_children_stopped(process)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`dask scheduler` and `dask worker` on 127.0.0.1, on ports they choose;
    the workers non-daemonic (the README's way) and with the FIFO test hook set."""
    root = tmp_path_factory.mktemp("cluster")
    hook = stalled_file(root / STALLED)
    processes = Processes(root)
    try:
        address = processes.scheduler()
        processes.worker(address, env={PAUSE_READING: str(hook)})
        with connect(address) as client:
            client.wait_for_workers(1, timeout=READY_S)
        yield address
    finally:
        release(hook)
        processes.stop()


def wait_for_address(address_file: Path, deadline: float) -> str:
    """The scheduler's address, once its file is complete."""
    while True:
        try:
            return str(json.loads(address_file.read_text(encoding="utf-8"))["address"])
        except (ValueError, KeyError):
            assert time.monotonic() < deadline, "the scheduler file stayed incomplete"
            time.sleep(0.05)


def connect(address: str) -> Client:
    from distributed import Client

    return Client(address, timeout=30, set_as_default=False)


def with_children_stopped(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group the test started (a nanny and its worker processes),
    then SIGKILL to whatever is left of it."""
    for sent in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sent)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=15)
            break
        except subprocess.TimeoutExpired:
            continue


@needs_dask
def test_separate_scheduler_and_workers_give_the_outputs_of_the_local_pool(
    inbox: Path, reference: Path, cluster: str
) -> None:
    out = inbox.parent / "dask-separate"
    result = extract(inbox, out, "--dask-scheduler", cluster)
    assert result.exit_code == 1, result.output
    assert_identical(reference, out)


def worker_pids(client: Client) -> dict[str, int]:
    return dict(client.run(os.getpid))


@needs_dask
def test_hostile_files_on_a_dask_worker_meet_the_limits_and_the_worker_survives(
    tmp_path: Path, cluster: str
) -> None:
    (tmp_path / STALLED).write_bytes(b"%PDF-1.4\n")  # its worker waits at the hook
    (tmp_path / "bomb.pdf").write_bytes(compression_bomb_pdf())
    good = tmp_path / "seed.txt"
    good.write_bytes(SEED.read_bytes())
    with connect(cluster) as client:
        before = worker_pids(client)
        assert len(before) == 1
        [(_, stalled)] = iter_dask([Input.of(tmp_path / STALLED)], Limits(3, 300), cluster)
        bomb = process_on_dask(
            [Input.of(tmp_path / "bomb.pdf")], Limits(120, 300), cluster, keep=with_frames
        )[0]
        # The same workers, each still able to process a file.
        assert worker_pids(client) == before
        after = process_on_dask([Input.of(good)] * 2, Limits(), cluster, keep=with_frames)
    [issue] = stalled.verdict.issues
    assert (stalled.verdict.status, issue.code) == ("rejected", Code.TIMEOUT)
    assert issue.message == "took longer than 3 s to process, so it was stopped"
    [issue] = bomb.verdict.issues
    assert (bomb.verdict.status, issue.code) == ("rejected", Code.MEMORY_LIMIT)
    assert issue.message == "used more than 300 MB while processing, so it was stopped"
    assert [each.verdict.status for each in after] == ["ok", "ok"]
    assert after[0].verdict.profile_id == "embedded-system-and-bms-engineers"


@needs_dask
def test_a_worker_that_closes_stops_the_file_process_it_runs(tmp_path: Path, cluster: str) -> None:
    """A worker closed while a file is processed (its cluster shut down, the run
    interrupted) does not leave the file's process behind, even one blocked on a read."""
    import psutil

    (tmp_path / STALLED).write_bytes(b"%PDF-1.4\n")
    with connect(cluster) as client:
        dask_executor._stop_children_on_close(client)  # as every run's connection does
        [worker] = worker_pids(client).values()
        task = client.submit(
            dask_executor.process_on_worker,
            str(tmp_path / STALLED),
            STALLED,
            Limits(300, 300, 1),
            None,
            2**20,
            worker_environment(),
            pure=False,
        )
        deadline = time.monotonic() + READY_S
        while not (stalled := files_processed_by(psutil.Process(worker))):
            assert time.monotonic() < deadline, "the file's process did not start"
            time.sleep(0.05)
        client.restart()  # closes the worker, and its nanny starts another
        assert not task.done() or task.status != "finished"
        assert all(not each.is_running() or each.status() == "zombie" for each in stalled)
        assert len(worker_pids(client)) == 1


def files_processed_by(worker: psutil.Process) -> list[psutil.Process]:
    """The processes a worker's forkserver forked for files."""
    return [
        each
        for each in worker.children(recursive=True)
        if each.ppid() != worker.pid  # not the forkserver itself
    ]


# --- one-line errors ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@needs_dask
def test_an_unreachable_scheduler_is_one_line_within_the_connect_timeout(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dask_executor, "CONNECT_TIMEOUT_S", 2.0)
    address = f"tcp://127.0.0.1:{free_port()}"
    started = time.monotonic()
    result = CliRunner().invoke(
        main, ["extract", str(inbox), "--out", str(tmp_path / "out"), "--dask-scheduler", address]
    )
    assert time.monotonic() - started < 30
    assert result.exit_code == EXIT_UNAVAILABLE, result.output
    [line] = result.output.splitlines()
    assert line.startswith(f"albatts: cannot reach the Dask scheduler at {address} within 2 s")
    assert not (tmp_path / "out").exists()


@needs_dask
def test_a_scheduler_without_workers_is_said_and_waited_for(tmp_path: Path) -> None:
    """The run says that the cluster has no worker yet, and goes on once one joins."""
    processes = Processes(tmp_path)
    said: list[str] = []
    found: list[tuple[int, FileResult]] = []

    def say(message: str) -> None:
        said.append(message)
        processes.worker(address)

    try:
        address = processes.scheduler()
        run = threading.Thread(
            target=lambda: found.extend(iter_dask([Input.of(SEED)], Limits(), address, say=say))
        )
        run.start()
        run.join(READY_S)
        if run.is_alive():  # nothing was said, so no worker was started: start one to end it
            processes.worker(address)
            run.join()
    finally:
        processes.stop()
    [message] = said
    assert message.startswith(f"the Dask scheduler at {address} has no workers yet")
    assert f"dask worker {address}" in message
    [(index, result)] = found
    assert index == 0
    assert result.verdict.status == "ok", result.verdict


def test_without_dask_the_option_says_what_to_install(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dask_executor, "find_spec", lambda _name: None)
    result = CliRunner().invoke(
        main, ["extract", str(inbox), "--out", str(tmp_path / "out"), "--dask-scheduler", "local"]
    )
    assert result.exit_code == EXIT_UNAVAILABLE, result.output
    [line] = result.output.splitlines()
    assert "--dask-scheduler needs Dask, which is not installed" in line
    assert "pip install 'albatts-pipeline[dask]'" in line


def test_dask_goes_with_the_limits_only(inbox: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "out")
    args = ["extract", str(inbox), "--out", out, "--dask-scheduler", "local", "--jobs", "0"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == EXIT_USAGE
    assert "--jobs 0" in result.output


def test_the_cli_and_the_executor_load_no_dask_until_a_run_uses_it() -> None:
    code = (
        "import sys\n"
        "import pipeline.cli, pipeline.dask_executor, pipeline.run\n"
        "print(sorted(name for name in ('dask', 'distributed') if name in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def _check_in_a_daemonic_process(path: Path, queue: multiprocessing.Queue[str]) -> None:
    try:
        check_worker(path, worker_environment())
    except WorkerSetupError as error:
        queue.put(str(error))
    else:
        queue.put("no error")


def test_a_daemonic_worker_says_how_to_start_it(tmp_path: Path) -> None:
    """What a task raises on a worker started without the setting (the client turns it
    into a one-line error, exit 69)."""
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[str] = context.Queue()
    process = context.Process(
        target=_check_in_a_daemonic_process, args=(tmp_path / "a.txt", queue), daemon=True
    )
    process.start()
    said = queue.get(timeout=60)
    process.join(timeout=10)
    assert "runs as a daemonic process" in said
    assert DAEMON_VARIABLE in said


def test_a_worker_that_does_not_share_the_inputs_says_so(tmp_path: Path) -> None:
    with pytest.raises(WorkerSetupError, match=r"cannot see the folder .*/elsewhere"):
        check_worker(tmp_path / "elsewhere" / "a.txt", worker_environment())


def test_a_worker_with_other_vocabularies_says_so(tmp_path: Path) -> None:
    found = worker_environment()
    other = type(found)(found.code, {**found.vocabularies, "levels.txt": "0" * 64})
    with pytest.raises(WorkerSetupError, match="reads other vocabulary files"):
        check_worker(tmp_path / "a.txt", other)
