"""Speed of the sweep machinery against MODEL §8: runs per minute with 1 and 2 local workers of
the one executor (``sim.execute``, through ``sim.sweep``), parallel efficiency, and the
machinery's overhead over the model's own time. Prints figures and ratios; not a test. Figures
on a shared machine move with its load, which is printed beside them.

    python benchmarks/sweep_bench.py                # 40 baseline runs per measurement
    python benchmarks/sweep_bench.py --runs 100 --scenario small
    python benchmarks/sweep_bench.py --runs 1000 --workers 2 --inline 40   # the 1 000-run sweep itself
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim import run, sweep  # noqa: E402
from sim.sweeps import Plan, SweepSpec  # noqa: E402
from sim.sweeps.engine import run_task, tasks  # noqa: E402
from sim.sweeps.store import Store  # noqa: E402

TARGET_RUNS, TARGET_MINUTES, TARGET_EFFICIENCY, TARGET_OVERHEAD = 1000, 10.0, 0.85, 0.05


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def per_run_costs(plan: Plan, out: Path) -> tuple[float, float]:
    """Model time per run, and the machinery's time per run: a worker's task beyond the model
    (building the scenario, checking its digest, the output table) plus writing the part.
    Model and task alternate in one process, so load changes touch both alike."""
    store = Store(out)
    store.open(plan, resume=False)
    model = machinery = 0.0
    for task in tasks(plan, set()):
        started = time.perf_counter()
        run(plan.base, seed=task.seed, full=False)
        model += time.perf_counter() - started
        started = time.perf_counter()
        store.save(run_task(task))
        machinery += time.perf_counter() - started
    n = plan.n_runs
    return model / n, machinery / n - model / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="runs per measurement")
    parser.add_argument("--scenario", default="wuhan_2023_2025", help="base scenario name or path")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="sweeps to time (default 1 2)")
    parser.add_argument("--inline", type=int, help="runs timed in one process (default: --runs)")
    args = parser.parse_args()
    # N replicates of one point: N runs of the base scenario with seeds 1 … N.
    spec = SweepSpec.from_dict({"name": "bench", "base": args.scenario, "parameters": {"policy.vouchers.rate": [0.0]},
                                "replicates": args.runs, "seed": 1, "outputs": {"frequency": "monthly"}})
    plan = Plan(spec)
    print(f"{args.runs} runs of {plan.base.name} ({plan.base.population.users.count} users × "
          f"{plan.base.n_months} months); {load()}")

    run(plan.base, seed=0)  # load the model before timing
    inline = Plan(spec.model_copy(update={"replicates": args.inline})) if args.inline else plan
    with tempfile.TemporaryDirectory() as out:
        model, machinery = per_run_costs(inline, Path(out) / "inline")
    print(f"in one process: model {model:.3f} s per run, machinery {1000 * machinery:.1f} ms per run; {load()}")

    elapsed = {}
    for workers in args.workers:
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            result = sweep(plan, Path(out) / "sweep", workers=workers, progress=False)
            elapsed[workers] = time.perf_counter() - started
            assert (result.runs["status"] == "ok").all()
        print(f"sweep, {workers} local worker{'s' if workers > 1 else ' '}: {elapsed[workers]:6.1f} s, "
              f"{60 * args.runs / elapsed[workers]:6.1f} runs/min; {load()}")

    rows = [("machinery per run / model per run", f"{machinery / model:.1%}", "")]
    if 1 in elapsed:
        fixed = max(0.0, elapsed[1] - args.runs * (model + machinery))  # starting the worker, the last write
        overhead = machinery / model + fixed / (TARGET_RUNS * model)
        rows += [("fixed cost of a sweep (1 worker)", f"{fixed:.1f} s", ""),
                 (f"machinery overhead for {TARGET_RUNS} runs", f"{overhead:.1%}", f"target ≤ {TARGET_OVERHEAD:.0%}")]
    if 1 in elapsed and 2 in elapsed:
        rows.append(("parallel efficiency 1 → 2 workers", f"{elapsed[1] / (2 * elapsed[2]):.1%}",
                     f"target ≥ {TARGET_EFFICIENCY:.0%}"))
    if 2 in elapsed:
        minutes = TARGET_RUNS * elapsed[2] / args.runs / 60
        what = "measured" if args.runs == TARGET_RUNS else "projected"
        rows.append((f"{TARGET_RUNS} runs with 2 workers ({what})", f"{minutes:.1f} min",
                     f"target ≤ {TARGET_MINUTES:.0f} min"))
    print()
    for label, value, target in rows:
        print(f"{label:<40} {value:>9}   {target}")


if __name__ == "__main__":
    main()
