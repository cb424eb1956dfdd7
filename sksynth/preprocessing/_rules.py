"""Rules a table obeys, on the code matrix: the one rule layer of sksynth.

A *rule* is a statement about every row of a table (``c_jail_in <=
c_jail_out``; ``r_offense_date`` is missing exactly when ``is_recid`` is 0;
``dob`` is a whole day; a husband is never female). Rules come from two
places and are enforced by the same code:

* **detected** rules, read off the training data by :func:`detect_rules`
  (generators report them as ``rules_``): columns determined by a categorical
  one (:mod:`._derived`), pairs of values never seen together
  (:class:`ImpossiblePairs`, between categories and small integers), events
  that coincide (a point mass, a category or a missing value of one column
  that occurs exactly when one of another column does), inequalities that
  hold in every row between two numeric or datetime columns, and grids
  (integer steps);
* **declared** constraints (:mod:`sksynth.constraints`), compiled into the
  same rule objects.

Each rule is enforced either by a **transform** (an exact projection that
leaves every valid row unchanged, such as snapping a value to its grid) or by
**redraw** (the generator draws the rows that break it again, bounded).
:class:`RuleSet` holds rules and answers which rows break them.
"""

from __future__ import annotations

import numpy as np

from ._columns import category_codes

__all__ = [
    "CoincideRule",
    "DerivedRule",
    "EqualRule",
    "GapTransform",
    "ImpossiblePairs",
    "OrderRule",
    "PairsRule",
    "Rule",
    "RuleSet",
    "SetRule",
    "StepRule",
    "choose_gaps",
    "detect_rules",
]

# Rows a rule must rest on before it is read off the data.
_MIN_ROWS = 50
# Rows that independence must predict to break a candidate rule.
_MIN_EXPECTED = 20
# Integer columns with at most this many values take part in value pairs.
_MAX_PAIR_VALUES = 32


def ns_scale(col):
    """Factor from a column's codes to a common unit (ns for datetimes)."""
    if col.kind == "datetime":
        return float(np.timedelta64(1, col.unit) / np.timedelta64(1, "ns"))
    return 1.0


def _fmt(value):
    if isinstance(value, float) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


def code_label(col, code):
    """Readable value of one code of a column (for rule descriptions)."""
    if code is None or (isinstance(code, float) and np.isnan(code)):
        return "missing"
    if col.kind == "categorical":
        return repr(col.categories[int(code)])
    if col.kind == "datetime":
        return str(np.datetime64(int(code), col.unit))
    return _fmt(float(code))


class Rule:
    """One rule on the rows of a code matrix.

    Attributes
    ----------
    name : str
        One readable line, also the rule's identifier (to switch it off).
    kind : str
        Family of the rule (``"inequality"``, ``"step"``, ...).
    positions : tuple of int
        Columns of the code matrix it reads.
    enforce : {"transform", "redraw"}
        How generated rows are made to obey it.
    source : {"detected", "declared"}
    """

    kind = "rule"
    enforce = "redraw"
    check = False  # a transform rule that is still checked (gap transforms)
    source = "detected"
    name = ""
    positions = ()

    def valid(self, Z):
        """Boolean mask of the rows of ``Z`` that obey the rule."""
        return np.ones(len(Z), dtype=bool)

    def apply(self, Z, given=None):
        """Transform rules: project the rows of ``Z`` onto the rule (in place)."""
        return Z

    def violations(self, Z, given=None):
        """Rows breaking the rule; rows whose every cell was given are spared."""
        bad = ~self.valid(Z)
        if given is not None and len(self.positions):
            bad &= ~given[:, list(self.positions)].all(axis=1)
        return bad

    def __repr__(self):
        return f"<{type(self).__name__}: {self.name}>"


class DerivedRule(Rule):
    """A column filled in from the categorical column that determines it."""

    kind = "derived"
    enforce = "transform"

    def __init__(self, name, source_name):
        self.column = name
        self.name = f"{name!r} is determined by {source_name!r}"


class OrderRule(Rule):
    """``left <= right`` (``<`` when strict); a side is a column or a number.

    Each side is ``(position, scale)`` or a float (in the common unit).
    Rows with a missing side obey it.
    """

    kind = "inequality"

    def __init__(self, left, right, strict, name, source="detected"):
        self.left, self.right, self.strict = left, right, strict
        self.name, self.source = name, source
        self.positions = tuple(s[0] for s in (left, right) if isinstance(s, tuple))

    @staticmethod
    def _side(Z, side):
        if isinstance(side, tuple):
            return Z[:, side[0]] * side[1]
        return np.full(len(Z), float(side))

    def valid(self, Z):
        a, b = self._side(Z, self.left), self._side(Z, self.right)
        with np.errstate(invalid="ignore"):
            ok = a < b if self.strict else a <= b
        return ok | np.isnan(a) | np.isnan(b)


class EqualRule(Rule):
    """Two columns equal in every row: the second is copied from the first."""

    kind = "equality"
    enforce = "transform"

    def __init__(self, a, b, name):
        self.a, self.b, self.name = a, b, name
        self.positions = (a, b)

    def valid(self, Z):
        za, zb = Z[:, self.a], Z[:, self.b]
        return (za == zb) | (np.isnan(za) & np.isnan(zb))

    def apply(self, Z, given=None):
        if given is None:
            Z[:, self.b] = Z[:, self.a]
            return Z
        back = given[:, self.b] & ~given[:, self.a]
        Z[back, self.a] = Z[back, self.b]
        Z[~back, self.b] = Z[~back, self.a]
        return Z


class StepRule(Rule):
    """Values on a grid ``origin + k * step``: generated values are snapped."""

    kind = "step"
    enforce = "transform"

    def __init__(self, j, origin, step, name, source="detected", low=None, high=None):
        self.j, self.origin, self.step, self.name = j, origin, step, name
        self.source, self.low, self.high = source, low, high
        self.positions = (j,)

    def valid(self, Z):
        z = Z[:, self.j]
        k = (z - self.origin) / self.step
        with np.errstate(invalid="ignore"):
            ok = np.abs(k - np.round(k)) <= 1e-6 * np.maximum(1.0, np.abs(k))
        return ok | np.isnan(z)

    def apply(self, Z, given=None):
        z = Z[:, self.j]
        snapped = self.origin + np.round((z - self.origin) / self.step) * self.step
        if self.low is not None:  # the grid point inside the range seen
            snapped = np.where(snapped < self.low, snapped + self.step, snapped)
            snapped = np.where(snapped > self.high, snapped - self.step, snapped)
        if given is not None:
            snapped = np.where(given[:, self.j], z, snapped)
        Z[:, self.j] = snapped
        return Z


class CoincideRule(Rule):
    """Two events (a value or a missing cell of two columns) occur together."""

    kind = "coincide"

    def __init__(self, a, b, name):
        self.a, self.b, self.name = a, b, name  # (position, code or None)
        self.positions = (a[0], b[0])

    @staticmethod
    def _holds(Z, event):
        z = Z[:, event[0]]
        return np.isnan(z) if event[1] is None else z == event[1]

    def valid(self, Z):
        return self._holds(Z, self.a) == self._holds(Z, self.b)


class SetRule(Rule):
    """The combinations of values of some columns seen in the data only."""

    kind = "combinations"

    def __init__(self, positions, allowed, name, source="declared"):
        self.positions, self.name, self.source = tuple(positions), name, source
        self.allowed = allowed  # set of tuples of codes (NaN as None)

    @staticmethod
    def keys(Z, positions):
        sub = Z[:, list(positions)]
        return [tuple(None if v != v else v for v in row) for row in sub.tolist()]

    def valid(self, Z):
        return np.fromiter(
            (k in self.allowed for k in self.keys(Z, self.positions)),
            dtype=bool, count=len(Z),
        )


class PairsRule(Rule):
    """Pairs of values of two columns that never occur together."""

    kind = "pairs"

    def __init__(self, pairs, index, schema):
        self.pairs, self.index = pairs, index
        a, b, table = pairs.pairs_[index]
        self.positions = (a, b)
        ca, cb = schema.columns[a], schema.columns[b]
        shown = [
            f"{pairs.value_label(schema, a, u)} & {pairs.value_label(schema, b, v)}"
            for u, v in list(zip(*np.nonzero(table)))[:2]
        ]
        more = int(table.sum()) - len(shown)
        self.name = (
            f"never together: {ca.name!r}, {cb.name!r} ({'; '.join(shown)}"
            + (f"; {more} more" if more > 0 else "") + ")"
        )

    def valid(self, Z):
        return ~self.pairs.pair_hits(Z, self.index)

    def violations(self, Z, given=None):
        return self.pairs.pair_hits(Z, self.index, given)


class GapTransform:
    """Model ``high - low`` instead of ``high`` (reversible, exact).

    Chosen for an order rule ``low <= high`` between two columns: the
    generator learns the gap, whose range starts at 0, so rows it draws obey
    the rule by construction (the rule is still checked, and the rare row
    whose gap falls below 0 is drawn again).
    """

    def __init__(self, low, high, ratio, name, fill=0.0):
        self.low, self.high, self.ratio, self.name = low, high, ratio, name
        self.fill = fill  # the gap of rows where both ends are missing

    def __repr__(self):
        return f"<GapTransform: {self.name}>"


def choose_gaps(rules, schema, Z, exclude=()):
    """Gap transforms for the order rules between two columns (data ``Z``).

    Each column is the high end of at most one gap (the tightest low: the
    smallest median gap); no cycles; both ends must be missing in the same
    rows (the gap is then never missing: rows without a low end hold the
    median gap, and the high end is missing where the low end is); columns
    in ``exclude`` (target, personal) take no part.
    Returns the gaps parents first and marks their rules as transforms.
    """
    best = {}
    for r in rules:
        if not (isinstance(r, OrderRule) and isinstance(r.left, tuple)
                and isinstance(r.right, tuple)):
            continue
        lo, hi = r.left[0], r.right[0]
        if lo in exclude or hi in exclude:
            continue
        zl, zh = Z[:, lo], Z[:, hi]
        if not np.array_equal(np.isnan(zl), np.isnan(zh)):
            continue  # the high end follows the low end's missing cells
        both = ~(np.isnan(zl) | np.isnan(zh))
        if not both.any():
            continue
        gap = float(np.median(zh[both] * r.right[1] - zl[both] * r.left[1]))
        if hi not in best or gap < best[hi][0]:
            best[hi] = (gap, lo, r)
    parent = {}
    for hi, (_, lo, r) in sorted(best.items(), key=lambda t: t[1][0]):
        node = lo  # no cycle: walking up from lo must not reach hi
        while node in parent and node != hi:
            node = parent[node]
        if node == hi:
            continue
        parent[hi] = lo
    gaps, done = [], set()

    def add(hi):
        if hi in done:
            return
        lo = parent[hi]
        if lo in parent:
            add(lo)
        r = best[hi][2]
        ratio = r.left[1] / r.right[1]
        z = Z[:, hi] - Z[:, lo] * ratio
        fill = float(np.nanmedian(z))
        if schema.columns[hi].is_discrete:
            fill = float(np.round(fill))
        gaps.append(GapTransform(lo, hi, ratio, r.name, fill))
        r.enforce, r.check = "transform", True
        done.add(hi)

    for hi in sorted(parent):
        add(hi)
    return gaps


class RuleSet:
    """Rules on the code matrix, with the rows that break them.

    Prints one line per rule. ``names`` are the identifiers accepted to
    switch a detected rule off (``schema={"rules": {name: False}}``).
    """

    def __init__(self, rules=()):
        self.rules = list(rules)

    def __iter__(self):
        return iter(self.rules)

    def __len__(self):
        return len(self.rules)

    def __getitem__(self, i):
        return self.rules[i]

    @property
    def names(self):
        return [r.name for r in self.rules]

    def __repr__(self):
        if not self.rules:
            return "RuleSet(no rules)"
        return "\n".join(f"[{r.kind}, {r.enforce}] {r.name}" for r in self.rules)

    def describe(self):
        """The rules as dicts (name, kind, enforcement, source)."""
        return [
            {"name": r.name, "kind": r.kind, "enforce": r.enforce, "source": r.source}
            for r in self.rules
        ]

    def enforced(self, how):
        """Rules enforced by ``how``; "redraw" includes the checked transforms."""
        return [
            r for r in self.rules
            if r.kind != "derived" and (r.enforce == how or (
                how == "redraw" and getattr(r, "check", False)))
        ]

    def apply(self, Z, given=None):
        """Apply the transform rules to ``Z`` in place."""
        for r in self.enforced("transform"):
            if not getattr(r, "check", False):
                r.apply(Z, given)
        return Z

    def violations(self, Z, given=None, rules=None):
        """Rows of ``Z`` breaking one of the redraw rules."""
        bad = np.zeros(len(Z), dtype=bool)
        for r in self.enforced("redraw") if rules is None else rules:
            bad |= r.violations(Z, given)
        return bad

    def most_violated(self, Z, given=None):
        """The redraw rule broken by most rows of ``Z`` (or None)."""
        rules = self.enforced("redraw")
        if not rules:
            return None
        counts = [int(r.violations(Z, given).sum()) for r in rules]
        return rules[int(np.argmax(counts))]


class ImpossiblePairs:
    """Value pairs (missing included) far rarer than independence predicts.

    A pair of values ``(u, v)`` of two columns, at least one categorical and
    the other categorical or an integer column with at most
    ``_MAX_PAIR_VALUES`` values (a day of the month and a month), is
    *impossible* when independence of the two columns predicts at least
    ``min_expected`` rows with it but the data holds at most ``max_ratio``
    times that many (by default: at least 20 expected, at most 0.2% of them
    observed). A missing value counts as one more value.

    In adult, a husband is a man and a never-married person is nobody's
    husband: of the 13,193 husbands one is recorded as female, where
    independence of the two columns would predict 4,364.

    Parameters
    ----------
    min_expected : float, default=20
        Rows that independence must predict for a pair to be judged (a pair
        of two rare categories is simply rare, not impossible).
    max_ratio : float, default=0.002
        Largest share of the predicted rows that may be observed.

    Attributes
    ----------
    pairs_ : list of (int, int, ndarray of bool)
        ``(a, b, table)``: columns ``a < b`` of the code matrix and a
        ``(K_a + 1, K_b + 1)`` table, True where the pair of codes (the last
        index for missing) is impossible.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.preprocessing import TableSchema
    >>> from sksynth.preprocessing._rules import ImpossiblePairs
    >>> df = pd.DataFrame({"relationship": ["husband", "wife", "child"] * 100,
    ...                    "sex": ["m", "f", "f"] * 50 + ["m", "f", "m"] * 50})
    >>> schema = TableSchema.infer(df)
    >>> pairs = ImpossiblePairs().fit(schema.encode(df), schema)
    >>> pairs.describe(schema)
    [('relationship', 'husband', 'sex', 'f'), ('relationship', 'wife', 'sex', 'm')]
    """

    def __init__(self, min_expected=20, max_ratio=0.002):
        self.min_expected = min_expected
        self.max_ratio = max_ratio

    @staticmethod
    def _size(col):
        """Number of codes of a column taking part (0: it does not)."""
        if col.is_constant:
            return 0
        if col.kind == "categorical":
            return col.n_categories
        if (col.kind == "numeric" and col.integer
                and col.high - col.low < _MAX_PAIR_VALUES):
            return int(col.high - col.low) + 1
        return 0

    def _codes(self, Z, schema, j):
        col = schema.columns[j]
        k = self._sizes[j]
        z = Z[:, j] if col.kind == "categorical" else Z[:, j] - col.low
        codes = category_codes(z, k)
        return np.where((codes < 0) | (codes > k), k, codes)  # outside: missing

    def fit(self, Z, schema):
        """Find the impossible pairs in the code matrix ``Z``."""
        n = len(Z)
        self._sizes = {j: self._size(c) for j, c in enumerate(schema.columns)}
        columns = [j for j, k in self._sizes.items() if k]
        codes = {j: self._codes(Z, schema, j) for j in columns}
        self.pairs_ = []
        for ia, a in enumerate(columns):
            ka = self._sizes[a] + 1
            count_a = np.bincount(codes[a], minlength=ka)
            for b in columns[ia + 1 :]:
                if "categorical" not in (schema.columns[a].kind,
                                         schema.columns[b].kind):
                    continue
                kb = self._sizes[b] + 1
                count_b = np.bincount(codes[b], minlength=kb)
                joint = np.bincount(codes[a] * kb + codes[b], minlength=ka * kb)
                joint = joint.reshape(ka, kb)
                expected = np.outer(count_a, count_b) / n
                table = (expected >= self.min_expected) & (
                    joint <= self.max_ratio * expected
                )
                if table.any():
                    self.pairs_.append((a, b, table))
        return self

    def pair_hits(self, Z, index, exempt=None):
        """Mask of the rows of ``Z`` holding a pair of ``pairs_[index]``."""
        a, b, table = self.pairs_[index]
        hit = table[self._codes(Z, self._schema, a), self._codes(Z, self._schema, b)]
        if exempt is not None:
            hit &= ~(exempt[:, a] & exempt[:, b])
        return hit

    def bind(self, schema):
        """Remember the schema the codes refer to (for :meth:`pair_hits`)."""
        self._schema = schema
        return self

    def _hits(self, Z, schema, exempt):
        self._schema = schema
        for i in range(len(self.pairs_)):
            yield self.pair_hits(Z, i, exempt)

    def violations(self, Z, schema, exempt=None):
        """Boolean mask of the rows of ``Z`` that hold an impossible pair.

        ``exempt`` (same shape as ``Z``, True where a cell was fixed by a
        condition) spares a pair whose two cells were both asked for.
        """
        bad = np.zeros(len(Z), dtype=bool)
        for hit in self._hits(Z, schema, exempt):
            bad |= hit
        return bad

    def most_violated(self, Z, schema, exempt=None):
        """Names of the two columns of the pair most often met in ``Z``."""
        counts = [int(hit.sum()) for hit in self._hits(Z, schema, exempt)]
        a, b, _ = self.pairs_[int(np.argmax(counts))]
        return schema.columns[a].name, schema.columns[b].name

    def value(self, schema, j, u):
        """The value of code ``u`` of column ``j`` (None for missing)."""
        col = schema.columns[j]
        if u >= self._sizes[j]:
            return None
        if col.kind == "categorical":
            return col.categories[u]
        return int(col.low + u)

    def value_label(self, schema, j, u):
        v = self.value(schema, j, u)
        return f"{schema.columns[j].name}={'missing' if v is None else repr(v)}"

    def describe(self, schema):
        """The impossible pairs as ``(column, value, column, value)`` tuples."""
        out = []
        for a, b, table in self.pairs_:
            ca, cb = schema.columns[a], schema.columns[b]
            for u, v in zip(*np.nonzero(table)):
                out.append((ca.name, self.value(schema, a, u),
                            cb.name, self.value(schema, b, v)))
        return out


# ------------------------------------------------------------------ detection
def _expected_breaks(a, b, strict):
    """Rows independence predicts with ``a > b`` (``>=`` when strict)."""
    b_sorted = np.sort(b)
    a_draw = a[:: max(1, len(a) // 5000)]
    side = "right" if strict else "left"
    below = np.searchsorted(b_sorted, a_draw, side=side)  # b < a (or <=)
    return float(np.mean(below / len(b_sorted))) * len(a)


def _inequalities(Z, schema, n):
    cols = [
        j for j, c in enumerate(schema.columns)
        if c.kind in ("numeric", "datetime") and not c.is_constant
    ]
    rules, equal = [], []
    scaled = {j: Z[:, j] * ns_scale(schema.columns[j]) for j in cols}
    ordered = _ordered_pairs([scaled[j] for j in cols])
    for ia, a in enumerate(cols):
        for ib, b in enumerate(cols[ia + 1 :], start=ia + 1):
            ca, cb = schema.columns[a], schema.columns[b]
            if ca.kind != cb.kind:
                continue
            if not (ordered[ia, ib] or ordered[ib, ia]):
                continue  # no order either way (nor equal): no rule
            za, zb = scaled[a], scaled[b]
            both = ~(np.isnan(za) | np.isnan(zb))
            if both.sum() < _MIN_ROWS:
                continue
            xa, xb = za[both], zb[both]
            if np.array_equal(xa, xb):
                if np.array_equal(np.isnan(za), np.isnan(zb)):
                    equal.append(EqualRule(a, b, f"{cb.name!r} == {ca.name!r}"))
                continue
            for lo, hi, xl, xh in ((ca, cb, xa, xb), (cb, ca, xb, xa)):
                if not np.all(xl <= xh):
                    continue
                strict = bool(np.all(xl < xh))
                if _expected_breaks(xl, xh, strict) < _MIN_EXPECTED:
                    break  # the marginals alone keep it
                pl, ph = (a, b) if lo is ca else (b, a)
                op = "<" if strict else "<="
                rules.append(OrderRule(
                    (pl, ns_scale(lo)), (ph, ns_scale(hi)), strict,
                    f"{lo.name!r} {op} {hi.name!r}",
                ))
                break
    return rules, equal


def _ordered_pairs(columns, max_cells=2**22):
    """``out[i, k]``: column ``i`` <= column ``k`` wherever both are seen.

    One pass over the rows for every pair at once (in chunks of rows), so
    that the pairs with no order either way are left out before the checks
    of :func:`_inequalities`, which then need only the rest.
    """
    p = len(columns)
    out = np.ones((p, p), dtype=bool)
    if not p:
        return out
    S = np.column_stack(columns)
    seen = ~np.isnan(S)
    step = max(1, max_cells // (p * p))
    for start in range(0, len(S), step):
        x, ok = S[start : start + step], seen[start : start + step]
        le = x[:, :, None] <= x[:, None, :]
        le |= ~(ok[:, :, None] & ok[:, None, :])
        out &= le.all(axis=0)
    return out


def _steps(Z, schema):
    rules = []
    for j, col in enumerate(schema.columns):
        if col.kind not in ("numeric", "datetime") or col.is_constant:
            continue
        z = Z[:, j][~np.isnan(Z[:, j])]
        if len(z) < _MIN_ROWS:
            continue
        if col.kind == "numeric" and not col.integer:
            if not col.decimals:
                continue
            factor = 10.0**col.decimals
        else:
            factor = 1.0
        values = np.unique(z)
        if len(values) < 3:
            continue
        ints = np.round((values - values[0]) * factor)
        if np.abs(ints).max() > 2**62:
            continue
        step = int(np.gcd.reduce(ints.astype(np.int64)))
        if step <= 1 or (values[-1] - values[0]) * factor / step < 2:
            continue
        step = step / factor
        rules.append(StepRule(j, float(values[0]), step,
                              f"{col.name!r} in steps of {_step_label(col, step)}",
                              low=col.low, high=col.high))
    return rules


def _step_label(col, step):
    if col.kind == "datetime":
        seconds = int(step) * ns_scale(col) / 1e9
        for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
            if seconds >= size and seconds % size == 0:
                k = int(seconds // size)
                return f"{k} {unit}" + ("s" if k > 1 else "")
        return f"{seconds:g} s"
    return _fmt(float(step))


def _events(Z, schema, min_rows):
    events = []  # (position, code or None, mask)
    for j, col in enumerate(schema.columns):
        z = Z[:, j]
        miss = np.isnan(z)
        if min_rows <= miss.sum() <= len(z) - min_rows:
            events.append((j, None, miss))
        if col.kind == "categorical":
            values = [c for c, k in enumerate(col.counts) if k >= min_rows][:20]
        else:
            values = list(col.atoms)
        for v in values:
            mask = z == v
            if min_rows <= mask.sum() <= len(z) - min_rows:
                events.append((j, float(v), mask))
    return events


def _coincidences(Z, schema, n, equalities=()):
    """Events of different columns holding in exactly the same rows."""
    min_rows = max(_MIN_EXPECTED, int(0.01 * n))
    groups = {}
    for j, v, mask in _events(Z, schema, min_rows):
        groups.setdefault(np.packbits(mask).tobytes(), []).append((j, v))
    rules = []
    equal = {frozenset(r.positions) for r in equalities}
    for members in groups.values():
        first = members[0]
        seen = {first[0]}
        for other in members[1:]:
            if other[0] in seen or frozenset((first[0], other[0])) in equal:
                continue
            ka = schema.columns[first[0]].kind
            kb = schema.columns[other[0]].kind
            seen.add(other[0])
            if ka == kb == "categorical":
                continue  # derived columns and impossible pairs cover these
            rules.append(CoincideRule(first, other, (
                f"{_event_label(schema, first)} exactly when "
                f"{_event_label(schema, other)}"
            )))
    return rules


def _event_label(schema, event):
    col = schema.columns[event[0]]
    if event[1] is None:
        return f"{col.name!r} is missing"
    return f"{col.name!r} = {code_label(col, event[1])}"


def detect_rules(Z, schema, *, off=()):
    """The rules that hold in every row of the code matrix ``Z``.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_columns)
        Code matrix of ``schema``.
    schema : TableSchema
        Its derived columns are reported as rules too.
    off : collection of str
        Names of rules to leave out (``rules_`` lists the names), or
        ``"all"``.

    Returns
    -------
    rules : RuleSet
    pairs : ImpossiblePairs
        The value-pair rules (also in ``rules``).
    """
    if off == "all":
        pairs = ImpossiblePairs().bind(schema)
        pairs.pairs_ = []
        return RuleSet(), pairs
    off = set(off)
    n = len(Z)
    pairs = ImpossiblePairs().fit(Z, schema).bind(schema)
    found = [DerivedRule(d.column.name, schema.columns[d.source].name)
             for d in schema.derived]
    found += [PairsRule(pairs, i, schema) for i in range(len(pairs.pairs_))]
    if n >= _MIN_ROWS:
        order, equal = _inequalities(Z, schema, n)
        found += equal + order + _steps(Z, schema)
        found += _coincidences(Z, schema, n, equal)
    kept = [r for r in found if r.name not in off]
    dropped = [r for r in found if r.name in off]
    if any(isinstance(r, PairsRule) for r in dropped):
        keep = [r.index for r in kept if isinstance(r, PairsRule)]
        pairs.pairs_ = [pairs.pairs_[i] for i in keep]
        for new, r in enumerate(r for r in kept if isinstance(r, PairsRule)):
            r.index = new
    return RuleSet(kept), pairs
