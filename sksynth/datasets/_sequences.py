"""Multi-sequence (panel) data in long format: Sines, and sktime's bundled sets.

Everything is made on the fly or read from files installed with a package
(sktime ships BasicMotions, JapaneseVowels, ItalyPowerDemand inside its
wheel); nothing is downloaded.
"""

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from ..utils._dependencies import import_optional

__all__ = [
    "load_basic_motions",
    "load_italy_power_demand",
    "load_japanese_vowels",
    "make_sines",
    "to_panel",
]


def make_sines(n_sequences=10000, *, seq_len=24, n_features=5, random_state=None):
    """Sines the TimeGAN way, in long format.

    Every feature of every sequence is ``(sin(f * t + p) + 1) / 2`` at steps
    ``t = 0, ..., seq_len - 1``, with its own frequency ``f`` and phase ``p``
    drawn uniformly in ``[0, 0.1]`` (Yoon et al., 2019).

    Parameters
    ----------
    n_sequences : int, default=10000
        Number of sequences.
    seq_len : int, default=24
        Steps per sequence.
    n_features : int, default=5
        Features per step.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    df : DataFrame of shape (n_sequences * seq_len, 2 + n_features)
        Columns ``id``, ``time`` (the step, an integer) and ``x0``, ``x1``, ...

    Examples
    --------
    >>> from sksynth.datasets import make_sines
    >>> df = make_sines(3, n_features=2, random_state=0)
    >>> df.shape, df.columns.tolist()
    ((72, 4), ['id', 'time', 'x0', 'x1'])
    """
    rng = check_random_state(random_state)
    freq = rng.uniform(0, 0.1, size=(n_sequences, 1, n_features))
    phase = rng.uniform(0, 0.1, size=(n_sequences, 1, n_features))
    t = np.arange(seq_len)[None, :, None]
    values = (np.sin(freq * t + phase) + 1) / 2
    data = {
        "id": np.repeat(np.arange(n_sequences), seq_len),
        "time": np.tile(np.arange(seq_len), n_sequences),
    }
    flat = values.reshape(-1, n_features)
    for k in range(n_features):
        data[f"x{k}"] = flat[:, k]
    return pd.DataFrame(data)


def to_panel(X, *, n_features=None):
    """Long-format rows back into an array of sequences.

    Parameters
    ----------
    X : DataFrame
        Long table sorted by entity and time, whose first two columns are the
        id and the time and whose next ``n_features`` columns are numeric.
    n_features : int, default=None
        Number of value columns (default: all the others).

    Returns
    -------
    panel : list of ndarray of shape (length, n_features)
        One array per entity, in order of appearance.

    Examples
    --------
    >>> from sksynth.datasets import make_sines, to_panel
    >>> [a.shape for a in to_panel(make_sines(2, n_features=3, random_state=0))]
    [(24, 3), (24, 3)]
    """
    cols = list(X.columns[2:] if n_features is None else X.columns[2 : 2 + n_features])
    values = X[cols].to_numpy(dtype=float)
    codes, _ = pd.factorize(X.iloc[:, 0])
    bounds = np.flatnonzero(np.diff(codes)) + 1
    return np.split(values, bounds)


def _sktime_long(loader, name, label):
    datasets = import_optional("sktime.datasets", "sequences", purpose=name)
    X, y = getattr(datasets, loader)(return_type="pd-multiindex")
    X = X.reset_index()
    X.columns = ["id", "time", *X.columns[2:]]
    X["id"] = X["id"].astype(np.int64)
    X["time"] = X["time"].astype(np.int64)
    classes = pd.Series(np.asarray(y).astype(str))
    X[label] = pd.array(classes.to_numpy()[X["id"].to_numpy()], dtype="str")
    return X


def load_basic_motions():
    """BasicMotions (sktime's copy): 80 accelerometer and gyroscope recordings.

    Each of 80 sequences has 100 steps of 6 channels (``dim_0`` to ``dim_5``)
    and one of four activities (``activity``: standing, running, walking,
    badminton). Needs sktime (``pip install "sksynth[sequences]"``).

    Returns
    -------
    df : DataFrame of shape (8000, 9)
        Long format: ``id``, ``time``, six channels, ``activity``.

    Examples
    --------
    >>> import pytest
    >>> _ = pytest.importorskip("sktime")
    >>> from sksynth.datasets import load_basic_motions
    >>> load_basic_motions().shape
    (8000, 9)
    """
    return _sktime_long("load_basic_motions", "load_basic_motions", "activity")


def load_japanese_vowels():
    """JapaneseVowels (sktime's copy): 640 utterances of variable length.

    Each sequence (7 to 29 steps) has 12 LPC cepstrum coefficients
    (``dim_0`` to ``dim_11``) and the speaker (``speaker``, 9 classes).
    Needs sktime.

    Returns
    -------
    df : DataFrame of shape (9961, 15)
        Long format: ``id``, ``time``, twelve channels, ``speaker``.

    Examples
    --------
    >>> import pytest
    >>> _ = pytest.importorskip("sktime")
    >>> from sksynth.datasets import load_japanese_vowels
    >>> load_japanese_vowels()["id"].nunique()
    640
    """
    return _sktime_long("load_japanese_vowels", "load_japanese_vowels", "speaker")


def load_italy_power_demand(*, drop_rate=0.0, random_state=None):
    """ItalyPowerDemand (sktime's copy): 1096 days of hourly power demand.

    Each sequence is one day (24 hourly values ``dim_0``) with its season
    (``season``: "1" October to March, "2" April to September). With
    ``drop_rate > 0`` that share of the hours is removed at random (every
    day keeps at least two), which makes the series *irregular*: the time
    gaps vary. Needs sktime.

    Parameters
    ----------
    drop_rate : float, default=0.0
        Share of rows removed at random.
    random_state : int, RandomState instance or None, default=None
        Seed of the removal.

    Returns
    -------
    df : DataFrame
        Long format: ``id``, ``time`` (the hour), ``dim_0``, ``season``.

    Examples
    --------
    >>> import pytest
    >>> _ = pytest.importorskip("sktime")
    >>> from sksynth.datasets import load_italy_power_demand
    >>> load_italy_power_demand().shape
    (26304, 4)
    """
    df = _sktime_long("load_italy_power_demand", "load_italy_power_demand", "season")
    if drop_rate <= 0:
        return df
    rng = check_random_state(random_state)
    keep = rng.uniform(size=len(df)) >= drop_rate
    keep |= df["time"].isin([0, 23]).to_numpy()  # two rows per day at least
    return df[keep].reset_index(drop=True)
