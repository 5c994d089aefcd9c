"""Bad input: every file gets a clear verdict, the good ones are extracted as if alone.

Each bad kind is built here, in a mixed folder with good profiles, and run through the real
command (worker processes, limits, staging and swap).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from reportlab.pdfgen import canvas

from pipeline.cli import main
from pipeline.contract.tables import TABLES
from pipeline.workers import PAUSE_READING
from tests.conftest import EXAMPLES, SEED
from tests.hostile import (
    authored,
    compression_bomb_pdf,
    image_only_pdf,
    random_bytes,
    release,
    seed_text,
    stalled_file,
    text_pdf,
)


def encrypted_pdf() -> bytes:
    import io

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, encrypt="secret", invariant=1)
    page.drawString(72, 720, "Battery Quality & Test Technician")
    page.save()
    return buffer.getvalue()


def sample_pdf() -> bytes:
    return (EXAMPLES / "battery-pack-assembly-technician.pdf").read_bytes()


# file name -> its bytes; every title is distinct so only the duplicate pair collides.
GOOD: dict[str, Callable[[], bytes]] = {
    "seed.txt": lambda: SEED.read_bytes(),
    "pack-assembly.pdf": sample_pdf,
    "utf16.txt": lambda: seed_text("UTF-16 Profile Engineers").encode("utf-16"),
    "utf8-bom.txt": lambda: b"\xef\xbb\xbf" + seed_text("BOM Profile Engineers").encode(),
    "cp1252.txt": lambda: seed_text("Ingénieurs Qualité – Cellules").encode("cp1252"),
    "evil-title.txt": lambda: seed_text("../../etc/evil").encode(),
    "long-title.txt": lambda: seed_text("Battery " * 60 + "Engineers").encode(),
    "reserved-chars.txt": lambda: seed_text('Cell: "Pack"/Module | QA? * Engineers').encode(),
    "reserved-name.txt": lambda: seed_text("CON").encode(),
}

# file name -> (its bytes, a phrase its rejection must contain)
BAD: dict[str, tuple[Callable[[], bytes], str]] = {
    "empty.txt": (lambda: b"", "the file is empty"),
    "empty.pdf": (lambda: b"", "the file is empty"),
    "random.pdf": (lambda: random_bytes(4096, seed=1), "not a readable PDF"),
    "random.txt": (lambda: random_bytes(4096, seed=2), "binary data"),
    "truncated.pdf": (lambda: sample_pdf()[: len(sample_pdf()) // 2], "not a readable PDF"),
    "encrypted.pdf": (encrypted_pdf, "encrypted and needs a password"),
    "scan.pdf": (image_only_pdf, "no text layer"),
    "invoice.pdf": (lambda: text_pdf("Invoice 2024-117", "Total: 1,234.00 EUR"), "not an ALBATTS"),
    "letter.txt": (lambda: b"Dear colleague,\n\nplease find attached...\n", "not an ALBATTS"),
    "no-competences.txt": (
        lambda: seed_text("No Tables").split("Cross-sectoral Specific Competence")[0].encode(),
        "no competence tables",
    ),
    "bad-level.txt": (
        lambda: seed_text("Level Typo", {"\tExpert\tC/C++": "\tExpret\tC/C++"}).encode(),
        "'Expret' is not in the levels vocabulary",
    ),
    "bad-type.txt": (
        lambda: seed_text("Type Typo", {"C/C++\tK\t": "C/C++\tX\t"}).encode(),
        "'X' is not in the types vocabulary",
    ),
    "bad-uri.txt": (
        lambda: seed_text("Uri Typo", {"86ca306c-ab99": "86ca306c-zz99"}).encode(),
        "is not http://data.europa.eu/esco/occupation/ followed by a UUID",
    ),
    "bad-code.txt": (
        lambda: seed_text("Code Typo", {"2151.1\t": "21x1.1\t"}).encode(),
        "'21x1.1' is not an ESCO occupation code",
    ),
    "mixed-encoding.txt": (
        lambda: seed_text("Mixed").encode().replace(b"Teamwork\t", b"Teamw\xf6rk\t"),
        "not valid UTF-8 (byte 0xf6",
    ),
    "bomb.pdf": (compression_bomb_pdf, "used more than 300 MB"),
    "duplicate-a.txt": (
        lambda: authored("battery-cell-production-operator").read_bytes(),
        "is also produced by",
    ),
    "duplicate-b.txt": (
        lambda: authored("battery-cell-production-operator").read_bytes(),
        "is also produced by",
    ),
}

# Every verdict here is the same on a fast machine and on a loaded one: the time limit is
# far above what any of these files needs (a file that meets it is tested on its own, below),
# and the bomb goes over the memory limit whatever its speed.
LIMITS = ("--timeout", "120", "--max-memory", "300")


def build(folder: Path, files: dict[str, Callable[[], bytes]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, make in files.items():
        (folder / name).write_bytes(make())


def tree(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*")}


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path]:
    root = tmp_path_factory.mktemp("mixed")
    build(root / "inbox", {**GOOD, **{name: make for name, (make, _) in BAD.items()}})
    before = tree(root)
    # --no-cache: every hostile file goes to a worker, and nothing but out is written.
    result = CliRunner().invoke(
        main, ["extract", str(root / "inbox"), "--out", str(root / "out"), *LIMITS, "--no-cache"]
    )
    created = tree(root) - before
    assert all(path == "out" or path.startswith("out/") for path in created), created
    return result.exit_code, result.output, root / "out"


def verdicts(out: Path) -> dict[str, dict]:
    entries = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["inputs"]
    return {Path(entry["source_file"]).name: entry for entry in entries}


def test_mixed_folder_exits_1_without_traceback(mixed_run: tuple[int, str, Path]) -> None:
    code, output, _ = mixed_run
    assert code == 1
    assert "Traceback" not in output
    assert f"{len(GOOD)} profile(s) ok, {len(BAD)} rejected" in output


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_bad_file_is_rejected_with_its_reason(
    mixed_run: tuple[int, str, Path], name: str
) -> None:
    _, output, out = mixed_run
    verdict = verdicts(out)[name]
    assert verdict["status"] == "rejected"
    messages = [error["message"] for error in verdict["errors"]]
    assert any(BAD[name][1] in message for message in messages), messages
    assert all(error["hint"] for error in verdict["errors"])
    assert all(error["location"]["file"].endswith(name) for error in verdict["errors"])
    shown = [line for line in output.splitlines() if line.startswith("rejected  ")]
    assert any(line.endswith(f"/{verdict['source_file']}") for line in shown), shown


@pytest.mark.parametrize("name", sorted(GOOD))
def test_each_good_file_gives_the_tables_it_gives_alone(
    mixed_run: tuple[int, str, Path], name: str, tmp_path: Path
) -> None:
    _, _, out = mixed_run
    verdict = verdicts(out)[name]
    assert verdict["status"] == "ok", verdict["errors"]
    alone = tmp_path / "inbox"
    build(alone, {name: GOOD[name]})
    result = CliRunner().invoke(main, ["extract", str(alone), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    profile_id = verdict["profile_id"]
    for table in TABLES:
        mixed = pd.read_parquet(out / "parquet" / f"{table}.parquet")
        single = pd.read_parquet(tmp_path / "out" / "parquet" / f"{table}.parquet")
        mine = mixed[mixed["profile_id"] == profile_id].drop(
            columns=["source_file"], errors="ignore"
        )
        pd.testing.assert_frame_equal(
            mine.reset_index(drop=True),
            single.drop(columns=["source_file"], errors="ignore"),
            obj=f"{name} {table}",
        )


@pytest.mark.parametrize(
    ("name", "profile_id"),
    [
        ("evil-title.txt", "etc-evil"),
        ("reserved-chars.txt", "cell-pack-module-qa-engineers"),
        ("reserved-name.txt", "con-profile"),
        ("utf16.txt", "utf-16-profile-engineers"),
        ("cp1252.txt", "ingenieurs-qualite-cellules"),
    ],
)
def test_titles_become_safe_profile_ids(
    mixed_run: tuple[int, str, Path], name: str, profile_id: str
) -> None:
    _, _, out = mixed_run
    assert verdicts(out)[name]["profile_id"] == profile_id
    assert (out / "json" / "profiles" / f"{profile_id}.json").is_file()


def test_long_title_is_capped(mixed_run: tuple[int, str, Path]) -> None:
    _, _, out = mixed_run
    profile_id = verdicts(out)["long-title.txt"]["profile_id"]
    assert len(profile_id) <= 80
    assert profile_id.startswith("battery-battery-")


def test_cp1252_is_decoded_with_a_warning(mixed_run: tuple[int, str, Path]) -> None:
    _, _, out = mixed_run
    [warning] = [w for w in verdicts(out)["cp1252.txt"]["warnings"] if w["stage"] == "read"]
    assert "read as cp1252" in warning["message"]
    titles = pd.read_parquet(out / "parquet" / "profiles.parquet")["title"]
    assert "Ingénieurs Qualité – Cellules" in list(titles)


def test_validation_json_lists_errors_and_warnings(mixed_run: tuple[int, str, Path]) -> None:
    _, _, out = mixed_run
    issues = json.loads((out / "validation.json").read_text(encoding="utf-8"))["issues"]
    kinds = {(Path(i["source_file"]).name, i["severity"]) for i in issues}
    assert ("bad-level.txt", "error") in kinds
    assert ("seed.txt", "warning") in kinds
    assert {i["severity"] for i in issues} == {"error", "warning"}


def test_a_stalled_file_meets_the_time_limit_and_the_others_are_still_written(
    tmp_path: Path,
) -> None:
    """A read that never ends is stopped by the time limit however fast the machine is; the
    limit is ten times what the good files beside it need on a loaded machine."""
    inbox = tmp_path / "inbox"
    build(inbox, {"seed.txt": GOOD["seed.txt"], "utf16.txt": GOOD["utf16.txt"]})
    build(tmp_path, {"stalled.pdf": sample_pdf})
    # The worker given stalled.pdf waits on a FIFO of that name before it reads (the hook):
    # a FIFO given as an input is never read, so it cannot stall a worker itself.
    (tmp_path / "hook").mkdir()
    stalled = stalled_file(tmp_path / "hook" / "stalled.pdf")
    out = tmp_path / "out"
    given = [str(inbox), str(tmp_path / "stalled.pdf")]
    command = [sys.executable, "-m", "pipeline", "extract", *given]
    try:  # a run that hangs on the stalled file itself fails here instead of hanging the tests
        result = subprocess.run(
            [*command, "--out", str(out), "--timeout", "10"],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
            env={**os.environ, PAUSE_READING: str(stalled)},
        )
    finally:
        release(stalled)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    by_name = verdicts(out)
    [error] = by_name["stalled.pdf"]["errors"]
    assert error["message"] == "took longer than 10 s to process, so it was stopped"
    assert "larger --timeout" in error["hint"]
    assert by_name["stalled.pdf"]["status"] == "rejected"
    assert [by_name[name]["status"] for name in ("seed.txt", "utf16.txt")] == ["ok", "ok"]
    profiles = pd.read_parquet(out / "parquet" / "profiles.parquet")
    assert sorted(profiles["profile_id"]) == [
        "embedded-system-and-bms-engineers",
        "utf-16-profile-engineers",
    ]


def test_strict_turns_warnings_into_rejections(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["extract", str(SEED), "--out", str(tmp_path / "out"), "--strict", "--allow-empty"]
    )
    assert result.exit_code == 1
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    [entry] = manifest["inputs"]
    assert entry["status"] == "rejected"
    assert {e["message"] for e in entry["errors"]} >= {"competence has no ESCO skills"}
