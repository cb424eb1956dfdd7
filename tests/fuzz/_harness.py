"""Random frames of every dtype pandas offers, and the generator contract.

:func:`build_frame` turns a *spec* (rows, column kinds, names, a seed) into a
DataFrame; :func:`frame_specs` is the hypothesis strategy of specs and
:func:`random_spec` draws one from a numpy generator (for
``benchmarks/bench_fuzz.py``, which counts outcomes outside pytest).
:func:`check_generator` runs one generator through fit, sample, a random
condition, reseeding and a pickle round trip and returns one outcome:

* ``"valid"``: every check passed;
* ``"clear error"``: a ValueError/TypeError naming a column (or the table's
  shape) at fit, or at a condition;
* ``"unclear error"``: any other exception, or one naming nothing;
* ``"silent change"``: rows came back that break the contract (columns,
  dtypes, categories, missing values, integers, range, seeding, pickling);
* ``"hang"``: over the time limit.

Only the public API is used, so the harness runs on any version of sksynth.
"""

from __future__ import annotations

import decimal
import inspect
import pickle
import re
import signal
import warnings

import numpy as np
import pandas as pd

KINDS = (
    "float",
    "float_nan",
    "float_inf",
    "float_extreme",
    "tiny",
    "int64",
    "int_big",
    "int8",
    "uint8",
    "Int64_na",
    "bool",
    "boolean_na",
    "str",
    "object_str",
    "object_numstr",
    "category",
    "high_card",
    "datetime",
    "datetime_tz_nat",
    "timedelta",
    "constant",
    "constant_str",
    "all_missing",
    "decimal",
    "sparse",
    "unicode",
)
ROWS = (1, 2, 3, 5, 12, 30)
NAMES = ("a", "b", "c", 0, 1, "é名", "y ", "d")
OUTCOMES = ("valid", "clear error", "unclear error", "silent change", "hang")
_WORDS = ("Oslo", "Rome", "Paris", "é", "日本", "naïve", "🙂", "")


def build_column(kind, n, rng):
    """One column of ``n`` values of a kind of :data:`KINDS`."""

    def some_missing(values, share=0.3):
        miss = rng.uniform(size=n) < share
        if n > 1:
            miss[rng.randint(n)] = False  # never all missing
        return miss

    if kind == "float":
        return pd.Series(rng.normal(size=n) * 10.0 ** rng.randint(-3, 4))
    if kind == "float_nan":
        v = rng.normal(size=n)
        v[some_missing(v)] = np.nan
        return pd.Series(v)
    if kind == "float_inf":
        v = rng.normal(size=n)
        v[rng.randint(n)] = np.inf
        return pd.Series(v)
    if kind == "float_extreme":
        scale = rng.choice([1e140, 1e300, 1.7e308, 1e-300])
        return pd.Series(rng.choice([-1.0, 1.0, 0.5], size=n) * scale)
    if kind == "tiny":
        return pd.Series(rng.randint(1, 60, size=n) * 1e-12)
    if kind == "int64":
        return pd.Series(rng.randint(-1000, 1000, size=n), dtype="int64")
    if kind == "int_big":
        big = [2**62 + 1, 2**62 + 3, 2**63 - 1, -(2**63)]
        return pd.Series(np.array([big[i] for i in rng.randint(4, size=n)]))
    if kind == "int8":
        return pd.Series(rng.randint(100, 128, size=n).astype("int8"))
    if kind == "uint8":
        return pd.Series(rng.randint(200, 256, size=n).astype("uint8"))
    if kind == "Int64_na":
        s = pd.Series(rng.randint(0, 50, size=n), dtype="Int64")
        s[some_missing(s)] = pd.NA
        return s
    if kind == "bool":
        return pd.Series(rng.uniform(size=n) < 0.5)
    if kind == "boolean_na":
        s = pd.Series(rng.uniform(size=n) < 0.5, dtype="boolean")
        s[some_missing(s)] = pd.NA
        return s
    if kind in ("str", "unicode"):
        words = _WORDS if kind == "unicode" else _WORDS[:3]
        s = pd.Series(rng.choice(words, size=n), dtype="str")
        if kind == "str" and n > 2:
            s[some_missing(s, 0.2)] = np.nan
        return s
    if kind == "object_str":
        return pd.Series(rng.choice(["x", "y", "z"], size=n).tolist(), dtype=object)
    if kind == "object_numstr":
        values = rng.choice(["007", "010", "1"], size=n).tolist()
        return pd.Series(values, dtype=object)
    if kind == "category":
        return pd.Series(
            pd.Categorical(
                rng.choice(["lo", "mid"], size=n), categories=["lo", "mid", "hi"]
            )
        )
    if kind == "high_card":
        return pd.Series([f"id{i}" for i in range(n)], dtype="str")
    if kind == "datetime":
        ticks = rng.randint(0, 10**9, size=n)
        return pd.Series(pd.to_datetime(ticks, unit="s"))
    if kind == "datetime_tz_nat":
        ticks = rng.randint(0, 10**9, size=n)
        s = pd.Series(pd.to_datetime(ticks, unit="s", utc=True)).dt.tz_convert(
            "Europe/Oslo"
        )
        s[some_missing(s)] = pd.NaT
        return s
    if kind == "timedelta":
        return pd.Series(pd.to_timedelta(rng.randint(0, 100, size=n), unit="h"))
    if kind == "constant":
        return pd.Series(np.full(n, 3.5))
    if kind == "constant_str":
        return pd.Series(["k"] * n, dtype="str")
    if kind == "all_missing":
        return pd.Series(np.full(n, np.nan))
    if kind == "decimal":
        places = [
            decimal.Decimal("1.10"),
            decimal.Decimal("2.25"),
            decimal.Decimal("-3.5"),
        ]
        return pd.Series([places[i] for i in rng.randint(3, size=n)], dtype=object)
    if kind == "sparse":
        v = np.where(rng.uniform(size=n) < 0.6, 0.0, rng.normal(size=n))
        return pd.Series(pd.arrays.SparseArray(v, fill_value=0.0))
    raise ValueError(kind)


def build_frame(spec):
    """The DataFrame of a spec ``(n_rows, kinds, names, seed)``."""
    n, kinds, names, seed = spec
    rng = np.random.RandomState(seed)
    cols = [build_column(k, n, rng).reset_index(drop=True) for k in kinds]
    X = pd.concat(cols, axis=1)
    X.columns = list(names)
    return X


def random_spec(rng):
    """A spec drawn from a numpy RandomState (as the hypothesis strategy)."""
    n = int(rng.choice(ROWS))
    p = int(rng.randint(1, 4))
    kinds = tuple(str(k) for k in rng.choice(KINDS, size=p))
    names = tuple(NAMES[i] for i in rng.choice(len(NAMES), size=p, replace=False))
    if p > 1 and rng.uniform() < 0.05:
        names = (names[0],) * p  # duplicated names
    return n, kinds, names, int(rng.randint(2**31))


def frame_specs():
    """Hypothesis strategy of specs (shrinks towards few rows and columns)."""
    from hypothesis import strategies as st

    @st.composite
    def specs(draw):
        n = draw(st.sampled_from(ROWS))
        kinds = tuple(draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=3)))
        names = draw(
            st.lists(
                st.sampled_from(NAMES),
                min_size=len(kinds),
                max_size=len(kinds),
                unique=True,
            )
        )
        if len(kinds) > 1 and draw(st.integers(0, 19)) == 0:
            names = [names[0]] * len(kinds)
        return n, kinds, tuple(names), draw(st.integers(0, 2**31 - 1))

    return specs()


# ---------------------------------------------------------------- checks
class Hang(Exception):
    pass


class Violation(Exception):
    """A sampled table that breaks the contract (a silent change)."""


_TABLE_LEVEL = re.compile(
    r"sample\(s\)|rows|duplicate column|0 feature|columns of X|n_samples|"
    r"sensitive|at least|requires|minimum",
    re.IGNORECASE,
)


def is_clear(exc, X):
    """A ValueError/TypeError that names a column of ``X`` or the table."""
    if not isinstance(exc, (ValueError, TypeError)):
        return False
    text = str(exc)
    for name in X.columns:
        if repr(name) in text or (
            isinstance(name, str) and name.strip() and f"'{name}'" in text
        ):
            return True
    return bool(_TABLE_LEVEL.search(text))


def _same(a, b):
    try:
        pd.testing.assert_frame_equal(a, b, check_exact=True)
        return True
    except AssertionError:
        return False


def check_rows(X, out, *, dp=False, condition=None):
    """Raise :class:`Violation` where ``out`` breaks the contract for ``X``."""
    if not isinstance(out, pd.DataFrame):
        raise Violation(f"sample returned {type(out).__name__}")
    if list(out.columns) != list(X.columns):
        raise Violation(f"columns {list(out.columns)} != {list(X.columns)}")
    for j, name in enumerate(X.columns):
        x, s = X.iloc[:, j], out.iloc[:, j]
        if s.dtype != x.dtype:
            raise Violation(f"column {name!r}: dtype {s.dtype} != {x.dtype}")
        xd = x.sparse.to_dense() if isinstance(x.dtype, pd.SparseDtype) else x
        sd = s.sparse.to_dense() if isinstance(s.dtype, pd.SparseDtype) else s
        if not xd.isna().any() and sd.isna().any():
            raise Violation(f"column {name!r}: missing values, none in fit")
        seen, got = xd.dropna(), sd.dropna()
        if condition is not None and condition[0] == j:
            if not (got == condition[1]).all() or len(got) != len(s):
                raise Violation(f"column {name!r}: condition not met")
            continue
        numeric = pd.api.types.is_numeric_dtype(
            xd.dtype
        ) and not pd.api.types.is_bool_dtype(xd.dtype)
        numbers = pd.api.types.infer_dtype(seen) in ("decimal", "integer", "floating")
        timely = pd.api.types.is_datetime64_any_dtype(xd.dtype)
        if numeric or timely or (xd.dtype == object and numbers):
            # DP generators take integer-ness from the dtype only (issue 23)
            whole = not dp or pd.api.types.is_integer_dtype(xd.dtype)
            if (numeric or numbers) and len(got) and whole:
                gv = got.to_numpy(dtype=float)
                if (seen.to_numpy(dtype=float) % 1 == 0).all() and (gv % 1).any():
                    raise Violation(f"column {name!r}: integers not integral")
            if numbers and {_type(v) for v in got} - {_type(v) for v in seen}:
                raise Violation(f"column {name!r}: cells of another type")
            if (
                not dp
                and len(got)
                and (got.min() < seen.min() or got.max() > seen.max())
            ):
                raise Violation(
                    f"column {name!r}: values outside the seen "
                    f"range [{seen.min()}, {seen.max()}]"
                )
        elif len(got):
            # the dtype's domain: a category's unused categories, both booleans
            if isinstance(xd.dtype, pd.CategoricalDtype):
                allowed = set(xd.dtype.categories)
            elif pd.api.types.is_bool_dtype(xd.dtype):
                allowed = {False, True}
            else:
                allowed = set(seen.tolist())
            new = [v for v in got.tolist() if v not in allowed]
            types = {_type(v) for v in seen.tolist()}
            if new or not {_type(v) for v in got.tolist()} <= types:
                raise Violation(
                    f"column {name!r}: values or types not seen in "
                    f"fit: {new[:3] or got.tolist()[:3]}"
                )


def _type(v):
    """The type of a cell, numpy scalars as their Python type."""
    return type(v.item()) if isinstance(v, np.generic) else type(v)


def _alarm(signum, frame):
    raise Hang()


def check_generator(cls, X, *, seed=0, timeout=60, n_samples=20):
    """Outcome of one generator on one frame, and a line of detail."""
    params = cls._test_params() if hasattr(cls, "_test_params") else {}
    if "verbose" in inspect.signature(cls).parameters:
        params["verbose"] = 0
    dp = "epsilon" in inspect.signature(cls).parameters
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout)
    stage = "fit"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                gen = cls(**params).fit(X)
            except Hang:
                raise
            except Exception as exc:
                kind = "clear error" if is_clear(exc, X) else "unclear error"
                return kind, f"fit: {type(exc).__name__}: {exc}"[:300]
            stage = "sample"
            out = gen.sample(n_samples, random_state=1)
            check_rows(X, out, dp=dp)
            stage = "seed"
            if not _same(out, gen.sample(n_samples, random_state=1)):
                raise Violation("same seed, different rows")
            stage = "pickle"
            copy = pickle.loads(pickle.dumps(gen))
            if not _same(out, copy.sample(n_samples, random_state=1)):
                raise Violation("pickle round trip changed the rows")
            stage = "unseeded"
            # only where two draws can hardly coincide: two rows of the
            # seeded draw each drawn at least 3 times in 20
            counts = out.astype(str).value_counts()
            if (counts >= 3).sum() >= 2 and _same(
                gen.sample(n_samples), gen.sample(n_samples)
            ):
                raise Violation("two unseeded calls gave the same rows")
            stage = "condition"
            rng = np.random.RandomState(seed)
            j = int(rng.randint(X.shape[1]))
            observed = X.iloc[:, j].dropna()
            if len(observed):
                value = observed.iloc[int(rng.randint(len(observed)))]
                try:
                    cond = gen.sample(
                        5, conditions={X.columns[j]: value}, random_state=2
                    )
                except Hang:
                    raise
                except Exception as exc:
                    if is_clear(exc, X):
                        return "valid", f"condition refused: {exc}"[:300]
                    return "unclear error", (
                        f"condition {X.columns[j]!r}={value!r}: "
                        f"{type(exc).__name__}: {exc}"
                    )[:300]
                check_rows(X, cond, dp=dp, condition=(j, value))
        return "valid", ""
    except Hang:
        return "hang", f"{stage}: over {timeout} s"
    except Violation as exc:
        return "silent change", f"{stage}: {exc}"[:300]
    except Exception as exc:
        kind = "clear error" if is_clear(exc, X) else "unclear error"
        return kind, f"{stage}: {type(exc).__name__}: {exc}"[:300]
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
