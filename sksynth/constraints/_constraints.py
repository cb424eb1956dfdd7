"""The declared constraints and their compilation into rules."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from ..preprocessing._rules import (
    OrderRule,
    Rule,
    RuleSet,
    SetRule,
    StepRule,
    code_label,
    ns_scale,
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


class ConstraintError(ValueError):
    """A declared constraint cannot be honoured (bad column, contradiction,
    training rows that break it, or a request no valid row can meet)."""


class ConstraintRedrawWarning(UserWarning):
    """Many generated rows broke a declared constraint and were drawn again."""


class BaseConstraint:
    """Base of the declared constraints (plain objects: cloned by copy).

    A subclass names its columns in :meth:`columns` and compiles itself
    against a schema (and the training code matrix) into rules.
    """

    _fields = ()

    def columns(self):
        """Names of the columns the constraint reads."""
        return []

    def _compile(self, schema, Z):
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(repr(getattr(self, f)) for f in self._fields)
        return f"{type(self).__name__}({args})"

    def __eq__(self, other):
        return type(self) is type(other) and all(
            getattr(self, f) == getattr(other, f) for f in self._fields
        )

    def __hash__(self):
        return hash(repr(self))


def _position(schema, name, constraint):
    try:
        return schema.column_position(name)
    except ValueError as exc:
        raise ConstraintError(f"{constraint!r}: {exc}") from None


def _column(schema, name, constraint, kinds, what):
    j = _position(schema, name, constraint)
    col = schema.columns[j]
    if col.kind not in kinds:
        raise ConstraintError(
            f"{constraint!r}: column {name!r} is {col.kind}; {what}."
        )
    return j, col


def _bound(schema, value, constraint, like):
    """A side of an order: ``(position, scale)`` for a column, else a number."""
    if not isinstance(value, (numbers.Real, pd.Timestamp, np.datetime64)) or (
        _is_column(schema, value)
    ):
        j, col = _column(schema, value, constraint, ("numeric", "datetime"),
                         "an order needs numeric or datetime columns")
        if like is not None and col.kind != like:
            raise ConstraintError(
                f"{constraint!r}: column {value!r} is {col.kind} but the other "
                f"side is {like}; compare columns of one kind."
            )
        return (j, ns_scale(col)), col.kind
    if isinstance(value, bool):
        raise ConstraintError(f"{constraint!r}: {value!r} is not a bound.")
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        if like not in (None, "datetime"):
            raise ConstraintError(
                f"{constraint!r}: the bound {value!r} is a date but the column "
                f"is {like}."
            )
        return float(pd.Timestamp(value).as_unit("ns").value), "datetime"
    if like == "datetime":
        raise ConstraintError(
            f"{constraint!r}: the bound {value!r} is a number but the column is a "
            "datetime; give a pandas Timestamp."
        )
    return float(value), "numeric"


def _is_column(schema, value):
    try:
        schema.column_position(value)
        return True
    except (ValueError, TypeError):
        return False


class Inequality(BaseConstraint):
    """``low <= high`` in every row (``<`` when ``strict``), numbers or dates.

    Parameters
    ----------
    low, high : str
        Two numeric or two datetime columns.
    strict : bool, default=False
        Require ``low < high``.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.constraints import Inequality
    >>> from sksynth.generators import GaussianCopulaGenerator
    >>> df = pd.DataFrame({"start": [1, 2, 3, 4, 5, 6] * 10,
    ...                    "end": [2, 4, 3, 9, 6, 8] * 10})
    >>> gen = GaussianCopulaGenerator(constraints=[Inequality("start", "end")],
    ...                               random_state=0).fit(df)
    >>> rows = gen.sample(200, random_state=0)
    >>> bool((rows["start"] <= rows["end"]).all())
    True
    """

    _fields = ("low", "high", "strict")

    def __init__(self, low, high, strict=False):
        self.low, self.high, self.strict = low, high, strict

    def columns(self):
        return [self.low, self.high]

    def _compile(self, schema, Z):
        left, kind = _bound(schema, self.low, self, None)
        if not isinstance(left, tuple):
            raise ConstraintError(f"{self!r}: low must be a column (use Range).")
        right, _ = _bound(schema, self.high, self, kind)
        if not isinstance(right, tuple):
            raise ConstraintError(f"{self!r}: high must be a column (use Range).")
        return [OrderRule(left, right, bool(self.strict), repr(self), "declared")]


class Range(BaseConstraint):
    """``low <= middle <= high``; ``low`` and ``high`` are columns or numbers.

    Parameters
    ----------
    low : str or number (or Timestamp for a datetime column)
    middle : str
        The constrained column.
    high : str or number (or Timestamp)
    strict : bool, default=False
        Require strict inequalities.

    Examples
    --------
    >>> from sksynth.constraints import Range
    >>> Range(0, "share", 1)
    Range(0, 'share', 1, False)
    """

    _fields = ("low", "middle", "high", "strict")

    def __init__(self, low, middle, high, strict=False):
        self.low, self.middle, self.high, self.strict = low, middle, high, strict

    def columns(self):
        return [self.middle] + [
            v for v in (self.low, self.high)
            if not isinstance(v, (numbers.Real, pd.Timestamp, np.datetime64))
        ]

    def _compile(self, schema, Z):
        mid, kind = _bound(schema, self.middle, self, None)
        if not isinstance(mid, tuple):
            raise ConstraintError(f"{self!r}: middle must be a column.")
        lo, _ = _bound(schema, self.low, self, kind)
        hi, _ = _bound(schema, self.high, self, kind)
        if not isinstance(lo, tuple) and not isinstance(hi, tuple):
            if lo > hi or (self.strict and lo == hi):
                raise ConstraintError(
                    f"{self!r}: the bounds contradict each other (low > high)."
                )
        strict = bool(self.strict)
        return [OrderRule(lo, mid, strict, repr(self), "declared"),
                OrderRule(mid, hi, strict, repr(self), "declared")]


class Positive(BaseConstraint):
    """Values of a numeric column above 0 (``>= 0`` unless ``strict``).

    Examples
    --------
    >>> from sksynth.constraints import Positive
    >>> Positive("income")
    Positive('income', True)
    """

    _fields = ("column", "strict")
    _sign = 1

    def __init__(self, column, strict=True):
        self.column, self.strict = column, strict

    def columns(self):
        return [self.column]

    def _compile(self, schema, Z):
        j, col = _column(schema, self.column, self, ("numeric",),
                         "the sign of a value needs a numeric column")
        side = (j, 1.0)
        left, right = (0.0, side) if self._sign > 0 else (side, 0.0)
        return [OrderRule(left, right, bool(self.strict), repr(self), "declared")]


class Negative(Positive):
    """Values of a numeric column below 0 (``<= 0`` unless ``strict``).

    Examples
    --------
    >>> from sksynth.constraints import Negative
    >>> Negative("loss", strict=False)
    Negative('loss', False)
    """

    _sign = -1


class FixedCombinations(BaseConstraint):
    """Only the combinations of values of ``columns`` seen in the data.

    Parameters
    ----------
    columns : list of str
        At least two categorical (or integer / datetime) columns.

    Examples
    --------
    >>> from sksynth.constraints import FixedCombinations
    >>> FixedCombinations(["city", "country"])
    FixedCombinations(['city', 'country'])
    """

    _fields = ("columns_",)

    def __init__(self, columns):
        self.columns_ = list(columns) if not isinstance(columns, str) else columns

    def columns(self):
        return list(self.columns_)

    def _compile(self, schema, Z):
        if isinstance(self.columns_, str) or len(self.columns_) < 2:
            raise ConstraintError(f"{self!r}: give a list of at least two columns.")
        positions = []
        for name in self.columns_:
            j = _position(schema, name, self)
            if not schema.columns[j].is_discrete:
                raise ConstraintError(
                    f"{self!r}: column {name!r} is continuous (numeric with "
                    "decimals); combinations need categorical, integer or "
                    "datetime columns."
                )
            positions.append(j)
        allowed = set(SetRule.keys(Z, positions))
        return [SetRule(positions, allowed, repr(self))]


class FixedIncrements(BaseConstraint):
    """Values of a numeric column are multiples of ``increment``.

    Enforced by a transform: generated values are snapped to the nearest
    multiple (inside the range seen in ``fit``).

    Examples
    --------
    >>> from sksynth.constraints import FixedIncrements
    >>> FixedIncrements("price", 0.05)
    FixedIncrements('price', 0.05)
    """

    _fields = ("column", "increment")

    def __init__(self, column, increment):
        self.column, self.increment = column, increment

    def columns(self):
        return [self.column]

    def _compile(self, schema, Z):
        j, col = _column(schema, self.column, self, ("numeric",),
                         "increments need a numeric column")
        inc = self.increment
        if isinstance(inc, bool) or not isinstance(inc, numbers.Real) or inc <= 0:
            raise ConstraintError(f"{self!r}: increment must be a number > 0.")
        inc = float(inc)
        low = np.ceil(col.low / inc - 1e-9) * inc
        high = np.floor(col.high / inc + 1e-9) * inc
        return [StepRule(j, 0.0, inc, repr(self), "declared", low=low, high=high)]


class _OneHotRule(Rule):
    kind = "one-hot"

    def __init__(self, positions, ones, name):
        self.positions, self.ones, self.name = tuple(positions), ones, name
        self.source = "declared"

    def valid(self, Z):
        sub = Z[:, list(self.positions)]
        return (sub == self.ones).sum(axis=1) == 1


class OneHot(BaseConstraint):
    """Exactly one of ``columns`` is 1 (or True) in every row.

    Examples
    --------
    >>> from sksynth.constraints import OneHot
    >>> OneHot(["red", "green", "blue"])
    OneHot(['red', 'green', 'blue'])
    """

    _fields = ("columns_",)

    def __init__(self, columns):
        self.columns_ = list(columns) if not isinstance(columns, str) else columns

    def columns(self):
        return list(self.columns_)

    def _compile(self, schema, Z):
        if isinstance(self.columns_, str) or len(self.columns_) < 2:
            raise ConstraintError(f"{self!r}: give a list of at least two columns.")
        positions, ones = [], []
        for name in self.columns_:
            j = _position(schema, name, self)
            col = schema.columns[j]
            if col.kind == "categorical" and set(col.categories) <= {0, 1}:
                one = float(list(col.categories).index(1)) if 1 in col.categories \
                    else np.nan
            elif col.kind == "numeric" and col.low >= 0 and col.high <= 1 \
                    and col.integer:
                one = 1.0
            else:
                raise ConstraintError(
                    f"{self!r}: column {name!r} is not a 0/1 column (kind "
                    f"{col.kind}, values {code_label(col, col.low)} to "
                    f"{code_label(col, col.high)})."
                )
            positions.append(j)
            ones.append(one)
        return [_OneHotRule(positions, np.array(ones), repr(self))]


class _CustomRule(Rule):
    kind = "custom"
    source = "declared"

    def __init__(self, constraint, schema):
        self.constraint, self.schema, self.name = constraint, schema, repr(constraint)

    reverses = ()

    def valid(self, Z):
        X = self.schema.decode(Z)
        if isinstance(X, tuple):
            X = X[0]
        for reverse in self.reverses:  # the rows as the user sees them
            X = reverse(X)
        try:
            ok = self.constraint.is_valid(X)
        except Exception as exc:
            raise ConstraintError(
                f"{self.name}: is_valid raised {type(exc).__name__}: {exc}"
            ) from exc
        ok = np.asarray(ok)
        if ok.shape != (len(Z),) or ok.dtype != bool:
            raise ConstraintError(
                f"{self.name}: is_valid must return one boolean per row "
                f"({len(Z)}), got an array of shape {ok.shape} and dtype "
                f"{ok.dtype}."
            )
        return ok


class Custom(BaseConstraint):
    """A rule given as a function of the rows.

    Parameters
    ----------
    is_valid : callable
        ``is_valid(X) -> array of bool``, one per row of ``X`` (the container
        ``fit`` saw, without ``y``). Generated rows where it is False are
        drawn again (bounded).
    transform, reverse : callable, default=None
        Optional pair of functions ``X -> X`` (same columns): the generator
        learns ``transform(X)`` and returns ``reverse`` of its rows, so that a
        rule can be built into the data (e.g. model a difference).
    name : str, default=None
        Shown in messages (default: the function's name).

    Examples
    --------
    >>> from sksynth.constraints import Custom
    >>> Custom(lambda X: X["a"] != X["b"], name="a differs from b")
    Custom('a differs from b')
    """

    def __init__(self, is_valid, transform=None, reverse=None, name=None):
        self.is_valid, self.transform, self.reverse = is_valid, transform, reverse
        self.name = name

    def __repr__(self):
        name = self.name or getattr(self.is_valid, "__name__", "is_valid")
        return f"Custom({name!r})"

    def __eq__(self, other):
        return type(self) is type(other) and self.__dict__ == other.__dict__

    __hash__ = BaseConstraint.__hash__

    def _compile(self, schema, Z):
        if not callable(self.is_valid):
            raise ConstraintError(f"{self!r}: is_valid must be callable.")
        if (self.transform is None) != (self.reverse is None):
            raise ConstraintError(
                f"{self!r}: give both transform and reverse, or neither."
            )
        return [_CustomRule(self, schema)]


class ConstraintSet(RuleSet):
    """Declared constraints compiled against a schema (``constraints_``)."""

    def __init__(self, rules=(), constraints=()):
        super().__init__(rules)
        self.constraints = list(constraints)

    def __repr__(self):
        if not self.rules:
            return "ConstraintSet(no constraints)"
        seen, lines = set(), []
        for r in self.rules:
            if r.name not in seen:
                seen.add(r.name)
                lines.append(f"[{r.enforce}] {r.name}")
        return "\n".join(lines)

    def bind(self, schema):
        """Give Custom rules the schema their rows are decoded with."""
        for r in self.rules:
            if isinstance(r, _CustomRule):
                r.schema = schema
        return self

    def check_conditions(self, C):
        """Raise when a condition row alone breaks a constraint."""
        given = ~np.isnan(C)
        for r in self.rules:
            cols = list(r.positions)
            if not cols:
                continue
            rows = given[:, cols].all(axis=1)
            if isinstance(r, (_CustomRule,)) or not rows.any():
                continue
            bad = ~r.valid(C[rows])
            if bad.any():
                raise ConstraintError(
                    f"Impossible condition: the values asked for break the "
                    f"constraint {r.name} in {int(bad.sum())} row(s); no valid "
                    "row can meet them."
                )


def _check_contradictions(rules, schema):
    """Order rules that no row can satisfy together (a cycle with a strict
    edge, or bounds that cross) raise a ConstraintError."""
    order = [r for r in rules if isinstance(r, OrderRule)]
    if not order:
        return
    cols = sorted({p for r in order for p in r.positions})
    idx = {c: i for i, c in enumerate(cols)}
    k = len(cols)
    reach = np.zeros((k, k), dtype=int)  # 0 none, 1 <=, 2 <
    lo, hi = np.full(k, -np.inf), np.full(k, np.inf)
    lo_s, hi_s = np.zeros(k, bool), np.zeros(k, bool)
    names = {}
    for r in order:
        left, right = r.left, r.right
        if isinstance(left, tuple) and isinstance(right, tuple):
            a, b = idx[left[0]], idx[right[0]]
            reach[a, b] = max(reach[a, b], 2 if r.strict else 1)
            names[(a, b)] = r.name
        elif isinstance(left, tuple):
            a = idx[left[0]]
            if right < hi[a] or (right == hi[a] and r.strict):
                hi[a], hi_s[a] = right, r.strict
        else:
            b = idx[right[0]]
            if left > lo[b] or (left == lo[b] and r.strict):
                lo[b], lo_s[b] = left, r.strict
    for m in range(k):  # transitive closure, keeping strictness
        for a in range(k):
            if reach[a, m]:
                for b in range(k):
                    if reach[m, b]:
                        s = max(reach[a, m], reach[m, b])
                        reach[a, b] = max(reach[a, b], s)
    involved = [r.name for r in order]
    for a in range(k):
        if reach[a, a] == 2:
            raise ConstraintError(
                "The constraints contradict each other: they require "
                f"{schema.columns[cols[a]].name!r} < itself (constraints: "
                f"{', '.join(sorted(set(involved)))})."
            )
    low, high = lo.copy(), hi.copy()
    for a in range(k):
        for b in range(k):
            if reach[a, b]:
                low[b] = max(low[b], lo[a])
                high[a] = min(high[a], hi[b])
    for a in range(k):
        if low[a] > high[a] or (low[a] == high[a] and (lo_s[a] or hi_s[a])):
            raise ConstraintError(
                "The constraints contradict each other: they bound "
                f"{schema.columns[cols[a]].name!r} from below by {low[a]:g} and "
                f"from above by {high[a]:g} (constraints: "
                f"{', '.join(sorted(set(involved)))})."
            )


def compile_constraints(constraints, schema, Z):
    """Compile declared constraints against ``schema`` and check ``Z``.

    Parameters
    ----------
    constraints : list of BaseConstraint or None
    schema : TableSchema
    Z : ndarray or None
        The training code matrix: rows that break a constraint are an error
        (None: not checked, for differentially private generators).

    Returns
    -------
    compiled : ConstraintSet
    """
    if constraints is None:
        return ConstraintSet()
    if isinstance(constraints, BaseConstraint) or not isinstance(
        constraints, (list, tuple)
    ):
        raise TypeError(
            "constraints must be a list of sksynth.constraints objects, got "
            f"{type(constraints).__name__}."
        )
    rules = []
    for c in constraints:
        if not isinstance(c, BaseConstraint):
            raise TypeError(
                f"constraints holds {c!r} ({type(c).__name__}), which is not a "
                "sksynth.constraints constraint (Inequality, Range, Positive, ...)."
            )
        rules.extend(c._compile(schema, Z))
    reverses = [c.reverse for c in constraints
                if isinstance(c, Custom) and c.reverse is not None][::-1]
    for r in rules:
        if isinstance(r, _CustomRule):
            r.reverses = reverses
    _check_contradictions(rules, schema)
    for r in rules if Z is not None else ():
        bad = ~r.valid(Z)
        if bad.any():
            cols = ", ".join(repr(schema.columns[p].name) for p in r.positions)
            first = int(np.flatnonzero(bad)[0])
            example = ", ".join(
                f"{schema.columns[p].name}={code_label(schema.columns[p], Z[first, p])}"
                for p in r.positions
            )
            raise ConstraintError(
                f"{int(bad.sum())} of {len(Z)} training rows break the constraint "
                f"{r.name} (columns {cols or 'all'}; first at row {first}: "
                f"{example or 'see is_valid'}). Fix or drop those rows, or drop "
                "the constraint: sksynth does not change the data silently."
            )
    return ConstraintSet(rules, constraints)
