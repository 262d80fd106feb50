"""The handbook's monitoring block and the members' work spells (issue 14 §3),
and its wording by the county's terms; read back from the PDF."""

from __future__ import annotations

import re

import pytest

from cadre_desk import spells, terms
from cadre_desk.printing.handbook import write_handbook
from helpers_printing import AS_OF, add_household, build_sample, id_number, make_village, pages_text

MEMBERS = [
    {"name": "马向东", "id_number": id_number("19780312", 61), "relation": "户主", "education": "初中",
     "school_status": "非在校生", "health": ["健康"], "labour_ability": "普通劳动力", "job_intention": "外出务工",
     "employment_status": "已就业", "employment_channel": "帮扶车间"},
    {"name": "马小红", "id_number": id_number("19800805", 62), "relation": "配偶", "education": "小学",
     "school_status": "非在校生", "health": ["长期慢性病"], "labour_ability": "弱劳动力或半劳动力",
     "employment_status": "未就业"},
]


def make_monitored(store) -> str:
    """The printing sample plus a monitored household with three work spells; its id."""
    build_sample(store)
    vid = make_village(store)
    hid = add_household(store, vid, "3715810009", "马向东", MEMBERS, attribute="一般贫困户",
                        poverty_status="已脱贫（享受政策）", main_cause="因病", household_type="监测户",
                        monitoring_category="突发严重困难户", monitoring_since="202306", risk_cleared=True,
                        risk_clear_method="帮扶消除", risk_cleared_on="2024年03月", risk_1="因病", risk_2="因务工就业不稳")
    head = store.rows("SELECT id FROM members WHERE name = '马向东'")[0]["id"]
    wife = store.rows("SELECT id FROM members WHERE name = '马小红'")[0]["id"]
    result = spells.save_spells(store, [
        spells.SpellRow(member_id=head, start_month="2023-03", end_month="2023-10", place="江苏省苏州市昆山市",
                        channel="企业就业", employer="昆山精密机械有限公司", monthly_income=4800, point_to_point=True),
        spells.SpellRow(member_id=head, start_month="2023-11", place="山东省聊城市临清市", channel="帮扶车间",
                        employer="烟店镇手套帮扶车间", monthly_income=2600),
        spells.SpellRow(member_id=wife, start_month="2024-01", end_month="2024-06", place="山东省聊城市临清市",
                        channel="乡村公益性岗位", employer="村庄保洁", monthly_income=500),
    ])
    assert result.ok, result.errors
    return hid


@pytest.fixture
def monitored(store):
    return store, make_monitored(store)


def flat_text(path) -> str:
    return re.sub(r"\s+", "", "\n".join(pages_text(path)))


def test_monitoring_block_and_spells_table(monitored, tmp_path):
    store, hid = monitored
    path = tmp_path / "hb.pdf"
    write_handbook(store, hid, path, as_of=AS_OF)
    text = flat_text(path)
    for piece in ("防止返贫监测信息", "户类型", "监测户", "监测对象类别", "突发严重困难户", "识别监测时间", "2023年6月",
                  "风险是否已消除", "是", "风险消除方式", "帮扶消除", "消除监测时间", "2024年3月",
                  "致贫/返贫风险", "因病、因务工就业不稳"):
        assert piece in text, piece
    for piece in ("成员务工情况", "开始时间", "结束时间", "务工所在地", "就业渠道", "务工企业名称",
                  "昆山精密机械有限公司", "2023年3月", "2023年10月", "4,800", "烟店镇手套帮扶车间", "2023年11月",
                  "至今", "村庄保洁", "2024年6月", "乡村公益性岗位"):
        assert piece in text, piece
    # both sub-blocks sit in their chapters: monitoring under 二, spells under 三 (before 四)
    assert text.index("二、家庭基本情况") < text.index("防止返贫监测信息") < text.index("三、家庭成员情况")
    assert text.index("三、家庭成员情况") < text.index("成员务工情况") < text.index("四、帮扶责任人")
    # the cover names the household's own type
    assert "监测户" in re.sub(r"\s+", "", pages_text(path)[0])


def test_a_household_without_monitoring_or_spells(monitored, tmp_path):
    store, _ = monitored
    plain = store.rows("SELECT id FROM households WHERE number = '3715810002'")[0]["id"]
    path = tmp_path / "plain.pdf"
    write_handbook(store, plain, path, as_of=AS_OF)
    text = flat_text(path)
    assert "防止返贫监测信息" not in text
    assert "成员务工情况" in text and "昆山" not in text  # an empty table to fill in by hand


def test_handbook_wording_follows_the_terms(monitored, tmp_path):
    store, _ = monitored
    plain = store.rows("SELECT id FROM households WHERE number = '3715810002'")[0]["id"]
    path = tmp_path / "2021.pdf"
    write_handbook(store, plain, path, as_of=AS_OF)
    text = flat_text(path)
    assert "本手册是脱贫户（含监测户）就业帮扶工作的记录" in text
    assert "脱贫户（含监测户）" in re.sub(r"\s+", "", pages_text(path)[0])
    terms.set_terms(store, "2020")
    path = tmp_path / "2020.pdf"
    write_handbook(store, plain, path, as_of=AS_OF)
    text = flat_text(path)
    assert "本手册是建档立卡贫困户就业帮扶工作的记录" in text
    assert "建档立卡贫困户" in re.sub(r"\s+", "", pages_text(path)[0])
