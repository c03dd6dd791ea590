"""Tables for a paper from a results folder: the yearly outcomes of a run (``yearly``) or the
levels and paired differences of a comparison (``comparison``), every statistic in its own
numeric column, metrics named in words with their units; and the same table written as CSV,
Excel (openpyxl), LaTeX (booktabs, ASCII only) or Markdown (tabulate).

Columns (numbers, NaN where undefined):

    metric, name, unit       the metric's column name, its name in words, its unit
    scenario, year
    mean, p05, p95, n        mean across the n replicates and its 90 % interval (5th–95th percentile)
    diff_mean                (comparison) mean paired difference from the reference scenario,
    diff_ci_low, diff_ci_high    its 95 % confidence interval (Student t over the seeds),
    diff_p05, diff_p95           the 5th–95th percentile of the differences across seeds
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import labels
from analysis.load import load_manifests, load_metrics
from analysis.yearly import yearly_summary
from sim import folders
from sim.folders import comparison
from sim.metrics import METRICS
from sim.summary import number

LEVELS = ("mean", "p05", "p95", "n")
EFFECTS = ("diff_mean", "diff_ci_low", "diff_ci_high", "diff_p05", "diff_p95")
HEADERS = {  # column: (heading for people, LaTeX heading)
    "name": ("Metric (unit)", "Metric (unit)"),
    "scenario": ("Scenario", "Scenario"),
    "year": ("Year", "Year"),
    "mean": ("Mean", "Mean"),
    "p05": ("5th pct", "P5"),
    "p95": ("95th pct", "P95"),
    "n": ("Runs", "$n$"),
    "diff_mean": ("Δ mean", r"$\Delta$ mean"),
    "diff_ci_low": ("Δ 95 % CI low", r"$\Delta$ CI low"),
    "diff_ci_high": ("Δ 95 % CI high", r"$\Delta$ CI high"),
    "diff_p05": ("Δ 5th pct", r"$\Delta$ P5"),
    "diff_p95": ("Δ 95th pct", r"$\Delta$ P95"),
}
NOTES = {
    "yearly": "Mean across replicates; 5th and 95th percentiles across replicates; n runs.",
    "comparison": "Mean across replicates with its 5th-95th percentile; Delta: mean paired difference from "
                  "{reference} on the same seeds, its 95 % confidence interval (Student t) and the 5th-95th "
                  "percentile of the differences across seeds.",
}


@dataclass(frozen=True)
class PaperTable:
    """One table of a folder and what to say about it.

    Attributes:
        name: ``yearly`` (a run's folder) or ``comparison``.
        frame: the columns of the module's docstring, one row per metric, scenario and year.
        note: what the statistics are, one sentence for a caption.
        manifest: key and value of each fact of the folder's manifests (scenario, seeds, versions …).
    """

    name: str
    frame: pd.DataFrame
    note: str
    manifest: pd.DataFrame

    def for_people(self) -> pd.DataFrame:
        """The columns people read, under their headings: the metric in words with its unit."""
        frame = self.frame.assign(name=[f"{n} ({u})" for n, u in zip(self.frame["name"], self.frame["unit"])])
        columns = [c for c in HEADERS if c in frame and not (c == "scenario" and self.name == "yearly")]
        return frame[columns].rename(columns={c: HEADERS[c][0] for c in columns})


def paper_table(folder: str | Path, metrics: list[str] | None = None) -> PaperTable:
    """The table of a run folder (``yearly``) or a comparison folder (``comparison``), of
    ``metrics`` (default: every metric), read through :mod:`sim.folders`."""
    folder = Path(folder)
    layout = folders.kind(folder)
    if layout not in ("results", "comparison"):
        raise ValueError(f"{folder} is a {layout} folder; tables come from the folder of run or compare")
    manifests = load_manifests(folder)
    wanted = list(metrics or [m.name for m in METRICS])
    if layout == "results":
        frame = yearly_summary(load_metrics(folder), wanted).rename(columns={"runs": "n"})
        note = NOTES["yearly"]
    else:
        frame = comparison.read_table(folder)
        frame = frame[frame["metric"].isin(wanted)].drop(columns="unit")
        frame["n"] = frame["scenario"].map({name: m["replicates"] for name, m in manifests.items()})
        note = NOTES["comparison"].format(reference=next(iter(manifests)))
    frame = frame.assign(name=frame["metric"].map(labels.metric_name),
                         unit=[labels.unit(m, per="year") for m in frame["metric"]])
    columns = ["metric", "name", "unit", "scenario", "year", *LEVELS, *(EFFECTS if layout == "comparison" else ())]
    return PaperTable("yearly" if layout == "results" else "comparison", frame[columns].reset_index(drop=True),
                      note, manifest_facts(manifests))


def manifest_facts(manifests: dict[str, dict]) -> pd.DataFrame:
    """Columns key, value: for each scenario its source, hash, replicates and seeds, then the
    versions, git commit and command line of the first manifest (one command wrote them all)."""
    rows = []
    for name, m in manifests.items():
        seeds = m.get("seeds", [])
        rows += [(f"{name}: source", m.get("source", "")), (f"{name}: scenario hash", m.get("scenario_hash", "")),
                 (f"{name}: replicates", m.get("replicates", "")),
                 (f"{name}: seeds", f"{min(seeds)}-{max(seeds)}" if seeds else "")]
    first = next(iter(manifests.values()), {})
    rows += [(f"version: {k}", v) for k, v in first.get("versions", {}).items()]
    rows += [("git commit", first.get("git_commit") or ""), ("command", first.get("command", "")),
             ("written", first.get("written", ""))]
    return pd.DataFrame(rows, columns=["key", "value"]).astype(str)


# ---- formats -------------------------------------------------------------------------------------


def to_csv(table: PaperTable) -> bytes:
    """Every column as stored: numbers as numbers (full precision), NaN as an empty cell."""
    return table.frame.to_csv(index=False).encode("utf-8")


def to_markdown(table: PaperTable) -> bytes:
    """A GitHub-flavoured Markdown table (tabulate) with the note below; numbers in the tables' one
    format (:func:`sim.summary.number`)."""
    shown = formatted(table.for_people())
    text = shown.to_markdown(index=False, disable_numparse=True, colalign=_align(shown))
    return f"{text}\n\n{table.note}\n".encode()


def to_latex(table: PaperTable, caption: str | None = None) -> bytes:
    """A booktabs table (``\\usepackage{booktabs}``), pure ASCII: names escaped, units spelled for
    LaTeX (10^4 CNY as $10^{4}$ CNY), a metric's name written once over its rows."""
    shown = formatted(table.for_people())
    heads = {HEADERS[c][0]: HEADERS[c][1] for c in HEADERS}
    metric = HEADERS["name"][0]
    lines = [r"\begin{table}[htbp]", r"\centering", r"\small",
             rf"\caption{{{latex_text(caption or table.note)}}}",
             rf"\label{{tab:{table.name}}}",
             rf"\begin{{tabular}}{{{''.join('l' if a == 'left' else 'r' for a in _align(shown))}}}",
             r"\toprule",
             " & ".join(heads[c] for c in shown.columns) + r" \\",
             r"\midrule"]
    previous = None
    for _, row in shown.iterrows():
        if previous is not None and row[metric] != previous:
            lines.append(r"\addlinespace")
        cells = ["" if c == metric and row[c] == previous else latex_text(row[c]) for c in shown.columns]
        previous = row[metric]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return ("\n".join(lines) + "\n").encode("ascii")


def to_xlsx(table: PaperTable) -> bytes:
    """An Excel workbook: the table on a sheet of its name (numbers as numbers, header bold, units
    in a column), the note under it, and a ``manifest`` sheet."""
    from openpyxl.styles import Font

    buffer = io.BytesIO()
    people = table.frame.rename(columns={c: HEADERS[c][0] for c in HEADERS if c in table.frame})
    people = people.rename(columns={HEADERS["name"][0]: "Metric", "unit": "Unit", "metric": "Column"})
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        people.to_excel(writer, sheet_name=table.name, index=False)
        table.manifest.rename(columns={"key": "Key", "value": "Value"}).to_excel(writer, sheet_name="manifest",
                                                                                  index=False)
        sheet = writer.sheets[table.name]
        sheet.cell(row=len(people) + 3, column=1, value=table.note)
        for ws in writer.sheets.values():
            for cell in ws[1]:
                cell.font = Font(bold=True)
            ws.freeze_panes = "A2"
            for column in ws.columns:
                width = max(len(str(c.value)) for c in column[:50] if c.value is not None)
                ws.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    return buffer.getvalue()


WRITERS = {"csv": to_csv, "xlsx": to_xlsx, "tex": to_latex, "md": to_markdown}


def formatted(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers as text in the tables' one format (the year and run count as whole numbers)."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_numeric_dtype(out[column]):
            whole = column in (HEADERS["year"][0], HEADERS["n"][0])
            effect = column.startswith("Δ")  # none for the reference scenario: left empty, not "n/a"
            out[column] = ["" if effect and pd.isna(v) else str(int(v)) if whole and pd.notna(v) else number(v)
                           for v in out[column]]
    return out


def _align(frame: pd.DataFrame) -> list[str]:
    text = (HEADERS["name"][0], HEADERS["scenario"][0])
    return ["left" if c in text else "right" for c in frame.columns]


LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                 "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
LATEX_UNICODE = {"10⁴": "$10^{4}$", "Δ": r"$\Delta$", "×": r"$\times$", "–": "--", "—": "---", "−": "-",
                 "μ": r"$\mu$", "σ": r"$\sigma$", "·": r"$\cdot$", "≤": r"$\leq$", "≥": r"$\geq$"}


def latex_text(value) -> str:
    """``value`` as LaTeX text: special characters escaped, the few non-ASCII symbols of labels
    written as math, any other non-ASCII character (a Chinese name) replaced by ``?``."""
    text = re.sub("|".join(map(re.escape, LATEX_SPECIAL)), lambda m: LATEX_SPECIAL[m.group()], str(value))
    for symbol, tex in LATEX_UNICODE.items():
        text = text.replace(symbol, tex)
    return text.encode("ascii", "replace").decode("ascii")
