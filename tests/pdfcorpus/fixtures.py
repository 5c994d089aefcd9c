"""Render the committed fixture PDFs with the independent producers: `make fixtures`.

    python -m tests.pdfcorpus.fixtures [--producer NAME ...]

For each producer: render every truth profile in tests/pdfcorpus/profiles/ into a scratch
folder, measure each PDF (pages, fonts, sizes), then replace tests/pdfcorpus/pdfs/<name>/
with the PDFs and a manifest.json recording the producer's versions and, per file, its
truth and the layout variations it contains. The tests read these files only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.pdfcorpus.data import CORPUS_PROFILES, load_profile
from tests.pdfcorpus.producers import PRODUCER_MODULES, Rendered, load_producer
from tests.pdfcorpus.variations import check_variations

PDFS = Path(__file__).resolve().parent / "pdfs"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class FixturePdf:
    """A committed fixture PDF as its manifest describes it."""

    path: Path
    producer: str
    truth: str
    variant: str
    variations: tuple[str, ...]
    pages: int

    @property
    def truth_path(self) -> Path:
        return CORPUS_PROFILES / f"{self.truth}.json"


def load_fixture_pdfs(root: Path = PDFS) -> list[FixturePdf]:
    """Every committed fixture PDF of every producer, sorted by producer and file name."""
    found = []
    for manifest_path in sorted(root.glob(f"*/{MANIFEST}")):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        for entry in manifest["files"]:
            found.append(
                FixturePdf(
                    path=manifest_path.parent / entry["file"],
                    producer=manifest["producer"],
                    truth=entry["truth"],
                    variant=entry["variant"],
                    variations=tuple(entry["variations"]),
                    pages=int(entry["pages"]),
                )
            )
    return sorted(found, key=lambda f: (f.producer, f.path.name))


def measure(pdf: Path) -> dict[str, Any]:
    """Pages, fonts (subset prefix removed) and font sizes (to 0.5 pt) of a PDF."""
    import pdfplumber

    fonts: set[str] = set()
    sizes: set[float] = set()
    with pdfplumber.open(pdf) as document:
        pages = len(document.pages)
        for page in document.pages:
            for char in page.chars:
                fonts.add(re.sub(r"^[A-Z]{6}\+", "", str(char["fontname"])))
                sizes.add(round(float(char["size"]) * 2) / 2)
    return {"pages": pages, "fonts": sorted(fonts), "sizes": sorted(sizes)}


def manifest_entry(rendered: Rendered, folder: Path) -> dict[str, Any]:
    check_variations(list(rendered.variations))
    data = rendered.pdf.read_bytes()
    return {
        "file": rendered.pdf.name,
        "truth": rendered.truth,
        "variant": rendered.variant,
        "variations": sorted(set(rendered.variations)),
        **measure(rendered.pdf),
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def build_producer(name: str, root: Path = PDFS) -> Path:
    """Render every truth profile with one producer and replace its committed folder."""
    producer = load_producer(name)
    missing = producer.missing()
    if missing:
        raise SystemExit(f"{name}: cannot render here: {missing} (run make fixtures-install)")
    profiles = [(path.stem, load_profile(path)) for path in sorted(CORPUS_PROFILES.glob("*.json"))]
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root) as scratch:
        staging = Path(scratch) / name
        staging.mkdir()
        rendered = producer.render(profiles, staging)
        for item in rendered:
            if item.pdf.parent != staging:
                raise SystemExit(f"{name}: {item.pdf} was written outside {staging}")
        manifest = {
            "producer": name,
            "versions": producer.versions(),
            "made_by": f"python -m tests.pdfcorpus.fixtures --producer {name}",
            "files": [
                manifest_entry(item, staging) for item in sorted(rendered, key=lambda r: r.pdf.name)
            ],
        }
        kept = {entry["file"] for entry in manifest["files"]}
        for stray in staging.iterdir():
            if stray.name not in kept:
                stray.unlink() if stray.is_file() else shutil.rmtree(stray)
        (staging / MANIFEST).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        target = root / name
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    return target


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--producer",
        action="append",
        choices=sorted(PRODUCER_MODULES),
        help="producer to run (repeatable; default: all)",
    )
    args = parser.parse_args(argv)
    for name in args.producer or sorted(PRODUCER_MODULES):
        folder = build_producer(name)
        files = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
        size = sum(entry["bytes"] for entry in files)
        print(f"{name}: {len(files)} PDFs, {size / 1024:.0f} KiB -> {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
