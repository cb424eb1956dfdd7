"""DataIQProfiler: easy, ambiguous and hard rows of a labelled table."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, _fit_context
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ..preprocessing import TableEncoder, TableSchema
from ..utils._progress import progress
from ..utils._random import draw_seed
from ..utils._validation import validate_table
from ._checkpoints import checkpoint_kind, fit_checkpoints
from ._scores import (
    SEGMENTS,
    assign_segments,
    check_thresholds,
    class_thresholds,
    confident_learning,
    uncertainty_threshold,
)

__all__ = ["DataIQProfiler"]

# HistGradientBoosting takes a categorical column natively up to this many
# categories (its max_bins); beyond, the column's codes are used as numbers.
_MAX_NATIVE_CATEGORIES = 255


def _is_hgb(est):
    return isinstance(est, HistGradientBoostingClassifier)


class DataIQProfiler(BaseEstimator):
    """Profile every row of a labelled table as easy, ambiguous or hard.

    A classifier is trained and the probability it gives to each row's own
    label is read at ``checkpoints`` evenly spaced stages of its training
    (boosting iterations, epochs). Per row, the *confidence* is the mean of
    these probabilities, the *aleatoric uncertainty* (Data-IQ) the mean of
    ``p (1 - p)`` and the *variability* (Data Maps) their standard deviation.
    Rows the model is confidently right about are *easy*, confidently wrong
    *hard* (often mislabelled or atypical rows), the others *ambiguous*.

    By default the probabilities are out of fold (each row is scored by
    models that never saw it, ``cv=5``): profiled in-sample, a flexible model
    learns the noisy labels and calls too few rows hard. ``cv=None``
    reproduces the in-sample profile of the reference implementation
    (Hansen et al., 2023).

    Parameters
    ----------
    estimator : classifier, default=None
        Where the checkpoints come from: ``staged_predict_proba`` for boosted
        models (scikit-learn's gradient boosting, XGBoost and LightGBM
        classifiers), epochs for skorch nets (``partial_fit``), ``warm_start``
        growth of ``n_estimators`` or ``max_iter`` for others. ``None`` uses
        ``HistGradientBoostingClassifier(max_iter=100)``, which takes
        categories and missing values natively.
    method : {"dataiq", "datamaps", "confident_learning"}, default="dataiq"
        How rows are split into segments:

        - ``"dataiq"``: by confidence and aleatoric uncertainty;
        - ``"datamaps"``: by confidence and variability;
        - ``"confident_learning"``: rows whose (checkpoint-averaged,
          out-of-fold) probability of another class reaches that class's
          threshold, the mean probability of the class over its own rows, are
          likely label errors (*hard*); rows counted under their own label are
          *easy*, rows under no class *ambiguous* (Northcutt et al., 2021).
    checkpoints : int, default=10
        Number of checkpoints (fewer when the model has fewer stages).
    cv : int, cross-validation generator, iterable or None, default=5
        Out-of-fold profiling: an int is the number of stratified, shuffled
        folds; ``None`` profiles in-sample (one model on all rows).
    thresholds : dict, default=None
        ``{"confidence": 0.25, "uncertainty": 0.2, "percentile": None}``
        (the defaults, the reference's): hard rows have a confidence at most
        0.25, easy rows at least 0.75, both an uncertainty at most 0.2 or, with
        ``percentile``, at most that percentile of the rows' uncertainties.
        Not used by ``"confident_learning"``.
    encode : {"auto", "codes", "onehot", "none"}, default="auto"
        What the estimator is given: ``"codes"`` the library's code matrix
        (numbers as they are, categories as integer codes declared
        categorical to a ``HistGradientBoostingClassifier``, missing values
        as NaN), ``"onehot"`` standardised numbers, one-hot categories and
        missing indicators (:class:`~sksynth.preprocessing.TableEncoder`),
        ``"none"`` the table as it is (for a pipeline that encodes it).
        ``"auto"``: codes for histogram gradient boosting, one-hot otherwise.
    verbose : int, default=0
        Progress over the folds.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds and the estimator (when its own seed is None).

    Attributes
    ----------
    classes_ : ndarray
        The labels.
    probabilities_ : ndarray of shape (n_samples, n_checkpoints)
        Probability of each row's own label at each checkpoint.
    confidence_, aleatoric_, variability_ : ndarray of shape (n_samples,)
        The per-row profile.
    segments_ : ndarray of shape (n_samples,)
        ``"easy"``, ``"ambiguous"`` or ``"hard"`` per row.
    label_issues_ : ndarray of bool or None
        Likely label errors (``method="confident_learning"`` only).
    uncertainty_threshold_ : float
        The uncertainty cut used (the percentile's value with ``percentile``).
    class_thresholds_ : ndarray of shape (n_classes,)
        Mean probability of each class over its rows (confident learning).
    checkpoints_ : list
        The fitted checkpoint models, one per fold; :meth:`profile` averages
        their probabilities.
    n_checkpoints_ : int
        Number of checkpoints read.
    schema_ : TableSchema
        Column types of ``X``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    See Also
    --------
    sksynth.samplers.HardExampleFilter : drop hard rows from training folds.
    sksynth.generators.DataCentricGenerator : generators sculpted by a profile.

    References
    ----------
    N. Seedat, J. Crabbé, I. Bica, M. van der Schaar, "Data-IQ: Characterizing
    subgroups with heterogeneous outcomes in tabular data", NeurIPS 2022.
    S. Swayamdipta et al., "Dataset Cartography: Mapping and Diagnosing
    Datasets with Training Dynamics", EMNLP 2020.
    L. Hansen, N. Seedat, M. van der Schaar, A. Petrovic, "Reimagining
    Synthetic Tabular Data Generation through Data-Centric AI", NeurIPS 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.datasets import make_mixed_classification
    >>> from sksynth.profiling import DataIQProfiler
    >>> X, y = make_mixed_classification(600, random_state=0)
    >>> flipped = np.random.RandomState(0).rand(len(y)) < 0.1
    >>> y_noisy = np.where(flipped, 1 - y, y)
    >>> prof = DataIQProfiler(random_state=0).fit(X, y_noisy)
    >>> sorted(set(prof.segments_))
    ['ambiguous', 'easy', 'hard']
    >>> bool(flipped[prof.segments_ == "hard"].mean() > 0.5)
    True
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "method": [StrOptions({"dataiq", "datamaps", "confident_learning"})],
        "checkpoints": [Interval(numbers.Integral, 1, None, closed="left")],
        "cv": ["cv_object", None],
        "thresholds": [dict, None],
        "encode": [StrOptions({"auto", "codes", "onehot", "none"})],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        method="dataiq",
        checkpoints=10,
        cv=5,
        thresholds=None,
        encode="auto",
        verbose=0,
        random_state=None,
    ):
        self.estimator = estimator
        self.method = method
        self.checkpoints = checkpoints
        self.cv = cv
        self.thresholds = thresholds
        self.encode = encode
        self.verbose = verbose
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        return tags

    # ---------------------------------------------------------------- input
    def _encoding(self, est):
        if self.encode != "auto":
            return self.encode
        return "codes" if _is_hgb(est) else "onehot"

    def _features(self, X):
        """The estimator's input for ``X`` (after ``fit`` set the encoding)."""
        if self.encoding_ == "none":
            return X
        Z = self.schema_.encode(X)
        if self.encoding_ == "codes":
            return Z
        return self.encoder_.transform_codes(Z)

    def _labels(self, y, *, fitting):
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D, got shape {y.shape}.")
        if pd.isna(y).any():
            raise ValueError("y contains missing values: every row needs a label.")
        if fitting:
            check_classification_targets(y)
            self.classes_ = np.unique(y)
            if len(self.classes_) < 2:
                raise ValueError(
                    "y has a single class: profiling needs at least 2 classes."
                )
        codes = np.searchsorted(self.classes_, y)
        codes = np.clip(codes, 0, len(self.classes_) - 1)
        unseen = self.classes_[codes] != y
        if unseen.any():
            raise ValueError(
                f"y holds labels not seen in fit: {sorted(set(y[unseen].tolist()))}; "
                f"the labels are {self.classes_.tolist()}."
            )
        return codes

    def _estimator(self, rng):
        est = self.estimator
        if est is None:
            est = HistGradientBoostingClassifier(max_iter=100, early_stopping=False)
        else:
            from sklearn.base import clone

            est = clone(est)
        checkpoint_kind(est)  # a clear error before any work
        params = est.get_params(deep=False)
        if "random_state" in params and params["random_state"] is None:
            est.set_params(random_state=draw_seed(rng))
        return est

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Profile the rows of ``(X, y)``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Mixed types and missing values are fine.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : DataIQProfiler
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None: the profile is of each row's label."
            )
        validate_table(self, X, y, reset=True, ensure_min_samples=2)
        t = check_thresholds(self.thresholds)
        labels = self._labels(y, fitting=True)
        rng = check_random_state(self.random_state)
        est = self._estimator(rng)
        self.encoding_ = self._encoding(est)
        self.schema_ = TableSchema.infer(X)
        self.encoder_ = None
        if self.encoding_ == "none":
            F = X
        else:
            Z = self.schema_.encode(X)
            F = Z
            if self.encoding_ == "onehot":
                self.encoder_ = TableEncoder(
                    numeric="standard", categorical="onehot", max_categories=64
                ).fit_codes(Z, self.schema_)
                F = self.encoder_.transform_codes(Z)
            elif _is_hgb(est) and est.categorical_features == "from_dtype":
                mask = np.array(
                    [
                        c.kind == "categorical"
                        and c.n_categories <= _MAX_NATIVE_CATEGORIES
                        for c in self.schema_.columns
                    ]
                )
                est.set_params(categorical_features=mask if mask.any() else None)
        n_classes = len(self.classes_)
        k = self.checkpoints
        if self.cv is None:
            folds = [(np.arange(len(labels)), np.arange(len(labels)))]
        else:
            cv = self.cv
            if isinstance(cv, numbers.Integral):
                cv = StratifiedKFold(cv, shuffle=True, random_state=draw_seed(rng))
            cv = check_cv(cv, labels, classifier=True)
            folds = list(cv.split(np.zeros((len(labels), 1)), labels))
        self.checkpoints_ = []
        proba = None
        seen = np.zeros(len(labels), dtype=bool)
        for train, test in progress(
            folds, desc="profiling folds", verbose=self.verbose
        ):
            model = fit_checkpoints(est, _rows(F, train), labels[train], n_classes, k)
            part = model.predict_proba(_rows(F, test))
            if proba is None:
                proba = np.zeros((part.shape[0], len(labels), n_classes))
            if part.shape[0] != proba.shape[0]:  # a fold with fewer stages
                m = min(part.shape[0], proba.shape[0])
                proba, part = proba[-m:], part[-m:]
            proba[:, test] = part
            seen[test] = True
            self.checkpoints_.append(model)
        if not seen.all():
            raise ValueError(
                f"cv left {int((~seen).sum())} rows out of every test fold: "
                "out-of-fold profiling needs a partition of the rows (e.g. KFold)."
            )
        self.n_checkpoints_ = proba.shape[0]
        self.class_thresholds_ = class_thresholds(proba.mean(axis=0), labels, n_classes)
        self._set_profile(proba, labels, t)
        return self

    def _scores(self, proba, labels):
        """Per-checkpoint probability of each row's label, ``(n, k)``."""
        rows = np.arange(len(labels))
        return proba[:, rows, labels].T

    def _set_profile(self, proba, labels, t):
        P = self._scores(proba, labels)
        self.probabilities_ = P
        self.confidence_ = P.mean(axis=1)
        self.aleatoric_ = (P * (1 - P)).mean(axis=1)
        self.variability_ = P.std(axis=1)
        self.label_issues_ = None
        unc = self.variability_ if self.method == "datamaps" else self.aleatoric_
        self.uncertainty_threshold_ = uncertainty_threshold(unc, t)
        if self.method == "confident_learning":
            issue, seg = confident_learning(
                proba.mean(axis=0), labels, self.class_thresholds_
            )
            self.label_issues_ = issue
        else:
            seg = assign_segments(
                self.confidence_, unc, t["confidence"], self.uncertainty_threshold_
            )
        self.segments_ = seg

    # -------------------------------------------------------------- profile
    def predict_checkpoint_proba(self, X):
        """Class probabilities of new rows at each checkpoint.

        The fold models' probabilities are averaged (a single in-sample model
        with ``cv=None``).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_checkpoints, n_samples, n_classes)
        """
        check_is_fitted(self)
        validate_table(self, X, reset=False)
        F = self._features(X)
        total = None
        k = self.n_checkpoints_
        for model in self.checkpoints_:
            p = model.predict_proba(F)[-k:]
            total = p if total is None else total + p
        return total / len(self.checkpoints_)

    def profile(self, X, y):
        """Profile new rows (e.g. synthetic ones) with the fitted checkpoints.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Rows with the columns seen in ``fit``.
        y : array-like of shape (n_samples,)
            Their labels (among those seen in ``fit``).

        Returns
        -------
        profile : DataFrame
            Columns ``confidence``, ``aleatoric``, ``variability``, ``segment``
            (categorical: easy, ambiguous, hard) and, for
            ``method="confident_learning"``, ``label_issue``; the index of
            ``X`` when it is a DataFrame.
        """
        check_is_fitted(self)
        labels = self._labels(y, fitting=False)
        if len(labels) != X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} rows but y has {len(labels)} labels.")
        proba = self.predict_checkpoint_proba(X)
        P = self._scores(proba, labels)
        conf = P.mean(axis=1)
        aleatoric = (P * (1 - P)).mean(axis=1)
        variability = P.std(axis=1)
        out = {"confidence": conf, "aleatoric": aleatoric, "variability": variability}
        if self.method == "confident_learning":
            issue, seg = confident_learning(
                proba.mean(axis=0), labels, self.class_thresholds_
            )
        else:
            t = check_thresholds(self.thresholds)
            unc = variability if self.method == "datamaps" else aleatoric
            seg = assign_segments(
                conf, unc, t["confidence"], self.uncertainty_threshold_
            )
        out["segment"] = pd.Categorical(seg, categories=SEGMENTS)
        if self.method == "confident_learning":
            out["label_issue"] = issue
        index = X.index if isinstance(X, pd.DataFrame) else None
        return pd.DataFrame(out, index=index)

    @property
    def profile_(self):
        """The profile of the fitted rows as a DataFrame (see :meth:`profile`)."""
        check_is_fitted(self)
        out = pd.DataFrame(
            {
                "confidence": self.confidence_,
                "aleatoric": self.aleatoric_,
                "variability": self.variability_,
                "segment": pd.Categorical(self.segments_, categories=SEGMENTS),
            }
        )
        if self.label_issues_ is not None:
            out["label_issue"] = self.label_issues_
        return out

    def segment_counts(self):
        """Number of fitted rows per segment (easy, ambiguous, hard)."""
        check_is_fitted(self)
        return pd.Series(
            [int(np.sum(self.segments_ == s)) for s in SEGMENTS],
            index=pd.Index(SEGMENTS, name="segment"),
            name="rows",
        )

    # ----------------------------------------------------------------- plot
    def plot_data_map(
        self, *, ax=None, uncertainty=None, max_points=5000, random_state=0
    ):
        """The data map: confidence against uncertainty, coloured by segment.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw (a new figure when None).
        uncertainty : {"aleatoric", "variability"}, default=None
            The x axis; None follows ``method`` (variability for Data Maps,
            the aleatoric uncertainty otherwise).
        max_points : int, default=5000
            Rows drawn at most (a seeded subsample beyond).
        random_state : int, default=0
            Seed of the subsample.

        Returns
        -------
        ax : matplotlib Axes
        """
        check_is_fitted(self)
        import matplotlib.pyplot as plt

        if uncertainty is None:
            uncertainty = "variability" if self.method == "datamaps" else "aleatoric"
        if uncertainty not in ("aleatoric", "variability"):
            raise ValueError(
                "uncertainty must be 'aleatoric' or 'variability', got "
                f"{uncertainty!r}."
            )
        x = self.aleatoric_ if uncertainty == "aleatoric" else self.variability_
        rows = np.arange(len(x))
        if max_points is not None and len(rows) > max_points:
            rows = np.sort(
                check_random_state(random_state).choice(
                    len(rows), max_points, replace=False
                )
            )
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4.5))
        colours = {"easy": "tab:green", "ambiguous": "tab:orange", "hard": "tab:red"}
        for s in SEGMENTS:
            r = rows[self.segments_[rows] == s]
            share = np.mean(self.segments_ == s)
            ax.scatter(
                x[r],
                self.confidence_[r],
                s=6,
                alpha=0.5,
                c=colours[s],
                label=f"{s} ({share:.0%})",
            )
        ax.set_xlabel(
            f"{uncertainty} uncertainty"
            if uncertainty == "aleatoric"
            else "variability"
        )
        ax.set_ylabel("confidence (mean probability of the label)")
        ax.set_ylim(-0.02, 1.02)
        where = "in-sample" if self.cv is None else "out-of-fold"
        ax.set_title(f"Data map ({self.method}, {where})")
        ax.legend(loc="center right", fontsize=8, markerscale=2)
        return ax


def _rows(F, idx):
    if isinstance(F, pd.DataFrame):
        return F.iloc[idx]
    return F[idx]
