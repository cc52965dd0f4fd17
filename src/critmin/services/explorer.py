"""Trade & dependence explorer: one function per question, over the warehouse via Ibis.

* :func:`trade_summary` -- imports, exports and balance of a reporter with one,
  several or all partners, by HS6 product and by partner;
* :func:`dependence` -- supplier shares, HHI, top-3 share, China's share,
  governance-weighted HHI and net import reliance for a reporter's imports of
  a product, mineral or value-chain stage;
* :func:`production` -- world production and reserves by country (USGS), with
  ranks and shares.

Computations are Ibis expressions (:mod:`critmin.domain.indicators.expressions`)
run on DuckDB by default or on PySpark (``backend="pyspark"``); only the
final, small results come back as pandas. Every function returns a plain dict
(JSON-ready) and raises a critmin error for bad input.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

import pandas as pd

from critmin.classify.blocs import bloc_members, bloc_name, resolve_bloc
from critmin.classify import normalize_hs, product_labels, products_for, resolve_country, resolve_mineral, resolve_stage
from critmin.classify._hints import hint
from critmin.classify._tables import metal_content_table, products_table
from critmin.config import Settings
from critmin.domain.indicators import calc_net_import_reliance
from critmin.domain.indicators import expressions as ex
from critmin.engine import connect
from critmin.errors import EmptySelectionError, UnknownCodeError
from critmin.domain.indicators.series import with_changes
from critmin.periods import calendar_year, parse_period
from critmin.vocabulary import Backend, check
from critmin.warehouse import Warehouse

if TYPE_CHECKING:
    from ibis import BaseBackend


#: value-chain stage of a traded product -> USGS production stage used for net import reliance
USGS_STAGE_FOR = {"ore": "mine", "refined": "refinery"}
SOURCE_NOTE = "CEPII BACI (HS17), values in current USD (FOB-reconciled)"


# --------------------------------------------------------------------------- context
def ensure_tables(settings: Settings, tables: Sequence[str], *, progress: bool = False) -> Warehouse:
    """The live warehouse, built on first use; sources of missing ``tables`` are (re)built.

    See :func:`critmin.services.data.ensure_tables` (read-only settings never build).
    """
    from critmin.services.data import ensure_tables as _ensure_tables

    return _ensure_tables(settings, tables, progress=progress)


@dataclass
class Explorer:
    """A warehouse with an open Ibis connection and the small lookup tables in memory."""

    warehouse: Warehouse
    con: BaseBackend
    countries: pd.DataFrame

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        backend: Backend = "duckdb",
        con=None,
        tables: Sequence[str] = ("trade_flows", "countries", "products"),
        progress: bool = False,
    ) -> "Explorer":
        check("backend", backend)
        wh = ensure_tables(settings, tables, progress=progress)
        con = con if con is not None else connect(wh, backend)
        countries = wh.read("countries") if wh.has("countries") else None
        if countries is None:
            from critmin.classify import build_country_table

            countries = build_country_table(wh.read("baci_countries"))
        return cls(wh, con, countries)

    def table(self, name: str):
        self.warehouse.table_path(name)  # clear error when absent
        return self.con.table(name)

    # -- resolution of user input ---------------------------------------------------------
    def country(self, code: str) -> str:
        return resolve_country(code, self.countries)

    def reporter(self, code: str) -> str:
        """A reporter: a bloc code (``EU27``, ``EU``, ``European Union``) or a country (:meth:`country`)."""
        return resolve_bloc(code) or self.country(code)

    def flows(self, reporter: str):
        """``trade_flows`` as seen by ``reporter``: for a bloc, its members as one economy
        (member codes relabelled to the bloc, trade between members dropped)."""
        flows = self.table("trade_flows")
        if resolve_bloc(reporter) != reporter:
            return flows
        return ex.as_bloc(flows, reporter, bloc_members(reporter))

    def bloc_scope(self, reporter: str) -> dict | None:
        """For a bloc reporter, what its figures cover (members, extra-bloc trade); else ``None``."""
        if resolve_bloc(reporter) != reporter:
            return None
        members = sorted(bloc_members(reporter))
        return {
            "code": reporter,
            "n_members": len(members),
            "members": members,
            "note": f"extra-{reporter} trade: the {len(members)} members' trade with countries outside "
            f"the bloc; trade between members is left out",
        }

    def name_of(self, iso3: str) -> str:
        if name := bloc_name(iso3):
            return name
        hit = self.countries[(self.countries["iso3"] == iso3)].sort_values("is_current", ascending=False)
        return str(hit["name"].iloc[0]) if len(hit) else iso3

    def available_years(self) -> list[int]:
        flows = self.table("trade_flows")
        return sorted(int(y) for y in flows.select("year").distinct().to_pandas()["year"])

    def years(self, years: Iterable[int] | None) -> list[int]:
        """The requested years, or the latest year in ``trade_flows``."""
        if years is None:
            available = self.available_years()
            if not available:
                raise EmptySelectionError("trade_flows has no rows")
            return [available[-1]]
        return [int(y) for y in years]

    def empty_selection(self, what: str, years: Sequence[int]) -> EmptySelectionError:
        """An error naming the selection, and the years that do have data when a year is the cause."""
        available = self.available_years()
        absent = [y for y in years if y not in available]
        if absent:
            return EmptySelectionError(
                f"no trade data for year(s) {', '.join(map(str, absent))} ({what}); "
                f"trade_flows covers {', '.join(map(str, available))}"
            )
        return EmptySelectionError(f"no trade flows for {what}")

    def products(
        self,
        *,
        hs: Sequence[str | int] | None = None,
        mineral: str | None = None,
        stage: str | None = None,
        include_baskets: bool | None = None,
    ) -> "ProductSelection":
        return select_products(self, hs=hs, mineral=mineral, stage=stage, include_baskets=include_baskets)


@dataclass(frozen=True)
class ProductSelection:
    hs6: tuple[str, ...]
    mineral: str | None
    stage: str | None
    baskets_excluded: tuple[str, ...] = ()

    def describe(self) -> dict:
        return {
            "hs6": list(self.hs6),
            "mineral": self.mineral,
            "stage": self.stage,
            "baskets_excluded": list(self.baskets_excluded),
        }


def select_products(
    ex_: Explorer, *, hs=None, mineral=None, stage=None, include_baskets: bool | None = None
) -> ProductSelection:
    """Resolve ``--hs`` / ``--mineral`` / ``--stage`` into HS6 codes.

    Without any of them: every HS6 code of the product table (critical
    minerals). With ``mineral``: basket codes (an HS6 that also covers other
    goods, e.g. 253090 for spodumene) are left out when the mineral has other
    codes at that stage, unless ``include_baskets=True``.
    """
    stage_id = resolve_stage(stage) if stage is not None else None
    mineral_id = resolve_mineral(mineral) if mineral is not None else None
    if hs:
        hs = _expand_headings(ex_, hs)
        known = set(product_labels()["hs6"])
        flows = ex_.table("trade_flows")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            candidates = [normalize_hs(c) for c in hs]
        unknown = [c for c in candidates if c not in known]
        if unknown:
            in_data = set(flows.filter(flows.hs6.isin(unknown)).select("hs6").distinct().to_pandas()["hs6"])
            known |= in_data
        codes = [normalize_hs(c, known=known) for c in hs]  # warns once per padded code
        if mineral_id or stage_id:
            allowed = set(products_for(mineral=mineral_id, stage=stage_id)["hs6"])
            codes = [c for c in codes if c in allowed]
            if not codes:
                raise EmptySelectionError(
                    f"none of the HS6 codes {list(hs)} belongs to mineral={mineral_id!r}, stage={stage_id!r}"
                )
        return ProductSelection(tuple(dict.fromkeys(codes)), mineral_id, stage_id)
    rows = products_for(mineral=mineral_id, stage=stage_id)
    excluded: tuple[str, ...] = ()
    if mineral_id is not None and not include_baskets:
        core = rows[~rows["basket"]]
        if len(core):
            excluded = tuple(sorted(set(rows.loc[rows["basket"], "hs6"])))
            rows = core
    return ProductSelection(tuple(sorted(set(rows["hs6"]))), mineral_id, stage_id, excluded)


def _expand_headings(ex_: Explorer, hs: Sequence[str | int]) -> list[str]:
    """A 2- or 4-digit code (chapter, heading) becomes its six-digit subheadings (HS 2022 nomenclature).

    ``2603`` -> ``260300``. A heading whose subheadings have no flow in ``trade_flows`` is an
    :class:`UnknownCodeError` that says so and where the heading's data are (TradeStat, BACI HS4).
    """
    out: list[str] = []
    for code in hs:
        c = str(code).strip().replace(".", "")
        if not (c.isdigit() and len(c) in (2, 4)):
            out.append(str(code))
            continue
        wh = ex_.warehouse
        subs: list[str] = []
        if wh.has("hs_codes"):
            t = wh.read("hs_codes", columns=["code", "level"])
            subs = sorted(t.loc[(t["level"] == 6) & t["code"].str.startswith(c), "code"])
        subs = subs or sorted(h for h in product_labels()["hs6"] if h.startswith(c))
        flows = ex_.table("trade_flows")
        present = set(flows.filter(flows.hs6.isin(subs)).select("hs6").distinct().to_pandas()["hs6"]) if subs else set()
        if not present:
            elsewhere = [
                t
                for t, col in (("tradestat_imports", "hs_code"), ("hs4_top_flows", "hs4"))
                if wh.has(t) and (wh.read(t, columns=[col])[col].astype(str).str.startswith(c)).any()
            ]
            where = (
                f"; its trade is in {', '.join(elsewhere)} (see `critmin trade --reporter IND --partner "
                f"...`, `critmin products search {c}`)"
                if elsewhere
                else ""
            )
            raise UnknownCodeError(
                "HS code",
                c,
                hint=f"HS {c} has {len(subs)} six-digit subheading(s) "
                f"({', '.join(subs[:6])}{'...' if len(subs) > 6 else ''}) "
                f"and none has flows in the BACI extract{where}",
            )
        out.extend(h for h in subs if h in present)
    return out


def _selection_text(reporter, partners, products: ProductSelection, years) -> str:
    what = f"HS6 {', '.join(products.hs6)}" if len(products.hs6) <= 6 else f"{len(products.hs6)} HS6 codes"
    if products.mineral:
        what = f"mineral={products.mineral}" + (f", stage={products.stage}" if products.stage else "") + f" ({what})"
    elif products.stage:
        what = f"stage={products.stage} ({what})"
    p = ", ".join(partners) if partners else "all partners"
    return f"reporter={reporter}, partner={p}, {what}, year={', '.join(map(str, years))}"


def _num(x) -> float:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return math.nan
    return x


# --------------------------------------------------------------------------- trade
def trade_summary(
    settings: Settings,
    reporter: str,
    *,
    partners: Sequence[str] | None = None,
    hs: Sequence[str | int] | None = None,
    mineral: str | None = None,
    stage: str | None = None,
    years: Sequence[int] | None = None,
    include_baskets: bool | None = None,
    period=None,
    backend: Backend = "duckdb",
    con=None,
    progress: bool = False,
) -> dict:
    """Imports, exports and balance of ``reporter`` with ``partners`` (default: the world).

    Parameters
    ----------
    settings : Settings
    reporter : str
        ISO3, ISO2, BACI code or name.
    partners : list of str, optional
        Partner countries; ``None`` = all partners.
    hs, mineral, stage : optional
        Product selection (see :func:`select_products`); default every critical-mineral HS6 code.
    years : list of int, optional
        Default: the latest year in ``trade_flows`` (or the year ``period`` starts in).
    period : str or Period, optional
        Period of the bilateral trade picture (``CY2024``, ``FY2024-25``); default the
        calendar year of the latest selected year. Only with exactly one partner.
    backend : {"duckdb", "pyspark"}, keyword-only
    progress : bool, keyword-only
        Show progress (on stderr) if the warehouse has to be built first.

    Returns
    -------
    dict
        ``reporter, partners, years, products, imports_usd, exports_usd, balance_usd,
        by_product [{hs6, description, mineral, stage, imports_usd, exports_usd, balance_usd,
        imports_t, exports_t}], by_partner [{partner, name, imports_usd, exports_usd, balance_usd}]``
        with :math:`balance = X - M`; the top-level sums and ``by_product`` cover the selected
        HS6 codes only (``scope``), summed over ``years``; ``series`` gives them year by year
        with year-on-year changes. With one partner, also the bilateral picture of
        :func:`critmin.services.trade_picture.trade_picture`: ``total`` (all goods, official
        source, period and basis), ``explained``, ``coverage`` and ``reconciliation``.

    Raises
    ------
    UnknownCodeError
        Unknown reporter, partner, HS code, mineral or stage.
    EmptySelectionError
        No flow in the selection.
    """
    x = Explorer.open(settings, backend=backend, con=con, progress=progress)
    rep = x.reporter(reporter)
    parts = sorted({x.country(p) for p in partners}) if partners else None
    per = parse_period(period) if period is not None else None
    yrs = x.years(years if years is not None or per is None else [per.year])
    prods = x.products(hs=hs, mineral=mineral, stage=stage, include_baskets=include_baskets)
    picture = None
    if parts and len(parts) == 1:
        from critmin.services.trade_picture import trade_picture

        picture = trade_picture(settings, rep, parts[0], per or calendar_year(max(yrs)), warehouse=x.warehouse)
    flows = ex.select_flows(x.flows(rep), years=yrs, hs6=prods.hs6)
    by_product = ex.trade_by_product(flows, rep, partners=parts).to_pandas()
    # an explicit product selection with no flow is an empty selection; without one, a pair whose only
    # data are its totals or detail outside the BACI extract still has a picture
    explicit = bool(hs or mineral or stage)
    if by_product.empty and (explicit or not (picture and (picture["total"] or picture["explained"]))):
        raise x.empty_selection(_selection_text(rep, parts, prods, yrs), yrs)
    by_year = ex.trade_by_year(flows, rep, partners=parts).to_pandas()
    by_partner = ex.trade_by_partner(flows, rep, partners=parts).to_pandas()
    labels = product_labels().set_index("hs6")
    rows = []
    for r in by_product.itertuples(index=False):
        lab = labels.loc[r.hs6] if r.hs6 in labels.index else None
        rows.append(
            {
                "hs6": r.hs6,
                "description": None if lab is None else lab["description"],
                "mineral": None if lab is None else lab["mineral"],
                "stage": None if lab is None else lab["stage"],
                "imports_usd": _num(r.imports_usd),
                "exports_usd": _num(r.exports_usd),
                "balance_usd": _num(r.balance_usd),
                "imports_t": _num(r.imports_t),
                "exports_t": _num(r.exports_t),
            }
        )
    by_partner = by_partner.sort_values(["imports_usd", "exports_usd"], ascending=False)
    partner_rows = [
        {
            "partner": p.partner,
            "name": x.name_of(p.partner),
            "imports_usd": _num(p.imports_usd),
            "exports_usd": _num(p.exports_usd),
            "balance_usd": _num(p.balance_usd),
        }
        for p in by_partner.itertuples(index=False)
    ]
    imports = float(by_product["imports_usd"].sum())
    exports = float(by_product["exports_usd"].sum())
    series = with_changes(
        [
            {
                "year": int(r.year),
                "period": calendar_year(int(r.year)).label,
                "imports_usd": _num(r.imports_usd),
                "exports_usd": _num(r.exports_usd),
                "balance_usd": _num(r.exports_usd) - _num(r.imports_usd),
            }
            for r in by_year.itertuples(index=False)
        ],
        relative=["imports_usd", "exports_usd"],
    )
    out = {
        "reporter": rep,
        "reporter_name": x.name_of(rep),
        "partners": parts,
        "years": yrs,
        "products": prods.describe(),
        "scope": _scope_text(prods),
        "basis": "CY",
        "imports_usd": imports,
        "exports_usd": exports,
        "balance_usd": exports - imports,
        "by_product": rows,
        "by_partner": partner_rows,
        "series": series,
        "years_without_data": sorted(set(yrs) - {r["year"] for r in series}),
        "source": SOURCE_NOTE,
        "backend": backend,
        "bloc": x.bloc_scope(rep),
    }
    if picture is not None:
        out.update({k: picture[k] for k in ("total", "explained", "coverage", "reconciliation", "precedence")})
        out["picture_period"] = picture["period"]
    return out


def _scope_text(prods: ProductSelection) -> str:
    """What the product sums cover, in words (they are never all goods)."""
    n = len(prods.hs6)
    what = f"{n} HS6 code{'s' if n != 1 else ''}"
    if prods.mineral:
        return f"{what} of {prods.mineral}" + (f" ({prods.stage})" if prods.stage else "")
    if prods.stage:
        return f"{what} at stage {prods.stage}"
    return f"{what} of critical minerals in BACI (not all goods)" if n > 6 else what


# --------------------------------------------------------------------------- dependence
def _governance_year(x: Explorer, year: int) -> int | None:
    """Latest WGI year <= ``year`` (WGI ends before the latest trade year)."""
    if not x.warehouse.has("governance"):
        return None
    years = x.warehouse.read("governance", columns=["year"])["year"].astype(int)
    years = years[years <= int(year)]
    return int(years.max()) if len(years) else None


def _contained_metal_factor(hs6: Sequence[str]) -> dict[str, float]:
    table = metal_content_table()
    table = table[table["hs6"] != ""]
    return {h: float(table.loc[table["hs6"] == h, "metal_fraction"].iloc[0]) for h in hs6 if (table["hs6"] == h).any()}


def _domestic_production(x: Explorer, iso3: str, mineral: str, stage: str, year: int) -> dict | None:
    """USGS production of ``iso3`` in tonnes for the nearest year <= ``year`` (or the earliest after)."""
    if not x.warehouse.has("mineral_production"):
        return None
    return _domestic_production_in(x.warehouse.read("mineral_production"), iso3, mineral, stage, year)


def _domestic_production_in(p: pd.DataFrame, iso3: str, mineral: str, stage: str, year: int) -> dict | None:
    """:func:`_domestic_production` over rows of ``mineral_production`` already in memory.

    For a bloc, the sum over its members that USGS lists, each at its own nearest year
    (a member USGS does not list counts as 0, as for a country); ``members_listed`` names them.
    """
    p = p[(p["mineral"] == mineral) & (p["stage"] == stage)]
    if p.empty:
        return None
    members = bloc_members(iso3)
    if len(members) == 1:
        return _member_production(p, iso3, year)
    listed = sorted(set(p["iso3"]) & members)
    parts = [_member_production(p, m, year) for m in listed]
    if any(r["tonnes"] is None for r in parts):
        bad = [m for m, r in zip(listed, parts) if r["tonnes"] is None]
        return {
            "tonnes": None,
            "year": int(year),
            "value_text": f"not a number for {', '.join(bad)}",
            "unit": "metric tons",
            "is_estimate": False,
        }
    return {
        "tonnes": float(sum(r["tonnes"] for r in parts)),
        "year": max([r["year"] for r in parts] or [year]),
        "value_text": f"sum of {len(listed)} members USGS lists ({', '.join(listed) or 'none'}); "
        f"other members not listed (treated as 0)",
        "unit": "metric tons",
        "is_estimate": any(r["is_estimate"] for r in parts),
        "members_listed": listed,
    }


def _member_production(p: pd.DataFrame, iso3: str, year: int) -> dict:
    """One country's USGS production (rows of one mineral and stage), nearest year to ``year``."""
    here = p[(p["iso3"] == iso3)]
    if here.empty:
        # USGS lists the main producers only; absence means no significant production
        return {
            "tonnes": 0.0,
            "year": int(year),
            "value_text": "not listed (treated as 0)",
            "unit": "metric tons",
            "is_estimate": False,
        }
    here = here.assign(dist=(here["year"].astype(int) - int(year)).abs()).sort_values(["dist", "year"])
    r = here.iloc[0]
    tonnes = r["value_tonnes"]
    if pd.isna(tonnes):
        if str(r["value_text"]).strip() in {"—", "-", "0"}:
            tonnes = 0.0
        else:
            return {
                "tonnes": None,
                "year": int(r["year"]),
                "value_text": r["value_text"],
                "unit": r["unit"],
                "is_estimate": bool(r["is_estimate"]),
            }
    return {
        "tonnes": float(tonnes),
        "year": int(r["year"]),
        "value_text": r["value_text"],
        "unit": r["unit"],
        "is_estimate": bool(r["is_estimate"]),
    }


def dependence(
    settings: Settings,
    reporter: str,
    *,
    hs: Sequence[str | int] | None = None,
    mineral: str | None = None,
    stage: str | None = None,
    year: int | None = None,
    years: Sequence[int] | None = None,
    include_baskets: bool | None = None,
    top_n: int = 3,
    focus: str = "CHN",
    backend: Backend = "duckdb",
    con=None,
    progress: bool = False,
) -> dict:
    """How dependent is ``reporter`` on imports of a product, from whom, how concentrated, how risky.

    Indicators (shares :math:`s_i` of supplier ``i`` in the reporter's imports, by value):

    * ``hhi`` :math:`= \\sum_i s_i^2` (1/n for n equal suppliers, 1 for a monopoly);
    * ``top3_share`` :math:`= \\sum_{rank \\le 3} s_i`; ``china_share`` :math:`= s_{CHN}`;
    * ``wgi_weighted_hhi`` :math:`= \\sum_i s_i^2 g_i`, ``g = (WGI - 2.5)/(-0.5)`` on 0-10
      (mean of the six WGI estimates, latest WGI year <= ``year``; JRC 2017);
    * ``net_import_reliance`` :math:`= (M - X)/(P + M - X)` in tonnes of contained metal, with
      ``M, X`` the BACI quantities times the metal-content factor and ``P`` the USGS domestic
      production at the matching stage (ore -> mine, refined -> refinery); ``None`` with a
      ``net_import_reliance_note`` when it cannot be computed.

    With several ``years`` the indicators are computed for each year (each with its own
    WGI and USGS year); the top-level keys are those of the latest year with imports, and
    ``series`` lists every year with data, with year-on-year changes (``imports_usd_yoy``
    relative; ``hhi_change``, ``top3_share_change``, ``china_share_change`` in points of
    share), ``years_without_data`` the others.

    Returns
    -------
    dict
        ``reporter, year, products, imports_usd, exports_usd, imports_t, suppliers
        [{partner, name, value_usd, qty_t, share, rank}], n_suppliers, hhi, top3_share,
        china_share, wgi_weighted_hhi, wgi_year, wgi_coverage, net_import_reliance,
        net_import_reliance_detail``, and with ``years`` also ``series, years_without_data``.
    """
    x = Explorer.open(settings, backend=backend, con=con, progress=progress)
    rep = x.reporter(reporter)
    prods = x.products(hs=hs, mineral=mineral, stage=stage, include_baskets=include_baskets)
    if years is None:
        return _dependence_in(x, rep, prods, x.years([year] if year is not None else None), top_n, focus, backend)
    found, missing = [], []
    for y in sorted({int(v) for v in years}):
        try:
            found.append(_dependence_in(x, rep, prods, [y], top_n, focus, backend))
        except EmptySelectionError:
            missing.append(y)
    if not found:
        raise x.empty_selection(_selection_text(rep, None, prods, sorted(missing)), sorted(missing))
    focus_share = f"{_focus_key(focus)}_share"
    keep = (
        "year",
        "imports_usd",
        "imports_t",
        "n_suppliers",
        "hhi",
        f"top{top_n}_share",
        focus_share,
        "wgi_weighted_hhi",
        "net_import_reliance",
    )
    series = with_changes(
        [
            {k: r.get(k) for k in keep}
            | {
                "period": calendar_year(r["year"]).label,
                "top_supplier": r["suppliers"][0]["partner"],
                "has_quantities": r.get("imports_t") is not None and not math.isnan(r["imports_t"]),
            }
            for r in found
        ],
        relative=["imports_usd"],
        absolute=["hhi", f"top{top_n}_share", focus_share],
    )
    out = dict(found[-1])
    out.update(years=[r["year"] for r in found], series=series, years_without_data=missing)
    return out


def _dependence_in(
    x: Explorer, rep: str, prods: "ProductSelection", yrs: list[int], top_n: int, focus: str, backend: str
) -> dict:
    """:func:`dependence` for one year (``yrs`` holds it)."""
    flows = ex.select_flows(x.flows(rep), years=yrs, hs6=prods.hs6)
    imports = flows.filter(flows.importer == rep)
    shares = ex.supplier_shares(imports, by=["importer"])
    sup = shares.order_by("rank").to_pandas()
    if sup.empty or not sup["value_usd"].sum() > 0:
        err = x.empty_selection(_selection_text(rep, None, prods, yrs), yrs)
        hint_ = (
            f" (basket codes {', '.join(prods.baskets_excluded)} were left out; use include_baskets)"
            if prods.baskets_excluded
            else ""
        )
        raise type(err)(str(err).replace("no trade flows", "no imports") + hint_)
    conc = ex.concentration(shares, by=["importer"], top_n=top_n, focus=focus).to_pandas().iloc[0]
    out: dict = {
        "reporter": rep,
        "reporter_name": x.name_of(rep),
        "year": yrs[0],
        "products": prods.describe(),
        "imports_usd": float(sup["value_usd"].sum()),
        "imports_t": _num(sup["qty_t"].sum(min_count=1)),  # NaN (no quantities) when every row lacks them
        "suppliers": [
            {
                "partner": r.exporter,
                "name": x.name_of(r.exporter),
                "value_usd": float(r.value_usd),
                "qty_t": _num(r.qty_t),
                "share": float(r.share),
                "rank": int(r.rank),
            }
            for r in sup.itertuples(index=False)
        ],
        "n_suppliers": int(conc["n_suppliers"]),
        "hhi": float(conc["hhi"]),
        f"top{top_n}_share": float(conc[f"top{top_n}_share"]),
        f"{_focus_key(focus)}_share": float(conc[f"{focus.lower()}_share"]),
    }
    totals = ex.trade_by_product(flows, rep).to_pandas()
    out["exports_usd"] = float(totals["exports_usd"].sum())
    out["exports_t"] = _num(totals["exports_t"].sum(min_count=1))
    # governance-weighted HHI
    gy = _governance_year(x, yrs[0])
    if gy is None:
        out.update(wgi_weighted_hhi=None, wgi_year=None, wgi_coverage=None)
    else:
        risk = ex.governance_risk(x.table("governance"), gy)
        w = ex.governance_weighted_hhi(shares, risk, by=["importer"]).to_pandas().iloc[0]
        out.update(wgi_weighted_hhi=float(w["wgi_weighted_hhi"]), wgi_year=gy, wgi_coverage=float(w["wgi_coverage"]))
    out.update(_net_import_reliance(x, rep, prods, totals, yrs[0]))
    out.update(source=SOURCE_NOTE, backend=backend, bloc=x.bloc_scope(rep))
    return out


def _focus_key(focus: str) -> str:
    return {"CHN": "china"}.get(focus.upper(), focus.lower())


def _net_import_reliance(x: Explorer, rep: str, prods: ProductSelection, totals: pd.DataFrame, year: int) -> dict:
    table = products_table()
    labels = table[table["hs6"].isin(prods.hs6)]
    none = {"net_import_reliance": None, "net_import_reliance_detail": None}
    unlabelled = sorted(set(prods.hs6) - set(labels["hs6"]))
    if unlabelled:
        return {**none, "net_import_reliance_note": f"HS6 {', '.join(unlabelled)} not in the product table"}
    minerals = sorted(set(labels["mineral"]) if prods.mineral is None else {prods.mineral})
    stages = sorted(set(labels["stage"]))
    if len(minerals) != 1 or len(stages) != 1:
        return {**none, "net_import_reliance_note": "needs one mineral at one stage (ore or refined)"}
    usgs_stage = USGS_STAGE_FOR.get(stages[0])
    if usgs_stage is None:
        return {**none, "net_import_reliance_note": f"no USGS production statistic for stage {stages[0]!r}"}
    factors = _contained_metal_factor(prods.hs6)
    missing = [h for h in prods.hs6 if h not in factors]
    if missing:
        return {**none, "net_import_reliance_note": f"no metal-content factor for HS6 {', '.join(missing)}"}
    prod = _domestic_production(x, rep, minerals[0], usgs_stage, year)
    if prod is None or prod["tonnes"] is None:
        return {**none, "net_import_reliance_note": f"no USGS {usgs_stage} production of {minerals[0]} for {rep}"}
    q = totals
    m = float(sum(q.loc[q.hs6 == h, "imports_t"].fillna(0).sum() * f for h, f in factors.items()))
    xq = float(sum(q.loc[q.hs6 == h, "exports_t"].fillna(0).sum() * f for h, f in factors.items()))
    nir = calc_net_import_reliance(imports=m, exports=xq, production=prod["tonnes"])
    return {
        "net_import_reliance": None if math.isnan(nir) else nir,
        "net_import_reliance_detail": {
            "imports_metal_t": m,
            "exports_metal_t": xq,
            "production_t": prod["tonnes"],
            "production_year": prod["year"],
            "production_stage": usgs_stage,
            "production_basis": prod["value_text"] if prod.get("members_listed") is not None else None,
            "production_is_estimate": prod["is_estimate"],
            "metal_content_factors": factors,
            "formula": "(M - X) / (P + M - X), tonnes of contained metal",
        },
        "net_import_reliance_note": None,
    }


# --------------------------------------------------------------------------- production
def production(
    settings: Settings,
    mineral: str,
    *,
    stage: str | None = "mine",
    year: int | None = None,
    years: Sequence[int] | None = None,
    country: str | None = None,
    progress: bool = False,
) -> dict:
    """World production by country (USGS MCS), ranked, with shares and reserves.

    Shares are of the USGS world total (``WLD``) when listed, else of the sum of
    listed rows (including "Other countries"):

    .. math:: share_c = P_c / P_{world}

    Parameters
    ----------
    mineral : str
        Mineral id (``copper``) as in ``mineral_production``.
    stage : str, optional
        USGS stage word (``mine``, ``refinery``, ``smelter``, ``plant``, ``production``...).
        Default ``mine``; falls back to the only stage available if the mineral has one.
    year : int, optional
        Default: the latest year not flagged as a USGS estimate (else the latest).
    years : list of int, optional
        Several years: the top-level keys are the latest year's, and ``series`` gives per year the
        world total and, with ``country``, its production, share and rank, with year-on-year
        changes; ``years_without_data`` the years USGS does not report.
    country : str, optional
        Country to highlight (its rank and share are returned under ``country``).
    """
    wh = ensure_tables(settings, ["mineral_production", "mineral_reserves", "countries"], progress=progress)
    reserves = wh.read("mineral_reserves") if wh.has("mineral_reserves") else None
    prod, countries = wh.read("mineral_production"), wh.read("countries")
    if years is None:
        return _production_in(prod, reserves, countries, mineral, stage=stage, year=year, country=country)
    found, missing = [], []
    for y in sorted({int(v) for v in years}):
        try:
            r = _production_in(prod, reserves, countries, mineral, stage=stage, year=y, country=country)
        except EmptySelectionError:
            missing.append(y)
            continue
        if r["year"] == y:
            found.append(r)
        else:  # USGS has no such year (another year was picked)
            missing.append(y)
    if not found:
        raise EmptySelectionError(
            f"no USGS {stage} production of {mineral} for year(s) {', '.join(map(str, sorted(set(missing))))}"
        )
    rows = [
        {
            "year": r["year"],
            "world": r["world"],
            **(
                {
                    "country_value": (r.get("country") or {}).get("value"),
                    "country_share": (r.get("country") or {}).get("share"),
                    "country_rank": (r.get("country") or {}).get("rank"),
                }
                if country
                else {}
            ),
        }
        for r in found
    ]
    out = dict(found[-1])
    out.update(
        years=[r["year"] for r in found],
        years_without_data=sorted(set(missing)),
        series=with_changes(
            rows,
            relative=["world"] + (["country_value"] if country else []),
            absolute=["country_share"] if country else [],
        ),
    )
    return out


def _production_in(
    prod: pd.DataFrame,
    reserves_table: pd.DataFrame | None,
    countries: pd.DataFrame,
    mineral: str,
    *,
    stage: str | None,
    year: int | None,
    country: str | None,
) -> dict:
    """:func:`production` over the ``mineral_production`` / ``mineral_reserves`` rows already in memory."""
    m = str(mineral).strip().lower().replace(" ", "_").replace("-", "_")
    known = sorted(prod["mineral"].dropna().unique())
    if m not in known:
        raise UnknownCodeError("mineral", mineral, where="USGS mineral_production", hint=hint(m, known, "minerals"))
    p = prod[prod["mineral"] == m]
    stages = sorted(p["stage"].unique())
    if stage is None or (stage == "mine" and "mine" not in stages and len(stages) == 1):
        stage = stages[0] if stage is None or len(stages) == 1 else stage
    stage = str(stage).lower()
    if stage not in stages:
        raise UnknownCodeError(
            "production stage", stage, where=f"USGS {m}", hint=f"stages reported for {m}: {', '.join(stages)}"
        )
    p = p[p["stage"] == stage]
    years = sorted(p["year"].astype(int).unique())
    if year is None:
        firm = sorted(p.loc[~p["is_estimate"], "year"].astype(int).unique())
        year = firm[-1] if firm else years[-1]
    if int(year) not in years:
        raise EmptySelectionError(
            f"no USGS {stage} production of {m} for year {year}; years: {', '.join(map(str, years))}"
        )
    p = p[p["year"].astype(int) == int(year)].copy()
    p["detail_key"] = p["statistics_detail"].str.replace(r":\s*rounded$", "", regex=True)
    detail = p[p["iso3"].notna() & (p["iso3"] != "WLD")]["detail_key"].value_counts()
    detail_key = detail.index[0] if len(detail) else p["detail_key"].iloc[0]
    p = p[p["detail_key"] == detail_key]
    world_rows = p[p["iso3"] == "WLD"]
    listed = p[p["iso3"] != "WLD"]
    if listed.empty:
        raise EmptySelectionError(f"USGS gives only a world total for {m} {stage} {year}, no producing country")
    value_col = "value_tonnes" if listed["value_tonnes"].notna().any() else "value"
    unit = "metric tons" if value_col == "value_tonnes" else str(listed["unit"].iloc[0])
    world = (
        float(world_rows[value_col].iloc[0])
        if len(world_rows) and pd.notna(world_rows[value_col].iloc[0])
        else float(listed[value_col].fillna(0).sum())
    )
    cty = listed[listed["iso3"].notna()].copy()
    cty = cty.sort_values(value_col, ascending=False, na_position="last")
    cty["rank"] = cty[value_col].rank(ascending=False, method="min")
    reserves = _reserves_in(reserves_table, m)
    rows = []
    for r in cty.itertuples(index=False):
        v = getattr(r, value_col)
        res = reserves.get(r.iso3, {})
        rows.append(
            {
                "rank": None if pd.isna(r.rank) else int(r.rank),
                "iso3": r.iso3,
                "country": r.country,
                "value": None if pd.isna(v) else float(v),
                "value_text": r.value_text,
                "share": None if pd.isna(v) or not world > 0 else float(v) / world,
                "is_estimate": bool(r.is_estimate),
                "reserves": res.get("value"),
                "reserves_share": res.get("share"),
                "reserves_text": res.get("value_text"),
            }
        )
    others = listed[listed["iso3"].isna()]
    out = {
        "mineral": m,
        "stage": stage,
        "year": int(year),
        "statistic": detail_key,
        "unit": unit,
        "world": world,
        "world_is_rounded": bool(len(world_rows)) and "rounded" in str(world_rows["statistics_detail"].iloc[0]),
        "other_countries": float(others[value_col].fillna(0).sum()) if len(others) else None,
        "producers": rows,
        "reserves_year": reserves.get("__year__"),
        "reserves_world": reserves.get("__world__"),
        "source": "USGS Mineral Commodity Summaries 2026 (world production and reserves)",
    }
    if country is not None:
        iso = resolve_country(country, countries)
        hit = [r for r in rows if r["iso3"] == iso]
        out["country"] = (
            hit[0]
            if hit
            else {
                "iso3": iso,
                "rank": None,
                "share": None,
                "note": f"{iso} is not listed by USGS for {m} {stage} {year}",
            }
        )
    return out


def _reserves(wh: Warehouse, mineral: str) -> dict:
    return _reserves_in(wh.read("mineral_reserves") if wh.has("mineral_reserves") else None, mineral)


def _reserves_in(r: pd.DataFrame | None, mineral: str) -> dict:
    """Latest USGS reserves of ``mineral`` by ISO3 (``__year__``, ``__world__`` keys) from rows in memory."""
    if r is None:
        return {}
    r = r[r["mineral"] == mineral]
    if r.empty:
        return {}
    r = r[r["year"] == r["year"].max()]
    detail = r[r["iso3"].notna() & (r["iso3"] != "WLD")]["statistics_detail"].value_counts()
    if len(detail):
        key = detail.index[0].split(":")[0]
        r = r[r["statistics_detail"].str.split(":").str[0] == key]
    col = "value_tonnes" if r["value_tonnes"].notna().any() else "value"
    w = r[r["iso3"] == "WLD"]
    world = float(w[col].iloc[0]) if len(w) and pd.notna(w[col].iloc[0]) else None
    out: dict = {"__year__": int(r["year"].max()), "__world__": world}
    for row in r[r["iso3"].notna() & (r["iso3"] != "WLD")].itertuples(index=False):
        v = getattr(row, col)
        out[row.iso3] = {
            "value": None if pd.isna(v) else float(v),
            "value_text": row.value_text,
            "share": None if pd.isna(v) or not world else float(v) / world,
        }
    return out
