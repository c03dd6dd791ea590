"""``compare A B ... --posterior DIR [--draws K]``: the comparison of ``compare`` run over the K best
parameter draws of a fit (:mod:`sim.posterior`) as well as over the seeds, so that each policy effect's
interval includes parameter uncertainty. Each scenario's folder holds all its runs (draw-major: run
``d × replicates + r`` is draw d at seed ``seed + r``) and ``draws.csv``, the draws used."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from sim.cli import CliError
from sim.commands.common import command_line, command_provenance, key_figure, positive_int, seeds_text
from sim.execute import Job, run_jobs
from sim.folders import comparison, results
from sim.metrics import yearly
from sim.posterior import DRAW, Draws
from sim.posterior import comparison as posterior_table
from sim.storage import claim, write_csv
from sim.summary import INTERVAL, compare_table

DEFAULT_DRAWS = 8
EFFECT = ("Δ: mean paired difference over parameter draws and seeds (95 % interval including parameter "
          "uncertainty: sim.posterior) [5th–95th percentile of the differences across draws and seeds]")


def add_options(p: argparse.ArgumentParser) -> None:
    """``--posterior DIR`` and ``--draws K``."""
    p.add_argument("--posterior", type=Path, metavar="DIR",
                   help="a calibrate folder: also run each scenario at its best parameter draws (trials.csv)")
    p.add_argument("--draws", type=positive_int, help=f"with --posterior: the K best trials (default {DEFAULT_DRAWS})")


def wanted(args: argparse.Namespace) -> bool:
    """Whether the comparison is over parameter draws (``--draws`` alone is refused by :func:`main`)."""
    return args.posterior is not None or args.draws is not None


def main(args: argparse.Namespace, scenarios: list, sources: list, started: float) -> int:
    if args.posterior is None:
        raise CliError("--draws needs --posterior DIR (the calibrate folder to draw from)")
    draws = Draws.load(args.posterior, args.draws or DEFAULT_DRAWS)
    names = [s.name for s in scenarios]
    k, n = len(draws), args.replicates
    with claim(args.out, args.force, command_line(args)) as out:
        for name in comparison.clear(out, names):
            print(f"removed {out / name}: a scenario of the earlier comparison in {out}")
        jobs = (Job(draws.apply(s, d), args.seed + r, d * n + r) for s in scenarios for d in range(k) for r in range(n))
        runs = run_jobs(jobs, args.workers, args.backend, args.scheduler, total=len(scenarios) * k * n)
        context = {**command_provenance(args, started),
                   "posterior": {"folder": str(args.posterior), "trials": list(draws.trials)}}
        per = k * n
        frames = []
        for i, (scenario, source) in enumerate(zip(scenarios, sources, strict=True)):
            mine = runs[i * per:(i + 1) * per]
            metrics = results.tidy_metrics(mine)
            folder = comparison.folder(out, scenario.name)
            results.write(folder, scenario, source, mine, context, key_figure(metrics))
            write_csv(draws.table(), folder / "draws.csv")
            frames.append(yearly(metrics).assign(**{DRAW: lambda f: f.run_id // n}))
        table = posterior_table(pd.concat(frames, ignore_index=True), names)
        comparison.write_table(out, table)
    print(f"{len(names)} scenarios × {k} parameter draws (trials {', '.join(map(str, draws.trials))} of "
          f"{args.posterior}) × {seeds_text(args.seed, n)}; differences to {names[0]} are paired by draw and seed")
    print(INTERVAL.replace("replicates", "draws and seeds"))
    print(EFFECT)
    print(compare_table(table))
    print()
    print(results.where(out, comparison.listing(names)))
    return 0
