"""The dispatch cache: SQLite, the only module in wirereader that writes SQL.

Split so each part stays readable: `schema` (the tables, opening a file, migrations),
`rows` (a dispatch encoded for writing, computable in any process), `batch` (saving a
refresh in one transaction), `queries` (the SQL text and row-to-model conversion) and
`core` (the `Store`).
"""

from wirereader.store.batch import BatchStats, SourceUpdate
from wirereader.store.core import Store
from wirereader.store.queries import FetchState, search_expression
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
