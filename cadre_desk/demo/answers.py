"""Each demo person's answers (health and disability, labour capacity, schooling, work, the
survey) and each household's income and causes of poverty."""

from __future__ import annotations

from .vocabulary import (ABLE, CHANNELS_ABLE, CHANNELS_WEAK, INCOME_OF_INTENTION, INTENTION_OF_CHANNEL,
                         PLACES_OF_INTENTION, WEAK, WORK_STATUS_OF_CHANNEL)


class Answers:
    """The builder's answers (mixed into ``builder.DemoBuilder``)."""

    def _health_and_labour(self, m: dict, kind: str) -> None:
        age = m["age"]
        if m.get("force_disabled"):
            p_disabled = 1.0
        elif kind == "single_adult":
            p_disabled = 0.4
        else:
            p_disabled = 0.03 if age < 16 else 0.09 if age < 60 else 0.16 if age < 70 else 0.22
        health: list[str] = []
        grade = None
        if self.chance(p_disabled):
            health.append("残疾")
            m["disability_category"] = self.pick({"肢体": 40, "视力": 12, "听力": 12, "言语": 4, "智力": 14,
                                                  "精神": 12, "多重": 6})
            grade = self.pick({"一级": 10, "二级": 25, "三级": 30, "四级": 35})
            m["disability_grade"] = grade
            # 残疾人证号: the ID number, then the category's and the grade's digit.
            m["disability_certificate"] = (m["id_number"] + str("视力听力言语肢体智力精神多重".index(
                m["disability_category"]) // 2 + 1) + str("一二三四".index(grade[0]) + 1))
        if age >= 16 and self.chance(0.08 if age < 60 else 0.4):
            health.append("长期慢性病")
        if age >= 16 and self.chance(0.03 if age < 60 else 0.07):
            health.append("患有大病")
        m["health"] = health or ["健康"]
        self._education(m)
        student = m.get("school_status") not in (None, "非在校生")
        if age < 16 or (student and age < 18):
            labour = "无劳动力"
        elif student:
            labour = "无劳动力"  # a student is not counted as labour (national check rule)
        elif age < 60:
            if grade in ("一级", "二级") or ("患有大病" in health and self.chance(0.6)):
                labour = "丧失劳动力"
            elif grade or "患有大病" in health or ("长期慢性病" in health and self.chance(0.5)):
                labour = WEAK
            else:
                # A healthy person is not 弱劳动力 (national check rule); a chronic illness may make one.
                labour = self.pick({"普通劳动力": 70, "技能劳动力": 22, **({} if not health else {WEAK: 8})})
        elif age < 70:
            labour = "丧失劳动力" if health != ["健康"] and self.chance(0.6) else \
                self.pick({"普通劳动力": 30, WEAK: 50, "丧失劳动力": 20})
        else:
            labour = self.pick({"丧失劳动力": 70, "无劳动力": 30})
        m["labour_ability"] = labour
        m["ethnicity"] = "回族" if self.chance(0.05) else "汉族"

    def _education(self, m: dict) -> None:
        age, born = m["age"], m["born"]
        grades_mid = ("七年级", "八年级", "九年级")
        if age < 6:
            m["education"] = "学龄前儿童"
            m["school_status"] = "学前教育" if age >= 3 else None
        elif age < 12:
            m["school_status"] = "小学"
        elif age < 15:
            m["school_status"] = grades_mid[age - 12]
        elif age < 18:
            if self.chance(0.9):
                track = "高中" if self.chance(0.7) else "中职"
                m["school_status"] = f"{track}{'一二三'[age - 15]}年级"
            else:
                m["education"], m["school_status"] = "初中", "非在校生"
        elif age < 21 and self.chance(0.3):
            m["education"] = "高中"
            m["school_status"] = self.rng.choice(("高职一年级", "高职二年级", "高职三年级", "大专及以上"))
        else:
            if born.year >= 1985:
                levels = {"初中": 50, "高中": 30, "大专及以上": 8, "小学": 12}
            elif born.year >= 1960:
                levels = {"小学": 35, "初中": 45, "高中": 10, "文盲或半文盲": 10}
            else:
                levels = {"文盲或半文盲": 45, "小学": 45, "初中": 10}
            if m.get("disability_category") in ("智力", "多重"):
                levels = {"文盲或半文盲": 80, "小学": 20}
            m["education"], m["school_status"] = self.pick(levels), "非在校生"

    def _employment(self, m: dict, village: dict) -> None:
        age, labour = m["age"], m["labour_ability"]
        student = m.get("school_status") not in (None, "非在校生")
        channel = None
        if 16 <= age < 60 and not student:
            if labour in ABLE and self.chance(0.45 if labour == WEAK else 0.64):
                channel = self.pick(CHANNELS_WEAK if labour == WEAK else CHANNELS_ABLE)
            else:
                m["employment_status"] = "未就业"
        elif 60 <= age < 72 and labour in ABLE and self.chance(0.18):
            channel = "公益性岗位" if self.chance(0.7) else "灵活就业"
        if channel:
            self.set_employed(m, channel, village)

    def set_employed(self, m: dict, channel: str, village: dict, *, employer: str | None = None,
                     income: int | None = None) -> None:
        r = self.rng
        m.update(employment_status="已就业", employment_channel=channel, people_employed=None)
        if channel == "自主创业":
            business, skill = r.choice(self.words["self_employment"])
            m["employer"] = employer or f"{m['name']}{business}"
            m["people_employed"] = r.choices((0, 1, 2, 3), weights=(72, 16, 8, 4))[0]
            m["business_skill"] = skill
            low, high = 1500, 5000
        elif channel == "公益性岗位":
            m["post"] = r.choice(self.words["public_welfare_posts"])
            m["employer"] = employer or m["post"]  # as jobs.measures.add_public_welfare_post records it
            low, high = 300, 500
        elif channel == "劳务输出":
            m["employer"] = employer or r.choice(self.words["out_of_county_employers"])[0]
            low, high = 3500, 5500
        elif channel == "灵活就业":
            m["employer"] = employer or r.choice(self.words["flexible_work"])
            low, high = 1200, 2500
        elif channel in ("扶贫车间", "居家就业"):
            m["employer"] = employer or f"{village['name']}{r.choice(('劳保手套', '毛绒玩具', '服装加工'))}扶贫车间"
            low, high = 1000, 3000
        else:
            m["employer"] = employer or f"临清市{r.choice(self.words['firm_words'])}" \
                                        f"{r.choice(('轴承', '电子', '服饰', '机械'))}有限公司"
            low, high = 2500, 4000
        m["monthly_income"] = income or r.randrange(low, high + 1, 100)
        statuses = WORK_STATUS_OF_CHANNEL.get(channel)
        if statuses:
            m["work_status"], m["work_months"] = r.choice(statuses), r.randint(3, 12)
            m["work_company"] = m["employer"]
        else:
            m["work_status"] = m["work_months"] = m["work_company"] = None

    def _survey(self, m: dict, family: list[dict], surveyed: bool) -> None:
        age = m["age"]
        student = m.get("school_status") not in (None, "非在校生")
        disabled = "残疾" in m["health"]
        in_scope = 16 <= age < 65 and not student
        if not (surveyed and in_scope):
            if disabled:  # the register itself records why a disabled person cannot leave home
                m["stay_home_reasons"] = ["本人残疾"]
            return
        r = self.rng
        m["surveyed_at"] = self.days_ago(5, 180).isoformat()
        channel = m.get("employment_channel")
        if channel:
            intention = INTENTION_OF_CHANNEL[channel] if channel != "灵活就业" else \
                r.choice(("县内企业就业", "外出务工"))
        elif m["labour_ability"] in ABLE:
            intention = self.pick({"县内企业就业": 30, "外出务工": 15, "居家就业": 20, "自主创业": 5,
                                   "公益性岗位": 15, "暂无意愿": 15})
        else:
            intention = self.pick({"暂无意愿": 70, "居家就业": 20, "公益性岗位": 10})
        m["job_intention"] = intention
        if intention != "暂无意愿":
            options = PLACES_OF_INTENTION[intention]
            m["accepted_places"] = options[: r.randint(1, len(options))]
            low, high = INCOME_OF_INTENTION[intention]
            m["expected_income"] = r.randrange(low, high + 1, 100)
        if intention == "居家就业" or disabled:
            reasons = []
            if disabled:
                reasons.append("本人残疾")
            if set(m["health"]) & {"长期慢性病", "患有大病"}:
                reasons.append("本人患病")
            if any(o is not m and o["age"] < 12 for o in family):
                reasons.append("照看孩子")
            if any(o is not m and (o["age"] >= 70 or o["health"] != ["健康"]) for o in family):
                reasons.append("照料老人或病人")
            if age >= 50:
                reasons.append("年龄偏大")
            m["stay_home_reasons"] = reasons[:2] or ["其他"]
        male_skills = ["建筑", "驾驶", "电工", "焊工", "种植", "养殖"]
        female_skills = ["缝纫", "手工编织", "家政", "种植", "电子组装"]
        pool = male_skills if m["sex"] == "男" else female_skills
        if age < 35:
            pool = pool + ["电商"]
        skills = r.sample(pool, r.choices((0, 1, 2), weights=(35, 45, 20))[0])
        if m.get("business_skill") and m["business_skill"] not in skills:
            skills.append(m["business_skill"])
        m["skills"] = skills or None
        level = self.pick({"无": 70, "初级工": 18, "中级工": 9, "高级工及以上": 3}) if skills else "无"
        m["skill_level"] = level
        if level != "无":
            m["skill_certificate"] = self.chance(0.6)
        willing = self.chance(0.55)
        m["training_willing"] = willing
        if willing:
            courses = ["缝纫", "电子组装", "电工", "焊工", "驾驶", "厨师", "家政", "养老护理", "育婴", "手工编织",
                       "种植", "养殖", "电商", "创业培训"]
            m["training_needs"] = r.sample(courses, r.randint(1, 2))

    def _household_income(self, hh: dict, members: list[dict]) -> None:
        r = self.rng
        wage = sum((m.get("monthly_income") or 0) * (m.get("work_months") or 10)
                   for m in members if m.get("employment_channel") not in (None, "自主创业"))
        business = sum((m.get("monthly_income") or 0) * 10 for m in members if m.get("employment_channel") == "自主创业")
        business += r.randrange(500, 4000, 100)  # the family's own plot
        elderly = sum(1 for m in members if m["age"] >= 60)
        dibao = r.randrange(2400, 4200, 120) * len(members) if hh["attribute"] == "低保贫困户" else 0
        tekun = r.randrange(4800, 6600, 120) if hh["attribute"] == "特困供养贫困户" else 0
        pension = elderly * r.randrange(1416, 1800, 12)
        eco = r.choice((0, 0, 0, 120, 240))
        other = r.choice((0, 0, 300, 500, 800))
        hh.update(wage_income=float(wage), business_income=float(business),
                  property_income=float(r.choice((0, 0, 0, 200, 400))),
                  transfer_income=float(dibao + tekun + pension + eco + other), dibao_income=float(dibao),
                  tekun_income=float(tekun), pension_income=float(pension), eco_income=float(eco),
                  other_transfer_income=float(other),
                  business_expense=float(round(business * r.uniform(0.1, 0.35), -1)))
        causes = {"因病": 30, "因残": 22, "缺劳力": 10, "缺技术": 10, "缺资金": 8, "因学": 4, "因灾": 3,
                  "自身发展动力不足": 4, "缺土地": 2, "交通条件落后": 1, "其他": 2}
        if any("残疾" in m["health"] for m in members):
            causes["因残"] += 60
        if any(set(m["health"]) & {"长期慢性病", "患有大病"} for m in members):
            causes["因病"] += 60
        if any(m.get("school_status") not in (None, "非在校生", "学前教育") and m["age"] >= 15 for m in members):
            causes["因学"] += 20
        if all(m["age"] >= 60 or m["age"] < 16 for m in members):
            causes["缺劳力"] += 40
        main = self.pick(causes)
        hh["main_cause"] = main
        rest = [c for c in causes if c != main]
        k = r.choices((0, 1, 2), weights=(40, 40, 20))[0]
        hh["other_causes"] = r.sample(rest, k) or None
