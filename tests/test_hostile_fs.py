"""A hostile file system: inputs that are not regular files or are far too large, symlinks
that leave their folder or loop, folders that cannot be listed, names that are not UTF-8,
an --out that is a symlink, looks like a pattern or lies inside the inputs, and several runs
on one --out. Each gets a verdict or a clear refusal: never a hang, a crash, or a read of
something nobody asked for."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from pipeline import discover
from pipeline.cache_key import CACHE_FOLDER
from pipeline.codes import Code
from pipeline.lock import lock_path
from pipeline.model import Issue
from pipeline.process import FileBytes, read_input
from pipeline.write import PAUSE_BEFORE_SWAP
from tests.conftest import SEED, invoke
from tests.hostile import authored, seed_text, stalled_file
from tests.test_interrupt import held_at

OTHER = authored("battery-cell-production-operator")
SEED_ID = "embedded-system-and-bms-engineers"
OTHER_ID = "battery-cell-production-operator"
# Far over the 100 MB bound; sparse, so it costs no disk and takes no time to make.
HUGE = 40 * 2**30
BOUND_S = 120


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def verdicts(out: Path) -> dict[str, dict]:
    return {entry["source_file"]: entry for entry in manifest(out)["inputs"]}


def error_codes(out: Path) -> dict[str, list[str]]:
    return {name: [e["code"] for e in entry["errors"]] for name, entry in verdicts(out).items()}


def profile_ids(out: Path) -> list[str]:
    return sorted(pd.read_csv(out / "csv" / "profiles.csv", dtype=str)["profile_id"])


def sparse(path: Path, size: int = HUGE) -> Path:
    with path.open("wb") as file:
        file.truncate(size)
    return path


# --- only regular files of a sane size are read, and only by a worker ---------------------


def block_device() -> Path:
    for path in sorted(Path("/dev").iterdir()):
        try:
            if stat.S_ISBLK(path.stat().st_mode):
                return path
        except OSError:
            continue
    pytest.skip("no block device in /dev")


def unix_socket(path: Path) -> Path:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()  # the socket file stays
    return path


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path os.open is called with from here on, in this process."""
    calls: list[str] = []
    real = os.open

    def spy(path: str | Path, flags: int, *args: int, **kwargs: int) -> int:
        calls.append(os.fspath(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    return calls


@pytest.mark.parametrize(
    ("make", "code", "said"),
    [
        pytest.param(
            lambda d: stalled_file(d / "x.txt"), Code.NOT_A_REGULAR_FILE, "named pipe", id="fifo"
        ),
        pytest.param(
            lambda d: unix_socket(d / "s.txt"), Code.NOT_A_REGULAR_FILE, "socket", id="socket"
        ),
        pytest.param(
            lambda _d: Path("/dev/zero"), Code.NOT_A_REGULAR_FILE, "character device", id="dev-zero"
        ),
        pytest.param(
            lambda _d: block_device(), Code.NOT_A_REGULAR_FILE, "block device", id="block-device"
        ),
        pytest.param(lambda d: sparse(d / "huge.pdf"), Code.FILE_TOO_LARGE, "40,960 MB", id="huge"),
    ],
)
def test_what_is_not_a_regular_file_of_a_sane_size_is_never_opened(
    make, code: Code, said: str, tmp_path: Path, opened: list[str]
) -> None:
    path = make(tmp_path)
    read = read_input(path, path.name)
    assert isinstance(read, Issue)
    assert read.code == code
    assert said in read.message and read.hint
    assert opened == []


def test_a_regular_file_is_read_and_hashed(tmp_path: Path, opened: list[str]) -> None:
    path = tmp_path / "seed.txt"
    path.write_bytes(SEED.read_bytes())
    read = read_input(path, path.name)
    assert read == FileBytes(SEED.read_bytes(), hashlib.sha256(SEED.read_bytes()).hexdigest())
    assert opened == [str(path)]


def test_a_file_over_the_bound_is_refused_even_if_it_grew_after_the_check(tmp_path: Path) -> None:
    path = tmp_path / "growing.txt"
    path.write_bytes(b"x" * 2048)
    assert isinstance(read_input(path, path.name, max_bytes=4096), FileBytes)
    read = read_input(path, path.name, max_bytes=1024)
    assert isinstance(read, Issue) and read.code == Code.FILE_TOO_LARGE


def test_fifos_devices_and_a_huge_file_get_verdicts_and_the_rest_is_written(
    tmp_path: Path,
) -> None:
    """These hung the run (a FIFO), or made the main process read 40 GB to hash the file
    (MemoryError, nothing written)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "seed.txt").write_bytes(SEED.read_bytes())
    stalled_file(inbox / "found.txt")
    given = [stalled_file(tmp_path / "x.txt"), Path("/dev/zero"), sparse(tmp_path / "huge.pdf")]
    out = tmp_path / "out"
    # A run that reads a FIFO again meets the time limit here instead of hanging the tests.
    code, output = invoke(
        "extract", str(inbox), *map(str, given), "--out", str(out), "--timeout", "60"
    )
    assert code == 1, output
    assert error_codes(out) == {
        "seed.txt": [],
        "found.txt": ["not-a-regular-file"],
        "x.txt": ["not-a-regular-file"],
        "zero": ["not-a-regular-file"],
        "huge.pdf": ["file-too-large"],
    }
    assert verdicts(out)["huge.pdf"]["sha256"] is None
    assert "huge.pdf: the file is 40,960 MB, more than the 100 MB" in output
    assert profile_ids(out) == [SEED_ID]


# --- symlinks -----------------------------------------------------------------------------


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    """An inbox with a profile, a link to it, a link to a secret file outside, a link to a
    folder outside, a looping link and a link back to the inbox itself."""
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.txt").write_text(seed_text("Secret Profile Engineers"), encoding="utf-8")
    (outside / "folder" / "other.txt").write_bytes(OTHER.read_bytes())
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "seed.txt").write_bytes(SEED.read_bytes())
    (inbox / "alias.txt").symlink_to("seed.txt")
    (inbox / "shadow.txt").symlink_to(outside / "secret.txt")
    (inbox / "ext").symlink_to(outside / "folder", target_is_directory=True)
    (inbox / "loop.txt").symlink_to("loop.txt")
    (inbox / "again").symlink_to(".", target_is_directory=True)
    (inbox / "notes.csv").symlink_to(outside / "secret.txt")  # not a profile: ignored
    return inbox


def test_links_out_of_an_input_folder_are_refused_and_not_read(
    linked: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code, output = invoke("extract", str(linked), "--out", str(out), "--format", "csv")
    assert code == 1, output
    assert error_codes(out) == {
        "ext": ["symlink-outside-input"],
        "loop.txt": ["symlink-loop"],
        "alias.txt": [],  # seed.txt, under the first of the names that lead to it
        "shadow.txt": ["symlink-outside-input"],
    }
    assert verdicts(out)["shadow.txt"]["sha256"] is None
    secret = hashlib.sha256((tmp_path / "outside" / "secret.txt").read_bytes()).hexdigest()
    published = b"".join(path.read_bytes() for path in out.rglob("*") if path.is_file())
    assert secret.encode() not in published
    assert b"Secret Profile" not in published
    assert "--follow-symlinks" in verdicts(out)["shadow.txt"]["errors"][0]["hint"]
    assert profile_ids(out) == [SEED_ID]


def test_follow_symlinks_reads_what_links_lead_to(linked: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = invoke(
        "extract", str(linked), "--out", str(out), "--format", "csv", "--follow-symlinks"
    )
    assert code == 1, output  # the loop still leads nowhere
    assert error_codes(out) == {
        "ext/other.txt": [],
        "alias.txt": [],
        "loop.txt": ["symlink-loop"],
        "shadow.txt": [],
    }
    assert profile_ids(out) == [OTHER_ID, SEED_ID, "secret-profile-engineers"]


def test_a_link_given_as_an_input_is_followed(linked: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = invoke("extract", str(linked / "shadow.txt"), "--out", str(out))
    assert code == 0, output
    assert error_codes(out) == {"shadow.txt": []}


# --- folders that cannot be listed --------------------------------------------------------


@pytest.fixture
def with_locked(inbox: Path) -> Path:
    (inbox / "locked").mkdir()
    (inbox / "locked" / "hidden-from-us.txt").write_bytes(OTHER.read_bytes())
    return inbox


def assert_locked_verdict(out: Path) -> None:
    entry = verdicts(out)["locked"]
    assert entry["status"] == "rejected"
    [error] = entry["errors"]
    assert error["code"] == "unreadable"
    assert error["message"].startswith("cannot list this folder (Permission denied)")
    assert error["hint"]
    assert sorted(verdicts(out)) == ["locked", "seed.txt", "sub/operator.txt"]


def test_a_folder_that_cannot_be_listed_gets_a_verdict(
    with_locked: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the kernel answers a user without the right to list it (root is never refused)."""
    locked = with_locked / "locked"
    real = Path.iterdir

    def iterdir(self: Path) -> Iterator[Path]:
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    out = tmp_path / "out"
    code, output = invoke("extract", str(with_locked), "--out", str(out), "--format", "csv")
    assert code == 1, output
    assert_locked_verdict(out)


@pytest.mark.skipif(
    os.geteuid() == 0, reason="root lists any folder whatever its mode; the test above covers it"
)
def test_a_folder_without_permissions_gets_a_verdict(with_locked: Path, tmp_path: Path) -> None:
    locked = with_locked / "locked"
    locked.chmod(0)
    try:
        out = tmp_path / "out"
        code, output = invoke("extract", str(with_locked), "--out", str(out), "--format", "csv")
    finally:
        locked.chmod(0o755)
    assert code == 1, output
    assert_locked_verdict(out)


# --- file names that are not UTF-8 --------------------------------------------------------


def test_file_names_that_are_not_utf8_are_published_escaped(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    folder = os.fsencode(inbox)
    Path(os.fsdecode(folder + b"/bad\xff.txt")).write_bytes(SEED.read_bytes())
    Path(os.fsdecode(folder + b"/empty\xfe.txt")).write_bytes(b"")
    out = tmp_path / "out"
    code, output = invoke("extract", str(inbox), "--out", str(out))
    assert code == 1, output
    assert f"ok        {inbox}/bad\\xff.txt -> {SEED_ID}" in output
    assert f"rejected  {inbox}/empty\\xfe.txt" in output
    assert "  [read] empty\\xfe.txt: the file is empty" in output
    assert error_codes(out) == {"bad\\xff.txt": [], "empty\\xfe.txt": ["empty-file"]}
    for path in out.rglob("*"):
        if path.is_file() and path.suffix != ".parquet":
            path.read_bytes().decode("utf-8")  # strict: no surrogate was written
    issues = json.loads((out / "validation.json").read_text(encoding="utf-8"))["issues"]
    assert {i["source_file"] for i in issues} == {"bad\\xff.txt", "empty\\xfe.txt"}
    assert {i["location"]["file"] for i in issues} == {"bad\\xff.txt", "empty\\xfe.txt"}
    for table in ("parquet", "csv"):
        frame = (
            pd.read_parquet(out / "parquet" / "profiles.parquet")
            if table == "parquet"
            else pd.read_csv(out / "csv" / "profiles.csv", dtype=str)
        )
        assert list(frame["source_file"]) == ["bad\\xff.txt"], table
    document = json.loads((out / "json" / "profiles" / f"{SEED_ID}.json").read_text("utf-8"))
    assert document["source_file"] == "bad\\xff.txt"


# --- where --out may be -------------------------------------------------------------------


def link(path: Path, target: Path) -> Path:
    path.symlink_to(target, target_is_directory=target.is_dir())
    return path


@pytest.mark.parametrize(
    ("where", "said"),
    [
        pytest.param(lambda inbox, _tmp: inbox, "is the input folder", id="the-input"),
        pytest.param(lambda inbox, _tmp: inbox / "out", "is inside the input folder", id="inside"),
        pytest.param(
            lambda inbox, tmp: link(tmp / "link", inbox / "sub"),
            "is inside the input folder",
            id="link-into-it",
        ),
    ],
)
def test_an_out_in_an_input_folder_is_a_usage_error(
    where, said: str, inbox: Path, tmp_path: Path
) -> None:
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    out = where(inbox, tmp_path)
    code, output = invoke("extract", str(inbox), "--out", str(out))
    assert code == 2
    assert said in output and "choose an output folder outside the inputs" in output
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.name != "link")
    assert after == before  # nothing processed, nothing written


def test_a_symlinked_out_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "releases" / "out"
    assert invoke("extract", str(SEED), "--out", str(real), "--format", "csv")[0] == 0
    link = tmp_path / "current"
    link.symlink_to(real, target_is_directory=True)
    code, output = invoke("extract", str(OTHER), "--out", str(link), "--format", "csv")
    assert code == 0, output
    assert link.is_symlink() and link.readlink() == real
    assert profile_ids(real) == [OTHER_ID]
    # The cache goes beside --out as given (the first run's beside releases/out).
    assert sorted(p.name for p in real.parent.iterdir()) == [CACHE_FOLDER, "out"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [CACHE_FOLDER, "current", "releases"]


@pytest.mark.parametrize(
    ("name", "neighbours"),
    [
        pytest.param("o*", ["out", ".out.staging-ab12cd34"], id="star-staging"),
        pytest.param("o*", [".out.previous-4242"], id="star-previous"),
        pytest.param("o?t", ["out", ".out.staging-ab12cd34"], id="question-mark"),
        pytest.param("o", ["o.staging-x", ".o.staging-x.staging-ab12cd34"], id="prefix"),
    ],
)
def test_the_out_name_is_never_a_pattern(name: str, neighbours: list[str], tmp_path: Path) -> None:
    """Another run's output and staging folders beside --out are not this run's litter."""
    for neighbour in neighbours:
        (tmp_path / neighbour).mkdir()
        (tmp_path / neighbour / "manifest.json").write_text("{}", encoding="utf-8")
    out = tmp_path / name
    code, output = invoke("extract", str(SEED), "--out", str(out), "--format", "csv")
    assert code == 0, output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([CACHE_FOLDER, name, *neighbours])
    for neighbour in neighbours:
        assert (tmp_path / neighbour / "manifest.json").read_text(encoding="utf-8") == "{}"


# --- one writer at a time -----------------------------------------------------------------


def extract(
    inputs: Path, out: Path, *options: str, pause: Path | None = None
) -> subprocess.Popen[str]:
    env = {**os.environ, **({PAUSE_BEFORE_SWAP: str(pause)} if pause else {})}
    command = [sys.executable, "-m", "pipeline", "extract", str(inputs), "--out", str(out)]
    return subprocess.Popen(
        [*command, "--format", "csv", "-q", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_a_run_stops_with_the_holders_pid_when_out_stays_locked(tmp_path: Path) -> None:
    out = tmp_path / "out"
    pause = stalled_file(tmp_path / "pause")
    first = extract(SEED, out, pause=pause)
    with held_at(pause, first):  # the first run holds the lock, its staging complete
        second = extract(OTHER, out, "--wait-for-lock", "0.2")
        _, stderr = second.communicate(timeout=BOUND_S)
        assert second.returncode == 75, stderr
        assert stderr.count(f"waiting for another albatts run (pid {first.pid})") == 1
        lock = lock_path(out)
        assert f"another albatts run (pid {first.pid}) is still writing to {out}" in stderr
        assert f"(it holds the lock {lock})" in stderr
        assert len(list(tmp_path.glob(".out.staging-*"))) == 1  # the first run's, untouched
    _, stderr = first.communicate(timeout=BOUND_S)
    assert first.returncode == 0, stderr
    assert profile_ids(out) == [SEED_ID]
    assert sorted(p.name for p in tmp_path.iterdir()) == [CACHE_FOLDER, "out", "pause"]


def test_runs_on_one_out_wait_for_each_other_and_all_succeed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    pause = stalled_file(tmp_path / "pause")
    first = extract(SEED, out, pause=pause)
    with held_at(pause, first):
        others = [extract(OTHER if i % 2 else SEED, out) for i in range(3)]
        for other in others:  # each has reached the lock and waits: no sleeping on time
            assert other.stderr is not None
            assert other.stderr.readline().startswith("waiting for another albatts run")
    for run in (first, *others):
        _, stderr = run.communicate(timeout=BOUND_S)
        assert run.returncode == 0, stderr
    # The cache too, which the runs wrote at the same time.
    assert sorted(p.name for p in tmp_path.iterdir()) == [CACHE_FOLDER, "out", "pause"]
    assert manifest(out)["generator"] == "albatts"
    assert len(profile_ids(out)) == 1
    code, output = invoke("validate", str(out))
    assert code == 0, output


def test_a_lock_file_left_by_a_killed_run_does_not_block(tmp_path: Path) -> None:
    out = tmp_path / "out"
    lock_path(out).write_text("4242\n", encoding="ascii")  # nobody holds it
    code, output = invoke("extract", str(SEED), "--out", str(out), "--wait-for-lock", "0")
    assert code == 0, output
    assert sorted(p.name for p in tmp_path.iterdir()) == [CACHE_FOLDER, "out"]


def test_each_input_is_told_by_its_resolved_path_whatever_the_links(tmp_path: Path) -> None:
    """unique_inputs resolves each folder once for its files: every file is known by what
    Path.resolve() gives, through linked folders, linked files, links to links, a loop and
    a file that is not there, given relatively or absolutely."""
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.txt").write_text("a")
    (real / "b.txt").write_text("b")
    (tmp_path / "via").symlink_to(real, target_is_directory=True)
    (real / "to-a.txt").symlink_to(real / "a.txt")
    (real / "to-to-a.txt").symlink_to(real / "to-a.txt")
    (real / "loop.txt").symlink_to(real / "loop.txt")
    names = ["a.txt", "b.txt", "to-a.txt", "to-to-a.txt", "loop.txt", "gone.txt", "."]
    given = [folder / name for folder in (real, tmp_path / "via") for name in names]
    given += [Path(os.path.relpath(each)) for each in given]
    folders: dict[Path, Path] = {}
    for path in given:
        try:
            expected = path.resolve()
        except (OSError, RuntimeError):
            expected = path.absolute()
        assert discover._identity(path, folders) == expected, path
    found = discover.unique_inputs(given)
    assert sorted({each.path.resolve() for each in found if each.path.name != "loop.txt"}) == [
        real,
        real / "a.txt",
        real / "b.txt",
        real / "gone.txt",
    ]
