"""The score audit's two fast paths give what the slow ones gave: quantiles bit for bit, bin replicates in law."""

from __future__ import annotations

import numpy as np
import pytest

from audits._calibration import bin_rate_replicates
from audits._scores import sorted_quantiles


@pytest.mark.parametrize("n", [1, 2, 3, 7, 1_000, 100_001])
def test_sorted_quantiles_are_numpys_bit_for_bit(n: int) -> None:
    rng = np.random.default_rng(n)
    qs = np.linspace(0.0, 1.0, 51)
    for values in (rng.random(n), rng.normal(size=n) * 1e3, rng.integers(0, 5, n).astype(float),
                   np.clip(rng.normal(0.5, 0.3, n), 0, 1)):
        assert np.array_equal(sorted_quantiles(values, qs), np.quantile(values, qs))


def test_bin_rate_replicates_keep_the_binomial_law() -> None:
    rng = np.random.default_rng(1)
    n = np.array([[400, 0, 25], [1, 5_000, 60]])
    ones = np.array([[100, 0, 25], [0, 1_000, 30]])
    cells = np.stack([n - ones, ones], axis=1)  # (G, 2, C)
    reps = bin_rate_replicates(cells, replicates=4_000, rng=rng)
    assert reps.shape == (4_000, 2, 3) and reps.flags.c_contiguous
    assert np.isnan(reps[:, 0, 1]).all() and not np.isnan(reps[:, 1, 1]).any()
    p = ones / np.where(n > 0, n, 1)
    ok = n > 0
    filled = np.where(ok[None], reps, 0.0)
    mean, sd = filled.mean(axis=0), filled.std(axis=0)
    se = np.sqrt(p * (1 - p) / np.where(n > 0, n, 1))
    assert np.all(np.abs(mean - p)[ok] <= 4 * se[ok] / np.sqrt(4_000) + 1e-12)
    assert np.allclose(sd[ok], se[ok], rtol=0.06, atol=1e-12)
    assert (reps[:, 0, 2] == 1.0).all() and (reps[:, 1, 0] == 0.0).all()  # p = 1 and p = 0 stay there
