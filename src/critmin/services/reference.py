"""Validation of user-given codes against the warehouse (countries, years)."""

from __future__ import annotations

import difflib

from critmin.config import Settings
from critmin.errors import UnknownCodeError
from critmin.warehouse import open_warehouse


def known_iso3(settings: Settings) -> set[str]:
    """ISO3 codes critmin knows: the country table when built, else BACI's."""
    wh = open_warehouse(settings)
    table = "countries" if wh.has("countries") else "baci_countries"
    return set(wh.read(table, columns=["iso3"])["iso3"].dropna())


def check_country(settings: Settings, code: str) -> str:
    """Upper-case ``code`` and check it is a known ISO3 code, suggesting close matches if not."""
    iso = code.strip().upper()
    known = known_iso3(settings)
    if iso not in known:
        close = difflib.get_close_matches(iso, sorted(known), n=3)
        raise UnknownCodeError(
            "country",
            code,
            where="the country table",
            hint=("did you mean " + ", ".join(close) + "?") if close else "use ISO3 codes such as IND, PER",
        )
    return iso
