"""The rule hooks of :class:`~sksynth.base.BaseGenerator`.

``fit`` reads the schema (with the user's overrides and the personal data),
the detected rules (``rules_``) and the declared constraints
(``constraints_``); every draw of code rows goes through the transform
rules, and the rows that break a redraw rule are drawn again, bounded.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..preprocessing._rules import RuleSet, choose_gaps, detect_rules
from ..preprocessing._schema import TableSchema, parse_schema_param
from ._constraints import (
    ConstraintError,
    ConstraintRedrawWarning,
    ConstraintSet,
    FixedCombinations,
    compile_constraints,
)

__all__ = ["RULE_PARAMETERS_DOC", "RulesMixin"]

# Parameters every generator has; their validation lives here.
RULE_PARAMETERS = {
    "constraints": [list, None],
    "schema": [dict, str, TableSchema, None],
}
# ... and their docstring entry (``@fill_doc(rule_params=RULE_PARAMETERS_DOC)``)
RULE_PARAMETERS_DOC = """constraints : list of sksynth.constraints objects, default=None
        Rules every generated row obeys (see :mod:`sksynth.constraints`).
    schema : dict, TableSchema or str, default=None
        Overrides of the inferred schema: column kinds, detected rules
        switched off, personal data (see :meth:`TableSchema.to_json`)."""

# Largest share of an unconditional draw redrawn for the detected rules: the
# rules that the most rows break are left out (with a warning) beyond it.
_MAX_REDRAWN_SHARE = 0.35
# Acceptance rate of a first draw below which redraws are announced.
_WARN_ACCEPTANCE = 0.9
# Most candidate rows drawn per row to replace, and per redraw round.
_MAX_CANDIDATES = 50
_MAX_ROUND_ROWS = 200_000


class RulesMixin:
    """Schema overrides, detected rules and declared constraints."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        import inspect

        params = inspect.signature(cls.__init__).parameters
        extra = {k: v for k, v in RULE_PARAMETERS.items() if k in params}
        own = cls.__dict__.get("_parameter_constraints")
        if extra and own is not None and not set(extra) <= set(own):
            cls._parameter_constraints = {**own, **extra}

    # ------------------------------------------------------------------ fit
    def _rules_frame(self, X, how):
        """Apply the frame transforms of Custom constraints (or reverse them)."""
        from ._constraints import Custom

        customs = [
            c for c in (getattr(self, "constraints", None) or [])
            if isinstance(c, Custom) and c.transform is not None
        ]
        if not customs:
            return X
        if how == "reverse":
            customs = customs[::-1]
        for c in customs:
            fn = c.transform if how == "transform" else c.reverse
            try:
                out = fn(X)
            except Exception as exc:
                raise ConstraintError(
                    f"{c!r}: its {how} raised {type(exc).__name__}: {exc}"
                ) from exc
            if not isinstance(out, type(X)) or getattr(out, "shape", None) != X.shape:
                raise ConstraintError(
                    f"{c!r}: its {how} must return a {type(X).__name__} of shape "
                    f"{X.shape}, got {type(out).__name__} "
                    f"{getattr(out, 'shape', '')}."
                )
            X = out
        return X

    def _infer_schema(self, X, y):
        """The schema of ``X``, with ``schema=`` overrides and personal data."""
        columns, self._rules_off, pii = parse_schema_param(
            getattr(self, "schema", None)
        )
        keep = set()
        for c in getattr(self, "constraints", None) or []:
            try:
                keep.update(c.columns())
            except Exception:  # a malformed constraint fails in compile
                pass
        off = self._rules_off
        return TableSchema.infer(
            X, y, derive=self._learn_constraints and off != "all",
            overrides=columns, no_derive=keep | (set() if off == "all" else off),
            detect_pii=self._learn_constraints, pii=pii,
        )

    def _fit_rules(self, Z):
        """Set ``rules_``, ``impossible_pairs_`` and ``constraints_``.

        Returns the code matrix the model learns: ``Z`` itself, or with gap
        columns (``high - low``) where an order rule is built into the data.
        """
        constraints = getattr(self, "constraints", None)
        if self._learn_constraints:
            self.rules_, self.impossible_pairs_ = detect_rules(
                Z, self.schema_, off=self._rules_off
            )
            self.constraints_ = compile_constraints(constraints, self.schema_, Z)
            exclude = set(self.schema_.personal)
            if self.schema_.has_target:
                exclude.add(self.schema_.target_index)
            gaps = choose_gaps(
                list(self.constraints_) + list(self.rules_), self.schema_, Z, exclude
            )
            if gaps:
                self.schema_ = self.schema_.with_gaps(gaps, Z)
                Z = self.schema_.to_model(Z)
            self.schema_.rules = self.rules_
        else:  # DP: nothing may be read off the data outside the accounting
            self.rules_, self.impossible_pairs_ = RuleSet(), None
            for c in constraints or []:
                if isinstance(c, FixedCombinations):
                    raise ConstraintError(
                        f"{c!r}: {type(self).__name__} is differentially private "
                        "and cannot read the combinations off the data; declare "
                        "the allowed values in its domain instead."
                    )
            self.constraints_ = compile_constraints(constraints, self.schema_, None)
        return Z

    # --------------------------------------------------------------- sample
    def _rule_sets(self):
        rules = getattr(self, "rules_", None) or RuleSet()
        constraints = getattr(self, "constraints_", None) or ConstraintSet()
        constraints.bind(self.schema_)
        return rules, constraints

    def _data(self, Z):
        """Data codes of model codes (the same array without gap columns)."""
        return self.schema_.to_data(Z) if self.schema_.gaps else Z

    def _apply_rules(self, Z, given):
        """Transform rules (grids, copies) on freshly drawn code rows."""
        rules, constraints = self._rule_sets()
        if not (rules.enforced("transform") or constraints.enforced("transform")):
            return Z
        D = self._data(Z)
        rules.apply(D, given)
        constraints.apply(D, given)
        if self.schema_.gaps:
            Z[:] = self.schema_.to_model(D, copy=False)
        return Z

    def _check_rule_conditions(self, C):
        _, constraints = self._rule_sets()
        constraints.check_conditions(self._data(C))

    def _detected_redraw(self, rules):
        pairs_on = getattr(self, "impossible_pairs_", None) is not None
        return [r for r in rules.enforced("redraw") if pairs_on or r.kind != "pairs"]

    def _enforce_rules(self, Z, conditions, given, rng):
        """Draw again the rows that break a redraw rule (bounded).

        Detected rules broken by more than ``_max_impossible_share`` of an
        unconditional draw are kept with a warning (drawing so many again
        would distort the columns); declared constraints are always
        enforced, and a request that cannot be met raises.
        """
        rules, constraints = self._rule_sets()
        detected = self._detected_redraw(rules)
        declared = constraints.enforced("redraw")
        if not detected and not declared:
            return Z
        if conditions is None and detected:
            detected = self._represented(rules, detected, Z, given)
        active = detected + declared
        D = self._data(Z)
        bad = rules.violations(D, given, active)
        accepted, drawn = len(Z) - int(bad.sum()), len(Z)
        if declared:
            rate = 1 - constraints.violations(D, given, declared).mean()
            if rate < _WARN_ACCEPTANCE:
                warnings.warn(
                    f"Only {rate:.0%} of the rows {type(self).__name__} drew obey "
                    "the declared constraints; the others are drawn again "
                    "(bounded redraw), which can distort the columns' "
                    "distributions.",
                    ConstraintRedrawWarning,
                    stacklevel=4,
                )
        for _ in range(self._max_redraw_rounds):
            rows = np.flatnonzero(bad)
            if not len(rows):
                return Z
            m = 1
            if declared:
                m = math.ceil(1.2 * drawn / max(accepted, 1))
                m = int(min(max(m, 1), _MAX_CANDIDATES,
                            max(1, _MAX_ROUND_ROWS // len(rows))))
            take = np.repeat(rows, m)
            subset = conditions
            if isinstance(conditions, pd.DataFrame):
                subset = conditions.iloc[take]
            cand = self._draw_codes(len(take), subset, rng)[0]
            cand_given = None if given is None else given[take]
            cand_bad = rules.violations(self._data(cand), cand_given, active)
            drawn += len(take)
            accepted += len(take) - int(cand_bad.sum())
            if m == 1:
                Z[rows] = cand
                bad[rows] = cand_bad
                continue
            ok = ~cand_bad.reshape(len(rows), m)
            pick = np.argmax(ok, axis=1)
            Z[rows] = cand.reshape(len(rows), m, -1)[np.arange(len(rows)), pick]
            bad[rows] = ~ok.any(axis=1)
        D = self._data(Z)
        still_declared = constraints.violations(D, given, declared) if declared \
            else np.zeros(len(Z), dtype=bool)
        if still_declared.any():
            worst = max(declared, key=lambda r: int(r.violations(D, given).sum()))
            raise ConstraintError(
                f"Could not generate {len(Z)} rows that obey the declared "
                f"constraints: {int(still_declared.sum())} still break them (such "
                f"as {worst.name}) after {self._max_redraw_rounds} redraw rounds; "
                f"{accepted / drawn:.2%} of the {drawn} rows drawn obeyed the "
                "rules. The request is infeasible under this model: relax a "
                "condition or a constraint, or use a model that represents them."
            )
        if bad.any():
            worst = max(detected, key=lambda r: int(r.violations(D, given).sum()))
            warnings.warn(
                f"{int(bad.sum())} of {len(Z)} generated rows still break rules "
                f"that hold in every row of the data (such as {worst.name}) after "
                f"{self._max_redraw_rounds} redraws; they are kept. The model "
                "puts much of its mass there: these rows are unreliable.",
                UserWarning,
                stacklevel=4,
            )
        return Z

    def _represented(self, rules, detected, Z, given):
        """The detected rules worth redrawing for, warning about the others.

        A rule the model breaks in many rows is one it does not represent;
        drawing those rows again would distort the columns. The rules
        (value pairs as one group) that the most rows break are left out
        until at most ``_MAX_REDRAWN_SHARE`` of the rows break the rest (value
        pairs first when more than ``_max_impossible_share`` hold one).
        """
        D = self._data(Z)
        units = [[r] for r in detected if r.kind != "pairs"]
        pairs = [r for r in detected if r.kind == "pairs"]
        if pairs:
            units.append(pairs)
        masks = [rules.violations(D, given, u) for u in units]
        order = sorted(range(len(units)), key=lambda i: -masks[i].mean())
        kept = set(range(len(units)))
        dropped = []
        if pairs and masks[-1].mean() > self._max_impossible_share:
            kept.discard(len(units) - 1)  # value pairs: as before, as a group
            dropped.append(len(units) - 1)
        bad = np.zeros(len(Z), dtype=bool)
        for i in kept:
            bad |= masks[i]
        for i in order:
            if bad.mean() <= _MAX_REDRAWN_SHARE:
                break
            if i not in kept:
                continue
            kept.discard(i)
            dropped.append(i)
            bad = np.zeros(len(Z), dtype=bool)
            for k in kept:
                bad |= masks[k]
        if dropped:
            worst = units[dropped[0]][0]
            n_rules = sum(len(units[i]) for i in dropped)
            warnings.warn(
                f"{masks[dropped[0]].mean():.0%} of the generated rows break a rule "
                f"that holds in every row of the data ({worst.name}; {n_rules} "
                f"such rule(s) left out): {type(self).__name__} does not "
                "represent these dependencies. They are kept: drawing so many "
                "rows again would distort the columns' distributions. A model of "
                "more of the interactions avoids them; see rules_ (and switch a "
                "rule off with schema={'rules': {name: False}}).",
                UserWarning,
                stacklevel=5,
            )
        return [r for i in sorted(kept) for r in units[i]]

    def _decode_rows(self, Z, rng):
        """Decode code rows, reverse frame transforms, fill personal columns."""
        out = self.schema_.decode(Z, copy=False)
        X, y = out if isinstance(out, tuple) else (out, None)
        X = self._rules_frame(X, "reverse")
        X = self.schema_.fill_personal(X, rng)
        return X if y is None else (X, y)

    # ----------------------------------------------------------- reporting
    def constraint_acceptance(self, n_samples=1000, *, random_state=0):
        """Share of plain model draws that obey each redraw rule.

        Draws ``n_samples`` rows without any redraw and reports, for every
        declared constraint and detected rule enforced by redraw, the share
        of rows that obey it (the acceptance rate of the bounded redraw);
        transform rules hold in every row by construction and are reported
        as 1.0.

        Parameters
        ----------
        n_samples : int, default=1000
            Rows to draw.
        random_state : int, RandomState instance or None, default=0
            Seed of the draw.

        Returns
        -------
        acceptance : dict
            ``{rule name: share of rows that obey it}``.
        """
        check_is_fitted(self)
        rng = check_random_state(random_state)
        Z, _ = self._draw_codes(n_samples, None, rng)
        Z = self._data(Z)
        rules, constraints = self._rule_sets()
        out = {}
        for r in list(constraints) + list(rules):
            if r.kind == "derived":
                continue
            exact = r.enforce == "transform" and not getattr(r, "check", False)
            share = 1.0 if exact else float(r.valid(Z).mean())
            out[r.name] = min(out.get(r.name, 1.0), share)
        return out
