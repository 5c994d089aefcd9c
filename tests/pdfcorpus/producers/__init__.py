"""Independent document producers of the fixture corpus: software this project does not
control (a browser, an office suite, a typesetting engine) rendering the truth profiles.

Each producer module defines `PRODUCER`. `make fixtures` (tests/pdfcorpus/fixtures.py)
runs them and commits what they made under tests/pdfcorpus/pdfs/<name>/, with a manifest;
the tests read those files and need none of the programs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.pdfcorpus.data import ProfileData

# name -> module defining PRODUCER; imported only when used.
PRODUCER_MODULES: dict[str, str] = {
    "chromium": "tests.pdfcorpus.producers.chromium",
    "weasyprint": "tests.pdfcorpus.producers.weasyprint",
    "libreoffice": "tests.pdfcorpus.producers.libreoffice",
    "latex": "tests.pdfcorpus.producers.latex",
}


@dataclass(frozen=True)
class Rendered:
    """One PDF a producer wrote, with what it contains."""

    pdf: Path  # the file written
    truth: str  # stem of tests/pdfcorpus/profiles/<truth>.json it was rendered from
    variant: str  # the producer's own name for the styling used
    variations: tuple[str, ...]  # layout variations verified on the PDF (variations.py)


@dataclass(frozen=True)
class Producer:
    name: str
    # None when the producer can run here, else what to install.
    missing: Callable[[], str | None]
    # Program and library versions, recorded in the manifest.
    versions: Callable[[], dict[str, str]]
    # Render (truth stem, profile) pairs into a folder; return what was written.
    render: Callable[[Sequence[tuple[str, ProfileData]], Path], list[Rendered]]


def load_producer(name: str) -> Producer:
    module = importlib.import_module(PRODUCER_MODULES[name])
    producer = module.PRODUCER
    assert isinstance(producer, Producer) and producer.name == name
    return producer
