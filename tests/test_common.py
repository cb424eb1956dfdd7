"""All three check suites over every public estimator of sksynth.

Besides the checks ``parametrize_with_checks`` yields, scikit-learn has opt-in
checks that its own ``sklearn/tests/test_common.py`` runs separately (parameter
validation, ``set_output``, ``get_feature_names_out``, column-name
consistency); they run here as well, called the same way.
"""

import warnings

import pytest
from imblearn.utils.estimator_checks import (
    parametrize_with_checks as imblearn_parametrize_with_checks,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._testing import ignore_warnings
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_get_feature_names_out_error,
    check_global_output_transform_pandas,
    check_param_validation,
    check_set_output_transform,
    check_set_output_transform_pandas,
    check_transformer_get_feature_names_out,
    check_transformer_get_feature_names_out_pandas,
)
from sklearn.utils.estimator_checks import (
    parametrize_with_checks as sklearn_parametrize_with_checks,
)

from sksynth.utils import all_estimators
from sksynth.utils.estimator_checks import (
    parametrize_with_checks as sksynth_parametrize_with_checks,
)

# Checks that cannot apply to every estimator of a kind, with the reason.
COMMON_XFAIL = {}


def _instances(type_filter):
    out = []
    for _, cls in all_estimators(type_filter):
        params = cls._test_params() if hasattr(cls, "_test_params") else {}
        out.append(cls(**params))
    return out


def _xfails(estimator):
    xfail = dict(COMMON_XFAIL)
    if hasattr(type(estimator), "_xfail_checks"):
        xfail.update(type(estimator)._xfail_checks())
    return xfail


ALL = _instances(None)
GENERATORS = _instances("generator")
SAMPLERS = _instances("sampler")
TRANSFORMERS = _instances("transformer")


def test_all_estimators_found():
    names = {type(e).__name__ for e in ALL}
    assert {"GaussianCopulaGenerator", "GenerativeOverSampler", "TableEncoder"} <= names


def test_all_estimator_no_base_class():
    for name, _ in all_estimators():
        assert not name.startswith("Base"), name


@sklearn_parametrize_with_checks(ALL, expected_failed_checks=_xfails)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@imblearn_parametrize_with_checks(SAMPLERS, expected_failed_checks=_xfails)
def test_imblearn_compatible(estimator, check):
    check(estimator)


@sksynth_parametrize_with_checks(GENERATORS, expected_failed_checks=_xfails)
def test_generator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", ALL, ids=lambda e: type(e).__name__)
def test_docstring_has_example(estimator):
    assert "Examples" in (type(estimator).__doc__ or "")


# ------------------------------------------------------------------ opt-in checks
def _opt_in(estimators, checks):
    """``(estimator, check)`` pairs, xfailed only where a reason is written."""
    params = []
    for est in estimators:
        xfail = _xfails(est)
        for check in checks:
            name = check.__name__
            marks = ()
            if name in xfail:
                marks = pytest.mark.xfail(reason=xfail[name], strict=True)
            params.append(
                pytest.param(
                    est, check, marks=marks, id=f"{type(est).__name__}-{name}"
                )
            )
    return params


def _has(method):
    return lambda estimators: [e for e in estimators if hasattr(e, method)]


OPT_IN = [
    # sklearn's test_check_param_validation: every public estimator
    *_opt_in(ALL, [check_param_validation]),
    # test_pandas_column_name_consistency: every public estimator
    *_opt_in(ALL, [check_dataframe_column_names_consistency]),
    # test_estimators_get_feature_names_out_error
    *_opt_in(_has("get_feature_names_out")(ALL), [check_get_feature_names_out_error]),
    # test_transformers_get_feature_names_out
    *_opt_in(
        TRANSFORMERS,
        [
            check_transformer_get_feature_names_out,
            check_transformer_get_feature_names_out_pandas,
        ],
    ),
    # test_set_output_transform and test_set_output_transform_configured
    *_opt_in(
        _has("set_output")(TRANSFORMERS),
        [
            check_set_output_transform,
            check_set_output_transform_pandas,
            check_global_output_transform_pandas,
        ],
    ),
]


def test_opt_in_checks_cover_every_estimator():
    checked = {type(p.values[0]).__name__ for p in OPT_IN}
    assert checked == {type(e).__name__ for e in ALL}
    names = {p.values[1].__name__ for p in OPT_IN if type(p.values[0]) in {
        type(e) for e in TRANSFORMERS}}
    assert len(names) == 8, names


@pytest.mark.parametrize("estimator, check", OPT_IN)
def test_sklearn_opt_in_checks(estimator, check):
    name = type(estimator).__name__
    with ignore_warnings(category=(FutureWarning, ConvergenceWarning)):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            check(name, estimator)
    if check is check_dataframe_column_names_consistency:
        # as sklearn's test_pandas_column_name_consistency
        for warning in record:
            assert "was fitted without feature names" not in str(warning.message)
