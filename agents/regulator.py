"""Regulator (监管部门; plan 六.2): audits, fines within the statutory tiers with tolerance for
first minor violations (包容审慎), incidents, alerts, and the expected penalty merchants weigh
before adding unauthorized personal data (MODEL §6.7).

Two institutions of other cities' regulations live here too (MODEL §6.9): supervision of the
public-data operator itself, whose incidents hit trust in the operator channel (Jinan art. 39),
and the trading credit register, whose reputations aim audits and inform buyers (Shijiazhuang
art. 46)."""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from sim import institutions
from sim.population import OPERATOR, trust_column


@dataclass(frozen=True)
class Audit:
    """The month's audits (万元 for money).

    Args:
        audits: merchants audited.
        violations_detected: non-compliant products found.
        penalties: fines and confiscated gains paid to the treasury.
        confiscations: illegal gains ordered confiscated (the penalised products' revenue).
        uncollected: fines and confiscations merchants could not pay.
        largest_fine_share: the month's largest fine over its tier's cap (0 without fines).
        insolvent: merchants that could not pay in full (they exit).
    """

    audits: float = 0.0
    violations_detected: float = 0.0
    penalties: float = 0.0
    confiscations: float = 0.0
    uncollected: float = 0.0
    largest_fine_share: float = 0.0
    insolvent: frozenset[int] = frozenset()


class Regulator(mesa.Agent):
    def __init__(self, model):
        super().__init__(model)
        self.active = False
        self.alert_until = -1
        self.incident_products: set[int] = set()  # products that caused an incident: a serious violation
        self.found: dict[int, int] = {}  # violations found per merchant index, warned ones included (credit register)
        self.operator_fines_due: list = []  # (operator, fine 万元) for an operator incident, collected next month

    @property
    def params(self):
        return self.model.params.regulator

    def start(self) -> None:
        """The compliance and supervision regime begins (plan 一.(二) 2024 目标)."""
        self.active = True

    def audit_rate(self) -> float:
        rate = self.params.audit_rate
        if self.model.month_index <= self.alert_until:
            rate *= self.params.alert_multiplier
        return min(1.0, rate)

    # ---- the law's fine schedule ------------------------------------------------------------

    def fine_cap(self, serious: bool, turnover: float) -> float:
        """Largest fine, 万元: ``fine_cap_ordinary`` (PIPL art. 66(1)); for a serious violation
        the larger of ``fine_cap_serious`` and ``fine_turnover_share`` of the merchant's
        previous-year turnover (PIPL art. 66(2))."""
        par = self.params
        return max(par.fine_cap_serious, par.fine_turnover_share * turnover) if serious else par.fine_cap_ordinary

    def fine(self, gains: float, serious: bool, turnover: float) -> float:
        """The fine on one violation, 万元: ``penalty_multiple`` × the product's illegal gains, at
        least ``penalty_floor``, at most the tier's cap (:meth:`fine_cap`). Confiscation of the
        gains comes on top (PIPL art. 66 没收违法所得)."""
        par = self.params
        return min(self.fine_cap(serious, turnover), max(par.penalty_floor, par.penalty_multiple * gains))

    def serious(self, products: np.ndarray) -> np.ndarray:
        """Serious violations: the product uses important-level data or caused an incident."""
        p = self.model.products
        important = self.model.domains.touches_important(p.domain_a[products], p.domain_b[products])
        return important | np.isin(products, list(self.incident_products))

    def expected_penalty(self, gains: float, serious: bool, turnover: float, warned: bool, horizon: int) -> float:
        """What a merchant expects to pay for a non-compliant product earning ``gains`` 万元 over
        ``horizon`` months: the chance an audit finds it within the horizon, times confiscation
        plus fine; nothing while supervision is off or a first violation would only be warned."""
        par = self.params
        if not self.active or (par.tolerance_first_minor and not warned):
            return 0.0
        p_caught = 1 - (1 - self.audit_rate() * par.detection_prob) ** horizon
        return p_caught * (gains + self.fine(gains, serious, turnover))

    # ---- the month ----------------------------------------------------------------------------

    def audit(self) -> Audit:
        """Audit a share of active merchants; penalise (or warn) detected non-compliant products.
        A merchant pays what its cash allows; one that cannot pay in full is insolvent."""
        m = self.model
        if not self.active:
            return Audit()
        operator_fines = self._audit_operators()
        if not m.merchants:
            return Audit(penalties=operator_fines)
        draws = m.streams.month(m.month_index)
        merchants = list(m.merchants)
        rate = np.broadcast_to(self._audit_chances(merchants), len(merchants))
        audited = [x for x, u, r in zip(merchants, draws.slots("audit", [x.index for x in merchants]), rate) if u < r]
        products = m.products
        par = self.params
        noncompliant = np.flatnonzero(products.merchant_owned() & ~products.view("compliant"))
        owner = products.owner[noncompliant]
        detection = draws.slots("detection", noncompliant)  # one draw per product, from its slot
        out = {"violations_detected": 0.0, "penalties": 0.0, "confiscations": 0.0, "uncollected": 0.0,
               "largest_fine_share": 0.0}
        insolvent = set()
        for merchant in audited:
            own = owner == merchant.index  # an audit changes only its own merchant's products
            found = noncompliant[own & (detection < par.detection_prob)]
            for product, serious in zip(found.tolist(), self.serious(found).tolist()):
                out["violations_detected"] += 1
                self.found[merchant.index] = self.found.get(merchant.index, 0) + 1
                if par.tolerance_first_minor and merchant.warn():
                    products.restore_compliance(product, m.params.behaviour.illicit_quality_bonus)
                    continue
                gains = float(products.revenue[product])
                cap = self.fine_cap(serious, merchant.last_year_sales)
                fine = self.fine(gains, serious, merchant.last_year_sales)
                unpaid = merchant.pay_penalty(fine + gains)
                out["penalties"] += fine + gains - unpaid
                out["confiscations"] += gains
                out["uncollected"] += unpaid
                out["largest_fine_share"] = max(out["largest_fine_share"], fine / cap if cap > 0 else 1.0)
                if unpaid > 0:
                    insolvent.add(merchant.index)
                products.deactivate(product)
        out["penalties"] += operator_fines
        return Audit(audits=float(len(audited)), insolvent=frozenset(insolvent), **out)

    def incidents(self) -> int:
        """Each active non-compliant product may leak. An incident cuts its recent buyers' trust
        in the channel it is sold on by ``incident_trust_shock`` (so the damage grows with the
        product's sales), everyone's trust in every channel by ``incident_spillover``, makes the
        violation serious, and puts the regulator on alert (plan 六.2 风险预警和应急处置)."""
        m = self.model
        products = m.products
        bad = np.flatnonzero(products.view("active") & ~products.view("compliant"))
        b = m.params.behaviour
        important = m.domains.touches_important(products.domain_a[bad], products.domain_b[bad])
        chance = b.incident_prob * np.where(important, b.important_incident_multiplier, 1.0)
        hit = bad[m.streams.month(m.month_index).slots("incidents", bad) < chance]
        if hit.size:
            users = m.users
            for product, column in zip(hit.tolist(), trust_column(products.channel[hit]).tolist()):
                users.shock_trust(column, 1 - b.incident_trust_shock, users.last_product == product)
            users.shock_trust(None, (1 - b.incident_spillover) ** hit.size)
            self.incident_products.update(hit.tolist())
            self.alert_until = m.month_index + self.params.alert_months
        return int(hit.size) + self._operator_incidents()

    # ---- the operator's own security (Jinan art. 39) -------------------------------------------

    def _audit_operators(self) -> float:
        """Collect the fines of last month's operator incidents, then audit each founded operator with
        chance ``audit_rate``: one whose security spend is below the standard pays ``audit_fine`` (at
        most the ordinary cap, PIPL art. 66(1)) and is ordered up to the standard. Returns the fines, 万元."""
        m = self.model
        fines = 0.0
        for op, fine in self.operator_fines_due:
            op.pay_penalty(fine)
            fines += fine
        self.operator_fines_due = []
        rule = m.params.policy.operator_security
        if not rule.enabled:
            return fines
        draws = m.streams.month(m.month_index)
        for op in m.operators.select(lambda op: op.founded):
            if draws.slots("operator_audits", [op.index])[0] >= rule.audit_rate:
                continue
            if op.security_spending() < rule.security_standard:
                fine = min(rule.audit_fine, self.params.fine_cap_ordinary)
                op.pay_penalty(fine)
                op.order_security_standard()
                fines += fine
        return fines

    def _operator_incidents(self) -> int:
        """Each founded operator may cause an incident (:func:`sim.institutions.operator_incident_chance`
        of the uses it served last and its security spend). An incident cuts the trust in the
        operator channel of the users whose last purchase was one of its services by
        ``incident_trust_shock`` (exposure-based, as a merchant's incident), everyone's trust by
        ``incident_spillover``, puts the regulator on alert and, under supervision, fines the
        operator in the serious tier (PIPL art. 66(2), on its month's revenue, turnover annualised),
        collected at next month's audits."""
        m = self.model
        rule = m.params.policy.operator_security
        if not rule.enabled:
            return 0
        b, users = m.params.behaviour, m.users
        n, draws = 0, m.streams.month(m.month_index)
        for op in m.operators.select(lambda op: op.founded and op.served):
            chance = institutions.operator_incident_chance(op.served[-1], rule.incident_hazard,
                                                           op.security_spending(), rule.security_half)
            if draws.slots("operator_incidents", [op.index])[0] >= chance:
                continue
            n += 1
            exposed = np.isin(users.last_product, list(op.product_of.values()))
            users.shock_trust(int(trust_column(np.array(OPERATOR))), 1 - b.incident_trust_shock, exposed)
            users.shock_trust(None, 1 - b.incident_spillover)
            self.alert_until = m.month_index + self.params.alert_months
            if self.active:
                self.operator_fines_due.append((op, self.fine(op.last_revenue, True, 12 * op.last_revenue)))
        return n

    # ---- the credit register (Shijiazhuang art. 46) --------------------------------------------

    def reputations(self) -> np.ndarray:
        """Each merchant's reputation (by merchant index; :func:`sim.institutions.reputation`) from the
        violations found and its products' cumulative sales."""
        m = self.model
        rule, p = m.params.policy.credit, m.products
        own = ~p.view("by_operator")
        sales = np.bincount(p.view("owner")[own], weights=p.view("revenue")[own], minlength=m.n_merchants_ever)
        violations = np.zeros(m.n_merchants_ever)
        for index, n in self.found.items():
            violations[index] = n
        return institutions.reputation(violations, sales, rule.track_record_sales, rule.violation_weight)

    def _audit_chances(self, merchants: list) -> float | np.ndarray:
        """Audit chance of each merchant: uniform, or risk-based under the credit system."""
        rate = self.audit_rate()
        rule = self.model.params.policy.credit
        if not rule.enabled:
            return rate
        rho = self.reputations()[[x.index for x in merchants]]
        return institutions.audit_chances(rate, rho, rule.audit_targeting)

    def seller_risk(self) -> np.ndarray | None:
        """Multiplier of buyers' perceived risk per product (its seller's public reputation,
        :func:`sim.institutions.risk_factor`); 1 for public-data services; None without the credit system."""
        m = self.model
        rule = m.params.policy.credit
        if not rule.enabled:
            return None
        p = m.products
        factor = institutions.risk_factor(self.reputations(), rule.risk_sensitivity)
        own = ~p.view("by_operator")
        out = np.ones(p.n)
        out[own] = factor[p.view("owner")[own]]
        return out
