"""``cadre-desk sync ...``: carrying data between the county office and the
cadres' laptops as files (setup, export, import, status, log, retire,
conflicts, resolve). See docs/sync.md for the clerk's steps."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import CadreDeskError
from .common import action, action_group, json_flag


def register(subparsers) -> None:
    actions = action_group(
        subparsers, "sync", help="同步：县就业办与帮扶干部电脑之间用文件交换数据", dest="sync_command",
        description="用U盘或聊天软件传文件，在县就业办和帮扶干部的电脑之间交换数据。数据包经过签名和加密，"
                    "导入前先核验；同一字段两边都改了时，按时间先后取后改的，另一方的值进入冲突列表由县就业办复核。")

    s = action(actions, "setup", run_setup, help="（县就业办）为帮扶干部生成启用包",
               description="为一名帮扶干部登记一台电脑，并写出启用包：县里的公钥、设备号、"
                           "他负责的户和成员、岗位、政策。第一次运行时本数据库成为县就业办的数据库。"
                           "屏幕上显示的启用码要另外告诉帮扶干部（当面或电话），不要和文件一起发送。")
    s.add_argument("--cadre", required=True, metavar="NAME", help="帮扶责任人姓名（与花名册“帮扶责任人”一栏相同）")
    s.add_argument("-o", "--output", required=True, metavar="FILE", help="启用包文件，如 王芳-启用包.cdsync")

    e = action(actions, "export", run_export, help="导出数据包（交给对方导入）",
               description="写出对方还没有确认收到的全部改动（--full 则全部重发）。"
                           "帮扶干部的电脑发给县就业办；县就业办发给某位帮扶干部的电脑。")
    e.add_argument("-o", "--output", required=True, metavar="FILE", help="数据包文件，如 王芳-0512.cdsync")
    e.add_argument("--full", action="store_true", help="全部重发（对方数据丢失或怀疑缺数据时用）")
    e.add_argument("--cadre", metavar="NAME", help="（县就业办）发给哪位帮扶干部的电脑")
    e.add_argument("--device", metavar="ID", help="（县就业办）发给哪台设备（设备号见 sync status）")

    i = action(actions, "import", run_import, help="导入数据包或启用包（可一次导入多个）",
               description="核验签名、县、发送设备和内容校验后导入；不合格的整包拒收，合格包里本机不能接收的"
                           "个别记录单独拒收、留待复核。同一个文件导入两次不会重复。一次可给多个文件，"
                           "每个文件单独导入（一个被拒收不影响其他），每个文件一行结果。"
                           "在新的数据库上导入启用包，本机即成为该帮扶干部的电脑。")
    i.add_argument("files", nargs="+", metavar="FILE", help="数据包或启用包文件（可以多个）")
    i.add_argument("--code", metavar="CODE", help="启用码（只有启用包需要，县就业办生成启用包时给出）")

    st = action(actions, "status", run_status, help="本机的同步身份和已登记的设备",
                description="显示本机是县就业办还是帮扶干部的电脑，以及每台设备最近的导入导出和未处理的冲突数。")
    json_flag(st, "输出一个 JSON 对象")

    lg = action(actions, "log", run_log, help="每台设备的同步记录", description="按时间列出导入和导出的数据包。")
    _device_filter(lg)

    rf = action(actions, "refused", run_refused, help="没有导入、留待复核的记录",
                description="数据包里本机没有接收的记录（不属于对方负责的户、证件号码已在另一户、"
                            "时钟超前、户编号重复等），每条写明原因，原样保存待复核。")
    _device_filter(rf)
    json_flag(rf, "输出 JSON（每行一条）")

    rt = action(actions, "retire", run_retire, help="（县就业办）停用或恢复一台帮扶干部的电脑",
                description="电脑丢失、被盗或更换时停用它：县就业办不再接受它签名的数据包（即使有人拿到"
                            "它的密钥），也不再给它导出。记录保留。--restore 恢复误停用的电脑。")
    who = rt.add_mutually_exclusive_group(required=True)
    who.add_argument("--cadre", metavar="NAME", help="帮扶干部姓名（他只有一台在用的电脑时）")
    who.add_argument("--device", metavar="ID", help="设备号（见 sync status）")
    rt.add_argument("--restore", action="store_true", help="恢复：重新接受这台电脑的数据包")

    c = action(actions, "conflicts", run_conflicts, help="列出同步冲突", description="两台设备改了同一个字段时，后改的生效，"
                                                         "另一个值列在这里，等县就业办复核。")
    c.add_argument("--all", action="store_true", help="也列出已处理的冲突")
    json_flag(c, "输出 JSON（每行一个冲突）")

    r = action(actions, "resolve", run_resolve, help="处理一个同步冲突",
               description="--keep mine 保留本机现在的值；--keep theirs 采用对方（被覆盖）的值；"
                           "--value 填写新的值。处理结果随下一个数据包发到帮扶干部的电脑。")
    r.add_argument("id", type=int, metavar="ID", help="冲突编号（见 sync conflicts）")
    how = r.add_mutually_exclusive_group(required=True)
    how.add_argument("--keep", choices=["mine", "theirs"], help="mine 保留本机的值，theirs 采用对方的值")
    how.add_argument("--value", metavar="V", help="填写新的值")

    for child in actions.choices.values():
        child.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help="数据库文件")



def _device_filter(parser) -> None:
    parser.add_argument("--device", metavar="ID", help="只看这台设备（设备号或帮扶干部姓名）")

def run_setup(args, ctx) -> int:
    from ..sync.export import write_setup_package
    result = write_setup_package(ctx.store, args.cadre, args.output)
    print(f"已写出{result.cadre}的启用包：{result.path}（{result.households} 户，{result.members} 人）")
    print(f"设备号：{result.device_id}")
    print(f"启用码：{result.code}")
    print("请把启用码当面或打电话告诉帮扶干部，不要和文件放在一起发送。")
    return 0


def run_export(args, ctx) -> int:
    from ..sync.export import export_package
    result = export_package(ctx.store, args.output, full=args.full, cadre=args.cadre, device_id=args.device)
    what = "全部数据" if result.full else "改动"
    print(f"已写出发给{result.receiver_name}的第 {result.seq} 号数据包：{result.path}（{what} {result.rows} 条）")
    return 0


def _import_one(store, path: str, code: str | None):
    from ..sync.importer import SetupCodeNeeded, import_package
    try:
        return import_package(store, path, code=code)
    except SetupCodeNeeded:
        if not sys.stdin.isatty():
            raise
        return import_package(store, path, code=input("请输入启用码：").strip())


def _new_laptop(ctx, path: str, code: str | None):
    """A setup package on a path with no database yet: the cadre's laptop is
    created encrypted with the signed-in user as its first user, role 帮扶干部
    (not the county's 管理员). The package and its code are checked first, so
    a wrong code or a damaged file creates nothing. None when this is not
    that case (an existing database, or not a setup package)."""
    from .. import first_start, places, users
    from ..storage import file_kind
    from ..sync.importer import SetupCodeNeeded, read_package_file
    from ..sync.package import KIND_SETUP, read_outer

    target = ctx.check_path()
    if file_kind(target) != "new" or read_outer(read_package_file(path)).header.get("kind") != KIND_SETUP:
        return None
    if not code:
        if not sys.stdin.isatty():
            raise SetupCodeNeeded()
        code = input("请输入启用码：").strip()
    first_start.check_setup_package(path, code)
    creds = users.credentials_from_env(ctx.user, ask=True)
    if creds is None:
        raise users.LoginRequired(users.login_required_message())
    store = users.create_encrypted_database(target, creds.user, creds.password, "cadre")
    places.ensure_county(store)
    ctx._store = store
    return code


def run_import(args, ctx) -> int:
    if len(args.files) == 1:
        code = _new_laptop(ctx, args.files[0], args.code) or args.code
        result = _import_one(ctx.store, args.files[0], code)
        print(result.summary)
        for note in result.notes:
            print(f"  提示：{note}")
        return 0
    # Many packages in one run: each in its own transaction, one line each;
    # a refused one is named and the others still go in.
    failed = 0
    for path in args.files:
        name = Path(path).name
        try:
            result = _import_one(ctx.store, path, args.code)
        except CadreDeskError as exc:
            failed += 1
            print(f"{name}：未导入：{exc.message}")
            continue
        print(f"{name}：{result.summary}" + (f"（提示：{'；'.join(result.notes[:3])}）" if result.notes else ""))
    print(f"共 {len(args.files)} 个文件：导入 {len(args.files) - failed} 个，未导入 {failed} 个")
    return 1 if failed else 0


def _device_rows(store) -> list[dict]:
    from ..sync import roles
    rows = roles.devices(store)
    for d in rows:
        d["open_conflicts"] = store.db.execute(
            "SELECT count(*) FROM sync_conflicts WHERE status = 'open' AND lost_device = ?", [d["id"]]).fetchone()[0]
        for secret in ("enrol_secret",):
            d.pop(secret, None)
    return rows


def run_status(args, ctx) -> int:
    from ..sync import roles
    store = ctx.store
    my_role = roles.role(store)
    info = roles.county_info(store)
    open_conflicts = store.db.execute("SELECT count(*) FROM sync_conflicts WHERE status = 'open'").fetchone()[0]
    devices = _device_rows(store)
    if args.json:
        print(json.dumps({"role": my_role, "device_id": store.device_id, "county": info.get("name"),
                          "county_key": info.get("key_id"), "cadre": (roles.my_cadre(store) or {}).get("name"),
                          "open_conflicts": open_conflicts,
                          "devices": [{**{k: d[k] for k in ("id", "role", "cadre_name", "last_import_at",
                                                            "last_export_at", "acked_upto", "received_upto")},
                                       "retired": bool(d["retired"])} for d in devices]}, ensure_ascii=False))
        return 0
    if my_role is None:
        print("本机还没有设置同步。县就业办：用 sync setup 为帮扶干部生成启用包；帮扶干部：导入启用包。")
        return 0
    who = roles.ROLE_LABELS[my_role]
    if my_role == roles.LAPTOP:
        who += f"（{(roles.my_cadre(store) or {}).get('name', '')}）"
    print(f"本机：{who}，设备号 {store.device_id}，{info.get('name', '')}")
    print(f"未处理的冲突：{open_conflicts} 处")
    print("设备号        身份          帮扶干部    最近导入                 最近导出                 待复核冲突")
    for d in devices:
        if d["id"] == store.device_id:
            continue
        keys_note = "（已停用）" if d["retired"] else "" if d["box_public"] else "（待交回第一个数据包）"
        print(f"{d['id']:<13} {roles.ROLE_LABELS[d['role']]:<10} {d['cadre_name'] or '':<8} "
              f"{(d['last_import_at'] or '—')[:19]:<24} {(d['last_export_at'] or '—')[:19]:<24} "
              f"{d['open_conflicts']}{keys_note}")
    return 0


def run_log(args, ctx) -> int:
    from ..sync import journal
    lines = journal.log_lines(ctx.store, args.device)
    if not lines:
        print("还没有同步记录")
        return 0
    towards = {"export": "给", "import": "自"}
    for line in lines:
        print(f"{line.at[:19]}  {line.direction_label}{towards.get(line.direction, '')} {line.peer}  "
              f"{line.package + '  ' if line.package else ''}{line.what}  {line.file_name}".rstrip())
    return 0


def run_refused(args, ctx) -> int:
    from ..sync import journal
    rows = journal.refused_rows(ctx.store, args.device)
    if args.json:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False))
        return 0
    if not rows:
        print("没有拒收的记录")
        return 0
    for r in rows:
        told = "，已告知对方" if r["told_at"] else ""
        print(f"#{r['id']}  {(r['at'] or '')[:19]}  {r['cadre_name'] or r['device_id'] or ''}  "
              f"{r['reason']}{told}")
    return 0


def run_retire(args, ctx) -> int:
    from ..sync import roles
    device = roles.retire_device(ctx.store, cadre=args.cadre, device_id=args.device, restore=args.restore)
    who = f"{device['cadre_name'] or ''}的电脑（设备号 {device['id']}）"
    if args.restore:
        print(f"已恢复{who}：县就业办重新接受它的数据包，也可以再给它导出")
    else:
        print(f"已停用{who}：它的数据包不再导入，也不再给它导出。给这位帮扶干部换的新电脑请重新生成启用包"
              "（sync setup）")
    return 0


def run_conflicts(args, ctx) -> int:
    from ..sync import conflicts as conflict_review
    store = ctx.store
    rows = conflict_review.list_conflicts(store, include_resolved=args.all)
    if args.json:
        for r in rows:
            print(json.dumps({k: r[k] for k in ("id", "table_name", "row_id", "field", "field_label", "what",
                                                "current_value", "lost_value", "lost_by", "status")},
                             ensure_ascii=False))
        return 0
    if not rows:
        print("没有待处理的同步冲突")
        return 0
    for r in rows:
        t, f = r["table_name"], r["field"]
        status = "" if r["status"] == "open" else f"  [已处理：{r['status']}]"
        print(f"#{r['id']}  {r['what']}  {r['field_label']}：现在是“{conflict_review.shown(store, t, f, r['current_value'])}”，"
              f"被覆盖的是“{conflict_review.shown(store, t, f, r['lost_value'])}”（{r['lost_by'] or r['lost_device']}）"
              f"{status}")
    print("处理：cadre-desk sync resolve 编号 --keep mine|theirs 或 --value 新值")
    return 0


def run_resolve(args, ctx) -> int:
    from ..sync import conflicts as conflict_review
    result = conflict_review.resolve(ctx.store, args.id, keep=args.keep, value=args.value)
    words = {"kept": "保留了本机的值", "taken": "采用了对方的值", "edited": "填写了新的值"}
    print(f"冲突 #{result['id']} 已处理：{words[result['status']]}")
    return 0
