"""Output files appear whole or not at all: written under a temporary name in
the same folder, renamed over the real name only when complete. A full disk,
a crash or a cancelled job leaves no partial or empty file behind (and an
older file of the same name stays as it was)."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from .errors import CadreDeskError


def temporary_name(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(f".{path.name}.{secrets.token_hex(3)}.part")


@contextlib.contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """``with replacing(out) as tmp: write(tmp)`` — ``out`` appears when the block ends without error."""
    path = Path(path)
    tmp = temporary_name(path)
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise CadreDeskError(f"磁盘已满，{path.name} 没有写成（也没有留下不完整的文件）。请清理磁盘空间后重试") from exc
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
