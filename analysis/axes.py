"""Axes for the figure functions: a new one when none is given, readable date ticks, legends
(inside, or outside the data), one colour per scenario that stays the same across figures (the
reference scenario of a comparison in a fixed colour), and markers of dated policy events."""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis import labels

ZH_DATES = {"formats": ["%Y年", "%m月", "%d日", "%H:%M", "%H:%M", "%S.%f"],
            "zero_formats": ["", "%Y年", "%m月", "%d日", "%H:%M", "%H:%M"],
            "offset_formats": ["", "%Y年", "%Y年%m月", "%Y-%m-%d", "%Y-%m-%d", "%Y-%m-%d %H:%M"]}
BASELINE_COLOR = "0.2"  # the reference scenario of a comparison, whatever its name
EVENT_COLOR = "0.45"  # an event every scenario shares
EVENT_GID = "event"  # gid of event markers, so that they can be found on the axes


def new_axes(ax: Axes | None = None, size: tuple[float, float] = (6.4, 3.6)) -> Axes:
    """``ax``, or the axes of a new figure (not registered with pyplot, so never shown twice)."""
    if ax is not None:
        return ax
    return Figure(figsize=size, layout="constrained").add_subplot()


def date_axis(ax: Axes, lang: str) -> None:
    """Year and month ticks that do not overlap, in ``lang``."""
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, **(ZH_DATES if lang == "zh" else {})))


def legend(ax: Axes, title: str | None = None, outside: bool = False) -> None:
    """A legend of labelled artists, if there are any; ``outside``: right of the axes, off the data."""
    if ax.get_legend_handles_labels()[0]:
        where = {"loc": "upper left", "bbox_to_anchor": (1.02, 1.0), "borderaxespad": 0.0} if outside else {}
        ax.legend(title=title, fontsize="small", title_fontsize="small", frameon=False, **where)


def colors(names, baseline: str | None = None) -> dict:
    """Colour of each scenario. With several scenarios the reference (``baseline``, default the
    first) is drawn in :data:`BASELINE_COLOR` and the others take the colour cycle in their order,
    so a scenario keeps its colour in figures that leave the reference out; one scenario alone
    takes the first colour of the cycle."""
    names = list(dict.fromkeys(names))
    if len(names) < 2:
        return {name: "C0" for name in names}
    baseline = names[0] if baseline is None else baseline
    others = [n for n in names if n != baseline]
    return {baseline: BASELINE_COLOR, **{name: f"C{i % 10}" for i, name in enumerate(others)}}


def mark_events(ax: Axes, events: pd.DataFrame, color: dict | None = None) -> None:
    """Dotted vertical lines at the dates of policy events (:func:`analysis.load.load_events`)
    within the axes' time range, each with a short label at the top. Events of the same date share
    a line; an event that only some scenarios have takes the colour of the first of them."""
    if events is None or events.empty:
        return
    low, high = ax.get_xlim()
    everyone = events["scenario"].nunique()
    kept = {}
    for (date, event), rows in events.groupby(["date", "id"], sort=True):
        if not low <= mdates.date2num(date) <= high:
            continue
        shade = EVENT_COLOR if rows["scenario"].nunique() == everyone else (color or {}).get(rows["scenario"].iloc[0],
                                                                                               EVENT_COLOR)
        kept.setdefault((date, shade), []).append(labels.event_label(event, rows["action"].iloc[0]))
    for (date, shade), names in kept.items():
        ax.axvline(date, color=shade, linestyle=":", linewidth=0.9, zorder=1, gid=EVENT_GID)
        ax.text(date, 0.98, " " + " · ".join(names), transform=ax.get_xaxis_transform(), rotation=90, va="top",
                ha="right", fontsize=6, color=shade, gid=EVENT_GID)
    ax.set_xlim(low, high)
