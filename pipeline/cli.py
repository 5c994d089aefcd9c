"""The albatts command: parse options, call run, turn results into messages and exit codes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import click
from rich.console import Console
from rich.progress import track
from rich.table import Table

from pipeline import __version__
from pipeline.errors import OutputError
from pipeline.run import RunReport, discover_inputs, run
from pipeline.settings import FORMATS, Settings, SettingsError

EXIT_OK = 0
EXIT_REJECTED = 1


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
@click.option("--quiet", "-q", is_flag=True, help="Print only rejected files and problems.")
def extract(inputs: tuple[Path, ...], out_dir: Path, formats: tuple[str, ...], quiet: bool) -> None:
    """Extract profiles from INPUT files or folders into tables under --out.

    Folders are searched for .pdf, .txt and .md files (README and hidden files are skipped).
    Writes parquet/, csv/ and json/ (one file per table), json/profiles/<profile_id>.json,
    manifest.json (a verdict per input) and datapackage.json. Exits 0 when every input is
    ok, 1 when some were rejected (the good ones are still written), 2 on a usage error.

    \b
    Examples:
      albatts extract raw/
      albatts extract raw/profile.txt other/ --out /tmp/out --format parquet,csv
    """
    try:
        settings = Settings(out_dir=out_dir, formats=formats)
    except SettingsError as error:
        raise click.UsageError(str(error)) from error
    paths = discover_inputs(inputs)
    if not paths:
        raise click.UsageError(f"no .pdf, .txt or .md files in {', '.join(str(p) for p in inputs)}")
    console = Console(stderr=True)
    try:
        report = run(paths, settings, progress=lambda items: _progress(items, console, quiet))
    except OutputError as error:
        raise click.UsageError(str(error)) from error
    print_summary(report, settings, Console(soft_wrap=True), quiet)
    raise SystemExit(EXIT_REJECTED if report.rejected else EXIT_OK)


def _progress(items: Iterable[Path], console: Console, quiet: bool) -> Iterator[Path]:
    listed = list(items)
    if quiet or len(listed) < 2 or not console.is_terminal:
        return iter(listed)
    return iter(track(listed, description="Extracting", console=console, transient=True))


def print_summary(report: RunReport, settings: Settings, console: Console, quiet: bool) -> None:
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
                console.print(
                    f"ok        {verdict.source_file} -> {verdict.profile_id}", highlight=False
                )
            for issue in verdict.warnings:
                console.print(f"  warning {issue}", highlight=False)
    for verdict in report.rejected:
        console.print(f"[bold red]rejected[/]  {verdict.source_file}", highlight=False)
        for issue in verdict.errors:
            console.print(f"  [{issue.stage}] {issue}", highlight=False, markup=False)
    console.print(
        f"{ok} profile(s) ok, {len(report.rejected)} rejected, "
        f"formats: {', '.join(settings.formats)}",
        highlight=False,
    )
