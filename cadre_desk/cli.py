"""``cadre-desk``: the command line. With no command it starts the desktop app.

Commands live in ``cadre_desk/commands/``: every module there with a
``register(subparsers)`` function adds its commands; each command's handler
takes ``(args, ctx)`` and returns an exit code. Errors a user can cause
(``CadreDeskError``) print one Chinese line on stderr and exit 1; bad arguments
exit 2 with a Chinese line; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import re
import sys
from pathlib import Path

from . import __version__
from .errors import CadreDeskError, os_error_reason

_ARGPARSE_ZH = [
    (r"the following arguments are required: (.*)", r"缺少参数：\1"),
    (r"unrecognized arguments: (.*)", r"不认识的参数：\1"),
    (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)", r"参数 \1 的取值 \2 无效，可选：\3"),
    (r"argument (\S+): invalid (\w+) value: (.*)", r"参数 \1 的取值 \3 无效"),
    (r"argument (\S+): expected one argument", r"参数 \1 后面缺少取值"),
    (r"argument (\S+): not allowed with argument (\S+)", r"参数 \1 不能和 \2 同时使用"),
    (r"one of the arguments (.*) is required", r"必须给出以下参数之一：\1"),
]


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with one-line Chinese errors (the county's scripts log them)."""

    def error(self, message: str):  # noqa: D401 - argparse API
        for pattern, repl in _ARGPARSE_ZH:
            if re.fullmatch(pattern, message):
                message = re.sub(pattern, repl, message)
                break
        self.exit(2, f"参数错误：{message}。用 {self.prog} --help 查看用法\n")


# Commands that may create a database file (every other command needs one that
# exists). A command may also declare it itself: ``set_defaults(creates_db=True)``.
CREATES_DATABASE = {"import-roster", "demo", "sync import", "household new", "init", "import-openings", "policy import",
                    "policy samples"}


def command_name(args) -> str:
    """'sync import', 'household new', 'stats': the command and its action."""
    parts = [args.command or ""]
    for key in ("sync_command", "action", "household_command", "member_command"):
        value = getattr(args, key, None)
        if isinstance(value, str):
            parts.append(value)
            break
    return " ".join(parts)


def creates_database(args) -> bool:
    declared = getattr(args, "creates_db", None)
    if declared is not None:
        return bool(declared)
    return command_name(args) in CREATES_DATABASE


class Context:
    """What a command handler needs: the chosen database, opened on first use.

    A ``--db`` (or ``CADRE_DESK_DB``) path whose folder does not exist is an
    error, never created; a command that does not create databases
    (``creates=False``) refuses a file that does not exist and creates nothing."""

    def __init__(self, db_path: str | None, *, creates: bool = True, user: str | None = None, handler=None):
        self.db_path = db_path
        self.creates = creates
        self.user = user  # --user (else CADRE_DESK_USER); the password: CADRE_DESK_PASSWORD or asked
        self.handler = handler  # the command, so that the signed-in user's role can refuse it
        self._store = None

    def check_path(self) -> Path:
        from .paths import DB_ENV, default_db_path

        explicit = bool(self.db_path or os.environ.get(DB_ENV))
        path = Path(self.db_path) if self.db_path else default_db_path()
        if explicit and not path.parent.is_dir():
            raise CadreDeskError(f"文件夹不存在：{path.parent}。请先建好这个文件夹，或检查 --db 给出的路径")
        if not self.creates and not path.is_file():
            raise CadreDeskError(f"数据库文件不存在：{path}")
        return path

    @property
    def store(self):
        if self._store is None:
            from . import places
            from .storage import open_store

            from . import users

            self._store = open_store(self.check_path(), credentials=users.credentials_from_env(self.user, ask=True))
            users.check_command(self._store, self.handler)
            if sys.stderr.isatty():  # for a person at the terminal; scripts find it in the audit trail
                for notice in self._store.notices:
                    print(notice, file=sys.stderr)
            if not self._store.read_only:
                places.ensure_county(self._store)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.db.conn.close()
            self._store = None


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(
        prog="cadre-desk",
        description="帮扶工作台：建档立卡贫困户就业帮扶的离线工具。不带命令时启动桌面程序。",
    )
    parser.add_argument("--db", metavar="PATH",
                        help="数据库文件（默认为用户数据目录中的 cadre-desk.db，或环境变量 CADRE_DESK_DB）")
    parser.add_argument("--user", metavar="NAME", help="登录的用户名（或环境变量 CADRE_DESK_USER；"
                        "密码从 CADRE_DESK_PASSWORD 读取，或在终端输入）")
    parser.add_argument("--version", action="version", version=f"cadre-desk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ChineseArgumentParser)
    from . import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        if hasattr(module, "register"):
            module.register(sub)
    # ``--db`` is also accepted after the command name.
    for choice in sub.choices.values():
        choice.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help="数据库文件")
        choice.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS, help="登录的用户名")
    return parser


def _window_start(argv: list[str]) -> dict[str, str] | None:
    """The options of ``cadre-desk [--db PATH] [--user NAME]`` (no command:
    the window starts), told apart without building every command's parser;
    None for anything else, which the full parser then reads."""
    options: dict[str, str] = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, equals, value = arg.partition("=")
        if name not in ("--db", "--user") or name in options:
            return None
        if not equals:
            if i + 1 >= len(argv) or argv[i + 1].startswith("-"):
                return None
            value, i = argv[i + 1], i + 1
        options[name] = value
        i += 1
    return options


def _restore_hint(exc: BaseException) -> str:
    """A damaged database with a good backup: the command that restores it."""
    backup = getattr(exc, "backup", None)
    return f"（命令：cadre-desk restore {backup}）" if backup else ""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    window = _window_start(argv)
    if window is not None:
        from .app_launcher import launch

        return launch(window.get("--db"))
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from .app_launcher import launch

        return launch(args.db)
    ctx = Context(args.db, creates=creates_database(args), user=getattr(args, "user", None),
                  handler=getattr(args, "handler", None))
    try:
        code = int(args.handler(args, ctx) or 0)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # ``cadre-desk search … | head``: the reader has gone; end quietly.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass  # not a real file (tests capture output)
        return 0
    except CadreDeskError as exc:
        print(f"错误：{exc.message}{_restore_hint(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已取消", file=sys.stderr)
        return 130
    except OSError as exc:
        name = Path(exc.filename).name if getattr(exc, "filename", None) else ""
        print(f"错误：无法读写文件 {name}：{os_error_reason(exc)}。请检查路径和权限", file=sys.stderr)
        return 1
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())
