"""The same Ibis expressions on DuckDB and on PySpark give the same results."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.services.explorer import dependence

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@pytest.fixture(scope="module")
def spark():
    pyspark = pytest.importorskip("pyspark")  # noqa: F841
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("critmin-test")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        # other tables hold nanosecond timestamps, which Spark reads only as longs
        .config("spark.sql.legacy.parquet.nanosAsLong", "true")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_dependence_matches_on_duckdb_and_pyspark(built_settings, warehouse, spark):
    import ibis

    # register only the tables the explorer queries through Ibis (each registration is a Spark job)
    con = ibis.pyspark.connect(spark)
    for name in ("trade_flows", "governance"):
        con.read_parquet(str(warehouse.table_path(name)), table_name=name)
    dd = dependence(built_settings, "IND", hs=["740311"], year=2024)
    sp = dependence(built_settings, "IND", hs=["740311"], year=2024, backend="pyspark", con=con)
    for key in (
        "imports_usd",
        "hhi",
        "top3_share",
        "china_share",
        "wgi_weighted_hhi",
        "wgi_coverage",
        "net_import_reliance",
    ):
        assert sp[key] == pytest.approx(dd[key], rel=1e-12), key
    a = pd.DataFrame(dd["suppliers"])
    b = pd.DataFrame(sp["suppliers"])
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)
    assert sp["exports_usd"] == pytest.approx(dd["exports_usd"], rel=1e-12)
