"""``/negotiations``, ``/news/facts``, ``/news/conflicts``: news and negotiation intelligence."""

from __future__ import annotations

from typing import Annotated, Optional

from fastapi import APIRouter, Query

from critmin.services import news
from critmin.vocabulary import FactType
from critmin.web._common import Format, FormatQ, SettingsDep, json_response, respond

router = APIRouter(tags=["news"])


@router.get("/negotiations", summary="Agreements and negotiation rounds of a country")
def negotiations(
    settings: SettingsDep,
    reporter: Annotated[str, Query(description="ISO3 of the negotiating country.")] = "IND",
    partner: Annotated[Optional[str], Query(description="ISO3 of one partner.")] = None,
    format: Annotated[Format, FormatQ] = "json",
):
    """Same JSON as ``critmin negotiations --json`` (service :func:`critmin.services.news.negotiations`)."""
    tracker = news.negotiations(settings, reporter=reporter.upper(), partner=partner.upper() if partner else None)
    from critmin.report.figures_news import negotiation_timeline_figure

    return respond(tracker.to_dict(), format, lambda: negotiation_timeline_figure(tracker))


@router.get("/news/facts", summary="Facts extracted from the ingested articles, with evidence and sources")
def facts(
    settings: SettingsDep,
    type: Annotated[Optional[list[FactType]], Query(description="Fact type; repeat for several.")] = None,
    article: Annotated[Optional[str], Query(description="One article id.")] = None,
    merged: Annotated[bool, Query(description="One line per distinct fact over all articles.")] = False,
):
    """The facts of ``critmin news facts --json`` as one JSON list (the CLI prints JSON Lines).
    Service :func:`critmin.services.news.list_facts`."""
    return json_response(news.list_facts(settings, types=type, article=article, merged=merged))


@router.get("/news/conflicts", summary="Reported figures that describe the same quantity but differ")
def conflicts(
    settings: SettingsDep,
    all: Annotated[bool, Query(description="Also list pairs that agree (corroboration).")] = False,
):
    """Same JSON as ``critmin news conflicts --json`` (service :func:`critmin.services.news.find_conflicts`)."""
    return json_response(news.find_conflicts(settings, include_agreements=all))
