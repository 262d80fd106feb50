"""Issue 12 §5: what probing with bad input found, each a test that failed before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import pytest

from tests.helpers_cli import run_cli
from tests.helpers_roster import family, write_roster

SHEET = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
         '{rows}</sheetData></worksheet>')


def _tiny_xlsx(path, rows_xml: str, *, padding: int = 0):
    """A minimal workbook whose only sheet holds ``rows_xml`` (plus ``padding``
    bytes of whitespace, which compresses about a thousand times)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
                    '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
                    'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
                    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        zf.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                    'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        zf.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
                    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                    'relationships"><sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>')
        zf.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                    'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                    '</Relationships>')
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(SHEET.format(rows=rows_xml).encode()[:-len("</sheetData></worksheet>")])
            block = b" " * (1 << 20)
            for _ in range(padding // len(block)):
                fh.write(block)
            fh.write(b"</sheetData></worksheet>")
    return path


def _cli_process(*argv):
    """A real process: a reader that aborts must not take the test run down."""
    return subprocess.run([sys.executable, "-m", "cadre_desk", *argv], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=300)


@pytest.mark.parametrize("cell", ["XFD1048576", "AZ1048576"])
@pytest.mark.parametrize("command", ["import-roster", "import-openings"])
def test_a_far_away_cell_is_refused_before_reading(tmp_path, cell, command):
    row = int(cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    book = _tiny_xlsx(tmp_path / "far.xlsx", f'<row r="{row}"><c r="{cell}" t="inlineStr"><is><t>x</t></is></c></row>')
    assert book.stat().st_size < 4096
    proc = _cli_process("--db", str(tmp_path / "c.db"), command, str(book))
    assert proc.returncode == 1, proc.stderr[-400:]
    assert proc.stderr.startswith("错误：") and "单元格" in proc.stderr and "Traceback" not in proc.stderr


def test_a_zip_bomb_is_refused_before_reading(tmp_path):
    book = _tiny_xlsx(tmp_path / "bomb.xlsx", '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>',
                      padding=120 << 20)
    assert book.stat().st_size < 1 << 20
    rc, out, err = run_cli("--db", str(tmp_path / "c.db"), "import-roster", str(book))
    assert rc == 1 and "压缩" in err


def test_a_normal_roster_still_imports(tmp_path):
    book = write_roster(tmp_path / "r.xlsx", family())
    rc, out, err = run_cli("--db", str(tmp_path / "c.db"), "import-roster", str(book))
    assert rc == 0, err
