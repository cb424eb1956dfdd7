"""Schema inference and reversible table encodings (the one data layer)."""

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
    "TableEncoder",
    "TableSchema",
]
