"""Every example script runs (small settings) and the README's quick start works."""

import re
import runpy
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").rglob("plot_*.py"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_example_runs(path, monkeypatch):
    monkeypatch.chdir(path.parent)
    monkeypatch.setenv("SKSYNTH_EXAMPLE_QUICK", "1")
    try:
        runpy.run_path(str(path), run_name="__main__")
    finally:
        plt.close("all")


def test_readme_quick_start():
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "README has no python block"
    namespace = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    assert (namespace["rich"]["region"] == "south").all()
    assert namespace["synth"].dtypes.equals(namespace["X"].dtypes)
