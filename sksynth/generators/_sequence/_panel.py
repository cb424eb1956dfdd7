"""The long-format table read into entities, steps and time gaps (code space).

:func:`read_panel` checks a long-format code matrix (one row per observation:
entity id, time, static columns, temporal columns) and sorts it into a
:class:`Panel`: the static codes of every entity, the temporal codes of
every observation in (entity, time) order, and the time gaps. Bad input gets
a ValueError naming the column and the entities: a missing id or time,
duplicate (id, time) rows, a static column that varies within an entity.

:class:`TimeGrid` is the time model shared by both step models: the gaps in
units of their greatest common divisor (integer and datetime times), so that
a regular series (every gap one unit) keeps its frequency and every
generated gap is at least one unit: timestamps are strictly increasing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Panel", "TimeGrid", "read_panel"]

_SHOWN = 5  # entities named in an error message


def _name_entities(labels, bad):
    """At most ``_SHOWN`` entity labels of the entities flagged by ``bad``."""
    idx = np.flatnonzero(bad)
    shown = [labels[i] for i in idx[:_SHOWN]]
    more = f" and {len(idx) - _SHOWN} more" if len(idx) > _SHOWN else ""
    return f"{len(idx)} entit{'y' if len(idx) == 1 else 'ies'} ({shown}{more})"


@dataclass
class Panel:
    """A long-format table sorted into entities (see the module docstring).

    Attributes
    ----------
    order : ndarray of int
        Row positions of the input in (entity, time) order.
    entity : ndarray of int
        Entity index (0..n_entities-1) of every sorted row.
    step : ndarray of int
        Position of every sorted row within its entity.
    lengths : ndarray of int
        Number of rows of every entity.
    offsets : ndarray of int
        Position of every entity's first sorted row.
    first_rows : ndarray of int
        Input row position of every entity's first row.
    static : ndarray of shape (n_entities, n_static)
        Static codes of every entity.
    values : ndarray of shape (n_rows, n_temporal)
        Temporal codes of the sorted rows.
    time : ndarray of shape (n_rows,) or None
        Time codes of the sorted rows.
    gaps : ndarray of shape (n_rows,) or None
        Time since the entity's previous row (NaN at each entity's first row).
    """

    order: np.ndarray
    entity: np.ndarray
    step: np.ndarray
    lengths: np.ndarray
    offsets: np.ndarray
    first_rows: np.ndarray
    static: np.ndarray
    values: np.ndarray
    time: np.ndarray | None
    gaps: np.ndarray | None

    @property
    def n_entities(self):
        return len(self.lengths)

    def last_time(self):
        """Time code of every entity's last row."""
        return self.time[self.offsets + self.lengths - 1]


def read_panel(Z, *, id_pos, time_pos, static_pos, temporal_pos, names, labels):
    """Check and sort a long-format code matrix (see the module docstring).

    Parameters
    ----------
    Z : ndarray of shape (n_rows, n_columns)
        Codes of the long table (:meth:`TableSchema.encode`).
    id_pos, time_pos : int or None
        Positions of the id and time columns (``None``: one entity / no time).
    static_pos, temporal_pos : list of int
        Positions of the static and temporal columns.
    names : list
        Column names (for messages).
    labels : callable
        ``labels(codes)`` -> entity labels as the user wrote them.
    """
    n = len(Z)
    if id_pos is None:
        ent_codes = np.zeros(n)
    else:
        ent_codes = Z[:, id_pos]
        missing = np.isnan(ent_codes)
        if missing.any():
            raise ValueError(
                f"The id column {names[id_pos]!r} has {int(missing.sum())} missing "
                "value(s); every row must name its entity."
            )
    uniq, entity = np.unique(ent_codes, return_inverse=True)
    entity = entity.ravel()
    entity_labels = labels(uniq)
    if time_pos is not None:
        t = Z[:, time_pos]
        missing = np.isnan(t)
        if missing.any():
            bad = np.bincount(entity[missing], minlength=len(uniq)) > 0
            raise ValueError(
                f"The time column {names[time_pos]!r} has {int(missing.sum())} "
                f"missing value(s), in {_name_entities(entity_labels, bad)}; "
                "every observation needs its time."
            )
        order = np.lexsort((t, entity))
    else:
        order = np.argsort(entity, kind="stable")
    entity = entity[order]
    lengths = np.bincount(entity, minlength=len(uniq))
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    step = np.arange(n) - offsets[entity]
    first_rows = order[offsets]
    time = gaps = None
    if time_pos is not None:
        time = Z[order, time_pos]
        gaps = np.full(n, np.nan)
        gaps[1:] = np.diff(time)
        gaps[step == 0] = np.nan
        dup = gaps == 0
        if dup.any():
            bad = np.bincount(entity[dup], minlength=len(uniq)) > 0
            raise ValueError(
                f"Duplicate ({names[id_pos] if id_pos is not None else 'row'}, "
                f"{names[time_pos]!r}) rows: {int(dup.sum())} row(s) repeat a time "
                f"of their entity, in {_name_entities(entity_labels, bad)}. Each "
                "entity needs strictly increasing times; aggregate or drop the "
                "duplicates first."
            )
    static = np.empty((len(uniq), len(static_pos)))
    for k, j in enumerate(static_pos):
        z = Z[order, j]
        first = z[offsets]
        same = (z == first[entity]) | (np.isnan(z) & np.isnan(first[entity]))
        if not same.all():
            bad = np.bincount(entity[~same], minlength=len(uniq)) > 0
            raise ValueError(
                f"The static column {names[j]!r} varies within "
                f"{_name_entities(entity_labels, bad)}; a static column holds one "
                "value per entity (leave it out of static_columns to model it as "
                "a temporal column)."
            )
        static[:, k] = first
    values = Z[np.ix_(order, temporal_pos)] if temporal_pos else np.empty((n, 0))
    return Panel(
        order, entity, step, lengths, offsets, first_rows, static, values, time, gaps
    )


@dataclass
class TimeGrid:
    """The time model: gaps in units of their greatest common divisor.

    Attributes
    ----------
    unit : float or None
        The gcd of every gap (integer or datetime times), ``None`` for
        real-valued times (gaps are then continuous).
    regular : bool
        Every gap is exactly one unit: generated series keep the frequency.
    phase : float or None
        The common residue of the entities' first times modulo ``unit``
        (generated start times are put on the same grid), if they share one.
    min_gap : float
        Smallest gap seen (real-valued times: the floor of generated gaps).
    """

    unit: float | None
    regular: bool
    phase: float | None
    min_gap: float

    @classmethod
    def fit(cls, panel, discrete):
        gaps = panel.gaps[~np.isnan(panel.gaps)]
        starts = panel.time[panel.offsets]
        if not len(gaps):
            return cls(None, True, None, 1.0)
        if discrete:
            g = np.gcd.reduce(gaps.astype(np.int64))
            unit = float(max(int(g), 1))
            regular = bool(np.all(gaps == unit))
            res = np.mod(starts.astype(np.int64), int(unit))
            phase = float(res[0]) if np.all(res == res[0]) else None
            return cls(unit, regular, phase, float(gaps.min()))
        regular = bool(np.allclose(gaps, gaps[0], rtol=1e-9, atol=0))
        unit = float(gaps[0]) if regular else None
        return cls(unit, regular, None, float(gaps.min()))

    def units(self, gaps):
        """Gaps as the modelled quantity: log of the gap in units (or raw)."""
        scale = self.unit if self.unit is not None else 1.0
        return np.log(gaps / scale)

    def gaps_from(self, logs):
        """Generated gaps from modelled log-units: at least one unit (or the
        smallest gap seen, for real-valued times), on the grid."""
        if self.regular:
            return np.full(len(logs), self.unit if self.unit else 1.0)
        if self.unit is not None:
            return np.maximum(np.round(np.exp(logs)), 1.0) * self.unit
        return np.maximum(np.exp(logs), self.min_gap)

    def starts_on_grid(self, starts):
        """Start times moved to the nearest point of the data's time grid."""
        if self.unit is None or self.phase is None:
            return starts
        return self.phase + np.round((starts - self.phase) / self.unit) * self.unit
