"""The live schedule of each kind with its own formulas, one function per kind
(:data:`SCHEDULES`): the rows reproduce :mod:`finmodel.engine.schedule` formula by formula.

Rates come from the Inputs sheet as annual rates and are made per-period here, once, in a
formula (:meth:`~finmodel.reports.live.grid.Refs.per_period`).
"""

from __future__ import annotations

from collections.abc import Callable

from finmodel.kinds import FeeBasis, VehicleKind
from finmodel.reports.live.grid import RATE, Grid, K, Refs
from finmodel.reports.live.phasing import deploy_target, release_share


def _fund(g: Grid, refs: Refs, fee_basis: FeeBasis) -> None:
    """The fund's schedule: :func:`finmodel.engine.schedule.schedule` for a fund, row by row:
    when it deploys, its rates, the return and deployment, fees and distributions, and what
    it holds at the end of each period."""
    _fund_timing(g, refs)
    rate = _fund_rates(g, refs, fee_basis)
    _fund_deployment(g, refs, rate)
    _fund_payments(g, refs, fee_basis)
    _fund_balances(g)


def _fund_timing(g: Grid, refs: Refs) -> None:
    """Whether the fund is alive, its deployment target, and the last period it deploys."""
    g.series(
        "alive",
        "Before or at the term (1, else 0)",
        "flag",
        f"=IF({K}<={g.const('term')},1,0)",
        total=False,
        fmt="0",
    )
    deploy_target(g, refs)
    r = g.series(
        "moves",
        "Period in which the schedule moves (else 0)",
        "period",
        f"=IF(OR({g.cur('target')}<>{g.prev('target')},{g.cur('contribution')}<>0),{K},0)",
        total=False,
        fmt="0",
    )
    g.formula(r, 2, f"=MAX({g.span('moves')})", "0")
    g.rows["deploy_until"] = r  # its constant: the last period in which anything deploys


def _fund_rates(g: Grid, refs: Refs, fee_basis: FeeBasis) -> str:
    """The per-period return on projects (a row for a path, else a constant), cash rate and fee
    rate, each made per-period once from the annual input; the reference of the project rate
    in the current period."""
    if refs.has("return_path"):
        g.series(
            "rate",
            "Return on projects, per period",
            "% a period",
            f"={refs.per_period(refs.row('return_path'))}",
            total=False,
            fmt=RATE,
        )
        rate = g.cur("rate")
    else:
        g.constant(
            "rate",
            "Return on projects, per period",
            "% a period",
            f"={refs.per_period(refs.scalar('return_rate'))}",
            RATE,
        )
        rate = g.const("rate")
    fee = f"Fee rate (on {fee_basis.value}, at most the value)"
    for key, label in (("cash_rate", "Return on cash"), ("fee_rate", fee)):
        g.constant(
            key, f"{label}, per period", "% a period", f"={refs.per_period(refs.scalar(key))}", RATE
        )
    return rate


def _fund_deployment(g: Grid, refs: Refs, rate: str) -> None:
    """The return on projects and on cash, and cash moved into projects by the target."""
    g.series("grow", "Return on projects", "USD bn", f"={g.prev('projects')}*{rate}")
    g.series("earn", "Return on cash", "USD bn", f"={g.prev('cash')}*{g.const('cash_rate')}")
    g.series("return", "Return", "USD bn", f"={g.cur('grow')}+{g.cur('earn')}")
    g.series(
        "cash_in",
        "Cash before deployment",
        "USD bn",
        f"={g.prev('cash')}+{g.cur('earn')}+{g.cur('contribution')}",
        total=False,
    )
    done = f"{g.cur('target')}>=1-{refs.inputs.const('deployed_tolerance', True)}"
    tranche = (
        f"MIN(MAX({g.cur('target')}*{g.const('committed')}-{g.prev('deployed_sum')},0),"
        f"{g.cur('cash_in')})"
    )
    g.series(
        "deployed",
        "Deployed into projects",
        "USD bn",
        f"=IF({K}<={g.const('deploy_until')},IF({done},{g.cur('cash_in')},{tranche}),0)"
        f"*{g.cur('alive')}",
    )
    g.series(
        "deployed_sum",
        "Deployed so far",
        "USD bn",
        f"={g.prev('deployed_sum')}+{g.cur('deployed')}",
        total=False,
    )
    g.series(
        "projects_in",
        "Projects before payments",
        "USD bn",
        f"={g.prev('projects')}+{g.cur('grow')}+{g.cur('deployed')}",
        total=False,
    )
    g.series(
        "cash_left",
        "Cash before payments",
        "USD bn",
        f"={g.cur('cash_in')}-{g.cur('deployed')}",
        total=False,
    )


def _fund_payments(g: Grid, refs: Refs, fee_basis: FeeBasis) -> None:
    """The fee, the distribution (the payout of income; all that is left at the term), and
    what is paid from projects (first, then cash)."""
    gross = f"({g.cur('projects_in')}+{g.cur('cash_left')})"
    basis = g.const("committed") if fee_basis is FeeBasis.committed else g.prev("value")
    g.series(
        "fee",
        "Fee",
        "USD bn",
        f"=IF({K}>0,MIN({g.const('fee_rate')}*{basis},{gross}),0)*{g.cur('alive')}",
    )
    left = f"{gross}-{g.cur('fee')}"
    income = f"MIN(MAX({g.cur('return')}-{g.cur('fee')},0)*{refs.scalar('payout')},{left})"
    g.series(
        "distribution",
        "Distribution",
        "USD bn",
        f"=IF({K}={g.const('term')},{left},{income})*{g.cur('alive')}",
    )
    g.series(
        "from_projects",
        "Paid from projects (first, then cash)",
        "USD bn",
        f"=MIN({g.cur('fee')}+{g.cur('distribution')},{g.cur('projects_in')})",
    )


def _fund_balances(g: Grid) -> None:
    """Projects, cash and value at the end of each period."""
    ended = f"{K}>={g.const('term')}"
    g.series(
        "projects",
        "Projects at the end of the period",
        "USD bn",
        f"=IF({ended},0,{g.cur('projects_in')}-{g.cur('from_projects')})",
        total=False,
    )
    paid_from_cash = f"{g.cur('fee')}+{g.cur('distribution')}-{g.cur('from_projects')}"
    g.series(
        "cash",
        "Cash at the end of the period",
        "USD bn",
        f"=IF({ended},0,MAX({g.cur('cash_left')}-({paid_from_cash}),0))",
        total=False,
    )
    g.series(
        "value",
        "Value at the end of the period",
        "USD bn",
        f"={g.cur('projects')}+{g.cur('cash')}",
        total=False,
    )



def _grant(g: Grid, refs: Refs, fee_basis: FeeBasis) -> None:
    """A grant passes each contribution straight on."""
    g.series(
        "distribution",
        "Distribution",
        "USD bn",
        f"={g.cur('contribution')}",
    )
    g.series(
        "value",
        "Value at the end of the period",
        "USD bn",
        f"={g.prev('value')}+{g.cur('contribution')}-{g.cur('distribution')}",
        total=False,
    )



def _release(g: Grid, refs: Refs, fee_basis: FeeBasis) -> None:
    """A release keeps its balance as cash and pays out the scheduled share of what is left."""
    g.constant(
        "cash_rate",
        "Return on cash, per period",
        "% a period",
        f"={refs.per_period(refs.scalar('cash_rate'))}",
        RATE,
    )
    release_share(g, refs)
    g.series(
        "return",
        "Return",
        "USD bn",
        f"={g.prev('value')}*{g.const('cash_rate')}",
    )
    g.series(
        "balance_in",
        "Balance before the release",
        "USD bn",
        f"={g.prev('value')}+{g.cur('return')}+{g.cur('contribution')}",
        total=False,
    )
    g.series(
        "distribution",
        "Distribution",
        "USD bn",
        f"={g.cur('balance_in')}*{g.cur('share')}",
    )
    g.series(
        "value",
        "Value at the end of the period",
        "USD bn",
        f"={g.cur('balance_in')}-{g.cur('distribution')}",
        total=False,
    )



SCHEDULES: dict[VehicleKind, Callable[[Grid, Refs, FeeBasis], None]] = {
    VehicleKind.fund: _fund,
    VehicleKind.grant: _grant,
    VehicleKind.release: _release,
}
