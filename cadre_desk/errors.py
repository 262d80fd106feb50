"""One exception hierarchy for the core.

Every error a user can cause carries a Chinese message that says what is wrong
and what to do; the CLI prints ``message`` on one line and the UI shows it in a
dialog. Programming errors stay ordinary exceptions.
"""

from __future__ import annotations

import errno


class CadreDeskError(Exception):
    """Base of all errors a user can cause. ``message`` is Chinese, one line."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidIdNumber(CadreDeskError):
    """An ID number that fails GB 11643-1999. ``kind`` is a stable English tag:
    empty, float, length, chars, check, date."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


class ValidationFailed(CadreDeskError):
    """Answers that break the questionnaire's rules; ``problems`` lists them."""

    def __init__(self, problems):
        self.problems = list(problems)
        first = self.problems[0].message if self.problems else ""
        more = f"（另有 {len(self.problems) - 1} 处问题）" if len(self.problems) > 1 else ""
        super().__init__(f"{first}{more}")


class NotFound(CadreDeskError):
    """A household, member or record that does not exist (or was deleted)."""


class DuplicateIdNumber(CadreDeskError):
    """The same ID number already belongs to another member of the county."""


class ImportFailed(CadreDeskError):
    """A file could not be imported; ``problems`` lists every bad row."""

    def __init__(self, message: str, problems=()):
        super().__init__(message)
        self.problems = list(problems)


class DatabaseError(CadreDeskError):
    """The database file cannot be opened or written (locked, damaged, disk full)."""


class DatabaseDamaged(DatabaseError):
    """The database cannot be read; ``backup`` is the newest automatic backup
    that passes its checks (None: there is none), for the caller to offer:
    the window a button, the command line ``cadre-desk restore``."""

    def __init__(self, message: str, backup=None, made: str | None = None):
        super().__init__(message)
        self.backup = backup
        self.made = made


# The system's reasons are English (``OSError.strerror``): the common ones said in Chinese.
_OS_REASONS = {
    errno.EROFS: "所在的磁盘或文件夹是只读的",
    errno.EACCES: "没有读写权限",
    errno.EPERM: "没有读写权限",
    errno.ENOSPC: "磁盘已满",
    errno.ENOENT: "文件或文件夹不存在",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.EBUSY: "文件正被占用",
    errno.ENAMETOOLONG: "路径太长",
}
CANNOT_WRITE_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})  # the place refuses writing


def os_error_reason(exc: BaseException) -> str:
    """Why an ``OSError`` happened, in Chinese where the reason is a common
    one (else the system's own words; another exception: its text)."""
    return _OS_REASONS.get(getattr(exc, "errno", None)) or getattr(exc, "strerror", None) or str(exc)
