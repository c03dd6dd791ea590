"""Public-data operator (公共数据运营机构, e.g. 武汉数据集团; plan 二.2, 三.5).

Its economics in one place (MODEL §6.2, §6.4):

- **Cost** (:class:`sim.pricing.OperatorCost`): a fixed cost from founding, a cost per authorized
  domain and a cost per use served (paid, free and licence use-equivalents), paid to the
  economy; planned governance spend, paid to the domains' governance funds.
- **Tariff year** (:class:`sim.pricing.TariffYear`): at founding (for the rest of that year) and
  each January it forecasts the year's cost and billable uses (paid uses + licence
  use-equivalents) — from the run-rate of recent months, or from ``planned_uses`` in the
  founding year — nets the public-service fund's expected reimbursement of free uses, and sets
  the allowance: cost × (1 + return) × (1 + tax) ÷ the operator's revenue share (it keeps only
  that share of gross revenue, plan 三.5), less last year's over-recovery (bounded).
- **Price** by regime: ``cost_plus_cap`` sets allowance ÷ forecast billable uses for the year and
  re-sets it at a quarterly tariff review when revenue to date strays from the pro-rated
  allowance by more than ``review_threshold`` (:meth:`PublicDataOperator._review_tariff`);
  ``allowed_revenue`` caps revenue: each month the price is the lower of that and the allowance
  not yet earned re-spread over the uses forecast for the rest of the year (it falls once the
  allowance is being earned faster than forecast; it never rises to chase a shortfall, which
  with elastic demand would spiral to the cap — the shortfall is trued up next year); ``market`` searches for its most profitable price
  (:func:`sim.pricing.market_step`); ``free`` charges nothing. A licence costs
  ``price × licence_uses`` per product and month. Both cost-based prices follow a price-cap path:
  at most ``1 + max_price_rise`` times the price the last tariff year opened at
  (:func:`sim.pricing.limit_rise`),
  which stops the average-cost spiral (a higher price, lower volume, a lower forecast, a higher
  price) that the gross-up by the kept share would otherwise drive to the cap.
- **Recapitalisation**: when a payment would take its cash below zero, the treasury pays in the
  shortfall first (ledger kind ``recapitalisation``), so it never runs a negative balance.
- **Security** (Jinan art. 39, ``policy.operator_security``; MODEL §6.9): with the operator's own
  supervision on, it pays a monthly security spend (a cost in its tariff); an audit that finds the
  spend below the required standard orders it up to the standard from then on.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim import pricing
from sim.demand import Purchases
from sim.population import OPERATOR, Products
from sim.settlement import OperatorIncome
from sim.sharing import SHARES, split_revenue


class PublicDataOperator(mesa.Agent):
    """Builds one direct public-data service per authorized domain, prices it under the
    pricing regime, invests in governance, licenses its domains to merchants as inputs and
    shares its revenue (MODEL §6.2, §6.4)."""

    def __init__(self, model, key: str, index: int):
        super().__init__(model)
        self.key = key
        self.index = index
        self.account = model.ledger.open(f"operator:{key}")
        self.founded = False
        self.founding_year = 0
        self.domains: list[int] = []
        self.product_of: dict[int, int] = {}  # domain -> product
        self.contributors: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # product -> (accounts, weights)
        self.price = 0.0  # 万元 per paid use, this month
        self.tariff: pricing.TariffYear | None = None
        self.tariff_year = 0  # calendar year of the open tariff year
        self.tariff_months = 0  # months in the open tariff year
        self.tariff_price = 0.0  # cost_plus_cap's price for the tariff year (re-set at reviews)
        self.opening_price = 0.0  # the cost-based price the tariff year opened at (before any review)
        self.price_ceiling = np.inf  # the price-cap path's highest price this tariff year
        self.reference_price = 0.0  # forecast unit cost × (1 + markup), 万元/use
        self.billable: list[float] = []  # monthly billable uses since founding
        self.served: list[float] = []  # monthly uses served (billable and free) since founding
        self.reimbursed: list[float] = []  # monthly reimbursement of free uses by the public-service fund, 万元
        self.free_use_cost = 0.0  # cost of last month's free uses, 万元 (what the fund reimburses)
        self.month_cost = 0.0  # this month's cost so far, 万元
        self.last_price = 0.0  # market regime: last month's price and profit
        self.last_profit = 0.0
        self.last_revenue = 0.0  # last month's gross revenue, 万元
        self.security_ordered = False  # an audit ordered its security spend up to the standard (Jinan art. 39)

    @property
    def params(self):
        return self.model.params.operators[self.key]

    def _cost(self) -> pricing.OperatorCost:
        p = self.params
        return pricing.OperatorCost(fixed=p.fixed_cost, per_domain=p.cost_per_domain, per_use=p.cost_per_use)

    def _floor(self) -> float:
        """Lowest price of a paid use: the pricing floor, and never below the cost of serving it."""
        return max(self.model.params.policy.pricing.unit_cost_floor, self.params.cost_per_use)

    @property
    def licence_price(self) -> float:
        """Monthly price of a merchant's input licence on one of its domains, 万元/product/month."""
        return self.price * self.model.params.policy.pricing.licence_uses

    def found(self) -> None:
        """Start operating with state capital from the treasury (plan 二.2 组建武汉数据集团)."""
        m = self.model
        self.founded = True
        self.founding_year = m.dates[m.month_index].year
        m.ledger.transfer(m.accounts["treasury"], self.account, "capital", self.params.initial_capital)
        if m.params.policy.pricing.regime == "market":
            self.price = self.last_price = m.params.policy.pricing.initial_price

    def authorize(self, domains: list[int]) -> None:
        """Take on authorized domains: one product each, co-developed by invited merchants."""
        m = self.model
        for d in domains:
            if d in self.product_of:
                continue
            self.domains.append(d)
            m.domains.authorize(d, self.index)
            product = m.products.add(
                owner=self.index, by_operator=True, account=self.account, domains=(d, -1), channel=OPERATOR,
                quality=m.domains.quality[d], price=self.price, compliant=True, created=m.month_index,
                listing_taste=0.0, relevance=m.domains.relevance[d],
            )
            self.product_of[d] = product
            self.contributors[product] = self._invite_co_developers()

    def _invite_co_developers(self) -> tuple[np.ndarray, np.ndarray]:
        """The most capable merchants that can afford it invest in the product (谁投入)."""
        m, p = self.model, self.params
        able = [x for x in m.merchants if m.ledger.balance[x.account] >= p.co_investment]
        able.sort(key=lambda x: (-x.capability, x.index))
        chosen = able[: p.co_developers]
        for x in chosen:
            m.ledger.transfer(x.account, self.account, "co_investment", p.co_investment)
        accounts = np.array([x.account for x in chosen], dtype=np.int64)
        return accounts, np.full(accounts.size, max(p.co_investment, 1e-12))

    # ---- money out -----------------------------------------------------------------------

    def _pay(self, payee, kind: str, amount) -> None:
        """Pay ``amount`` 万元 (a scalar to one payee, or one amount per payee); the treasury first
        recapitalises any shortfall."""
        m = self.model
        total = float(np.sum(amount))
        shortfall = total - float(m.ledger.balance[self.account])
        if shortfall > 0:
            m.ledger.transfer(m.accounts["treasury"], self.account, "recapitalisation", shortfall)
        m.ledger.transfer(self.account, payee, kind, amount)

    def supply(self) -> None:
        """Pay the month's fixed and per-domain cost and fund governance of the authorized
        domains (MODEL §6.1); the per-use cost is paid once the month's uses are known."""
        m, p = self.model, self.params
        running = self._cost().month(len(self.domains), 0.0)
        self._pay(m.accounts["economy"], "operating_cost", running)
        self.month_cost = running
        if self.domains:
            self._pay(m.domains.accounts[self.domains], "governance",
                      np.full(len(self.domains), p.governance_spend / len(self.domains)))
            self.month_cost += p.governance_spend
        security = self.security_spending()
        if security > 0:
            self._pay(m.accounts["economy"], "operating_cost", security)
            self.month_cost += security

    # ---- security (Jinan art. 39) ----------------------------------------------------------

    def security_spending(self) -> float:
        """This month's security spend, 万元: ``security_spend``, or the required standard if an
        audit ordered it and that is more; nothing while the operator's supervision is off."""
        rule = self.model.params.policy.operator_security
        if not rule.enabled:
            return 0.0
        return max(rule.security_spend, rule.security_standard) if self.security_ordered else rule.security_spend

    def order_security_standard(self) -> None:
        """An audit found the security spend short of the standard: it rises to it from now on."""
        self.security_ordered = True

    def pay_penalty(self, fine: float) -> None:
        """Pay a fine (万元) to the treasury; the treasury recapitalises any shortfall first."""
        self._pay(self.model.accounts["treasury"], "penalty", fine)

    def reimburse(self, amount: float) -> None:
        """Book the public-service fund's reimbursement of last month's free uses (paid to it by the model)."""
        self.reimbursed.append(amount)

    # ---- the tariff ----------------------------------------------------------------------

    def _forecast(self) -> tuple[float, float]:
        """Forecast billable uses and net cost of one month: in the founding year the planned
        volume (its domains come into service during the year, so early months say nothing of
        demand), later the run-rate of the recent months (MODEL §6.2)."""
        rule, p = self.model.params.policy.pricing, self.params
        window = rule.forecast_window
        m = self.model
        if m.dates[m.month_index].year == self.founding_year:  # months before its domains are in service
            billable = served = p.planned_uses
        else:
            billable, served = pricing.run_rate(self.billable, window), pricing.run_rate(self.served, window)
        reimbursed = pricing.run_rate(self.reimbursed, window) or 0.0
        uses = served
        cost = self._cost().month(len(self.domains), uses) + (p.governance_spend if self.domains else 0.0) \
            + self.security_spending()
        return billable, max(0.0, cost - reimbursed)

    def _open_tariff_year(self) -> None:
        """Close the last tariff year (its true-up becomes the carry) and open one for the rest
        of this calendar year: the allowance, the year's price cap and the reference price."""
        m = self.model
        rule = m.params.policy.pricing
        return_rate = rule.allowed_profit_rate if rule.regime == "allowed_revenue" else rule.markup
        if self.tariff is None:
            self.tariff = pricing.TariffYear(return_rate, rule.tax_rate, rule.carry_limit)
        else:
            self.tariff.close()
            self.tariff.return_rate, self.tariff.tax_rate, self.tariff.carry_limit = (
                return_rate, rule.tax_rate, rule.carry_limit)
        billable, cost = self._forecast()
        self.tariff_year = m.dates[m.month_index].year
        self.tariff_months = 13 - m.calendar_month
        # The operator keeps only its share of gross revenue (plan 三.5), so the gross allowance is
        # what leaves it its cost with the return and tax once the other shares are paid.
        keep = m.params.policy.revenue_sharing.operator
        allowance = self.tariff.open(cost * self.tariff_months / keep) if keep > 0 else 0.0
        # The path is measured from last year's approved (opening) price, not from where its reviews
        # left it: a year whose reviews cut the price to the floor must not hold the next one there.
        self.price_ceiling = pricing.limit_rise(np.inf, self.opening_price, rule.max_price_rise)
        self.tariff_price = self.opening_price = min(self.price_ceiling, pricing.cost_based_price(
            allowance, billable * self.tariff_months, rule.cap, self._floor()))
        self.reference_price = cost / billable * (1 + rule.markup) if billable > 0 else rule.cap

    def set_price(self) -> None:
        """Price of a paid use under the regime (MODEL §6.2); written to the operator's products."""
        m = self.model
        rule = m.params.policy.pricing
        if self.tariff is None or m.dates[m.month_index].year != self.tariff_year:
            self._open_tariff_year()
        if rule.regime == "free":
            self.price = 0.0
        elif rule.regime == "cost_plus_cap":
            self._review_tariff()
            self.price = self.tariff_price
        elif rule.regime == "allowed_revenue":  # a ceiling on revenue: the price falls once it is being earned
            billable, _ = self._forecast()
            months_left = 13 - m.calendar_month
            respread = pricing.cost_based_price(self.tariff.remaining(), billable * months_left, rule.cap, self._floor())
            self.price = min(self.tariff_price, respread)
        elif self.price <= 0:  # market regime, e.g. after a switch from free
            self.price = self.last_price = rule.initial_price
        m.products.set_price(list(self.product_of.values()), self.price)

    def _review_tariff(self) -> None:
        """cost_plus_cap's tariff review (MODEL §6.2): every ``review_interval`` months of the tariff
        year, if revenue to date departs from the pro-rated allowance by more than
        ``review_threshold``, the price for the rest of the year becomes the allowance not yet
        earned spread over the uses now forecast (the run-rate), within the year's price ceiling."""
        m = self.model
        rule = m.params.policy.pricing
        months_left = 13 - m.calendar_month
        elapsed = self.tariff_months - months_left
        if self.tariff_year == self.founding_year or elapsed <= 0 or elapsed % rule.review_interval:
            return  # the founding year's domains come into service during it: its run-rate says nothing yet
        if not pricing.review_due(self.tariff.earned, self.tariff.allowance, elapsed, self.tariff_months,
                                  rule.review_threshold):
            return
        billable, _ = self._forecast()
        self.tariff_price = min(self.price_ceiling, pricing.cost_based_price(
            self.tariff.remaining(), billable * months_left, rule.cap, self._floor()))

    def _search_market_price(self, profit: float) -> None:
        """Market regime: the next month's price from this month's profit (MODEL §6.2)."""
        rule = self.model.params.policy.pricing
        if rule.regime != "market" or not self.product_of:
            return
        price = pricing.market_step(self.price, self.last_price, profit, self.last_profit, rule.market_step,
                                    self._floor())
        self.last_price, self.last_profit, self.price = self.price, profit, price

    # ---- the month's close ---------------------------------------------------------------

    def close_month(self, gross: np.ndarray, purchases: Purchases, products: Products,
                    represents: float) -> OperatorIncome:
        """Collect input licences from merchants, count the uses of the services, pay their cost,
        take a market-price step, and share the month's revenue (MODEL §6.4).

        Args:
            gross: gross revenue of each product this month, 万元 (city-scale).
            purchases: the month's purchases.
            represents: users each user agent stands for.
        """
        if not self.founded:
            return OperatorIncome()
        m = self.model
        rule = m.params.policy.pricing
        revenue = {prod: float(gross[prod]) for prod in self.product_of.values()}
        merchant_owned = products.merchant_owned()
        licence = self.licence_price
        licences = 0.0
        n_licences = 0
        for d, prod in self.product_of.items():
            users = np.flatnonzero(merchant_owned & ((products.view("domain_a") == d) | (products.view("domain_b") == d)))
            n_licences += users.size
            if licence > 0 and users.size:
                m.ledger.transfer(products.account[users], self.account, "licence", licence)
                revenue[prod] += licence * users.size
                licences += licence * users.size
        mine = (purchases.via == OPERATOR) & (products.owner[purchases.product] == self.index)
        paid = float(np.sum(mine & ~purchases.free)) * represents
        free = float(np.sum(mine & purchases.free)) * represents
        billable = paid + rule.licence_uses * n_licences
        shares = self.settle(revenue)  # out of this month's revenue, already received
        use_cost = self._cost().per_use * (billable + free)
        self._pay(m.accounts["economy"], "operating_cost", use_cost)
        self.month_cost += use_cost
        self.free_use_cost = self._cost().per_use * free
        self.billable.append(billable)
        self.served.append(billable + free)
        total = sum(revenue.values())
        self.last_revenue = total
        self.tariff.record(total)
        self._search_market_price(total - self.month_cost)
        return OperatorIncome(paid_uses=paid, free_uses=free, licences=licences, shares=shares, cost=self.month_cost,
                              allowance=self.tariff.allowance / self.tariff_months)

    def settle(self, revenue_by_product: dict[int, float]) -> dict[str, float]:
        """Share this month's gross revenue of each product (plan 三.5) and return the four parts' totals."""
        m = self.model
        products = list(revenue_by_product)
        parts = split_revenue(np.array(list(revenue_by_product.values()), dtype=float),
                              m.params.policy.revenue_sharing)
        domains = m.products.domain_a[products]
        m.ledger.transfer(self.account, m.domains.accounts[domains], "share_data_providers", parts["data_providers"])
        m.ledger.transfer(self.account, m.accounts["public_service_fund"], "share_public_services",
                          parts["public_services"])
        payees, amounts = [], []  # co-developers by their investment; the contributor pool if none
        for product, part in zip(products, parts["contributors"].tolist()):
            accounts, weights = self.contributors[product]
            if accounts.size:
                payees.append(accounts)
                amounts.append(part * weights / weights.sum())
            else:
                payees.append(np.array([m.accounts["contributor_pool"]]))
                amounts.append(np.array([part]))
        if payees:
            m.ledger.transfer(self.account, np.concatenate(payees), "share_contributors", np.concatenate(amounts))
        return {k: float(sum(parts[k].tolist(), 0.0)) for k in SHARES}
