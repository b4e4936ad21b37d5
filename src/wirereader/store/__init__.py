"""The dispatch cache: SQLite, the only module in wirereader that writes SQL.

Split in three so each part stays readable: `schema` (the tables, opening a file,
migrations), `batch` (saving a refresh in one transaction) and `core` (the `Store`).
"""

from wirereader.store.batch import BatchStats, SourceUpdate
from wirereader.store.core import FetchState, Store, search_expression
from wirereader.store.schema import SCHEMA_VERSION, StoreError

__all__ = [
    "SCHEMA_VERSION",
    "BatchStats",
    "FetchState",
    "SourceUpdate",
    "Store",
    "StoreError",
    "search_expression",
]
