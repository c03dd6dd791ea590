"""``export DIR``: the table of a run folder (yearly outcomes) or of a comparison folder (levels
and paired differences) for a paper, as CSV, Excel, LaTeX (booktabs) or Markdown, built by
:mod:`analysis.tables`. Without ``--out`` the file goes into DIR as ``yearly_table.EXT`` or
``comparison_table.EXT``."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli import CliError
from sim.metrics import NAMES
from sim.storage import atomic_write, what_is

FORMATS = ("csv", "xlsx", "tex", "md")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="write a results table for a paper: CSV, Excel, LaTeX or Markdown",
                       description="Write the yearly table of a run folder, or the comparison table of a compare "
                                   "folder, with numeric columns and units, as CSV, Excel, LaTeX or Markdown.")
    p.add_argument("dir", type=Path, help="folder written by run or compare")
    p.add_argument("--format", choices=FORMATS, help="file format (default: from --out's suffix, else csv)")
    p.add_argument("--metric", action="append", default=[], help="a metric to keep (repeat; default: all)")
    p.add_argument("--out", type=Path, help="file to write (default: DIR/yearly_table.EXT or comparison_table.EXT)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from analysis import tables

    fmt = _format(args)
    if not args.dir.is_dir():
        raise CliError(f"no such folder: {args.dir}" if not args.dir.exists()
                       else f"{args.dir}: {what_is(args.dir)}; give the folder written by run or compare")
    unknown = [m for m in args.metric if m not in NAMES]
    if unknown:
        raise CliError(f"--metric {unknown[0]}: unknown metric; known: {', '.join(NAMES)}")
    try:
        table = tables.paper_table(args.dir, args.metric or None)
    except (OSError, ValueError, KeyError) as exc:
        raise CliError(str(exc)) from exc
    out = args.out or args.dir / f"{table.name}_table.{fmt}"
    if out.exists() and not out.is_file():
        raise CliError(f"--out {out}: {what_is(out)}; give a file")
    data = tables.WRITERS[fmt](table)
    try:
        atomic_write(out, lambda tmp: tmp.write_bytes(data))
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"wrote {out} ({table.name} table, {len(table.frame)} rows, {fmt})")
    return 0


def _format(args: argparse.Namespace) -> str:
    """``--format``, or the suffix of ``--out``; refuses a suffix that contradicts the format."""
    suffix = args.out.suffix.lstrip(".").lower() if args.out else ""
    suffix = {"xls": "xlsx", "markdown": "md", "latex": "tex"}.get(suffix, suffix)
    if args.format and suffix and suffix != args.format:
        raise CliError(f"--out {args.out}: the suffix .{suffix} does not match --format {args.format}")
    fmt = args.format or suffix or "csv"
    if fmt not in FORMATS:
        raise CliError(f"--out {args.out}: cannot tell the format from .{suffix}; pass --format, "
                       f"one of {', '.join(FORMATS)}")
    return fmt

