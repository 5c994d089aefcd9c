"""The albatts command: parse options, call run, turn results into messages and exit codes.

Only click and light modules are imported here: pandas, pandera, pdfplumber and rich load
inside the commands, so that `albatts --help` answers at once.
"""

from __future__ import annotations

import codecs
import io
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipeline import __version__
from pipeline.defaults import FORMATS, JOBS, MAX_MEMORY_MB, TIMEOUT_S, WAIT_FOR_LOCK_S
from pipeline.errors import OutputError, StewardError
from pipeline.exits import (
    EXIT_BUSY,
    EXIT_DIFFERENT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_TERMINATED,
)
from pipeline.model import terminal_text

if TYPE_CHECKING:
    from rich.console import Console

    from pipeline.extract.pdf_model import PdfEngine


def _formats(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, ...]:
    names = tuple(part.strip().lower() for part in value.split(",") if part.strip())
    unknown = [name for name in names if name not in FORMATS]
    if unknown or not names:
        raise click.BadParameter(
            f"{', '.join(unknown) or '(none)'}: choose from {', '.join(FORMATS)}, comma-separated"
        )
    return names


def _dask_scheduler(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        from pipeline.dask_executor import require_dask

        require_dask()  # before any work: says what to install
    return value


class _Albatts(click.Group):
    """Every command runs here: a StewardError from any of them (a malformed vocabulary, an
    --out that cannot be written, a full disk) is one line on stderr and its own exit code,
    never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        _escape_unencodable()
        try:
            return super().invoke(ctx)
        except StewardError as error:
            click.echo(f"albatts: {terminal_text(str(error))}", err=True)
            if ctx.meta.get(JSON_ON_STDOUT):  # a script reads stdout: it gets the error too
                import json

                click.echo(json.dumps({"error": str(error), "exit_code": error.exit_code}))
            ctx.exit(error.exit_code)


# Set in ctx.meta (shared by a command and its group) by a command asked for JSON on stdout.
JSON_ON_STDOUT = "albatts.json_on_stdout"


def _escape_unencodable() -> None:
    """Under a locale that is not UTF-8 (LANG=C), print a character the terminal's encoding
    lacks (é in a file name, → in the summary) as an escape (\\xe9, \\u2192) instead of
    stopping with a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "ascii"
        if isinstance(stream, io.TextIOWrapper) and codecs.lookup(encoding).name != "utf-8":
            stream.reconfigure(errors="backslashreplace")


@click.group(cls=_Albatts, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="albatts")
def main() -> None:
    """Turn ALBATTS job-role profiles (PDF or text) into tidy, validated tables.

    \b
    Example:
      albatts extract raw/ --out out
    """
    # numpy's OpenBLAS starts a thread per core on import, which spins for a while though
    # the pipeline does no linear algebra: CPU taken from the run and its workers, one per
    # core, while they start. Set before anything imports numpy, and inherited by the
    # workers' server.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


@main.command()
@click.argument(
    "inputs",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, path_type=Path),
    metavar="INPUT...",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Output folder; replaced as a whole when the run completes.",
)
@click.option(
    "--format",
    "formats",
    callback=_formats,
    default=",".join(FORMATS),
    show_default=True,
    help="Comma-separated output formats.",
)
@click.option(
    "--strict", is_flag=True, help="Reject files with warnings too (see validation.json)."
)
@click.option(
    "--allow-empty",
    is_flag=True,
    help="Publish empty tables when every input is rejected (else --out is kept as it was).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=TIMEOUT_S,
    show_default=True,
    help="Seconds one file may take before it is stopped and rejected.",
)
@click.option(
    "--max-memory",
    type=click.IntRange(min=64),
    default=MAX_MEMORY_MB,
    show_default=True,
    help="MB one file may use before it is stopped and rejected.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=JOBS,
    show_default=True,
    help="Files processed at once, each in its own worker; 0 = in this process, no limits.",
)
@click.option(
    "--follow-symlinks",
    is_flag=True,
    help="Follow symlinks inside input folders that lead outside them (else such a link is "
    "rejected; a symlink given as INPUT is always followed).",
)
@click.option(
    "--wait-for-lock",
    "wait_for_lock",
    type=click.FloatRange(min=0),
    default=WAIT_FOR_LOCK_S,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for another run writing to the same --out before giving up.",
)
@click.option(
    "--pdf-engine",
    type=click.Choice(["pdfium", "pdfplumber"]),
    default="pdfium",
    show_default=True,
    help="The library that reads PDF pages; both give the same tables, pdfium several times "
    "faster.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Extract every file afresh, without reading or writing the cache of per-file "
    "results (.albatts-cache/ beside --out; a file unchanged since an earlier run is "
    "otherwise not extracted again).",
)
@click.option(
    "--dask-scheduler",
    metavar="ADDRESS",
    default=None,
    callback=_dask_scheduler,
    help="Run each file as a task on the Dask cluster at ADDRESS (tcp://host:8786), still "
    "under --timeout and --max-memory; `local` starts a LocalCluster of --jobs worker "
    "processes for this run. Needs pip install 'albatts-pipeline[dask]'.",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="Print only rejected files with their errors, and the verdict line.",
)
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="List every error and warning with its hint (errors of one cause are otherwise "
    "counted on one line, and numerous warnings cut short).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print a JSON summary on stdout (each input's verdict, totals, the exit code) and "
    "nothing else there; messages still go to stderr. A run that cannot go on prints "
    '{"error": ..., "exit_code": ...} there instead.',
)
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def extract(
    inputs: tuple[Path, ...],
    out_dir: Path,
    formats: tuple[str, ...],
    strict: bool,
    allow_empty: bool,
    timeout: float,
    max_memory: int,
    jobs: int,
    follow_symlinks: bool,
    wait_for_lock: float,
    pdf_engine: PdfEngine,
    no_cache: bool,
    dask_scheduler: str | None,
    quiet: bool,
    verbose: bool,
    as_json: bool,
    debug: bool,
) -> None:
    """Extract profiles from INPUT files or folders into tables under --out.

    Folders are searched for .pdf, .txt, .md, .docx and .docm files (README, hidden and
    Word's ~$ lock files are skipped); a symlink in a folder is followed only inside it
    (see --follow-symlinks), and only regular files up to 100 MB are read (a FIFO or
    device never is).
    Writes parquet/, csv/ and json/ (one file per table), json/profiles/<profile_id>.json,
    manifest.json (a verdict per input), validation.json (every error and warning) and
    datapackage.json. Each file is processed in a worker with a time and a memory limit.
    Prints the rows per table and a verdict line on stdout; rejected files with their
    errors, and warnings, on stderr (one line each; errors of one cause counted on one
    line). A run that cannot go on (exit 73, 74, 78) says why in one line on stderr, naming
    the file and what to do; then, as when interrupted, the previous outputs are kept.

    \b
    Exit codes:
      0        every input ok
      1        some inputs rejected (the good ones are still written)
      2        usage error (--out inside an input folder is one)
      69       the Dask cluster of --dask-scheduler cannot be used
      73       --out cannot be written (permission denied, read-only file system)
      74       writing the outputs failed (disk full, quota exceeded)
      75       another run kept --out busy for longer than --wait-for-lock
      78       a vocabulary file (schemas/vocab/*.txt) is malformed or missing
      130/143  interrupted by Ctrl-C / SIGTERM

    \b
    Examples:
      albatts extract raw/
      albatts extract raw/profile.txt other/ --out /tmp/out --format parquet,csv
      albatts extract inbox/ --strict --timeout 30 --max-memory 1024
      albatts extract raw/ --json > summary.json
    """
    click.get_current_context().meta[JSON_ON_STDOUT] = as_json
    from pipeline.contract.vocabulary import check_vocabularies

    # Before the imports that load vocabularies and before any work: a malformed one stops
    # the run here, once, not in every worker.
    check_vocabularies()
    from rich.console import Console

    from pipeline.console import Detail, print_lines, summary_lines, summary_to_json
    from pipeline.discover import check_out_outside_inputs, discover_inputs
    from pipeline.extract.pdf_model import PdfLayout
    from pipeline.limits import Limits
    from pipeline.lock import OutputBusy
    from pipeline.run import run
    from pipeline.settings import Settings, SettingsError

    if quiet and verbose:
        raise click.UsageError("choose one of --quiet and --verbose")
    limits = None if jobs == 0 else Limits(timeout, max_memory, jobs)
    try:
        settings = Settings(
            out_dir=out_dir,
            formats=formats,
            limits=limits,
            strict=strict,
            allow_empty=allow_empty,
            follow_symlinks=follow_symlinks,
            wait_for_lock_s=wait_for_lock,
            cache=not no_cache,
            dask_scheduler=dask_scheduler,
            layout=PdfLayout(reader=pdf_engine),
        )
        check_out_outside_inputs(out_dir, inputs)
    except (SettingsError, OutputError) as error:
        raise click.UsageError(terminal_text(str(error))) from error
    paths = discover_inputs(inputs, follow_symlinks)
    if not paths:
        given = terminal_text(", ".join(str(p) for p in inputs))
        raise click.UsageError(f"no .pdf, .txt, .md, .docx or .docm files in {given}")
    console = Console(stderr=True, soft_wrap=True)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        with _progress(console, len(paths), quiet) as advance:
            report = run(paths, settings, advance, lambda said: _say(console, said))
    except OutputBusy as error:
        _say(console, f"albatts: {error}")
        if as_json:
            import json

            click.echo(json.dumps({"error": str(error), "exit_code": EXIT_BUSY}))
        raise SystemExit(EXIT_BUSY) from None
    except OutputError as error:
        raise click.UsageError(terminal_text(str(error))) from error
    except KeyboardInterrupt as interrupt:
        _say(console, f"interrupted: {out_dir} was left as it was before this run")
        code = EXIT_TERMINATED if isinstance(interrupt, _Terminated) else EXIT_INTERRUPTED
        raise SystemExit(code) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    code = EXIT_REJECTED if report.rejected or not report.published else EXIT_OK
    lines = summary_lines(report, out_dir, settings.formats, Detail(quiet, verbose, debug))
    if as_json:
        import json

        # stdout is the script's: rejections and warnings still reach a person on stderr.
        print_lines((line for line in lines if line.stream == "err"), console, console)
        summary = summary_to_json(report, out_dir, settings.formats, code)
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print_lines(lines, Console(soft_wrap=True), console)
    raise SystemExit(code)


def _say(console: Console, message: str) -> None:
    """A message with paths in it: unwrapped, so that a path can be copied whole, and
    shown literally."""
    console.print(terminal_text(message), highlight=False, markup=False, soft_wrap=True)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so every cleanup on the way out runs."""


def _terminate(_signum: int, _frame: object) -> None:
    raise _Terminated


@contextmanager
def _progress(console: Console, total: int, quiet: bool) -> Iterator[Callable[[Path], None]]:
    if quiet or total < 2 or not console.is_terminal:
        yield lambda _path: None
        return
    from rich.progress import Progress

    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Extracting", total=total)
        yield lambda _path: progress.advance(task)


@main.command(name="inspect")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--page",
    "pages",
    type=click.IntRange(min=1),
    multiple=True,
    help="Page to draw (repeatable); default: every page the profile's tables are on.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the page images and the row dump  [default: inspect/<file name>]",
)
def inspect_command(file: Path, pages: tuple[int, ...], out_dir: Path | None) -> None:
    """Show what the extractor detected in FILE: the first step when a PDF is rejected.

    For a PDF, writes one PNG per page with the detected running header/footer (grey),
    headings (orange), table header bands (purple), column boundaries (blue), rows (green
    where a ruling bounds them, cyan where white space does) and the place of a problem
    (red), and a text dump of what each row became. For a text file, the rows with their
    line numbers.

    \b
    Examples:
      albatts inspect raw/profile.pdf --page 3
      albatts inspect raw/profile.pdf --out /tmp/look
    """
    from rich.console import Console

    from pipeline.inspect import inspect_file

    target = out_dir or Path("inspect") / file.stem
    result = inspect_file(file, target, pages or None)
    console = Console(soft_wrap=True)
    for image in result.images:
        _say(console, f"page image  {image}")
    _say(console, f"row dump    {result.dump}")
    console.print(result.dump.read_text(encoding="utf-8"), highlight=False, markup=False)
    if result.error is not None:
        raise SystemExit(EXIT_REJECTED)


@main.command(name="diff")
@click.argument("old", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--markdown", "as_markdown", is_flag=True, help="Markdown, for a CI log or a pull request."
)
@click.option("--json", "as_json", is_flag=True, help="Every difference as JSON on stdout.")
@click.option(
    "--provenance",
    is_flag=True,
    help="Compare provenance too (source_*, extraction_method, ocr_confidence).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Rows listed per table and kind in text and Markdown (JSON lists all).",
)
def diff_command(
    old: Path, new: Path, as_markdown: bool, as_json: bool, provenance: bool, limit: int
) -> None:
    """Compare two outputs (or an output with a goldens folder) table by table, by key.

    Lists the profiles OLD has and NEW lacks first, then per table the rows added, removed
    and changed (with the columns that changed, old and new values). Statements, ESCO
    skills, specialisations, departments and occupations are matched by content within
    their parent, so one inserted bullet is one added row. Each folder is an output of
    `albatts extract` (Parquet, else CSV, else JSON is read) or a folder of <table>.csv
    goldens. Exits 0 when identical, 1 when different, 2 on a usage error.

    \b
    Examples:
      albatts diff tests/golden/examples out
      albatts diff old-out/ out/ --markdown >> "$GITHUB_STEP_SUMMARY"
    """
    import json

    from pipeline.diff import diff_tables
    from pipeline.diff_report import as_json as diff_json
    from pipeline.diff_report import as_markdown as diff_markdown
    from pipeline.diff_report import as_text as diff_text
    from pipeline.outputs import OutputReadError, read_output

    if as_json and as_markdown:
        raise click.UsageError("choose one of --json and --markdown")
    try:
        old_output, new_output = read_output(old), read_output(new)
    except OutputReadError as error:
        raise click.UsageError(str(error)) from error
    diff = diff_tables(old_output.tables, new_output.tables, provenance=provenance)
    if as_json:
        text = json.dumps(diff_json(diff, str(old), str(new)), ensure_ascii=False, indent=2)
        click.echo(text)
    elif as_markdown:
        click.echo(diff_markdown(diff, str(old), str(new), limit), nl=False)
    else:
        click.echo(diff_text(diff, str(old), str(new), limit), nl=False)
    raise SystemExit(EXIT_OK if diff.identical else EXIT_DIFFERENT)


@main.command(name="validate")
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="The problems as JSON on stdout.")
def validate_command(out_dir: Path, as_json: bool) -> None:
    """Re-check an existing output folder OUT_DIR before trusting or shipping it.

    Checks every table of every format against the contract (the same checks and messages
    as extraction, located in the table files), the links between tables, that the
    Parquet, CSV and JSON copies agree, the manifest against the tables, and
    datapackage.json against the contract. Exits 0 when valid, 1 when not, 2 on a usage
    error.

    \b
    Example:
      albatts validate out/
    """
    import json

    from pipeline.outputs import OutputReadError
    from pipeline.verify import check_output
    from pipeline.write import issue_to_json

    try:
        checked = check_output(out_dir)
    except OutputReadError as error:
        raise click.UsageError(str(error)) from error
    errors = [issue for issue in checked.issues if issue.severity == "error"]
    if as_json:
        report = {
            "folder": str(out_dir),
            "valid": checked.valid,
            "formats": list(checked.formats),
            "profiles": checked.profiles,
            "issues": [issue_to_json(issue) for issue in checked.issues],
        }
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        from rich.console import Console

        console = Console(soft_wrap=True)
        for issue in errors:
            _say(console, f"[{issue.stage}] {issue}")
        verdict = "valid" if checked.valid else f"invalid, {len(errors)} problem(s)"
        _say(
            console,
            f"{out_dir}: {verdict} ({checked.profiles} profile(s); "
            f"formats: {', '.join(checked.formats)})",
        )
    raise SystemExit(EXIT_OK if checked.valid else EXIT_REJECTED)


@main.command(name="report")
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("inputs", nargs=-1, type=click.Path(exists=True, path_type=Path))
def report_command(out_dir: Path, inputs: tuple[Path, ...]) -> None:
    """Rebuild OUT_DIR/report.html from an existing output folder.

    The tables and verdicts come from OUT_DIR. Give the run's INPUT files or folders too for
    pictures of the PDF pages with problems: a PDF is drawn only if it is unchanged since
    the run (same name and sha256 as in manifest.json).

    \b
    Examples:
      albatts report out/
      albatts report out/ raw/
    """
    from pipeline.discover import discover_inputs
    from pipeline.outputs import OutputReadError
    from pipeline.rebuild import rebuild_report

    try:
        written = rebuild_report(out_dir, discover_inputs(inputs))
    except OutputReadError as error:
        raise click.UsageError(str(error)) from error
    click.echo(f"wrote {written}")
