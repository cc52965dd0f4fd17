"""Gravity panel builder: complete exporter x importer x year grid with covariates.

Pure functions over DataFrames (no I/O). The panel has one row per exporter,
importer and year with ``trade`` (zeros where no flow was reported), and the
gravity covariates the estimator and the GE solver use:

* ``dist`` (km), ``cntg``, ``lang``, ``clny`` from CEPII GeoDist (``distances``
  table: ``iso_o, iso_d, contig, comlang_off, colony, distw`` or ``dist``);
* ``rta`` = 1 when both countries are members of one agreement in force that
  year (WTO RTA ``agreements`` / ``agreement_members`` tables; from the entry
  into force ``eif_goods`` (else ``eif_services``) up to ``inactive_date``);
* ``pair_id``, symmetric (``A-B`` and ``B-A`` share one id).
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from critmin.errors import DataFormatError, EmptySelectionError

PANEL_COLUMNS = ("exporter", "importer", "year", "trade")


def _require(df: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataFormatError(name, f"missing column(s) {', '.join(missing)}; expected {', '.join(columns)}")


def calc_pair_id(exporter: pd.Series, importer: pd.Series) -> pd.Series:
    """Symmetric pair label ``min(i, j) + '-' + max(i, j)`` (``A-B`` == ``B-A``)."""
    a = exporter.astype(str).to_numpy()
    b = importer.astype(str).to_numpy()
    lo = np.where(a <= b, a, b)
    hi = np.where(a <= b, b, a)
    return pd.Series(np.char.add(np.char.add(lo.astype(str), "-"), hi.astype(str)), index=exporter.index)


def calc_rta_dummy(panel: pd.DataFrame, agreements: pd.DataFrame, agreement_members: pd.DataFrame) -> pd.Series:
    """``rta_ijt`` = 1 if i and j (i != j) belong to one agreement in force in year t.

    An agreement is in force from the year of ``eif_goods`` (else of
    ``eif_services``) up to, not including, the year of ``inactive_date``;
    agreements with neither date (signed or under negotiation) never count.
    """
    _require(agreements, ("rta_id",), "agreements")
    _require(agreement_members, ("rta_id", "iso3"), "agreement_members")
    ag = agreements.copy()
    if "eif_goods" not in ag:
        raise DataFormatError("agreements", "missing column eif_goods (entry into force, goods)", field="eif_goods")
    start = pd.to_datetime(ag["eif_goods"], errors="coerce")
    if "eif_services" in ag:
        start = start.fillna(pd.to_datetime(ag["eif_services"], errors="coerce"))
    ag["start"] = start.dt.year
    end = (
        pd.to_datetime(ag["inactive_date"], errors="coerce")
        if "inactive_date" in ag
        else pd.Series(pd.NaT, index=ag.index)
    )
    ag["end"] = end.dt.year.fillna(9999)
    ag = ag.dropna(subset=["start"])[["rta_id", "start", "end"]]
    mem = agreement_members[["rta_id", "iso3"]].drop_duplicates().merge(ag, on="rta_id")
    pairs = mem.merge(mem[["rta_id", "iso3"]], on="rta_id", suffixes=("_i", "_j"))
    pairs = pairs[pairs["iso3_i"] != pairs["iso3_j"]]
    keys = panel[["exporter", "importer", "year"]].reset_index()
    hit = keys.merge(pairs, left_on=["exporter", "importer"], right_on=["iso3_i", "iso3_j"])
    hit = hit[(hit["year"] >= hit["start"]) & (hit["year"] < hit["end"])]
    out = pd.Series(0, index=panel.index, dtype="int8")
    out.loc[hit["index"].unique()] = 1
    return out


def build_gravity_panel(
    trade: pd.DataFrame,
    *,
    years: Iterable[int] | None = None,
    countries: Iterable[str] | None = None,
    distances: pd.DataFrame | None = None,
    agreements: pd.DataFrame | None = None,
    agreement_members: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Complete the exporter x importer x year grid and attach gravity covariates.

    Parameters
    ----------
    trade : DataFrame
        ``exporter, importer, year, trade`` (any aggregation level; summed per
        pair and year). Domestic flows (``exporter == importer``) are kept where
        present; domestic pairs with no record stay out of the grid (a missing
        domestic flow is not a zero).
    years, countries : iterable, keyword-only
        Restrict the grid; default: every year and country seen in ``trade``.
    distances : DataFrame, optional
        GeoDist ``iso_o, iso_d, contig, comlang_off, colony`` and ``distw`` (or ``dist``).
    agreements, agreement_members : DataFrame, optional
        WTO RTA tables; give both to get the ``rta`` dummy.

    Returns
    -------
    DataFrame
        ``exporter, importer, year, trade, pair_id`` plus ``dist, cntg, lang, clny``
        and ``rta`` where the inputs allow. International pairs with no flow get
        ``trade = 0``.
    """
    _require(trade, PANEL_COLUMNS, "trade")
    if (trade["trade"] < 0).any():
        row = int(np.argmax((trade["trade"] < 0).to_numpy())) + 1
        raise DataFormatError("trade", "negative trade value; flows must be >= 0", row=row, field="trade")
    df = trade.groupby(["exporter", "importer", "year"], as_index=False)["trade"].sum()
    if years is not None:
        df = df[df["year"].isin(list(years))]
    if countries is not None:
        keep = set(countries)
        df = df[df["exporter"].isin(keep) & df["importer"].isin(keep)]
    if df.empty:
        raise EmptySelectionError("no trade flows for the selected years and countries")
    cty = sorted(set(df["exporter"]) | set(df["importer"]))
    yrs = sorted(df["year"].unique())
    grid = pd.MultiIndex.from_product([cty, cty, yrs], names=["exporter", "importer", "year"]).to_frame(index=False)
    domestic = set(map(tuple, df.loc[df["exporter"] == df["importer"], ["exporter", "year"]].to_numpy()))
    is_dom = grid["exporter"] == grid["importer"]
    keep_dom = [(e, y) in domestic for e, y in zip(grid.loc[is_dom, "exporter"], grid.loc[is_dom, "year"])]
    grid = pd.concat([grid[~is_dom], grid[is_dom][keep_dom]]).sort_values(["exporter", "importer", "year"])
    out = grid.merge(df, on=["exporter", "importer", "year"], how="left")
    out["trade"] = out["trade"].fillna(0.0)
    out["pair_id"] = calc_pair_id(out["exporter"], out["importer"])
    if distances is not None:
        _require(distances, ("iso_o", "iso_d", "contig", "comlang_off", "colony"), "distances")
        dcol = "distw" if "distw" in distances and distances["distw"].notna().any() else "dist"
        geo = distances.rename(
            columns={
                "iso_o": "exporter",
                "iso_d": "importer",
                dcol: "dist_km",
                "contig": "cntg",
                "comlang_off": "lang",
                "colony": "clny",
            }
        )
        geo = geo[["exporter", "importer", "dist_km", "cntg", "lang", "clny"]].drop_duplicates(["exporter", "importer"])
        out = out.merge(geo, on=["exporter", "importer"], how="left").rename(columns={"dist_km": "dist"})
        for c in ("cntg", "lang", "clny"):
            out[c] = out[c].fillna(0).astype("int8")
            out.loc[out["exporter"] == out["importer"], c] = 0
    if agreements is not None and agreement_members is not None:
        out["rta"] = calc_rta_dummy(out, agreements, agreement_members)
    return out.reset_index(drop=True)


def select_years(
    panel: pd.DataFrame, *, years: Iterable[int] | None = None, every: int | None = None, last: int | None = None
) -> pd.DataFrame:
    """Keep the given years, or every ``every``-th year counted back from the last one.

    ``every=4`` on 1986-2006 gives 1986, 1990, ..., 2006 (the guide's panel).
    """
    if years is not None:
        keep = sorted(set(int(y) for y in years))
    elif every:
        top = int(last if last is not None else panel["year"].max())
        keep = [y for y in sorted(panel["year"].unique()) if (top - y) % every == 0 and y <= top]
    else:
        return panel
    missing = sorted(set(keep) - set(panel["year"].unique()))
    if years is not None and missing:
        raise EmptySelectionError(
            f"year(s) {', '.join(map(str, missing))} not in the panel ({panel['year'].min()}-{panel['year'].max()})"
        )
    out = panel[panel["year"].isin(keep)]
    if out.empty:
        raise EmptySelectionError("no panel rows for the selected years")
    return out


GOODS_SECTIONS = ("A", "B", "C")  # ISIC Rev. 4: agriculture, forestry, fishing; mining; manufacturing


def calc_domestic_goods_sales(industry_accounts: pd.DataFrame, *, year: int) -> pd.DataFrame:
    """Each economy's domestic sales of goods in ``year``: the diagonal of a goods gravity panel.

    ``X_ii = sum_{k in goods} (output_ik - exports_ik)`` over the ISIC Rev. 4 goods industries
    (sections A, B and C of the OECD input-output tables), i.e. ``domestic_sales_usd`` of the
    ``industry_accounts`` table summed over those industries (computed from output and exports
    where that column is absent).

    Returns
    -------
    DataFrame
        ``exporter, importer (= exporter), year, trade`` in USD.
    """
    _require(industry_accounts, ("country", "year", "industry", "output_usd", "exports_usd"), "industry_accounts")
    ia = industry_accounts[
        (industry_accounts["year"].astype(int) == int(year))
        & industry_accounts["industry"].astype(str).str[0].isin(GOODS_SECTIONS)
    ]
    if ia.empty:
        raise EmptySelectionError(f"no goods industries in industry_accounts for {year}")
    dom = ia["domestic_sales_usd"] if "domestic_sales_usd" in ia else ia["output_usd"] - ia["exports_usd"]
    out = dom.groupby(ia["country"]).sum()
    if (out <= 0).any():
        bad = ", ".join(out.index[out <= 0])
        raise DataFormatError(
            "industry_accounts", f"domestic goods sales <= 0 for {bad} in {year}", field="domestic_sales_usd"
        )
    return pd.DataFrame({"exporter": out.index, "importer": out.index, "year": int(year), "trade": out.to_numpy(float)})


def build_partner_panel(
    dots_exports: pd.DataFrame,
    industry_accounts: pd.DataFrame,
    *,
    year: int,
    distances: pd.DataFrame,
    agreements: pd.DataFrame,
    agreement_members: pd.DataFrame,
    countries: Iterable[str] | None = None,
) -> tuple[pd.DataFrame, dict]:
    """A one-year goods gravity panel with domestic flows, for the economies that have every input.

    International flows are IMF DOTS goods exports FOB (``dots_exports``: ``year, exporter,
    importer, value_usd``; pairs a reporter does not list are zero), domestic flows are
    :func:`calc_domestic_goods_sales` of the OECD input-output tables, covariates are GeoDist and
    the WTO RTA dummy (:func:`build_gravity_panel`). An economy is kept when it reports DOTS
    exports, has OECD goods accounts for ``year`` and GeoDist distances to every other kept
    economy.

    Returns
    -------
    (DataFrame, dict)
        The panel (complete square incl. domestic flows) and its coverage: ``year``, ``countries``,
        ``excluded`` (with the reason), ``pairs_with_trade``, ``what``.
    """
    _require(dots_exports, ("year", "exporter", "importer", "value_usd"), "dots_exports")
    dots = dots_exports[dots_exports["year"].astype(int) == int(year)]
    if dots.empty:
        raise EmptySelectionError(f"no DOTS exports for {year}")
    if (dots["value_usd"] < 0).any() or not np.isfinite(dots["value_usd"].to_numpy(float)).all():
        raise DataFormatError("dots_exports", "negative or non-finite export value", field="value_usd")
    dom = calc_domestic_goods_sales(industry_accounts, year=year)
    have_dist = set(distances["iso_o"]) & set(distances["iso_d"])
    reporters = set(dots.loc[dots["value_usd"] > 0, "exporter"])
    cand = set(dom["exporter"]) if countries is None else set(countries)
    excluded = {}
    for c in sorted(cand):
        if c not in set(dom["exporter"]):
            excluded[c] = "no OECD goods accounts"
        elif c not in reporters:
            excluded[c] = "no DOTS exports reported"
        elif c not in have_dist:
            excluded[c] = "not in GeoDist"
    keep = sorted(cand - set(excluded))
    if len(keep) < 2:
        raise EmptySelectionError(f"fewer than two economies have DOTS, OECD and GeoDist data for {year}")
    d = distances[distances["iso_o"].isin(keep) & distances["iso_d"].isin(keep)]
    dcol = "distw" if "distw" in d and d["distw"].notna().any() else "dist"
    d = d.assign(**{dcol: d[dcol].fillna(d["dist"]) if "dist" in d else d[dcol]})
    intl = dots[dots["exporter"].isin(keep) & dots["importer"].isin(keep) & (dots["exporter"] != dots["importer"])]
    trade = pd.concat(
        [
            intl.rename(columns={"value_usd": "trade"})[["exporter", "importer", "year", "trade"]],
            dom[dom["exporter"].isin(keep)],
        ],
        ignore_index=True,
    )
    trade["year"] = trade["year"].astype(int)
    panel = build_gravity_panel(
        trade, countries=keep, distances=d, agreements=agreements, agreement_members=agreement_members
    )
    if panel["dist"].isna().any():
        r = panel[panel["dist"].isna()].iloc[0]
        raise DataFormatError("distances", f"no GeoDist distance for {r.exporter}-{r.importer}", field="dist")
    n = len(keep)
    if len(panel) != n * n:
        raise DataFormatError("gravity panel", f"expected {n} x {n} pairs incl. domestic, got {len(panel)}")
    coverage = {
        "year": int(year),
        "countries": keep,
        "n_countries": n,
        "excluded": excluded,
        "pairs_with_trade": int(((panel["exporter"] != panel["importer"]) & (panel["trade"] > 0)).sum()),
        "what": f"goods only (ISIC A-C), one year ({year}), international flows IMF DOTS exports FOB, "
        f"domestic flows OECD output minus exports of the goods industries, USD",
    }
    return panel, coverage
