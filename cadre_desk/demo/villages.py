"""The demo's villages under the real towns, numbered after their town's last village."""

from __future__ import annotations




class Villages:
    """The builder's villages (mixed into ``builder.DemoBuilder``)."""

    def _villages(self, towns: list[dict]) -> list[dict]:
        count = max(len(towns), min(600, round(self.n / 8)))
        per_town = {t["id"]: 1 for t in towns}
        for t in self.rng.choices(towns, k=count - len(towns)):
            per_town[t["id"]] += 1
        prefixes = self.words["village_prefixes"]
        suffixes = [s for s, _ in self.words["village_suffixes"]]
        suffix_w = [w for _, w in self.words["village_suffixes"]]
        villages = []
        for town in towns:
            existing = {r["name"]: r for r in self.store.rows(
                "SELECT * FROM villages WHERE town_id = ? AND deleted = 0", [town["id"]])}
            running = self.store.db.execute("SELECT count(*) FROM villages WHERE town_id = ?",
                                            [town["id"]]).fetchone()[0]
            names: set[str] = set()
            while len(names) < per_town[town["id"]]:
                name = (self.rng.choice(prefixes) if self.chance(0.3) else "") + self.surname() + \
                    self.rng.choices(suffixes, weights=suffix_w)[0] + "村"
                if name in names:
                    continue
                names.add(name)
                if name in existing:  # only when forced onto a database that has this village
                    villages.append({**existing[name], "town": town})
                    continue
                running += 1
                row = {"town_id": town["id"], "code": f"{town['code']}{running:03d}", "name": name}
                row_id = self.add("villages", row)
                villages.append({"id": row_id, **row, "town": town})
        return villages
