"""Regression against the stored baseline (``make baseline`` refreshes it on purpose)."""

import json

from tests.baseline.regression import FILE, compute, differences


def test_every_shipped_scenario_reproduces_the_stored_baseline():
    stored = json.loads(FILE.read_text(encoding="utf-8"))
    moved = differences(stored, compute())
    assert not moved, f"{len(moved)} results moved; if on purpose, run `make baseline`:\n" + "\n".join(moved[:40])


def test_the_comparison_notices_a_moved_value():
    stored = json.loads(FILE.read_text(encoding="utf-8"))
    changed = json.loads(json.dumps(stored))
    seed = next(iter(changed["wuhan_2023_2025"]))
    changed["wuhan_2023_2025"][seed]["gmv_total"]["2024"] *= 1.001
    moved = differences(stored, changed)
    assert len(moved) == 1 and moved[0].startswith(f"gmv_total wuhan_2023_2025 seed {seed} 2024:")
