"""Checks made before handbooks are printed, shared by the window and the
``handbook`` command: a village name that two towns both have, and a county
with no policies (every handbook's policy section would be empty)."""

from __future__ import annotations

from . import places
from .errors import CadreDeskError
from .storage import Store


def no_policies_warning(store: Store, *, for_window: bool = False) -> str | None:
    """None when the county has policies in use; else a warning that says
    where to get some: on the command line its commands, in the window
    (``for_window``) the window's own way (the 打印 menu's 打印政策汇编 offers
    the sample policies; a county's policy file is imported at the county
    office)."""
    from .policies import list_policies

    if list_policies(store):
        return None
    empty = "提示：还没有在用的政策，每本手册的“政策”部分都会是空的。"
    if for_window:
        return (f"{empty}可在“打印”菜单中选“打印政策汇编”，载入随程序提供的样本政策；"
                "本县的正式政策文件由县就业办的管理员导入")
    return f"{empty}请先导入政策（命令行：cadre-desk policy import 文件，或 cadre-desk policy samples 载入样本政策）"


def check_village_unambiguous(store: Store, village: str, town: str | None) -> None:
    """Refuse a village name shared by villages of different towns unless
    ``town`` says which one."""
    if town:
        return
    found = places.find_villages(store, village=village)
    towns = list(dict.fromkeys(v["town_name"] for v in found))
    if len(towns) > 1:
        raise CadreDeskError(f"有 {len(towns)} 个乡镇都有名为“{village.strip()}”的行政村（{'、'.join(towns)}），"
                             f"请加 --town 指明是哪个乡镇的，例如 --town {towns[0]}")
