from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.model import Source
from pipeline.stages.normalise import NormaliseRules

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "raw" / "000_ec40f3a5bbbfd221.txt"
EXAMPLES = REPO / "examples"
GOLDEN = REPO / "tests" / "golden" / SEED.stem
AUTHORED = REPO / "tests" / "fixtures" / "profiles"


@pytest.fixture(scope="session")
def rules() -> NormaliseRules:
    return NormaliseRules.load()


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def text_source(name: str = "profile.txt") -> Source:
    return Source(name, "text", "0" * 64)


def authored_profiles() -> list[Path]:
    return sorted(AUTHORED.glob("*.txt"))


def expected_for(profile: Path) -> dict:
    return json.loads(profile.with_suffix(".expected.json").read_text(encoding="utf-8"))


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the repository root, as the Makefile does, so source_file reads raw/..."""
    monkeypatch.chdir(REPO)
    return REPO


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A raw/-like folder: the seed, one authored profile, a README, a hidden file and the
    lock file Word leaves beside a document it has open (none of them a profile)."""
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    (folder / "seed.txt").write_bytes(SEED.read_bytes())
    (folder / "sub" / "operator.txt").write_bytes(
        (AUTHORED / "battery-cell-production-operator.txt").read_bytes()
    )
    (folder / "README.md").write_text("# What is in here\n", encoding="utf-8")
    (folder / ".hidden.txt").write_text("not a profile", encoding="utf-8")
    (folder / "notes.csv").write_text("ignored", encoding="utf-8")
    (folder / "~$seed.docx").write_bytes(b"\x0bsteward" + bytes(154))
    return folder
