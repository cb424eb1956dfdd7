"""Input validation shared by generators, samplers and transformers."""

import pandas as pd
from sklearn.utils.validation import validate_data

__all__ = ["validate_table"]


def validate_table(estimator, X, y=None, *, reset, ensure_min_samples=1):
    """Run sklearn's ``validate_data`` on a mixed-type table, keeping ``X``.

    Arrays get sklearn's full checks and messages (empty data, sparse input,
    complex numbers, 1-D input). DataFrames, whose columns may mix types
    (strings, datetimes, categories) that one numpy array cannot hold, get the
    same bookkeeping (``n_features_in_``, ``feature_names_in_``, consistent
    columns) and the emptiness checks; their cells are checked column by column
    by :class:`~sksynth.preprocessing.TableSchema`. Column names that are not
    all strings (any hashable is allowed in sksynth) are checked positionally.
    """
    if isinstance(X, pd.DataFrame):
        n, p = X.shape
        if n < ensure_min_samples:
            raise ValueError(
                f"Found array with {n} sample(s) (shape={X.shape}) while a minimum "
                f"of {ensure_min_samples} is required."
            )
        if p == 0:
            raise ValueError(
                f"Found array with 0 feature(s) (shape={X.shape}) while a minimum "
                "of 1 is required."
            )
        if y is not None and len(y) != n:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: "
                f"[{n}, {len(y)}]"
            )
        checked = X
        if not all(isinstance(c, str) for c in X.columns):
            checked = X.set_axis(range(p), axis=1)
        validate_data(estimator, checked, reset=reset, skip_check_array=True)
        if checked is not X and reset and hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
        return
    kwargs = {
        "reset": reset,
        "dtype": None,
        "ensure_all_finite": False,
        "accept_sparse": False,
        "ensure_min_samples": ensure_min_samples,
    }
    if y is None:
        validate_data(estimator, X, **kwargs)
    else:
        validate_data(estimator, X, y, y_numeric=False, **kwargs)
