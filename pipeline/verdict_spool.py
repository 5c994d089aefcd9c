"""Each input's verdict on disk from the moment it arrives: a run holds a few bytes per input
(where its verdict is, whether it is ok, whether it warns), not the verdicts, whose issues
cost kilobytes each in memory; so a run's memory does not grow with its inputs' problems.

The file is an unnamed temporary file: it goes when the spool is closed or collected.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from array import array
from collections.abc import Iterator, Sequence
from typing import overload

from pipeline.model import Verdict


class VerdictSpool(Sequence[Verdict]):
    """The verdicts of `count` inputs by position, each put once it is known (and put again
    when a check across inputs changes it). Reading one reads it back from disk."""

    def __init__(self, count: int) -> None:
        # Open for the spool's life; unnamed, so it goes with it whatever happens.
        self._file = tempfile.TemporaryFile(prefix="albatts-verdicts-")  # noqa: SIM115
        # Light (no numpy): a re-run whose outputs are up to date answers with one.
        self._at = array("q", [-1]) * count
        self._size = array("q", [0]) * count
        self._ok = bytearray(count)
        self._warns = bytearray(count)
        self._end = 0

    def put(self, position: int, verdict: Verdict) -> None:
        data = pickle.dumps(verdict, protocol=pickle.HIGHEST_PROTOCOL)
        os.pwrite(self._file.fileno(), data, self._end)
        self._at[position], self._size[position] = self._end, len(data)
        self._ok[position] = verdict.status == "ok"
        self._warns[position] = bool(verdict.warnings)
        self._end += len(data)

    def ok(self) -> set[int]:
        """The positions of the ok verdicts."""
        return {position for position, ok in enumerate(self._ok) if ok}

    def ok_with_warnings(self) -> set[int]:
        return {position for position in self.ok() if self._warns[position]}

    def close(self) -> None:
        self._file.close()

    def __len__(self) -> int:
        return len(self._at)

    @overload
    def __getitem__(self, position: int) -> Verdict: ...

    @overload
    def __getitem__(self, position: slice) -> Sequence[Verdict]: ...

    def __getitem__(self, position: int | slice) -> Verdict | Sequence[Verdict]:
        if isinstance(position, slice):
            return [self[each] for each in range(len(self))[position]]
        at, size = self._at[position], self._size[position]
        if at < 0:
            raise LookupError(f"no verdict was put at position {position}")
        verdict = pickle.loads(os.pread(self._file.fileno(), size, at))
        assert isinstance(verdict, Verdict)
        return verdict

    def __iter__(self) -> Iterator[Verdict]:
        for position in range(len(self)):
            yield self[position]

    def __eq__(self, other: object) -> bool:
        """Equal to a sequence of the same verdicts in the same order (a tuple, another
        spool)."""
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # equal by content, which changes with put
