"""Running ``cadre-desk`` in-process, as the county's scripts would, and
capturing what it prints."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

from cadre_desk.cli import main


def run_cli(*argv: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``cadre-desk ARGV``."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            rc = main(list(argv))
        except SystemExit as exc:
            rc = exc.code
    return rc, out.getvalue(), err.getvalue()
