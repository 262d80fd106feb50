"""``cadre-desk init`` and ``cadre-desk user ...``: the database's first user, and managing users."""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path

from .. import users
from ..errors import CadreDeskError
from .common import action, action_group, json_flag

NEW_PASSWORD_ENV = "CADRE_DESK_NEW_PASSWORD"

# ``init --role``: the county office's first user manages the others.
_INIT_ROLES = {"county": "admin", "admin": "admin", "town": "town", "cadre": "cadre"}


def register(sub) -> None:
    p = action(sub, "init", init, help="新建一个加密的空数据库和它的第一个用户",
               description="新建一个加密的空数据库（--db 指定位置）和它的第一个用户。"
                           "--role county 的第一个用户是县就业办管理员（可以添加其他用户）。"
                           f"密码从环境变量 {users.PASSWORD_ENV} 读取，或在终端输入两遍。")
    p.add_argument("--role", default="county", choices=sorted(_INIT_ROLES), help="第一个用户的角色（默认 county）")

    actions = action_group(sub, "user", help="管理用户（添加、改密码、列出、停用）",
                           description="管理这个数据库的用户。新密码从环境变量 "
                                       f"{NEW_PASSWORD_ENV} 读取，或在终端输入两遍。", dest="user_command")
    a = action(actions, "add", add, help="添加用户（县就业办管理员）", description="添加一个用户。")
    a.add_argument("name", metavar="NAME", help="用户名")
    a.add_argument("--role", required=True, help="角色：" + "、".join(f"{k}（{v}）" for k, v in users.ROLES.items()))
    a.add_argument("--town", metavar="NAME", help="乡镇用户所属的乡镇（街道）")
    a.add_argument("--cadre", metavar="NAME", help="帮扶干部用户对应的帮扶责任人")
    pw = action(actions, "passwd", passwd, help="修改密码（不给用户名时改自己的）", description="修改密码。")
    pw.add_argument("name", metavar="NAME", nargs="?", help="用户名（默认自己）")
    ls = action(actions, "list", list_cmd, help="列出用户", description="列出这个数据库的用户。")
    json_flag(ls)
    d = action(actions, "disable", disable, help="停用用户（县就业办管理员）", description="停用一个用户：他不能再登录。")
    d.add_argument("name", metavar="NAME", help="用户名")


def new_password(prompt_name: str, env: str = NEW_PASSWORD_ENV) -> str:
    """A new password from ``env`` or typed twice on a terminal."""
    value = os.environ.get(env)
    if value:
        return value
    if sys.stdin is None or not sys.stdin.isatty():
        raise users.LoginRequired(f"需要新密码：请设置环境变量 {env}，或在终端中运行以输入密码")
    first = getpass.getpass(f"{prompt_name} 的新密码：")
    users.check_password(prompt_name, first)
    if getpass.getpass("再输入一遍：") != first:
        raise CadreDeskError("两次输入的密码不一样，没有修改")
    return first


def init(args, ctx) -> int:
    from ..storage import default_db_path

    path = Path(ctx.db_path) if ctx.db_path else default_db_path()
    name = getattr(args, "user", None) or os.environ.get(users.USER_ENV)
    if not name:
        raise users.LoginRequired(f"需要登录：请用 --user 用户名 给出第一个用户（或设置环境变量 {users.USER_ENV}）")
    password = new_password(name, users.PASSWORD_ENV)
    store = users.create_encrypted_database(path, name, password, _INIT_ROLES[args.role])
    store.db.conn.close()
    print(f"已新建加密数据库 {path}，第一个用户“{name}”（{users.ROLES[_INIT_ROLES[args.role]]}）。"
          f"密钥文件 {path.name}.keys 必须和数据库放在一起")
    return 0


def add(args, ctx) -> int:
    store = ctx.store
    role = users.check_role(args.role)
    users.require(store, "user.add")
    users.add_user(store, args.name, new_password(args.name), role, town=args.town, cadre=args.cadre)
    print(f"已添加用户“{args.name}”（{users.ROLES[role]}）")
    return 0


def passwd(args, ctx) -> int:
    store = ctx.store
    name = args.name or store.user
    users.change_password(store, name, new_password(name))
    print(f"已修改“{name}”的密码")
    return 0


def list_cmd(args, ctx) -> int:
    rows = users.list_users(ctx.store)
    if args.json:
        print(json.dumps([{"name": r["name"], "role": r["role"], "town": r["town"], "cadre": r["cadre"],
                           "disabled": bool(r["disabled"]), "created_at": r["created_at"]} for r in rows],
                         ensure_ascii=False))
        return 0
    for r in rows:
        where = r["town"] or r["cadre"] or ""
        state = "（已停用）" if r["disabled"] else ""
        print(f"{r['name']}  {users.ROLES.get(r['role'], r['role'])}  {where}{state}".rstrip())
    print(f"共 {len(rows)} 个用户")
    return 0


def disable(args, ctx) -> int:
    users.disable_user(ctx.store, args.name)
    print(f"已停用用户“{args.name}”")
    return 0
