"""The Sources & Uses sheet: the frozen-asset pool's holdings, its carve-outs in order, a check
row and a chart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl.worksheet.worksheet import Worksheet

from finmodel.reports import charts
from finmodel.reports.cells import (
    BOLD,
    TOTAL_BORDER,
    USD_BN,
    USD_CENTS,
    header,
    put,
    sheet_title,
    widths,
)

if TYPE_CHECKING:
    from finmodel.studies.run import Result



def sources_uses_sheet(ws: Worksheet, result: Result) -> None:
    a = result.assumptions
    b = result.outcome.batch
    row = sheet_title(ws, "The frozen-asset pool: sources and uses", result)
    put(ws, row, 1, "Sources: holdings", font=BOLD)
    header(
        ws,
        row + 1,
        1,
        ["Holding", "Region", "Amount (bn, own currency)", "Currency", "USD per unit", "USD"],
    )
    first = row + 2
    fx = {c: f.rate if f.rate is not None else (f.path or (1.0,))[0] for c, f in a.fx.items()}
    for i, h in enumerate(a.pool.holdings):
        r = first + i
        put(ws, r, 1, h.name or h.id)
        put(ws, r, 2, h.region)
        put(ws, r, 3, h.amount_bn, "#,##0.00")
        put(ws, r, 4, h.currency)
        put(ws, r, 5, fx.get(h.currency, 1.0), "0.0000")
        put(ws, r, 6, result.summary["pool"]["sources"][h.id], USD_BN)
    total_src = first + len(a.pool.holdings)
    put(ws, total_src, 1, "Total sources", font=BOLD)
    c = put(ws, total_src, 6, result.summary["pool"]["total"], USD_BN, font=BOLD)
    c.border = TOTAL_BORDER

    row = total_src + 2
    holdings = [h.id for h in a.pool.holdings]
    put(ws, row, 1, "Uses: carve-outs, in order", font=BOLD)
    header(ws, row + 1, 1, ["Use", "From", "Method", *holdings, "USD"])
    first = row + 2
    for i, (c_, use) in enumerate(zip(a.pool.allocation, result.summary["pool"]["uses"])):
        r = first + i
        put(ws, r, 1, use["use"])
        put(ws, r, 2, ", ".join(c_.from_))
        put(ws, r, 3, "remainder" if c_.amount == "remainder" else c_.method.value)
        for j, _ in enumerate(holdings):
            put(ws, r, 4 + j, float(b.pool.taken[0, i, j]), USD_BN)
        put(ws, r, 4 + len(holdings), use["amount"], USD_BN)
    total_use = first + len(a.pool.allocation)
    put(ws, total_use, 1, "Total uses", font=BOLD)
    c = put(ws, total_use, 4 + len(holdings), float(b.pool.taken[0].sum()), USD_BN, font=BOLD)
    c.border = TOTAL_BORDER
    put(ws, total_use + 2, 1, "Check: sources - uses (USD)", font=BOLD)
    put(
        ws,
        total_use + 2,
        4 + len(holdings),
        result.summary["pool"]["total"] - float(b.pool.taken[0].sum()),
        USD_CENTS,
    )
    widths(ws, {1: 44, 2: 16, 3: 14, **{4 + j: 14 for j in range(len(holdings) + 1)}})
    ws.freeze_panes = "B5"
    chart = charts.pool_uses(ws, first, total_use - 1, (4, 3 + len(holdings)))
    ws.add_chart(chart, f"A{total_use + 4}")
