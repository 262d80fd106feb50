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
    (``for_window``) the handbook preview's own button (载入样本政策并重新生成;
    a county's policy file is imported by the county office)."""
    from .policies import list_policies

    if list_policies(store):
        return None
    if for_window:
        return ("提示：还没有在用的政策，手册的“政策”部分是空的。可点“载入样本政策并重新生成”"
                "（样本政策标注为“样本文本”，不是正式文件）；本县的正式政策请县就业办导入后再打印")
    return ("提示：还没有在用的政策，每本手册的“政策”部分都会是空的。请先导入政策"
            "（命令行：cadre-desk policy import 文件，或 cadre-desk policy samples 载入样本政策）")


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
