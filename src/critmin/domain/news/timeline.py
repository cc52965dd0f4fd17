"""Negotiation tracker: agreements of a country (WTO RTA records plus negotiations found
in the news), their rounds, dates, venues, chapters and status, and the next planned round.

Each round and event carries its evidence (quote, article id, source), so every
item of the timeline links back to the text that states it. Rounds reported by
several articles are merged (same parties and round number), keeping every source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class RoundEvent:
    """One negotiating round of one agreement (merged over articles)."""

    agreement: str
    parties: tuple[str, ...]
    round_number: int | None
    start_date: str | None
    end_date: str | None
    venue_city: str | None
    chapters: tuple[str, ...]
    status: str
    evidence: tuple[dict, ...]  # {"article_id", "source", "published", "quote"}

    @property
    def sort_date(self) -> str:
        return self.start_date or self.end_date or ""

    def to_dict(self) -> dict:
        return {
            "agreement": self.agreement,
            "parties": list(self.parties),
            "round_number": self.round_number,
            "start_date": self.start_date,
            "end_date": self.end_date,
            "venue_city": self.venue_city,
            "chapters": list(self.chapters),
            "status": self.status,
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True)
class AgreementTrack:
    """One agreement (or negotiation) of the reporter with a party set."""

    name: str
    parties: tuple[str, ...]
    origin: str  # "wto_rta", "news" or "wto_rta+news"
    status: str
    rounds: tuple[RoundEvent, ...] = ()
    events: tuple[dict, ...] = ()  # milestones: signature, entry into force, launch (with evidence)
    wto: tuple[dict, ...] = ()  # WTO RTA records with the same party set

    @property
    def next_round(self) -> RoundEvent | None:
        planned = [r for r in self.rounds if r.status == "planned"]
        return sorted(planned, key=lambda r: (r.sort_date or "9999", r.round_number or 0))[0] if planned else None

    @property
    def last_round(self) -> RoundEvent | None:
        held = [r for r in self.rounds if r.status == "held"]
        return sorted(held, key=lambda r: (r.round_number or 0, r.sort_date))[-1] if held else None

    def to_dict(self) -> dict:
        nxt, last = self.next_round, self.last_round
        return {
            "name": self.name,
            "parties": list(self.parties),
            "origin": self.origin,
            "status": self.status,
            "last_round": last.to_dict() if last else None,
            "next_round": nxt.to_dict() if nxt else None,
            "rounds": [r.to_dict() for r in self.rounds],
            "events": list(self.events),
            "wto": list(self.wto),
        }


@dataclass(frozen=True)
class NegotiationTracker:
    reporter: str
    partner: str | None
    agreements: tuple[AgreementTrack, ...] = field(default=())

    def to_dict(self) -> dict:
        return {
            "reporter": self.reporter,
            "partner": self.partner,
            "agreements": [a.to_dict() for a in self.agreements],
        }

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for a in self.agreements:
            for r in a.rounds:
                rows.append(
                    {
                        "agreement": a.name,
                        "origin": a.origin,
                        "agreement_status": a.status,
                        "round_number": r.round_number,
                        "start_date": r.start_date,
                        "end_date": r.end_date,
                        "venue_city": r.venue_city,
                        "chapters": ", ".join(r.chapters),
                        "status": r.status,
                        "n_sources": len({e.get("source") or e.get("article_id") for e in r.evidence}),
                        "evidence": r.evidence[0]["quote"] if r.evidence else "",
                    }
                )
            if not a.rounds:
                rows.append(
                    {
                        "agreement": a.name,
                        "origin": a.origin,
                        "agreement_status": a.status,
                        "round_number": None,
                        "start_date": None,
                        "end_date": None,
                        "venue_city": None,
                        "chapters": "",
                        "status": None,
                        "n_sources": 0,
                        "evidence": "",
                    }
                )
        return pd.DataFrame(rows)

    def summary(self) -> str:
        parts = []
        for a in self.agreements:
            nxt = a.next_round
            last = a.last_round
            s = f"{a.name} [{a.status}]"
            if last:
                s += f", last round {last.round_number or '?'} {last.start_date or ''} {last.venue_city or ''}".rstrip()
            if nxt:
                s += f", next round {nxt.round_number or '?'} {nxt.start_date or 'date tbd'} {nxt.venue_city or ''}".rstrip()
            parts.append(s)
        return "\n".join(parts)


def _merge_rounds(rounds: list[dict]) -> list[RoundEvent]:
    merged: list[dict] = []
    for r in sorted(rounds, key=lambda r: (r.get("published") or "", r.get("article_id") or "")):
        key_parties = frozenset(r["parties"])
        hit = None
        for m in merged:
            if frozenset(m["parties"]) != key_parties:
                continue
            if r["round_number"] is not None and r["round_number"] == m["round_number"]:
                hit = m
            elif (
                r["round_number"] is None
                and m["round_number"] is None
                and r.get("start_date")
                and r.get("start_date") == m.get("start_date")
            ):
                hit = m
            if hit:
                break
        ev = {
            "article_id": r.get("article_id"),
            "source": r.get("source"),
            "published": r.get("published"),
            "quote": r.get("evidence"),
        }
        if hit is None:
            m = dict(r)
            m["_evidence"] = [ev]
            merged.append(m)
            continue
        hit["_evidence"].append(ev)
        # later reports win for status (a planned round that has since been held) and fill gaps
        published = r.get("published")
        later = bool(published and published >= (hit.get("published") or ""))
        if later:
            hit["status"] = r["status"]
            hit["published"] = r["published"]
        for k in ("start_date", "end_date", "venue_city"):
            more_precise = (
                r.get(k) and hit.get(k) and k != "venue_city" and len(r[k]) > len(hit[k]) and r[k].startswith(hit[k])
            )
            if r.get(k) and (not hit.get(k) or (later and k == "venue_city") or more_precise):
                hit[k] = r[k]
        hit["chapters"] = list(dict.fromkeys(list(hit.get("chapters") or []) + list(r.get("chapters") or [])))
    out = []
    for m in merged:
        out.append(
            RoundEvent(
                m["agreement"],
                tuple(sorted(m["parties"])),
                m["round_number"],
                m.get("start_date"),
                m.get("end_date"),
                m.get("venue_city"),
                tuple(m.get("chapters") or ()),
                m["status"],
                tuple(m["_evidence"]),
            )
        )
    return sorted(out, key=lambda r: (r.round_number if r.round_number is not None else 0, r.sort_date))


def _date_str(v) -> str | None:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NaT:
        return None
    try:
        return pd.Timestamp(v).date().isoformat()
    except (ValueError, TypeError):
        return str(v)


def build_tracker(
    rounds: list[dict],
    *,
    reporter: str,
    partner: str | None = None,
    agreements: pd.DataFrame | None = None,
    policy_events: list[dict] | None = None,
    include_inactive: bool = False,
) -> NegotiationTracker:
    """Assemble the negotiation tracker of ``reporter`` (optionally with one ``partner``).

    Parameters
    ----------
    rounds : list of dict
        ``negotiation_round`` facts with ``article_id``, ``source``, ``published``.
    reporter, partner : str
        ISO3 codes.
    agreements : DataFrame, optional
        WTO RTA table (``rta_id, name, type, status, parties_iso3`` and dates).
    policy_events : list of dict, optional
        ``negotiation_launch`` and ``trade_agreement`` facts (milestones).
    include_inactive : bool
        Keep WTO records whose status is Inactive.
    """

    def wanted(parties) -> bool:
        ps = set(parties)
        return reporter in ps and (partner is None or partner in ps)

    rnds = [r for r in rounds if wanted(r["parties"])]
    by_parties: dict[frozenset, list[dict]] = {}
    for r in rnds:
        by_parties.setdefault(frozenset(r["parties"]), []).append(r)
    events: dict[frozenset, list[dict]] = {}
    for e in policy_events or []:
        ps = frozenset([e["country"], *e.get("partners", [])])
        if len(ps) < 2 or not wanted(ps):
            continue
        events.setdefault(ps, []).append(
            {
                "kind": e["kind"],
                "date": e.get("date"),
                "status": e.get("status"),
                "article_id": e.get("article_id"),
                "source": e.get("source"),
                "published": e.get("published"),
                "quote": e.get("evidence"),
            }
        )
    wto: dict[frozenset, list[dict]] = {}
    if agreements is not None and len(agreements):
        for row in agreements.to_dict("records"):
            ps = frozenset(str(row.get("parties_iso3") or "").split(";")) - {""}
            if not ps or not wanted(ps):
                continue
            if not include_inactive and str(row.get("status", "")).lower().startswith("inactive"):
                continue
            # bilateral tracks only: a plurilateral record (APTA, GSTP, SAFTA) is listed under its own name
            wto.setdefault(ps, []).append(
                {
                    "rta_id": row.get("rta_id"),
                    "name": row.get("name"),
                    "type": row.get("type"),
                    "status": row.get("status"),
                    "coverage": row.get("coverage"),
                    "signature_date": _date_str(row.get("signature_goods") or row.get("signature_date_goods")),
                    "eif_goods": _date_str(row.get("eif_goods")),
                    "eif_services": _date_str(row.get("eif_services")),
                    "source": "WTO RTA database (AllRTAs export)",
                }
            )
    tracks: list[AgreementTrack] = []
    keys = list(dict.fromkeys(list(by_parties) + list(events) + [k for k in wto if len(k) == 2]))
    for ps in keys:
        merged = _merge_rounds(by_parties.get(ps, []))
        name = merged[-1].agreement if merged else None
        recs = wto.get(ps, [])
        evs = events.get(ps, [])
        if name is None:
            order = ["IND"] if "IND" in ps else []
            code = "-".join(order + sorted(p for p in ps if p not in order))
            name = f"{code} " + (recs[0]["type"] if recs and recs[0].get("type") else "FTA")
        origin = "+".join(x for x, ok in (("wto_rta", bool(recs)), ("news", bool(merged or evs))) if ok)
        if merged and any(r.status == "planned" for r in merged):
            status = "under negotiation"
        elif merged or any(e["kind"] == "negotiation_launch" for e in evs):
            status = "under negotiation"
        elif recs:
            status = recs[0]["status"]
        else:
            status = "reported in news"
        milestones = list(evs)
        for r in recs:
            if r.get("signature_date"):
                milestones.append(
                    {
                        "kind": "signature",
                        "date": r["signature_date"],
                        "status": r["status"],
                        "name": r["name"],
                        "source": r["source"],
                        "quote": f"WTO RTA {r['rta_id']}: {r['name']}",
                    }
                )
            if r.get("eif_goods"):
                milestones.append(
                    {
                        "kind": "entry_into_force",
                        "date": r["eif_goods"],
                        "status": r["status"],
                        "name": r["name"],
                        "source": r["source"],
                        "quote": f"WTO RTA {r['rta_id']}: {r['name']}",
                    }
                )
        tracks.append(
            AgreementTrack(
                name, tuple(sorted(ps)), origin or "news", status, tuple(merged), tuple(milestones), tuple(recs)
            )
        )
    tracks.sort(key=lambda t: (t.status != "under negotiation", t.name))
    return NegotiationTracker(reporter, partner, tuple(tracks))
