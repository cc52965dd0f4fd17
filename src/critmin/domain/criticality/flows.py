"""Which trade table gives an importer's sourcing of a mineral at a value-chain stage.

Criticality needs, per (mineral, stage), the reporter's imports by partner (sourcing shares),
its import and export quantities (import reliance) and, where USGS has no production for the
stage, world exports by country (a proxy for global supply). Three trade tables can hold them:

* ``baci_hs6`` -- CEPII BACI HS6, every pair (``trade_flows``);
* ``tradestat`` -- India's own DGCI&S TradeStat import reports (``tradestat_imports``), reporter
  IND only, calendar-year columns, values only;
* ``baci_hs4`` -- BACI HS22 at HS4, the 200 largest world flows per commodity-year
  (``hs4_top_flows``): partners outside the top 200 are unknown, not zero.

:func:`flow_sources` is the rule: an ordered list of sources per (mineral, stage), the same for
every item unless the rule (``criticality_data/flow_sources.yaml``, read by the services) names another
order for one.
:func:`classify_headings` says which (mineral, stage) an HS4 or HS8 code belongs to, from the
products table (what the code is), so 2603 is copper extraction and 7108 gold processing.
:func:`heading_flows` reads the ``tradestat`` and ``baci_hs4`` tables into :class:`StageFlows`
per item; :func:`pick_flows` applies the rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from critmin.errors import DataFormatError

FLOW_SOURCE_NAMES = ("baci_hs6", "tradestat", "baci_hs4")
TRADESTAT_SOURCE = "DGCI&S TradeStat import reports (table tradestat_imports)"
HS4_SOURCE = "CEPII BACI HS22 at HS4, 200 largest world flows per commodity-year (table hs4_top_flows)"
PRODUCT_STAGE_TO_CHAIN = {
    "ore": "extraction",
    "intermediate": "processing",
    "refined": "processing",
    "product": "processing",
}


@dataclass(frozen=True)
class StageFlows:
    """One source's trade for one (mineral, stage) and reporter.

    Attributes
    ----------
    source : str
        ``baci_hs6``, ``tradestat`` or ``baci_hs4``.
    codes : list of str
        The HS codes read (HS6, HS8 or HS4).
    imports : DataFrame
        The reporter's imports by partner: ``exporter, value_usd, qty_t`` (``qty_t`` NaN when the
        source has no quantities).
    exports : DataFrame
        The reporter's exports: ``qty_t`` (empty when the source has none).
    world : DataFrame
        World exports by exporter, ``exporter, value_usd`` (empty for a single-reporter source).
    label : str
        Source, codes, period and basis in words.
    period : str
        ``CY2024``.
    basis : str
        What the numbers are (calendar year, value, quantity basis, coverage).
    qty_factor : float
        Factor turning the source's gross tonnes into the unit of USGS production (metal content
        of a concentrate, 1 otherwise).
    qty_note : str
        How ``qty_factor`` was chosen.
    """

    source: str
    codes: list[str]
    imports: pd.DataFrame
    exports: pd.DataFrame
    world: pd.DataFrame
    label: str
    period: str
    basis: str
    qty_factor: float = 1.0
    qty_note: str = "gross weight"
    extra: dict = field(default_factory=dict)

    @property
    def has_imports(self) -> bool:
        return not self.imports.empty and float(self.imports["value_usd"].sum()) > 0

    @property
    def has_quantities(self) -> bool:
        return self.has_imports and bool(self.imports["qty_t"].notna().any())

    def record(self) -> dict:
        """The provenance a criticality record carries for this source."""
        return {
            "source": self.source,
            "table_codes": self.codes,
            "period": self.period,
            "basis": self.basis,
            "label": self.label,
            **self.extra,
        }


def check_flow_rule(rule: Any, name: str) -> dict:
    """A parsed flow-source rule, checked: a mapping whose ``default`` and every ``items`` entry is a
    non-empty list of :data:`FLOW_SOURCE_NAMES`.

    Raises
    ------
    DataFormatError
        Not a mapping, or a list that is empty or names an unknown source (``name`` is the file).
    """
    if not isinstance(rule, dict):
        raise DataFormatError(name, "expected a mapping with 'default' (and optionally 'items')")
    for key, order in [("default", rule.get("default")), *((k, v) for k, v in (rule.get("items") or {}).items())]:
        if not isinstance(order, list) or not order or set(order) - set(FLOW_SOURCE_NAMES):
            raise DataFormatError(
                name, f"{key}: sources must be a non-empty list among {FLOW_SOURCE_NAMES}, got {order!r}", field=key
            )
    return rule


def flow_sources(mineral: str, stage: str, rule: dict) -> tuple[str, ...]:
    """The trade sources for a (mineral, stage), most preferred first.

    Parameters
    ----------
    mineral, stage : str
    rule : dict
        A parsed ``flow_sources.yaml``: ``default`` (an ordered list of sources) and optional
        ``items`` (``"mineral/stage"`` -> its own order).
    """
    return tuple((rule.get("items") or {}).get(f"{mineral}/{stage}", rule["default"]))


def classify_headings(
    codes, products: pd.DataFrame, hs_codes: pd.DataFrame | None = None, aliases: dict | None = None
) -> pd.DataFrame:
    """The (mineral, value-chain stage) of HS4 or HS8 codes, from the HS6 subheadings they hold.

    A code of 4 digits holds the products-table HS6 codes that start with it; a code of 8 digits
    (an Indian tariff line) belongs to its HS6 code. The code is classified when all of them name
    one mineral and one chain stage (``ore`` -> extraction; ``intermediate``, ``refined`` and
    ``product`` -> processing): 2603 copper ores -> copper extraction, 7108 gold -> gold
    processing, 28369100 lithium carbonate -> lithium processing. Codes with no listed HS6, or
    whose HS6 name several minerals or stages (7202 ferro-alloys), are left out.

    Returns
    -------
    DataFrame
        ``code, mineral, chain_stage, hs6`` (``;``-joined listed subheadings), ``basket`` (any of
        them is a basket code) and ``other_hs6`` (subheadings of the heading in ``hs_codes`` that the
        products table does not list as this mineral, e.g. 710820 monetary gold).
    """
    p = products.dropna(subset=["mineral"]).copy()
    p["mineral"] = p["mineral"].replace(aliases or {})
    p["chain_stage"] = p["stage"].map(PRODUCT_STAGE_TO_CHAIN)
    p = p.dropna(subset=["chain_stage"])
    basket = p["basket"].fillna(False).astype(bool) if "basket" in p else pd.Series(False, index=p.index)
    p = p.assign(basket=basket)
    all6 = set(hs_codes.loc[hs_codes["code"].str.len() == 6, "code"]) if hs_codes is not None else set()
    rows = []
    for code in sorted(set(map(str, codes))):
        prefix = code[:6] if len(code) >= 6 else code
        sub = p[p["hs6"].str.startswith(prefix)]
        kinds = sub[["mineral", "chain_stage"]].drop_duplicates()
        if len(kinds) != 1:
            continue
        listed = sorted(set(sub["hs6"]))
        other = sorted(c for c in all6 if c.startswith(prefix) and c not in listed)
        rows.append(
            {
                "code": code,
                "mineral": kinds["mineral"].iloc[0],
                "chain_stage": kinds["chain_stage"].iloc[0],
                "hs6": ";".join(listed),
                "basket": bool(sub["basket"].any()),
                "other_hs6": ";".join(other),
            }
        )
    return pd.DataFrame(rows, columns=["code", "mineral", "chain_stage", "hs6", "basket", "other_hs6"])


def _metal_factor(hs6: str, metal_content: pd.DataFrame | None) -> tuple[float, str]:
    """Metal content of a concentrate heading (copper ore 0.27), so tonnes match USGS metal content."""
    if metal_content is None:
        return 1.0, "gross weight"
    row = metal_content[(metal_content["hs6"] == hs6) & (metal_content["basis"] == "typical grade")]
    if len(hs6) != 6 or row.empty:
        return 1.0, "gross weight"
    r = row.iloc[0]
    return float(r["metal_fraction"]), (
        f"gross weight x {float(r['metal_fraction']):g} metal content ({r['form']}: {r['source']})"
    )


def _empty(cols) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c != "exporter" else "object") for c in cols})


def tradestat_flows(
    table: pd.DataFrame,
    members: frozenset[str],
    year: int,
    headings: pd.DataFrame,
) -> dict[tuple[str, str], StageFlows]:
    """The reporter's TradeStat imports for ``CY<year>`` per (mineral, stage); empty for other reporters.

    Partner rows only (the ``TOTAL`` row, ISO3 ``WLD``, is the check total); values in USD; no
    quantities, so import reliance needs another source's tonnes.
    """
    period = f"CY{year}"
    t = table[
        (table["reporter"].isin(members))
        & (table["period"] == period)
        & (table["flow"] == "import")
        & (table["partner_iso3"] != "WLD")
        & ~table["partner_iso3"].isin(members)
    ]
    t = t.merge(headings, left_on="hs_code", right_on="code", how="inner")
    out = {}
    for (mineral, stage), g in t.groupby(["mineral", "chain_stage"]):
        codes = sorted(set(g["hs_code"]))
        imp = (
            g.groupby("partner_iso3", as_index=False)["value_usd"]
            .sum()
            .rename(columns={"partner_iso3": "exporter"})
            .assign(qty_t=np.nan)
        )
        total = table[
            (table["reporter"].isin(members))
            & (table["period"] == period)
            & (table["partner_iso3"] == "WLD")
            & table["hs_code"].isin(codes)
        ]["value_usd"].sum()
        out[(mineral, stage)] = StageFlows(
            source="tradestat",
            codes=codes,
            imports=imp,
            exports=_empty(["qty_t"]),
            world=_empty(["exporter", "value_usd"]),
            label=f"{TRADESTAT_SOURCE}, imports of {'/'.join(sorted(members))}, HS {', '.join(codes)}, {period}",
            period=period,
            basis="calendar year (January-December), import value in USD; India's own statistics; no quantities",
            extra={
                "reported_total_usd": float(total),
                "other_hs6_in_heading": sorted({c for s in g["other_hs6"] if s for c in s.split(";")}),
            },
        )
    return out


def hs4_flows(
    flows: pd.DataFrame,
    totals: pd.DataFrame | None,
    members: frozenset[str],
    year: int,
    headings: pd.DataFrame,
    metal_content: pd.DataFrame | None = None,
) -> dict[tuple[str, str], StageFlows]:
    """BACI HS4 top-200 flows of ``year`` per (mineral, stage): the reporter's imports and exports, world exports.

    The shown flows are the 200 largest per commodity-year, so small partners are missing; the basis
    names the share of world trade the shown flows cover (``hs4_world_totals``). Tonnes of a
    concentrate heading are turned into metal content where ``metal_content.csv`` gives a typical
    grade (copper ores 0.27), to match USGS production in metal content.
    """
    f = flows[flows["year"] == year].merge(headings, left_on="hs4", right_on="code", how="inner")
    out = {}
    for (mineral, stage), g in f.groupby(["mineral", "chain_stage"]):
        codes = sorted(set(g["hs4"]))
        inside_i, inside_x = g["importer"].isin(members), g["exporter"].isin(members)
        imp = g[inside_i & ~inside_x].groupby("exporter", as_index=False)[["value_usd", "qty_t"]].sum()
        exp = g[inside_x & ~inside_i][["qty_t"]]
        world = g[g["exporter"] != g["importer"]].groupby("exporter", as_index=False)["value_usd"].sum()
        cover = ""
        if totals is not None and not totals.empty:
            c = totals[(totals["year"] == year) & totals["hs4"].isin(codes)]
            if not c.empty:
                cover = (
                    f"; the shown flows hold {100 * c['top_flows_value_usd'].sum() / c['world_value_usd'].sum():.1f}% "
                    f"of world trade in value"
                )
        hs6 = sorted({c for s in g["hs6"].drop_duplicates() for c in s.split(";")})
        factor, note = _metal_factor(hs6[0], metal_content) if len(hs6) == 1 else (1.0, "gross weight")
        out[(mineral, stage)] = StageFlows(
            source="baci_hs4",
            codes=codes,
            imports=imp,
            exports=exp,
            world=world,
            label=f"{HS4_SOURCE}, HS {', '.join(codes)}, {year}",
            period=f"CY{year}",
            basis=(
                "calendar year, BACI reconciled values (USD) and quantities (tonnes); top-200 world flows only: "
                "a partner outside them is unknown, not zero" + cover
            ),
            qty_factor=factor,
            qty_note=note,
        )
    return out


def pick_flows(
    mineral: str, stage: str, candidates: dict[str, StageFlows | None], rule: dict
) -> dict[str, StageFlows | None]:
    """Apply :func:`flow_sources` to one item's candidate sources.

    Returns
    -------
    dict
        ``sourcing``: the first source (in rule order) with imports of the reporter;
        ``quantities``: the first with import quantities (for import reliance), which may be a
        later source than ``sourcing``; ``world``: the first with world exports by country (a
        proxy for global supply). Each ``None`` when no source has it.
    """
    order = [c for c in (candidates.get(s) for s in flow_sources(mineral, stage, rule)) if c is not None]
    return {
        "sourcing": next((c for c in order if c.has_imports), None),
        "quantities": next((c for c in order if c.has_quantities), None),
        "world": next((c for c in order if not c.world.empty and c.world["value_usd"].sum() > 0), None),
    }
