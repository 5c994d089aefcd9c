"""Word documents (.docx, .docm) to a Document, read from the document's own structure.

The only module that imports python-docx. The package is checked before python-docx opens
it (an encrypted or legacy file, a zip that is not a Word document, a zip bomb); then the
body is walked in document order: paragraphs, and tables with their rows and cells as Word
stores them (merged cells, header rows). No layout is guessed.

Provenance: a DOCX has no pages or lines that do not depend on how it is laid out, so
`Cell.line` is the paragraph's number in document order, body paragraphs and table-cell
paragraphs counted alike from 1 (an empty paragraph counts too); `page` stays None.

A macro-enabled document (.docm) is read like a .docx: python-docx never runs a macro (the
VBA project is a binary part nobody opens), while refusing it would send the steward to open
it in Word to save it again, which is where macros do run.
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from pipeline.codes import Code
from pipeline.errors import ReadError
from pipeline.extract.blocks import (
    MAX_COLUMNS,
    Block,
    Paragraph,
    Table,
    TableCell,
    TableRow,
    blocks_to_document,
    fold_columns,
    pad_rows,
)
from pipeline.model import Cell, Document, Location, Source
from pipeline.stages.clean import BULLET_MARKERS

# Far above any genuine profile (its document.xml is well under 1 MB; pictures a few MB),
# far below what would exhaust a worker under the default --max-memory: python-docx holds
# every part in memory, and lxml a multiple of each XML part.
MAX_MEMBERS = 5_000
MAX_UNPACKED_MB = 400
MAX_XML_MB = 40
# Deflate cannot pack more than 1032 bytes into one: a member that declares more is lying
# about its size (a crafted zip); one packed another way is not as Word writes it.
MAX_DEFLATE_RATIO = 1032
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EOCD = b"PK\x05\x06"
_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.ms-word.document.macroEnabled.main+xml": "docm",
}
_OTHER_PACKAGES = {
    "spreadsheetml": "an Excel workbook",
    "presentationml": "a PowerPoint presentation",
    "wordprocessingml.template": "a Word template",
    "ms-word.template": "a Word template",
}

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_MATH = "http://schemas.openxmlformats.org/officeDocument/2006/math"
_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
_NUMBERING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


_P, _TBL, _TR, _TC = _w("p"), _w("tbl"), _w("tr"), _w("tc")
# Containers whose children are paragraphs, tables, rows or cells as if in their place.
_WRAPPERS = {_w("sdt"), _w("customXml")}
# Inside a paragraph: what is never text (deleted or moved-away text, field codes,
# pictures and the text boxes drawn in them, the fallback copy of an alternative content).
_SKIPPED = {
    _w("del"),
    _w("moveFrom"),
    _w("instrText"),
    _w("delText"),
    _w("drawing"),
    _w("pict"),
    _w("object"),
    _w("pPr"),
    _w("rPr"),
    f"{{{_MC}}}AlternateContent",
}
_MARKED = re.compile(rf"^\s*[{re.escape(BULLET_MARKERS)}](?=\s)")
# Bullets of the Symbol and Wingdings fonts, written as symbol characters (w:sym).
_SYMBOLS = {"F0B7": "•", "F0A7": "▪", "F0D8": "►", "F0FC": "✓"}


def read_docx(data: bytes, source: Source) -> Document:
    """The profile in a Word document; ReadError for a file that is not one."""
    file = source.path
    check_package(data, file)
    body, styles, numbering = _open(data, file)
    lists = _Lists(styles, numbering)
    return blocks_to_document(body_to_blocks(body, lists), source)


# --- the package, before python-docx opens it -------------------------------------------


def check_package(data: bytes, file: str) -> None:
    """Refuse what is not a Word package, or would unpack to more than a profile can be,
    from the zip's own directory (declared sizes; zipfile never inflates a member past
    its declared size)."""
    if data.startswith(_OLE_MAGIC):
        raise _ole_file(data, file)
    if not data.startswith(b"PK"):
        raise _not_docx(file, "the file is not a zip package, as every .docx is")
    members = _declared_members(data)
    if members is None:
        raise _not_docx(file, "the zip package is damaged (its directory is missing)")
    if members > MAX_MEMBERS:
        raise _too_large(file, f"the zip package declares {members:,} files")
    try:
        infos = zipfile.ZipFile(BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise _not_docx(file, f"the zip package is damaged ({error})") from error
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "_rels/.rels" not in names:
        raise _not_docx(file, f"a zip archive, but not a Word document ({_kind_of(names)})")
    unpacked = xml = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise ReadError(
                Code.DOCX_ENCRYPTED,
                f"the Word document's parts are encrypted ({info.filename!r} needs a password)",
                Location(file),
                "ask for an unprotected copy",
            )
        if info.compress_type not in _METHODS:
            raise _not_docx(file, f"{info.filename!r} is packed in a way Word never uses")
        if info.file_size > max(info.compress_size, 1) * MAX_DEFLATE_RATIO:
            raise _too_large(
                file,
                f"{info.filename!r} declares {info.file_size:,} bytes unpacked from "
                f"{info.compress_size:,}, more than compression can give (a zip bomb)",
            )
        unpacked += info.file_size
        if info.filename.endswith((".xml", ".rels")):
            xml += info.file_size
    packed = max(len(data), 1)
    if unpacked > MAX_UNPACKED_MB * 2**20:
        raise _too_large(
            file,
            f"it unpacks to {unpacked / 2**20:,.0f} MB (from {packed / 2**20:,.1f} MB, "
            f"{unpacked / packed:,.0f}:1), more than the {MAX_UNPACKED_MB} MB a profile can be",
        )
    if xml > MAX_XML_MB * 2**20:
        raise _too_large(
            file,
            f"its text and structure (XML) unpack to {xml / 2**20:,.0f} MB, more than the "
            f"{MAX_XML_MB} MB of any profile",
        )


def _declared_members(data: bytes) -> int | None:
    """The number of files the zip's end-of-directory record declares, read before zipfile
    builds a record per file."""
    at = data.rfind(_EOCD, max(0, len(data) - 65_557))
    if at < 0 or at + 22 > len(data):
        return None
    (total,) = struct.unpack_from("<H", data, at + 10)
    # 0xFFFF: a ZIP64 package (over 65,535 files), which no Word document is.
    return int(total)


def _kind_of(names: set[str]) -> str:
    if "mimetype" in names:
        return "an OpenDocument file; save it from the word processor as .docx"
    return f"no [Content_Types].xml or _rels/.rels among its {len(names)} files"


def _ole_file(data: bytes, file: str) -> ReadError:
    if "EncryptedPackage".encode("utf-16-le") in data:
        return ReadError(
            Code.DOCX_ENCRYPTED,
            "the Word document is encrypted and needs a password",
            Location(file),
            "ask for an unprotected copy (File > Info > Protect Document > Encrypt with "
            "Password, cleared)",
        )
    return _not_docx(
        file, "a Word 97-2003 document (.doc) or another older Office file, not a .docx"
    )


def _not_docx(file: str, why: str) -> ReadError:
    return ReadError(
        Code.NOT_A_DOCX,
        f"not a readable Word document: {why}",
        Location(file),
        "open it in the word processor and save it again as Word Document (.docx)",
    )


def _too_large(file: str, why: str) -> ReadError:
    return ReadError(
        Code.UNPACKS_TOO_LARGE,
        f"the Word document is not read: {why}",
        Location(file),
        "a profile is a few MB: compress or remove huge pictures (Word: Compress Pictures), "
        "or give the profile as PDF; a file you did not expect may be hostile",
    )


def _open(data: bytes, file: str) -> tuple[Any, Any, Any]:
    """The body element and the styles and numbering elements (None if absent)."""
    from docx.exceptions import PythonDocxError
    from docx.opc.exceptions import OpcError
    from docx.oxml.parser import parse_xml
    from docx.package import Package
    from lxml import etree

    try:
        package = Package.open(BytesIO(data))
        main = package.main_document_part
        kind = _MAIN_TYPES.get(main.content_type)
        if kind is None:
            other = next(
                (name for key, name in _OTHER_PACKAGES.items() if key in main.content_type),
                f"content type {main.content_type}",
            )
            raise _not_docx(file, f"the package holds {other}, not a Word document")
        # python-docx builds its document object for .docx only; the XML of a .docm is
        # the same WordprocessingML, parsed by python-docx's own (entity-safe) parser.
        root = getattr(main, "element", None)
        if root is None:
            root = parse_xml(main.blob)
        parts = {rel.reltype: rel.target_part for rel in main.rels.values() if not rel.is_external}
    except (
        OpcError,
        PythonDocxError,
        KeyError,
        ValueError,
        zipfile.BadZipFile,
        etree.XMLSyntaxError,
    ) as error:
        raise _not_docx(
            file, f"the package is damaged ({type(error).__name__}: {error})"
        ) from error
    body = root.find(_w("body"))
    if body is None:
        raise _not_docx(file, "the document has no body")
    return body, _element(parts.get(_STYLES)), _element(parts.get(_NUMBERING))


def _element(part: Any) -> Any:
    if part is None:
        return None
    from docx.oxml.parser import parse_xml

    element = getattr(part, "element", None)
    return element if element is not None else parse_xml(part.blob)


# --- lists: which paragraphs Word draws with a bullet or a number -----------------------


class _Lists:
    """Tells list paragraphs (numbering set on the paragraph or inherited from its style)."""

    def __init__(self, styles: Any, numbering: Any) -> None:
        self._styles: dict[str, Any] = {}
        self._default: str | None = None
        if styles is not None:
            for style in styles.iter(_w("style")):
                if style.get(_w("type")) == "paragraph":
                    style_id = style.get(_w("styleId"))
                    self._styles[style_id] = style
                    if style.get(_w("default")) in ("1", "true", "on"):
                        self._default = style_id
        self._formats: dict[tuple[str, str], str] = {}
        if numbering is not None:
            abstract = {
                node.get(_w("abstractNumId")): node for node in numbering.iter(_w("abstractNum"))
            }
            for num in numbering.iter(_w("num")):
                ref = num.find(_w("abstractNumId"))
                definition = abstract.get(None if ref is None else ref.get(_w("val")))
                if definition is None:
                    continue
                for level in definition.iter(_w("lvl")):
                    fmt = level.find(_w("numFmt"))
                    self._formats[(num.get(_w("numId")), level.get(_w("ilvl")))] = (
                        "decimal" if fmt is None else fmt.get(_w("val"), "decimal")
                    )

    def is_list_item(self, paragraph: Any) -> bool:
        ppr = paragraph.find(_w("pPr"))
        num_id, level = _num_pr(ppr)
        if num_id is None:
            style = None if ppr is None else ppr.find(_w("pStyle"))
            style_id = self._default if style is None else style.get(_w("val"))
            num_id, style_level = self._style_numbering(style_id)
            level = level or style_level
        if num_id is None or num_id == "0":
            return False
        return self._formats.get((num_id, level or "0"), "none") != "none"

    def _style_numbering(self, style_id: str | None) -> tuple[str | None, str | None]:
        seen: set[str] = set()
        while style_id is not None and style_id not in seen:
            seen.add(style_id)
            style = self._styles.get(style_id)
            if style is None:
                break
            num_id, level = _num_pr(style.find(_w("pPr")))
            if num_id is not None:
                return num_id, level
            based = style.find(_w("basedOn"))
            style_id = None if based is None else based.get(_w("val"))
        return None, None


def _num_pr(ppr: Any) -> tuple[str | None, str | None]:
    numpr = None if ppr is None else ppr.find(_w("numPr"))
    if numpr is None:
        return None, None
    num_id, level = numpr.find(_w("numId")), numpr.find(_w("ilvl"))
    return (
        None if num_id is None else num_id.get(_w("val")),
        None if level is None else level.get(_w("val")),
    )


# --- the body, in document order ------------------------------------------------------------


def body_to_blocks(body: Any, lists: _Lists) -> list[Block]:
    """Paragraphs and tables of the body; every paragraph numbered in document order."""
    return list(_Walker(lists).blocks(body))


@dataclass
class _Walker:
    lists: _Lists
    number: int = 0

    def blocks(self, container: Any) -> Iterator[Block]:
        for child in _children(container, {_P, _TBL}):
            if child.tag == _P:
                lines = self.paragraph(child)
                if _in_contents(child):
                    continue
                anchor = Paragraph(Cell("\n".join(line.text for line in lines), self.number))
                yield from self.text_boxes(child)
                yield anchor
            else:
                yield self.table(child)

    def text_boxes(self, paragraph: Any) -> Iterator[Paragraph]:
        """Paragraphs in the text boxes anchored to a paragraph (a cover laid out in text
        boxes), read before the paragraph's own text but numbered after it, as they come
        in the file; the fallback copy Word also writes is skipped."""
        for box in paragraph.iter(_w("txbxContent")):
            if any(node.tag == f"{{{_MC}}}Fallback" for node in box.iterancestors()):
                continue
            for inner in _children(box, {_P}):
                lines = self.paragraph(inner)
                yield Paragraph(Cell("\n".join(line.text for line in lines), self.number))

    def paragraph(self, paragraph: Any) -> list[Cell]:
        """The lines of one paragraph (a manual line break starts one), all with the
        paragraph's number; a list paragraph's first line gets a marker."""
        self.number += 1
        text = "".join(_texts(paragraph)).replace("\t", " ")
        if self.lists.is_list_item(paragraph) and text.strip() and not _MARKED.match(text):
            text = f"- {text.lstrip()}"
        return [Cell(line, self.number) for line in text.split("\n")]

    def cell_lines(self, cell: Any) -> tuple[Cell, ...]:
        """Every paragraph of a cell, a nested table's too, in order."""
        lines: list[Cell] = []
        for paragraph in _cell_paragraphs(cell):
            lines.extend(self.paragraph(paragraph))
        return tuple(lines)

    def table(self, table: Any) -> Table:
        rows: list[TableRow] = []
        first = self.number + 1
        # The text of the cell each grid column of the previous row holds, for vMerge.
        above: dict[int, tuple[Cell, ...]] = {}
        for tr in _children(table, {_TR}):
            trpr = tr.find(_w("trPr"))
            header = trpr is not None and _on(trpr.find(_w("tblHeader")))
            column = min(_int_val(trpr, "gridBefore"), MAX_COLUMNS)
            cells: list[TableCell] = [TableCell(left=True) for _ in range(column)]
            row_line = self.number + 1
            for tc in _children(tr, {_TC}):
                tcpr = tc.find(_w("tcPr"))
                span = min(max(1, _int_val(tcpr, "gridSpan")), MAX_COLUMNS)
                merge = None if tcpr is None else tcpr.find(_w("vMerge"))
                lines = self.cell_lines(tc)
                if merge is not None and merge.get(_w("val"), "continue") == "continue":
                    cells.append(TableCell(above.get(column, ()), above=True))
                else:
                    cells.append(TableCell(lines))
                    above[column] = lines
                cells.extend(TableCell(left=True) for _ in range(span - 1))
                column += span
            rows.append(TableRow(fold_columns(cells), row_line, header))
        return Table(pad_rows(rows), first)


def _children(container: Any, tags: set[str]) -> Iterator[Any]:
    """The children of a container with these tags, looking through content controls."""
    for child in container:
        if child.tag in tags:
            yield child
        elif child.tag in _WRAPPERS:
            content = child.find(_w("sdtContent")) if child.tag == _w("sdt") else child
            if content is not None:
                yield from _children(content, tags)


def _in_contents(paragraph: Any) -> bool:
    """Whether a paragraph belongs to a table of contents (the headings again, with page
    numbers): a paragraph in a TOC style, or in Word's content control for one."""
    style = paragraph.find(f"{_w('pPr')}/{_w('pStyle')}")
    if style is not None and (style.get(_w("val")) or "").upper().startswith("TOC"):
        return True
    for ancestor in paragraph.iterancestors(_w("sdt")):
        gallery = ancestor.find(f"{_w('sdtPr')}/{_w('docPartObj')}/{_w('docPartGallery')}")
        if gallery is not None and "Contents" in (gallery.get(_w("val")) or ""):
            return True
    return False


def _cell_paragraphs(cell: Any) -> Iterator[Any]:
    for child in _children(cell, {_P, _TBL}):
        if child.tag == _P:
            yield child
        else:
            for row in _children(child, {_TR}):
                for inner in _children(row, {_TC}):
                    yield from _cell_paragraphs(inner)


def _texts(node: Any) -> Iterator[str]:
    """The text of a paragraph as Word shows it: runs, tabs and line breaks, inserted text
    (tracked changes) in, deleted text out."""
    for child in node:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIPPED or tag == _P:
            continue
        if tag == _w("t") or tag == f"{{{_MATH}}}t":
            yield child.text or ""
        elif tag in (_w("tab"), _w("ptab")):
            yield "\t"
        elif tag in (_w("br"), _w("cr")):
            yield "\n"
        elif tag == _w("noBreakHyphen"):
            yield "-"
        elif tag == _w("sym"):
            yield _symbol((child.get(_w("char")) or "").upper())
        else:
            yield from _texts(child)


def _symbol(code: str) -> str:
    """A symbol character: a Unicode one as it is; one of a symbol font's private code
    points (F0xx) as the bullet it draws, else nothing (it has no text)."""
    try:
        value = int(code, 16)
    except ValueError:
        return ""
    if 0xF000 <= value <= 0xF0FF:
        return _SYMBOLS.get(code, "")
    return chr(value) if 0 < value < 0x110000 else ""


def _on(node: Any) -> bool:
    """A Word on/off property: present and not set to false."""
    return node is not None and node.get(_w("val"), "true") not in ("0", "false", "off")


def _int_val(parent: Any, tag: str) -> int:
    node = None if parent is None else parent.find(_w(tag))
    try:
        return int(node.get(_w("val"))) if node is not None else 0
    except (TypeError, ValueError):
        return 0
