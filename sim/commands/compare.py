"""``compare SCENARIO SCENARIO...``: every scenario on the same seeds (common random numbers),
with paired differences to the first; each scenario's results in a subfolder, plus
``comparison.csv``."""

from __future__ import annotations

import argparse
import time

from sim.cli import CliError
from sim.commands.common import add_run_options, run_context, seeds_text
from sim.ensemble import replicate_jobs, run_jobs
from sim.catalog import resolve
from sim.metrics import yearly
from sim.outputs import prepare_out, tidy_metrics, where, write_results, writing
from sim.scenario import Scenario
from sim.storage import write_csv
from sim.summary import INTERVAL, compare_table, comparison


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="run scenarios on the same seeds and compare them with the first")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="two or more YAML paths or names from scenarios/")
    add_run_options(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if len(args.scenarios) < 2:
        raise CliError("compare needs at least two scenarios")
    sources = [resolve(name) for name in args.scenarios]
    scenarios = [Scenario.load(path) for path in sources]
    names = [s.name for s in scenarios]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise CliError(f"scenario name {twice[0]!r} appears twice; give each scenario its own name")
    out = prepare_out(args.out, args.force)
    jobs = [job for s in scenarios for job in replicate_jobs(s, args.seed, args.replicates)]
    results = run_jobs(jobs, args.workers)
    context = run_context(args, started)
    per_scenario = [results[i * args.replicates:(i + 1) * args.replicates] for i in range(len(scenarios))]
    for scenario, source, runs in zip(scenarios, sources, per_scenario, strict=True):
        write_results(out / scenario.name, scenario, source, runs, context)
    table = comparison(yearly(tidy_metrics(results)), names)
    with writing(out):
        write_csv(table, out / "comparison.csv")
    print(f"{len(names)} scenarios × {args.replicates} replicate(s) on {seeds_text(args.seed, args.replicates)};"
          f" differences to {names[0]} are paired by seed")
    print(INTERVAL)
    print(compare_table(table))
    print()
    listing = {"comparison.csv": f"every metric per scenario and year; diff_*: paired difference to {names[0]}"}
    listing.update({f"{name}/": "the files of `run` for this scenario" for name in names})
    print(where(out, listing))
    return 0
