"""Detection: can a classifier tell real rows from synthetic ones?"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from ._base import (
    MAX_SAMPLES,
    check_max_samples,
    check_rng,
    embedder,
    prepare,
    single_threaded,
)
from ._base import subsample as _subsample

__all__ = ["detection_auc", "detection_score"]


def detection_auc(
    real, synthetic, *, classifier=None, cv=5, max_samples=MAX_SAMPLES,
    random_state=None,
):
    """Cross-validated ROC AUC of a classifier separating real from synthetic.

    Both tables are embedded with the same encoding (fitted on ``real``:
    numeric columns scaled by the range of ``real``, categorical columns
    one-hot, missingness as indicators). Each table is subsampled to at most
    ``max_samples`` rows, seeded by ``random_state``, and the classifier's
    out-of-fold probabilities are scored with
    :func:`sklearn.metrics.roc_auc_score` (one AUC per fold, averaged).

    Parameters
    ----------
    real, synthetic : DataFrame or array-like
        Tables with the same columns.
    classifier : classifier, default=None
        Any scikit-learn classifier with ``predict_proba``; it is cloned.
        Defaults to ``HistGradientBoostingClassifier(max_iter=100)``.
    cv : int, default=5
        Number of stratified folds (shuffled with ``random_state``).
    max_samples : int or None, default=5000
        Cap on the rows used from each table (None = all rows).
    random_state : int, RandomState instance or None, default=None
        Seeds subsampling, the folds and the default classifier.

    Returns
    -------
    auc : float
        0.5 when the tables are indistinguishable, 1.0 when perfectly separated.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import detection_auc
    >>> rng = np.random.RandomState(0)
    >>> real = rng.normal(size=(300, 2))
    >>> shifted = rng.normal(loc=3.0, size=(300, 2))
    >>> round(detection_auc(real, shifted, random_state=0), 2)
    1.0
    """
    rng = check_rng(random_state)
    max_samples = check_max_samples(max_samples)
    schema, (Zr, Zs) = prepare(real, synthetic, names=["real", "synthetic"])
    Zr = _subsample(Zr, max_samples, rng)
    Zs = _subsample(Zs, max_samples, rng)
    if min(len(Zr), len(Zs)) < cv:
        raise ValueError(
            f"detection_auc needs at least cv={cv} rows in each table, got "
            f"{len(Zr)} real and {len(Zs)} synthetic."
        )
    embed = embedder(schema, Zr)
    X = np.vstack([embed(Zr), embed(Zs)])
    y = np.r_[np.zeros(len(Zr)), np.ones(len(Zs))]
    seed = int(rng.randint(np.iinfo(np.int32).max))
    if classifier is None:
        clf = HistGradientBoostingClassifier(max_iter=100, random_state=seed)
    else:
        if not is_classifier(classifier) or not hasattr(classifier, "predict_proba"):
            raise TypeError(
                "classifier must be a scikit-learn classifier with predict_proba, "
                f"got {type(classifier).__name__}."
            )
        clf = clone(classifier)
        if "random_state" in clf.get_params(deep=False):
            clf.set_params(random_state=seed)
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
    aucs = []
    with single_threaded():
        for train, test in folds.split(X, y):
            model = clone(clf).fit(X[train], y[train])
            proba = model.predict_proba(X[test])[:, 1]
            aucs.append(roc_auc_score(y[test], proba))
    return float(np.mean(aucs))


def detection_score(real, synthetic, *, classifier=None, cv=5,
                    max_samples=MAX_SAMPLES, random_state=None):
    """Detection score in [0, 1]: ``2 * (1 - max(auc, 0.5))``; 1 = indistinguishable.

    A rescaling of :func:`detection_auc` where greater is better (for
    scorers and summaries); see it for the parameters.

    Returns
    -------
    score : float

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import detection_score
    >>> rng = np.random.RandomState(0)
    >>> real = rng.normal(size=(300, 2))
    >>> round(detection_score(real, rng.normal(loc=3.0, size=(300, 2)),
    ...                       random_state=0), 2)
    0.0
    """
    auc = detection_auc(real, synthetic, classifier=classifier, cv=cv,
                        max_samples=max_samples, random_state=random_state)
    return float(2 * (1 - max(auc, 0.5)))
