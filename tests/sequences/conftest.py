import numpy as np
import pandas as pd
import pytest


def make_panel(n_entities=150, seed=0):
    """Irregular daily panel: a group (static) sets the length and the drift."""
    rng = np.random.RandomState(seed)
    rows = []
    for i in range(n_entities):
        grp = rng.choice(["A", "B"])
        n = rng.randint(5, 15) if grp == "A" else rng.randint(15, 30)
        days = np.cumsum(rng.randint(1, 5, size=n))
        t = pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D")
        x = np.cumsum(rng.normal(1 if grp == "A" else -1, 0.3, size=n))
        state = rng.choice(["on", "off"], size=n)
        count = np.where(rng.uniform(size=n) < 0.1, np.nan, rng.poisson(3, size=n))
        for k in range(n):
            rows.append((f"p{i}", t[k], grp, 40 + i % 7, x[k], state[k], count[k]))
    df = pd.DataFrame(
        rows, columns=["pid", "date", "group", "age", "x", "state", "count"]
    )
    df["state"] = df["state"].astype("str")
    return df


@pytest.fixture(scope="session")
def panel():
    return make_panel()
