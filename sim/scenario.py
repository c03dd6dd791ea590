"""The scenario: one validated parameter tree for a run, read from YAML.

Every parameter (:func:`~sim.schema.P`) has a default, a unit, an allowed range, a role
(``lever``: a policy choice of the plan; ``uncertainty``: a condition outside policy;
``constant``: technical or fixed), the plan clause it models (``plan 二.2``) where it models one,
and the source of its number: a publication or dated fact, or "assumption". Money is in 万元
(10⁴ CNY); time is in months.

Every number has a finite upper bound in its unit, generous enough for any city and tight enough
that a typo (an extra zero, ``.inf``) is refused rather than run: amounts of money up to 10⁴–10⁷
万元 by kind, rates and shares within [0, 1], counts within what one machine can simulate.
Unknown keys are refused with the list of valid ones; ranges and cross-field rules are checked
once, when the scenario loads, and a scenario cannot be changed afterwards (``with_values``
returns a new one).

``extends:`` names a parent scenario; the child says only what differs. Mappings merge key by
key. In ``timeline``, an event with the ``id`` of a parent's event replaces it,
``{id: ..., remove: true}`` drops it, other events are added, and an explicit ``timeline: []``
clears every inherited event (a scenario without a ``timeline`` key keeps its parent's). Timeline
``set`` events change leaf parameters under :data:`SETTABLE_ROOTS` from their date on; a
parameter the model reads only once (``read_at`` in its declaration: at the start, or when its
exchange opens or its operator is founded) cannot be set after that moment.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, ValidationInfo, field_validator, model_validator

from sim.calendar import month_number, parse_month
from sim.schema import MAX_ECHO, InputError, Number, P, Section, clip, messages, read_mapping, shorten


class ScenarioError(InputError):
    """A scenario that cannot be used; ``errors`` lists one ``path: problem`` line each."""

    kind = "scenario"


class Beta(Section):
    """A Beta(a, b) distribution on [0, 1]."""

    ROLE = "uncertainty"

    a: float = P(2.0, "-", "assumption", "first shape parameter", gt=0, le=1000)
    b: float = P(2.0, "-", "assumption", "second shape parameter", gt=0, le=1000)

    @property
    def mean(self) -> float:
        return self.a / (self.a + self.b)


Month = typing.Annotated[str, Field(description="a month, YYYY-MM")]


def _month(value: Any) -> str:
    return parse_month(value)


class Calendar(Section):
    ROLE = "constant"

    start: Month = P("2023-01", "month", "the plan's period, 2023—2025 (its title)", "first simulated month",
                     clause="plan 一.(二) 工作目标")
    end: Month = P("2025-12", "month", "the plan's period, 2023—2025 (its title)", "last simulated month",
                   clause="plan 一.(二) 工作目标")

    _months = field_validator("start", "end", mode="before")(lambda cls, v: _month(v))

    @model_validator(mode="after")
    def _ordered(self) -> Calendar:
        if month_number(self.end) < month_number(self.start):
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class Domain(Section):
    """A public-data domain (公共数据领域)."""

    name: str = P("", "-", "-", "display name, e.g. 卫生健康", role="constant", clause="plan 二.1")
    quality: float = P(0.4, "0-1", "assumption", "initial data quality q", ge=0, le=1,
                       role="uncertainty", clause="plan 一.1 公共数据质量管理机制")
    sensitivity: Literal["general", "important", "core"] = P(
        "general", "-", "assumption", "classification level", role="lever", clause="plan 六.1 分类分级"
    )
    status: Literal["open", "authorized", "restricted"] = P(
        "authorized", "-", "assumption", "open to all, eligible for authorized operation, or restricted",
        role="lever", clause="plan 二.1 负面清单; 二.2 授权运营"
    )
    relevance: dict[str, Number] = P(
        {}, "0-1", "assumption", "value of this domain to each user sector (unlisted sectors: behaviour.default_relevance)",
        role="uncertainty"
    )

    @field_validator("relevance")
    @classmethod
    def _relevance_range(cls, v: dict[str, float]) -> dict[str, float]:
        bad = {k: x for k, x in v.items() if not 0 <= x <= 1}
        if bad:
            raise ValueError(f"relevance must lie in [0, 1], got {shorten(bad)}")
        return v


class Users(Section):
    """The data-user population (firms and public-interest users), held as arrays."""

    ROLE = "uncertainty"

    count: int = P(20_000, "agents", "assumption", "number of user agents simulated", ge=1, le=10_000_000,
                   role="constant")
    represents: float = P(50.0, "firms/agent", "assumption", "real users each agent stands for", gt=0, le=1_000_000,
                          role="constant")
    sector_weights: dict[str, Number] = P(
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
        0.08, "share", "assumption", "users with a public-interest purpose", ge=0, le=1,
        clause="plan 二.2 公共治理、公益事业"
    )
    research_share: float = P(0.04, "share", "assumption", "users with a research purpose", ge=0, le=1,
                              clause="plan 四.3 科研用途")
    budget_multiple: float = P(
        3.0, "万元/size", "assumption", "monthly data budget per unit of firm size", gt=0, le=1000
    )

    @field_validator("sector_weights")
    @classmethod
    def _weights(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("at least one sector is needed")
        if any(x < 0 for x in v.values()):
            raise ValueError(f"weights must be >= 0, got {shorten(v)}")
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

    ROLE = "uncertainty"

    initial_count: int = P(150, "merchants", "assumption", "merchants active in 2023-01", ge=0, le=2000,
                           read_at="start")
    initial_products: int = P(
        2, "products", "assumption (the pre-reform, mostly 场外 stock; MODEL §5)",
        "off-exchange products each initial merchant owns", ge=0, le=20, read_at="start"
    )
    capability: Beta = P(Beta(a=4.0, b=2.0), "0-1", "assumption", "capability θ ~ Beta(a, b)")
    honesty: Beta = P(Beta(a=6.0, b=1.5), "0-1", "assumption", "honesty h ~ Beta(a, b)")
    initial_cash: float = P(150.0, "万元", "assumption", "mean starting cash (exponential)", ge=0, le=1e6)
    fixed_cost: float = P(6.0, "万元/month", "assumption", "fixed monthly operating cost", ge=0, le=1e4)
    dev_cost: float = P(30.0, "万元", "assumption", "cost of developing one product", ge=0, le=1e5)
    product_upkeep: float = P(0.5, "万元/month", "assumption", "monthly cost of keeping a product active", ge=0, le=1e4)
    entry_rate: float = P(4.0, "merchants/month", "assumption", "mean entries per month in a break-even market",
                          ge=0, le=50)
    entry_cost: float = P(60.0, "万元", "assumption", "sunk cost of entering", gt=0, le=1e5)
    exit_after: int = P(6, "months", "assumption", "consecutive months of negative cash before exit", ge=1, le=120)
    max_products: int = P(12, "products", "assumption", "most active products one merchant keeps", ge=1, le=1000)


class Operator(Section):
    """A public-data operator (公共数据运营机构, e.g. 武汉数据集团); exists from its founding event."""

    ROLE = "uncertainty"

    name: str = P("", "-", "-", "display name", role="constant", clause="plan 二.2 组建武汉数据集团")
    initial_capital: float = P(
        2000.0, "万元", "assumption", "state capital paid in by the treasury at founding", ge=0, le=1e7,
        read_at="found_operator"
    )
    fixed_cost: float = P(100.0, "万元/month", "assumption (staff and platform of a city data group)",
                          "fixed operating cost, from founding", ge=0, le=1e5, clause="plan 二.2 组建武汉数据集团")
    cost_per_domain: float = P(
        10.0, "万元/domain/month", "assumption", "running cost of each authorized domain (upkeep, security, review)",
        ge=0, le=1e5, clause="plan 二.2 公共数据授权运营"
    )
    cost_per_use: float = P(
        0.002, "万元/use", "assumption", "cost of serving one use: paid, free or a licence use-equivalent", ge=0,
        le=1e3, clause="plan 二.2 公共数据授权运营"
    )
    governance_spend: float = P(
        50.0, "万元/month", "assumption", "planned governance spend, split over authorized domains", ge=0, le=1e5,
        role="lever", clause="plan 二.2 公共数据资源的治理"
    )
    planned_uses: float = P(
        2000.0, "uses/month", "assumption", "billable uses (paid uses and licence use-equivalents) a month planned "
        "for the founding year, before any run-rate exists", gt=0, le=1e8, clause="发改价格〔2025〕65号 (forecast volume)"
    )
    co_developers: int = P(
        2, "merchants", "assumption", "merchants invited to co-develop each operator product", ge=0, le=20,
        role="lever", clause="plan 三.5 谁投入、谁贡献、谁受益"
    )
    co_investment: float = P(10.0, "万元", "assumption", "each co-developer's investment in a product", ge=0, le=1e5,
                             role="lever", clause="plan 三.5 谁投入、谁贡献、谁受益")


class Exchange(Section):
    """A data exchange (数据交易机构): fees, review, reach and trust; opens by a timeline event."""

    ROLE = "uncertainty"

    name: str = P("", "-", "-", "display name", role="constant", clause="plan 三.2")
    fee_rate: float = P(0.025, "share", "Shanghai Data Exchange fees 2023 (≈2.5 %)",
                        "fee on transaction value, paid by the seller", ge=0, le=0.5,
                        role="lever", clause="plan 三.2 探索开展数据交易")
    review_cost: float = P(
        20.0, "万元", "assumption (registration, compliance and quality assessment)",
        "listing review cost, paid by the seller", ge=0, le=1e4)
    review_stringency: float = P(
        0.6, "probability", "assumption", "chance that review rejects a non-compliant product", ge=0, le=1,
        role="lever", clause="plan 三.2 合规监管"
    )
    reach: int = P(2, "candidates", "assumption", "extra products a user sees on this exchange", ge=0, le=50,
                   clause="plan 三.3 搭建数据交易平台")
    trust_premium: float = P(
        0.4, "share", "assumption", "cut in perceived risk for certified listed products", ge=0, le=1,
        clause="plan 三.2 安全有序的场内环境"
    )
    initial_trust: float = P(0.3, "0-1", "assumption", "users' trust in the exchange when it opens", ge=0, le=1,
                             read_at="open_exchange")
    initial_awareness: float = P(0.15, "share", "assumption", "users aware of the exchange when it opens", ge=0, le=1,
                                 read_at="open_exchange")
    awareness_growth: float = P(0.04, "share/month", "assumption", "unaware users who learn of it each month", ge=0, le=1)
    listing_horizon: int = P(12, "months", "assumption", "months over which sellers weigh listing cost", ge=1, le=120)


class Regulator(Section):
    """Supervision (plan 六.2): audits, penalties, tolerance; active from the compliance event."""

    audit_rate: float = P(0.05, "share/month", "assumption", "share of active merchants audited each month", ge=0, le=1,
                          role="lever", clause="plan 六.2 建立数据要素市场监管体系")
    detection_prob: float = P(0.7, "probability", "assumption", "chance an audit finds a non-compliant product",
                              ge=0, le=1, role="uncertainty")
    penalty_multiple: float = P(2.0, "× gains", "assumption", "fine as a multiple of the product's illegal gains (its revenue), "
                                "within the tier's cap", ge=0, le=100, role="lever", clause="plan 六.2 数据要素市场运行监管")
    penalty_floor: float = P(5.0, "万元", "DSL art. 45 (lowest fine of its first tier, 5万元)", "smallest fine",
                             ge=0, le=100, role="lever", clause="plan 六.2 数据要素市场运行监管")
    fine_cap_ordinary: float = P(100.0, "万元", "PIPL art. 66(1) (fine of up to 100万元)",
                                 "largest fine for an ordinary violation", ge=0, le=1e4, role="constant",
                                 clause="plan 六.2 数据要素市场运行监管")
    fine_cap_serious: float = P(5000.0, "万元", "PIPL art. 66(2) (fine of up to 5,000万元 …)",
                                "largest fine for a serious violation (important-level data, or an incident)",
                                ge=0, le=1e5, role="constant", clause="plan 六.2 数据要素市场运行监管")
    fine_turnover_share: float = P(0.05, "share", "PIPL art. 66(2) (… or 5 % of the previous year's turnover)",
                                   "serious cap as a share of the merchant's previous-year turnover, if larger",
                                   ge=0, le=1, role="constant", clause="plan 六.2 数据要素市场运行监管")
    tolerance_first_minor: bool = P(True, "-", "assumption", "first violation of a merchant is only warned",
                                    role="lever", clause="plan 六.2 包容审慎监管")
    severe_violations: int = P(2, "violations", "assumption", "penalised violations that force exit", ge=1, le=100,
                               role="lever", clause="plan 六.2 数据要素市场运行监管")
    alert_multiplier: float = P(2.0, "×", "assumption", "audit-rate multiplier after an incident", ge=1, le=100,
                                role="lever", clause="plan 六.2 风险预警和应急处置机制")
    alert_months: int = P(3, "months", "assumption", "months an alert lasts", ge=0, le=60,
                          role="lever", clause="plan 六.2 风险预警和应急处置机制")


class Pricing(Section):
    """Prices of public data for paid (industry) uses (plan 二.2 有条件有偿; 发改价格〔2025〕65号)."""

    ROLE = "lever"

    regime: Literal["free", "cost_plus_cap", "market", "allowed_revenue"] = P(
        "cost_plus_cap", "-", "assumption", "pricing rule for paid uses",
        clause="plan 二.2 有条件有偿; 发改价格〔2025〕65号 (pricing method)"
    )
    markup: float = P(0.1, "share", "assumption", "return on forecast cost allowed by a cost-plus price cap "
                      "(cost_plus_cap); also the reference price's markup", ge=0, le=5, clause="plan 二.2 有条件有偿")
    cap: float = P(0.8, "万元/use", "assumption", "highest price of one paid use (cost-based regimes)", gt=0, le=1e4,
                   clause="plan 二.2 有条件有偿; 发改价格〔2025〕65号 (price ceiling)")
    unit_cost_floor: float = P(0.005, "万元/use", "assumption", "lowest price of a paid use (all regimes)", gt=0, le=1e4,
                               role="constant")
    licence_uses: float = P(
        10.0, "uses/month", "assumption", "a merchant's monthly input licence is priced as this many paid uses (the "
        "licence's use-equivalents, billable and served)", ge=0, le=1e6, clause="plan 二.2 有条件有偿"
    )
    initial_price: float = P(0.4, "万元/use", "assumption", "the market regime's first price", gt=0, le=1e4)
    allowed_profit_rate: float = P(
        0.08, "share", "assumption", "allowed return on forecast cost (allowed_revenue)", ge=0, le=1,
        clause="发改价格〔2025〕65号 (allowed revenue: cost plus a reasonable profit)"
    )
    tax_rate: float = P(0.06, "share", "VAT on modern services, 6 % (财税〔2016〕36号)",
                        "tax allowed on top of cost and return (cost-based regimes)", ge=0, le=1, role="constant")
    forecast_window: int = P(3, "months", "assumption", "recent months whose run-rate forecasts billable uses and "
                             "free-use reimbursement", ge=1, le=36, role="constant")
    carry_limit: float = P(
        0.5, "share of allowance", "assumption", "largest over- or under-recovery carried into next year's allowance",
        ge=0, le=1, clause="发改价格〔2025〕65号 (true-up of allowed revenue)"
    )
    review_interval: int = P(
        3, "months", "assumption (quarterly, as a regulator's in-year re-opener would be checked)",
        "cost_plus_cap: months between tariff reviews within a tariff year", ge=1, le=12, role="constant",
        clause="发改价格〔2025〕65号 (price review)"
    )
    review_threshold: float = P(
        0.2, "share", "assumption", "cost_plus_cap: the year's price is re-set at a review when revenue to date departs "
        "from the pro-rated allowance by more than this share", ge=0, le=10, role="uncertainty",
        clause="发改价格〔2025〕65号 (price review)"
    )
    max_price_rise: float = P(
        0.5, "share", "assumption (a price-cap path: rises limited, cuts free)", "cost-based regimes: the most a tariff "
        "year's price may exceed the price the last tariff year opened at, whatever the forecast", ge=0, le=10, role="lever",
        clause="发改价格〔2025〕65号 (price ceiling)"
    )
    market_step: float = P(0.05, "share", "assumption", "the market regime's monthly price step in its profit search",
                           gt=0, le=0.5, role="uncertainty")


class FreeUse(Section):
    """Conditional free use for public governance and public welfare (有条件无偿, plan 二.2)."""

    free_for_research: bool = P(True, "-", "assumption", "research users also use public data free",
                                role="lever", clause="plan 四.3 支持科研用途")
    application_delay: int = P(2, "months", "assumption", "months before an application is approved", ge=0, le=24,
                               role="lever", clause="plan 二.2 有条件无偿")
    application_cost: float = P(0.5, "万元", "assumption", "one-off administrative cost of applying", ge=0, le=1e4,
                                role="uncertainty")


class Screening(Section):
    screening_accuracy: float = P(
        0.6, "probability", "assumption", "chance the operator detects a false public-interest claim", ge=0, le=1,
        role="lever", clause="plan 二.2 有条件无偿"
    )


class RevenueSharing(Section):
    """Split of operator gross revenue (plan 三.5 谁投入、谁贡献、谁受益; 反哺公共服务)."""

    ROLE = "lever"

    operator: float = P(0.5, "share", "assumption", "kept by the operator", ge=0, le=1,
                        clause="plan 三.5 收益分配机制")
    data_providers: float = P(0.2, "share", "assumption", "to governance of the domains that earned it", ge=0, le=1,
                              clause="plan 三.5 谁投入、谁贡献、谁受益")
    public_services: float = P(0.2, "share", "assumption", "to the public-service fund", ge=0, le=1,
                               clause="plan 三.5 反哺公共服务")
    contributors: float = P(0.1, "share", "assumption", "to merchants who co-developed the product", ge=0, le=1,
                            clause="plan 三.5 谁投入、谁贡献、谁受益")

    @model_validator(mode="after")
    def _sum_to_one(self) -> RevenueSharing:
        total = self.operator + self.data_providers + self.public_services + self.contributors
        if abs(total - 1) > 1e-9:
            raise ValueError(f"shares sum to {total:g}, must sum to 1")
        return self


class Fiscal(Section):
    governance_budget: float = P(
        15.0, "万元/month", "assumption", "treasury funding of public-data governance, split over domains", ge=0,
        le=1e6, role="lever", clause="plan 三 保障措施(二) 数据治理财政资金"
    )


class PublicServiceFund(Section):
    """How the public-service fund (公共服务反哺) spends what operators' revenue shares put in it
    (plan 三.5 探索公共数据运营收益定向反哺公共服务建设), each month: first it reimburses the
    operators' cost of serving free public-interest uses (up to ``free_use_cover`` of it), then it
    spends the rest on governance of the non-restricted domains."""

    ROLE = "lever"

    spend_rate: float = P(1.0, "share/month", "assumption", "share of the fund's balance spent each month", ge=0, le=1,
                          clause="plan 三.5 反哺公共服务建设")
    free_use_cover: float = P(
        1.0, "share", "assumption", "share of operators' cost of serving free uses the fund reimburses first", ge=0,
        le=1, clause="plan 三.5 反哺公共服务; plan 二.2 有条件无偿"
    )


class Cultivation(Section):
    """Merchant cultivation (plan 五.1–五.3), typically switched on by a 2024 timeline event."""

    ROLE = "lever"

    effect: float = P(0.0, "×", "assumption", "relative increase of the entry rate", ge=0, le=10,
                      clause="plan 五.1 引进培育数据服务商; 一.(二) 2024 大力培育")
    entry_subsidy: float = P(0.0, "万元", "assumption", "treasury grant to each entrant", ge=0, le=1e5,
                             clause="plan 三 保障措施(二) 政府补贴")


class DataAssets(Section):
    """Data-asset registration and lending against it (reg 40; plan 二.3)."""

    ROLE = "uncertainty"

    registration: bool = P(False, "-", "assumption", "merchants may register products as assets",
                           role="lever", clause="plan 二.3 数据资产登记")
    valuation_multiple: float = P(2.0, "× annual revenue", "assumption",
                                  "registered value per trailing-12-month revenue", ge=0, le=100,
                                  clause="plan 二.3 数据资产评估")
    loan_to_value: float = P(0.3, "share", "assumption", "largest loan per registered value", ge=0, le=1)
    interest_rate: float = P(0.045, "share/year", "assumption (1-year LPR 3.45–3.65 % in 2023, plus a spread)",
                             "annual interest on asset loans", ge=0, le=1)
    # Data-asset certificates (数据资产凭证) and finance on them (数据入股/信贷/信托/证券化), reg 40.
    certificates: bool = P(False, "-", "assumption", "merchants may buy a data-asset certificate that makes their "
                           "product revenue pledgeable (needs registration)", role="lever",
                           clause="reg 40 数据资产凭证; 数据入股、数据信贷、数据信托和数据资产证券化")
    certificate_cost: float = P(5.0, "万元", "assumption (appraisal and issuing fee)",
                                "one-off cost of a merchant's certificate", ge=0, le=1e4, clause="reg 40 数据资产凭证")
    revenue_pledge: float = P(0.5, "× annual revenue", "assumption", "extra borrowing room a certificate gives, per "
                              "trailing-12-month sales revenue pledged", ge=0, le=10,
                              clause="reg 40 数据信贷、数据信托和数据资产证券化")


class Brokers(Section):
    """Data brokers (数据经纪商): extra off-exchange candidates, and a commission on the deals they find."""

    ROLE = "uncertainty"

    enabled: bool = P(False, "-", "assumption", "data brokers match off-exchange buyers and sellers",
                      role="lever", clause="plan 五.2 数据经纪商服务")
    broker_boost: int = P(2, "candidates", "assumption", "extra off-exchange products a user sees with brokers",
                          ge=0, le=50)
    commission_rate: float = P(0.05, "share", "assumption", "commission on the deals brokers find (their extra candidates), paid by the seller",
                               ge=0, le=0.5)


class Vouchers(Section):
    """Data vouchers (数据券): the treasury pays part of on-exchange purchases."""

    ROLE = "lever"

    rate: float = P(0.0, "share", "assumption", "share of an on-exchange purchase paid by the treasury", ge=0, le=1,
                    clause="plan 三.4 培育壮大场内交易; 三 保障措施(二) 政府补贴")
    budget: float = P(0.0, "万元", "assumption", "total voucher budget for the run", ge=0, le=1e7,
                      clause="plan 三 保障措施(二) 政府补贴")


class Listing(Section):
    declaration_commitment: bool = P(
        False, "-", "assumption", "declaration-and-commitment listing lowers review cost",
        role="lever", clause="plan 三.2 声明和承诺制"
    )
    commitment_review_discount: float = P(
        0.5, "share", "assumption", "cut in review cost under declaration-and-commitment", ge=0, le=1,
        role="uncertainty"
    )


class OperatorSecurity(Section):
    """Supervision of the public-data operator itself (Jinan art. 39 公共数据授权运营安全保障全链条管理体系):
    the operator can cause security incidents, more likely the more uses it serves and the less it
    spends on security; the regulator audits it and fines a shortfall against the required standard."""

    ROLE = "lever"

    enabled: bool = P(False, "-", "assumption", "the operator can cause incidents and is audited",
                      clause="Jinan art. 39 安全保障全链条管理体系")
    incident_hazard: float = P(
        0.2, "incidents/10⁴ uses", "assumption (about two incidents in the run at the default spend)",
        "operator incidents per 10 000 uses served at no security spending",
        ge=0, le=100, role="uncertainty", clause="Jinan art. 39")
    security_spend: float = P(10.0, "万元/month", "assumption", "the operator's security spending, a cost it pays",
                              ge=0, le=1e5, clause="Jinan art. 39 安全保障")
    security_half: float = P(20.0, "万元/month", "assumption", "security spending that halves the hazard", gt=0,
                             le=1e5, role="uncertainty", clause="Jinan art. 39")
    security_standard: float = P(
        30.0, "万元/month", "assumption", "security spending the regulator requires; an audit finding less fines the "
        "operator and orders it up to the standard", ge=0, le=1e5, clause="Jinan art. 39 全链条管理体系")
    audit_rate: float = P(0.1, "probability/month", "assumption", "chance the regulator audits the operator in a month",
                          ge=0, le=1, clause="Jinan art. 39; plan 六.2")
    audit_fine: float = P(20.0, "万元", "assumption", "fine on a security shortfall found by an audit (at most "
                          "regulator.fine_cap_ordinary, PIPL art. 66(1))", ge=0, le=1e4, clause="Jinan art. 39")


class Registry(Section):
    """Registration integrated with trading (Jinan art. 40 数据资源登记、汇聚和流通交易一体化平台; Wuxi
    art. 40 登记结算): once data assets are registered (``policy.data_assets.registration``), a
    registered product lists at a lower review cost and its registration is collateral evidence."""

    ROLE = "lever"

    integrated: bool = P(False, "-", "assumption", "registration and trading on one platform",
                         clause="Jinan art. 40 一体化平台; Wuxi art. 40 登记结算")
    listing_discount: float = P(0.5, "share", "assumption (the review repeats checks registration made)",
                                "cut in an exchange's review cost for a registered product", ge=0, le=1,
                                role="uncertainty", clause="Jinan art. 40")
    rate_cut: float = P(0.01, "share/year", "assumption (a collateral discount of about 100 bp)",
                        "cut in the asset-loan interest rate for registered collateral (the rate stays >= 0)",
                        ge=0, le=1, role="uncertainty", clause="Wuxi art. 40 登记结算")


class Credit(Section):
    """Trading credit system (Shijiazhuang art. 46 数据要素市场社会信用体系): each merchant's reputation
    (track record less violations found) is public; buyers' perceived risk of its products and the
    regulator's audits follow it (:mod:`sim.institutions`)."""

    ROLE = "uncertainty"

    enabled: bool = P(False, "-", "assumption", "merchants' reputations are public and audits are risk-based",
                      role="lever", clause="Shijiazhuang art. 46 信用体系")
    track_record_sales: float = P(100.0, "万元", "assumption", "cumulative sales that give a full track record",
                                  gt=0, le=1e6, clause="Shijiazhuang art. 46")
    violation_weight: float = P(1.0, "-", "assumption", "reputation lost per violation found", ge=0, le=10,
                                clause="Shijiazhuang art. 46")
    risk_sensitivity: float = P(0.3, "-", "assumption", "perceived risk of a seller's products × exp(−this × "
                                "reputation)", ge=0, le=5, clause="Shijiazhuang art. 46")
    audit_targeting: float = P(1.0, "-", "assumption", "audit chance weighted by exp(−this × reputation), same mean",
                               ge=0, le=10, role="lever", clause="Shijiazhuang art. 46 监测预警; plan 六.2")


class Rights(Section):
    """Protection of the rights in products built on public data (Wuxi art. 41 依法获取并使用公共数据形成
    的数据产品和数据服务等权益受法律保护): copies take a share of an authorized-input product's sales;
    protection stops most of it."""

    ROLE = "uncertainty"

    protection: bool = P(False, "-", "assumption", "products built on authorized public data are protected",
                         role="lever", clause="Wuxi art. 41")
    imitation_share: float = P(0.0, "share", "assumption (0: no copying in the baseline)",
                               "share of a product's sales copies take when it uses an authorized public-data domain",
                               ge=0, le=1, clause="Wuxi art. 41")
    protection_effect: float = P(0.8, "share", "assumption", "share of the copies' take protection stops", ge=0, le=1,
                                 clause="Wuxi art. 41")


class Policy(Section):
    """The levers of the plan."""

    pricing: Pricing = Pricing()
    free_use: FreeUse = FreeUse()
    screening: Screening = Screening()
    revenue_sharing: RevenueSharing = RevenueSharing()
    fiscal: Fiscal = Fiscal()
    public_service_fund: PublicServiceFund = PublicServiceFund()
    cultivation: Cultivation = Cultivation()
    data_assets: DataAssets = DataAssets()
    brokers: Brokers = Brokers()
    vouchers: Vouchers = Vouchers()
    listing: Listing = Listing()
    # Institutions from other cities' regulations (MODEL §6.9); each off or neutral by default.
    operator_security: OperatorSecurity = OperatorSecurity()
    registry: Registry = Registry()
    credit: Credit = Credit()
    rights: Rights = Rights()


class Behaviour(Section):
    """Conditions outside policy (uncertainties): how users and merchants behave."""

    ROLE = "uncertainty"

    need_rate: float = P(0.06, "probability/month", "assumption", "chance a user needs data in a month, × (0.5 + μ)", ge=0, le=1)
    value_scale: float = P(14.0, "万元", "assumption", "v0: value of a perfect product to a mature firm of size 1", gt=0, le=1e5)
    default_relevance: float = P(0.15, "0-1", "assumption", "relevance of a domain to sectors it does not list", ge=0, le=1)
    raw_data_usability: float = P(
        0.15, "share", "assumption", "value a user gets from a raw public-data service relative to a processed product", ge=0, le=1
    )
    own_data_quality: float = P(0.3, "0-1", "assumption", "quality of a merchant's own (non-public) data", ge=0, le=1)
    own_data_bonus: float = P(0.15, "share", "assumption", "quality gain from adding own data to public inputs", ge=0, le=2)
    quality_gain: float = P(0.06, "share/month", "assumption", "largest monthly share of the quality gap closed by governance", ge=0, le=1)
    governance_half: float = P(20.0, "万元/month", "assumption", "governance spend giving half the largest gain", gt=0, le=1e6)
    quality_decay: float = P(0.004, "share/month", "assumption", "monthly quality loss without upkeep", ge=0, le=1)
    k_off: int = P(4, "candidates", "assumption", "off-exchange products a user sees", ge=0, le=100)
    k_on: int = P(1, "candidates", "assumption", "products a user sees on each exchange it knows", ge=0, le=100)
    popularity_weight: float = P(
        0.8, "share", "data-marketplace studies (heavy tails)", "weight of past sales in who gets seen", ge=0, le=1
    )
    maturity_gain: float = P(0.04, "share", "assumption", "β: maturity gain after a purchase", ge=0, le=1)
    trust_gain: float = P(0.05, "share", "assumption", "trust gain in a channel after a purchase there", ge=0, le=1)
    trust_off_exchange: float = P(0.5, "0-1", "assumption", "initial trust in bilateral (场外) trade", ge=0, le=1,
                                  read_at="start")
    trust_operator: float = P(0.6, "0-1", "assumption", "initial trust in the public-data operator", ge=0, le=1,
                              read_at="start")
    risk_off_exchange: float = P(0.45, "share of value", "assumption", "perceived risk of an off-exchange deal at zero trust", ge=0, le=1)
    risk_exchange: float = P(0.35, "share of value", "assumption", "perceived risk of an on-exchange deal at zero trust", ge=0, le=1)
    risk_operator: float = P(0.15, "share of value", "assumption", "perceived risk of a public-data service at zero trust", ge=0, le=1)
    misreport_propensity: float = P(
        0.1, "probability", "assumption", "chance a commercial user claims a public-interest purpose", ge=0, le=1,
        read_at="start"
    )
    noncompliance_propensity: float = P(
        0.3, "probability", "assumption", "chance a fully dishonest merchant adds unauthorized personal data", ge=0, le=1
    )
    illicit_quality_bonus: float = P(0.25, "share", "assumption", "quality gain from unauthorized personal data", ge=0, le=2)
    important_incident_multiplier: float = P(
        2.0, "×", "assumption", "incident chance of a non-compliant product on important-level data, relative", ge=1,
        le=100, clause="plan 六.1 重要数据目录"
    )
    incident_prob: float = P(0.02, "probability/month", "assumption", "chance a non-compliant product causes an incident", ge=0, le=1)
    dev_rate: float = P(0.08, "probability/month", "assumption", "top chance a merchant develops a product in a month", ge=0, le=1)
    payback_months: int = P(12, "months", "assumption", "horizon over which merchants judge profits", ge=1, le=120)
    retire_after: int = P(6, "months", "assumption", "months without sales after which a merchant retires a product", ge=1, le=120)
    price_adjust: float = P(0.05, "share", "assumption", "λ: multiplicative price step", ge=0, le=0.5)
    initial_price_share: float = P(
        0.35, "share of value", "assumption", "launch price as a share of the value to an average buyer", gt=0, le=2
    )
    marginal_cost: float = P(0.02, "万元/use", "assumption", "cost of serving one more buyer (price floor)", ge=0, le=1e4)
    fee_pass_through: float = P(
        0.5, "share", "assumption (fee incidence)", "share of the exchange fee sellers add to on-exchange prices", ge=0, le=1
    )
    listing_uplift_prior: float = P(
        1.0, "×", "assumption", "sellers' prior of sales on an exchange relative to off it", gt=0, le=100
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
        3.0, "×", "assumption", "ceiling the entry rate multiplier approaches for payoffs far above the entry cost", role="uncertainty", ge=0,
        le=100,
    )
    dev_attractiveness_max: float = P(
        2.0, "×", "assumption", "cap of expected revenue over outlay in the development chance (reached at dev_rate)",
        role="uncertainty", gt=0, le=100,
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
        role="uncertainty", ge=0, le=100,
    )
    repay_above: float = P(
        3.0, "× dev_cost", "assumption", "merchants repay debt when cash is above this", role="uncertainty", ge=0, le=100
    )
    cash_reserve: float = P(
        2.0, "× dev_cost", "assumption", "cash merchants keep when repaying debt", role="uncertainty", ge=0, le=100
    )
    asset_sales_window: int = P(
        12, "months", "assumption", "months of sales a data asset is valued on", role="uncertainty", ge=1, le=60
    )

    # Supervision, incidents and trust (MODEL §6.6, §6.7): how merchants weigh enforcement and how
    # users' trust answers incidents. Assumptions, screened in scenarios/sweeps/behaviour_screening.yaml.
    deterrence_elasticity: float = P(
        0.25, "-", "assumption", "non-compliance chance is divided by 1 + this × expected penalty / expected illicit gain",
        role="uncertainty", ge=0, le=100,
    )
    incident_trust_shock: float = P(
        0.3, "share", "assumption", "cut in trust of an incident product's recent buyers in the channel it was sold on",
        role="uncertainty", ge=0, le=1,
    )
    incident_spillover: float = P(
        0.001, "share", "assumption", "cut in every user's trust in every channel per incident (news of a leak)",
        role="uncertainty", ge=0, le=1,
    )
    trust_recovery: float = P(
        0.05, "share/month", "assumption", "share of the gap to a channel's initial trust that users regain each month",
        role="uncertainty", ge=0, le=1,
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
        if self.set is not None and not self.set:
            raise ValueError("set: give at least one {dotted.path: value}")
        return self


class Population(Section):
    users: Users = Users()
    merchants: Merchants = Merchants()


SETTABLE_ROOTS = ("policy", "behaviour", "regulator", "exchanges", "operators", "population.merchants")
MAX_MONTHS = 1200  # a run of at most 100 years
SAFE_NAME = re.compile(r"[^\W][\w.-]{0,99}")  # \w: letters (CJK too), digits, _


class Scenario(Section):
    """A complete, validated scenario. Build it with :meth:`Scenario.load` or from a dict."""

    NOUN: typing.ClassVar[str] = "parameter"

    name: str = P("scenario", "-", "-", "short name, used in results", role="constant")
    description: str = P("", "-", "-", "the policy question this scenario answers", role="constant")
    calendar: Calendar = Calendar()
    domains: dict[str, Domain] = P({}, "-", "-", "public-data domains by id", clause="plan 二.1")
    population: Population = Population()
    operators: dict[str, Operator] = P({}, "-", "-", "public-data operators by id", clause="plan 二.2")
    exchanges: dict[str, Exchange] = P({}, "-", "-", "data exchanges by id", clause="plan 三.2")
    regulator: Regulator = Regulator()
    policy: Policy = Policy()
    behaviour: Behaviour = Behaviour()
    timeline: list[Event] = P([], "-", "-", "dated policy events", role="lever", clause="plan 一.(二) yearly goals")

    @field_validator("name")
    @classmethod
    def _safe_name(cls, v: str) -> str:
        """A name becomes a folder name (``compare``): one path component, nothing that climbs out."""
        if not SAFE_NAME.fullmatch(v):
            raise ValueError(f"must be letters, digits, '_', '-' or '.' (the last two not first), at most 100 characters; got {v!r}")
        return v

    @model_validator(mode="after")
    def _cross_field(self, info: ValidationInfo) -> Scenario:
        events_checked = bool(info.context and info.context.get("events_checked"))
        errors = list(dict.fromkeys(self._cross_field_errors(events_checked)))
        if errors:
            raise ValueError("\n".join(errors))
        return self

    def _cross_field_errors(self, events_checked: bool = False):
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
        if self.n_months > MAX_MONTHS:
            yield f"calendar.end: the run is {self.n_months} months long; at most {MAX_MONTHS} are allowed"
        yield from self._timeline_errors(events_checked)

    def _timeline_errors(self, events_checked: bool):
        start, end = month_number(self.calendar.start), month_number(self.calendar.end)
        created: dict[tuple[str, str], tuple[int, int]] = {}  # (action, key) → (month, event index)
        ids: dict[str, int] = {}
        for i, ev in enumerate(self.timeline):
            where = f"timeline[{i}]"
            if ev.id is not None and ids.setdefault(ev.id, i) != i:
                yield f"{where}.id: {ev.id!r} is also the id of timeline[{ids[ev.id]}]; ids must be unique"
            if not start <= month_number(ev.date) <= end:
                yield f"{where}.date: {ev.date} is outside the calendar {self.calendar.start} … {self.calendar.end}"
            for action, known in (("found_operator", self.operators), ("open_exchange", self.exchanges)):
                key = getattr(ev, action)
                if key is None:
                    continue
                if key not in known:
                    what = action.split("_")[1]
                    yield f"{where}.{action}: unknown {what} {key!r}; known: {_known(known)}"
                elif (action, key) in created:
                    first = created[(action, key)][1]
                    verb = "founded" if action == "found_operator" else "opened"
                    yield f"{where}.{action}: {key!r} is already {verb} by timeline[{first}]; it happens once"
                else:
                    created[(action, key)] = (month_number(ev.date), i)
        owner: dict[str, str] = {}
        for i, ev in enumerate(self.timeline):
            if ev.authorize is None:
                continue
            where = f"timeline[{i}].authorize"
            op = ev.authorize.operator
            founded = created.get(("found_operator", op))
            if op not in self.operators:
                yield f"{where}.operator: unknown operator {op!r}; known: {_known(self.operators)}"
            elif founded is None or founded[0] > month_number(ev.date):
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
        if not events_checked:
            yield from self._set_errors(created)

    def _set_errors(self, created: dict[tuple[str, str], tuple[int, int]]):
        """Problems of the ``set`` events, applied in date order as the model applies them: paths
        that cannot change during a run, and values that make the scenario invalid. A problem the
        scenario had before an event is not blamed on it."""
        if not any(ev.set is not None for ev in self.timeline):
            return
        state = self.model_dump(exclude={"timeline"})
        before = set(_problems(state))
        order = sorted(range(len(self.timeline)), key=lambda i: month_number(self.timeline[i].date))
        for i in order:
            ev = self.timeline[i]
            if ev.set is None:
                continue
            where = f"timeline[{i}].set"
            bad = [f"{where}.{clip(path, MAX_ECHO)}: {why}" for path in ev.set
                   if (why := self._unsettable(path, month_number(ev.date), created))]
            if bad:
                yield from bad
                continue
            try:
                state = apply_overrides(state, ev.set)
            except ScenarioError as exc:
                yield from (f"{where}.{line}" for line in exc.errors)
                continue
            after = _problems(state)
            yield from (f"{where}.{line}" for line in after if line not in before)
            before = set(after)

    def _unsettable(self, path: str, month: int, created: dict[tuple[str, str], tuple[int, int]]) -> str | None:
        """Why a timeline ``set`` may not change ``path`` in ``month``, or None."""
        if not any(path == r or path.startswith(r + ".") for r in SETTABLE_ROOTS):
            return f"cannot be changed during a run; settable: {', '.join(SETTABLE_ROOTS)}"
        keys = path.split(".")
        info, annotation = _field_at(keys)
        if annotation is None:
            return None  # an unknown path: validation reports it with the valid keys
        group = _section_type(annotation)
        if group is not None:
            return f"a group of parameters; set its parameters one by one, e.g. {path}.{next(iter(group.model_fields))}"
        read_at = ((info.json_schema_extra if info else None) or {}).get("read_at")
        if read_at == "start":
            return "read only when the run starts, so setting it later would change nothing"
        if read_at in ("open_exchange", "found_operator"):
            done = created.get((read_at, keys[1]))
            if done is not None and done[0] <= month:
                verb = "opens" if read_at == "open_exchange" else "is founded"
                return (f"read only when {keys[1]!r} {verb} (timeline[{done[1]}]), so setting it later "
                        "would change nothing")
        return None

    # ---- loading -------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
        """Read a scenario YAML file, resolve ``extends:``, apply ``{"dotted.path": value}``
        overrides and validate once. Raises :class:`ScenarioError` naming every bad field; in a
        scenario that extends another, a timeline problem names the file and the index of the
        event there (``low_fee.yaml: timeline[0].date: …``)."""
        path = Path(path)
        data = _read_resolved(path, ())
        origins = _pop_origins(data) if isinstance(data.get("timeline"), list) else []
        data.setdefault("name", path.stem)
        if overrides is not None:
            try:
                data = apply_overrides(data, overrides)
            except ScenarioError as exc:
                raise ScenarioError(exc.errors, str(path)) from None
        try:
            return cls.from_dict(data, source=str(path))
        except ScenarioError as exc:
            if all(origin is None or origin[0] == path.resolve() for origin in origins):
                raise  # no inherited event: timeline indices are the file's own
            raise ScenarioError([_blame(line, origins) for line in exc.errors], exc.source) from None

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | None = None, *, events_checked: bool = False) -> Scenario:
        """Validate a plain dict (already resolved) into a scenario. Every problem is reported at
        once: when fields are invalid, the checks across fields and timeline events (which need
        valid fields) run again on the scenario with those fields at their defaults and bad
        event dates at the calendar's start, and report what they find too."""
        try:
            return cls.model_validate(data, context={"events_checked": events_checked})
        except ValidationError as exc:
            errors = messages(exc, Scenario)
            repaired = _repaired(data, exc)
            if repaired is not None:
                try:
                    cls.model_validate(repaired, context={"events_checked": events_checked})
                except ValidationError as again:
                    errors = list(dict.fromkeys([*errors, *messages(again, Scenario)]))
            raise ScenarioError(errors, source) from None

    def with_values(self, values: dict[str, Any]) -> Scenario:
        """A copy with ``{"dotted.path": value}`` applied, validated again (a scenario is
        immutable: this is how to change one).

        When ``values`` are those of one of the scenario's own ``set`` events, the run is applying
        it: the events were checked in date order from the initial values when the scenario
        loaded, so they are not replayed over the values the run has reached (which would blame
        an earlier event for a later one's change)."""
        own_event = any(ev.set == values for ev in self.timeline)
        return Scenario.from_dict(apply_overrides(self.model_dump(), values), events_checked=own_event)

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


def _repaired(data: Any, exc: ValidationError) -> dict[str, Any] | None:
    """``data`` with every field that failed validation removed (so it takes its default) and
    every timeline event that failed made harmless in its place (a bad date moved to the
    calendar's start; an event with another bad field replaced), for a second look by the checks
    across fields; None when there is nothing to look at again (a check across fields failed, or
    the calendar itself is bad)."""
    locs = [tuple(e["loc"]) for e in exc.errors()]
    if not isinstance(data, dict) or any(not loc or loc[0] == "calendar" for loc in locs):
        return None
    out = copy.deepcopy(data)
    events = out.get("timeline") if isinstance(out.get("timeline"), list) else []
    calendar = out.get("calendar") if isinstance(out.get("calendar"), dict) else {}
    start = calendar.get("start", Calendar().start)
    for loc in locs:
        if loc[0] == "timeline" and len(loc) > 1 and isinstance(loc[1], int) and loc[1] < len(events):
            if loc[2:] == ("date",) and isinstance(events[loc[1]], dict):
                events[loc[1]]["date"] = start
            else:
                events[loc[1]] = {"date": start, "start_compliance": True}  # no check looks at it
            continue
        node: Any = out
        for key in loc[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict) or loc[-1] not in node:
            return None
        del node[loc[-1]]
    return out


def _problems(data: dict[str, Any]) -> list[str]:
    """The validation problems of a scenario dict (none: an empty list)."""
    try:
        Scenario.model_validate(data)
    except ValidationError as exc:
        return messages(exc, Scenario)
    return []


def _section_type(annotation: Any) -> type[Section] | None:
    """The section a field holds, directly or as the values of a mapping, else None."""
    if typing.get_origin(annotation) is dict:
        annotation = typing.get_args(annotation)[1]
    return annotation if isinstance(annotation, type) and issubclass(annotation, Section) else None


def _field_at(keys: list[str]) -> tuple[Any, Any]:
    """The field (``FieldInfo``, None for an entry of a mapping such as ``exchanges.<id>``) at a
    dotted path and the type it holds; ``(None, None)`` when no such path exists."""
    info, annotation = None, Scenario
    for key in keys:
        if typing.get_origin(annotation) is dict:
            info, annotation = None, typing.get_args(annotation)[1]
            continue
        if _section_type(annotation) is None or key not in annotation.model_fields:
            return None, None
        info = annotation.model_fields[key]
        annotation = info.annotation
    return info, annotation


# ---- overrides, extends ---------------------------------------------------------------------------


def lookup(data: dict, path: str) -> tuple[Any, str | None]:
    """The value at a dotted ``path`` of a scenario mapping, or ``(None, error)`` saying what
    exists there (a missing key, or a group of parameters rather than one)."""
    node: Any = data
    keys = path.split(".")
    for depth, key in enumerate(keys):
        if not isinstance(node, dict) or key not in node:
            parent = ".".join(keys[:depth]) or "the top level"
            known = ", ".join(sorted(node)) if isinstance(node, dict) else "no parameters (it is a value)"
            return None, f"no such parameter in the scenario; {parent} has {known}"
        node = node[key]
    if isinstance(node, dict):
        return None, f"a group of parameters, not one; it has {', '.join(node)}"
    return node, None


def nest(values: dict[str, Any], into: dict[str, Any] | None = None) -> dict[str, Any]:
    """``{"a.b": 1}`` as ``{"a": {"b": 1}}``, added to ``into``: how a scenario file that
    ``extends`` another writes only the values it changes."""
    out = {} if into is None else into
    for path, value in values.items():
        node = out
        *parents, leaf = path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return out


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` as ``{"a.b": 1}``: the dotted path of every value of a scenario mapping
    (a list is one value; an empty mapping holds none). The inverse of :func:`nest`."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Return a deep copy of ``data`` with each ``"a.b.c": value`` set.

    ``overrides`` must be a mapping of dotted paths (text) to values. A path whose parent does
    not exist is an error naming the path and the valid keys.
    """
    if not isinstance(overrides, dict):
        raise ScenarioError([f"overrides: must be a mapping of {{\"dotted.path\": value}}, got "
                             f"{type(overrides).__name__} {shorten(overrides)}"])
    out = copy.deepcopy(data)
    for path, value in overrides.items():
        if not isinstance(path, str) or not path or any(not k for k in path.split(".")):
            raise ScenarioError([f"overrides: {shorten(path)} is not a dotted parameter path such as "
                                 "policy.pricing.cap"])
        keys = path.split(".")
        node: Any = out
        for depth, key in enumerate(keys[:-1]):
            child = node.get(key) if isinstance(node, dict) else None
            if child is None:
                child = _default_section(keys[: depth + 1])
                if child is None:
                    raise ScenarioError([f"{clip(path, MAX_ECHO)}: no such parameter "
                                         f"({clip('.'.join(keys[: depth + 1]), MAX_ECHO)} does not exist)"])
                node[key] = child
            node = child
        if not isinstance(node, dict):
            raise ScenarioError([f"{clip(path, MAX_ECHO)}: no such parameter "
                                 f"({clip('.'.join(keys[:-1]), MAX_ECHO)} holds a value, not parameters)"])
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
    """Read YAML at ``path`` and merge it over the scenario it ``extends`` (cycles refused). A
    parent that cannot be read is blamed on the child's ``extends``."""
    try:
        if "\0" in str(path):
            raise ScenarioError([f"{shorten(str(path))} is not a file name (it holds a NUL character)"])
        resolved = path.resolve()
        if resolved in chain:
            cycle = " -> ".join(p.name for p in (*chain, resolved))
            raise ScenarioError([f"cycle {cycle}"])
        data = read_mapping(path, ScenarioError)
    except (RuntimeError, OSError):  # Python raises RuntimeError on a symbolic link loop
        data = None
        problem = [f"{path} is a symbolic link loop"]
    except ScenarioError as exc:
        data, problem = None, exc.errors
    if data is None:
        if chain:
            raise ScenarioError([f"extends: {line}" for line in problem], str(chain[-1]))
        raise ScenarioError(problem, str(path))
    for i, ev in enumerate(data.get("timeline") if isinstance(data.get("timeline"), list) else []):
        if isinstance(ev, dict):
            ev[_ORIGIN] = (resolved, i)
    parent = data.pop("extends", None)
    if parent is None:
        for i, ev in enumerate(data.get("timeline") or []):
            if isinstance(ev, dict) and "remove" in ev:
                raise ScenarioError([f"timeline[{i}].remove: only a scenario that extends another can remove "
                                     "one of its events"], str(path))
        return data
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError([f"extends: must be a scenario name or a file name, got {shorten(parent)}"], str(path))
    base = _read_resolved(_parent_file(parent, resolved.parent, path), (*chain, resolved))
    base.pop("name", None)
    base.pop("description", None)
    return merge(base, data, str(path))


def parent_of(path: str | Path) -> Path | None:
    """The file the scenario at ``path`` extends (``extends:``, a name or a path), None if it
    extends none. Raises :class:`ScenarioError` as :meth:`Scenario.load` does."""
    path = Path(path)
    data = read_mapping(path, ScenarioError)
    parent = data.get("extends")
    if parent is None:
        return None
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError([f"extends: must be a scenario name or a file name, got {shorten(parent)}"], str(path))
    return _parent_file(parent, path.resolve().parent, path)


def _parent_file(parent: str, folder: Path, child: Path) -> Path:
    """The file an ``extends:`` in ``child`` names: a path relative to ``folder`` (the child's;
    ``.yaml`` may be left out), else a name in ``scenarios/`` (``wuhan_2023_2025``, with or
    without ``.yaml``). Raises :class:`ScenarioError` on ``extends:`` naming what was looked for."""
    from sim.catalog import SCENARIO_DIR, scenario_files  # the catalogue loads scenarios with this module

    beside = folder / parent
    if "\0" in parent:
        return beside  # refused by name when it is read
    for candidate in (beside, beside.with_name(beside.name + ".yaml")):
        if candidate.exists() or candidate.is_symlink():
            return candidate  # a folder or a device is refused when it is read
    if len(Path(parent).parts) > 1:
        return beside
    suffix = Path(parent).suffix
    in_library = SCENARIO_DIR / (parent if suffix in (".yaml", ".yml") else f"{parent}.yaml")
    if in_library.is_file():
        return in_library
    known = ", ".join(p.stem for p in scenario_files(SCENARIO_DIR))
    raise ScenarioError([f"extends: no scenario {shorten(parent)}: no file {beside} and no such name in "
                         f"{SCENARIO_DIR}; names: {known}"], str(child))


_ORIGIN = ("origin",)  # key of a timeline event's (file, index) while files merge; YAML keys are never tuples
_INDEX = re.compile(r"timeline\[(\d+)\]")


def _pop_origins(data: dict[str, Any]) -> list[tuple[Path, int] | None]:
    """Remove the origin tags from the resolved ``timeline`` and return them, event by event."""
    return [ev.pop(_ORIGIN, None) if isinstance(ev, dict) else None for ev in data["timeline"]]


def _blame(line: str, origins: list[tuple[Path, int] | None]) -> str:
    """``line`` with each ``timeline[i]`` of the merged timeline named by its file and index
    there: ``low_fee.yaml: timeline[0]…`` at the start, ``timeline[3] of wuhan_2023_2025.yaml`` inside."""
    def name(match: re.Match) -> str:
        i = int(match.group(1))
        origin = origins[i] if i < len(origins) else None
        if origin is None:
            return match.group(0)
        file, index = origin
        return f"{file.name}: timeline[{index}]" if match.start() == 0 else f"timeline[{index}] of {file.name}"

    return _INDEX.sub(name, line)


def merge(base: dict[str, Any], child: dict[str, Any], source: str | None = None) -> dict[str, Any]:
    """Deep-merge ``child`` over ``base``. Mappings merge key by key; ``timeline`` events with an
    ``id`` replace the parent's event of that id (or drop it with ``remove: true``), other events
    are added, and an explicit ``timeline: []`` clears the parent's events; other lists and
    values replace."""
    out = copy.deepcopy(base)
    for key, value in child.items():
        if key == "timeline" and isinstance(value, list) and value and isinstance(out.get(key), list):
            out[key] = _merge_timeline(out[key], value, source)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value, source)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _merge_timeline(base: list, child: list, source: str | None) -> list:
    events = list(base)
    index = {e.get("id"): i for i, e in enumerate(events) if isinstance(e, dict) and isinstance(e.get("id"), str)}
    for n, ev in enumerate(child):
        if not isinstance(ev, dict) or "remove" not in ev:
            eid = ev.get("id") if isinstance(ev, dict) else None
            if isinstance(eid, str) and eid in index:
                events[index[eid]] = ev
            else:
                events.append(ev)
            continue
        where = f"timeline[{n}]"
        eid, remove = ev.get("id"), ev["remove"]
        if remove is not True:
            raise ScenarioError([f"{where}.remove: must be true (to drop the parent's event), got {shorten(remove)}"],
                                source)
        if set(ev) - {"id", "remove", "note", _ORIGIN}:
            raise ScenarioError([f"{where}: an event with remove: true takes only its id (and a note)"], source)
        if not isinstance(eid, str) or eid not in index or events[index[eid]] is None:
            known = ", ".join(sorted(i for i in index if events[index[i]] is not None)) or "(none)"
            raise ScenarioError([f"{where}.remove: the parent has no event with id {shorten(eid)}; its ids: {known}"],
                                source)
        events[index[eid]] = None
    return [e for e in events if e is not None]
