"""``report DIR``: a report of a run or a comparison to send a colleague, built by
:mod:`analysis.report`: one self-contained HTML file (figures inline) and its Markdown twin with
the figures as PNG files beside it. Without ``--out`` it is written into DIR as ``report.html``,
``report.md`` and ``report_figures/``."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli import CliError
from sim.commands.plot import add_lang_options, check_lang
from sim.storage import atomic_write, what_is


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="write a report of a run or comparison: HTML and Markdown",
                       description="Write one self-contained HTML report of a run or comparison folder (the "
                                   "question, what the scenarios change, key outcomes with intervals, figures, "
                                   "manifest) and its Markdown twin.")
    p.add_argument("dir", type=Path, help="folder written by run or compare")
    p.add_argument("--out", type=Path, help="HTML file (default DIR/report.html); the Markdown twin goes beside it "
                                            "with the same name and .md, its figures in NAME_figures/")
    add_lang_options(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from analysis import report

    if not args.dir.is_dir():
        raise CliError(f"no such folder: {args.dir}" if not args.dir.exists()
                       else f"{args.dir}: {what_is(args.dir)}; give the folder written by run or compare")
    out = args.out or args.dir / "report.html"
    if out.suffix.lower() not in (".html", ".htm"):
        raise CliError(f"--out {out}: give an .html file (the Markdown twin is written beside it)")
    twin, figures = out.with_suffix(".md"), out.with_name(f"{out.stem}_figures")
    for path, what in ((out, "a file"), (twin, "a file"), (figures, "a folder")):
        if path.exists() and (path.is_dir() if what == "a file" else not path.is_dir()):
            raise CliError(f"{path}: {what_is(path)}; it must be {what}")
    check_lang(args)
    try:
        built = report.build(args.dir, lang=args.lang)
    except (OSError, ValueError, KeyError) as exc:
        raise CliError(str(exc)) from exc
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        figures.mkdir(exist_ok=True)
        for figure in built.figures:
            atomic_write(figures / figure.name, lambda tmp, data=figure.png: tmp.write_bytes(data))
        atomic_write(twin, lambda tmp: tmp.write_text(built.markdown(figures.name), encoding="utf-8"))
        atomic_write(out, lambda tmp: tmp.write_text(built.html(), encoding="utf-8"))
    except OSError as exc:
        raise CliError(f"cannot write the report: {exc.strerror or exc}") from None
    print(f"wrote {out} (self-contained) and {twin} with its figures in {figures}/")
    return 0
