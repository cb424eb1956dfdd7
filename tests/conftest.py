import os
from pathlib import Path

# One OpenMP thread: on 2-core CI machines oversubscribed OpenMP in
# HistGradientBoosting and neighbour searches is 10-25x slower.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _seeds_fixed():
    np.random.seed(0)
    try:
        import torch

        torch.manual_seed(0)
    except ImportError:  # pragma: no cover
        pass


@pytest.fixture(scope="session")
def adult_train():
    path = SHARED_DATA / "adult" / "train.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    import pandas as pd

    return pd.read_csv(path)
