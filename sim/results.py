"""What a run returns: monthly metrics, yearly totals, products, ledger flows and a manifest."""

from __future__ import annotations

import functools
import platform
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata

import pandas as pd

from sim.ledger import KINDS
from sim.metrics import NAMES, yearly
from sim.population import OFF_EXCHANGE, OPERATOR

PACKAGES = ("datamarket", "mesa", "numpy", "pandas", "pydantic", "pyyaml", "pyarrow")


@dataclass
class Result:
    """Outputs of one run. ``metrics`` has one row per month; money in 万元."""

    metrics: pd.DataFrame
    yearly: pd.DataFrame
    products: pd.DataFrame
    flows: pd.DataFrame
    manifest: dict = field(default_factory=dict)


@functools.lru_cache(maxsize=1)
def _versions() -> tuple[tuple[str, str], ...]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return tuple(out.items())


def versions() -> dict[str, str]:
    """Versions of Python and the packages that shape results (looked up once per process)."""
    return dict(_versions())


def collect(model, seed: int, run_id: int, started: float, full: bool = True) -> Result:
    """Assemble the :class:`Result` of a finished model; without ``full``, no products or flows."""
    scenario = model.scenario
    metrics = model.datacollector.get_model_vars_dataframe()
    metrics["date"] = pd.to_datetime(metrics["date"])
    metrics.insert(0, "seed", seed)
    metrics.insert(0, "run_id", run_id)
    metrics.insert(0, "scenario", scenario.name)
    metrics = metrics[["scenario", "run_id", "seed", "date", *NAMES]]
    return Result(
        metrics=metrics,
        yearly=yearly(metrics),
        products=_products(model) if full else pd.DataFrame(),
        flows=_flows(model) if full else pd.DataFrame(),
        manifest={
            "scenario": scenario.name,
            "scenario_hash": model.digest,
            "seed": seed,
            "run_id": run_id,
            "months": len(metrics),
            "versions": versions(),
            "wall_time_s": round(time.perf_counter() - started, 4),
            "command": " ".join(sys.argv),
        },
    )


def _products(model) -> pd.DataFrame:
    p = model.products
    n = p.n
    domains = model.domains.ids
    exchanges = [x.key for x in model.exchanges]
    operators = [op.key for op in model.operators]

    def channel_name(c: int) -> str:
        return "off_exchange" if c == OFF_EXCHANGE else "operator" if c == OPERATOR else exchanges[c]

    return pd.DataFrame(
        {
            "product_id": range(n),
            "owner": [operators[o] if by_op else f"merchant:{o}" for o, by_op in zip(p.view("owner"), p.view("by_operator"))],
            "owner_kind": ["operator" if x else "merchant" for x in p.view("by_operator")],
            "domains": ["+".join([domains[d] for d in (a, b) if d >= 0] + ["own_data"] * own + ["commercial_data"] * com)
                        for a, b, own, com in zip(p.view("domain_a").tolist(), p.view("domain_b").tolist(),
                                                  p.view("own_data").tolist(), p.view("commercial_data").tolist())],
            "channel": [channel_name(c) for c in p.view("channel")],
            "created": [model.date_of(c) for c in p.view("created").tolist()],
            "quality": p.view("quality").copy(),
            "price": p.view("price").copy(),
            "units_sold": p.view("units").copy(),
            "units_on_exchange": p.view("units_on_exchange").copy(),
            "ever_listed": p.view("ever_listed").copy(),
            "revenue": p.view("revenue").copy(),
            "active": p.view("active").copy(),
            "compliant": p.view("compliant").copy(),
            "certified": p.view("certified").copy(),
        }
    )


def _flows(model) -> pd.DataFrame:
    """The ledger, aggregated per month by payer, payee and kind."""
    names = model.ledger.names
    frames = []
    for date, month in zip(model.dates, model.ledger.months):
        frames.append(pd.DataFrame({
            "date": pd.Timestamp(date),
            "payer": [names[i] for i in month["payer"]],
            "payee": [names[i] for i in month["payee"]],
            "kind": [KINDS[k] for k in month["kind"]],
            "amount": month["amount"],
        }))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["date", "payer", "payee", "kind", "amount"])
