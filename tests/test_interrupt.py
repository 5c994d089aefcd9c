"""Killing a real run (Ctrl-C, SIGTERM, SIGKILL) while it writes never damages the last
good output, and leaves no staging litter behind once the next run has started."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SEED
from tests.hostile import seed_text

STAGING = ".out.staging-*"
PREVIOUS = ".out.previous-*"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def extract(inbox: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "extract", str(inbox), "--out", str(out), "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.fixture(scope="module")
def big_inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough profiles that writing the outputs takes long enough to be interrupted."""
    inbox = tmp_path_factory.mktemp("big")
    for number in range(160):
        (inbox / f"p{number:03}.txt").write_text(
            seed_text(f"Profile {number:03} Engineers"), encoding="utf-8"
        )
    return inbox


def wait_for_staging(run: subprocess.Popen[bytes], parent: Path, deadline_s: float = 300) -> None:
    """Block until the run has started writing (its staging folder exists)."""
    deadline = time.monotonic() + deadline_s
    while not any(parent.glob(STAGING)):
        if run.poll() is not None or time.monotonic() > deadline:
            pytest.fail("the run ended (or stalled) before it started writing")
        time.sleep(0.001)


@pytest.mark.parametrize(
    ("sig", "exit_code"),
    [
        pytest.param(signal.SIGTERM, 143, id="sigterm"),
        pytest.param(signal.SIGINT, 130, id="ctrl-c"),
        pytest.param(signal.SIGKILL, -signal.SIGKILL, id="sigkill"),
    ],
)
def test_a_run_killed_while_writing_leaves_the_last_output_intact(
    big_inbox: Path, tmp_path: Path, sig: signal.Signals, exit_code: int
) -> None:
    out = tmp_path / "out"
    first = subprocess.run(
        [sys.executable, "-m", "pipeline", "extract", str(SEED), "--out", str(out), "-q"],
        capture_output=True,
        check=False,
    )
    assert first.returncode == 0, first.stderr
    before = snapshot(out)

    run = extract(big_inbox, out)
    wait_for_staging(run, tmp_path)
    run.send_signal(sig)
    _, stderr = run.communicate(timeout=120)

    assert run.returncode == exit_code
    assert snapshot(out) == before
    assert b"Traceback" not in stderr
    if sig != signal.SIGKILL:
        assert b"left as it was before this run" in stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]

    # Whatever a hard kill left aside is cleared by the next run, which completes.
    again = subprocess.run(
        [sys.executable, "-m", "pipeline", "extract", str(SEED), "--out", str(out), "-q"],
        capture_output=True,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert snapshot(out) == before
