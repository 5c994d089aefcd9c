"""The cache of per-file results: what it reuses, what it never trusts, and that a run with
it publishes exactly what a run without it does."""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import shutil
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import pipeline
import pipeline.cache as cache_module
import pipeline.cache_key as cache_key_module
import pipeline.workers as workers_module
from pipeline import freshness
from pipeline.cache import NOT_CACHED, cacheable, write_atomically
from pipeline.cache_entry import entry_to_parts, result_to_entry
from pipeline.cache_key import CACHE_FOLDER, Record, Stamp, fingerprint, trusted
from pipeline.codes import Code
from pipeline.contract.vocabulary import FOLDER_VARIABLE, vocabulary_folder
from pipeline.discover import discover_inputs
from pipeline.extract.pdf_model import PdfLayout
from pipeline.inputs import Input
from pipeline.model import FileResult, Issue, Location, Verdict
from pipeline.outcome import RunReport
from pipeline.process import process_file
from pipeline.run import run
from pipeline.settings import Settings
from pipeline.shards import arrow_to_frame
from pipeline.workers import Limits
from tests.conftest import AUTHORED, EXAMPLES, SEED, invoke

PDF = EXAMPLES / "battery-recycling-plant-operators.pdf"
OPERATOR = AUTHORED / "battery-cell-production-operator.txt"
NOT_A_PROFILE = "Just some notes, no tables at all.\n"


@pytest.fixture(autouse=True)
def trust_fresh_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """The files a test writes are a moment old when its run stats them: under the racy
    rule (2 s) every one would be extracted again. The tests of that rule set it back."""
    monkeypatch.setattr(cache_key_module, "RACY_NS", 0)


@pytest.fixture(autouse=True)
def always_publish(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are of the per-file cache: a re-run here must reach it, not stop at the
    up-to-date outputs (tests/test_freshness.py)."""
    monkeypatch.setattr(freshness, "up_to_date", lambda *_args: None)


@dataclass
class Runs:
    """run() in this process, recording the inputs each run handed to an executor."""

    tmp_path: Path
    dispatched: list[list[str]] = field(default_factory=list)
    said: list[str] = field(default_factory=list)

    def __call__(
        self, inputs: Sequence[Path], out: str = "out", **options: Any
    ) -> tuple[RunReport, list[str]]:
        """The run's report, and the names of the files it extracted (not from the cache)."""
        before = len(self.dispatched)
        settings = Settings(
            out_dir=self.tmp_path / out, limits=options.pop("limits", None), **options
        )
        report = run(discover_inputs(inputs), settings, say=self.said.append)
        return report, sorted(name for call in self.dispatched[before:] for name in call)


@pytest.fixture
def runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Runs:
    recorder = Runs(tmp_path)
    for name in ("process_in_process", "process_isolated"):
        original = getattr(workers_module, name)

        def counted(
            inputs: Sequence[Input], *args: Any, original: Any = original, **kwargs: Any
        ) -> list[FileResult]:
            recorder.dispatched.append([each.name for each in inputs])
            return list(original(inputs, *args, **kwargs))

        monkeypatch.setattr(workers_module, name, counted)
    return recorder


def inbox(tmp_path: Path, *files: tuple[str, bytes]) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir(exist_ok=True)
    for name, data in files:
        (folder / name).write_bytes(data)
    return folder


def entries(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / CACHE_FOLDER / "entries").glob("*.zip"))


def published(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


# --- hits and misses ------------------------------------------------------------------


@pytest.mark.parametrize("limits", [None, Limits(jobs=2)], ids=["in-process", "workers"])
def test_an_unchanged_file_is_not_extracted_again(
    runs: Runs, tmp_path: Path, limits: Limits | None
) -> None:
    folder = inbox(
        tmp_path,
        ("seed.txt", SEED.read_bytes()),
        ("operator.txt", OPERATOR.read_bytes()),
        ("notes.txt", NOT_A_PROFILE.encode()),
    )
    first, extracted = runs([folder], "first", limits=limits)
    assert extracted == ["notes.txt", "operator.txt", "seed.txt"]
    assert first.from_cache == 0
    again, extracted = runs([folder], "again", limits=limits)
    assert extracted == []  # no worker was even started
    assert again.from_cache == 3
    assert again.verdicts == first.verdicts
    assert [v.status for v in again.verdicts] == ["rejected", "ok", "ok"]
    for name, frame in first.tables.items():
        pd.testing.assert_frame_equal(again.tables[name], frame, check_exact=True)


def test_outputs_are_byte_identical_with_and_without_the_cache(runs: Runs, tmp_path: Path) -> None:
    # A text profile, a PDF with warnings and page pictures, and a rejected file.
    folder = inbox(
        tmp_path,
        ("seed.txt", SEED.read_bytes()),
        ("plant.pdf", PDF.read_bytes()),
        ("notes.txt", NOT_A_PROFILE.encode()),
    )
    runs([folder], "uncached", cache=False)
    _, extracted = runs([folder], "cold")
    assert extracted == ["notes.txt", "plant.pdf", "seed.txt"]
    warm, extracted = runs([folder], "warm")
    assert extracted == []
    assert warm.from_cache == 3
    uncached = published(tmp_path / "uncached")
    assert any(name.startswith("csv/") for name in uncached)
    assert any(name.startswith("json/profiles/") for name in uncached)
    assert published(tmp_path / "cold") == uncached
    assert published(tmp_path / "warm") == uncached


def test_a_changed_file_is_extracted_again_and_only_it(runs: Runs, tmp_path: Path) -> None:
    folder = inbox(
        tmp_path, ("seed.txt", SEED.read_bytes()), ("operator.txt", OPERATOR.read_bytes())
    )
    runs([folder])
    seed = folder / "seed.txt"
    before = seed.stat()
    # Same size, in place: only the content (and so the ctime) tells.
    seed.write_bytes(
        SEED.read_bytes().replace(b"embedded systems engineer", b"embedded systems ENGINEER")
    )
    assert seed.stat().st_size == before.st_size
    os.utime(seed, ns=(before.st_atime_ns, before.st_mtime_ns))
    report, extracted = runs([folder])
    assert extracted == ["seed.txt"]
    assert report.from_cache == 1
    descriptions = report.tables["profiles"].set_index("source_file")["description"]
    assert "ENGINEER" in descriptions["seed.txt"]


def test_a_renamed_file_is_extracted_under_its_new_name(runs: Runs, tmp_path: Path) -> None:
    folder = inbox(tmp_path, ("seed.txt", SEED.read_bytes()))
    runs([folder])
    (folder / "seed.txt").rename(folder / "renamed.txt")
    report, extracted = runs([folder])
    assert extracted == ["renamed.txt"]
    assert [v.source_file for v in report.verdicts] == ["renamed.txt"]
    assert {issue.location.file for issue in report.verdicts[0].issues} == {"renamed.txt"}
    assert set(report.tables["profiles"]["source_file"]) == {"renamed.txt"}


def test_a_new_pipeline_version_extracts_every_file_again(
    runs: Runs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = inbox(tmp_path, ("seed.txt", SEED.read_bytes()), ("notes.txt", NOT_A_PROFILE.encode()))
    runs([folder])
    monkeypatch.setattr(pipeline, "__version__", "99.0.0")
    _, extracted = runs([folder])
    assert extracted == ["notes.txt", "seed.txt"]
    _, extracted = runs([folder])
    assert extracted == []


@pytest.mark.parametrize(
    ("vocabulary", "invalidated"),
    [
        # Read by the PDF layout only (ESCO labels open with one of these verbs).
        ("esco_skill_verbs.txt", ["plant.pdf"]),
        # Read by the normalisation and the contract of every format.
        ("departments.txt", ["plant.pdf", "seed.txt"]),
    ],
)
def test_a_vocabulary_edit_invalidates_exactly_the_entries_of_formats_that_read_it(
    runs: Runs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    vocabulary: str,
    invalidated: list[str],
) -> None:
    folder, _shown = vocabulary_folder()
    copy = tmp_path / "vocab"
    shutil.copytree(str(folder), copy)
    monkeypatch.setenv(FOLDER_VARIABLE, str(copy))
    inputs = inbox(tmp_path, ("seed.txt", SEED.read_bytes()), ("plant.pdf", PDF.read_bytes()))
    runs([inputs])
    with (copy / vocabulary).open("a", encoding="utf-8") as file:
        file.write("# a steward's note: the terms are unchanged, the file is not\n")
    report, extracted = runs([inputs])
    assert extracted == invalidated
    assert report.from_cache == 2 - len(invalidated)


def test_strictness_is_applied_to_a_cached_result(runs: Runs, tmp_path: Path) -> None:
    folder = inbox(tmp_path, ("seed.txt", SEED.read_bytes()))
    first, _ = runs([folder])
    [lenient] = first.verdicts
    assert lenient.status == "ok" and lenient.warnings
    report, extracted = runs([folder], strict=True)
    assert extracted == []
    [strict] = report.verdicts
    assert strict.status == "rejected"
    assert not strict.warnings and len(strict.errors) == len(lenient.issues)


def test_extraction_settings_are_in_the_key_of_the_formats_that_read_them() -> None:
    base = fingerprint(PdfLayout(), 100)
    narrow = fingerprint(PdfLayout(column_gap=0.9), 100)
    smaller = fingerprint(PdfLayout(), 50)
    sha = "0" * 64
    assert narrow.key(sha, "a.txt", "text") == base.key(sha, "a.txt", "text")
    assert narrow.key(sha, "a.pdf", "pdf") != base.key(sha, "a.pdf", "pdf")
    assert smaller.key(sha, "a.txt", "text") != base.key(sha, "a.txt", "text")
    assert smaller.key(sha, "a.pdf", "pdf") != base.key(sha, "a.pdf", "pdf")
    assert base.key(sha, "b.txt", "text") != base.key(sha, "a.txt", "text")


# --- what is never trusted ----------------------------------------------------------------


def _verdict(*codes: Code, sha256: str | None = "0" * 64) -> FileResult:
    issues = tuple(Issue("extract", "what happened", Location("a.txt"), code=c) for c in codes)
    return FileResult(Verdict("a.txt", sha256, "text", "rejected", None, issues), None)


@pytest.mark.parametrize("code", sorted(NOT_CACHED))
def test_a_verdict_that_depends_on_the_run_is_not_cached(code: Code) -> None:
    assert not cacheable(_verdict(code))


@pytest.mark.parametrize(
    ("result", "kept"),
    [
        pytest.param(_verdict(Code.NOT_A_PROFILE), True, id="rejected-for-its-content"),
        pytest.param(_verdict(Code.EMPTY_FILE), True, id="empty-file"),
        pytest.param(_verdict(Code.NOT_A_PROFILE, sha256=None), False, id="not-read"),
    ],
)
def test_what_a_worker_made_of_the_bytes_is_cached(result: FileResult, kept: bool) -> None:
    assert cacheable(result) is kept


def test_an_internal_error_is_extracted_again_next_run(
    runs: Runs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = inbox(tmp_path, ("seed.txt", SEED.read_bytes()))

    def bug(*_args: Any, **_kwargs: Any) -> FileResult:
        raise RuntimeError("a bug")

    with monkeypatch.context() as patched:
        patched.setattr("pipeline.workers.process_file", bug)
        broken, _ = runs([folder])
    [verdict] = broken.verdicts
    assert verdict.errors[0].code == Code.INTERNAL_ERROR
    assert entries(tmp_path) == []
    report, extracted = runs([folder])
    assert extracted == ["seed.txt"]
    assert report.verdicts[0].status == "ok"


STAMP = Stamp("/in/a.txt", 1, 2, 300, mtime_ns=10**18, ctime_ns=10**18)


@pytest.mark.parametrize(
    ("stamp", "recorded_ns", "expected"),
    [
        pytest.param(STAMP, 10**18 + 3 * 10**9, True, id="changed-well-before-the-record"),
        pytest.param(STAMP, 10**18 + 10**9, False, id="changed-just-before-the-record"),
        pytest.param(STAMP, 10**18 - 10**9, False, id="changed-after-the-record"),
        pytest.param(replace(STAMP, size=301), 10**18 + 3 * 10**9, False, id="other-size"),
        pytest.param(replace(STAMP, ctime_ns=10**18 + 1), 10**18 + 3 * 10**9, False, id="ctime"),
        pytest.param(replace(STAMP, inode=3), 10**18 + 3 * 10**9, False, id="other-inode"),
    ],
)
def test_a_stat_record_is_trusted_only_for_an_old_enough_identical_stamp(
    monkeypatch: pytest.MonkeyPatch, stamp: Stamp, recorded_ns: int, expected: bool
) -> None:
    monkeypatch.setattr(cache_key_module, "RACY_NS", 2 * 10**9)
    assert trusted(Record(STAMP, "0" * 64, recorded_ns), stamp) is expected


def test_a_file_written_just_before_the_run_is_extracted_again(
    runs: Runs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_key_module, "RACY_NS", 2 * 10**9)
    folder = inbox(tmp_path, ("seed.txt", SEED.read_bytes()))
    runs([folder])
    # It may have changed in the same clock tick as the stat that recorded it.
    _, extracted = runs([folder])
    assert extracted == ["seed.txt"]


# --- damage -----------------------------------------------------------------------------


def _deflated(entry: Path) -> bytes:
    """The same members, compressed: a shape a decompression bomb could take."""
    with zipfile.ZipFile(entry) as original:
        members = [(info.filename, original.read(info)) for info in original.infolist()]
    copy = io.BytesIO()
    with zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as deflated:
        for name, data in members:
            deflated.writestr(name, data)
    return copy.getvalue()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda entry: b"", id="empty"),
        pytest.param(lambda entry: entry.read_bytes()[: entry.stat().st_size // 2], id="truncated"),
        pytest.param(lambda entry: entry.read_bytes()[:-30], id="truncated-end"),
        pytest.param(lambda entry: b"\x00" * entry.stat().st_size, id="zeroed"),
        pytest.param(
            lambda entry: entry.read_bytes().replace(b"seed.txt", b"seed.TXT"), id="flipped-bytes"
        ),
        pytest.param(_deflated, id="compressed-members"),
    ],
)
def test_a_damaged_entry_is_ignored_and_rebuilt(
    runs: Runs, tmp_path: Path, damage: Callable[[Path], bytes]
) -> None:
    folder = inbox(tmp_path, ("seed.txt", SEED.read_bytes()))
    first, _ = runs([folder])
    [entry] = entries(tmp_path)
    good = entry.read_bytes()
    entry.write_bytes(damage(entry))
    report, extracted = runs([folder])
    assert extracted == ["seed.txt"]
    assert report.verdicts == first.verdicts
    assert entry.read_bytes() == good
    _, extracted = runs([folder])
    assert extracted == []


def test_an_entry_under_another_files_key_is_not_used(runs: Runs, tmp_path: Path) -> None:
    folder = inbox(
        tmp_path, ("seed.txt", SEED.read_bytes()), ("operator.txt", OPERATOR.read_bytes())
    )
    runs([folder])
    one, other = entries(tmp_path)
    one.write_bytes(other.read_bytes())
    report, extracted = runs([folder])
    assert len(extracted) == 1
    assert sorted(v.source_file for v in report.verdicts) == ["operator.txt", "seed.txt"]


def test_a_damaged_index_is_a_miss_and_is_rebuilt(runs: Runs, tmp_path: Path) -> None:
    folder = inbox(tmp_path, ("seed.txt", SEED.read_bytes()))
    runs([folder])
    (tmp_path / CACHE_FOLDER / "index.json").write_text('{"cache_format": 1, "files": [')
    _, extracted = runs([folder])
    assert extracted == ["seed.txt"]
    _, extracted = runs([folder])
    assert extracted == []


def test_an_interrupted_write_leaves_neither_an_entry_nor_a_temporary_file(
    runs: Runs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = inbox(tmp_path, ("seed.txt", SEED.read_bytes()))

    def interrupted(_descriptor: int) -> None:  # Ctrl-C after the write, before the rename
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(os, "fsync", interrupted)
        with pytest.raises(KeyboardInterrupt):
            runs([folder])
    assert entries(tmp_path) == []
    assert list((tmp_path / CACHE_FOLDER / "tmp").iterdir()) == []
    _, extracted = runs([folder])
    assert extracted == ["seed.txt"]


def test_a_killed_writers_temporary_file_is_never_read_and_is_cleared_once_stale(
    runs: Runs, tmp_path: Path
) -> None:
    folder = inbox(tmp_path, ("seed.txt", SEED.read_bytes()))
    runs([folder])
    [entry] = entries(tmp_path)
    # What a writer killed between its write and its rename leaves: a complete file in
    # tmp/ and no entry (here from a run long ago, and from one maybe still writing).
    scratch = tmp_path / CACHE_FOLDER / "tmp"
    stale, young = scratch / f"{entry.name}old", scratch / f"{entry.name}new"
    entry.rename(stale)
    shutil.copy(stale, young)
    os.utime(stale, ns=(0, 0))
    _, extracted = runs([folder])
    assert extracted == ["seed.txt"]
    assert sorted(scratch.iterdir()) == [young]
    assert entries(tmp_path) == [entry]


# --- the folder ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "block",
    [
        pytest.param(lambda cache: cache.write_text("a file"), id="cache-is-a-file"),
        pytest.param(
            lambda cache: (cache.mkdir(), (cache / "entries").write_text("a file")),
            id="entries-is-a-file",
        ),
        pytest.param(
            lambda cache: (cache.mkdir(), (cache / "tmp").write_text("a file")),
            id="tmp-is-a-file",
        ),
    ],
)
def test_a_cache_folder_that_cannot_be_written_does_not_fail_the_run(
    runs: Runs, tmp_path: Path, block: Callable[[Path], object]
) -> None:
    folder = inbox(
        tmp_path, ("seed.txt", SEED.read_bytes()), ("operator.txt", OPERATOR.read_bytes())
    )
    block(tmp_path / CACHE_FOLDER)
    report, extracted = runs([folder])
    assert extracted == ["operator.txt", "seed.txt"]
    assert [v.status for v in report.verdicts] == ["ok", "ok"] and report.published
    assert (tmp_path / "out" / "manifest.json").is_file()
    [said] = runs.said
    assert said.startswith(f"cannot write the cache {tmp_path / CACHE_FOLDER} (")
    _, extracted = runs([folder])
    assert extracted == ["operator.txt", "seed.txt"]


def test_an_out_in_a_folder_yet_to_be_made_has_its_cache_beside_it(
    runs: Runs, tmp_path: Path
) -> None:
    folder = inbox(tmp_path, ("seed.txt", SEED.read_bytes()))
    runs([folder], "releases/2025/out")
    _, extracted = runs([folder], "releases/2025/out")
    assert extracted == []
    assert runs.said == []
    assert sorted(p.name for p in (tmp_path / "releases" / "2025").iterdir()) == [
        CACHE_FOLDER,
        "out",
    ]


def test_a_full_disk_under_the_cache_is_said_once_and_the_run_goes_on(
    runs: Runs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = inbox(
        tmp_path, ("seed.txt", SEED.read_bytes()), ("operator.txt", OPERATOR.read_bytes())
    )

    def full(_target: Path, _data: bytes, _scratch: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache_module, "write_atomically", full)
    report, _ = runs([folder])
    assert report.published and [v.status for v in report.verdicts] == ["ok", "ok"]
    assert runs.said == [
        f"cannot write the cache {tmp_path / CACHE_FOLDER} (No space left on device): this "
        "run goes on without caching its results"
    ]
    assert entries(tmp_path) == []


def test_no_cache_neither_reads_nor_writes_the_cache(runs: Runs, tmp_path: Path) -> None:
    folder = inbox(tmp_path, ("seed.txt", SEED.read_bytes()))
    out = str(tmp_path / "out")
    code, _ = invoke("extract", str(folder), "--out", out, "--jobs", "0", "--no-cache")
    assert code == 0
    assert not (tmp_path / CACHE_FOLDER).exists()
    assert runs.dispatched == [["seed.txt"]]
    invoke("extract", str(folder), "--out", out, "--jobs", "0")
    cached = _snapshot(tmp_path / CACHE_FOLDER)
    assert any(name.startswith("entries/") for name in cached)
    code, _ = invoke("extract", str(folder), "--out", out, "--jobs", "0", "--no-cache")
    assert code == 0
    assert runs.dispatched == [["seed.txt"]] * 3
    assert _snapshot(tmp_path / CACHE_FOLDER) == cached
    invoke("extract", str(folder), "--out", out, "--jobs", "0")
    assert runs.dispatched == [["seed.txt"]] * 3


def _snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
        for p in folder.rglob("*")
        if p.is_file()
    }


def _write_many(target: str, data: bytes, times: int) -> None:
    for _ in range(times):
        write_atomically(Path(target), data, Path(target).parent.parent / "tmp")


def test_concurrent_writers_of_one_entry_never_leave_a_part_of_one(tmp_path: Path) -> None:
    # Each writer writes its own valid version of the same entry: a mix of two, or a part
    # of one, would not read back.
    result = process_file(SEED)
    key = "k" * 64
    versions = {}
    for number in range(3):
        note = Issue(
            "normalise",
            f"written by writer {number}",
            Location("seed.txt"),
            code=Code.BAD_ROW,
            severity="warning",
        )
        verdict = replace(result.verdict, issues=(*result.verdict.issues, note))
        data = result_to_entry(replace(result, verdict=verdict), key)
        assert data is not None
        versions[data] = verdict
    for folder in ("entries", "tmp"):
        (tmp_path / folder).mkdir()
    target = tmp_path / "entries" / f"{key}.zip"
    context = multiprocessing.get_context("spawn")
    writers = [
        context.Process(target=_write_many, args=(str(target), data, 150)) for data in versions
    ]
    for writer in writers:
        writer.start()
    while any(writer.is_alive() for writer in writers):
        try:
            data = target.read_bytes()
        except FileNotFoundError:
            continue
        assert entry_to_parts(data, key).verdict in versions.values()
    for writer in writers:
        writer.join()
        assert writer.exitcode == 0
    assert target.read_bytes() in versions
    assert list((tmp_path / "tmp").iterdir()) == []


# --- an entry -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_result() -> FileResult:
    return process_file(PDF)


def test_an_entry_gives_back_the_result_exactly(pdf_result: FileResult) -> None:
    assert pdf_result.pictures and pdf_result.tables is not None
    entry = entry_to_parts(result_to_entry(pdf_result, "key") or b"", "key")
    assert entry.verdict == pdf_result.verdict
    assert entry.pictures == pdf_result.pictures
    assert entry.tables is not None
    tables = {name: arrow_to_frame(name, data) for name, data in entry.tables.items()}
    for name, frame in pdf_result.tables.items():
        assert tables[name].dtypes.tolist() == frame.dtypes.tolist()
        pd.testing.assert_frame_equal(tables[name], frame, check_exact=True)


def test_an_entry_is_read_only_for_its_own_key(pdf_result: FileResult) -> None:
    data = result_to_entry(pdf_result, "key") or b""
    with pytest.raises(ValueError, match="another key"):
        entry_to_parts(data, "other key")


def test_entries_and_records_unused_for_a_month_are_pruned_once_a_day(
    runs: Runs, tmp_path: Path
) -> None:
    folder = inbox(tmp_path, ("seed.txt", SEED.read_bytes()), ("op.txt", OPERATOR.read_bytes()))
    runs([folder])
    cache = tmp_path / CACHE_FOLDER
    used, unused = entries(tmp_path)
    planted = cache / "entries" / ("0" * 64 + ".zip")
    planted.write_bytes(b"an entry of a file long gone")
    record = cache / "outputs" / ("0" * 64 + ".json")
    record.parent.mkdir(exist_ok=True)
    record.write_text("{}", encoding="ascii")
    long_ago = time.time() - (cache_module.KEEP_DAYS + 1) * 86400
    for path in (used, unused, planted, record):
        os.utime(path, (long_ago, long_ago))
    (cache / "pruned").unlink()  # the first run pruned (nothing) today

    (folder / "op.txt").unlink()  # op.txt's entry is then unused by the next run
    runs([folder])
    assert not planted.exists() and not record.exists()
    assert [path.exists() for path in (used, unused)].count(True) == 1  # seed.txt's, refreshed
    index = json.loads((cache / "index.json").read_text(encoding="ascii"))
    assert [Path(path).name for path in index["files"]] == ["seed.txt"]

    planted.write_bytes(b"planted again")
    os.utime(planted, (long_ago, long_ago))
    runs([folder])
    assert planted.exists()  # pruned at most once a day
