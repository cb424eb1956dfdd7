"""Find the public estimators of sksynth."""

import importlib
import inspect
import pkgutil

from sklearn.base import BaseEstimator

__all__ = ["all_estimators"]

_TYPES = {"generator", "sampler", "transformer"}


def _kind(cls):
    from ..base import GeneratorMixin

    if issubclass(cls, GeneratorMixin):
        return "generator"
    if hasattr(cls, "fit_resample"):
        return "sampler"
    if hasattr(cls, "transform"):
        return "transformer"
    return None


def all_estimators(type_filter=None):
    """List the public estimators of sksynth.

    Walks every public module of the package and collects the public classes
    that subclass ``BaseEstimator`` and are not abstract bases.

    Parameters
    ----------
    type_filter : {"generator", "sampler", "transformer"} or list, default=None
        Keep only these kinds.

    Returns
    -------
    estimators : list of (name, class)
        Sorted by name.

    Examples
    --------
    >>> from sksynth.utils import all_estimators
    >>> names = [name for name, _ in all_estimators("generator")]
    >>> "GaussianCopulaGenerator" in names
    True
    """
    import sksynth

    if isinstance(type_filter, str):
        type_filter = [type_filter]
    if type_filter is not None and not set(type_filter) <= _TYPES:
        raise ValueError(
            f"type_filter must be among {sorted(_TYPES)}, got {type_filter}"
        )
    found = {}
    for info in pkgutil.walk_packages(sksynth.__path__, prefix="sksynth."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts[1:-1]) or ".tests" in info.name:
            continue
        if parts[-1] in {"cli"} or info.name.startswith("sksynth.commands"):
            continue
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if name.startswith("_") or not cls.__module__.startswith("sksynth"):
                continue
            if not issubclass(cls, BaseEstimator) or name.startswith("Base"):
                continue
            if inspect.isabstract(cls) or cls.__module__ == "sksynth.base":
                continue
            kind = _kind(cls)
            if kind is None or (type_filter and kind not in type_filter):
                continue
            found[name] = cls
    return sorted(found.items())
