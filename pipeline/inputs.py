"""An input file as the run knows it before reading it: its path, the name it is published
under, and why discovery refused it, if it did."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.codes import Code
from pipeline.model import FileResult, Issue, Location, Verdict


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


def link_loop(name: str) -> Issue:
    return Issue(
        "read",
        "this is a symbolic link that leads back to itself, so it was not read",
        Location(name),
        "point the link at the profile file, or remove it",
        code=Code.SYMLINK_LOOP,
    )
