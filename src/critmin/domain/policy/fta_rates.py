"""Applied MFN rates of an agreement's importers, and one side's lines before and after the agreement.

Pure assembly over the warehouse's tariff frames (``mfn_tariffs`` from WITS/TRAINS,
``nz_tariffs`` from NZ Customs) and critmin's cited starter :class:`TariffTable`; the FTA
service reads the tables and passes them in. The trade-cost arithmetic is
:mod:`critmin.domain.policy.tariff_factor`.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from critmin.domain.policy.schedule import SideSchedule
from critmin.domain.policy.tariff_factor import CHILE_MFN_RATE, CHILE_MFN_SOURCE, SideTariffs, rates_after
from critmin.domain.policy.tariffs import TariffTable


def india_mfn_rates(mfn: pd.DataFrame, starter: TariffTable, codes, year: int) -> pd.DataFrame:
    """India's applied MFN rate of every HS6 or HS4 code in ``year``: WITS files, cited starter rates first.

    The WITS/TRAINS file is the latest ``mfn_tariffs`` year ``<= year`` (2023 repeats 2022; the
    July 2024 cuts are in no file). A known starter-table rate (``starter_tariffs.csv``, longest
    matching HS code, latest row dated ``<= year``) takes precedence: e.g. gold 15% in 2023 (BCD +
    AIDC) and 6% from July 2024, copper ores 0% from July 2024. An HS4 code without a starter rate
    gets the simple average of the WITS HS6 rates under it.

    Returns
    -------
    DataFrame
        ``hs, rate`` (fraction; NaN unknown), ``rate_source``, ``wits_year``, ``hs_edition``.
    """
    codes = pd.Series(pd.unique(pd.Series(list(codes), dtype=str)), dtype=str)
    ind = mfn[(mfn["reporter"] == "IND") & (mfn["year"] <= int(year))]
    wits_year = int(ind["year"].max()) if len(ind) else None
    rate = pd.Series(np.nan, index=codes.index)
    src = pd.Series("", index=codes.index, dtype=object)
    edition = ""
    if wits_year is not None:
        w = ind[ind["year"] == wits_year]
        edition = str(w["hs_edition"].iloc[0])
        fname = str(w["source_file"].iloc[0])
        by6 = w.set_index("hs6")["rate_avg"] / 100.0
        six = codes.str.len() == 6
        rate[six] = codes[six].map(by6)
        src[six & rate.notna()] = f"WITS/TRAINS MFN {wits_year} ({edition}, {fname}), HS6 simple average of lines"
        four = codes[codes.str.len() == 4]
        if len(four):
            by4 = by6.groupby(by6.index.str[:4]).agg(["mean", "count"])
            rate[four.index] = four.map(by4["mean"])
            n = four.map(by4["count"]).fillna(0).astype(int)
            src[four.index] = [
                f"WITS/TRAINS MFN {wits_year} ({edition}): simple average of {k} HS6 lines" if k else "" for k in n
            ]
    cited = starter.rates("IND", codes, year)
    hit = cited["known"].to_numpy()
    rate[hit] = cited.loc[hit, "rate"].to_numpy()
    src[hit] = [
        f"starter table (cited, dated {int(y)}): {s}"
        for y, s in zip(cited.loc[hit, "tariff_year"], cited.loc[hit, "source"])
    ]
    return pd.DataFrame(
        {"hs": codes, "rate": rate.astype(float), "rate_source": src, "wits_year": wits_year, "hs_edition": edition}
    )


def nz_mfn_rates(nz: pd.DataFrame, codes) -> pd.DataFrame:
    """NZ's Normal (MFN) rate per HS6: the simple average of its ad-valorem (and free) 8-digit items."""
    codes = pd.Series(pd.unique(pd.Series(list(codes), dtype=str)), dtype=str)
    g = nz.groupby("hs6").agg(
        rate=("mfn_rate_pct", "mean"), items=("hs8", "size"), unknown=("mfn_rate_pct", lambda s: int(s.isna().sum()))
    )
    r = g.reindex(codes)
    src = [
        (
            ""
            if not np.isfinite(x)
            else f"NZ Customs tariff rates May 2021 (HS2017), Normal: mean of "
            f"{int(n - u)} of {int(n)} items" + (f" ({int(u)} specific/Parts left out)" if u else "")
        )
        for x, n, u in zip(r["rate"].fillna(np.nan), r["items"].fillna(0), r["unknown"].fillna(0))
    ]
    return pd.DataFrame({"hs": codes.to_numpy(), "rate": (r["rate"] / 100.0).to_numpy(float), "rate_source": src})


def side_rates(
    importer: str, codes, *, mfn: pd.DataFrame | None, nz: pd.DataFrame | None, starter: TariffTable, tariff_year: int
) -> tuple[pd.DataFrame | None, pd.DataFrame | None, list, list]:
    """The importer's MFN rates for the pair tariff factor, from the source that covers it.

    India: :func:`india_mfn_rates` (WITS ``mfn_tariffs`` with the cited starter rates first);
    New Zealand: :func:`nz_mfn_rates` (``nz_tariffs``); Chile: the flat 6% (Ley 19.589); Peru
    and others: unknown (never assumed 0).

    Returns
    -------
    (DataFrame or None, DataFrame or None, list, list)
        Rates of ``codes`` (``hs, rate, rate_source``), rates of every MFN line of the importer
        (``hs, rate``), the sources and the notes; ``None`` frames when the rates are unknown.
    """
    if importer == "IND":
        if mfn is None:
            return None, None, [], ["India: no warehouse table mfn_tariffs (run `critmin data build wits_mfn`)"]
        years = mfn.loc[(mfn["reporter"] == "IND") & (mfn["year"] <= tariff_year), "year"]
        if years.empty:
            return None, None, [], [f"India: no WITS MFN file for {tariff_year} or earlier"]
        wy = int(years.max())
        r = india_mfn_rates(mfn, starter, codes, tariff_year)
        all_hs6 = mfn.loc[(mfn["reporter"] == "IND") & (mfn["year"] == wy), "hs6"]
        full = india_mfn_rates(mfn, starter, all_hs6, tariff_year)
        edition = full["hs_edition"].iloc[0]
        notes = [
            f"India's MFN rates: WITS/TRAINS file of {wy} ({edition}) for tariff year "
            f"{tariff_year}, with the cited starter rates taking precedence from the year they are dated "
            f"(July 2024 cuts: copper ores 0%, gold 6%); basic customs duty as WITS records it."
        ]
        if wy == 2023:
            notes.append("WITS 2023 repeats 2022 (carried forward).")
        notes.append(
            "India's baseline is MFN for the partner: existing preferences (e.g. the India-Chile PTA "
            "margins) are not in the data."
        )
        return (
            r,
            full,
            [f"WITS/TRAINS bulk MFN, India, {wy} ({edition})", "critmin starter tariff table (cited rates)"],
            notes,
        )
    if importer == "NZL":
        if nz is None:
            return None, None, [], ["New Zealand: no warehouse table nz_tariffs (run `critmin data build nz_tariff`)"]
        return (
            nz_mfn_rates(nz, codes),
            nz_mfn_rates(nz, nz["hs6"].unique()),
            ["NZ Customs tariff rates, May 2021 (Normal column, HS2017)"],
            [
                "New Zealand's Normal (MFN) rates: May 2021 workbook (HS2017); specific and 'Parts' duties are "
                "not converted (left out); NZ has no agreement with India, so Indian goods pay Normal."
            ],
        )
    if importer == "CHL":
        codes = pd.Series(pd.unique(pd.Series(list(codes), dtype=str)), dtype=str)
        flat = pd.DataFrame({"hs": codes, "rate": CHILE_MFN_RATE, "rate_source": "Chile flat MFN 6% (Ley 19.589)"})
        return (
            flat,
            flat[["hs", "rate"]],
            [CHILE_MFN_SOURCE],
            [
                "Chile's MFN: flat 6% ad valorem on every line (Ley 19.589). The India-Chile PTA (2007, expanded "
                "2017) preferences are not in the data, so the baseline overstates the duty on those lines."
            ],
        )
    if importer == "PER":
        return (
            None,
            None,
            [],
            [
                "Peru's applied tariff is unknown: no tariff file (the Arancel de Aduanas is not in "
                "the bundle); Peru's cuts on India's exports are not sized, not assumed 0."
            ],
        )
    return None, None, [], [f"{importer}: no tariff source; its cuts are not sized."]


def side_tariffs(
    side: SideSchedule,
    trade: pd.DataFrame,
    rates: pd.DataFrame | None,
    full: pd.DataFrame | None,
    *,
    horizon: int,
    total_usd: float | None,
    total_label: str,
    sources: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> SideTariffs:
    """One side's traded lines with their rate before and at full phase-in (year ``horizon``).

    ``rate_before`` from ``rates`` (NaN where unknown, all NaN when ``rates`` is ``None``),
    ``rate_after`` by :func:`~critmin.domain.policy.tariff_factor.rates_after` (``tau' = tau (u s + 1 - u)``);
    the same for every MFN line of ``full`` (the unweighted alternative).

    Parameters
    ----------
    trade : pandas.DataFrame
        ``hs, trade_usd, trade_source`` of the side's imports from its partner.
    """
    known = rates is not None
    lines = trade.copy()
    if rates is not None:
        r = rates.set_index("hs")
        lines["rate_source"] = lines["hs"].map(r["rate_source"])
        before = lines["hs"].map(r["rate"]).to_numpy(float)
    else:
        lines["rate_source"] = ""
        before = np.full(len(lines), np.nan)
    after = rates_after(side, lines["hs"], before, year=horizon)
    lines["rate_before"], lines["rate_after"] = before, after["rate_after"].to_numpy()
    lines["category"] = after["category"].to_numpy()
    mfn_lines = None
    if full is not None:
        fa = rates_after(side, full["hs"], full["rate"].to_numpy(float), year=horizon)
        mfn_lines = fa[["hs", "rate_before", "rate_after"]]
    default = side.default or "none (unlisted lines keep MFN)"
    notes = list(notes) + [
        f"staging at full phase-in (year {horizon}): lines listed in the schedule by "
        f"their category, exclusions {', '.join(side.exclusions) or 'none'} at MFN, other lines "
        f"by the default category {default}; utilisation {side.utilisation:g}"
    ]
    return SideTariffs(
        side.importer,
        side.partner,
        lines,
        total_usd=total_usd,
        total_label=total_label,
        mfn_lines=mfn_lines,
        rates_known=known,
        sources=tuple(sources) + tuple(dict.fromkeys(trade["trade_source"])),
        notes=tuple(notes),
    )


def india_import_lines(
    tradestat: pd.DataFrame, baci_hs6: pd.DataFrame, baci_hs4: pd.DataFrame, *, year: int
) -> tuple[pd.DataFrame, list[str]]:
    """India's imports from one partner by HS line: TradeStat first, then BACI HS6, then BACI HS4 residuals.

    * TradeStat codes (HS4 or HS6, ``CY<year>``) are taken as they are;
    * a BACI HS6 line is kept when neither it nor its HS4 heading is a TradeStat code;
    * a BACI HS4 heading not in TradeStat keeps the rest beyond the HS6 lines under it,
      ``max(0, HS4 total - sum of its HS6 lines)`` (lines of 0 or less dropped).

    Parameters
    ----------
    tradestat, baci_hs4 : pandas.DataFrame
        ``hs, trade_usd``.
    baci_hs6 : pandas.DataFrame
        ``hs, trade_usd, rev`` (the HS revision of the BACI file).

    Returns
    -------
    (pandas.DataFrame, list of str)
        ``hs, trade_usd, trade_source`` and one note per source (lines and USD mn).
    """
    ts = tradestat.copy()
    ts["trade_source"] = f"TradeStat import reports (DGCI&S), CY{year}"
    taken = set(ts["hs"])
    tf = baci_hs6[~baci_hs6["hs"].isin(taken) & ~baci_hs6["hs"].str[:4].isin(taken)].copy()
    tf["trade_source"] = [f"CEPII BACI HS6 ({r}), {year}" for r in tf.pop("rev")]
    h4 = baci_hs4[~baci_hs4["hs"].isin(taken)].copy()
    six = pd.concat([tf, ts[ts["hs"].str.len() == 6]])
    under = six.groupby(six["hs"].str[:4])["trade_usd"].sum()
    h4["trade_usd"] = h4["trade_usd"] - h4["hs"].map(under).fillna(0.0)  # the HS4 rest beyond the HS6 lines
    h4 = h4[h4["trade_usd"] > 0]
    h4["trade_source"] = f"CEPII BACI HS22 at HS4 (top-200 flows), {year}"
    out = pd.concat([ts, tf, h4], ignore_index=True)
    notes = [
        f"{src}: {len(g)} line(s), USD {g['trade_usd'].sum() / 1e6:,.2f} mn"
        for src, g in out.groupby("trade_source", sort=False)
    ]
    return out, notes
