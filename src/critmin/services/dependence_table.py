"""Import dependence of one reporter for every (mineral, stage) at once, and a country's USGS standing.

:func:`dependence_table` gives, in one table, what
:func:`critmin.services.explorer.dependence` gives for one (mineral, stage)
selection: supplier concentration, China's share, the governance-weighted HHI,
net import reliance, the top supplier and a partner's weight. It runs a handful
of grouped Ibis queries over ``trade_flows`` (grouped by mineral and stage)
instead of one set of queries per pair. :func:`partner_production_table` reads
the USGS production and reserves tables once and gives a country's rank and
shares for every mineral, as :func:`critmin.services.explorer.production` does
for one.
"""

from __future__ import annotations

from typing import Iterable

import ibis
import numpy as np
import pandas as pd

from critmin.classify import resolve_country
from critmin.classify._tables import metal_content_table, products_table
from critmin.config import Settings
from critmin.domain.indicators import calc_net_import_reliance
from critmin.domain.indicators import expressions as ex
from critmin.engine import connect
from critmin.errors import CritminError, EmptySelectionError
from critmin.services.explorer import (
    USGS_STAGE_FOR,
    Backend,
    Explorer,
    _domestic_production_in,
    _focus_key,
    _governance_year,
    _production_in,
    ensure_tables,
)

_STAGE_ORDER = {"ore": 0, "intermediate": 1, "refined": 2, "product": 3}


def mineral_stage_selections() -> pd.DataFrame:
    """HS6 codes of every (mineral, stage) pair, chosen as :func:`~critmin.services.explorer.select_products` does.

    Basket codes (an HS6 that also covers other goods) are left out of a pair
    that has other codes; a pair made only of basket codes keeps them.

    Returns
    -------
    DataFrame
        ``mineral, stage, hs6, basket_only`` (one row per pair and code), pairs ordered by
        mineral and value-chain stage (ore, intermediate, refined, product), codes sorted.
    """
    t = products_table()[["mineral", "stage", "hs6", "basket"]].drop_duplicates()
    has_core = t.groupby(["mineral", "stage"])["basket"].transform(lambda b: (~b).any())
    sel = t[~t["basket"] | ~has_core].assign(basket_only=~has_core)
    sel = sel.assign(o=sel["stage"].map(_STAGE_ORDER).fillna(9))
    sel = sel.sort_values(["mineral", "o", "hs6"], kind="stable").drop(columns=["o", "basket"])
    return sel.drop_duplicates(["mineral", "stage", "hs6"]).reset_index(drop=True)


def dependence_table(
    settings: Settings,
    reporter: str,
    *,
    year: int | None = None,
    partner: str | None = None,
    top_n: int = 3,
    focus: str = "CHN",
    backend: Backend = "duckdb",
    con=None,
    progress: bool = False,
) -> pd.DataFrame:
    """:func:`~critmin.services.explorer.dependence` for every (mineral, stage) pair, in grouped queries.

    For each pair ``g`` with imports, with :math:`s_{gi}` the share of supplier
    ``i`` in the reporter's import value of the pair's HS6 codes
    (:func:`mineral_stage_selections`):

    * ``hhi`` :math:`= \\sum_i s_{gi}^2`; ``top3_share`` :math:`= \\sum_{rank \\le 3} s_{gi}`;
      ``china_share`` :math:`= s_{g,CHN}`;
    * ``wgi_weighted_hhi`` :math:`= \\sum_i s_{gi}^2 \\, g_i` with ``g = (WGI - 2.5)/(-0.5)``
      (mean of the six WGI estimates, latest WGI year <= ``year``);
    * ``net_import_reliance`` :math:`= (M - X)/(P + M - X)` in tonnes of contained metal
      (BACI quantities times the metal-content factor; ``P`` the USGS production of the
      reporter at the matching stage, ore -> mine, refined -> refinery, nearest year);
      missing with a ``net_import_reliance_note`` when it cannot be computed.

    Parameters
    ----------
    settings : Settings
    reporter : str
        ISO3, ISO2, BACI code or name of the importer.
    year : int, keyword-only
        Trade year; default the latest year in ``trade_flows``.
    partner : str, optional, keyword-only
        Country whose share, rank and value as a supplier are added.
    top_n : int, keyword-only
        ``top<n>_share`` column.
    focus : str, keyword-only
        ISO3 whose share is given (``CHN`` -> ``china_share``).
    backend : {"duckdb", "pyspark"}, keyword-only
    con : Ibis connection, optional, keyword-only
        Reused if given (must hold ``trade_flows`` and, if built, ``governance``).

    Returns
    -------
    DataFrame
        One row per (mineral, stage) the reporter imports (ordered by mineral, then ore,
        intermediate, refined, product): ``mineral, stage, hs6`` (codes ``", "``-joined),
        ``basket_only, imports_usd, exports_usd, imports_t, exports_t, n_suppliers, hhi,
        top<n>_share, <focus>_share, wgi_weighted_hhi, wgi_coverage, wgi_year,
        net_import_reliance, imports_metal_t, exports_metal_t, production_t,
        net_import_reliance_note, top_supplier, top_supplier_share`` and with a partner
        ``partner, partner_share, partner_rank, partner_value_usd`` (share 0 and rank
        missing when it does not supply the pair).

    Raises
    ------
    UnknownCodeError
        Unknown reporter or partner.
    EmptySelectionError
        The reporter imports none of the critical-mineral products in ``year``.
    """
    if con is None:
        wh = ensure_tables(settings, ("trade_flows", "countries", "products"), progress=progress)
        con = connect(wh, backend, tables=[t for t in ("trade_flows", "governance") if wh.has(t)])
    x = Explorer.open(settings, backend=backend, con=con, progress=progress)
    rep = x.reporter(reporter)
    part = x.country(partner) if partner else None
    yrs = x.years([year] if year is not None else None)
    sel = mineral_stage_selections()
    by = ["mineral", "stage"]
    flows = ex.select_flows(x.flows(rep), years=yrs, hs6=sorted(set(sel["hs6"])))
    codes = ibis.memtable(sel[["mineral", "stage", "hs6"]])

    # suppliers of each pair: value, share and rank (one query)
    imports = flows.filter(flows.importer == rep).join(codes, "hs6")
    shares = ex.supplier_shares(imports, by=by)
    sup = shares.to_pandas()
    sup = sup[sup.groupby(by)["value_usd"].transform("sum") > 0]
    if sup.empty:
        raise EmptySelectionError(_no_imports_message(x, rep, yrs))
    sup = sup.sort_values([*by, "rank"], kind="stable")
    out = sup.groupby(by, sort=False).agg(imports_usd=("value_usd", "sum"), imports_t=("qty_t", "sum"))

    # concentration (one query) and governance-weighted HHI (one query)
    focus_col = f"{focus.lower()}_share"
    conc = ex.concentration(shares, by=by, top_n=top_n, focus=focus).to_pandas().set_index(by)
    out = out.join(conc[["n_suppliers", "hhi", f"top{top_n}_share", focus_col]])
    out = out.rename(columns={focus_col: f"{_focus_key(focus)}_share"})
    gy = _governance_year(x, yrs[0])
    if gy is None:
        out = out.assign(wgi_weighted_hhi=np.nan, wgi_coverage=np.nan, wgi_year=pd.NA)
    else:
        risk = ex.governance_risk(x.table("governance"), gy)
        w = ex.governance_weighted_hhi(shares, risk, by=by).to_pandas().set_index(by)
        out = out.join(w[["wgi_weighted_hhi", "wgi_coverage"]]).assign(wgi_year=gy)

    # imports and exports by pair and HS6, in tonnes too (one query)
    both = flows.filter((flows.importer == rep) | (flows.exporter == rep)).join(codes, "hs6")
    both = both.mutate(
        m=ibis.ifelse(both.importer == rep, both.value_usd, 0.0),
        x=ibis.ifelse(both.exporter == rep, both.value_usd, 0.0),
        mq=ibis.ifelse(both.importer == rep, both.qty_t, 0.0),
        xq=ibis.ifelse(both.exporter == rep, both.qty_t, 0.0),
    )
    totals = (
        both.group_by([*by, "hs6"])
        .aggregate(imports_usd=both.m.sum(), exports_usd=both.x.sum(), imports_t=both.mq.sum(), exports_t=both.xq.sum())
        .to_pandas()
    )
    trade = totals.groupby(by).agg(exports_usd=("exports_usd", "sum"), exports_t=("exports_t", "sum"))
    out = out.join(trade)
    out = out.join(_net_import_reliance_table(x, rep, sel, totals, yrs[0]))

    # top supplier, and the partner's place
    top = sup[sup["rank"] == 1].set_index(by)
    out = out.assign(top_supplier=top["exporter"], top_supplier_share=top["share"])
    if part is not None:
        hit = sup[sup["exporter"] == part].set_index(by)
        out = out.assign(
            partner=part,
            partner_share=hit["share"].reindex(out.index).fillna(0.0),
            partner_rank=hit["rank"].reindex(out.index).astype("Int64"),
            partner_value_usd=hit["value_usd"].reindex(out.index).fillna(0.0),
        )

    hs = sel.groupby(by, sort=False).agg(hs6=("hs6", ", ".join), basket_only=("basket_only", "first"))
    out = hs.join(out, how="inner").reset_index()
    out["n_suppliers"] = out["n_suppliers"].astype(int)
    first = ["mineral", "stage", "hs6", "basket_only", "imports_usd", "exports_usd", "imports_t", "exports_t"]
    return out[first + [c for c in out.columns if c not in first]]


def _no_imports_message(x: Explorer, rep: str, yrs: list[int]) -> str:
    available = x.available_years()
    absent = [y for y in yrs if y not in available]
    if absent:
        return (
            f"no trade data for year(s) {', '.join(map(str, absent))}; "
            f"trade_flows covers {', '.join(map(str, available))}"
        )
    return (
        f"{rep} ({x.name_of(rep)}) imports none of the critical-mineral products in "
        f"{', '.join(map(str, yrs))} (no row with importer={rep} in trade_flows)"
    )


def _net_import_reliance_table(
    x: Explorer, rep: str, sel: pd.DataFrame, totals: pd.DataFrame, year: int
) -> pd.DataFrame:
    """Net import reliance of every pair, with the same rules and notes as ``dependence()``.

    Vectorised over the pairs: the stage of each pair's codes, metal-content
    factors, the reporter's USGS production (nearest year) and the traded tonnes.
    """
    by = ["mineral", "stage"]
    labels = products_table()[["hs6", "stage"]].rename(columns={"stage": "label_stage"})
    lab = sel[[*by, "hs6"]].merge(labels, on="hs6", how="left")
    stages = lab.groupby(by).agg(n_stages=("label_stage", "nunique"), one_stage=("label_stage", "first"))
    mc = metal_content_table()
    factor = mc[mc["hs6"] != ""].drop_duplicates("hs6").set_index("hs6")["metal_fraction"]
    s = sel.assign(f=sel["hs6"].map(factor))
    missing = s[s["f"].isna()].groupby(by)["hs6"].agg(", ".join)
    res = stages.assign(usgs_stage=stages["one_stage"].map(USGS_STAGE_FOR), missing=missing.reindex(stages.index))

    # the reporter's domestic production, one USGS table read
    prod = {}
    need = res[(res["n_stages"] == 1) & res["usgs_stage"].notna() & res["missing"].isna()]
    if len(need) and x.warehouse.has("mineral_production"):
        p = x.warehouse.read("mineral_production")
        keys = set(zip(need.index.get_level_values("mineral"), need["usgs_stage"]))
        p = p[[k in keys for k in zip(p["mineral"], p["stage"])]]
        for (mineral, stage), grp in p.groupby(["mineral", "stage"], sort=False):
            prod[(mineral, stage)] = _domestic_production_in(grp, rep, mineral, stage, year)
    res["production"] = [prod.get((m, st)) for m, st in zip(res.index.get_level_values("mineral"), res["usgs_stage"])]
    res["production_t"] = [None if d is None else d["tonnes"] for d in res["production"]]

    # contained metal traded: sum over the pair's codes of tonnes x factor
    t = totals.assign(f=totals["hs6"].map(factor))
    t = t.assign(mt=t["imports_t"].fillna(0) * t["f"], xt=t["exports_t"].fillna(0) * t["f"])
    metal = t.groupby(by).agg(imports_metal_t=("mt", "sum"), exports_metal_t=("xt", "sum"))
    res = res.join(metal)
    res[["imports_metal_t", "exports_metal_t"]] = res[["imports_metal_t", "exports_metal_t"]].fillna(0.0)

    notes, nir = [], []
    for (mineral, _), r in res.iterrows():
        note = None
        if r["n_stages"] != 1:
            note = "needs one mineral at one stage (ore or refined)"
        elif pd.isna(r["usgs_stage"]):
            note = f"no USGS production statistic for stage {r['one_stage']!r}"
        elif isinstance(r["missing"], str):
            note = f"no metal-content factor for HS6 {r['missing']}"
        elif r["production_t"] is None or pd.isna(r["production_t"]):
            note = f"no USGS {r['usgs_stage']} production of {mineral} for {rep}"
        notes.append(note)
        if note is not None:
            nir.append(np.nan)
            continue
        v = calc_net_import_reliance(
            imports=r["imports_metal_t"], exports=r["exports_metal_t"], production=r["production_t"]
        )
        nir.append(v)
    res = res.assign(net_import_reliance=nir, net_import_reliance_note=notes)
    ok = res["net_import_reliance_note"].isna()
    res.loc[~ok, ["imports_metal_t", "exports_metal_t"]] = np.nan
    res["production_t"] = pd.to_numeric(res["production_t"].where(ok), errors="coerce")
    return res[
        ["net_import_reliance", "imports_metal_t", "exports_metal_t", "production_t", "net_import_reliance_note"]
    ]


def partner_production_table(
    settings: Settings,
    country: str,
    *,
    minerals: Iterable[str] | None = None,
    stage: str = "mine",
    progress: bool = False,
) -> pd.DataFrame:
    """A country's USGS production rank and shares for many minerals, from one read of each table.

    For each mineral, the same as ``production(settings, mineral, stage=stage,
    country=country)["country"]`` (share :math:`P_c / P_{world}`; rank 1 = largest
    producer; reserves share :math:`R_c / R_{world}`, latest reserves year).
    Minerals that USGS does not cover, or not at ``stage`` (when it reports
    several stages), are left out, as are those where ``production()`` fails.

    Returns
    -------
    DataFrame
        ``mineral, partner_production_rank, partner_production_share,
        partner_reserves_share, production_year, production_stage, n_producers``
        (rank and shares missing when the country is not listed).
    """
    return pd.DataFrame(
        [
            {"mineral": m, **r}
            for m, r in partner_production_by_mineral(
                settings, country, minerals=minerals, stage=stage, progress=progress
            ).items()
        ],
        columns=[
            "mineral",
            "partner_production_rank",
            "partner_production_share",
            "partner_reserves_share",
            "production_year",
            "production_stage",
            "n_producers",
        ],
    )


def partner_production_by_mineral(
    settings: Settings,
    country: str,
    *,
    minerals: Iterable[str] | None = None,
    stage: str = "mine",
    progress: bool = False,
) -> dict[str, dict]:
    """``{mineral: {partner_production_rank, ...}}`` with the values ``production()`` gives."""
    wh = ensure_tables(settings, ["mineral_production", "mineral_reserves", "countries"], progress=progress)
    prod = wh.read("mineral_production")
    countries = wh.read("countries")
    reserves = wh.read("mineral_reserves") if wh.has("mineral_reserves") else None
    iso = resolve_country(country, countries)
    by_mineral = dict(tuple(prod.groupby("mineral", sort=False)))
    res_by_mineral = {} if reserves is None else dict(tuple(reserves.groupby("mineral", sort=False)))
    out: dict[str, dict] = {}
    wanted = list(dict.fromkeys(minerals)) if minerals is not None else sorted(by_mineral)
    for m in wanted:
        if m not in by_mineral:
            continue  # production() would raise UnknownCodeError
        res = None if reserves is None else res_by_mineral.get(m, reserves.iloc[:0])
        try:
            p = _production_in(by_mineral[m], res, countries, m, stage=stage, year=None, country=iso)
        except CritminError:
            continue
        c = p.get("country") or {}
        out[m] = {
            "partner_production_rank": c.get("rank"),
            "partner_production_share": c.get("share"),
            "partner_reserves_share": c.get("reserves_share"),
            "production_year": p["year"],
            "production_stage": p["stage"],
            "n_producers": len(p["producers"]),
        }
    return out
