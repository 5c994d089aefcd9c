"""A mistake on the steward's side of a whole run (a malformed vocabulary, an --out that
cannot be written, a full disk, a locale that is not UTF-8) is one line that names the file
and what to do, with an exit code of its own, never a traceback; the previous output stays
as it was. Also: the PDF reader's own warnings become the file's warnings, and a killed
run's pymp-* folder is cleared by the next run.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from click.testing import CliRunner, Result

from pipeline.cli import main
from pipeline.codes import Code
from pipeline.contract.vocabulary import (
    FOLDER_VARIABLE,
    VOCABULARIES,
    VocabularyError,
    decode_vocabulary,
    parse_vocabulary,
)
from pipeline.disk import cannot_write
from pipeline.exits import EXIT_CANT_CREATE, EXIT_CONFIG, EXIT_IO_ERROR, EXIT_OK
from pipeline.extract.pdf_plumber import ReaderNote, notes_to_issues, reader_notes
from pipeline.mp_tempdir import MARK, remove_stale
from pipeline.workers import PAUSE_READING
from tests.conftest import AUTHORED, REPO, SEED
from tests.hostile import stalled_file
from tests.test_interrupt import BOUND_S, held_at

VOCAB_DIR = REPO / "schemas" / "vocab"
OPERATOR = AUTHORED / "battery-cell-production-operator.txt"


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def albatts(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        capture_output=True,
        text=True,
        errors="backslashreplace",
        env={**os.environ, **(env or {})},
        timeout=BOUND_S,
        check=False,
    )


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    """The output of an earlier good run, alone in its folder so that litter shows."""
    out = tmp_path / "runs" / "out"
    done = cli("extract", str(SEED), "--out", str(out), "--jobs", "0", "-q")
    assert done.exit_code == EXIT_OK, done.output
    return out


def litter(out: Path) -> list[str]:
    """What a run on `out` left beside it: staging, the previous output aside, its lock."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def assert_one_line(result: Result, code: int, line: str) -> None:
    """The run stopped with `code`, and said only `line` on stderr: no traceback."""
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit)  # not an exception that escaped
    assert result.stderr.splitlines() == [line]
    assert result.stdout == ""


# --- vocabularies: exit 78 --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "Awareness\nPractitioner\nExpert\nexpert\n",
            "line 4: the term 'expert' is already on line 3 (terms match in any case): "
            "remove one of the two lines",
            id="duplicate-any-case",
        ),
        pytest.param(
            "Awareness\nPracti\ttioner\n",
            "line 2: the term 'Practi\\ttioner' has a tab in it (one term per line, single "
            "spaces between words)",
            id="tab",
        ),
        pytest.param(
            "# levels\nAware\u200bness\n",
            "line 2: the term 'Aware\\u200bness' has an invisible character (U+200B) in it: "
            "delete the term's line and type it again",
            id="zero-width-space",
        ),
        pytest.param(
            "Awareness\nPractitioner\x0bExpert\n",
            "line 2: the term 'Practitioner\\x0bExpert' has an invisible character (U+000B) "
            "in it: delete the term's line and type it again",
            id="control-character",
        ),
        pytest.param(
            "Deep\u00a0Expert\n",
            "line 1: the term 'Deep\\xa0Expert' has a double space or a space other than a "
            "plain one (such as a no-break space) in it: use single plain spaces between words",
            id="no-break-space",
        ),
        pytest.param(
            "Deep  Expert\n",
            "line 1: the term 'Deep  Expert' has a double space or a space other than a plain "
            "one (such as a no-break space) in it: use single plain spaces between words",
            id="double-space",
        ),
        pytest.param(
            "- Awareness\n",
            "line 1: the term '- Awareness' starts with the list marker '-': write the term "
            "alone on its line",
            id="list-marker",
        ),
        pytest.param(
            "Expert # the top level\n",
            "line 1: the term 'Expert # the top level' has a comment after it: a comment goes "
            "on a line of its own, starting with #",
            id="inline-comment",
        ),
        pytest.param(
            "R&amp;D\n",
            "line 1: the term 'R&amp;D' has markup in it (<, > or an HTML entity such as "
            "&amp;): write plain text",
            id="html-entity",
        ),
        pytest.param(
            "\ufb01eld Expert\n",
            "line 1: the term '\ufb01eld Expert' is not written as texts are compared (Unicode "
            "NFKC turns it into 'field Expert', e.g. a ligature or a full-width letter): "
            "write it that way",
            id="nfkc-ligature",
        ),
    ],
)
def test_a_malformed_term_names_its_file_and_line(text: str, message: str) -> None:
    with pytest.raises(VocabularyError) as raised:
        parse_vocabulary("levels", text, "vocab")
    assert str(raised.value) == f"vocab/levels.txt, {message}"
    assert raised.value.exit_code == EXIT_CONFIG


def test_a_file_without_terms_is_malformed() -> None:
    with pytest.raises(VocabularyError, match=r"^vocab/levels\.txt has no terms: write one"):
        parse_vocabulary("levels", "# only a comment\n\n   \n", "vocab")


@pytest.mark.parametrize(
    ("data", "terms"),
    [
        pytest.param(b"\xef\xbb\xbfAwareness\nExpert\n", ("Awareness", "Expert"), id="bom"),
        pytest.param(b"Awareness\r\nExpert\r\n", ("Awareness", "Expert"), id="crlf"),
        pytest.param(b"  Awareness \t\nExpert\n", ("Awareness", "Expert"), id="outer-space"),
        pytest.param(b"R&D\nC#\nHealth, Safety\n", ("R&D", "C#", "Health, Safety"), id="symbols"),
    ],
)
def test_what_an_editor_adds_around_terms_is_harmless(data: bytes, terms: tuple[str]) -> None:
    assert parse_vocabulary("levels", decode_vocabulary("levels", data)).terms == terms


def test_bytes_that_are_not_utf8_name_their_line() -> None:
    with pytest.raises(VocabularyError) as raised:
        decode_vocabulary("departments", b"RnD\nQualit\xe9\n", "vocab")
    assert str(raised.value) == (
        "vocab/departments.txt, line 2: not valid UTF-8 (byte 0xe9): save the file as UTF-8"
    )


def test_every_shipped_vocabulary_is_declared_and_well_formed() -> None:
    shipped = sorted(VOCAB_DIR.glob("*.txt"))
    assert [path.stem for path in shipped] == sorted(VOCABULARIES)
    for path in shipped:
        parse_vocabulary(path.stem, decode_vocabulary(path.stem, path.read_bytes()))


@pytest.fixture
def vocab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the vocabularies that the run reads instead of schemas/vocab/."""
    copy = tmp_path / "vocab"
    shutil.copytree(VOCAB_DIR, copy)
    monkeypatch.setenv(FOLDER_VARIABLE, str(copy))
    return copy


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        pytest.param(
            "levels",
            b"Awareness\nPractitioner\nExpert\nexpert\n",
            "line 4: the term 'expert' is already on line 3 (terms match in any case): "
            "remove one of the two lines",
            id="duplicate",
        ),
        pytest.param(
            "departments",
            b"RnD\nQuality\tLab\n",
            "line 2: the term 'Quality\\tLab' has a tab in it (one term per line, single "
            "spaces between words)",
            id="tab",
        ),
        pytest.param(
            "role_nouns",
            b"Engineer\nOperat\xf6r\n",
            "line 2: not valid UTF-8 (byte 0xf6): save the file as UTF-8",
            id="not-utf8",
        ),
        pytest.param(
            "types",
            b"",
            "has no terms: write one term per line (lines starting with # are comments), or "
            "restore the file",
            id="empty-file",
        ),
    ],
)
def test_a_broken_vocabulary_stops_extract_before_any_work(
    previous: Path, vocab: Path, name: str, data: bytes, problem: str
) -> None:
    # previous first: its run reads the shipped vocabularies, and this one the broken copy
    # (a process reads each vocabulary file once).
    (vocab / f"{name}.txt").write_bytes(data)
    before = snapshot(previous)
    result = cli("extract", str(SEED), "--out", str(previous), "--jobs", "0")
    separator = " " if problem.startswith("has") else ", "
    assert_one_line(result, EXIT_CONFIG, f"albatts: {vocab}/{name}.txt{separator}{problem}")
    assert snapshot(previous) == before
    assert litter(previous) == []


def test_with_json_a_run_that_cannot_go_on_says_so_on_stdout_too(
    vocab: Path, tmp_path: Path
) -> None:
    """A script reading --json's stdout learns why there is no summary: the error as JSON,
    with the same exit code; a person still reads the one line on stderr."""
    (vocab / "title_openers.txt").unlink()
    out = tmp_path / "out"
    result = cli("extract", str(SEED), "--out", str(out), "--jobs", "0", "--json")
    assert result.exit_code == EXIT_CONFIG, result.output
    line = f"albatts: {vocab}/title_openers.txt is missing: restore it (the pipeline reads it)"
    assert result.stderr.splitlines() == [line]
    assert json.loads(result.stdout) == {"error": line.removeprefix("albatts: "), "exit_code": 78}


def test_a_missing_vocabulary_file_is_named(vocab: Path, tmp_path: Path) -> None:
    (vocab / "title_openers.txt").unlink()
    result = cli("extract", str(SEED), "--out", str(tmp_path / "out"), "--jobs", "0")
    assert_one_line(
        result,
        EXIT_CONFIG,
        f"albatts: {vocab}/title_openers.txt is missing: restore it (the pipeline reads it)",
    )
    assert not (tmp_path / "out").exists()


def test_a_vocabulary_only_the_workers_read_stops_the_real_run_in_the_parent(
    tmp_path: Path,
) -> None:
    """role_nouns.txt is read by the workers (and the forkserver's warm-up) only, and
    tables.py reads the others as it is imported: the run still stops once, in the parent,
    before any worker starts, with one line and no traceback."""
    copy = tmp_path / "vocab"
    shutil.copytree(VOCAB_DIR, copy)
    nouns = copy / "role_nouns.txt"
    nouns.write_text(nouns.read_text(encoding="utf-8") + "engineer\n", encoding="utf-8")
    line = len(nouns.read_text(encoding="utf-8").splitlines())
    first = nouns.read_text(encoding="utf-8").splitlines().index("Engineer") + 1
    out = tmp_path / "out"
    done = albatts("extract", str(SEED), "--out", str(out), env={FOLDER_VARIABLE: str(copy)})
    assert done.returncode == EXIT_CONFIG, done.stderr
    assert done.stderr.splitlines() == [
        f"albatts: {copy}/role_nouns.txt, line {line}: the term 'engineer' is already on line "
        f"{first} (terms match in any case): remove one of the two lines"
    ]
    assert done.stdout == ""
    assert not out.exists()


def test_other_commands_stop_on_a_broken_vocabulary_too(previous: Path, tmp_path: Path) -> None:
    """validate loads the contract, and with it the vocabularies, as it starts."""
    copy = tmp_path / "vocab"
    shutil.copytree(VOCAB_DIR, copy)
    (copy / "categories.txt").write_text("Soft Competence\nsoft competence\n", encoding="utf-8")
    done = albatts("validate", str(previous), env={FOLDER_VARIABLE: str(copy)})
    assert done.returncode == EXIT_CONFIG
    assert done.stderr.splitlines() == [
        f"albatts: {copy}/categories.txt, line 2: the term 'soft competence' is already on "
        "line 1 (terms match in any case): remove one of the two lines"
    ]


def test_a_vocabulary_folder_of_ones_own_is_used_and_recorded(vocab: Path, tmp_path: Path) -> None:
    departments = vocab / "departments.txt"
    departments.write_text(
        departments.read_text(encoding="utf-8") + "Cell Formation\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    result = cli("extract", str(SEED), "--out", str(out), "--jobs", "0", "-q")
    assert result.exit_code == EXIT_OK, result.output
    recorded = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["vocabularies"]
    assert recorded["departments.txt"] == hashlib.sha256(departments.read_bytes()).hexdigest()
    shipped = (VOCAB_DIR / "departments.txt").read_bytes()
    assert recorded["departments.txt"] != hashlib.sha256(shipped).hexdigest()


# --- an --out that cannot be written: exit 73 --------------------------------------------


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into any folder")
def test_a_folder_without_write_permission_stops_the_run_before_any_work(
    previous: Path,
) -> None:
    before = snapshot(previous)
    previous.parent.chmod(0o555)
    try:
        result = cli("extract", str(SEED), "--out", str(previous), "--jobs", "0")
    finally:
        previous.parent.chmod(0o755)
    assert_one_line(
        result,
        EXIT_CANT_CREATE,
        f"albatts: cannot write in {previous.parent}: permission denied; give this user "
        f"write access to {previous.parent}, or choose another --out ({previous} was left as "
        "it was)",
    )
    assert snapshot(previous) == before


@pytest.mark.parametrize(
    ("number", "said"),
    [
        pytest.param(
            errno.EACCES,
            "permission denied; give this user write access to {folder}, or choose another --out",
            id="permission-denied",
        ),
        pytest.param(
            errno.EROFS,
            "the file system is read-only; choose an --out on a writable disk",
            id="read-only",
        ),
    ],
)
def test_a_folder_that_refuses_writes_stops_the_run_before_any_work(
    previous: Path, monkeypatch: pytest.MonkeyPatch, number: int, said: str
) -> None:
    """As root the kernel lets every write through and a read-only mount needs privileges,
    so the folder's answer comes from the checks' seams: os.access and statvfs."""
    folder = previous.parent
    real_access, real_statvfs = os.access, os.statvfs

    def access(path: str, mode: int, **kwargs: bool) -> bool:
        return False if Path(path) == folder else real_access(path, mode, **kwargs)

    class ReadOnly:
        f_flag = os.ST_RDONLY

    def statvfs(path: str) -> object:
        return ReadOnly() if Path(path) == folder else real_statvfs(path)

    monkeypatch.setattr(os, "access", access)
    if number == errno.EROFS:
        monkeypatch.setattr(os, "statvfs", statvfs)
    before = snapshot(previous)
    result = cli("extract", str(SEED), "--out", str(previous), "--jobs", "0")
    assert_one_line(
        result,
        EXIT_CANT_CREATE,
        f"albatts: cannot write in {folder}: {said.format(folder=folder)} ({previous} was "
        "left as it was)",
    )
    assert snapshot(previous) == before


def test_a_swap_the_folder_refuses_puts_the_previous_output_back(
    previous: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The previous output is already aside when the new one's rename is refused (another
    user's folder in a sticky /tmp, say): it goes back before the error is told."""
    real = Path.rename

    def rename(self: Path, target: Path | str) -> Path:
        if ".out.staging-" in self.name:
            raise PermissionError(errno.EPERM, "Operation not permitted", str(self), str(target))
        return real(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    before = snapshot(previous)
    result = cli("extract", str(OPERATOR), "--out", str(previous), "--jobs", "0")
    assert result.exit_code == EXIT_CANT_CREATE, result.output
    [line] = result.stderr.splitlines()
    assert re.fullmatch(
        rf"albatts: cannot write {re.escape(str(previous.parent))}/\.out\.staging-\w+: "
        rf"permission denied; .* \({re.escape(str(previous))} was left as it was\)",
        line,
    )
    assert snapshot(previous) == before
    assert litter(previous) == []


# --- a full disk: exit 74 ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "what"),
    [
        pytest.param(
            OSError(errno.ENOSPC, "No space left on device"), "the disk is full", id="enospc"
        ),
        pytest.param(
            OSError(errno.EDQUOT, "Disk quota exceeded"),
            "the disk quota is exceeded",
            id="edquot",
        ),
        # pyarrow's OSError carries the errno in its message only.
        pytest.param(
            OSError("Error writing bytes to file. Detail: [errno 28] No space left on device"),
            "the disk is full",
            id="pyarrow",
        ),
    ],
)
def test_a_full_disk_stops_the_run_and_leaves_no_staging(
    previous: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, what: str
) -> None:
    """The disk fills up once the tables are in staging, as the reports are written."""
    import pipeline.write

    real = pipeline.write.open_output

    def open_output(path: Path) -> BinaryIO:
        if path.name == "validation.json":
            assert (path.parent / "csv" / "profiles.csv").is_file()  # staging has tables
            raise error
        return real(path)

    monkeypatch.setattr(pipeline.write, "open_output", open_output)
    before = snapshot(previous)
    result = cli("extract", str(OPERATOR), "--out", str(previous), "--jobs", "0")
    assert_one_line(
        result,
        EXIT_IO_ERROR,
        f"albatts: {what}: writing the outputs beside {previous} failed; free some space on "
        f"that disk, or choose an --out on another disk ({previous} was left as it was)",
    )
    assert snapshot(previous) == before
    assert litter(previous) == []


@pytest.mark.parametrize(
    ("number", "filename", "code", "line"),
    [
        (
            errno.EACCES,
            "/data/out.lock",
            EXIT_CANT_CREATE,
            "cannot write /data/out.lock: permission denied; give this user write access to "
            "/data, or choose another --out (nothing was written)",
        ),
        (
            errno.EROFS,
            "/data/out.lock",
            EXIT_CANT_CREATE,
            "cannot write /data/out.lock: the file system is read-only; choose an --out on a "
            "writable disk (nothing was written)",
        ),
        (
            errno.ENOSPC,
            "/data/.out.staging-x/DATA.md",
            EXIT_IO_ERROR,
            "the disk is full: writing /data/.out.staging-x/DATA.md failed; free some space on "
            "that disk, or choose an --out on another disk (nothing was written)",
        ),
        (
            errno.EIO,
            None,
            EXIT_IO_ERROR,
            "cannot write the outputs beside /data/out (Input/output error); check the disk, "
            "or choose another --out (nothing was written)",
        ),
    ],
    ids=["eacces", "erofs", "enospc", "eio"],
)
def test_each_refusal_has_its_words_and_code(
    number: int, filename: str | None, code: int, line: str
) -> None:
    error = OSError(number, os.strerror(number), filename)
    refused = cannot_write(error, Path("/data/out"))
    assert (str(refused), refused.exit_code) == (line, code)


# --- a locale without UTF-8 ----------------------------------------------------------------

C_LOCALE = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}


def c_locale_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONIO"))}
    return {**env, **C_LOCALE}


@pytest.fixture
def foreign_names(tmp_path: Path) -> Path:
    """é.txt, and a name that is not UTF-8 at all (Latin-1 bytes)."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "é.txt").write_bytes(SEED.read_bytes())
    (inbox / os.fsdecode(b"op\xe9rateur.txt")).write_bytes(OPERATOR.read_bytes())
    return inbox


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({}, id="c-locale"),
        # stdout strictly ASCII whatever the platform makes of LC_ALL=C
        pytest.param({"PYTHONIOENCODING": "ascii"}, id="ascii-stdout"),
    ],
)
def test_a_locale_without_utf8_prints_escapes_not_a_traceback(
    foreign_names: Path, tmp_path: Path, extra: dict[str, str]
) -> None:
    env = {**c_locale_env(), **extra}
    probe = subprocess.run(
        [sys.executable, "-c", "import sys; print(sys.stdout.encoding)"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    if "utf" in probe.stdout.lower():
        pytest.skip(f"this platform gives Python UTF-8 under LC_ALL=C ({probe.stdout.strip()})")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline", "extract", str(foreign_names), "--out", str(out)]
    shown = subprocess.run(command, capture_output=True, env=env, timeout=BOUND_S, check=False)
    assert shown.returncode == EXIT_OK, shown.stderr
    assert b"Traceback" not in shown.stderr
    summary = shown.stdout.decode("ascii")  # nothing the terminal's encoding lacks
    assert re.search(r"ok +\S*/in/\\xe9\.txt -> embedded-system-and-bms-engineers", summary)
    assert re.search(r"ok +\S*/in/op\\xe9rateur\.txt -> battery-cell-production", summary)
    # JSON is UTF-8 by definition, whatever the locale.
    scripted = subprocess.run(
        [*command, "--json"], capture_output=True, env=env, timeout=BOUND_S, check=False
    )
    assert scripted.returncode == EXIT_OK, scripted.stderr
    assert b"Traceback" not in scripted.stderr
    assert json.loads(scripted.stdout)["exit_code"] == EXIT_OK
    names = [
        entry["source_file"]
        for entry in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["inputs"]
    ]
    assert names == ["op\\xe9rateur.txt", "é.txt"]


# --- the PDF reader's own warnings --------------------------------------------------------


def reader_warning_pdf() -> tuple[bytes, int]:
    """A real profile PDF (fpdf2, uncompressed) whose line widths are names, not numbers:
    pdfminer logs "Cannot set line width because /'Bad' is an invalid float value" for
    each, and draws on. The bytes keep their length, so the cross-reference stays valid."""
    from tests.pdfcorpus import render_fpdf
    from tests.pdfcorpus.data import load_corpus
    from tests.pdfcorpus.variants import corpus_variants

    plain = render_fpdf.new_pdf

    def uncompressed(*args: Any, **kwargs: Any) -> Any:
        pdf = plain(*args, **kwargs)
        pdf.set_compression(False)
        return pdf

    variant = next(v for v in corpus_variants() if v.producer == "fpdf2")
    profile = load_corpus()[0][1]
    mp = pytest.MonkeyPatch()
    mp.setattr(render_fpdf, "new_pdf", uncompressed)
    try:
        data = render_fpdf.render_fpdf(profile, variant)
    finally:
        mp.undo()
    widths = re.compile(rb"\n(\d+\.\d+) w\n")
    count = len(widths.findall(data))
    assert count >= 2, "the fixture needs line widths to spoil"
    spoiled = widths.sub(lambda m: b"\n/" + b"B" * (len(m[1]) - 1) + b" w\n", data)
    assert len(spoiled) == len(data)
    return spoiled, count


def test_pdf_reader_warnings_become_the_files_warnings(tmp_path: Path) -> None:
    data, count = reader_warning_pdf()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "spoiled.pdf").write_bytes(data)
    out = tmp_path / "out"
    # pdfminer's warnings (PDFium reads such a file silently), in a worker.
    done = albatts("extract", str(tmp_path / "in"), "--out", str(out), "--pdf-engine", "pdfplumber")
    assert done.returncode == EXIT_OK, done.stderr
    for line in done.stderr.splitlines():
        if "invalid float value" in line:
            assert line.startswith("warning   spoiled.pdf: the PDF reader reported: ")
    [entry] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["inputs"]
    [note] = [w for w in entry["warnings"] if w["code"] == Code.PDF_READER_WARNING]
    assert re.fullmatch(
        rf"the PDF reader reported: Cannot set line width because /'B+' is an invalid "
        rf"float value \({count} times\)",
        note["message"],
    )
    assert note["location"] == {"file": "spoiled.pdf"}


def test_reader_notes_keep_each_kind_once_and_print_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = logging.getLogger("pdfminer.pdfinterp")
    with reader_notes() as notes:
        for value in ("/a", "/b", "/c"):
            log.warning(
                "Cannot set gray non-stroke color because %r is an invalid float value", value
            )
        logging.getLogger("pdfminer.pdfpage").warning("MediaBox missing from /Page")
        log.debug("not a warning")
    assert notes == [
        ReaderNote("Cannot set gray non-stroke color because '/a' is an invalid float value", 3),
        ReaderNote("MediaBox missing from /Page", 1),
    ]
    assert capsys.readouterr().err == ""
    assert logging.getLogger("pdfminer").propagate  # as it was
    [first, second] = notes_to_issues(notes, "a.pdf")
    assert str(first) == (
        "a.pdf: the PDF reader reported: Cannot set gray non-stroke color because '/a' is an "
        "invalid float value (3 times) (the reader worked around a defect in the PDF; check "
        "this profile's rows with albatts inspect, or export the PDF again)"
    )
    assert (first.severity, first.code, second.message) == (
        "warning",
        Code.PDF_READER_WARNING,
        "the PDF reader reported: MediaBox missing from /Page",
    )


# --- a killed run's pymp-* folder ---------------------------------------------------------


def marked(folder: Path) -> Path:
    folder.mkdir()
    (folder / MARK).touch()
    (folder / "listener-x").touch()
    return folder


@pytest.fixture
def held(tmp_path: Path) -> Iterator[Path]:
    """A marked folder whose lock another process (a live run) holds."""
    folder = marked(tmp_path / "pymp-live")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import fcntl, os, sys
                lock = os.open({str(folder / MARK)!r}, os.O_RDONLY)
                fcntl.flock(lock, fcntl.LOCK_EX)
                print("held", flush=True)
                sys.stdin.read()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    try:
        yield folder
    finally:
        holder.communicate("", timeout=BOUND_S)


def test_only_the_folders_of_runs_that_are_gone_are_removed(tmp_path: Path, held: Path) -> None:
    stale = marked(tmp_path / "pymp-stale")
    foreign = tmp_path / "pymp-other-program"
    foreign.mkdir()
    elsewhere = marked(tmp_path / "elsewhere")
    (tmp_path / "pymp-link").symlink_to(elsewhere)
    assert remove_stale(tmp_path) == [stale]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "elsewhere",
        "pymp-link",
        "pymp-live",
        "pymp-other-program",
    ]
    assert (held / MARK).is_file()


def test_the_next_run_clears_the_pymp_folder_of_a_killed_run(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    stalled = stalled_file(tmp_path / SEED.name)  # the worker reading SEED waits on it
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline", "extract", str(SEED), "--out", str(out), "-q"]
    env = {**os.environ, "TMPDIR": str(temp)}
    run = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**env, PAUSE_READING: str(stalled)},
    )
    with held_at(stalled, run):  # the forkserver is up, a worker reads
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=BOUND_S)
    [left] = temp.glob("pymp-*")
    assert (left / MARK).is_file()
    again = subprocess.run(command, capture_output=True, env=env, timeout=BOUND_S, check=False)
    assert again.returncode == EXIT_OK, again.stderr
    assert list(temp.iterdir()) == []  # the killed run's folder, and its own on the way out
