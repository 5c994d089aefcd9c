"""Throughput of the Dask engine on a LocalCluster of 1 and of 2 worker processes.

    python -m benchmarks.dask_scaling [N]     # N copies of the corpus PDFs (default 200)

The budget (issue 10): 2 workers give at least 1.6x the profiles per second of 1 worker on
200 PDFs. Each figure is taken on a warm cluster (every worker has started its per-file
process machinery on a small file first): the cluster's start is a fixed cost of a run,
not of throughput; it is printed apart. The copies have distinct names but the content of
the 53 corpus PDFs, so a full run would reject the copies' duplicate profile ids; this
measures the executor (each file read, extracted, validated, its result sent back), which
does not compare ids.
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

# Dask is an optional extra: without it, importing this module fails with ImportError
# (benchmarks/scale.py then reports the figure as not measured).
import distributed  # noqa: F401

from pipeline.dask_executor import NOT_DAEMONIC, process_on_dask, process_on_worker
from pipeline.dask_executor import worker_environment as environment
from pipeline.inputs import Input
from pipeline.limits import Limits
from pipeline.wire import with_frames

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "pdfcorpus" / "pdfs"
WARM_UP = REPO / "raw" / "000_ec40f3a5bbbfd221.txt"
BUDGET = 1.6


def dask_speedup(pdfs: Sequence[Path], limits: Limits | None = None) -> tuple[float, float]:
    """Profiles per second of a warm LocalCluster of 1 and of 2 worker processes (one
    thread each) on the same files."""
    one, _ = _throughput(pdfs, 1, limits or Limits())
    two, _ = _throughput(pdfs, 2, limits or Limits())
    return one, two


def _throughput(pdfs: Sequence[Path], workers: int, limits: Limits) -> tuple[float, float]:
    """(profiles per second on the warm cluster, seconds to start and warm it)."""
    inputs = [Input(path, path.name) for path in pdfs]
    started = time.perf_counter()
    with _local_cluster(workers) as address:
        warm = time.perf_counter() - started
        began = time.perf_counter()
        results = process_on_dask(inputs, limits, address, keep=with_frames)
        elapsed = time.perf_counter() - began
    failed = [each.verdict.source_file for each in results if each.verdict.status != "ok"]
    if failed:  # a corpus PDF rejected is not a throughput figure
        raise RuntimeError(f"rejected in the benchmark: {', '.join(failed[:5])}")
    return len(inputs) / elapsed, warm


@contextmanager
def _local_cluster(workers: int) -> Iterator[str]:
    """A LocalCluster of `workers` processes, each warmed by one small file."""
    import dask
    from distributed import Client, LocalCluster

    with (
        dask.config.set(NOT_DAEMONIC),
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},  # not 8787
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        client.wait_for_workers(workers)
        warming = [
            client.submit(
                process_on_worker,
                str(WARM_UP),
                WARM_UP.name,
                Limits(jobs=1),
                None,
                100 * 2**20,
                environment(),
                workers=[address],
                pure=False,
            )
            for address in client.scheduler_info()["workers"]
        ]
        client.gather(warming)
        yield str(cluster.scheduler_address)


def corpus_copies(folder: Path, count: int) -> list[Path]:
    """`count` copies of the corpus PDFs under distinct names, in folder."""
    sources = sorted(CORPUS.rglob("*.pdf"))
    copies = []
    for number in range(count):
        source = sources[number % len(sources)]
        copy = folder / f"{number:04d}-{source.parent.name}-{source.name}"
        shutil.copyfile(source, copy)
        copies.append(copy)
    return copies


def main(count: int = 200) -> int:
    with tempfile.TemporaryDirectory(prefix="albatts-dask-") as folder:
        pdfs = corpus_copies(Path(folder), count)
        one, warm_one = _throughput(pdfs, 1, Limits())
        two, warm_two = _throughput(pdfs, 2, Limits())
    ratio = two / one
    print(f"Dask LocalCluster on {count} PDFs (copies of the {CORPUS.name} corpus), warm:")
    print(f"  1 worker   {one:6.2f} profiles/s  (cluster start and warm-up {warm_one:.1f} s)")
    print(f"  2 workers  {two:6.2f} profiles/s  (cluster start and warm-up {warm_two:.1f} s)")
    verdict = "within" if ratio >= BUDGET else "OVER"
    print(f"  speed-up   {ratio:.2f}x  ({verdict} the budget of {BUDGET}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
