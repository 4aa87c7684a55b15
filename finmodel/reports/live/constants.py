"""The live model's constants: numbers its formulas use that are not inputs.

One billion, the hours in a year, MW per GW, the check tolerances and the timeline's
frequency are fixed by definition or by the run (the frequency sets the columns): they sit in
a labelled block at the top of the Inputs sheet, in the constant style (grey on white), never in
the input style. Excel's data validation refuses another frequency, and a 0/1 flag other than 0
or 1, with a message that says what to do instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl.styles import Font, NamedStyle
from openpyxl.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from finmodel.engine.tolerance import CENT, ULPS
from finmodel.inputs.streams import HOURS_A_YEAR

if TYPE_CHECKING:
    from finmodel.reports.live.grid import Grid
    from finmodel.studies.run import Result

CONSTANT = "Constant"
#: Tolerances of the live check rows: money in USD (a cent), rates and shares (absolute)...
TOLERANCE_USD, TOLERANCE_RATE = CENT, 1e-9
#: ...and money relative to the money a row involves: the ulps finmodel's own checks allow.
TOLERANCE_ULPS = ULPS * 2.0**-52
#: A deployment schedule is complete when its cumulative fraction is within this of 1.
DEPLOYED_TOLERANCE = 1e-12
FREQUENCY_NOTE = (
    "The frequency sets the columns of every sheet: it cannot change here. Run finmodel with "
    "--set timeline.frequency=... for another one."
)


def constant_style(wb: Workbook) -> None:
    """Register the named style ``Constant``: grey, not the inputs' blue on yellow."""
    if CONSTANT not in wb.named_styles:
        wb.add_named_style(NamedStyle(name=CONSTANT, font=Font(color="595959")))


def constants_block(g: Grid, result: Result) -> None:
    """The constants section of the Inputs sheet (keys ``m``, ``bn``, ``hours_a_year``,
    ``mw_per_gw``, ``tolerance_usd``, ``tolerance_ulps``, ``tolerance_rate``,
    ``deployed_tolerance``)."""
    constant_style(g.ws.parent)
    a, m = result.assumptions, result.outcome.batch.timeline.m
    g.section("Constants: fixed by definition or by the run (not inputs: do not change)")

    def put(key: str, label: str, units: str, value: float, fmt: str) -> int:
        return g.constant(key, label, units, float(value), fmt, style=CONSTANT)

    row = put("m", "timeline.frequency: periods a year (sets the columns)", "per year", m, "0")
    fixed(g, row, m, FREQUENCY_NOTE)
    put("bn", "one billion (amounts in the assumption files are in bn)", "units", 1e9, "0.0E+00")
    if any(v.stream is not None and v.stream.energy is not None for v in a.vehicles.values()):
        put("hours_a_year", "hours in a (non-leap) year", "hours", HOURS_A_YEAR, "#,##0")
        put("mw_per_gw", "MW in a GW", "MW", 1e3, "#,##0")
    put("tolerance_usd", "check tolerance, amounts", "USD", TOLERANCE_USD, "0.00")
    put("tolerance_ulps", "check tolerance, amounts, relative to the money involved (if above "
        "a cent)", "relative", TOLERANCE_ULPS, "0.0E+00")  # fmt: skip
    put("tolerance_rate", "check tolerance, rates and shares", "absolute", TOLERANCE_RATE,
        "0.0E+00")  # fmt: skip
    put("deployed_tolerance", "deployment complete within", "share", DEPLOYED_TOLERANCE,
        "0.0E+00")  # fmt: skip


def fixed(g: Grid, row: int, value: float, message: str) -> None:
    """Excel refuses any value but ``value`` in the constant cell of ``row``, saying why."""
    dv = DataValidation(type="whole", operator="equal", formula1=f"{value:g}",
                        showErrorMessage=True, errorTitle="Fixed by the run", error=message,
                        showInputMessage=True, promptTitle="Not an input",
                        prompt=message[:255])  # fmt: skip
    g.ws.add_data_validation(dv)
    dv.add(g.ws.cell(row=row, column=2))


def flag(g: Grid, row: int) -> None:
    """Excel accepts only 0 or 1 in the 0/1 flag of ``row`` (a carve-out draws on a holding)."""
    dv = DataValidation(type="whole", operator="between", formula1="0", formula2="1",
                        showErrorMessage=True, errorTitle="A flag",
                        error="1 where the carve-out draws on this holding, else 0.")  # fmt: skip
    g.ws.add_data_validation(dv)
    dv.add(g.ws.cell(row=row, column=2))
