"""The output folder as a whole: how a previous output of this tool is recognised, and the
checks made on --out before any work. Light on imports: a run whose outputs are already up
to date (pipeline/freshness.py) needs nothing heavier."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.disk import cannot_write, check_writable
from pipeline.errors import OutputError

GENERATOR = "albatts"
MANIFEST = "manifest.json"


def check_output_dir(out_dir: Path) -> None:
    """Refuse an --out that holds something other than a previous run's outputs: one is
    recognised by the marker only this tool writes in its manifest, not by a file name.
    One this run could not write is refused too (a StewardError), before any work."""
    try:
        if out_dir.exists() and not out_dir.is_dir():
            raise OutputError(f"--out {out_dir} is a file, not a folder")
        check_writable(out_dir)
        filled = out_dir.is_dir() and any(out_dir.iterdir())
    except OSError as error:  # a folder on the way that this user may not even look into
        raise cannot_write(error, out_dir, out_dir) from error
    if filled and not is_previous_output(out_dir):
        raise OutputError(
            f"--out {out_dir} is not empty and is not an output of albatts (its {MANIFEST} "
            f'has no "generator": "{GENERATOR}"); refusing to replace it (choose an empty '
            "or new folder)"
        )


def is_previous_output(folder: Path) -> bool:
    try:
        marker = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(marker, dict) and marker.get("generator") == GENERATOR
