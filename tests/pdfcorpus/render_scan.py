"""Scans of corpus PDFs: each page drawn at 300 dpi (PDFium, as a flatbed scanner would give
it, in grey) and put back into a PDF as a picture, with no text layer.

    python -m tests.pdfcorpus.render_scan IN.pdf OUT.pdf [--pages 1-3]

The picture is stored losslessly (Flate), the page keeps its size in points, so the OCR
reader sees exactly what a clean 300 dpi scan holds. Pillow (installed with pdfplumber)
writes the PDF: no other tool is needed.
"""

from __future__ import annotations

import argparse
import io
import sys
import zlib
from collections.abc import Sequence
from pathlib import Path

import pypdfium2 as pdfium

DPI = 300


def render_scan(pdf: Path, out: Path, pages: Sequence[int] | None = None, dpi: int = DPI) -> Path:
    """Write out as a scan of pdf (the pages numbered in `pages`, from 1; all by default)."""
    document = pdfium.PdfDocument(pdf)
    try:
        numbers = list(pages) if pages else list(range(1, len(document) + 1))
        pictures = []
        for number in numbers:
            page = document[number - 1]
            try:
                width, height = page.get_size()
                bitmap = page.render(scale=dpi / 72, grayscale=True)
                pictures.append((bitmap.to_pil().convert("L"), width, height))
            finally:
                page.close()
    finally:
        document.close()
    out.write_bytes(pictures_to_pdf(pictures))
    return out


def pictures_to_pdf(pictures: Sequence[tuple[object, float, float]]) -> bytes:
    """A PDF of one greyscale picture a page, each filling a page of the given size (points),
    stored with Flate; written by hand (a dozen objects) so that nothing is recompressed."""
    objects: list[bytes] = []
    kids = []
    for picture, width, height in pictures:
        image = picture  # a PIL image in mode L
        pixels = image.tobytes()  # type: ignore[attr-defined]
        w, h = image.size  # type: ignore[attr-defined]
        data = zlib.compress(pixels, 6)
        image_id = len(objects) + 3
        objects.append(
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
            % (w, h, len(data))
            + data
            + b"\nendstream"
        )
        content = b"q %.4f 0 0 %.4f 0 0 cm /Im0 Do Q" % (width, height)
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        page_id = len(objects) + 3
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.4f %.4f] "
            b"/Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>"
            % (width, height, image_id, image_id + 1)
        )
        kids.append(page_id)
    head = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % kid for kid in kids), len(kids)),
    ]
    buffer = io.BytesIO()
    buffer.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate([*head, *objects], 1):
        offsets.append(buffer.tell())
        buffer.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = buffer.tell()
    buffer.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
    for offset in offsets:
        buffer.write(b"%010d 00000 n \n" % offset)
    buffer.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref)
    )
    return buffer.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", help="first-last, from 1 (default: every page)")
    args = parser.parse_args(argv)
    pages = None
    if args.pages:
        first, _, last = args.pages.partition("-")
        pages = range(int(first), int(last or first) + 1)
    render_scan(args.pdf, args.out, pages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
