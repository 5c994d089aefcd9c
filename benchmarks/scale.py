"""The scale figures of issue 10 in one run, each beside its budget: `make benchmark`.

    python -m benchmarks.scale                 # the issue's figures (about 5 min on 2 cores)
    python -m benchmarks.scale --quick         # smaller sizes, one PDF per producer (minutes)
    python -m benchmarks.scale --sizes 100,1000 --json figures.json

1. PDF pages per second, in this process, on the committed fixture corpus and
   examples/*.pdf: plain pdfplumber (open, extract_tables on every page), and the whole
   path as a worker runs it (each file read, extracted and normalised, then the batch's
   tables checked together and the pages with problems drawn: workers.MAX_HEAVY_BATCH
   PDFs a batch) with the pdfplumber reader and with the pdfium reader; and that path with
   every file checked alone, as a run of one PDF does. The methods take turns batch by
   batch, so a busy machine slows all alike; each batch counts with its best of --repeat.
2. Text profiles per second of the whole run, writing included: `albatts extract DIR
   --no-cache` on copies of the seed with distinct titles, with --jobs 1 and --jobs 2
   (best of --repeat), and on one profile (the cost of a run before its first file). Per
   core = profiles per second / jobs; the parent's share (checking and writing) is not
   counted as a core. Beside them, without a budget, the rate past the first profile:
   what each further profile costs once a run has started.
3. The parent's peak RSS at each of --sizes profiles: run() in a fresh process each
   (benchmarks/peak_rss.py), which reports its own peak, not its workers'; beside them,
   without a budget, those runs' profiles per second per core (the default workers).
4. Dask: profiles per second of a LocalCluster of 2 workers over 1 on --dask-pdfs copies of
   the same PDFs (benchmarks/dask_scaling.py).

A benchmark, not a test: every figure is printed with its budget and PASS or MISS, and the
exit status is 0 whatever they are. The figures are wall-clock: on a shared machine, read
them with the load averages printed beside them.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import importlib.util
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import pdfplumber

from pipeline.defaults import JOBS
from pipeline.extract.pdf_model import PdfEngine, PdfLayout
from pipeline.process import FileBytes, extract_bytes, finish_together
from pipeline.workers import MAX_HEAVY_BATCH

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
# The seed and its title, as benchmarks/cache_rerun.py varies them.
SEED = REPO / "raw" / "000_ec40f3a5bbbfd221.txt"
TITLE = "Embedded System and BMS Engineers"
ALBATTS = Path(sys.executable).parent / "albatts"
DASK_MISSING = "Dask: not measured (benchmarks/dask_scaling.py missing)"

# Issue 10's budgets.
PDFIUM_OVER_EXTRACT_TABLES = 5.0  # at least
TEXT_PER_CORE = 200.0  # profiles per second per core, at least
RSS_GROWTH = 1.5  # peak RSS at 10,000 profiles over 1,000, at most
DASK_SPEEDUP = 1.6  # 2 workers over 1, at least

FULL = {"sizes": (100, 1000, 10000), "text_profiles": 1000, "repeat": 2, "dask_pdfs": 200}
SECTIONS = ("pdf", "text", "rss", "dask")
QUICK = {"sizes": (100, 300), "text_profiles": 100, "repeat": 1, "dask_pdfs": 20}


class Unmeasured(Exception):
    """A measurement could not be taken; the message says why."""


@dataclass(frozen=True)
class Figure:
    name: str
    value: float | None  # None: not measured (the note says why)
    unit: str  # "x" for a ratio
    budget: str = ""  # e.g. ">= 5x"; empty: a figure without a budget
    passed: bool | None = None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "NOT MEASURED"
        if self.passed is None:
            return ""
        return "PASS" if self.passed else "MISS"

    def shown(self) -> str:
        if self.value is None:
            return "-"
        return f"{self.value:,.2f}" if self.unit == "x" else f"{self.value:,.1f}"


def at_least(name: str, value: float, unit: str, floor: float, note: str = "") -> Figure:
    shown = f"{floor:g}x" if unit == "x" else f"{floor:g} {unit}"
    return Figure(name, value, unit, f">= {shown}", value >= floor, note)


def at_most(name: str, value: float, unit: str, ceiling: float, note: str = "") -> Figure:
    shown = f"{ceiling:g}x" if unit == "x" else f"{ceiling:g} {unit}"
    return Figure(name, value, unit, f"<= {shown}", value <= ceiling, note)


def say(message: str) -> None:
    print(message, flush=True)


# 1. PDF pages per second ------------------------------------------------------------------


@dataclass(frozen=True)
class Pdf:
    path: Path
    data: bytes
    sha256: str


def benchmark_pdfs(quick: bool) -> list[Pdf]:
    """The committed fixture corpus (its first PDF of each producer when quick) and the
    demo PDFs."""
    from tests.pdfcorpus.accuracy import committed_corpus

    corpus = committed_corpus()
    if quick:
        firsts = {pdf.producer: pdf for pdf in reversed(corpus)}
        corpus = sorted(firsts.values(), key=lambda pdf: pdf.producer)
    paths = [pdf.path for pdf in corpus] + sorted(EXAMPLES.glob("*.pdf"))
    found = []
    for path in paths:
        data = path.read_bytes()
        found.append(Pdf(path, data, hashlib.sha256(data).hexdigest()))
    return found


def plain_extract_tables(batch: Sequence[Pdf]) -> int:
    """What a user would reach for: every page's tables, by pdfplumber alone. Pages."""
    pages = 0
    for pdf in batch:
        with pdfplumber.open(pdf.path) as document:
            for page in document.pages:
                page.extract_tables()
            pages += len(document.pages)
    return pages


def project_path(reader: PdfEngine, together: bool = True) -> Callable[[Sequence[Pdf]], list[str]]:
    """The path of a batch of PDFs with this reader as a worker runs it (workers._work):
    each file extracted, then the batch finished together (or each file alone). The
    verdicts."""
    layout = PdfLayout(reader=reader)

    def process(batch: Sequence[Pdf]) -> list[str]:
        extracted = [
            extract_bytes(FileBytes(pdf.data, pdf.sha256), pdf.path, pdf.path.name, layout=layout)
            for pdf in batch
        ]
        groups = [extracted] if together else [[each] for each in extracted]
        return [
            result.verdict.status for group in groups for result in finish_together(group).results
        ]

    return process


def timed(work: Callable[[], object]) -> tuple[float, object]:
    gc.collect()  # the garbage of one method is not collected on another's time
    started = time.perf_counter()
    outcome = work()
    return time.perf_counter() - started, outcome


def pdf_figures(pdfs: Sequence[Pdf], repeat: int) -> list[Figure]:
    methods: dict[str, Callable[[Sequence[Pdf]], object]] = {
        "extract_tables": plain_extract_tables,
        "pdfplumber": project_path("pdfplumber"),
        "pdfium": project_path("pdfium"),
        "pdfium, each file checked alone": project_path("pdfium", together=False),
    }
    batches = [pdfs[at : at + MAX_HEAVY_BATCH] for at in range(0, len(pdfs), MAX_HEAVY_BATCH)]
    smallest = [min(pdfs, key=lambda pdf: len(pdf.data))]
    for method in methods.values():  # imports, fonts and vocabularies load outside the timing
        method(smallest)
    best = {name: [math.inf] * len(batches) for name in methods}
    pages = [0] * len(batches)
    rejected: set[str] = set()
    for turn in range(repeat):
        for index, batch in enumerate(batches):
            for name, method in methods.items():
                seconds, outcome = timed(lambda method=method, batch=batch: method(batch))
                best[name][index] = min(best[name][index], seconds)
                if isinstance(outcome, int):  # extract_tables gives the pages
                    pages[index] = outcome
                    continue
                assert isinstance(outcome, list)
                rejected |= {
                    f"{pdf.path.name} ({name})"
                    for pdf, status in zip(batch, outcome, strict=True)
                    if status != "ok"
                }
        speeds = {name: sum(pages) / sum(times) for name, times in best.items()}
        say(
            f"  PDF round {turn + 1}/{repeat} on {len(pdfs)} PDFs, {sum(pages)} pages: "
            + ", ".join(f"{name} {speed:.1f}" for name, speed in speeds.items())
            + " pages/s"
        )
    note = f"rejected: {', '.join(sorted(rejected))}" if rejected else ""
    plain, plumber, pdfium, alone = (speeds[name] for name in methods)
    scope = f"{len(pdfs)} PDFs, {sum(pages)} pages, {MAX_HEAVY_BATCH} a batch"
    return [
        Figure(f"PDF pdfplumber extract_tables ({scope})", plain, "pages/s"),
        Figure("PDF project path, pdfplumber reader", plumber, "pages/s", note=note),
        Figure("PDF project path, pdfium reader", pdfium, "pages/s", note=note),
        Figure("PDF pdfium path, each file checked alone", alone, "pages/s"),
        Figure("PDF pdfium path / pdfplumber path", pdfium / plumber, "x"),
        at_least(
            "PDF pdfium path / extract_tables", pdfium / plain, "x", PDFIUM_OVER_EXTRACT_TABLES
        ),
    ]


# 2. Text profiles per second --------------------------------------------------------------


def write_profiles(folder: Path, count: int) -> None:
    """`count` copies of the seed, each with its own title (so its own profile_id)."""
    title = TITLE.encode()
    parts = SEED.read_bytes().split(title)
    if len(parts) < 3:
        raise Unmeasured(f"{SEED.name} no longer holds its title {TITLE!r} twice")
    folder.mkdir(parents=True)
    width = len(str(count - 1))
    for number in range(count):
        text = (b"%s %0*d" % (title, width, number)).join(parts)
        (folder / f"profile-{number:0{width}d}.txt").write_bytes(text)


def extract_seconds(inputs: Path, out: Path, jobs: int) -> float:
    """Seconds of `albatts extract` on inputs, every file extracted afresh."""
    command = [str(ALBATTS), "extract", str(inputs), "--out", str(out), "--no-cache", "--quiet"]
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "--jobs", str(jobs)], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        raise Unmeasured(f"albatts extract --jobs {jobs} exited {done.returncode}: {tail}")
    return seconds


def text_figures(count: int, repeat: int, work: Path) -> list[Figure]:
    """Whole runs on `count` profiles, and on one profile: what a run costs before its
    first file (start, worker pool, writing the outputs), which `count` files share."""
    folders = {count: work / "text", 1: work / "text-one"}
    for size, folder in folders.items():
        write_profiles(folder, size)
    best = {(size, jobs): math.inf for size in folders for jobs in (1, 2)}
    for turn in range(repeat):
        for size, jobs in best:
            out = work / f"text-out-{size}-{jobs}-{turn}"
            seconds = extract_seconds(folders[size], out, jobs)
            shutil.rmtree(out)
            best[size, jobs] = min(best[size, jobs], seconds)
            rate = f"{size / seconds:.1f} profiles/s, " if size > 1 else ""
            say(
                f"  text --jobs {jobs}, run {turn + 1}/{repeat}: {rate}"
                f"{size} profile(s) in {seconds:.1f} s"
            )
    one, two = (count / best[count, jobs] for jobs in (1, 2))
    return [
        Figure(f"text profiles/s, --jobs 1 ({count} profiles)", one, "profiles/s"),
        at_least("text profiles/s per core, --jobs 1", one, "profiles/s", TEXT_PER_CORE),
        Figure("text profiles/s, --jobs 2", two, "profiles/s"),
        at_least("text profiles/s per core, --jobs 2", two / 2, "profiles/s", TEXT_PER_CORE),
        Figure("text speed-up, 2 local workers / 1", two / one, "x"),
        Figure("text run on 1 profile, --jobs 1", best[1, 1], "s"),
        Figure("text run on 1 profile, --jobs 2", best[1, 2], "s"),
        *(
            Figure(
                f"text profiles/s past the first, --jobs {jobs}",
                (count - 1) / (best[count, jobs] - best[1, jobs]),
                "profiles/s",
                note="what each further profile costs: (profiles - 1) / (run - run on 1)",
            )
            for jobs in (1, 2)
            if best[count, jobs] > best[1, jobs]
        ),
    ]


# 3. The parent's peak RSS -----------------------------------------------------------------


def peak_rss(count: int, work: Path) -> tuple[float, float]:
    """(peak RSS in MiB, seconds) of run() on `count` profiles, in a fresh process."""
    with tempfile.TemporaryDirectory(dir=work, prefix=f"rss-{count}-") as folder:
        inputs = Path(folder) / "in"
        write_profiles(inputs, count)
        command = [sys.executable, "-m", "benchmarks.peak_rss", str(inputs), f"{folder}/out"]
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO)
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        raise Unmeasured(
            f"benchmarks.peak_rss on {count} profiles exited {done.returncode}: {tail}"
        )
    said = json.loads(done.stdout.strip().splitlines()[-1])
    if said["rejected"]:
        raise Unmeasured(f"{said['rejected']} of {count} generated profiles rejected")
    return said["peak_rss_mb"], said["seconds"]


def rss_figures(sizes: Sequence[int], work: Path) -> list[Figure]:
    peaks: dict[int, float] = {}
    figures = []
    rates = []
    for count in sizes:
        say(f"  peak RSS: running {count:,} profiles ...")
        peaks[count], seconds = peak_rss(count, work)
        say(
            f"  peak RSS at {count:,} profiles: {peaks[count]:.1f} MB "
            f"(run {seconds:.1f} s, {count / seconds:.1f} profiles/s)"
        )
        figures.append(Figure(f"parent peak RSS at {count:,} profiles", peaks[count], "MB"))
        # The same runs' speed: what a run's start and end weigh at each size.
        rates.append(
            Figure(
                f"text profiles/s per core, run() on {count:,} ({JOBS} workers)",
                count / seconds / JOBS,
                "profiles/s",
                note="no budget: the budget is the 1,000-profile command's",
            )
        )
    if len(peaks) >= 2:
        # The budget's pair (10,000 over 1,000) when measured, else the two largest sizes.
        large, small = (10000, 1000) if {10000, 1000} <= peaks.keys() else sorted(peaks)[-1:-3:-1]
        figures.append(
            at_most(
                f"parent peak RSS {large:,} / {small:,} profiles",
                peaks[large] / peaks[small],
                "x",
                RSS_GROWTH,
                note="" if (large, small) == (10000, 1000) else "the budget is for 10,000 / 1,000",
            )
        )
        # Beyond the budget's pair (--sizes 1000,10000,100000): the "flat to 100,000".
        figures += [
            Figure(
                f"parent peak RSS {count:,} / {small:,} profiles",
                peaks[count] / peaks[small],
                "x",
            )
            for count in sorted(peaks)
            if count > large
        ]
    return figures + rates


# 4. Dask ----------------------------------------------------------------------------------


def dask_figures(pdfs: Sequence[Pdf], count: int, work: Path) -> list[Figure]:
    name = "Dask LocalCluster 2 workers / 1"
    if importlib.util.find_spec("benchmarks.dask_scaling") is None:
        say(DASK_MISSING)
        return [Figure(name, None, "x", f">= {DASK_SPEEDUP:g}x", note=DASK_MISSING)]
    try:
        from benchmarks.dask_scaling import dask_speedup
    except ImportError as error:  # Dask is an optional extra
        why = f"Dask: not measured ({error})"
        say(why)
        return [Figure(name, None, "x", f">= {DASK_SPEEDUP:g}x", note=why)]
    folder = work / "dask"
    folder.mkdir()
    copies = []
    for number in range(count):
        source = pdfs[number % len(pdfs)].path
        copy = folder / f"{number:04d}-{source.name}"
        shutil.copyfile(source, copy)
        copies.append(copy)
    say(f"  Dask: 1 then 2 workers on {count} PDFs ...")
    try:
        one, two = dask_speedup(copies)
    except Exception as error:
        # A rejected PDF, a worker that will not start, a cluster error: the figures of the
        # other sections still get printed, this one as not measured with the reason.
        raise Unmeasured(f"{type(error).__name__}: {error}") from error
    say(f"  Dask: 1 worker {one:.2f}, 2 workers {two:.2f} profiles/s")
    return [
        Figure(f"Dask 1 worker ({count} PDFs)", one, "profiles/s"),
        Figure("Dask 2 workers", two, "profiles/s"),
        at_least(name, two / one, "x", DASK_SPEEDUP),
    ]


# The run ----------------------------------------------------------------------------------


def sizes_option(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(each.replace("_", "")) for each in text.split(",") if each.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"give positive numbers such as 100,1000: {text!r}")
    return tuple(sorted(set(sizes)))


def section(
    title: str, measure: Callable[[], list[Figure]], unmeasured: dict[str, str]
) -> list[Figure]:
    """The figures of one measurement, or a NOT MEASURED row for each budget it has
    (unmeasured: name to budget)."""
    say(title)
    started = time.perf_counter()
    try:
        figures = measure()
    except Unmeasured as why:
        say(f"  not measured: {why}")
        return [
            Figure(name, None, "", budget, note=str(why)) for name, budget in unmeasured.items()
        ]
    say(f"  ({time.perf_counter() - started:.0f} s)")
    return figures


def table(figures: Sequence[Figure]) -> str:
    width = max(len(figure.name) for figure in figures)
    lines = [f"{'figure':<{width}}  {'value':>9} {'unit':<10}  {'budget':<18}  verdict"]
    for figure in figures:
        line = f"{figure.name:<{width}}  {figure.shown():>9} {figure.unit:<10}  "
        line += f"{figure.budget:<18}  "
        line += figure.verdict
        if figure.note:
            line += f"  ({figure.note})"
        lines.append(line.rstrip())
    return "\n".join(lines)


def load() -> str:
    return " ".join(f"{each:.2f}" for each in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="smaller sizes, one PDF per producer, 1 repeat"
    )
    parser.add_argument(
        "--sizes",
        type=sizes_option,
        help="profiles of the peak-RSS runs (default 100,1000,10000; --quick 100,300)",
    )
    parser.add_argument(
        "--text-profiles", type=int, help="profiles of the text runs (default 1000; --quick 100)"
    )
    parser.add_argument(
        "--repeat", type=int, help="best of this many PDF and text runs (default 2; --quick 1)"
    )
    parser.add_argument(
        "--dask-pdfs", type=int, help="PDFs of the Dask runs, 0 to skip (default 200; --quick 20)"
    )
    parser.add_argument(
        "--only",
        type=lambda text: tuple(text.split(",")),
        default=SECTIONS,
        help=f"these measurements only, comma-separated (default {','.join(SECTIONS)})",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    args = parser.parse_args(argv)
    chosen = {
        key: given if (given := getattr(args, key)) is not None else default
        for key, default in (QUICK if args.quick else FULL).items()
    }
    sizes, text_profiles, repeat, dask_pdfs = (chosen[key] for key in FULL)
    if text_profiles < 1 or repeat < 1 or dask_pdfs < 0:
        parser.error("--text-profiles and --repeat must be at least 1, --dask-pdfs at least 0")
    if unknown := set(args.only) - set(SECTIONS):
        known = ", ".join(SECTIONS)
        parser.error(f"--only: unknown {', '.join(sorted(unknown))}; choose from {known}")
    load_before = load()
    say(
        f"albatts scale benchmark: {os.cpu_count()} cores, load average {load_before}; "
        f"best of {repeat}; wall-clock"
    )
    pdfs = benchmark_pdfs(args.quick)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="albatts-scale-") as scratch:
        work = Path(scratch)
        sections = {
            "pdf": (
                "1. PDF pages per second, one process",
                lambda: pdf_figures(pdfs, repeat),
                {"PDF pdfium path / extract_tables": f">= {PDFIUM_OVER_EXTRACT_TABLES:g}x"},
            ),
            "text": (
                f"2. text profiles per second, albatts extract on {text_profiles} profiles",
                lambda: text_figures(text_profiles, repeat, work),
                {
                    f"text profiles/s per core, --jobs {jobs}": f">= {TEXT_PER_CORE:g} profiles/s"
                    for jobs in (1, 2)
                },
            ),
            "rss": (
                f"3. parent peak RSS of run() at {', '.join(f'{n:,}' for n in sizes)} profiles",
                lambda: rss_figures(sizes, work),
                {"parent peak RSS 10,000 / 1,000 profiles": f"<= {RSS_GROWTH:g}x"},
            ),
            "dask": (
                f"4. Dask LocalCluster, 1 and 2 workers, {dask_pdfs} PDFs",
                lambda: dask_figures(pdfs, dask_pdfs, work),
                {"Dask LocalCluster 2 workers / 1": f">= {DASK_SPEEDUP:g}x"},
            ),
        }
        for key, (title, measure, unmeasured) in sections.items():
            if key in args.only and not (key == "dask" and dask_pdfs == 0):
                figures += section(title, measure, unmeasured)
    load_after = load()
    say("")
    say(f"load average before {load_before}, after {load_after} ({os.cpu_count()} cores)")
    say(table(figures))
    misses = [figure.name for figure in figures if figure.verdict in {"MISS", "NOT MEASURED"}]
    say(f"{len(misses)} budget(s) missed or not measured" if misses else "every budget met")
    if args.json:
        document = {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": load_before,
            "load_average_after": load_after,
            "settings": {
                **chosen,
                "sizes": list(sizes),
                "quick": args.quick,
                "only": list(args.only),
            },
            "figures": [{**asdict(figure), "verdict": figure.verdict} for figure in figures],
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
