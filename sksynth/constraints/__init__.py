"""Declared constraints: rules the generated rows must obey.

Pass a list of them to any generator (``constraints=[...]``). Each is
compiled at ``fit`` against the table's schema (unknown columns, columns of
the wrong kind, contradictions and training rows that break it are errors)
into the rule layer of :mod:`sksynth.preprocessing` and enforced on every
generated row: by an exact transform where one exists (values on a grid), by
the library's bounded redraw otherwise.
"""

from ._constraints import (
    BaseConstraint,
    ConstraintError,
    ConstraintRedrawWarning,
    Custom,
    FixedCombinations,
    FixedIncrements,
    Inequality,
    Negative,
    OneHot,
    Positive,
    Range,
    compile_constraints,
)

__all__ = [
    "BaseConstraint",
    "ConstraintError",
    "ConstraintRedrawWarning",
    "Custom",
    "FixedCombinations",
    "FixedIncrements",
    "Inequality",
    "Negative",
    "OneHot",
    "Positive",
    "Range",
    "compile_constraints",
]
