"""Country table: every BACI country code -> ISO3, name, World Bank region, UN M49 region.

Regions come from critmin's own ``regions.csv``: the World Bank's seven
analytical regions (WDI country classification, e.g. "Latin America &
Caribbean", "South Asia") and the UN M49 standard's region, subregion and
intermediate region (UN Statistics Division, *Standard country or area codes
for statistical use*). Territories that the World Bank does not list
(``wb_listed = false``: Anguilla, Mayotte, Pitcairn...) and BACI's historical
or residual codes (``CSK``, ``SUN``, ``R20`` "Europe EFTA, nes", ``ZA1``...)
get the region of their geography.
"""

from __future__ import annotations

import re

import pandas as pd

from critmin.classify._hints import hint
from critmin.classify._tables import regions_table
from critmin.countries import resolve as resolve_name
from critmin.errors import DataFormatError, UnknownCodeError

COUNTRY_COLUMNS = [
    "iso3",
    "name",
    "iso2",
    "baci_code",
    "region",
    "m49_region",
    "m49_subregion",
    "m49_intermediate_region",
    "wb_listed",
    "is_current",
]


def _fix_mojibake(name: str) -> str:
    """BACI's table has UTF-8 names decoded twice (``CÃ´te d'Ivoire``); repair them."""
    if "Ã" in name or "Â" in name:
        try:
            return name.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return name
    return name


def build_country_table(baci_countries: pd.DataFrame, *, file: str = "baci_countries") -> pd.DataFrame:
    """Join the BACI country table to the region table.

    Parameters
    ----------
    baci_countries : DataFrame
        ``code, name, iso2, iso3, is_current`` as parsed by
        :func:`critmin.sources.baci.read_country_codes`.

    Returns
    -------
    DataFrame
        One row per BACI code with :data:`COUNTRY_COLUMNS`.

    Raises
    ------
    DataFormatError
        A BACI code whose ISO3 is not in the region table (names the row).
    """
    regions = regions_table()
    df = baci_countries.rename(columns={"code": "baci_code"}).copy()
    df["name"] = df["name"].map(_fix_mojibake)
    # CEPII documents code 490 "Other Asia, nes" as Taiwan
    twn = df["iso3"].eq("TWN")
    df.loc[twn, "name"] = "Taiwan"
    df.loc[twn, "iso2"] = "TW"
    out = df.merge(regions, on="iso3", how="left", validate="many_to_one")
    missing = out["region"].isna()
    if missing.any():
        i = int(missing.to_numpy().nonzero()[0][0])
        raise DataFormatError(
            file,
            f"ISO3 {out.loc[i, 'iso3']!r} (BACI code {out.loc[i, 'baci_code']}) has no region in critmin's regions.csv",
            row=i + 1,
            field="iso3",
        )
    out["baci_code"] = out["baci_code"].astype("int32")
    return out[COUNTRY_COLUMNS].reset_index(drop=True)


def resolve_country(code: str | int, countries: pd.DataFrame) -> str:
    """ISO3 for a user's country code.

    Accepts ISO3 (``per``), ISO2 (``PE``), a BACI numeric code (``604``) or a
    name (``Peru``, case-insensitive), including the other spellings known to
    :func:`critmin.countries.resolve` (``Viet Nam``, ``Korea, Republic of``).
    Raises :class:`UnknownCodeError` with close matches otherwise.
    """
    raw = str(code).strip()
    cur = countries[countries["is_current"]] if "is_current" in countries else countries
    up = raw.upper()
    if re.fullmatch(r"[A-Z0-9]{3}", up) and up in set(countries["iso3"]):
        return up
    if re.fullmatch(r"\d{1,3}", raw):
        hit = countries.loc[countries["baci_code"] == int(raw), "iso3"]
        if len(hit):
            return str(hit.iloc[0])
    if re.fullmatch(r"[A-Z]{2}", up):
        hit = cur.loc[cur["iso2"] == up, "iso3"]
        if len(hit):
            return str(hit.iloc[0])
    hit = cur.loc[cur["name"].str.lower() == raw.lower(), "iso3"]
    if len(hit):
        return str(hit.iloc[0])
    alias = resolve_name(raw)  # other spellings: "Viet Nam", "Korea, Republic of", "Ivory Coast"...
    if alias is not None and alias in set(countries["iso3"]):
        return alias
    known = list(cur["iso3"]) + list(cur["name"])
    raise UnknownCodeError("country", raw, hint=hint(raw, known, "countries (ISO3)"))


def country_names(countries: pd.DataFrame) -> dict[str, str]:
    """``{iso3: name}`` using the current code of each ISO3."""
    cur = countries.sort_values("is_current", ascending=False).drop_duplicates("iso3")
    return dict(zip(cur["iso3"], cur["name"]))
