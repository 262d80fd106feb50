"""Three real databases (the county office, 王芳's laptop, 李强's laptop)
with both laptops enrolled and one round trip done, and the moves of a
sync: export a package file from one, import it into another; open a real
package and seal it again with changed contents (what someone holding a
laptop's keys could send)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from cadre_desk.storage import Store, open_store
from cadre_desk.sync import keys, roles
from cadre_desk.sync.export import export_package
from cadre_desk.sync.importer import import_package
from cadre_desk.sync.package import decode_body, encode_body, open_sealed, read_outer, seal
from helpers_sync import county_with_households, enrol, open_db

A_HOME, A_HOME2, B_HOME = "3715811090010001", "3715811090010002", "3715811090010003"


class Office:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.n = 0
        self.county = county_with_households(tmp / "county.db")
        self.a = enrol(self.county, "王芳", tmp / "a.db", tmp)
        self.b = enrol(self.county, "李强", tmp / "b.db", tmp)
        for laptop in (self.a, self.b):
            self.send(laptop, self.county)
        self.send(self.county, self.a, cadre="王芳")
        self.send(self.county, self.b, cadre="李强")

    def package(self, src: Store, cadre: str | None = None, *, full: bool = False) -> Path:
        self.n += 1
        return export_package(src, self.tmp / f"p{self.n}.cdsync", cadre=cadre, full=full).path

    def send(self, src: Store, dst: Store, cadre: str | None = None):
        return import_package(dst, self.package(src, cadre))

    def round_trip(self, laptop: Store, cadre: str):
        first = self.send(laptop, self.county)
        return first, self.send(self.county, laptop, cadre=cadre)

    def close(self):
        for s in (self.county, self.a, self.b):
            s.db.conn.close()


def backup_copy(store: Store, dest: Path) -> Path:
    """A whole-file copy of a database, as a backup would be."""
    store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(store.path, dest)
    return dest


def restore_copy(store: Store, backup: Path) -> Store:
    path = Path(store.path)
    store.db.conn.close()
    for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        extra.unlink(missing_ok=True)
    shutil.copyfile(backup, path)
    return open_db(path)


def reseal_body(county: Store, laptop: Store, data: bytes, mutate=None, *, raw_body: bytes | None = None,
                manifest_change: dict | None = None) -> bytes:
    """Open a laptop's real package with the county's key, change its body
    (``mutate(body_dict)``, or ``raw_body`` as the exact bytes) or manifest,
    and sign and seal it again with the laptop's own keys."""
    sealed = read_outer(data)
    envelope = open_sealed(sealed, box_key=keys.box_key_for(county, sealed.header.get("rk")))
    manifest = json.loads(envelope.manifest_bytes)
    manifest.pop("content_hash")
    manifest.update(manifest_change or {})
    body = envelope.body
    if mutate is not None:
        decoded = decode_body(body)
        mutate(decoded)
        body = encode_body(decoded)
    if raw_body is not None:
        body = raw_body
    header = {k: v for k, v in sealed.header.items() if k != "enc"}
    return seal(header, manifest, body, keys.signing_key(laptop),
                receiver_box=keys.box_public_from(roles.device(laptop, roles.county_info(laptop)["device_id"])
                                                  ["box_public"]))


def block(decoded: dict, table: str) -> dict:
    for b in decoded["tables"]:
        if b["name"] == table:
            return b
    raise KeyError(table)


def row_of(b: dict, row_id: str) -> list:
    i = b["columns"].index("id")
    for values in b["rows"]:
        if values[i] == row_id:
            return values
    raise KeyError(row_id)


def opened(store_path: Path) -> Store:
    return open_store(store_path)
