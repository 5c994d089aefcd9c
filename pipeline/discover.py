"""Finding the inputs: files as given, profile files under folders, each once, named by
their path relative to the folder they were found in; and the checks on --out against them.
Nothing here opens a file."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from pipeline.codes import Code
from pipeline.errors import OutputError
from pipeline.formats import FORMATS_BY_SUFFIX
from pipeline.inputs import Input, link_loop
from pipeline.model import Issue, Location


def discover_inputs(paths: Iterable[Path], follow_symlinks: bool = False) -> list[Input]:
    """Files as given, plus profile files found under folders; each file once (by its
    resolved path), named by its path relative to the folder it was found in (or by its
    own name when given directly); in order of those names.

    Hidden files and README files inside folders are documentation, not profiles. A
    symlink given as an input is followed: it is what the user asked for. One found in a
    folder is followed only to a target inside that folder (anywhere with follow_symlinks);
    one that leads elsewhere, or nowhere, and a folder that cannot be listed, are inputs
    refused with the reason, never read.
    """
    found: list[Input] = []
    for path in paths:
        if path.is_dir():
            found.extend(_folder_inputs(path, follow_symlinks))
        else:
            found.append(Input.of(path))
    return unique_inputs(found)


def _folder_inputs(root: Path, follow_symlinks: bool) -> list[Input]:
    inside = root.resolve()
    found: list[Input] = []
    entered: set[tuple[int, int]] = set()

    def visit(folder: Path, relative: PurePosixPath) -> None:
        try:
            info = folder.stat()
            entries = sorted(folder.iterdir())
        except OSError as error:
            name = relative.as_posix() if relative.parts else inside.name
            found.append(Input(folder, name, _unlistable(name, error)))
            return
        if (info.st_dev, info.st_ino) in entered:  # a link back to a folder already walked
            return
        entered.add((info.st_dev, info.st_ino))
        for entry in entries:
            if entry.name.startswith("."):
                continue
            name = (relative / entry.name).as_posix()
            if entry.is_symlink():
                refused = _link_refused(entry, name, inside, follow_symlinks)
                if refused is not None:
                    # Said only of links that would have been read: not of notes.csv.
                    if refused.code == Code.SYMLINK_LOOP or entry.is_dir() or _named(entry):
                        found.append(Input(entry, name, refused))
                    continue
            if entry.is_dir():
                visit(entry, PurePosixPath(name))
            elif _named(entry):
                found.append(Input(entry, name))

    visit(root, PurePosixPath())
    return found


def _named(path: Path) -> bool:
    """Named like a profile: README files are documentation, and `~$name.docx` is the lock
    file Word keeps beside a document it has open."""
    name = path.name.lower()
    return (
        path.suffix.lower() in FORMATS_BY_SUFFIX
        and not name.startswith("readme")
        and not name.startswith("~$")
    )


def _link_refused(link: Path, name: str, inside: Path, follow: bool) -> Issue | None:
    """Why a symlink found in an input folder is not followed, if it is not."""
    try:
        target = link.resolve(strict=True)
    except FileNotFoundError:
        return Issue(
            "read",
            "this is a symbolic link to something that does not exist, so it was not read",
            Location(name),
            "point the link at the profile file, or remove it",
            code=Code.UNREADABLE,
        )
    except (OSError, RuntimeError):  # a loop (Python before 3.13 raises RuntimeError for it)
        return link_loop(name)
    if follow or target.is_relative_to(inside):
        return None
    return Issue(
        "read",
        "this is a symbolic link to a "
        + ("folder" if target.is_dir() else "file")
        + " outside the input folder, so it was not read",
        Location(name),
        "copy the profile into the input folder, give it as an input of its own, or run "
        "with --follow-symlinks if links out of the folder are meant to be followed",
        code=Code.SYMLINK_OUTSIDE_INPUT,
    )


def _unlistable(name: str, error: OSError) -> Issue:
    return Issue(
        "read",
        f"cannot list this folder ({error.strerror or error}), so no file in it was read",
        Location(name),
        "give the pipeline read access to the folder, or move the profiles out of it",
        code=Code.UNREADABLE,
    )


def check_out_outside_inputs(out_dir: Path, inputs: Iterable[Path]) -> None:
    """Refuse an --out that is an input folder or inside one: the output would be read as
    input by the next run, and the swap would replace the inputs."""
    out = out_dir.resolve()
    for path in inputs:
        if path.is_dir() and out.is_relative_to(path.resolve()):
            where = "is" if out == path.resolve() else "is inside"
            raise OutputError(
                f"--out {out_dir} {where} the input folder {path}: choose an output folder "
                "outside the inputs"
            )


def unique_inputs(inputs: Iterable[Input | Path]) -> list[Input]:
    """Each file once, by its resolved path (the first name it was given under); ordered
    by name, then by the order given."""
    seen: dict[Path, Input] = {}
    folders: dict[Path, Path] = {}
    for each in inputs:
        each = each if isinstance(each, Input) else Input.of(each)
        seen.setdefault(_identity(each.path, folders), each)
    ordered = list(seen.values())
    return sorted(ordered, key=lambda each: each.name)  # stable: ties keep the given order


def _identity(path: Path, folders: dict[Path, Path]) -> Path:
    """The path resolved: its folder once for all the files in it (`folders`, resolved so
    far), then the file's own name if it is a symlink (resolving walks every part of a
    path, each a system call, for every file of a folder of thousands)."""
    if path.name in ("", ".", ".."):
        return _resolved(path)
    if path.parent not in folders:
        folders[path.parent] = _resolved(path.parent)
    joined = folders[path.parent] / path.name
    if not joined.is_symlink():
        return joined
    try:
        return joined.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: the path itself is all there is
        return path.absolute()
