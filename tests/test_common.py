"""All three check suites over every public estimator of sksynth."""

import pytest
from imblearn.utils.estimator_checks import (
    parametrize_with_checks as imblearn_parametrize_with_checks,
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
