"""Building the contract's schemas does not import Dask (pandera's probe for it costs half a
second a process), and leaves Dask and pandera's Dask types whole for a later import."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

BUILD_EVERY_SCHEMA = (
    "import sys\n"
    "from pipeline.contract.tables import TABLES\n"
    "schemas = [model.to_schema() for model in TABLES.values()]\n"
    "print(sorted(name for name in ('dask', 'dask.dataframe') if name in sys.modules))\n"
)


def run(code: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.skipif(
    importlib.util.find_spec("dask") is None, reason="Dask is not installed (make test installs it)"
)
def test_the_schemas_are_built_without_importing_dask() -> None:
    later = (
        "import pandera.typing\n"
        "import pandera.typing.dask as types\n"
        "print(types.DASK_INSTALLED, hasattr(types, 'DataFrame'))\n"
        "print(pandera.typing.dask is types)\n"
    )
    assert run(BUILD_EVERY_SCHEMA + later) == ["[]", "True True", "True"]


@pytest.mark.skipif(
    importlib.util.find_spec("dask") is None, reason="Dask is not installed (make test installs it)"
)
def test_a_process_that_has_dask_already_keeps_it() -> None:
    """Where dask.dataframe is imported first (a Dask worker that uses it), pandera's probe
    finds it as usual and the schemas know Dask's types."""
    first = "import dask.dataframe\nimport pandera.typing\n"
    after = "print(any('dask' in t.__module__ for t in pandera.typing.get_series_types()))\n"
    assert run(first + BUILD_EVERY_SCHEMA + after) == ["['dask', 'dask.dataframe']", "True"]
