"""Who lives in each demo household: the kinds of household of domain.md §9 (many elderly
one- and two-person households), their members, and the household's own row."""

from __future__ import annotations

from collections import defaultdict


class Families:
    """The builder's families (mixed into ``builder.DemoBuilder``)."""

    def _households(self, villages: list[dict]) -> list[dict]:
        kinds = {"elderly_single": 15, "elderly_couple": 18, "nuclear": 35, "three_gen": 17,
                 "elder_with_disabled_child": 10, "single_adult": 5}
        households = []
        per_village: dict[str, int] = defaultdict(int)
        for _ in range(self.n):
            village = self.rng.choice(villages)
            kind = self.pick(kinds)
            members = self._family(kind)
            number = None
            while number is None or number in self.numbers_taken:
                per_village[village["id"]] += 1
                number = f"{village['code']}{per_village[village['id']]:05d}"
            self.numbers_taken.add(number)
            hh = self._household_fields(kind, members, village, number)
            surveyed = self.chance(0.6)
            for m in members:
                self._health_and_labour(m, kind)
            for m in members:
                self._employment(m, village)
                self._survey(m, members, surveyed)
            self._household_income(hh, members)
            hid = self.add("households", hh)
            for m in members:
                m["household_id"] = hid
            households.append({"id": hid, "row": hh, "members": members, "village": village, "kind": kind})
        return households

    def _person(self, relation: str, sex: str, age: int, surname: str | None = None, *,
                married_in: bool = False) -> dict:
        born = self.birth_date(age)
        surname = surname or self.surname()
        return {"id_ref": self.new_id(), "relation": relation, "sex": sex, "age": age, "born": born,
                "surname": surname,
                "name": self.name(surname, sex, born),
                "id_number": self.id_number(born, sex, married_in=married_in)}

    def _children(self, mother_age: int, surname: str, kinds=("之子", "之女"), *, n: int | None = None) -> list[dict]:
        n = n if n is not None else self.rng.choices((1, 2, 3), weights=(45, 40, 15))[0]
        out = []
        for _ in range(n):
            age = mother_age - self.rng.randint(21, 34)
            if age < 0:
                continue
            son = self.chance(0.52)
            out.append(self._person(kinds[0] if son else kinds[1], "男" if son else "女", age, surname))
        return out

    def _family(self, kind: str) -> list[dict]:
        r = self.rng
        if kind == "elderly_single":
            sex = "女" if self.chance(0.6) else "男"
            return [self._person("户主", sex, r.randint(62, 88))]
        if kind == "elderly_couple":
            head = self._person("户主", "男", r.randint(62, 85))
            return [head, self._person("配偶", "女", head["age"] - r.randint(0, 5), married_in=True)]
        if kind == "single_adult":
            return [self._person("户主", "男" if self.chance(0.75) else "女", r.randint(32, 59))]
        if kind == "elder_with_disabled_child":
            head = self._person("户主", "男" if self.chance(0.6) else "女", r.randint(58, 80))
            family = [head]
            if head["sex"] == "男" and self.chance(0.5):
                family.append(self._person("配偶", "女", head["age"] - r.randint(0, 4), married_in=True))
            child = self._children(head["age"] if head["sex"] == "女" else head["age"] - 2, head["surname"]
                                   if head["sex"] == "男" else self.surname(), n=1)
            for c in child:
                c["force_disabled"] = True
            return family + child
        if kind == "nuclear":
            widowed = self.chance(0.12)
            head = self._person("户主", "女" if widowed and self.chance(0.6) else "男", r.randint(30, 56))
            family = [head]
            mother_age = head["age"]
            if not widowed:
                spouse = self._person("配偶", "女" if head["sex"] == "男" else "男",
                                      head["age"] - r.randint(-1, 5), married_in=True)
                family.append(spouse)
                mother_age = spouse["age"] if spouse["sex"] == "女" else head["age"]
            surname = head["surname"] if head["sex"] == "男" else self.surname()
            family += self._children(mother_age, surname)
            if self.chance(0.2):  # a widowed parent of the head lives with them
                sex = "女" if self.chance(0.7) else "男"
                family.append(self._person("之母" if sex == "女" else "之父", sex,
                                           head["age"] + r.randint(22, 32),
                                           head["surname"] if sex == "男" else None))
            return family
        # three generations: the head and spouse, a married son with his wife, grandchildren
        head = self._person("户主", "男", r.randint(50, 72))
        family = [head]
        if self.chance(0.75):
            family.append(self._person("配偶", "女", head["age"] - r.randint(0, 5), married_in=True))
        son = self._person("之子", "男", head["age"] - r.randint(22, 30), head["surname"])
        family.append(son)
        if self.chance(0.85):
            wife = self._person("之儿媳", "女", son["age"] - r.randint(-1, 4), married_in=True)
            family.append(wife)
            family += self._children(wife["age"], head["surname"], ("之孙子", "之孙女"),
                                     n=r.choices((1, 2), weights=(55, 45))[0])
        if self.chance(0.25):
            age = son["age"] - r.randint(1, 6)
            if age >= 0:
                family.append(self._person("之女", "女", age, head["surname"]))
        return family

    def _household_fields(self, kind: str, members: list[dict], village: dict, number: str) -> dict:
        head = members[0]
        if kind == "elderly_single":
            attribute = self.pick({"特困供养贫困户": 40, "低保贫困户": 40, "一般贫困户": 20})
        else:
            attribute = self.pick({"一般贫困户": 55, "低保贫困户": 40, "特困供养贫困户": 5})
        status = self.pick({"已脱贫（享受政策）": 80, "未脱贫": 12, "已脱贫（不再享受政策）": 6, "返贫": 2})
        return {"village_id": village["id"], "number": number, "head_name": head["name"],
                "head_id_number": head["id_number"], "group_name": f"{self.rng.randint(1, 8)}组",
                "size": len(members), "phone": self.phone(), "attribute": attribute, "poverty_status": status,
                "questionnaire_version": self.q.version}
