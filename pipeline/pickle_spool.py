"""Values pickled into an unnamed temporary file by position: each put as it comes (again to
replace it), each read back from disk when asked. Its holder keeps two numbers a position,
not the values. The file goes when the spool is closed or collected.

Light (no numpy): a re-run whose outputs are up to date answers with a spool of verdicts.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from array import array
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")


class PickleSpool(Generic[T]):
    """Values of `kind` by position; `count` positions to begin with, more as they are put."""

    def __init__(
        self, kind: type[T], count: int = 0, prefix: str = "albatts-", folder: Path | None = None
    ) -> None:
        self._kind = kind
        # Open for the spool's life; unnamed, so it goes with it whatever happens.
        self._file = tempfile.TemporaryFile(prefix=prefix, dir=folder)  # noqa: SIM115
        self._at = array("q", [-1]) * count  # where each value starts (-1: none yet)
        self._size = array("q", [0]) * count
        self._end = 0

    def __len__(self) -> int:
        return len(self._at)

    def put(self, position: int, value: T) -> None:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        os.pwrite(self._file.fileno(), data, self._end)
        if position >= len(self._at):
            missing = position + 1 - len(self._at)
            self._at.extend([-1] * missing)
            self._size.extend([0] * missing)
        self._at[position], self._size[position] = self._end, len(data)
        self._end += len(data)

    def get(self, position: int) -> T:
        at, size = self._at[position], self._size[position]
        if at < 0:
            raise LookupError(f"no {self._kind.__name__} was put at position {position}")
        value = pickle.loads(os.pread(self._file.fileno(), size, at))
        assert isinstance(value, self._kind)
        return value

    def close(self) -> None:
        self._file.close()
