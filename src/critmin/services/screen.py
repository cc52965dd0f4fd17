"""``critmin screen``: the import-dependence screen over every reporter x HS6 x year in ``trade_flows``.

Orchestration only: the expression is :func:`critmin.domain.indicators.screen.screen`; this
module picks the years, runs it on the chosen engine and writes the result (Parquet
partitioned by year, or returns the rows).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Sequence

import pandas as pd

from critmin.config import Settings
from critmin.vocabulary import Backend
from critmin.domain.indicators.screen import rollup, screen_reporters
from critmin.errors import EmptySelectionError


def run_screen(
    settings: Settings,
    *,
    years: Sequence[int] | None = None,
    reporters: Sequence[str] | None = None,
    parquet: Path | None = None,
    backend: Backend = "duckdb",
    con=None,
    limit: int = 20,
) -> dict:
    """Screen every reporter x HS6 x year (CEPII GeoDep criteria with persistence).

    Parameters
    ----------
    years : list of int, optional
        Default: every year in ``trade_flows``. Years without data are listed in ``years_without_data``.
    reporters : list of str, optional
        Importers (ISO3, ISO2 or names) and blocs (``EU27``: its members as one economy, extra-bloc
        trade only; see :func:`~critmin.domain.indicators.screen.screen_reporters`); default every
        importer.
    parquet : Path, optional
        Write the full screen there as a Parquet dataset partitioned by year (hive style ``year=2024/``),
        written by the engine itself. Without it the screen goes to a scratch dataset under
        ``<home>/tmp`` that is removed afterwards: either way the expression runs once, and the counts,
        the dependent rows and the roll-up are read from its output.
    limit : int
        How many rows of the dependent products to return (largest imports first).

    Returns
    -------
    dict
        ``years, years_without_data, reporters, rows, n_dependent, n_persistent, dependent [rows...],
        rollup [mineral x stage rows], written`` (the dataset folder or ``None``), ``blocs`` (what each
        bloc reporter covers), ``source``.
    """
    import ibis

    from critmin.classify._tables import products_table
    from critmin.classify.blocs import bloc_members
    from critmin.services.explorer import SOURCE_NOTE, Explorer

    x = Explorer.open(settings, backend=backend, con=con)
    reps = sorted({x.reporter(r) for r in reporters}) if reporters else None
    blocs = {r: sorted(bloc_members(r)) for r in reps or () if x.bloc_scope(r)}
    countries = [r for r in reps or () if r not in blocs]
    available = x.available_years()
    yrs = sorted({int(y) for y in years}) if years else available
    present = [y for y in yrs if y in available]
    if not present:
        raise EmptySelectionError(
            f"no trade data for year(s) {', '.join(map(str, yrs))}; trade_flows covers {', '.join(map(str, available))}"
        )
    expr = screen_reporters(x.table("trade_flows"), years=present, countries=countries, blocs=blocs)
    # run the screen once: into the user's dataset, or a scratch one; every figure below reads it
    folder = Path(parquet) if parquet is not None else Path(tempfile.mkdtemp(prefix="screen-", dir=_scratch(settings)))
    try:
        written = _write_partitioned(x.con, expr, folder)
        done = _read_partitioned(x.con, written)
        if done is None:  # no reporter imports anything in these years
            done = expr
        counts = (
            done.aggregate(
                rows=done.count(),
                n_dependent=done.dependent.cast("int64").sum(),
                n_persistent=done.persistent.cast("int64").sum(),
            )
            .to_pandas()
            .iloc[0]
        )
        dep = done.filter(done.dependent).order_by([ibis.desc(done.imports_usd), done.hs6, done.reporter])
        dep = dep.limit(limit).to_pandas()
        prods = products_table()[["hs6", "mineral", "stage"]].drop_duplicates()
        roll = rollup(done, ibis.memtable(prods)).order_by(["reporter", "mineral", "stage", "year"]).to_pandas()
    finally:
        if parquet is None:
            shutil.rmtree(folder, ignore_errors=True)
    return {
        "years": present,
        "years_without_data": [y for y in yrs if y not in available],
        "reporters": reps,
        "rows": int(counts["rows"]),
        "n_dependent": _count(counts["n_dependent"]),
        "n_persistent": _count(counts["n_persistent"]),
        "dependent": _records(dep),
        "rollup": _records(roll),
        "written": str(written) if parquet is not None else None,
        "blocs": {code: x.bloc_scope(code) for code in blocs},
        "criteria": "GeoDep (Lefebvre and Wibaux 2024): import HHI > 0.4, world export HHI > 0.4, "
        "imports/exports > 1; persistent = dependent in >= 2 of the 3 years t-2..t",
        "source": SOURCE_NOTE + "; HS6 codes present in trade_flows",
        "basis": "CY",
        "backend": backend,
    }


def _count(value) -> int:
    """A SUM of flags as an int: 0 when every flag is NULL (DuckDB gives None, Spark NaN)."""
    return 0 if value is None or pd.isna(value) else int(value)


def _records(df: pd.DataFrame) -> list[dict]:
    return [
        {k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
        for r in df.to_dict(orient="records")
    ]


def _write_partitioned(con, expr, folder: Path) -> Path:
    """Write ``expr`` as a hive-partitioned Parquet dataset (``folder/year=YYYY/*.parquet``), atomically.

    The engine writes the partitions itself: DuckDB streams the query into them
    (``COPY ... PARTITION_BY``); Spark's executors write them in parallel
    (``DataFrameWriter.partitionBy``), nothing is collected on the driver, so
    ``folder`` must be on storage the executors share with the driver (a local
    session shares the machine). Anything else goes through Arrow.
    """
    import shutil

    import pyarrow.dataset as ds

    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    if con.name == "duckdb":  # DuckDB streams the query into the partitions itself
        import ibis

        sql = ibis.to_sql(expr, dialect="duckdb")
        con.raw_sql(f"COPY ({sql}) TO '{tmp.as_posix()}' (FORMAT parquet, PARTITION_BY (year))").fetchall()
    elif con.name == "pyspark":
        con._session.sql(con.compile(expr)).write.partitionBy("year").parquet(tmp.as_posix())
    else:
        ds.write_dataset(
            expr.to_pyarrow(),
            tmp,
            format="parquet",
            partitioning=["year"],
            partitioning_flavor="hive",
            existing_data_behavior="overwrite_or_ignore",
        )
    if folder.exists():
        shutil.rmtree(folder)
    tmp.replace(folder)
    return folder


def _scratch(settings: Settings) -> Path:
    path = settings.home / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _read_partitioned(con, folder: Path):
    """The dataset :func:`_write_partitioned` wrote, as a table of ``con`` (``year`` from the folder names).

    ``None`` when it holds no rows (the engines write no file then).
    """
    if not any(folder.glob("*/*.parquet")):
        return None
    if con.name == "duckdb":
        return con.read_parquet(f"{folder.as_posix()}/*/*.parquet", hive_partitioning=True)
    return con.read_parquet(str(folder))
