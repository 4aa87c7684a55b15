"""The live model's frozen-asset pool: holdings in USD, and the carve-outs applied in order.

Reproduces :func:`finmodel.engine.pool.split` cell by cell on the ``Calc pool`` sheet. For
carve-out i
and holding h, with ``left`` what earlier carve-outs left (the holding itself for the first):

- available = selected(i, h) x left(h);
- wanted = min(amount in USD, total available), or the total for a ``remainder``;
- taken = available x wanted / total (``pro_rata``), min(max(wanted - available in the
  holdings drawn on before it, 0), available) (``in_order``: in the order ``from`` lists them,
  :func:`finmodel.engine.pool.draw_order`), or all that is available (``remainder``);
- left(h) = left(h) - taken.

A vehicle funded from the pool receives the sum of its carve-outs from the pool's owner at
period 0. The inputs (holdings, exchange rates at the start, carve-out amounts and which
holdings each draws on) are on the Inputs sheet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl.workbook import Workbook

from finmodel.engine.pool import draw_order
from finmodel.inputs.fx import fx_at_start
from finmodel.reports.cells import USD_BN
from finmodel.reports.live.constants import flag
from finmodel.reports.live.grid import Grid

if TYPE_CHECKING:
    from finmodel.studies.run import Result

POOL = "Calc pool"


def from_pool(result: Result, vid: str) -> bool:
    """Whether vehicle ``vid`` is funded by the pool (its owner's contribution is live)."""
    capital = result.assumptions.vehicles[vid].capital
    return capital is not None and capital.from_ == "pool"


def pool_inputs(g: Grid, result: Result, scalar) -> None:
    """The pool's inputs, written on Inputs with ``scalar(key, label, units, value, fmt)``.

    Keys: ``fx:<currency>``, ``holding:<id>``, ``carve:<i>`` (carve-outs
    with an amount), ``select:<i>:<id>`` (1 where carve-out i draws on holding id).
    """
    a = result.assumptions
    g.section("Exchange rates at the start, and the frozen-asset pool (holdings, carve-outs)")
    fx = fx_at_start(a)
    for cur in sorted(set(a.fx) - {"USD"}):
        which = "rate" if a.fx[cur].path is None else "path (first year)"
        scalar(f"fx:{cur}", f"fx.{cur}.{which}", "USD per unit", float(fx[cur][0]), "0.0000")
    for h in a.pool.holdings:
        label = f"pool.holdings.{h.id}.amount_bn ({h.currency})"
        scalar(f"holding:{h.id}", label, f"{h.currency} bn", h.amount_bn, "#,##0.00")
    for i, c in enumerate(a.pool.allocation):
        if c.amount_bn is not None:
            label = f"pool.allocation.{i}.amount_bn ({c.vehicle}, {c.currency})"
            scalar(f"carve:{i}", label, f"{c.currency} bn", c.amount_bn, "#,##0.00")
        for h in a.pool.holdings:
            chosen = h.id in c.from_ or h.region in c.from_
            label = f"pool.allocation.{i}.from: {h.id} (1 = draws on it)"
            row = scalar(f"select:{i}:{h.id}", label, "flag", 1.0 if chosen else 0.0, "0")
            flag(g, row)  # Excel accepts 0 or 1 only


def pool_sheet(wb: Workbook, result: Result, inputs: Grid) -> Grid:
    """Write the Calc pool sheet; return its grid.

    Row keys (constants, column B): ``usd:<holding>``, per carve-out i ``available:<i>:<h>``,
    ``total:<i>``, ``wanted:<i>``, ``short:<i>`` (what it asks beyond what is left; with an
    amount only), ``taken:<i>:<h>``, ``left:<i>:<h>``, ``use:<i>``; ``vehicle:<vid>`` (what
    each vehicle receives from the pool), ``sources``, ``uses``, ``left``.
    """
    a = result.assumptions
    g = Grid(wb.create_sheet(POOL), result.outcome.batch.timeline.columns)
    g.title("Calc pool: the frozen-asset pool's carve-outs, applied in order (live)", a.name, False)
    usd = _in_usd(inputs)
    g.section("Sources: the holdings in USD at the start date")
    for h in a.pool.holdings:
        g.constant(f"usd:{h.id}", h.id, "USD bn", f"={usd(f'holding:{h.id}', h.currency)}", USD_BN)
    left = {h.id: g.const(f"usd:{h.id}") for h in a.pool.holdings}
    for i in range(len(a.pool.allocation)):
        _carveout(g, inputs, result, i, left)
    _totals(g, result, left)
    g.flush()
    return g


def _in_usd(inputs: Grid):
    """The formula text of an amount input (bn of its currency) in USD."""
    bn = inputs.const("bn", True)

    def usd(key: str, currency: str) -> str:
        fx = "" if currency == "USD" else f"*{inputs.const(f'fx:{currency}', True)}"
        return f"{inputs.const(key, True)}*{bn}{fx}"

    return usd


def _carveout(g: Grid, inputs: Grid, result: Result, i: int, left: dict[str, str]) -> None:
    """Carve-out ``i``: what is available in its selection, what it takes from each holding
    (pro rata, in order, or the remainder) and what is left; ``left`` (holding -> the cell of
    what is left of it) moves on to the next carve-out."""
    a = result.assumptions
    c = a.pool.allocation[i]
    holdings = [h.id for h in a.pool.holdings]
    method = "remainder" if c.amount_bn is None else c.method.value
    g.section(f"Carve-out {i}: to {c.vehicle} ({method}, from {', '.join(c.from_)})")
    for h in holdings:
        select = inputs.const(f"select:{i}:{h}", True)
        g.constant(
            f"available:{i}:{h}", f"Available: {h}", "USD bn", f"={select}*{left[h]}", USD_BN
        )
    available = [g.const(f"available:{i}:{h}") for h in holdings]
    total = g.const(f"total:{i}")
    g.constant(f"total:{i}", "Available in all", "USD bn", f"=SUM({','.join(available)})", USD_BN)
    if c.amount_bn is None:
        g.constant(f"wanted:{i}", "Taken (the remainder)", "USD bn", f"={total}", USD_BN)
    else:
        asked = _in_usd(inputs)(f"carve:{i}", c.currency)
        g.constant(f"wanted:{i}", "Taken (at most what is available)", "USD bn",
                   f"=MIN({asked},{total})", USD_BN)  # fmt: skip
        g.constant(f"short:{i}", "Asked beyond what is available", "USD bn",
                   f"=MAX({asked}-{total},0)", USD_BN)  # fmt: skip
    wanted = g.const(f"wanted:{i}")
    order = list(draw_order(holdings, [h.region for h in a.pool.holdings], list(c.from_)))
    for j, h in enumerate(holdings):
        avail = available[j]
        if c.amount_bn is None:
            take = f"={avail}"
        elif method == "pro_rata":
            take = f"=IF({total}>0,{avail}*{wanted}/{total},0)"
        else:
            before = "+".join(available[e] for e in order[: order.index(j)]) or "0"
            take = f"=MIN(MAX({wanted}-({before}),0),{avail})"
        g.constant(f"taken:{i}:{h}", f"Taken: {h}", "USD bn", take, USD_BN)
    for h in holdings:
        g.constant(f"left:{i}:{h}", f"Left: {h}", "USD bn",
                   f"={left[h]}-{g.const(f'taken:{i}:{h}')}", USD_BN)  # fmt: skip
        left[h] = g.const(f"left:{i}:{h}")
    taken = ",".join(g.const(f"taken:{i}:{h}") for h in holdings)
    g.constant(f"use:{i}", f"Carve-out {i}: to {c.vehicle}", "USD bn", f"=SUM({taken})", USD_BN)


def _totals(g: Grid, result: Result, left: dict[str, str]) -> None:
    """What each vehicle receives from the pool, and the totals of sources, uses and left."""
    a = result.assumptions
    g.section("Uses by vehicle, and totals")
    for vid in a.vehicles:
        uses = [g.const(f"use:{i}") for i, c in enumerate(a.pool.allocation) if c.vehicle == vid]
        if uses:
            g.constant(f"vehicle:{vid}", f"To {vid}", "USD bn", "=" + "+".join(uses), USD_BN)
    sums = {
        "sources": [g.const(f"usd:{h.id}") for h in a.pool.holdings],
        "uses": [g.const(f"use:{i}") for i in range(len(a.pool.allocation))],
        "left": list(left.values()),
    }
    for key, refs in sums.items():
        g.constant(key, f"Total {key}", "USD bn", f"=SUM({','.join(refs)})", USD_BN)
