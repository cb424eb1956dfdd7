"""Input validation shared by generators, samplers and transformers."""

import pandas as pd
from sklearn.utils.validation import validate_data

__all__ = ["validate_table"]


def validate_table(estimator, X, y=None, *, reset, ensure_min_samples=1):
    """Run sklearn's ``validate_data`` on a mixed-type table, keeping ``X``.

    It gives sklearn's messages (empty data, sparse input, complex numbers, 1-D
    input, inf in numeric arrays) and sets or checks ``n_features_in_`` and
    ``feature_names_in_``. Column names that are not all strings (any hashable
    is allowed in sksynth) are checked positionally instead.
    """
    checked = X
    if isinstance(X, pd.DataFrame) and not all(isinstance(c, str) for c in X.columns):
        checked = X.set_axis(range(X.shape[1]), axis=1)
    kwargs = {
        "reset": reset,
        "dtype": None,
        "ensure_all_finite": False,
        "accept_sparse": False,
        "ensure_min_samples": ensure_min_samples,
    }
    if y is None:
        validate_data(estimator, checked, **kwargs)
    else:
        validate_data(estimator, checked, y, y_numeric=False, **kwargs)
    if checked is not X and reset and hasattr(estimator, "feature_names_in_"):
        del estimator.feature_names_in_
