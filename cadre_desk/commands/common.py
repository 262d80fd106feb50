"""What the command modules share: a command whose actions are subcommands
(``cadre-desk spell add|list|end``), one action or command with its handler,
the arguments many of them take (a member's ID number, ``--json``), and how a
write refused for its answers becomes one Chinese line."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from ..errors import CadreDeskError, ValidationFailed

ID_NUMBER_HELP = "成员的证件号码"


def action_group(subparsers, name: str, *, help: str, description: str, dest: str = "action",
                 required: bool = False):
    """A command with actions: returns the actions' subparsers. Given alone,
    the command prints its help (``required``: argparse asks for an action)."""
    p = subparsers.add_parser(name, help=help, description=description)
    actions = p.add_subparsers(dest=dest, metavar="ACTION", parser_class=type(p))
    if required:
        actions.required = True
    else:
        p.set_defaults(handler=lambda args, ctx: (p.print_help(), 0)[1])
    return actions


def action(actions, name: str, handler: Callable, *, help: str, description: str | None = None, **defaults):
    """One action of ``actions`` (or one command of ``cadre-desk``) that runs
    ``handler``; ``defaults`` are further ``set_defaults`` (``creates_db``)."""
    words = {"help": help} if description is None else {"help": help, "description": description}
    parser = actions.add_parser(name, **words)
    parser.set_defaults(handler=handler, **defaults)
    return parser


def id_number(parser, help: str = ID_NUMBER_HELP) -> None:
    """The ``ID_NUMBER`` argument: whose record the command is about."""
    parser.add_argument("id_number", metavar="ID_NUMBER", help=help)


def json_flag(parser, help: str = "输出 JSON") -> None:
    parser.add_argument("--json", action="store_true", help=help)


@contextlib.contextmanager
def problems_as_error() -> Iterator[None]:
    """A write refused for its answers, as one line of every problem's message."""
    try:
        yield
    except ValidationFailed as exc:
        raise CadreDeskError("；".join(p.message for p in exc.problems)) from None


def explain(exc: ValidationFailed, part) -> CadreDeskError:
    """The form's messages, each named by its column, on one line."""
    parts = []
    for p in exc.problems:
        fld = part.by_key.get(p.field) if p.field else None
        parts.append(f"{fld.label}：{p.message}" if fld and fld.label not in p.message else p.message)
    return CadreDeskError("；".join(dict.fromkeys(parts)) + "。没有保存任何修改")


@contextlib.contextmanager
def explained(part) -> Iterator[None]:
    """A write of ``part``'s answers refused: ``explain``'s one line."""
    try:
        yield
    except ValidationFailed as exc:
        raise explain(exc, part) from None


def print_warnings(warnings) -> None:
    for w in warnings:
        print(f"提示：{w.message}")


def member_named(ctx, args) -> dict:
    """The member whose ``ID_NUMBER`` the command was given."""
    from .. import register

    return register.member_by_id_number(ctx.store, args.id_number)


def set_answers(part, pairs: list[str], write: Callable[[dict], list], done: Callable[[str], str]) -> int:
    """``household set`` / ``member set``: answers given as ``列名=值`` pairs,
    written by ``write(answers)`` (which returns the warnings; refused answers
    raise ``explain``'s line), then ``done(labels)`` and the warnings printed."""
    from .. import households

    answers = households.answers_from_pairs(part, pairs)
    with explained(part):
        warnings = write(answers)
    print(done("、".join(part.by_key[k].label for k in answers)))
    print_warnings(warnings)
    return 0
