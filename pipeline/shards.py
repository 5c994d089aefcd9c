"""A run's tables on disk as its results arrive, read back as one dataset in profile_id
order: the parent keeps a few numbers per input (its profile_id, its run, its rows per
table), never the rows nor their keys, so its memory stays flat however many profiles a run
holds.

Results are buffered as Arrow and written, once SPILL_BYTES have gathered, as one sorted
run: a Parquet file per table, the files' rows in (profile_id, input) order, and beside it
each row's key hash, input and row number, sorted by hash. The dataset is read back by
merging the runs (every run is in the dataset's order already), CHUNK_PROFILES profiles at
a time, skipping the inputs that the checks across files rejected. A run is open from its
first profile in the dataset's order to its last; when more than MAX_RUNS would be open at
once, the shortest of those open together are first merged into one (each table in files
of PART_ROW_GROUPS row groups, so that a reader's Parquet footer does not grow with the
corpus). Inputs that
arrive about in profile_id order (files named as their titles) make runs that follow each
other, which are read one after the other without a merge. The keys shared across
inputs are found a range of hashes at a time (about KEY_ROWS rows in memory), each run's
part read from its key file.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import itertools
import math
import os
import shutil
import tempfile
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from types import TracebackType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.contract.tables import TABLES, primary_key
from pipeline.defaults import FORMATS
from pipeline.disk import cannot_write
from pipeline.encoded import PartsSpool
from pipeline.model import FileResult, PagePicture
from pipeline.stages.tables import Tables, records_to_frame

# Arrow bytes buffered before they are written as a run: a run's sort and write then cost a
# bounded, small multiple of this, whatever the number of profiles.
SPILL_BYTES = 16 * 2**20
# What a buffered row counts for until a run of its table has been written (then the
# average row of the runs so far): Arrow's nbytes of every file's slices cost the run as
# much as storing them.
FIRST_ROW_BYTES = 256
# Profiles per chunk of the merged dataset (the writers' unit).
CHUNK_PROFILES = 250
# Rows a run's reader holds per table at a time.
READ_ROWS = 1024
# Key hashes checked together, about: 16 bytes a row on disk (with their input and row),
# about 90 while checked (the sort's copies). At 2**21 the check held 160 MB at 100,000
# profiles, the run's peak.
KEY_ROWS = 2**19
# Runs open at once: an open run holds a row group of each table (most of a megabyte). The
# dataset is read with at most this many open; runs that would be are merged first.
MAX_RUNS = 16
# Row groups in each file of a merged run. A Parquet reader holds its file's footer, about
# 9 KB a row group of READ_ROWS rows: a merged run in one file per table held the footers
# of all its row groups (30 MB a file of 4,000), so the parent's memory grew with the
# corpus. In files of this many row groups, a reader holds one file's footer at a time.
PART_ROW_GROUPS = 32
_KEY_ENTRY = np.dtype([("hash", "<u8"), ("owner", "<i4"), ("row", "<i4")])
# The ranges of hashes a run's key file is cut into (a power of two): the checks read a
# few of them at a time.
KEY_BUCKETS = 256
_HELD = ".held"
ArrowTables = Mapping[str, pa.Table]
_KIND = ".shards-"


@cache
def shard_schema(table: str) -> pa.Schema:
    """The Arrow schema of a table as profile_to_tables builds it (the pandas metadata
    included, so that a frame read back has the same dtypes)."""
    return pa.Table.from_pandas(records_to_frame(table, []), preserve_index=False).schema


def frames_to_arrow(tables: Mapping[str, pd.DataFrame]) -> ArrowTables:
    return {
        name: pa.Table.from_pandas(tables[name], schema=shard_schema(name), preserve_index=False)
        for name in TABLES
    }


def arrow_to_frame(table: str, data: pa.Table) -> pd.DataFrame:
    return data.replace_schema_metadata(shard_schema(table).metadata).to_pandas()


@dataclass
class _Run:
    folder: Path
    owners: list[int]  # the inputs of the run, in its order
    # Each table's files, in order: one for a run as written, a merged run's parts.
    files: Mapping[str, Sequence[Path]]
    readers: dict[str, _Reader] = field(default_factory=dict)

    def reader(self, table: str) -> _Reader:
        if table not in self.readers:
            self.readers[table] = _Reader(self.files[table])
        return self.readers[table]


def _batches(paths: Sequence[Path]) -> Iterator[pa.RecordBatch]:
    for path in paths:
        # Without pyarrow's pre-buffering, which reads a stretch of row groups ahead: 30 MB
        # a reader, with one open for each table of every run.
        yield from pq.ParquetFile(path, pre_buffer=False).iter_batches(batch_size=READ_ROWS)


class _Reader:
    """A run's table read front to back, a few thousand rows at a time, a file after the
    other (each opened once the one before is read)."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self._batches = _batches(paths)
        self._held: deque[pa.RecordBatch] = deque()

    def take(self, count: int) -> list[pa.RecordBatch]:
        taken: list[pa.RecordBatch] = []
        while count:
            if not self._held:
                self._held.append(next(self._batches))
            head = self._held[0]
            if head.num_rows <= count:
                taken.append(self._held.popleft())
                count -= head.num_rows
            else:
                taken.append(head.slice(0, count))
                self._held[0] = head.slice(count)
                count = 0
        return taken


@dataclass(frozen=True)
class SharedKey:
    """A primary key that more than one input gives (see ShardStore.shared_keys)."""

    order: tuple[int, int, int]
    table: str
    values: tuple[object, ...]
    owners: frozenset[int]


class ShardStore:
    """The tables of one run's results, in a folder beside the output (same disk) that is
    removed when the store closes. A run that is killed leaves it behind: the next run on
    the same output removes it (remove_abandoned), since no process holds it any more.
    A disk that refuses a write is the steward's error (disk.cannot_write), as for the
    outputs."""

    def __init__(self, out_dir: Path, formats: Sequence[str] = FORMATS) -> None:
        self._out_dir = out_dir
        target = out_dir.resolve()  # beside what a symlinked --out points at, as write does
        with self._writing():
            target.parent.mkdir(parents=True, exist_ok=True)
            self.folder = Path(tempfile.mkdtemp(prefix=f".{target.name}{_KIND}", dir=target.parent))
            self._held = os.open(self.folder / _HELD, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            fcntl.flock(self._held, fcntl.LOCK_EX)
            # Each input's share of the published CSV and JSON, encoded as it arrives.
            self.parts = PartsSpool(self.folder, formats)
        self._buffer: list[tuple[str, int, dict[str, pa.Table]]] = []
        self._buffered = 0.0
        # Per table: the bytes and rows written as runs so far (see FIRST_ROW_BYTES).
        self._written = {name: [0, 0] for name in TABLES}
        self._runs: list[_Run] = []
        self._merges = 0  # rounds of _merge_runs so far
        # Per table, per run: where each range of hashes starts in its key file.
        self._key_cuts: dict[str, list[np.ndarray]] = {name: [] for name in TABLES}
        # Per input with tables: its profile_id, its run, its rows per table.
        self.profile_ids: dict[int, str] = {}
        self._run_of: dict[int, int] = {}
        self._rows: dict[int, tuple[int, ...]] = {}
        # Per input with pictures: each one's page and caption (the PNGs are on disk).
        self._pictured: dict[int, list[tuple[int, str]]] = {}

    def __enter__(self) -> ShardStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        for run in self._runs:
            run.readers.clear()
        self.parts.close()
        shutil.rmtree(self.folder, ignore_errors=True)
        with suppress(OSError):
            os.close(self._held)

    def add(self, owner: int, profile_id: str, tables: ArrowTables) -> None:
        """The tables of input number `owner`, an ok result's (each in shard_schema)."""
        self.profile_ids[owner] = profile_id
        with self._writing():
            self.parts.add(owner, tables)
        rows = self._rows[owner] = tuple(tables[name].num_rows for name in TABLES)
        self._buffer.append((profile_id, owner, dict(tables)))
        self._buffered += sum(
            count * self._row_bytes(name) for name, count in zip(TABLES, rows, strict=True)
        )
        if self._buffered >= SPILL_BYTES:
            self.flush()

    def _row_bytes(self, table: str) -> float:
        written, rows = self._written[table]
        return written / rows if rows else FIRST_ROW_BYTES

    def keep(self, owner: int, result: FileResult, arrow: ArrowTables | None = None) -> FileResult:
        """Input number `owner`'s result with its tables (as frames, or else `arrow`) and
        its pictures moved into the store."""
        if result.tables is not None:
            arrow = frames_to_arrow(result.tables)
        if arrow is not None:
            self.add(owner, result.verdict.profile_id or "", arrow)
        if result.pictures:
            self.add_pictures(owner, result.pictures)
        return replace(result, tables=None, pictures=())

    def add_pictures(self, owner: int, pictures: Sequence[PagePicture]) -> None:
        """The page pictures of input number `owner`, kept on disk until the report."""
        folder = self.folder / "pictures" / str(owner)
        with self._writing():
            folder.mkdir(parents=True, exist_ok=True)
            for number, picture in enumerate(pictures):
                (folder / f"{number}.png").write_bytes(picture.png)
        self._pictured[owner] = [(picture.page, picture.caption) for picture in pictures]

    def pictured(self) -> list[int]:
        """The inputs with page pictures, in order."""
        return sorted(self._pictured)

    def pictures(self, names: Mapping[int, str]) -> Mapping[str, Sequence[PagePicture]]:
        """The pictures of the inputs, by the name of each (names[owner]); each read from
        disk when asked for (the report shows a few)."""
        return _PicturesOnDisk(
            {names[owner]: owner for owner in self._pictured if owner in names}, self
        )

    def read_pictures(self, owner: int) -> tuple[PagePicture, ...]:
        folder = self.folder / "pictures" / str(owner)
        return tuple(
            PagePicture(page, (folder / f"{number}.png").read_bytes(), caption)
            for number, (page, caption) in enumerate(self._pictured[owner])
        )

    def flush(self) -> None:
        """Write what is buffered as one run, sorted as the dataset is."""
        if not self._buffer:
            return
        with self._writing():
            self._write_run()
        release_memory()

    @contextmanager
    def _writing(self) -> Iterator[None]:
        try:
            yield
        except OSError as error:
            raise cannot_write(error, self._out_dir) from error

    def _write_run(self) -> None:
        self._buffer.sort(key=lambda each: (each[0], each[1]))
        number = len(self._runs)
        folder = self.folder / f"run-{number:05d}"
        folder.mkdir()
        owners = [owner for _pid, owner, _tables in self._buffer]
        files = {name: [folder / f"{name}.parquet"] for name in TABLES}
        for position, name in enumerate(TABLES):
            # One chunk, not one per input: hashing and writing a column of thousands of
            # chunks costs three times as much.
            data = pa.concat_tables(
                [tables[name] for _pid, _owner, tables in self._buffer]
            ).combine_chunks()
            pq.write_table(data, files[name][0], row_group_size=READ_ROWS)
            self._written[name][0] += data.nbytes
            self._written[name][1] += data.num_rows
            sizes = [self._rows[owner][position] for owner in owners]
            self._index(name, data, np.repeat(np.array(owners, dtype=np.int64), sizes), folder)
        for owner in owners:
            self._run_of[owner] = number
        self._runs.append(_Run(folder, owners, files))
        self._buffer, self._buffered = [], 0.0

    def _index(self, table: str, data: pa.Table, owners: np.ndarray, folder: Path) -> None:
        """Each row's key hash, input and row number in the run, sorted by hash, on disk."""
        key = data.select(list(primary_key(table))).to_pandas()
        entries = np.empty(len(owners), dtype=_KEY_ENTRY)
        entries["hash"] = pd.util.hash_pandas_object(key, index=False).to_numpy()
        entries["owner"] = owners
        entries["row"] = np.arange(len(owners))
        entries.sort(order="hash", kind="stable")
        entries.tofile(folder / f"{table}.keys")
        # Where each of the KEY_BUCKETS ranges of hashes starts, and the end.
        cuts = np.searchsorted(entries["hash"], _bucket_edges(KEY_BUCKETS))
        self._key_cuts[table].append(np.concatenate(([0], cuts, [len(entries)])))

    def shared_keys(self, among: set[int]) -> list[SharedKey]:
        """Each primary key that more than one of these inputs gives, exactly (hashes find
        the candidates, their values decide), ordered as a reading of the inputs one by one
        (each table in turn, rows in order) meets them."""
        self.flush()
        if self._merges:
            raise RuntimeError("shared_keys after chunks: the runs' key files are gone")
        shared: list[SharedKey] = []
        chosen = np.array(sorted(among), dtype=np.int32)
        for position, table in enumerate(TABLES):
            for runs, entries in self._key_ranges(table):
                kept = np.isin(entries["owner"], chosen)
                runs, entries = runs[kept], entries[kept]
                candidates = _repeated_across_owners(entries["hash"], entries["owner"])
                if not len(candidates):
                    continue
                owners, rows = entries["owner"][candidates], entries["row"][candidates]
                values = self._key_values(table, runs[candidates], rows)
                # Reading order: input by input; within an input, its rows in document order.
                seen: dict[tuple[object, ...], tuple[int, int, set[int]]] = {}
                for at in np.lexsort((rows, owners)).tolist():
                    owner, row = int(owners[at]), int(rows[at])
                    seen.setdefault(values[at], (owner, row, set()))[2].add(owner)
                shared += [
                    SharedKey((first, position, row), table, key, frozenset(found))
                    for key, (first, row, found) in seen.items()
                    if len(found) > 1
                ]
        return sorted(shared, key=lambda each: each.order)

    def _key_ranges(self, table: str) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The table's key entries of every run (with each one's run), a range of hashes at
        a time: every entry of a hash is in the same range, and a range holds about
        KEY_ROWS entries (each run's part of it read from its file, the rest left there)."""
        cuts = self._key_cuts[table]
        total = sum(int(run_cuts[-1]) for run_cuts in cuts)
        if not total:
            return
        ranges = min(KEY_BUCKETS, 1 << max(0, math.ceil(math.log2(total / KEY_ROWS))))
        step = KEY_BUCKETS // ranges
        for first in range(0, KEY_BUCKETS, step):
            # Joined as they are read: no part outlives the join, nor is the range held here
            # while it is checked.
            yield _joined(
                [
                    np.fromfile(
                        run.folder / f"{table}.keys",
                        dtype=_KEY_ENTRY,
                        count=int(run_cuts[first + step] - run_cuts[first]),
                        offset=int(run_cuts[first]) * _KEY_ENTRY.itemsize,
                    )
                    for run, run_cuts in zip(self._runs, cuts, strict=True)
                ]
            )

    def _key_values(
        self, table: str, runs: np.ndarray, rows: np.ndarray
    ) -> list[tuple[object, ...]]:
        values: list[tuple[object, ...]] = [() for _ in range(len(runs))]
        key = list(primary_key(table))
        for run in np.unique(runs).tolist():
            at = np.flatnonzero(runs == run)
            [path] = self._runs[run].files[table]  # a run as written: merged ones have no keys
            found = pq.read_table(path, columns=key).take(pa.array(rows[at]))
            columns = [found[name].to_pylist() for name in key]
            for slot, row in zip(at.tolist(), zip(*columns, strict=True), strict=True):
                values[slot] = tuple(row)
        return values

    def rows(self, inputs: set[int]) -> dict[str, int]:
        """Rows per table of these inputs together."""
        totals = np.zeros(len(TABLES), dtype=np.int64)
        for owner in inputs:
            totals += self._rows[owner]
        return {name: int(total) for name, total in zip(TABLES, totals, strict=True)}

    def chunks(self, inputs: set[int], size: int | None = None) -> Iterator[ArrowTables]:
        """The tables of these inputs in profile_id order (rows of a profile in document
        order), `size` (CHUNK_PROFILES) profiles at a time, as Arrow tables of shard_schema
        (arrow_to_frame makes frames of them). Once only: the runs are read front to back."""
        self.flush()
        self._merge_runs()
        size = size or CHUNK_PROFILES
        ordered = self.in_order(inputs)
        # Where each run's reading stands: the next of its inputs to read; and the last of
        # its inputs that is published, after which its readers are closed.
        next_of = [0] * len(self._runs)
        last_of = {self._run_of[owner]: owner for owner in ordered}
        for start in range(0, len(ordered), size):
            batches: dict[str, list[pa.RecordBatch]] = {name: [] for name in TABLES}
            # Inputs next to each other in a run and in the dataset are read at once.
            for number, owners in itertools.groupby(
                ordered[start : start + size], key=self._run_of.__getitem__
            ):
                run = self._runs[number]
                rows = np.zeros(len(TABLES), dtype=np.int64)
                for owner in owners:
                    # Skip the rows of the run's inputs that are not published.
                    while run.owners[next_of[number]] != owner:
                        self._read(run, rows, batches)
                        rows[:] = 0
                        self._take(run, run.owners[next_of[number]])
                        next_of[number] += 1
                    rows += self._rows[owner]
                    next_of[number] += 1
                self._read(run, rows, batches)
                if run.owners[next_of[number] - 1] == last_of[number]:
                    run.readers.clear()  # the rows taken stay with the chunk
            yield {
                name: pa.Table.from_batches(batches[name], schema=shard_schema(name))
                for name in TABLES
            }
            release_memory()

    def published_documents(self, kept: set[int]) -> Path:
        """The folder of the JSON documents of these inputs' profiles, and of no other's."""
        return self.parts.published_documents(
            profile_id for owner, profile_id in self.profile_ids.items() if owner not in kept
        )

    def in_order(self, inputs: set[int]) -> list[int]:
        """These inputs in the dataset's order: by profile_id, then by position."""
        return sorted(inputs, key=lambda owner: (self.profile_ids[owner], owner))

    def _merge_runs(self) -> None:
        """Merge runs into longer ones until reading the dataset holds at most MAX_RUNS
        open at once, however many results the run gathered: a run is open from its first
        input in the dataset's order to its last. Where the most are open, the shortest of
        them are merged, no more than it takes: every row merged is read and written once
        more, and a run that overlaps too few others is left as it is. The key files are
        not carried over: shared_keys comes first."""
        order = self.in_order(set(self._run_of))
        place = dict(zip(order, range(len(order)), strict=True))
        while True:
            spans = [(place[run.owners[0]], place[run.owners[-1]]) for run in self._runs]
            most, deepest = _deepest(spans)
            if most <= MAX_RUNS:
                return
            there = [at for at, (first, last) in enumerate(spans) if first <= deepest <= last]
            merging = min(max(MAX_RUNS, 2), most - MAX_RUNS + 1)
            chosen = set(sorted(there, key=lambda at: len(self._runs[at].owners))[:merging])
            group = [run for at, run in enumerate(self._runs) if at in chosen]
            kept = [run for at, run in enumerate(self._runs) if at not in chosen]
            self._runs = [*kept, self._merged(group, len(kept))]
            for number, run in enumerate(self._runs):
                for owner in run.owners:
                    self._run_of[owner] = number
            self._merges += 1

    def _merged(self, group: list[_Run], number: int) -> _Run:
        """One run of the group's rows, in the dataset's order; the group's folders removed."""
        owners = self.in_order({owner for run in group for owner in run.owners})
        folder = self.folder / f"merge-{self._merges:03d}-{number:05d}"
        with self._writing():
            folder.mkdir()
            writers = {name: _PartsWriter(folder, name) for name in TABLES}
            pending: dict[str, list[pa.RecordBatch]] = {name: [] for name in TABLES}
            where = {owner: run for run in group for owner in run.owners}
            try:
                for owner in owners:
                    for name, taken in self._take(where[owner], owner).items():
                        pending[name] += taken
                        if sum(batch.num_rows for batch in pending[name]) >= READ_ROWS:
                            writers[name].write(pending[name])
                            pending[name] = []
                for name in TABLES:
                    writers[name].write(pending[name])
            finally:
                for writer in writers.values():
                    writer.close()
            for run in group:
                run.readers.clear()
                shutil.rmtree(run.folder)
        return _Run(folder, owners, {name: writer.paths for name, writer in writers.items()})

    def _read(self, run: _Run, rows: np.ndarray, into: dict[str, list[pa.RecordBatch]]) -> None:
        """The run's next `rows` rows of each table, added to `into`."""
        for name, count in zip(TABLES, rows.tolist(), strict=True):
            into[name] += run.reader(name).take(count)

    def _take(self, run: _Run, owner: int) -> dict[str, list[pa.RecordBatch]]:
        return {
            name: run.reader(name).take(count)
            for name, count in zip(TABLES, self._rows[owner], strict=True)
        }


def _joined(parts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The number of the part each entry comes from, and the parts' entries together."""
    sizes = [len(part) for part in parts]
    return np.repeat(np.arange(len(parts), dtype=np.int32), sizes), np.concatenate(parts)


def _deepest(spans: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """The most of these spans (first and last place, each place in one span only) that
    are open at once, and a place where they are (-1 without spans)."""
    ends = sorted(last for _first, last in spans)
    ended = most = 0
    where = -1
    for opened, first in enumerate(sorted(first for first, _last in spans), start=1):
        while ends[ended] < first:
            ended += 1
        if opened - ended > most:
            most, where = opened - ended, first
    return most, where


@cache
def _bucket_edges(buckets: int) -> np.ndarray:
    """The first hash of each range but the first, of `buckets` equal ranges."""
    return np.array([(2**64 // buckets) * at for at in range(1, buckets)], dtype=np.uint64)


class _PartsWriter:
    """A merged run's table, written in files of about PART_ROW_GROUPS row groups of up
    to READ_ROWS rows (`paths`, in order; none for a table without rows)."""

    def __init__(self, folder: Path, table: str) -> None:
        self._folder, self._table = folder, table
        self.paths: list[Path] = []
        self._writer: pq.ParquetWriter | None = None
        self._groups = 0

    def write(self, batches: list[pa.RecordBatch]) -> None:
        if not batches:
            return
        if self._writer is None or self._groups >= PART_ROW_GROUPS:
            self.close()
            path = self._folder / f"{self._table}.{len(self.paths):05d}.parquet"
            self._writer = pq.ParquetWriter(path, shard_schema(self._table))
            self.paths.append(path)
        rows = pa.Table.from_batches(batches)
        self._writer.write_table(rows, row_group_size=READ_ROWS)
        self._groups += math.ceil(rows.num_rows / READ_ROWS)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer, self._groups = None, 0


class _PicturesOnDisk(Mapping[str, Sequence[PagePicture]]):
    def __init__(self, owners: dict[str, int], store: ShardStore) -> None:
        self._owners = owners
        self._store = store

    def __getitem__(self, name: str) -> Sequence[PagePicture]:
        return self._store.read_pictures(self._owners[name])

    def __contains__(self, name: object) -> bool:
        return name in self._owners

    def __iter__(self) -> Iterator[str]:
        return iter(self._owners)

    def __len__(self) -> int:
        return len(self._owners)


def _repeated_across_owners(hashes: np.ndarray, owners: np.ndarray) -> np.ndarray:
    """The positions of the rows whose hash other rows share, from another input among
    them (a key one input repeats is that input's own error, told by its contract)."""
    if not len(hashes):
        return np.array([], dtype=np.int64)
    order = np.argsort(hashes, kind="stable")
    sorted_hashes, sorted_owners = hashes[order], owners[order]
    starts = np.flatnonzero(np.r_[True, sorted_hashes[1:] != sorted_hashes[:-1]])
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(hashes)]))
    low = np.minimum.reduceat(sorted_owners, starts)
    high = np.maximum.reduceat(sorted_owners, starts)
    mixed = (low != high)[group]
    return np.sort(order[mixed])


def release_memory() -> None:
    """Give the memory freed since back to the system: Arrow's pool keeps what it freed for
    later, and glibc keeps freed heap below its top; either way the peak would grow with
    the number of profiles passed through, not with those held."""
    pa.default_memory_pool().release_unused()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _glibc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return None
    return libc


_LIBC = _glibc()


def remove_abandoned(out_dir: Path) -> None:
    """Remove the shard folders of runs on out_dir that ended without removing them (killed):
    a folder whose .held file no process locks any more."""
    parent = out_dir.parent
    if not parent.is_dir():
        return
    prefix = f".{out_dir.name}{_KIND}"
    for folder in parent.iterdir():
        if not folder.name.startswith(prefix) or not folder.is_dir():
            continue
        try:
            descriptor = os.open(folder / _HELD, os.O_RDWR | os.O_CLOEXEC)
        except OSError:
            continue  # being created, or not ours
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # a run is using it
        finally:
            os.close(descriptor)
        shutil.rmtree(folder, ignore_errors=True)


def empty_tables() -> Tables:
    return {name: records_to_frame(name, []) for name in TABLES}
