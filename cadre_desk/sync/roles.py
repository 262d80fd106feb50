"""Who this database is: the county office's, or one cadre's laptop; and
enrolling a laptop.

Enrolment, chosen so that no private key ever leaves the database that made
it:

1. At the county office, ``sync setup --cadre NAME`` (the first one makes the
   database the county office's and creates the county's key pairs) registers
   a device id for the cadre and writes a *setup package*: the county's public
   keys, the device id, a one-time enrolment secret, the cadre's households
   with their members, and the county-wide data (places, enterprises,
   openings, policies) and the questionnaire version. It is encrypted with a
   key derived from a one-time *enrolment code* that the clerk gives the cadre
   separately (in person or by phone), never in the same message as the file.
2. On the laptop, ``sync import FILE --code CODE`` on a new database makes it
   that cadre's laptop: it takes the device id, makes its own key pairs, and
   loads the data.
3. The laptop's first package carries its public keys with an HMAC of them
   under the enrolment secret; the county accepts the keys only if that proof
   holds, then checks the package's signature with them. After that the
   county can encrypt its replies for the laptop.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from ..errors import CadreDeskError, NotFound, os_error_reason
from ..migrations import migrations as schema_migrations
from ..storage import Store, utc_now
from . import keys

ROLE = "sync_role"
COUNTY = "county"
LAPTOP = "laptop"
COUNTY_INFO = "sync_county"
CADRE = "sync_cadre"
ENROL_SECRET = "sync_enrol_secret"
QUESTIONNAIRE = "sync_questionnaire"
ROLE_LABELS = {COUNTY: "县就业办", LAPTOP: "帮扶干部的电脑"}


class SyncSetupError(CadreDeskError):
    """Enrolment cannot go on (wrong database, unknown cadre, ...)."""


def role(store: Store) -> str | None:
    return store.get_setting(ROLE)


def county_info(store: Store) -> dict:
    return store.get_setting(COUNTY_INFO) or {}


def schema_names() -> list[str]:
    return [m.name for m in schema_migrations._migrations]


def device(store: Store, device_id: str) -> dict | None:
    rows = store.rows("SELECT * FROM sync_devices WHERE id = ?", [device_id])
    return rows[0] if rows else None


def devices(store: Store) -> list[dict]:
    return store.rows("SELECT * FROM sync_devices ORDER BY role DESC, cadre_name, enrolled_at")


def require_role(store: Store) -> str:
    current = role(store)
    if current is None:
        raise SyncSetupError("本数据库还没有设置同步。县就业办请先用“同步 → 为帮扶干部生成启用包”；"
                             "帮扶干部请先导入县就业办给的启用包")
    return current


# ---------------------------------------------------------------- county office

def become_county(store: Store) -> dict:
    """Make this database the county office's (once): keys and identity."""
    from ..places import county as county_row

    if role(store) == LAPTOP:
        raise SyncSetupError("这是帮扶干部的电脑，不能生成启用包。请在县就业办的电脑上操作")
    if role(store) == COUNTY:
        return county_info(store)
    with store.transaction():
        sign_pub, box_pub = keys.create_keys(store)
        c = county_row(store)
        info = {"key_id": keys.fingerprint(sign_pub), "code": c["code"], "name": c["name"],
                "device_id": store.device_id, "sign_public": sign_pub, "box_public": box_pub}
        store.set_setting(COUNTY_INFO, info)
        store.set_setting(ROLE, COUNTY)
        store.db["sync_devices"].insert({"id": store.device_id, "role": COUNTY, "cadre_name": "县就业办",
                                         "sign_public": sign_pub, "box_public": box_pub,
                                         "enrolled_at": utc_now(), "keys_at": utc_now()})
    return info


def cadre_by_name(store: Store, name: str) -> dict:
    rows = store.rows("SELECT * FROM cadres WHERE name = ? AND deleted = 0 ORDER BY created_at", [name.strip()])
    if not rows:
        raise NotFound(f"没有名为“{name}”的帮扶责任人。请先导入含“帮扶责任人”一栏的花名册，或核对姓名")
    return rows[0]


def laptop_for(store: Store, *, cadre: str | None = None, device_id: str | None = None) -> dict:
    """The laptop a county package goes to: by device id, by cadre name (the
    cadre's newest device), or the only one."""
    laptops = store.rows("SELECT * FROM sync_devices WHERE role = ? AND retired = 0 ORDER BY enrolled_at DESC",
                         [LAPTOP])
    if device_id:
        found = [d for d in laptops if d["id"] == device_id]
    elif cadre:
        found = [d for d in laptops if d["cadre_name"] == cadre.strip()]
    else:
        found = laptops
        if len(found) > 1:
            raise SyncSetupError("本县登记了多台帮扶干部的电脑，请指定发给谁（--cadre 姓名 或 --device 设备号）")
    if not found:
        who = device_id or cadre or ""
        retired = [d for d in store.rows("SELECT * FROM sync_devices WHERE role = ? AND retired = 1", [LAPTOP])
                   if d["id"] == device_id or (cadre and d["cadre_name"] == cadre.strip())]
        if retired:
            raise SyncSetupError(f"{retired[0]['cadre_name'] or ''}的电脑（设备号 {retired[0]['id']}）已停用，"
                                 "不再给它导出数据包。如果它并没有丢失、是误停用，请先恢复它"
                                 "（同步 → 设备与记录 → 恢复所选电脑）；给新电脑请重新生成启用包")
        raise NotFound(f"没有登记{('“' + who + '”的') if who else ''}帮扶干部电脑。请先用“同步 → 为帮扶干部生成启用包”生成启用包")
    return found[0]


RETIRE, RESTORE = "retire", "restore"  # sync_log.direction of a device being stopped or taken back
REFUSED = "refused"  # sync_log.direction of a package refused before anything was read from it


def retire_device(store: Store, *, cadre: str | None = None, device_id: str | None = None,
                  restore: bool = False) -> dict:
    """(County office) Stop taking packages from a cadre's laptop that is
    lost, stolen or replaced, or take them again (``restore``). The device
    stays on record, so that the log still names it; packages it signs are
    refused before anything in them is read (``package.RETIRED_DEVICE``) and
    none are written for it. Found by device id, or by cadre name when that
    cadre has one such laptop. Returns the device row as it is now."""
    if role(store) != COUNTY:
        raise SyncSetupError("只有县就业办的数据库可以停用或恢复帮扶干部的电脑")
    wanted_state = "已停用" if restore else "在用"
    laptops = store.rows("SELECT * FROM sync_devices WHERE role = ? ORDER BY enrolled_at DESC", [LAPTOP])
    if device_id:
        found = [d for d in laptops if d["id"] == device_id.strip()]
        if not found:
            raise NotFound(f"没有设备号为 {device_id.strip()} 的帮扶干部电脑（设备号见 sync status）")
    elif cadre:
        found = [d for d in laptops if d["cadre_name"] == cadre.strip() and bool(d["retired"]) == restore]
        if not found:
            raise NotFound(f"没有找到{cadre.strip()}{wanted_state}的电脑（已登记的设备见 sync status）")
        if len(found) > 1:
            raise SyncSetupError(f"{cadre.strip()}有 {len(found)} 台{wanted_state}的电脑，请用设备号指定（见 sync status）")
    else:
        raise SyncSetupError("请指定帮扶干部姓名（--cadre）或设备号（--device）")
    laptop = found[0]
    if bool(laptop["retired"]) == (not restore):  # already so
        return laptop
    with store.transaction():
        store.db.execute("UPDATE sync_devices SET retired = ? WHERE id = ?", [0 if restore else 1, laptop["id"]])
        store.db["sync_log"].insert({"at": utc_now(), "direction": RESTORE if restore else RETIRE,
                                     "device_id": laptop["id"], "kind": "device", "note": store.user or None})
    return device(store, laptop["id"])


def register_laptop(store: Store, device_id: str, cadre: dict, secret: str) -> None:
    """(County office) Record a new laptop for ``cadre`` with its one-time enrolment secret."""
    store.db["sync_devices"].insert({"id": device_id, "role": LAPTOP, "cadre_id": cadre["id"],
                                     "cadre_name": cadre["name"], "enrol_secret": secret,
                                     "enrolled_at": utc_now()})


def write_file(path: Path, data: bytes) -> None:
    """Write next to the target and rename, so a full USB stick leaves no half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CadreDeskError(f"无法写入文件 {path.name}：{os_error_reason(exc)}。请检查U盘是否已满或只读，"
                             "然后重试") from exc


def enrol_proof(secret_b64: str, device_id: str, sign_pub: str, box_pub: str) -> str:
    message = f"{device_id}|{sign_pub}|{box_pub}".encode("ascii")
    return hmac.new(keys.unb64(secret_b64), message, hashlib.sha256).hexdigest()


def check_enrol_proof(dev: dict, enrol: dict | None) -> tuple[str, str] | None:
    """The laptop's public keys from its first package, if its proof holds."""
    if not enrol or not dev.get("enrol_secret"):
        return None
    try:
        expected = enrol_proof(dev["enrol_secret"], dev["id"], enrol["sign_public"], enrol["box_public"])
        keys.sign_public_from(enrol["sign_public"])
        keys.box_public_from(enrol["box_public"])
    except (KeyError, ValueError, TypeError):
        return None
    if not hmac.compare_digest(expected, str(enrol.get("proof", ""))):
        return None
    return enrol["sign_public"], enrol["box_public"]


# ---------------------------------------------------------------- laptop

def is_new_database(store: Store) -> bool:
    return not store.db.execute("SELECT 1 FROM households LIMIT 1").fetchone() and \
        not store.db.execute("SELECT 1 FROM members LIMIT 1").fetchone()


def become_laptop(store: Store, manifest: dict) -> None:
    """Inside the setup import's transaction: clear what a new database made
    for itself (its own copy of the places, sample policies), take the device
    id the county assigned, and make this laptop's own keys."""
    from .tables import synced_tables

    for table in reversed(synced_tables(store)):
        store.db.execute(f"DELETE FROM [{table}]")
    store.db.execute("DELETE FROM change_log")
    dev = manifest["device"]
    store.set_setting("device_id", dev["id"])
    store.device_id = dev["id"]
    store.clock.device_id = dev["id"]
    sign_pub, box_pub = keys.create_keys(store)
    county = manifest["county"]
    store.set_setting(COUNTY_INFO, county)
    store.set_setting(CADRE, {"id": dev["cadre_id"], "name": dev["cadre_name"]})
    store.set_setting(ENROL_SECRET, dev["enrol_secret"])
    store.set_setting(ROLE, LAPTOP)
    now = utc_now()
    store.db["sync_devices"].insert_all([
        {"id": county["device_id"], "role": COUNTY, "cadre_name": "县就业办", "sign_public": county["sign_public"],
         "box_public": county["box_public"], "enrolled_at": now, "keys_at": now,
         "received_upto": int(manifest.get("upto") or 0), "last_import_at": now},
        {"id": dev["id"], "role": LAPTOP, "cadre_id": dev["cadre_id"], "cadre_name": dev["cadre_name"],
         "sign_public": sign_pub, "box_public": box_pub, "enrolled_at": now, "keys_at": now},
    ])


def my_cadre(store: Store) -> dict | None:
    return store.get_setting(CADRE)


def allowed_household_numbers(store: Store) -> set[str] | None:
    """Household numbers this database may change from a roster: on a cadre's
    laptop, the households currently paired with that cadre; None (no limit)
    at the county office or on a database without sync."""
    if role(store) != LAPTOP:
        return None
    cadre = my_cadre(store) or {}
    return {r["number"] for r in store.rows(
        "SELECT DISTINCT h.number FROM pairings p JOIN households h ON h.id = p.household_id "
        "WHERE p.cadre_id = ? AND p.deleted = 0 AND p.until IS NULL AND h.deleted = 0", [cadre.get("id")])
        if r["number"]}
