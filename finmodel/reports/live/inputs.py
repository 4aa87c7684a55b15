"""The live model's Inputs and Timeline sheets: every number the live formulas use, in one place.

Inputs are the only cells in the input style (blue on light yellow). Each scalar input is labelled
with its key path in the assumption file (``vehicles.us_led_fund.return.rate``), so that a change
made here is the same change as ``finmodel run --set KEY=VALUE``. Rates are annual, as in the
assumption files; the calculation sheets turn them into per-period rates.

Schedules over years (deployment, release, new money) are live from their ``years`` inputs
(:mod:`finmodel.reports.live.phasing`); one given as ``fractions``, or new money in a currency whose
rate follows a path, is a timing row on the timeline, written from the engine's arrays. The pool's
holdings, exchange rates and carve-outs are inputs too (:mod:`finmodel.reports.live.pool`): a
vehicle
funded from the pool receives its carve-outs, computed live, at period 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl.styles import Alignment, NamedStyle
from openpyxl.workbook import Workbook

from finmodel.engine.batch import VehicleInputs
from finmodel.inputs.compile import annual_returns, party_shares
from finmodel.inputs.labels import label as label_of
from finmodel.kinds import Array, Basis, VehicleKind
from finmodel.reports.cells import INPUT_FILL, INPUT_FONT, PCT
from finmodel.reports.live.constants import constants_block
from finmodel.reports.live.grid import DATE_ROW, FIRST_PERIOD, PERIOD_ROW, SHARE, Grid
from finmodel.reports.live.phasing import live_money, live_years, phasing_inputs
from finmodel.reports.live.pool import from_pool, pool_inputs
from finmodel.reports.live.streams import loan_inputs, stream_inputs
from finmodel.reports.live.vehicle import is_live

INPUT = "Input"
WRAP = Alignment(wrap_text=True, vertical="top")
#: Column A's width: an input's name and key path, wrapped within it.
LABEL_WIDTH = 80.0

if TYPE_CHECKING:
    from finmodel.inputs.models.scenario import Assumptions
    from finmodel.studies.run import Result


def input_style(wb: Workbook) -> None:
    """Register the named style ``Input``: blue on light yellow, the only style inputs have."""
    if INPUT not in wb.named_styles:
        wb.add_named_style(NamedStyle(name=INPUT, font=INPUT_FONT, fill=INPUT_FILL))


def inputs_sheet(wb: Workbook, result: Result) -> Grid:
    """Write the Inputs sheet; the returned grid names every input's row.

    Row keys: the constants (:func:`~finmodel.reports.live.constants.constants_block`),
    ``discount_rate``, and per vehicle ``<vid>:<name>`` (see :func:`_vehicle_inputs`).
    """
    input_style(wb)
    a, b = result.assumptions, result.outcome.batch
    g = Grid(wb.create_sheet("Inputs"), b.timeline.columns)
    g.title("Inputs: every number the live model uses (change them here)", a.name)
    g.ws.column_dimensions["A"].width = LABEL_WIDTH
    constants_block(g, result)
    g.section("Discounting")
    scalar = _scalar(g, a)
    scalar("discount_rate", "discount_rate", "% a year", a.discount_rate, PCT)
    for p, rate in a.party_discount_rates.items():
        scalar(f"discount_rate:{p}", f"party_discount_rates.{p}", "% a year", rate, PCT)
    pool_inputs(g, result, scalar)
    for v in b.vehicles:
        _vehicle_inputs(g, result, v)
    return g


def _scalar(g: Grid, a: Assumptions):
    def write(key: str, label: str, units: str, value: float, fmt: str) -> int:
        text = named(a, label)
        row = g.constant(key, text, units, float(value), fmt, style=INPUT)
        g.ws.cell(row=row, column=1).alignment = WRAP  # the name, then the key path
        lines = -(-len(text) // int(LABEL_WIDTH * 1.2))  # about 1.2 characters a unit of width
        if lines > 1:  # neither openpyxl nor every spreadsheet sizes a wrapped row itself
            g.ws.row_dimensions[row].height = 15.0 * lines
        return row

    return write


def named(a: Assumptions, label: str) -> str:
    """An input's row label: its name in words, then in brackets the key path ``--set`` takes
    (with what the label adds: a currency, a party, a unit's number).

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> a = load("base")
    >>> named(a, "vehicles.us_led_fund.return.rate")
    'US-led reconstruction fund: return rate [vehicles.us_led_fund.return.rate]'
    >>> named(a, "vehicles.us_led_fund.waterfall.profit_split: United States").split(" [")[0]
    'US-led reconstruction fund: profit share of United States'
    >>> named(a, "pool.holdings.euroclear.amount_bn (EUR)").split(" [")[1]
    'pool.holdings.euroclear.amount_bn (EUR)]'
    """
    key = label.split(" ")[0].split(":")[0]
    _, colon, after = label.partition(": ")
    by_name = {p.name: pid for pid, p in a.parties.items()}
    if colon and after in by_name:  # a party's share: its own label
        key = f"{key}.{by_name[after]}"
    try:
        words = label_of(a, key).text
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        return label
    if colon and after not in by_name:  # a pool's holding drawn on: name it
        words = f"{words}: {after.split(' (')[0]}"
    return f"{words} [{label}]" if words and words != key else label


def _vehicle_inputs(g: Grid, result: Result, v: VehicleInputs) -> None:
    """A vehicle's scalar inputs, then its timing rows.

    Keys: ``<vid>:return_rate`` (or the row ``<vid>:return_path``: the annual rate of each
    period's year), ``cash_rate``, ``payout``, ``term_years``, ``fee_rate``, ``hurdle_rate``;
    shares ``<vid>:<tier>:<party>`` for tiers ``profit``, ``capital`` (when named), ``fee``,
    ``hurdle``; timing rows ``<vid>:contribution:<party>``, ``<vid>:deploy_target``,
    ``<vid>:release_share``. Rates are annual, as in the file: the Calc sheets make them
    per-period, once, in a formula.
    """
    a = result.assumptions
    spec = a.vehicles[v.id]
    g.section(f"{spec.name} (vehicles.{v.id}, kind {v.kind.value}, waterfall {v.basis.value})")
    if not is_live(a, v.id):
        g.note(
            f"{v.id}: kind '{v.kind.value}' has no live formulas here yet; its Calc sheet holds "
            "finmodel's own numbers, and it has no inputs here."
        )
        return
    scalar = _scalar(g, a)
    if v.kind is VehicleKind.stream:
        stream_inputs(a, v.id, scalar)
        assert spec.waterfall is not None  # a stream's kind needs it (vehicle_checks)
        raw = party_shares(result.outcome.batch.parties, spec.waterfall.profit_split)
        _tier_inputs(result, v.id, [("profit", "waterfall.profit_split", raw)], scalar)
        return
    if v.kind is VehicleKind.loan:
        loan_inputs(a, v.id, scalar)
        phasing_inputs(a, v.id, v.kind, scalar)
        return
    _rate_inputs(result, v, scalar)
    _tier_inputs(result, v.id, _tiers(v), scalar)
    phasing_inputs(a, v.id, v.kind, scalar)
    _contribution_rows(g, result, v)
    _timing_rows(g, result, v)


def _rate_inputs(result: Result, v: VehicleInputs, scalar) -> None:
    """A fund's or a release's annual rates and shares, its term, and its hurdle rate."""
    a = result.assumptions
    spec, path = a.vehicles[v.id], f"vehicles.{v.id}"
    if v.kind in _SCHEDULE_RATES:
        if spec.return_.path is None and v.kind is VehicleKind.fund:
            scalar(f"{v.id}:return_rate", f"{path}.return.rate", "% a year", spec.return_.rate, PCT)
        for key, name, value in _SCHEDULE_RATES[v.kind](spec):
            rate = "rate" in key
            units, fmt = ("% a year", PCT) if rate else ("share", SHARE)
            scalar(f"{v.id}:{key}", f"{path}.{name}", units, value, fmt)
    term = spec.term_years if spec.term_years is not None else a.timeline.years + 1
    note = "" if spec.term_years is not None else " (none: past the horizon)"
    scalar(f"{v.id}:term_years", f"{path}.term_years{note}", "years", term, "0")
    if v.basis is Basis.capital_first:  # income_split has no hurdle
        hurdle = spec.waterfall.hurdle.rate if spec.waterfall and spec.waterfall.hurdle else 0.0
        scalar(f"{v.id}:hurdle_rate", f"{path}.waterfall.hurdle.rate", "% a year", hurdle, PCT)


def _tiers(v: VehicleInputs) -> list[tuple[str, str, Array]]:
    """The waterfall's tiers that a vehicle's shares are inputs of: (tier, key path, shares)."""
    tiers = [("profit", "waterfall.profit_split", v.profit_split)]
    if v.capital_to is not None:
        tiers.append(("capital", "waterfall.capital_to", v.capital_to))
    if v.basis is Basis.capital_first:
        tiers.append(("hurdle", "waterfall.hurdle.to", v.hurdle_to))
    if v.kind is VehicleKind.fund:
        tiers.append(("fee", "fee.to", v.fee_to))
    return tiers


def _contribution_rows(g: Grid, result: Result, v: VehicleInputs) -> None:
    """New money that is neither pool money nor live from its ``years``: a row per party."""
    a = result.assumptions
    if from_pool(result, v.id) or live_money(a, v.id):
        return
    contrib = v.contributions[0]
    for j, p in enumerate(result.outcome.batch.parties):
        if contrib[j].any():
            g.values(
                f"{v.id}:contribution:{p}",
                f"vehicles.{v.id} contributions: {a.parties[p].name}",
                "USD bn",
                contrib[j],
                style=INPUT,
            )


def _timing_rows(g: Grid, result: Result, v: VehicleInputs) -> None:
    """Schedules given per period: a deployment or release given as ``fractions``, and a
    return ``path`` (each period's annual rate, spread from the file's years as the engine
    spreads them)."""
    spec = result.assumptions.vehicles[v.id]
    path = f"vehicles.{v.id}"
    timed = live_years(spec, v.kind) is None
    rows = []  # (key, what, units, values per period, format)
    if v.kind is VehicleKind.fund and timed:
        what = "deployment: cumulative fraction deployed"
        rows.append(("deploy_target", what, "share", v.deploy_target[0], SHARE))
    if v.kind is VehicleKind.fund and spec.return_.path is not None:
        annual = result.outcome.batch.timeline.by_period(annual_returns(spec))[0]
        rows.append(("return_path", "return.path (by period)", "% a year", annual, PCT))
    if v.kind is VehicleKind.release and timed:
        what = "release: share of the balance released"
        rows.append(("release_share", what, "share", v.release_share[0], SHARE))
    for key, what, units, values, fmt in rows:
        g.values(f"{v.id}:{key}", f"{path}.{what}", units, values, False, fmt, style=INPUT)


def _tier_inputs(result: Result, vid: str, tiers, scalar) -> None:
    """Each party's share of each tier: ``tiers`` is [(tier, key path, shares (1, parties))]."""
    names = result.assumptions.parties
    for tier, name, shares in tiers:
        for j, p in enumerate(result.outcome.batch.parties):
            scalar(
                f"{vid}:{tier}:{p}",
                f"vehicles.{vid}.{name}: {names[p].name}",
                "share",
                shares[0, j],
                SHARE,
            )


def _fund_rates(spec) -> list[tuple[str, str, float]]:
    fee = spec.fee.rate if spec.fee else 0.0
    return [
        ("cash_rate", "cash_rate", spec.cash_rate),
        ("payout", "payout", spec.payout),
        ("fee_rate", f"fee.rate (on {spec.fee.basis.value if spec.fee else 'committed'})", fee),
    ]


def _release_rates(spec) -> list[tuple[str, str, float]]:
    return [("cash_rate", "cash_rate", spec.cash_rate)]


_SCHEDULE_RATES = {VehicleKind.fund: _fund_rates, VehicleKind.release: _release_rates}


def timeline_sheet(wb: Workbook, result: Result, inputs: Grid) -> Grid:
    """The Timeline sheet: periods, dates, years from the start, flags and discount factors.

    Row keys: ``periodic_discount`` (a constant), ``years`` (years from the start),
    ``after_start`` (1 from period 1 on), ``last``
    (1 at the horizon; its constant is the last period number) and ``discount`` (the factor
    (1 + discount_rate)^-(years from the start)).
    """
    tl = result.outcome.batch.timeline
    g = Grid(wb.create_sheet("Timeline"), tl.columns)
    g.title("Timeline: one column per period, the same on every time-based sheet", result.name)
    for k, d in enumerate(tl.dates()):  # the columns' headings: the structure of the run
        g.ws.cell(row=PERIOD_ROW, column=FIRST_PERIOD + k, value=k)
        g.ws.cell(row=DATE_ROW, column=FIRST_PERIOD + k, value=d)
    period = f"{{c}}${PERIOD_ROW}"
    g.series(
        "years",
        "Years from the start",
        "years",
        f"={period}/{inputs.const('m', True)}",
        total=False,
        fmt="0.00",
    )
    g.series(
        "after_start",
        "After the start (1 from period 1 on)",
        "flag",
        f"=IF({period}>0,1,0)",
        total=False,
        fmt="0",
    )
    r = g.series(
        "last",
        "The horizon (1 in the last period)",
        "flag",
        f"=IF({period}=$B${g.next_row},1,0)",
        total=False,
        fmt="0",
    )
    g.ws.cell(row=r, column=2, value=f"=MAX($E${PERIOD_ROW}:${g.last_letter}${PERIOD_ROW})")
    rate = inputs.const("discount_rate", True)
    g.constant(
        "periodic_discount",
        "Discount rate per period (also IRR's first guess)",
        "% a period",
        f"=(1+{rate})^(1/{inputs.const('m', True)})-1",
        "0.0000%",
    )
    g.series(
        "discount",
        "Discount factor to the start",
        "factor",
        f"=(1+{rate})^(-{g.cur('years')})",
        total=False,
        fmt="0.0000",
    )
    for p in result.assumptions.party_discount_rates:
        own = inputs.const(f"discount_rate:{p}", True)
        g.series(
            f"discount:{p}",
            f"Discount factor to the start at {p}'s own rate",
            "factor",
            f"=(1+{own})^(-{g.cur('years')})",
            total=False,
            fmt="0.0000",
        )
    g.flush()
    return g
