"""Scale invariance: more agents each standing for fewer firms describe the same city."""

import numpy as np

from sim import Scenario, run

from conftest import BASELINE


def test_city_gmv_does_not_depend_on_the_number_of_agents():
    def gmv(count, represents):
        s = Scenario.load(BASELINE, overrides={"population.users.count": count, "population.users.represents": represents})
        return np.mean([run(s, seed=seed).metrics.gmv_total.sum() for seed in range(4)])

    coarse, fine = gmv(10_000, 100), gmv(20_000, 50)
    assert abs(coarse / fine - 1) < 0.10
