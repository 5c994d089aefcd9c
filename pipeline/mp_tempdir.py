"""The temporary folder of the worker machinery: marked as this run's, and the ones that
killed runs left behind removed.

multiprocessing keeps the forkserver's socket in a pymp-* folder of the temp directory and
removes it when the run ends, unless the run is killed (SIGKILL, the OOM killer). So each
run marks its folder with a lock file that it holds for as long as it lives (flock, which
the kernel releases when the process ends, however it ends), and every run removes the
marked folders whose lock nobody holds any more. A folder of another program (no mark), of
another user, or of a run still going (its lock held) is never touched. The mark appears
already locked (locked under a temporary name, then renamed), so no run can take a folder
being marked for a stale one.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import tempfile
from multiprocessing import util
from pathlib import Path

PREFIX = "pymp-"
MARK = "albatts.lock"

# The open lock of this process's folder: held until the process ends.
_held: int | None = None


def claim_temp_dir() -> Path:
    """This process's multiprocessing temp folder (made now if it is not yet), marked as a
    live run's; marked folders that killed runs left are removed first."""
    global _held
    folder = Path(util.get_temp_dir())
    if _held is None:
        remove_stale(folder.parent)
        _held = _mark(folder)
    return folder


def _mark(folder: Path) -> int:
    descriptor, name = tempfile.mkstemp(dir=folder, prefix=".albatts-")
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    Path(name).replace(folder / MARK)
    return descriptor


def remove_stale(root: Path) -> list[Path]:
    """Remove the marked pymp-* folders in root whose run is gone; return them."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return removed
    for entry in entries:
        if entry.name.startswith(PREFIX) and _is_stale(Path(entry.path)):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


def _is_stale(folder: Path) -> bool:
    """A folder of this user's (not a link), marked, whose lock nobody holds."""
    try:
        info = folder.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
            return False
        descriptor = os.open(folder / MARK, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:  # gone meanwhile, not ours, or not marked: another program's
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # its run is alive
    finally:
        os.close(descriptor)
    return True
