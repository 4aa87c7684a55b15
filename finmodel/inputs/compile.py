"""Validated assumptions compiled into the engine's arrays (:mod:`finmodel.engine.batch`).

Everything that reads the pydantic models on the way to the engine is here: the timeline, the
exchange rates (:mod:`finmodel.inputs.fx`), the pool's holdings and carve-outs in USD, and each
vehicle's inputs, each setting by one function of :data:`SETTING_FIELDS` where it can be, so that
a sweep that moves only one setting compiles only that (:mod:`finmodel.studies.variation`).
Rates are annual in the files and per period here: each conversion goes through
:meth:`~finmodel.engine.timeline.Timeline.per_period`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from finmodel.engine.batch import Batch, VehicleInputs
from finmodel.engine.pool import Carve, PoolSplit, draw_order, split
from finmodel.engine.timeline import Timeline
from finmodel.inputs.fx import fx_paths
from finmodel.inputs.models.vehicle import Loan, Vehicle, Waterfall
from finmodel.inputs.streams import restart_outlay, stream_amounts
from finmodel.kinds import Array, FeeBasis, RepaymentStyle

if TYPE_CHECKING:
    from finmodel.inputs.models.scenario import Assumptions

#: USD in a billion (amounts in the files are in billions of their currency).
BN = 1e9


def compile_batch(a: Assumptions) -> Batch:
    """Compile validated assumptions into a batch of one scenario.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> b = compile_batch(load("base"))
    >>> b.n_scenarios, b.timeline.columns
    (1, 31)
    """
    ctx = context(a)
    return Batch(
        names=[a.name],
        timeline=ctx.timeline,
        parties=ctx.parties,
        owner=ctx.owner,
        discount_rate=np.array([a.discount_rate]),
        claims_recovery=np.array([a.claims.recovery]),
        party_discount=np.array(
            [[a.party_discount_rates.get(p, a.discount_rate) for p in ctx.parties]]
        ),
        pool=ctx.pool,
        pool_uses=ctx.uses,
        vehicles=[vehicle_inputs(ctx, vid, v) for vid, v in a.vehicles.items()],
    )


@dataclass(frozen=True)
class Context:
    """What every vehicle's compilation shares: the timeline, the parties (``owner`` the pool's
    owner's index), USD per unit of each currency per year, the pool's split and its uses."""

    timeline: Timeline
    parties: list[str]
    owner: int
    fx: dict[str, Array]
    pool: PoolSplit
    uses: list[str]


def timeline(a: Assumptions) -> Timeline:
    """The engine's timeline of ``a``."""
    return Timeline(a.timeline.start, a.timeline.years, a.timeline.frequency)


def annual_returns(v: Vehicle) -> Array:
    """The projects' annual return as the file gives it: shape (1, 1) for a rate, (1, years
    given) for a path (the timeline holds its last year)."""
    r = v.return_
    return np.array([[r.rate]]) if r.path is None else np.array([r.path], dtype=float)


def context(a: Assumptions) -> Context:
    """The :class:`Context` of ``a`` (it reads the timeline, parties, fx and pool)."""
    tl = timeline(a)
    parties = list(a.parties)
    fx = fx_paths(a)
    start = {cur: p[:, 0] for cur, p in fx.items()}
    pool = split(holdings_usd(a, start), carves(a, start))
    uses = [c.vehicle for c in a.pool.allocation]
    return Context(tl, parties, parties.index(a.pool.owner), fx, pool, uses)


def vehicle_inputs(ctx: Context, vid: str, v: Vehicle) -> VehicleInputs:
    """Vehicle ``vid``, set up as ``v``, compiled in ``ctx``: what :func:`compile_batch` gives
    for it."""
    from_pool = ctx.pool.taken[:, [u == vid for u in ctx.uses]].sum(axis=(1, 2))
    return _vehicle(vid, v, ctx.timeline, ctx.parties, ctx.owner, from_pool, ctx.fx)


def _vehicle(
    vid: str,
    v: Vehicle,
    tl: Timeline,
    parties: list[str],
    owner: int,
    from_pool: Array,
    fx: dict[str, Array],
) -> VehicleInputs:
    contrib = np.zeros((1, len(parties), tl.columns))
    opening = np.zeros((1, len(parties)))
    if v.capital is not None and v.capital.from_ == "pool":
        contrib[:, owner, 0] = from_pool
    for c in v.capital.contributions or [] if v.capital is not None else []:
        rate = tl.by_period(fx[c.currency])[0]
        if c.before_start:
            opening[0, parties.index(c.party)] += c.amount_bn * BN * rate[0]
            continue
        phase = tl.phasing(c.years, start_year=c.start_year)
        contrib[:, parties.index(c.party)] += c.amount_bn * BN * phase * rate
    w = v.waterfall or Waterfall(profit_split={parties[0]: 1.0})
    profit_split = party_shares(parties, w.profit_split)
    capital_to = None if w.capital_to is None else party_shares(parties, w.capital_to)
    extra: dict = {}
    if v.stream is not None:
        restart = restart_outlay(v.stream, tl, fx)
        shares = profit_split
        amount, profit_split = stream_amounts(v.stream, profit_split, tl, parties, fx)
        if v.stream.payer is None:
            extra["revenue"] = amount
        else:
            contrib[:, parties.index(v.stream.payer)] = amount
        if restart is not None:
            # the parties pay the outlay in (contributions), the stream spends it outside
            # (a negative earning): what it passes on stays the net sales
            payers = shares if restart.paid_by is None else party_shares(parties, restart.paid_by)
            contrib += payers[:, :, None] * restart.usd[:, None, :]
            extra["revenue"] = extra.get("revenue", np.zeros_like(amount)) - restart.usd
    if v.loan is not None:
        lent = opening + contrib.sum(axis=2)
        capital_to = profit_split = lent / lent.sum() if lent.sum() > 0 else lent
        extra = _loan(v.loan, opening, tl, parties)
    if v.return_.paid_by is not None:
        extra["return_paid_by"] = one_hot(parties, v.return_.paid_by)
    settings: dict[str, Any] = {name: field(tl, v) for name, field in SETTING_FIELDS.items()}
    return VehicleInputs(
        id=vid,
        kind=v.kind,
        basis=w.basis,
        contributions=contrib,
        fee_basis=v.fee.basis if v.fee else FeeBasis.committed,
        fee_to=one_hot(parties, v.fee.to if v.fee else parties[0]),
        hurdle_to=one_hot(parties, w.hurdle.to if w.hurdle else parties[0]),
        capital_to=capital_to,
        profit_split=profit_split,
        funds_reconstruction=v.funds_reconstruction,
        **settings,
        **extra,
    )


# Fields of VehicleInputs that each depend on the timeline and one setting of the vehicle.


def _deploy_target(tl: Timeline, v: Vehicle) -> Array:
    return np.cumsum(tl.phasing(v.deployment.years, v.deployment.fractions))[None, :]


def _release_fraction(tl: Timeline, v: Vehicle) -> Array:
    return release_share(tl.phasing(v.release.years, v.release.fractions))[None, :]


def _return_rate(tl: Timeline, v: Vehicle) -> Array:
    return tl.period_rates(annual_returns(v))


def _cash_rate(tl: Timeline, v: Vehicle) -> Array:
    return tl.per_period(np.array([[v.cash_rate]]))


def _payout(tl: Timeline, v: Vehicle) -> Array:
    return np.array([[v.payout]])


def _term(tl: Timeline, v: Vehicle) -> np.ndarray:
    return np.array([tl.n_periods + 1 if v.term_years is None else v.term_years * tl.m])


def _fee_rate(tl: Timeline, v: Vehicle) -> Array:
    return tl.per_period(np.array([[v.fee.rate if v.fee else 0.0]]))


def _hurdle_rate(tl: Timeline, v: Vehicle) -> Array:
    hurdle = v.waterfall.hurdle if v.waterfall is not None else None
    return tl.per_period(np.array([[hurdle.rate if hurdle else 0.0]]))


#: The fields of :class:`VehicleInputs` that each come from the timeline and one setting of the
#: vehicle, by the function that computes them: a sweep that moves only these compiles only
#: them (:mod:`finmodel.studies.variation`).
SETTING_FIELDS: dict[str, Callable[[Timeline, Vehicle], Array]] = {
    "deploy_target": _deploy_target,
    "release_share": _release_fraction,
    "return_rate": _return_rate,
    "cash_rate": _cash_rate,
    "payout": _payout,
    "term": _term,
    "fee_rate": _fee_rate,
    "hurdle_rate": _hurdle_rate,
}


def _loan(loan: Loan, opening: Array, tl: Timeline, parties: list[str]) -> dict:
    first = last = 0
    style = RepaymentStyle.equal_principal
    if loan.repayment is not None:
        first = loan.repayment.grace_years * tl.m + 1
        last = (loan.repayment.grace_years + loan.repayment.years) * tl.m
        style = loan.repayment.style
    return {
        "repay_style": style,
        "opening": opening,
        "borrower": one_hot(parties, loan.borrower),
        "loan_rate": tl.per_period(np.array([[loan.rate]])),
        "repay_first": first,
        "repay_last": last,
        "serviced_from": loan.serviced_from,
    }


def release_share(fractions: Array) -> Array:
    """Fraction of what is left to release at each period: f_k / (1 - F_{k-1})."""
    left = 1.0 - (np.cumsum(fractions) - fractions)
    share = np.divide(fractions, left, out=np.zeros_like(fractions), where=left > 1e-12)
    last = np.flatnonzero(fractions)
    if last.size and abs(fractions.sum() - 1.0) < 1e-9:
        # the schedule ends within the timeline: its last tranche releases all that is left,
        # not 1 - rounding (a schedule that runs past the horizon leaves the rest frozen)
        share[last[-1]] = 1.0
    return np.minimum(share, 1.0)


def one_hot(parties: list[str], party: str) -> Array:
    out = np.zeros((1, len(parties)))
    out[0, parties.index(party)] = 1.0
    return out


def party_shares(parties: list[str], shares: str | dict[str, float]) -> Array:
    if isinstance(shares, str):
        return one_hot(parties, shares)
    out = np.zeros((1, len(parties)))
    for p, s in shares.items():
        out[0, parties.index(p)] = s
    return out


def carves(a: Assumptions, fx_at_start: dict[str, Array]) -> list[Carve]:
    """The carve-outs of ``a`` with amounts in USD at the start date's exchange rates."""
    ids = [h.id for h in a.pool.holdings]
    regions = [h.region for h in a.pool.holdings]
    out = []
    for c in a.pool.allocation:
        select = np.array([i in c.from_ or r in c.from_ for i, r in zip(ids, regions)])
        amount = None if c.amount_bn is None else c.amount_bn * 1e9 * fx_at_start[c.currency]
        order = draw_order(ids, regions, c.from_)
        out.append(Carve(c.vehicle, select, amount, c.method, order))
    return out



def holdings_usd(a: Assumptions, fx_at_start: dict[str, Array]) -> Array:
    """Holdings in USD at the start date, shape (n_scenarios, n_holdings)."""
    cols = [h.amount_bn * 1e9 * fx_at_start[h.currency] for h in a.pool.holdings]
    return np.stack(np.broadcast_arrays(*cols), axis=-1)
