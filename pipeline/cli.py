"""The albatts command: parse options, call run, turn results into messages and exit codes."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from pipeline import __version__
from pipeline.errors import OutputError
from pipeline.lock import OutputBusy
from pipeline.model import printable_name
from pipeline.run import RunReport, check_out_outside_inputs, discover_inputs, run
from pipeline.settings import FORMATS, Settings, SettingsError
from pipeline.workers import Limits

EXIT_OK = 0
EXIT_REJECTED = 1
# sysexits' EX_TEMPFAIL: another run kept --out locked; try again later.
EXIT_BUSY = 75
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


def _formats(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, ...]:
    names = tuple(part.strip().lower() for part in value.split(",") if part.strip())
    unknown = [name for name in names if name not in FORMATS]
    if unknown or not names:
        raise click.BadParameter(
            f"{', '.join(unknown) or '(none)'}: choose from {', '.join(FORMATS)}, comma-separated"
        )
    return names


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="albatts")
def main() -> None:
    """Turn ALBATTS job-role profiles (PDF or text) into tidy, validated tables.

    \b
    Example:
      albatts extract raw/ --out out
    """


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
    default=Limits.timeout_s,
    show_default=True,
    help="Seconds one file may take before it is stopped and rejected.",
)
@click.option(
    "--max-memory",
    type=click.IntRange(min=64),
    default=Limits.max_memory_mb,
    show_default=True,
    help="MB one file may use before it is stopped and rejected.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=Limits.jobs,
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
    default=Settings.wait_for_lock_s,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for another run writing to the same --out before giving up.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only rejected files and problems.")
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
    quiet: bool,
    debug: bool,
) -> None:
    """Extract profiles from INPUT files or folders into tables under --out.

    Folders are searched for .pdf, .txt and .md files (README and hidden files are skipped);
    a symlink in a folder is followed only inside it (see --follow-symlinks), and only
    regular files up to 100 MB are read (a FIFO or device never is).
    Writes parquet/, csv/ and json/ (one file per table), json/profiles/<profile_id>.json,
    manifest.json (a verdict per input), validation.json (every error and warning) and
    datapackage.json. Each file is processed in a worker with a time and a memory limit.
    Exits 0 when every input is ok, 1 when some were rejected (the good ones are still
    written), 2 on a usage error (--out inside an input folder is one), 75 when another
    run kept --out busy for longer than --wait-for-lock, 130/143 when interrupted
    (previous outputs kept).

    \b
    Examples:
      albatts extract raw/
      albatts extract raw/profile.txt other/ --out /tmp/out --format parquet,csv
      albatts extract inbox/ --strict --timeout 30 --max-memory 1024
    """
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
        )
        check_out_outside_inputs(out_dir, inputs)
    except (SettingsError, OutputError) as error:
        raise click.UsageError(str(error)) from error
    paths = discover_inputs(inputs, follow_symlinks)
    if not paths:
        raise click.UsageError(f"no .pdf, .txt or .md files in {', '.join(str(p) for p in inputs)}")
    console = Console(stderr=True)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        with _progress(console, len(paths), quiet) as advance:
            report = run(paths, settings, advance, lambda said: _say(console, said))
    except OutputBusy as error:
        _say(console, f"albatts: {error}")
        raise SystemExit(EXIT_BUSY) from None
    except OutputError as error:
        raise click.UsageError(str(error)) from error
    except KeyboardInterrupt as interrupt:
        console.print(f"interrupted: {out_dir} was left as it was before this run")
        code = EXIT_TERMINATED if isinstance(interrupt, _Terminated) else EXIT_INTERRUPTED
        raise SystemExit(code) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    print_summary(report, settings, Console(soft_wrap=True), quiet, debug)
    if not report.published:
        console.print(
            f"nothing to publish: every input was rejected, so {out_dir} was left as it was "
            "(--allow-empty publishes empty tables)",
            highlight=False,
            markup=False,
        )
        raise SystemExit(EXIT_REJECTED)
    raise SystemExit(EXIT_REJECTED if report.rejected else EXIT_OK)


def _say(console: Console, message: str) -> None:
    """A message with paths in it: unwrapped, so that a path can be copied whole."""
    console.print(message, highlight=False, markup=False, soft_wrap=True)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so every cleanup on the way out runs."""


def _terminate(_signum: int, _frame: object) -> None:
    raise _Terminated


@contextmanager
def _progress(console: Console, total: int, quiet: bool) -> Iterator[Callable[[Path], None]]:
    if quiet or total < 2 or not console.is_terminal:
        yield lambda _path: None
        return
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Extracting", total=total)
        yield lambda _path: progress.advance(task)


def print_summary(
    report: RunReport, settings: Settings, console: Console, quiet: bool, debug: bool = False
) -> None:
    ok = len(report.verdicts) - len(report.rejected)
    if not quiet:
        table = Table(title=f"albatts extract → {settings.out_dir}", title_justify="left")
        table.add_column("table")
        table.add_column("rows", justify="right")
        for name, count in report.row_counts.items():
            table.add_row(name, str(count))
        console.print(table)
        for verdict in report.verdicts:
            if verdict.status == "ok":
                noted = f" ({len(verdict.warnings)} warning(s))" if verdict.warnings else ""
                typed = printable_name(report.typed.get(verdict.source_file, verdict.source_file))
                console.print(
                    f"ok        {typed} -> {verdict.profile_id}{noted}",
                    highlight=False,
                    markup=False,
                )
    for verdict in report.rejected:
        typed = printable_name(report.typed.get(verdict.source_file, verdict.source_file))
        console.print(f"[bold red]rejected[/]  {escape(typed)}", highlight=False)
        for issue in verdict.errors:
            text = printable_name(str(issue))
            console.print(f"  [{issue.stage}] {text}", highlight=False, markup=False)
            if debug and issue.debug:
                console.print(issue.debug, highlight=False, markup=False)
    warnings = sum(len(v.warnings) for v in report.verdicts if v.status == "ok")
    console.print(
        f"{ok} profile(s) ok, {len(report.rejected)} rejected, {warnings} warning(s); "
        f"formats: {', '.join(settings.formats)}",
        highlight=False,
    )
    if warnings:
        console.print(
            f"warnings are listed in {settings.out_dir / 'validation.json'} "
            "(--strict rejects files that have any)",
            highlight=False,
        )


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
    from pipeline.inspect import inspect_file

    target = out_dir or Path("inspect") / file.stem
    result = inspect_file(file, target, pages or None)
    console = Console(soft_wrap=True)
    for image in result.images:
        console.print(f"page image  {image}", highlight=False)
    console.print(f"row dump    {result.dump}", highlight=False)
    console.print(result.dump.read_text(encoding="utf-8"), highlight=False, markup=False)
    if result.error is not None:
        raise SystemExit(EXIT_REJECTED)


EXIT_DIFFERENT = 1
EXIT_USAGE = 2


@main.command(name="diff")
@click.argument("old", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--markdown", "as_markdown", is_flag=True, help="Markdown, for a CI log or a pull request."
)
@click.option("--json", "as_json", is_flag=True, help="Every difference as JSON on stdout.")
@click.option("--provenance", is_flag=True, help="Compare source_file/_sha256/_line/_page too.")
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
        console = Console(soft_wrap=True)
        for issue in errors:
            console.print(f"[{issue.stage}] {issue}", highlight=False, markup=False)
        verdict = "valid" if checked.valid else f"invalid, {len(errors)} problem(s)"
        console.print(
            f"{out_dir}: {verdict} ({checked.profiles} profile(s); "
            f"formats: {', '.join(checked.formats)})",
            highlight=False,
            markup=False,
        )
    raise SystemExit(EXIT_OK if checked.valid else EXIT_REJECTED)
