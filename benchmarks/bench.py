"""Speed of the model, side by side with Mesa's own Boltzmann wealth example.

``make bench`` (or ``python benchmarks/bench.py``) prints a table and writes
``benchmarks/results.json``: the baseline run as a sweep makes it (20 000 users × 36 months,
``run(..., full=False)``) against Boltzmann with the same agents × steps; throughput in
user-months per second at 10⁴, 10⁵ and 10⁶ users (median of several runs, min and max), Mesa
3.3's Boltzmann example (as shipped, grid and data collector included, at its shipped density
of one agent per cell) in agent-steps per second, their ratio, the log-log slope of run time
against users, the peak memory of a 10⁶-user run, and runs per minute with 1 and 2 worker
processes. Each figure records the machine's load, since other jobs slow every timing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim import Scenario, run  # noqa: E402
from sim.results import versions  # noqa: E402

BASELINE = ROOT / "scenarios" / "wuhan_2023_2025.yaml"
CITY = 1_000_000  # firms the baseline city stands for (20 000 × 50)


def scenario(users: int) -> Scenario:
    return Scenario.load(BASELINE, overrides={"population.users.count": users, "population.users.represents": CITY / users})


def time_model(users: int, repeats: int) -> list[float]:
    """Wall seconds of whole runs (set-up, 36 months, results)."""
    s = scenario(users)
    times = []
    for seed in range(repeats):
        start = time.perf_counter()
        run(s, seed=seed)
        times.append(time.perf_counter() - start)
    return times


def time_boltzmann(agents: int, steps: int) -> float:
    """Agent-steps per second of Mesa's Boltzmann wealth example, stepping only (set-up excluded)."""
    from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannWealth

    side = math.isqrt(agents)
    model = BoltzmannWealth(n=agents, width=side, height=side, seed=1)
    start = time.perf_counter()
    for _ in range(steps):
        model.step()
    return agents * steps / (time.perf_counter() - start)


def side_by_side(repeats: int) -> dict:
    """The baseline as a sweep runs it (``full=False``: metrics and yearly tables, set-up
    included) against Boltzmann stepping the same 20 000 agents for the same 36 steps."""
    s = scenario(20_000)
    run(s, seed=0, full=False)  # warm: imports, and the parameters of the scenario's set events
    ours = []
    for seed in range(repeats):
        start = time.perf_counter()
        run(s, seed=seed, full=False)
        ours.append(time.perf_counter() - start)
    steps = s.n_months
    mesa_s = 20_000 * steps / time_boltzmann(20_000, steps)
    med = statistics.median(ours)
    return {"users": 20_000, "months": steps, "median_s": med, "min_s": min(ours), "max_s": max(ours),
            "mesa_boltzmann_s": mesa_s, "ratio_to_mesa": mesa_s / med, "load_avg_1m": os.getloadavg()[0]}


def peak_memory_mb(users: int) -> float:
    """Peak resident memory of a separate process making one run, MB.

    The child reports its own high-water mark (``VmHWM``): ``ru_maxrss`` of a child would also
    count the parent's pages at fork time, such as a large Mesa model measured just before.
    """
    code = (
        "import sys; sys.path.insert(0, %r); from benchmarks.bench import scenario; from sim import run; "
        "run(scenario(%d), seed=0); "
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))" % (str(ROOT), users)
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return int(out.split()[-1]) / 1024


def _one_run(seed: int) -> float:
    return run(scenario(20_000), seed=seed).manifest["wall_time_s"]


def runs_per_minute(workers: int, n_runs: int) -> float:
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_one_run, range(workers)))  # warm the workers (imports)
        start = time.perf_counter()
        list(pool.map(_one_run, range(n_runs)))
        return n_runs / (time.perf_counter() - start) * 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, no 10⁶-agent Mesa run")
    args = parser.parse_args()
    sizes = [10_000, 100_000, 1_000_000]
    repeats = {10_000: 5, 100_000: 3, 1_000_000: 3} if not args.quick else {10_000: 3, 100_000: 1, 1_000_000: 1}
    mesa_steps = {10_000: 10, 100_000: 3, 1_000_000: 1}
    time_model(10_000, 1)  # warm-up: imports and caches
    head = side_by_side(15 if not args.quick else 7)
    print(f"baseline, full=False (20 000 users × 36 months): {head['median_s']:.3f} s (min {head['min_s']:.3f}); "
          f"Boltzmann, same agents × steps: {head['mesa_boltzmann_s']:.2f} s; ratio {head['ratio_to_mesa']:.0f}×   "
          f"targets ≤ 0.12 s, ≥ 30×", flush=True)

    rows = []
    for n in sizes:
        t = time_model(n, repeats[n])
        med = statistics.median(t)
        mesa = time_boltzmann(n, mesa_steps[n]) if not (args.quick and n == 1_000_000) else float("nan")
        ours = n * 36 / med
        rows.append({"users": n, "median_s": med, "min_s": min(t), "max_s": max(t), "user_months_per_s": ours,
                     "mesa_agent_steps_per_s": mesa, "ratio_to_mesa": ours / mesa})
        print(f"{n:>9,} users: {med:6.2f} s (min {min(t):.2f}, max {max(t):.2f}); "
              f"{ours:12,.0f} user-months/s; Mesa Boltzmann {mesa:10,.0f} agent-steps/s; ratio {ours / mesa:6.1f}×",
              flush=True)
    slope = float(np.polyfit(np.log([r["users"] for r in rows]), np.log([r["median_s"] for r in rows]), 1)[0])
    memory = peak_memory_mb(1_000_000)
    n_runs = 8 if args.quick else 20
    rpm1, rpm2 = runs_per_minute(1, n_runs), runs_per_minute(2, n_runs)
    baseline = time_model(20_000, repeats[10_000])
    results = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "load_avg_1m": os.getloadavg()[0]},
        "versions": versions(),
        "baseline_side_by_side": head,
        "throughput": rows,
        "baseline_20000_users_s": statistics.median(baseline),
        "loglog_slope_10k_to_1m": slope,
        "peak_memory_1m_users_mb": memory,
        "runs_per_minute": {"1_worker": rpm1, "2_workers": rpm2, "parallel_efficiency": rpm2 / (2 * rpm1)},
    }
    print()
    print(f"baseline, full results (20 000 users × 36 months): {results['baseline_20000_users_s']:.2f} s   target ≤ 1 s")
    print(f"10⁶ users × 36 months: {rows[-1]['median_s']:.2f} s, peak {memory:,.0f} MB   target ≤ 10 s, ≤ 1 500 MB")
    print(f"ratio to Mesa at 10⁵: {rows[1]['ratio_to_mesa']:.1f}×   target ≥ 20×")
    print(f"log-log slope 10⁴→10⁶: {slope:.2f}   target ≤ 1.1")
    print(f"runs/minute: {rpm1:.0f} (1 worker), {rpm2:.0f} (2 workers), efficiency {rpm2 / (2 * rpm1):.0%}")
    (ROOT / "benchmarks" / "results.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
