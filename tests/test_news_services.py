"""End to end: ingest articles into a warehouse, list facts, conflicts, negotiations, CLI, brief section."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from critmin.config import load_settings
from critmin.errors import DataFormatError, EmptySelectionError, UnknownCodeError
from _news_helpers import news_eval_dir


@pytest.fixture(scope="module")
def news_home(tmp_path_factory, mirror):
    """A home with the WTO RTA, TradeStat and BACI tables and the dev articles ingested."""
    from critmin.services.news import ingest_articles
    from critmin.warehouse.build import build

    s = load_settings(home=tmp_path_factory.mktemp("newshome"), mirror=mirror, offline=True)
    build(s, ["wto_rta", "tradestat", "baci"], progress=False)
    res = ingest_articles(s, [str(news_eval_dir() / "dev" / "articles")])
    assert res["articles_new"] == 5 and res["facts_new"] > 30
    return s


def test_duplicates_merge_keeping_every_source(news_home, tmp_path):
    from critmin.services.news import ingest_articles, list_facts
    from critmin.warehouse import open_warehouse

    src = (news_eval_dir() / "dev" / "articles" / "seed_003.txt").read_text(encoding="utf-8")
    copy = tmp_path / "mirror_site_copy.txt"
    copy.write_text("SOURCE: https://mirror.example/seed3\n" + src, encoding="utf-8")
    res = ingest_articles(news_home, [str(copy)])
    assert res["duplicates"] == 1 and res["articles_new"] == 0
    arts = open_warehouse(news_home).read("news_articles")
    row = arts[arts["article_id"] == "seed_003"].iloc[0]
    assert "https://mirror.example/seed3" in row["sources"] and "mirror_site_copy.txt" in row["origins"]
    assert len(arts) == 5
    # the same fact in two different articles is one merged fact with both article ids
    other = tmp_path / "other.txt"
    other.write_text(
        "SOURCE: https://other.example/x\nDATE: 2025-11-10\nIn 2024, India's imports from Peru stood "
        "at approximately US$4.69 billion, official data show.\n",
        encoding="utf-8",
    )
    ingest_articles(news_home, [str(other)])
    merged = list_facts(news_home, types=["trade_value"], merged=True)
    hit = [f for f in merged if f["value_usd"] == 4.69e9]
    assert len(hit) == 1 and set(hit[0]["article_ids"]) == {"seed_003", "other"}
    assert "https://other.example/x" in hit[0]["sources"]
    prov = open_warehouse(news_home).provenance()
    assert {"news_articles", "news_facts", "agreements"} <= set(prov["table"])


def test_facts_conflicts_negotiations(news_home):
    from critmin.services.news import find_conflicts, list_facts, negotiations

    rounds = list_facts(news_home, types=["negotiation_round"])
    assert {r["round_number"] for r in rounds} >= {8, 9, 10, 3}
    res = find_conflicts(news_home)
    causes = {(c["quantity"], c["cause"]) for c in res["comparisons"]}
    assert ("PER->IND flow", "fiscal_vs_calendar") in causes  # 3.03 bn FY2023-24 vs 4.69 bn CY2024
    assert ("IND->PER flow", "rounding") in causes  # 933 mn vs "under US$1 billion"
    ts = [r for r in res["reference"] if r["reference_table"] == "tradestat_imports" and r["period"] == "CY2024"]
    assert ts and ts[0]["reference_value_usd"] == pytest.approx(253.35e6)
    (d,) = [d for d in res["agreement_dates"] if d["article_id"] == "seed_002"]  # PTA "signed in 2005"
    assert not d["agrees"] and d["signature"] == "2006-03-08" and d["entry_into_force"] == "2007-08-17"
    tr = negotiations(news_home, reporter="IND", partner="PER")
    per = tr.agreements[0]
    assert per.name == "IND-PER FTA" and per.next_round.round_number == 10
    assert per.next_round.venue_city == "New Delhi"
    chl = negotiations(news_home, reporter="IND", partner="CHL")
    assert any(a.origin.startswith("wto_rta") for a in chl.agreements)  # Chile-India PSA (WTO RTA)
    with pytest.raises(UnknownCodeError):
        negotiations(news_home, reporter="india")
    with pytest.raises(EmptySelectionError):
        negotiations(news_home, reporter="IND", partner="ISL")
    with pytest.raises(UnknownCodeError):
        list_facts(news_home, types=["tariff"])


def test_cli_commands(news_home):
    from critmin.cli import app

    env = {"CRITMIN_HOME": str(news_home.home), "CRITMIN_MIRROR": str(news_home.mirror)}
    r = CliRunner().invoke(app, ["news", "facts", "--type", "share", "--json"], env=env)
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in r.output.splitlines() if x.strip()]
    assert lines and all(f["type"] == "share" and f["evidence"] for f in lines)
    r = CliRunner().invoke(app, ["negotiations", "--reporter", "IND", "--partner", "PER", "--json"], env=env)
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["agreements"][0]["next_round"]["round_number"] == 10
    r = CliRunner().invoke(app, ["news", "conflicts", "--json"], env=env)
    assert r.exit_code == 0 and json.loads(r.output)["comparisons"]


def test_brief_section_renders_timeline(news_home):
    from critmin.report.base import BriefContext
    from critmin.report.sections import news as section

    sec = section.build(BriefContext(settings=news_home))
    assert sec is not None and sec.figures
    names = {t.name for t in sec.figures[0].data}
    assert {"round held", "round planned"} <= names
    assert "IND-PER FTA" in sec.html and "Latest facts" in sec.html
    # agreements in force stay on the chart after news are ingested, below the negotiations
    fig = sec.figures[0]
    rows = list(fig.layout.yaxis.categoryarray)[::-1]
    assert rows[:2] == ["IND-CHL CEPA", "IND-PER FTA"] and "IND-AUS FTA & EIA" in rows and len(rows) >= 10
    in_force = next(t for t in fig.data if t.name == "in force")
    assert "IND-AUS FTA & EIA" in in_force.y and in_force.xaxis == "x"
    assert all(t.xaxis == "x2" for t in fig.data if t.name.startswith("round"))


def test_bad_inputs(settings, tmp_path):
    from critmin.services.news import ingest_articles
    from critmin.sources.news import read_article_file

    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Exportaciones a la India: 5 millones de d\xf3lares".encode("latin-1"))
    with pytest.raises(DataFormatError, match="not UTF-8"):
        read_article_file(bad)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(DataFormatError, match="empty"):
        read_article_file(empty)
    with pytest.raises(DataFormatError, match="unknown article type"):
        read_article_file(shutil.copy(bad, tmp_path / "a.pdf"))
    with pytest.raises(DataFormatError, match="does not exist"):
        ingest_articles(settings, [str(tmp_path / "missing.txt")])
    (tmp_path / "emptydir").mkdir()
    with pytest.raises(DataFormatError, match="no .txt"):
        ingest_articles(settings, [str(tmp_path / "emptydir")])


PAGE = (
    "<html><head><title>India, Chile hold third CEPA round</title>"
    "<meta property='article:published_time' content='2025-11-01'></head><body><nav>Home | Business</nav>"
    "<article><h1>India, Chile hold third CEPA round</h1>"
    "<p>Chile and India held the third round of negotiations for a Comprehensive Economic Partnership Agreement "
    "in Santiago between October 27 and 30, 2025. The talks covered trade in goods, rules of origin and "
    "critical minerals, officials said after the round closed.</p>"
    "<p>According to official data, India's imports from Chile were about US$1.51 billion in FY 2023-24, "
    "mostly copper concentrate, while exports to Chile were ca. US$1.18 billion.</p></article>"
    "<aside>Also Read: Sensex ends 300 points higher</aside></body></html>"
)


def test_html_file_and_url_over_loopback(tmp_path, mirror):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from critmin.services.news import ingest_articles, list_facts

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        s = load_settings(home=tmp_path / "home", mirror=mirror, offline=False)
        url = f"http://127.0.0.1:{server.server_address[1]}/business/india-chile-cepa.html"
        res = ingest_articles(s, [url])
        assert res["articles_new"] == 1
        page = tmp_path / "saved.html"
        page.write_text(PAGE, encoding="utf-8")
        res = ingest_articles(s, [str(page)])
        assert res["duplicates"] == 1  # the same article, saved to disk, merges with the URL copy
    finally:
        server.shutdown()
    facts = list_facts(s)
    (rnd,) = [f for f in facts if f["type"] == "negotiation_round"]
    assert (rnd["round_number"], rnd["venue_city"], rnd["start_date"]) == (3, "Santiago", "2025-10-27")
    assert rnd["source"] == url
    flows = {(f["flow"], f["value_usd"]) for f in facts if f["type"] == "trade_value"}
    assert flows == {("import", 1.51e9), ("export", 1.18e9)}
    offline = s.with_(offline=True, home=tmp_path / "other")
    from critmin.errors import DownloadError

    with pytest.raises(DownloadError, match="offline"):
        ingest_articles(offline, ["http://127.0.0.1:9/none.html"])


def test_ingest_keeps_signs_and_leaves_unknown_partners_out(settings, tmp_path):
    """Through the CLI: a negative balance is stored negative; trade with an unknown country is not filed as WLD."""
    from critmin.cli import app
    from critmin.services.news import list_facts

    art = tmp_path / "signs.txt"
    art.write_text(
        "DATE: 2025-02-01\nIndia's trade balance with Peru was -$1.2 billion in 2024. "
        "India exported goods worth $120 million to Ruritania in 2024.\n",
        encoding="utf-8",
    )
    r = CliRunner().invoke(
        app, ["news", "ingest", str(art), "--home", str(settings.home), "--mirror", str(settings.mirror)]
    )
    assert r.exit_code == 0, r.output
    trade = [f for f in list_facts(settings) if f["type"] == "trade_value"]
    assert [(f["partner"], f["value_usd"]) for f in trade] == [("PER", -1.2e9)]


def test_facts_table_states_each_fact_in_words():
    from critmin.cli.news import fact_text

    assert (
        fact_text(
            {
                "type": "trade_value",
                "reporter": "IND",
                "partner": "PER",
                "flow": "total",
                "value_usd": 2.34e9,
                "period": {"kind": "FY", "start": "2019-04", "end": "2020-03"},
                "approx": False,
                "projected": False,
            }
        )
        == "IND-PER total: USD 2.34 bn, FY2019-20"
    )
    assert (
        fact_text(
            {
                "type": "trade_value",
                "reporter": "NZL",
                "partner": "IND",
                "flow": "export",
                "value_usd": 1.9e9,
                "value_orig": 3.14e9,
                "currency_orig": "NZD",
                "approx": True,
                "period": {"kind": "CY", "start": "2024-01", "end": "2024-12"},
            }
        )
        == "NZL → IND export: about USD 1.90 bn (stated as NZD 3.14 bn), CY2024"
    )
    assert (
        fact_text(
            {
                "type": "policy_measure",
                "country": "IND",
                "kind": "production_incentive",
                "partners": [],
                "amount": 5e10,
                "currency": "INR",
                "status": "announced",
                "subject": "magnets",
            }
        )
        == "IND production_incentive on magnets (announced), ₹5,000 cr"
    )
    assert (
        fact_text(
            {
                "type": "negotiation_round",
                "agreement": "IND-PER FTA",
                "round_number": 9,
                "status": "held",
                "start_date": "2025-11-03",
                "end_date": "2025-11-05",
                "venue_city": "Lima",
            }
        )
        == "IND-PER FTA round 9 held: 2025-11-03 to 2025-11-05, Lima"
    )


def test_facts_command_prints_words_not_json(news_home, monkeypatch):
    from critmin.cli import app
    from critmin.cli._common import console

    monkeypatch.setattr(console, "width", 200)
    r = CliRunner().invoke(app, ["news", "facts", "--type", "trade_value", "--home", str(news_home.home)])
    assert r.exit_code == 0, r.output
    assert "IND-PER total: USD 2.34 bn, FY2019-20" in r.stdout and '"reporter"' not in r.stdout
