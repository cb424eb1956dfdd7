"""Without opacus everything imports; only DP-SGD's fit names the extra."""

import sys

import pytest

from sksynth.datasets import make_mixed_classification


@pytest.mark.parametrize("name", ["DPTVAEGenerator", "DPCTGANGenerator"])
def test_fit_without_opacus_names_the_extra(monkeypatch, name):
    import sksynth.generators as generators

    monkeypatch.setitem(sys.modules, "opacus", None)  # `import opacus` fails
    X, y = make_mixed_classification(100, random_state=0)
    gen = getattr(generators, name)(epsilon=1.0, allow_large_delta=True)
    with pytest.raises(ImportError, match=r'pip install "sksynth\[dp\]"') as info:
        gen.fit(X, y)
    assert name in str(info.value)
    # the marginal DP generators need no opacus
    Xs, _ = generators.MSTGenerator(epsilon=1e3, delta=1e-9, allow_large_delta=True,
                                    random_state=0).fit(X, y).sample(5,
                                                                     random_state=0)
    assert len(Xs) == 5


def test_dp_package_imports_without_opacus():
    import subprocess

    code = ("import sys; sys.modules['opacus'] = None; "
            "import sksynth.generators, sksynth.generators.dp, sksynth.samplers; "
            "from sksynth.generators.dp.accounting import calibrate_noise_multiplier; "
            "print(round(calibrate_noise_multiplier(1.0, 1e-5, 0.01, 500), 2))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "1.26"
