import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def mixed_frame():
    """A mixed table: correlated numerics, a skewed column, categories, NaN."""
    rng = np.random.RandomState(0)
    n = 40_000
    a = rng.normal(size=n)
    b = 0.6 * a + 0.8 * rng.normal(size=n)
    gain = np.where(rng.uniform(size=n) < 0.8, 0.0, rng.exponential(1000, n))
    plan = np.where(a + rng.normal(size=n) > 0, "gold", "basic")
    region = rng.choice(["n", "s", "e", "w"], size=n, p=[0.4, 0.3, 0.2, 0.1])
    age = np.clip(40 + 12 * b, 18, 90).round().astype(np.int64)
    income = np.exp(10 + 0.5 * a + 0.3 * rng.normal(size=n))
    income[rng.uniform(size=n) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "a": a,
            "b": b,
            "gain": gain,
            "plan": plan,
            "region": region,
            "age": age,
            "income": income,
        }
    )


@pytest.fixture(scope="module")
def local_cluster():
    distributed = pytest.importorskip("distributed")

    def start(n_workers):
        return distributed.LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=False,
            dashboard_address=None,
        )

    return start
