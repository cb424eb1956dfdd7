"""Real survival data sets read from the wheels of scikit-survival and lifelines.

Nothing is downloaded: the files ship inside the installed packages. A data
set whose package is absent raises an ImportError that names it (tests and
examples skip on it).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

from ..utils._dependencies import import_optional

__all__ = ["load_survival", "survival_dataset_names"]

# name: (package, loader or file, event column, time column)
_SKSURV = {
    "gbsg2": "load_gbsg2",
    "whas500": "load_whas500",
    "veteran": "load_veterans_lung_cancer",
    "flchain": "load_flchain",
    "actg320": "load_aids",
}
_LIFELINES = {
    "rossi": ("rossi.csv", "arrest", "week", ","),
    "lung": ("lung.csv", "status", "time", ","),
    "kidney_transplant": ("kidney_transplant.csv", "death", "time", ","),
}


def survival_dataset_names():
    """Names accepted by :func:`load_survival`.

    Examples
    --------
    >>> from sksynth.datasets import survival_dataset_names
    >>> survival_dataset_names()[:3]
    ['actg320', 'flchain', 'gbsg2']
    """
    return sorted([*_SKSURV, *_LIFELINES])


def load_survival(name):
    """A real survival data set as ``(X, y)``, ``y`` a structured (event, time) array.

    ============================  =============  ===========================
    name                          rows           from
    ============================  =============  ===========================
    ``"gbsg2"``                   686            scikit-survival
    ``"whas500"``                 500            scikit-survival
    ``"veteran"``                 137            scikit-survival
    ``"flchain"``                 7874           scikit-survival
    ``"actg320"``                 1151           scikit-survival
    ``"rossi"``                   432            lifelines
    ``"lung"``                    228            lifelines
    ``"kidney_transplant"``       863            lifelines
    ============================  =============  ===========================

    The covariates are as the package ships them (scikit-survival's
    categories stay categories; ``flchain``'s ``chapter`` cause of death,
    known only for the dead, is dropped: it reveals the outcome). In the
    lifelines files the event (0/1) becomes boolean; rows with a missing
    outcome are refused rather than dropped (none has one).

    Parameters
    ----------
    name : str
        One of :func:`survival_dataset_names`.

    Returns
    -------
    X : DataFrame
    y : structured array with fields (event, time)

    Examples
    --------
    >>> from sksynth.datasets import load_survival
    >>> X, y = load_survival("gbsg2")  # doctest: +SKIP
    >>> X.shape, y.dtype.names  # doctest: +SKIP
    ((686, 8), ('cens', 'time'))
    """
    if name in _SKSURV:
        datasets = import_optional(
            "sksurv.datasets", "survival", purpose=f"load_survival({name!r})")
        X, y = getattr(datasets, _SKSURV[name])()
        if name == "flchain":
            X = X.drop(columns=["chapter"])
        return X.reset_index(drop=True), y
    if name in _LIFELINES:
        spec = importlib.util.find_spec("lifelines")
        if spec is None or spec.origin is None:
            raise ImportError(
                f"load_survival({name!r}) reads the data shipped with the package "
                "'lifelines': pip install lifelines.")
        file, event, time, sep = _LIFELINES[name]
        frame = pd.read_csv(Path(spec.origin).parent / "datasets" / file, sep=sep)
        if frame[[event, time]].isna().any().any():
            raise ValueError(f"{name}: the outcome has missing values.")
        y = np.empty(len(frame), dtype=[(event, bool), (time, np.float64)])
        y[event] = frame[event].to_numpy() == 1
        y[time] = frame[time].to_numpy(dtype=np.float64)
        return frame.drop(columns=[event, time]).reset_index(drop=True), y
    raise ValueError(
        f"Unknown survival data set {name!r}; choose among "
        f"{survival_dataset_names()}.")
