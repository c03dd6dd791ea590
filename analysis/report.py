"""A report of a run or a comparison to send a colleague: one self-contained HTML page (figures
embedded as base64 PNG, styles inline, no external asset) and its Markdown twin (figures as PNG
files beside it). It holds, in order: the question (each scenario's description and the opening
comment of its YAML file), what each scenario changes (its parameters and events against the
scenario it extends, or in a comparison against the reference, with units, roles and plan clauses:
:func:`sim.parameters.differences`, as ``describe`` shows them), the key outcomes with their
intervals (:mod:`analysis.tables`), the standard figures, and the manifest (scenarios, seeds,
versions, command)."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml
from matplotlib.figure import Figure

from analysis import labels
from analysis.fan import diff_fan
from analysis.figures import key_outcomes
from analysis.load import load_manifests, load_metrics, reference
from analysis.revenue import revenue_bars
from analysis.tables import PaperTable, formatted, paper_table
from analysis.yearly import yearly_bars
from sim import folders
from sim.parameters import Difference, differences
from sim.scenario import Scenario
from sim.summary import KEY_METRICS

DIFF_METRICS = ("gmv_total", "exchange_share", "value_created", "fiscal_spend")  # paired-difference panels


@dataclass(frozen=True)
class ReportFigure:
    """A figure of the report: a file name (``fan.png``), its caption and its PNG bytes."""

    name: str
    caption: str
    png: bytes


@dataclass(frozen=True)
class Change:
    """One difference of a scenario from the one it is read against (``against``): a parameter
    or timeline event with its value there and here, unit, role and clause
    (:func:`sim.parameters.differences`)."""

    scenario: str
    against: str
    difference: Difference


@dataclass(frozen=True)
class Report:
    """The parts of a report and its two renderings (:meth:`html`, :meth:`markdown`)."""

    title: str
    questions: tuple[tuple[str, str, str], ...]  # scenario, description, opening comment of its file
    changes: tuple[Change, ...]
    table: PaperTable
    figures: tuple[ReportFigure, ...]

    def html(self) -> str:
        """The page: one file, figures inline as data URIs."""
        parts = [f"<h1>{_e(self.title)}</h1>", "<h2>The question</h2>"]
        for name, description, comment in self.questions:
            parts.append(f"<h3>{_e(name)}</h3><p>{_e(description)}</p>")
            if comment:
                parts.append(f"<pre class='comment'>{_e(comment)}</pre>")
        parts.append("<h2>What the scenarios change</h2>")
        parts.append(_changes_html(self.changes))
        parts.append("<h2>Key outcomes</h2>")
        parts.append(f"<p class='note'>{_e(self.table.note)}</p>")
        parts.append(_table_html(_key_rows(self.table), "key-outcomes"))
        parts.append("<h2>Figures</h2>")
        for f in self.figures:
            data = base64.b64encode(f.png).decode("ascii")
            parts.append(f"<figure><img src='data:image/png;base64,{data}' alt='{_e(f.caption)}'>"
                         f"<figcaption>{_e(f.caption)}</figcaption></figure>")
        parts.append("<h2>Manifest</h2>")
        parts.append(_table_html(self.table.manifest.rename(columns=str.capitalize), "manifest"))
        body = "\n".join(parts)
        return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{_e(self.title)}</title>"
                f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>\n")

    def markdown(self, figure_folder: str) -> str:
        """The twin in Markdown; figures are linked as ``figure_folder/NAME``."""
        lines = [f"# {self.title}", "", "## The question", ""]
        for name, description, comment in self.questions:
            lines += [f"### {name}", "", description, ""]
            if comment:
                lines += ["```text", comment, "```", ""]
        lines += ["## What the scenarios change", ""]
        lines += [_changes_frame(self.changes).to_markdown(index=False) if self.changes else "Nothing: the same "
                  "parameters and events.", ""]
        lines += ["## Key outcomes", "", self.table.note, "", _key_rows(self.table).to_markdown(index=False), ""]
        lines += ["## Figures", ""]
        for f in self.figures:
            lines += [f"![{f.caption}]({figure_folder}/{f.name})", "", f"*{f.caption}*", ""]
        lines += ["## Manifest", "", self.table.manifest.to_markdown(index=False), ""]
        return "\n".join(lines)


def build(folder: str | Path, lang: str = "en") -> Report:
    """The report of a run folder or a comparison folder (read through :mod:`sim.folders`)."""
    folder = Path(folder)
    layout = folders.kind(folder)
    if layout not in ("results", "comparison"):
        raise ValueError(f"{folder} is a {layout} folder; a report is made of the folder of run or compare")
    manifests = load_manifests(folder)
    names = list(manifests)
    title = (f"{names[0]}: {max(m['replicates'] for m in manifests.values())} runs" if len(names) == 1 else
             f"{', '.join(names[1:])} against {names[0]}")
    questions = tuple(question(name, m) for name, m in manifests.items())
    table = paper_table(folder, list(KEY_METRICS))
    return Report(title, questions, tuple(scenario_changes(manifests)), table, tuple(_figures(folder, lang)))


def question(name: str, manifest: dict) -> tuple[str, str, str]:
    """The scenario's name, description and the opening comment of its file; a scenario that says
    neither is introduced by the one it extends."""
    description, comment = manifest["resolved_scenario"].get("description", ""), opening_comment(manifest.get("source"))
    parent = extended(manifest.get("source"))
    if not (description or comment) and parent is not None:
        path, scenario = parent
        description = f"No description of its own; it extends {scenario.name}: {scenario.description}"
        comment = opening_comment(str(path))
    return name, description, comment


def opening_comment(source: str | None) -> str:
    """The comment lines at the top of a scenario file, without their ``#``; empty if unreadable."""
    try:
        text = Path(source).read_text(encoding="utf-8") if source else ""
    except OSError:
        return ""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].strip())
    return "\n".join(lines)


def scenario_changes(manifests: dict[str, dict]) -> list[Change]:
    """What each scenario changes. In a comparison, each scenario after the first against the
    first; a single run against the scenario its file ``extends`` (nothing when it extends none
    or that file cannot be read any more). The manifests' resolved scenarios are validated as a
    scenario file is (:meth:`Scenario.from_dict`)."""
    resolved = {name: Scenario.from_dict(m["resolved_scenario"], source=f"{name} (resolved_scenario of its manifest)")
                for name, m in manifests.items()}
    names = list(resolved)
    if len(names) > 1:
        return [Change(name, names[0], d) for name in names[1:] for d in differences(resolved[names[0]], resolved[name])]
    name, manifest = names[0], manifests[names[0]]
    parent = extended(manifest.get("source"))
    if parent is None:
        return []
    return [Change(name, parent[1].name, d) for d in differences(parent[1], resolved[name])]


def extended(source: str | None) -> tuple[Path, Scenario] | None:
    """The file and scenario that the file at ``source`` extends, if it names one and it can be read."""
    try:
        data = yaml.safe_load(Path(source).read_text(encoding="utf-8")) if source else None
        parent = data.get("extends") if isinstance(data, dict) else None
        path = Path(source).parent / parent if parent else None
        return (path, Scenario.load(path)) if path else None
    except (OSError, ValueError, yaml.YAMLError):
        return None


def _figures(folder: Path, lang: str) -> list[ReportFigure]:
    metrics = load_metrics(folder)
    baseline = reference(folder)
    out = [_png("key_outcomes.png", "Key outcomes over time: the mean and its 90 % interval across runs; dotted lines "
                "mark policy events.", key_outcomes(folder, lang=lang))]
    out.append(_png("yearly.png", f"{labels.metric_name('gmv_total')} per year: the mean and its 90 % interval.",
                    yearly_bars(folder, "gmv_total", lang=lang).figure))
    out.append(_png("revenue.png", "Where paid public-data revenue goes, per year (mean over runs).",
                    revenue_bars(metrics, lang=lang).figure))
    if baseline is not None:
        figure = Figure(figsize=(12, 6.4), layout="constrained")
        for ax, metric in zip(figure.subplots(2, 2).flat, DIFF_METRICS):
            diff_fan(folder, metric, baseline, ax=ax, lang=lang)
        out.append(_png("differences.png", f"Paired differences from {baseline} (same seeds): the mean and the "
                        "5th-95th percentile of the differences.", figure))
    return out


def _png(name: str, caption: str, figure: Figure) -> ReportFigure:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    return ReportFigure(name, caption, buffer.getvalue())


def _key_rows(table: PaperTable) -> pd.DataFrame:
    """The key table as people read it, numbers in the tables' one format."""
    return formatted(table.for_people())


def _changes_frame(changes: tuple[Change, ...]) -> pd.DataFrame:
    return pd.DataFrame([{"Scenario": c.scenario, "Parameter or event": c.difference.what, "Against": c.against,
                          "There": c.difference.before, "Here": c.difference.after, "Unit": c.difference.unit,
                          "Role": c.difference.role, "Clause": c.difference.clause} for c in changes])


def _changes_html(changes: tuple[Change, ...]) -> str:
    if not changes:
        return "<p>Nothing: the same parameters and events (or the scenario extends none).</p>"
    return _table_html(_changes_frame(changes), "changes")


def _table_html(frame: pd.DataFrame, css_id: str) -> str:
    return frame.to_html(index=False, table_id=css_id, border=0, na_rep="", escape=True)


def _e(text: str) -> str:
    return html.escape(str(text), quote=True)


STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans CJK SC", sans-serif; max-width: 1100px;
       margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 1.6em; }
table { border-collapse: collapse; font-size: .85em; margin: .6em 0; }
td:first-child { white-space: nowrap; }
th, td { padding: .25em .6em; border-bottom: 1px solid #e3e3e3; text-align: right; }
th { border-bottom: 2px solid #444; } td:first-child, th:first-child { text-align: left; }
figure { margin: 1.2em 0; } img { max-width: 100%; } figcaption { font-size: .9em; color: #555; }
pre.comment { background: #f6f6f6; padding: .6em; white-space: pre-wrap; } .note { color: #555; font-size: .9em; }
"""
