"""Each input's verdict on disk from the moment it arrives: a run holds a few bytes per input
(where its verdict is, whether it is ok, whether it warns), not the verdicts, whose issues
cost kilobytes each in memory; so a run's memory does not grow with its inputs' problems.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

from pipeline.model import Verdict
from pipeline.pickle_spool import PickleSpool


class VerdictSpool(Sequence[Verdict]):
    """The verdicts of `count` inputs by position, each put once it is known (and put again
    when a check across inputs changes it). Reading one reads it back from disk."""

    def __init__(self, count: int) -> None:
        self._verdicts = PickleSpool(Verdict, count, prefix="albatts-verdicts-")
        self._ok = bytearray(count)
        self._warns = bytearray(count)

    def put(self, position: int, verdict: Verdict) -> None:
        if not 0 <= position < len(self):
            raise IndexError(f"position {position} is not one of the {len(self)} inputs")
        self._verdicts.put(position, verdict)
        self._ok[position] = verdict.status == "ok"
        self._warns[position] = bool(verdict.warnings)

    def ok(self) -> set[int]:
        """The positions of the ok verdicts."""
        return {position for position, ok in enumerate(self._ok) if ok}

    def ok_with_warnings(self) -> set[int]:
        return {position for position in self.ok() if self._warns[position]}

    def close(self) -> None:
        self._verdicts.close()

    def __len__(self) -> int:
        return len(self._verdicts)

    @overload
    def __getitem__(self, position: int) -> Verdict: ...

    @overload
    def __getitem__(self, position: slice) -> Sequence[Verdict]: ...

    def __getitem__(self, position: int | slice) -> Verdict | Sequence[Verdict]:
        if isinstance(position, slice):
            return [self[each] for each in range(len(self))[position]]
        return self._verdicts.get(position)

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
