"""The household handbook PDF, read back as a user would: its text, page
numbers, header, bookmarks, fonts, and the CLI that writes it."""

import datetime as dt
import re

import pytest

from cadre_desk import register
from cadre_desk.cli import main
from cadre_desk.printing import PrintCancelled
from cadre_desk.printing.handbook import write_handbook, write_handbooks
from cadre_desk.questionnaire import parse_definition
from helpers_printing import (AS_OF, DISABLED_HOME, PLAIN, add_household, build_sample, id_number, make_village,
                              word_boxes,
                              outline, pages_text, pdffonts, qpdf_check)


@pytest.fixture
def sample(store):
    return store, build_sample(store)


@pytest.fixture
def disabled_pdf(sample, tmp_path):
    store, ids = sample
    path = tmp_path / "hb.pdf"
    write_handbook(store, ids["disabled"], path, as_of=AS_OF)
    return path


def test_cover_carries_place_household_head_year_and_issuer(disabled_pdf):
    cover = pages_text(disabled_pdf)[0]
    for text in ("就 业 帮 扶 手 册", "临清市", "烟店镇", "李庄村", "3715810001", "王建国", "陈红梅",
                 "临清市人力资源和社会保障局", "二〇二〇年", "2020"):
        assert text in cover, text


def test_every_member_with_masked_id_and_never_the_full_number(disabled_pdf):
    text = "\n".join(pages_text(disabled_pdf))
    for m in DISABLED_HOME:
        full = m["id_number"]
        assert m["name"] in text
        assert f"{full[:6]}********{full[-4:]}" in text
        assert full not in text
        assert full[6:14] not in text  # not even the birth date
    flat = re.sub(r"\s+", "", text)  # table cells wrap
    assert "残疾（肢体三级）" in flat and "弱劳动力或半劳动力" in flat


def test_contents_of_the_chapters(disabled_pdf):
    text = re.sub(r"[ \n]+", "", "\n".join(pages_text(disabled_pdf)))  # table cells wrap
    for heading in ("一、说明", "二、家庭基本情况", "三、家庭成员情况", "四、帮扶责任人", "五、劳动年龄内成员就业帮扶情况",
                    "六、可享受的就业帮扶政策", "七、走访记录", "八、帮扶措施和帮扶成效"):
        assert heading in text
    # household situation and income: 38,000 + 4,200 = 42,200; / 4 people = 10,550
    assert "临清市烟店镇李庄村三组" in text and "低保贫困户" in text and "因残" in text
    assert "42,200" in text and "10,550" in text
    # cadre now and before
    assert "刘志强" in text and "2018年3月1日至2019年6月1日" in text and "2019年6月1日起" in text
    # working-age members only: the grandfather (74) and the pupil (12) get no survey section
    assert "（王建国（户主，50岁）" not in text and "王建国（户主，50岁）" in text
    assert "李秀英（配偶，47岁）" in text
    assert "王老汉（之父" not in text and "王小明（之子" not in text
    # recommended opening with employer, place, pay and outcome; training; route
    for piece in ("手套缝制（居家计件）", "烟店镇手套扶贫车间", "1,500元/月", "已录用", "手工编织培训班",
                  "劳务输出", "天津某建筑公司"):
        assert piece in text, piece
    assert "了解居家就业意愿" in text and "户主（签字）" in text and "帮扶责任人（签字）" in text


def test_survey_labels_come_from_the_questionnaire(sample, tmp_path):
    store, ids = sample
    raw = store.questionnaire.raw
    changed = {**raw, "member": {**raw["member"], "fields": [
        {**f, "label": "不能离家的原因"} if f["key"] == "stay_home_reasons" else f for f in raw["member"]["fields"]]}}
    store.questionnaire = parse_definition(changed)
    path = tmp_path / "hb.pdf"
    write_handbook(store, ids["disabled"], path, as_of=AS_OF)
    text = "\n".join(pages_text(path))
    assert "不能离家的原因" in text and "不能外出原因" not in text


def test_policies_match_who_lives_there(sample, tmp_path):
    store, ids = sample
    texts = {}
    for key in ("disabled", "plain"):
        path = tmp_path / f"{key}.pdf"
        write_handbook(store, ids[key], path, as_of=AS_OF)
        texts[key] = "\n".join(pages_text(path))
    assert "居家就业（来料加工）扶持" in texts["disabled"] and "残疾人就业创业扶持" in texts["disabled"]
    assert "居家就业（来料加工）扶持" not in texts["plain"] and "残疾人就业创业扶持" not in texts["plain"]
    assert "以工代训补贴" in texts["plain"]
    assert "劳务经纪人" not in texts["disabled"]
    assert "样本文本" in texts["disabled"]


def test_page_numbers_and_header_on_every_page(disabled_pdf):
    pages = pages_text(disabled_pdf)
    total = len(pages)
    assert total >= 4
    for n, text in enumerate(pages, start=1):
        assert f"第 {n} 页 共 {total} 页" in text
        has_header = "户编号：3715810001" in text and "临清市 · 就业帮扶手册" in text
        assert has_header == (n > 1), n


def test_a4_fonts_embedded_and_valid(disabled_pdf):
    import pypdf

    page = pypdf.PdfReader(str(disabled_pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    fonts = pdffonts(disabled_pdf)
    assert fonts
    for f in fonts:
        assert "WenQuanYi" in f["name"] and "+" in f["name"], f["line"]
        assert f["emb"] == "yes" and f["sub"] == "yes", f["line"]
    code, out = qpdf_check(disabled_pdf)
    assert code == 0, out
    assert disabled_pdf.stat().st_size < 150_000


def test_same_data_same_bytes(sample, tmp_path):
    store, ids = sample
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    write_handbook(store, ids["disabled"], a, as_of=AS_OF)
    write_handbook(store, ids["disabled"], b, as_of=AS_OF)
    assert a.read_bytes() == b.read_bytes()
    store.update("households", ids["disabled"], {"phone": "13805359999"})
    write_handbook(store, ids["disabled"], b, as_of=AS_OF)
    assert a.read_bytes() != b.read_bytes()


def test_long_tables_split_with_the_header_repeated(store, tmp_path):
    vid = make_village(store)
    members = [{"name": f"成员{i:02d}", "id_number": id_number(f"19{70 + i // 12:02d}{i % 12 + 1:02d}10", 100 + i),
                "relation": "户主" if i == 0 else "之子", "health": ["健康"], "labour_ability": "普通劳动力",
                "education": "初中", "school_status": "非在校生", "skills": ["缝纫", "电子组装", "电工", "焊工"]}
               for i in range(28)]
    hid = add_household(store, vid, "3715819999", "成员00", members)
    for day in range(1, 41):
        register.add_visit(store, hid, visit_date=dt.date(2019, 1, 1) + dt.timedelta(days=7 * day),
                           content=f"第{day}次走访，了解务工情况", problems_solved="")
    path = tmp_path / "long.pdf"
    write_handbook(store, hid, path, as_of=AS_OF)
    pages = pages_text(path)
    member_pages = [i for i, t in enumerate(pages) if re.search(r"成员\d\d\s+371581", t)]
    assert len(member_pages) >= 2
    for i in member_pages:
        assert "身份证号码" in pages[i] and "劳动技能" in pages[i]
    visit_pages = [i for i, t in enumerate(pages) if "次走访，了解务工情况" in t]
    assert len(visit_pages) >= 2
    for i in visit_pages:
        assert "走访日期" in pages[i] and "户主签字" in pages[i]
    text = "\n".join(pages)
    assert all(f"成员{i:02d}" in text for i in range(28))
    assert all(f"第{d}次走访" in text for d in range(1, 41))


def test_batch_files_and_combined_pdf(sample, tmp_path):
    store, ids = sample
    files = write_handbooks(store, [ids["disabled"], ids["plain"]], tmp_path / "each", as_of=AS_OF)
    assert [f.name for f in files] == ["就业帮扶手册_3715810001_王建国.pdf", "就业帮扶手册_3715810002_赵德山.pdf"]
    single = len(pages_text(files[0]))
    (combined,) = write_handbooks(store, [ids["disabled"], ids["plain"]], tmp_path / "all", combined=True,
                                  as_of=AS_OF)
    pages = pages_text(combined)
    second = len(pages) - single
    assert f"第 1 页 共 {single} 页" in pages[0] and f"第 {single} 页 共 {single} 页" in pages[single - 1]
    assert f"第 1 页 共 {second} 页" in pages[single] and "3715810002" in pages[single]
    assert "户编号：3715810001" in pages[1] and "户编号：3715810002" in pages[single + 1]
    marks = outline(combined)
    tops = [(title, page) for depth, title, page in marks if depth == 0]
    assert tops == [("3715810001 王建国", 1), ("3715810002 赵德山", single + 1)]
    assert any(depth == 1 and title == "七、走访记录" for depth, title, _ in marks)
    assert qpdf_check(combined)[0] == 0


def test_cancelled_batch_stops(sample, tmp_path):
    store, ids = sample
    with pytest.raises(PrintCancelled):
        write_handbooks(store, [ids["disabled"], ids["plain"]], tmp_path, cancelled=lambda: True)
    assert list(tmp_path.glob("*.pdf")) == []


def test_cancelling_a_combined_batch_while_it_is_laid_out(sample, tmp_path):
    store, ids = sample
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 4  # after reading both households, during layout

    reports = []
    with pytest.raises(PrintCancelled):
        write_handbooks(store, [ids["disabled"], ids["plain"]], tmp_path, combined=True, cancelled=cancelled,
                        progress=lambda done, total, text: reports.append(text))
    assert "正在排版" in reports
    assert list(tmp_path.glob("*.pdf")) == []


def test_handbook_command(sample, tmp_path, capsys, monkeypatch):
    store, _ = sample
    db = tmp_path / "county.db"
    store.db.execute(f"VACUUM INTO '{db}'")
    out = tmp_path / "one.pdf"
    assert main(["--db", str(db), "handbook", "3715810001", "-o", str(out), "--as-of", "2020-05-20"]) == 0
    assert "王建国" in "\n".join(pages_text(out))
    assert main(["--db", str(db), "handbook", "--village", "李庄村", "-o", str(tmp_path / "v")]) == 0
    assert sorted(p.name for p in (tmp_path / "v").iterdir()) == [
        "就业帮扶手册_3715810001_王建国.pdf", "就业帮扶手册_3715810002_赵德山.pdf"]
    assert main(["--db", str(db), "handbook", "--all", "--combined", "-o", str(tmp_path / "c")]) == 0
    (combined,) = list((tmp_path / "c").iterdir())
    assert combined.suffix == ".pdf" and "2户" in combined.name
    capsys.readouterr()


@pytest.mark.parametrize("argv, words", [
    (["handbook", "0000000000", "-o", "x.pdf"], "户编号"),
    (["handbook", "--village", "没有村", "-o", "d"], "没有村"),
    (["handbook", "-o", "x.pdf"], "户编号"),
    (["handbook", "3715810001", "-o", "x.txt"], ".pdf"),
    (["handbook", "3715810001", "--as-of", "2020-02-30", "-o", "x.pdf"], "日期"),
])
def test_handbook_command_errors(sample, tmp_path, capsys, monkeypatch, argv, words):
    store, _ = sample
    db = tmp_path / "county.db"
    store.db.execute(f"VACUUM INTO '{db}'")
    monkeypatch.chdir(tmp_path)
    assert main(["--db", str(db), *argv]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：") and err.count("\n") == 1 and words in err
    assert not (tmp_path / "x.pdf").exists()


def test_plain_household_without_offers_gets_blank_rows_to_fill(sample, tmp_path):
    store, ids = sample
    path = tmp_path / "plain.pdf"
    write_handbook(store, ids["plain"], path, as_of=AS_OF)
    text = "\n".join(pages_text(path))
    assert all(m["name"] in text for m in PLAIN)
    assert "推荐岗位及结果" in text and "用人单位" in text


def test_same_bytes_whether_or_not_the_shared_font_subsets_are_remembered(sample, tmp_path):
    from cadre_desk.printing import fonts

    store, ids = sample
    first, again = tmp_path / "first.pdf", tmp_path / "again.pdf"
    with fonts._subset_lock:
        fonts._subsets.clear()
        fonts._packed.clear()
    write_handbook(store, ids["disabled"], first, as_of=AS_OF)  # cuts every subset
    write_handbook(store, ids["plain"], tmp_path / "other.pdf", as_of=AS_OF)
    write_handbook(store, ids["disabled"], again, as_of=AS_OF)  # reuses the shared ones
    assert first.read_bytes() == again.read_bytes()
    text = "\n".join(pages_text(again))
    assert "就 业 帮 扶 手 册" in text and "李秀英" in text and "第 1 页 共" in text


def test_the_longest_head_name_and_number_stay_clear_of_their_labels(store, tmp_path):
    """A 30-character 户主姓名 and a 40-character 户编号 (the most the questionnaire allows) get a longer
    line, then a smaller size, on the cover; the running header shrinks: nothing prints over a label."""
    village = make_village(store)
    head = "欧阳" + "长" * 28
    number = "3715810001" + "9" * 30
    hid = add_household(store, village, number, head, [dict(DISABLED_HOME[0], name=head), *DISABLED_HOME[1:]])
    path = tmp_path / "long.pdf"
    write_handbook(store, hid, path, as_of=AS_OF)
    cover = {w: (x0, x1) for w, x0, x1 in word_boxes(path, 1)}
    assert cover["户主姓名："][1] < cover[head][0] and cover["户编号："][1] < cover[number][0]
    assert cover[head][1] <= 595.3 - 20 * 72 / 25.4 + 1  # within the right margin
    header = word_boxes(path, 2)
    left = next(x1 for w, x0, x1 in header if w == "就业帮扶手册")
    number_at = next(x0 for w, x0, x1 in header if w.startswith("户编号："))
    head_ends = next(x1 for w, x0, x1 in header if w.startswith("户主："))
    assert left < number_at and head_ends <= 595.3 - 20 * 72 / 25.4 + 1
