"""Pages of a PDF drawn as PNG pictures with shapes over them, for report.html's problem
pictures and `albatts inspect`: PDFium draws the page, Pillow the shapes, placed by the
coordinates the readers give (pdfplumber's, which pdf_pdfium.shown_box maps onto the
drawing). The PDF is opened once for all the pages asked for and never parsed again by
pdfminer, which would cost more than drawing the pages."""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence
from pathlib import Path

import pypdfium2
from PIL import Image, ImageDraw

from pipeline.extract.pdf_model import Shape
from pipeline.extract.pdf_pdfium import shown_box

# Crisp edges: a thumbnail of text reads better without anti-aliasing, and packs smaller.
_RENDER = {"no_smoothtext": True, "no_smoothpath": True, "no_smoothimage": True}


def render_page_png(
    data: bytes, page_number: int, path: Path, shapes: Sequence[Shape], resolution: int = 100
) -> None:
    """Draw the page at `resolution` dpi with the shapes over it; save it as a PNG."""
    path.write_bytes(page_png(data, page_number, shapes, resolution))


def page_png(
    data: bytes, page_number: int, shapes: Sequence[Shape], resolution: int = 100
) -> bytes:
    """The page drawn at `resolution` dpi with the shapes over it, as PNG bytes."""
    [png] = page_pngs(data, [(page_number, shapes)], resolution, strict=True)
    assert png is not None
    return png


def page_pngs(
    data: bytes,
    pages: Sequence[tuple[int, Sequence[Shape]]],
    resolution: int = 100,
    strict: bool = False,
) -> list[bytes | None]:
    """Pages drawn at `resolution` dpi, each with its shapes over it, as PNG bytes; the
    document is opened once for all. Not strict, a page that cannot be drawn is None (an
    error opening the document: every page)."""
    if not pages:
        return []
    try:
        document = pypdfium2.PdfDocument(data)
    except MemoryError:
        raise
    except Exception:
        if strict:
            raise
        return [None] * len(pages)
    try:
        return [_drawn(document, number, shapes, resolution, strict) for number, shapes in pages]
    finally:
        document.close()


def _drawn(
    document: pypdfium2.PdfDocument,
    page_number: int,
    shapes: Sequence[Shape],
    resolution: int,
    strict: bool,
) -> bytes | None:
    try:
        page = document[page_number - 1]
        try:
            image = page.render(scale=resolution / 72, **_RENDER).to_pil().convert("RGB")
            box = shown_box(page)
        finally:
            page.close()
        _draw(image, box, shapes)
        buffer = io.BytesIO()
        # The web palette: a crisp page maps onto it as it is, in a tenth of the time an
        # adaptive palette takes; run-length deflate packs a page of text on white best.
        paletted = image.convert("P", palette=Image.Palette.WEB, dither=Image.Dither.NONE)
        paletted.save(buffer, format="PNG", compress_type=zlib.Z_RLE, dpi=(resolution, resolution))
        return buffer.getvalue()
    except MemoryError:
        raise
    except Exception:
        if strict:
            raise
        return None


def _draw(
    image: Image.Image, box: tuple[float, float, float, float], shapes: Sequence[Shape]
) -> None:
    """The shapes over the drawing of `box` (of the page's frame), as pdfplumber's PageImage
    draws them: a rect filled, an outline stroked inside its box, else a line."""
    left, top, right, _bottom = box
    scale = image.width / (right - left)
    draw = ImageDraw.Draw(image, "RGBA")

    def at(x: float, y: float) -> tuple[int, int]:
        return int((x - left) * scale), int((y - top) * scale)

    for shape in shapes:
        x0, y0, x1, y1 = shape.box.x0, shape.box.top, shape.box.x1, shape.box.bottom
        colour = shape.colour
        if shape.kind == "rect":
            draw.rectangle((*at(x0, y0), *at(x1, y1)), fill=colour)
        elif shape.kind == "outline":
            half = shape.width / 2
            x0, y0 = min(x0 + half, (x0 + x1) / 2), min(y0 + half, (y0 + y1) / 2)
            x1, y1 = max(x1 - half, (x0 + x1) / 2), max(y1 - half, (y0 + y1) / 2)
            for start, end in (
                ((x0, y0), (x1, y0)),
                ((x0, y1), (x1, y1)),
                ((x0, y0), (x0, y1)),
                ((x1, y0), (x1, y1)),
            ):
                draw.line((at(*start), at(*end)), fill=colour, width=shape.width)
        else:
            draw.line((at(x0, y0), at(x1, y1)), fill=colour, width=shape.width)
