"""Domains and the populations change only through their methods; each method on tiny inputs."""

import numpy as np
from types import SimpleNamespace

from sim.domains import Domains
from sim.population import OFF_EXCHANGE, Products, Users


def _domains():
    d = lambda status, sens="general", q=0.5, rel=None: SimpleNamespace(  # noqa: E731
        quality=q, status=status, sensitivity=sens, relevance=rel or {})
    spec = {"weather": d("open", rel={"b": 0.9}), "health": d("authorized", "important"), "police": d("restricted")}
    return Domains(spec, ["a", "b"], 0.1, np.array([7, 8, 9]))


def test_domains_usable_only_when_open_or_operated():
    d = _domains()
    assert d.usable().tolist() == [True, False, False]
    d.authorize(1, operator=0)
    assert d.usable().tolist() == [True, True, False]
    assert d.unrestricted().tolist() == [True, True, False]
    np.testing.assert_allclose(d.relevance, [[0.1, 0.9], [0.1, 0.1], [0.1, 0.1]])


def test_importance_reads_no_input_as_not_important():
    d = _domains()
    assert d.touches_important(np.array([0, 0, -1]), np.array([-1, 1, -1])).tolist() == [False, True, False]


def test_governance_raises_quality_of_funded_domains():
    d = _domains()
    d.govern(np.array([10.0, 0.0, 0.0]), gain=0.1, half=10.0, decay=0.0)
    np.testing.assert_allclose(d.quality, [0.5 + 0.1 * 0.5 * 0.5, 0.5, 0.5])


def _users(n=4):
    params = SimpleNamespace(count=n, represents=1.0, sector_weights={"a": 1.0}, size_sigma=0.0,
                             maturity=SimpleNamespace(a=1.0, b=1.0), public_interest_share=0.5, research_share=0.0,
                             budget_multiple=1.0)
    return Users(params, ["a"], 1, 0.5, 0.6, 1.0, np.random.default_rng(0))


def test_free_use_applications_once_and_screening_catches_misreports():
    u = _users(200)
    buyers = np.arange(200)
    n = u.apply_for_free_use(buyers, False, np.random.default_rng(1).random(200), screening_accuracy=1.0,
                             approved_from=3)
    claimants = u.claims_free_use(False)
    assert n == claimants.sum() and u.applied[claimants].all()
    honest = claimants & ~u.misreports
    assert (u.approved_from[honest] == 3).all() and (u.approved_from[u.misreports] > 3).all()
    assert u.apply_for_free_use(buyers, False, np.random.default_rng(1).random(200), 1.0, 5) == 0  # never twice


def test_trust_and_awareness_change_through_methods():
    u = _users()
    u.meet_exchange(0, np.array([True, False, False, False]), trust=0.4)
    assert u.aware[:, 0].tolist() == [True, False, False, False] and (u.trust[:, 2] == 0.4).all()
    u.hear_of_exchange(0, np.array([False, True, False, False]))
    assert u.aware[:, 0].sum() == 2
    u.shock_trust(2, 0.5)
    assert (u.trust[:, 2] == 0.2).all() and (u.trust[:, 0] == 0.5).all()
    u.learn_from_purchases(np.array([1]), np.array([5]), np.array([0]), month=7, maturity_gain=0.5, trust_gain=0.5)
    assert u.trust[1, 0] == 0.75 and u.last_product[1] == 5 and u.last_purchase[1] == 7


def test_products_listing_sales_and_deactivation():
    p = Products(1)
    for _ in range(3):
        p.add(owner=0, by_operator=False, account=0, domains=(-1, -1), channel=OFF_EXCHANGE, quality=0.5, price=1.0,
              compliant=False, created=0, listing_taste=0.0, relevance=np.array([1.0]))
    p.list_on(np.array([0, 1]), 0)
    p.keep_off_exchange(np.array([1]))
    assert p.view("channel").tolist() == [0, OFF_EXCHANGE, OFF_EXCHANGE]
    assert p.view("ever_listed").tolist() == [True, True, False] and p.view("certified").tolist() == [True, False, False]
    p.record_sales(np.array([2.0, 0, 0]), np.array([2.0, 0, 0]), np.array([5.0, 0, 0]))
    p.smooth_sales(0.5)
    assert p.view("recent").tolist() == [1.0, 0, 0] and p.revenue[0] == 5.0
    p.restore_compliance(2, illicit_quality_bonus=0.25)
    assert p.compliant[2] and p.quality[2] == 0.4
    p.deactivate(np.array([0]))
    assert p.merchant_owned().tolist() == [False, True, True]


def test_usable_domains_are_the_open_ones_and_those_an_operator_runs():
    rng = np.random.default_rng(0)
    spec = {f"d{i}": SimpleNamespace(quality=q, status="open" if i % 4 else "authorized", sensitivity="general",
                                     relevance={"a": r}) for i, (q, r) in enumerate(zip(rng.random(13), rng.random(13)))}
    d = Domains(spec, ["a", "b", "c"], 0.2, np.arange(13))
    assert np.flatnonzero(d.usable()).tolist() == [i for i in range(13) if i % 4]
    d.authorize(0, operator=0)
    assert np.flatnonzero(d.usable()).tolist() == [0] + [i for i in range(13) if i % 4]
