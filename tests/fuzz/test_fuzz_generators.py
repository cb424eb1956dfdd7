"""Property-based fuzzing of every generator (issue 23, part 2).

Random frames of every dtype pandas offers (see ``_harness.py``) go through
fit, sample, a random condition, reseeding and a pickle round trip. Each
must give valid rows (same columns and order, exact dtypes, categories
within the fitted ones, integers integral, no missing values where there
were none, values within the seen range; DP generators may leave the range,
their bounds are noisy) or a clear ValueError/TypeError naming the column;
the same seed gives the same rows, unseeded calls differ, a pickled
generator draws the same rows. The default run tries a few examples per
generator (derandomized, so CI is stable); ``-m slow`` tries many more.
``benchmarks/bench_fuzz.py`` counts the outcomes without pytest.
"""

import warnings

import pytest

from sksynth.utils import all_estimators

from ._harness import build_frame, check_generator, frame_specs

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402

try:  # hypothesis' patch writer (on a failure) imports libcst, which warns
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import hypothesis.extra._patching  # noqa: F401
except ImportError:  # pragma: no cover
    pass

GENERATORS = dict(all_estimators("generator"))

# Failures that are issue 23's DP part (helper i19, sksynth/generators/dp):
# reported there, not fixed here. {generator: reason}
DP_KNOWN = {}


def _run(cls, spec):
    outcome, detail = check_generator(cls, build_frame(spec), timeout=60)
    if outcome in ("valid", "clear error"):
        return
    reason = DP_KNOWN.get(cls.__name__)
    if reason is not None:
        pytest.xfail(f"{reason}: {detail}")
    pytest.fail(f"{outcome} on spec {spec!r}: {detail}")


_common = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
    ],
}


@pytest.mark.parametrize("name", sorted(GENERATORS))
@settings(max_examples=3, derandomize=True, database=None, **_common)
@given(spec=frame_specs())
def test_fuzz_generator(name, spec):
    _run(GENERATORS[name], spec)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(GENERATORS))
@settings(max_examples=60, **_common)
@given(spec=frame_specs())
def test_fuzz_generator_many(name, spec):
    _run(GENERATORS[name], spec)
