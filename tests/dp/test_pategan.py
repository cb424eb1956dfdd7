"""PATEGANGenerator: accounting, partitions, what the student sees, the output."""

import math
import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from skorch.callbacks import Callback

from sksynth.datasets import make_mixed_classification
from sksynth.generators import PATEGANGenerator
from sksynth.generators.dp import PrivacyBudgetWarning
from sksynth.generators.dp._pategan import (
    TeacherEnsemble,
    assign_partitions,
    teacher_rows,
)
from sksynth.generators.dp.accounting import (
    epsilon_to_zcdp,
    gaussian_exact_delta,
    zcdp_to_epsilon,
)

TINY = {"n_teachers": 10, "teacher_dim": 4, "embedding_dim": 8,
        "generator_dim": (16,), "discriminator_dim": (16,), "max_epochs": 2,
        "steps_per_epoch": 5, "batch_size": 32, "verbose": 0, "random_state": 0}


@pytest.fixture(scope="module")
def data():
    return make_mixed_classification(n_samples=1000, random_state=0)


def public_domain(X, y):
    """A public domain of every column (nothing estimated under DP)."""
    return {
        "age": {"low": 0, "high": 120, "integer": True},
        "income": {"low": 0.0, "high": 1e6, "missing": False},
        "balance": {"low": -1e5, "high": 1e5, "missing": True},
        "n_products": {"low": 0, "high": 10, "integer": True},
        "region": {"categories": ["east", "north", "south", "west", "central"],
                   "missing": True},
        "plan": {"categories": ["basic", "plus", "premium"], "missing": False},
        "active": {"categories": [False, True]},
        "y": {"categories": [0, 1]},
    }


def make(**kw):
    return PATEGANGenerator(**{**TINY, **kw})


# ----------------------------------------------------------- accounting
def test_sigma_and_queries_match_the_hand_computation(data):
    X, y = data
    eps, delta = 1.0, 1e-5
    gen = make(epsilon=eps, delta=delta, domain=public_domain(X, y),
               marginal_budget=0.0).fit(X, y)
    # T = max_epochs * steps_per_epoch * ceil(batch_size / pac), from the
    # parameters alone
    T = 2 * 5 * 32
    assert gen.n_queries_ == T
    # public domain, no anchor: the whole zCDP budget goes to the queries,
    # each a Gaussian mechanism of sensitivity 1: T / (2 sigma^2) = rho
    rho = epsilon_to_zcdp(eps, delta)
    assert gen.noise_sd_ == pytest.approx(math.sqrt(T / (2 * rho)), rel=1e-6)
    # by hand: the classic conversion eps = rho + 2 sqrt(rho log(1/delta))
    # gives rho = (sqrt(L + eps) - sqrt(L))^2 = 0.0208 (L = log(1e5)); the
    # tighter one used (Canonne et al. 2020) allows 0.0306, so sigma =
    # sqrt(320 / (2 * 0.0306)) = 72.4
    L = math.log(1 / delta)
    assert rho >= (math.sqrt(L + eps) - math.sqrt(L)) ** 2 == pytest.approx(
        0.0208, abs=1e-4)
    assert rho == pytest.approx(0.0306, abs=1e-4)
    assert gen.noise_sd_ == pytest.approx(72.4, abs=0.1)
    spent = gen.privacy_spent_
    assert spent.mechanism == "PATE-GAN"
    assert spent.epsilon <= eps and spent.epsilon == pytest.approx(eps, rel=1e-6)
    assert spent.rho == pytest.approx(T / (2 * gen.noise_sd_**2), rel=1e-9)
    # one charged step per epoch, every query counted
    votes = [s for s in spent.steps if s.name.startswith("teacher votes")]
    assert len(votes) == 2 and all(f"{5 * 32} queries" in s.name for s in votes)
    # independent of the zCDP conversion: T Gaussian queries of sensitivity 1
    # compose to one Gaussian of sensitivity sqrt(T); its exact delta at the
    # claimed epsilon (Balle & Wang 2018) is below the claimed delta
    exact = gaussian_exact_delta(gen.noise_sd_, eps, sensitivity=math.sqrt(T))
    assert exact <= delta


def test_every_step_is_charged_and_sums_to_the_budget(data):
    X, y = data
    eps, delta = 3.0, 1e-6
    gen = make(epsilon=eps, delta=delta, marginal_budget=0.3).fit(X, y)
    spent = gen.privacy_spent_
    rho = epsilon_to_zcdp(eps, delta - spent.delta_additive)
    frame = spent.breakdown()
    domain = frame[frame["name"].str.startswith("domain of")]["rho"].sum()
    anchor = frame[frame["name"].str.startswith("anchor")]["rho"].sum()
    votes = frame[frame["name"].str.startswith("teacher votes")]["rho"].sum()
    assert domain == pytest.approx(0.1 * rho, rel=1e-6)
    assert anchor == pytest.approx(0.3 * 0.9 * rho, rel=1e-6)
    assert votes == pytest.approx(0.7 * 0.9 * rho, rel=1e-6)
    assert spent.rho <= rho and spent.epsilon <= eps
    assert zcdp_to_epsilon(spent.rho, delta - spent.delta_additive) <= eps
    # the number of queries does not depend on the number of rows
    half = make(epsilon=eps, delta=delta).fit(X[:500], y[:500])
    assert half.n_queries_ == gen.n_queries_


def test_a_query_past_the_budget_is_refused(data):
    X, y = data

    class Overspending(PATEGANGenerator):
        def _build_net(self, data_params):
            net = super()._build_net(data_params)
            return net.set_params(max_epochs=net.max_epochs + 1)

    gen = Overspending(**{**TINY, "epsilon": 1.0, "delta": 1e-5})
    with pytest.raises(RuntimeError, match="Privacy budget exceeded"):
        gen.fit(X, y)


def test_fitting_again_spends_again(data):
    X, y = data
    gen = make(epsilon=1.0, delta=1e-5).fit(X, y)
    with pytest.warns(PrivacyBudgetWarning, match="fitted again"):
        gen.fit(X, y)
    assert gen.privacy_spent_.n_fits == 2
    assert gen.privacy_spent_.cumulative_epsilon > 1.0


# ----------------------------------------------------------- partitions
def test_partitions_are_disjoint_and_do_not_move_other_rows():
    g = torch.Generator().manual_seed(0)
    part, order, start, count = assign_partitions(1000, 7, generator=g)
    assert sorted(order.tolist()) == list(range(1000))  # each row once
    assert int(count.sum()) == 1000
    for j in range(7):
        rows = order[start[j]:start[j] + count[j]]
        assert (part[rows] == j).all()
    # one more row: every other row keeps its teacher
    g = torch.Generator().manual_seed(0)
    part2, *_ = assign_partitions(1001, 7, generator=g)
    assert torch.equal(part2[:1000], part)


def test_a_teacher_reads_only_its_own_partition():
    g = torch.Generator().manual_seed(1)
    part, order, start, count = assign_partitions(30, 50, generator=g)
    assert (count == 0).any()  # more teachers than rows: some have none
    idx, has = teacher_rows(order, start, count, 8)
    assert torch.equal(has, count > 0)
    for j in range(50):
        if has[j]:
            assert (part[idx[j]] == j).all()
        else:
            assert (idx[j] == -1).all()


def test_teacher_ensemble_is_k_independent_nets():
    torch.manual_seed(0)
    t = TeacherEnsemble(3, 5, 4)
    x = torch.rand(6, 5)
    shared = t(x)
    own = t(x.expand(3, 6, 5).contiguous())
    assert shared.shape == (3, 6) and torch.allclose(shared, own, atol=1e-6)
    # a change of one teacher's weights changes only its logits
    with torch.no_grad():
        t.w1[1] += 1.0
    after = t(x)
    assert torch.equal(after[0], shared[0]) and torch.equal(after[2], shared[2])
    assert not torch.allclose(after[1], shared[1])


# ----------------------------------------------- who sees what
class _Spy(Callback):
    """Records the inputs of the student and the outputs of the generator."""

    def on_train_begin(self, net, **kwargs):
        self.generated, self.student_inputs, self.real = [], [], net.train_data_
        module = net.module_
        self._hooks = [
            module.register_forward_hook(
                lambda m, args, out: self.generated.append(out[0].detach())),
            module.discriminator.register_forward_pre_hook(
                lambda m, args: self.student_inputs.append(args[0].detach())),
        ]

    def on_train_end(self, net, **kwargs):
        for h in self._hooks:
            h.remove()


def test_student_sees_only_generated_rows_and_no_teacher_is_kept(data):
    X, y = data
    gen = make(epsilon=3.0, delta=1e-5, callbacks=[("spy", _Spy())]).fit(X, y)
    spy = dict(gen.net_.callbacks_)["spy"]
    assert spy.student_inputs, "the student was never trained"
    for batch in spy.student_inputs:
        # every student input is a batch the generator produced
        assert any(b.shape == batch.shape and torch.equal(b, batch)
                   for b in spy.generated)
    # the fitted model holds the generator and the student, no teacher
    modules = {type(m).__name__ for m in gen.net_.module_.modules()}
    assert "TeacherEnsemble" not in modules
    blob = pickle.dumps(gen)
    assert b"TeacherEnsemble" not in blob
    assert not any(isinstance(v, TeacherEnsemble)
                   for v in vars(gen.net_).values())
    # the history holds no loss on real rows
    assert set(gen.net_.history[-1]["batches"][0]) <= {
        "train_loss", "train_batch_size", "student_loss", "noisy_vote"}


# --------------------------------------------------------------- output
def test_dtypes_and_categories_survive(data):
    X, y = data
    gen = make(epsilon=5.0, delta=1e-5, domain=public_domain(X, y)).fit(X, y)
    Xs, ys = gen.sample(300, random_state=0)
    assert list(Xs.columns) == list(X.columns)
    assert (Xs.dtypes == X.dtypes).all()
    assert ys.dtype == y.dtype and set(ys) <= {0, 1}
    assert set(Xs["region"].dropna()) <= set(public_domain(X, y)["region"][
        "categories"])
    assert set(Xs["plan"].cat.categories) == set(X["plan"].cat.categories)
    assert Xs["age"].between(0, 120).all()


def test_same_seed_same_rows(data):
    X, y = data
    a = make(epsilon=2.0, delta=1e-5).fit(X, y).sample(50, random_state=3)
    b = make(epsilon=2.0, delta=1e-5).fit(X, y).sample(50, random_state=3)
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_series_equal(a[1], b[1])


def test_anchor_pulls_the_marginals_to_the_dp_release():
    # measured (seed 0): total variation of the two marginals 0.23 with the
    # anchor, 0.47 without (a uniform draw: 0.38), after 50 rounds
    rng = np.random.RandomState(0)
    X = pd.DataFrame({
        "c": pd.Series(rng.choice(list("abcd"), 2000, p=[.6, .25, .1, .05]),
                       dtype="str"),
        "d": pd.Series(rng.choice(list("xy"), 2000, p=[.8, .2]), dtype="str"),
    })
    dom = {"c": list("abcd"), "d": list("xy")}

    def tv(mb):
        gen = make(epsilon=3.0, delta=1e-5, domain=dom, marginal_budget=mb,
                   max_epochs=5, steps_per_epoch=10, batch_size=64).fit(X)
        Xs = gen.sample(2000, random_state=0)
        return sum(
            (Xs[c].value_counts(normalize=True).reindex(dom[c], fill_value=0)
             - X[c].value_counts(normalize=True)).abs().sum() / 2
            for c in "cd") / 2

    anchored, plain = tv(0.3), tv(0.0)
    assert anchored < 0.3 and anchored < plain


@pytest.mark.parametrize("kw, err, match", [
    ({"epsilon": None}, ValueError, "explicit privacy budget"),
    ({"epsilon": 1.0, "delta": 0.01}, ValueError, "1/n_samples"),
    ({"epsilon": 1.0, "vote": "majority"}, ValueError, "vote"),
    ({"epsilon": 1.0, "n_teachers": 0}, ValueError, "n_teachers"),
    ({"epsilon": 1.0, "marginal_budget": 1.0}, ValueError, "marginal_budget"),
])
def test_bad_input_is_refused(kw, err, match, data):
    X, y = data
    with pytest.raises(err, match=match):
        make(**kw).fit(X, y)


def test_no_partial_fit_and_silent_at_verbose_0(data, capsys):
    X, y = data
    gen = make(epsilon=1.0, delta=1e-5)
    assert not hasattr(gen, "partial_fit")
    gen.fit(X, y)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    make(epsilon=1.0, delta=1e-5, verbose=1).fit(X, y)
    assert "PATEGAN epochs" in capsys.readouterr().err


def test_noise_swamping_the_votes_is_warned(data):
    X, y = data
    with pytest.warns(UserWarning, match="mostly noise"):
        make(epsilon=0.05, delta=1e-5, domain=public_domain(X, y),
             n_teachers=2).fit(X, y)
