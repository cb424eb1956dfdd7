"""``sksynth describe``: the schema, rules and personal data of a CSV file."""

import re
import sys

import pandas as pd

NAME = "describe"
HELP = (
    "Show the columns (kind, dtype, missing share), the rules the rows obey and "
    "the personal data of a CSV file; write them as an editable JSON schema."
)

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$")


def add_arguments(parser):
    parser.add_argument("data", help="input CSV file (header row)")
    parser.add_argument(
        "-o", "--output", help="write the schema as JSON (give it to `synthesize "
        "--metadata` after editing kinds or switching rules off)"
    )
    parser.add_argument(
        "--no-rules", action="store_true", help="do not look for rules"
    )


def read_csv(path):
    """Read a CSV file; text columns of ISO dates become datetimes.

    A text column is read as dates only when every non-empty cell is an ISO
    date or date-time (``2013-08-14``, ``2013-08-13 06:03:42``); no other
    column is guessed at.
    """
    data = pd.read_csv(path)
    return data.apply(_as_dates) if len(data.columns) else data


def split_empty(data):
    """``(data without its all-empty columns, their names)``: such columns
    carry nothing to model; the commands say so and write them back empty."""
    empty = [c for c in data.columns if data[c].isna().all()]
    return data.drop(columns=empty), empty


def _as_dates(s):
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        observed = s.dropna().astype(str)
        if len(observed) and observed.str.match(_ISO).all():
            return pd.to_datetime(s, format="ISO8601")
    return s


def run(args):
    from ..preprocessing import TableSchema
    from ..preprocessing._rules import detect_rules

    data, empty = split_empty(read_csv(args.data))
    if empty:
        print(f"columns with no value at all (not modelled): {empty}")
    schema = TableSchema.infer(data, derive=not args.no_rules, detect_pii=True)
    if not args.no_rules:
        schema.rules, _ = detect_rules(schema.encode(data), schema)
    print(f"{args.data}: {len(data)} rows x {data.shape[1]} columns", file=sys.stdout)
    print(schema)
    if args.output:
        schema.to_json(args.output)
        print(f"wrote the schema to {args.output}")
    return 0
