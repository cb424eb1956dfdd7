"""CausalFairGenerator: parity by construction, other dependencies kept."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency
from sklearn.metrics import roc_auc_score
from sklearn.tree import DecisionTreeClassifier

from sksynth.datasets import make_mixed_classification
from sksynth.generators import CausalFairGenerator
from sksynth.samplers import FairResampler


@pytest.fixture(scope="module")
def data():
    return make_mixed_classification(3000, weights=(0.7,), random_state=0)


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    return CausalFairGenerator(sensitive_features="plan", random_state=0).fit(X, y)


def _dpd(s, y):
    rates = pd.Series(np.asarray(y)).groupby(np.asarray(s)).mean()
    return rates.max() - rates.min()


def test_demographic_parity_by_construction(data, fitted):
    X, y = data
    assert _dpd(X["plan"], y) > 0.4  # the real data is far from parity
    Xs, ys = fitted.sample(6000, random_state=0)
    # sampling noise of a group rate at ~2000 rows is ~0.01
    assert _dpd(Xs["plan"], ys) < 0.04
    assert abs(ys.mean() - y.mean()) < 0.03  # the label rate is kept
    # the sensitive attribute keeps its own distribution
    share = X["plan"].value_counts(normalize=True)
    share_s = Xs["plan"].value_counts(normalize=True)
    assert np.abs(share - share_s.reindex(share.index)).max() < 0.03
    assert all(child != "plan" for _, child in fitted.dag_)
    assert ("plan", "churn") in fitted.removed_edges_ or all(
        p != "plan" for p, _ in fitted.dag_
    )


def test_other_dependencies_are_kept(data, fitted):
    X, y = data
    Xs, ys = fitted.sample(6000, random_state=1)
    cols = ["age", "income", "n_products"]
    real = X[cols].corr(method="spearman").to_numpy()
    synth = Xs[cols].corr(method="spearman").to_numpy()
    assert real[0, 1] > 0.2 and real[0, 2] > 0.2
    assert np.abs(real - synth).max() < 0.1
    # the label still depends on the non-sensitive features: train on
    # synthetic, test on real, within groups (where plan plays no role)
    feats = ["age", "income", "n_products"]
    clf = DecisionTreeClassifier(min_samples_leaf=50, random_state=0)
    clf.fit(Xs[feats], ys)
    auc = roc_auc_score(y, clf.predict_proba(X[feats])[:, 1])
    clf_real = DecisionTreeClassifier(min_samples_leaf=50, random_state=0)
    clf_real.fit(X[feats], y)
    auc_real = roc_auc_score(y, clf_real.predict_proba(X[feats])[:, 1])
    assert auc > 0.6 and auc > auc_real - 0.12, (auc, auc_real)


def test_fairness_none_and_unawareness(data, fitted):
    X, y = data
    gen = CausalFairGenerator(
        sensitive_features="plan", fairness="none", random_state=0
    ).fit(X, y)
    assert gen.removed_edges_ == []
    Xs, ys = gen.sample(6000, random_state=0)
    assert _dpd(Xs["plan"], ys) > 0.3  # the bias is learned
    gen.set_params(fairness="unawareness")  # applies without refitting
    assert all(child == "churn" for _, child in gen.removed_edges_)
    assert gen.removed_edges_ == [("plan", "churn")]
    Xu, yu = gen.sample(6000, random_state=0)
    # the direct effect is gone; the indirect one (through income) remains
    assert _dpd(Xu["plan"], yu) < _dpd(Xs["plan"], ys) - 0.1


def test_given_dag_and_intersectional(data):
    X, y = data
    dag = [
        ("plan", "income"), ("region", "income"), ("age", "income"),
        ("income", "churn"), ("age", "churn"), ("plan", "churn"),
        ("region", "churn"), ("age", "n_products"), ("n_products", "churn"),
    ]
    gen = CausalFairGenerator(
        sensitive_features=["plan", "region"], dag=dag, random_state=0
    ).fit(X, y)
    assert sorted(gen.dag_) == sorted(dag)
    assert gen.removed_edges_ == sorted(
        [("plan", "income"), ("region", "income"), ("plan", "churn"),
         ("region", "churn")]
    )
    Xs, ys = gen.sample(20000, random_state=0)
    groups = Xs["plan"].astype(str) + "/" + Xs["region"].astype(str)
    real_groups = X["plan"].astype(str) + "/" + X["region"].astype(str)
    assert _dpd(real_groups, y) > 0.4
    # 12 intersectional groups: independence of label and group is not
    # rejected (the same test rejects it on the real data by far)
    assert chi2_contingency(pd.crosstab(real_groups, y))[1] < 1e-20
    assert chi2_contingency(pd.crosstab(groups, ys))[1] > 0.001
    # the sensitive attributes keep their joint distribution
    joint = pd.crosstab(X["plan"], X["region"], normalize=True)
    joint_s = pd.crosstab(Xs["plan"], Xs["region"], normalize=True)
    assert np.abs(joint - joint_s).to_numpy().max() < 0.02


def test_bad_dags(data):
    X, y = data
    with pytest.raises(ValueError, match="cycle"):
        CausalFairGenerator(dag=[("age", "income"), ("income", "age")]).fit(X, y)
    with pytest.raises(ValueError, match="root nodes"):
        CausalFairGenerator(
            sensitive_features="plan", dag=[("age", "plan")]
        ).fit(X, y)
    with pytest.raises(ValueError, match="Unknown column 'sex'"):
        CausalFairGenerator(sensitive_features="sex").fit(X, y)


def test_as_generator_of_fair_resampler(data, fitted):
    X, y = data
    sampler = FairResampler(
        CausalFairGenerator(fairness="none", n_bins=10, random_state=0),
        sensitive_features="plan", random_state=0,
    )
    X_res, y_res = sampler.fit_resample(X, y)
    assert _dpd(X_res["plan"], y_res) < 1.0 / X_res["plan"].value_counts().min()
