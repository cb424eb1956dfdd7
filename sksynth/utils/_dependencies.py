"""Optional packages: imported lazily, with an error that names the extra."""

import importlib

__all__ = ["import_optional"]


def import_optional(module, extra, *, purpose=None):
    """Import ``module``, or raise an ImportError that says which extra to install.

    Parameters
    ----------
    module : str
        Dotted module name, e.g. ``"opacus"``.
    extra : str
        The sksynth extra that brings it, e.g. ``"dp"``.
    purpose : str, default=None
        What needs it (used in the message), e.g. ``"DPTVAEGenerator"``.

    Examples
    --------
    >>> from sksynth.utils._dependencies import import_optional
    >>> import_optional("numpy", "core").__name__
    'numpy'
    >>> import_optional("no_such_mod", "dp", purpose="X")
    Traceback (most recent call last):
    ...
    ImportError: X needs the optional package 'no_such_mod': pip install "sksynth[dp]"
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".")[0]
        who = purpose or "This feature"
        raise ImportError(
            f"{who} needs the optional package {top!r}: "
            f'pip install "sksynth[{extra}]"'
        ) from exc
