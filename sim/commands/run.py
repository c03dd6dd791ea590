"""``run SCENARIO``: replicates of one scenario, written to a results folder, with a table of
the key outcomes per year."""

from __future__ import annotations

import argparse
import sys
import time

from sim.commands.common import (
    add_run_options,
    add_scenario_options,
    cache_note,
    check_run_options,
    command_line,
    command_provenance,
    key_figure,
    load_scenario,
    parse_sets,
    run_cache,
    seeds_text,
)
from sim.execute import Interrupted, replicate_jobs, run_jobs
from sim.folders import results as folder
from sim.metrics import yearly
from sim.storage import claim
from sim.summary import interval_heading, run_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run replicates of a scenario and write the results")
    p.add_argument("scenario", help="a YAML path or a name from scenarios/ (see `list`)")
    add_scenario_options(p)
    add_run_options(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Run, then write the folder; on Ctrl-C, write the replicates finished by then, marked
    incomplete in the manifest, and exit with 130."""
    started = time.perf_counter()
    check_run_options(args)
    source, scenario = load_scenario(args.scenario, parse_sets(args.sets), args.name)
    cache = run_cache(args)
    with claim(args.out, args.force, command_line(args)) as out:
        jobs = replicate_jobs(scenario, args.seed, args.replicates)
        try:
            runs = run_jobs(jobs, args.workers, args.backend, args.scheduler, total=args.replicates, cache=cache)
        except Interrupted as stop:
            if stop.results:
                metrics = folder.tidy_metrics(stop.results)
                folder.write(out, scenario, source, stop.results, command_provenance(args, started),
                             key_figure(metrics), planned=args.replicates)
            seeds = [r.manifest["seed"] for r in stop.results]
            print(f"interrupted: {len(seeds)} of {args.replicates} replicate(s) finished"
                  + (f" (seeds {seeds}) and written to {out}, marked incomplete" if seeds else "; nothing written"),
                  file=sys.stderr)
            return 130
        metrics = folder.tidy_metrics(runs)
        folder.write(out, scenario, source, runs, command_provenance(args, started), key_figure(metrics))
    print(f"{scenario.name}: {args.replicates} replicate(s) on {seeds_text(args.seed, args.replicates)},"
          f" scenario hash {scenario.digest()}")
    if note := cache_note(cache, args.replicates):
        print(note)
    print(interval_heading(args.replicates))
    print(run_table(yearly(metrics)))
    print()
    print(folder.where(out))
    return 0
