"""The README tells a new user the truth: its first lines are the two
commands, and every CLI command (and sub-action) is documented in it."""

from pathlib import Path

import pytest

from cadre_desk.cli import build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _subparsers(parser):
    action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return action.choices


COMMANDS = sorted(_subparsers(build_parser()))


def test_readme_starts_with_the_two_commands():
    block = README.split("```")[1]
    lines = [line.split("#")[0].strip() for line in block.splitlines()[1:] if line.strip()]
    assert lines == ["make run", "make test"]
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert "make test" in ci


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme(name):
    assert f"cadre-desk {name}" in README


@pytest.mark.parametrize("group", ["sync", "policy"])
def test_every_sub_action_is_in_the_readme(group):
    actions = _subparsers(_subparsers(build_parser())[group])
    missing = [a for a in actions if f"{group} {a}" not in README and f"/ `{a}" not in README
               and f"/ {a}" not in README]
    assert not missing
