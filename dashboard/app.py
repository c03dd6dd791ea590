"""The dashboard's pages (Solara): **Compare** runs the baseline and the edited scenario on the
same seeds and draws their fans and paired differences as runs finish; **Watch the month** is
Mesa's SolaraViz on the edited scenario with one seed, stepping month by month.

The scenario is the one named by the environment variable ``DATAMARKET_DASHBOARD_SCENARIO`` (a
catalogue name or a YAML path; ``python run.py dashboard SCENARIO`` sets it), else the Wuhan
baseline. Edits live per browser tab (Solara's reactive variables are per session).
"""

from __future__ import annotations

import os
from pathlib import Path

import solara
from mesa.visualization import SolaraViz, make_plot_component

from dashboard import levers as lv
from dashboard import text
from dashboard.batch import FIRST_SEED, Batch
from dashboard.charts import compare_figure
from sim import catalog
from sim.commands.dashboard import DEFAULT_SCENARIO, SCENARIO_VARIABLE
from sim.model import DataMarketModel
from sim.scenario import Scenario, ScenarioError

N_SEEDS = 4  # seeds of a comparison, as first shown
MAX_SEEDS = 50
POLL_S = 0.5  # how often the page looks at a running batch
WATCH_PLOTS = (  # what the month view shows as it steps: market structure, prices, channels
    ("n_merchants", "n_products", "n_listed"),
    ("price_index",),
    ("exchange_share",),
    ("gmv_exchange", "gmv_off_exchange"),
)
EDITED_SUFFIX = "_edited"
SECTION_ORDER = ("policy", "exchanges", "regulator", "operators", "domains")  # the plan's levers first
CAPTION = {"font-size": "0.75em", "color": "#555", "margin": "-10px 0 8px 0", "line-height": "1.2"}

PARENT: Path = catalog.resolve(os.environ.get(SCENARIO_VARIABLE, DEFAULT_SCENARIO))
BASE: Scenario = Scenario.load(PARENT)
LEVERS = lv.levers(BASE)
EVENTS = lv.dated_events(BASE)
MONTHS = lv.months(BASE)

lang = solara.reactive("en")
values = solara.reactive({})  # lever path -> value, only what the user touched
dates = solara.reactive({})  # event id -> month
n_seeds = solara.reactive(N_SEEDS)
batch: solara.Reactive[Batch | None] = solara.reactive(None)


def current() -> tuple[Scenario | None, str | None]:
    """The edited scenario, or the message naming what is wrong with the edits."""
    try:
        return lv.edited(BASE, values.value, dates.value, BASE.name + EDITED_SUFFIX), None
    except ScenarioError as exc:
        return None, "\n".join(exc.errors)


@solara.component
def LeverInput(lever: lv.Lever):
    """One control with its caption: description, unit, allowed values and plan clause."""
    label = text.lever_label(lever.generic, lang.value)
    value = values.value.get(lever.path, lever.default)

    def set_value(new):
        values.value = {**values.value, lever.path: new}

    if lever.kind == "choice":
        solara.Select(label, values=list(lever.choices), value=value, on_value=set_value)
    elif lever.kind == "bool":
        solara.Checkbox(label=label, value=value, on_value=set_value)
    elif lever.kind == "int":
        solara.InputInt(label, value=value, on_value=set_value, continuous_update=False)
    else:
        solara.InputFloat(label, value=value, on_value=set_value, continuous_update=False)
    w = lang.value
    solara.Text(f"{lever.doc} · {text.word('unit', w)}: {lever.unit} · {text.word('allowed', w)}: {lever.allowed}"
                f" · {text.word('clause', w)}: {lever.clause}", style=CAPTION)


@solara.component
def Levers():
    """Every lever of the scenario, section by section, then the month pickers of the timeline."""
    w = lang.value
    solara.Button(text.word("reset", w), text=True, on_click=lambda: (values.set({}), dates.set({})))
    sections: dict[str, list[lv.Lever]] = {}
    for lever in sorted(LEVERS, key=lambda lever: SECTION_ORDER.index(lever.path.split(".")[0])):
        sections.setdefault(lever.section, []).append(lever)
    for path, group in sections.items():
        generic = group[0].generic.rsplit(".", 1)[0]
        with solara.Details(text.section_label(path, generic, w), expand=path == "policy.pricing"):
            for lever in group:
                LeverInput(lever)
    with solara.Details(text.section_label("timeline", "timeline", w), expand=False):
        for event in EVENTS:
            solara.Select(text.word("month_of", w).format(text.word(event.action, w), event.target),
                          values=MONTHS, value=dates.value.get(event.id, event.default),
                          on_value=lambda m, i=event.id: dates.set({**dates.value, i: m}))
            solara.Text(f"id: {event.id}", style=CAPTION)


@solara.component
def LanguageToggle():
    """English / 中文, in the bar at the top of every page."""
    with solara.AppBar():
        solara.ToggleButtonsSingle(value="中文" if lang.value == "zh" else "English", values=["English", "中文"],
                                   on_value=lambda v: lang.set("zh" if v == "中文" else "en"))


@solara.component
def Edits(scenario: Scenario | None, error: str | None):
    """What differs from the baseline, and saving it as a YAML file that ``extends`` it."""
    w = lang.value
    target, set_target = solara.use_state("")
    message, set_message = solara.use_state("")
    if error:
        solara.Error(error)
        return
    changed, moved = lv.changes(BASE, values.value, dates.value)
    if not changed and not moved:
        solara.Text(text.word("unchanged", w))
        return
    solara.Markdown(f"**{text.word('changed', w)}**")
    solara.Preformatted(lv.child_yaml(PARENT, BASE, values.value, dates.value))

    def save():
        try:
            path = Path(target).expanduser()
            written = lv.save(lv.child_yaml(PARENT, BASE, values.value, dates.value, path.parent), path)
            set_message(text.word("saved", w).format(written))
        except (ValueError, OSError, ScenarioError) as exc:
            set_message(f"error: {exc}")

    with solara.Row():
        solara.InputText(text.word("save_to", w), value=target, on_value=set_target, continuous_update=True)
        solara.Button(text.word("save", w), on_click=save, disabled=not target)
        solara.FileDownload(lv.child_yaml(PARENT, BASE, values.value, dates.value), filename="edited.yaml",
                            label=text.word("download", w))
    if message:
        solara.Text(message)


@solara.component
def Runs(scenario: Scenario | None):
    """Seeds, run and cancel, the progress of the batch and its figure."""
    w = lang.value
    current_batch = batch.value
    _, set_tick = solara.use_state((0, ""))  # the watcher sets it, and the page redraws

    def watch():
        b = current_batch
        while b is not None and not b.finished:
            b.wait(POLL_S)
            set_tick((b.done, b.state))
        if b is not None:
            set_tick((b.done, b.state))

    solara.use_thread(watch, dependencies=[current_batch])
    running = current_batch is not None and not current_batch.finished

    def start():
        batch.set(Batch(BASE, scenario, n_seeds.value).start())

    with solara.Row(style={"align-items": "center"}):
        solara.InputInt(text.word("seeds", w), value=n_seeds, continuous_update=False,
                        on_value=lambda n: n_seeds.set(min(max(n, 1), MAX_SEEDS)))
        solara.Button(text.word("run", w), color="primary", on_click=start, disabled=running or scenario is None)
        solara.Button(text.word("cancel", w), on_click=lambda: current_batch.cancel(), disabled=not running)
    results = current_batch.results if current_batch is not None else []
    figure = solara.use_memo(lambda: compare_figure(results, current_batch.baseline, w) if results else None,
                             dependencies=[current_batch, len(results), w])
    if current_batch is None:
        solara.Text(text.word("press_run", w))
        return
    b = current_batch
    solara.ProgressLinear(value=100 * b.done / b.total)
    solara.Text(f"{text.word('runs', w).format(b.done, b.total)} · {text.word('state', w)[b.state]}")
    if b.error is not None:
        solara.Error(f"{type(b.error).__name__}: {b.error}")
    if figure is not None:
        solara.FigureMatplotlib(figure, format="png")
        solara.Text(text.word("drawn", w).format(len(results)), style=CAPTION)


@solara.component
def ComparePage():
    scenario, error = current()
    LanguageToggle()
    with solara.Sidebar():
        solara.Markdown(f"### {text.word('levers', lang.value)}")
        Levers()
    with solara.Column():
        solara.Markdown(f"## {text.word('title', lang.value)}")
        solara.Markdown(f"{text.word('baseline', lang.value)}: **{BASE.name}** ({PARENT.name}) — {BASE.description}")
        Edits(scenario, error)
        Runs(scenario)


@solara.component
def WatchPage():
    scenario, error = current()
    LanguageToggle()
    if error:
        solara.Error(error)
        return
    solara.Text(text.word("watch_intro", lang.value))
    WatchModel(scenario).key(scenario.digest())


class WatchedModel(DataMarketModel):
    """The model with only ``scenario`` and ``seed``: SolaraViz's check of model parameters takes
    the model's ``**overrides`` for a required argument named "overrides"."""

    def __init__(self, scenario: Scenario, seed: int = FIRST_SEED):
        super().__init__(scenario, seed=seed)


@solara.component
def WatchModel(scenario: Scenario):
    """SolaraViz on a fresh model of ``scenario``: a new one whenever the edits change."""
    model = solara.use_memo(lambda: WatchedModel(scenario), dependencies=[scenario.digest()])
    SolaraViz(model, components=[make_plot_component(list(m)) for m in WATCH_PLOTS],
              model_params={"scenario": scenario, "seed": {"type": "SliderInt", "value": FIRST_SEED, "label": "seed",
                                                           "min": 1, "max": MAX_SEEDS, "step": 1}},
              name=text.word("watch", lang.value))


routes = [
    solara.Route(path="/", component=ComparePage, label=text.word("compare", "en")),
    solara.Route(path="watch", component=WatchPage, label=text.word("watch", "en")),
]
