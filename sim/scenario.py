"""The scenario: one validated parameter tree for a run, read from YAML.

Every parameter has a default, a unit, an allowed range and a one-line source (a plan clause
such as ``plan 二.2``, another fact, or "assumption"). Unknown keys are refused with the list
of valid ones; ranges and cross-field rules are checked once, when the scenario loads.
Money is in 万元 (10⁴ CNY); time is in months.
"""

from __future__ import annotations

import copy
import hashlib
import json
import types
import typing
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.calendar import month_number, parse_month
from sim.errors import DataMarketError


class ScenarioError(DataMarketError, ValueError):
    """A scenario that cannot be used; ``errors`` lists one ``path: problem`` line each."""

    def __init__(self, errors: list[str], source: str | None = None):
        self.errors = errors
        self.source = source
        head = f"invalid scenario {source}" if source else "invalid scenario"
        super().__init__(head + ":\n" + "\n".join(f"  {e}" for e in errors))


ROLES = ("lever", "uncertainty", "constant")


def P(default: Any, unit: str, source: str, doc: str, *, role: str | None = None, clause: str | None = None,
      **bounds: Any) -> Any:
    """A parameter: default, unit, allowed range (``ge``/``le``/``gt``/``lt``) and source.

    ``role`` is ``lever`` (a policy choice), ``uncertainty`` (a condition outside policy) or
    ``constant``; ``clause`` is the plan clause the parameter models, where that differs from the
    ``source`` of its number."""
    if role is not None and role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, got {role!r}")
    extra = {"unit": unit, "source": source, "role": role, "clause": clause}
    return Field(default, description=doc, json_schema_extra=extra, **bounds)


class Section(BaseModel):
    """A group of parameters; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


class Beta(Section):
    """A Beta(a, b) distribution on [0, 1]."""

    a: float = P(2.0, "-", "assumption", "first shape parameter", gt=0)
    b: float = P(2.0, "-", "assumption", "second shape parameter", gt=0)

    @property
    def mean(self) -> float:
        return self.a / (self.a + self.b)


Month = typing.Annotated[str, Field(description="a month, YYYY-MM")]


def _month(value: Any) -> str:
    return parse_month(value)


class Calendar(Section):
    start: Month = P("2023-01", "month", "plan title: 2023—2025", "first simulated month")
    end: Month = P("2025-12", "month", "plan title: 2023—2025", "last simulated month")

    _months = field_validator("start", "end", mode="before")(lambda cls, v: _month(v))

    @model_validator(mode="after")
    def _ordered(self) -> Calendar:
        if month_number(self.end) < month_number(self.start):
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class Domain(Section):
    """A public-data domain (公共数据领域)."""

    name: str = P("", "-", "plan 二.1", "display name, e.g. 卫生健康")
    quality: float = P(0.4, "0-1", "assumption", "initial data quality q", ge=0, le=1)
    sensitivity: Literal["general", "important", "core"] = P(
        "general", "-", "plan 六.1 分类分级", "classification level"
    )
    status: Literal["open", "authorized", "restricted"] = P(
        "authorized", "-", "plan 二.1 负面清单; 二.2", "open to all, eligible for authorized operation, or restricted"
    )
    relevance: dict[str, float] = P(
        {}, "0-1", "assumption", "value of this domain to each user sector (unlisted sectors: behaviour.default_relevance)"
    )

    @field_validator("relevance")
    @classmethod
    def _relevance_range(cls, v: dict[str, float]) -> dict[str, float]:
        bad = {k: x for k, x in v.items() if not 0 <= x <= 1}
        if bad:
            raise ValueError(f"relevance must lie in [0, 1], got {bad}")
        return v


class Users(Section):
    """The data-user population (firms and public-interest users), held as arrays."""

    count: int = P(20_000, "agents", "assumption", "number of user agents simulated", ge=1, le=10_000_000)
    represents: float = P(50.0, "firms/agent", "assumption", "real users each agent stands for", gt=0)
    sector_weights: dict[str, float] = P(
        {
            "manufacturing": 0.28,
            "trade_logistics": 0.22,
            "tech_services": 0.16,
            "finance": 0.07,
            "health": 0.07,
            "agriculture": 0.05,
            "other": 0.15,
        },
        "share",
        "assumption (Wuhan firm mix)",
        "share of users in each sector; must sum to 1",
    )
    size_sigma: float = P(1.0, "-", "assumption", "sigma of log firm size (mean size 1)", ge=0, le=3)
    maturity: Beta = P(Beta(a=2.0, b=5.0), "0-1", "assumption", "initial digital maturity μ ~ Beta(a, b)")
    public_interest_share: float = P(
        0.08, "share", "plan 二.2 公共治理、公益事业", "users with a public-interest purpose", ge=0, le=1
    )
    research_share: float = P(0.04, "share", "plan 四.3", "users with a research purpose", ge=0, le=1)
    budget_multiple: float = P(
        3.0, "万元/size", "assumption", "monthly data budget per unit of firm size", gt=0
    )

    @field_validator("sector_weights")
    @classmethod
    def _weights(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("at least one sector is needed")
        if any(x < 0 for x in v.values()):
            raise ValueError(f"weights must be >= 0, got {v}")
        total = sum(v.values())
        if abs(total - 1) > 1e-6:
            raise ValueError(f"weights sum to {total:g}, must sum to 1")
        return v

    @model_validator(mode="after")
    def _purposes(self) -> Users:
        total = self.public_interest_share + self.research_share
        if total > 1:
            raise ValueError(f"public_interest_share + research_share = {total:g}, must be <= 1")
        return self


class Merchants(Section):
    """Data merchants (数据商): entry, costs, capability and honesty."""

    initial_count: int = P(150, "merchants", "assumption", "merchants active in 2023-01", ge=0, le=20_000)
    initial_products: int = P(
        2, "products", "MODEL §5 (pre-reform 场外 stock)", "off-exchange products each initial merchant owns", ge=0, le=50
    )
    capability: Beta = P(Beta(a=4.0, b=2.0), "0-1", "assumption", "capability θ ~ Beta(a, b)")
    honesty: Beta = P(Beta(a=6.0, b=1.5), "0-1", "assumption", "honesty h ~ Beta(a, b)")
    initial_cash: float = P(150.0, "万元", "assumption", "mean starting cash (exponential)", ge=0)
    fixed_cost: float = P(6.0, "万元/month", "assumption", "fixed monthly operating cost", ge=0)
    dev_cost: float = P(30.0, "万元", "assumption", "cost of developing one product", ge=0)
    product_upkeep: float = P(0.5, "万元/month", "assumption", "monthly cost of keeping a product active", ge=0)
    entry_rate: float = P(4.0, "merchants/month", "assumption", "mean entries per month in a break-even market", ge=0)
    entry_cost: float = P(60.0, "万元", "assumption", "sunk cost of entering", gt=0)
    exit_after: int = P(6, "months", "assumption", "consecutive months of negative cash before exit", ge=1, le=120)
    max_products: int = P(12, "products", "assumption", "most active products one merchant keeps", ge=1, le=1000)


class Operator(Section):
    """A public-data operator (公共数据运营机构, e.g. 武汉数据集团); exists from its founding event."""

    name: str = P("", "-", "plan 二.2", "display name")
    initial_capital: float = P(
        2000.0, "万元", "assumption", "state capital paid in by the treasury at founding", ge=0
    )
    monthly_cost: float = P(150.0, "万元/month", "assumption", "fixed operating cost", ge=0)
    governance_spend: float = P(
        50.0, "万元/month", "plan 二.1 数据治理", "planned governance spend, split over authorized domains", ge=0
    )
    co_developers: int = P(
        2, "merchants", "plan 三.5 谁投入、谁贡献、谁受益", "merchants invited to co-develop each operator product", ge=0, le=20
    )
    co_investment: float = P(10.0, "万元", "assumption", "each co-developer's investment in a product", ge=0)


class Exchange(Section):
    """A data exchange (数据交易机构): fees, review, reach and trust; opens by a timeline event."""

    name: str = P("", "-", "plan 三.2", "display name")
    fee_rate: float = P(0.025, "share", "Shanghai Data Exchange fees 2023 (≈2.5 %)", "fee on transaction value, paid by the seller", ge=0, le=0.5)
    review_cost: float = P(
        20.0, "万元", "assumption (registration, compliance and quality assessment)", "listing review cost, paid by the seller", ge=0)
    review_stringency: float = P(
        0.6, "probability", "plan 三.2 合规监管", "chance that review rejects a non-compliant product", ge=0, le=1
    )
    reach: int = P(2, "candidates", "plan 三.3", "extra products a user sees on this exchange", ge=0, le=50)
    trust_premium: float = P(
        0.4, "share", "plan 三.2 安全有序的场内环境", "cut in perceived risk for certified listed products", ge=0, le=1
    )
    initial_trust: float = P(0.3, "0-1", "assumption", "users' trust in the exchange when it opens", ge=0, le=1)
    initial_awareness: float = P(0.15, "share", "assumption", "users aware of the exchange when it opens", ge=0, le=1)
    awareness_growth: float = P(0.04, "share/month", "assumption", "unaware users who learn of it each month", ge=0, le=1)
    listing_horizon: int = P(12, "months", "assumption", "months over which sellers weigh listing cost", ge=1, le=120)


class Regulator(Section):
    """Supervision (plan 六.2): audits, penalties, tolerance; active from the compliance event."""

    audit_rate: float = P(0.05, "share/month", "plan 六.2", "share of active merchants audited each month", ge=0, le=1)
    detection_prob: float = P(0.7, "probability", "assumption", "chance an audit finds a non-compliant product", ge=0, le=1)
    penalty_multiple: float = P(2.0, "× revenue", "assumption", "penalty as a multiple of the product's revenue", ge=0)
    penalty_floor: float = P(5.0, "万元", "assumption", "smallest penalty", ge=0)
    tolerance_first_minor: bool = P(True, "-", "plan 六.2 包容审慎", "first violation of a merchant is only warned")
    severe_violations: int = P(2, "violations", "assumption", "penalised violations that force exit", ge=1, le=100)
    incident_trust_shock: float = P(0.15, "share", "assumption", "cut in city-wide channel trust after an incident", ge=0, le=1)
    alert_multiplier: float = P(2.0, "×", "plan 六.2 风险预警和应急处置", "audit-rate multiplier after an incident", ge=1)
    alert_months: int = P(3, "months", "assumption", "months an alert lasts", ge=0, le=60)


class Pricing(Section):
    """Prices of public data for paid (industry) uses (plan 二.2 有条件有偿; 发改价格〔2025〕65号)."""

    regime: Literal["free", "cost_plus_cap", "market", "allowed_revenue"] = P(
        "cost_plus_cap", "-", "plan 二.2; 发改价格〔2025〕65号", "pricing rule for paid uses"
    )
    markup: float = P(0.1, "share", "assumption", "markup on unit cost (cost_plus_cap)", ge=0, le=5)
    cap: float = P(0.8, "万元/use", "发改价格〔2025〕65号 price cap", "highest price of one paid use", gt=0)
    unit_cost_floor: float = P(0.005, "万元/use", "assumption", "smallest unit cost used for pricing", gt=0)
    licence_uses: float = P(
        10.0, "uses/month", "assumption", "a merchant's monthly input licence is priced as this many paid uses", ge=0
    )
    initial_price: float = P(0.4, "万元/use", "assumption", "price before any cost history", gt=0)
    allowed_profit_rate: float = P(
        0.08, "share", "发改价格〔2025〕65号", "allowed profit on cost (allowed_revenue)", ge=0, le=1
    )
    tax_rate: float = P(0.06, "share", "VAT on services", "tax allowed on top (allowed_revenue)", ge=0, le=1)
    cost_window: int = P(6, "months", "assumption", "trailing months used for unit cost", ge=1, le=36)


class FreeUse(Section):
    """Conditional free use for public governance and public welfare (有条件无偿, plan 二.2)."""

    free_for_research: bool = P(True, "-", "plan 四.3 支持科研用途", "research users also use public data free")
    application_delay: int = P(2, "months", "assumption", "months before an application is approved", ge=0, le=24)
    application_cost: float = P(0.5, "万元", "assumption", "one-off administrative cost of applying", ge=0)


class Screening(Section):
    screening_accuracy: float = P(
        0.6, "probability", "plan 二.2 有条件", "chance the operator detects a false public-interest claim", ge=0, le=1
    )


class RevenueSharing(Section):
    """Split of operator gross revenue (plan 三.5 谁投入、谁贡献、谁受益; 反哺公共服务)."""

    operator: float = P(0.5, "share", "plan 三.5", "kept by the operator", ge=0, le=1)
    data_providers: float = P(0.2, "share", "plan 三.5", "to governance of the domains that earned it", ge=0, le=1)
    public_services: float = P(0.2, "share", "plan 三.5 反哺公共服务", "to the public-service fund", ge=0, le=1)
    contributors: float = P(0.1, "share", "plan 三.5", "to merchants who co-developed the product", ge=0, le=1)

    @model_validator(mode="after")
    def _sum_to_one(self) -> RevenueSharing:
        total = self.operator + self.data_providers + self.public_services + self.contributors
        if abs(total - 1) > 1e-9:
            raise ValueError(f"shares sum to {total:g}, must sum to 1")
        return self


class Fiscal(Section):
    governance_budget: float = P(
        15.0, "万元/month", "plan 三 保障措施(二)", "treasury funding of public-data governance, split over domains", ge=0
    )


class Cultivation(Section):
    """Merchant cultivation (plan 五.1–五.3), typically switched on by a 2024 timeline event."""

    effect: float = P(0.0, "×", "plan 五.1 大力培育", "relative increase of the entry rate", ge=0, le=10)
    entry_subsidy: float = P(0.0, "万元", "plan 三 保障措施(二)", "treasury grant to each entrant", ge=0)


class DataAssets(Section):
    """Data-asset registration and lending against it (reg 40; plan 二.3)."""

    registration: bool = P(False, "-", "plan 二.3 数据资产登记", "merchants may register products as assets")
    valuation_multiple: float = P(2.0, "× annual revenue", "assumption", "registered value per trailing-12-month revenue", ge=0)
    loan_to_value: float = P(0.3, "share", "assumption", "largest loan per registered value", ge=0, le=1)
    interest_rate: float = P(0.045, "share/year", "assumption (LPR + spread)", "annual interest on asset loans", ge=0, le=1)


class Brokers(Section):
    enabled: bool = P(False, "-", "plan 五.2 数据经纪", "data brokers match off-exchange buyers and sellers")
    broker_boost: int = P(2, "candidates", "assumption", "extra off-exchange products a user sees with brokers", ge=0, le=50)
    commission_rate: float = P(0.05, "share", "assumption", "broker commission on off-exchange sales, paid by seller", ge=0, le=0.5)


class Vouchers(Section):
    """Data vouchers (数据券): the treasury pays part of on-exchange purchases."""

    rate: float = P(0.0, "share", "assumption", "share of an on-exchange purchase paid by the treasury", ge=0, le=1)
    budget: float = P(0.0, "万元", "assumption", "total voucher budget for the run", ge=0)


class Listing(Section):
    declaration_commitment: bool = P(
        False, "-", "plan 三.2 声明承诺制", "declaration-and-commitment listing lowers review cost"
    )
    commitment_review_discount: float = P(
        0.5, "share", "assumption", "cut in review cost under declaration-and-commitment", ge=0, le=1
    )


class Policy(Section):
    """The levers of the plan."""

    pricing: Pricing = Pricing()
    free_use: FreeUse = FreeUse()
    screening: Screening = Screening()
    revenue_sharing: RevenueSharing = RevenueSharing()
    fiscal: Fiscal = Fiscal()
    cultivation: Cultivation = Cultivation()
    data_assets: DataAssets = DataAssets()
    brokers: Brokers = Brokers()
    vouchers: Vouchers = Vouchers()
    listing: Listing = Listing()


class Behaviour(Section):
    """Conditions outside policy (uncertainties): how users and merchants behave."""

    need_rate: float = P(0.06, "probability/month", "assumption", "chance a user needs data in a month, × (0.5 + μ)", ge=0, le=1)
    value_scale: float = P(14.0, "万元", "assumption", "v0: value of a perfect product to a mature firm of size 1", gt=0)
    default_relevance: float = P(0.15, "0-1", "assumption", "relevance of a domain to sectors it does not list", ge=0, le=1)
    raw_data_usability: float = P(
        0.15, "share", "assumption", "value a user gets from a raw public-data service relative to a processed product", ge=0, le=1
    )
    own_data_quality: float = P(0.3, "0-1", "assumption", "quality of a merchant's own (non-public) data", ge=0, le=1)
    own_data_bonus: float = P(0.15, "share", "assumption", "quality gain from adding own data to public inputs", ge=0, le=2)
    quality_gain: float = P(0.06, "share/month", "assumption", "largest monthly share of the quality gap closed by governance", ge=0, le=1)
    governance_half: float = P(20.0, "万元/month", "assumption", "governance spend giving half the largest gain", gt=0)
    quality_decay: float = P(0.004, "share/month", "assumption", "monthly quality loss without upkeep", ge=0, le=1)
    k_off: int = P(4, "candidates", "assumption", "off-exchange products a user sees", ge=0, le=100)
    k_on: int = P(1, "candidates", "assumption", "products a user sees on each exchange it knows", ge=0, le=100)
    popularity_weight: float = P(
        0.8, "share", "data-marketplace studies (heavy tails)", "weight of past sales in who gets seen", ge=0, le=1
    )
    maturity_gain: float = P(0.04, "share", "assumption", "β: maturity gain after a purchase", ge=0, le=1)
    trust_gain: float = P(0.05, "share", "assumption", "trust gain in a channel after a purchase there", ge=0, le=1)
    trust_off_exchange: float = P(0.5, "0-1", "assumption", "initial trust in bilateral (场外) trade", ge=0, le=1)
    trust_operator: float = P(0.6, "0-1", "assumption", "initial trust in the public-data operator", ge=0, le=1)
    risk_off_exchange: float = P(0.45, "share of value", "assumption", "perceived risk of an off-exchange deal at zero trust", ge=0, le=1)
    risk_exchange: float = P(0.35, "share of value", "assumption", "perceived risk of an on-exchange deal at zero trust", ge=0, le=1)
    risk_operator: float = P(0.15, "share of value", "assumption", "perceived risk of a public-data service at zero trust", ge=0, le=1)
    misreport_propensity: float = P(
        0.1, "probability", "assumption", "chance a commercial user claims a public-interest purpose", ge=0, le=1
    )
    noncompliance_propensity: float = P(
        0.3, "probability", "assumption", "chance a fully dishonest merchant adds unauthorized personal data", ge=0, le=1
    )
    deterrence: float = P(
        0.5, "share", "assumption", "cut in non-compliance while the compliance regime is active", ge=0, le=1
    )
    illicit_quality_bonus: float = P(0.25, "share", "assumption", "quality gain from unauthorized personal data", ge=0, le=2)
    important_incident_multiplier: float = P(
        2.0, "×", "plan 六.1 重要数据目录", "incident chance of a non-compliant product on important-level data, relative", ge=1
    )
    incident_prob: float = P(0.02, "probability/month", "assumption", "chance a non-compliant product causes an incident", ge=0, le=1)
    dev_rate: float = P(0.08, "probability/month", "assumption", "top chance a merchant develops a product in a month", ge=0, le=1)
    payback_months: int = P(12, "months", "assumption", "horizon over which merchants judge profits", ge=1, le=120)
    retire_after: int = P(6, "months", "assumption", "months without sales after which a merchant retires a product", ge=1, le=120)
    price_adjust: float = P(0.05, "share", "assumption", "λ: multiplicative price step", ge=0, le=0.5)
    initial_price_share: float = P(
        0.35, "share of value", "assumption", "launch price as a share of the value to an average buyer", gt=0, le=2
    )
    marginal_cost: float = P(0.02, "万元/use", "assumption", "cost of serving one more buyer (price floor)", ge=0)
    fee_pass_through: float = P(
        0.5, "share", "assumption (fee incidence)", "share of the exchange fee sellers add to on-exchange prices", ge=0, le=1
    )
    listing_uplift_prior: float = P(
        1.0, "×", "assumption", "sellers' prior of sales on an exchange relative to off it", gt=0
    )
    listing_noise: float = P(1.0, "-", "assumption", "spread of sellers' idiosyncratic taste for listing", ge=0, le=5)
    relist_rate: float = P(0.1, "share/month", "assumption", "share of products whose channel is reconsidered each month", ge=0, le=1)

    # How agents smooth, weigh and threshold what they see. These were fixed numbers in the code;
    # their defaults keep the results as they were.
    sales_smoothing: float = P(
        0.3, "share", "assumption", "weight of the latest month in smoothed sales and expected product revenue",
        role="uncertainty", gt=0, le=1,
    )
    need_base: float = P(
        0.5, "-", "assumption", "need chance is need_rate × (need_base + maturity μ)", role="uncertainty", ge=0, le=2
    )
    listing_own_weight: float = P(
        0.5, "share", "assumption", "weight of a product's own revenue (vs the market's) in a seller's listing forecast",
        role="uncertainty", ge=0, le=1,
    )
    uplift_learning: float = P(
        0.2, "share", "assumption", "weight of the latest month when sellers update an exchange's sales uplift",
        role="uncertainty", ge=0, le=1,
    )
    entry_profit_window: int = P(
        3, "months", "assumption", "months of merchant profit that potential entrants look back on",
        role="uncertainty", ge=1, le=36,
    )
    entry_attractiveness_max: float = P(
        3.0, "×", "assumption", "most that recent profit and grants can multiply the entry rate by", role="uncertainty", ge=0
    )
    dev_attractiveness_max: float = P(
        2.0, "×", "assumption", "cap of expected revenue over outlay in the development chance (reached at dev_rate)",
        role="uncertainty", gt=0,
    )
    p_second_input: float = P(
        0.5, "probability", "assumption", "chance a new product combines two public-data domains rather than one",
        role="uncertainty", ge=0, le=1,
    )
    relevance_floor: float = P(
        1e-9, "0-1", "technical", "added to relevance when merchants weigh domains, so no usable domain has zero weight",
        role="constant", gt=0, le=0.01,
    )
    borrow_below: float = P(
        1.0, "× dev_cost", "assumption", "merchants borrow against data assets when cash is below this",
        role="uncertainty", ge=0,
    )
    repay_above: float = P(
        3.0, "× dev_cost", "assumption", "merchants repay debt when cash is above this", role="uncertainty", ge=0
    )
    cash_reserve: float = P(
        2.0, "× dev_cost", "assumption", "cash merchants keep when repaying debt", role="uncertainty", ge=0
    )
    asset_sales_window: int = P(
        12, "months", "assumption", "months of sales a data asset is valued on", role="uncertainty", ge=1, le=60
    )


class Authorize(Section):
    operator: str
    domains: list[str] = Field(min_length=1)


class Event(Section):
    """A dated policy event. Exactly one action per event; ``id`` lets a scenario that ``extends``
    another replace (same id) or drop (``remove: true``) the parent's event."""

    date: Month
    id: str | None = None
    note: str = ""
    found_operator: str | None = None
    authorize: Authorize | None = None
    open_exchange: str | None = None
    start_compliance: bool | None = None
    set: dict[str, Any] | None = None

    _date = field_validator("date", mode="before")(lambda cls, v: _month(v))

    ACTIONS: typing.ClassVar[tuple[str, ...]] = ("found_operator", "authorize", "open_exchange", "start_compliance", "set")

    @property
    def action(self) -> str:
        return next(a for a in self.ACTIONS if getattr(self, a) is not None)

    @model_validator(mode="after")
    def _one_action(self) -> Event:
        given = [a for a in self.ACTIONS if getattr(self, a) is not None]
        if len(given) != 1:
            raise ValueError(f"an event takes exactly one of {', '.join(self.ACTIONS)}; got {given or 'none'}")
        if self.start_compliance is False:
            raise ValueError("start_compliance must be true")
        return self


class Population(Section):
    users: Users = Users()
    merchants: Merchants = Merchants()


SETTABLE_ROOTS = ("policy", "behaviour", "regulator", "exchanges", "operators", "population.merchants")


class Scenario(Section):
    """A complete, validated scenario. Build it with :meth:`Scenario.load` or from a dict."""

    name: str = P("scenario", "-", "-", "short name, used in results")
    description: str = P("", "-", "-", "the policy question this scenario answers")
    calendar: Calendar = Calendar()
    domains: dict[str, Domain] = P({}, "-", "plan 二.1", "public-data domains by id")
    population: Population = Population()
    operators: dict[str, Operator] = P({}, "-", "plan 二.2", "public-data operators by id")
    exchanges: dict[str, Exchange] = P({}, "-", "plan 三.2", "data exchanges by id")
    regulator: Regulator = Regulator()
    policy: Policy = Policy()
    behaviour: Behaviour = Behaviour()
    timeline: list[Event] = P([], "-", "plan 一.(二) yearly goals", "dated policy events")

    @model_validator(mode="after")
    def _cross_field(self) -> Scenario:
        errors = list(self._cross_field_errors())
        if errors:
            raise ValueError("\n".join(errors))
        return self

    def _cross_field_errors(self):
        sectors = set(self.population.users.sector_weights)
        for d, dom in self.domains.items():
            if dom.sensitivity == "core" and dom.status != "restricted":
                yield f"domains.{d}.status: core data must be restricted, got {dom.status!r} (plan 六.1 分类分级)"
            for s in dom.relevance:
                if s not in sectors:
                    yield f"domains.{d}.relevance.{s}: unknown sector; known: {', '.join(sorted(sectors))}"
        both = set(self.operators) & set(self.exchanges)
        if both:
            yield (
                f"exchanges.{sorted(both)[0]}: also an operator; an exchange may not own or sell products "
                "(plan 三.2 数据交易场所与数据商功能分离)"
            )
        start, end = month_number(self.calendar.start), month_number(self.calendar.end)
        founded: dict[str, int] = {}
        for i, ev in enumerate(self.timeline):
            where = f"timeline[{i}]"
            if not start <= month_number(ev.date) <= end:
                yield f"{where}.date: {ev.date} is outside the calendar {self.calendar.start} … {self.calendar.end}"
            if ev.found_operator is not None:
                if ev.found_operator not in self.operators:
                    yield f"{where}.found_operator: unknown operator {ev.found_operator!r}; known: {_known(self.operators)}"
                else:
                    founded[ev.found_operator] = min(founded.get(ev.found_operator, 10**9), month_number(ev.date))
            if ev.open_exchange is not None and ev.open_exchange not in self.exchanges:
                yield f"{where}.open_exchange: unknown exchange {ev.open_exchange!r}; known: {_known(self.exchanges)}"
        owner: dict[str, str] = {}
        for i, ev in enumerate(self.timeline):
            if ev.authorize is None:
                continue
            where = f"timeline[{i}].authorize"
            op = ev.authorize.operator
            if op not in self.operators:
                yield f"{where}.operator: unknown operator {op!r}; known: {_known(self.operators)}"
            elif op not in founded or founded[op] > month_number(ev.date):
                yield f"{where}.operator: {op!r} is not founded by {ev.date} (add a found_operator event)"
            for d in ev.authorize.domains:
                if d not in self.domains:
                    yield f"{where}.domains: unknown domain {d!r}; known: {_known(self.domains)}"
                elif self.domains[d].status == "restricted":
                    yield f"{where}.domains: {d!r} is restricted and can never be authorized (plan 二.1 负面清单)"
                elif self.domains[d].status == "open":
                    yield f"{where}.domains: {d!r} is open to all already; only 'authorized' domains are operated"
                elif owner.setdefault(d, op) != op:
                    yield f"{where}.domains: {d!r} is already authorized to {owner[d]!r}"
        for i, ev in enumerate(self.timeline):
            if ev.set is not None:
                yield from self._set_errors(f"timeline[{i}].set", ev.set)

    def _set_errors(self, where: str, values: dict[str, Any]):
        for path in values:
            if not any(path == r or path.startswith(r + ".") for r in SETTABLE_ROOTS):
                yield f"{where}.{path}: cannot be changed during a run; settable: {', '.join(SETTABLE_ROOTS)}"
                return
        base = self.model_dump(exclude={"timeline"})
        try:
            Scenario.model_validate(apply_overrides(base, values))
        except (ScenarioError, ValidationError) as exc:
            for line in _messages(exc):
                yield f"{where}.{line}"

    # ---- loading -------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
        """Read a scenario YAML file, resolve ``extends:``, apply ``{"dotted.path": value}``
        overrides and validate once. Raises :class:`ScenarioError` naming every bad field."""
        path = Path(path)
        data = _read_resolved(path, ())
        data.setdefault("name", path.stem)
        if overrides:
            data = apply_overrides(data, overrides)
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | None = None) -> Scenario:
        """Validate a plain dict (already resolved) into a scenario."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ScenarioError(_messages(exc), source) from None

    def with_values(self, values: dict[str, Any]) -> Scenario:
        """A copy with ``{"dotted.path": value}`` applied, validated again."""
        return Scenario.from_dict(apply_overrides(self.model_dump(), values))

    def digest(self) -> str:
        """Short hash of the resolved scenario: same parameters, same digest."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @property
    def n_months(self) -> int:
        return month_number(self.calendar.end) - month_number(self.calendar.start) + 1

    def month_index(self, month: str) -> int:
        """Step index (0 = calendar start) of a ``YYYY-MM`` month."""
        return month_number(month) - month_number(self.calendar.start)



def _known(mapping: dict) -> str:
    return ", ".join(sorted(mapping)) or "(none defined)"


# ---- overrides, extends and error messages ------------------------------------------------


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Return a deep copy of ``data`` with each ``"a.b.c": value`` set.

    A path whose parent does not exist is an error naming the path and the valid keys.
    """
    out = copy.deepcopy(data)
    for path, value in overrides.items():
        keys = path.split(".")
        node: Any = out
        for depth, key in enumerate(keys[:-1]):
            child = node.get(key) if isinstance(node, dict) else None
            if child is None:
                child = _default_section(keys[: depth + 1])
                if child is None:
                    raise ScenarioError([f"{path}: no such parameter ({'.'.join(keys[: depth + 1])} does not exist)"])
                node[key] = child
            node = child
        if not isinstance(node, dict):
            raise ScenarioError([f"{path}: no such parameter ({'.'.join(keys[:-1])} holds a value, not parameters)"])
        node[keys[-1]] = value
    return out


def _default_section(keys: list[str]) -> dict | None:
    """Defaults of the section at ``keys`` when a scenario file leaves it out, else None."""
    model: Any = Scenario
    for key in keys:
        field = model.model_fields.get(key) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            return None
        model = field.annotation
    if isinstance(model, type) and issubclass(model, BaseModel):
        return {}
    return None


def _read_resolved(path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    """Read YAML at ``path`` and merge it over the scenario it ``extends`` (cycles refused)."""
    path = path.resolve()
    if path in chain:
        cycle = " -> ".join(p.name for p in (*chain, path))
        raise ScenarioError([f"extends: cycle {cycle}"], str(path))
    data = read_mapping(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError([f"extends: must be a file name, got {parent!r}"], str(path))
    base = _read_resolved(path.parent / parent, (*chain, path))
    base.pop("name", None)
    base.pop("description", None)
    return merge(base, data)


def read_mapping(path: Path, error: type[ScenarioError] = ScenarioError) -> dict[str, Any]:
    """Read a YAML file (safe loader) whose top level is a mapping; a missing file, a syntax
    error (with line and column) or another top level raises ``error``."""
    if not path.is_file():
        raise error([f"file not found: {path}"], str(path))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error([f"YAML syntax error{where}: {problem}"], str(path)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise error([f"top level must be a mapping of parameters, got {type(data).__name__}"], str(path))
    return data


def merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``child`` over ``base``. Mappings merge key by key; ``timeline`` events with an
    ``id`` replace the parent's event of that id (or drop it with ``remove: true``); other lists
    and values replace."""
    out = copy.deepcopy(base)
    for key, value in child.items():
        if key == "timeline" and isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = _merge_timeline(out[key], value)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _merge_timeline(base: list, child: list) -> list:
    events = list(base)
    index = {e.get("id"): i for i, e in enumerate(events) if isinstance(e, dict) and e.get("id")}
    for ev in child:
        eid = ev.get("id") if isinstance(ev, dict) else None
        if eid in index:
            events[index[eid]] = None if ev.get("remove") else ev
        elif isinstance(ev, dict) and ev.get("remove"):
            raise ScenarioError([f"timeline: cannot remove event {eid!r}; the parent has no event with that id"])
        else:
            events.append(ev)
    return [e for e in events if e is not None]


def _messages(exc: ValidationError | ScenarioError) -> list[str]:
    """One ``path: problem (got value)`` line per error, with the valid keys for unknown ones."""
    if isinstance(exc, ScenarioError):
        return list(exc.errors)
    lines = []
    for err in exc.errors():
        loc = err["loc"]
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            allowed = _fields_at(loc[:-1])
            lines.append(f"{path}: unknown parameter; allowed here: {', '.join(allowed)}")
        elif err["type"] == "value_error" and not loc:
            lines.extend(msg.splitlines())
        elif err["type"] in ("value_error", "assertion_error"):
            lines.append(f"{path}: {msg}")
        else:
            lines.append(f"{path}: {msg}, got {err.get('input')!r}")
    return lines


def _fields_at(loc: tuple) -> list[str]:
    """Names of the fields allowed at a location of the scenario tree."""
    model: Any = Scenario
    for part in loc:
        model = _unwrap(model)
        if isinstance(model, type) and issubclass(model, BaseModel):
            if isinstance(part, str) and part in model.model_fields:
                model = model.model_fields[part].annotation
        elif typing.get_origin(model) in (dict, list):
            model = typing.get_args(model)[-1]
    model = _unwrap(model)
    if typing.get_origin(model) in (dict, list):
        model = _unwrap(typing.get_args(model)[-1])
    return list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []


def _unwrap(tp: Any) -> Any:
    """``X | None`` → ``X``."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0] if len(args) == 1 else tp
    return tp
