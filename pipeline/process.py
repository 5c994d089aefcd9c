"""One input file through read, extract, normalise and validate, to a verdict."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pipeline.codes import Code
from pipeline.errors import PipelineError
from pipeline.extract import FORMATS_BY_SUFFIX, extract_document, source_format
from pipeline.extract.pdf import PdfLayout
from pipeline.model import Issue, Location, Source, Status, Verdict
from pipeline.stages.normalise import NormaliseRules, document_to_profile
from pipeline.stages.tables import Tables, profile_to_tables
from pipeline.validate import validate_tables


@dataclass(frozen=True)
class FileResult:
    verdict: Verdict
    tables: Tables | None


@dataclass(frozen=True)
class Input:
    """A file to read, and the name it is published under (source_file): its path relative
    to the input folder it was found in, or its own name when given directly. Never the
    machine's folders, never dependent on the working folder."""

    path: Path
    name: str

    @classmethod
    def of(cls, path: Path) -> Input:
        return cls(path, path.name)


def display_path(path: Path) -> str:
    """The path as a steward would type it: relative to the working folder when inside it."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def process_file(
    path: Path,
    rules: NormaliseRules | None = None,
    layout: PdfLayout | None = None,
    name: str | None = None,
) -> FileResult:
    """Never raises for a bad input: every problem becomes an Issue in the verdict, which
    names the file by `name` (its source_file; the file's own name by default)."""
    rules = rules or NormaliseRules.load()
    shown = path.name if name is None else name
    fmt = source_format(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        issue = Issue(
            "read",
            f"cannot read the file: {error.strerror or error}",
            Location(shown),
            "check that the file exists and is readable",
            code=Code.UNREADABLE,
        )
        return FileResult(Verdict(shown, None, fmt, "rejected", None, (issue,)), None)
    sha256 = hashlib.sha256(data).hexdigest()
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
    source = Source(shown, fmt, sha256)
    try:
        document = extract_document(data, source, layout)
    except PipelineError as error:
        return FileResult(Verdict(shown, sha256, fmt, "rejected", None, (error.to_issue(),)), None)
    normalised = document_to_profile(document, rules)
    tables = profile_to_tables(normalised.profile)
    # Without a profile_id (a title with nothing to name it by, already an error) every id
    # of every table is wrong for that one reason: the contract would repeat it row by row.
    checked = validate_tables(tables, shown) if normalised.profile.profile_id else []
    issues = (*normalised.issues, *checked)
    status: Status = "rejected" if any(issue.severity == "error" for issue in issues) else "ok"
    verdict = Verdict(shown, sha256, fmt, status, normalised.profile.profile_id or None, issues)
    return FileResult(verdict, tables if status == "ok" else None)
