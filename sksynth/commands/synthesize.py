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
        help="number of rows to generate, or of sequences with the sequence "
        "generator (default: as many as the input)",
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
    parser.add_argument(
        "--metadata",
        help="JSON schema (from `sksynth describe -o`): column kinds, rules "
        "switched off, personal data",
    )
    parser.add_argument(
        "--no-anonymize",
        action="store_true",
        help="model columns detected as personal data like any other (by "
        "default they are not modelled but generated fresh)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--verbose", type=int, default=None, help="verbosity, if supported"
    )
    parser.add_argument(  # sksynth.dask (the `dask` extra)
        "--scheduler",
        default=None,
        metavar="ADDRESS|local",
        help="fit and sample on Dask: a scheduler address or `local`; reads "
        "partitioned parquet/CSV and writes partitioned parquet to -o (a folder)",
    )
    parser.add_argument(
        "--npartitions", type=int, default=None,
        help="output partitions with --scheduler (default: one per 1,000,000 rows)",
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
    from .describe import read_csv, split_empty

    if args.scheduler is not None:
        from ..dask._cli import run_on_dask

        return run_on_dask(args)

    original = read_csv(args.data)
    data, empty = split_empty(original)
    if empty:
        print(f"columns with no value at all (written back empty): {empty}")
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
    if args.metadata or args.no_anonymize:
        params["schema"] = _metadata(args)
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
        schema = _fitted_schema(gen)
        conditions = {
            key: parse_condition(schema, key, text)
            if schema is not None and key in schema.names
            else _parse_value(text)
            for key, text in condition_items
        }
    n = args.n_samples if args.n_samples is not None else _default_n(gen, data)
    synthetic = gen.sample(n, conditions=conditions, random_state=args.seed)
    if y is not None:  # the target back in its place
        Xs, ys = synthetic
        synthetic = Xs.assign(**{args.target: ys.to_numpy()})[list(data.columns)]
    if empty:
        synthetic = synthetic.reindex(columns=original.columns)
        synthetic[empty] = original[empty].iloc[:0].reindex(synthetic.index)
    synthetic.to_csv(args.output, index=False)
    print(
        f"wrote {len(synthetic)} rows x {synthetic.shape[1]} columns to {args.output} "
        f"({type(gen).__name__})",
        file=sys.stdout,
    )
    _report_rules(gen)
    spent = getattr(gen, "privacy_spent_", None)
    if spent is not None:
        print(
            f"privacy spent: epsilon={spent.epsilon:.4g}, delta={spent.delta:.3g} "
            f"({spent.mechanism}; {len(spent.steps)} charged steps)"
        )
    return 0


def _metadata(args):
    """The ``schema=`` parameter from --metadata and --no-anonymize."""
    from ..preprocessing._schema import parse_json

    meta = parse_json(args.metadata) if args.metadata else {"columns": {}}
    if args.no_anonymize:
        meta = dict(meta)
        meta["pii"] = {**meta.get("pii", {}), "detect": False}
    return meta


def _default_n(gen, data):
    """As many as the input: rows, or sequences for a sequence generator."""
    # a DP generator's row count is itself released under DP: never len(data)
    n_dp = getattr(gen, "n_samples_dp_", None)
    if n_dp:
        return n_dp
    lengths = getattr(gen, "lengths_", None)  # SequenceGenerator: one per entity
    return len(lengths) if lengths is not None else len(data)


def _fitted_schema(gen):
    """The fitted schema of a generator, or of the generator a wrapper fitted."""
    schema = getattr(gen, "schema_", None)
    if schema is None:
        schema = getattr(getattr(gen, "generator_", None), "schema_", None)
    return schema


def _report_rules(gen):
    schema = _fitted_schema(gen)
    if schema is None:
        return
    personal = [
        (schema.columns[j].name, p) for j, p in sorted(schema.personal.items())
    ]
    if personal:
        how = {"fake": "fresh values", "hash": "keyed pseudonyms"}
        treated = ", ".join(
            f"{name} ({p.kind}, {how[p.method]})" for name, p in personal
        )
        print(f"personal data, not modelled: {treated}")
    rules = getattr(gen, "rules_", None)
    if rules is not None and len(rules):
        print(f"rules kept ({len(rules)}; see `sksynth describe`)")


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
