"""``run SCENARIO``: replicates of one scenario, written to a results folder."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from sim.cli import CliError
from sim.runner import run
from sim.scenario import Scenario
from sim.storage import write_csv, write_json, write_parquet

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run replicates of a scenario")
    p.add_argument("scenario", help="a YAML path or a name from scenarios/")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--replicates", type=int, default=1)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--force", action="store_true", help="overwrite an existing results folder")
    p.set_defaults(func=main)


def resolve(name: str) -> Path:
    """A scenario path, or the file of that name in ``scenarios/``."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return path
    candidate = SCENARIOS / f"{name}.yaml"
    if candidate.exists():
        return candidate
    known = ", ".join(sorted(p.stem for p in SCENARIOS.glob("*.yaml")))
    raise CliError(f"unknown scenario {name!r}; known: {known}")


def main(args: argparse.Namespace) -> int:
    if args.out.exists() and any(args.out.iterdir()) and not args.force:
        raise CliError(f"{args.out} exists; pass --force to overwrite")
    scenario = Scenario.load(resolve(args.scenario))
    results = [run(scenario, seed=args.seed + r, run_id=r) for r in range(args.replicates)]
    metrics = pd.concat([r.metrics for r in results], ignore_index=True)
    write_parquet(metrics, args.out / "metrics.parquet")
    write_csv(pd.concat([r.yearly for r in results], ignore_index=True), args.out / "yearly.csv")
    write_parquet(pd.concat([r.products.assign(run_id=r.manifest["run_id"]) for r in results]), args.out / "products.parquet")
    write_json({"scenario": scenario.model_dump(mode="json"), "scenario_hash": scenario.digest(),
                "seeds": [r.manifest["seed"] for r in results], "versions": results[0].manifest["versions"]},
               args.out / "manifest.json")
    from analysis.figures import key_outcomes

    key_outcomes(metrics).savefig(args.out / "key_outcomes.png", dpi=120)
    print(f"wrote {args.out}")
    return 0
