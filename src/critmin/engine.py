"""One Ibis expression layer over the warehouse, many engines.

DuckDB is the default (embedded, reads the Parquet files in place); PySpark
or any other Ibis backend runs the same expressions to scale out.
"""

from __future__ import annotations

from typing import Literal

import ibis

from critmin.errors import ConfigError
from critmin.warehouse.store import Warehouse

Backend = Literal["duckdb", "pyspark"]
BACKENDS: tuple[str, ...] = ("duckdb", "pyspark")


def connect(warehouse: Warehouse, backend: Backend = "duckdb", *, session=None, tables: "list[str] | None" = None):
    """An Ibis backend in which every warehouse table is registered by name.

    Parameters
    ----------
    warehouse : Warehouse
    backend : {"duckdb", "pyspark"}
    session : pyspark.sql.SparkSession, optional
        Reused for ``backend="pyspark"``; a local session is created otherwise.
    tables : list of str, optional
        Register only these tables (each costs a Spark job on PySpark); default all.

    A partitioned table (``trade_flows/year=YYYY/``) is read as one table by either engine, with
    partition pruning on ``year`` filters.
    """
    if backend not in BACKENDS:
        raise ConfigError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    if backend == "duckdb":
        con = ibis.duckdb.connect()
    else:
        if session is None:
            from pyspark.sql import SparkSession

            session = (
                SparkSession.builder.master("local[2]")
                .appName("critmin")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.ui.enabled", "false")
                .getOrCreate()
            )
        con = ibis.pyspark.connect(session)
    for name in tables if tables is not None else warehouse.tables():
        if backend == "duckdb" and warehouse.is_partitioned(name):
            # a view with the one-file table's columns, order and types (ibis passes no struct option)
            con.raw_sql(f'CREATE OR REPLACE TEMP VIEW "{name}" AS SELECT * FROM {warehouse.scan_sql(name)}')
        else:  # a file, or a dataset folder Spark reads natively (partition key last, typed by Spark)
            con.read_parquet(str(warehouse.table_path(name)), table_name=name)
    return con
