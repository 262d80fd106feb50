"""The demo builder: the order in which the parts run (each draws from the
one random generator, so the order is part of the seed's result) and the
writing of their rows, members through the register's one write path."""

from __future__ import annotations

from .. import register
from ..register import encode
from .answers import Answers
from .draws import Draws
from .enterprises import Enterprises
from .families import Families
from .job_offers import JobOffers
from .support import Support
from .villages import Villages
from .work_register import WorkRegister


class DemoBuilder(Villages, Enterprises, Families, Answers, Support, JobOffers, WorkRegister, Draws):
    """Builds one demo county into a store (``build``)."""

    def build(self) -> dict[str, int]:
        towns = self.store.rows("SELECT * FROM towns WHERE deleted = 0 ORDER BY code")
        villages = self._villages(towns)
        enterprises, openings = self._enterprises(towns, villages)
        households = self._households(villages)
        cadres = self._cadres(towns, households)
        self._pairings_and_visits(households, cadres)
        self._jobs(households, openings)
        self._measures_and_subsidies(households)
        self._monitoring(households)
        self._encode_members(households)
        self._insert()
        self._work_spells(households)
        return {"households": len(households), "members": len(self.member_rows),
                "villages": len(villages), "cadres": sum(len(c) for c in cadres.values()),
                "enterprises": len(enterprises), "openings": len(openings)}

    def _insert(self) -> None:
        order = ("villages", "cadres", "enterprises", "openings", "households", "members", "pairings", "visits",
                 "recommendations", "offers", "applications", "measures", "subsidies")
        for table in order:
            if table == "members":
                self._save_members()
                continue
            rows = self.rows.get(table)
            if not rows:
                continue
            ids = [r.pop("id") for r in rows]
            self.store.insert_many(table, rows, row_ids=ids)

    def _save_members(self) -> None:
        result = register.save_members(self.store, self.member_rows, as_of=self.as_of, surveyed=False)
        refused = [(row, problems) for row, problems, member_id in
                   zip(self.member_rows, result.problems, result.ids) if member_id is None]
        if refused:  # a mistake in this module, not in anything a user did
            row, problems = refused[0]
            raise AssertionError(f"demo member {row.answers.get('name')} refused: {problems}")


    # ------------------------------------------------ members as stored rows
    def _encode_members(self, households: list[dict]) -> None:
        """The members as rows for the register's one write path (validated
        like any other member; they are written after their households)."""
        keys = [f.key for f in self.q.member.fields]
        for h in households:
            for m in h["members"]:
                values = {k: m.get(k) for k in keys}
                if values.get("employment_channel") != "自主创业":
                    values["people_employed"] = None
                self.member_rows.append(register.MemberRow(values, household_id=h["id"], row_id=m["id_ref"],
                                                           extra={"surveyed_at": m.get("surveyed_at")}))
        hpart = self.q.household
        self.rows["households"] = [{**h, **encode(hpart, {k: v for k, v in h.items() if k in hpart.by_key})}
                                   for h in self.rows["households"]]
