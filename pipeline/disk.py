"""What the output's disk refuses (no permission, read-only, full), as StewardErrors: one
line that names the folder or file and what to do, and an exit code of its own."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

from pipeline.errors import StewardError
from pipeline.exits import EXIT_CANT_CREATE, EXIT_IO_ERROR

# pyarrow puts the errno in its message only: "... Detail: [errno 28] No space left on device".
_ERRNO_IN_MESSAGE = re.compile(r"\[errno (\d+)\]", re.IGNORECASE)
_REFUSED = {errno.EACCES, errno.EPERM}
_FULL = {errno.ENOSPC, errno.EDQUOT}


def error_number(error: OSError) -> int | None:
    if error.errno is not None:
        return error.errno
    found = _ERRNO_IN_MESSAGE.search(str(error))
    return int(found[1]) if found else None


def cannot_write(error: OSError, out_dir: Path, folder: Path | None = None) -> StewardError:
    """The steward's message for an OSError met while creating or replacing out_dir (the
    writer has already put the previous output back, if there was one); `folder` when it
    is a folder that refused, not a file."""
    number = error_number(error)
    if folder is not None:
        where, inside = f"in {folder}", folder
    elif error.filename:
        where, inside = str(error.filename), Path(str(error.filename)).parent
    else:
        where, inside = f"the outputs beside {out_dir}", out_dir.parent
    kept = f"{out_dir} was left as it was" if os.path.lexists(out_dir) else "nothing was written"
    if number in _REFUSED:
        return StewardError(
            f"cannot write {where}: permission denied; give this user write access to "
            f"{inside}, or choose another --out ({kept})",
            EXIT_CANT_CREATE,
        )
    if number == errno.EROFS:
        return StewardError(
            f"cannot write {where}: the file system is read-only; choose an --out on a "
            f"writable disk ({kept})",
            EXIT_CANT_CREATE,
        )
    if number in _FULL:
        what = "the disk quota is exceeded" if number == errno.EDQUOT else "the disk is full"
        return StewardError(
            f"{what}: writing {where} failed; free some space on that disk, or choose an "
            f"--out on another disk ({kept})",
            EXIT_IO_ERROR,
        )
    reason = os.strerror(number) if number is not None else str(error)
    return StewardError(
        f"cannot write {where} ({reason}); check the disk, or choose another --out ({kept})",
        EXIT_IO_ERROR,
    )


def check_writable(out_dir: Path) -> None:
    """Refuse, before any work, an --out this run could not create or replace: the outputs
    are built, locked and swapped in the folder that holds it (made if missing), so the
    nearest folder above it that exists must be writable."""
    folder = out_dir.resolve().parent
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    effective = os.access in os.supports_effective_ids
    if os.access(folder, os.W_OK | os.X_OK, effective_ids=effective):
        return
    number = errno.EROFS if _read_only(folder) else errno.EACCES
    raise cannot_write(OSError(number, os.strerror(number)), out_dir, folder)


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False
