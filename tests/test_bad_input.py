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


# ---------------------------------------------------------------- policy files
POLICY = {"title": "测试政策", "benefit": "每人每月300元", "eligibility": {"field": "age", "op": ">=", "value": 16}}


@pytest.mark.parametrize("change, words", [
    ('"sort_order": 1e400', "排序号"),
    ('"sort_order": 1000000000000000000000000000000', "排序号"),
    ('"sort_order": true', "排序号"),
    ('"eligibility": {"field": 5, "op": "=", "value": 1}', "适用条件"),
    ('"eligibility": {"all": 5}', "适用条件"),
    ('"eligibility": {"any": [{"not": 3}]}', "适用条件"),
    ('"eligibility": ' + "[" * 100_000 + "]" * 100_000, "嵌套"),
])
def test_bad_policy_files_get_a_chinese_message_and_nothing_changes(tmp_path, change, words):
    body = json.dumps({"format": "cadre-desk-policies", "policies": [{"title": "测试政策", "benefit": "x"}]},
                      ensure_ascii=False)
    body = body.replace('"benefit": "x"', '"benefit": "x", ' + change)
    path = tmp_path / "p.json"
    path.write_text(body, encoding="utf-8")
    db = str(tmp_path / "c.db")
    rc, out, err = run_cli("--db", db, "policy", "import", str(path))
    assert rc == 1 and err.startswith("错误：") and words in err and "Traceback" not in err, err[:300]
    assert "没有" in run_cli("--db", db, "policy", "list")[1] + run_cli("--db", db, "policy", "list")[2]


def test_a_json_file_nested_very_deep_is_refused(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    rc, out, err = run_cli("--db", str(tmp_path / "c.db"), "policy", "import", str(path))
    assert rc == 1 and err.startswith("错误：") and "Traceback" not in err


def test_a_long_benefit_text_breaks_across_pages(tmp_path):
    path = tmp_path / "long.json"
    long_text = "符合条件的建档立卡贫困劳动力可按规定享受补贴，具体标准以当年文件为准。" * 60
    assert len(long_text) > 2000
    path.write_text(json.dumps({"format": "cadre-desk-policies", "policies": [
        {"title": "长政策", "benefit": long_text, "conditions": [long_text[:900]] * 3}]}, ensure_ascii=False),
        encoding="utf-8")
    db = str(tmp_path / "c.db")
    assert run_cli("--db", db, "policy", "import", str(path))[0] == 0
    rc, out, err = run_cli("--db", db, "policies", "-o", str(tmp_path / "c.pdf"))
    assert rc == 0, err
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "c.pdf").pages)
    assert "具体标准以当年文件为准" in text and len(PdfReader(tmp_path / "c.pdf").pages) >= 3


# ---------------------------------------------------------------- search arguments
def test_search_with_bytes_that_are_not_utf8(tmp_path):
    db = tmp_path / "c.db"
    rc, out, err = run_cli("--db", str(db), "import-roster", str(write_roster(tmp_path / "r.xlsx", family())))
    assert rc == 0
    gbk = "张建国".encode("gbk")
    proc = subprocess.run([os.fsencode(sys.executable), b"-m", b"cadre_desk", b"--db", os.fsencode(db), b"search",
                           gbk], capture_output=True, stdin=subprocess.DEVNULL,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8"})
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "UnicodeEncodeError" not in err
    # A GBK argument is understood as GBK (what a county script on a Chinese Windows sends), or refused clearly.
    assert (proc.returncode == 0 and "张建国" in proc.stdout.decode()) or (proc.returncode == 1 and "编码" in err)


# ---------------------------------------------------------------- output files
def test_household_numbers_that_differ_only_in_forbidden_characters_get_two_files(tmp_path):
    from tests.helpers_roster import make_id, member

    rows = [member("A/1", "甲户主", make_id("19700312", 501)), member("A:1", "乙户主", make_id("19700312", 503))]
    db = str(tmp_path / "c.db")
    rc, out, err = run_cli("--db", db, "import-roster", str(write_roster(tmp_path / "r.xlsx", rows)))
    assert rc == 0, err
    rc, out, err = run_cli("--db", db, "handbook", "--all", "-o", str(tmp_path / "out"))
    assert rc == 0, err
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(files) == 2, files
    assert "2 户" in out or len(set(files)) == 2


def _tiny_filesystem(tmp_path, kib: int):
    if os.geteuid() != 0:
        pytest.skip("a tiny filesystem needs root (mount -t tmpfs)")
    where = tmp_path / "tiny"
    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(where)],
                      capture_output=True).returncode != 0:
        pytest.skip("this machine does not allow mounting a tmpfs")
    return where


@pytest.fixture
def tiny_disk(tmp_path):
    where = _tiny_filesystem(tmp_path, 64)
    yield where
    subprocess.run(["umount", str(where)], check=False)


@pytest.fixture
def county(tmp_path):
    db = str(tmp_path / "c.db")
    rows = []
    for n in range(1, 30):
        rows += family(f"3715811090010{n:04d}")
    from tests.helpers_roster import make_id

    for i, r in enumerate(rows):
        r["身份证号码"] = make_id("19700312", i + 1)
        r["性别"] = "男" if (i + 1) % 2 else "女"
    rc, out, err = run_cli("--db", db, "import-roster", str(write_roster(tmp_path / "r.xlsx", rows)))
    assert rc == 0, err
    return db


@pytest.mark.parametrize("argv, name", [
    (["export-roster", "{d}/roster.xlsx"], "roster.xlsx"),
    (["export-progress", "{d}/progress.xlsx"], "progress.xlsx"),
    (["backup", "{d}/backup.db"], "backup.db"),
    (["handbook", "--all", "--combined", "-o", "{d}"], None),
    (["handbook", "--all", "-o", "{d}/many"], None),
])
def test_a_full_disk_gives_a_message_and_leaves_no_partial_file(county, tiny_disk, argv, name):
    filler = tiny_disk / "filler"
    with open(filler, "wb", buffering=0) as fh:  # fill the disk, then free one page (room for a directory entry)
        try:
            while True:
                fh.write(b"\0" * 1024)
                fh.flush()
        except OSError:
            pass
    with open(filler, "r+b") as fh:
        fh.truncate(max(0, filler.stat().st_size - 4096))
    before = {p.name for p in tiny_disk.iterdir()}
    rc, out, err = run_cli("--db", county, *[a.format(d=tiny_disk) for a in argv])
    assert rc == 1, out
    assert err.splitlines()[-1].startswith("错误：") and ("磁盘已满" in err or "空间" in err) and "Traceback" not in err, err
    left = {p.name for p in tiny_disk.rglob("*") if p.is_file()} - before
    assert not left, left
    rc, out, err = run_cli("--db", county, "stats", "--json")
    assert rc == 0 and json.loads(out)["households"] >= 29 if "households" in out else rc == 0


def test_the_systems_english_reasons_are_said_in_chinese(tmp_path):
    """A read-only disk, a folder one may not write, a full disk: what the
    user reads is Chinese (``OSError.strerror`` is English)."""
    import errno
    from pathlib import Path

    from cadre_desk.errors import os_error_reason
    from cadre_desk.xlsx import _cannot_write

    for code, words in ((errno.EROFS, "只读"), (errno.EACCES, "权限"), (errno.ENOSPC, "磁盘空间已满")):
        exc = OSError(code, os.strerror(code), "x")
        assert words in os_error_reason(exc) and os.strerror(code) not in os_error_reason(exc)
    message = _cannot_write(Path("/media/cd/花名册.xlsx"), PermissionError(errno.EROFS, os.strerror(errno.EROFS))).message
    assert "只读" in message and "Read-only" not in message and "花名册.xlsx" in message
    odd = OSError(errno.EXDEV, os.strerror(errno.EXDEV))
    assert os_error_reason(odd) == os.strerror(errno.EXDEV)  # an uncommon reason: the system's words, not nothing
