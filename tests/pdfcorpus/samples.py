"""Render the demo PDFs kept in examples/ (raw/ is for real profiles only).

    python -m tests.pdfcorpus.samples examples/

Each sample is one corpus profile rendered by one producer; examples/README.md lists them.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from tests.pdfcorpus.build import render_pdf
from tests.pdfcorpus.data import CORPUS_PROFILES, load_profile
from tests.pdfcorpus.variants import corpus_variants

# (truth file stem, variant name): one ruled reportlab table, one borderless fpdf2 one.
SAMPLES = (
    ("battery-pack-assembly-technician", "rl-ruled-rep-hdr-a4-dash-ul-helvetica-s100"),
    ("battery-recycling-plant-operators", "fp-open-norep-hdr-a4-mixed-noul-vera-s100"),
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args(argv)
    variants = {variant.name: variant for variant in corpus_variants()}
    for stem, variant_name in SAMPLES:
        profile = load_profile(CORPUS_PROFILES / f"{stem}.json")
        target = args.out_dir / f"{stem}.pdf"
        target.write_bytes(render_pdf(profile, variants[variant_name]))
        print(f"{target}  ({variant_name})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
