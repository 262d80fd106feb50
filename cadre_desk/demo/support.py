"""The demo's cadres, their pairings with households (a few changes of cadre kept in the
history), visits, and the measures and subsidies of employed and trained people."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from .draws import _add_months, _month_starts


class Support:
    """The builder's support (mixed into ``builder.DemoBuilder``)."""

    def _cadres(self, towns: list[dict], households: list[dict]) -> dict[str, list[str]]:
        by_town = defaultdict(int)
        for h in households:
            by_town[h["village"]["town_id"]] += 1
        units = self.words["cadre_units"]
        cadres: dict[str, list[str]] = {}
        for town in towns:
            k = max(1, round(by_town[town["id"]] / 6))
            ids = []
            for _ in range(k):
                roll = self.rng.random()
                if roll < 0.65:
                    unit, level = self.rng.choice(units)
                elif roll < 0.9:
                    unit, level = f"临清市{town['name']}人民政府", "乡镇"
                else:
                    unit, level = f"{town['name']}村民委员会", "村级"
                sex = "男" if self.chance(0.6) else "女"
                ids.append(self.add("cadres", {"name": self.name(self.surname(), sex, dt.date(1980, 1, 1)),
                                               "unit": unit, "level": level, "phone": self.phone()}))
            cadres[town["id"]] = ids
        return cadres

    def _pairings_and_visits(self, households: list[dict], cadres: dict[str, list[str]]) -> None:
        r = self.rng
        contents, solved = self.words["visit_contents"], self.words["problems_solved"]
        for h in households:
            pool = cadres[h["village"]["town_id"]]
            first = r.choice(pool)
            since = self.days_ago(500, 1600)
            periods = [(first, since, None)]
            if self.chance(0.12) and len(pool) > 1:  # a change of cadre: the old pairing stays in the history
                second = r.choice([c for c in pool if c != first])
                change = self.day_between(since + dt.timedelta(days=120), self.as_of - dt.timedelta(days=30))
                periods = [(first, since, change), (second, change, None)]
            for cadre, start, until in periods:
                self.add("pairings", {"household_id": h["id"], "cadre_id": cadre, "since": start.isoformat(),
                                      "until": until.isoformat() if until else None})
            h["cadre"] = periods[-1][0]
            for _ in range(r.randint(1, 4)):
                day = self.days_ago(0, 364)
                cadre = next(c for c, s, u in reversed(periods) if s <= day) if day >= since else first
                self.add("visits", {"household_id": h["id"], "cadre_id": cadre, "visit_date": day.isoformat(),
                                    "content": r.choice(contents), "problems_solved": r.choice(solved)})

    def _measures_and_subsidies(self, households: list[dict]) -> None:
        r = self.rng
        year_start = dt.date(self.as_of.year, 1, 1)
        for h in households:
            for m in h["members"]:
                channel = m.get("employment_channel")
                base = {"member_id": m["id_ref"], "household_id": h["id"]}
                if channel == "公益性岗位":
                    start = self.days_ago(60, 900)
                    end = dt.date(self.as_of.year, 12, 31)
                    post = m.get("post") or m.get("employer") or "公益性岗位"
                    # Months up to December of as_of's year; the post ends the day before
                    # the same date that many months on (as jobs.measures counts it).
                    months = (end.year - start.year) * 12 + end.month - start.month + 1
                    end = _add_months(start, months) - dt.timedelta(days=1)
                    self._measure(base, kind="公益性岗位", title=post, start_date=start, end_date=end,
                                  months=months)
                    amount = float(m.get("monthly_income") or 400)
                    for day in _month_starts(start, self.as_of):
                        self.add("subsidies", {**base, "kind": "公益性岗位补贴", "amount_yuan": amount,
                                               "paid_on": day.isoformat(), "paid_to": m["name"],
                                               "note": f"{day.year}年{day.month}月"})
                elif channel == "自主创业":
                    start = self.days_ago(200, 1200)
                    self._measure(base, kind="自主创业", title=m.get("employer") or "自主创业", start_date=start,
                                  business=m.get("employer"), people_employed=m.get("people_employed") or 0)
                    if self.chance(0.5):
                        paid = min(self.as_of, start + dt.timedelta(days=r.randint(190, 300)))
                        self._subsidy(base, m, "一次性创业补贴", float(r.choice((2000, 3000, 5000))), paid)
                elif channel == "劳务输出" and self.chance(0.4):
                    self._subsidy(base, m, "交通补贴", float(r.choice((300, 400, 500))),
                                  self.day_between(max(year_start, self.days_ago(300, 300)), self.as_of))
                if m.get("training_willing") and self.chance(0.25):
                    title, _ = r.choice(self.words["training_courses"])
                    start = self.days_ago(30, 400)
                    done = self.chance(0.8) and start + dt.timedelta(days=20) <= self.as_of
                    self._measure(base, kind="培训", title=title, start_date=start,
                                  end_date=start + dt.timedelta(days=20), completed=int(done),
                                  certificate="结业证书" if done else None)
                    if done:
                        self._subsidy(base, m, "培训补贴", float(r.randrange(800, 1600, 100)),
                                      min(self.as_of, start + dt.timedelta(days=r.randint(25, 60))))

    def _measure(self, base: dict, *, kind: str, title: str, start_date: dt.date, end_date: dt.date | None = None,
                 completed: int | None = None, certificate: str | None = None, business: str | None = None,
                 people_employed: int | None = None, months: int | None = None) -> None:
        self.add("measures", {**base, "kind": kind, "title": title, "start_date": start_date.isoformat(),
                              "end_date": end_date.isoformat() if end_date else None, "completed": completed,
                              "certificate": certificate, "business": business, "people_employed": people_employed,
                              "months": months, "note": None})

    def _subsidy(self, base: dict, m: dict, kind: str, amount: float, paid_on: dt.date) -> None:
        self.add("subsidies", {**base, "kind": kind, "amount_yuan": amount, "paid_on": paid_on.isoformat(),
                               "paid_to": m["name"], "note": None})
