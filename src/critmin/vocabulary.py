"""critmin's option vocabulary: every choice a user types, in one place.

Each vocabulary is a ``Literal`` type (for the code and the type checker) whose members are also
available as a tuple (:data:`VOCABULARIES`, for the front ends): the CLI builds its help text and
checks its options from them, the web API types its query parameters with the same ``Literal``,
and services validate with :func:`check`. A value outside a vocabulary is one error type,
:class:`~critmin.errors.OptionError`, with a one-line message naming the option, the value and
the accepted values.

Adding a choice to a model means adding it here once; the CLI help, the web forms, the OpenAPI
schema and the error messages follow.
"""

from __future__ import annotations

from typing import Literal, get_args

from critmin.errors import OptionError, echo

#: Query engine for the Ibis expressions.
Backend = Literal["duckdb", "pyspark"]
#: Value-chain stage of a mineral product.
Stage = Literal["ore", "intermediate", "refined", "product"]
#: Criticality method: EU (JRC 2017), GeoPolRisk, or CEPII GeoDep.
CriticalityMethod = Literal["eu", "geopolrisk", "geodep"]
#: Edition of the EU parameter tables (EoL-RIR, SI, EI).
ParameterEdition = Literal["eu2023", "eu2017"]
#: Trade-cost model of the GE gravity counterfactual.
CostModel = Literal["pair-fe", "cross-section"]
#: Output format of the brief.
BriefFormat = Literal["html", "pdf"]
#: Type of a fact extracted from the news.
FactType = Literal["trade_value", "negotiation_round", "share", "policy_measure"]
#: Objective of the sourcing optimisation.
Objective = Literal["cost", "concentration", "cvar"]
#: What the sourcing model does with a supplier whose tariff is unknown.
UnknownTariff = Literal["exclude", "zero"]
#: Tariff lines an FTA's trade-cost factor is computed over.
TariffFactorBasis = Literal["all-lines", "smart-lines"]
#: Period basis of a figure: calendar year, Indian financial year, month.
PeriodBasis = Literal["CY", "FY", "month"]

#: Every vocabulary by the option name a user sees.
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "backend": get_args(Backend),
    "stage": get_args(Stage),
    "method": get_args(CriticalityMethod),
    "parameters": get_args(ParameterEdition),
    "costs": get_args(CostModel),
    "format": get_args(BriefFormat),
    "fact type": get_args(FactType),
    "objective": get_args(Objective),
    "unknown tariff": get_args(UnknownTariff),
    "tariff factor basis": get_args(TariffFactorBasis),
    "period basis": get_args(PeriodBasis),
}


def options(name: str) -> tuple[str, ...]:
    """The accepted values of vocabulary ``name`` (``options("backend") == ("duckdb", "pyspark")``)."""
    return VOCABULARIES[name]


def describe(name: str) -> str:
    """The accepted values as prose: ``"duckdb or pyspark"``, ``"eu, geopolrisk or geodep"``."""
    values = options(name)
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} or {values[-1]}"


def check(name: str, value: str) -> str:
    """``value`` if it is in vocabulary ``name``, else :class:`~critmin.errors.OptionError`.

    The message is one line: ``unknown backend 'spark'; expected duckdb or pyspark``.
    """
    if value not in options(name):
        raise OptionError(f"unknown {name} {echo(value)}; expected {describe(name)}")
    return value
