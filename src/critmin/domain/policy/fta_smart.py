"""An FTA through WITS-SMART: one side's input rows, the totals per year, the SMART lines' tariff factor.

Pure functions over the trade and tariff frames the FTA service reads; the SMART arithmetic
itself is :class:`~critmin.domain.policy.smart.SmartModel`.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from critmin.domain.policy.schedule import FtaScenario, SideSchedule
from critmin.domain.policy.tariffs import TariffTable


def smart_side_input(
    side: SideSchedule,
    trade: pd.DataFrame,
    table: TariffTable,
    scenario: FtaScenario,
    tariff_year: int,
    elasticities: pd.DataFrame | None,
    utilisation: float | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """WITS-SMART input rows (every year of the schedule) for one side, and the lines with unknown tariffs.

    Lines: those the importer buys from the preferred partner; every exporter of them is a row.
    ``tariff_old`` is the MFN rate of ``tariff_year`` (an existing ``PRF`` rate of the exporter
    replaces it); lines without a known rate go to the unknown list. In FTA year ``y`` the
    preferred partner's rate is ``tariff_new = tariff_old x share(y)`` (:meth:`SideSchedule.shares`)
    with the side's utilisation (or ``utilisation``); other exporters keep ``tariff_old``.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        SMART rows (``importer, hs6, partner, imports_usd, tariff_old, tariff_new, utilisation,
        fta_year, year, side, reporter, ...``) and ``side, hs6, imports_from_partner_usd, note``.
    """
    imp = trade[trade["importer"] == side.importer]
    pref_lines = imp.loc[(imp["partner"] == side.partner) & (imp["imports_usd"] > 0), "hs6"].unique()
    imp = imp[imp["hs6"].isin(pref_lines)]
    empty_unknown = pd.DataFrame(columns=["side", "hs6", "imports_from_partner_usd", "note"])
    if imp.empty:
        return imp.assign(tariff_old=[], tariff_new=[]), empty_unknown
    mfn = table.rates(side.importer, pref_lines, tariff_year)
    known = mfn[mfn["known"]].set_index("hs6")["rate"]
    unknown = mfn[~mfn["known"]]
    from_partner = imp[imp["partner"] == side.partner].set_index("hs6")["imports_usd"]
    unknown_df = pd.DataFrame(
        {
            "side": f"{side.importer}<-{side.partner}",
            "hs6": unknown["hs6"].to_numpy(),
            "imports_from_partner_usd": from_partner.reindex(unknown["hs6"]).to_numpy(),
            "note": [n or f"no {side.importer} rate for this line in the tariff table" for n in unknown["note"]],
        }
    )
    imp = imp[imp["hs6"].isin(known.index)].copy()
    imp["tariff_old"] = imp["hs6"].map(known).astype(float)
    # existing preferential rates (PRF rows) for any exporter replace MFN
    prf = table.frame[(table.frame["reporter"] == side.importer) & (table.frame["duty_type"] == "PRF")]
    for exporter in sorted(set(prf["partner"]) & set(imp["partner"])):
        mask = (imp["partner"] == exporter).to_numpy()
        r = table.rates(side.importer, imp.loc[mask, "hs6"], tariff_year, partner=exporter, duty_type="PRF")
        r = r[r["known"]].set_index("hs6")["rate"]
        new = imp.loc[mask, "hs6"].map(r)
        imp.loc[mask, "tariff_old"] = np.where(new.notna(), new, imp.loc[mask, "tariff_old"])
    if elasticities is not None:
        el = elasticities
        if "reporter" in el.columns:
            el = el[el["reporter"] == side.importer]
        imp["import_demand_elasticity"] = imp["hs6"].map(el.set_index("hs6")["import_demand_elasticity"])
    shares = side.shares(imp["hs6"].unique(), scenario.years())
    rows = imp.merge(shares.rename(columns={"year": "fta_year"}), on="hs6", how="left")
    is_pref = (rows["partner"] == side.partner).to_numpy()
    rows["tariff_new"] = np.where(is_pref, rows["tariff_old"] * rows["share"], rows["tariff_old"])
    rows["utilisation"] = np.where(is_pref, side.utilisation if utilisation is None else utilisation, 1.0)
    rows["side"] = f"{side.importer}<-{side.partner}"
    rows["reporter"] = side.importer
    rows["year"] = scenario.base_year + rows["fta_year"]
    return rows, unknown_df


def fta_totals(
    lines: pd.DataFrame, sides: Sequence[SideSchedule], years: Sequence[int], *, base_year: int, reporter: str
) -> pd.DataFrame:
    r"""Totals per FTA year of a SMART run: each side's changes and the reporter's trade balance.

    For each side (``reporter_`` for the reporter's imports, ``partner_`` for the partner's):
    imports from the preferred partner, trade creation, diversion to the partner and from others,
    the change in imports from the partner and in all imports, revenue change and welfare (sums
    over the SMART ``lines``; ``None`` for a side that was not simulated). The reporter's exports
    change is the partner's imports change, and

    .. math:: \Delta B = \Delta X_{reporter} - \Delta M_{reporter}

    (a side that was not simulated counts 0).
    """
    totals = []
    simulated = set(lines["side"])
    for y in years:
        ly = lines[lines["fta_year"] == y]
        rec: dict[str, Any] = {"fta_year": y, "year": base_year + y}
        for side in sides:
            name = f"{side.importer}<-{side.partner}"
            s = ly[ly["side"] == name]
            pref = s[s["partner"] == side.partner]
            others = s[s["partner"] != side.partner]
            tag = "reporter" if side.importer == reporter else "partner"
            ok = name in simulated
            for key, value in (
                ("imports_base_usd", pref["imports_usd"].sum()),
                ("trade_creation_usd", pref["trade_creation"].sum()),
                ("diversion_to_partner_usd", pref["trade_diversion"].sum()),
                ("diversion_from_others_usd", others["trade_diversion"].sum()),
                ("imports_change_usd", pref["trade_total"].sum()),
                ("total_imports_change_usd", s["trade_total"].sum()),
                ("revenue_change_usd", s["revenue_change"].sum()),
                ("welfare_usd", s["welfare"].sum()),
            ):
                rec[f"{tag}_{key}"] = float(value) if ok else None
        d_imp = rec.get("reporter_imports_change_usd")
        d_exp = rec.get("partner_imports_change_usd")
        rec["reporter_exports_change_usd"] = d_exp
        rec["balance_change_usd"] = (d_exp or 0.0) - (d_imp or 0.0)
        totals.append(rec)
    return pd.DataFrame(totals)


def smart_cost_factor(lines: pd.DataFrame, sides: Sequence[SideSchedule]) -> float | None:
    """Trade-weighted tariff factor :math:`\\sum_l w_l (1 + t'_l)/(1 + t_l)` of the SMART lines at full phase-in.

    Lines of each side's imports from its agreement partner, weighted by their imports; ``None``
    without preferential trade.
    """
    if lines.empty:
        return None
    last = lines[
        (lines["fta_year"] == lines["fta_year"].max())
        & (lines["partner"] == lines["reporter"].map({s.importer: s.partner for s in sides}))
    ]
    w = last["imports_usd"].to_numpy(float)
    if not w.sum() > 0:
        return None
    return float(np.average((1 + last["tariff_effective"]) / (1 + last["tariff_old"]), weights=w))


def replace_line(trade: pd.DataFrame, importer: str, hs6: str, partners, imports_usd) -> pd.DataFrame:
    """``trade`` (``importer, hs6, partner, imports_usd``) with ``importer``'s line ``hs6`` replaced by the given flows."""
    add = pd.DataFrame({"importer": importer, "hs6": hs6, "partner": partners, "imports_usd": imports_usd})
    keep = trade[~((trade["importer"] == importer) & (trade["hs6"] == hs6))]
    return pd.concat([keep, add], ignore_index=True)


def add_comtrade_lines(
    trade: pd.DataFrame, comtrade: pd.DataFrame, *, year: int, importers: set[str]
) -> tuple[pd.DataFrame, list[str]]:
    """Add the importers' Comtrade import lines (``comtrade_flows``) that the BACI extract lacks.

    Rows with ``flow == "import"``, a named partner (not ``WLD``), ``year`` and a
    positive value are added for (importer, HS code) pairs not already in ``trade``
    (HS codes of 4 or 6 digits; a 4-digit code is simulated as one line). This is
    how gold (7108), silver (7106) or India's exports to Peru (Peru's reported
    imports from India) enter when the user has fetched them with
    ``critmin data build comtrade``.
    """
    c = comtrade[
        (comtrade["flow"] == "import")
        & (comtrade["year"] == year)
        & comtrade["reporter"].isin(importers)
        & (comtrade["partner"] != "WLD")
        & (comtrade["partner"] != comtrade["reporter"])
        & (comtrade["value_usd"] > 0)
        & comtrade["hs"].astype(str).str.fullmatch(r"\d{4}|\d{6}")
    ]
    if c.empty:
        return trade, []
    c = pd.DataFrame(
        {
            "importer": c["reporter"].to_numpy(),
            "hs6": c["hs"].astype(str).to_numpy(),
            "partner": c["partner"].to_numpy(),
            "imports_usd": c["value_usd"].to_numpy(dtype=float),
        }
    )
    have = set(zip(trade["importer"], trade["hs6"]))
    new = c[[(i, h) not in have for i, h in zip(c["importer"], c["hs6"])]]
    if new.empty:
        return trade, []
    codes = sorted(set(new["importer"] + " " + new["hs6"]))
    note = (
        f"Added from comtrade_flows (UN Comtrade, reporter-declared imports, CIF, {year}): "
        f"{len(codes)} importer x HS line(s) absent from the BACI extract ({', '.join(codes[:12])}"
        f"{', ...' if len(codes) > 12 else ''})."
    )
    return pd.concat([trade, new], ignore_index=True), [note]
