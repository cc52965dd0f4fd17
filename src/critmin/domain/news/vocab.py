"""Controlled vocabularies of the news fact schema and their surface forms.

Chapters of trade agreements, commodities, share activities, agreement kinds
and ordinal numbers, each as ``(slug, compiled pattern)`` lists scanned in order.
"""

from __future__ import annotations

import re

CHAPTER_FORMS: list[tuple[str, str]] = [
    ("goods", r"trade in goods|market access for goods|goods(?! and services trade)|tariffs?|tariff lines"),
    ("services", r"(?:trade in |financial |digital )?services|telecom(?:munications)?"),
    ("investment", r"investments?(?: promotion| facilitation)?"),
    ("rules_of_origin", r"rules? of origin"),
    ("customs", r"customs(?: procedures| cooperation)?|trade facilitation"),
    ("tbt", r"technical barriers to trade|\bTBT\b|standards"),
    ("sps", r"sanitary and phytosanitary(?: measures)?|\bSPS\b"),
    ("trade_remedies", r"trade remed(?:y|ies)|safeguards?|anti-dumping"),
    ("dispute_settlement", r"dispute (?:settlement|resolution)"),
    ("ipr", r"intellectual property(?: rights)?|\bIPRs?\b"),
    ("movement_of_professionals", r"movement of (?:natural persons|professionals)|mobility of professionals"),
    ("economic_cooperation", r"(?:economic (?:and technical )?)?cooperation"),
    ("critical_minerals", r"critical minerals?|minerals chapter"),
    ("digital_trade", r"digital trade|e-commerce|electronic commerce"),
    ("government_procurement", r"government procurement"),
    ("competition", r"competition(?: policy)?"),
    ("sustainable_development", r"(?:trade and )?sustainable development|labou?r|environment"),
    ("msme", r"\b(?:MSMEs?|SMEs?)\b"),
    (
        "legal_institutional",
        r"initial provisions|general definitions|final provisions|legal and institutional(?: issues)?|"
        r"general and security exceptions",
    ),
]
CHAPTER_PATTERNS = [
    (slug, re.compile(rf"\b(?:{pat})\b", re.I if slug not in ("msme", "tbt", "sps") else 0))
    for slug, pat in CHAPTER_FORMS
]
_GOODS_AND_SERVICES = re.compile(r"\btrade in goods and services\b", re.I)


def find_chapters(text: str) -> list[str]:
    """Chapter slugs named in ``text`` (each once, in vocabulary order).

    ``trade in goods and services`` names both ``goods`` and ``services``;
    ``TBT/SPS`` names both.
    """
    found = []
    if _GOODS_AND_SERVICES.search(text):
        found += ["goods", "services"]
    for slug, pat in CHAPTER_PATTERNS:
        if slug in found:
            continue
        if slug == "economic_cooperation":
            # bare "cooperation" counts only as a listed topic, not in "cooperation on ..." phrases about actors
            if not re.search(r"\beconomic (?:and technical )?cooperation\b|(?:,|and)\s+cooperation\b", text, re.I):
                continue
        if pat.search(text):
            found.append(slug)
    return found


# commodity surface forms -> slug (longest first when compiled)
COMMODITIES: dict[str, str] = {
    "rare earth magnets": "rare_earth_magnet",
    "rare-earth magnets": "rare_earth_magnet",
    "rare earth magnet": "rare_earth_magnet",
    "rare-earth magnet": "rare_earth_magnet",
    "permanent magnets": "rare_earth_magnet",
    "magnets": "rare_earth_magnet",
    "magnet": "rare_earth_magnet",
    "rare earths": "rare_earth",
    "rare earth elements": "rare_earth",
    "rare earth": "rare_earth",
    "rare-earth": "rare_earth",
    "REEs": "rare_earth",
    "copper concentrates": "copper_concentrate",
    "copper concentrate": "copper_concentrate",
    "copper ore": "copper_ore",
    "copper ores": "copper_ore",
    "copper": "copper",
    "lithium": "lithium",
    "natural graphite": "natural_graphite",
    "graphite": "graphite",
    "gallium": "gallium",
    "germanium": "germanium",
    "cobalt": "cobalt",
    "nickel": "nickel",
    "antimony": "antimony",
    "tungsten": "tungsten",
    "manganese": "manganese",
    "silver": "silver",
    "gold": "gold",
    "zinc": "zinc",
    "tin": "tin",
    "aluminium": "aluminium",
    "aluminum": "aluminium",
    "bauxite": "bauxite",
    "iron ore": "iron_ore",
    "coking coal": "coking_coal",
    "polysilicon": "polysilicon",
    "lithium-ion cells": "lithium_ion_cell",
    "lithium-ion cell": "lithium_ion_cell",
    "li-ion cells": "lithium_ion_cell",
    "lithium-ion batteries": "lithium_ion_battery",
    "lithium-ion battery": "lithium_ion_battery",
    "solar panels": "solar_panel",
    "batteries": "battery",
    "battery cells": "battery",
    "critical minerals": "critical_mineral",
    "critical mineral": "critical_mineral",
    "goods": "total",
    "merchandise": "total",
}
COMMODITY_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(k) for k in sorted(COMMODITIES, key=len, reverse=True)) + r")\b", re.I
)

# share activities: slug, pattern (first match in the order given wins when several apply)
ACTIVITIES: list[tuple[str, re.Pattern]] = [
    (
        "import_dependence",
        re.compile(
            r"\bimport[- ]dependen\w*|\bdependen(?:ce|cy|t) on imports|\breliance on imports|"
            r"\bimports?\b[^.]{0,60}\b(?:requirements?|needs|demand)\b|\b(?:requirements?|needs|demand)\b[^.%]{0,40}\bimport",
            re.I,
        ),
    ),
    ("refining", re.compile(r"\brefin(?:e|es|ed|ing|ery|eries)\b", re.I)),
    ("processing", re.compile(r"\bprocess(?:es|ed|ing)?\b", re.I)),
    ("mining", re.compile(r"\bmin(?:es|ed|ing)\b|\bmine (?:production|output|supply)", re.I)),
    ("reserves", re.compile(r"\breserves?\b", re.I)),
    ("resources", re.compile(r"\bresources\b", re.I)),
    ("consumption", re.compile(r"\bconsum(?:es|ed|ption|er)\b", re.I)),
    ("exports", re.compile(r"\bexports?\b|\bexported\b", re.I)),
    ("imports", re.compile(r"\bimports?\b|\bimported\b", re.I)),
    (
        "production",
        re.compile(
            r"\bproduc(?:es|ed|tion|ing|er|ers)\b|\boutput\b|\bsuppl(?:y|ies)\b|\bmakes?\b|"
            r"\bmanufactur\w+",
            re.I,
        ),
    ),
]

AGREEMENT_KINDS: list[tuple[str, re.Pattern]] = [
    ("CEPA", re.compile(r"\bCEPA\b|Comprehensive Economic Partnership Agreement", re.I)),
    ("CECA", re.compile(r"\bCECA\b|Comprehensive Economic Cooperation Agreement", re.I)),
    ("CETA", re.compile(r"\bCETA\b|Comprehensive Economic and Trade Agreement", re.I)),
    ("TEPA", re.compile(r"\bTEPA\b|Trade and Economic Partnership Agreement", re.I)),
    ("ECTA", re.compile(r"\bECTA\b|Economic Cooperation and Trade Agreement", re.I)),
    ("BTA", re.compile(r"\bBTA\b|Bilateral Trade Agreement")),
    ("PTA", re.compile(r"\bPTA\b|preferential trade agreement", re.I)),
    ("FTA", re.compile(r"\bFTAs?\b|free trade agreement|trade agreement|trade deal|trade pact", re.I)),
]

ORDINALS = {
    w: i
    for i, w in enumerate(
        [
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "tenth",
            "eleventh",
            "twelfth",
            "thirteenth",
            "fourteenth",
            "fifteenth",
            "sixteenth",
            "seventeenth",
            "eighteenth",
            "nineteenth",
            "twentieth",
        ],
        start=1,
    )
}
CARDINALS = {
    w: i
    for i, w in enumerate(
        [
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ],
        start=1,
    )
}


def number_word(word: str) -> int | None:
    """``"ninth"`` -> 9, ``"9th"`` -> 9, ``"eight"`` -> 8, ``"12"`` -> 12."""
    w = word.lower()
    if w in ORDINALS:
        return ORDINALS[w]
    if w in CARDINALS:
        return CARDINALS[w]
    m = re.fullmatch(r"(\d+)(?:st|nd|rd|th)?", w)
    return int(m.group(1)) if m else None
