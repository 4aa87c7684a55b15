"""Live formulas for the cash-flow kinds: a ``stream`` and a ``loan``.

A stream (:func:`finmodel.inputs.streams.stream_amounts`,
:func:`finmodel.inputs.streams.ramp`) passes on at once what
its payer pays or what it earns from outside: a yearly amount (or an energy output x price)
inside its window of years, times the average of a linear ramp over each period, at a
constant exchange rate. An electricity output's formulas (net value per MWh, units, restart
capital) are in :mod:`finmodel.reports.live.plant`.

A loan (:func:`finmodel.engine.schedule._loan`) holds the balance its borrower owes, from the
opening
balance lent before the start (column D of the balance row, the period-0 previous value):
interest on the previous balance, disbursements straight to the borrower, debt service from a
repayment window or from what the borrower receives from another vehicle, interest paid first.
Each lender has its own books (:func:`finmodel.engine.lenders.lender_payments`): interest on its own
balance, a share of the interest paid in proportion to its unpaid interest, and of the
principal repaid in proportion to its principal outstanding.

A stream given as a ``path_bn``, and money in a currency whose rate follows a path, keep the
engine's numbers (:mod:`finmodel.reports.live.static`): see :func:`has_live_flows`.

Inputs keys (per vehicle): a stream's ``amount_bn`` or ``capacity_gw``, ``capacity_factor``,
``price_per_mwh`` and ``price:<party>``, then ``start_year``, ``years`` (when given),
``ramp_years``; a loan's ``loan_rate``, ``grace_years`` and ``repay_years`` (with a repayment),
and its money (:func:`finmodel.reports.live.phasing.phasing_inputs`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from finmodel.kinds import RepaymentStyle, VehicleKind
from finmodel.reports.cells import USD_BN
from finmodel.reports.live.grid import RATE, SHARE, TOTAL, Grid, K, Refs
from finmodel.reports.live.phasing import live_money, new_money
from finmodel.reports.live.plant import energy_rows, output_rows, plant_inputs, restart_rows

if TYPE_CHECKING:
    from finmodel.engine.batch import VehicleInputs
    from finmodel.inputs.models.scenario import Assumptions
    from finmodel.studies.run import Result



def has_live_flows(a: Assumptions, vid: str) -> bool:
    """Whether a stream or a loan gets live formulas (else the engine's numbers)."""
    spec = a.vehicles[vid]
    if spec.kind is VehicleKind.stream:
        st = spec.stream
        assert st is not None  # a stream's kind needs it (vehicle_checks)
        currency = st.energy.currency if st.energy is not None else st.currency
        return st.path_bn is None and (currency == "USD" or a.fx[currency].path is None)
    if spec.kind is VehicleKind.loan:
        return live_money(a, vid)
    return False


def stream_inputs(a: Assumptions, vid: str, scalar) -> None:
    """A stream's figures, labelled with their key paths."""
    st, path = a.vehicles[vid].stream, f"vehicles.{vid}.stream"
    assert st is not None  # a stream's kind needs it (vehicle_checks)
    if st.energy is None:
        scalar(f"{vid}:amount_bn", f"{path}.amount_bn ({st.currency})", f"{st.currency} bn a year",
               st.amount_bn, "#,##0.00")  # fmt: skip
    else:
        e, head = st.energy, f"{path}.energy"
        scalar(f"{vid}:capacity_gw", f"{head}.capacity_gw", "GW", e.capacity_gw, "0.00")
        scalar(f"{vid}:capacity_factor", f"{head}.capacity_factor", "share", e.capacity_factor,
               SHARE)  # fmt: skip
        scalar(f"{vid}:price_per_mwh", f"{head}.price_per_mwh ({e.currency})",
               f"{e.currency}/MWh", e.price_per_mwh, "#,##0.00")  # fmt: skip
        if e.split_as == "energy":
            for p, price in (e.price_per_mwh_by_party or {}).items():
                scalar(f"{vid}:price:{p}",
                       f"{head}.price_per_mwh_by_party: {a.parties[p].name} ({e.currency})",
                       f"{e.currency}/MWh", price, "#,##0.00")  # fmt: skip
        plant_inputs(a, vid, scalar)
    scalar(f"{vid}:start_year", f"{path}.start_year", "years", st.start_year, "0")
    if st.years is not None:
        scalar(f"{vid}:years", f"{path}.years", "years", st.years, "0")
    scalar(f"{vid}:ramp_years", f"{path}.ramp_years", "years", st.ramp_years, "0.00")


def loan_inputs(a: Assumptions, vid: str, scalar) -> None:
    """A loan's rate and repayment terms (its money: live_phasing.phasing_inputs)."""
    loan, path = a.vehicles[vid].loan, f"vehicles.{vid}.loan"
    assert loan is not None  # a loan's kind needs it (vehicle_checks)
    scalar(f"{vid}:loan_rate", f"{path}.rate", "% a year", loan.rate, "0.00%")
    if loan.repayment is not None:
        r = loan.repayment
        scalar(f"{vid}:grace_years", f"{path}.repayment.grace_years", "years", r.grace_years, "0")
        scalar(f"{vid}:repay_years", f"{path}.repayment.years", "years", r.years, "0")


# --- a stream ---------------------------------------------------------------------------------


def stream_sheet(g: Grid, refs: Refs, result: Result, v: VehicleInputs) -> None:
    """Rows ``amount`` (USD a period), ``contribution`` (the payer's), ``return`` (earned from
    outside), ``distribution``, ``value``, ``receipts:<party>``, ``payments:<payer>``."""
    a = result.assumptions
    st = a.vehicles[v.id].stream
    assert st is not None  # a stream's kind needs it (vehicle_checks)
    parties = result.outcome.batch.parties
    names = {p: a.parties[p].name for p in parties}
    m, bn = refs.m, refs.inputs.const("bn", True)
    currency = st.energy.currency if st.energy is not None else st.currency
    fx = "" if currency == "USD" else f"*{refs.inputs.const(f'fx:{currency}', True)}"
    if st.energy is None:
        per_year = refs.scalar("amount_bn")
        shares = {p: refs.scalar(f"profit:{p}") for p in parties}
    else:
        per_year, shares = energy_rows(g, refs, st.energy, parties, names)
    g.constant("per_year", f"Full rate ({currency} bn a year)", f"{currency} bn", f"={per_year}",
               "#,##0.0000")  # fmt: skip
    start, ramp = refs.scalar("start_year"), refs.scalar("ramp_years")
    year = f"INT(MAX({K}-1,0)/{m})"
    window = f"{year}>={start}"
    if refs.has("years"):
        window = f"AND({window},{year}<{start}+{refs.scalar('years')})"
    g.series("active", "In the stream's years (1, else 0)", "flag", f"=IF({window},1,0)",
             total=False, fmt="0")  # fmt: skip
    output_rows(g, refs, st.energy, start, ramp, m)
    g.series(
        "amount",
        "Payments (the full rate, in its years, times the ramp)",
        "USD bn",
        f"={g.const('per_year')}*{bn}{fx}/{m}*{g.cur('active')}*{g.cur('ramp')}",
    )
    payer = st.payer
    restart = {} if st.energy is None else restart_rows(g, refs, st.energy, parties, names,
                                                        f"*{bn}{fx}")  # fmt: skip
    paying = [p for p in parties if p == payer or p in restart]
    for p in paying:
        terms = ([g.cur("amount")] if p == payer else []) + ([restart[p]] if p in restart else [])
        g.series(f"contribution:{p}", f"Contribution: {names[p]}"
                 + (" (the payer)" if p == payer else " (restart capital)"), "USD bn",
                 "=" + "+".join(terms))  # fmt: skip
    g.series("contribution", "Contribution", "USD bn",
             "=" + ("+".join(g.cur(f"contribution:{p}") for p in paying) or "0"))  # fmt: skip
    g.constant("committed", "Committed capital (all contributions)", "USD bn",
               f"={g.total('contribution')}", USD_BN)  # fmt: skip
    earned = "0" if payer else g.cur("amount")
    g.series("return", "Return (earned from outside, less the restart capital spent)", "USD bn",
             f"={earned}" + (f"-{g.cur('restart')}" if restart else ""))  # fmt: skip
    g.series("distribution", "Distribution", "USD bn",
             f"={g.cur('contribution')}+{g.cur('return')}")  # fmt: skip
    g.series("value", "Value at the end of the period", "USD bn", "=0", total=False)
    flow = "payment" if payer else "income"
    g.section(f"Payments by party (party view: + received, - paid; the {flow} at once)")
    for p in parties:
        g.series(f"receipts:{p}", f"Receipts: {names[p]}", "USD bn",
                 f"={g.cur('distribution')}*{shares[p]}")  # fmt: skip
    for p in paying:
        g.series(f"payments:{p}", f"Payments: {names[p]}", "USD bn",
                 f"=-{g.cur(f'contribution:{p}')}")  # fmt: skip


# --- a loan -----------------------------------------------------------------------------------


def _lenders(g: Grid, names: dict, lenders: list[str], contributors: list[str]) -> None:
    """Each lender's books (:func:`finmodel.engine.lenders.lender_payments`): its balance accrues
    its share of the interest, in proportion to the balance; the debt service pays interest
    first, pro rata to each lender's unpaid interest, then principal, pro rata to principal."""
    g.section("Each lender's books: interest on its own balance; interest paid first")
    for p in lenders:
        before = g.prev("lent_balance")
        g.series(f"accrued:{p}", f"Interest accrued: {names[p]} (its share of the balance)",
                 "USD bn", f"=IF({before}>0,{g.cur('return')}*{g.prev(f'balance:{p}')}"
                 f"/{before},0)")  # fmt: skip
        g.series(f"unpaid_in:{p}", f"Unpaid interest before the debt service: {names[p]}",
                 "USD bn", f"={g.prev(f'unpaid:{p}')}+{g.cur(f'accrued:{p}')}",
                 total=False)  # fmt: skip
        lent = f"+{g.cur(f'contribution:{p}')}" if p in contributors else ""
        g.series(f"principal_in:{p}", f"Principal before the debt service: {names[p]}", "USD bn",
                 f"={g.prev(f'principal:{p}')}{lent}", total=False)  # fmt: skip
    for key, label in (("unpaid_in", "Unpaid interest"), ("principal_in", "Principal")):
        g.series(f"{key}_all", f"{label} before the debt service: all lenders", "USD bn",
                 "=" + "+".join(g.cur(f"{key}:{p}") for p in lenders), total=False)  # fmt: skip
    unpaid, principal = g.cur("unpaid_in_all"), g.cur("principal_in_all")
    g.series("interest_tier", "Interest paid", "USD bn",
             f"=MIN(MAX({g.cur('distribution')},0),MAX({unpaid},0))")  # fmt: skip
    g.series("capital_tier", "Capital repaid", "USD bn",
             f"={g.cur('distribution')}-{g.cur('interest_tier')}")  # fmt: skip
    for p in lenders:
        g.series(f"interest:{p}", f"Interest paid: {names[p]}", "USD bn",
                 f"=IF({unpaid}>0,{g.cur('interest_tier')}*{g.cur(f'unpaid_in:{p}')}"
                 f"/{unpaid},0)")  # fmt: skip
        g.series(f"capital:{p}", f"Capital repaid: {names[p]}", "USD bn",
                 f"=IF({principal}>0,{g.cur('capital_tier')}*{g.cur(f'principal_in:{p}')}"
                 f"/{principal},0)")  # fmt: skip
        g.series(f"unpaid:{p}", f"Unpaid interest after the debt service: {names[p]}", "USD bn",
                 f"=MAX({g.cur(f'unpaid_in:{p}')}-{g.cur(f'interest:{p}')},0)",
                 total=False)  # fmt: skip
        r = g.series(f"principal:{p}", f"Principal after the debt service: {names[p]}",
                     "USD bn", f"=MAX({g.cur(f'principal_in:{p}')}-{g.cur(f'capital:{p}')},0)",
                     total=False)  # fmt: skip
        if f"opening:{p}" in g.rows:  # period 0's previous principal: what it lent before
            g.formula(r, TOTAL, f"={g.const(f'opening:{p}')}", USD_BN)
        r = g.series(f"balance:{p}", f"Balance owed to {names[p]}", "USD bn",
                     f"={g.cur(f'principal:{p}')}+{g.cur(f'unpaid:{p}')}", total=False)  # fmt: skip
        if f"opening:{p}" in g.rows:
            g.formula(r, TOTAL, f"={g.const(f'opening:{p}')}", USD_BN)
    r = g.series("lent_balance", "Balance owed to all lenders", "USD bn",
                 "=" + "+".join(g.cur(f"balance:{p}") for p in lenders), total=False)  # fmt: skip
    g.formula(r, TOTAL, f"={g.const('opening')}", USD_BN)


def loan_sheet(g: Grid, refs: Refs, result: Result, v: VehicleInputs, source: Grid | None) -> None:
    """Rows of :func:`finmodel.engine.schedule.schedule` for a loan, the debt service split
    interest first, and each party's receipts and payments. ``source``: the sheet of the
    vehicle servicing it."""
    a = result.assumptions
    parties = result.outcome.batch.parties
    names = {p: a.parties[p].name for p in parties}
    contributors = _loan_contributions(g, refs, result, names)
    lenders = _opening_balance(g, refs, result, names, contributors)
    _loan_books(g, refs, result, names, source)
    _lenders(g, names, lenders, contributors)
    loan = a.vehicles[v.id].loan
    assert loan is not None  # a loan's kind needs it (vehicle_checks)
    _loan_payments(g, names, loan.borrower, lenders, contributors)


def _loan_contributions(g: Grid, refs: Refs, result: Result, names: dict[str, str]) -> list[str]:
    """A row per party that lends within the timeline, and their total; those parties."""
    contributors = []
    for p in names:
        flow = new_money(g, refs, result.assumptions, p)
        if flow is not None:
            g.series(f"contribution:{p}", f"Contribution: {names[p]}", "USD bn", f"={flow}")
            contributors.append(p)
    terms = [g.cur(f"contribution:{p}") for p in contributors] or ["0"]
    g.series("contribution", "Contribution", "USD bn", "=" + "+".join(terms))
    return contributors


def _opening_balance(
    g: Grid, refs: Refs, result: Result, names: dict[str, str], contributors: list[str]
) -> list[str]:
    """What each party lent before the start, the opening balance and all that is lent; the
    lenders (before the start or within the timeline)."""
    spec = result.assumptions.vehicles[refs.vid]
    bn = refs.inputs.const("bn", True)
    money = (spec.capital.contributions if spec.capital is not None else None) or ()
    g.section("Opening balance (lent before the start: no flow)")
    lenders = []
    for p in names:
        before = [
            f"{refs.scalar(f'money:{i}')}*{bn}"
            + ("" if c.currency == "USD" else f"*{refs.inputs.const(f'fx:{c.currency}', True)}")
            for i, c in enumerate(money)
            if c.party == p and c.before_start
        ]
        if before:
            g.constant(f"opening:{p}", f"Lent before the start: {names[p]}", "USD bn",
                       "=" + "+".join(before), USD_BN)  # fmt: skip
        if before or p in contributors:
            lenders.append(p)
    opening = [g.const(f"opening:{p}") for p in lenders if f"opening:{p}" in g.rows] or ["0"]
    g.constant("opening", "Opening balance", "USD bn", "=" + "+".join(opening), USD_BN)
    g.constant("committed", "Lent in all (opening balance and contributions)", "USD bn",
               f"={g.const('opening')}+{g.total('contribution')}", USD_BN)  # fmt: skip
    return lenders


def _loan_books(
    g: Grid, refs: Refs, result: Result, names: dict[str, str], source: Grid | None
) -> None:
    """Interest accrued, the debt service (out of what the borrower receives from ``source``,
    or on the repayment schedule) and the balance."""
    loan = result.assumptions.vehicles[refs.vid].loan
    assert loan is not None  # a loan's kind needs it (vehicle_checks)
    borrower = loan.borrower
    g.section("The loan's books (return: interest accrued; distribution: debt service)")
    g.constant("rate", "Interest, per period", "% a period",
               f"={refs.per_period(refs.scalar('loan_rate'))}", RATE)  # fmt: skip
    g.series("disbursed", "Disbursed to the borrower", "USD bn", f"={g.cur('contribution')}")
    g.series("return", "Return", "USD bn",
             f"=IF({K}>0,{g.prev('balance')}*{g.const('rate')},0)")  # fmt: skip
    g.series("principal_in", "Principal before the debt service", "USD bn",
             f"={g.prev('balance')}+{g.cur('contribution')}", total=False)  # fmt: skip
    owed = f"{g.cur('principal_in')}+{g.cur('return')}"
    if source is not None:
        available = source.cur(f"receipts:{borrower}", sheet=True)
        g.series("available", f"What {names[borrower]} receives from {loan.serviced_from}",
                 "USD bn", f"={available}")  # fmt: skip
        service = f"=MIN(MAX({g.cur('available')},0),{owed})"
    else:
        assert loan.repayment is not None  # a loan not serviced from a vehicle has one
        service = _repayment(g, refs, loan.repayment.style)
    g.series("distribution", "Distribution", "USD bn", service)
    r = g.series("balance", "Balance at the end of the period", "USD bn",
                 f"={owed}-{g.cur('distribution')}", total=False)  # fmt: skip
    g.formula(r, TOTAL, f"={g.const('opening')}", USD_BN)  # period 0's previous balance
    g.series("value", "Value at the end of the period", "USD bn", f"={g.cur('balance')}",
             total=False)  # fmt: skip


def _repayment(g: Grid, refs: Refs, style: RepaymentStyle) -> str:
    """The instalment window and the share of the principal repaid each period (equal
    principal, or an annuity's); the debt service's formula."""
    m = refs.m
    grace, years = refs.scalar("grace_years"), refs.scalar("repay_years")
    g.constant("repay_first", "First instalment", "period", f"={grace}*{m}+1", "0")
    g.constant("repay_last", "Last instalment", "period", f"=({grace}+{years})*{m}", "0")
    first, last = g.const("repay_first"), g.const("repay_last")
    left, i = f"({last}-{K}+1)", g.const("rate")
    share = f"1/{left}"  # equal principal
    if style is RepaymentStyle.annuity:
        share = f"IF({i}>0,{i}/((1+{i})^{left}-1),1/{left})"
    g.series("repaid_share", f"Share of the principal repaid ({style.value})", "share",
             f"=IF(AND({K}>={first},{K}<={last}),{share},0)", total=False,
             fmt="0.0000%")  # fmt: skip
    return f"={g.cur('return')}+{g.cur('principal_in')}*{g.cur('repaid_share')}"


def _loan_payments(
    g: Grid, names: dict[str, str], borrower: str, lenders: list[str], contributors: list[str]
) -> None:
    """Each party's receipts (interest and capital; the borrower's disbursements) and
    payments (what it lends; the borrower's debt service)."""
    g.section("Payments by party (party view: + received, - paid)")
    for p in names:
        terms = [f"{g.cur(f'interest:{p}')}+{g.cur(f'capital:{p}')}"] if p in lenders else []
        if p == borrower:
            terms.append(g.cur("disbursed"))
        g.series(f"receipts:{p}", f"Receipts: {names[p]}", "USD bn", "=" + ("+".join(terms) or "0"))
    for p in names:
        terms = [f"-{g.cur(f'contribution:{p}')}"] if p in contributors else []
        if p == borrower:
            terms.append(f"-{g.cur('distribution')}")
        if terms:
            g.series(f"payments:{p}", f"Payments: {names[p]}", "USD bn", "=" + "".join(terms))
