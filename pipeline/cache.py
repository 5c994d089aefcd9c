"""A content-hash cache of per-file results, so that a re-run extracts only what changed.

It lives beside the output, in <parent of --out>/.albatts-cache/:

  entries/<key>.zip  one input's result (see cache_entry.py)
  index.json         the stat index: resolved path -> (device, inode, size, mtime, ctime)
                     and the sha256 a worker read there, so that the parent never opens an
                     input (see workers.py) and a hit costs a stat
  tmp/               entries and index being written, renamed into place when complete

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

import hashlib
import json
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, fields
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import get_args

import pipeline
from pipeline.cache_entry import (
    READ_ERRORS,
    CorruptEntry,
    Entry,
    arrow_to_tables,
    entry_to_parts,
    result_to_entry,
)
from pipeline.codes import Code
from pipeline.contract.vocabulary import vocabulary_hashes
from pipeline.extract import source_format
from pipeline.extract.pdf_model import PdfLayout
from pipeline.model import SourceFormat
from pipeline.process import FileResult, Input

CACHE_FOLDER = ".albatts-cache"
# Raised when the key or the index changes meaning: older entries are then misses.
CACHE_FORMAT = 1
# A stat record is not trusted when the file changed this close to the moment it was
# recorded (git's "racy" rule): a write within the same timestamp tick after the stat would
# leave size, mtime and ctime as they were. Generous, for file systems with coarse clocks.
RACY_NS = 2_000_000_000
# Vocabularies that only the PDF layout reads (pipeline/extract/pdf_model.py): editing one
# invalidates PDF entries only. Every other file is in every format's key, so a vocabulary
# added later errs on the side of a miss.
PDF_ONLY_VOCABULARIES = frozenset({"esco_skill_verbs.txt"})
# Libraries whose version can change what a file gives (reading, pictures, checks, ids).
LIBRARIES = (
    "anyascii",
    "pandas",
    "pandera",
    "pdfminer.six",
    "pdfplumber",
    "pillow",
    "pypdfium2",
    "pyspellchecker",
)
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
_INDEX = "index.json"
_TAG = "CACHEDIR.TAG"


# --- the key ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Fingerprint:
    """What a file's result depends on besides its bytes and its name, as digests."""

    code: str
    # By source format (the suffix's): what that format's extraction reads besides the file.
    formats: Mapping[str, str]

    def key(self, sha256: str, name: str, fmt: SourceFormat | None) -> str:
        return _digest(
            {
                "cache_format": CACHE_FORMAT,
                "code": self.code,
                # A file of no known format is rejected for its suffix, reading nothing.
                "reads": self.formats.get(fmt or "", ""),
                "format": fmt,
                "name": name,
                "sha256": sha256,
            }
        )


def fingerprint(layout: PdfLayout, max_file_mb: int) -> Fingerprint:
    """This run's fingerprint: reads the vocabularies and the pipeline's modules."""
    hashes = vocabulary_hashes()
    return Fingerprint(
        code_digest(),
        {fmt: format_digest(hashes, layout, max_file_mb, fmt) for fmt in get_args(SourceFormat)},
    )


def format_digest(
    vocabularies: Mapping[str, str], layout: PdfLayout, max_file_mb: int, fmt: SourceFormat
) -> str:
    """The vocabulary files and settings a format's extraction reads: every vocabulary but
    the PDF layout's own for the other formats; every PdfLayout field (those added later
    too) for PDFs only, the one format read with it; the file size bound for all."""
    pdf = fmt == "pdf"
    skipped = frozenset() if pdf else PDF_ONLY_VOCABULARIES
    return _digest(
        {
            "vocabularies": {
                name: value for name, value in vocabularies.items() if name not in skipped
            },
            "layout": (
                {each.name: _plain(getattr(layout, each.name)) for each in fields(layout)}
                if pdf
                else None
            ),
            "max_file_mb": max_file_mb,
        }
    )


def code_digest() -> str:
    # The version is read at each call (tests change it); the rest cannot change in a process.
    return _digest(
        {"version": pipeline.__version__, "modules": _modules_digest(), "libraries": _libraries()}
    )


@cache
def _modules_digest() -> str:
    """The pipeline's own code: an edit without a version bump (a developer's tree, a
    goldens run) must not reuse results of the code before it."""
    root = Path(pipeline.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@cache
def _libraries() -> dict[str, str]:
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def _plain(value: object) -> object:
    if isinstance(value, frozenset | set):
        return sorted(value, key=repr)
    if isinstance(value, tuple):
        return [_plain(each) for each in value]
    return value


def _digest(data: object) -> str:
    # repr for anything JSON lacks: at worst an unstable digest, i.e. a miss, never a wrong hit.
    text = json.dumps(data, sort_keys=True, ensure_ascii=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def cacheable(result: FileResult) -> bool:
    """Only what a worker made of a file's bytes (ok or rejected alike) is kept."""
    verdict = result.verdict
    return verdict.sha256 is not None and not any(
        issue.code in NOT_CACHED for issue in verdict.issues
    )


# --- the stat index -----------------------------------------------------------------------


@dataclass(frozen=True)
class Stamp:
    """What stat says of a regular file; a write changes at least its ctime, which no one
    can set back."""

    path: str
    device: int
    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int


@dataclass(frozen=True)
class Record:
    """The sha256 a worker read at a stamp, and when the stamp was taken."""

    stamp: Stamp
    sha256: str
    recorded_ns: int


def stamp_of(path: Path) -> Stamp | None:
    """The stamp of the regular file a path leads to; None for anything else (a FIFO, a
    device, a missing file: the worker gives those their verdict). Never opens the file."""
    try:
        resolved = path.resolve(strict=True)
        info = resolved.stat()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop before Python 3.13
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return Stamp(
        str(resolved), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns
    )


def trusted(record: Record, stamp: Stamp) -> bool:
    """Whether a record says what the file at stamp holds: the same stamp, and a file last
    changed well before the record was taken (else it may have changed since, unseen)."""
    changed = max(stamp.mtime_ns, stamp.ctime_ns)
    return record.stamp == stamp and changed < record.recorded_ns - RACY_NS


def index_to_json(records: Iterable[Record]) -> str:
    files = {
        record.stamp.path: [
            record.stamp.device,
            record.stamp.inode,
            record.stamp.size,
            record.stamp.mtime_ns,
            record.stamp.ctime_ns,
            record.recorded_ns,
            record.sha256,
        ]
        for record in records
    }
    return json.dumps({"cache_format": CACHE_FORMAT, "files": files}, ensure_ascii=True)


def json_to_index(text: str) -> dict[str, Record]:
    """The records of an index file; a damaged file or record counts as absent."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("cache_format") != CACHE_FORMAT:
        return {}
    files = data.get("files")
    records = {}
    for path, values in files.items() if isinstance(files, dict) else ():
        if (
            isinstance(values, list)
            and len(values) == 7
            and all(_is_int(value) for value in values[:6])
            and isinstance(values[6], str)
        ):
            stamp = Stamp(path, *values[:5])
            records[path] = Record(stamp, values[6], values[5])
    return records


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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
        extract: Callable[[Sequence[Input]], list[FileResult]],
        progress: Callable[[Path], None] = lambda _path: None,
    ) -> list[FileResult]:
        """Each input's result in order: from the cache when its entry is there, else from
        extract (given the others, in order), whose results are then stored."""
        stamps = [stamp_of(each.path) for each in inputs]
        found = self._hits(inputs, stamps)
        for each, hit in zip(inputs, found, strict=True):
            if hit is not None:
                progress(each.path)
        missed = [each for each, hit in zip(inputs, found, strict=True) if hit is None]
        fresh = iter(extract(missed))
        results = []
        for each, stamp, hit in zip(inputs, stamps, found, strict=True):
            if hit is None:
                hit = next(fresh)
                self._store(each, stamp, hit)
            results.append(hit)
        self._save_index()
        self.hits = sum(hit is not None for hit in found)
        return results

    def _hits(
        self, inputs: Sequence[Input], stamps: Sequence[Stamp | None]
    ) -> list[FileResult | None]:
        entries = [self._entry(each, stamp) for each, stamp in zip(inputs, stamps, strict=True)]
        with_tables = [
            entry.tables for entry in entries if entry is not None and entry.tables is not None
        ]
        try:
            converted = iter(arrow_to_tables(with_tables))
        except CorruptEntry:  # not met with checked entries: then extract them all afresh
            return [None for _ in inputs]
        return [
            FileResult(
                entry.verdict,
                next(converted) if entry.tables is not None else None,
                entry.pictures,
            )
            if entry is not None
            else None
            for entry in entries
        ]

    def _entry(self, each: Input, stamp: Stamp | None) -> Entry | None:
        record = self._index.get(stamp.path) if stamp is not None else None
        if stamp is None or record is None or not trusted(record, stamp):
            return None
        key = self.fingerprint.key(record.sha256, each.name, source_format(each.path))
        try:
            with (self.folder / "entries" / f"{key}.zip").open("rb") as file:
                data = file.read(MAX_ENTRY_BYTES + 1)
            if len(data) > MAX_ENTRY_BYTES:
                return None
            entry = entry_to_parts(data, key)
        except READ_ERRORS:  # absent, truncated, corrupt: a miss, rebuilt by this run
            return None
        verdict = entry.verdict
        if verdict.sha256 != record.sha256 or verdict.source_file != each.name:
            return None
        return entry

    def _store(self, each: Input, before: Stamp | None, result: FileResult) -> None:
        sha256 = result.verdict.sha256
        if not self._writable or before is None or sha256 is None or not cacheable(result):
            return
        # A file swapped or changed while the worker read it: the hash may be of either.
        if stamp_of(each.path) != before:
            return
        key = self.fingerprint.key(sha256, each.name, source_format(each.path))
        data = result_to_entry(result, key)
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

    def _remove_stale_temporaries(self) -> None:
        now = time.time_ns()
        for leftover in (self.folder / "tmp").iterdir():
            # Another run may remove it first, or still be writing a young one.
            with suppress(OSError):
                if leftover.stat().st_mtime_ns < now - STALE_TEMP_NS:
                    leftover.unlink()

    def _read_index(self) -> dict[str, Record]:
        try:
            return json_to_index((self.folder / _INDEX).read_text(encoding="ascii"))
        except (OSError, UnicodeDecodeError):
            return {}

    def _save_index(self) -> None:
        if not self._recorded or not self._writable:
            return
        # Read again: a run at the same time may have recorded files since this one began.
        records = {**self._read_index(), **self._recorded}
        try:
            text = index_to_json(records.values())
            write_atomically(self.folder / _INDEX, text.encode("ascii"), self.folder / "tmp")
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
