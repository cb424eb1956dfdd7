"""Built-in mixed-type data, made on the fly (nothing is downloaded)."""

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

__all__ = ["make_mixed_classification"]

_REGIONS = np.array(["north", "south", "east", "west"])
_PLANS = np.array(["basic", "plus", "premium"])


def make_mixed_classification(
    n_samples=1000, *, weights=(0.9,), missing_rate=0.05, random_state=None
):
    """A mixed-type, imbalanced binary classification table.

    Columns: ``age`` (integer), ``income`` (continuous, skewed), ``balance``
    (continuous with a point mass at 0 and missing values), ``n_products``
    (small integer count), ``region`` (4 categories, ``str``), ``plan`` (3
    ordered levels, pandas ``category``) and ``active`` (bool). The label
    ``churn`` depends on all of them non-linearly.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of rows.
    weights : sequence of one float, default=(0.9,)
        Share of the majority class (0); the rest is class 1.
    missing_rate : float, default=0.05
        Share of missing values in ``balance``.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    X : DataFrame of shape (n_samples, 7)
    y : Series of shape (n_samples,)
        Named ``churn``, values 0 and 1.

    Examples
    --------
    >>> from sksynth.datasets import make_mixed_classification
    >>> X, y = make_mixed_classification(200, random_state=0)
    >>> X.dtypes.astype(str).tolist()
    ['int64', 'float64', 'float64', 'int64', 'str', 'category', 'bool']
    >>> int(y.sum())
    20
    """
    rng = check_random_state(random_state)
    n = int(n_samples)
    age = rng.randint(18, 80, size=n)
    income = np.round(np.exp(rng.normal(10.3 + 0.01 * (age - 40), 0.5, size=n)), 2)
    has_balance = rng.uniform(size=n) < 0.6
    balance = np.where(has_balance, np.round(rng.gamma(2.0, income / 20), 2), 0.0)
    balance[rng.uniform(size=n) < missing_rate] = np.nan
    n_products = np.minimum(rng.poisson(1.0 + (age > 50), size=n) + 1, 6)
    region = _REGIONS[rng.choice(4, size=n, p=[0.4, 0.3, 0.2, 0.1])]
    plan_idx = np.clip(
        (income > 30000).astype(int) + rng.binomial(1, 0.3, size=n), 0, 2
    )
    plan = pd.Categorical.from_codes(
        plan_idx, dtype=pd.CategoricalDtype(list(_PLANS), ordered=True)
    )
    active = rng.uniform(size=n) < 0.7
    score = (
        -0.03 * (age - 45)
        + 0.8 * (~active)
        - 0.4 * n_products
        + 0.5 * (region == "south")
        - 0.6 * plan_idx
        + 0.3 * np.nan_to_num(balance == 0)
        + rng.logistic(scale=0.3, size=n)
    )
    minority = max(1, int(round(n * (1 - weights[0]))))
    y = np.zeros(n, dtype=np.int64)
    y[np.argsort(-score, kind="stable")[:minority]] = 1
    X = pd.DataFrame(
        {
            "age": age.astype(np.int64),
            "income": income,
            "balance": balance,
            "n_products": n_products.astype(np.int64),
            "region": pd.array(region, dtype="str"),
            "plan": plan,
            "active": active,
        }
    )
    return X, pd.Series(y, name="churn")
