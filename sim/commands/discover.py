"""``discover SWEEP_DIR``: scenario discovery with PRIM on a finished sweep (:mod:`sim.discovery`).
Prints the boxes, writes them with the peeling trajectories to CSV, and draws the trajectory
(coverage against density) and the first box's limits (:mod:`analysis.discovery`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli import CliError
from sim.storage import atomic_write, write_csv, writing
from sim.summary import number


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "discover", help="scenario discovery: PRIM boxes of the inputs where an outcome is below/above a value",
        description="Find with PRIM the ranges of a sweep's parameters where an outcome METRIC:YEAR (averaged over "
                    "each design point's replicates) is below or above a value.")
    p.add_argument("dir", type=Path, help="a sweep folder (written by run.py sweep)")
    p.add_argument("--metric", required=True, help="outcome METRIC:YEAR (or METRIC: its last year), e.g. "
                                                   "exchange_share:2025")
    side = p.add_mutually_exclusive_group(required=True)
    side.add_argument("--below", type=float, help="cases of interest: the outcome is below this value")
    side.add_argument("--above", type=float, help="cases of interest: the outcome is above this value")
    p.add_argument("--threshold", type=float, default=0.8,
                   help="density a box must reach: share of its points that are cases of interest (default 0.8)")
    p.add_argument("--peel-alpha", type=float, default=0.05,
                   help="share of the points each peeling step removes (default 0.05)")
    p.add_argument("--boxes", type=int, default=3, help="most boxes to find, one after another (default 3)")
    p.add_argument("--out", type=Path, help="folder for boxes.csv, trajectory.csv, trajectory.png, box.png "
                                            "(default SWEEP_DIR/discovery; these files are replaced)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from sim.discovery import find_boxes, sweep_cases

    for name, value, ok in (("--threshold", args.threshold, 0 < args.threshold <= 1),
                            ("--peel-alpha", args.peel_alpha, 0 < args.peel_alpha < 1),
                            ("--boxes", args.boxes, args.boxes >= 1)):
        if not ok:
            allowed = {"--threshold": "in (0, 1]", "--peel-alpha": "in (0, 1)", "--boxes": "at least 1"}[name]
            raise CliError(f"{name} {value}: must be {allowed}")
    x, y, cases = sweep_cases(args.dir, args.metric, below=args.below, above=args.above)
    side = f"below {args.below:g}" if args.below is not None else f"above {args.above:g}"
    print(f"{y.name} {side}: {int(cases.sum())} of {len(y)} design points (mean over replicates)")
    found = find_boxes(x, cases, threshold=args.threshold, peel_alpha=args.peel_alpha, max_boxes=args.boxes)
    if found.boxes.empty:
        print(f"no box reaches density {args.threshold:g}; try a lower --threshold")
    else:
        shown = found.boxes.drop(columns=["min", "max"]).dropna(axis="columns", how="all")
        print(shown.to_string(index=False, float_format=number))
    out = args.out or args.dir / "discovery"
    _write(found, out)
    return 0


def _write(found, out: Path) -> None:
    """The tables and figures, each written whole (a failed write leaves the previous file)."""
    from analysis.discovery import box_limits, peeling_trajectory

    with writing(out):
        out.mkdir(parents=True, exist_ok=True)
        write_csv(found.boxes, out / "boxes.csv")
        write_csv(found.trajectories, out / "trajectory.csv")
        written = ["boxes.csv", "trajectory.csv"]
        figures = {"trajectory.png": peeling_trajectory(found.trajectories, found.threshold).figure}
        if found.boxes.empty:
            (out / "box.png").unlink(missing_ok=True)  # a box of an earlier discovery
        else:
            figures["box.png"] = box_limits(found.boxes, box=1).figure
        for name, figure in figures.items():
            atomic_write(out / name, lambda tmp, figure=figure: figure.savefig(tmp, format="png", dpi=120))
            written.append(name)
    print(f"wrote {', '.join(written)} to {out}")
