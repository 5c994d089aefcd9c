"""What the cache of per-file results saves: 100 text profiles extracted cold (empty cache),
again unchanged (warm), and again after one file changed; each through the CLI as a
subprocess (end to end, Python start included) and through run() in this process.

    make benchmark-cache            (or: python benchmarks/cache_rerun.py --files 20)

The profiles are the seed with its title varied, so each has its own profile_id. A stat
record is not trusted for a file changed in the 2 s before it was taken (the racy rule in
pipeline/cache_key.py), and an inbox is not written in the second before a run: the benchmark
waits that long once, after writing the files, rather than measure that corner.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline import cache_key
from pipeline.cache_key import CACHE_FOLDER
from pipeline.discover import discover_inputs
from pipeline.run import run
from pipeline.settings import Settings

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "raw" / "000_ec40f3a5bbbfd221.txt"
TITLE = "Embedded System and BMS Engineers"
ALBATTS = Path(sys.executable).parent / "albatts"


@dataclass(frozen=True)
class Timing:
    name: str
    seconds: float
    extracted: int


def write_profiles(folder: Path, count: int) -> list[Path]:
    seed = SEED.read_text(encoding="utf-8")
    assert seed.count(TITLE) >= 2, "the seed's title is on its cover and above its text"
    folder.mkdir(parents=True)
    paths = []
    for number in range(count):
        path = folder / f"profile-{number:03d}.txt"
        path.write_text(seed.replace(TITLE, f"{TITLE} {number:03d}"), encoding="utf-8")
        paths.append(path)
    return paths


def change(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    changed = text.replace("is responsible for designing", "is responsible for specifying", 1)
    assert changed != text
    path.write_text(changed, encoding="utf-8")


def entries(folder: Path) -> set[str]:
    """The cache's entries by name: a file the run extracted adds one (its key is new); a hit
    only refreshes its entry's time (cache.py's prune keeps what is used)."""
    return {entry.name for entry in (folder / "entries").glob("*.zip")}


def cli_run(name: str, inputs: Path, out: Path) -> Timing:
    before = entries(out.parent / CACHE_FOLDER)
    started = time.perf_counter()
    done = subprocess.run(
        [str(ALBATTS), "extract", str(inputs), "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{name}: albatts exited {done.returncode}:\n{done.stderr}")
    return Timing(name, seconds, len(entries(out.parent / CACHE_FOLDER) - before))


def in_process_run(name: str, inputs: Path, out: Path) -> Timing:
    paths = discover_inputs([inputs])
    started = time.perf_counter()
    report = run(paths, Settings(out_dir=out))
    seconds = time.perf_counter() - started
    if report.rejected:
        sys.exit(f"{name}: {len(report.rejected)} file(s) rejected")
    return Timing(name, seconds, len(paths) - report.from_cache)


def three_runs(
    how: str, measure: Callable[[str, Path, Path], Timing], work: Path, count: int
) -> list[Timing]:
    """Cold, warm and one-changed runs on the profiles in work/<how>/in, with an empty cache."""
    inputs = work / how / "in"
    out = work / how / "out"
    cold = measure(f"{how} cold (empty cache)", inputs, out)
    warm = measure(f"{how} warm (all unchanged)", inputs, out)
    change(inputs / f"profile-{count // 2:03d}.txt")
    changed = measure(f"{how} one file changed", inputs, out)
    return [cold, warm, changed]


HOWS: dict[str, Callable[[str, Path, Path], Timing]] = {"CLI": cli_run, "run()": in_process_run}


def code_digest() -> str:
    """In a new process: this one keeps the digest of the modules it imported."""
    said = subprocess.run(
        [sys.executable, "-c", "from pipeline.cache_key import code_digest; print(code_digest())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return said.stdout.strip()


def import_seconds() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import pipeline.run, pipeline.console"], check=True)
    return time.perf_counter() - started


def table(rows: list[Timing], cold: dict[str, float]) -> str:
    lines = [f"{'run':32} {'seconds':>8} {'% of cold':>10} {'extracted':>10}"]
    for row in rows:
        base = cold[row.name.split()[0]]
        lines.append(
            f"{row.name:32} {row.seconds:8.2f} {100 * row.seconds / base:9.1f}% {row.extracted:10d}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100, help="profiles to generate")
    count = parser.parse_args().files
    code_before = code_digest()
    with tempfile.TemporaryDirectory(prefix="albatts-cache-bench-") as temporary:
        work = Path(temporary)
        for how in HOWS:
            write_profiles(work / how / "in", count)
        # Past the racy window for every file (see the module docstring).
        time.sleep(cache_key.RACY_NS / 1e9 + 0.1)
        rows = [
            row for how, measure in HOWS.items() for row in three_runs(how, measure, work, count)
        ]
    cold = {row.name.split()[0]: row.seconds for row in rows if "cold" in row.name}
    print(
        f"{count} text profiles; {import_seconds():.2f} s to start Python and import the pipeline"
    )
    print(table(rows, cold))
    if code_digest() != code_before:
        print("warning: the pipeline's code changed during the benchmark: run it again")


if __name__ == "__main__":
    main()
