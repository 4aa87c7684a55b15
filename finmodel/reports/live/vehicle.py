"""One live calculation sheet per vehicle: its schedule, waterfall, payments by party and metrics.

Each vehicle kind is one function that writes the schedule rows
(:data:`finmodel.reports.live.schedules.SCHEDULES`; a stream's and a loan's in
:mod:`finmodel.reports.live.streams`); the rows reproduce :mod:`finmodel.engine.schedule`
formula by formula. The waterfall, the payments by party and the metrics are the same for
every kind (:mod:`finmodel.reports.live.payments`). A kind with no function (a kind added to
the engine later) gets the engine's own numbers (:mod:`finmodel.reports.live.static`), so the
workbook never breaks.

Row keys every sheet has: ``contribution`` (and ``contribution:<party>`` per contributor),
``distribution``, ``value`` (value at the end of the period), ``return``, ``fee`` (rows a kind
does not have are absent), ``receipts:<party>`` and ``payments:<party>`` (contributors only),
``net_flow``; metrics (column D) ``contributed``,
``distributed``, ``terminal_value``, ``profit``, ``moic``, ``irr``, ``npv``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl.workbook import Workbook

from finmodel.engine.batch import VehicleInputs
from finmodel.kinds import FeeBasis, VehicleKind
from finmodel.reports.cells import USD_BN
from finmodel.reports.live.grid import Grid, Refs
from finmodel.reports.live.payments import (
    contribution_rows,
    metric_rows,
    payment_rows,
    waterfall_rows,
)
from finmodel.reports.live.schedules import SCHEDULES
from finmodel.reports.live.static import engine_rows
from finmodel.reports.live.streams import has_live_flows, loan_sheet, stream_sheet

if TYPE_CHECKING:
    from finmodel.inputs.models.scenario import Assumptions
    from finmodel.studies.run import Result





def is_live(a: Assumptions, vid: str) -> bool:
    """Whether vehicle ``vid`` gets live formulas (else the engine's numbers, as values)."""
    kind = a.vehicles[vid].kind
    return kind in SCHEDULES or (kind in FLOW_KINDS and has_live_flows(a, vid))


def vehicle_sheet(
    wb: Workbook,
    result: Result,
    v: VehicleInputs,
    refs: Refs,
    title: str,
    source: Grid | None = None,
) -> Grid:
    """Write the calculation sheet of vehicle ``v``, titled ``title``; return its grid (row
    keys above).

    ``source``: the sheet of the vehicle that services a loan (built before it).
    """
    b = result.outcome.batch
    spec = result.assumptions.vehicles[v.id]
    g = Grid(wb.create_sheet(title), b.timeline.columns)
    g.title(f"{spec.name}: live schedule, waterfall and payments ({v.kind.value})", result.name)
    g.section("Schedule (the vehicle's books)")
    if not is_live(result.assumptions, v.id):
        engine_rows(g, result, v)
        g.flush()
        return g
    if v.kind is VehicleKind.stream:
        stream_sheet(g, refs, result, v)
    elif v.kind is VehicleKind.loan:
        loan_sheet(g, refs, result, v, source)
    if v.kind in FLOW_KINDS:
        metric_rows(g, refs)
        g.flush()
        return g
    build = SCHEDULES[v.kind]
    names = {p: result.assumptions.parties[p].name for p in b.parties}
    contributors = contribution_rows(g, refs, result, b.parties)
    terms = [g.cur(f"contribution:{p}") for p in contributors] or ["0"]
    g.series("contribution", "Contribution", "USD bn", "=" + "+".join(terms))
    _constants(g, refs)
    build(g, refs, spec.fee.basis if spec.fee else FeeBasis.committed)
    waterfall_rows(g, refs, v)
    payment_rows(g, refs, names, contributors, v)
    metric_rows(g, refs)
    g.flush()
    return g


def _constants(g: Grid, refs: Refs) -> None:
    """Committed capital and the term, in periods."""
    g.constant(
        "committed",
        "Committed capital (all contributions)",
        "USD bn",
        f"={g.total('contribution')}",
        USD_BN,
    )
    g.constant(
        "term",
        "Term (the liquidation period)",
        "period",
        f"=ROUND({refs.scalar('term_years')}*{refs.m},0)",
        "0",
    )


# --- schedules, one function per kind -------------------------------------------------------








#: Kinds that pass money on at once and write their own payments
#: (:mod:`finmodel.reports.live.streams`).
FLOW_KINDS = (VehicleKind.stream, VehicleKind.loan)


# --- waterfall, payments and metrics: every kind -------------------------------------------
