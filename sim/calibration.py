"""Calibration targets: published figures, each with the moment of a run that matches it.

A targets file (``scenarios/targets/wuhan.yaml``) lists each figure with its value (or range),
its uncertainty and how that was derived, its source, a weight, and whether it is fitted
(``use: fit``), kept out of fitting as an out-of-sample check (``validate``) or only shown
beside the model (``report``). Each target says how to compute its **moment** from one run, in
a small closed vocabulary (:data:`MOMENTS`): a ``yearly`` value, a ``ratio_of_sums`` over a
window of months, the ``growth`` between two years, the ``last`` value, the ``top_share`` of
product revenue, the ``listed_traded_share`` of listed products, a ``flow_ratio`` from the
ledger. The last three need a run's products or flows (``run(..., full=True)``); such targets
are flagged by :attr:`Target.needs_products`.

``python -m sim.calibration --seeds 20`` prints, for each target, the figure and the baseline's
mean and 90 % interval over the seeds, as the Markdown table kept in ``docs/ODD.md`` §8.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path
from fractions import Fraction
from typing import Annotated, Any, ClassVar, Literal, Union

import pandas as pd
from pydantic import Discriminator, Field, Tag, ValidationError, field_validator, model_validator

from sim.calendar import month_number, parse_month
from sim.ledger import KINDS
from sim.metrics import NAMES
from sim.runner import run
from sim.scenario import Scenario, ScenarioError, Section, read_mapping

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "wuhan_2023_2025.yaml"
TARGETS_DIR = ROOT / "scenarios" / "targets"
WUHAN_TARGETS = TARGETS_DIR / "wuhan.yaml"


class TargetsError(ScenarioError):
    """A targets file that cannot be used; ``errors`` lists one ``field: problem`` line each."""

    def __init__(self, errors: list[str], source: str | None = None):
        super().__init__(errors, source)
        head = f"invalid targets file {source}" if source else "invalid targets file"
        self.args = (head + ":\n" + "\n".join(f"  {e}" for e in errors),)


# ---- moments: what a target measures in one run ---------------------------------------------


def _known_metric(name: str) -> str:
    if name not in NAMES:
        raise ValueError(f"unknown metric {name!r}; known: {', '.join(NAMES)}")
    return name


MetricName = Annotated[str, Field(description="a metric of sim.metrics.METRICS")]


class Moment(Section):
    """How a target's figure is computed from one run; ``scale`` converts units (e.g. 1e-4: 万元 → 亿元)."""

    scale: float = Field(1.0, gt=0, description="multiplies the moment (unit conversion)")

    needs_products: ClassVar[bool] = False  # True: needs run(..., full=True)

    def months(self) -> tuple[str | None, str | None]:
        """First and last month (``YYYY-MM``) the moment reads; None: the run's own ends."""
        raise NotImplementedError

    def value(self, result) -> float:
        return self.scale * self.compute(result)

    def compute(self, result) -> float:
        raise NotImplementedError

    def describe(self) -> str:
        """The moment in words, for tables."""
        raise NotImplementedError


class Yearly(Moment):
    """A metric's value in one calendar year, aggregated as :data:`sim.metrics.METRICS` declares."""

    kind: Literal["yearly"]
    metric: MetricName
    year: int

    _metric = field_validator("metric")(lambda cls, v: _known_metric(v))

    def months(self):
        return f"{self.year}-01", f"{self.year}-12"

    def compute(self, result) -> float:
        return float(result.yearly.set_index("year")[self.metric][self.year])

    def describe(self) -> str:
        return f"{self.metric} in {self.year}"


class RatioOfSums(Moment):
    """Sum of ``numerator`` over sum of ``denominator`` in the months ``start`` … ``end``; each side
    is one metric or a list of metrics added together. NaN when the denominator is zero."""

    kind: Literal["ratio_of_sums"]
    numerator: list[MetricName] = Field(min_length=1)
    denominator: list[MetricName] = Field(min_length=1)
    start: str
    end: str

    @field_validator("numerator", "denominator", mode="before")
    @classmethod
    def _listed(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    _metrics = field_validator("numerator", "denominator")(lambda cls, v: [_known_metric(m) for m in v])
    _months = field_validator("start", "end", mode="before")(lambda cls, v: parse_month(v))

    @model_validator(mode="after")
    def _ordered(self) -> RatioOfSums:
        if month_number(self.end) < month_number(self.start):
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def months(self):
        return self.start, self.end

    def compute(self, result) -> float:
        m = result.metrics
        window = m[(m.date >= f"{self.start}-01") & (m.date <= f"{self.end}-01")]
        num = sum(window[c].sum() for c in self.numerator)
        den = sum(window[c].sum() for c in self.denominator)
        return float(num / den) if den else float("nan")

    def describe(self) -> str:
        return f"{' + '.join(self.numerator)} / {' + '.join(self.denominator)}, {self.start} … {self.end}"


class Growth(Moment):
    """Relative change of a metric's yearly value from ``base_year`` to ``year``."""

    kind: Literal["growth"]
    metric: MetricName
    base_year: int
    year: int

    _metric = field_validator("metric")(lambda cls, v: _known_metric(v))

    @model_validator(mode="after")
    def _ordered(self) -> Growth:
        if self.year <= self.base_year:
            raise ValueError(f"year {self.year} must be after base_year {self.base_year}")
        return self

    def months(self):
        return f"{self.base_year}-01", f"{self.year}-12"

    def compute(self, result) -> float:
        y = result.yearly.set_index("year")[self.metric]
        return float(y[self.year] / y[self.base_year] - 1)

    def describe(self) -> str:
        return f"growth of {self.metric}, {self.base_year} → {self.year}"


class Last(Moment):
    """A metric's monthly value in month ``date``, or in the run's last month without one."""

    kind: Literal["last"]
    metric: MetricName
    date: str | None = None

    _metric = field_validator("metric")(lambda cls, v: _known_metric(v))
    _date = field_validator("date", mode="before")(lambda cls, v: None if v is None else parse_month(v))

    def months(self):
        return self.date, self.date

    def compute(self, result) -> float:
        m = result.metrics
        if self.date is None:
            return float(m[self.metric].iloc[-1])
        return float(m[self.metric][m.date == f"{self.date}-01"].item())

    def describe(self) -> str:
        return f"{self.metric} in {self.date or 'the last month'}"


class TopShare(Moment):
    """Share of all product revenue earned by the top ``fraction`` of products (at least one)."""

    kind: Literal["top_share"]
    fraction: float = Field(gt=0, le=1)

    needs_products: ClassVar[bool] = True

    def months(self):
        return None, None

    def compute(self, result) -> float:
        revenue = result.products.revenue.sort_values(ascending=False)
        top = max(1, int(len(revenue) * Fraction(str(self.fraction))))  # exact: 10 % of 70 is 7
        return float(revenue.iloc[:top].sum() / revenue.sum())

    def describe(self) -> str:
        return f"top {self.fraction:.0%} of products' share of revenue"


class ListedTradedShare(Moment):
    """Share of the products ever listed on an exchange that ever sold a unit there."""

    kind: Literal["listed_traded_share"]

    needs_products: ClassVar[bool] = True

    def months(self):
        return None, None

    def compute(self, result) -> float:
        listed = result.products[result.products.ever_listed]
        return float((listed.units_on_exchange > 0).mean())

    def describe(self) -> str:
        return "listed products that ever traded on-exchange"


class FlowRatio(Moment):
    """Ledger payments of kind ``flow`` to accounts named ``payee:…`` in ``year``, per unit of the
    yearly metric ``per`` (e.g. operator sales per paid use: a price). NaN when ``per`` is zero."""

    kind: Literal["flow_ratio"]
    flow: str
    payee: str = Field(min_length=1, description="account kind: operator, merchant, exchange, …")
    per: MetricName
    year: int

    needs_products: ClassVar[bool] = True

    _per = field_validator("per")(lambda cls, v: _known_metric(v))

    @field_validator("flow")
    @classmethod
    def _flow(cls, v: str) -> str:
        if v not in KINDS:
            raise ValueError(f"unknown ledger flow {v!r}; known: {', '.join(KINDS)}")
        return v

    def months(self):
        return f"{self.year}-01", f"{self.year}-12"

    def compute(self, result) -> float:
        per = result.yearly.set_index("year")[self.per][self.year]
        f = result.flows
        paid = f[(f.kind == self.flow) & f.payee.str.startswith(f"{self.payee}:") & (f.date.dt.year == self.year)]
        return float(paid.amount.sum() / per) if per else float("nan")

    def describe(self) -> str:
        return f"{self.flow} payments to {self.payee} per {self.per}, {self.year}"


MOMENTS = (Yearly, RatioOfSums, Growth, Last, TopShare, ListedTradedShare, FlowRatio)
KIND_NAMES = tuple(m.model_fields["kind"].annotation.__args__[0] for m in MOMENTS)


def _moment_kind(value: Any) -> str | None:
    """The ``kind`` tag of a moment, given as a mapping or a built moment (None if missing)."""
    return value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)


# A callable discriminator: the schema's sections check every field before validation, which
# pydantic does not allow on a field-name discriminator.
AnyMoment = Annotated[
    Union[tuple(Annotated[m, Tag(name)] for m, name in zip(MOMENTS, KIND_NAMES))],  # noqa: UP007
    Discriminator(_moment_kind),
]


# ---- targets --------------------------------------------------------------------------------


class Target(Section):
    """One published figure and the moment that matches it.

    A figure is a ``value`` with an ``uncertainty`` (a standard error; ``uncertainty_basis`` says
    how it was derived) or a range ``low``–``high``, read as its midpoint with half its width as
    the uncertainty. A ``report`` target has neither: it is shown beside the model, never scored.
    """

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str = Field(min_length=1, description="the row's name in tables")
    moment: AnyMoment
    value: float | None = None
    low: float | None = None
    high: float | None = None
    uncertainty: float | None = Field(None, gt=0)
    uncertainty_basis: str = ""
    figure: str = Field("—", description="the figure as published or stated")
    source: str = ""
    weight: float = Field(1.0, ge=0)
    use: Literal["fit", "validate", "report"] = "fit"

    @model_validator(mode="after")
    def _one_figure(self) -> Target:
        ranged = self.low is not None or self.high is not None
        if self.use == "report":
            if self.value is not None or ranged or self.uncertainty is not None:
                raise ValueError("a report target has no value, range or uncertainty (use fit or validate)")
            return self
        if self.value is not None and ranged:
            raise ValueError("give value or low/high, not both")
        if ranged:
            if self.low is None or self.high is None:
                raise ValueError("a range needs both low and high")
            if not self.low < self.high:
                raise ValueError(f"low {self.low:g} must be below high {self.high:g}")
            if self.uncertainty is not None:
                raise ValueError("a range's uncertainty is its half-width; leave uncertainty out")
        elif self.value is None:
            raise ValueError(f"a {self.use} target needs a value (with uncertainty) or low and high")
        elif self.uncertainty is None:
            raise ValueError("a value needs an uncertainty (a standard error) and its uncertainty_basis")
        elif not self.uncertainty_basis.strip():
            raise ValueError("uncertainty_basis: say how the uncertainty was derived")
        return self

    @property
    def center(self) -> float:
        """The figure the moment is compared with (a range's midpoint); NaN for a report target."""
        if self.value is not None:
            return self.value
        return (self.low + self.high) / 2 if self.low is not None else float("nan")

    @property
    def se(self) -> float:
        """The uncertainty (a range's half-width); NaN for a report target."""
        if self.uncertainty is not None:
            return self.uncertainty
        return (self.high - self.low) / 2 if self.low is not None else float("nan")

    @property
    def needs_products(self) -> bool:
        return self.moment.needs_products


class Targets(Section):
    """A targets file: calibration figures for one city."""

    name: str = "targets"
    description: str = ""
    targets: list[Target] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Targets:
        seen: set[str] = set()
        for t in self.targets:
            if t.id in seen:
                raise ValueError(f"targets: id {t.id!r} is used twice")
            seen.add(t.id)
        return self

    @classmethod
    def load(cls, path: str | Path) -> Targets:
        """Read and validate a targets YAML file; raises :class:`TargetsError` naming every bad field."""
        path = Path(path)
        data = read_mapping(path, TargetsError)
        data.setdefault("name", path.stem)
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise TargetsError(_messages(exc), str(path)) from None

    def used(self, *uses: str) -> list[Target]:
        return [t for t in self.targets if t.use in uses]

    def calendar_errors(self, scenario: Scenario) -> list[str]:
        """Targets that read months outside the scenario's calendar."""
        first, last = month_number(scenario.calendar.start), month_number(scenario.calendar.end)
        errors = []
        for i, t in enumerate(self.targets):
            months = [m for m in t.moment.months() if m is not None]
            if any(not first <= month_number(m) <= last for m in months):
                errors.append(f"targets[{i}] ({t.id}): reads {' … '.join(dict.fromkeys(months))}, outside the "
                              f"calendar of scenario {scenario.name} ({scenario.calendar.start} … {scenario.calendar.end})")
        return errors


def file_hash(path: str | Path) -> str:
    """SHA-256 of a file's bytes: which targets (or spec) a fit used."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def moments(result, targets: list[Target]) -> dict[str, float]:
    """Each target's moment in one run, by target id."""
    return {t.id: t.moment.value(result) for t in targets}


def _messages(exc: ValidationError) -> list[str]:
    """One ``field.path: problem`` line per error (the moment's kind tag left out of the path)."""
    lines = []
    for err in exc.errors():
        loc = [p for p in err["loc"] if p not in KIND_NAMES]
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            lines.append(f"{path}: unknown field")
        elif err["type"] == "union_tag_invalid":
            lines.append(f"{path}: unknown moment kind {err['input'].get('kind')!r}; known: {', '.join(KIND_NAMES)}")
        elif err["type"] == "union_tag_not_found":
            lines.append(f"{path}: give a kind, one of {', '.join(KIND_NAMES)}")
        elif err["type"] == "value_error":
            lines.append(f"{path}: {msg}" if path else msg)
        else:
            lines.append(f"{path}: {msg}, got {err.get('input')!r}")
    return lines


# ---- the baseline beside its targets (docs/ODD.md §8) -----------------------------------------


def calibration(seeds=range(20), scenario: Scenario | None = None, targets: Targets | None = None) -> pd.DataFrame:
    """Mean and 90 % interval of each target's moment over ``seeds``, beside the figure."""
    scenario = scenario or Scenario.load(BASELINE)
    targets = targets or Targets.load(WUHAN_TARGETS)
    rows = pd.DataFrame([moments(run(scenario, seed=s, full=True), targets.targets) for s in seeds])
    return pd.DataFrame({
        "measure": [t.label for t in targets.targets],
        "target": [t.figure for t in targets.targets],
        "source": [t.source for t in targets.targets],
        "mean": rows.mean().values,
        "p5": rows.quantile(0.05).values,
        "p95": rows.quantile(0.95).values,
    })


def to_markdown(table: pd.DataFrame) -> str:
    lines = ["| measure | target | baseline mean | 90 % interval | source |", "|---|---|---|---|---|"]
    for r in table.itertuples():
        lines.append(f"| {r.measure} | {r.target} | {_fmt(r.mean)} | {_fmt(r.p5)} – {_fmt(r.p95)} | {r.source} |")
    return "\n".join(lines)


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    print(to_markdown(calibration(range(args.seeds))))
