"""The policy compilation PDF: contents page numbers that point at the right
pages, bookmarks, one section per current policy, fonts, repeatability, CLI."""

import re
import subprocess

import pytest

from cadre_desk import policies as P
from cadre_desk import terms
from cadre_desk.cli import main
from cadre_desk.printing.compilation import write_compilation
from helpers_printing import AS_OF, outline, pages_text, pdffonts, qpdf_check

_TOC_LINE = re.compile(r"^(.+?)[\s.]*?(\d+)$")


def toc_entries(path, page: int) -> list[tuple[str, int]]:
    """(title, page) from the contents page as laid out ('扶贫公益性岗位安置 . . . . 3')."""
    text = subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    found = []
    for line in text.splitlines():
        line = line.strip()
        m = _TOC_LINE.match(line)
        if m and "." in line:
            found.append((m.group(1).rstrip(" ."), int(m.group(2))))
    return found


def printed(store) -> list:
    """The current policies as the compilation prints them (the samples in the county's terms)."""
    return [P.in_terms(p, terms.current(store)) for p in P.list_policies(store)]


@pytest.fixture
def compiled(store, tmp_path):
    P.load_sample_policies(store)
    path = tmp_path / "c.pdf"
    write_compilation(store, path, as_of=AS_OF)
    return store, path


def test_contents_page_numbers_point_at_the_sections(compiled):
    store, path = compiled
    pages = pages_text(path)
    toc_page = next(i for i, t in enumerate(pages) if "目  录" in t or "目 录" in t)
    entries = toc_entries(path, toc_page + 1)
    titles = [p.title for p in printed(store)]
    assert [t for t, _ in entries] == titles
    for title, page in entries:
        assert title in pages[page - 1].replace("\n", ""), (title, page)
        assert f"第 {page} 页 共 {len(pages)} 页" in pages[page - 1]
    # each section on its own page, in order
    assert [p for _, p in entries] == sorted({p for _, p in entries})


def test_bookmarks_for_every_section(compiled):
    store, path = compiled
    marks = outline(path)
    pages = pages_text(path)
    assert [title for _, title, _ in marks] == [p.title for p in printed(store)]
    for _, title, page in marks:
        assert title in pages[page - 1].replace("\n", "")


def test_sections_carry_every_part_of_a_policy(compiled):
    store, path = compiled
    text = "\n".join(pages_text(path))
    flat = re.sub(r"\s+", "", text)
    for p in printed(store):
        for piece in (p.title, p.doc_number, p.issuer, p.issued_on_display, p.phone, p.procedure_steps[0]):
            assert re.sub(r"\s+", "", piece) in flat, piece
    for label in ("适用对象", "享受标准", "条件和材料", "办理流程", "咨询电话", "发文单位"):
        assert label in text
    assert "临人社发〔2019〕12号" in text
    assert "本人申请→村公示→乡镇初审→县人社审核→公示→按月拨付" in flat
    assert "样本文本" in pages_text(path)[0] and flat.count("【样本文本】") == len(P.list_policies(store))


def test_retired_policies_are_left_out(store, tmp_path):
    P.load_sample_policies(store)
    gone = P.list_policies(store)[1]
    P.retire_policy(store, gone.id)
    path = tmp_path / "c.pdf"
    write_compilation(store, path, as_of=AS_OF)
    assert gone.title not in "\n".join(pages_text(path))
    assert gone.title not in [t for _, t, _ in outline(path)]


def test_fonts_embedded_valid_and_repeatable(compiled, tmp_path):
    store, path = compiled
    for f in pdffonts(path):
        assert "WenQuanYi" in f["name"] and f["emb"] == "yes" and f["sub"] == "yes", f["line"]
    code, out = qpdf_check(path)
    assert code == 0, out
    again = tmp_path / "again.pdf"
    write_compilation(store, again, as_of=AS_OF)
    assert again.read_bytes() == path.read_bytes()


def test_policies_command(store, tmp_path, capsys):
    db = tmp_path / "county.db"
    store.db.execute(f"VACUUM INTO '{db}'")
    out = tmp_path / "汇编.pdf"
    assert main(["--db", str(db), "policies", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "policy import" in err and err.count("\n") == 1
    assert main(["--db", str(db), "policy", "samples"]) == 0
    assert main(["--db", str(db), "policies", "-o", str(out)]) == 0
    assert "乡村公益性岗位安置" in "\n".join(pages_text(out))  # a new county: the 2021 terms


# ---------------------------------------------------------------- the county's terms (issue 14 §3)

OLD_WORDS = ("扶贫车间", "扶贫公益性岗位", "建档立卡", "贫困劳动力", "就业扶贫")


def test_title_and_sample_policies_follow_the_2021_terms(compiled):
    store, path = compiled
    pages = pages_text(path)
    assert terms.current(store) == "2021"
    assert "临清市就业帮扶政策汇编" in pages[0].replace("\n", "")
    flat = re.sub(r"\s+", "", "\n".join(pages))
    for word in OLD_WORDS:
        assert word not in flat, word
    for word in ("乡村公益性岗位安置", "就业帮扶车间吸纳就业奖补", "脱贫劳动力", "帮扶车间"):
        assert word in flat, word


def test_title_and_sample_policies_keep_the_2020_terms(store, tmp_path):
    P.load_sample_policies(store)
    terms.set_terms(store, "2020")
    path = tmp_path / "c2020.pdf"
    write_compilation(store, path, as_of=AS_OF)
    pages = pages_text(path)
    assert "临清市就业扶贫政策汇编" in pages[0].replace("\n", "")
    flat = re.sub(r"\s+", "", "\n".join(pages))
    for word in ("扶贫公益性岗位安置", "就业扶贫车间吸纳就业奖补", "建档立卡贫困劳动力"):
        assert word in flat, word
    assert "乡村公益性岗位" not in flat and "就业帮扶政策汇编" not in flat
    # the stored samples are not rewritten: only their print follows the terms
    assert P.list_policies(store)[0].title == "扶贫公益性岗位安置"


def test_a_countys_own_policy_is_printed_as_imported(store, tmp_path):
    own = tmp_path / "own.json"
    own.write_text('{"format": "cadre-desk-policies", "policies": [{"title": "扶贫车间务工奖补（县文件）", '
                   '"kind": "扶贫车间", "benefit": "建档立卡贫困劳动力在扶贫车间务工，每月奖补100元。"}]}',
                   encoding="utf-8")
    P.import_policies(store, own)
    path = tmp_path / "own.pdf"
    write_compilation(store, path, as_of=AS_OF)
    flat = re.sub(r"\s+", "", "\n".join(pages_text(path)))
    assert "扶贫车间务工奖补（县文件）" in flat and "建档立卡贫困劳动力在扶贫车间务工" in flat
    assert "就业帮扶政策汇编" in flat  # the title still follows the county's terms
