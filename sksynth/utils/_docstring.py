"""The one way of sharing docstring text between estimators."""

__all__ = ["fill_doc"]


def fill_doc(**fragments):
    """Class or function decorator that fills ``{name}`` placeholders of its docstring.

    Only the named placeholders are replaced (with ``str.replace``), so other
    braces in the docstring, such as ``{column: value}``, stay as they are. A
    named placeholder missing from the docstring is an error, so a fragment
    cannot be dropped silently.

    Examples
    --------
    >>> from sksynth.utils._docstring import fill_doc
    >>> @fill_doc(seed="random_state : int\\n        Seed.")
    ... class Thing:
    ...     '''A thing ({column: value} stays).
    ...
    ...     {seed}
    ...     '''
    >>> print(Thing.__doc__.splitlines()[0])
    A thing ({column: value} stays).
    >>> "random_state : int" in Thing.__doc__
    True
    """

    def decorate(obj):
        doc = obj.__doc__ or ""
        for name, text in fragments.items():
            placeholder = "{" + name + "}"
            if placeholder not in doc:
                raise ValueError(
                    f"The docstring of {obj.__qualname__} has no {placeholder}."
                )
            doc = doc.replace(placeholder, text)
        obj.__doc__ = doc
        return obj

    return decorate
