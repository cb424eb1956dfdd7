import pytest


@pytest.fixture(scope="session")
def gbsg2():
    pytest.importorskip("sksurv")
    from sksynth.datasets import load_survival

    return load_survival("gbsg2")


@pytest.fixture(scope="session")
def whas500():
    pytest.importorskip("sksurv")
    from sksynth.datasets import load_survival

    return load_survival("whas500")
