"""PrivacyFilterGenerator: the post-hoc defence against copies and near copies."""

import numpy as np
import pandas as pd
import pytest

from sksynth.base import BaseGenerator
from sksynth.generators import GaussianCopulaGenerator, PrivacyFilterGenerator
from sksynth.metrics import exact_copy_rate, membership_inference_auc


class _Leaky(BaseGenerator):
    """Half copies of training rows (jittered a little), half copula rows."""

    _parameter_constraints = {"random_state": ["random_state"]}

    def __init__(self, random_state=None):
        self.random_state = random_state

    def _fit(self, Z, random_state):
        self.Z_ = Z
        self.copula_ = GaussianCopulaGenerator(random_state=0)
        self.copula_.fit(self.schema_.decode(Z))
        return self

    def _sample(self, n, conditions, random_state):
        k = n // 2
        copies = self.Z_[random_state.randint(len(self.Z_), size=k)]
        fresh = self.schema_.encode(self.copula_.sample(n - k, random_state=0))
        return np.vstack([copies, fresh])


def _data(n, seed):
    rng = np.random.RandomState(seed)
    return pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n),
            "c": rng.choice(["x", "y", "z"], n),
        }
    )


def test_filter_removes_copies_and_blunts_the_attack():
    train, holdout = _data(400, 0), _data(400, 1)
    leaky = _Leaky(random_state=0).fit(train).sample(400, random_state=0)
    gen = PrivacyFilterGenerator(_Leaky(random_state=0), random_state=0).fit(train)
    filtered = gen.sample(400, random_state=0)
    assert exact_copy_rate(train, leaky) > 0.3
    assert exact_copy_rate(train, filtered) == 0.0
    before = membership_inference_auc(train, leaky, holdout, random_state=0)
    after = membership_inference_auc(train, filtered, holdout, random_state=0)
    assert before > 0.65 and after < 0.55
    assert 0.4 < gen.rejected_share_ < 0.65  # the copies (half) and a few more
    assert list(filtered.columns) == list(train.columns)
    assert (filtered.dtypes == train.dtypes).all()


def test_filter_gives_up_with_a_clear_error():
    train = _data(200, 0)
    gen = PrivacyFilterGenerator(
        _Leaky(random_state=0), quantile=1.0, max_rounds=2, random_state=0
    ).fit(train)
    with pytest.raises(ValueError, match="rows passed the filter after 2 redraws"):
        gen.sample(200)
