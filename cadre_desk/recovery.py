"""A forgotten password on a laptop, recovered through the county office.

Nobody at the laptop can open the database without a password, and the
county office never sees the laptop's data. The laptop's key file holds the
database key wrapped to the county office's X25519 public key (``set_county_key``,
done at enrolment). Then:

1. the laptop writes a **recovery request** (``write_request``): that wrap and
   which database and user it is for, no key and no data;
2. the county office opens the wrap with its private key and answers with a
   **one-time reset file** (``answer_request``): the database key encrypted
   under a key derived (Argon2id) from a random code, which it gives the
   cadre by phone, and which the file never contains;
3. the laptop reads the file with the code (``apply_reset``), checks that the
   key opens its database, and wraps it for the cadre's new password. Nothing
   is re-encrypted, so unsynced work is never lost to a forgotten password.

A reset file answers one request (its nonce) and expires after 3 days.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from pathlib import Path

from . import keys
from .errors import CadreDeskError

REQUEST_FORMAT = "cadre-desk-recovery-request/1"
RESET_FORMAT = "cadre-desk-recovery-reset/1"
VALID_DAYS = 3
CODE_DIGITS = 8


class RecoveryError(CadreDeskError):
    """A recovery request or reset file that cannot be used."""


def new_county_key() -> tuple[bytes, bytes]:
    """(private, public) raw X25519 bytes for the county office."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    private = X25519PrivateKey.generate()
    return private.private_bytes_raw(), private.public_key().public_bytes_raw()


def set_county_key(store, county_public: bytes) -> None:
    """Wrap this database's key to the county office's public key (enrolment)."""
    from . import audit

    if store.key is None:
        raise CadreDeskError("这个数据库没有加密，不需要恢复密钥")
    kf = keys.KeyFile.load(store.path)
    kf.wrap_for_recovery(county_public, store.key)
    kf.save()
    audit.record(store, "enrol", {"recovery_key": keys.b64(county_public)[:12]})


def write_request(db_path: str | Path, user: str, out: str | Path) -> Path:
    kf = keys.KeyFile.load(db_path)
    if not kf.recovery:
        raise RecoveryError("这台电脑的数据库没有登记县就业办的恢复密钥，无法申请恢复。请带电脑到县就业办")
    request = {"format": REQUEST_FORMAT, "database_id": kf.database_id, "user": user,
               "nonce": secrets.token_hex(16), "made": keys._iso(keys.now_utc()), "recovery": kf.recovery}
    kf.pending.append({"time": request["made"], "user": user, "device": "", "reason": "recovery_request",
                       "nonce": request["nonce"]})
    kf.save()
    out = Path(out)
    keys.write_private(out, json.dumps(request, ensure_ascii=False, indent=1).encode("utf-8"))
    return out


def _load(path: str | Path, fmt: str, what: str) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        raise RecoveryError(f"{Path(path).name} 不是{what}，或已损坏") from None
    if not isinstance(data, dict) or data.get("format") != fmt:
        raise RecoveryError(f"{Path(path).name} 不是{what}")
    return data


def answer_request(request_path: str | Path, county_private: bytes, out: str | Path) -> tuple[Path, str]:
    """(reset file, code): the code goes to the cadre by phone, never with the file."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    request = _load(request_path, REQUEST_FORMAT, "恢复申请")
    kf = keys.KeyFile(Path("x"), request["database_id"], recovery=request["recovery"])
    key = kf.unwrap_for_recovery(county_private)
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    expires = keys._iso(keys.now_utc() + dt.timedelta(days=VALID_DAYS))
    aad = f"{RESET_FORMAT}|{request['database_id']}|{request['user']}|{request['nonce']}|{expires}".encode()
    kek = keys.derive(code, salt, keys.ARGON2_DEFAULT)
    reset = {"format": RESET_FORMAT, "database_id": request["database_id"], "user": request["user"],
             "nonce": request["nonce"], "expires": expires, "kdf": {**keys.ARGON2_DEFAULT, "salt": keys.b64(salt)},
             "key_nonce": keys.b64(nonce), "wrapped": keys.b64(AESGCM(kek).encrypt(nonce, key, aad))}
    out = Path(out)
    keys.write_private(out, json.dumps(reset, ensure_ascii=False, indent=1).encode("utf-8"))
    return out, code


def apply_reset(db_path: str | Path, reset_path: str | Path, code: str, new_password: str) -> str:
    """Set the new password from a reset file and its code; returns the user name."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from . import audit, storage, users

    db_path = Path(db_path)
    reset = _load(reset_path, RESET_FORMAT, "县就业办的恢复文件")
    kf = keys.KeyFile.load(db_path)
    if reset["database_id"] != kf.database_id:
        raise RecoveryError("这个恢复文件是给另一台电脑的，不能用在这里")
    asked = [p for p in kf.pending if p.get("reason") == "recovery_request" and p.get("nonce") == reset["nonce"]]
    if not asked:
        raise RecoveryError("这个恢复文件不是对这台电脑最近一次恢复申请的答复，或已经用过了")
    if dt.datetime.fromisoformat(reset["expires"]) < keys.now_utc():
        raise RecoveryError("这个恢复文件已过期，请重新申请")
    user = reset["user"]
    wait = kf.wait_seconds("*recovery*")
    if wait:
        raise RecoveryError(f"恢复码已多次输错，请 {wait} 秒后再试")
    users.check_password(user, new_password)
    aad = f"{RESET_FORMAT}|{reset['database_id']}|{user}|{reset['nonce']}|{reset['expires']}".encode()
    kek = keys.derive(code.strip(), keys.unb64(reset["kdf"]["salt"]), reset["kdf"])
    try:
        key = AESGCM(kek).decrypt(keys.unb64(reset["key_nonce"]), keys.unb64(reset["wrapped"]), aad)
    except InvalidTag:
        kf.record_failure("*recovery*", "", "wrong_recovery_code")
        kf.save()
        raise RecoveryError("恢复码不对。请核对县就业办电话告知的 8 位数字") from None
    storage.connect(db_path, key).close()  # the key really opens this database
    kf.wrap_for_user(user, new_password, key)
    kf.record_success(user)
    kf.record_success("*recovery*")
    kf.pending = [p for p in kf.pending if p.get("nonce") != reset["nonce"]]
    kf.save()
    store = storage.open_keyed(db_path, key, kf.database_id)
    try:
        store.signed_in = users.SignedIn(user, "")
        audit.record(store, "recovery", {"name": user})
    finally:
        store.db.conn.close()
    return user
