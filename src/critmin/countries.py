"""Country names -> ISO 3166-1 alpha-3, one resolver for every connector and the news gazetteer.

Two tables ship with the package (critmin's own, hand-written):

``country_names.csv`` (``iso3, name, kind, iso2``)
    the canonical table: every ISO3 code critmin uses (the current ISO 3166-1
    codes, the historical codes trade data still carry such as ``CSK``, ``SUN``,
    ``YUG``, ``XKX`` Kosovo, and the aggregate ``WLD`` World) with one English
    short name each. ``kind`` is ``country``, ``historical`` or ``aggregate``;
    ``iso2`` is the ISO 3166-1 alpha-2 code (``XK`` for Kosovo; empty where a
    historical code has none of its own, e.g. ``CSK``, whose ``CS`` later
    passed to Serbia and Montenegro).
``country_aliases.csv`` (``iso3, alias, sources, note``)
    other spellings and the source that writes them. ``sources`` is ``common``
    (a spelling any source may use) or a ``;``-separated list of source names
    (:data:`SOURCES`): a publisher's quirk such as USGS ``Congo (Kinshasa)`` or
    TradeStat ``U S A`` is known to that source only. For ``news`` the rows are
    also the exact surface forms the article gazetteer scans for
    (:mod:`critmin.domain.news.gazetteer`), so a news row may repeat a canonical
    name.

Resolution of ``resolve(name, source=s)`` compares normalised spellings
(:func:`normalise_name`) in this order, first hit wins:

1. the aliases of source ``s``;
2. the ``common`` aliases;
3. the canonical names;
4. with ``source=None`` only: the aliases of every source, when they agree.

Each step is tried with the full name first, then with a trailing parenthesised
qualifier dropped (``Kosovo (under UNSC res. 1244)`` -> ``Kosovo``), except when
the rest is a name such a qualifier disambiguates (``Congo (Kinshasa)``,
``Virgin Islands (U.S.)``: :data:`AMBIGUOUS_BASES`).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal, get_args

from critmin.errors import UnknownCodeError

NameSource = Literal["usgs", "wto", "tradestat", "news"]
SOURCES: tuple[str, ...] = get_args(NameSource)
COMMON = "common"
NAMES_FILE = "country_names.csv"
ALIASES_FILE = "country_aliases.csv"
#: where a missing spelling is added (named in every "unknown country" error)
ALIAS_FILE_HINT = f"critmin/{ALIASES_FILE}"
KINDS = ("country", "historical", "aggregate")

#: words written short -> the word the normaliser compares
ABBREVIATIONS: dict[str, str] = {
    "rep": "republic",
    "repub": "republic",
    "st": "saint",
    "ste": "sainte",
    "dem": "democratic",
    "is": "islands",
    "isl": "islands",
}
# "is" stands for "islands" only after another word ("Fiji Is"), never as the first word
_TRAILING_ONLY = {"is", "isl"}
#: normalised names that a parenthesised qualifier disambiguates; the qualifier is never dropped
AMBIGUOUS_BASES = frozenset(
    {
        "congo",
        "korea",
        "guinea",
        "sudan",
        "samoa",
        "virgin islands",
        "yemen",
        "germany",
        "china",
        "saint martin",
        "sint maarten",
        "macedonia",
        "timor",
    }
)
_PAREN_TAIL = re.compile(r"\s*\([^()]*\)\s*$")
_ISO3 = re.compile(r"^[A-Z]{3}$")


def normalise_name(name: str) -> str:
    """The comparison form of a country name.

    Steps: Unicode compatibility decomposition with accents dropped (``Côte`` ->
    ``cote``), case folding, ``&`` -> ``and``, every other punctuation mark ->
    a space (``U.S.`` -> ``u s``, ``d'Ivoire`` -> ``d ivoire``, ``Guinea-Bissau``
    -> ``guinea bissau``), abbreviations written out (``Rep.`` -> ``republic``,
    ``St.`` -> ``saint``, ``Dem.`` -> ``democratic``, a non-initial ``Is`` ->
    ``islands``; :data:`ABBREVIATIONS`), the word ``the`` dropped wherever it
    occurs (``The Bahamas``, ``Kuwait, the State of``), runs of spaces collapsed.
    Parentheses are kept as words here; :func:`resolve` also tries the name
    without a trailing parenthesised qualifier.

    >>> normalise_name("  The  Côte d’Ivoire ")
    'cote d ivoire'
    >>> normalise_name("St. Kitts & Nevis")
    'saint kitts and nevis'
    """
    s = unicodedata.normalize("NFKD", str(name))
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = s.replace("&", " and ")
    s = re.sub(r"[^\w\s]|_", " ", s)
    words = []
    for i, w in enumerate(s.split()):
        if w == "the":
            continue
        if w in _TRAILING_ONLY and i == 0:
            words.append(w)
            continue
        words.append(ABBREVIATIONS.get(w, w))
    return " ".join(words)


def _keys(name: str) -> list[str]:
    """Normalised spellings to look up, most specific first."""
    full = normalise_name(name)
    keys = [full] if full else []
    stripped = _PAREN_TAIL.sub("", str(name))
    if stripped != str(name):
        base = normalise_name(stripped)
        if base and base not in AMBIGUOUS_BASES and base not in keys:
            keys.append(base)
    return keys


@dataclass(frozen=True)
class Alias:
    """One row of ``country_aliases.csv``."""

    iso3: str
    alias: str
    sources: tuple[str, ...]
    note: str


def _read_csv(filename: str) -> list[dict[str, str]]:
    text = resources.files("critmin").joinpath(filename).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@lru_cache(maxsize=1)
def country_table() -> tuple[tuple[str, str, str], ...]:
    """The canonical table: ``(iso3, name, kind)`` for every code critmin knows."""
    return tuple((r["iso3"], r["name"], r["kind"]) for r in _read_csv(NAMES_FILE))


@lru_cache(maxsize=1)
def aliases() -> tuple[Alias, ...]:
    """Every row of the alias table, in file order."""
    return tuple(
        Alias(r["iso3"], r["alias"], tuple(s.strip() for s in r["sources"].split(";") if s.strip()), r["note"])
        for r in _read_csv(ALIASES_FILE)
    )


@lru_cache(maxsize=1)
def canonical_names() -> dict[str, str]:
    """``{iso3: canonical name}``."""
    return {iso3: name for iso3, name, _ in country_table()}


@lru_cache(maxsize=1)
def iso2_table() -> dict[str, str]:
    """``{iso2: iso3}`` for every code with an alpha-2 code (each alpha-2 names one code)."""
    return {r["iso2"]: r["iso3"] for r in _read_csv(NAMES_FILE) if r.get("iso2")}


def iso3_of_iso2(iso2: str) -> str | None:
    """The ISO3 code of an ISO 3166-1 alpha-2 code (``"PE"`` -> ``"PER"``), or None."""
    return iso2_table().get(str(iso2).strip().upper())


def name_of(iso3: str) -> str | None:
    """The canonical name of an ISO3 code (``"PER"`` -> ``"Peru"``), or None."""
    return canonical_names().get(iso3.upper())


def source_aliases(source: NameSource) -> dict[str, str]:
    """The aliases listed for one source, verbatim: ``{spelling: iso3}``.

    For ``news`` this is the gazetteer's country vocabulary (exact surface forms).
    ``common`` aliases and canonical names are not included.
    """
    _check_source(source)
    return {a.alias: a.iso3 for a in aliases() if source in a.sources}


@lru_cache(maxsize=1)
def _layers() -> dict[str, dict[str, str]]:
    """Normalised lookup tables: ``"canonical"``, ``"common"``, one per source, and ``"any"``
    (every source's aliases whose sources agree; a key they disagree on maps to ``""``)."""
    layers: dict[str, dict[str, str]] = {"canonical": {}, COMMON: {}, **{s: {} for s in SOURCES}, "any": {}}
    for iso3, name, _ in country_table():
        layers["canonical"].setdefault(normalise_name(name), iso3)
    for a in aliases():
        key = normalise_name(a.alias)
        for s in a.sources:
            layers[s].setdefault(key, a.iso3)
            if s != COMMON:
                prev = layers["any"].get(key)
                layers["any"][key] = a.iso3 if prev in (None, a.iso3) else ""
    return layers


def _check_source(source) -> None:
    if source is not None and source not in SOURCES:
        raise ValueError(f"source {source!r}; expected one of {', '.join(SOURCES)} or None")


def resolve(name: str, *, source: NameSource | None = None) -> str | None:
    """ISO3 code of a country name, or None when the name is not known.

    Parameters
    ----------
    name : str
        A country name as a publisher or an article writes it (``"Congo (Kinshasa)"``,
        ``"Korea, Republic of"``, ``"U S A"``, ``"the United States"``).
    source : {"usgs", "wto", "tradestat", "news"}, optional
        Whose spelling it is: that source's aliases are tried first, and another
        source's quirks are not used. Without a source every alias table is
        consulted after the common ones, when the sources agree.

    Returns
    -------
    str or None
        ISO 3166-1 alpha-3 (``WLD`` for a world total spelled as a source writes it).

    Examples
    --------
    >>> resolve("Congo (Kinshasa)", source="usgs"), resolve("CONGO D. REP.", source="tradestat")
    ('COD', 'COD')
    >>> resolve("Viet Nam"), resolve("Atlantis")
    ('VNM', None)
    """
    _check_source(source)
    return _resolve(str(name), source)


@lru_cache(maxsize=16384)
def _resolve(name: str, source: str | None) -> str | None:
    layers = _layers()
    order = ([source] if source else []) + [COMMON, "canonical"] + ([] if source else ["any"])
    for key in _keys(name):
        for layer in order:
            code = layers[layer].get(key)
            if code:
                return code
    return None


def resolve_or_raise(name: str, *, source: NameSource, where: str | None = None) -> str:
    """:func:`resolve`, raising when the name is unknown.

    Raises
    ------
    UnknownCodeError
        Names the spelling, ``where`` it was read (file, row, field), the source
        and the alias file to extend (``critmin/country_aliases.csv``).
    """
    code = resolve(name, source=source)
    if code is None:
        raise UnknownCodeError("country", name, where=where, hint=unknown_hint(name, source=source))
    return code


def unknown_hint(name: str, *, source: NameSource | None) -> str:
    """The advice an "unknown country" error gives: which file and which row to add."""
    who = source or COMMON
    return f"not a {who} country name known to critmin; add a row '<ISO3>,{name},{who},<note>' to {ALIAS_FILE_HINT}"


def check_tables() -> list[str]:
    """Problems in the two tables (empty when consistent); the tests assert it is empty.

    Checks: ISO3 codes are three capitals and unique in the canonical table,
    ``kind`` is known, every alias names a code of the canonical table and known
    sources, no normalised spelling maps to two codes within one layer, and
    no alias contradicts a canonical name.
    """
    problems: list[str] = []
    codes = [c for c, _, _ in country_table()]
    for iso3, name, kind in country_table():
        if not _ISO3.match(iso3):
            problems.append(f"{NAMES_FILE}: {iso3!r} is not an ISO3 code")
        if kind not in KINDS:
            problems.append(f"{NAMES_FILE}: {iso3} kind {kind!r}; expected one of {', '.join(KINDS)}")
        if not name.strip():
            problems.append(f"{NAMES_FILE}: {iso3} has no name")
    dup = {c for c in codes if codes.count(c) > 1}
    problems += [f"{NAMES_FILE}: {c} appears twice" for c in sorted(dup)]
    iso2 = [r["iso2"] for r in _read_csv(NAMES_FILE) if r.get("iso2")]
    problems += [
        f"{NAMES_FILE}: alpha-2 code {c} appears twice" for c in sorted({c for c in iso2 if iso2.count(c) > 1})
    ]
    problems += [f"{NAMES_FILE}: {c!r} is not an alpha-2 code" for c in iso2 if not re.fullmatch(r"[A-Z]{2}", c)]
    known = set(codes)
    canon: dict[str, str] = {}
    for iso3, name, _ in country_table():
        key = normalise_name(name)
        if canon.setdefault(key, iso3) != iso3:
            problems.append(f"{NAMES_FILE}: {name!r} normalises like the name of {canon[key]}")
    seen: dict[tuple[str, str], str] = {}
    for a in aliases():
        if a.iso3 not in known:
            problems.append(f"{ALIASES_FILE}: {a.alias!r} -> {a.iso3}, which is not in {NAMES_FILE}")
        bad = [s for s in a.sources if s not in (*SOURCES, COMMON)]
        if bad or not a.sources:
            problems.append(
                f"{ALIASES_FILE}: {a.alias!r} sources {';'.join(a.sources)!r}; expected "
                f"{COMMON} or names among {', '.join(SOURCES)}"
            )
        key = normalise_name(a.alias)
        if canon.get(key, a.iso3) != a.iso3:
            problems.append(f"{ALIASES_FILE}: {a.alias!r} -> {a.iso3} contradicts the canonical name of {canon[key]}")
        for s in a.sources:
            if seen.setdefault((s, key), a.iso3) != a.iso3:
                problems.append(
                    f"{ALIASES_FILE}: {a.alias!r} -> {a.iso3} but source {s} already maps "
                    f"that spelling to {seen[(s, key)]}"
                )
    return problems
