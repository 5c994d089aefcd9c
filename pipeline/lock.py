"""One writer at a time per output folder: a lock file beside it, held while a run writes.

Without it, two runs on the same --out clear each other's staging folders as litter. The
lock is flock(2) on `.<out name>.lock` in the output's parent folder, so the kernel releases
it when its process ends, however it ends: a killed run never blocks the next one. The
holder writes its pid into the file for whoever waits, and removes the file while it still
holds the lock; a waiter that then locks the removed file sees it is gone and tries again.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

# Re-exported: the writers take their default from here.
from pipeline.defaults import WAIT_FOR_LOCK_S as WAIT_FOR_LOCK_S
from pipeline.errors import OutputError

_POLL_SECONDS = 0.05


class OutputBusy(OutputError):
    """Another run kept the output folder locked for longer than this one would wait."""


def lock_path(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.lock"


@contextmanager
def output_lock(
    out_dir: Path, wait_s: float, waiting: Callable[[str], None] = lambda _message: None
) -> Iterator[None]:
    """Hold out_dir's lock for the block; wait up to wait_s for another run to release it,
    calling `waiting` once if it has to, and raise OutputBusy if it does not."""
    lock = lock_path(out_dir)
    deadline = time.monotonic() + wait_s
    told = False
    while True:
        descriptor = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(descriptor)
            os.close(descriptor)
            if time.monotonic() >= deadline:
                raise OutputBusy(
                    f"another albatts run ({holder}) is still writing to {out_dir} after "
                    f"{wait_s:g} s of waiting (it holds the lock {lock}); run again when it "
                    "has finished, or wait longer with --wait-for-lock SECONDS"
                ) from None
            if not told:
                waiting(
                    f"waiting for another albatts run ({holder}) to finish writing to "
                    f"{out_dir} (lock {lock}), for up to {wait_s:g} s"
                )
                told = True
            time.sleep(_POLL_SECONDS)
            continue
        if _is_current(descriptor, lock):
            break
        os.close(descriptor)  # its holder removed it as this run opened it: lock the new one
    try:
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"{os.getpid()}\n".encode())
        yield
    finally:
        with suppress(FileNotFoundError):
            lock.unlink()
        os.close(descriptor)


def _holder(descriptor: int) -> str:
    pid = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
    return f"pid {pid}" if pid.isdigit() else "pid unknown"


def _is_current(descriptor: int, lock: Path) -> bool:
    try:
        named = lock.stat()
    except FileNotFoundError:
        return False
    opened = os.fstat(descriptor)
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)
