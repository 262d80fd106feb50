"""The demo's recommendations (three openings each time, domain.md §4), applications and the
outcome of each offer, in the words of the jobs area's status machine."""

from __future__ import annotations

import datetime as dt

from .vocabulary import ABLE, OFFER_HIRED, OFFER_OPEN, OFFER_REJECTED


class JobOffers:
    """The builder's job offers (mixed into ``builder.DemoBuilder``)."""

    def _jobs(self, households: list[dict], openings: list[dict]) -> None:
        r = self.rng
        able = [(h, m) for h in households for m in h["members"]
                if 16 <= m["age"] < 60 and m["labour_ability"] in ABLE
                and m.get("school_status") in (None, "非在校生")]
        if not able or len(openings) < 3:
            return
        chosen = r.sample(able, max(1, round(len(able) * 0.25)))
        hired_any = False
        for i, (h, m) in enumerate(chosen):
            rec_day = self.days_ago(15, 240)
            rec_s, age = rec_day.isoformat(), m["age"]
            valid = [o for o in openings if o["valid_from"] <= rec_s <= o["valid_until"]
                     and o["age_min"] <= age <= o["age_max"]]
            if len(valid) < 3:
                valid = openings
            offered = r.sample(valid, 3)  # three openings each time (domain.md §4)
            rec = self.add("recommendations", {"member_id": m["id_ref"], "recommended_on": rec_day.isoformat(),
                                               "by_user": "", "note": None})
            applies = self.chance(0.45) or (i == len(chosen) - 1 and not hired_any)
            target = r.randrange(3) if applies else None
            for rank, o in enumerate(offered, start=1):
                status, status_on, reason = "推荐", rec_day, None
                if target is not None and rank - 1 == target:
                    applied_on = rec_day + dt.timedelta(days=r.randint(1, 10))
                    self.add("applications", {"member_id": m["id_ref"], "opening_id": o["id"],
                                              "applied_on": applied_on.isoformat(), "note": None})
                    if self.chance(0.8) or (i == len(chosen) - 1 and not hired_any):
                        hired_any = True
                        status = r.choices(OFFER_HIRED, weights=(70, 20, 10))[0]
                        status_on = applied_on + dt.timedelta(days=r.randint(2, 5))
                        if status != "离岗":
                            income = _monthly(o)
                            self.set_employed(m, o["route"], h["village"], employer=o["enterprise"], income=income)
                            if o["route"] == "公益性岗位":
                                m["post"] = o["title"]
                    else:
                        status, status_on, reason = OFFER_REJECTED, applied_on + dt.timedelta(days=r.randint(3, 10)), \
                            r.choice(("岗位已招满", "年龄不符合要求", "试岗后企业未录用"))
                elif target is not None or self.chance(0.3):
                    status, status_on = OFFER_REJECTED, rec_day + dt.timedelta(days=r.randint(1, 10))
                    reason = "本人放弃：" + r.choice(("离家太远", "工资太低", "需要照顾家人", "已选其他岗位"))
                elif self.chance(0.3):
                    status, status_on = r.choice(OFFER_OPEN[1:]), rec_day + dt.timedelta(days=r.randint(1, 10))
                self.add("offers", {"recommendation_id": rec, "member_id": m["id_ref"], "opening_id": o["id"],
                                    "rank": rank, "reason": _offer_reason(o, m), "status": status,
                                    "status_reason": reason,
                                    "status_on": min(status_on, self.as_of).isoformat() if status_on else None})


def _monthly(opening: dict) -> int:
    unit, pay = opening["pay_unit"], opening["pay"]
    if unit == "元/天":
        return int(round(pay * 22, -2))
    if unit == "计件":
        return int(opening.get("monthly_pay_estimate") or 1500)
    return int(pay)




def _offer_reason(opening: dict, m: dict) -> str:
    if opening["route"] == "居家就业":
        return "可在家做，时间自由"
    if opening["route"] == "公益性岗位":
        return "在本村本镇，体力要求低"
    if opening["route"] == "劳务输出":
        return "收入较高，包吃住"
    return "离家近，工资稳定"
