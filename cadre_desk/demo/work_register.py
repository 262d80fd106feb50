"""The demo's part of today's register (shared/domain.md §11): households
under 防止返贫动态监测 (监测户, with category, dates and risks, some cleared)
and work spells month by month, so that the 务工监测 page, the dashboard's
monitoring row and ``work-stats`` have something to show on the demo.

The spells agree with each person's survey answers: everyone 已就业 has an
open spell in their channel with their employer and pay, placed where that
channel works (劳务输出 at the employer's place out of the county, the village
workshops and public-welfare posts at home); some of them had an earlier spell
that ended; some people now 未就业 had a spell that ended a few months ago and
no new one (the cadre's to-do list). So the seed's figures, read from the
answers, do not change.

Monitoring households are drawn only for a reference date from 2021 on (the
register of 监测对象 started then). Spells are written through the one write
path (``spells.save_spells``) after the members exist; their ids are that
path's own, so unlike the other demo rows they differ between two builds.
"""

from __future__ import annotations

import datetime as dt

from .. import months, spells

HOME = "临清市"
MONITORING_SHARE = 0.1  # of the households out of poverty
# 边缘易致贫户 are households that were never registered poor: the demo's
# households all were, so its monitored ones are the other two kinds.
CATEGORIES = {"脱贫不稳定户": 75, "突发严重困难户": 25}
RISKS = {"因病": 40, "因残": 20, "因学": 10, "因意外事故": 10, "因务工就业不稳": 10, "因自然灾害": 5, "缺劳动力": 5}
NEAR_HOME = ("临清市", "临清市", "临清市", "山东省聊城市东昌府区", "山东省聊城市高唐县")


class WorkRegister:
    """The builder's monitoring households and work spells (mixed into ``builder.DemoBuilder``)."""

    def _monitoring(self, households: list[dict]) -> None:
        """Mark some households 监测户 (before the households are encoded)."""
        if self.as_of < dt.date(2021, 1, 1):
            return
        rows = {r["id"]: r for r in self.rows["households"]}
        keys = [f.key for f in self.q.household.fields if f.section == "monitoring"] + ["medical_out_of_pocket"]
        for row in rows.values():  # every row the same columns: they are inserted together
            for key in keys:
                row.setdefault(key, None)
        first = dt.date(2021, 3, 1)
        for h in households:
            row = rows[h["id"]]
            if not str(row.get("poverty_status") or "").startswith("已脱贫") or not self.chance(MONITORING_SHARE):
                continue
            since = self.day_between(first, self.as_of)
            row.update(household_type="监测户", monitoring_category=self.pick(CATEGORIES),
                       monitoring_since=months.of(since), risk_1=self.pick(RISKS))
            if self.chance(0.3):
                second = self.pick(RISKS)
                if second != row["risk_1"]:
                    row["risk_2"] = second
            if "因病" in (row["risk_1"], row.get("risk_2")):  # the check rule asks for the medical bills
                row["medical_out_of_pocket"] = self.rng.randrange(3000, 30001, 100)
            if self.chance(0.45) and (self.as_of - since).days > 120:
                cleared = self.day_between(since + dt.timedelta(days=90), self.as_of)
                row.update(risk_cleared=True, risk_cleared_on=months.of(cleared),
                           risk_clear_method=self.pick({"帮扶消除": 80, "自然消除": 20}))
            else:
                row["risk_cleared"] = False

    def _work_spells(self, households: list[dict]) -> None:
        """Write the spells (after the members exist)."""
        out_of_county = {name: place for name, _province, place in self.words["out_of_county_employers"]}
        rows: list[spells.SpellRow] = []
        for h in households:
            for m in h["members"]:
                first = self._sixteen(m)  # no spell before the person was 16
                if m.get("employment_status") == "已就业" and m.get("employment_channel"):
                    start = max(self._month_back(1, 36), first)
                    rows.append(self._spell(m, start, None, m["employment_channel"], m.get("employer"),
                                            self._place(m, out_of_county), m.get("monthly_income")))
                    if self.chance(0.3):
                        end = months.shift(start, -self.rng.randint(1, 3))
                        begin = months.shift(end, -self.rng.randint(2, 14))
                        if begin >= first:
                            rows.append(self._earlier(m, begin, end))
                elif (m.get("employment_status") == "未就业" and 18 <= m["age"] < 60
                      and m.get("school_status") in (None, "非在校生") and self.chance(0.12)):
                    end = self._month_back(1, 8)
                    begin = months.shift(end, -self.rng.randint(2, 18))
                    if begin >= first:
                        rows.append(self._earlier(m, begin, end))
        if rows:
            result = spells.save_spells(self.store, rows, as_of=self.as_of, follow_status=False)
            if not result.ok:  # a mistake in this module, not in anything a user did
                raise AssertionError(f"demo spell refused: {result.errors[0]}")

    @staticmethod
    def _sixteen(m: dict) -> str:
        born = m["born"]
        return f"{born.year + 16:04d}-{born.month:02d}"

    def _month_back(self, low: int, high: int) -> str:
        return months.shift(months.of(self.as_of), -self.rng.randint(low, high))

    def _place(self, m: dict, out_of_county: dict[str, str]) -> str:
        channel = m["employment_channel"]
        if channel == "劳务输出":
            return out_of_county.get(m.get("employer") or "", "江苏省苏州市昆山市")
        if channel in ("企业就业", "灵活就业"):
            return self.rng.choice(NEAR_HOME)
        return HOME  # workshops, home-based work, public-welfare posts, one's own business

    def _earlier(self, m: dict, start: str, end: str) -> spells.SpellRow:
        """A spell that ended: factory work near home or labour export."""
        if self.chance(0.5):
            name, _province, place = self.rng.choice(self.words["out_of_county_employers"])
            return self._spell(m, start, end, "劳务输出", name, place, self.rng.randrange(3500, 5600, 100))
        firm = f"临清市{self.rng.choice(self.words['firm_words'])}{self.rng.choice(('轴承', '电子', '服饰'))}有限公司"
        return self._spell(m, start, end, "企业就业", firm, HOME, self.rng.randrange(2500, 4100, 100))

    def _spell(self, m: dict, start: str, end: str | None, channel: str, employer: str | None, place: str,
               income) -> spells.SpellRow:
        return spells.SpellRow(member_id=m["id_ref"], start_month=start, end_month=end, channel=channel,
                               employer=employer, place=place, monthly_income=income,
                               point_to_point=channel == "劳务输出" and self.chance(0.4))
