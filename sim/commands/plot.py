"""``plot DIR``: one figure from a results, comparison or sweep folder (read through
:mod:`sim.folders`), drawn by :mod:`analysis` and written to a file (PNG, PDF or SVG, by the
file's suffix). ``--lang zh`` needs a CJK font: without one the command stops (exit 2) with the
install hint, unless ``--allow-fallback`` lets it draw English labels."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli import CliError
from sim.metrics import NAMES
from sim.storage import atomic_write, what_is

KINDS = ("fan", "diff", "yearly", "revenue", "structure", "key", "response", "heatmap", "sobol", "morris")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plot", help="draw a figure from a results folder",
                       description="Draw one figure from a folder written by run, compare or sweep.")
    p.add_argument("dir", type=Path, help="results, comparison or sweep folder")
    p.add_argument("--kind", choices=KINDS, default="fan",
                   help="fan: metric over time; diff: paired difference from --baseline (a comparison's reference "
                        "by default); yearly: yearly bars; "
                        "revenue: split of public-data revenue; structure: Lorenz and rank-size of product sales; "
                        "key: key outcomes; response/heatmap: metric against one/two --parameter; "
                        "sobol/morris: sensitivity indices from indices.csv")
    p.add_argument("--metric", help="metric to draw (default gmv_total); sobol/morris: an outcome of "
                                    "indices.csv, METRIC:YEAR or METRIC")
    p.add_argument("--baseline", help="scenario that differences are taken from (diff: default the comparison's "
                                      "reference; optional for yearly)")
    p.add_argument("--parameter", action="append", default=[], help="sweep parameter (twice for heatmap)")
    p.add_argument("--year", type=int, help="year of the outcome for response and heatmap (default: the last)")
    p.add_argument("--bins", type=int, help="heatmap: cut each parameter's range into this many intervals")
    add_lang_options(p)
    p.add_argument("--out", required=True, type=Path, help="figure file: .png, .pdf or .svg")
    p.set_defaults(func=main)


def add_lang_options(p: argparse.ArgumentParser) -> None:
    """``--lang`` and ``--allow-fallback``: the language of labels, and whether Chinese may fall
    back to English when no CJK font is installed."""
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="label language")
    p.add_argument("--allow-fallback", action="store_true",
                   help="with --lang zh and no CJK font installed: draw English labels instead of stopping")


def check_lang(args: argparse.Namespace) -> None:
    """Refuse ``--lang zh`` without a CJK font (its labels would be boxes), unless ``--allow-fallback``."""
    from analysis import labels

    if args.lang == "zh" and labels.cjk_font() is None and not args.allow_fallback:
        raise CliError(f"--lang zh: no CJK font is installed, so Chinese labels cannot be drawn; {labels.FONT_HINT}, "
                       "or pass --allow-fallback to draw English labels")


def main(args: argparse.Namespace) -> int:
    if not args.dir.exists():
        raise CliError(f"no such folder: {args.dir}")
    if not args.dir.is_dir():
        raise CliError(f"{args.dir}: {what_is(args.dir)}; give the folder written by run, compare or sweep")
    if args.out.exists() and not args.out.is_file():
        raise CliError(f"--out {args.out}: {what_is(args.out)}; give a figure file (.png, .pdf or .svg)")
    if args.metric is not None:
        metric, colon, year = args.metric.partition(":")
        if metric not in NAMES:
            raise CliError(f"unknown metric {metric!r}; known: {', '.join(NAMES)}")
        if colon and not (args.kind in ("sobol", "morris") and year.isdigit()):
            raise CliError(f"--metric {args.metric}: METRIC:YEAR names an outcome of sensitivity indices "
                           "(--kind sobol or morris); other figures take a metric")
    check_lang(args)
    try:
        figure = draw(args)
    except (OSError, ValueError, KeyError) as exc:
        raise CliError(str(exc)) from exc
    fmt = args.out.suffix.lstrip(".").lower() or "png"
    try:
        atomic_write(args.out, lambda tmp: figure.savefig(tmp, format=fmt, dpi=150))
    except OSError as exc:
        raise CliError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise CliError(f"--out {args.out}: {exc}") from None
    print(f"wrote {args.out}")
    return 0


def draw(args: argparse.Namespace):
    """The figure that ``args`` ask for."""
    import analysis as a

    metric, lang = args.metric or "gmv_total", args.lang
    kind, params = args.kind, args.parameter
    if kind == "diff" and not (args.baseline or a.reference(args.dir)):
        raise CliError("--kind diff needs --baseline SCENARIO (a comparison folder has its own)")
    if kind in ("response", "heatmap") and len(params) != (1 if kind == "response" else 2):
        raise CliError(f"--kind {kind} needs --parameter {'once' if kind == 'response' else 'twice'}")
    if kind == "structure":
        return a.structure(args.dir, lang=lang)
    if kind == "key":
        return a.key_outcomes(args.dir, lang=lang)
    if kind in ("sobol", "morris"):
        plot = a.sobol_bars if kind == "sobol" else a.morris_scatter
        return plot(args.dir, metric=args.metric, lang=lang).figure
    if kind == "revenue":
        return a.revenue_bars(args.dir, lang=lang).figure
    if kind == "fan":  # from the folder: its policy events and its reference scenario come with the metrics
        return a.fan(args.dir, metric, lang=lang).figure
    if kind == "diff":
        return a.diff_fan(args.dir, metric, args.baseline, lang=lang).figure
    if kind == "yearly":
        return a.yearly_bars(args.dir, metric, lang=lang, baseline=args.baseline).figure
    metrics = a.load_metrics(args.dir)
    if kind == "response":
        return a.response(metrics, metric, params[0], lang=lang, year=args.year).figure
    return a.heatmap(metrics, metric, params[0], params[1], lang=lang, year=args.year, bins=args.bins).figure
