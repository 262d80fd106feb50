"""Users, roles, passwords and signing in to an encrypted database.

The users live in two places, each holding what it can: the key file beside
the database (``keys.py``) holds each user's wrap of the database key and the
wrong-password counter (both needed before the database can be read); the
``users`` table inside the encrypted database holds the role, the town or
cadre it is limited to, and whether the user is disabled (the authority once
the database is open). Disabling a user also removes their wrap.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from . import keys
from .errors import CadreDeskError, DatabaseError

USER_ENV = "CADRE_DESK_USER"
PASSWORD_ENV = "CADRE_DESK_PASSWORD"

ROLES = {
    "admin": "县就业办管理员",
    "county": "县就业办",
    "town": "乡镇",
    "cadre": "帮扶干部",
}

# What each role may not do on the command line, by command handler
# ("module.function" of cadre_desk/commands). A 乡镇 user reads and reviews
# one town: no imports, no edits, no county-wide exports. Only a
# 县就业办管理员 manages other users.
_WRITES = {"roster.run_import", "demo.run", "policy.import_cmd", "policy.retire_cmd", "policy.restore_cmd",
           "policy.samples_cmd", "jobs.run_import", "jobs.run_apply", "jobs.run_training", "jobs.run_self_employ",
           "jobs.run_set_employs", "jobs.run_welfare_post", "jobs.run_pay_subsidy", "jobs.run_offer_status",
           "sync.run_setup", "sync.run_retire", "restore.run", "work_stats.run_set_target"}
_COUNTY_EXPORTS = {"roster.run_export", "jobs.run_export", "jobs.run_export_progress", "jobs.run_not_employed",
                   "warehouse.run"}
# Work spells, 雨露计划 / 一次性交通补助 and the county's settings (issue 14 §1): writes.
_WRITES |= {"spell.run_add", "spell.run_end", "spell.run_delete", "spell.run_yulu", "spell.run_transport",
            "setting.run_set"}
# Permissions checked inside a command (users.require), beyond the command itself.
_FULL_NUMBERS = {"warehouse.full", "export.full"}  # export.full: cadre_desk/exports.py
_MANAGE_USERS = {"user.add", "user.disable"}
# The audit trail is the county office's to read (the 审计记录 page and `cadre-desk audit`).
_AUDIT = {"audit.view", "audit.run"}
DENIED = {
    "admin": set(),
    "county": _MANAGE_USERS,
    "town": _WRITES | _COUNTY_EXPORTS | _MANAGE_USERS | _FULL_NUMBERS | _AUDIT | {"recovery.answer"},
    "cadre": _MANAGE_USERS | _FULL_NUMBERS | _AUDIT | {"sync.run_setup", "sync.run_retire", "recovery.answer",
                                                       "work_stats.run_set_target"},  # the county's target
}


class LoginRequired(CadreDeskError):
    """No user name or password was given for an encrypted database."""


class SignInFailed(CadreDeskError):
    """Wrong password, unknown or disabled user, or still waiting after too many tries."""


class NotAllowed(CadreDeskError):
    """The signed-in user's role does not allow this."""


class BadPassword(CadreDeskError):
    """A new password that breaks the password rules."""


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str


@dataclass(frozen=True)
class SignedIn:
    name: str
    role: str

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)


def credentials_from_env(user: str | None = None, *, ask: bool = False) -> Credentials | None:
    """``--user`` (``user``) or ``CADRE_DESK_USER``, and ``CADRE_DESK_PASSWORD``;
    with ``ask`` and a terminal, what is missing is asked for (no echo)."""
    name = user or os.environ.get(USER_ENV) or ""
    password = os.environ.get(PASSWORD_ENV) or ""
    if ask and sys.stdin is not None and sys.stdin.isatty():
        try:
            if not name:
                name = input("用户名：").strip()
            if name and not password:
                password = getpass.getpass(f"{name} 的密码：")
        except EOFError:
            return None
    if not name or not password:
        return None
    return Credentials(name.strip(), password)


def login_required_message() -> str:
    return (f"需要登录：数据库已加密。请用 --user 用户名 或环境变量 {USER_ENV} 给出用户名，"
            f"并在终端输入密码或设置环境变量 {PASSWORD_ENV}")


def check_password(name: str, password: str) -> None:
    """The password rules; the message says why in Chinese."""
    if len(password) < 8:
        raise BadPassword("密码至少要 8 个字符")
    if password.strip().lower() == name.strip().lower():
        raise BadPassword("密码不能和用户名相同")
    if password.isdigit():
        raise BadPassword("密码不能全是数字，请加上字母或符号")
    if len(set(password)) < 3:
        raise BadPassword("密码太简单（字符几乎都相同），请换一个")


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 40 or any(c in name for c in "\r\n\t"):
        raise CadreDeskError("用户名不能为空，最多 40 个字符")
    return name


def check_role(role: str) -> str:
    if role in ROLES:
        return role
    for key, label in ROLES.items():
        if role == label:
            return key
    raise CadreDeskError(f"不认识的角色“{role}”。可选：" + "、".join(f"{k}（{v}）" for k, v in ROLES.items()))


# ------------------------------------------------------------ creating a database
def create_encrypted_database(path: str | Path, user: str, password: str, role: str = "admin",
                              *, town: str | None = None, cadre: str | None = None):
    """Create a new, empty encrypted database at ``path`` with its first user,
    signed in; returns the open ``Store``. This is what ``init``, the
    window's sign-up dialog and the setup-package import on a new path call."""
    from . import audit, storage

    path = Path(path)
    user, role = check_name(user), check_role(role)
    check_password(user, password)
    if path.exists() and path.stat().st_size > 0:
        raise CadreDeskError(f"{path} 已经存在。请换一个文件名，或直接登录它")
    kp = keys.keys_path(path)
    if kp.exists():
        raise CadreDeskError(f"{kp} 已经存在（另一个数据库的密钥文件）。请换一个文件名")
    key = keys.new_database_key()
    kf = keys.KeyFile.new(path)
    kf.wrap_for_user(user, password, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    kf.save()
    try:
        store = storage.open_keyed(path, key, kf.database_id)
        store.signed_in = SignedIn(user, role)
        with store.transaction():
            _insert_user(store, user, role, town=town, cadre=cadre, by=user)
            audit.record(store, "user_change", {"change": "created", "name": user, "role": role,
                                                "first_user": True})
    except BaseException:
        for leftover in (path, kp, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    return store


def _insert_user(store, name: str, role: str, *, town=None, cadre=None, by: str) -> None:
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    store.db.execute("INSERT INTO users(name, role, town, cadre, disabled, created_at, created_by, "
                     "password_changed_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?)",
                     [name, role, town, cadre, now, by, now])


# ------------------------------------------------------------ signing in
def unlock(path: Path, creds: Credentials | None, device: str = "") -> tuple[bytes, keys.KeyFile, str]:
    """The database key for ``creds``, or a Chinese refusal. Every failure is
    counted in the key file; after five in a row each try must wait longer."""
    kf = keys.KeyFile.load(path)
    if creds is None:
        raise LoginRequired(login_required_message())
    wait = kf.wait_seconds(creds.user)
    if wait:
        raise SignInFailed(f"密码已连续输错 {kf.failures(creds.user)} 次，请 {_wait_text(wait)}后再试")
    key = kf.unwrap_for_user(creds.user, creds.password)
    if key is None:
        kf.record_failure(creds.user, device, "wrong_password" if creds.user in kf.users else "unknown_user")
        _save_quietly(kf)
        left = keys.FREE_TRIES - kf.failures(creds.user)
        hint = (f"再错 {left} 次后需要等待" if left > 0 else
                f"请 {_wait_text(kf.wait_seconds(creds.user))}后再试")
        raise SignInFailed(f"用户名或密码不对（{hint}）。忘记密码请找县就业办恢复")
    if kf.failures(creds.user):
        kf.record_success(creds.user)
        _save_quietly(kf)
    return key, kf, creds.user


def _save_quietly(kf: keys.KeyFile) -> None:
    try:
        kf.save()
    except OSError:
        pass  # a read-only medium: the counter cannot be kept, the refusal still stands


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} 秒"
    minutes = (seconds + 59) // 60
    return f"{minutes} 分钟"


def finish_sign_in(store, kf: keys.KeyFile, name: str) -> None:
    """After the key opened the database: the user's role from the database
    (a disabled user is refused), the failures counted before sign-in moved
    into the audit trail, and the sign-in itself recorded."""
    from . import audit

    row = store.db.execute("SELECT role, disabled FROM users WHERE name = ?", [name]).fetchone()
    if row is None:
        # The key file knows the user, the database does not: an incomplete or older copy of
        # the file (e.g. copied without its -wal file after a crash). The key stays: the
        # complete database opens with it again.
        raise SignInFailed(f"这个数据库文件里没有用户“{name}”的记录，可能不完整（例如电脑死机后只复制了数据库文件、"
                           "没有复制它旁边的 -wal 文件），或是较早的副本。请用最近的备份恢复，或找县就业办管理员")
    if row[1]:
        kf.remove_user(name)
        _save_quietly(kf)
        raise SignInFailed(f"用户“{name}”已停用，不能登录。请找县就业办管理员")
    store.signed_in = SignedIn(name, row[0])
    if store.read_only:
        return
    with store.transaction():
        for failure in kf.pending:
            audit.record(store, "sign_in_failed", {"reason": failure.get("reason"), "failures": failure.get("failures")},
                         user=failure.get("user", ""), at=failure.get("time"))
        audit.record(store, "sign_in", {})
    if kf.pending:
        kf.pending = []
        _save_quietly(kf)


def check_command(store, handler) -> None:
    """Refuse a command the signed-in user's role does not allow."""
    who = getattr(store, "signed_in", None)
    if who is None or handler is None:
        return
    name = f"{getattr(handler, '__module__', '').rsplit('.', 1)[-1]}.{getattr(handler, '__name__', '')}"
    if name in DENIED.get(who.role, set()):
        raise NotAllowed(f"{who.role_label}（{who.name}）的账号不能做这件事。请找县就业办")


def require(store, permission: str) -> None:
    who = getattr(store, "signed_in", None)
    if who is not None and permission in DENIED.get(who.role, set()):
        raise NotAllowed(f"{who.role_label}（{who.name}）的账号不能做这件事。请找县就业办管理员")


# ------------------------------------------------------------ managing users
def list_users(store) -> list[dict]:
    return store.rows("SELECT name, role, town, cadre, disabled, created_at, created_by, password_changed_at "
                      "FROM users ORDER BY created_at, name")


def _key_and_file(store) -> tuple[bytes, keys.KeyFile]:
    if store.key is None or store.path is None:
        raise CadreDeskError("这个数据库没有加密（演示数据），不能设置用户")
    return store.key, keys.KeyFile.load(store.path)


def add_user(store, name: str, password: str, role: str, *, town=None, cadre=None) -> None:
    from . import audit

    require(store, "user.add")
    name, role = check_name(name), check_role(role)
    check_password(name, password)
    if store.db.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchone():
        raise CadreDeskError(f"已经有名为“{name}”的用户")
    key, kf = _key_and_file(store)
    kf.wrap_for_user(name, password, key)
    with store.transaction():
        _insert_user(store, name, role, town=town, cadre=cadre, by=store.user)
        audit.record(store, "user_change", {"change": "added", "name": name, "role": role})
        kf.save()


def change_password(store, name: str, new_password: str) -> None:
    """Rewrap the key for ``name`` (no re-encryption). Anyone may change their
    own password; a 县就业办管理员 may set anyone's."""
    from . import audit

    who = store.signed_in
    if who is not None and name != who.name and who.role != "admin":
        raise NotAllowed("只能修改自己的密码；别人的密码请找县就业办管理员")
    row = store.db.execute("SELECT disabled FROM users WHERE name = ?", [name]).fetchone()
    if row is None:
        raise CadreDeskError(f"没有名为“{name}”的用户")
    check_password(name, new_password)
    key, kf = _key_and_file(store)
    kf.wrap_for_user(name, new_password, key)
    kf.record_success(name)
    with store.transaction():
        store.db.execute("UPDATE users SET password_changed_at = ? WHERE name = ?",
                         [dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), name])
        audit.record(store, "password_change", {"name": name})
        kf.save()


def disable_user(store, name: str) -> None:
    from . import audit

    require(store, "user.disable")
    if store.signed_in is not None and name == store.signed_in.name:
        raise CadreDeskError("不能停用自己正在使用的账号")
    row = store.db.execute("SELECT role, disabled FROM users WHERE name = ?", [name]).fetchone()
    if row is None:
        raise CadreDeskError(f"没有名为“{name}”的用户")
    key, kf = _key_and_file(store)
    kf.remove_user(name)
    with store.transaction():
        store.db.execute("UPDATE users SET disabled = 1 WHERE name = ?", [name])
        audit.record(store, "user_change", {"change": "disabled", "name": name, "role": row[0]})
        kf.save()


def ensure_writable_folder(path: Path) -> None:
    if not os.access(path.parent, os.W_OK):
        raise DatabaseError(f"文件夹 {path.parent} 不可写，无法建立数据库")
