"""The first start: a database with no households is not filled with invented
people. The user chooses to import the county's roster, to enrol a cadre's
laptop with a setup package, or to look at the demo county, which lives in a
file of its own beside the real database (``demo.db``) and never in it.

The window (``ui.first_start``) and the command line create a real database
only through ``create_database`` (name in, database out), so that what a new
database needs (the user's name today; a password later) is decided in one
place.
"""

from __future__ import annotations

from pathlib import Path

from . import places
from .errors import CANNOT_WRITE_ERRNOS, CadreDeskError, DatabaseError, os_error_reason
from .paths import default_db_path
from .storage import Store, open_store

DEMO_FILE_NAME = "demo.db"


class InDemo(CadreDeskError):
    """Real data was offered to the demo database."""


def real_path(path: str | Path | None) -> Path:
    return Path(path) if path else default_db_path()


def demo_path_for(path: str | Path | None) -> Path:
    """The demo county's own file, beside the real database."""
    return real_path(path).with_name(DEMO_FILE_NAME)


def has_households(store: Store, *, include_deleted: bool = True) -> bool:
    """Whether the database has ever held a household (a county that deleted
    all of its households does not start over); ``include_deleted=False``:
    whether it holds one now."""
    where = "" if include_deleted else " WHERE deleted = 0"
    return store.db.execute(f"SELECT EXISTS (SELECT 1 FROM households{where})").fetchone()[0] == 1


def is_demo(store: Store) -> bool:
    return bool(store.get_setting("is_demo", False))


def needs_first_start(path: str | Path | None) -> bool:
    """True when ``path`` does not exist yet or holds no household: the window
    then shows the first-start page instead of an empty register."""
    needed, store = check_first_start(path)
    if store is not None:
        store.db.conn.close()
    return needed


def check_first_start(path: str | Path | None) -> tuple[bool, Store | None]:
    """``needs_first_start`` and, when the database had to be opened to tell
    (credentials from the environment) and it is not a first start, the open
    store, so that the window does not open it (and sign in) a second time."""
    path = real_path(path)
    if not path.exists() or path.stat().st_size == 0:
        return True, None
    from . import users
    from .storage import file_kind

    if file_kind(path) == "encrypted" and users.credentials_from_env() is None:
        return False, None  # its users sign in first; only a new file is a first start
    store = open_store(path)
    try:
        needed = not has_households(store) and not is_demo(store)
    except BaseException:
        store.db.conn.close()
        raise
    if needed:
        store.db.conn.close()
        return True, None
    return False, store


def clean_user_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise CadreDeskError("请填写您的姓名：每一次修改都会记下是谁改的")
    if len(name) > 30:
        raise CadreDeskError("姓名太长了（最多 30 个字），请只填姓名")
    return name


def create_database(path: str | Path | None, user_name: str, *, store: Store | None = None) -> Store:
    """Open (creating if needed) the user's real database, ready for a roster
    or a setup package, with the user's name recorded for every change.
    Refuses the demo file, and a folder that does not exist. ``store`` is the
    database the window's sign-up has just created (encrypted, with its first
    user); without it the database is opened with the credentials of the
    environment (scripts, tests)."""
    name = clean_user_name(user_name)
    path = real_path(path)
    if path.name == DEMO_FILE_NAME:
        raise InDemo(f"{path.name} 是演示数据库的文件名，请为真实数据换一个文件名")
    if not path.parent.exists() and path != default_db_path():
        raise CadreDeskError(f"文件夹不存在：{path.parent}。请先建好文件夹，或换一个位置")
    store = store if store is not None else open_store(path)
    try:
        if is_demo(store):
            raise InDemo(f"{path} 是演示数据库，不能存放真实数据。请换一个数据库文件")
        store.set_setting("user_name", name)  # before the first change is logged
        places.ensure_county(store)
    except BaseException:
        store.db.conn.close()
        raise
    return store


def open_demo_file(path: str | Path | None) -> Store:
    """The demo county's own file beside ``path``, opened: a new one is made
    plaintext (it holds only invented people, and nobody signs in to it); a
    file that holds real households is refused."""
    from .storage import file_kind

    target = demo_path_for(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        store = open_store(target) if file_kind(target) == "encrypted" else open_store(target, plaintext=True)
    except (OSError, DatabaseError) as exc:
        cause = exc if isinstance(exc, OSError) else exc.__cause__
        if isinstance(cause, OSError) and cause.errno in CANNOT_WRITE_ERRNOS:
            raise CadreDeskError(
                f"无法在文件夹 {target.parent} 里建立演示数据库：{os_error_reason(cause)}。演示数据库放在您的数据库旁边，"
                "请换一个可以写入的文件夹：在“设置”中更改数据库位置，或启动时用 --db 指定数据库文件") from None
        raise
    if has_households(store) and not is_demo(store):
        store.db.conn.close()
        raise InDemo(f"{target} 里已经有真实数据，不能当作演示数据库。请把它改名或移走后再看演示")
    return store


def open_demo(path: str | Path | None, *, user_name: str = "", households: int | None = None,
              seed: int | None = None) -> Store:
    """Open the demo county's own file beside ``path`` (building the demo on
    first use). The real database at ``path`` is not opened or changed."""
    from . import demo

    store = open_demo_file(path)
    try:
        if not has_households(store):
            places.ensure_county(store)
            kwargs = {k: v for k, v in (("households", households), ("seed", seed)) if v is not None}
            demo.build_demo(store, **kwargs)
        if user_name.strip():
            store.set_setting("user_name", " ".join(user_name.split()))
    except BaseException:
        store.db.conn.close()
        raise
    return store


def leave_demo(store: Store) -> Path:
    """文件 → 关闭演示 from a demo database that was opened as the user's own
    (``cadre-desk --db`` on a demo, or a demo an older version built in the
    default database): the real database to go back to, the default one. A
    demo that fills the default database itself is moved to the demo's own
    file first (a plaintext copy, ``demo.db``; its files are then removed),
    so that the user's place is free for real data and 先看看演示 still finds
    it. ``store`` is closed when it is moved."""
    real = real_path(None)
    path = Path(store.path)
    if not is_demo(store) or path.resolve() != real.resolve():
        return real
    target = demo_path_for(real)
    if target.exists():
        raise InDemo(f"{path} 是演示数据库，占用了您的数据库的位置，而 {target} 已经存在，无法把它移开。"
                     f"请先把 {target} 改名或移走，再关闭演示")
    conn = store.db.conn
    if store.key is None:
        conn.close()
        path.rename(target)  # already plaintext
    else:
        conn.execute("ATTACH DATABASE ? AS demo_copy KEY ''", [str(target)])
        try:
            conn.execute("SELECT sqlcipher_export('demo_copy')")
        finally:
            conn.execute("DETACH DATABASE demo_copy")
        conn.close()
    from .keys import keys_path

    for companion in (Path(f"{path}-wal"), Path(f"{path}-shm"), keys_path(path), path):
        companion.unlink(missing_ok=True)
    return real


def refuse_in_demo(store: Store, what: str) -> None:
    """Real data (``what``: 花名册, 启用包) is never imported into the demo."""
    if is_demo(store):
        where = f"（{store.path}）" if store.path else ""
        raise InDemo(f"现在打开的是演示数据库{where}，{what}不能导入演示数据库。"
                     "请先用“文件 → 关闭演示”回到您自己的数据库，再导入")


def check_setup_package(path: str | Path, code: str) -> None:
    """Before any database is created: ``path`` is a setup package and
    ``code`` opens it (the sync module's own Chinese messages otherwise)."""
    from .sync.importer import read_package_file
    from .sync.package import KIND_SETUP, open_sealed, read_outer

    if not str(path or "").strip():
        raise CadreDeskError("请选择县就业办给您的启用包文件（.cdsync）")
    if not (code or "").strip():
        raise CadreDeskError("请输入县就业办告诉您的启用码（16 个字母或数字）")
    sealed = read_outer(read_package_file(path))
    if sealed.header.get("kind") != KIND_SETUP:
        raise CadreDeskError(f"{Path(path).name} 不是启用包，是平时同步用的数据包。"
                             "新电脑请用县就业办为您生成的启用包")
    open_sealed(sealed, code=code)
