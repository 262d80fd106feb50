"""``cadre-desk recovery ...``: a forgotten password recovered through the county office."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from .. import audit, keys, recovery, users
from ..errors import CadreDeskError
from .user import new_password
from .common import action, action_group


def register(sub) -> None:
    actions = action_group(sub, "recovery", help="忘记密码时通过县就业办恢复（申请、答复、重设）",
                           description="忘记密码时：帮扶干部的电脑写一个恢复申请（recovery request），县就业办用恢复私钥答复"
                                       "一个一次性的恢复文件并在电话里告诉验证码（recovery answer），电脑用恢复文件和验证码"
                                       "设新密码（recovery reset）。数据不会丢失。", dest="recovery_command")
    k = action(actions, "keygen", keygen, help="（县就业办）生成恢复密钥对", description="生成县就业办的恢复密钥对。")
    k.add_argument("-o", "--output", required=True, metavar="COUNTY.key", help="私钥文件（妥善保管）")
    e = action(actions, "enrol", enrol, help="把本机数据库的密钥交给县就业办的恢复公钥保管",
               description="用县就业办的恢复公钥包装本机数据库的密钥（启用时做一次）。")
    e.add_argument("public_key", metavar="PUBLIC_KEY", help="县就业办恢复公钥（keygen 打印的一行）")
    r = action(actions, "request", request, help="写恢复申请（不需要密码）", description="写一个恢复申请文件，交给县就业办。")
    r.add_argument("-o", "--output", required=True, metavar="REQUEST", help="恢复申请文件")
    r.add_argument("--name", required=True, metavar="NAME", help="忘记密码的用户名")
    a = action(actions, "answer", answer, help="（县就业办）答复恢复申请", description="用恢复私钥答复一个恢复申请。")
    a.add_argument("request", metavar="REQUEST", help="恢复申请文件")
    a.add_argument("--key", required=True, metavar="COUNTY.key", help="恢复私钥文件")
    a.add_argument("-o", "--output", required=True, metavar="RESET", help="恢复文件")
    s = action(actions, "reset", reset, help="用恢复文件和验证码设新密码", description="用县就业办的恢复文件和电话告知的验证码设新密码。")
    s.add_argument("reset", metavar="RESET", help="恢复文件")
    s.add_argument("--code", required=True, help="县就业办电话告知的 8 位验证码")


def _db_path(ctx) -> Path:
    from ..storage import default_db_path

    return Path(ctx.db_path) if ctx.db_path else default_db_path()


def keygen(args, ctx) -> int:
    private, public = recovery.new_county_key()
    out = Path(args.output)
    if out.exists():
        raise CadreDeskError(f"{out} 已经存在，不会覆盖（覆盖会让已登记的电脑无法恢复）")
    keys.write_private(out, base64.b64encode(private) + b"\n")
    print(f"已生成恢复私钥 {out}（请离线妥善保管）。恢复公钥：{keys.b64(public)}")
    return 0


def enrol(args, ctx) -> int:
    try:
        public = keys.unb64(args.public_key.strip())
        if len(public) != 32:
            raise ValueError
    except ValueError:
        raise CadreDeskError("恢复公钥的格式不对，应是 keygen 打印的那一行") from None
    recovery.set_county_key(ctx.store, public)
    print("已登记县就业办的恢复公钥：忘记密码时可通过县就业办恢复")
    return 0


def request(args, ctx) -> int:
    out = recovery.write_request(_db_path(ctx), args.name, args.output)
    print(f"已写恢复申请 {out}。请交给县就业办；收到恢复文件和验证码后运行 cadre-desk recovery reset")
    return 0


def answer(args, ctx) -> int:
    store = ctx.store
    users.require(store, "recovery.answer")
    try:
        private = base64.b64decode(Path(args.key).read_bytes().strip(), validate=True)
    except (OSError, ValueError):
        raise CadreDeskError(f"{args.key} 不是恢复私钥文件") from None
    out, code = recovery.answer_request(args.request, private, args.output)
    audit.record(store, "recovery", {"request": Path(args.request).name, "answer": out.name})
    print(f"已写恢复文件 {out}。验证码：{code}（请电话告诉申请人本人，不要和文件一起发送）")
    return 0


def reset(args, ctx) -> int:
    path = _db_path(ctx)
    password = new_password(os.environ.get(users.USER_ENV) or "新密码")
    name = recovery.apply_reset(path, args.reset, args.code, password)
    print(f"已为“{name}”设好新密码，可以登录了")
    return 0
