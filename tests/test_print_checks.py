"""Printing handbooks (issue 11 §3): a village name two towns share asks for
--town; no policies is warned about, on the command line and in the window."""

from __future__ import annotations

from cadre_desk import places, register
from cadre_desk.policies import load_sample_policies
from cadre_desk.storage import open_store
from helpers_cli import run_cli
from helpers_sync import add_household, make_id


def two_villages_named_alike(path):
    store = open_store(path)
    places.ensure_county(store)
    add_household(store, "3715811090010001", "王芳", [("张三", make_id("19700101", 11))], village="李庄村")
    other = places.town_by_name(store, "康庄镇")
    vid = places.ensure_village(store, other["id"], "李庄村")
    hid, _ = register.save_household(store, {"number": "3715812000010001", "head_name": "李四"}, village_id=vid)
    return store


def test_handbook_village_shared_by_two_towns_asks_for_town(tmp_path):
    path = tmp_path / "c.db"
    two_villages_named_alike(path).db.conn.close()
    rc, out, err = run_cli("--db", str(path), "handbook", "--village", "李庄村", "-o", str(tmp_path / "out"))
    assert rc == 1
    assert "2 个乡镇都有名为“李庄村”的行政村" in err and "--town" in err
    assert not (tmp_path / "out").exists()


def test_handbook_without_policies_warns_and_with_them_does_not(tmp_path):
    path = tmp_path / "c.db"
    store = two_villages_named_alike(path)
    rc, out, err = run_cli("--db", str(path), "handbook", "3715811090010001", "-o", str(tmp_path / "a.pdf"))
    assert rc == 0, err
    assert "没有在用的政策" in err and "政策”部分都会是空的" in err
    load_sample_policies(store)
    store.db.conn.close()
    rc, out, err = run_cli("--db", str(path), "handbook", "3715811090010001", "-o", str(tmp_path / "b.pdf"))
    assert rc == 0 and "政策" not in err


def test_the_no_policies_warning_says_what_to_do_where_it_is_read(store):
    from cadre_desk.print_checks import no_policies_warning

    command_line = no_policies_warning(store)
    assert "cadre-desk policy import" in command_line and "cadre-desk policy samples" in command_line
    window = no_policies_warning(store, for_window=True)
    assert "没有在用的政策" in window and "政策”部分是空的" in window
    assert "cadre-desk" not in window and "命令行" not in window  # the window user is pointed to the window
    assert "载入样本政策并重新生成" in window  # the handbook preview's button (ui/print_preview.py)
    load_sample_policies(store)
    assert no_policies_warning(store) is None and no_policies_warning(store, for_window=True) is None


def test_the_window_warns_beside_the_preview(qtbot, store):
    from ui.app import application
    from ui.main_window import MainWindow

    application()
    hid, _ = add_household(store, "3715811090010001", "王芳", [("张三", make_id("19700101", 11))])
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    window.open_household(hid)
    actions = window.print_actions if hasattr(window, "print_actions") else None
    from ui import print_preview

    actions = actions or print_preview.PrintActions(window)
    actions.print_household()
    qtbot.waitUntil(lambda: getattr(actions, "last_preview", None) is not None, timeout=20000)
    warning = actions.last_preview.warning
    assert not warning.isHidden() and "没有在用的政策" in warning.text()
    actions.last_preview.close()
