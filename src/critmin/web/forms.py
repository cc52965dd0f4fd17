"""Form fields of the analyst's pages: pickers filled from critmin's vocabularies, and query parsing.

A :class:`Field` names one query parameter, how it is shown (a select, a number, a
checkbox) and where its options come from; :func:`parse_form` turns a request's query
into typed values or raises :class:`FormError` naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Literal, Sequence, get_args

from critmin.errors import CritminError, echo

Kind = Literal["select", "multi", "int", "float", "bool", "text"]
Options = Callable[[], Sequence[tuple[str, str]]]


class FormError(CritminError):
    """A form value of the wrong type (HTTP 422), e.g. a year that is not a whole number."""


@dataclass(frozen=True)
class Field:
    """One form field (= one query parameter of the page and of its JSON endpoint).

    ``options`` gives ``(value, label)`` pairs for selects; ``optional`` selects get an empty
    first choice meaning "not given".
    """

    name: str
    label: str
    kind: Kind = "text"
    default: Any = None
    options: Options | None = None
    optional: bool = False
    help: str = ""
    min: float | None = None
    max: float | None = None

    def choices(self) -> list[tuple[str, str]]:
        return list(self.options()) if self.options else []


def parse_form(fields: Sequence[Field], query: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Typed values of ``fields`` from query pairs; a field left out takes its default.

    A checkbox is true when present; with any field submitted, an absent checkbox is false.

    Raises
    ------
    FormError
        A number field that is not a number, or outside its ``min``/``max``; a select value
        that is not one of its options.
    """
    given: dict[str, list[str]] = {}
    for k, v in query:
        given.setdefault(k, []).append(v)
    submitted = any(f.name in given for f in fields)
    out: dict[str, Any] = {}
    for f in fields:
        raw = [v for v in given.get(f.name, []) if v.strip() != ""]
        if f.kind == "bool":
            out[f.name] = (
                (raw[-1].lower() in ("1", "true", "on", "yes")) if raw else (False if submitted else bool(f.default))
            )
            continue
        if f.kind == "multi":
            values = [x.strip() for v in raw for x in v.split(",") if x.strip()]
            out[f.name] = values if raw else (list(f.default or []) if not submitted else [])
            if f.options:
                _check_choices(f, values)
            continue
        if not raw:
            out[f.name] = None if (submitted and f.optional) else f.default
            continue
        value = raw[-1].strip()
        if f.kind in ("int", "float"):
            try:
                number = int(value) if f.kind == "int" else float(value)
            except ValueError:
                what = "a whole number" if f.kind == "int" else "a number"
                raise FormError(f"field '{f.label}': expected {what} (got {echo(value)})") from None
            if (f.min is not None and number < f.min) or (f.max is not None and number > f.max):
                raise FormError(f"field '{f.label}': expected a value from {f.min:g} to {f.max:g} (got {echo(value)})")
            out[f.name] = number
        else:
            if f.kind == "select" and f.options:
                _check_choices(f, [value])
            out[f.name] = value
    return out


def raw_form(fields: Sequence[Field], query: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The values as typed (text), for showing a form again after :class:`FormError`."""
    out = {f.name: f.default for f in fields}
    for f in fields:
        given = [v for k, v in query if k == f.name]
        if f.kind == "multi":
            out[f.name] = given or out[f.name]
        elif f.kind == "bool":
            out[f.name] = any(v.lower() in ("1", "true", "on", "yes") for v in given) if given else out[f.name]
        elif given:
            out[f.name] = given[-1]
    return out


def _check_choices(f: Field, values: Sequence[str]) -> None:
    valid = {v for v, _ in f.choices()}
    for v in values:
        if v not in valid:
            raise FormError(f"field '{f.label}': {echo(v)} is not one of the choices")


def form_query(fields: Sequence[Field], values: dict[str, Any]) -> list[tuple[str, str]]:
    """The query pairs that submit ``values`` again (for download links)."""
    pairs: list[tuple[str, str]] = []
    for f in fields:
        v = values.get(f.name)
        if v is None:
            continue
        if f.kind == "multi":
            pairs += [(f.name, str(x)) for x in v]
        elif f.kind == "bool":
            pairs.append((f.name, "true" if v else "false"))
        else:
            pairs.append((f.name, str(v)))
    return pairs


# vocabularies ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def countries() -> tuple[tuple[str, str], ...]:
    """Countries and aggregates of critmin's country table, ``(ISO3, "Name (ISO3)")``, by name."""
    from critmin.countries import country_table

    rows = [(iso3, f"{name} ({iso3})") for iso3, name, kind in country_table() if kind != "historical"]
    return tuple(sorted(rows, key=lambda r: r[1]))


@lru_cache(maxsize=1)
def reporters() -> tuple[tuple[str, str], ...]:
    """Blocs (``EU27``: its members as one economy) and then the countries."""
    from critmin.classify.blocs import blocs

    return tuple((code, f"{code} (bloc: {b['name']})") for code, b in blocs().items()) + countries()


@lru_cache(maxsize=1)
def minerals() -> tuple[tuple[str, str], ...]:
    from critmin.classify.products import known_minerals

    return tuple((m, m.replace("_", " ")) for m in known_minerals())


def literal_options(kind: Any) -> Options:
    """Options of a ``Literal`` type (an option's enum, as in the JSON schema)."""
    return lambda: tuple((str(v), str(v)) for v in get_args(kind))


def trade_stages() -> tuple[tuple[str, str], ...]:
    from critmin.classify.products import STAGES

    return tuple((s, s) for s in STAGES)


def sourcing_stages() -> tuple[tuple[str, str], ...]:
    from critmin.services.scenarios import STAGE_ALIASES

    return tuple((s, f"{s} ({STAGE_ALIASES[s]})" if STAGE_ALIASES[s] != s else s) for s in STAGE_ALIASES)


@lru_cache(maxsize=1)
def ports() -> tuple[tuple[str, str], ...]:
    from critmin.scenario_data import load_ports

    return tuple((str(r.port), f"{r.port} ({r.iso3})") for r in load_ports().itertuples())


def chokepoints() -> tuple[tuple[str, str], ...]:
    from critmin.domain.scenarios.routes import CHOKEPOINT_NAMES

    return tuple(CHOKEPOINT_NAMES.items())


def fta_side(which: str) -> Options:
    """Reporters (``which="reporter"``) or partners of the ready FTA scenarios."""

    def options():
        from critmin.services.fta import list_fta_scenarios

        seen = sorted({s[which] for s in list_fta_scenarios()})
        names = dict(countries())
        return tuple((c, names.get(c, c)) for c in seen)

    return options


def criticality_scenarios() -> tuple[tuple[str, str], ...]:
    from critmin.web.routes_criticality import SCENARIOS

    return tuple((k, k.replace("_", " ")) for k in sorted(SCENARIOS))


def fact_types() -> tuple[tuple[str, str], ...]:
    from critmin.vocabulary import FactType

    return tuple((t, t.replace("_", " ")) for t in get_args(FactType))


def brief_sections() -> tuple[tuple[str, str], ...]:
    from critmin.report.brief import section_keys

    return tuple((k, k) for k in section_keys())
