"""Axes for the figure functions: a new one when none is given, readable date ticks, legends,
and one colour per scenario that stays the same across figures."""

from __future__ import annotations

import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure

ZH_DATES = {"formats": ["%Y年", "%m月", "%d日", "%H:%M", "%H:%M", "%S.%f"],
            "zero_formats": ["", "%Y年", "%m月", "%d日", "%H:%M", "%H:%M"],
            "offset_formats": ["", "%Y年", "%Y年%m月", "%Y-%m-%d", "%Y-%m-%d", "%Y-%m-%d %H:%M"]}


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


def legend(ax: Axes, title: str | None = None) -> None:
    """A legend of labelled artists, if there are any."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(title=title, fontsize="small", title_fontsize="small", frameon=False)


def colors(names) -> dict:
    """Colour of each scenario by its order among all scenarios of the results, so a scenario
    keeps its colour in figures that leave the baseline out."""
    return {name: f"C{i % 10}" for i, name in enumerate(dict.fromkeys(names))}
