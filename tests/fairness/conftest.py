"""Shared pieces of the fairness tests."""

import pytest
from imblearn.pipeline import make_pipeline
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.preprocessing import OrdinalEncoder


@pytest.fixture
def downstream_model():
    """A factory of the classifier the tests train on (resampled) built-in data."""

    def make():
        return make_pipeline(
            make_column_transformer(
                (OrdinalEncoder(), ["region", "plan"]), remainder="passthrough"
            ),
            HistGradientBoostingClassifier(
                max_iter=50, categorical_features=[0, 1], random_state=0
            ),
        )

    return make
