"""Rows gathered for the end of a run, on disk instead of in memory: what the report lists
of every input and every profile (a line each, about a kilobyte per input as Python holds
it), read back once, in order, as the report renders.

The file is an unnamed temporary file: it goes when the spool is closed or collected.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

Row = dict[str, Any]

# Rows are written and read in blocks of about this many bytes.
_BLOCK = 1 << 20
_LENGTH = 4  # bytes of each row's length before it


class RowSpool:
    """Rows appended in order and read back in that order, as often as asked; its length
    is the number of rows (what the report's template asks besides the rows)."""

    def __init__(self) -> None:
        # Open for the spool's life; unnamed, so it goes with it whatever happens.
        self._file = tempfile.TemporaryFile(prefix="albatts-rows-")  # noqa: SIM115
        self._pending = bytearray()
        self._end = 0
        self._count = 0

    def append(self, row: Row) -> None:
        data = pickle.dumps(row, protocol=pickle.HIGHEST_PROTOCOL)
        self._pending += len(data).to_bytes(_LENGTH, "little") + data
        self._count += 1
        if len(self._pending) >= _BLOCK:
            self._write()

    def extend(self, rows: Iterable[Row]) -> None:
        for row in rows:
            self.append(row)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Row]:
        self._write()
        held, start, at = b"", 0, 0
        for _ in range(self._count):
            held, start, at = self._holding(held, start, at, _LENGTH)
            size = int.from_bytes(held[start : start + _LENGTH], "little")
            held, start, at = self._holding(held, start, at, _LENGTH + size)
            yield pickle.loads(memoryview(held)[start + _LENGTH : start + _LENGTH + size])
            start += _LENGTH + size

    def _holding(self, held: bytes, start: int, at: int, needed: int) -> tuple[bytes, int, int]:
        """held[start:] with at least `needed` bytes, the file read on from `at` if it has
        fewer: (held, start, at) again."""
        if len(held) - start >= needed:
            return held, start, at
        parts = [held[start:]]
        have = len(parts[0])
        while have < needed:
            block = os.pread(self._file.fileno(), max(_BLOCK, needed - have), at)
            if not block:
                raise EOFError(f"row spool {self._file.name}: a row is cut short")
            parts.append(block)
            have, at = have + len(block), at + len(block)
        return b"".join(parts), 0, at

    def _write(self) -> None:
        if self._pending:
            os.pwrite(self._file.fileno(), self._pending, self._end)
            self._end += len(self._pending)
            self._pending = bytearray()
