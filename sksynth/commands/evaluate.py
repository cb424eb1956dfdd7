"""``sksynth evaluate``: compare a synthetic CSV file with the real one."""

from pathlib import Path

import pandas as pd

NAME = "evaluate"
HELP = "Compare a synthetic CSV file with the real one and write a quality report."


def add_arguments(parser):
    parser.add_argument("real", help="real (training) CSV file")
    parser.add_argument("synthetic", help="synthetic CSV file with the same columns")
    parser.add_argument(
        "--holdout", help="real CSV file not used for training (privacy, utility)"
    )
    parser.add_argument("--target", help="column to predict (utility, fairness)")
    parser.add_argument(
        "--sensitive",
        action="append",
        default=None,
        metavar="COL",
        help="sensitive column for fairness (repeatable; needs --target)",
    )
    parser.add_argument(
        "--metrics",
        help="comma-separated metric groups among shapes, pairs, detection, "
        "precision_recall, utility, privacy, fairness (default: all that apply)",
    )
    parser.add_argument("--html", help="write the HTML report (with figures) here")
    parser.add_argument(
        "--max-samples",
        type=int,
        default=5000,
        help="row cap of detection, precision/recall and distances (default 5000)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")


def _read(path, what):
    if not Path(path).exists():
        raise FileNotFoundError(f"{what} file {path!r} does not exist.")
    frame = pd.read_csv(path)
    if frame.empty:
        raise ValueError(f"{what} file {path!r} has no rows.")
    return frame


def run(args):
    from ..report import QualityReport

    real = _read(args.real, "real")
    synthetic = _read(args.synthetic, "synthetic")
    holdout = _read(args.holdout, "holdout") if args.holdout else None
    for col in [args.target] + list(args.sensitive or []):
        if col is not None and col not in real.columns:
            raise ValueError(
                f"Column {col!r} is not in {args.real}; columns: {list(real.columns)}."
            )
    if args.sensitive and args.target is None:
        raise ValueError("--sensitive needs --target (fairness of a downstream model).")
    metrics = None
    if args.metrics:
        metrics = [m.strip() for m in args.metrics.split(",") if m.strip()]
    sensitive = args.sensitive
    if sensitive is not None and len(sensitive) == 1:
        sensitive = sensitive[0]
    report = QualityReport(
        metrics=metrics,
        target=args.target,
        sensitive=sensitive,
        max_samples=args.max_samples,
        random_state=args.seed,
    ).evaluate(real, synthetic, holdout)
    table = report.summary_[["group", "metric", "value", "ideal"]].copy()
    table["ideal"] = table["ideal"].map(lambda v: "" if pd.isna(v) else f"{v:g}")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    if args.html:
        report.to_html(args.html)
        print(f"report written to {args.html}")
    return 0
