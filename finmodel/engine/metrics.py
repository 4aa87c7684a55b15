"""Metrics of an outcome: per vehicle and per party, and the checks that the money adds up.

Notes
-----
Per vehicle, from the investors' side: contributed = sum C, distributed = sum D, terminal
value V_N, profit = distributed + V_N - contributed, MOIC = (distributed + V_N) / contributed,
IRR of -C_k + D_k (+ V_N at N) annualised as (1 + r)^m - 1, NPV of the same at the discount
rate. Per party: received (the flows of a receiving kind: distributions, income, interest...),
paid (those of a paying kind: contributions, debt service, as a positive number), net, NPV. A
flow's kind decides, not its sign: a plant run at a loss (cost above price) pays its parties a
negative income, which shows as negative receipts; net and NPV are the same either way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finmodel.engine.batch import Batch
from finmodel.engine.claims import claims
from finmodel.engine.claims_value import claims_present_value
from finmodel.engine.evaluate import Outcome
from finmodel.engine.irr import irr
from finmodel.engine.waterfall import paid_return
from finmodel.kinds import Array, Flow, VehicleKind

PROFIT_FLOWS = (Flow.profit, Flow.income, Flow.hurdle, Flow.interest)


@dataclass(frozen=True)
class VehicleMetrics:
    """Each array has shape (n_scenarios,); ``irr_reason`` is "" where the IRR is defined."""

    contributed: Array
    distributed: Array
    fees: Array
    terminal_value: Array
    profit: Array
    moic: Array
    irr: Array
    irr_reason: np.ndarray
    npv: Array


@dataclass(frozen=True)
class PartyMetrics:
    """Arrays of shape (n_scenarios, n_parties); ``by_vehicle`` arrays add a vehicle axis
    after the scenario axis: (n_scenarios, n_vehicles, n_parties)."""

    received: Array
    paid: Array
    net: Array
    npv: Array
    received_by_vehicle: Array
    paid_by_vehicle: Array
    profit_by_vehicle: Array
    npv_by_vehicle: Array


def vehicle_cash_flows(o: Outcome, vehicle: str) -> Array:
    """The investors' flows -C_k + D_k, with V_N added at N: (n_scenarios, columns).

    A loan's balance lent before the start counts as lent at period 0.
    """
    s = o.schedules[vehicle]
    flows = s.distribution - s.contribution
    flows[:, 0] -= s.opening_value
    flows[:, -1] += s.terminal_value
    return flows


def vehicle_metrics(o: Outcome, vehicle: str) -> VehicleMetrics:
    """Contributed, distributed, profit, MOIC, IRR and NPV of one vehicle, per scenario.

    Examples
    --------
    The identity of docs/model.md, Metrics on the base case's timeline: see
    tests/engine/test_metrics.py.
    """
    s = o.schedules[vehicle]
    tl = o.batch.timeline
    contributed = s.contribution.sum(axis=1) + s.opening_value
    distributed = s.distribution.sum(axis=1)
    terminal = s.terminal_value
    flows = vehicle_cash_flows(o, vehicle)
    r = irr(flows)
    df = tl.discount_factors(o.batch.discount_rate)
    with np.errstate(divide="ignore", invalid="ignore"):
        moic = np.where(contributed > 0, (distributed + terminal) / contributed, np.nan)
    n = o.batch.n_scenarios
    return VehicleMetrics(
        contributed=_full(contributed, n),
        distributed=_full(distributed, n),
        fees=_full(s.fee.sum(axis=1), n),
        terminal_value=_full(terminal, n),
        profit=_full(distributed + terminal - contributed, n),
        moic=_full(moic, n),
        irr=_full(r.annualised(tl.m), n),
        irr_reason=_full(no_irr_reason(_kind(o, vehicle), r.reason), n),
        npv=_full(present_value(flows, df), n),
    )


#: Why a vehicle of a kind that earns no return has no IRR, in words every output repeats.
NO_RETURN = {
    VehicleKind.grant: "a grant pays no return, so it has no IRR",
    VehicleKind.release: "a release hands the assets back to their owner, so it has no IRR",
    VehicleKind.stream: "a stream of payments has no capital paid in, so it has no IRR",
}
#: The reason for an investment (a fund or a loan) with nothing paid in or out.
NOTHING_PAID = "nothing was paid in or out, so there is no IRR"


def no_irr_reason(kind: VehicleKind, reason: np.ndarray) -> np.ndarray:
    """The reasons of :func:`~finmodel.engine.irr.irr` said for a vehicle of ``kind``: where
    there is no IRR, a grant, a release or a stream says that it earns no return (which is
    why), an investment with no flows says that nothing was paid; other reasons stay.

    Examples
    --------
    >>> r = np.array(["", "no cash flows"], dtype=object)
    >>> no_irr_reason(VehicleKind.grant, r).tolist()
    ['', 'a grant pays no return, so it has no IRR']
    >>> no_irr_reason(VehicleKind.loan, r).tolist()
    ['', 'nothing was paid in or out, so there is no IRR']
    """
    out = reason.copy()
    undefined = out != ""
    if kind in NO_RETURN:
        out[undefined] = NO_RETURN[kind]
    else:
        out[out == "no cash flows"] = NOTHING_PAID
    return out


def _kind(o: Outcome, vehicle: str) -> VehicleKind:
    return next(v.kind for v in o.batch.vehicles if v.id == vehicle)


def present_value(amounts: Array, df: Array) -> Array:
    """sum_k amounts[s, k] * df[s, k] per scenario, without a temporary (n, columns) array.

    Examples
    --------
    >>> present_value(np.array([[-100.0, 110.0]]), np.array([[1.0, 1 / 1.1]])).round(9).tolist()
    [0.0]
    """
    if df.shape[0] == 1:
        # not BLAS (amounts @ df[0]): its sums may group differently with the number of rows,
        # and a scenario's numbers must not depend on the size of the batch it runs in
        return np.einsum("ij,j->i", amounts, df[0])
    shape = np.broadcast_shapes(amounts.shape, df.shape)
    return np.einsum("ij,ij->i", np.broadcast_to(amounts, shape), np.broadcast_to(df, shape))


def party_present_value(amounts: Array, df: Array) -> Array:
    """sum_k amounts[s, k] * df[s, p, k]: the amounts' value to each party at its own rate,
    shape (n_scenarios, n_parties); ``df`` (n_scenarios or 1, n_parties, columns).

    Examples
    --------
    >>> df = np.array([[[1.0, 1 / 1.1], [1.0, 1 / 1.2]]])
    >>> party_present_value(np.array([[-100.0, 110.0]]), df).round(6).tolist()
    [[0.0, -8.333333]]
    """
    if df.shape[0] == 1:
        return np.einsum("ik,pk->ip", amounts, df[0])
    shape = np.broadcast_shapes(amounts[:, None, :].shape, df.shape)
    return np.einsum("ipk,ipk->ip", np.broadcast_to(amounts[:, None, :], shape),
                     np.broadcast_to(df, shape))  # fmt: skip


def _full(x: np.ndarray, n: int) -> np.ndarray:
    """A per-scenario array of a vehicle computed once (shape (1,)) spread over the batch."""
    return x if x.shape[0] == n else np.repeat(x, n, axis=0)


def party_discount_factors(b: Batch) -> Array:
    """Each party's discount factors at its own rate, shape (n_scenarios or 1, n_parties,
    columns): (1 + r_p)^(-k/m), r_p from ``party_discount_rates`` or ``discount_rate``.

    Examples
    --------
    >>> from finmodel.inputs.compile import compile_batch
    >>> from finmodel.inputs.loader import load
    >>> b = compile_batch(load("base", {"party_discount_rates": {"russia": 0.10}}))
    >>> df = party_discount_factors(b)
    >>> round(float(df[0, b.parties.index("russia"), 1]), 6), round(float(df[0, 0, 1]), 6)
    (0.909091, 0.961538)
    """
    rates = b.party_discount
    flat = b.timeline.discount_factors(rates.reshape(-1))  # (n * parties, columns)
    return flat.reshape(rates.shape[0], rates.shape[1], -1)


def party_metrics(o: Outcome) -> PartyMetrics:
    """Received, paid, net and NPV of every party, in total and per vehicle; a party's NPV at
    its own discount rate (:func:`party_discount_factors`)."""
    b = o.batch
    df = party_discount_factors(b)  # (n or 1, parties, columns)
    n, p, nv = b.n_scenarios, len(b.parties), len(b.vehicles)
    # received, paid, profit, npv by (scenario, vehicle, party): what is the same in every
    # scenario adds up once, in one row; the rest in n rows
    once, each = np.zeros((4, 1, nv, p)), np.zeros((4, n, nv, p))
    index = {v.id: i for i, v in enumerate(b.vehicles)}
    for a in o.allocations:
        i = index[a.vehicle]
        same = a.amount.shape[0] == a.shares.shape[0] == df.shape[0] == 1
        into = once if same else each
        received, paid, profit, npv = into
        total = a.amount.sum(axis=1)[:, None] * a.shares
        if a.flow.is_paid:
            paid[:, i] -= total
        else:
            received[:, i] += total
        if a.flow in PROFIT_FLOWS:
            profit[:, i] += total
        npv[:, i] += party_present_value(a.amount, df) * a.shares
    received, paid, profit, npv = each + once
    return PartyMetrics(
        received=received.sum(axis=1),
        paid=paid.sum(axis=1),
        net=received.sum(axis=1) - paid.sum(axis=1),
        npv=npv.sum(axis=1),
        received_by_vehicle=received,
        paid_by_vehicle=paid,
        profit_by_vehicle=profit,
        npv_by_vehicle=npv,
    )


def terminal_claims(o: Outcome) -> tuple[Array, Array]:
    """What each party would receive if each vehicle were wound up at the horizon.

    A vehicle whose term runs past the horizon still holds V_N there. Winding it up then,
    through its own waterfall and after that period's own payments, gives each party's claim
    on it (:func:`finmodel.engine.claims.claims`). Returns (claims, profit_claims), each of shape
    (n_scenarios, n_vehicles, n_parties); each claim lies in [0, V_N], and the claims on a
    vehicle add up to its V_N.
    """
    b = o.batch
    shape = (b.n_scenarios, len(b.vehicles), len(b.parties))
    out, profit = np.zeros(shape), np.zeros(shape)
    for i, v in enumerate(b.vehicles):
        out[:, i], profit[:, i] = claims(v, o.schedules[v.id])
    return out, profit


def claims_value(o: Outcome, claims: Array) -> Array:
    """The present value of each party's ``claims`` (n_scenarios, n_vehicles, n_parties) at the
    horizon, the owner's weighted by ``claims_recovery``, less what it owes as the borrower of a
    loan repaid on a schedule (:func:`finmodel.engine.claims_value.claims_present_value`);
    shape (n_scenarios, n_parties).
    """
    b = o.batch
    df_end = party_discount_factors(b)[:, :, -1]  # (n or 1, parties)
    owes = np.zeros((len(b.vehicles), len(b.parties)))
    for i, v in enumerate(b.vehicles):
        if v.kind is VehicleKind.loan and v.serviced_from is None and v.borrower is not None:
            owes[i] = v.borrower[0]
    return claims_present_value(claims, b.claims_recovery, df_end, b.owner, owes)


def reconstruction_funding(o: Outcome) -> Array:
    """USD put to work in Ukraine's reconstruction per period, shape (n_scenarios, columns).

    The vehicles marked ``funds_reconstruction`` count what they put to work: a fund what it
    deploys into projects, a loan what it disburses, a grant, a release or a stream what it
    pays out.

    Examples
    --------
    >>> import finmodel
    >>> f = reconstruction_funding(finmodel.run(finmodel.load("base")).outcome)
    >>> round(float(f.sum()) / 1e9, 6)   # Europe's 100bn, the US-led fund's 100bn + cash earned
    209.744691
    """
    b = o.batch
    out = np.zeros((b.n_scenarios, b.timeline.columns))
    for v in b.vehicles:
        if v.funds_reconstruction:
            s = o.schedules[v.id]
            out += s.deployed if v.kind in (VehicleKind.fund, VehicleKind.loan) else s.distribution
    return out


def check_scales(o: Outcome) -> dict[str, Array]:
    """The money each check of :func:`checks` involves, per scenario, shape (n_scenarios,).

    The pool's checks: the holdings' total. A vehicle's checks (and its terminal claims): its
    gross, the sum over periods of the absolute amounts of every line of its schedule (money
    paid in, lent out, earned, charged and paid out, and the value carried from period to
    period, whose every step rounds), with a loan's opening balance.

    Examples
    --------
    >>> import finmodel
    >>> r = finmodel.run(finmodel.load("base"))
    >>> s = check_scales(r.outcome)
    >>> bool(s["pool_conservation"][0] == r.summary["pool"]["total"])   # the holdings
    True
    >>> sc = r.outcome.schedules["european_fund"]   # a grant: paid in, passed on, never held
    >>> bool(s["european_fund_conservation"][0] == 2 * sc.contribution.sum())
    True
    """
    b = o.batch
    n = b.n_scenarios
    holdings = np.abs(b.pool.taken).sum(axis=(1, 2)) + np.abs(b.pool.left).sum(axis=1)
    out = {"pool_conservation": _full(holdings, n), "pool_to_vehicles": _full(holdings, n)}
    for v in b.vehicles:
        sc = o.schedules[v.id]
        lines = (sc.contribution, sc.deployed, sc.return_, sc.fee, sc.distribution, sc.value_end)
        gross = sum(np.abs(x).sum(axis=1) for x in lines) + np.abs(sc.opening_value)
        for name in ("conservation", "parties_vs_distributions", "terminal_claims"):
            out[f"{v.id}_{name}"] = _full(gross, n)
    return out


def checks(o: Outcome) -> dict[str, Array]:
    """The identities of docs/model.md, each as an absolute error in USD per scenario.

    - ``pool_conservation``: holdings = carve-outs (and nothing left over);
    - ``pool_to_vehicles``: what the pool's owner paid into vehicles = carve-outs to vehicles;
    - ``<vehicle>_conservation``: V_{-1} + sum C + sum R - sum F - sum D - V_N = 0 (V_{-1}
      is a loan's opening balance, else 0);
    - ``<vehicle>_parties_vs_distributions``: what parties received = sum D + sum F, and
      what they paid = sum C; a loan also passes its disbursements to the borrower, who
      pays the debt service D; a fund whose return a party pays (``return.paid_by``) is
      also paid its projects' positive returns.
    """
    b = o.batch
    holdings = b.pool.taken.sum(axis=1) + b.pool.left
    out = {"pool_conservation": np.abs(holdings.sum(axis=1) - b.pool.taken.sum(axis=(1, 2)))}
    out["pool_conservation"] += np.abs(b.pool.left.sum(axis=1))
    to_vehicles = b.pool.taken[:, [u in o.schedules for u in b.pool_uses]].sum(axis=(1, 2))
    owner_paid = sum(o.paid_to(v.id)[:, b.owner] for v in b.vehicles if _from_pool(o, v.id))
    out["pool_to_vehicles"] = np.abs(to_vehicles - owner_paid)
    for v in b.vehicles:
        vid, s = v.id, o.schedules[v.id]
        lhs = s.contribution.sum(1) + s.return_.sum(1) - s.fee.sum(1) - s.distribution.sum(1)
        out[f"{vid}_conservation"] = np.abs(lhs + s.opening_value - s.terminal_value)
        got = o.received_from(vid).sum(axis=1)
        put = o.paid_to(vid).sum(axis=1)
        passed_out = passed_in = 0.0
        if v.kind is VehicleKind.loan:
            passed_out, passed_in = s.deployed.sum(1), s.distribution.sum(1)
        if v.return_paid_by is not None:  # the projects' return, paid in by a party
            passed_in = paid_return(s).sum(1)
        out[f"{vid}_parties_vs_distributions"] = np.abs(
            got - s.distribution.sum(1) - s.fee.sum(1) - passed_out
        ) + np.abs(put - s.contribution.sum(1) - passed_in)
    return out


def _from_pool(o: Outcome, vehicle: str) -> bool:
    return vehicle in o.batch.pool_uses
