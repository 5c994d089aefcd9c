"""One input file through read, extract, normalise and validate, to a verdict."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.codes import Code
from pipeline.defaults import MAX_FILE_MB
from pipeline.errors import PipelineError
from pipeline.extract import (
    FORMATS_BY_SUFFIX,
    content_format,
    extract_document,
    source_format,
)
from pipeline.extract.pdf_layout import Trace
from pipeline.extract.pdf_model import PdfLayout
from pipeline.inputs import link_loop
from pipeline.model import (
    FileResult,
    Issue,
    Location,
    PagePicture,
    Source,
    Verdict,
    printable_name,
)
from pipeline.stages.normalise import NormaliseRules, document_to_profile
from pipeline.stages.tables import (
    Batch,
    Records,
    profile_tables,
    profile_to_records,
    records_to_batch,
)
from pipeline.validate import contract_issues


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
    return finish([extract_file(path, rules, layout, name, max_bytes)])[0]


def process_files(
    paths: Sequence[Path],
    rules: NormaliseRules | None = None,
    layout: PdfLayout | None = None,
) -> list[FileResult]:
    """process_file on every path, the tables of them all checked together (one contract
    check instead of one per file); each result is the one its file gives alone."""
    rules = rules or NormaliseRules.load()
    return finish([extract_file(path, rules, layout) for path in paths])


def extract_file(
    path: Path,
    rules: NormaliseRules | None = None,
    layout: PdfLayout | None = None,
    name: str | None = None,
    max_bytes: int = MAX_FILE_MB * 1024 * 1024,
) -> FileResult | Extracted:
    """A file read and extracted (see extract_bytes), or why it was not read."""
    shown = path.name if name is None else name
    read = read_input(path, shown, max_bytes)
    if isinstance(read, Issue):
        return not_read(path, shown, read)
    return extract_bytes(read, path, shown, rules, layout)


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
    return finish([extract_bytes(read, path, shown, rules, layout)])[0]


@dataclass(frozen=True)
class Extracted:
    """A file read, extracted and normalised, its tables neither built nor checked yet:
    finish does that for many files at once (one frame and one contract check per table
    cost more than a text profile's own rows)."""

    verdict: Verdict  # its issues so far; the status is decided in finish
    records: Records
    # What the page pictures are drawn from, for a PDF with problems.
    data: bytes
    source: Source
    trace: Trace


def extract_bytes(
    read: FileBytes,
    path: Path,
    shown: str,
    rules: NormaliseRules | None = None,
    layout: PdfLayout | None = None,
) -> FileResult | Extracted:
    """A file's bytes to its normalised profile's rows; a file rejected before that has its
    result already."""
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
    profile_id = normalised.profile.profile_id or None
    verdict = Verdict(shown, sha256, fmt, "ok", profile_id, normalised.issues)
    return Extracted(verdict, profile_to_records(normalised.profile), data, source, trace)


def finish(batch: Sequence[FileResult | Extracted]) -> list[FileResult]:
    """The results of files extracted one by one: their tables built and checked against
    the contract together, each file's verdict and tables as if it had been alone."""
    return finish_together(batch).cut()


@dataclass(frozen=True)
class Finished:
    """A batch's results, the tables of the files kept apart: `tables` holds their rows
    together, and numbers[n] is result n's profile in it (None: no tables, a rejected
    file)."""

    results: list[FileResult]
    tables: Batch
    numbers: list[int | None]

    def cut(self) -> list[FileResult]:
        """Each result with its own tables."""
        return [
            result
            if number is None
            else replace(result, tables=profile_tables(self.tables, number))
            for result, number in zip(self.results, self.numbers, strict=True)
        ]


def finish_together(batch: Sequence[FileResult | Extracted]) -> Finished:
    """finish, the tables of the files kept left together (see Finished)."""
    # Without a profile_id (a title with nothing to name it by, already an error) every id
    # of every table is wrong for that one reason: the contract would repeat it row by row.
    checked = [each for each in batch if isinstance(each, Extracted) and each.verdict.profile_id]
    together = records_to_batch([each.records for each in checked])
    failures = contract_issues(together, [each.verdict.source_file for each in checked])
    found = {
        id(each): (number, issues)
        for number, (each, issues) in enumerate(zip(checked, failures, strict=True))
    }
    results: list[FileResult] = []
    kept: list[int] = []
    numbers: list[int | None] = []
    for each in batch:
        if isinstance(each, FileResult):
            results.append(each)
            numbers.append(None)
            continue
        number, issues = found.get(id(each), (None, []))
        verdict = each.verdict
        everything = (*verdict.issues, *issues)
        # A file left unchecked has its error already (no profile_id: see above).
        rejected = number is None or any(issue.severity == "error" for issue in everything)
        verdict = replace(verdict, status="rejected" if rejected else "ok", issues=everything)
        if rejected or number is None:
            numbers.append(None)
        else:
            numbers.append(len(kept))
            kept.append(number)
        results.append(
            FileResult(verdict, None, _pictures(each.data, each.source, verdict, each.trace))
        )
    return Finished(results, together.select(kept), numbers)


def _pictures(
    data: bytes, source: Source, verdict: Verdict, trace: Trace
) -> tuple[PagePicture, ...]:
    """The pages of a PDF where its problems are, for the report (none for text: a line
    number is already the place)."""
    if source.format != "pdf" or not verdict.issues:
        return ()
    # Here, not above: drawing needs PDFium and Pillow, which a run of text never loads.
    from pipeline.pictures import problem_pictures

    return problem_pictures(data, source, verdict.issues, trace=trace)
