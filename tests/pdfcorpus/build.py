"""Build the fixture corpus: python -m tests.pdfcorpus.build OUT_DIR [--profiles DIR].

For every truth file and variant: OUT_DIR/<stem>__<variant>.pdf; per truth file also
OUT_DIR/<stem>.txt (seed text format) and OUT_DIR/<stem>.truth.json (the truth, re-serialised).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from tests.pdfcorpus import render_fpdf as render_fpdf_module
from tests.pdfcorpus import render_reportlab as render_reportlab_module
from tests.pdfcorpus.data import ProfileData, load_corpus, profile_stem, profile_to_json
from tests.pdfcorpus.layout import LayoutError, PageLayout
from tests.pdfcorpus.render_fpdf import render_fpdf
from tests.pdfcorpus.render_reportlab import render_reportlab
from tests.pdfcorpus.render_text import TextBreak, TextOptions, render_text
from tests.pdfcorpus.variants import Variant, corpus_variants, ul_cells

RENDERERS: dict[str, Callable[[ProfileData, Variant], bytes]] = {
    "reportlab": render_reportlab,
    "fpdf2": render_fpdf,
}
LAYOUTS: dict[str, Callable[[ProfileData, Variant], PageLayout]] = {
    "reportlab": render_reportlab_module.layout_for,
    "fpdf2": render_fpdf_module.layout_for,
}


def render_pdf(profile: ProfileData, variant: Variant) -> bytes:
    """PDF bytes of a profile drawn by the variant's producer."""
    return RENDERERS[variant.producer](profile, variant)


def pdf_name(stem: str, variant: Variant) -> str:
    """'<profile-stem>__<variant-name>.pdf'."""
    return f"{stem}__{variant.name}.pdf"


def text_options(profile: ProfileData) -> TextOptions:
    """Seed-like quirks for a profile's text export, chosen deterministically.

    <ul> on two rows out of three; a continuation row starting new bullets in the first
    competence with 2+ statements; one continuing a bullet cut mid-sentence (carrying the
    remaining ESCO labels) in the first later competence with a statement of 6+ words.
    """
    items = profile.competences
    ul = ul_cells(len(items))
    breaks: list[TextBreak] = []
    first = next((i for i, c in enumerate(items) if len(c.statements) >= 2), None)
    if first is not None:
        breaks.append(TextBreak(first, len(items[first].statements) // 2 or 1))
    start = 0 if first is None else first + 1
    for index in range(start, len(items)):
        long = [k for k, s in enumerate(items[index].statements) if len(s.split(" ")) >= 6]
        if long:
            esco = 1 if len(items[index].esco_skills) >= 2 else None
            breaks.append(TextBreak(index, long[-1], word=3, esco=esco))
            break
    blank = frozenset({len(items) - 1}) if len(items) > 3 else frozenset()
    return TextOptions(ul=ul, breaks=tuple(breaks), blank_before=blank)


def build_profile(
    path: Path, profile: ProfileData, out_dir: Path, variants: Sequence[Variant]
) -> list[tuple[Path, Path]]:
    """Write one profile's truth copy, text export and PDFs; return (pdf, truth) pairs."""
    stem = profile_stem(path)
    truth = out_dir / f"{stem}.truth.json"
    truth.write_text(profile_to_json(profile), encoding="utf-8")
    text = render_text(profile, text_options(profile))
    (out_dir / f"{stem}.txt").write_text(text, encoding="utf-8")
    pairs = []
    for variant in variants:
        pdf = out_dir / pdf_name(stem, variant)
        pdf.write_bytes(render_pdf(profile, variant))
        pairs.append((pdf, truth))
    return pairs


def unrenderable(
    corpus: Sequence[tuple[Path, ProfileData]], variants: Sequence[Variant]
) -> dict[Path, str]:
    """Truth files that cannot be drawn exactly (e.g. a character no allowed font has)."""
    problems: dict[Path, str] = {}
    for path, profile in corpus:
        for variant in variants:
            try:
                LAYOUTS[variant.producer](profile, variant)
            except LayoutError as error:
                problems[path] = f"{variant.name}: {error}"
                break
    return problems


def build_corpus(
    out_dir: Path | str,
    profiles_dir: Path | str | None = None,
    variants: Sequence[Variant] | None = None,
    skip_unrenderable: bool = False,
) -> list[tuple[Path, Path]]:
    """Render every truth file (default tests/pdfcorpus/profiles) in every corpus variant.

    A truth that cannot be drawn exactly raises LayoutError naming every such file, unless
    skip_unrenderable, which leaves those files out (with a note on stderr).
    """
    out = Path(out_dir)
    chosen = corpus_variants() if variants is None else list(variants)
    corpus = load_corpus(profiles_dir)
    problems = unrenderable(corpus, chosen)
    if problems and not skip_unrenderable:
        raise LayoutError("; ".join(f"{path}: {why}" for path, why in problems.items()))
    for path, why in problems.items():
        print(f"skipped {path}: {why}", file=sys.stderr)
    out.mkdir(parents=True, exist_ok=True)
    pairs: list[tuple[Path, Path]] = []
    for path, profile in corpus:
        if path not in problems:
            pairs += build_profile(path, profile, out, chosen)
    return pairs


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="folder for the PDFs, texts and truths")
    parser.add_argument("--profiles", type=Path, help="truth JSON folder (default: profiles/)")
    parser.add_argument(
        "--skip-unrenderable", action="store_true", help="leave out truths that cannot be drawn"
    )
    args = parser.parse_args(argv)
    try:
        pairs = build_corpus(args.out_dir, args.profiles, skip_unrenderable=args.skip_unrenderable)
    except LayoutError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    profiles = len({truth for _, truth in pairs})
    print(f"{len(pairs)} PDFs for {profiles} profiles in {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
