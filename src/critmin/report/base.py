"""What a brief section is, and the context it is built from.

Each module in :mod:`critmin.report.sections` defines ``ORDER`` (int, sort key)
and ``build(ctx: BriefContext) -> Section | None``; sections are discovered, so a
capability adds its section by adding a module. A section gets its numbers from
:mod:`critmin.services` and returns HTML fragments plus Plotly figures; it does
no analysis itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from critmin.config import Settings


@dataclass(frozen=True)
class Footnote:
    """Where a number comes from: table, source file, publisher, licence, formula."""

    text: str


@dataclass
class Section:
    key: str
    title: str
    html: str = ""  # body fragment (tables, text); escaped by the section
    figures: list[Any] = field(default_factory=list)  # plotly.graph_objects.Figure
    footnotes: list[Footnote] = field(default_factory=list)


@dataclass(frozen=True)
class BriefContext:
    settings: Settings
    reporter: str = "IND"
    partner: str | None = "PER"
    year: int = 2024
    paper: str = "A4"  # PDF page size: "A4" or "Letter"

    def period_label(self, year: int, what: str = "") -> str:
        """``year`` as shown on a card: plain when it is the brief's reference year, else labelled as another period.

        Every section carries the one reference year of the brief (``self.year``); a figure for any other
        year (a projection's start, a tariff schedule's year) is shown only with this label.
        """
        if int(year) == int(self.year):
            return str(year)
        return f"{year} ({what + ', ' if what else ''}not the reference year {self.year})"

    def _provenance(self, table: str) -> list[dict]:
        from critmin.services.data import provenance_frame

        try:
            prov = provenance_frame(self.settings)
        except Exception:  # no warehouse yet: the section that needs the table says so itself
            return []
        return prov[prov["table"] == table].to_dict(orient="records")

    def source(self, table: str) -> str:
        """``"<title>, <release>"`` of the warehouse table ``table``, from the build's provenance.

        Footnotes name their data through this, so a new release of a source changes the brief's
        text with its numbers (never a release string written into a section).
        """
        rows = self._provenance(table)
        if not rows:
            return f"table {table} (not in this build)"
        return f"{rows[0]['title']}, {rows[0]['release']}"

    def licence(self, table: str) -> str:
        """The licence of the warehouse table ``table``, from the build's provenance."""
        rows = self._provenance(table)
        return str(rows[0]["licence"]) if rows else "unknown"

    def files(self, table: str) -> list[str]:
        """The publisher files the warehouse table ``table`` was built from."""
        return sorted({str(r["file"]) for r in self._provenance(table)})
