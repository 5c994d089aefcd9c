"""A re-run whose outputs are already what it would write does nothing (freshness.py); any
change to an input, an option, a vocabulary or the output itself makes it a normal run."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import pipeline.cache_key as cache_key_module
from pipeline.contract.vocabulary import FOLDER_VARIABLE, vocabulary_folder
from pipeline.discover import discover_inputs
from pipeline.outcome import RunReport
from pipeline.run import run
from pipeline.settings import Settings
from tests.conftest import AUTHORED, SEED

OPERATOR = AUTHORED / "battery-cell-production-operator.txt"


@pytest.fixture(autouse=True)
def trust_fresh_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """The files a test writes are a moment old: under the racy rule (2 s) the stat index
    would not vouch for them (tests/test_cache.py tests that rule)."""
    monkeypatch.setattr(cache_key_module, "RACY_NS", 0)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(SEED, folder / "seed.txt")
    shutil.copy(OPERATOR, folder / "operator.txt")
    (folder / "notes.txt").write_text("Just some notes, no tables at all.\n", encoding="utf-8")
    return folder


def extract(inbox: Path, out: Path, **options: object) -> RunReport:
    settings = Settings(out_dir=out, limits=None, **options)  # type: ignore[arg-type]
    return run(discover_inputs([inbox]), settings)


def stats(out: Path) -> dict[str, tuple[int, int]]:
    """Each output file's inode and mtime: a rewrite changes one of them."""
    return {
        p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in out.rglob("*")
        if p.is_file()
    }


def contents(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_an_unchanged_rerun_leaves_the_outputs_untouched_and_says_the_same(
    inbox: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = extract(inbox, out)
    assert not first.up_to_date
    before = stats(out)
    again = extract(inbox, out)
    assert again.up_to_date
    assert stats(out) == before  # not one file rewritten
    for name, frame in first.tables.items():  # both read from the output, when asked
        pd.testing.assert_frame_equal(again.tables[name], frame)
    assert again.verdicts == first.verdicts
    assert again.row_counts == first.row_counts
    assert again.rejected == first.rejected != ()  # notes.txt, told again
    assert again.from_cache == 3


def test_a_changed_input_an_option_or_a_vocabulary_makes_a_normal_run(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    extract(inbox, out)
    assert extract(inbox, out).up_to_date
    assert not extract(inbox, out, formats=("csv",)).up_to_date
    assert not (out / "parquet").exists()  # the run with other options did write
    assert extract(inbox, out, formats=("csv",)).up_to_date
    assert not extract(inbox, out, formats=("csv",), strict=True).up_to_date

    text = (inbox / "operator.txt").read_text(encoding="utf-8")
    (inbox / "operator.txt").write_text(text.replace("Operator", "Operative", 1), "utf-8")
    assert not extract(inbox, out, formats=("csv",), strict=True).up_to_date

    # A vocabulary only PDFs read still appears in the manifest: its change is a change.
    extract(inbox, out)
    assert extract(inbox, out).up_to_date
    folder, _shown = vocabulary_folder()
    edited = tmp_path / "vocab"
    shutil.copytree(folder, edited)
    verbs = edited / "esco_skill_verbs.txt"
    verbs.write_text(verbs.read_text(encoding="utf-8") + "tinker\n", encoding="utf-8")
    monkeypatch.setenv(FOLDER_VARIABLE, str(edited))
    report = extract(inbox, out)
    assert not report.up_to_date and report.published
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    edited_hash = hashlib.sha256(verbs.read_bytes()).hexdigest()
    assert manifest["vocabularies"]["esco_skill_verbs.txt"] == edited_hash


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda out: (out / "csv" / "competences.csv").write_text("x"), id="edited"),
        pytest.param(lambda out: (out / "csv" / "competences.csv").unlink(), id="removed"),
        pytest.param(lambda out: (out / "csv" / "extra.csv").write_text("x"), id="added"),
        pytest.param(lambda out: shutil.rmtree(out), id="folder-removed"),
    ],
)
def test_an_output_changed_since_is_written_again(
    inbox: Path, tmp_path: Path, damage: object
) -> None:
    out = tmp_path / "out"
    extract(inbox, out)
    expected = contents(out)
    damage(out)  # type: ignore[operator]
    report = extract(inbox, out)
    assert not report.up_to_date
    assert contents(out) == expected


def test_no_cache_neither_reads_nor_leaves_a_record(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    extract(inbox, out, cache=False)
    assert not extract(inbox, out, cache=False).up_to_date
    assert not (tmp_path / cache_key_module.CACHE_FOLDER / "outputs").exists()
    extract(inbox, out)
    assert not extract(inbox, out, cache=False).up_to_date


def test_a_damaged_record_is_a_normal_run(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    extract(inbox, out)
    (record,) = (tmp_path / cache_key_module.CACHE_FOLDER / "outputs").glob("*.json")
    damages: list[Callable[[str], str]] = [
        lambda _text: "",
        lambda _text: "[]",
        lambda _text: '{"record_format": 1, "digest": 3}',
        lambda text: text[:-9],
        lambda text: "".join(text.splitlines(keepends=True)[:-1]),  # a verdict short
        lambda text: text + text.splitlines(keepends=True)[-1],  # a verdict too many
    ]
    for damage in damages:
        # The record the last run left vouches for out as it is; damaged, it does not.
        assert extract(inbox, out).up_to_date
        record.write_text(damage(record.read_text()), encoding="utf-8")
        assert not extract(inbox, out).up_to_date


def test_an_up_to_date_cli_run_loads_no_heavy_library(inbox: Path, tmp_path: Path) -> None:
    """What makes a re-run fast: neither pandas nor a reader is imported (each costs more
    than the whole up-to-date check)."""
    out = tmp_path / "out"
    script = textwrap.dedent(
        f"""
        import sys
        import pipeline.cache_key
        pipeline.cache_key.RACY_NS = 0
        from pipeline.cli import main
        try:
            main(["extract", {str(inbox)!r}, "--out", {str(out)!r}])
        except SystemExit:
            pass
        heavy = ("pandas", "pyarrow", "pandera", "pdfplumber", "pypdfium2", "docx")
        print(sorted(name for name in heavy if name in sys.modules))
        """
    )
    env = {**os.environ, "COLUMNS": "200"}
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert "'pandas'" in first.stdout, first.stderr  # the check can see an import
    again = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip().endswith("[]"), again.stdout
    assert "notes.txt" in again.stderr  # the rejection is still told
    assert "is up to date" in again.stdout
