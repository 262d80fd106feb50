"""Reading a large worksheet a block of rows at a time, with python-calamine.

python-calamine (0.9) reads a whole sheet into memory before it gives the
first row (its ``iter_rows`` walks a sheet already read): for a 100,000-member
roster that is about 240 MB, most of the import's peak memory (issue 16).
For a large .xlsx sheet, ``sheet_of`` instead cuts the sheet's XML at row
boundaries into blocks of about ``BLOCK_BYTES`` and gives each block to
calamine as a workbook of its own: the original's other parts (workbook,
styles, shared strings) copied unchanged, the other worksheets left empty,
so that every cell is read by calamine exactly as before (numbers, dates,
strings, formulas' values). The rows come out as the whole sheet's
``iter_rows`` gives them: from the sheet's first row (row 1, empty rows
included), every row as wide as the sheet's used columns.

Those columns must be known before the first row: a first pass over the XML
(zlib and one regex search per megabyte, C speed) finds the first and last
column holding a value, searching only for cells outside the columns found
so far (in a roster: none after the first rows).

Only sheets written the usual way are read in blocks (Excel, WPS, LibreOffice,
XlsxWriter and openpyxl write them so: no namespace prefix, every cell with
its reference first, ``<c r="B7" …>``), and only when the workbook's shared
strings are small (each block's workbook carries them and calamine reads
them anew for each: a workbook saved by Excel keeps every text in them, about
7 MB for 100,000 members, and is read whole; one written as it goes, as
XlsxWriter's constant-memory mode and the county exports do, has none). Any
other sheet, a small one, or a file that is not a zip archive is read whole,
as before. The hostile-file
checks (``xlsx_guard``) have run before either.
"""

from __future__ import annotations

import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import python_calamine as calamine

STREAM_FROM = 16 << 20  # a sheet's XML bigger than this (unpacked) is read in blocks
# XML per block: about 800 roster rows, 12-15 MB while calamine and Python hold it.
BLOCK_BYTES = 1 << 20
# Each block's workbook carries the shared strings, which calamine reads anew
# for every block. Above this size, reading them once per block costs more
# than the memory saved is worth (a 100,000-member roster saved by Excel has
# about 7 MB: read in 1 MB blocks, 117 MB but 2.7x the CPU; in blocks big
# enough to pay for them, more memory than the whole sheet): such a sheet is
# read whole.
MAX_SHARED_STRINGS = BLOCK_BYTES // 2
READ = 256 << 10

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_SKIPPED = ("xl/media/", "xl/embeddings/", "xl/printerSettings/", "xl/drawings/", "xl/charts/")
_ROW_START = re.compile(rb"<row[\s>/]")
_LAST_ROW = re.compile(rb'<row[^>]*?\sr="(\d+)"')
_CELL_WITHOUT_REF = re.compile(rb'<c[ >](?!r=")')


class _Unusual(Exception):
    """The sheet is not written the usual way: read it whole."""


def sheet_of(workbook: calamine.CalamineWorkbook, path: Path, index: int,
             failure: Callable[[BaseException], Exception]):
    """Sheet ``index`` of the workbook at ``path``: read in blocks when it is
    a large .xlsx sheet written the usual way, else calamine's own (whole).
    A block that cannot be read raises ``failure(the error)``."""
    try:
        blocks = BlockSheet.open(path, index, workbook.sheets_metadata[index].name, failure)
    except (_Unusual, zipfile.BadZipFile, zlib.error, KeyError, ET.ParseError, OSError, ValueError, EOFError):
        blocks = None
    return blocks if blocks is not None else workbook.get_sheet_by_index(index)


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _letters(col: int) -> str:
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _names_below(name: str) -> list[str]:
    """Regex alternatives matching the column names before ``name`` (A < … < Z < AA …)."""
    alts = [f"[A-Z]{{1,{len(name) - 1}}}"] if len(name) > 1 else []
    for i, ch in enumerate(name):
        if ch > "A":
            rest = len(name) - i - 1
            alts.append(re.escape(name[:i]) + f"[A-{chr(ord(ch) - 1)}]" + (f"[A-Z]{{{rest}}}" if rest else ""))
    return alts


def _names_above(name: str) -> list[str]:
    alts = [f"[A-Z]{{{len(name) + 1},3}}"] if len(name) < 3 else []
    for i, ch in enumerate(name):
        if ch < "Z":
            rest = len(name) - i - 1
            alts.append(re.escape(name[:i]) + f"[{chr(ord(ch) + 1)}-Z]" + (f"[A-Z]{{{rest}}}" if rest else ""))
    return alts


def _valued_cell(names: list[str]) -> re.Pattern | None:
    """A cell holding a value (a <v> with text, or an inline string) in one of the columns ``names``."""
    if not names:
        return None
    alt = "|".join(names).encode()
    return re.compile(rb'<c r="(' + alt + rb')(\d+)"[^>]*(?<!/)>(?:<f\b[^>]*?(?:/>|>[^<]*</f>))?(?:<v>[^<]|<is>)')


class BlockSheet:
    """A worksheet read in blocks, with what the importers use of calamine's
    sheet: ``name``, ``start``, ``end``, the heights and widths as calamine
    counts them, and ``iter_rows()`` (each call reads the sheet again from
    its first block)."""

    def __init__(self, path: Path, part: str, index: int, name: str, parts: dict[str, bytes],
                 start: tuple[int, int], end: tuple[int, int], failure: Callable[[BaseException], Exception]):
        self.failure = failure
        self.path = path
        self.part = part
        self.index = index
        self.name = name
        self._parts = parts  # the other parts of the workbook, as each block's workbook gets them
        self.block_bytes = BLOCK_BYTES
        self.start = start
        self.end = end

    @classmethod
    def open(cls, path: Path, index: int, name: str, failure: Callable[[BaseException], Exception]
             ) -> BlockSheet | None:
        if not zipfile.is_zipfile(path):
            return None
        with zipfile.ZipFile(path) as zf:
            part = _sheet_part(zf, index, name)
            info = zf.getinfo(part)
            if info.file_size <= STREAM_FROM:
                return None
            if sum(i.file_size for i in zf.infolist() if i.filename.endswith("sharedStrings.xml")) > MAX_SHARED_STRINGS:
                return None
            bounds = _used_columns(zf, part)
            if bounds is None:
                return None  # no value anywhere: calamine says so
            parts = {}
            for i in zf.infolist():
                n = i.filename
                if n == part or n.endswith("/") or n.startswith(_SKIPPED):
                    continue
                if n.startswith("xl/worksheets/") and n.endswith(".xml"):
                    parts[n] = _EMPTY_SHEET
                elif not n.startswith("xl/worksheets/"):
                    parts[n] = zf.read(i)
        (first_row, first_col), (last_row, last_col) = bounds
        return cls(path, part, index, name, parts, (first_row, first_col), (last_row, last_col), failure)

    @property
    def height(self) -> int:
        return self.end[0] - self.start[0] + 1

    @property
    def width(self) -> int:
        return self.end[1] - self.start[1] + 1

    @property
    def total_height(self) -> int:
        return self.end[0]  # as calamine's: the last row's index

    @property
    def total_width(self) -> int:
        return self.end[1]

    def iter_rows(self) -> Iterator[list]:
        try:
            yield from self._rows()
        except (_Unusual, calamine.CalamineError, zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError) as exc:
            raise self.failure(exc) from None

    def _rows(self) -> Iterator[list]:
        width = self.end[1] - self.start[1] + 1
        first_col = self.start[1]
        next_row = 0
        for xml in self._blocks():
            sheet = self._read_block(xml)
            if sheet.start is None:
                continue
            top, left = sheet.start
            if left < first_col:
                raise _Unusual("a value left of the columns found")  # not in a file written the usual way
            rows = sheet.to_python(skip_empty_area=True)
            del sheet
            while next_row < top:
                yield [""] * width
                next_row += 1
            pad = [""] * (left - first_col)
            for cells in rows:
                row = pad + cells if pad else cells
                if len(row) < width:
                    row += [""] * (width - len(row))
                yield row
                next_row += 1
            rows = None  # before the next block is read: one block's rows alive at a time

    def _read_block(self, xml: bytes) -> calamine.CalamineSheet:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as out:
            for n, data in self._parts.items():
                out.writestr(n, data)
            out.writestr(self.part, xml)
        del xml
        buffer.seek(0)
        return calamine.CalamineWorkbook.from_filelike(buffer).get_sheet_by_index(self.index)

    def _blocks(self) -> Iterator[bytes]:
        """The sheet's XML cut into well-formed worksheets of about BLOCK_BYTES of rows each."""
        with zipfile.ZipFile(self.path) as zf, zf.open(self.part) as fh:
            data = b""
            while b"<sheetData" not in data or b">" not in data[data.index(b"<sheetData"):]:
                chunk = fh.read(READ)
                if not chunk:
                    return
                data += chunk
            root_start = data.index(b"<worksheet")
            root = data[root_start:data.index(b">", root_start) + 1]
            at = data.index(b"<sheetData")
            tag_end = data.index(b">", at)
            if data[tag_end - 1:tag_end] == b"/":
                return  # <sheetData/>: no rows
            head = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + root + b"<sheetData>"
            buf = data[tag_end + 1:]
            del data
            eof = False
            while True:
                size = self.block_bytes
                pieces, got = [buf], len(buf)
                while got < size and not eof:
                    chunk = fh.read(READ)
                    eof = not chunk
                    pieces.append(chunk)
                    got += len(chunk)
                buf = b"".join(pieces)
                del pieces
                end = buf.find(b"</sheetData>")
                if 0 <= end <= size:
                    if buf[:end].strip():
                        yield head + buf[:end] + b"</sheetData></worksheet>"
                    return
                if end < 0 and eof:
                    raise _Unusual("no </sheetData>")
                cut = _row_start_near(buf, size)
                if end >= 0:
                    cut = end if cut is None else min(cut, end)
                elif cut is None:  # one row longer than a block: read on to its end
                    size = len(buf) + self.block_bytes
                    more = fh.read(size - len(buf))
                    eof = not more
                    buf += more
                    continue
                rows, buf = buf[:cut], buf[cut:]
                if rows.strip():
                    yield head + rows + b"</sheetData></worksheet>"
                del rows


def _row_start_near(data: bytes, size: int) -> int | None:
    """Where the last row starting within the first ``size`` bytes begins (or,
    for a row longer than that, the next one): a block's end; None when no
    row starts after the first one in ``data``."""
    cut = data.rfind(b"<row", 1, size)
    while cut > 0 and not _ROW_START.match(data, cut):
        cut = data.rfind(b"<row", 1, cut)
    if cut > 0:
        return cut
    cut = data.find(b"<row", size)
    while cut >= 0 and not _ROW_START.match(data, cut):
        cut = data.find(b"<row", cut + 1)
    return cut if cut > 0 else None


_EMPTY_SHEET = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>')


def _sheet_part(zf: zipfile.ZipFile, index: int, name: str) -> str:
    """The zip member holding sheet ``index`` (workbook order, as calamine counts)."""
    workbook = ET.fromstring(zf.read("xl/workbook.xml"))
    sheets = workbook.findall(f"{_MAIN}sheets/{_MAIN}sheet")
    if index >= len(sheets) or sheets[index].get("name") != name:
        raise _Unusual("sheet order")
    rid = sheets[index].get(f"{_REL}id")
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.findall(f"{_PKG_REL}Relationship"):
        if rel.get("Id") == rid:
            target = rel.get("Target") or ""
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            if not (part.startswith("xl/worksheets/") and part.endswith(".xml")):
                raise _Unusual("not a worksheet")
            return part
    raise _Unusual("no relationship")


def _used_columns(zf: zipfile.ZipFile, part: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """((first row, first column), (last row, last column)) of the cells
    holding a value, 0-based as calamine gives them (the last row is that of
    the last <row>, which only the progress counts), or None when no cell
    holds one. Raises ``_Unusual`` for a sheet not written the usual way."""
    low = high = None
    first_row = 0
    last_row = 0
    pattern = _valued_cell(["[A-Z]{1,3}"])
    tail = b""  # the end of the last read, searched again (a cell may be cut between two reads)
    carry = b""  # what follows the last tag end of the last read, not yet checked
    with zf.open(part) as fh:
        head = True
        while True:
            chunk = fh.read(READ)
            if not chunk:
                break
            data = tail + chunk
            if head:
                head = False
                if b"<worksheet" not in data or b"<sheetData" not in data:
                    raise _Unusual("namespace prefix or no sheetData")
            # every cell must carry its reference first, as the search expects
            counted = carry + chunk
            cut = counted.rfind(b">") + 1
            counted, carry = counted[:cut], counted[cut:]
            if _CELL_WITHOUT_REF.search(counted):
                raise _Unusual("a cell without its reference first")
            pos = 0
            while pattern is not None and (m := pattern.search(data, pos)):
                col = _column(m.group(1))
                if low is None:
                    low = high = col
                    first_row = int(m.group(2)) - 1
                else:
                    low, high = min(low, col), max(high, col)
                pattern = _valued_cell(_names_below(_letters(low)) + _names_above(_letters(high)))
                pos = m.start() + 1
            last = data.rfind(b"<row")
            row = _LAST_ROW.match(data, last) if last >= 0 else None
            if row:
                last_row = max(last_row, int(row.group(1)) - 1)
            tail = data[-4096:]
    if low is None:
        return None
    return (first_row, low), (max(last_row, first_row), high)
