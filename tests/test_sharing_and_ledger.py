"""Revenue sharing identity (MODEL §6.4), the ledger (§6.8), quality (§6.1) and random streams."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.ledger import Ledger
from sim.quality import update_quality
from sim.scenario import RevenueSharing
from sim.sharing import split_revenue
from sim.streams import Streams


@given(
    revenue=st.lists(st.floats(0, 1e7, allow_nan=False), min_size=1, max_size=20),
    weights=st.lists(st.floats(0.01, 1), min_size=4, max_size=4),
)
def test_shares_add_up_and_match_their_fractions(revenue, weights):
    w = np.array(weights) / sum(weights)
    shares = RevenueSharing(operator=1 - w[1:].sum(), data_providers=w[1], public_services=w[2], contributors=w[3])
    parts = split_revenue(np.array(revenue), shares)
    total = parts["operator"] + parts["data_providers"] + parts["public_services"] + parts["contributors"]
    np.testing.assert_allclose(total, revenue, rtol=0, atol=1e-6)
    for k in ("data_providers", "public_services", "contributors"):
        np.testing.assert_allclose(parts[k], np.array(revenue) * getattr(shares, k), atol=1e-6)


def test_ledger_moves_money_and_aggregates_by_payer_payee_kind():
    ledger = Ledger()
    a, b, c = (ledger.open(n) for n in "abc")
    ledger.transfer(a, b, "sale", 5.0)
    ledger.transfer(a, [b, c], "sale", [1.0, 2.0])
    ledger.transfer(c, a, "penalty", 0.5)
    by_kind, imbalance = ledger.close_month()
    assert ledger.balance[[a, b, c]].tolist() == [-7.5, 6.0, 1.5]
    assert by_kind["sale"] == 8.0 and by_kind["penalty"] == 0.5
    assert imbalance == 0.0
    month = ledger.months[-1]
    rows = {(int(p), int(q)): amt for p, q, amt in zip(month["payer"], month["payee"], month["amount"])}
    assert rows[(a, b)] == 6.0  # the two a→b sales are one aggregated flow
    assert ledger.close_month()[0]["sale"] == 0.0  # a new month starts empty


def test_ledger_refuses_negative_or_nan_transfers():
    ledger = Ledger()
    a, b = ledger.open("a"), ledger.open("b")
    with pytest.raises(ValueError, match="sale"):
        ledger.transfer(a, b, "sale", -1.0)
    with pytest.raises(ValueError):
        ledger.transfer(a, b, "sale", float("nan"))


def test_ledger_imbalance_reveals_money_created_outside_transfers():
    ledger = Ledger()
    a = ledger.open("a")
    ledger.balance[a] += 3.0  # a bug that creates money
    assert ledger.close_month()[1] == 3.0


def test_governance_raises_quality_with_diminishing_returns():
    q = np.array([0.5, 0.5, 0.5])
    out = update_quality(q, np.array([0.0, 20.0, 200.0]), gain=0.1, half=20.0, decay=0.01)
    np.testing.assert_allclose(out, [0.495, 0.5 + 0.1 * 0.5 * 0.5 - 0.005, 0.5 + 0.1 * (200 / 220) * 0.5 - 0.005])
    assert out[0] < q[0] < out[1] < out[2]


def test_named_streams_are_reproducible_and_independent():
    a, b = Streams(7), Streams(7)
    assert a["demand"].random() == b["demand"].random()
    # drawing from one stream does not shift another
    a["entry"].random(1000)
    assert a["listing"].random() == b["listing"].random()
    assert Streams(7)["demand"].random() != Streams(8)["demand"].random()
    assert Streams(7)["demand"].random() != Streams(7)["entry"].random()
    with pytest.raises(ValueError, match="seed"):
        Streams(-1)

