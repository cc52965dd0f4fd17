"""Assemble the brief: every discovered section, one self-contained HTML page (or PDF).

The page inlines plotly.js once, so it opens offline; every section lists its
footnotes, and a closing table gives the source, release, file, checksum and
licence of every warehouse table used.
"""

from __future__ import annotations

import html
import importlib
import os
import pkgutil
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from critmin.report.base import BriefContext, Section
from critmin.vocabulary import BriefFormat

Format = BriefFormat
PAPERS = ("A4", "Letter")


@dataclass
class BriefResult:
    path: Path
    sections: list[str]
    failed: dict[str, str] = field(default_factory=dict)


def discover_sections():
    """Section modules sorted by their ``ORDER``."""
    from critmin.report import sections as pkg

    mods = []
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
        if callable(getattr(mod, "build", None)):
            mods.append(mod)
    return sorted(mods, key=lambda m: (getattr(m, "ORDER", 100), m.__name__))


def section_key(mod) -> str:
    """The ``--section`` name of a section module (its module name, e.g. ``trade``)."""
    return mod.__name__.rsplit(".", 1)[-1]


def section_keys() -> list[str]:
    """Every section name, in brief order."""
    return [section_key(m) for m in discover_sections()]


def build_sections(ctx: BriefContext, *, only: list[str] | None = None) -> tuple[list[Section], dict[str, str]]:
    """Build each section; a failing section is reported, not silently dropped."""
    from critmin.errors import ConfigError

    mods = discover_sections()
    known = [section_key(m) for m in mods]
    unknown = sorted(set(only or []) - set(known))
    if unknown:
        raise ConfigError(
            f"unknown brief section {', '.join(repr(u) for u in unknown)}; choose from {', '.join(known)}"
        )
    built, failed = [], {}
    for mod in mods:
        key = section_key(mod)
        if only and key not in only:
            continue
        try:
            sec = mod.build(ctx)
        except Exception as exc:  # noqa: BLE001 - shown in the brief and returned to the caller
            failed[key] = f"{type(exc).__name__}: {exc}"
            if os.environ.get("CRITMIN_DEBUG"):
                traceback.print_exc()
            continue
        if sec is not None:
            built.append(sec)
    return built, failed


def provenance_rows(provenance) -> list[dict]:
    """One row per warehouse table: its source, release, every file it was read from (with checksums),
    and the table's row count once (not repeated per file)."""
    if provenance is None or not len(provenance):
        return []
    df = provenance.drop_duplicates(subset=["table", "file"])
    rows = []
    for table_name, g in df.groupby("table", sort=False):
        first = g.iloc[0].to_dict()
        first["files"] = [str(f) for f in g["file"]]
        first["file"] = ", ".join(first["files"])
        first["hashes"] = [str(h)[:12] for h in g["sha256"]]
        first["sha256"] = " ".join(first["hashes"])
        first["n_files"] = len(g)
        rows.append(first)
    return rows


def render_html(ctx: BriefContext, sections: list[Section], failed: dict[str, str], provenance) -> str:
    import plotly.offline

    env = Environment(loader=PackageLoader("critmin.report", "templates"), autoescape=select_autoescape(["html", "j2"]))
    figures = {}
    for s in sections:
        figures[s.key] = [
            f.to_html(
                full_html=False,
                include_plotlyjs=False,
                config={"displaylogo": False, "displayModeBar": False, "responsive": True},
            )
            for f in s.figures
        ]
    prov = provenance_rows(provenance)
    return env.get_template("brief.html.j2").render(
        ctx=ctx,
        sections=sections,
        figures=figures,
        failed=failed,
        provenance=prov,
        plotlyjs=plotly.offline.get_plotlyjs(),
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        esc=html.escape,
    )


def write_brief(ctx: BriefContext, out: Path, *, only: list[str] | None = None, provenance=None) -> BriefResult:
    """Write the brief to ``out`` (``.html`` or ``.pdf``) atomically."""
    from critmin.errors import ConfigError

    out = Path(out)
    if ctx.paper not in PAPERS:
        raise ConfigError(f"paper must be one of {', '.join(PAPERS)}, got {ctx.paper!r}")
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise ConfigError(f"brief output must end in .html or .pdf, got {out.name}")
    sections, failed = build_sections(ctx, only=only)
    page = render_html(ctx, sections, failed, provenance)
    out.parent.mkdir(parents=True, exist_ok=True)
    html_path = out if suffix != ".pdf" else out.with_suffix(".html")
    tmp = html_path.with_name(html_path.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(html_path)
    if suffix == ".pdf":
        from critmin.report.browser import html_to_pdf

        html_to_pdf(html_path, out)
    return BriefResult(out, [s.key for s in sections], failed)
