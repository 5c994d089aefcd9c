"""What a cached result is keyed by, and the stat index that finds a file's key without
reading the file (see cache.py for the folder and its entries).

Light on imports: a re-run whose outputs are already up to date (freshness.py) looks its
inputs up here and loads nothing heavier.
"""

from __future__ import annotations

import hashlib
import json
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, get_args

import pipeline
from pipeline.contract.vocabulary import vocabulary_hashes
from pipeline.formats import source_format
from pipeline.model import SourceFormat

if TYPE_CHECKING:
    from pipeline.extract.pdf_model import PdfLayout
    from pipeline.inputs import Input

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
INDEX = "index.json"


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
    # Here, not at the top: importlib.metadata takes 20 ms to import, before the run has
    # started its workers' server (run.start_early), and a run without the cache never
    # asks for the libraries' versions.
    from importlib import metadata

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


def read_index(folder: Path) -> dict[str, Record]:
    """The stat index of a cache folder; an absent or damaged one is empty."""
    try:
        return json_to_index((folder / INDEX).read_text(encoding="ascii"))
    except (OSError, UnicodeDecodeError):
        return {}


def known_key(
    each: Input, stamp: Stamp | None, index: Mapping[str, Record], fingerprint: Fingerprint
) -> str | None:
    """The key of an input's entry when the index vouches for the file as it is now (its
    stamp recorded, and trusted), without opening it; else None."""
    record = index.get(stamp.path) if stamp is not None else None
    if stamp is None or record is None or not trusted(record, stamp):
        return None
    return fingerprint.key(record.sha256, each.name, source_format(each.path))
