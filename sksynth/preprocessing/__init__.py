"""Schema inference and reversible table encodings (the one data layer)."""

from ._schema import ColumnSchema, TableSchema
from ._table_encoder import (
    Block,
    OneHotEncoder,
    OrdinalEncoder,
    QuantileGaussianTransformer,
    TableEncoder,
)

__all__ = [
    "Block",
    "ColumnSchema",
    "OneHotEncoder",
    "OrdinalEncoder",
    "QuantileGaussianTransformer",
    "TableEncoder",
    "TableSchema",
]
