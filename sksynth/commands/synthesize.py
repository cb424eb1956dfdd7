"""``sksynth synthesize``: fit a generator on a CSV file and write synthetic rows."""

import json
import sys
import warnings

import pandas as pd

NAME = "synthesize"
HELP = "Fit a generator on a CSV file and write a synthetic CSV file."


def add_arguments(parser):
    parser.add_argument(
        "data", help="input CSV file (header row; empty cells = missing)"
    )
    parser.add_argument("-o", "--output", required=True, help="output CSV file")
    parser.add_argument(
        "-n",
        "--n-samples",
        type=int,
        default=None,
        help="number of rows to generate (default: as many as the input)",
    )
    parser.add_argument(
        "--generator",
        default="gaussiancopula",
        help="generator short name, e.g. gaussiancopula (see `sksynth list`)",
    )
    parser.add_argument(
        "--condition",
        action="append",
        default=[],
        metavar="COL=VALUE",
        help="fix a column's value in every generated row (repeatable)",
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="generator parameter, value parsed as JSON when possible (repeatable)",
    )
    parser.add_argument("--epsilon", type=float, help="privacy budget (DP generators)")
    parser.add_argument("--delta", type=float, help="privacy delta (DP generators)")
    parser.add_argument(
        "--domain",
        help="JSON file with the public domain of some or all columns (DP "
        'generators), e.g. {"age": {"low": 17, "high": 90, "integer": true}, '
        '"city": ["Oslo", "Rome"]}; columns left out get a DP-estimated domain, '
        "unreliable on small tables",
    )
    parser.add_argument(
        "--target",
        metavar="COL",
        help="the column a model will predict: fitted as the target y (a DP "
        "generator weights its workload toward it)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--verbose", type=int, default=None, help="verbosity, if supported"
    )


def _parse_value(text):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _split(item, flag):
    if "=" not in item:
        raise ValueError(f"{flag} expects KEY=VALUE, got {item!r}.")
    key, value = item.split("=", 1)
    return key.strip(), value


def parse_condition(schema, key, text):
    """Turn the text of a command-line condition into a value of that column."""
    col = schema.column(key)
    if col.kind == "categorical":
        for cat in col.categories:
            if str(cat) == text:
                return cat
        known = ", ".join(str(c) for c in col.categories[:20])
        raise ValueError(
            f"Impossible condition: {text!r} is not a value of column {key!r} "
            f"(values: {known})."
        )
    try:
        if col.kind == "datetime":
            return pd.Timestamp(text)
        value = float(text)
    except ValueError:
        what = "a date" if col.kind == "datetime" else "a number"
        raise ValueError(
            f"Condition {key}={text!r}: column {key!r} is {col.kind}; give {what}."
        ) from None
    return int(value) if col.integer and value == int(value) else value


def run(args):
    from ..generators import get_generator

    data = pd.read_csv(args.data)
    # the syntax and the columns of the conditions are checked before the fit
    condition_items = [_split(item, "--condition") for item in args.condition]
    for key, _ in condition_items:
        if key not in data.columns:
            raise ValueError(
                f"--condition names column {key!r}, which is not in {args.data}; "
                f"columns: {list(data.columns)}."
            )
    params = dict(_split(p, "--param") for p in args.param)
    params = {k: _parse_value(v) for k, v in params.items()}
    for flag in ("epsilon", "delta", "verbose"):
        if getattr(args, flag) is not None:
            params[flag] = getattr(args, flag)
    if args.domain:
        with open(args.domain) as fh:
            params["domain"] = json.load(fh)
    gen = get_generator(args.generator, **params)
    if "random_state" in gen.get_params() and "random_state" not in params:
        gen.set_params(random_state=args.seed)
    X, y = _split_target(data, args.target, args.data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            gen.fit(X, y)
        finally:  # shown also when the fit fails (the reason is often there)
            _report_warnings(caught)
    conditions = None
    if condition_items:
        conditions = {
            key: parse_condition(gen.schema_, key, text)
            for key, text in condition_items
        }
    # a DP generator's row count is itself released under DP: never len(data)
    default_n = getattr(gen, "n_samples_dp_", None) or len(data)
    n = args.n_samples if args.n_samples is not None else default_n
    synthetic = gen.sample(n, conditions=conditions, random_state=args.seed)
    if y is not None:  # the target back in its place
        Xs, ys = synthetic
        synthetic = Xs.assign(**{args.target: ys.to_numpy()})[list(data.columns)]
    synthetic.to_csv(args.output, index=False)
    print(
        f"wrote {len(synthetic)} rows x {synthetic.shape[1]} columns to {args.output} "
        f"({type(gen).__name__})",
        file=sys.stdout,
    )
    spent = getattr(gen, "privacy_spent_", None)
    if spent is not None:
        print(
            f"privacy spent: epsilon={spent.epsilon:.4g}, delta={spent.delta:.3g} "
            f"({spent.mechanism}; {len(spent.steps)} charged steps)"
        )
    return 0


def _split_target(data, target, path):
    if target is None:
        return data, None
    if target not in data.columns:
        raise ValueError(
            f"--target names column {target!r}, which is not in {path}; "
            f"columns: {list(data.columns)}."
        )
    return data.drop(columns=[target]), data[target]


def _report_warnings(caught):
    """Fit warnings on stderr, one line each (the DP domain's carry the fix)."""
    from ..generators.dp import DPDomainWarning

    for w in caught:
        text = str(w.message)
        if issubclass(w.category, DPDomainWarning):
            text += " (--domain format: see `sksynth synthesize -h`.)"
        print(f"warning: {text}", file=sys.stderr)
