"""The verdicts of a run on disk: read back as they were put, in input order, whatever order
they arrived in, without the run holding them."""

from __future__ import annotations

import gc
import tracemalloc

import pytest

from pipeline.codes import Code
from pipeline.model import Issue, Location, Verdict
from pipeline.verdict_spool import VerdictSpool


def verdict(number: int, status: str = "ok", warnings: int = 0) -> Verdict:
    file = f"profile-{number:05d}.txt"
    issues = tuple(
        Issue(
            "normalise",
            f"competence #{each} has no ESCO skills",
            Location(file, line=40 + each, table="competence_esco_skills"),
            "add the matching ESCO skill labels to the ESCO column",
            severity="warning",
            code=Code.NO_ESCO_SKILLS,
        )
        for each in range(warnings)
    )
    return Verdict(file, "0" * 64, "text", status, f"profile-{number}", issues)  # type: ignore[arg-type]


def test_verdicts_read_back_in_input_order_whatever_order_they_were_put_in() -> None:
    given = [verdict(0), verdict(1, "rejected"), verdict(2, warnings=2), verdict(3)]
    spool = VerdictSpool(len(given))
    for position in (2, 0, 3, 1):
        spool.put(position, given[position])
    assert list(spool) == given
    assert spool[2] == given[2]
    assert spool[1:3] == given[1:3]
    assert spool == tuple(given)
    assert spool.ok() == {0, 2, 3}
    assert spool.ok_with_warnings() == {2}


def test_a_verdict_put_again_replaces_the_first() -> None:
    spool = VerdictSpool(2)
    spool.put(0, verdict(0, warnings=1))
    spool.put(1, verdict(1))
    rejected = verdict(0, "rejected", warnings=1)
    spool.put(0, rejected)
    assert spool[0] == rejected
    assert spool.ok() == {1}
    assert spool.ok_with_warnings() == set()


def test_a_position_without_a_verdict_says_so() -> None:
    spool = VerdictSpool(2)
    spool.put(0, verdict(0))
    with pytest.raises(LookupError, match="position 1"):
        spool[1]


def test_the_spool_holds_a_few_bytes_per_verdict_not_the_verdicts() -> None:
    """Verdicts made, put and let go: what stays in memory is tens of bytes each (their
    place on disk, two flags), not the few kilobytes of a verdict with its issues."""
    count = 2000
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        spool = VerdictSpool(count)
        for number in range(count):
            spool.put(number, verdict(number, warnings=4))
        gc.collect()  # what the verdicts left in reference cycles
        grown = sum(
            stat.size_diff for stat in tracemalloc.take_snapshot().compare_to(before, "filename")
        )
    finally:
        tracemalloc.stop()
    assert grown < 64 * count
    assert spool[count - 1] == verdict(count - 1, warnings=4)
