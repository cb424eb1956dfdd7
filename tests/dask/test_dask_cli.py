import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")
pytest.importorskip("pyarrow")

from sksynth.cli import main  # noqa: E402


def test_synthesize_on_a_scheduler_reads_and_writes_parquet_partitions(
    mixed_frame, tmp_path, local_cluster, capsys
):
    src = tmp_path / "big"
    src.mkdir()
    for i, idx in enumerate(np.array_split(np.arange(6000), 3)):
        mixed_frame.iloc[idx].to_parquet(src / f"part.{i}.parquet")
    out = tmp_path / "out"
    with local_cluster(2) as cluster:
        argv = [
            "synthesize",
            str(src),
            "-o",
            str(out),
            "-n",
            "5000",
            "--generator",
            "bayesiannetwork",
            "--scheduler",
            cluster.scheduler_address,
            "--npartitions",
            "4",
            "--condition",
            "region=w",
            "--verbose",
            "1",
        ]
        assert main(argv) == 0
    captured = capsys.readouterr()
    assert "wrote 5000 rows x 7 columns" in captured.out
    assert "sksynth.dask.fit: statistics" in captured.err  # progress shown
    files = sorted(out.glob("*.parquet"))
    assert len(files) == 4
    back = pd.concat([pd.read_parquet(f) for f in files])
    assert len(back) == 5000 and list(back.columns) == list(mixed_frame.columns)
    assert (back["region"] == "w").all()
    assert back["age"].dtype == mixed_frame["age"].dtype


def test_scheduler_bad_condition_is_a_clear_error(
    mixed_frame, tmp_path, local_cluster, capsys
):
    src = tmp_path / "in.parquet"
    mixed_frame.iloc[:500].to_parquet(src)
    with local_cluster(1) as cluster:
        argv = [
            "synthesize",
            str(src),
            "-o",
            str(tmp_path / "o"),
            "--scheduler",
            cluster.scheduler_address,
            "--condition",
            "nope=1",
        ]
        assert main(argv) == 2
    assert "--condition names column 'nope'" in capsys.readouterr().err


def test_synthesize_dp_on_a_scheduler_spends_the_budget_once(
    mixed_frame, tmp_path, local_cluster, capsys
):
    src = tmp_path / "big"
    src.mkdir()
    frame = mixed_frame[["a", "plan", "region", "age"]].iloc[:4000]
    for i, idx in enumerate(np.array_split(np.arange(len(frame)), 4)):
        frame.iloc[idx].to_parquet(src / f"part.{i}.parquet")
    out = tmp_path / "out"
    with local_cluster(1) as cluster:
        argv = [
            "synthesize",
            str(src),
            "-o",
            str(out),
            "-n",
            "600",
            "--generator",
            "mst",
            "--epsilon",
            "1",
            "--delta",
            "1e-6",
            "--param",
            "n_bins=8",
            "--scheduler",
            cluster.scheduler_address,
            "--npartitions",
            "2",
        ]
        assert main(argv) == 0
    captured = capsys.readouterr()
    # one release of the whole table, not one per partition: 4 one-way
    # marginals, 3 tree-edge selections, 3 two-way marginals, and the domain
    # (range + refinement of the 2 numeric columns, labels of the other 2)
    line = "privacy spent: epsilon=1, delta=1e-06 (MST; 16 charged steps)"
    assert line in captured.out
    back = pd.concat([pd.read_parquet(f) for f in sorted(out.glob("*.parquet"))])
    assert len(back) == 600 and set(back["plan"]) <= {"basic", "gold"}
