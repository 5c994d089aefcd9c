"""Pages of a PDF drawn as PNG pictures with shapes over them, for report.html's problem
pictures and `albatts inspect`: PDFium draws the page, Pillow the shapes, placed by the
coordinates the readers give (pdfplumber's, which pdf_pdfium.shown_box maps onto the
drawing). The PDF is opened once for all the pages asked for and never parsed again by
pdfminer, which would cost more than drawing the pages.

A page can be drawn in grey with its shapes in colour (report.html's problem pictures):
in half the time of a page in colour, and the red outline of a problem stands out more.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pypdfium2
from PIL import Image, ImageDraw

from pipeline.extract import pdf_kept
from pipeline.extract.pdf_model import Shape
from pipeline.extract.pdf_pdfium import shown_box

Colour = tuple[int, int, int, int]

# Crisp edges: a thumbnail of text reads better without anti-aliasing, and packs smaller.
_RENDER = {"no_smoothtext": True, "no_smoothpath": True, "no_smoothimage": True}
# A page in grey keeps its 256 levels but the darkest few, whose palette entries its
# shapes' colours take (the levels become black); more colours than this: drawn in colour.
_MAX_GREY_SHAPE_COLOURS = 8


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
    grey: bool = False,
) -> list[bytes | None]:
    """Pages drawn at `resolution` dpi, each with its shapes over it, as PNG bytes; the
    document is opened once for all (or its pages the pdfium reader kept open are drawn:
    pdf_kept). Grey, the pages are drawn in grey levels and opaque
    shapes in their colours. Not strict, a page that cannot be drawn is None (an error
    opening the document: every page)."""
    if not pages:
        return []
    kept = pdf_kept.take(data)  # the pages the pdfium reader has just read, still open
    if kept is not None:
        try:
            return [
                _drawn(kept.document, number, shapes, resolution, strict, grey, kept.pages)
                for number, shapes in pages
            ]
        finally:
            pdf_kept.close(kept)
    try:
        document = pypdfium2.PdfDocument(data)
    except MemoryError:
        raise
    except Exception:
        if strict:
            raise
        return [None] * len(pages)
    try:
        return [
            _drawn(document, number, shapes, resolution, strict, grey) for number, shapes in pages
        ]
    finally:
        document.close()


def _drawn(
    document: pypdfium2.PdfDocument,
    page_number: int,
    shapes: Sequence[Shape],
    resolution: int,
    strict: bool,
    grey: bool,
    open_pages: Mapping[int, Any] | None = None,
) -> bytes | None:
    colours = _grey_shape_colours(shapes) if grey else None
    try:
        kept = (open_pages or {}).get(page_number)
        page = document[page_number - 1] if kept is None else kept
        try:
            bitmap = page.render(scale=resolution / 72, grayscale=colours is not None, **_RENDER)
            box = shown_box(page)
        finally:
            if kept is None:
                page.close()
        if colours is None:
            image = bitmap.to_pil().convert("RGB")
            _draw(image, box, shapes)
            # The web palette: a crisp page maps onto it as it is, in a tenth of the time an
            # adaptive palette takes.
            image = image.convert("P", palette=Image.Palette.WEB, dither=Image.Dither.NONE)
        else:
            image = _in_grey(bitmap.to_pil(), colours)
            _draw(image, box, shapes, paint=colours)
        buffer = io.BytesIO()
        # Run-length deflate packs a page of text on white best.
        image.save(buffer, format="PNG", compress_type=zlib.Z_RLE, dpi=(resolution, resolution))
        return buffer.getvalue()
    except MemoryError:
        raise
    except Exception:
        if strict:
            raise
        return None


def _grey_shape_colours(shapes: Sequence[Shape]) -> dict[Colour, int] | None:
    """The palette entry of each colour of the shapes, for a page drawn in grey; None when
    a shape is translucent or the colours are too many (the page is drawn in colour)."""
    colours: dict[Colour, int] = {}
    for shape in shapes:
        if shape.colour[3] != 255:
            return None
        colours.setdefault(shape.colour, len(colours) + 1)
    return colours if len(colours) <= _MAX_GREY_SHAPE_COLOURS else None


def _in_grey(image: Image.Image, colours: Mapping[Colour, int]) -> Image.Image:
    """The grey page as a paletted image whose entries 1..len(colours) are the shapes'
    colours (the page's pixels of those levels become black), every other entry its own
    grey level."""
    taken = len(colours)
    levels = image.point([0 if 0 < level <= taken else level for level in range(256)])
    palette = [value for level in range(256) for value in (level, level, level)]
    for colour, entry in colours.items():
        palette[3 * entry : 3 * entry + 3] = colour[:3]
    levels.putpalette(palette)  # an "L" image becomes "P"
    return levels


def _draw(
    image: Image.Image,
    box: tuple[float, float, float, float],
    shapes: Sequence[Shape],
    paint: Mapping[Colour, int] | None = None,
) -> None:
    """The shapes over the drawing of `box` (of the page's frame), as pdfplumber's PageImage
    draws them: a rect filled, an outline stroked inside its box, else a line. Paint: the
    palette entry of each colour, on a paletted image."""
    left, top, right, _bottom = box
    scale = image.width / (right - left)
    draw = ImageDraw.Draw(image, "RGBA") if paint is None else ImageDraw.Draw(image)

    def at(x: float, y: float) -> tuple[int, int]:
        return int((x - left) * scale), int((y - top) * scale)

    for shape in shapes:
        x0, y0, x1, y1 = shape.box.x0, shape.box.top, shape.box.x1, shape.box.bottom
        colour: Colour | int = shape.colour if paint is None else paint[shape.colour]
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
