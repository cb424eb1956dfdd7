"""The one seed helper: integer seeds for nested components and streams."""

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["MAX_SEED", "draw_seed", "seed_stream"]

# Largest seed accepted by every consumer (numpy's legacy RandomState, torch,
# scikit-learn estimators' ``random_state``).
MAX_SEED = np.iinfo(np.int32).max


def draw_seed(random_state):
    """An integer seed drawn from ``random_state`` (int, RandomState or None).

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.utils._random import draw_seed
    >>> draw_seed(np.random.RandomState(0)) == draw_seed(np.random.RandomState(0))
    True
    """
    return int(check_random_state(random_state).randint(MAX_SEED))


def seed_stream(random_state):
    """A fresh ``RandomState`` seeded by one draw from ``random_state``.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.utils._random import seed_stream
    >>> a = seed_stream(np.random.RandomState(0)).rand()
    >>> b = seed_stream(np.random.RandomState(0)).rand()
    >>> a == b
    True
    """
    return np.random.RandomState(draw_seed(random_state))
