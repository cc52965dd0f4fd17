"""Brief section (first): total bilateral trade, all goods — the place of the "total trade" card.

TOTAL-TRADE CARD. It opens the brief (``ORDER = 5``, before the critical-mineral
sections) with the reporter's total trade with the partner, all goods, and its
main products (gold, copper ore, ...). Its numbers come from
``critmin.services.trade_picture.trade_picture(settings, reporter, partner, period)``;
until that service exists this section is skipped (``build`` returns ``None``).
The card must state source, product scope ("all goods"), period and basis, and unit.
"""

from __future__ import annotations

import importlib.util

from critmin.report.base import BriefContext, Section

ORDER = 5


def build(ctx: BriefContext) -> Section | None:
    if ctx.partner is None or importlib.util.find_spec("critmin.services.trade_picture") is None:
        return None
    # Wire here: picture = trade_picture(ctx.settings, ctx.reporter, ctx.partner, <period of ctx.year>)
    # and return Section(key="total_trade", title=f"Total trade: ... {ctx.year} (all goods)", ...).
    return None
