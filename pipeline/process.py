"""One input file through read, extract, normalise and validate, to a verdict."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from pipeline.codes import Code
from pipeline.errors import PipelineError
from pipeline.extract import (
    FORMATS_BY_SUFFIX,
    content_format,
    extract_document,
    source_format,
)
from pipeline.extract.pdf import PdfLayout, Trace
from pipeline.model import (
    Issue,
    Location,
    PagePicture,
    Source,
    Status,
    Verdict,
    printable_name,
)
from pipeline.pictures import problem_pictures
from pipeline.stages.normalise import NormaliseRules, document_to_profile
from pipeline.stages.tables import Tables, profile_to_tables
from pipeline.validate import validate_tables

# Far above any profile (tens of MB at most), far below what would exhaust a worker.
MAX_FILE_MB = 100


@dataclass(frozen=True)
class FileResult:
    verdict: Verdict
    tables: Tables | None
    # Pages of a PDF input that has problems, drawn in the worker (which alone reads it).
    pictures: tuple[PagePicture, ...] = ()


@dataclass(frozen=True)
class Input:
    """A file to read, and the name it is published under (source_file): its path relative
    to the input folder it was found in, or its own name when given directly. Never the
    machine's folders, never dependent on the working folder."""

    path: Path
    name: str
    # Why finding it already rejected it (a symlink that leaves its input folder, a folder
    # that cannot be listed): it is then never read.
    refused: Issue | None = None

    @classmethod
    def of(cls, path: Path) -> Input:
        return cls(path, path.name)


def refused_result(each: Input) -> FileResult:
    """The verdict of an input that discovery refused; the file is not touched."""
    assert each.refused is not None
    verdict = Verdict(each.name, None, None, "rejected", None, (each.refused,))
    return FileResult(verdict, None)


def display_path(path: Path) -> str:
    """The path as a steward would type it: relative to the working folder when inside it."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


@dataclass(frozen=True)
class FileBytes:
    data: bytes
    sha256: str


def read_input(
    path: Path, name: str, max_bytes: int = MAX_FILE_MB * 1024 * 1024
) -> FileBytes | Issue:
    """The bytes of a regular file of at most max_bytes, or why not. Anything but a regular
    file (a FIFO, a device, a socket) is never opened: opening one can block for ever or
    read without end. A file over the bound is not read at all."""
    try:
        info = path.stat()
    except OSError as error:
        return _unreadable(name, error)
    if not stat.S_ISREG(info.st_mode):
        return _not_regular(name, info.st_mode)
    if info.st_size > max_bytes:
        return _too_large(name, info.st_size, max_bytes)
    try:
        # O_NONBLOCK: a file swapped for a FIFO since the stat cannot block this open.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as error:
        return _unreadable(name, error)
    with os.fdopen(descriptor, "rb") as file:
        opened = os.fstat(file.fileno())
        if not stat.S_ISREG(opened.st_mode):
            return _not_regular(name, opened.st_mode)
        try:
            data = file.read(max_bytes + 1)  # a file that grew since the stat stops here
        except OSError as error:
            return _unreadable(name, error)
    if len(data) > max_bytes:
        return _too_large(name, len(data), max_bytes)
    return FileBytes(data, hashlib.sha256(data).hexdigest())


_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def _not_regular(name: str, mode: int) -> Issue:
    kind = next((kind for test, kind in _KINDS if test(mode)), "not a regular file")
    return Issue(
        "read",
        f"this is {kind}, not a regular file, so it was not read",
        Location(name),
        "give the profile file itself: a FIFO, device or socket is never read",
        code=Code.NOT_A_REGULAR_FILE,
    )


def _too_large(name: str, size: int, max_bytes: int) -> Issue:
    return Issue(
        "read",
        f"the file is {size / 2**20:,.0f} MB, more than the {max_bytes / 2**20:,.0f} MB a "
        "profile can be, so it was not read",
        Location(name),
        "a profile is at most a few tens of MB: check that this is the file you meant",
        code=Code.FILE_TOO_LARGE,
    )


def link_loop(name: str) -> Issue:
    return Issue(
        "read",
        "this is a symbolic link that leads back to itself, so it was not read",
        Location(name),
        "point the link at the profile file, or remove it",
        code=Code.SYMLINK_LOOP,
    )


def _unreadable(name: str, error: OSError) -> Issue:
    if error.errno == errno.ELOOP:
        return link_loop(name)
    return Issue(
        "read",
        f"cannot read the file: {error.strerror or error}",
        Location(name),
        "check that the file exists and is readable",
        code=Code.UNREADABLE,
    )


def process_file(
    path: Path,
    rules: NormaliseRules | None = None,
    layout: PdfLayout | None = None,
    name: str | None = None,
    max_bytes: int = MAX_FILE_MB * 1024 * 1024,
) -> FileResult:
    """Never raises for a bad input: every problem becomes an Issue in the verdict, which
    names the file by `name` (its source_file; the file's own name by default)."""
    shown = path.name if name is None else name
    read = read_input(path, shown, max_bytes)
    if isinstance(read, Issue):
        return not_read(path, shown, read)
    return process_bytes(read, path, shown, rules, layout)


def not_read(path: Path, name: str, why: Issue) -> FileResult:
    return FileResult(Verdict(name, None, source_format(path), "rejected", None, (why,)), None)


def process_bytes(
    read: FileBytes,
    path: Path,
    shown: str,
    rules: NormaliseRules | None = None,
    layout: PdfLayout | None = None,
) -> FileResult:
    """A file's bytes, already read, to its verdict and tables (see process_file)."""
    rules = rules or NormaliseRules.load()
    fmt = source_format(path)
    data, sha256 = read.data, read.sha256
    if not data:
        issue = Issue(
            "read",
            "the file is empty (0 bytes)",
            Location(shown),
            "the download or export may have failed; get the file again",
            code=Code.EMPTY_FILE,
        )
        return FileResult(Verdict(shown, sha256, fmt, "rejected", None, (issue,)), None)
    if fmt is None:
        issue = Issue(
            "read",
            f"unsupported file type {path.suffix or '(none)'!r}",
            Location(shown),
            f"give a profile as {', '.join(sorted(FORMATS_BY_SUFFIX))}",
            code=Code.UNSUPPORTED_TYPE,
        )
        return FileResult(Verdict(shown, sha256, None, "rejected", None, (issue,)), None)
    # The content decides between text and Markdown, so the verdict and the tables name
    # the format the file was read as, rejected or not.
    fmt = content_format(data, fmt)
    # The tables hold the name as it is published: Arrow strings cannot hold the surrogate
    # escapes of a name that is not UTF-8.
    source = Source(printable_name(shown), fmt, sha256)
    trace = Trace()
    try:
        document = extract_document(data, source, layout, trace)
    except PipelineError as error:
        verdict = Verdict(shown, sha256, fmt, "rejected", None, (error.to_issue(),))
        return FileResult(verdict, None, _pictures(data, source, verdict, trace))
    normalised = document_to_profile(document, rules)
    tables = profile_to_tables(normalised.profile)
    # Without a profile_id (a title with nothing to name it by, already an error) every id
    # of every table is wrong for that one reason: the contract would repeat it row by row.
    checked = validate_tables(tables, shown) if normalised.profile.profile_id else []
    issues = (*normalised.issues, *checked)
    status: Status = "rejected" if any(issue.severity == "error" for issue in issues) else "ok"
    verdict = Verdict(shown, sha256, fmt, status, normalised.profile.profile_id or None, issues)
    pictures = _pictures(data, source, verdict, trace)
    return FileResult(verdict, tables if status == "ok" else None, pictures)


def _pictures(
    data: bytes, source: Source, verdict: Verdict, trace: Trace
) -> tuple[PagePicture, ...]:
    """The pages of a PDF where its problems are, for the report (none for text: a line
    number is already the place)."""
    if source.format != "pdf" or not verdict.issues:
        return ()
    return problem_pictures(data, source, verdict.issues, trace=trace)
