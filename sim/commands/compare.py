"""``compare SCENARIO SCENARIO...``: every scenario on the same seeds (common random numbers),
with paired differences to the first, written to a comparison folder
(:mod:`sim.folders.comparison`)."""

from __future__ import annotations

import argparse
import time

from sim.cli import CliError
from sim.commands.common import (
    add_run_options,
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
from sim.execute import replicate_jobs, run_jobs
from sim.folders import comparison, results
from sim.metrics import yearly
from sim.storage import claim
from sim.summary import compare_table, effect_heading, interval_heading
from sim.summary import comparison as comparison_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="run scenarios on the same seeds and compare them with the first")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="two or more YAML paths or names from scenarios/")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", dest="sets",
                   help="set a parameter of EVERY compared scenario by its dotted path, e.g. "
                        "population.users.count=2000; VALUE is read as YAML; repeat for more")
    p.add_argument("--name", action="append", metavar="NAME",
                   help="rename the scenarios: give one --name per scenario, in order")
    add_run_options(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if len(args.scenarios) < 2:
        raise CliError("compare needs at least two scenarios")
    check_run_options(args)
    if args.name is not None and len(args.name) != len(args.scenarios):
        raise CliError(f"--name: give one per scenario ({len(args.scenarios)}), got {len(args.name)}")
    sets = parse_sets(args.sets)
    renames = args.name or [None] * len(args.scenarios)
    sources, scenarios = map(list, zip(*(load_scenario(name, sets, new) for name, new in
                                         zip(args.scenarios, renames, strict=True)), strict=True))
    names = [s.name for s in scenarios]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise CliError(f"scenario name {twice[0]!r} appears twice; give each scenario its own name")
    for name in names:
        comparison.folder(args.out, name)  # refuse a name that is no folder inside --out before running
    with claim(args.out, args.force, command_line(args)) as out:
        for name in comparison.clear(out, names):
            print(f"removed {out / name}: a scenario of the earlier comparison in {out}")
        jobs = (job for s in scenarios for job in replicate_jobs(s, args.seed, args.replicates))
        cache = run_cache(args)
        runs = run_jobs(jobs, args.workers, args.backend, args.scheduler,
                        total=len(scenarios) * args.replicates, cache=cache)
        context = command_provenance(args, started)
        per_scenario = [runs[i * args.replicates:(i + 1) * args.replicates] for i in range(len(scenarios))]
        for scenario, source, replicates in zip(scenarios, sources, per_scenario, strict=True):
            metrics = results.tidy_metrics(replicates)
            results.write(comparison.folder(out, scenario.name), scenario, source, replicates, context,
                          key_figure(metrics))
        table = comparison_table(yearly(results.tidy_metrics(runs)), names)
        comparison.write_table(out, table)
    print(f"{len(names)} scenarios × {args.replicates} replicate(s) on {seeds_text(args.seed, args.replicates)};"
          f" differences to {names[0]} are paired by seed")
    if note := cache_note(cache, len(scenarios) * args.replicates):
        print(note)
    print(interval_heading(args.replicates))
    print(effect_heading(args.replicates))
    print(compare_table(table, replicates=args.replicates))
    print()
    print(results.where(out, comparison.listing(names)))
    return 0
