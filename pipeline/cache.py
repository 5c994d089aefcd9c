"""A content-hash cache of per-file results, so that a re-run extracts only what changed.

It lives beside the output, in <parent of --out>/.albatts-cache/:

  entries/<key>.zip  one input's result (see cache_entry.py)
  index.json         the stat index: resolved path -> (device, inode, size, mtime, ctime)
                     and the sha256 a worker read there, so that the parent never opens an
                     input (see workers.py) and a hit costs a stat
  tmp/               entries and index being written, renamed into place when complete
  outputs/           what each output folder was last published from (freshness.py)

Entries and output records not used for KEEP_DAYS are removed, once a day at most (prune):
the folder does not grow for ever with the results of files long gone or code long
replaced. A hit refreshes its entry's modification time, which is what "used" means.

An entry's key is a hash of the file's sha256; of the name it is published under (a file
renamed or moved is extracted again: its name is in every issue's location and in the
tables, so a result is never renamed after the fact); of the code that extracts it (the
pipeline's version, a digest of its modules, the versions of the libraries that read and
check files); and of what its format's extraction reads besides the file (format_digest:
vocabularies, PDF layout, file size bound). Not of strictness, output formats, jobs or
limits: they do not change a file's own result (--strict is applied after, in
run.apply_strict).

Anything that cannot be read as a complete entry for its key (truncated, corrupt, planted)
is a miss, and is rebuilt. A folder that cannot be created or written is said once; the
run goes on without it.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.cache_entry import (
    READ_ERRORS,
    Entry,
    entry_to_parts,
    result_to_entry,
)
from pipeline.cache_key import (
    INDEX,
    Fingerprint,
    Record,
    Stamp,
    index_to_json,
    known_key,
    read_index,
    stamp_of,
)
from pipeline.codes import Code
from pipeline.formats import source_format
from pipeline.inputs import Input
from pipeline.model import FileResult
from pipeline.wire import K, Keep

if TYPE_CHECKING:
    from pipeline.shards import ArrowTables

# Verdicts given by the parent (limits, a dead worker, a bug) or about files not read: they
# depend on the run's limits and the machine, not on the file's bytes.
NOT_CACHED = frozenset(
    {
        Code.TIMEOUT,
        Code.MEMORY_LIMIT,
        Code.WORKER_DIED,
        Code.INTERNAL_ERROR,
        Code.UNREADABLE,
        Code.NOT_A_REGULAR_FILE,
        Code.FILE_TOO_LARGE,
        Code.SYMLINK_LOOP,
        Code.SYMLINK_OUTSIDE_INPUT,
    }
)
# Far above any entry (a text profile's is tens of KB, a PDF's pictures a few MB): a bigger
# file in the folder is not read.
MAX_ENTRY_BYTES = 256 * 2**20
# A temporary file this old was left by a run that was killed while writing it.
STALE_TEMP_NS = 3600 * 10**9
# Entries and output records unused for this long are removed, at most once a day.
KEEP_DAYS = 30
_DAY_NS = 86400 * 10**9
_PRUNED = "pruned"
_TAG = "CACHEDIR.TAG"


def cacheable(result: FileResult) -> bool:
    """Only what a worker made of a file's bytes (ok or rejected alike) is kept."""
    verdict = result.verdict
    return verdict.sha256 is not None and not any(
        issue.code in NOT_CACHED for issue in verdict.issues
    )


# --- the folder -------------------------------------------------------------------------


class ResultCache:
    """One run's use of the cache folder: looked up before extraction, written after."""

    def __init__(self, folder: Path, fingerprint: Fingerprint, say: Callable[[str], None]) -> None:
        self.folder = folder
        self.fingerprint = fingerprint
        self.hits = 0
        self._say = say
        # Taken before any stat of this run: the moment its records are trusted from.
        self._started_ns = time.time_ns()
        self._writable = True
        self._prepare()
        self._index = self._read_index()
        self._recorded: dict[str, Record] = {}

    def results(
        self,
        inputs: Sequence[Input],
        extract: Callable[[Sequence[Input], Keep[K]], list[K]],
        keep: Keep[K],
        progress: Callable[[Path], None] = lambda _path: None,
    ) -> list[K]:
        """Each input's result in order, as `keep` makes it: from the cache when its entry
        is there (its tables still in Arrow), else from extract (given the others, in
        order, and how to keep each result), each result stored as it arrives."""
        stamps = {each.name: stamp_of(each.path) for each in inputs}
        results: dict[int, K] = {}
        missed: list[int] = []
        for number, each in enumerate(inputs):
            entry = self._entry(each, stamps[each.name])
            if entry is None:
                missed.append(number)
                continue
            results[number] = keep(
                each, FileResult(entry.verdict, None, entry.pictures), entry.tables
            )
            progress(each.path)
        self.hits = len(inputs) - len(missed)

        def store(each: Input, result: FileResult, arrow: ArrowTables | None) -> K:
            self._store(each, stamps[each.name], result, arrow)
            return keep(each, result, arrow)

        fresh = extract([inputs[number] for number in missed], store)
        for number, result in zip(missed, fresh, strict=True):
            results[number] = result
        self._save_index()
        self._prune()
        return [results[number] for number in range(len(inputs))]

    def _entry(self, each: Input, stamp: Stamp | None) -> Entry | None:
        key = known_key(each, stamp, self._index, self.fingerprint)
        if key is None or stamp is None:
            return None
        try:
            with (self.folder / "entries" / f"{key}.zip").open("rb") as file:
                data = file.read(MAX_ENTRY_BYTES + 1)
            if len(data) > MAX_ENTRY_BYTES:
                return None
            entry = entry_to_parts(data, key)
        except READ_ERRORS:  # absent, truncated, corrupt: a miss, rebuilt by this run
            return None
        verdict = entry.verdict
        if verdict.sha256 != self._index[stamp.path].sha256 or verdict.source_file != each.name:
            return None
        with suppress(OSError):  # used: kept by prune for KEEP_DAYS more
            os.utime(self.folder / "entries" / f"{key}.zip")
        return entry

    def _store(
        self, each: Input, before: Stamp | None, result: FileResult, arrow: ArrowTables | None
    ) -> None:
        sha256 = result.verdict.sha256
        if not self._writable or before is None or sha256 is None or not cacheable(result):
            return
        # A file swapped or changed while the worker read it: the hash may be of either.
        if stamp_of(each.path) != before:
            return
        key = self.fingerprint.key(sha256, each.name, source_format(each.path))
        data = result_to_entry(result, key, arrow)
        if data is None or len(data) > MAX_ENTRY_BYTES:
            return
        try:
            write_atomically(self.folder / "entries" / f"{key}.zip", data, self.folder / "tmp")
        except OSError as error:
            self._cannot_write(error)
            return
        self._recorded[before.path] = Record(before, sha256, self._started_ns)

    def _prepare(self) -> None:
        """The folder ready for writing, stale temporary files gone (else said, once)."""
        try:
            # Its parent may not be there yet: it is the output's, made when it is written.
            self.folder.mkdir(parents=True, exist_ok=True)
            for folder in (self.folder / "entries", self.folder / "tmp"):
                folder.mkdir(exist_ok=True)
            tag = self.folder / _TAG
            if not tag.exists():
                tag.write_text(
                    "Signature: 8a477f597d28d172789f06886806bc55\n"
                    "# The albatts cache of per-file results: safe to delete.\n",
                    encoding="ascii",
                )
            self._remove_stale_temporaries()
        except OSError as error:
            self._cannot_write(error)

    def _prune(self) -> None:
        """Remove entries and output records unused for KEEP_DAYS, and index records of
        files that are gone; once a day at most, and never when the folder is not ours to
        write."""
        marker = self.folder / _PRUNED
        now = time.time_ns()
        with suppress(OSError):
            if not self._writable or marker.stat().st_mtime_ns > now - _DAY_NS:
                return
        try:
            marker.touch()
            old = now - KEEP_DAYS * _DAY_NS
            for folder, pattern in (("entries", "*.zip"), ("outputs", "*.json")):
                for each in (self.folder / folder).glob(pattern):
                    with suppress(OSError):  # another run may remove or refresh it first
                        if each.stat().st_mtime_ns < old:
                            each.unlink()
            live = {path: r for path, r in self._read_index().items() if Path(path).exists()}
            text = index_to_json(live.values())
            write_atomically(self.folder / INDEX, text.encode("ascii"), self.folder / "tmp")
        except OSError as error:
            self._cannot_write(error)

    def _remove_stale_temporaries(self) -> None:
        now = time.time_ns()
        for leftover in (self.folder / "tmp").iterdir():
            # Another run may remove it first, or still be writing a young one.
            with suppress(OSError):
                if leftover.stat().st_mtime_ns < now - STALE_TEMP_NS:
                    leftover.unlink()

    def _read_index(self) -> dict[str, Record]:
        return read_index(self.folder)

    def _save_index(self) -> None:
        if not self._recorded or not self._writable:
            return
        # Read again: a run at the same time may have recorded files since this one began.
        records = {**self._read_index(), **self._recorded}
        try:
            text = index_to_json(records.values())
            write_atomically(self.folder / INDEX, text.encode("ascii"), self.folder / "tmp")
        except OSError as error:
            self._cannot_write(error)

    def _cannot_write(self, error: OSError) -> None:
        if not self._writable:
            return
        self._writable = False
        self._say(
            f"cannot write the cache {self.folder} ({error.strerror or error}): this run "
            "goes on without caching its results"
        )


def write_atomically(target: Path, data: bytes, scratch: Path) -> None:
    """All or nothing: a reader sees the old file, the new one, or none, never a part, even
    when runs write the same file at once or one is killed while writing. scratch is a
    folder on the same file system, for the file being written."""
    descriptor, temporary = tempfile.mkstemp(dir=scratch, prefix=target.name)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        Path(temporary).replace(target)
    except BaseException:
        with suppress(OSError):
            Path(temporary).unlink()
        raise
