"""The extract summary: grouped errors, listed or cut warnings, stdout/stderr, --json,
names shown literally, exit codes; and a CLI that answers --help without the heavy imports."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipeline.cli import main
from pipeline.codes import Code
from pipeline.console import (
    Detail,
    issues_to_groups,
    summary_lines,
)
from pipeline.model import Issue, Location, Verdict, terminal_text
from pipeline.outcome import RunReport
from tests.conftest import REPO, SEED
from tests.hostile import seed_text

SEED_WARNINGS = 4  # the seed's own: a repeated statement and three competences without ESCO


def extract(*args: str) -> Result:
    return CliRunner().invoke(main, ["extract", *args])


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def issue_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("  [")]


def warning_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("warning   ")]


# --- errors of one cause on one line ------------------------------------------------------


def greek_slugs(text: str, max_length: int = 80) -> str:
    """profile ids as before titles were transliterated: Greek letters kept."""
    return re.sub(r"\W+", "-", text.lower()).strip("-")


@pytest.fixture
def greek_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A profile with a Greek title whose id fails in every row of every table: one root
    cause, 219 errors."""
    monkeypatch.setattr("pipeline.stages.normalise.slugify", greek_slugs)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "greek.txt").write_text(seed_text("Μηχανικοί Συστημάτων BMS"), encoding="utf-8")
    (inbox / "seed.txt").write_bytes(SEED.read_bytes())
    return inbox, tmp_path / "out"


def test_one_bad_title_gives_a_line_per_cause_with_a_count(greek_run: tuple[Path, Path]) -> None:
    inbox, out = greek_run
    result = extract(str(inbox), "--out", str(out), "--jobs", "0")
    assert result.exit_code == 1
    [greek] = [v for v in manifest(out)["inputs"] if v["source_file"] == "greek.txt"]
    assert len(greek["errors"]) == 219
    assert issue_lines(result.stderr) == [
        "  [validate] x123 greek.txt, lines 28-84, tables profiles, occupations, eqf_levels "
        "and 5 more, column profile_id: 'μηχανικοί-συστημάτων-bms' is not a lowercase slug "
        "such as 'battery-cell-engineer' (correct the value in the document)",
        "  [validate] x96 greek.txt, lines 43-84, tables competences, competence_statements, "
        "competence_esco_skills, column competence_id: e.g. "
        "'μηχανικοί-συστημάτων-bms--models-modelling-diagrams-schematics' is not "
        "'<profile_id>--<competence slug>' (correct the value in the document)",
    ]
    assert "errors of one cause are counted on one line (xN); -v lists each" in result.stderr


def test_verbose_lists_every_error(greek_run: tuple[Path, Path]) -> None:
    inbox, out = greek_run
    result = extract(str(inbox), "--out", str(out), "--jobs", "0", "-v")
    assert result.exit_code == 1
    shown = issue_lines(result.stderr)
    assert len(shown) == 219
    [greek] = [v for v in manifest(out)["inputs"] if v["source_file"] == "greek.txt"]
    assert [line.removeprefix("  [validate] ") for line in shown] == [
        error["text"] for error in greek["errors"]
    ]
    assert "counted on one line" not in result.stderr


def test_repeated_departments_are_one_line(tmp_path: Path) -> None:
    departments = "Production and Maintenance Quality RnD IT/Digitalisation"
    (tmp_path / "deps.txt").write_text(
        seed_text(replacements={departments: " ".join(["Quality"] * 300)}), encoding="utf-8"
    )
    result = extract(str(tmp_path / "deps.txt"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert issue_lines(result.stderr) == [
        "  [validate] x300 deps.txt, line 37, table departments.department: 'Quality' is "
        "repeated in departments.department (each value may appear once; remove the duplicate)"
    ]
    assert "nothing to publish" in result.stderr


def issue(code: Code, message: str, line: int, severity: str = "error") -> Issue:
    return Issue(
        "validate",
        message,
        Location("p.txt", line=line, table="competences", column="level"),
        "correct the document",
        severity="warning" if severity == "warning" else "error",
        code=code,
    )


def test_a_few_errors_of_one_kind_are_each_listed() -> None:
    """Three different bad levels are three things to fix, each named."""
    errors = [
        issue(Code.UNKNOWN_LEVEL, f"{value!r} is not in the levels vocabulary", line)
        for line, value in ((40, "Expret"), (41, "Guru"), (42, "Novice"))
    ]
    verdict = Verdict("p.txt", None, "text", "rejected", None, tuple(errors))
    lines = plain(summary_lines(report(verdict), Path("out"), ["csv"], Detail()))
    assert [line for line in lines if line.startswith("  [")] == [
        f"  [validate] {error}" for error in errors
    ]


def test_groups_follow_code_and_message_not_values() -> None:
    issues = [
        issue(Code.UNKNOWN_LEVEL, "'Guru' is not in the levels vocabulary", 1),
        issue(Code.UNKNOWN_LEVEL, "'Sage' is not in the levels vocabulary", 2),
        issue(Code.UNKNOWN_TYPE, "'X' is not in the types vocabulary", 3),
        issue(Code.UNKNOWN_LEVEL, "'Guru' is not in the levels vocabulary", 4, "warning"),
    ]
    groups = issues_to_groups(issues)
    assert [[i.location.line for i in group.issues] for group in groups] == [[1, 2], [3], [4]]


# --- warnings: listed, cut short, all with -v ---------------------------------------------


def report(*verdicts: Verdict, published: bool = True) -> RunReport:
    return RunReport(verdicts, published=published)


def plain(lines: list) -> list[str]:
    return [line.content.plain for line in lines if hasattr(line.content, "plain")]


def warned(name: str, count: int, kinds: int = 1) -> Verdict:
    warnings = tuple(
        Issue(
            "normalise",
            f"statement #{n} repeats an earlier statement",
            Location(name, line=10 + n, table="competence_statements"),
            "remove the repeated bullet",
            severity="warning",
            code=[Code.REPEATED_STATEMENT, Code.NO_ESCO_SKILLS][n % kinds],
        )
        for n in range(count)
    )
    return Verdict(name, None, "text", "ok", name.removesuffix(".txt"), warnings)


def test_warnings_are_listed_one_line_each_on_stderr(tmp_path: Path) -> None:
    result = extract(str(SEED), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0
    shown = warning_lines(result.stderr)
    assert shown[0] == (
        "warning   000_ec40f3a5bbbfd221.txt, line 49, table competence_statements, competence "
        "'Embedded Systems': statement #3 repeats an earlier statement: 'Define the interface "
        "and control strategy of embedded BMS software'"
    )
    assert len(shown) == SEED_WARNINGS
    assert not warning_lines(result.stdout)
    assert "(4 warning(s))" in result.stdout


def test_many_warnings_of_a_kind_are_cut_short() -> None:
    lines = plain(summary_lines(report(warned("a.txt", 25)), Path("out"), ["csv"], Detail()))
    warnings = warning_lines("\n".join(lines))
    assert warnings[:3] == [
        f"warning   a.txt, line {10 + n}, table competence_statements: statement #{n} "
        "repeats an earlier statement"
        for n in range(3)
    ]
    assert warnings[3:] == ["warning   ... and 22 more warnings of this kind in a.txt"]
    assert (
        "warnings of one kind are cut short; -v lists them; out/validation.json has them all"
        in (lines)
    )


def test_ten_warnings_in_a_file_are_all_listed() -> None:
    lines = plain(summary_lines(report(warned("a.txt", 10)), Path("out"), ["csv"], Detail()))
    assert len(warning_lines("\n".join(lines))) == 10


def test_a_run_lists_a_bounded_number_of_warnings() -> None:
    files = [warned(f"f{n:02}.txt", 4, kinds=2) for n in range(12)]
    lines = plain(summary_lines(report(*files), Path("out"), ["csv"], Detail()))
    warnings = warning_lines("\n".join(lines))
    assert len(warnings) == 7 * 4 + 1
    assert warnings[-1] == (
        "warning   ... and 20 more warnings in 5 more file(s); -v lists them; "
        "out/validation.json has them all"
    )


def test_verbose_lists_every_warning_with_its_hint() -> None:
    files = [warned("a.txt", 25), *(warned(f"f{n:02}.txt", 4) for n in range(12))]
    lines = plain(summary_lines(report(*files), Path("out"), ["csv"], Detail(verbose=True)))
    warnings = warning_lines("\n".join(lines))
    assert len(warnings) == 25 + 12 * 4
    assert warnings[0] == (
        "warning   a.txt, line 10, table competence_statements: statement #0 repeats an "
        "earlier statement (remove the repeated bullet)"
    )


def test_a_rejected_file_counts_its_warnings_and_verbose_lists_them() -> None:
    rejected = Verdict(
        "r.txt",
        None,
        "text",
        "rejected",
        None,
        (
            issue(Code.UNKNOWN_LEVEL, "'Guru' is not in the levels vocabulary", 5),
            *warned("r.txt", 2).issues,
        ),
    )
    lines = plain(summary_lines(report(rejected), Path("out"), ["csv"], Detail()))
    assert lines[:3] == [
        "rejected  r.txt",
        "  [validate] p.txt, line 5, table competences.level: 'Guru' is not in the levels "
        "vocabulary (correct the document)",
        "  (2 warning(s) too; -v lists them)",
    ]
    assert not warning_lines("\n".join(lines))
    verbose = plain(summary_lines(report(rejected), Path("out"), ["csv"], Detail(verbose=True)))
    assert len(warning_lines("\n".join(verbose))) == 2


def test_quiet_lists_rejections_and_the_verdict_only(inbox: Path, tmp_path: Path) -> None:
    (inbox / "bad.txt").write_text(
        seed_text("Bad Profile", {"\tExpert\tC/C++": "\tExpret\tC/C++"}), encoding="utf-8"
    )
    result = extract(str(inbox), "--out", str(tmp_path / "out"), "-q")
    assert result.exit_code == 1
    assert (
        result.stdout == "2 profile(s) ok, 1 rejected, 10 warning(s); formats: parquet, csv, json\n"
    )
    assert result.stderr.startswith(f"rejected  {inbox}/bad.txt\n  [validate] ")
    assert result.stderr.endswith("\n  (4 warning(s) too; -v lists them)\n")
    assert not warning_lines(result.stderr)


# --- stdout for results, stderr for problems, --json for scripts ----------------------------


@pytest.fixture
def mixed(inbox: Path) -> Path:
    (inbox / "bad.txt").write_text(
        seed_text("Bad Profile", {"\tExpert\tC/C++": "\tExpret\tC/C++"}), encoding="utf-8"
    )
    return inbox


def test_results_go_to_stdout_and_problems_to_stderr(mixed: Path, tmp_path: Path) -> None:
    result = extract(str(mixed), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    assert out[0] == f"albatts extract → {tmp_path / 'out'}"
    assert "│ competence_statements  │   81 │" in out
    assert [line for line in out if line.startswith("ok ")] == [
        f"ok        {mixed}/seed.txt -> embedded-system-and-bms-engineers (4 warning(s))",
        f"ok        {mixed}/sub/operator.txt -> battery-cell-production-operator (2 warning(s))",
    ]
    assert out[-1] == "2 profile(s) ok, 1 rejected, 10 warning(s); formats: parquet, csv, json"
    assert "rejected  " not in result.stdout and "warning   " not in result.stdout
    err = result.stderr.splitlines()
    assert err[0] == f"rejected  {mixed}/bad.txt"
    assert err[1].startswith("  [validate] bad.txt, line 50, table competences.level")
    assert len(warning_lines(result.stderr)) == 6
    assert "albatts extract →" not in result.stderr


def test_json_is_all_of_stdout_and_matches_the_manifest(mixed: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = extract(str(mixed), "--out", str(out), "--json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    expected = manifest(out)
    assert [
        (i["source_file"], i["status"], i["profile_id"], i["errors"], i["warnings"])
        for i in summary["inputs"]
    ] == [
        (
            e["source_file"],
            e["status"],
            e["profile_id"],
            len(e["errors"]),
            len(e["warnings"]),
        )
        for e in expected["inputs"]
    ]
    [bad] = [i for i in summary["inputs"] if i["source_file"] == "bad.txt"]
    assert bad["codes"] == {"no-esco-skills": 3, "repeated-statement": 1, "unknown-level": 1}
    assert bad["path"] == f"{mixed}/bad.txt"
    assert summary["totals"] == {
        "inputs": 3,
        "ok": 2,
        "rejected": 1,
        "errors": 1,
        "warnings": 10,
    }
    assert summary["rows"] == expected["tables"]
    assert (summary["out"], summary["published"], summary["exit_code"]) == (str(out), True, 1)
    assert summary["formats"] == ["parquet", "csv", "json"]
    assert result.stderr.startswith(f"rejected  {mixed}/bad.txt")


def test_json_when_nothing_is_published(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    result = extract(str(tmp_path / "empty.txt"), "--out", str(tmp_path / "out"), "--json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert (summary["published"], summary["exit_code"]) == (False, 1)
    assert summary["totals"]["rejected"] == 1
    assert "nothing to publish" in result.stderr


# --- names shown as they are ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        pytest.param("profile [draft].txt", "profile [draft].txt", id="brackets"),
        pytest.param("[/]/p.txt", "[/]/p.txt", id="markup-close-tag"),
        pytest.param("evil\x1b[31m.txt", "evil\\x1b[31m.txt", id="escape-code"),
        pytest.param("two\nlines.txt", "two\\nlines.txt", id="newline"),
        pytest.param("tab\there.txt", "tab\\there.txt", id="tab"),
        pytest.param("rlo\u202etxt.exe", "rlo\\u202etxt.exe", id="bidi-override"),
        pytest.param("bad\udcff.txt", "bad\\xff.txt", id="not-utf8"),
        pytest.param("Μηχανικοί.txt", "Μηχανικοί.txt", id="any-script"),
    ],
)
def test_terminal_text(raw: str, shown: str) -> None:
    assert terminal_text(raw) == shown


def test_file_names_are_printed_literally(tmp_path: Path) -> None:
    inbox = tmp_path / "[" / "]"  # a folder path that holds "[/]", Rich's closing tag
    inbox.mkdir(parents=True)
    (inbox / "profile [draft].txt").write_bytes(SEED.read_bytes())
    (inbox / "[red]x.txt").write_bytes(b"")
    (inbox / "evil\x1b[31m\nname.txt").write_text("not a profile", encoding="utf-8")
    out = tmp_path / "[/]out"
    result = extract(str(inbox), "--out", str(out))
    assert result.exit_code == 1, result.output
    assert "\x1b" not in result.output
    assert result.stdout.splitlines()[0] == f"albatts extract → {tmp_path}/[/]out"
    assert (
        f"ok        {tmp_path}/[/]/profile [draft].txt -> embedded-system-and-bms-engineers"
        in result.stdout
    )
    err = result.stderr.splitlines()
    assert f"rejected  {tmp_path}/[/]/[red]x.txt" in err
    assert f"rejected  {tmp_path}/[/]/evil\\x1b[31m\\nname.txt" in err
    assert any(line.startswith("  [extract] evil\\x1b[31m\\nname.txt: ") for line in err)
    assert any(line.startswith("warning   profile [draft].txt, line 49") for line in err)


def test_names_are_literal_on_a_real_terminal_stream(tmp_path: Path) -> None:
    """Through a real process (Rich writes to the real stdout and stderr)."""
    folder = tmp_path / "in [x]"
    folder.mkdir()
    (folder / "a\x1b]0;title\x07.txt").write_text("not a profile", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "extract", str(folder), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "FORCE_COLOR": "1", "TERM": "xterm"},
    )
    assert result.returncode == 1, result.stderr
    assert "\x07" not in result.stderr and "\x1b]0;" not in result.stderr
    assert "a\\x1b]0;title\\x07.txt" in result.stderr


# --- exit codes ----------------------------------------------------------------------------


def test_exit_codes(inbox: Path, tmp_path: Path) -> None:
    assert extract(str(inbox), "--out", str(tmp_path / "a")).exit_code == 0
    (tmp_path / "empty.txt").write_bytes(b"")
    assert extract(str(tmp_path / "empty.txt"), "--out", str(tmp_path / "b")).exit_code == 1
    both = extract(str(SEED), "--out", str(tmp_path / "c"), "-q", "-v")
    assert both.exit_code == 2
    assert "choose one of --quiet and --verbose" in both.output


# --- make extract ----------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize(("status", "make_status"), [(0, 0), (1, 0), (2, 2), (75, 2)])
def test_make_extract_explains_rejections(tmp_path: Path, status: int, make_status: int) -> None:
    """albatts exits 1 when it rejects a file; make extract says so in a line of its own and
    succeeds, while any other failure still fails make."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "albatts").write_text(f'#!/bin/sh\necho albatts "$@"\nexit {status}\n')
    (fake / "albatts").chmod(0o755)
    stamp = tmp_path / "stamp"
    stamp.touch()
    result = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-f",
            str(REPO / "Makefile"),
            "extract",
            f"BIN={fake}",
            f"RUNTIME_STAMP={stamp}",
            "BYTECODE=true",  # no project to byte-compile beside the stand-in albatts
            f"OUT={tmp_path / 'out'}",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == make_status, result.stderr
    assert f"albatts extract raw/ --out {tmp_path / 'out'}" in result.stdout
    explained = "make extract: finished with rejected files (listed above with what to fix)"
    assert (explained in result.stderr) == (status == 1)
    assert ("Error 1" in result.stderr) is False


# --- a light CLI -------------------------------------------------------------------------------

HEAVY = ("pandas", "pandera", "pdfplumber", "pyarrow", "rich")


def test_the_cli_and_its_help_load_no_heavy_module() -> None:
    code = (
        "import sys\n"
        "from pipeline.cli import main\n"
        "for args in (['--help'], ['extract', '--help']):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit as end:\n"
        "        assert end.code == 0, end.code\n"
        f"print(sorted(name for name in {HEAVY!r} if name in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"
