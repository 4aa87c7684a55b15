"""The Summary sheet (who receives what: parties, vehicles, needs funded, a chart) and the
Checks sheet (each identity's error against its tolerance)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from finmodel.reports import charts
from finmodel.reports.cells import (
    BOLD,
    MOIC,
    PCT,
    USD_BN,
    header,
    put,
    sheet_title,
    widths,
)

if TYPE_CHECKING:
    from finmodel.studies.run import Result



def summary_sheet(ws: Worksheet, result: Result) -> int:
    """The static Summary sheet; returns the first free row under its chart."""
    row = _heading(ws, result)
    row = _party_table(ws, row, result)
    row = _vehicle_table(ws, row, result)
    row = _needs(ws, row, result)
    row, (first, last) = _by_vehicle_tables(ws, row, result)
    ws.row_breaks.append(Break(id=row))  # printed, the chart starts a page of its own
    n_parties = len(result.summary["parties"])
    ws.add_chart(charts.who_receives(ws, first, last, n_parties), f"A{row + 1}")
    widths(ws, {1: 44, 2: 16, 3: 16, 4: 16, 5: 16, 6: 12, 7: 14, 8: 14, 9: 40})
    ws.freeze_panes = "A5"
    return row + 21


def _heading(ws: Worksheet, result: Result) -> int:
    """Title, the scenario's description and the checks' status; the next row after the one
    left for the live model's master check."""
    s, a = result.summary, result.assumptions
    row = sheet_title(ws, "finmodel: who receives what", result)
    text = a.description or ""
    if result.changes:  # a changed run says so first, in words (never passed off as the file's)
        text = "\n".join(["CHANGED by --set:", *result.changes, "", text])
        put(ws, row, 1, "Changes, then description", font=Font(bold=True, color="9C0006"))
    else:
        put(ws, row, 1, "Description")
    ws.cell(row, 1).alignment = Alignment(vertical="top")
    put(ws, row, 2, text).alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=9)
    lines = len(result.changes) + 2 if result.changes else 0
    ws.row_dimensions[row].height = 15 * (1 + lines + len(a.description or "") // 170)
    put(ws, row + 1, 1, "Checks")
    status = (
        "OK: every identity holds (to the cent, or 8 ulps of the money it involves)"
        if s["checks_ok"]
        else "FAILED: see Checks"
    )
    put(
        ws, row + 1, 2, status, font=Font(bold=True, color="006100" if s["checks_ok"] else "9C0006")
    )
    return row + 4  # the next row: the live model's master check (run_workbook)


def _party_table(ws: Worksheet, row: int, result: Result) -> int:
    """Each party's received, paid, net, NPV, terminal claim and NPV with claims valued; the
    next free row."""
    s, a = result.summary, result.assumptions
    own = ", own rate where given" if a.party_discount_rates else ""
    put(ws, row, 1, "Parties", font=BOLD)
    header(
        ws, row + 1, 1,
        ["Party", "Received", "Paid", "Net", f"NPV @ {a.discount_rate:.2%}{own}",
         "Terminal claim", "With claims: NPV"],
    )  # fmt: skip
    ws.row_dimensions[row + 1].height = 30  # two lines: the headers wrap at their words
    first = row + 2
    keys = ("received", "paid", "net", "npv", "terminal_claim", "npv_with_claims")
    for i, (pid, p) in enumerate(s["parties"].items()):
        r = first + i
        put(ws, r, 1, a.parties[pid].name)
        for j, k in enumerate(keys):
            put(ws, r, 2 + j, p[k], USD_BN)
    note = first + len(s["parties"]) + 1  # a blank row ends the table
    owner = a.parties[a.pool.owner].name
    put(ws, note, 1, f"With claims: the NPV plus each party's claims at the horizon, "
                     f"discounted; {owner}'s (the pool's owner) at claims.recovery = "
                     f"{a.claims.recovery:.0%}, a borrower's debts deducted.")  # fmt: skip
    return note + 2


_VEHICLE_COLUMNS = ["Vehicle", "Contributed", "Distributed", "Terminal value", "Profit", "IRR",
                    "MOIC", "NPV", "Note"]  # fmt: skip


def _vehicle_table(ws: Worksheet, row: int, result: Result) -> int:
    """Each vehicle's money, IRR, MOIC and NPV (and why an IRR is undefined); the next row."""
    s, a = result.summary, result.assumptions
    put(ws, row, 1, "Vehicles", font=BOLD)
    header(ws, row + 1, 1, _VEHICLE_COLUMNS)
    first = row + 2
    for i, (vid, v) in enumerate(s["vehicles"].items()):
        r = first + i
        put(ws, r, 1, a.vehicles[vid].name)
        for j, k in enumerate(("contributed", "distributed", "terminal_value", "profit")):
            put(ws, r, 2 + j, v[k], USD_BN)
        put(ws, r, 6, v["irr"], PCT)
        put(ws, r, 7, v["moic"], MOIC)
        put(ws, r, 8, v["npv"], USD_BN)
        note = put(ws, r, 9, _sentence(v["irr_note"]) if v["irr"] is None else "")
        note.alignment = _NOTE  # set off from the NPV beside it
    return first + len(s["vehicles"]) + 1


_NOTE = Alignment(indent=2)


def _sentence(note: str) -> str:
    """A reason as a sentence: ``"a grant pays no return"`` -> ``"A grant pays no return."``."""
    return f"{note[:1].upper()}{note[1:]}." if note else ""


def _by_vehicle_tables(ws: Worksheet, row: int, result: Result) -> tuple[int, tuple[int, int]]:
    """What each party received from, and paid into, each vehicle: the next free row, and the
    rows of the received table (the chart's data)."""
    s, a = result.summary, result.assumptions
    parties = list(s["parties"])
    tables = {}
    for key, label in (("received", "Received"), ("paid", "Paid")):
        put(ws, row, 1, f"{label} by each party, from / into each vehicle", font=BOLD)
        header(ws, row + 1, 1, ["Vehicle", *[a.parties[p].name for p in parties]])
        first = row + 2
        for i, vid in enumerate(s["vehicles"]):
            put(ws, first + i, 1, a.vehicles[vid].name)
            for j, pid in enumerate(parties):
                put(ws, first + i, 2 + j, s["parties"][pid]["by_vehicle"][vid][key], USD_BN)
        tables[key] = (first, first + len(s["vehicles"]) - 1)
        row = first + len(s["vehicles"]) + 1
    return row, tables["received"]


def _needs(ws: Worksheet, row: int, result: Result) -> int:
    """The share of each estimate of reconstruction needs this reading funds within its years;
    the Reconstruction sheet shows it year by year, with the gap. Returns the next free row."""
    rec = result.summary["reconstruction"]
    if not rec["needs"]:
        return row
    marked = [v.name for v in result.assumptions.vehicles.values() if v.funds_reconstruction]
    put(ws, row, 1, "Reconstruction needs funded", font=BOLD)
    put(ws, row, 2, f"by: {', '.join(marked) or 'no vehicle'}")
    header(ws, row + 1, 1, ["Estimate", "Needs", "Years", "Funded in them", "Share funded"])
    for i, n in enumerate(rec["needs"].values(), start=row + 2):
        put(ws, i, 1, n["name"])
        put(ws, i, 2, n["needs"], USD_BN)
        put(ws, i, 3, n["years"])
        put(ws, i, 4, n["funded"], USD_BN)
        put(ws, i, 5, n["share"], PCT)
    return row + 3 + len(rec["needs"])



def checks_sheet(ws: Worksheet, result: Result) -> None:
    row = sheet_title(ws, "Checks: identities that must hold (docs/model.md)", result)
    header(ws, row, 1, ["Check", "Error (USD)", "Tolerance (USD)", "Status"])
    tolerances = result.summary["checks_tolerance_usd"]
    for i, (name, err) in enumerate(result.summary["checks"].items(), start=row + 1):
        tol = tolerances[name]
        put(ws, i, 1, name)
        put(ws, i, 2, err, "0.000000")
        put(ws, i, 3, tol, "0.00")
        ok = err <= tol
        put(
            ws,
            i,
            4,
            "OK" if ok else "FAILED",
            font=Font(bold=True, color="006100" if ok else "9C0006"),
        )
    widths(ws, {1: 52, 2: 16, 3: 16, 4: 10})
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
