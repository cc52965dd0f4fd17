"""Canonical tables as Parquet files with an embedded DuckDB catalogue.

Layout under ``$CRITMIN_HOME/warehouse``::

    CURRENT                 name of the live build (replaced atomically)
    builds/<id>/<table>.parquet
    builds/<id>/<table>/year=2024/part-0.parquet   a partitioned table (trade_flows), one folder per year
    builds/<id>/provenance.parquet
    builds/<id>/catalog.duckdb   views over the Parquet files + provenance

A build is written into a fresh folder and made live by rewriting ``CURRENT``
with an atomic rename, so a failed build never touches the live warehouse.
"""

from critmin.warehouse.store import Warehouse, open_warehouse, replace_tables  # noqa: F401
