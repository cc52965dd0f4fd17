"""Scenario services: export-restriction shocks, sourcing, contracts, routes, projections.

One function per user question. Each reads the warehouse (``trade_flows``,
``tradestat_imports``, ``mineral_production``, ``metal_prices``, ``fx_rates``,
``governance``), critmin's cited parameter tables (:mod:`critmin.scenario_data`) and user
scenario files, calls :mod:`critmin.domain.scenarios` and returns results or JSON-ready dicts.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Literal, Mapping, Sequence

import numpy as np
import pandas as pd
import yaml

from critmin.config import Settings
from critmin.domain.scenarios import contracts as ct
from critmin.domain.scenarios.projection import (
    GrowthScenario,
    ProjectionModel,
    ProjectionResult,
    ProjectionSpec,
    calc_import_dependence,
)
from critmin.domain.scenarios.routes import resolve_port, sea_route
from critmin.domain.scenarios.shocks import SEVERITIES, ShockModel, ShockResult, ShockSpec
from critmin.domain.scenarios.sourcing import (
    CvarSourcingModel,
    DisruptionScenarios,
    SourcingModel,
    SourcingSpec,
    compare_results,
    minimise_concentration,
)
from critmin.errors import DataFormatError, EmptySelectionError, UnknownCodeError
from critmin.scenario_data import load_parameters, load_ports

STAGE_ALIASES = {
    "concentrate": "ore",
    "concentrates": "ore",
    "ore": "ore",
    "cathode": "refined",
    "refined": "refined",
    "intermediate": "intermediate",
    "product": "product",
}
USGS_STAGE = {"ore": "mine", "refined": "refinery"}
CURRENCY_OF = {
    "PER": "PEN",
    "CHL": "CLP",
    "AUS": "AUD",
    "IDN": "IDR",
    "BRA": "BRL",
    "CAN": "CAD",
    "MEX": "MXN",
    "ZAF": "ZAR",
    "CHN": "CNY",
    "USA": "USD",
    "PNG": "PGK",
    "TZA": "TZS",
    "PHL": "PHP",
    "MYS": "MYR",
    "SAU": "SAR",
    "OMN": "OMR",
    "NAM": "NAD",
    "ZMB": "ZMW",
    "COD": "CDF",
    "RUS": "RUB",
    "KAZ": "KZT",
    "POL": "PLN",
    "KOR": "KRW",
    "JPN": "JPY",
    "DEU": "EUR",
    "MOZ": "MZN",
    "ETH": "ETB",
    "IND": "INR",
}
Objective = Literal["cost", "concentration", "cvar"]
OBJECTIVES = ("cost", "concentration", "cvar")
UnknownTariff = Literal["exclude", "zero"]


# --------------------------------------------------------------------------- helpers
def _warehouse(settings: Settings, tables: Sequence[str]):
    from critmin.services.explorer import ensure_tables

    return ensure_tables(settings, tables)


def _read_yaml(path: str | Path) -> dict:
    p = Path(path)
    if not p.is_file():
        raise DataFormatError(p, "scenario file not found")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise DataFormatError(p, "not UTF-8 text; save the scenario file as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataFormatError(
            p, f"not valid YAML: {getattr(exc, 'problem', exc)}", row=(mark.line + 1) if mark else None
        ) from None
    if not isinstance(data, dict):
        raise DataFormatError(p, "expected a YAML mapping (key: value lines) at the top level")
    return data


def _num(data: Mapping, key: str, file, *, default=None, lo=None, hi=None, required=False) -> float | None:
    if key not in data or data[key] is None:
        if required:
            raise DataFormatError(file, f"missing required field '{key}'", field=key)
        return default
    try:
        v = float(data[key])
    except (TypeError, ValueError):
        raise DataFormatError(file, f"expected a number, got {data[key]!r}", field=key) from None
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise DataFormatError(file, f"{v} is outside the allowed range [{lo}, {hi}]", field=key)
    return v


def _elasticities(mineral: str | None, choice) -> tuple[float, float, str]:
    params = load_parameters()["elasticities"]
    if isinstance(choice, Mapping):
        return float(choice["supply"]), float(choice["demand"]), str(choice.get("source", "user scenario"))
    key = choice or "long_run"
    if key not in ("long_run", "short_run"):
        raise ValueError(f"elasticity must be long_run, short_run or a mapping, got {key!r}")
    tab = params[key]
    e = tab.get(mineral or "", tab["default"])
    return float(e["supply"]), float(e["demand"]), f"{key}: {e['source']}"


def _products(mineral=None, stage=None, hs=None) -> list[str]:
    from critmin.classify import products_for

    if stage is not None:
        st = STAGE_ALIASES.get(str(stage).lower())
        if st is None:
            raise UnknownCodeError("stage", stage, hint=f"expected one of {', '.join(STAGE_ALIASES)}")
        stage = st
    return list(dict.fromkeys(products_for(mineral=mineral, stage=stage, hs=hs)["hs6"]))


# --------------------------------------------------------------------------- 1. shocks
def load_shock_scenario(path: str | Path) -> tuple[ShockSpec, dict]:
    """Read a shock scenario YAML file into a :class:`ShockSpec` (plus the run options).

    Format (see ``examples/scenarios/*.yaml`` and ``docs/scenarios.md``)::

        name: China bans rare-earth magnet exports
        restricting: CHN
        importer: IND
        products: {mineral: rare_earths, stage: product}    # or {hs6: ["850511"]}
        severity: ban            # or {type: quota, quota_share: 0.5} / {type: export_tax, rate: 0.25}
        start: 2025-04
        duration_months: 12
        year: 2024               # trade year
        assumptions: {redirectable_fraction: 0.2, elasticity: long_run}
    """
    d = _read_yaml(path)
    for key in ("restricting", "products"):
        if key not in d:
            raise DataFormatError(path, f"missing required field '{key}'", field=key)
    prod = d["products"]
    if isinstance(prod, (list, str, int)):
        prod = {"hs6": prod if isinstance(prod, list) else [prod]}
    if not isinstance(prod, Mapping):
        raise DataFormatError(
            path, "products must be a list of HS6 codes or {mineral:, stage:} / {hs6: [...]}", field="products"
        )
    mineral = prod.get("mineral")
    hs = prod.get("hs6")
    hs = [str(h) for h in hs] if isinstance(hs, list) else ([str(hs)] if hs is not None else None)
    products = _products(mineral=mineral, stage=prod.get("stage"), hs=hs)
    if mineral is None:
        from critmin.classify import products_for

        ms = products_for(hs=products)["mineral"].unique()
        mineral = ms[0] if len(ms) == 1 else None
    sev = d.get("severity", "ban")
    quota = tax = 0.0
    if isinstance(sev, Mapping):
        kind = sev.get("type")
        quota = _num(sev, "quota_share", path, default=0.0, lo=0, hi=1)
        tax = _num(sev, "rate", path, default=0.0, lo=0)
    else:
        kind = sev
    if kind not in SEVERITIES:
        raise DataFormatError(path, f"severity must be one of {', '.join(SEVERITIES)}, got {kind!r}", field="severity")
    a = d.get("assumptions") or {}
    es, ed, esrc = _elasticities(mineral, a.get("elasticity"))
    p = load_parameters()
    spec = ShockSpec(
        restricting=str(d["restricting"]).upper(),
        products=tuple(products),
        severity=kind,
        quota_share=quota,
        export_tax=tax,
        start=str(d.get("start", "")),
        duration_months=int(_num(d, "duration_months", path, default=12, lo=1)),
        importer=str(d.get("importer", p["shock"]["importer"])).upper(),
        redirectable_fraction=_num(
            a, "redirectable_fraction", path, default=p["shock"]["redirectable_fraction"], lo=0, hi=1
        ),
        eps_supply=es,
        eps_demand=ed,
        eps_import_demand=_num(a, "eps_import_demand", path, default=p["elasticities"]["export_tax_import_demand"]),
        name=str(d.get("name", Path(path).stem)),
        sources={
            "elasticities": esrc,
            "trade": "trade_flows (CEPII BACI)",
            "production": "mineral_production (USGS MCS 2026)",
            "file": str(Path(path).name),
        },
    )
    return spec, {"year": d.get("year"), "mineral": mineral}


def _production_for(wh, products: Sequence[str], year: int) -> tuple[pd.Series | None, str]:
    from critmin.classify import products_for

    if not wh.has("mineral_production"):
        return None, "mineral_production table absent"
    prods = products_for(hs=list(products))
    stages = {USGS_STAGE.get(s) for s in prods["stage"]}
    minerals = set(prods["mineral"])
    if len(stages) != 1 or None in stages or len(minerals) != 1:
        return None, f"no USGS production stage for {', '.join(sorted(set(prods['stage'])))}"
    mp = wh.read("mineral_production")
    sel = mp[
        (mp["mineral"] == minerals.pop())
        & (mp["stage"] == stages.pop())
        & mp["iso3"].notna()
        & (mp["iso3"] != "WLD")
        & mp["value_tonnes"].notna()
    ]
    if sel.empty:
        return None, "USGS has no production for this mineral and stage"
    yr = sel.loc[sel["year"] <= year, "year"].max() if (sel["year"] <= year).any() else sel["year"].min()
    sel = sel[sel["year"] == yr]
    return sel.groupby("iso3")["value_tonnes"].sum(), f"USGS {yr}"


def run_shock(settings: Settings, scenario: str | Path | ShockSpec, *, year: int | None = None) -> ShockResult:
    """Run an export-restriction shock (file or spec) against the warehouse."""
    if isinstance(scenario, ShockSpec):
        spec, opts = scenario, {}
    else:
        spec, opts = load_shock_scenario(scenario)
    if set(spec.products) == {"260300"}:
        return _concentrate_shock(settings, spec, year=year or opts.get("year"))
    wh = _warehouse(settings, ["trade_flows", "mineral_production"])
    flows = wh.read("trade_flows")
    year = int(year or opts.get("year") or flows["year"].max())
    f = flows[(flows["year"] == year) & flows["hs6"].isin(spec.products)]
    if f.empty:
        raise EmptySelectionError(f"trade_flows has no flows for {', '.join(spec.products)} in {year}")
    known = set(flows["exporter"]) | set(flows["importer"])
    for who, code in (("restricting", spec.restricting), ("importer", spec.importer)):
        if code not in known:
            raise UnknownCodeError("country", code, where=f"the scenario field '{who}'", hint="use ISO3 codes")
    production, basis = _production_for(wh, spec.products, year)
    res = replace(ShockModel(spec).run(f, production), period=f"CY{year}")
    res.assumptions.append(f"trade year {year} (calendar year); production basis: {basis}")
    return res


def _concentrate_shock(settings: Settings, spec: ShockSpec, *, year=None) -> ShockResult:
    """A shock on copper concentrate (HS 2603), which the BACI extract lacks.

    * India's imports by partner: ``tradestat_imports`` (DGCI&S, calendar year, USD); tonnes of
      copper content = value / (Pink Sheet copper mean of that year x payable 0.965);
    * spare capacity of each other producer = redirectable fraction x its exportable surplus
      ``max(0, mine - refinery production)`` (USGS; no world concentrate trade is available);
    * world supply for the price effect = USGS mine production by country.
    """
    if spec.importer != "IND":
        raise EmptySelectionError("copper-concentrate shocks use India's TradeStat imports; importer must be IND")
    wh = _warehouse(settings, ["tradestat_imports", "mineral_production", "metal_prices"])
    ts = wh.read("tradestat_imports")
    ts = ts[ts["hs_code"] == "2603"]  # copper ores and concentrates (the table holds other reports too)
    periods = sorted(p for p in ts["period"].unique() if str(p).startswith("CY"))
    period = f"CY{int(year)}" if year else periods[-1]
    if period not in periods:
        raise EmptySelectionError(f"tradestat_imports has no {period}; available: {', '.join(periods)}")
    yr = int(period[2:])
    imp = ts[(ts["period"] == period) & (ts["partner_iso3"] != "WLD") & (ts["value_usd"] > 0)]
    price, price_src = _copper_price(wh, yr)
    payable = load_parameters()["contracts"]["copper_concentrate"]["payable_pct"]
    flows = pd.DataFrame(
        {
            "exporter": imp["partner_iso3"].to_numpy(),
            "importer": "IND",
            "hs6": "260300",
            "value_usd": imp["value_usd"].to_numpy(),
            "qty_t": imp["value_usd"].to_numpy() / (price * payable),
        }
    )
    mp = wh.read("mineral_production")
    mine = mp[
        (mp["mineral"] == "copper")
        & (mp["stage"] == "mine")
        & mp["iso3"].notna()
        & (mp["iso3"] != "WLD")
        & mp["value_tonnes"].notna()
    ]
    py = int(mine.loc[mine["year"] <= yr, "year"].max())
    prod = mine[mine["year"] == py].groupby("iso3")["value_tonnes"].sum()
    surplus, _ = concentrate_surplus(wh, yr)
    spare = pd.DataFrame(
        {
            "partner": surplus.index,
            "spare_t": spec.redirectable_fraction * surplus.to_numpy(),
            "basis": f"{spec.redirectable_fraction:g} x USGS {py} (mine - refinery) production",
        }
    )
    res = replace(ShockModel(spec).run(flows, spare=spare, world_supply=prod), period=period)
    res.assumptions.extend(
        [
            f"copper concentrate: India's imports from tradestat_imports {period} (DGCI&S TradeStat, USD); tonnes are "
            f"copper content = value / ({price_src} x payable {payable})",
            f"spare capacity = {spec.redirectable_fraction:g} x the exportable concentrate surplus max(0, mine - "
            f"refinery production), USGS {py} (the bundle has no world concentrate trade); world supply for the "
            f"price effect = USGS mine production",
        ]
    )
    return res


# --------------------------------------------------------------------------- tariffs
def read_tariff_file(path: str | Path) -> pd.DataFrame:
    """A user tariff CSV: ``reporter, partner, hs6 (or hs), year, rate`` (rate in percent), optional ``source``."""
    from critmin.domain.policy.tariffs import validate_tariff_frame

    p = Path(path)
    if not p.is_file():
        raise DataFormatError(p, "tariff file not found")
    try:
        df = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError:
        raise DataFormatError(p, "not UTF-8 text") from None
    except pd.errors.ParserError as exc:
        raise DataFormatError(p, f"not a valid CSV: {exc}") from None
    if "hs6" in df.columns and "hs" not in df.columns:
        df = df.rename(columns={"hs6": "hs"})
    if "source" not in df.columns:
        df["source"] = f"user file {p.name}"
    df["source"] = df["source"].where(df["source"].str.strip() != "", f"user file {p.name}")
    return validate_tariff_frame(df, file=str(p))


def mfn_what_if(reporter: str, hs6: str, rate_pct: float, *, year: int = 2024, source: str) -> pd.DataFrame:
    """A one-row tariff frame setting a what-if MFN rate (percent) for ``hs6`` from ``year`` on."""
    from critmin.domain.policy.tariffs import validate_tariff_frame

    return validate_tariff_frame(
        pd.DataFrame(
            [{"reporter": reporter, "partner": "WLD", "year": year, "hs": hs6, "rate": str(rate_pct), "source": source}]
        ),
        file="what-if tariff",
    )


def _default_tariff_table():
    """critmin's cited starter tariff table (``critmin/tariff_data/starter_tariffs.csv``)."""
    from critmin.services.tariffs import starter_tariffs

    return starter_tariffs()


def tariff_lookup(
    reporter: str,
    partners: Sequence[str],
    hs6: str,
    year: int,
    *,
    tariffs: Mapping[str, float] | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Tariff (fraction) per partner for one HS6 line and year, with its basis.

    Order: a ``{partner: rate}`` mapping (fractions) -> preferential rows of a tariff frame ->
    MFN (``WLD``) rows, where rows of the frame override critmin's starter table
    (``tariff_data/starter_tariffs.csv``) -> unknown (NaN, never guessed).
    """
    from critmin.domain.policy.tariffs import TariffTable

    out = pd.DataFrame({"partner": list(partners)})
    out["tariff_rate"] = np.nan
    out["tariff_basis"] = "unknown"
    if isinstance(tariffs, Mapping):
        m = out["partner"].map({k.upper(): float(v) for k, v in tariffs.items()})
        out.loc[m.notna(), "tariff_rate"] = m[m.notna()]
        out.loc[m.notna(), "tariff_basis"] = "user mapping"
        frame = None
    else:
        frame = tariffs
    base = _default_tariff_table()
    table = base.combine(TariffTable(frame, file="tariff table")) if frame is not None and len(frame) else base
    for i, p in enumerate(out["partner"]):
        if pd.notna(out.at[i, "tariff_rate"]):
            continue
        pref = table.rates(reporter, [hs6], year, partner=p, duty_type="PRF").iloc[0]
        if pref["known"]:
            out.at[i, "tariff_rate"], out.at[i, "tariff_basis"] = pref["rate"], f"PRF: {pref['source']}"
            continue
        mfn = table.rates(reporter, [hs6], year, partner="WLD", duty_type="MFN").iloc[0]
        if mfn["known"]:
            out.at[i, "tariff_rate"], out.at[i, "tariff_basis"] = mfn["rate"], f"MFN: {mfn['source']}"
    return out


def fta_rate(
    base_rate: float, year: int, *, entry_year: int, phase_in_years: int = 0, target_rate: float = 0.0
) -> float:
    """Tariff under an FTA in ``year``: linear staging from ``base_rate`` to ``target_rate``.

    ``rate = base - (base - target) * min(1, (year - entry + 1) / N)`` from entry (N = phase-in years,
    0 = immediate), ``base`` before entry into force.
    """
    if year < entry_year:
        return base_rate
    n = max(int(phase_in_years), 1)
    done = min(1.0, (year - entry_year + 1) / n)
    return base_rate - (base_rate - target_rate) * done


# --------------------------------------------------------------------------- 2. sourcing
def _fx_premium(wh, currencies: Mapping[str, str]) -> dict[str, float]:
    p = load_parameters()["fx_risk"]
    if not wh.has("fx_rates"):
        return {}
    fx = wh.read("fx_rates")
    fx = fx[(fx["month"] >= "2015-01-01") & (fx["month"] < "2025-01-01")]
    out = {}
    for iso, cur in currencies.items():
        s = fx[fx["currency"] == cur].sort_values("month")["units_per_usd"]
        if len(s) > 24 and cur != "USD":
            vol = float(np.log(s).diff().std() * math.sqrt(12))
            out[iso] = p["multiplier"] * vol
        elif cur == "USD":
            out[iso] = 0.0
    return out


def _copper_price(wh, year: int) -> tuple[float, str]:
    mp = wh.read("metal_prices")
    cu = mp[mp["series"] == "copper"].sort_values("month")
    if cu.empty:
        raise EmptySelectionError("metal_prices has no copper series")
    yrs = cu["month"].dt.year
    full = cu.groupby(yrs)["price"].agg(["mean", "count"])
    full = full[full["count"] == 12]
    if year in full.index:
        return float(full.loc[year, "mean"]), f"Pink Sheet copper {year} average"
    last = cu.tail(12)
    return float(last["price"].mean()), (
        f"Pink Sheet copper, mean of the last 12 months "
        f"({last['month'].iloc[0]:%Y-%m} to {last['month'].iloc[-1]:%Y-%m}), held flat"
    )


def _freight_per_t(
    partners: Sequence[str],
    destination: str,
    rate_per_1000nm: float,
    freight_table: Mapping[str, float] | None,
    geo: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Freight per gross tonne: user table, else sea distance from the partner's port in critmin's port
    table, else from its main city in GeoDist (``geo_countries``; coastal countries only) x the rate."""
    from critmin.domain.scenarios.routes import sea_route_points

    ports = load_ports()
    dest = resolve_port(destination, ports)
    rows = []
    for p in partners:
        if freight_table and p in freight_table:
            rows.append((p, float(freight_table[p]), "user freight table", None, None))
            continue
        cand = ports[(ports["iso3"] == p) & (ports["role"] == "supplier")]
        if not cand.empty:
            r = sea_route(str(cand.iloc[0]["port"]), str(dest.port), ports=ports)
            where = f"{r.origin} -> {r.destination}"
        else:
            city = None if geo is None else geo[(geo["iso3"] == p)]
            if city is None or city.empty or int(city.iloc[0]["landlocked"] or 0) == 1:
                rows.append((p, np.nan, "no port in critmin's port table (landlocked or unknown)", None, None))
                continue
            c = city.iloc[0]
            r = sea_route_points(
                (float(c["lon"]), float(c["lat"])),
                (float(dest.lon), float(dest.lat)),
                labels=(f"{c['city_en']} (GeoDist main city)", str(dest.port)),
            )
            where = f"{r.origin} -> {r.destination}"
        rows.append(
            (
                p,
                r.distance_nm / 1000.0 * rate_per_1000nm,
                f"{where} {r.distance_nm:,.0f} nm x USD {rate_per_1000nm}/t/1000nm",
                r.origin,
                r.distance_nm,
            )
        )
    return pd.DataFrame(rows, columns=["partner", "freight_usd_t_gross", "freight_basis", "port", "distance_nm"])


def read_freight_file(path: str | Path) -> dict[str, float]:
    """A freight CSV ``partner,usd_per_t`` (USD per gross tonne shipped)."""
    p = Path(path)
    if not p.is_file():
        raise DataFormatError(p, "freight file not found")
    df = pd.read_csv(p, dtype=str, keep_default_na=False)
    for col in ("partner", "usd_per_t"):
        if col not in df.columns:
            raise DataFormatError(p, f"missing column '{col}'; expected partner,usd_per_t", field=col)
    v = pd.to_numeric(df["usd_per_t"], errors="coerce")
    bad = v.isna() | (v < 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFormatError(
            p, f"usd_per_t must be a non-negative number, got {df['usd_per_t'].iloc[i]!r}", row=i + 1, field="usd_per_t"
        )
    return dict(zip(df["partner"].str.upper(), v))


def sourcing_candidates(
    settings: Settings,
    mineral: str,
    stage: str,
    year: int,
    *,
    importer: str = "IND",
    destination: str = "Mundra",
    fta: Sequence[str] = (),
    with_fta: bool = True,
    tariffs=None,
    freight_table: Mapping[str, float] | None = None,
    available_share: float | None = None,
    unknown_tariff: UnknownTariff = "exclude",
    fta_entry_year: int | None = None,
    fta_phase_in_years: int | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Candidate suppliers with capacity, price, tariff, freight and FX premium, plus notes.

    Copper concentrate (HS 260300): quantities are tonnes of **copper content**; capacity is
    ``available_share x`` the exportable surplus ``max(0, mine - refinery)`` (USGS), price the Pink Sheet LME copper price x the
    payable fraction, freight per tonne of concentrate divided by its typical grade. Other
    products: gross tonnes from ``trade_flows``; capacity ``available_share x`` the supplier's
    exports, price its export unit value.
    """
    if unknown_tariff not in ("exclude", "zero"):
        raise ValueError(f"unknown_tariff must be 'exclude' or 'zero', got {unknown_tariff!r}")
    params = load_parameters()
    share = params["sourcing"]["available_share_of_mine_output"] if available_share is None else available_share
    products = _products(mineral=mineral, stage=stage)
    hs6 = products[0]
    notes: dict = {"assumptions": [], "sources": {}}
    wh = _warehouse(settings, ["trade_flows", "mineral_production", "metal_prices", "fx_rates", "geo_countries"])
    from critmin.classify.metal_content import metal_factor

    if hs6 == "260300":
        surplus, py = concentrate_surplus(wh, year)
        surplus = surplus.drop(index=[importer], errors="ignore")
        cand = pd.DataFrame({"partner": surplus.index, "production_t": surplus.to_numpy()})
        cand = cand[cand["production_t"] > 0].reset_index(drop=True)
        cand["capacity_t"] = share * cand["production_t"]
        lme, lme_src = _copper_price(wh, year)
        payable = params["contracts"]["copper_concentrate"]["payable_pct"]
        cand["price_usd_t"] = lme * payable
        grade = metal_factor("260300")
        unit = "t Cu content"
        notes["assumptions"] += [
            f"capacity = {share:g} x exportable concentrate surplus = max(0, mine - refinery production), "
            f"USGS {py}, t Cu content (refinery output includes scrap and imported feed, so countries that "
            f"smelt more than they mine get no surplus)",
            f"price = {lme_src} x payable {payable} = USD {lme * payable:,.0f}/t Cu (same for every supplier)",
            f"freight per t Cu = freight per t concentrate / typical grade {grade} (classification metal_content)",
            "HS 2603 is not in the BACI extract; current Indian imports by partner are in tradestat_imports (USD only)",
        ]
        notes["sources"].update({"capacity": f"mineral_production (USGS MCS 2026, {py})", "price": lme_src})
        gross_per_unit = 1.0 / grade
    else:
        tf = wh.read("trade_flows")
        f = tf[tf["hs6"].isin(products) & (tf["exporter"] != importer)]
        fy = int(f.loc[f["year"] <= year, "year"].max())
        f = f[f["year"] == fy].dropna(subset=["qty_t"])
        g = f.groupby("exporter")[["value_usd", "qty_t"]].sum()
        g = g[g["qty_t"] > 0]
        cand = pd.DataFrame(
            {
                "partner": g.index,
                "exports_t": g["qty_t"].to_numpy(),
                "price_usd_t": (g["value_usd"] / g["qty_t"]).to_numpy(),
            }
        )
        world_uv = float(g["value_usd"].sum() / g["qty_t"].sum())
        odd = (cand["price_usd_t"] < 0.5 * world_uv) | (cand["price_usd_t"] > 2.0 * world_uv)
        notes["unit_value_outliers"] = cand.loc[odd, "partner"].tolist()
        cand = cand[~odd].reset_index(drop=True)
        cand["capacity_t"] = share * cand["exports_t"]
        unit = "t gross weight"
        notes["assumptions"] += [
            f"capacity = {share:g} x the supplier's {fy} exports of {', '.join(products)}",
            "price = the supplier's export unit value (BACI value / quantity); suppliers whose "
            f"unit value is below 0.5x or above 2x the world's (USD {world_uv:,.0f}/t) are left "
            "out as quantity errors",
        ]
        notes["sources"].update({"capacity": f"trade_flows (BACI {fy})", "price": f"trade_flows (BACI {fy})"})
        gross_per_unit = 1.0
    # freight
    rate = params["freight"]["usd_per_t_per_1000nm"]
    geo = None
    if wh.has("geo_countries"):
        geo = wh.read("geo_countries")
        geo = geo[geo["maincity"] == 1] if "maincity" in geo.columns else geo
    fr = _freight_per_t(cand["partner"], destination, rate, freight_table, geo)
    cand = cand.merge(fr, on="partner", how="left")
    cand["freight_usd_t"] = cand["freight_usd_t_gross"] * gross_per_unit
    notes["assumptions"].append(
        f"freight = sea distance (searoute, critmin port table) x USD {rate}/t per "
        f"1,000 nm ({params['freight']['source']}) unless a freight table is given"
    )
    # tariffs (base) and FTA
    tl = tariff_lookup(importer, list(cand["partner"]), hs6, year, tariffs=tariffs)
    cand = cand.merge(tl, on="partner", how="left")
    fta = tuple(p.upper() for p in fta)
    fd = dict(params["tariffs"]["fta_default"])
    if fta_entry_year is not None:
        fd["entry_year"] = int(fta_entry_year)
    if fta_phase_in_years is not None:
        fd["phase_in_years"] = int(fta_phase_in_years)
    if with_fta and fta:
        is_f = cand["partner"].isin(fta) & cand["tariff_rate"].notna()
        cand.loc[is_f, "tariff_rate"] = [
            fta_rate(r, year, entry_year=fd["entry_year"], phase_in_years=fd["phase_in_years"], target_rate=fd["rate"])
            for r in cand.loc[is_f, "tariff_rate"]
        ]
        cand.loc[is_f, "tariff_basis"] = (
            f"FTA: to {fd['rate']:.0%} from {fd['entry_year']}, phase-in "
            f"{fd['phase_in_years']} years (assumption; "
            f"base {cand.loc[is_f, 'tariff_basis'].iloc[0] if is_f.any() else ''})"
        )
    unknown = cand.loc[cand["tariff_rate"].isna(), "partner"].tolist()
    if unknown_tariff == "zero":
        cand.loc[cand["tariff_rate"].isna(), "tariff_basis"] = "unknown, set to 0 on request"
        cand["tariff_rate"] = cand["tariff_rate"].fillna(0.0)
    # FX premium
    cur = {p: CURRENCY_OF[p] for p in cand["partner"] if p in CURRENCY_OF}
    prem = _fx_premium(wh, cur)
    cand["fx_premium_rate"] = cand["partner"].map(prem)
    no_fx = cand.loc[cand["fx_premium_rate"].isna(), "partner"].tolist()
    cand["fx_premium_rate"] = cand["fx_premium_rate"].fillna(params["fx_risk"]["default_premium"])
    notes["assumptions"].append(
        f"FX premium = {params['fx_risk']['multiplier']} x annualised volatility of the "
        f"supplier currency per USD, 2015-2024 (fx_rates); "
        f"{params['fx_risk']['default_premium']} where unknown"
    )
    no_freight = cand.loc[cand["freight_usd_t"].isna(), "partner"].tolist()
    drop = set(no_freight) | (set(unknown) if unknown_tariff == "exclude" else set())
    notes.setdefault("unit_value_outliers", [])
    notes.update(
        {
            "unit": unit,
            "hs6": hs6,
            "unknown_tariffs": unknown,
            "missing_freight": no_freight,
            "no_fx_premium_data": no_fx,
            "excluded_missing_data": sorted(drop),
        }
    )
    kept = cand[~cand["partner"].isin(drop)].reset_index(drop=True)
    if kept.empty:
        raise EmptySelectionError(
            f"no candidate supplier left for {mineral} {stage} ({hs6}): unknown tariff for "
            f"{', '.join(unknown) or 'none'}; missing freight for {', '.join(no_freight) or 'none'}. "
            f"Give rates with --tariffs FILE (reporter,partner,hs6,year,rate) or accept them as 0 with "
            f"--unknown-tariff zero (they are reported either way)"
        )
    return kept, notes


def concentrate_surplus(wh, year: int) -> tuple[pd.Series, int]:
    """Exportable copper-concentrate surplus by country: ``max(0, mine - refinery production)`` (t Cu).

    USGS ``mineral_production`` for the latest year <= ``year``; a country with mine but no refinery
    row counts its whole mine output.
    """
    mp = wh.read("mineral_production")
    cu = mp[(mp["mineral"] == "copper") & mp["iso3"].notna() & (mp["iso3"] != "WLD") & mp["value_tonnes"].notna()]
    mine_all = cu[cu["stage"] == "mine"]
    if mine_all.empty:
        raise EmptySelectionError("mineral_production has no copper mine production")
    py = (
        int(mine_all.loc[mine_all["year"] <= year, "year"].max())
        if (mine_all["year"] <= year).any()
        else int(mine_all["year"].max())
    )
    mine = mine_all[mine_all["year"] == py].groupby("iso3")["value_tonnes"].sum()
    ref = cu[(cu["stage"] == "refinery") & (cu["year"] == py)].groupby("iso3")["value_tonnes"].sum()
    return (mine - ref.reindex(mine.index).fillna(0.0)).clip(lower=0.0), py


def default_demand(settings: Settings, mineral: str, year: int) -> tuple[float, str]:
    """Demand (t) for a sourcing year: the central projection's imports (copper concentrate)."""
    if mineral != "copper":
        raise EmptySelectionError(f"no default demand for {mineral}; pass --demand TONNES")
    res = projection(settings, "copper", end_year=max(year, 2031))
    p = res.paths
    v = float(p[(p["scenario"] == "central") & (p["year"] == year)]["imports"].iloc[0]) * 1000.0
    return v, f"central import projection for {year} (t Cu content)"


def sourcing(
    settings: Settings,
    mineral: str,
    stage: str,
    year: int,
    *,
    importer: str = "IND",
    destination: str = "Mundra",
    demand_t: float | None = None,
    max_share: float | None = 0.65,
    fta: Sequence[str] = (),
    min_fta_share: float | None = None,
    exclude: Sequence[str] = (),
    tariffs=None,
    freight_table: Mapping[str, float] | None = None,
    available_share: float | None = None,
    objective: Objective = "cost",
    budget_slack: float = 0.02,
    cvar_scenarios: int = 1000,
    cvar_alpha: float = 0.95,
    shortfall_penalty_usd_t: float | None = None,
    seed: int = 1,
    unknown_tariff: UnknownTariff = "exclude",
    fta_entry_year: int | None = None,
    fta_phase_in_years: int | None = None,
    cvar_shocks: Sequence[tuple[str | Path | ShockSpec, float]] = (),
) -> dict:
    """Optimal sourcing with and without the FTA(s), side by side; JSON-ready dict.

    ``objective``: ``cost`` (LP, HiGHS), ``concentration`` (governance-weighted HHI within
    ``(1 + budget_slack) x`` the minimum cost, cvxpy) or ``cvar`` (mean-CVaR LP over
    ``cvar_scenarios`` random disruptions, probability from WGI political stability; or, with
    ``cvar_shocks = [(shock file or spec, probability), ...]``, the shock scenarios of
    :func:`run_shock`'s format, each cutting the restricting supplier by its loss fraction).
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
    if demand_t is None:
        demand_t, demand_src = default_demand(settings, mineral, year)
    else:
        demand_src = "user"
    exclude = tuple(e.upper() for e in exclude)
    fta = tuple(p.upper() for p in fta)
    runs, notes_all = {}, {}
    labels = [("without_fta", False)] + ([("with_fta", True)] if fta else [])
    for label, flag in labels:
        cand, notes = sourcing_candidates(
            settings,
            mineral,
            stage,
            year,
            importer=importer,
            destination=destination,
            fta=fta,
            with_fta=flag,
            tariffs=tariffs,
            freight_table=freight_table,
            available_share=available_share,
            unknown_tariff=unknown_tariff,
            fta_entry_year=fta_entry_year,
            fta_phase_in_years=fta_phase_in_years,
        )
        spec = SourcingSpec(
            cand,
            demand_t,
            max_share=max_share,
            fta_partners=fta,
            min_fta_share=min_fta_share if flag else None,
            excluded=exclude,
        )
        res = SourcingModel(spec).solve()
        if objective == "concentration":
            risk = _governance_risk(settings, list(cand["partner"]))
            res = minimise_concentration(
                spec, cost_budget_usd=res.total_cost_usd * (1 + budget_slack), risk_weights=1.0 + risk
            )
        elif objective == "cvar":
            partners = list(spec.candidates()["partner"])
            if cvar_shocks:
                from critmin.domain.scenarios.shocks import disruption_scenarios_from_shocks

                specs = [
                    (sh if isinstance(sh, ShockSpec) else load_shock_scenario(sh)[0], float(p)) for sh, p in cvar_shocks
                ]
                m = disruption_scenarios_from_shocks(specs, partners)
                scen = DisruptionScenarios(m[partners], m["probability"].to_numpy())
            else:
                scen = _random_disruptions(settings, partners, cvar_scenarios, seed)
            pen = shortfall_penalty_usd_t or float(cand["price_usd_t"].median()) * 0.25
            res = CvarSourcingModel(spec, scen, shortfall_penalty_usd_t=pen, alpha=cvar_alpha).solve()
        runs[label], notes_all[label] = res, notes
    main_label = "with_fta" if fta else "without_fta"
    main = runs[main_label]
    out = main.to_dict()
    notes = notes_all[main_label]
    out.update(
        {
            "mineral": mineral,
            "stage": stage,
            "year": year,
            "importer": importer,
            "destination": destination,
            "unit": notes["unit"],
            "hs6": notes["hs6"],
            "demand_source": demand_src,
            "fta_partners": list(fta),
            "excluded": list(exclude),
            "unknown_tariffs": notes["unknown_tariffs"],
            "excluded_missing_data": notes["excluded_missing_data"],
            "unit_value_outliers": notes["unit_value_outliers"],
            "tariff_basis": dict(zip(main.allocation["partner"], main.allocation["tariff_basis"])),
            "assumptions": notes["assumptions"],
            "sources": notes["sources"],
        }
    )
    out["scenarios"] = {
        k: {"total_cost_usd": r.total_cost_usd, "hhi": r.hhi, "allocation": r.to_dict()["allocation"]}
        for k, r in runs.items()
    }
    if fta:
        cmp = compare_results(runs)
        out["comparison"] = cmp.to_dict(orient="records")
        out["fta_saving_usd"] = runs["without_fta"].total_cost_usd - runs["with_fta"].total_cost_usd
    return out


def _governance_risk(settings: Settings, partners: Sequence[str]) -> pd.Series:
    """Governance risk 0-1 = 1 - mean WGI percentile rank / 100 (latest year); 0.5 where missing."""
    wh = _warehouse(settings, ["governance"])
    g = wh.read("governance")
    g = g[g["year"] == g["year"].max()]
    r = 1.0 - g.groupby("iso3")["percentile_rank"].mean() / 100.0
    return pd.Series({p: float(r.get(p, 0.5)) for p in partners})


def _random_disruptions(settings: Settings, partners: Sequence[str], n: int, seed: int) -> DisruptionScenarios:
    """``n`` scenarios; supplier *i* fails (delivers 0) with probability ``0.1 x (1 - pv percentile / 100)``."""
    wh = _warehouse(settings, ["governance"])
    g = wh.read("governance")
    g = g[(g["indicator"] == "pv") & (g["year"] == g["year"].max())].set_index("iso3")["percentile_rank"]
    p_fail = np.array([0.1 * (1 - float(g.get(p, 50.0)) / 100.0) for p in partners])
    rng = np.random.default_rng(seed)
    fail = rng.random((n, len(partners))) < p_fail
    return DisruptionScenarios(pd.DataFrame(np.where(fail, 0.0, 1.0), columns=list(partners)))


# --------------------------------------------------------------------------- 3. contracts
def _latest_fx(wh, currency: str, month: str | None = None) -> tuple[float, str]:
    fx = wh.read("fx_rates")
    s = fx[fx["currency"] == currency].sort_values("month")
    if s.empty:
        raise UnknownCodeError("currency", currency, where="fx_rates")
    if month:
        s = s[s["month"] <= pd.Timestamp(month)]
    # the last month of the bundle rests on 2 days: prefer the last complete one
    row = s.iloc[-2] if len(s) > 1 and s["month"].iloc[-1] >= pd.Timestamp("2025-01-01") and not month else s.iloc[-1]
    return float(row["units_per_usd"]), f"fx_rates {currency} {row['month']:%Y-%m}"


def load_contract_scenario(path: str | Path) -> dict:
    """Read a contract scenario YAML (see ``examples/scenarios/contract_peru_copper.yaml``)."""
    d = _read_yaml(path)
    for k in ("dmt", "grade"):
        _num(d, k, path, required=True, lo=0)
    return d


def run_contract(settings: Settings, scenario: str | Path | Mapping) -> dict:
    """Concentrate contract economics, FX sensitivity and a historical back-test."""
    d = load_contract_scenario(scenario) if not isinstance(scenario, Mapping) else dict(scenario)
    where = scenario if not isinstance(scenario, Mapping) else "contract scenario"
    par = load_parameters()["contracts"]["copper_concentrate"]
    wh = _warehouse(settings, ["metal_prices", "fx_rates"])
    sources = {"tc_rc": par["tc_rc_source"]}
    lme = d.get("lme_usd_t", "latest")
    if lme == "latest":
        cu = wh.read("metal_prices")
        cu = cu[cu["series"] == "copper"].sort_values("month")
        lme = float(cu["price"].iloc[-1])
        sources["lme"] = f"Pink Sheet copper {cu['month'].iloc[-1]:%Y-%m}"
    else:
        lme = _num(d, "lme_usd_t", where, lo=0)
        sources["lme"] = "scenario"
    fx = d.get("fx") or {}
    rates = {}
    for cur in ("INR", "PEN", "CLP"):
        v = fx.get(cur, "latest")
        if v == "latest":
            rates[cur], sources[cur] = _latest_fx(wh, cur)
        else:
            rates[cur] = _num(fx, cur, where, lo=0)
            sources[cur] = "scenario"
    c = ct.ConcentrateContract(
        dmt=_num(d, "dmt", where, lo=0),
        grade=_num(d, "grade", where, lo=0, hi=1),
        lme_usd_t=lme,
        payable_pct=_num(d, "payable_pct", where, default=par["payable_pct"], lo=0, hi=1),
        min_deduction=_num(d, "min_deduction", where, default=par["min_deduction_units"], lo=0),
        tc_usd_per_dmt=_num(d, "tc_usd_per_dmt", where, default=par["tc_usd_per_dmt"], lo=0),
        rc_usd_per_lb=_num(d, "rc_usd_per_lb", where, default=par["rc_usd_per_lb"], lo=0),
        freight_usd_per_dmt=_num(d, "freight_usd_per_dmt", where, default=0.0, lo=0),
        tariff_rate=_num(d, "tariff_rate", where, default=0.0, lo=0, hi=1),
        inr_per_usd=rates["INR"],
        pen_per_usd=rates["PEN"],
        clp_per_usd=rates["CLP"],
    )
    value = ct.calc_contract_value(c)
    shocks = tuple(d.get("sensitivity", (-0.10, -0.05, 0.05, 0.10)))
    sens = ct.fx_sensitivity(c, shocks=shocks)
    out = {
        "name": d.get("name", ""),
        "contract": value,
        "sensitivity": sens.to_dict(orient="records"),
        "sources": sources,
        "convention": "payable Cu = dmt x min(payable% x grade, grade - min deduction); invoice = payable Cu x LME "
        "- TC x dmt - RC x payable lb; importer cost = (invoice + freight) x (1 + tariff) x INR/USD; "
        "mine revenue = invoice x PEN/USD",
    }
    if d.get("lme_path") or d.get("fx_path"):
        out["path"] = _contract_path(c, d.get("lme_path") or {}, d.get("fx_path") or {}, where)
    bt = d.get("backtest")
    if bt:
        out["backtest"] = contract_backtest(
            settings, c, start=str(bt.get("start", "2015-01")), end=str(bt.get("end", "2025-01"))
        )
    return out


def _contract_path(c: ct.ConcentrateContract, lme_path: Mapping, fx_path: Mapping, where) -> list[dict]:
    """Value the contract along user price/FX paths (``{year: value}``); gaps carry the last value."""
    years = sorted({int(y) for y in lme_path} | {int(y) for cur in fx_path.values() for y in cur})
    field_of = {"INR": "inr_per_usd", "PEN": "pen_per_usd", "CLP": "clp_per_usd"}
    for cur in fx_path:
        if cur not in field_of:
            raise DataFormatError(
                where, f"fx_path currency must be one of {', '.join(field_of)}, got {cur!r}", field="fx_path"
            )
    rows, cur_c = [], c
    for y in years:
        changes = {}
        if y in {int(k) for k in lme_path}:
            changes["lme_usd_t"] = float({int(k): v for k, v in lme_path.items()}[y])
        for cur, path in fx_path.items():
            p = {int(k): v for k, v in path.items()}
            if y in p:
                changes[field_of[cur]] = float(p[y])
        cur_c = cur_c.with_(**changes)
        v = ct.calc_contract_value(cur_c)
        rows.append(
            {
                "year": y,
                **{
                    k: v[k]
                    for k in (
                        "lme_usd_t",
                        "inr_per_usd",
                        "pen_per_usd",
                        "invoice_usd",
                        "landed_cost_usd",
                        "importer_cost_inr",
                        "mine_revenue_pen",
                    )
                },
            }
        )
    return rows


def contract_backtest(
    settings: Settings, contract: ct.ConcentrateContract, *, start: str = "2015-01", end: str = "2025-01"
) -> dict:
    """Value ``contract`` in every month with Pink Sheet copper and fx_rates INR and PEN."""
    wh = _warehouse(settings, ["metal_prices", "fx_rates"])
    mp = wh.read("metal_prices")
    cu = mp[mp["series"] == "copper"][["month", "price"]].rename(columns={"price": "lme_usd_t"})
    fx = wh.read("fx_rates")
    fx = fx[fx["currency"].isin(["INR", "PEN"])].pivot(index="month", columns="currency", values="units_per_usd")
    fx = fx.rename(columns={"INR": "inr_per_usd", "PEN": "pen_per_usd"}).reset_index()
    h = cu.merge(fx, on="month")
    h = h[(h["month"] >= pd.Timestamp(start)) & (h["month"] <= pd.Timestamp(end))]
    if h.empty:
        raise EmptySelectionError(f"no months with copper price and INR/PEN rates between {start} and {end}")
    bt = ct.backtest_contract(contract, h)
    cost, rev = bt["importer_cost_inr"], bt["mine_revenue_pen"]
    return {
        "months": len(bt),
        "start": f"{bt['month'].iloc[0]:%Y-%m}",
        "end": f"{bt['month'].iloc[-1]:%Y-%m}",
        "importer_cost_inr": {"min": float(cost.min()), "max": float(cost.max()), "mean": float(cost.mean())},
        "mine_revenue_pen": {"min": float(rev.min()), "max": float(rev.max()), "mean": float(rev.mean())},
        "corr_cost_inr_vs_inr_rate": float(np.corrcoef(np.log(cost), np.log(bt["inr_per_usd"]))[0, 1]),
        "series": bt.assign(month=bt["month"].dt.strftime("%Y-%m")).to_dict(orient="records"),
    }


# --------------------------------------------------------------------------- 4. routes
def route(
    origin: str,
    destination: str,
    *,
    speed_knots: float | None = None,
    closed: Sequence[str] = (),
    with_path: bool = False,
) -> dict:
    """Distance, sailing days and chokepoints between two ports; with ``closed``, also the open-route baseline."""
    sp = speed_knots or load_parameters()["freight"]["speed_knots"]
    r = sea_route(origin, destination, speed_knots=sp, closed=tuple(closed))
    out = r.to_dict(with_path=with_path)
    if closed:
        base = sea_route(origin, destination, speed_knots=sp)
        out["baseline"] = base.to_dict()
        out["extra_km"] = r.distance_km - base.distance_km
        out["extra_days"] = r.days - base.days
    out["source"] = "searoute (Eurostat marine network) between critmin's port coordinates"
    return out


def route_paths(origins: Sequence[str], destination: str, *, closed: Sequence[str] = ()) -> list[dict]:
    return [route(o, destination, closed=closed, with_path=True) for o in origins]


# --------------------------------------------------------------------------- 5. projection
def projection(
    settings: Settings | None,
    mineral: str = "copper",
    *,
    end_year: int = 2047,
    scenarios: Mapping[str, Mapping[str, float]] | None = None,
) -> ProjectionResult:
    """Import-dependence paths for copper concentrate with the cited starting points.

    Starting points: India's mine and refinery production from ``mineral_production``
    (USGS) when the warehouse has them, else the cited values in ``parameters.yaml``.
    """
    par = load_parameters()["projection"]
    if mineral not in par:
        raise UnknownCodeError("projection mineral", mineral, hint=f"available: {', '.join(par)}")
    p = par[mineral]
    base_year, dom, dem = p["base_year"], p["domestic_mine_kt"] * 1.0, p["smelter_feed_kt"] * 1.0
    if settings is not None:
        try:
            wh = _warehouse(settings, ["mineral_production"])
            mp = wh.read("mineral_production")
            sel = mp[(mp["mineral"] == mineral) & (mp["iso3"] == "IND") & (mp["year"] == base_year)]
            mine = sel.loc[sel["stage"] == "mine", "value_tonnes"].sum()
            ref = sel.loc[sel["stage"] == "refinery", "value_tonnes"].sum()
            if mine > 0 and ref > 0:
                dom, dem = mine / 1000.0, ref / 1000.0
        except Exception:  # noqa: BLE001 - fall back to the cited constants
            pass
    sc = scenarios or p["scenarios"]
    spec = ProjectionSpec(
        base_year=base_year,
        demand_0=dem,
        domestic_0=dom,
        end_year=end_year,
        scenarios=tuple(
            GrowthScenario(k, float(v["demand_growth"]), float(v["domestic_growth"])) for k, v in sc.items()
        ),
    )
    return ProjectionModel(spec).run()


def _tradestat_check(settings: Settings) -> dict | None:
    """India's HS 2603 imports (TradeStat, USD) and the copper content they imply at the year's LME price.

    ``implied kt Cu = value_usd / (LME annual mean x payable fraction) / 1000`` (TC/RC ignored), a
    cross-check of the smelter-feed starting point (USGS refinery output also includes scrap).
    """
    try:
        wh = _warehouse(settings, ["tradestat_imports", "metal_prices"])
    except Exception:  # noqa: BLE001 - the cross-check is optional
        return None
    if not (wh.has("tradestat_imports") and wh.has("metal_prices")):
        return None
    ts = wh.read("tradestat_imports")
    tot = ts[(ts["hs_code"] == "2603") & (ts["partner_iso3"] == "WLD") & ts["period"].str.startswith("CY")]
    payable = load_parameters()["contracts"]["copper_concentrate"]["payable_pct"]
    out = {}
    for r in tot.itertuples():
        year = int(r.period[2:])
        try:
            price, src = _copper_price(wh, year)
        except EmptySelectionError:
            continue
        out[r.period] = {
            "imports_usd": float(r.value_usd),
            "lme_usd_t": price,
            "implied_cu_content_kt": float(r.value_usd) / (price * payable) / 1000.0,
        }
    return {
        "periods": out,
        "source": "tradestat_imports (DGCI&S TradeStat, HS 2603, total of all partners); "
        "metal_prices (Pink Sheet copper)",
        "formula": "value / (LME annual mean x 0.965 payable) / 1000; TC/RC ignored",
    }


def projection_report(settings: Settings | None, mineral: str = "copper", *, end_year: int = 2047) -> dict:
    """Projection paths plus the published claims they are compared with."""
    res = projection(settings, mineral, end_year=end_year)
    par = load_parameters()["projection"][mineral]
    s = res.spec
    claims = []
    for c in par.get("news_claims", []):
        if c["year"] > end_year:
            continue
        at = res.at(c["year"]) if c["year"] >= s.base_year else {}
        lo, hi = (min(at.values()), max(at.values())) if at else (None, None)
        claims.append({**c, "model_low": lo, "model_high": hi})
    check = _tradestat_check(settings) if mineral == "copper" and settings is not None else None
    return {
        "tradestat_check": check,
        "mineral": mineral,
        "base_year": s.base_year,
        "demand_kt": s.demand_0,
        "domestic_kt": s.domestic_0,
        "base_import_dependence": float(calc_import_dependence(s.demand_0, s.domestic_0)),
        "scenarios": [
            {"name": g.name, "demand_growth": g.demand_growth, "domestic_growth": g.domestic_growth}
            for g in s.scenarios
        ],
        "at_2030": res.at(2030) if end_year >= 2030 else {},
        f"at_{end_year}": res.at(end_year),
        "claims": claims,
        "paths": res.paths.to_dict(orient="records"),
        "sources": {
            "starting_point": par["source"],
            "growth": "critmin assumptions chosen to span the published range (parameters.yaml)",
        },
    }
