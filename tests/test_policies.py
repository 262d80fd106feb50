"""Policies as data: the sample set, the policy file, add/edit/retire, and
eligibility rules matched against members and households."""

import json

import pytest

from cadre_desk import policies as P
from cadre_desk import register
from cadre_desk.cli import main
from cadre_desk.errors import ImportFailed, NotFound
from helpers_printing import AS_OF, build_sample

KINDS_OF_SECTION_8 = {"公益性岗位", "扶贫车间", "交通补贴", "创业补贴", "创业担保贷款", "培训补贴", "以工代训",
                      "居家就业", "残疾人就业", "劳务输出奖补"}


def test_sample_policies_are_marked_cover_the_kinds_and_load_once(store):
    assert P.load_sample_policies(store) >= 8
    assert P.load_sample_policies(store) == 0
    found = P.list_policies(store)
    assert 8 <= len(found) <= 12
    assert all(p.is_sample for p in found)
    assert KINDS_OF_SECTION_8 <= {p.kind for p in found}
    for p in found:
        assert "〔" in p.doc_number and "〕" in p.doc_number, p.doc_number
        assert p.issuer and p.benefit and p.procedure_steps and p.phone and p.issued_on
    # Only policies for organisations carry no rule.
    assert [p.title for p in found if not p.eligibility] == ["人力资源服务机构和劳务经纪人组织劳务输出奖补"]


def test_deleted_sample_does_not_come_back(store):
    P.load_sample_policies(store)
    first = P.list_policies(store)[0]
    store.delete("policies", first.id)
    assert P.load_sample_policies(store) == 0
    assert first.title not in {p.title for p in P.list_policies(store)}


def _write(tmp_path, policies, name="p.json", **top):
    path = tmp_path / name
    path.write_text(json.dumps({"format": "cadre-desk-policies", "policies": policies, **top},
                               ensure_ascii=False), encoding="utf-8")
    return path


def test_import_adds_then_updates_by_title_and_normalises(store, tmp_path):
    entry = {"title": "县级公益岗", "kind": "公益性岗位", "doc_number": "临人社发[2020]3号", "issued_on": "2020年3月5日",
             "benefit": "每月400元", "conditions": ["身份证", "申请表"], "procedure": ["申请", "村公示", "拨付"],
             "eligibility": {"field": "job_intention", "eq": "公益性岗位"}}
    result = P.import_policies(store, _write(tmp_path, [entry]))
    assert result.added == ["县级公益岗"]
    (p,) = P.list_policies(store)
    assert p.doc_number == "临人社发〔2020〕3号"
    assert p.issued_on == "2020-03-05" and p.issued_on_display == "2020年3月5日"
    assert p.condition_lines == ["身份证", "申请表"]
    assert p.procedure_steps == ["申请", "村公示", "拨付"]
    assert not p.is_sample
    entry["benefit"] = "每月500元"
    result = P.import_policies(store, _write(tmp_path, [entry]))
    assert result.updated == ["县级公益岗"] and not result.added
    assert P.list_policies(store)[0].benefit == "每月500元"
    history = store.history("policies", p.id)
    assert any(c.field == "benefit" and c.new_value == "每月500元" for c in history)


def test_toml_file_is_accepted(store, tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('format = "cadre-desk-policies"\n[[policies]]\ntitle = "创业补贴"\ndoc_number = "鲁人社发（2018）46号"\n'
                    'eligibility = { field = "job_intention", eq = "自主创业" }\n', encoding="utf-8")
    P.import_policies(store, path)
    (p,) = P.list_policies(store)
    assert p.doc_number == "鲁人社发〔2018〕46号"
    assert p.eligibility == {"field": "job_intention", "eq": "自主创业"}


@pytest.mark.parametrize("bad, words", [
    ({"title": "甲", "eligibility": {"field": "no_such_field", "eq": 1}}, "no_such_field"),
    ({"title": "甲", "eligibility": {"field": "age", "between": [1, 2]}}, "规则"),
    ({"title": "甲", "issued_on": "2019-13-40"}, "印发日期"),
    ({"kind": "无名"}, "缺少政策名称"),
    ({"title": "甲", "benifit": "错拼"}, "benifit"),
])
def test_a_bad_file_imports_nothing_and_says_what_is_wrong(store, tmp_path, bad, words):
    good = {"title": "好政策", "eligibility": {"field": "age", "gte": 16}}
    with pytest.raises(ImportFailed) as info:
        P.import_policies(store, _write(tmp_path, [good, bad]))
    assert words in info.value.message and "第 2 条" in info.value.message
    assert P.list_policies(store, include_retired=True) == []


def test_duplicate_titles_and_broken_json_are_refused(store, tmp_path):
    with pytest.raises(ImportFailed, match="重复"):
        P.import_policies(store, _write(tmp_path, [{"title": "甲"}, {"title": "甲"}]))
    broken = tmp_path / "broken.json"
    broken.write_text('{"policies": [ {"title": "甲",} ]', encoding="utf-8")
    with pytest.raises(ImportFailed, match="格式有误"):
        P.import_policies(store, broken)
    with pytest.raises(ImportFailed, match="找不到"):
        P.import_policies(store, tmp_path / "missing.json")


def test_add_edit_retire_restore(store):
    pid = P.add_policy(store, {"title": "乙", "benefit": "一次性500元", "eligibility": {"all": []}})
    with pytest.raises(P.PolicyError, match="已有"):
        P.add_policy(store, {"title": "乙"})
    P.edit_policy(store, pid, {"benefit": "一次性800元"})
    assert P.get_policy(store, pid[:8]).benefit == "一次性800元"
    with pytest.raises(P.PolicyError, match="不认识的字段"):
        P.edit_policy(store, pid, {"eligibility": {"field": "shoe_size", "gt": 40}})
    P.retire_policy(store, pid)
    assert P.list_policies(store) == []
    assert P.list_policies(store, include_retired=True)[0].retired
    P.retire_policy(store, pid, False)
    assert [p.title for p in P.list_policies(store)] == ["乙"]
    with pytest.raises(NotFound):
        P.get_policy(store, "ffffffffff")


def test_export_then_import_round_trips(store, tmp_path):
    P.load_sample_policies(store)
    before = P.list_policies(store)
    path = tmp_path / "out.json"
    assert P.export_policies(store, path) == len(before)
    result = P.import_policies(store, path)
    assert len(result.unchanged) == len(before) and not result.added and not result.updated


def _titles(matches):
    return {p.title: names for p, names in matches}


def test_disabled_home_bound_member_gets_home_work_and_disability_policies(store):
    ids = build_sample(store)
    hh = register.household(store, ids["disabled"])
    found = _titles(P.policies_for_household(store, hh, register.members_of(store, ids["disabled"]), AS_OF))
    assert found["居家就业（来料加工）扶持"] == ["李秀英"]
    assert found["残疾人就业创业扶持"] == ["李秀英"]
    assert found["外出务工一次性交通补贴"] == ["王建国"]
    assert "人力资源服务机构和劳务经纪人组织劳务输出奖补" not in found
    assert "一次性创业补贴" not in found


def test_household_without_disabled_or_home_bound_member_gets_neither(store):
    ids = build_sample(store)
    hh = register.household(store, ids["plain"])
    found = _titles(P.policies_for_household(store, hh, register.members_of(store, ids["plain"]), AS_OF))
    assert "居家就业（来料加工）扶持" not in found
    assert "残疾人就业创业扶持" not in found
    assert found["以工代训补贴"] == ["赵德山", "孙桂兰"]


def test_rules_see_age_working_age_and_household_fields(store):
    ids = build_sample(store)
    P.add_policy(store, {"title": "低保户老人关怀", "eligibility": {"all": [
        {"field": "household.attribute", "eq": "低保贫困户"}, {"field": "age", "gte": 70},
        {"field": "working_age", "eq": False}]}})
    P.add_policy(store, {"title": "自主创业者", "eligibility": {"field": "job_intention", "eq": "自主创业"}})
    hh = register.household(store, ids["disabled"])
    found = _titles(P.policies_for_household(store, hh, register.members_of(store, ids["disabled"]), AS_OF))
    assert found["低保户老人关怀"] == ["王老汉"]
    assert "自主创业者" not in found
    plain = register.household(store, ids["plain"])
    assert "低保户老人关怀" not in _titles(
        P.policies_for_household(store, plain, register.members_of(store, ids["plain"]), AS_OF))


def test_working_age_follows_the_settings(store):
    ids = build_sample(store)
    P.add_policy(store, {"title": "劳动年龄", "eligibility": {"field": "working_age", "eq": True}})
    hh = register.household(store, ids["disabled"])
    members = register.members_of(store, ids["disabled"])
    assert "王小明" not in _titles(P.policies_for_household(store, hh, members, AS_OF))["劳动年龄"]
    store.set_setting("working_age_min", 12)
    assert "王小明" in _titles(P.policies_for_household(store, hh, members, AS_OF))["劳动年龄"]


def test_policy_commands(db_path, tmp_path, capsys):
    path = _write(tmp_path, [{"title": "丙", "kind": "公益性岗位", "doc_number": "临人社发〔2020〕9号"}])
    assert main(["--db", str(db_path), "policy", "import", str(path)]) == 0
    assert "新增 1 项" in capsys.readouterr().out
    assert main(["--db", str(db_path), "policy", "list"]) == 0
    line = capsys.readouterr().out.strip()
    assert "丙" in line and "临人社发〔2020〕9号" in line
    short = line.split()[0]
    assert main(["--db", str(db_path), "policy", "retire", short]) == 0
    capsys.readouterr()
    assert main(["--db", str(db_path), "policy", "list"]) == 0
    assert "丙" not in capsys.readouterr().out
    assert main(["--db", str(db_path), "policy", "list", "--all"]) == 0
    assert "已停用" in capsys.readouterr().out
    assert main(["policy", "restore", short, "--db", str(db_path)]) == 0
    assert main(["--db", str(db_path), "policy", "samples"]) == 0
    assert "样本" in capsys.readouterr().out


def test_policy_command_errors_are_one_chinese_line(db_path, tmp_path, capsys):
    assert main(["--db", str(db_path), "policy", "retire", "nosuchid"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("错误：") and "\n" not in err
    bad = _write(tmp_path, [{"title": "丁", "eligibility": {"field": "nope", "eq": 1}}])
    assert main(["--db", str(db_path), "policy", "import", str(bad)]) == 1
    err = capsys.readouterr().err.strip()
    assert "nope" in err and "\n" not in err
