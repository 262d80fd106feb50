"""The cadre pairing's start date on import (issue 11 §2): from the roster's
帮扶时间 / 结对时间 column when it has one, else from the date the clerk
gives (default: the day of the import); a re-import that hands a household to
another cadre says so ("更换帮扶责任人 N 户"), ends the old pairing on the new
one's start and keeps it in the history."""

from __future__ import annotations

import datetime as dt
import json

from cadre_desk import register
from cadre_desk.roster import import_roster
from tests.helpers_cli import run_cli
from tests.helpers_roster import HEADERS, family, write_roster

WITH_SINCE = [*HEADERS, "帮扶时间"]


def _since(store, number: str) -> list[tuple[str, str, str | None]]:
    hh = register.household_by_number(store, number)
    return [(c["name"], c["since"], c["until"]) for c in register.cadre_history(store, hh["id"])]


def test_the_start_date_comes_from_the_roster_column(tmp_path, store):
    rows = (family("37158110900100001", 帮扶时间="2018-03-01")
            + family("37158110900100002", head_name="王大力", 帮扶责任人="王海", 帮扶时间=dt.date(2019, 5, 20))
            + family("37158110900100003", head_name="赵四", 帮扶责任人="李强", 帮扶时间="2017年6月"))
    result = import_roster(store, write_roster(tmp_path / "r.xlsx", rows, headers=WITH_SINCE))
    assert result.written and not result.bad_rows
    assert _since(store, "37158110900100001") == [("刘玉哲", "2018-03-01", None)]
    assert _since(store, "37158110900100002") == [("王海", "2019-05-20", None)]
    assert _since(store, "37158110900100003") == [("李强", "2017-06-01", None)]


def test_the_alias_and_the_date_the_clerk_gives(tmp_path, store):
    rows = family("37158110900100001", 结对时间="2016/09/01") + family("37158110900100002", head_name="王大力")
    headers = [*HEADERS, "结对时间"]
    import_roster(store, write_roster(tmp_path / "r.xlsx", rows, headers=headers), paired_since=dt.date(2019, 1, 1))
    assert _since(store, "37158110900100001") == [("刘玉哲", "2016-09-01", None)]
    assert _since(store, "37158110900100002") == [("刘玉哲", "2019-01-01", None)]  # no date in the file: the clerk's


def test_without_either_the_pairing_starts_on_the_import_day(tmp_path, store):
    import_roster(store, write_roster(tmp_path / "r.xlsx", family()))
    assert _since(store, "37158110900100001") == [("刘玉哲", dt.date.today().isoformat(), None)]


def test_a_changed_cadre_is_counted_and_the_old_pairing_ends(tmp_path, store):
    first = (family("37158110900100001", 帮扶时间="2018-03-01")
             + family("37158110900100002", head_name="王大力", 帮扶时间="2018-03-01")
             + family("37158110900100003", head_name="赵四", 帮扶时间="2018-03-01"))
    import_roster(store, write_roster(tmp_path / "1.xlsx", first, headers=WITH_SINCE))
    second = (family("37158110900100001", 帮扶责任人="王海", 帮扶时间="2020-01-15")
              + family("37158110900100002", head_name="王大力", 帮扶责任人="李强", 帮扶时间="2020-02-01")
              + family("37158110900100003", head_name="赵四", 帮扶时间="2018-03-01"))
    result = import_roster(store, write_roster(tmp_path / "2.xlsx", second, headers=WITH_SINCE))
    assert result.cadres_changed == 2
    assert "更换帮扶责任人 2 户" in result.summary()
    assert result.to_json()["cadres_changed"] == 2
    assert _since(store, "37158110900100001") == [("王海", "2020-01-15", None), ("刘玉哲", "2018-03-01", "2020-01-15")]
    assert _since(store, "37158110900100003") == [("刘玉哲", "2018-03-01", None)]
    # The same roster again changes nobody's cadre.
    again = import_roster(store, write_roster(tmp_path / "3.xlsx", second, headers=WITH_SINCE))
    assert again.cadres_changed == 0 and "更换帮扶责任人" not in again.summary()


def test_a_bad_or_disagreeing_date_is_a_bad_row(tmp_path, store):
    rows = family("37158110900100001", 帮扶时间="明年") + family("37158110900100002", head_name="王大力",
                                                                帮扶时间="2018-03-01")
    rows[4]["帮扶时间"] = "2019-03-01"  # the same household, another date
    result = import_roster(store, write_roster(tmp_path / "r.xlsx", rows, headers=WITH_SINCE), skip_bad_rows=True)
    reasons = {(b.row, b.column): b.reason for b in result.bad_rows}
    assert any(col == "帮扶时间" and "明年" in why and "2018-03-01" in why for (_, col), why in reasons.items())
    assert any(col == "帮扶时间" and "2018-03-01" in why and "2019-03-01" in why for (_, col), why in reasons.items())
    future = family("37158110900100009", 帮扶时间=(dt.date.today() + dt.timedelta(days=40)).isoformat())
    result = import_roster(store, write_roster(tmp_path / "f.xlsx", future, headers=WITH_SINCE), skip_bad_rows=True)
    assert result.bad_rows and all(b.column == "帮扶时间" for b in result.bad_rows)


def test_the_command_takes_the_clerks_date(tmp_path):
    db = tmp_path / "c.db"
    path = write_roster(tmp_path / "r.xlsx", family())
    rc, out, err = run_cli("--db", str(db), "import-roster", str(path), "--paired-since", "2019-04-01", "--json")
    assert rc == 0, err
    assert json.loads(out)["cadres_changed"] == 0
    rc, out, err = run_cli("--db", str(db), "import-roster", str(path), "--paired-since", "2019-13-01")
    assert rc != 0 and "2019-13-01" in err


def test_the_export_carries_the_start_date_back(tmp_path, store):
    from cadre_desk.roster import export_roster

    import_roster(store, write_roster(tmp_path / "r.xlsx", family(帮扶时间="2018-03-01"), headers=WITH_SINCE))
    export_roster(store, tmp_path / "out.xlsx")
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(tmp_path / "out.xlsx")).get_sheet_by_index(0).to_python()
    header = [str(c) for c in rows[0]]
    assert "帮扶时间" in header
    assert rows[1][header.index("帮扶时间")] in ("2018-03-01", dt.date(2018, 3, 1), dt.datetime(2018, 3, 1))



def test_asked_to_tell_the_import_stops_before_writing_when_the_date_is_missing(tmp_path, store):
    """The window's import (``ask_paired_since``) stops, writing nothing, when a
    member list names cadres without a start-date column and no date was
    given; a file with the column, or without cadres, or a given date, imports."""
    import pytest

    from cadre_desk.roster import PairingDateNeeded, import_files

    without = write_roster(tmp_path / "without.xlsx", family())
    with_since = write_roster(tmp_path / "with.xlsx", family("37158110900100002", head_name="王大力",
                                                             帮扶时间="2018-03-01"), headers=WITH_SINCE)
    with pytest.raises(PairingDateNeeded) as info:
        import_files(store, [with_since, without], ask_paired_since=True)  # one file of several is enough
    assert "without.xlsx" in info.value.message and "帮扶时间" in info.value.message
    assert store.db.execute("SELECT count(*) FROM households").fetchone()[0] == 0  # all or nothing

    alias = write_roster(tmp_path / "alias.xlsx", family("37158110900100003", head_name="赵四",
                                                         结对时间="2018-03-01"), headers=[*HEADERS, "结对时间"])
    no_cadre = write_roster(tmp_path / "none.xlsx", family("37158110900100004", head_name="钱五"),
                            headers=[h for h in HEADERS if h != "帮扶责任人"])
    assert import_files(store, [with_since, alias, no_cadre], ask_paired_since=True).written
    result = import_files(store, [without], ask_paired_since=True, paired_since=dt.date(2019, 4, 1))
    assert result.written and result.pairings_dated_today == 0
    assert _since(store, "37158110900100001") == [("刘玉哲", "2019-04-01", None)]
    assert _since(store, "37158110900100003") == [("刘玉哲", "2018-03-01", None)]
