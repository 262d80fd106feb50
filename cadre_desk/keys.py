"""The database key and the small file beside the database that holds it wrapped.

Every encrypted database has one random 256-bit key (SQLCipher's raw key, so
no key derivation runs on each open). The key itself is never written down:
``<database>.keys`` holds it wrapped (AES-256-GCM) once per user, by a key
derived from that user's password with Argon2id (its parameters and salt are
recorded beside each wrap, so they can be raised later without breaking old
wraps), and optionally once for the county office's recovery key (X25519: the
laptop wraps to the county's public key; only the county's private key opens
it). The same file counts wrong passwords, so that the wait after five of them
survives a restart, and keeps the failures seen before anyone signed in until
they can be written to the audit trail inside the database.

Changing a password rewraps the key; nothing is re-encrypted. The file is
written to a temporary name and renamed, user-only (0600).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DatabaseError, os_error_reason

KEYS_SUFFIX = ".keys"
FORMAT = "cadre-desk-keys/1"
KEY_BYTES = 32

# RFC 9106's second recommended option (64 MiB, 3 passes), two lanes for the
# two-core laptops the cadres carry: about a quarter of a second here.
ARGON2_DEFAULT = {"name": "argon2id", "time_cost": 3, "memory_cost": 65536, "parallelism": 2}

FREE_TRIES = 5
FIRST_WAIT_S = 30
MAX_WAIT_S = 3600


class KeyFileError(DatabaseError):
    """The key file is missing, damaged or does not belong to this database."""


def keys_path(db_path: str | Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + KEYS_SUFFIX)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def new_database_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def sqlcipher_key_pragma(key: bytes) -> str:
    """``PRAGMA key`` for a raw key: SQLCipher then skips its own PBKDF2."""
    return f"PRAGMA key = \"x'{key.hex()}'\""


# Argon2id over the same password, salt and parameters gives the same key: in
# one process (tests, a county script opening several files) it is derived once.
_derived: dict[tuple, bytes] = {}


def derive(password: str, salt: bytes, params: dict[str, Any]) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    memo = (password, salt, params["time_cost"], params["memory_cost"], params["parallelism"])
    if memo not in _derived:
        _derived[memo] = hash_secret_raw(password.encode("utf-8"), salt, params["time_cost"],
                                         params["memory_cost"], params["parallelism"], KEY_BYTES, Type.ID)
    return _derived[memo]


def _aad(database_id: str, user: str) -> bytes:
    return f"cadre-desk-key|{database_id}|{user}".encode()


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="seconds")


@dataclass
class KeyFile:
    path: Path
    database_id: str
    users: dict[str, dict] = field(default_factory=dict)
    recovery: dict | None = None
    throttle: dict[str, dict] = field(default_factory=dict)
    pending: list[dict] = field(default_factory=list)

    # ------------------------------------------------------------ file
    @classmethod
    def new(cls, db_path: str | Path) -> KeyFile:
        return cls(keys_path(db_path), secrets.token_hex(16))

    @classmethod
    def load(cls, db_path: str | Path) -> KeyFile:
        path = keys_path(db_path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise KeyFileError(f"找不到数据库的密钥文件 {path.name}（它应当和数据库放在同一个文件夹）。"
                               "请把它复制回来；没有它，加密的数据库无法打开") from None
        except OSError as exc:
            raise KeyFileError(f"无法读取数据库的密钥文件 {path.name}：{os_error_reason(exc)}。"
                               "请用备份中的密钥文件，或请县就业办恢复") from None
        except ValueError:  # not UTF-8, not JSON
            raise KeyFileError(f"数据库的密钥文件 {path.name} 已损坏。请用备份中的密钥文件，或请县就业办恢复") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise KeyFileError(f"{path.name} 不是帮扶工作台的密钥文件")
        return cls(path, data["database_id"], data.get("users", {}), data.get("recovery"),
                   data.get("throttle", {}), data.get("pending", []))

    def save(self, path: Path | None = None) -> Path:
        path = Path(path) if path else self.path
        data = {"format": FORMAT, "database_id": self.database_id, "users": self.users,
                "recovery": self.recovery, "throttle": self.throttle, "pending": self.pending}
        write_private(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
        return path

    # ------------------------------------------------------------ wraps
    def wrap_for_user(self, user: str, password: str, key: bytes, params: dict | None = None) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        params = dict(params or ARGON2_DEFAULT)
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        kek = derive(password, salt, params)
        self.users[user] = {"kdf": {**params, "salt": b64(salt)}, "nonce": b64(nonce),
                            "wrapped": b64(AESGCM(kek).encrypt(nonce, key, _aad(self.database_id, user)))}

    def unwrap_for_user(self, user: str, password: str) -> bytes | None:
        """The database key, or None when the password is wrong (or no such user)."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        entry = self.users.get(user)
        if entry is None:
            # Spend the same time as a real try: the answer must not tell
            # which user names exist.
            derive(password, b"\0" * 16, ARGON2_DEFAULT)
            return None
        params = entry["kdf"]
        kek = derive(password, unb64(params["salt"]), params)
        try:
            return AESGCM(kek).decrypt(unb64(entry["nonce"]), unb64(entry["wrapped"]),
                                       _aad(self.database_id, user))
        except InvalidTag:
            return None

    def remove_user(self, user: str) -> None:
        self.users.pop(user, None)

    def wrap_for_recovery(self, county_public: bytes, key: bytes) -> None:
        """Wrap the key to the county office's X25519 public key (ECIES:
        ephemeral X25519, HKDF-SHA256, AES-256-GCM)."""
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        eph = X25519PrivateKey.generate()
        shared = eph.exchange(X25519PublicKey.from_public_bytes(county_public))
        eph_pub = eph.public_key().public_bytes_raw()
        nonce = secrets.token_bytes(12)
        kek = _hkdf(shared, eph_pub + county_public)
        self.recovery = {"alg": "x25519-hkdf-sha256-aes256gcm", "county_public": b64(county_public),
                         "ephemeral_public": b64(eph_pub), "nonce": b64(nonce),
                         "wrapped": b64(AESGCM(kek).encrypt(nonce, key, _aad(self.database_id, "*recovery*")))}

    def unwrap_for_recovery(self, county_private: bytes) -> bytes:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if not self.recovery:
            raise KeyFileError("这台电脑的数据库没有登记县就业办的恢复密钥，无法恢复")
        private = X25519PrivateKey.from_private_bytes(county_private)
        eph_pub = unb64(self.recovery["ephemeral_public"])
        county_public = private.public_key().public_bytes_raw()
        kek = _hkdf(private.exchange(X25519PublicKey.from_public_bytes(eph_pub)), eph_pub + county_public)
        try:
            return AESGCM(kek).decrypt(unb64(self.recovery["nonce"]), unb64(self.recovery["wrapped"]),
                                       _aad(self.database_id, "*recovery*"))
        except InvalidTag:
            raise KeyFileError("恢复密钥和这台电脑的数据库不匹配") from None

    # ------------------------------------------------------------ throttle
    def wait_seconds(self, user: str, now: dt.datetime | None = None) -> int:
        entry = self.throttle.get(user)
        if not entry or not entry.get("until"):
            return 0
        left = (dt.datetime.fromisoformat(entry["until"]) - (now or now_utc())).total_seconds()
        return max(0, int(left + 0.999))

    def failures(self, user: str) -> int:
        return int(self.throttle.get(user, {}).get("failures", 0))

    def record_failure(self, user: str, device: str, reason: str, now: dt.datetime | None = None) -> None:
        now = now or now_utc()
        entry = self.throttle.setdefault(user, {"failures": 0})
        entry["failures"] = entry.get("failures", 0) + 1
        over = entry["failures"] - FREE_TRIES
        if over >= 0:
            wait = min(MAX_WAIT_S, FIRST_WAIT_S * 2 ** over)
            entry["until"] = _iso(now + dt.timedelta(seconds=wait))
        self.pending.append({"time": _iso(now), "user": user, "device": device, "reason": reason,
                             "failures": entry["failures"]})
        del self.pending[:-1000]

    def record_success(self, user: str) -> None:
        self.throttle.pop(user, None)


def _hkdf(secret: bytes, info: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(hashes.SHA256(), KEY_BYTES, salt=None, info=b"cadre-desk-recovery|" + info).derive(secret)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` user-only (0600), through a temporary name
    renamed into place, so a crash or a full disk leaves the old file whole."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
