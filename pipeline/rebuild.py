"""`albatts report OUT [INPUT...]`: report.html rebuilt from an existing output folder.

The tables and verdicts come from the output itself. Page pictures need the PDFs: each one
given (or found in a folder given) whose name and sha256 are those the manifest records is
read again and drawn; without inputs the report has no pictures.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.codes import Code
from pipeline.disk import cannot_write
from pipeline.extract.pdf_model import PdfLayout
from pipeline.inputs import Input
from pipeline.lock import WAIT_FOR_LOCK_S, output_lock
from pipeline.model import Issue, Location, PagePicture, Source, printable_name
from pipeline.outputs import OutputReadError, read_output
from pipeline.pictures import problem_pictures
from pipeline.report import REPORT, render_report


def rebuild_report(
    out_dir: Path, inputs: Sequence[Input] = (), wait_for_lock_s: float = WAIT_FOR_LOCK_S
) -> Path:
    """Write out_dir/report.html again (atomically, under the output's lock)."""
    output = read_output(out_dir)
    if output.manifest is None:
        raise OutputReadError(f"{out_dir} has no manifest.json written by albatts")
    pictures = input_pictures(output.manifest, inputs)
    html = render_report(output.manifest, output.tables, pictures)
    target = out_dir.resolve()
    try:
        with output_lock(target, wait_for_lock_s):
            _replace_text(target / REPORT, html)
    except OSError as error:
        raise cannot_write(error, out_dir) from error
    return out_dir / REPORT


def input_pictures(
    manifest: Mapping[str, Any], inputs: Sequence[Input]
) -> dict[str, tuple[PagePicture, ...]]:
    """Pictures of the PDF inputs with problems that are still as the run read them."""
    by_name = {printable_name(each.name): each for each in inputs if each.refused is None}
    layout = _layout(manifest)
    pictures: dict[str, tuple[PagePicture, ...]] = {}
    for entry in manifest.get("inputs", []):
        issues = [*entry.get("errors", []), *entry.get("warnings", [])]
        each = by_name.get(entry["source_file"])
        if entry.get("source_format") != "pdf" or not issues or each is None:
            continue
        try:
            data = each.path.read_bytes()
        except OSError:
            continue
        sha256 = hashlib.sha256(data).hexdigest()
        if sha256 != entry.get("sha256"):
            continue  # changed since the run: its pictures would show another document
        source = Source(entry["source_file"], "pdf", sha256)
        drawn = problem_pictures(data, source, [issue_from_json(i) for i in issues], layout)
        if drawn:
            pictures[entry["source_file"]] = drawn
    return pictures


def issue_from_json(record: Mapping[str, Any]) -> Issue:
    """An issue as write.issue_to_json recorded it (severity from the list it is in)."""
    location = record.get("location", {})
    known = ("file", "page", "line", "table", "column", "row")
    try:
        code = Code(str(record.get("code")))
    except ValueError:  # written by another version of the pipeline
        code = Code.INTERNAL_ERROR
    return Issue(
        record.get("stage", "extract"),
        str(record.get("message", "")),
        Location(**{key: location.get(key) for key in known if key in location}),
        str(record.get("hint", "")),
        code=code,
    )


def _layout(manifest: Mapping[str, Any]) -> PdfLayout:
    """The PDF tolerances the run used (the manifest records them), else the defaults."""
    recorded = manifest.get("options", {}).get("pdf_layout", {})
    defaults = PdfLayout()
    known = {key: value for key, value in recorded.items() if hasattr(defaults, key)}
    try:
        return PdfLayout(**known)
    except (TypeError, ValueError):  # tolerances of another version of the pipeline
        return defaults


def _replace_text(path: Path, text: str) -> None:
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        Path(temporary).chmod(0o644)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
