"""The demo's enterprises and their openings, in the trades of domain.md §9: bearings around 烟店镇,
pickles and vegetables in 大辛庄, gloves, garments, toys and electronics elsewhere, labour export
through HR agencies, and the towns' public-welfare posts."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

from .vocabulary import ABLE, NEW_CODE


class Enterprises:
    """The builder's enterprises (mixed into ``builder.DemoBuilder``)."""

    def _enterprises(self, towns: list[dict], villages: list[dict]) -> tuple[list[str], list[dict]]:
        by_name = {t["name"]: t for t in towns}
        villages_of = defaultdict(list)
        for v in villages:
            villages_of[v["town_id"]].append(v)
        firm_words = list(self.words["firm_words"])
        self.rng.shuffle(firm_words)
        used_names: set[str] = set()
        enterprises: list[str] = []
        openings: list[dict] = []

        def firm_word() -> str:
            return firm_words[len(used_names) % len(firm_words)]

        def enterprise(name: str, town: dict, workshop: bool) -> tuple[str, str]:
            base, k = name, 2
            while name in used_names:
                name, k = f"{base}（{k}）", k + 1
            used_names.add(name)
            eid = self.add("enterprises", {"name": name, "town_id": town["id"], "contact": self.name(
                self.surname(), self.rng.choice("男女"), dt.date(1975, 1, 1)), "phone": self.phone(),
                "is_workshop": int(workshop)})
            enterprises.append(eid)
            return eid, name

        def opening(eid: str, ename: str, town: dict, village: dict | None, title: str, route: str,
                    pay: tuple[float, float], unit: str = "元/月", *, skills=(), abilities=ABLE[:2],
                    disabled=False, home=False, demands="一般体力", hours="8:00-17:00", ages=(18, 55),
                    province="370000", location=None, estimate=None) -> None:
            low, high = pay
            if unit == "计件":
                amount = round(self.rng.uniform(low, high), 2)  # 元 per piece
            elif unit == "元/天":
                amount = float(self.rng.randint(int(low), int(high)))
            else:
                amount = float(self.rng.randrange(int(low), int(high) + 1, 100))
            if self.chance(0.3):
                until = self.days_ago(10, 200)  # expired: the county must renew or retire it
            else:
                until = self.as_of + dt.timedelta(days=self.rng.randint(30, 365))
            row = {
                "enterprise_id": eid, "title": title, "route": route,
                # Work placed outside the county (labour export) is located there, not at
                # the agency's town, so that matching judges the distance right.
                "village_id": village["id"] if village and location is None else None,
                "town_id": town["id"] if location is None else None,
                "county_code": NEW_CODE if province == "370000" and location is None else None,
                "province_code": province,
                "location": location or f"临清市{town['name']}{village['name'] if village else ''}",
                "pay": amount, "pay_unit": unit, "hours": hours, "places": self.rng.randint(2, 30),
                "min_education": self.rng.choice((None, None, "小学", "初中")),
                "labour_abilities": json.dumps(list(abilities), ensure_ascii=False), "age_min": ages[0],
                "age_max": ages[1], "skills": json.dumps(list(skills), ensure_ascii=False),
                "physical_demands": demands, "suitable_disabled": int(disabled), "suitable_home_bound": int(home),
                "valid_from": (until - dt.timedelta(days=self.rng.randint(200, 500))).isoformat(),
                "valid_until": until.isoformat(),
                "description": f"{ename}招聘{title}，{_pay_text(amount, unit)}。",
            }
            if self._has_estimate:
                row["monthly_pay_estimate"] = estimate
            row_id = self.add("openings", row)
            openings.append({"id": row_id, **row, "enterprise": ename})

        self._has_estimate = "monthly_pay_estimate" in self.store.db["openings"].columns_dict
        extra = self.n // 60
        others = [t for t in towns if t["name"] not in ("烟店镇", "大辛庄街道")]

        def village_in(town: dict) -> dict | None:
            return self.rng.choice(villages_of[town["id"]]) if villages_of[town["id"]] else None

        # Bearings around 烟店镇: factories and a village workshop.
        yandian = by_name.get("烟店镇", towns[0])
        for _ in range(2 + extra // 3):
            eid, name = enterprise(f"临清市{firm_word()}轴承有限公司", yandian, False)
            opening(eid, name, yandian, None, "轴承装配工", "企业就业", (3000, 4000), skills=["其他"])
            opening(eid, name, yandian, None, "轴承磨工", "企业就业", (3200, 4200), abilities=["技能劳动力"])
        v = village_in(yandian)
        eid, name = enterprise(f"{v['name']}轴承滚子分拣扶贫车间", yandian, True)
        opening(eid, name, yandian, v, "轴承滚子分拣工", "扶贫车间", (1800, 2600), abilities=ABLE, disabled=True,
                demands="轻体力，坐姿")
        # Pickles and greenhouse vegetables in 大辛庄.
        daxin = by_name.get("大辛庄街道", towns[0])
        for _ in range(1 + extra // 4):
            eid, name = enterprise(f"临清{firm_word()}酱菜厂", daxin, False)
            opening(eid, name, daxin, None, "酱菜腌制工", "企业就业", (2500, 3200))
            opening(eid, name, daxin, None, "酱菜分拣包装工", "扶贫车间", (1500, 2400), abilities=ABLE,
                    disabled=True, demands="轻体力")
            v = village_in(daxin)
            eid, name = enterprise(f"大辛庄{firm_word()}蔬菜种植专业合作社", daxin, True)
            opening(eid, name, daxin, v, "大棚蔬菜采摘工", "扶贫车间", (80, 90), "元/天", skills=["种植"],
                    abilities=ABLE, ages=(18, 65), hours="6:00-11:00，农忙加班")
        # Gloves, garments, plush toys and electronics across the other towns.
        for i in range(4 + extra):
            town = others[i % len(others)] if others else towns[0]
            v = village_in(town)
            trade = i % 4
            if trade == 0 and v:
                eid, name = enterprise(f"{v['name']}劳保手套扶贫车间", town, True)
                opening(eid, name, town, v, "劳保手套缝制工", "扶贫车间", (1500, 2500), skills=["缝纫"],
                        abilities=ABLE, disabled=True, demands="轻体力，坐姿", hours="8:00-17:00，可弹性")
                opening(eid, name, town, v, "劳保手套来料加工（计件）", "居家就业", (0.3, 0.5), "计件",
                        abilities=ABLE, disabled=True, home=True, demands="轻体力", hours="在家，时间自由",
                        ages=(16, 70), estimate=float(self.rng.randrange(1200, 1900, 100)))
            elif trade == 1:
                eid, name = enterprise(f"临清市{firm_word()}服饰有限公司", town, False)
                opening(eid, name, town, None, "服装缝纫工", "企业就业", (2800, 3800), skills=["缝纫"])
                if v:
                    opening(eid, name, town, v, "服装锁边工（村扶贫车间）", "扶贫车间", (1600, 2600),
                            skills=["缝纫"], abilities=ABLE, disabled=True, demands="轻体力，坐姿")
            elif trade == 2 and v:
                eid, name = enterprise(f"{v['name']}毛绒玩具扶贫车间", town, True)
                opening(eid, name, town, v, "毛绒玩具缝合工", "扶贫车间", (1200, 2200), skills=["缝纫"],
                        abilities=ABLE, disabled=True, demands="轻体力，坐姿")
                opening(eid, name, town, v, "毛绒玩具手工填充（计件）", "居家就业", (0.8, 1.5), "计件",
                        abilities=ABLE, disabled=True, home=True, demands="轻体力", hours="在家，时间自由",
                        ages=(16, 70), estimate=float(self.rng.randrange(1000, 1800, 100)))
            else:
                eid, name = enterprise(f"临清市{firm_word()}电子有限公司", town, False)
                opening(eid, name, town, None, "电子组装工", "企业就业", (2600, 3600), skills=["电子组装"])
        # Organised labour export through HR agencies.
        home_town = by_name.get("青年路街道", towns[0])
        for _ in range(1 + extra // 4):
            eid, name = enterprise(f"临清市{firm_word()}人力资源服务有限公司", home_town, False)
            for employer, province, location in self.rng.sample(self.words["out_of_county_employers"], 2):
                opening(eid, name, home_town, None, f"{employer}普工", "劳务输出", (3800, 5200),
                        province=province, location=location, hours="两班倒，包吃住", ages=(18, 50))
        # Public-welfare posts offered by town governments.
        for town in self.rng.sample(towns, min(len(towns), 4 + extra // 2)):
            eid, name = enterprise(f"临清市{town['name']}人民政府", town, False)
            post = self.rng.choice(self.words["public_welfare_posts"])
            opening(eid, name, town, village_in(town), post, "公益性岗位", (300, 500), abilities=ABLE,
                    disabled=True, demands="轻体力", hours="每天2-4小时", ages=(16, 70))
        return enterprises, openings


def _pay_text(amount: float, unit: str) -> str:
    if unit == "计件":
        return f"计件工资，每件 {amount:.2f} 元"
    return f"工资 {amount:,.0f} {unit}"
