"""One run of the pipeline on a folder, then its own peak memory: the child process of the
peak-RSS figure of benchmarks/scale.py.

    python -m benchmarks.peak_rss FOLDER OUT     # prints one JSON line on stdout

run() as `albatts extract FOLDER --out OUT --no-cache` calls it, with the default local
worker pool. RUSAGE_SELF counts this process only, not its workers: the figure is the
parent's, which is what grows with the corpus when results are gathered in memory.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from pipeline.discover import discover_inputs
from pipeline.run import run
from pipeline.settings import Settings


def peak_rss_mb() -> float:
    """The peak resident set of this process so far, in MiB. On Linux from VmHWM, which
    starts afresh with the program: getrusage's ru_maxrss survives exec, so a child of a big
    process (the benchmark after its PDF section) reports its parent's size at the fork."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes vs KiB
    [line] = [line for line in status.splitlines() if line.startswith("VmHWM:")]
    return int(line.split()[1]) / 2**10  # kB


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m benchmarks.peak_rss FOLDER OUT", file=sys.stderr)
        return 2
    folder, out = (Path(each) for each in argv)
    started = time.perf_counter()
    report = run(discover_inputs([folder]), Settings(out_dir=out, cache=False))
    seconds = time.perf_counter() - started
    said = {
        "inputs": len(report.verdicts),
        "rejected": len(report.rejected),
        "seconds": seconds,
        "peak_rss_mb": peak_rss_mb(),
    }
    print(json.dumps(said))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
