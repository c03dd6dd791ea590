"""Random streams: per-month, per-slot draws (common random numbers that survive policy changes)."""

import numpy as np

from sim import Scenario, demand, run
from sim.model import DataMarketModel
from sim.streams import Streams, pick, pick_distinct, poisson

SMALL = {"population.users.count": 1000, "population.users.represents": 1000}


def test_a_slot_draw_does_not_depend_on_which_other_slots_are_drawn():
    s = Streams(5)
    every = s.slots("need", 3, np.arange(1000))
    some = s.slots("need", 3, np.array([999, 7, 500]))
    assert some.tolist() == every[[999, 7, 500]].tolist()
    # more columns per slot (e.g. more candidates per buyer) leave the first ones as they were
    narrow, wide = s.slots("cand", 3, np.arange(50), 2), s.slots("cand", 3, np.arange(50), 6)
    assert (wide[:, :2] == narrow).all()
    # re-keyed by month, name and seed
    assert not np.isclose(every, s.slots("need", 4, np.arange(1000))).any()
    assert not np.isclose(every, s.slots("needs", 3, np.arange(1000))).any()
    assert not np.isclose(every, Streams(6).slots("need", 3, np.arange(1000))).any()


def test_slot_uniforms_are_uniform_and_independent_across_slots_and_columns():
    u = Streams(1).slots("x", 0, np.arange(100_000), 2)
    assert (u > 0).all() and (u < 1).all()
    assert abs(u.mean() - 0.5) < 0.005 and abs(u.var() - 1 / 12) < 0.002
    assert abs(np.corrcoef(u[:, 0], u[:, 1])[0, 1]) < 0.02
    assert abs(np.corrcoef(u[:-1, 0], u[1:, 0])[0, 1]) < 0.02
    counts = np.bincount((u[:, 0] * 10).astype(int), minlength=10)
    assert ((counts > 9_500) & (counts < 10_500)).all()


def test_everyone_gives_slot_i_the_same_draw_whatever_the_number_of_slots():
    month = Streams(2).month(7)
    assert month.everyone("awareness:0", 10).tolist() == month.everyone("awareness:0", 1000)[:10].tolist()
    assert month.generator("entry").random() == Streams(2).generator("entry", 7).random()
    assert Streams(2).month(8).everyone("awareness:0", 10).tolist() != month.everyone("awareness:0", 10).tolist()


def test_inverse_cdf_choices_follow_their_probabilities():
    rng = np.random.default_rng(0)
    p = np.array([0.1, 0.0, 0.6, 0.3])
    picks = np.array([pick(p * 7, x) for x in rng.random(20_000)])  # unnormalised weights
    np.testing.assert_allclose(np.bincount(picks, minlength=4) / picks.size, p, atol=0.015)
    pool = np.array([10, 20, 30, 40])
    pairs = np.array([pick_distinct(pool, p, rng.random(2)) for _ in range(20_000)])
    assert (pairs[:, 0] != pairs[:, 1]).all() and not (pairs == 20).any()
    # the second pick follows the remaining weights: P(first 30, second 40) = 0.6 × 0.3 / 0.4
    assert abs(np.mean((pairs[:, 0] == 30) & (pairs[:, 1] == 40)) - 0.6 * 0.3 / 0.4) < 0.015


def test_poisson_quantile_has_the_right_mean_and_never_falls_as_the_mean_rises():
    u = np.random.default_rng(1).random(20_000)
    for mean in (0.3, 4.0, 40.0, 900.0):
        counts = np.array([poisson(mean, x) for x in u])
        assert abs(counts.mean() - mean) < 0.05 * mean + 0.02
        assert abs(counts.var() - mean) < 0.1 * mean + 0.05
    assert all(poisson(2.0, x) <= poisson(2.2, x) for x in u[:2000])
    assert poisson(0.0, 0.99) == 0


def _first_month_buyers(scenario: Scenario, seed: int, monkeypatch) -> np.ndarray:
    seen = []
    real = demand.needs

    def recording(*args, **kwargs):
        seen.append(real(*args, **kwargs))
        return seen[-1]

    monkeypatch.setattr(demand, "needs", recording)
    model = DataMarketModel(scenario, seed)
    model.step()
    monkeypatch.undo()
    return seen[0]


def test_adding_a_merchant_or_an_exchange_leaves_every_users_need_draws_unchanged(monkeypatch):
    base = Scenario.load("scenarios/wuhan_2023_2025.yaml", overrides=SMALL)
    more_merchants = base.with_values({"population.merchants.initial_count": base.population.merchants.initial_count + 1})
    tree = base.model_dump()
    tree["exchanges"]["third_exchange"] = tree["exchanges"]["regional_exchange"]
    tree["timeline"].append({"id": "open_third", "date": "2023-01", "open_exchange": "third_exchange"})
    more_exchanges = Scenario.from_dict(tree)
    for seed in (0, 1):
        buyers = _first_month_buyers(base, seed, monkeypatch)
        assert buyers.size > 0
        for other in (more_merchants, more_exchanges):
            assert _first_month_buyers(other, seed, monkeypatch).tolist() == buyers.tolist()
        # and every user's need draw in a later month is the same in any scenario: it is keyed by
        # (seed, "need", month, user) only
        a = DataMarketModel(base, seed).streams.month(20).everyone("need", 1000)
        b = DataMarketModel(more_exchanges, seed).streams.month(20).everyone("need", 1000)
        assert a.tolist() == b.tolist()


def test_an_added_merchant_leaves_the_others_traits_and_first_products_unchanged():
    base = Scenario.load("scenarios/wuhan_2023_2025.yaml", overrides=SMALL)
    n = base.population.merchants.initial_count
    a = DataMarketModel(base, 4)
    b = DataMarketModel(base.with_values({"population.merchants.initial_count": n + 1}), 4)
    traits = [[(x.capability, x.honesty, x.focus, x.cash) for x in list(m.merchants)[:n]] for m in (a, b)]
    assert traits[0] == traits[1]
    first = a.products.n  # the founders' products, made in order of the founders
    assert first > 0 and b.products.n > first
    for field in ("owner", "quality", "compliant", "listing_taste", "domain_a"):
        assert (getattr(a.products, field)[:first] == getattr(b.products, field)[:first]).all(), field


def test_same_seed_same_run_with_per_slot_draws():
    s = Scenario.load("scenarios/wuhan_2023_2025.yaml", overrides=SMALL)
    a, b = run(s, 9, full=False).metrics, run(s, 9, full=False).metrics
    assert a.equals(b)
