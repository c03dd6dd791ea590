"""The data-element market model: state, and the month's schedule as named phases (MODEL §3).

This is the one module that assembles the model: the pure economics (``sim.demand``,
``sim.listing``, ``sim.settlement``, ``sim.clearing``, ``sim.pricing``, ``sim.sharing``,
``sim.ledger``), the arrays of the many (``sim.population``, ``sim.domains``) and the Mesa
agents of the few (``agents``). Each phase is a short list of calls and returns a typed
outcome; the month's metrics row is built from those outcomes (``sim.metrics``) and collected
by a Mesa ``DataCollector``. Printing ``DataMarketModel.PHASES`` gives the month's order.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import mesa
from mesa.agent import AgentSet
import numpy as np

from agents import DataExchange, DataMerchant, PublicDataOperator, Regulator
from sim import catalog, demand, settlement
from sim.calendar import month_dates
from sim.domains import Domains
from sim.errors import DataMarketError
from sim.ledger import Ledger
from sim.listing import choose_channels
from sim.metrics import NAMES, Month, Supervision, month_row
from sim.population import OFF_EXCHANGE, OPERATOR, Products, Users, trust_column
from sim.scenario import Scenario
from sim.settlement import OperatorIncome
from sim.streams import Streams

# Parameters in force after a timeline ``set`` event, by (scenario digest, event number): each
# is validated once per scenario and process, not once per run (see ``_timeline``).
_AFTER_SET: dict[tuple[str, int], Scenario] = {}

ACCOUNTS = ("treasury", "users", "investors", "economy", "bank", "public_service_fund", "contributor_pool", "brokers")


class SimulationFinished(DataMarketError, RuntimeError):
    """``step()`` was called after the scenario's last month."""


def load_scenario(scenario: Scenario | str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """A scenario object, a catalogue name (``"wuhan_2023_2025"``) or a YAML path, with
    ``{"dotted.path": value}`` overrides applied and validated."""
    if isinstance(scenario, Scenario):
        return scenario.with_values(overrides) if overrides else scenario
    path = scenario if isinstance(scenario, Path) else catalog.resolve(str(scenario))
    return Scenario.load(path, overrides=overrides or None)


class DataMarketModel(mesa.Model):
    """One run of a scenario with one seed; one :meth:`step` per month until ``running`` is False.

    Args:
        scenario: a :class:`Scenario`, a catalogue name or a YAML path.
        seed: root of the run's named random streams (:class:`sim.streams.Streams`).
        **overrides: dotted parameter names and values, e.g. ``**{"policy.pricing.regime": "free"}``.

    ``mesa.batch_run(DataMarketModel, parameters={"scenario": "small", "seed": [1, 2]}, ...)``
    works: the data collector's model reporters are the metrics of :data:`sim.metrics.METRICS`.
    """

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

    def __init__(self, scenario: Scenario | str | Path, seed: int = 0, **overrides: Any):
        scenario = load_scenario(scenario, overrides)
        self.streams = Streams(seed)
        super().__init__(rng=int(self.streams["mesa"].integers(2**31)))
        self.scenario = scenario
        self.params = scenario  # the parameters in force: timeline ``set`` events replace them
        self.digest = scenario.digest()
        self.dates: list[dt.date] = month_dates(scenario.calendar.start, scenario.n_months)
        self.ledger = Ledger()
        self.accounts = {name: self.ledger.open(name) for name in ACCOUNTS}
        b = scenario.behaviour
        self.sectors = list(scenario.population.users.sector_weights)
        self.sector_weights = np.array(list(scenario.population.users.sector_weights.values()), dtype=float)
        accounts = [self.ledger.open(f"governance:{d}") for d in scenario.domains]
        self.domains = Domains(scenario.domains, self.sectors, b.default_relevance, accounts)
        self.users = Users(scenario.population.users, self.sectors, len(scenario.exchanges), b.trust_off_exchange,
                           b.trust_operator, b.misreport_propensity, self.streams["init_users"])
        self.products = Products(len(self.sectors))
        for i, key in enumerate(scenario.operators):
            PublicDataOperator(self, key, i)
        for i, key in enumerate(scenario.exchanges):
            DataExchange(self, key, i)
        self.regulator = Regulator(self)
        self.n_merchants_ever = 0
        self.events = sorted(scenario.timeline, key=lambda e: scenario.month_index(e.date))
        self.expected_product_revenue = 0.0  # smoothed monthly gross revenue of a merchant product, 万元
        self.voucher_spent = 0.0
        self.row: dict[str, Any] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={name: (lambda m, name=name: m.row[name]) for name in ("date", *NAMES)}
        )
        self._init_merchants()

    # ---- set-up --------------------------------------------------------------------------

    def _init_merchants(self) -> None:
        par = self.params.population.merchants
        founders = [DataMerchant.create(self) for _ in range(par.initial_count)]
        draws = self.streams.slots("initial_products", 0, [x.index for x in founders],
                                   DataMerchant.DRAWS * par.initial_products)
        for merchant, u in zip(founders, draws):
            for j in range(par.initial_products):
                merchant.develop(u[j * DataMerchant.DRAWS:(j + 1) * DataMerchant.DRAWS], pay=False)
        self.products_per_merchant = self._count_products()

    # ---- the agents (Mesa's registry, in order of creation) -------------------------------------

    def _of_type(self, kind: type[mesa.Agent]) -> AgentSet:
        agents = self.agents_by_type.get(kind)
        return agents if agents is not None else AgentSet([], random=self.random)

    @property
    def merchants(self) -> AgentSet:
        """Active data merchants, in order of entry."""
        return self._of_type(DataMerchant)

    @property
    def operators(self) -> AgentSet:
        """Public-data operators, in the scenario's order (their index)."""
        return self._of_type(PublicDataOperator)

    @property
    def exchanges(self) -> AgentSet:
        """Data exchanges, in the scenario's order (their index)."""
        return self._of_type(DataExchange)

    # ---- helpers shared by agents -----------------------------------------------------------

    @property
    def month_index(self) -> int:
        """Index of the month being run (0 = calendar start; 0 also before the first step)."""
        return max(self.steps - 1, 0)

    @property
    def calendar_month(self) -> int:
        return self.dates[self.month_index].month

    def _count_products(self) -> np.ndarray:
        p = self.products
        mask = p.merchant_owned()
        return np.bincount(p.view("owner")[mask], minlength=self.n_merchants_ever).astype(float)

    # ---- the month ------------------------------------------------------------------------------

    def step(self) -> None:
        """Run one month: the phases of :attr:`PHASES`, in order, each handing on its outcome."""
        if self.steps > len(self.dates):
            self.steps -= 1  # Mesa counted the call; the month was not run
            raise SimulationFinished(f"the scenario's {len(self.dates)} months have all been run")
        self._timeline()
        self._public_supply()
        entries, attractiveness, new_products, loans = self._merchant_supply()
        self._listing()
        purchases, application_costs = self._demand()
        money, income = self._settlement(purchases)
        supervision = self._supervision()
        self._learning(purchases, money)
        self._record(Month(purchases=purchases, application_costs=application_costs, settlement=money, income=income,
                           supervision=supervision, loans=loans, entries=entries, attractiveness=attractiveness,
                           products_created=new_products.size,
                           noncompliant_created=int(np.sum(~self.products.compliant[new_products]))))
        self.running = self.steps < len(self.dates)

    def _timeline(self) -> None:
        for number, event in enumerate(self.events):
            if self.params.month_index(event.date) != self.month_index:
                continue
            action = event.action
            if action == "found_operator":
                self._operator(event.found_operator).found()
            elif action == "authorize":
                domains = [self.domains.index(d) for d in event.authorize.domains]
                self._operator(event.authorize.operator).authorize(domains)
            elif action == "open_exchange":
                next(x for x in self.exchanges if x.key == event.open_exchange).open()
            elif action == "start_compliance":
                self.regulator.start()
            elif action == "set":
                self.params = self._after_set(number, event.set)

    def _after_set(self, number: int, values: dict[str, Any]) -> Scenario:
        """The parameters in force after set event ``number``: the same for every run of a
        scenario, so they are validated once per scenario and process."""
        key = (self.digest, number)
        if key not in _AFTER_SET:
            if len(_AFTER_SET) > 256:
                _AFTER_SET.clear()
            _AFTER_SET[key] = self.params.with_values(values)
        return _AFTER_SET[key]

    def _operator(self, key: str) -> PublicDataOperator:
        return next(op for op in self.operators if op.key == key)

    def _public_supply(self) -> None:
        s, d, b = self.params, self.domains, self.params.behaviour
        founded = self.operators.select(lambda op: op.founded)
        founded.do("supply")
        funded = d.unrestricted()
        self._spend_public_service_fund(list(founded), funded)
        if funded.any():
            per_domain = s.policy.fiscal.governance_budget / funded.sum()
            self.ledger.transfer(self.accounts["treasury"], d.accounts[funded], "governance", per_domain)
        spend = self.ledger.balance[d.accounts].copy()
        self.ledger.transfer(d.accounts, self.accounts["economy"], "governance_spend", spend)
        d.govern(spend, b.quality_gain, b.governance_half, b.quality_decay)
        public = np.flatnonzero(self.products.view("by_operator"))
        self.products.set_quality(public, d.quality[self.products.domain_a[public]])
        founded.do("set_price")

    def _spend_public_service_fund(self, operators: list[PublicDataOperator], funded: np.ndarray) -> None:
        """The public-service fund's month (:func:`sim.settlement.fund_spending`, plan 三.5):
        reimburse operators' cost of last month's free uses, then fund governance of the
        non-restricted domains."""
        fund, rule = self.accounts["public_service_fund"], self.params.policy.public_service_fund
        owed = np.array([op.free_use_cost for op in operators])
        reimburse, governance = settlement.fund_spending(float(self.ledger.balance[fund]), owed, rule.spend_rate,
                                                         rule.free_use_cover)
        for op, amount in zip(operators, reimburse.tolist()):
            self.ledger.transfer(fund, op.account, "fund_reimbursement", amount)
            op.reimburse(amount)
        if funded.any():
            self.ledger.transfer(fund, self.domains.accounts[funded], "fund_governance", governance / funded.sum())

    def _merchant_supply(self) -> tuple[int, float, np.ndarray, float]:
        """Entry, costs, then each merchant's own decisions in a random order. Returns the
        entrants, the entry rate's multiplier, the new products and new loans, 万元."""
        attractiveness = DataMerchant.attractiveness(self, self.datacollector.model_vars["merchant_operating_profit"])
        draws = self.streams.month(self.month_index)
        entries = DataMerchant.enter(self, draws.generator("entry"), attractiveness)
        self.products_per_merchant = self._count_products()
        everyone = list(self.merchants)
        DataMerchant.pay_costs(self, everyone, self.products_per_merchant)
        loans = DataMerchant.finance(self, everyone)
        chance = DataMerchant.development_chances(self, everyone, self.products_per_merchant)
        new = DataMerchant.develop_in_turn(everyone, chance, draws.slots("development", [x.index for x in everyone],
                                                                          1 + DataMerchant.DRAWS))
        return entries, attractiveness, new, loans

    def _listing(self) -> None:
        """Sellers weigh listing (MODEL §6.3 channel); exchanges review the applicants (§6.5)."""
        open_ex = [x for x in self.exchanges if x.is_open]
        if not open_ex:
            return
        s = self.params
        off_keep = 1 - (s.policy.brokers.commission_rate if s.policy.brokers.enabled else 0.0)
        relist = self.streams.month(self.month_index).everyone("relisting", self.products.n)
        choice = choose_channels(relist, self.products, [x.venue() for x in open_ex],
                                 self.expected_product_revenue, off_keep, s.behaviour)
        self.products.mark_reviewed(choice.products)
        self.products.keep_off_exchange(choice.staying_off())
        for x in open_ex:
            applicants = choice.applicants(x.index)
            if applicants.size:
                x.review_listings(applicants)

    def _demand(self) -> tuple[demand.Purchases, float]:
        """Needs, free-use applications (plan 二.2 有条件无偿), then shopping. Returns the
        purchases and the users' application costs, 万元."""
        s, u = self.params, self.users
        draws = self.streams.month(self.month_index)
        buyers = demand.needs(draws.everyone("need", u.n), u.maturity, s.behaviour.need_rate, s.behaviour.need_base)
        application_costs = 0.0
        if self.products.on_channel(OPERATOR).size and s.policy.pricing.regime != "free":
            n = u.apply_for_free_use(buyers, s.policy.free_use.free_for_research, draws.slots("screening", buyers),
                                     s.policy.screening.screening_accuracy,
                                     self.month_index + s.policy.free_use.application_delay)
            application_costs = n * s.policy.free_use.application_cost * u.represents
        exchanges = list(self.exchanges)
        venues = demand.Venues(
            open=tuple(x.index for x in exchanges if x.is_open),
            reach=np.array([x.reach for x in exchanges], dtype=np.int64),
            fee_rate=np.array([x.fee_rate for x in exchanges], dtype=float),
            trust_premium=np.array([x.trust_premium for x in exchanges], dtype=float),
        )
        rate = settlement.voucher_rate(s.policy.vouchers.rate, s.policy.vouchers.budget, self.voucher_spent)
        boost = s.policy.brokers.broker_boost if s.policy.brokers.enabled else 0
        approved = u.approved_from[buyers] <= self.month_index
        return demand.shop(draws, buyers, u, self.products, venues, s.behaviour, boost, rate, approved,
                           self.regulator.seller_risk()), application_costs

    def _settlement(self, purchases: demand.Purchases) -> tuple[settlement.Settlement, OperatorIncome]:
        """Payments, vouchers, fees and commissions; operators' licences and revenue sharing;
        merchants close their month."""
        s, p = self.params, self.products
        exchanges = list(self.exchanges)
        money = settlement.settle(
            purchases, p.n, self.users.represents,
            voucher_budget_left=max(0.0, s.policy.vouchers.budget - self.voucher_spent),
            fee_rates=np.array([x.fee_rate for x in exchanges], dtype=float),
            commission_rate=s.policy.brokers.commission_rate if s.policy.brokers.enabled else None,
            by_operator=p.view("by_operator"),
        )
        self.voucher_spent += money.voucher_spend
        money.post(self.ledger, p.account[: p.n], self.accounts["users"], self.accounts["treasury"],
                   [x.account for x in exchanges], self.accounts["brokers"])
        p.record_sales(money.units, money.units_on_exchange, money.gross)
        income = OperatorIncome()
        for op in self.operators:
            income = income + op.close_month(money.gross, purchases, p, self.users.represents)
        kept = DataMerchant.lose_to_imitators(self, money.gross)  # copies' take (Wuxi art. 41)
        revenue = np.bincount(p.view("owner"), weights=np.where(p.view("by_operator"), 0.0, kept),
                              minlength=self.n_merchants_ever)
        DataMerchant.close_month(self, list(self.merchants), revenue)
        return money, income

    def _supervision(self) -> Supervision:
        """Audits and penalties, incidents, then exits."""
        audit = self.regulator.audit()
        p = self.products
        noncompliant = float(np.sum(p.view("active") & ~p.view("compliant")))
        incidents = float(self.regulator.incidents())
        par = self.params
        leaving = DataMerchant.leaving(list(self.merchants), par.population.merchants.exit_after,
                                       par.regulator.severe_violations)
        if leaving:
            DataMerchant.exit(leaving, p)
        return Supervision(audits=audit.audits, violations_detected=audit.violations_detected,
                           penalties=audit.penalties, noncompliant=noncompliant, incidents=incidents,
                           exits=len(leaving), confiscations=audit.confiscations, uncollected=audit.uncollected,
                           largest_fine_share=audit.largest_fine_share,
                           exits_insolvency=sum(x.index in audit.insolvent for x in leaving))

    def _learning(self, purchases: demand.Purchases, money: settlement.Settlement) -> None:
        """Buyers learn, awareness spreads, merchants retire and reprice products, sellers update
        their expectations of product revenue and of each exchange's uplift."""
        b = self.params.behaviour
        u, p = self.users, self.products
        sold = purchases.product
        u.learn_from_purchases(purchases.buyers, sold, trust_column(p.channel[sold]), self.month_index,
                               b.maturity_gain, b.trust_gain)
        u.recover_trust(b.trust_recovery)
        self.exchanges.do("spread_awareness")
        p.mark_sold(sold, self.month_index)
        DataMerchant.retire_and_reprice(p, self.month_index, b)
        p.smooth_sales(b.sales_smoothing)
        merchant_owned = np.flatnonzero(p.merchant_owned())
        if merchant_owned.size:
            w = b.sales_smoothing
            self.expected_product_revenue = (
                (1 - w) * self.expected_product_revenue + w * float(money.gross[merchant_owned].mean())
            )
        bilateral = purchases.via == OFF_EXCHANGE
        off_gross = np.bincount(sold[bilateral], money.gross_tx[bilateral], minlength=p.n)
        channel = p.view("channel")
        for x in self.exchanges:
            if x.is_open:
                listed = channel == x.index
                x.update_uplift(float(money.gross[listed].sum()), float(off_gross[listed].sum()))

    def _record(self, month: Month) -> None:
        self.row = month_row(self, month)
        self.datacollector.collect(self)

    # ---- running ----------------------------------------------------------------------------

    def run(self) -> DataMarketModel:
        """Run every month of the calendar."""
        self.run_model()
        return self
