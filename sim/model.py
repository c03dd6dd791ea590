"""The data-element market model: state, and the month's schedule as named phases (MODEL §3).

This module composes the pieces: the pure economics (``sim.clearing``, ``sim.pricing``,
``sim.sharing``, ``sim.quality``, ``sim.ledger``), the array populations (``sim.population``)
and the Mesa agents (``agents``). Printing ``DataMarketModel.PHASES`` gives the month's order.
"""

from __future__ import annotations

import datetime as dt

import mesa
import numpy as np

from agents import DataExchange, DataMerchant, PublicDataOperator, Regulator
from sim.calendar import month_dates
from sim.clearing import clear, draw_candidates, exposure_weights
from sim.ledger import Ledger
from sim.metrics import MonthRecord
from sim.population import NEVER, OFF_EXCHANGE, OPERATOR, Products, Users, trust_column
from sim.pricing import adapt_prices
from sim.quality import update_quality
from sim.scenario import Scenario
from sim.streams import Streams

SMOOTHING = 0.3  # weight of the latest month in smoothed sales


class DataMarketModel(mesa.Model):
    """One run of a scenario with one seed. Call :meth:`step` once per month."""

    PHASES = (
        ("timeline", "apply the month's dated policy events"),
        ("public_supply", "operators fund governance, quality moves, public-data prices are set"),
        ("merchant_supply", "entry; merchants pay costs, borrow, develop products"),
        ("listing", "sellers choose channels; exchanges review listings"),
        ("demand", "users with a need see candidates and buy the best (vectorised clearing)"),
        ("settlement", "payments, vouchers, fees, licences, revenue sharing"),
        ("supervision", "audits, penalties, incidents, exits"),
        ("learning", "maturity, trust and awareness; prices adapt"),
        ("record", "one row of metrics; the ledger must balance"),
    )

    def __init__(self, scenario: Scenario, seed: int = 0):
        self.streams = Streams(seed)
        super().__init__(rng=int(self.streams["mesa"].integers(2**31)))
        self.scenario = scenario
        self.params = scenario
        self.t = 0
        self.dates: list[dt.date] = month_dates(scenario.calendar.start, scenario.n_months)
        self.ledger = Ledger()
        self.accounts = {
            name: self.ledger.open(name)
            for name in ("treasury", "users", "investors", "economy", "bank", "public_service_fund",
                         "contributor_pool", "brokers")
        }
        self._init_domains()
        b = scenario.behaviour
        self.users = Users(scenario.population.users, self.sectors, len(scenario.exchanges), b.trust_off_exchange,
                           b.trust_operator, b.misreport_propensity, self.streams["init_users"])
        self.products = Products(self.n_sectors)
        self.operators = [PublicDataOperator(self, key, i) for i, key in enumerate(scenario.operators)]
        self.exchanges = [DataExchange(self, key, i) for i, key in enumerate(scenario.exchanges)]
        self.regulator = Regulator(self)
        self.merchants: list[DataMerchant] = []
        self.n_merchants_ever = 0
        self.events = sorted(scenario.timeline, key=lambda e: scenario.month_index(e.date))
        self.records: list[dict[str, float]] = []
        self.profit_history: list[float] = []
        self.expected_product_revenue = 0.0
        self.products_per_merchant = np.zeros(0)
        self.month_loans = 0.0
        self.voucher_spent = 0.0
        self._init_merchants()

    # ---- set-up --------------------------------------------------------------------------

    def _init_domains(self) -> None:
        s = self.params
        self.sectors = list(s.population.users.sector_weights)
        self.n_sectors = len(self.sectors)
        self.domain_ids = list(s.domains)
        n = len(self.domain_ids)
        self.domain_quality = np.array([d.quality for d in s.domains.values()])
        self.domain_status = np.array([d.status for d in s.domains.values()], dtype=object)
        # one extra False at the end, so that domain index -1 (no public input) reads as not important
        self.domain_important = np.array([d.sensitivity == "important" for d in s.domains.values()] + [False])
        self.domain_relevance = np.full((n, self.n_sectors), s.behaviour.default_relevance)
        for i, dom in enumerate(s.domains.values()):
            for sector, r in dom.relevance.items():
                self.domain_relevance[i, self.sectors.index(sector)] = r
        self.domain_operator = np.full(n, -1, dtype=np.int64)
        self.governance_accounts = np.array([self.ledger.open(f"governance:{d}") for d in self.domain_ids], dtype=np.int64)

    def _init_merchants(self) -> None:
        par = self.params.population.merchants
        for _ in range(par.initial_count):
            merchant = self._new_merchant(self.streams["init_merchants"])
            for _ in range(par.initial_products):
                merchant.develop(pay=False)
        self.products_per_merchant = self._count_products()

    def _new_merchant(self, rng: np.random.Generator) -> DataMerchant:
        par = self.params.population.merchants
        weights = np.array(list(self.params.population.users.sector_weights.values()))
        merchant = DataMerchant(
            self, self.n_merchants_ever,
            capability=float(rng.beta(par.capability.a, par.capability.b)),
            honesty=float(rng.beta(par.honesty.a, par.honesty.b)),
            focus=int(rng.choice(self.n_sectors, p=weights / weights.sum())),
            cash=float(rng.exponential(par.initial_cash)),
        )
        self.n_merchants_ever += 1
        self.merchants.append(merchant)
        return merchant

    # ---- helpers shared by agents -----------------------------------------------------------

    @property
    def calendar_month(self) -> int:
        return self.dates[self.t].month

    def domain_usable(self) -> np.ndarray:
        """Domains a merchant can build on: open ones, and authorized ones an operator runs."""
        return (self.domain_status == "open") | (self.domain_operator >= 0)

    def launch_price(self, quality: float, relevance: np.ndarray) -> float:
        """Launch price: a share of the product's value to an average buyer."""
        s = self.params
        weights = np.array(list(s.population.users.sector_weights.values()))
        value = s.behaviour.value_scale * s.population.users.maturity.mean * quality * float(relevance @ weights)
        return max(s.behaviour.initial_price_share * value, s.behaviour.marginal_cost)

    def _count_products(self) -> np.ndarray:
        p = self.products
        mask = p.view("active") & ~p.view("by_operator")
        return np.bincount(p.view("owner")[mask], minlength=self.n_merchants_ever).astype(float)

    # ---- the month ------------------------------------------------------------------------------

    def step(self) -> None:
        """Run one month: every phase of :attr:`PHASES` in order."""
        self.month: dict = {}
        for phase, _ in self.PHASES:
            getattr(self, f"_{phase}")()
        self.t += 1

    def _timeline(self) -> None:
        for event in self.events:
            if self.params.month_index(event.date) != self.t:
                continue
            action = event.action
            if action == "found_operator":
                self._operator(event.found_operator).found()
            elif action == "authorize":
                domains = [self.domain_ids.index(d) for d in event.authorize.domains]
                self._operator(event.authorize.operator).authorize(domains)
            elif action == "open_exchange":
                next(x for x in self.exchanges if x.key == event.open_exchange).open()
            elif action == "start_compliance":
                self.regulator.start()
            elif action == "set":
                self.params = self.params.with_values(event.set)

    def _operator(self, key: str) -> PublicDataOperator:
        return next(op for op in self.operators if op.key == key)

    def _public_supply(self) -> None:
        s = self.params
        for op in self.operators:
            if op.founded:
                op.supply()
        usable = self.domain_status != "restricted"
        if usable.any():
            per_domain = s.policy.fiscal.governance_budget / usable.sum()
            self.ledger.transfer(self.accounts["treasury"], self.governance_accounts[usable], "governance", per_domain)
        spend = self.ledger.balance[self.governance_accounts].copy()
        self.ledger.transfer(self.governance_accounts, self.accounts["economy"], "governance_spend", spend)
        b = s.behaviour
        self.domain_quality = update_quality(self.domain_quality, spend, b.quality_gain, b.governance_half, b.quality_decay)
        p = self.products
        public = np.flatnonzero(p.view("by_operator"))
        p.quality[public] = self.domain_quality[p.domain_a[public]]
        for op in self.operators:
            if op.founded:
                op.set_price()

    def _merchant_supply(self) -> None:
        s = self.params
        par = s.population.merchants
        rng = self.streams["entry"]
        # Entry: Poisson, scaled by recent profit; cultivation raises it, subsidies lower its cost.
        recent = self.profit_history[-3:]
        profit = float(np.mean(recent)) / max(len(self.merchants), 1) if recent else 0.0
        grant = s.policy.cultivation.entry_subsidy
        attractiveness = np.clip(1 + (profit * s.behaviour.payback_months + grant) / par.entry_cost, 0, 3)
        n_new = rng.poisson(par.entry_rate * (1 + s.policy.cultivation.effect) * attractiveness)
        for _ in range(n_new):
            merchant = self._new_merchant(rng)
            self.ledger.transfer(merchant.account, self.accounts["economy"], "development", par.entry_cost)
            self.ledger.transfer(self.accounts["treasury"], merchant.account, "entry_subsidy", grant)
        self.products_per_merchant = self._count_products()
        self.month_loans = 0.0
        self._pay_merchant_costs()
        for index in self.rng.permutation(len(self.merchants)):
            self.merchants[index].supply()

    def _pay_merchant_costs(self) -> None:
        """Every merchant pays its fixed and per-product costs, and interest on its debt."""
        if not self.merchants:
            return
        par = self.params.population.merchants
        accounts = np.array([x.account for x in self.merchants])
        n_active = self.products_per_merchant[[x.index for x in self.merchants]]
        self.ledger.transfer(accounts, self.accounts["economy"], "operating_cost", par.fixed_cost + par.product_upkeep * n_active)
        debt = np.array([x.debt for x in self.merchants])
        rate = self.params.policy.data_assets.interest_rate
        self.ledger.transfer(accounts, self.accounts["bank"], "interest", debt * rate / 12)

    def _listing(self) -> None:
        """Sellers weigh listing (MODEL §6.3 channel): expected extra sales from an exchange's
        reach and trust, net of its fee, against its review cost; exchanges review (§6.5)."""
        open_ex = [x for x in self.exchanges if x.is_open]
        p = self.products
        if not open_ex:
            return
        rng = self.streams["listing"]
        s = self.params
        n = p.n
        merchant_owned = p.view("active") & ~p.view("by_operator")
        consider = merchant_owned & (~p.view("reviewed") | (rng.random(n) < s.behaviour.relist_rate))
        idx = np.flatnonzero(consider)
        if idx.size == 0:
            return
        revenue = np.maximum(p.recent[idx] * p.price[idx], 0.0)
        expected = 0.5 * revenue + 0.5 * self.expected_product_revenue
        taste = np.exp(s.behaviour.listing_noise * p.listing_taste[idx])
        off_keep = 1 - (s.policy.brokers.commission_rate if s.policy.brokers.enabled else 0.0)
        horizon = np.array([x.params.listing_horizon for x in open_ex])
        gains = np.zeros((idx.size, len(open_ex) + 1))  # column 0: off-exchange
        for j, x in enumerate(open_ex):
            sunk = p.channel[idx] == x.index
            gains[:, j + 1] = (
                (x.uplift * (1 - x.params.fee_rate) * taste - off_keep) * expected * horizon[j]
                - np.where(sunk, 0.0, x.review_cost())
            )
        best = np.argmax(gains, axis=1)
        p.reviewed[idx] = True
        stay_off = best == 0
        p.channel[idx[stay_off]] = OFF_EXCHANGE
        p.certified[idx[stay_off]] = False
        for j, x in enumerate(open_ex):
            chosen = idx[(best == j + 1) & (p.channel[idx] != x.index)]
            if chosen.size == 0:
                continue
            self.ledger.transfer(p.account[chosen], x.account, "review_fee", x.review_cost())
            accepted = x.review(p.compliant[chosen])
            p.channel[chosen[accepted]] = x.index
            p.certified[chosen[accepted]] = True
            p.ever_listed[chosen[accepted]] = True
            p.channel[chosen[~accepted]] = OFF_EXCHANGE
            p.certified[chosen[~accepted]] = False

    def _demand(self) -> None:
        s = self.params
        b = s.behaviour
        u, p = self.users, self.products
        rng = self.streams["demand"]
        need = rng.random(u.n) < b.need_rate * (0.5 + u.maturity)
        buyers = np.flatnonzero(need)
        m = buyers.size
        active = p.view("active")
        weights = exposure_weights(p.view("recent"), b.popularity_weight)
        channel = p.view("channel")
        merchant_owned = active & ~p.view("by_operator")
        # Candidate blocks, each with the channel the deal would go through (its "via"). A
        # listed product still sells bilaterally (场内挂牌、场外成交); repeat buyers deal directly.
        blocks, vias = [], []
        off = np.flatnonzero(merchant_owned)
        boost = s.policy.brokers.broker_boost if s.policy.brokers.enabled else 0
        blocks.append(draw_candidates(rng, off, weights[off], m, b.k_off + boost))
        vias.append(OFF_EXCHANGE)
        for x in self.exchanges:
            if not x.is_open:
                continue
            pool = np.flatnonzero(active & (channel == x.index))
            cand = draw_candidates(rng, pool, weights[pool], m, b.k_on + x.params.reach)
            coverage = pool.size / max(off.size, 1)  # a search finds what the catalogue holds
            cand[(rng.random(cand.shape) >= coverage) | ~u.aware[buyers, x.index][:, None]] = -1
            blocks.append(cand)
            vias.append(x.index)
        public = np.flatnonzero(active & (channel == OPERATOR))
        blocks.append(np.broadcast_to(public, (m, public.size)))
        vias.append(OPERATOR)
        last = u.last_product[buyers]
        last = np.where((last >= 0) & active[np.maximum(last, 0)], last, -1)
        blocks.append(last[:, None])
        cand = np.hstack(blocks)
        via = np.concatenate([np.full(blk.shape[1], v) for blk, v in zip(blocks[:-1], vias)])
        via = np.broadcast_to(via, (m, via.size))
        last_via = np.where(channel[np.maximum(last, 0)] == OPERATOR, OPERATOR, OFF_EXCHANGE)
        via = np.hstack([via, last_via[:, None]])
        valid = cand >= 0
        c = np.where(valid, cand, 0)

        # Free-use applications (plan 二.2 有条件无偿): claimants apply when first in need.
        self._free_use_applications(buyers, public.size > 0)
        approved = u.approved_from[buyers] <= self.t

        ch = via
        usability = np.where(ch == OPERATOR, b.raw_data_usability, 1.0)  # raw public data needs processing
        value = (b.value_scale * u.size[buyers] * u.maturity[buyers])[:, None] * p.quality[c] * usability \
            * p.relevance[c, u.sector[buyers][:, None]]
        list_price = p.price[c]
        if self.exchanges:  # sellers pass part of the exchange fee into on-exchange prices
            fee = np.array([x.params.fee_rate for x in self.exchanges])
            list_price = np.where(ch >= 0, list_price * (1 + b.fee_pass_through * fee[np.maximum(ch, 0)]), list_price)
        free = (ch == OPERATOR) & (approved[:, None] | (list_price == 0))  # nothing charged: a free use
        voucher_rate = self._voucher_rate()
        pay = np.where(free, 0.0, list_price) * np.where(ch >= 0, 1 - voucher_rate, 1.0)
        risk_base = np.where(ch == OFF_EXCHANGE, b.risk_off_exchange, np.where(ch == OPERATOR, b.risk_operator, b.risk_exchange))
        if self.exchanges:
            premium = np.array([x.params.trust_premium for x in self.exchanges])
            on = ch >= 0
            risk_base = np.where(on & p.certified[c], risk_base * (1 - premium[np.maximum(ch, 0)]), risk_base)
        trust = u.trust[buyers[:, None], trust_column(ch)]
        risk = value * risk_base * (1 - trust)
        choice = clear(value, pay, risk, u.budget[buyers], valid)

        rows = np.flatnonzero(choice.bought)
        cols = choice.col[rows]
        self.month.update(
            buyers=buyers[rows],
            product=cand[rows, cols],
            via=via[rows, cols],
            list_price=list_price[rows, cols],
            paid=pay[rows, cols],
            free=free[rows, cols],
            value=value[rows, cols],
            surplus=choice.utility[rows],
            misreport=u.misreports[buyers[rows]],
        )

    def _free_use_applications(self, buyers: np.ndarray, service_exists: bool) -> None:
        s = self.params
        u = self.users
        if not service_exists or s.policy.pricing.regime == "free":
            self.month["application_costs"] = 0.0
            return
        claim = u.claims_free_use(s.policy.free_use.free_for_research)[buyers] & ~u.applied[buyers]
        applicants = buyers[claim]
        u.applied[applicants] = True
        caught = u.misreports[applicants] & (
            self.streams["screening"].random(applicants.size) < s.policy.screening.screening_accuracy
        )
        u.approved_from[applicants[~caught]] = self.t + s.policy.free_use.application_delay
        self.month["application_costs"] = applicants.size * s.policy.free_use.application_cost * u.represents

    def _voucher_rate(self) -> float:
        v = self.params.policy.vouchers
        return v.rate if self.voucher_spent < v.budget else 0.0

    def _settlement(self) -> None:
        s = self.params
        mo = self.month
        p = self.products
        rep = self.users.represents
        n = p.n
        product, via = mo["product"], mo["via"]
        gross_tx = np.where(mo["free"], 0.0, mo["list_price"]) * rep
        paid_tx = mo["paid"] * rep
        voucher_tx = gross_tx - paid_tx
        budget_left = max(0.0, s.policy.vouchers.budget - self.voucher_spent)
        if voucher_tx.sum() > budget_left:  # the budget runs out this month: buyers pay the rest
            scale = budget_left / voucher_tx.sum()
            paid_tx = paid_tx + voucher_tx * (1 - scale)
            voucher_tx = voucher_tx * scale
        self.voucher_spent += voucher_tx.sum()
        sellers = p.account[:n]
        self.ledger.transfer(self.accounts["users"], sellers, "sale", np.bincount(product, paid_tx, minlength=n))
        self.ledger.transfer(self.accounts["treasury"], sellers, "voucher", np.bincount(product, voucher_tx, minlength=n))
        for x in self.exchanges:
            on = via == x.index
            fees = np.bincount(product[on], gross_tx[on], minlength=n) * x.params.fee_rate
            self.ledger.transfer(sellers, x.account, "exchange_fee", fees)
        if s.policy.brokers.enabled:
            off = (via == OFF_EXCHANGE) & ~p.by_operator[product]
            commission = np.bincount(product[off], gross_tx[off], minlength=n) * s.policy.brokers.commission_rate
            self.ledger.transfer(sellers, self.accounts["brokers"], "broker_commission", commission)
        gross = np.bincount(product, gross_tx, minlength=n)
        units = np.bincount(product, minlength=n) * rep
        p.month_units[:n] = units
        p.units[:n] += units
        p.units_on_exchange[:n] += np.bincount(product[via >= 0], minlength=n) * rep
        p.revenue[:n] += gross
        mo["gross"], mo["gross_tx"] = gross, gross_tx
        self._operator_revenue(gross)
        merchant_revenue = np.bincount(p.view("owner"), weights=np.where(p.view("by_operator"), 0.0, gross),
                                       minlength=self.n_merchants_ever)
        for merchant in self.merchants:
            merchant.close_month(float(merchant_revenue[merchant.index]))

    def _operator_revenue(self, gross: np.ndarray) -> None:
        """Input licences from merchants, then revenue sharing of operator income (MODEL §6.4)."""
        s = self.params
        p, mo = self.products, self.month
        parts = dict.fromkeys(("operator", "data_providers", "public_services", "contributors"), 0.0)
        mo["licences"] = 0.0
        mo["paid_uses"] = mo["free_uses"] = 0.0
        merchant_owned = p.view("active") & ~p.view("by_operator")
        public_sold = mo["via"] == OPERATOR
        rep = self.users.represents
        for op in self.operators:
            if not op.founded:
                continue
            revenue = {prod: float(gross[prod]) for prod in op.product_of.values()}
            mo["licence_count"] = 0
            licence = op.price * s.policy.pricing.licence_uses
            for d, prod in op.product_of.items():
                users = np.flatnonzero(merchant_owned & ((p.view("domain_a") == d) | (p.view("domain_b") == d)))
                mo["licence_count"] += users.size
                if licence > 0 and users.size:
                    self.ledger.transfer(p.account[users], op.account, "licence", licence)
                    revenue[prod] += licence * users.size
                    mo["licences"] += licence * users.size
            mine = public_sold & (p.owner[mo["product"]] == op.index)
            paid = float(np.sum(mine & ~mo["free"])) * rep
            mo["paid_uses"] += paid
            mo["free_uses"] += float(np.sum(mine & mo["free"])) * rep
            op.adapt_market_price(paid)
            licensed_uses = s.policy.pricing.licence_uses * mo["licence_count"]
            for k, v in op.settle(revenue, paid + licensed_uses).items():
                parts[k] += v
        mo["shares"] = parts

    def _supervision(self) -> None:
        mo = self.month
        mo.update(self.regulator.audit())
        mo["noncompliant"] = float(np.sum(self.products.view("active") & ~self.products.view("compliant")))
        mo["incidents"] = float(self.regulator.incidents())
        exit_after = self.params.population.merchants.exit_after
        severe = self.params.regulator.severe_violations
        leaving = [x for x in self.merchants if x.negative_months >= exit_after or x.violations >= severe]
        if leaving:
            gone = np.zeros(self.n_merchants_ever, dtype=bool)
            gone[[x.index for x in leaving]] = True
            p = self.products
            owned = ~p.view("by_operator") & gone[p.view("owner")]
            p.active[: p.n][owned] = False
            for x in leaving:
                x.remove()
            self.merchants = [x for x in self.merchants if not gone[x.index]]
        mo["exits"] = float(len(leaving))

    def _learning(self) -> None:
        s = self.params
        b = s.behaviour
        u, p, mo = self.users, self.products, self.month
        buyers = mo["buyers"]
        u.maturity[buyers] += b.maturity_gain * (1 - u.maturity[buyers])
        column = trust_column(p.channel[mo["product"]])
        u.trust[buyers, column] += b.trust_gain * (1 - u.trust[buyers, column])
        u.last_product[buyers] = mo["product"]
        u.last_purchase[buyers] = self.t
        for x in self.exchanges:
            x.spread_awareness()
        p.last_sale[mo["product"]] = self.t
        stale = p.view("active") & ~p.view("by_operator") & (self.t - p.view("last_sale") >= b.retire_after)
        p.active[: p.n][stale] = False  # merchants retire products nobody buys
        merchant_owned = np.flatnonzero(p.view("active") & ~p.view("by_operator"))
        p.price[merchant_owned] = adapt_prices(p.price[merchant_owned], p.month_units[merchant_owned],
                                               p.recent[merchant_owned], b.price_adjust, b.marginal_cost)
        n = p.n
        p.recent[:n] = (1 - SMOOTHING) * p.recent[:n] + SMOOTHING * p.month_units[:n]
        gross = mo["gross"]
        if merchant_owned.size:
            self.expected_product_revenue = (
                (1 - SMOOTHING) * self.expected_product_revenue + SMOOTHING * float(gross[merchant_owned].mean())
            )
        bilateral = mo["via"] == OFF_EXCHANGE
        off_gross = np.bincount(mo["product"][bilateral], mo["gross_tx"][bilateral], minlength=n)
        channel = p.view("channel")
        for x in self.exchanges:
            if x.is_open:
                listed = channel == x.index
                x.update_uplift(float(gross[listed].sum()), float(off_gross[listed].sum()))

    def _record(self) -> None:
        record = MonthRecord.build(self)
        self.records.append(record)
        self.profit_history.append(record["merchant_profit"])

    # ---- running ----------------------------------------------------------------------------

    def run(self) -> DataMarketModel:
        """Run every month of the calendar."""
        while self.t < len(self.dates):
            self.step()
        return self
