"""Names of countries, regions, cities and state enterprises, mapped to codes.

The news fact schema codes countries as ISO 3166-1 alpha-3 and groups with a
fixed list (``WLD, EU, EFTA, ASEAN, LAC, GCC, MERCOSUR, EAEU, SACU, AFR, CAS,
MENA``). A state-owned company acts for its government (KABIL, IREL, Coal
India -> ``IND``; Codelco -> ``CHL``); a capital used as a metonym
("restrictions from Beijing") stands for its country.

:func:`find_places` scans a text once with one compiled alternation (longest
name first) and returns every mention with its character span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from critmin.countries import source_aliases

REGION_CODES = frozenset({"WLD", "EU", "EFTA", "ASEAN", "LAC", "GCC", "MERCOSUR", "EAEU", "SACU", "AFR", "CAS", "MENA"})

# Country names, demonyms and short forms as articles write them ("Peru", "Peruvian",
# "United States", "DRC") -> ISO3: the ``news`` rows of critmin's alias
# table (``critmin/country_aliases.csv``). Only these forms are scanned for: canonical names that are
# common words (Chad, Jordan, Georgia) are not. Case-sensitive forms are listed in _CASE_SENSITIVE.
NEWS_COUNTRY_FORMS: dict[str, str] = source_aliases("news")

# capitals used as metonyms for governments
CAPITALS: dict[str, str] = {
    "Beijing": "CHN",
    "New Delhi": "IND",
    "Washington": "USA",
    "Lima": "PER",
    "Santiago": "CHL",
    "Wellington": "NZL",
    "Canberra": "AUS",
    "Tokyo": "JPN",
    "Moscow": "RUS",
    "Brussels": "EU",
    "London": "GBR",
    "Jakarta": "IDN",
    "Ottawa": "CAN",
    "Brasilia": "BRA",
    "Brasília": "BRA",
    "Buenos Aires": "ARG",
    "Mexico City": "MEX",
    "Seoul": "KOR",
    "Pretoria": "ZAF",
    "Kinshasa": "COD",
    "Astana": "KAZ",
    "Tashkent": "UZB",
    "Riyadh": "SAU",
    "Abu Dhabi": "ARE",
    "Muscat": "OMN",
    "Berlin": "DEU",
    "Paris": "FRA",
    "Bern": "CHE",
    "Oslo": "NOR",
    "Manila": "PHL",
    "Hanoi": "VNM",
    "Bangkok": "THA",
    "Kuala Lumpur": "MYS",
    "Dhaka": "BGD",
    "Colombo": "LKA",
    "Kathmandu": "NPL",
    "Islamabad": "PAK",
    "Tehran": "IRN",
    "Ankara": "TUR",
    "Cairo": "EGY",
    "La Paz": "BOL",
    "Bogota": "COL",
    "Bogotá": "COL",
    "Quito": "ECU",
    "Montevideo": "URY",
    "Lusaka": "ZMB",
    "Harare": "ZWE",
    "Windhoek": "NAM",
    "Gaborone": "BWA",
    "Maputo": "MOZ",
    "Addis Ababa": "ETH",
    "Abuja": "NGA",
    "Accra": "GHA",
}

# state-owned enterprises act for their government
STATE_ENTERPRISES: dict[str, str] = {
    "KABIL": "IND",
    "Khanij Bidesh India Ltd": "IND",
    "Khanij Bidesh India Limited": "IND",
    "Khanij Bidesh": "IND",
    "IREL": "IND",
    "Indian Rare Earths Ltd": "IND",
    "Indian Rare Earths Limited": "IND",
    "Indian Rare Earths": "IND",
    "Coal India": "IND",
    "NMDC": "IND",
    "Hindustan Copper": "IND",
    "NALCO": "IND",
    "Hindustan Zinc": "IND",
    "ONGC Videsh": "IND",
    "Mineral Exploration Corporation": "IND",
    "Codelco": "CHL",
    "ENAMI": "CHL",
    "YPFB": "BOL",
    "YLB": "BOL",
}

# surface form -> code (countries, capitals, state enterprises)
COUNTRY_NAMES: dict[str, str] = {**NEWS_COUNTRY_FORMS, **CAPITALS, **STATE_ENTERPRISES}

REGION_NAMES: dict[str, str] = {
    "Latin America and the Caribbean": "LAC",
    "Latin America and Caribbean": "LAC",
    "Latin America & the Caribbean": "LAC",
    "Latin American and Caribbean": "LAC",
    "Latin America": "LAC",
    "Latin American": "LAC",
    "LAC": "LAC",
    "LatAm": "LAC",
    "LatAM": "LAC",
    "South America": "LAC",
    "South American": "LAC",
    "European Union": "EU",
    "European Commission": "EU",
    "EU": "EU",
    "E.U.": "EU",
    "EFTA": "EFTA",
    "European Free Trade Association": "EFTA",
    "ASEAN": "ASEAN",
    "Association of Southeast Asian Nations": "ASEAN",
    "GCC": "GCC",
    "Gulf Cooperation Council": "GCC",
    "MERCOSUR": "MERCOSUR",
    "Mercosur": "MERCOSUR",
    "Eurasian Economic Union": "EAEU",
    "EAEU": "EAEU",
    "SACU": "SACU",
    "Southern African Customs Union": "SACU",
    "Africa": "AFR",
    "African": "AFR",
    "Central Asia": "CAS",
    "Central Asian": "CAS",
    "Middle East and North Africa": "MENA",
    "MENA": "MENA",
    "the world": "WLD",
    "world's": "WLD",
    "global": "WLD",
}

# forms that must match with their exact case (otherwise common words)
_CASE_SENSITIVE = {
    "US",
    "UK",
    "EU",
    "LAC",
    "UAE",
    "GCC",
    "DRC",
    "MENA",
    "EAEU",
    "SACU",
    "EFTA",
    "ASEAN",
    "IREL",
    "KABIL",
    "NMDC",
    "NALCO",
    "ENAMI",
    "YPFB",
    "YLB",
    "Niger",
    "Guinea",
    "Saudi",
}
# region forms that only name the world (not used as actors)
_WORLD_FORMS = {"the world", "world's", "global"}

# cities a negotiating round may be held in (venue gazetteer); others fall back to a capitalised word
CITIES = (
    "New Delhi",
    "Delhi",
    "Mumbai",
    "Bengaluru",
    "Bangalore",
    "Chennai",
    "Kolkata",
    "Hyderabad",
    "Lima",
    "Santiago",
    "Wellington",
    "Auckland",
    "Canberra",
    "Sydney",
    "London",
    "Brussels",
    "Geneva",
    "Muscat",
    "Abu Dhabi",
    "Dubai",
    "Riyadh",
    "Washington",
    "Washington DC",
    "Ottawa",
    "Tokyo",
    "Seoul",
    "Beijing",
    "Singapore",
    "Jakarta",
    "Kuala Lumpur",
    "Bangkok",
    "Hanoi",
    "Manila",
    "Colombo",
    "Dhaka",
    "Kathmandu",
    "Moscow",
    "Bern",
    "Oslo",
    "Reykjavik",
    "Vaduz",
    "Buenos Aires",
    "Brasilia",
    "Brasília",
    "Mexico City",
    "Bogota",
    "Bogotá",
    "Quito",
    "La Paz",
    "Montevideo",
    "Asuncion",
    "Asunción",
    "Pretoria",
    "Johannesburg",
    "Cape Town",
    "Nairobi",
    "Astana",
    "Tashkent",
    "Cusco",
    "Arequipa",
)


@dataclass(frozen=True)
class Place:
    """One mention of a country, group or city in a text."""

    code: str
    text: str
    start: int
    end: int

    @property
    def is_region(self) -> bool:
        return self.code in REGION_CODES

    @property
    def is_world(self) -> bool:
        return self.text in _WORLD_FORMS


def _alternation(names) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


def _trie_pattern(names) -> str:
    """A regex equivalent to the alternation of ``names`` (longest match first) built as a
    character trie, so the engine follows one branch per character instead of trying every name."""
    trie: dict = {}
    for n in names:
        node = trie
        for ch in n:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch != ""]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    return build(trie)


@lru_cache(maxsize=1)
def _place_regex() -> re.Pattern:
    names = {**COUNTRY_NAMES, **REGION_NAMES}
    sensitive = [n for n in names if n in _CASE_SENSITIVE]
    # possessive 's and plural-adjective forms are matched by the trailing look-ahead
    # case-insensitive names are matched on their lower-case form (the text is lower-cased for them)
    pat = rf"(?<![\w$])(?:{_trie_pattern(sensitive)})(?![\w$])"
    return re.compile(pat)


@lru_cache(maxsize=1)
def _place_regex_lower() -> re.Pattern:
    names = {**COUNTRY_NAMES, **REGION_NAMES}
    insensitive = {n.lower() for n in names if n not in _CASE_SENSITIVE}
    pat = rf"(?<![\w$])(?:{_trie_pattern(insensitive)})(?![\w$])"
    return re.compile(pat)


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    table = {}
    for n, c in {**COUNTRY_NAMES, **REGION_NAMES}.items():
        table[n.casefold() if n not in _CASE_SENSITIVE else n] = c
    return table


def code_of(name: str) -> str | None:
    """The code of one surface form (``"Peru"`` -> ``"PER"``), or None."""
    table = _lookup()
    return table.get(name) or table.get(name.casefold())


def find_places(text: str, *, include_world: bool = False) -> list[Place]:
    """Every country/group mention in ``text`` in order of appearance.

    Parameters
    ----------
    text : str
    include_world : bool
        Keep "the world"/"global" mentions (code ``WLD``); off by default
        because they rarely name an actor.
    """
    return list(_find_places(text, include_world))


@lru_cache(maxsize=8192)
def _find_places(text: str, include_world: bool) -> tuple[Place, ...]:
    out = []
    hits = [(m.start(), m.end()) for m in _place_regex_lower().finditer(text.lower())]
    hits += [(m.start(), m.end()) for m in _place_regex().finditer(text)]
    hits.sort(key=lambda se: (se[0], -se[1]))
    last_end = -1
    for start, end in hits:
        if start < last_end:
            continue  # overlapping shorter match
        last_end = end
        surface = text[start:end]
        code = code_of(surface)
        if code is None:
            continue
        # "US" inside an all-caps headline or as the pronoun "us" is excluded by case-sensitivity;
        # "Guinea" inside "Papua New Guinea" is excluded by longest-first alternation.
        if surface in _WORLD_FORMS and not include_world:
            continue
        out.append(Place(code, surface, start, end))
    return tuple(out)


@lru_cache(maxsize=1)
def _city_regex() -> re.Pattern:
    return re.compile(rf"\b(?:{_alternation(CITIES)})\b")


def find_cities(text: str) -> list[tuple[str, int]]:
    """Known city names in ``text`` with their start offset, in order."""
    return [(m.group(0), m.start()) for m in _city_regex().finditer(text)]
