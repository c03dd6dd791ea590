"""``run SCENARIO``: replicates of one scenario, written to a results folder, with a table of
the key outcomes per year."""

from __future__ import annotations

import argparse
import time

from sim.commands.common import add_run_options, run_context, seeds_text
from sim.ensemble import replicate_jobs, run_jobs
from sim.catalog import resolve
from sim.metrics import yearly
from sim.outputs import prepare_out, tidy_metrics, where, write_results
from sim.scenario import Scenario
from sim.summary import INTERVAL, run_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run replicates of a scenario and write the results")
    p.add_argument("scenario", help="a YAML path or a name from scenarios/ (see `list`)")
    add_run_options(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    source = resolve(args.scenario)
    scenario = Scenario.load(source)
    out = prepare_out(args.out, args.force)
    results = run_jobs(replicate_jobs(scenario, args.seed, args.replicates), args.workers)
    write_results(out, scenario, source, results, run_context(args, started))
    print(f"{scenario.name}: {args.replicates} replicate(s) on {seeds_text(args.seed, args.replicates)},"
          f" scenario hash {scenario.digest()}")
    print(INTERVAL)
    print(run_table(yearly(tidy_metrics(results))))
    print()
    print(where(out))
    return 0
