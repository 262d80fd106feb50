"""A look at an .xlsx file before anything reads it: how big it really is.

python-calamine allocates a sheet's whole rectangle: a 2 KB workbook whose
only cell is XFD1048576 asks for 512 GiB and aborts the process (a Rust panic,
exit 134); a 1–4 MB zip bomb unpacks to gigabytes. ``check_workbook(path)``
is called where a workbook is opened; it refuses, with a Chinese message that
says why, a file whose parts unpack to more than ``MAX_UNPACKED`` bytes (or
compress implausibly well), or a sheet whose used rectangle holds more than
``MAX_CELLS`` cells (a sheet counts as at least 52 columns wide). It streams each worksheet once through zlib (C speed),
counting the bytes really produced (a zip's declared sizes can lie) and
finding the last row and the widest column with two byte-regexes.

Files that are not zip archives (.xls) are left to the reader.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from .errors import ImportFailed

MAX_UNPACKED = 1 << 30          # 1 GiB for the whole workbook unpacked
MAX_RATIO = 200                 # a real workbook compresses 5–20×
RATIO_FROM = 20 << 20           # ratios only matter for parts above 20 MB
MAX_CELLS = 20_000_000          # a 200,000-member roster × 60 columns is 12 million
MAX_ROWS = 1_048_576
CHUNK = 1 << 20

_ROW = re.compile(rb'<row[^>]*?\sr="(\d+)"')
# Only cells beyond column AZ are looked at one by one (a roster has about 33
# columns, so this matches nothing in a real file); every sheet is taken to be
# at least AZ_COLUMNS wide, which keeps the check cheap and errs on the safe side.
_WIDE_CELL = re.compile(rb' r="([B-Z][A-Z]|[A-Z]{3})(\d+)"')
AZ_COLUMNS = 52
_DIMENSION = re.compile(rb'<dimension[^>]*?\sref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')


class WorkbookTooLarge(ImportFailed):
    """A workbook refused before reading: too big unpacked, or a huge sheet."""


def column_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def check_workbook(path: str | Path) -> None:
    """Refuse a workbook that would take the reader down; return quietly otherwise."""
    path = Path(path)
    try:
        if not zipfile.is_zipfile(path):
            return
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            declared = sum(i.file_size for i in infos)
            if declared > MAX_UNPACKED:
                raise _too_big(path, f"解压后有 {declared / (1 << 20):,.0f} MB")
            for info in infos:
                if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(1, info.compress_size):
                    raise _too_big(path, f"其中 {info.filename} 压缩了 {info.file_size // max(1, info.compress_size)} 倍，"
                                         "像是“压缩炸弹”")
            produced = 0
            for info in infos:
                if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                    continue
                produced = _check_sheet(path, zf, info, produced)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError):
        return  # not a readable zip (or damaged inside): the reader says what is wrong with it


def _check_sheet(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, produced: int) -> int:
    sheet = info.filename.rsplit("/", 1)[-1].removesuffix(".xml")
    max_row = max_col = 0
    tail = b""
    first = True
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(CHUNK)
            if not chunk:
                break
            produced += len(chunk)
            if produced > MAX_UNPACKED:
                raise _too_big(path, "解压后超过 1 GB")
            data = tail + chunk
            if first:
                first = False
                dim = _DIMENSION.search(data, 0, 65536)
                if dim and dim.group(3):
                    max_col = max(max_col, column_number(dim.group(3)))
                    max_row = max(max_row, int(dim.group(4)))
            last = data.rfind(b"<row")
            row = _ROW.match(data, last) if last >= 0 else None
            if row:
                max_row = max(max_row, int(row.group(1)))
            for letters, row in set(_WIDE_CELL.findall(data)):
                max_col = max(max_col, column_number(letters))
                max_row = max(max_row, int(row))
            tail = data[-64:]
            if max_row > MAX_ROWS or max_row * max(max_col, AZ_COLUMNS) > MAX_CELLS:
                break
    cells = max_row * max(max_col, AZ_COLUMNS)
    if max_row > MAX_ROWS or cells > MAX_CELLS:
        raise WorkbookTooLarge(
            f"文件 {path.name} 的工作表 {sheet} 用到了第 {max_row:,} 行、第 {max_col:,} 列（约 {cells:,} 个单元格），"
            f"超出能读取的大小（最多 {MAX_CELLS:,} 个单元格），可能是远处有一个误填的单元格。"
            "请把有内容的行和列复制到一个新工作簿，另存后再导入")
    return produced


def _too_big(path: Path, why: str) -> WorkbookTooLarge:
    return WorkbookTooLarge(f"文件 {path.name} {why}，超出能读取的大小，没有导入。"
                            "请确认这是花名册或岗位表本身；如果是，请用 Excel 另存为一个新的 .xlsx 后再导入")
