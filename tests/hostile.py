"""Builders of bad and hostile input files, made by the tests themselves."""

from __future__ import annotations

import errno
import os
import random
import zlib
from collections.abc import Mapping
from pathlib import Path

from tests.conftest import SEED, authored_profiles

SEED_TITLE = "Embedded System and BMS Engineers"


def minimal_pdf(content: bytes, compress: bool = True) -> bytes:
    """A valid one-page PDF whose page content stream is `content`."""
    stream = zlib.compress(content, 9) if compress else content
    flate = b"/Filter /FlateDecode " if compress else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< "
        + flate
        + b"/Length "
        + str(len(stream)).encode()
        + b" >>\nstream\n"
        + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdf_of(objects)


def pdf_of(objects: list[bytes]) -> bytes:
    """A PDF of these objects (numbered from 1; the first is the catalog)."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    return bytes(out + f"startxref\n{xref}\n%%EOF\n".encode())


def text_pdf(*lines: str) -> bytes:
    """A one-page PDF that shows a few lines of text."""
    ops = b"".join(
        f"BT /F1 12 Tf 72 {720 - 20 * i} Td ({line}) Tj ET\n".encode("latin-1")
        for i, line in enumerate(lines)
    )
    return minimal_pdf(ops)


def compression_bomb_pdf(megabytes: int = 1024) -> bytes:
    """Half a megabyte on disk that inflates to `megabytes` when the page is parsed."""
    return minimal_pdf(b" " * (megabytes * 1024 * 1024))


def stalled_file(path: Path) -> Path:
    """A read that never ends, like one from a stalled network share: a named pipe that
    nobody writes to. The pipeline never reads a FIFO given as an input; the run waits on
    this one at a test hook (ALBATTS_TEST_PAUSE_READING in pipeline/workers.py, or the
    write's in pipeline/write.py), whatever the machine's speed. A test that opens it for
    writing is told the run is waiting there, and lets it go on by closing it."""
    os.mkfifo(path)
    return path


def release(stalled: Path) -> None:
    """Let whatever still reads a stalled file go on (it reads an empty file)."""
    try:
        os.close(os.open(stalled, os.O_WRONLY | os.O_NONBLOCK))
    except OSError as error:
        if error.errno != errno.ENXIO:  # ENXIO: nothing reads it
            raise


def image_only_pdf() -> bytes:
    """A scan-like page: an inline image and no text layer."""
    pixels = bytes(random.Random(7).randrange(256) for _ in range(64 * 64))
    image = b"q 400 0 0 400 100 200 cm BI /W 64 /H 64 /CS /G /BPC 8 ID " + pixels + b" EI Q"
    return minimal_pdf(image, compress=False)


def random_bytes(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def seed_text(title: str = SEED_TITLE, replacements: Mapping[str, str] | None = None) -> str:
    """The seed with another title (so profile ids differ) and any other replacements."""
    text = SEED.read_text(encoding="utf-8").replace(SEED_TITLE, title)
    for old, new in (replacements or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def authored(name: str) -> Path:
    return next(path for path in authored_profiles() if path.stem == name)
