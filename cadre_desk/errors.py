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


# The system's reasons are English (``OSError.strerror``): the common ones in Chinese, each
# with what to do about it (the window's file errors, ui/errors.py, say the same).
OS_REASONS = {
    errno.EROFS: ("磁盘或文件夹是只读的", "请换一个可以写入的位置（如“文档”文件夹），或请管理员取消只读"),
    errno.EACCES: ("没有权限", "请换一个可以写入的位置，或请管理员给您这个文件夹的权限"),
    errno.EPERM: ("没有权限", "请换一个可以写入的位置，或请管理员给您这个文件夹的权限"),
    errno.ENOSPC: ("磁盘空间已满", "请清理磁盘或换一个磁盘后重试"),
    errno.ENOENT: ("找不到文件或文件夹", "请检查路径，或重新选择文件"),
    errno.EBUSY: ("文件正被其他程序占用", "请关闭正在使用它的程序后重试"),
    errno.ENOTDIR: ("路径中有一段不是文件夹", "请检查路径"),
    errno.EISDIR: ("这是一个文件夹，不是文件", "请选择文件，或检查路径"),
    errno.ENAMETOOLONG: ("路径太长", "请换一个短一些的位置或文件名"),
}
CANNOT_WRITE_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})  # the place refuses writing


def os_error_reason(exc: BaseException) -> str:
    """Why an ``OSError`` happened, in Chinese where the reason is a common
    one (else the system's own words; another exception: its text)."""
    known = OS_REASONS.get(getattr(exc, "errno", None))
    return known[0] if known else getattr(exc, "strerror", None) or str(exc)
