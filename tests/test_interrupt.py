"""Killing a real run (Ctrl-C, SIGTERM, SIGKILL) never damages the last good output, and
leaves no staging litter behind once the next run has started.

Every kill lands where the test puts it, not when the test hopes to catch it: while a
worker waits at its test hook just before it reads its input (pipeline/workers.py: a read
that stalls), or while the run waits at one of the write's test hooks (pipeline/write.py:
staging complete before the swap, or between the two renames of the swap).
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pipeline.workers import PAUSE_READING
from pipeline.write import PAUSE_BEFORE_SWAP, PAUSE_MID_SWAP
from tests.conftest import SEED
from tests.hostile import authored, stalled_file

STAGING = ".out.staging-*"
PREVIOUS = ".out.previous-*"
# A profile whose output differs from the seed's, so a swap that should not have happened
# shows in the output.
OTHER = authored("battery-cell-production-operator")
# Bounds on waiting for a run; a run that needs them has hung.
BOUND_S = 120

SIGNALS = [
    pytest.param(signal.SIGTERM, 143, id="sigterm"),
    pytest.param(signal.SIGINT, 130, id="ctrl-c"),
    pytest.param(signal.SIGKILL, -signal.SIGKILL, id="sigkill"),
]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def command(inputs: Path, out: Path) -> list[str]:
    # --no-cache: the worker must read the input (the pause hooks are there), and only the
    # run's own litter may be left beside --out.
    extract = [sys.executable, "-m", "pipeline", "extract", str(inputs), "--out", str(out)]
    return [*extract, "-q", "--no-cache"]


def extract(
    inputs: Path, out: Path, pause: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command(inputs, out),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(pause or {})},
    )


def extract_to_the_end(inputs: Path, out: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(command(inputs, out), capture_output=True, check=False, timeout=BOUND_S)


@pytest.fixture(scope="module")
def first_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("first") / "out"
    first = extract_to_the_end(SEED, target)
    assert first.returncode == 0, first.stderr
    return target


@pytest.fixture
def out(first_output: Path, tmp_path: Path) -> Path:
    """The output of a complete earlier run, alone in its folder so that litter shows."""
    target = tmp_path / "runs" / "out"
    shutil.copytree(first_output, target)
    return target


@contextmanager
def held_at(fifo: Path, run: subprocess.Popen[bytes]) -> Iterator[None]:
    """Wait until the run opens `fifo` (it then waits there), keep it there for the body,
    and let it go on after."""
    deadline = time.monotonic() + BOUND_S
    while True:
        try:
            end = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as error:
            if error.errno != errno.ENXIO:  # ENXIO: no reader has opened it yet
                raise
        if run.poll() is not None:
            _, stderr = run.communicate()
            pytest.fail(f"the run ended before it reached {fifo.name}: {stderr.decode()}")
        if time.monotonic() > deadline:
            pytest.fail(f"the run did not reach {fifo.name} in {BOUND_S} s")
        time.sleep(0.01)
    try:
        yield
    finally:
        os.close(end)


def kill(run: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Only the run's own end: a worker orphaned by SIGKILL still holds its output pipes."""
    run.send_signal(sig)
    run.wait(timeout=BOUND_S)


def assert_left_as_it_was(
    out: Path, before: dict[str, bytes], run: subprocess.Popen[bytes], code: int
) -> None:
    _, stderr = run.communicate(timeout=BOUND_S)
    assert run.returncode == code
    assert snapshot(out) == before
    assert b"Traceback" not in stderr
    if code != -signal.SIGKILL:
        assert b"was left as it was before this run" in b" ".join(stderr.split())  # unwrapped
        assert sorted(p.name for p in out.parent.iterdir()) == ["out"]
        return
    # Whatever a hard kill left aside is cleared by the next run, which completes.
    again = extract_to_the_end(SEED, out)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]
    assert snapshot(out) == before


@pytest.mark.parametrize(("sig", "exit_code"), SIGNALS)
def test_a_run_killed_while_processing_leaves_the_last_output_intact(
    out: Path, tmp_path: Path, sig: signal.Signals, exit_code: int
) -> None:
    before = snapshot(out)
    stalled = stalled_file(tmp_path / SEED.name)  # the worker reading SEED waits on it
    run = extract(SEED, out, {PAUSE_READING: str(stalled)})
    with held_at(stalled, run):  # a worker is reading the input
        kill(run, sig)
    assert_left_as_it_was(out, before, run, exit_code)


@pytest.mark.parametrize(("sig", "exit_code"), SIGNALS)
def test_a_run_killed_before_the_swap_leaves_the_last_output_intact(
    out: Path, tmp_path: Path, sig: signal.Signals, exit_code: int
) -> None:
    before = snapshot(out)
    pause = stalled_file(tmp_path / "pause")
    run = extract(OTHER, out, {PAUSE_BEFORE_SWAP: str(pause)})
    with held_at(pause, run):
        [staging] = out.parent.glob(STAGING)
        assert (staging / "manifest.json").is_file()  # every output is written
        kill(run, sig)
    assert_left_as_it_was(out, before, run, exit_code)


@pytest.mark.parametrize(("sig", "exit_code"), SIGNALS)
def test_a_run_killed_mid_swap_leaves_or_restores_the_last_output(
    out: Path, tmp_path: Path, sig: signal.Signals, exit_code: int
) -> None:
    before = snapshot(out)
    pause = stalled_file(tmp_path / "pause")
    run = extract(OTHER, out, {PAUSE_MID_SWAP: str(pause)})
    with held_at(pause, run):
        assert not out.exists()  # the previous output is aside, the new one not yet in
        [previous] = out.parent.glob(PREVIOUS)
        assert snapshot(previous) == before
        run.send_signal(sig)
    if sig != signal.SIGKILL:  # Ctrl-C and SIGTERM undo the swap before they act
        assert_left_as_it_was(out, before, run, exit_code)
        return
    run.communicate(timeout=BOUND_S)
    assert run.returncode == -signal.SIGKILL
    # The next run puts the previous output back before it writes its own.
    pause_again = stalled_file(tmp_path / "pause-again")
    again = extract(SEED, out, {PAUSE_BEFORE_SWAP: str(pause_again)})
    with held_at(pause_again, again):
        assert snapshot(out) == before
        assert not any(out.parent.glob(PREVIOUS))
    _, stderr = again.communicate(timeout=BOUND_S)
    assert again.returncode == 0, stderr
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]
    assert snapshot(out) == before
