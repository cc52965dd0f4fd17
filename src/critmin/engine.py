"""One Ibis expression layer over the warehouse, many engines.

DuckDB is the default (embedded, reads the Parquet files in place); PySpark
or any other Ibis backend runs the same expressions to scale out.
"""

from __future__ import annotations

import os
import re
import tempfile

import ibis

from critmin.errors import ConfigError
from critmin.vocabulary import Backend, check, options
from critmin.warehouse.store import Warehouse

BACKENDS: tuple[str, ...] = options("backend")


def duckdb_config() -> dict[str, str]:
    """DuckDB settings for critmin's connections: the spill folder and ``CRITMIN_MEMORY_LIMIT``."""
    config = {"temp_directory": os.path.join(tempfile.gettempdir(), "critmin-duckdb")}
    limit = os.environ.get("CRITMIN_MEMORY_LIMIT", "").strip()
    if limit:
        if not re.fullmatch(r"\d+(\.\d+)?\s*(%|[KMGT]i?B)", limit, flags=re.IGNORECASE):
            raise ConfigError(f"CRITMIN_MEMORY_LIMIT={limit!r} is not a size like 3GB, 800MB or 50%")
        config["memory_limit"] = limit
    return config


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

    DuckDB spills what does not fit in memory to ``<system temp>/critmin-duckdb`` (not to the
    working directory); ``CRITMIN_MEMORY_LIMIT`` (``3GB``, ``50%``...) caps its memory, else DuckDB
    takes up to 80 % of RAM.
    """
    check("backend", backend)
    if backend == "duckdb":
        con = ibis.duckdb.connect(**duckdb_config())
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
