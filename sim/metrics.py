"""Outputs, declared up front (MODEL §7): name, unit, how a year aggregates them, meaning;
and the month's row, built from the typed outcomes of the month's phases.

Money is in 万元 and counts are city-scale (agents × ``represents``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.demand import Purchases
from sim.ledger import KIND
from sim.population import OFF_EXCHANGE
from sim.settlement import OperatorIncome, Settlement


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    year: str  # "sum", "mean", "last", "max", or "ratio:numerator/denominator"
    description: str


METRICS = (
    Metric("gmv_total", "万元", "sum", "value of all data trades (gross of vouchers and fees)"),
    Metric("gmv_exchange", "万元", "sum", "trade value on exchanges (场内)"),
    Metric("gmv_off_exchange", "万元", "sum", "trade value off exchanges (场外, incl. direct public-data services)"),
    Metric("exchange_share", "share", "ratio:gmv_exchange/gmv_total", "on-exchange share of trade value"),
    Metric("n_transactions", "uses", "sum", "purchases (one user, one product, one month)"),
    Metric("n_active_buyers", "users", "last", "users who bought in the last 12 months"),
    Metric("n_merchants", "merchants", "last", "active data merchants"),
    Metric("n_products", "products", "last", "active data products"),
    Metric("n_listed", "products", "last", "active products listed on an exchange"),
    Metric("price_index", "万元/use", "mean",
           "mean list price per paid transaction, all sellers (public-data uses and merchant products together)"),
    Metric("public_data_price", "万元/use", "mean",
           "operators' list price of one paid use of a public-data service (a licence costs licence_uses of them); "
           "mean over operators in service"),
    Metric("merchant_price_index", "万元/use", "mean", "mean list price per paid merchant-product transaction"),
    Metric("public_data_free_uses", "uses", "sum", "free uses of public-data services"),
    Metric("public_data_paid_uses", "uses", "sum", "paid uses of public-data services"),
    Metric("operator_revenue", "万元", "sum", "operator gross revenue: paid uses and input licences"),
    Metric("revenue_operator", "万元", "sum", "share of operator revenue kept by the operator"),
    Metric("revenue_data_providers", "万元", "sum", "share to governance of the domains that earned it"),
    Metric("revenue_public_services", "万元", "sum", "share to the public-service fund (反哺公共服务)"),
    Metric("revenue_contributors", "万元", "sum", "share to co-developing merchants"),
    Metric("operator_allowed_revenue", "万元", "sum",
           "operator's allowed revenue of its tariff year (forecast cost × (1 + return) × (1 + tax) less the "
           "true-up carry), spread evenly over the year's months"),
    Metric("operator_cost", "万元", "sum", "operator's cost: fixed, per authorized domain, per use served, governance"),
    Metric("operator_cash", "万元", "last", "operators' cash balance"),
    Metric("recapitalisation", "万元", "sum", "treasury top-ups of operators that could not pay their costs"),
    Metric("n_licensed_products", "products", "last", "active merchant products built on a licensed (authorized) input"),
    Metric("fund_reimbursement", "万元", "sum", "public-service fund's reimbursement of operators' cost of free uses"),
    Metric("fund_governance", "万元", "sum", "public-service fund's spend on governance of non-restricted domains"),
    Metric("exchange_fee_revenue", "万元", "sum", "exchange transaction fees and review fees"),
    Metric("value_created", "万元", "sum",
           "value of data used by buyers, before losses; = buyers' payments (gmv_total − voucher_spend) + "
           "consumer_surplus + realised_losses − dispute_recoveries + application_costs + integration_costs"),
    Metric("consumer_surplus", "万元", "sum",
           "buyers' realised surplus: value less what they paid, less realised losses net of dispute recoveries, "
           "less application and integration costs"),
    Metric("n_buyers", "users", "sum", "users who bought at least one product in the month"),
    Metric("purchases_per_buyer", "uses/user", "ratio:n_transactions/n_buyers", "purchases per buyer-month"),
    Metric("perceived_risk", "万元", "sum", "buyers' perceived risk of the deals they made (expected loss at their trust)"),
    Metric("realised_losses", "万元", "sum", "value buyers lost on deals that went wrong, before dispute recoveries"),
    Metric("loss_rate", "share", "ratio:realised_losses/value_created", "realised losses per unit of value"),
    Metric("value_exchange", "万元", "sum", "value of the deals made through exchanges"),
    Metric("realised_losses_exchange", "万元", "sum", "realised losses on deals through exchanges"),
    Metric("loss_rate_exchange", "share", "ratio:realised_losses_exchange/value_exchange",
           "realised losses per unit of value, deals through exchanges"),
    Metric("value_bilateral", "万元", "sum", "value of the off-exchange (场外) deals in merchant products"),
    Metric("realised_losses_bilateral", "万元", "sum", "realised losses on off-exchange deals in merchant products"),
    Metric("loss_rate_bilateral", "share", "ratio:realised_losses_bilateral/value_bilateral",
           "realised losses per unit of value, off-exchange deals in merchant products"),
    Metric("dispute_recoveries", "万元", "sum", "losses recovered from sellers by exchanges' dispute processes"),
    Metric("dispute_costs", "万元", "sum", "exchanges' cost of resolving disputes"),
    Metric("application_costs", "万元", "sum", "users' cost of applying for free public-data use"),
    Metric("integration_costs", "万元", "sum", "buyers' own cost of taking the products they bought into use"),
    Metric("merchant_profit", "万元", "sum", "merchants' net cash flow excluding capital, loans and repayments"),
    Metric("hhi_merchants", "0-1", "mean", "Herfindahl index of merchants' sales"),
    Metric("mean_quality", "0-1", "mean", "mean quality of non-restricted public-data domains"),
    Metric("audits", "merchants", "sum", "merchants audited"),
    Metric("violations_detected", "products", "sum", "non-compliant products found by audits"),
    Metric("n_noncompliant", "products", "mean", "active non-compliant products after audits"),
    Metric("penalties", "万元", "sum", "penalties paid to the treasury (fines and confiscated gains)"),
    Metric("incidents", "incidents", "sum", "security incidents"),
    Metric("leakage_value", "万元", "sum",
           "free uses obtained by false public-interest claims, valued at the cost-based reference price "
           "(forecast unit cost × (1 + markup)), whatever the regime charges; 0 when public data is free for all"),
    Metric("voucher_spend", "万元", "sum", "data vouchers paid by the treasury"),
    Metric("fiscal_spend", "万元", "sum", "all treasury outflows (equity, subsidies, governance)"),
    Metric("fiscal_equity", "万元", "sum", "treasury's state capital paid into operators at founding"),
    Metric("fiscal_subsidies", "万元", "sum", "treasury's entry grants, data vouchers and operator recapitalisation"),
    Metric("fiscal_governance", "万元", "sum", "treasury's governance funding of public-data domains"),
    Metric("fiscal_net", "万元", "sum", "treasury outflows less penalties received"),
    Metric("data_asset_loans", "万元", "sum", "new loans against registered data assets"),
    Metric("public_service_fund", "万元", "last", "balance of the public-service fund"),
    Metric("merchant_exits", "merchants", "sum", "merchants that left the market"),
    Metric("ledger_imbalance", "万元", "sum", "sum of all balances plus |ledger sales − market GMV|; 0 when the books balance"),
    # supervision, entry and trust (MODEL §6.3, §6.6, §6.7)
    Metric("merchant_operating_profit", "万元", "sum",
           "merchants' net cash flow excluding capital, loans, repayments, penalties and entry grants"),
    Metric("merchant_entries", "merchants", "sum", "merchants that entered the market"),
    Metric("entry_attractiveness", "×", "mean", "multiplier of the entry rate from an entrant's expected profit"),
    Metric("confiscations", "万元", "sum", "illegal gains ordered confiscated from penalised products"),
    Metric("penalties_uncollected", "万元", "sum", "fines and confiscations merchants could not pay"),
    Metric("largest_fine_share", "share", "max", "largest fine of the period over its statutory cap"),
    Metric("exits_insolvency", "merchants", "sum", "merchants that exited unable to pay a penalty"),
    Metric("broker_commissions", "万元", "sum", "commissions paid to brokers on the deals they found"),
    Metric("trust_off_exchange", "0-1", "mean",
           "users' mean trust in bilateral (场外) trade: one less the believed chance a deal there goes wrong"),
    Metric("trust_exchange", "0-1", "mean", "users' mean trust in the open exchanges (0 before any opens)"),
    Metric("products_created", "products", "sum", "products merchants developed"),
    Metric("noncompliant_created", "products", "sum", "of them, products developed with unauthorized personal data"),
    Metric("noncompliant_created_share", "share", "ratio:noncompliant_created/products_created",
           "share of developed products that are non-compliant"),
)
NAMES = tuple(m.name for m in METRICS)
FINANCING = ("capital", "loan", "repayment")
ONE_OFF = ("penalty", "entry_subsidy")  # left out of the operating profit entrants expect


@dataclass(frozen=True)
class Supervision:
    """The supervision phase's outcome (MODEL §6.7), exits included."""

    audits: float  # merchants audited
    violations_detected: float  # non-compliant products found
    penalties: float  # 万元
    noncompliant: float  # active non-compliant products after audits
    incidents: float
    exits: int  # merchants that left the market
    confiscations: float = 0.0  # 万元
    uncollected: float = 0.0  # 万元, fines and confiscations not paid
    largest_fine_share: float = 0.0  # largest fine over its cap
    exits_insolvency: int = 0  # of the exits, merchants that could not pay a penalty


@dataclass(frozen=True)
class Month:
    """Every phase's outcome of one month, from which its metrics row is built."""

    purchases: Purchases
    application_costs: float  # users' cost of applying for free use, 万元
    settlement: Settlement
    income: OperatorIncome  # all operators together
    supervision: Supervision
    loans: float  # new loans against data assets, 万元
    entries: int = 0  # merchants that entered
    attractiveness: float = 0.0  # the entry rate's multiplier
    products_created: int = 0  # products merchants developed
    noncompliant_created: int = 0  # of them, non-compliant


def month_row(model, month: Month) -> dict[str, Any]:
    """The month's row of :data:`METRICS` (and its ``date``), from the phases' outcomes, the
    closed ledger month and the state of the populations at the month's end."""
    buy, money, income, sup = month.purchases, month.settlement, month.income, month.supervision
    p, u = model.products, model.users
    rep = u.represents
    by_kind, imbalance = model.ledger.close_month()
    flows = model.ledger.months[-1]
    gross = money.gross
    channel = p.view("channel")
    active = p.view("active")
    paying = ~buy.free
    gmv = float(gross.sum())
    gmv_exchange = float(money.gross_tx[buy.via >= 0].sum())
    merchant_owned = ~p.view("by_operator")
    merchant_sales = np.bincount(p.view("owner")[merchant_owned], weights=gross[merchant_owned])
    total_sales = merchant_sales.sum()
    is_merchant = model.ledger.named("merchant:")
    operating = ~np.isin(flows["kind"], [KIND[k] for k in FINANCING])
    profit = float(
        flows["amount"][operating & is_merchant[flows["payee"]]].sum()
        - flows["amount"][operating & is_merchant[flows["payer"]]].sum()
    )
    one_off = np.isin(flows["kind"], [KIND[k] for k in ONE_OFF])
    one_off_net = float(flows["amount"][one_off & is_merchant[flows["payee"]]].sum()
                        - flows["amount"][one_off & is_merchant[flows["payer"]]].sum())
    treasury = model.accounts["treasury"]
    from_treasury = flows["payer"] == treasury
    fiscal = {k: float(flows["amount"][from_treasury & (flows["kind"] == KIND[k])].sum())
              for k in ("capital", "entry_subsidy", "voucher", "recapitalisation", "governance")}
    by_operator = p.view("by_operator")
    in_service = [op.price for op in model.operators if op.domains]
    merchant_paid = paying & ~by_operator[buy.product]
    operators = list(model.operators)
    reference = np.array([op.reference_price for op in operators] + [0.0])
    leaked = buy.free & buy.misreport & (model.params.policy.pricing.regime != "free")  # free for all: nothing leaks
    domain_operator = np.append(model.domains.operator, -1)  # index -1 (no input) has no operator
    licensed = merchant_owned & active & ((domain_operator[p.view("domain_a")] >= 0)
                                          | (domain_operator[p.view("domain_b")] >= 0))
    usable = model.domains.unrestricted()
    shares = income.shares
    n_paid = float(paying.sum())
    t = model.month_index
    opened = np.array([x.is_open for x in model.exchanges], dtype=bool)
    value_tx = buy.value * rep
    value, losses, recovered = float(value_tx.sum()), float(money.loss_tx.sum()), float(money.recovered_tx.sum())
    on = buy.via >= 0
    n_buyers = float(np.unique(buy.buyers).size)
    integration = buy.n * rep * model.params.behaviour.integration_cost
    bilateral = (buy.via == OFF_EXCHANGE) & ~by_operator[buy.product]
    row = {
        "gmv_total": gmv,
        "gmv_exchange": gmv_exchange,
        "gmv_off_exchange": gmv - gmv_exchange,
        "exchange_share": gmv_exchange / gmv if gmv > 0 else 0.0,
        "n_transactions": buy.n * rep,
        "n_active_buyers": float(np.sum(u.last_purchase > t - 12)) * rep,
        "n_merchants": float(len(model.merchants)),
        "n_products": float(active.sum()),
        "n_listed": float(np.sum(active & (channel >= 0))),
        "price_index": float(buy.list_price[paying].sum() / n_paid) if n_paid else float("nan"),
        "public_data_price": float(np.mean(in_service)) if in_service else float("nan"),
        "merchant_price_index": float(buy.list_price[merchant_paid].mean()) if merchant_paid.any() else float("nan"),
        "public_data_free_uses": income.free_uses,
        "public_data_paid_uses": income.paid_uses,
        "operator_revenue": income.revenue,
        "revenue_operator": shares["operator"],
        "revenue_data_providers": shares["data_providers"],
        "revenue_public_services": shares["public_services"],
        "revenue_contributors": shares["contributors"],
        "operator_allowed_revenue": income.allowance,
        "operator_cost": income.cost,
        "operator_cash": float(model.ledger.balance[[op.account for op in operators]].sum()),
        "recapitalisation": by_kind["recapitalisation"],
        "n_licensed_products": float(licensed.sum()),
        "fund_reimbursement": by_kind["fund_reimbursement"],
        "fund_governance": by_kind["fund_governance"],
        "exchange_fee_revenue": by_kind["exchange_fee"] + by_kind["review_fee"],
        "value_created": value,
        "consumer_surplus": value - float(money.paid_tx.sum()) - losses + recovered - month.application_costs
        - integration,
        "n_buyers": n_buyers * rep,
        "perceived_risk": float(buy.risk.sum()) * rep,
        "realised_losses": losses,
        "value_exchange": float(value_tx[on].sum()),
        "realised_losses_exchange": float(money.loss_tx[on].sum()),
        "value_bilateral": float(value_tx[bilateral].sum()),
        "realised_losses_bilateral": float(money.loss_tx[bilateral].sum()),
        "dispute_recoveries": recovered,
        "dispute_costs": by_kind["dispute_cost"],
        "application_costs": month.application_costs,
        "integration_costs": integration,
        "purchases_per_buyer": buy.n / n_buyers if n_buyers else 0.0,
        "loss_rate": losses / value if value > 0 else 0.0,
        "loss_rate_exchange": _ratio(money.loss_tx[on].sum(), value_tx[on].sum()),
        "loss_rate_bilateral": _ratio(money.loss_tx[bilateral].sum(), value_tx[bilateral].sum()),
        "merchant_profit": profit,
        "hhi_merchants": float(np.sum((merchant_sales / total_sales) ** 2)) if total_sales > 0 else float("nan"),
        "mean_quality": float(model.domains.quality[usable].mean()) if usable.any() else float("nan"),
        "audits": sup.audits,
        "violations_detected": sup.violations_detected,
        "n_noncompliant": sup.noncompliant,
        "penalties": sup.penalties,
        "incidents": sup.incidents,
        "leakage_value": float(reference[p.owner[buy.product[leaked]]].sum()) * rep,
        "voucher_spend": by_kind["voucher"],
        "fiscal_spend": float(flows["amount"][from_treasury].sum()),
        "fiscal_equity": fiscal["capital"],
        "fiscal_subsidies": fiscal["entry_subsidy"] + fiscal["voucher"] + fiscal["recapitalisation"],
        "fiscal_governance": fiscal["governance"],
        "fiscal_net": float(flows["amount"][from_treasury].sum()) - sup.penalties,
        "data_asset_loans": month.loans,
        "public_service_fund": float(model.ledger.balance[model.accounts["public_service_fund"]]),
        "merchant_exits": sup.exits,
        "ledger_imbalance": imbalance + abs(by_kind["sale"] + by_kind["voucher"] - gmv),
        "merchant_operating_profit": profit - one_off_net,
        "merchant_entries": month.entries,
        "entry_attractiveness": month.attractiveness,
        "confiscations": sup.confiscations,
        "penalties_uncollected": sup.uncollected,
        "largest_fine_share": sup.largest_fine_share,
        "exits_insolvency": sup.exits_insolvency,
        "broker_commissions": by_kind["broker_commission"],
        "trust_off_exchange": float(u.trust[:, 0].mean()),
        "trust_exchange": float(u.trust[:, 2:][:, opened].mean()) if opened.any() else 0.0,
        "products_created": month.products_created,
        "noncompliant_created": month.noncompliant_created,
        "noncompliant_created_share": month.noncompliant_created / month.products_created
        if month.products_created else 0.0,
    }
    # plain floats, which Mesa's DataCollector copies cheaply
    return {"date": model.dates[t], **{k: float(v) for k, v in row.items()}}


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den > 0 else 0.0


def yearly(frame: pd.DataFrame) -> pd.DataFrame:
    """Totals, means, last values or ratios per calendar year, as declared in :data:`METRICS`."""
    keys = [k for k in ("scenario", "run_id", "seed") if k in frame.columns]
    year = pd.to_datetime(frame["date"]).dt.year.rename("year")
    groups = frame.groupby([*[frame[k] for k in keys], year], sort=True)
    out = pd.concat([getattr(groups[[m.name for m in METRICS if m.year == rule]], rule)()
                     for rule in ("sum", "mean", "last", "max")], axis=1)
    for m in METRICS:
        if m.year.startswith("ratio:"):
            num, den = m.year.removeprefix("ratio:").split("/")
            out[m.name] = (out[num] / out[den]).where(out[den] > 0, 0.0)
    return out[list(NAMES)].reset_index()
