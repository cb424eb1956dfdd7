"""Generators by short name (for the command line and configuration files)."""

__all__ = ["generator_names", "get_generator"]

_ALIASES = {"copula": "gaussiancopula"}


def _short_name(cls_name):
    return cls_name.removesuffix("Generator").lower()


def generator_names():
    """Short names of all generators (``GaussianCopulaGenerator``: ``gaussiancopula``).

    Examples
    --------
    >>> from sksynth.generators import generator_names
    >>> "gaussiancopula" in generator_names()
    True
    """
    from ..utils import all_estimators

    return sorted(_short_name(n) for n, _ in all_estimators("generator"))


def get_generator(name, **params):
    """A generator instance from its short name (case and ``-``/``_`` ignored).

    Examples
    --------
    >>> from sksynth.generators import get_generator
    >>> get_generator("copula", random_state=0)
    GaussianCopulaGenerator(random_state=0)
    """
    from ..utils import all_estimators

    key = name.lower().replace("-", "").replace("_", "")
    key = _ALIASES.get(key, key)
    classes = {_short_name(n): cls for n, cls in all_estimators("generator")}
    if key not in classes:
        raise ValueError(
            f"Unknown generator {name!r}; choose among {sorted(classes)} "
            f"(aliases: {sorted(_ALIASES)})."
        )
    cls = classes[key]
    accepted = cls().get_params()
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise ValueError(
            f"{cls.__name__} has no parameter(s) {unknown}; its parameters are "
            f"{sorted(accepted)}."
        )
    return cls(**params)
