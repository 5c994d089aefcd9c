"""Property: whatever the bytes, a file ends as `ok` or as a clean rejection.

Mutated seed-format texts go through process_file in this process (it must never raise);
mutated PDFs go through the worker pool with limits (it must never hang, crash or report an
internal error). The number of examples is bounded so CI stays fast.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.process import process_file
from pipeline.wire import with_frames
from pipeline.workers import Limits, process_isolated
from tests.conftest import EXAMPLES, SEED

SEED_BYTES = SEED.read_bytes()
SAMPLE_PDF = (EXAMPLES / "battery-recycling-plant-operators.pdf").read_bytes()
QUIRKY = ["\t", "\n", "\r\n", " - ", "<ul>", "&amp;", "–", "•", "(", ")", ";", "/", "\x00", "é"]


@st.composite
def mutated_text(draw: st.DrawFn) -> bytes:
    lines = SEED_BYTES.decode("utf-8").split("\n")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(0, len(lines) - 1)))
        action = draw(st.sampled_from(["drop", "repeat", "insert", "edit", "cut"]))
        if action == "drop" and lines:
            del lines[at]
        elif action == "repeat" and lines:
            lines.insert(at, lines[at])
        elif action == "insert":
            piece = draw(st.one_of(st.text(max_size=40), st.sampled_from(QUIRKY)))
            lines.insert(at, piece)
        elif action == "edit" and lines and lines[at]:
            where = draw(st.integers(0, len(lines[at]) - 1))
            piece = draw(st.one_of(st.text(max_size=5), st.sampled_from(QUIRKY)))
            lines[at] = lines[at][:where] + piece + lines[at][where + 1 :]
        elif action == "cut":
            lines = lines[:at]
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "cp1252", "latin-1"]))
    return "\n".join(lines).encode(encoding, errors="replace")


@st.composite
def mutated_pdf(draw: st.DrawFn) -> bytes:
    data = bytearray(SAMPLE_PDF)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "duplicate"]))
        if action == "flip":
            data[at] ^= draw(st.integers(1, 255))
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 256))]
        elif action == "truncate":
            del data[at:]
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 2048))]
        if not data:
            break
    return bytes(data)


def assert_clean(verdict_status: str, issues: tuple) -> None:
    assert verdict_status in ("ok", "rejected")
    for issue in issues:
        assert issue.message and issue.location.file
        assert not issue.message.startswith("internal error"), issue.debug
    if verdict_status == "rejected":
        assert any(issue.severity == "error" and issue.hint for issue in issues)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=mutated_text())
def test_mutated_text_is_ok_or_cleanly_rejected(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "mutated.txt"
    path.write_bytes(data)
    result = process_file(path)
    assert_clean(result.verdict.status, result.verdict.issues)
    assert (result.tables is not None) == (result.verdict.status == "ok")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=mutated_pdf())
def test_mutated_pdf_is_ok_or_cleanly_rejected(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "mutated.pdf"
    path.write_bytes(data)
    [result] = process_isolated(
        [path], Limits(timeout_s=30, max_memory_mb=1024, jobs=1), keep=with_frames
    )
    assert_clean(result.verdict.status, result.verdict.issues)


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.9, 0.999])
def test_truncated_sample_pdf_is_a_clean_rejection(cut: float, tmp_path: Path) -> None:
    path = tmp_path / "cut.pdf"
    path.write_bytes(SAMPLE_PDF[: int(len(SAMPLE_PDF) * cut)])
    [result] = process_isolated(
        [path], Limits(timeout_s=30, max_memory_mb=1024, jobs=1), keep=with_frames
    )
    assert result.verdict.status == "rejected"
    assert_clean(result.verdict.status, result.verdict.issues)
