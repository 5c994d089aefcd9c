"""Bytes of a text export to str: UTF-8 first, then the encodings that can be told apart.

UTF-8 (with or without BOM) and UTF-16/32 with a BOM are unambiguous. BOM-less UTF-16 shows
as NUL bytes in every other position. Windows-1252 is accepted only when the bytes hold no
UTF-8 multi-byte sequence at all (so a damaged UTF-8 file is never read as mojibake) and no
control characters (so binary data is never read as text).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from pipeline.codes import Code
from pipeline.errors import ReadError
from pipeline.model import Location

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    # True when the encoding was inferred rather than declared (worth a warning).
    guessed: bool = False


def decode_text(data: bytes, file: str) -> Decoded:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Decoded(_strict(data, len(bom), encoding, file), encoding)
    if b"\x00" in data:
        return _utf16_without_bom(data, file)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        if _UTF8_MULTIBYTE.search(data):
            raise _not_utf8(data, error.start, file) from error
        text = _cp1252(data, error.start, file)
        return Decoded(_no_controls(text, file, data), "cp1252", guessed=True)
    return Decoded(_no_controls(text, file, data), "utf-8")


def _strict(data: bytes, start: int, encoding: str, file: str) -> str:
    try:
        return _no_controls(data[start:].decode(encoding), file)
    except UnicodeDecodeError as error:
        if encoding == "utf-8":
            raise _not_utf8(data, start + error.start, file) from error
        raise ReadError(
            Code.BAD_ENCODING,
            f"the file declares {encoding.upper()} (byte-order mark) but is not valid "
            f"{encoding.upper()} at offset {start + error.start}",
            Location(file),
            "export the profile again as UTF-8 text",
        ) from error


def _utf16_without_bom(data: bytes, file: str) -> Decoded:
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    half = len(data) / 2
    encoding = "utf-16-le" if odd_nuls > 0.3 * half > even_nuls else None
    if encoding is None and even_nuls > 0.3 * half > odd_nuls:
        encoding = "utf-16-be"
    if encoding is not None and len(data) % 2 == 0:
        try:
            return Decoded(_no_controls(data.decode(encoding), file), encoding, guessed=True)
        except (UnicodeDecodeError, ReadError):
            pass  # not UTF-16 after all: fall through to the binary verdict
    raise ReadError(
        Code.BINARY_FILE,
        "the file holds binary data (NUL bytes), not text",
        Location(file),
        "is this really a text export? give the profile as PDF or as UTF-8 text",
    )


def _cp1252(data: bytes, first_bad: int, file: str) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise ReadError(
            Code.BAD_ENCODING,
            f"not valid UTF-8 (byte 0x{data[first_bad]:02x} at offset {first_bad}) nor "
            "Windows-1252 text",
            Location(file, line=data[:first_bad].count(b"\n") + 1),
            "save the file as UTF-8 and run again",
        ) from error


def _not_utf8(data: bytes, offset: int, file: str) -> ReadError:
    return ReadError(
        Code.BAD_ENCODING,
        f"not valid UTF-8 (byte 0x{data[offset]:02x} at offset {offset})",
        Location(file, line=data[:offset].count(b"\n") + 1),
        "save the file as UTF-8 and run again",
    )


def _no_controls(text: str, file: str, data: bytes | None = None) -> str:
    """The text, unless it holds a control character. `data`: the bytes it was decoded
    from by UTF-8 or Windows-1252, which give a control character for its byte alone
    (looked for in the bytes, several times faster)."""
    if data is not None and len(data.translate(None, _CONTROL_BYTES)) == len(data):
        return text
    if match := _CONTROL.search(text):
        line = text[: match.start()].count("\n") + 1
        raise ReadError(
            Code.BINARY_FILE,
            f"the file holds control characters (U+{ord(match.group()):04X}), so it is "
            "binary data, not text",
            Location(file, line=line),
            "is this really a text export? give the profile as PDF or as UTF-8 text",
        )
    return text
