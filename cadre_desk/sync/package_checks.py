"""The checks of a received package before a single row is read (see
``importer``): it belongs to this county, its sender is a registered device
that may send here and it is addressed to this one, it decrypts under one of
this laptop's keys, the sender's signature and the body's hash hold, a
laptop's first package proves its keys, and the schema it was made with is
one this program knows. A failed check raises ``PackageRejected``."""

from __future__ import annotations

from ..storage import Store
from . import keys, roles
from .package import (CLONED, CORRUPT, NEWER_VERSION, OLD_KEY, RETIRED_DEVICE, UNKNOWN_DEVICE, WRONG_COUNTY,
                      WRONG_RECEIVER, PackageRejected, Sealed, open_sealed, verify)


def check_schema(manifest: dict) -> None:
    unknown = set(manifest.get("schema") or []) - set(roles.schema_names())
    if unknown or int(manifest.get("format", 0)) > 2:
        raise PackageRejected(NEWER_VERSION, f"生成它的程序版本 {manifest.get('program', '?')}")


def open_change_package(store: Store, sealed: Sealed) -> tuple[dict, bytes, dict | None]:
    """Every check of a change package; returns (manifest, body, new keys)."""
    info = roles.county_info(store)
    header = sealed.header
    if header.get("county") != info.get("key_id"):
        raise PackageRejected(WRONG_COUNTY)
    if header.get("sender") == store.device_id:
        raise PackageRejected(WRONG_RECEIVER, "这是本机自己导出的数据包，请把它交给对方导入")
    sender = roles.device(store, str(header.get("sender")))
    if sender is None:
        raise PackageRejected(UNKNOWN_DEVICE, f"设备号 {str(header.get('sender'))[:12]}")
    if sender["retired"]:
        raise PackageRejected(RETIRED_DEVICE, f"帮扶干部 {sender['cadre_name'] or ''}，设备号 {sender['id']}")
    if roles.role(store) == roles.LAPTOP and sender["role"] != roles.COUNTY:
        raise PackageRejected(UNKNOWN_DEVICE, "帮扶干部的电脑之间不能直接交换数据包，请经县就业办")
    if header.get("receiver") != store.device_id:
        raise PackageRejected(WRONG_RECEIVER)
    box_key = keys.box_key_for(store, header.get("rk"))
    if box_key is None:
        if roles.role(store) == roles.LAPTOP:
            # Behind the county's idea of our keys (restored from a backup, or
            # an old package): send the next package under the county's
            # enrolment key, which the county keeps (a restored laptop is found
            # by its repeated package numbers).
            store.db.execute("UPDATE sync_devices SET box_public = ? WHERE id = ?",
                             [info.get("box_public"), sender["id"]])
        raise PackageRejected(OLD_KEY)
    envelope = open_sealed(sealed, box_key=box_key)
    new_keys = None
    sign_public = sender["sign_public"]
    enrol = envelope.manifest.get("enrol")
    if sign_public and enrol and enrol.get("sign_public") != sign_public:
        # Someone opened the same setup package on a second computer: the
        # county already has the first one's keys.
        raise PackageRejected(CLONED, f"帮扶干部 {sender['cadre_name'] or ''}，设备号 {sender['id']}")
    if not sign_public:
        new_keys = roles.check_enrol_proof(sender, enrol)
        if new_keys is None:
            raise PackageRejected(UNKNOWN_DEVICE, "这台电脑的密钥没有通过登记核验")
        sign_public = new_keys[0]
    manifest = verify(envelope, keys.sign_public_from(sign_public))
    if (manifest.get("county", {}).get("key_id") != info.get("key_id") or manifest.get("sender") != sender["id"]
            or manifest.get("receiver") != store.device_id):
        raise PackageRejected(CORRUPT, "封面与内容不符")
    check_schema(manifest)
    if (manifest.get("next_key") or {}).get("box_public"):
        try:
            keys.box_public_from(manifest["next_key"]["box_public"])
        except ValueError:
            raise PackageRejected(CORRUPT, "密钥格式不对") from None
    return manifest, envelope.body, {"sign_public": new_keys[0], "box_public": new_keys[1]} if new_keys else None

