"""Checks that any generator must pass (neither sklearn nor imblearn call ``sample``).

Third-party generators can use them too::

    from sksynth.utils.estimator_checks import parametrize_with_checks

    @parametrize_with_checks([MyGenerator(random_state=0)])
    def test_my_generator(estimator, check):
        check(estimator)
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

__all__ = [
    "check_generator_bad_n_samples",
    "check_generator_conditions",
    "check_generator_dtypes_round_trip",
    "check_generator_not_fitted",
    "check_generator_numpy_input",
    "check_generator_random_state",
    "check_generator_shapes",
    "check_generator_target",
    "generator_checks",
    "parametrize_with_checks",
]


def _mixed_frame(n=120, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=n)
    cat = np.where(x + rng.normal(scale=0.5, size=n) > 0, "high", "low")
    frame = pd.DataFrame(
        {
            "num": x,
            "count": rng.poisson(3, size=n).astype(np.int64),
            "city": pd.array(rng.choice(["Oslo", "Rome", "Lima"], size=n), dtype="str"),
            "level": pd.Categorical(cat, categories=["low", "high", "unused"]),
            "flag": rng.uniform(size=n) < 0.3,
            "with_nan": np.where(
                rng.uniform(size=n) < 0.2, np.nan, rng.gamma(2, size=n)
            ),
        }
    )
    y = pd.Series(np.where(x > 0.5, "yes", "no"), name="target")
    return frame, y


def check_generator_not_fitted(name, generator):
    """``sample`` raises NotFittedError before ``fit``."""
    gen = clone(generator)
    try:
        gen.sample(5)
    except NotFittedError:
        return
    raise AssertionError(f"{name}.sample did not raise NotFittedError before fit.")


def check_generator_shapes(name, generator):
    """``sample(n)`` returns n rows and the fitted columns, in order."""
    X, _ = _mixed_frame()
    gen = clone(generator).fit(X)
    for n in (1, 7, 50):
        out = gen.sample(n, random_state=0)
        assert isinstance(out, pd.DataFrame), f"{name} did not return a DataFrame"
        assert out.shape == (n, X.shape[1]), f"{name}: shape {out.shape} for n={n}"
        assert list(out.columns) == list(X.columns), f"{name}: columns changed"


def check_generator_dtypes_round_trip(name, generator):
    """Dtypes, category sets and value domains survive fit/sample."""
    X, _ = _mixed_frame()
    gen = clone(generator).fit(X)
    out = gen.sample(200, random_state=0)
    assert out.dtypes.equals(X.dtypes), f"{name}: dtypes {out.dtypes} != {X.dtypes}"
    assert list(out["level"].cat.categories) == ["low", "high", "unused"]
    assert set(out["city"].dropna()) <= set(X["city"]), f"{name} invented a category"
    assert np.array_equal(out["count"], np.round(out["count"])), "integers not kept"
    assert out["num"].notna().all(), f"{name} put NaN in a column without NaN"


def check_generator_random_state(name, generator):
    """The same seed gives the same rows; successive unseeded calls differ."""
    X, _ = _mixed_frame()
    gen = clone(generator).fit(X)
    a = gen.sample(30, random_state=1)
    b = gen.sample(30, random_state=1)
    pd.testing.assert_frame_equal(a, b)
    c, d = gen.sample(30), gen.sample(30)
    assert not c.equals(d), f"{name}: two unseeded sample calls gave identical rows"
    params = generator.get_params()
    if "random_state" in params and isinstance(params["random_state"], int):
        e = clone(generator).fit(X).sample(30)
        f = clone(generator).fit(X).sample(30)
        pd.testing.assert_frame_equal(e, f)


def check_generator_bad_n_samples(name, generator):
    """``n_samples`` below 1 or not an integer is refused clearly."""
    X, _ = _mixed_frame()
    gen = clone(generator).fit(X)
    for bad, exc in ((0, ValueError), (-3, ValueError), (2.5, TypeError)):
        try:
            gen.sample(bad)
        except exc as err:
            assert "n_samples" in str(err), f"{name}: unclear message {err}"
            continue
        raise AssertionError(f"{name}.sample({bad!r}) did not raise {exc.__name__}")


def check_generator_conditions(name, generator):
    """Conditions are honoured; unknown columns and unseen values are refused."""
    X, _ = _mixed_frame()
    gen = clone(generator).fit(X)
    out = gen.sample(20, conditions={"city": "Lima"}, random_state=0)
    assert (out["city"] == "Lima").all(), f"{name} broke a condition"
    per_row = pd.DataFrame({"city": ["Rome", "Oslo"] * 5})
    out = gen.sample(10, conditions=per_row, random_state=0)
    assert out["city"].tolist() == per_row["city"].tolist()
    for bad, word in (({"nope": 1}, "nope"), ({"city": "Paris"}, "Paris")):
        try:
            gen.sample(5, conditions=bad)
        except ValueError as err:
            assert word in str(err), f"{name}: message does not name {word}: {err}"
            continue
        raise AssertionError(f"{name} accepted the bad condition {bad}")


def check_generator_target(name, generator):
    """With ``y`` fitted, ``sample`` returns (X, y) and conditions on the target."""
    X, y = _mixed_frame()
    gen = clone(generator).fit(X, y)
    Xs, ys = gen.sample(15, conditions={"target": "yes"}, random_state=0)
    assert isinstance(ys, pd.Series) and ys.name == "target"
    assert len(Xs) == len(ys) == 15 and (ys == "yes").all()
    Xs, ys = gen.sample(5, conditions={"y": "no"}, random_state=0)
    assert (ys == "no").all()


def check_generator_numpy_input(name, generator):
    """Arrays in give arrays out, with the array's dtype."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3))
    y = (X[:, 0] > 0).astype(np.int64)
    gen = clone(generator).fit(X, y)
    Xs, ys = gen.sample(10, random_state=0)
    assert isinstance(Xs, np.ndarray) and Xs.shape == (10, 3) and Xs.dtype == X.dtype
    assert isinstance(ys, np.ndarray) and ys.dtype == y.dtype
    assert set(np.unique(ys)) <= {0, 1}


def generator_checks():
    """The list of sksynth generator checks."""
    return [
        check_generator_not_fitted,
        check_generator_shapes,
        check_generator_dtypes_round_trip,
        check_generator_random_state,
        check_generator_bad_n_samples,
        check_generator_conditions,
        check_generator_target,
        check_generator_numpy_input,
    ]


def _check_id(obj):
    if hasattr(obj, "get_params"):
        return type(obj).__name__
    if isinstance(obj, functools.partial):
        return obj.func.__name__
    return getattr(obj, "__name__", str(obj))


def parametrize_with_checks(generators, *, expected_failed_checks=None):
    """Pytest decorator running every sksynth generator check on each generator.

    Parameters
    ----------
    generators : list of generator instances
        Seeded, fast instances.
    expected_failed_checks : callable, default=None
        ``f(generator) -> {check_name: reason}``; those checks are xfailed.

    Returns
    -------
    decorator : ``pytest.mark.parametrize`` over ``(estimator, check)``.
    """
    import pytest

    params = []
    for gen in generators:
        xfail = expected_failed_checks(gen) if expected_failed_checks else {}
        for check in generator_checks():
            marks = ()
            if check.__name__ in xfail:
                marks = pytest.mark.xfail(reason=xfail[check.__name__])
            bound = functools.partial(check, type(gen).__name__)
            params.append(pytest.param(gen, bound, marks=marks))
    return pytest.mark.parametrize("estimator, check", params, ids=_check_id)
