"""Property: any scenario the schema can describe is either refused when it loads, with a message
naming a field, or runs to the end with sound books.

The strategy is generated from the parameter tree (``sim/scenario.py``): every number anywhere in
its allowed range, the bounds and 0 included; booleans; the choices of each literal. Each example
changes a few parameters of the Wuhan baseline, on a small population (300 user agents standing
for the same city) and a 6–12-month calendar. A run must then have

- no NaN or infinity in any money or count metric (``price_index`` and ``hhi_merchants`` are
  NaN in a month without sales, by definition: a mean over no transactions),
- no negative count and no negative stock of products, units, quality or price,
- balanced books: ``ledger_imbalance`` within 1e-9 of the money that moved.

``KNOWN_MODEL_CRASHES`` lists inputs the model cannot run yet; the strategy leaves out exactly
those scenarios, so the test stays green and every other input is still explored. Remove an entry
when the model is fixed. The CI profile runs 200 examples; ``DATAMARKET_FUZZ=fuzz`` (``make fuzz``) runs 2 000.
"""

from __future__ import annotations

import fnmatch
import os
import typing
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import Scenario, ScenarioError, run
from sim.metrics import METRICS
from sim.scenario import Section, apply_overrides

ROOT = Path(__file__).resolve().parents[1]
BASE = Scenario.load(ROOT / "scenarios" / "wuhan_2023_2025.yaml").model_dump()
USERS = 300  # the small population of every example; `represents` keeps the city's size
FIXED = ("name", "description", "calendar.*", "population.users.count")  # what the examples do not vary

PROFILES = {"ci": 200, "fuzz": 2000}
EXAMPLES = PROFILES[os.environ.get("DATAMARKET_FUZZ", "ci")]

# Inputs the model cannot run yet (found by this test), left out of the strategy until fixed:
# what the model does with them → which scenarios (as dicts) are such inputs.
KNOWN_MODEL_CRASHES: dict[str, typing.Callable[[dict], bool]] = {}  # none left
MAY_BE_NAN = {"price_index", "merchant_price_index", "hhi_merchants",  # a mean over the month's sales: none, no value
              "public_data_price"}  # no operator in service yet: no price
COUNT_UNITS = {"uses", "users", "merchants", "products", "incidents"}


def leaves(model: type[Section], data: dict, prefix: str = ""):
    """``(path, field)`` of every number, boolean and choice in the tree, one per map entry."""
    for name, info in model.model_fields.items():
        path, annotation = prefix + name, info.annotation
        if isinstance(annotation, type) and issubclass(annotation, Section):
            yield from leaves(annotation, data[name], path + ".")
        elif typing.get_origin(annotation) is dict and isinstance(typing.get_args(annotation)[1], type) and issubclass(
                typing.get_args(annotation)[1], Section):
            for key in data[name]:
                yield from leaves(typing.get_args(annotation)[1], data[name][key], f"{path}.{key}.")
        elif annotation in (bool, int, float) or typing.get_origin(annotation) is typing.Literal:
            if not any(fnmatch.fnmatch(path, pattern) for pattern in FIXED):
                yield path, info


def values(path: str, info) -> st.SearchStrategy:
    """Every allowed value of a field, its bounds and 0 drawn often."""
    annotation = info.annotation
    if annotation is bool:
        strategy = st.booleans()
    elif typing.get_origin(annotation) is typing.Literal:
        strategy = st.sampled_from(typing.get_args(annotation))
    else:
        bounds = {k: getattr(m, k) for m in info.metadata for k in ("ge", "gt", "le", "lt") if hasattr(m, k)}
        low, high = bounds.get("ge", bounds.get("gt")), bounds.get("le", bounds.get("lt"))
        assert low is not None and high is not None, f"{path} has no finite range"
        if annotation is int:
            strategy = st.integers(low + ("gt" in bounds), high - ("lt" in bounds))
        else:
            inside = st.floats(low, high, exclude_min="gt" in bounds, exclude_max="lt" in bounds)
            edges = [e for e in (low if "ge" in bounds else None, high if "le" in bounds else None, 0.0)
                     if e is not None and low <= e <= high and not ("gt" in bounds and e == low)]
            strategy = st.one_of(st.sampled_from(edges), inside) if edges else inside
    return strategy


LEAVES = dict(leaves(Scenario, BASE))


@st.composite
def scenarios(draw) -> tuple[dict, dict]:
    """A small baseline with a few parameters changed: ``(scenario dict, the changes)``."""
    months = draw(st.integers(6, 12))
    end = f"2023-{months:02d}"
    base = apply_overrides(BASE, {"calendar.end": end, "population.users.count": USERS,
                                  "population.users.represents": BASE["population"]["users"]["represents"]
                                  * BASE["population"]["users"]["count"] / USERS})
    base["timeline"] = [e for e in base["timeline"] if e["date"] <= end]
    paths = draw(st.lists(st.sampled_from(sorted(LEAVES)), min_size=1, max_size=6, unique=True))
    changes = {path: draw(values(path, LEAVES[path]), label=path) for path in paths}
    return apply_overrides(base, changes), changes


def runnable(example: tuple[dict, dict]) -> bool:
    """Not one of the known model crashes."""
    return not any(crashes(example[0]) for crashes in KNOWN_MODEL_CRASHES.values())


def test_the_strategy_covers_the_whole_tree():
    assert len(LEAVES) > 120
    assert {"policy.pricing.regime", "behaviour.need_rate", "exchanges.pilot_platform.fee_rate",
            "domains.health.quality", "population.merchants.capability.a"} <= set(LEAVES)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=EXAMPLES == PROFILES["ci"])  # CI: the same examples every time
@given(scenarios().filter(runnable), st.integers(0, 2**32 - 1))
def test_any_scenario_is_refused_with_a_field_path_or_runs_with_sound_books(example, seed):
    data, changes = example
    try:
        scenario = Scenario.from_dict(data)
    except ScenarioError as exc:
        for line in exc.errors:  # each problem starts with the path of a field of the scenario
            assert line.split(":")[0].split("[")[0].split(".")[0] in Scenario.model_fields, (line, changes)
        return
    result = run(scenario, seed=seed)
    m = result.metrics
    checked = [x.name for x in METRICS if x.name not in MAY_BE_NAN]
    bad = [c for c in checked if not np.isfinite(m[c].to_numpy(dtype=float)).all()]
    assert not bad, f"non-finite {bad}"
    negative = [x.name for x in METRICS if x.unit in COUNT_UNITS and (m[x.name] < 0).any()]
    assert not negative, f"negative {negative}"
    p = result.products
    for column in ("quality", "price", "units_sold", "units_on_exchange", "revenue"):
        assert (p[column] >= 0).all() and np.isfinite(p[column].to_numpy(dtype=float)).all(), column
    assert (p["quality"] <= 1).all()
    moved = float(result.flows["amount"].abs().sum())
    assert (m["ledger_imbalance"].abs() <= 1e-9 * moved + 1e-6).all(), (m["ledger_imbalance"].max(), moved)
