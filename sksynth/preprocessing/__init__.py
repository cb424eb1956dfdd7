"""Schema inference and reversible table encodings (the one data layer)."""

from ._align import TableAlignment, align_tables, encode_related
from ._pii import detect_pii
from ._rules import RuleSet
from ._schema import ColumnSchema, TableSchema
from ._table_encoder import (
    Block,
    OneHotTableEncoder,
    OrdinalTableEncoder,
    QuantileGaussianTransformer,
    TableEncoder,
)

__all__ = [
    "Block",
    "ColumnSchema",
    "OneHotTableEncoder",
    "OrdinalTableEncoder",
    "QuantileGaussianTransformer",
    "RuleSet",
    "TableAlignment",
    "TableEncoder",
    "TableSchema",
    "align_tables",
    "detect_pii",
    "encode_related",
]
