"""Transfer from related data: alignment, fine-tuning, priors, the wrapper."""

import numpy as np
import pandas as pd
import pytest
import torch

from sksynth.generators import (
    ARFGenerator,
    BayesianNetworkGenerator,
    GaussianCopulaGenerator,
    TransferGenerator,
    TVAEGenerator,
)
from sksynth.preprocessing import TableSchema, align_tables, encode_related
from sksynth.samplers import GenerativeOverSampler


def _tables(n_small=60, n_related=600, seed=0):
    """A small table and a related one: "plan" is mostly "a" in the related
    table, mostly "b" in the small one; "d" exists only in the small table,
    "z" only in the related one; "age" ranges differ; "id" is related-only,
    "score" small-only."""
    rng = np.random.RandomState(seed)
    x = rng.normal(size=n_related)
    related = pd.DataFrame({
        "age": np.round(40 + 10 * x).astype(np.int64),
        "plan": rng.choice(["a", "b", "z"], n_related, p=[0.8, 0.15, 0.05]),
        "income": 2.0 * x + rng.normal(scale=0.3, size=n_related),
        "id": np.arange(n_related),
    })
    x = rng.normal(size=n_small)
    small = pd.DataFrame({
        "age": np.round(30 + 5 * x).astype(np.int64),
        "plan": rng.choice(["a", "b", "d"], n_small, p=[0.1, 0.7, 0.2]),
        "income": 2.0 * x + rng.normal(scale=0.3, size=n_small),
        "score": rng.randint(0, 5, n_small),
    })
    return small, related


# ------------------------------------------------------------------ alignment
def test_align_tables_columns_categories_ranges():
    small, related = _tables()
    a = align_tables(small, related, random_state=0)
    assert a.dropped == ["id"] and a.added == ["score"]
    assert a.new_categories == {"plan": ["d"]}
    assert a.related_categories == {"plan": ["z"]}
    plan = a.schema.column("plan")
    assert plan.categories == ("a", "b", "d", "z")  # the small table's codes kept
    age = a.schema.column("age")
    assert age.low == min(small.age.min(), related.age.min())
    assert age.high == max(small.age.max(), related.age.max())
    # the common form: the same columns, union categories for both tables
    assert list(a.related_X.columns) == list(small.columns)
    assert list(a.related_X["plan"].cat.categories) == ["a", "b", "d", "z"]
    assert list(a.X["plan"].cat.categories) == ["a", "b", "d", "z"]
    # the small-only column is filled with the small table's values
    assert set(a.related_X["score"]) <= set(small["score"])
    # back to the small table's dtypes, values unchanged
    back = a.restore(a.X)
    pd.testing.assert_frame_equal(back, small)
    rel = a.restore(a.related_X)
    assert rel.dtypes.equals(small.dtypes)
    assert rel["age"].tolist() == related["age"].tolist()


def test_align_tables_fill_missing_and_targets():
    small, related = _tables()
    ys = pd.Series(small.income > 0, name="rich")
    yr = pd.Series(related.income > 0, name="rich")
    a = align_tables(small.drop(columns="income"), (related, yr), y=ys,
                     fill="missing")
    assert a.related_X["score"].isna().all()
    assert a.y.name == "rich" and len(a.related_y) == len(related)
    with pytest.raises(ValueError, match="target"):
        align_tables(small, related, y=ys)
    with pytest.raises(ValueError, match="fill"):
        align_tables(small, related, fill="mean")


@pytest.mark.parametrize(
    "change, error, match",
    [
        (lambda r: r.assign(age=r.age.astype(str) + " years"), ValueError,
         "'age' is numeric in X but categorical"),
        (lambda r: r.rename(columns=lambda c: c + "_x"), ValueError,
         "no column of X"),
        (lambda r: r.to_numpy(), TypeError, "same container"),
    ],
)
def test_align_tables_impossible(change, error, match):
    small, related = _tables()
    with pytest.raises(error, match=match):
        align_tables(small, change(related))


def test_align_tables_new_categories_must_fit_the_dtype():
    small = pd.DataFrame({"flag": [True, False, True], "v": [1.0, 2.0, 3.0]})
    related = pd.DataFrame({"flag": ["yes", "no", "no"], "v": [1.0, 5.0, 3.0]})
    with pytest.raises(ValueError, match="'flag'.*cannot hold"):
        align_tables(small, related)


def test_align_tables_arrays_by_position():
    rng = np.random.RandomState(0)
    a = align_tables(rng.normal(size=(10, 2)), rng.normal(size=(30, 2)) * 5)
    assert a.restore(a.related_X).shape == (30, 2)
    with pytest.raises(ValueError, match="by position"):
        align_tables(rng.normal(size=(10, 2)), rng.normal(size=(30, 3)))


def test_encode_related_mask():
    small, related = _tables()
    schema = TableSchema.infer(small)
    Z, inside = encode_related(schema, related)
    j_plan, j_score = schema.column_position("plan"), schema.column_position("score")
    assert not inside[:, j_score].any()  # the related table lacks the column
    z_rows = (related["plan"] == "z").to_numpy()  # unknown category
    assert not inside[z_rows, j_plan].any() and inside[~z_rows, j_plan].all()
    assert np.isnan(Z[z_rows, j_plan]).all()
    # a missing value where the fitted column had none is outside too
    Z2, inside2 = schema.encode_related(related.assign(age=np.nan))
    assert not inside2[:, schema.column_position("age")].any()


# --------------------------------------------------------------- fine-tuning
_TVAE = {"embedding_dim": 8, "compress_dims": (32,), "decompress_dims": (32,),
         "batch_size": 100, "verbose": 0}


def test_fine_tune_moves_toward_the_small_table():
    small, related = _tables(n_small=100, n_related=1000)
    a = align_tables(small, related, random_state=0)
    gen = TVAEGenerator(max_epochs=40, random_state=0, **_TVAE).fit(a.related_X)
    before = a.restore(gen.sample(2000, random_state=0))
    gen.fine_tune(a.X, epochs=150, lr=3e-3)
    after = a.restore(gen.sample(2000, random_state=0))
    share_b = [float((t["plan"] == "b").mean()) for t in (before, after)]
    assert share_b[0] < 0.3 and share_b[1] > 0.5, share_b  # small: 0.7
    assert abs(after["age"].mean() - small["age"].mean()) < abs(
        before["age"].mean() - small["age"].mean()) - 3
    assert after.dtypes.equals(small.dtypes)


def test_fine_tune_lr_and_frozen_layers():
    small, related = _tables()
    a = align_tables(small, related, random_state=0)
    gen = TVAEGenerator(max_epochs=2, random_state=0, **_TVAE).fit(a.related_X)
    before = {k: v.detach().clone() for k, v in gen.net_.module_.named_parameters()}
    gen.fine_tune(a.X, epochs=3, lr=1e-2, freeze="encoder")
    after = dict(gen.net_.module_.named_parameters())
    enc = [k for k in before if k.startswith("encoder.")]
    dec = [k for k in before if k.startswith("decoder.")]
    assert all(torch.equal(before[k], after[k]) for k in enc)
    assert any(not torch.equal(before[k], after[k]) for k in dec)
    assert all(after[k].requires_grad for k in enc)  # trainable again
    assert gen.net_.optimizer_.param_groups[0]["lr"] == 1e-2
    assert len(gen.net_.history) == 5
    with pytest.raises(ValueError, match="names no parameter.*'decoder', 'encoder'"):
        gen.fine_tune(a.X, freeze="body")
    with pytest.raises(ValueError, match="lr must be"):
        gen.fine_tune(a.X, lr=0)


def test_transfer_fine_tune_keeps_small_categories_and_is_seeded():
    small, related = _tables()
    ys = small.pop("income") > 0
    yr = related.pop("income") > 0
    params = {"related": (related, yr), "fine_tune_epochs": 30, "random_state": 0}
    gen = TransferGenerator(TVAEGenerator(max_epochs=5, **_TVAE), **params)
    X1, y1 = gen.fit(small, ys).sample(300, random_state=0)
    assert gen.method_ == "fine_tune"
    assert X1.dtypes.equals(small.dtypes) and y1.dtype == ys.dtype
    assert set(X1["plan"]) <= {"a", "b", "d"}  # "z" only in the related table
    assert "d" in set(X1["plan"])  # the category only the small table has
    again = TransferGenerator(TVAEGenerator(max_epochs=5, **_TVAE), **params)
    X2, y2 = again.fit(small, ys).sample(300, random_state=0)
    pd.testing.assert_frame_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    # conditions reach the base generator
    Xc, _ = gen.sample(20, conditions={"plan": "d"}, random_state=0)
    assert (Xc["plan"] == "d").all()


# -------------------------------------------------------------------- priors
def _dependent(n, p_same, seed):
    """Two categorical columns: b equals a with probability p_same."""
    rng = np.random.RandomState(seed)
    a = rng.choice(["x", "y", "z"], n)
    other = rng.choice(["x", "y", "z"], n)
    b = np.where(rng.rand(n) < p_same, a, other)
    return pd.DataFrame({"a": a, "b": b})


def _agreement(frame):
    return float((frame["a"] == frame["b"]).mean())


def test_bayesian_network_prior_shrinks_toward_related_counts():
    small = _dependent(40, 0.0, seed=1)  # b independent of a: agree 1/3
    related = _dependent(4000, 1.0, seed=2)  # b == a always
    base = BayesianNetworkGenerator(random_state=0)
    scratch = _agreement(base.fit(small).sample(4000, random_state=0))
    weak = BayesianNetworkGenerator(prior=related, prior_weight=0.5, random_state=0)
    strong = BayesianNetworkGenerator(prior=related, prior_weight=5.0,
                                      random_state=0)
    mid = _agreement(weak.fit(small).sample(4000, random_state=0))
    high = _agreement(strong.fit(small).sample(4000, random_state=0))
    # the related table weighs 0.5 resp. 5 times the small one
    assert scratch < 0.45 and 0.45 < mid < 0.75 and high > 0.8, (scratch, mid, high)
    assert strong.prior_rows_ == 4000
    zero = BayesianNetworkGenerator(prior=related, prior_weight=0, random_state=0)
    pd.testing.assert_frame_equal(zero.fit(small).sample(50, random_state=0),
                                  base.sample(50, random_state=0))
    with pytest.raises(ValueError, match="shares no cell"):
        BayesianNetworkGenerator(prior=related.rename(columns=str.upper)).fit(small)


def test_copula_prior_shrinks_the_correlation():
    rng = np.random.RandomState(0)
    small = pd.DataFrame({"u": rng.normal(size=30)})
    small["w"] = rng.normal(size=30)  # independent in the small table
    x = rng.normal(size=3000)
    related = pd.DataFrame({"u": x, "w": x + 0.1 * rng.normal(size=3000)})
    corr = {}
    for w in (0.0, 1.0, 10.0):
        gen = GaussianCopulaGenerator(prior=related, prior_weight=w,
                                      random_state=0).fit(small)
        corr[w] = gen.correlation_[0, 1]
    # the related correlation (~0.99) weighs as 1 resp. 10 times the small
    # table's (~-0.1), then all is shrunk a little toward independence
    assert abs(corr[0.0]) < 0.3
    assert 0.25 < corr[1.0] < 0.6 and corr[10.0] > 0.75, corr


def test_transfer_prior_and_pool_methods():
    small, related = _tables()
    gen = TransferGenerator(related=related, random_state=0).fit(small)
    assert gen.method_ == "prior"  # the default BayesianNetworkGenerator
    assert gen.generator_.prior_rows_ == len(related)
    assert gen.alignment_["dropped"] == ["id"]
    out = gen.sample(500, random_state=0)
    assert out.dtypes.equals(small.dtypes) and set(out["plan"]) <= {"a", "b", "d"}
    pool = TransferGenerator(ARFGenerator(n_estimators=5, random_state=0),
                             related=related, random_state=0).fit(small)
    assert pool.method_ == "pool"
    union = TransferGenerator(ARFGenerator(n_estimators=5, random_state=0),
                              related=related, categories="union",
                              random_state=0).fit(small)
    assert "z" in union.schema_.column("plan").categories
    assert "z" in set(union.sample(2000, random_state=0)["plan"])
    none = TransferGenerator(BayesianNetworkGenerator(random_state=0),
                             random_state=0).fit(small)
    assert none.method_ == "none" and none.alignment_ is None
    with pytest.raises(ValueError, match="fine_tune method"):
        TransferGenerator(related=related, method="fine_tune").fit(small)
    with pytest.raises(ValueError, match="prior parameter"):
        TransferGenerator(ARFGenerator(), related=related, method="prior").fit(small)


def test_oversampler_borrows_the_related_minority():
    # the minority class sits at v ~ 3 in both tables, but the small table has
    # only 6 such rows, all below 3; the related table has 300 spread around 3
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"v": np.r_[rng.normal(size=200), 2.0 + 0.1 * rng.rand(6)],
                      "c": rng.choice(["p", "q"], 206)})
    y = pd.Series([0] * 200 + [1] * 6, name="label")
    Xr = pd.DataFrame({"v": np.r_[rng.normal(size=300), 3 + rng.normal(size=300)],
                       "c": rng.choice(["p", "q"], 600)})
    yr = pd.Series([0] * 300 + [1] * 300, name="label")
    means = {}
    for name, related in (("scratch", None), ("transfer", (Xr, yr))):
        sampler = GenerativeOverSampler(
            TransferGenerator(GaussianCopulaGenerator(random_state=0),
                              related=related, method="pool"),
            selection="random", random_state=0)
        Xo, yo = sampler.fit_resample(X, y)
        new = Xo.iloc[len(X):]
        assert (yo.iloc[len(X):] == 1).all() and len(new) == 194
        means[name] = float(new["v"].mean())
    assert means["scratch"] < 2.2 and means["transfer"] > means["scratch"] + 0.2, means


def test_copula_prior_with_missing_cells_a_class_never_has():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"c": rng.choice(["a", "b"], 40), "v": rng.normal(size=40)})
    y = pd.Series([0] * 20 + [1] * 20)
    X.loc[:4, "c"] = np.nan  # missing in class 0 only
    Xr = pd.DataFrame({"c": rng.choice(["a", "b", None], 200),
                       "v": rng.normal(size=200)})
    yr = pd.Series(rng.randint(0, 2, 200))
    gen = GaussianCopulaGenerator(prior=(Xr, yr), random_state=0).fit(X, y)
    Xs, ys = gen.sample(200, random_state=0)
    assert Xs["c"].isna().any() and not Xs.loc[np.asarray(ys) == 1, "c"].isna().any()


def _chain(n, seed, many_states=False):
    """A chain a -> b -> c -> y of three-state columns (each copies its
    parent with probability 0.4); with ``many_states`` also ``h``, 30 states
    independent of everything."""
    rng = np.random.RandomState(seed)
    cols = {"a": rng.randint(0, 3, n)}
    for name, parent in (("b", "a"), ("c", "b"), ("y", "c")):
        cols[name] = np.where(rng.rand(n) < 0.4, cols[parent], rng.randint(0, 3, n))
    frame = pd.DataFrame({k: np.asarray(list("pqr"))[v] for k, v in cols.items()})
    if many_states:
        frame["h"] = [f"h{k}" for k in rng.randint(0, 30, n)]
    return frame.drop(columns="y"), frame["y"]


def test_bayesian_network_prior_keeps_an_uninformed_many_state_column_a_leaf():
    # the related table lacks h: its pairs rest on the 150 small rows alone,
    # where the plug-in mutual information of 30 states is biased up by
    # about 29 * 2 / (2 * 150) nats, more than the chain's links (~0.15
    # nats); corrected, h explains no column
    X, y = _chain(150, seed=0, many_states=True)
    related = _chain(4000, seed=1)
    gen = BayesianNetworkGenerator(prior=related, random_state=0).fit(X, y)
    names = [c.name for c in gen.schema_.columns]
    h = names.index("h")
    assert all(h not in pa for pa in gen.parents_), gen.parents_
    # and the chain of the related table is found (rooted at the target y)
    edges = {frozenset((names[j], names[pa[0]]))
             for j, pa in enumerate(gen.parents_) if pa and j != h}
    assert edges == {frozenset("ab"), frozenset("bc"), frozenset("cy")}, edges


def _tv(sample, truth):
    shares = sample.value_counts(normalize=True)
    return 0.5 * sum(abs(shares.get(k, 0.0) - p) for k, p in truth.items())


def test_prior_from_a_table_equal_in_distribution_gets_closer_to_the_truth():
    # 60 rows of a joint distribution; the related table is 5,000 more rows of
    # the same: with it as a prior both families are nearer the truth
    from scipy.stats import ks_2samp

    def draw(n, seed):
        rng = np.random.RandomState(seed)
        c = rng.choice(list("abcde"), n, p=[0.4, 0.3, 0.15, 0.1, 0.05])
        v = rng.exponential(size=n) + (c == "a")
        y = pd.Series(np.where(rng.rand(n) < 0.5 + 0.3 * (c == "a"), "s", "t"))
        return pd.DataFrame({"c": c, "v": v}), y

    X, y = draw(60, seed=0)
    related = draw(5000, seed=1)
    truth_X, truth_y = draw(200_000, seed=2)
    truth = pd.crosstab(truth_X["c"], truth_y, normalize=True).stack().to_dict()
    for family in (BayesianNetworkGenerator, GaussianCopulaGenerator):
        err = {}
        for name, prior in (("scratch", None), ("prior", related)):
            gen = family(prior=prior, prior_weight=4.0, random_state=0).fit(X, y)
            Xs, ys = gen.sample(20_000, random_state=0)
            joint = pd.Series(list(zip(Xs["c"], ys)))
            err[name] = (_tv(joint, truth),
                         ks_2samp(Xs["v"], truth_X["v"]).statistic)
        # the (c, y) table and the numeric marginal: both closer
        assert err["prior"][0] < 0.6 * err["scratch"][0], (family.__name__, err)
        assert err["prior"][1] < 0.6 * err["scratch"][1], (family.__name__, err)
