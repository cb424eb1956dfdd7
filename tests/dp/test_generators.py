"""MST / AIM: budget validation, honest accounting, domains, noise, utility."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import beta
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

from sksynth.datasets import make_mixed_classification
from sksynth.generators import AIMGenerator, MSTGenerator
from sksynth.generators.dp import PrivacyBudgetWarning
from sksynth.generators.dp.accounting import epsilon_to_zcdp, zcdp_to_epsilon

GENERATORS = [MSTGenerator, AIMGenerator]
FAST = {"n_bins": 8, "max_iter": 10, "random_state": 0}


@pytest.fixture(scope="module")
def data():
    return make_mixed_classification(1000, random_state=0)


# ------------------------------------------------------------ validation
@pytest.mark.parametrize("Gen", GENERATORS)
def test_budget_is_required_and_validated(Gen, data):
    X, y = data
    with pytest.raises(ValueError, match="explicit privacy budget"):
        Gen(**FAST).fit(X, y)
    for bad in ({"epsilon": 0.0}, {"epsilon": -1.0}):
        with pytest.raises(ValueError, match="epsilon"):
            Gen(**bad, **FAST).fit(X, y)
    for delta in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match="delta"):
            Gen(epsilon=1.0, delta=delta, **FAST).fit(X, y)
    # delta >= 1/n is refused unless explicitly allowed
    with pytest.raises(ValueError, match="allow_large_delta"):
        Gen(epsilon=1.0, delta=1e-3, **FAST).fit(X, y)
    if Gen is MSTGenerator:
        gen = Gen(epsilon=1.0, delta=1e-3, allow_large_delta=True, **FAST)
        assert gen.fit(X, y).privacy_spent_.delta == 1e-3


# ------------------------------------------------------------ accounting
@pytest.mark.parametrize(
    "Gen,epsilon", [(MSTGenerator, 0.5), (MSTGenerator, 2.0), (AIMGenerator, 1.0)]
)
def test_privacy_spent_composes_to_the_stated_total(Gen, epsilon, data):
    X, y = data
    gen = Gen(epsilon=epsilon, delta=1e-6, **FAST).fit(X, y)
    spent = gen.privacy_spent_
    steps = spent.steps
    # composition: the steps add up to rho, which converts back to epsilon
    assert math.fsum(s.rho for s in steps) == pytest.approx(spent.rho, rel=1e-12)
    assert spent.delta_additive == pytest.approx(sum(s.delta for s in steps))
    assert zcdp_to_epsilon(spent.rho, spent.delta - spent.delta_additive) == (
        pytest.approx(epsilon, rel=1e-6)
    )
    assert spent.epsilon == pytest.approx(epsilon, rel=1e-6)
    # the whole budget is used (nothing silently left or overspent)
    budget = epsilon_to_zcdp(epsilon, 1e-6 - spent.delta_additive)
    assert spent.rho == pytest.approx(budget, rel=1e-6)
    assert spent.mechanism == Gen._mechanism
    # every data-dependent step is charged: domain, 1-ways, selection, marginals
    names = " ".join(s.name for s in steps)
    for word in ("domain of 'age'", "domain of 'region'", "1-way marginal",
                 "selection"):
        assert word in names
    kinds = {s.mechanism for s in steps}
    assert kinds == {"gaussian", "exponential", "thresholded-gaussian"}
    frame = spent.breakdown()
    assert frame["share"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("Gen", GENERATORS)
def test_refit_spends_again_and_says_so(Gen, data):
    X, y = data
    gen = Gen(epsilon=1.0, delta=1e-6, **FAST).fit(X, y)
    assert gen.privacy_spent_.n_fits == 1
    with pytest.warns(PrivacyBudgetWarning, match="fitted again"):
        gen.fit(X, y)
    spent = gen.privacy_spent_
    assert spent.n_fits == 2
    assert spent.cumulative_rho == pytest.approx(2 * spent.rho)
    assert spent.cumulative_delta == pytest.approx(2e-6)
    assert spent.cumulative_epsilon > 1.3  # two fits of eps=1 compose to ~1.41
    # a clone starts a fresh ledger (it is a new, unfitted estimator)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrivacyBudgetWarning)
        assert clone(gen).fit(X, y).privacy_spent_.n_fits == 1


# --------------------------------------------------------------- domains
def test_public_domain_costs_nothing_and_must_cover_the_data(data):
    X, y = data
    domain = {
        "age": {"low": 18, "high": 79},
        "income": {"low": 0, "high": 2e5, "missing": False},
        "balance": {"low": 0, "high": 1e5, "missing": True},
        "n_products": ["one", "two"],
        "region": {"categories": ["north", "south", "east", "west", "elsewhere"],
                   "missing": False},
        "plan": {"categories": ["basic", "plus", "premium"], "missing": False},
        "churn": [0, 1],
    }
    with pytest.raises(ValueError, match="numeric"):
        MSTGenerator(epsilon=1.0, domain=domain, **FAST).fit(X, y)
    domain["n_products"] = [1, 2, 3, 4, 5, 6]  # numbers: their range
    gen = MSTGenerator(epsilon=1.0, domain=domain, **FAST).fit(X, y)
    assert not any("domain" in s.name for s in gen.privacy_spent_.steps)
    assert gen.privacy_spent_.delta_additive == 0
    assert gen.get_domain()["region"]["categories"] == [
        "north", "south", "east", "west", "elsewhere"]
    assert gen.get_domain()["n_products"] == {
        "low": 1.0, "high": 6.0, "missing": False, "integer": True}
    Xs, ys = gen.sample(500, random_state=0)
    assert Xs["age"].between(18, 79).all() and Xs["balance"].isna().any()
    assert set(ys) <= {0, 1}
    # a public domain that does not cover the data is refused
    bad = dict(domain, region={"categories": ["north", "south"], "missing": False})
    with pytest.raises(ValueError, match="not in the public domain"):
        MSTGenerator(epsilon=1.0, domain=bad, **FAST).fit(X, y)
    with pytest.raises(ValueError, match="outside its public bounds"):
        MSTGenerator(epsilon=1.0, bounds={"age": (30, 60)}, **FAST).fit(X, y)


def test_dp_domain_suppresses_rare_labels_and_finds_bounds():
    rng = np.random.RandomState(0)
    n = 5000
    X = pd.DataFrame({
        "city": pd.array(rng.choice(["A", "B", "C"], n), dtype="str"),
        "x": rng.uniform(100, 200, n),
    })
    X.loc[0, "city"] = "SECRET"  # one row: must never be released
    X.loc[1, "x"] = 1e9  # one outlier: must not stretch the bounds
    gen = MSTGenerator(epsilon=1.0, delta=1e-9, **FAST).fit(X)
    dom = gen.get_domain()
    assert dom["city"]["categories"] == ["A", "B", "C"]
    assert 90 <= dom["x"]["low"] <= 101 and 199 <= dom["x"]["high"] <= 215
    assert not dom["x"]["missing"]
    # the fitted schema holds no data-derived counts or categories
    assert gen.schema_.columns[0].categories == ("A", "B", "C")
    assert gen.schema_.columns[0].counts == ()
    Xs = gen.sample(2000, random_state=0)
    assert "SECRET" not in set(Xs["city"]) and Xs["x"].max() <= dom["x"]["high"]


@pytest.mark.parametrize("Gen", GENERATORS)
def test_measured_noise_matches_sigma(Gen):
    # a public domain with many cells gives many independent noise draws
    rng = np.random.RandomState(1)
    X = pd.DataFrame({"a": rng.randint(0, 400, 3000), "b": rng.randint(0, 3, 3000)})
    domain = {"a": {"low": 0, "high": 399}, "b": {"low": 0, "high": 2}}
    gen = Gen(epsilon=0.5, delta=1e-9, n_bins=400, max_iter=5, random_state=0,
              domain=domain).fit(X)
    true = np.bincount(X["a"], minlength=400)
    residuals, sigmas = [], []
    for cols, noisy, sigma in gen.measurements_:
        if cols == ("a",):
            residuals.append(noisy - true)
            sigmas.append(sigma)
    sigma = sigmas[0]
    # the recorded sigma is the one the accountant charged for
    step = next(s for s in gen.privacy_spent_.steps if s.name == "1-way marginal 'a'")
    assert step.rho == pytest.approx(1 / (2 * sigma**2), rel=1e-9)
    r = np.concatenate(residuals)
    # 400 draws: the sample std is within 4 * sigma/sqrt(800) = 14% of sigma
    assert abs(r.std() / sigma - 1) < 0.14
    assert abs(r.mean()) < 4 * sigma / math.sqrt(len(r))


# ---------------------------------------------------------------- utility
def _auc(X, y, Xt, yt):
    def prep(frame):
        frame = frame.copy()
        frame["region"] = frame["region"].astype("category")
        return frame
    model = HistGradientBoostingClassifier(
        categorical_features="from_dtype", max_iter=60, random_state=0
    ).fit(prep(X), y)
    return roc_auc_score(yt, model.predict_proba(prep(Xt))[:, 1])


@pytest.mark.parametrize("Gen", GENERATORS)
def test_utility_end_to_end(Gen):
    X, y = make_mixed_classification(2000, random_state=0)
    Xt, yt = make_mixed_classification(2000, random_state=1)
    gen = Gen(epsilon=3.0, delta=1e-6, random_state=0).fit(X, y)
    Xs, ys = gen.sample(2000, random_state=0)
    assert list(Xs.dtypes) == list(X.dtypes)
    auc = _auc(Xs, ys, Xt, yt)
    # measured (2000 rows, eps=3, seed 0): MST 0.75, AIM 0.88; real data 0.92
    assert auc > 0.70
    # 1-way fidelity of the category columns
    for col in ("region", "plan"):
        tv = 0.5 * (X[col].value_counts(normalize=True)
                    .sub(Xs[col].value_counts(normalize=True), fill_value=0)
                    .abs().sum())
        assert tv < 0.08
    assert abs(ys.mean() - y.mean()) < 0.04


# ------------------------------------------------------------------ audit
def _audit(n_runs, epsilon, seed0=0):
    """Run MST on neighbouring data sets (one extreme canary row added)."""
    rng = np.random.RandomState(0)
    n = 300
    base = pd.DataFrame({
        "c": pd.array(rng.choice(["a", "b"], n), dtype="str"),
        "x": rng.uniform(0, 1, n),
    })
    canary = pd.DataFrame({"c": pd.array(["CANARY"], dtype="str"), "x": [1e6]})
    with_canary = pd.concat([base, canary], ignore_index=True)
    hits = {}
    for name, frame in (("without", base), ("with", with_canary)):
        count = 0
        for run in range(n_runs):
            gen = MSTGenerator(epsilon=epsilon, delta=1e-6, n_bins=4, max_iter=5,
                               random_state=seed0 + run).fit(frame)
            out = gen.sample(n + 1, random_state=run)
            count += bool((out["c"] == "CANARY").any() or (out["x"] > 1e3).any())
        hits[name] = count
    return hits


def _epsilon_lower_bound(k1, k0, n, delta, alpha=0.05):
    """Clopper-Pearson lower bound of eps from the distinguishing test."""
    p1 = beta.ppf(alpha / 2, k1, n - k1 + 1) if k1 > 0 else 0.0
    p0 = beta.ppf(1 - alpha / 2, k0 + 1, n - k0) if k0 < n else 1.0
    if p1 - delta <= 0:
        return 0.0
    return math.log((p1 - delta) / p0)


def test_privacy_audit_small():
    # A domain read off the data would release the canary in every run with
    # it and never without it: 30 runs each then give eps >= 2.3 (95%).
    n_runs, epsilon = 30, 1.0
    hits = _audit(n_runs, epsilon)
    lower = _epsilon_lower_bound(hits["with"], hits["without"], n_runs, 1e-6)
    assert lower <= epsilon, hits
    # the test has power: a leaky outcome would be flagged
    assert _epsilon_lower_bound(n_runs, 0, n_runs, 1e-6) > 2 * epsilon


@pytest.mark.slow
def test_privacy_audit_many_runs():
    n_runs, epsilon = 200, 1.0
    hits = _audit(n_runs, epsilon, seed0=1000)
    lower = _epsilon_lower_bound(hits["with"], hits["without"], n_runs, 1e-6)
    assert lower <= epsilon, hits


def test_aim_rounds_report_progress_in_a_log(data, capsys):
    X, y = data
    gen = AIMGenerator(epsilon=1.0, delta=1e-9, verbose=1, **FAST).fit(X, y)
    err = capsys.readouterr().err
    lines = [s for s in err.splitlines() if s.startswith("AIM rounds")]
    # one plain line per round (stderr is not a terminal): no escape codes
    assert len(lines) == gen.n_rounds_ and lines[-1] == f"AIM rounds: {gen.n_rounds_}"
    assert "\x1b" not in err and "\r" not in err
    AIMGenerator(epsilon=1.0, delta=1e-9, verbose=0, **FAST).fit(X, y)
    assert "AIM rounds" not in capsys.readouterr().err


def test_a_release_that_keeps_no_category_is_refused_at_fit():
    X, _ = make_mixed_classification(100, random_state=0)
    with pytest.raises(ValueError, match="kept no category"):
        MSTGenerator(epsilon=1.0, allow_large_delta=True).fit(X)
    # with the categories given as public knowledge the same fit works
    domain = {"region": {"categories": ["east", "north", "south", "west"]},
              "plan": {"categories": ["basic", "plus", "premium"]}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = MSTGenerator(epsilon=1.0, allow_large_delta=True,
                            domain=domain).fit(X).sample(50, random_state=0)
    assert set(rows["region"]) <= {"east", "north", "south", "west"}


def test_public_schema_keeps_nothing_read_off_the_private_data():
    X, y = make_mixed_classification(300, random_state=0)
    gen = MSTGenerator(**MSTGenerator._test_params()).fit(X, y)
    for col in gen.schema_.columns:
        assert col.atoms == ()  # balance has a point mass at 0 in the data
        assert col.decimals in (None, 0)  # income has 2 decimals in the data
    assert gen.sample(20, random_state=0)[0]["income"].round(2).ne(
        gen.sample(20, random_state=0)[0]["income"]).any()
