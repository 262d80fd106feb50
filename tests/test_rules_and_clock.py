"""The JSON rule language and the hybrid logical clock."""

from cadre_desk.clock import HybridClock
from cadre_desk.rules import evaluate, fields_of


def test_rule_operators():
    ctx = {"health": ["健康", "残疾"], "age": 45, "intention": "居家就业", "empty": None}
    assert evaluate({"field": "health", "contains": "残疾"}, ctx)
    assert not evaluate({"field": "health", "eq_set": ["健康"]}, ctx)
    assert evaluate({"field": "age", "gte": 16}, ctx) and not evaluate({"field": "age", "lt": 16}, ctx)
    assert evaluate({"field": "empty", "in": [None, "非在校生"]}, ctx)
    assert evaluate({"field": "missing", "empty": True}, ctx)
    assert not evaluate({"field": "missing", "gte": 0}, ctx)
    assert evaluate({"any": [{"field": "intention", "eq": "外出务工"}, {"not": {"field": "age", "gt": 50}}]}, ctx)
    assert evaluate({"exactly_one": [{"field": "age", "gt": 1}, {"field": "age", "gt": 100}]}, ctx)
    assert fields_of({"all": [{"field": "a", "eq": 1}, {"not": {"field": "b", "empty": True}}]}) == {"a", "b"}


def test_clock_orders_changes_when_wall_clock_goes_back():
    wall = iter([1000, 1000, 900, 2000])
    clock = HybridClock("dev1", wall_ms=lambda: next(wall))
    stamps = [clock.now() for _ in range(4)]
    assert stamps == sorted(stamps) and len(set(stamps)) == 4


def test_clock_moves_past_remote_stamps():
    a = HybridClock("a", wall_ms=lambda: 5_000)
    b = HybridClock("b", wall_ms=lambda: 1_000)  # b's wall clock is behind
    remote = a.now()
    b.observe(remote)
    assert b.now() > remote
    restored = HybridClock("b", last=b.last, wall_ms=lambda: 0)
    assert restored.now() > remote
