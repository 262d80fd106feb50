"""The demo builder is a small package whose module names say what they hold
(issue 10: no module over ~500 lines); what it builds is checked in test_demo."""

from __future__ import annotations

from pathlib import Path

import cadre_desk.demo as demo


def test_the_demo_is_a_package_of_small_modules():
    folder = Path(demo.__file__).parent
    assert folder.name == "demo" and (folder / "__init__.py").exists()
    names = {p.stem for p in folder.glob("*.py")}
    assert {"vocabulary", "draws", "villages", "enterprises", "families", "answers", "support", "job_offers",
            "builder"} <= names
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in folder.glob("*.py")}
    assert max(sizes.values()) <= 300, sizes
    # The public face is unchanged: what the commands, tests and benchmarks import.
    for name in ("DEFAULT_HOUSEHOLDS", "DEFAULT_SEED", "DemoRefused", "DemoSummary", "build_demo", "check_can_build",
                 "ensure_demo_county", "is_demo", "word_lists"):
        assert hasattr(demo, name), name
