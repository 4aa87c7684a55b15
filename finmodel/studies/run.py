"""One run of one scenario: :func:`run`, and its :class:`Result` as data.

A result holds the assumptions and the engine's arrays, and reads them as the tables and the
summary of the output contract (docs/model.md): ``flows`` and ``schedule`` (tidy DataFrames),
``summary`` (the JSON report as a dict), the metrics and the checks that the money adds up.
Writing them to files is :mod:`finmodel.reports`' job (:func:`finmodel.reports.write`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from finmodel.engine.evaluate import Outcome, evaluate
from finmodel.engine.metrics import (
    PartyMetrics,
    VehicleMetrics,
    check_scales,
    checks,
    claims_value,
    party_metrics,
    reconstruction_funding,
    terminal_claims,
    vehicle_metrics,
)
from finmodel.engine.tolerance import tolerance
from finmodel.inputs.compile import compile_batch
from finmodel.inputs.fx import fx_at_start
from finmodel.inputs.loader import Loaded
from finmodel.inputs.models.scenario import Assumptions
from finmodel.kinds import Line
from finmodel.studies.reconstruction import need_table

_FLOW_DTYPES = ("object", "int64", "datetime64[ns]", "object", "object", "object", "float64")


@dataclass(frozen=True, eq=False)
class Result:
    """The result of running one scenario (a batch of one).

    Attributes
    ----------
    assumptions : the validated assumptions that were run
    outcome : the engine's arrays (schedules and payments)
    files : (path, sha256) of each assumption file, base first
    overrides : the ``--set`` overrides applied
    sha256 : digest of the fully resolved assumptions
    changes : each override in words, with the value the files gave
    identity : what makes a report this scenario's (``Loaded.identity``): its file, changes and
        name; recorded in its workbook so that another scenario's run does not replace it
    """

    assumptions: Assumptions
    outcome: Outcome
    files: tuple[tuple[str, str], ...] = ()
    overrides: tuple[str, ...] = ()
    sha256: str = ""
    changes: tuple[str, ...] = ()
    identity: str = ""

    @property
    def name(self) -> str:
        return self.assumptions.name

    @cached_property
    def vehicle_metrics(self) -> dict[str, VehicleMetrics]:
        return {vid: vehicle_metrics(self.outcome, vid) for vid in self.outcome.schedules}

    @cached_property
    def party_metrics(self) -> PartyMetrics:
        return party_metrics(self.outcome)

    @cached_property
    def terminal_claims(self) -> tuple[np.ndarray, np.ndarray]:
        """Each party's claim on each vehicle's terminal value (and its profit part)."""
        return terminal_claims(self.outcome)

    @cached_property
    def checks(self) -> dict[str, float]:
        """Each identity's error, in USD (the largest over the batch)."""
        out = {k: float(np.max(v)) for k, v in checks(self.outcome).items()}
        claims = self.terminal_claims[0].sum(axis=2)  # (n, vehicles)
        for i, (vid, s) in enumerate(self.outcome.schedules.items()):
            error = np.abs(claims[:, i] - s.terminal_value)
            out[f"{vid}_terminal_claims"] = float(np.max(error))
        return out

    @cached_property
    def check_tolerances(self) -> dict[str, float]:
        """What each check allows, in USD: a cent, or a few ulps of the money it involves
        (:func:`finmodel.engine.tolerance.tolerance`), whichever is larger."""
        scales = check_scales(self.outcome)
        return {k: float(np.min(tolerance(scales[k]))) for k in self.checks}

    @cached_property
    def flows(self) -> pd.DataFrame:
        """Every payment between a party and a vehicle, from the party's side (+ receives).

        Columns: scenario, period, date, vehicle, flow, party, amount_usd.
        """
        b = self.outcome.batch
        dates = pd.to_datetime(b.timeline.dates())
        frames = []
        shape = (len(b.names), len(b.parties), b.timeline.columns)
        for a in self.outcome.allocations:
            by_party = np.broadcast_to(a.by_party(), shape)  # one row may stand for all
            s, p, k = np.nonzero(by_party)
            frames.append(
                pd.DataFrame(
                    {
                        "scenario": np.asarray(b.names)[s],
                        "period": k,
                        "date": dates[k],
                        "vehicle": a.vehicle,
                        "flow": a.flow.value,
                        "party": np.asarray(b.parties)[p],
                        "amount_usd": by_party[s, p, k],
                    }
                )
            )
        columns = ["scenario", "period", "date", "vehicle", "flow", "party", "amount_usd"]
        if not frames:  # no money moves at all: an empty table, not an error
            return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(columns, _FLOW_DTYPES)})
        df = pd.concat(frames, ignore_index=True)
        return df.sort_values(
            ["scenario", "period", "vehicle", "flow", "party"], kind="stable"
        ).reset_index(drop=True)

    @cached_property
    def schedule(self) -> pd.DataFrame:
        """Every vehicle's schedule lines per period.

        Columns: scenario, period, date, vehicle, line, amount_usd.
        """
        b = self.outcome.batch
        dates = pd.to_datetime(b.timeline.dates())
        cols = b.timeline.columns
        frames = []
        for vid, s in self.outcome.schedules.items():
            lines = {
                Line.contribution: s.contribution,
                Line.deployed: s.deployed,
                Line.return_: s.return_,
                Line.fee: s.fee,
                Line.distribution: s.distribution,
                Line.value_end: s.value_end,
            }
            for line, arr in lines.items():
                n = len(b.names)
                arr = np.broadcast_to(arr, (n, cols))  # a line the same in every scenario
                frames.append(
                    pd.DataFrame(
                        {
                            "scenario": np.repeat(b.names, cols),
                            "period": np.tile(np.arange(cols), n),
                            "date": np.tile(dates, n),
                            "vehicle": vid,
                            "line": line.value,
                            "amount_usd": arr.ravel(),
                        }
                    )
                )
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def summary(self) -> dict[str, Any]:
        """The summary of the output contract (docs/model.md), amounts in USD, with the report's
        own checks: the contents of NAME.summary.json."""
        b = self.outcome.batch
        return {
            "scenario": self.name,
            "assumptions_sha256": self.sha256,
            "files": [{"path": p, "sha256": h} for p, h in self.files],
            "overrides": list(self.overrides),
            "changes": list(self.changes),
            "units": "USD",
            "sign_convention": "party view: + received, - paid",
            "timeline": {
                "start": b.timeline.start.isoformat(),
                "years": b.timeline.years,
                "frequency": b.timeline.frequency.value,
            },
            "discount_rate": float(b.discount_rate[0]),
            "claims_recovery": float(b.claims_recovery[0]),
            "pool": self.pool_table(),
            "reconstruction": self.reconstruction_table(),
            "vehicles": self.vehicle_table(),
            "parties": self.party_table(),
            "checks": self.checks,
            "checks_tolerance_usd": self.check_tolerances,
            "checks_ok": not self.failed_checks(),
        }

    def vehicle_table(self) -> dict[str, Any]:
        """Each vehicle's money, MOIC, IRR (None with a note when undefined) and NPV, in USD."""
        vehicles = {}
        for vid, m in self.vehicle_metrics.items():
            irr = _num(m.irr[0])
            vehicles[vid] = {
                "contributed": _num(m.contributed[0]),
                "distributed": _num(m.distributed[0]),
                "fees": _num(m.fees[0]),
                "terminal_value": _num(m.terminal_value[0]),
                "profit": _num(m.profit[0]),
                "moic": _num(m.moic[0]),
                "irr": irr,
                "irr_note": None if irr is not None else str(m.irr_reason[0]) or "undefined",
                "npv": _num(m.npv[0]),
            }
        return vehicles

    def party_table(self) -> dict[str, Any]:
        """Each party's received, paid, net, NPV and terminal claim, in total and by vehicle."""
        pm = self.party_metrics
        vids = list(self.outcome.schedules)
        claims, profit_claims = self.terminal_claims
        with_claims = pm.npv + claims_value(self.outcome, claims)
        parties = {}
        for j, pid in enumerate(self.outcome.batch.parties):
            parties[pid] = {
                "received": _num(pm.received[0, j]),
                "paid": _num(pm.paid[0, j]),
                "net": _num(pm.net[0, j]),
                "npv": _num(pm.npv[0, j]),
                "terminal_claim": _num(claims[0, :, j].sum()),
                "npv_with_claims": _num(with_claims[0, j]),
                "by_vehicle": {
                    vid: {
                        "received": _num(pm.received_by_vehicle[0, i, j]),
                        "paid": _num(pm.paid_by_vehicle[0, i, j]),
                        "net": _num(pm.received_by_vehicle[0, i, j] - pm.paid_by_vehicle[0, i, j]),
                        "profit_received": _num(pm.profit_by_vehicle[0, i, j]),
                        "terminal_claim": _num(claims[0, i, j]),
                        "profit_claim": _num(profit_claims[0, i, j]),
                        "npv": _num(pm.npv_by_vehicle[0, i, j]),
                    }
                    for i, vid in enumerate(vids)
                },
            }
        return parties

    def pool_table(self) -> dict[str, Any]:
        """Sources (holdings) and uses (carve-outs) of the pool, in USD."""
        b = self.outcome.batch
        taken = b.pool.taken[0]
        holdings = taken.sum(axis=0) + b.pool.left[0]
        return {
            "sources": {h.id: _num(x) for h, x in zip(self.assumptions.pool.holdings, holdings)},
            "uses": [
                {
                    "use": u,
                    "amount": _num(t.sum()),
                    "by_holding": {
                        h.id: _num(x) for h, x in zip(self.assumptions.pool.holdings, t) if x
                    },
                }
                for u, t in zip(b.pool_uses, taken)
            ],
            "total": _num(holdings.sum()),
        }

    @cached_property
    def reconstruction_funding(self) -> np.ndarray:
        """USD put to work in reconstruction per period (:func:`metrics.reconstruction_funding`)."""
        return reconstruction_funding(self.outcome)[0]

    def reconstruction_table(self) -> dict[str, Any]:
        """What the reading puts into Ukraine's reconstruction, by year, against each estimate
        of the needs: the share of them funded within their own years, the gap, and each need
        year by year (:func:`finmodel.studies.reconstruction.need_table`).

        ``funded_by_year`` is cumulative, in USD, at the start and then each year's end.
        """
        tl = self.outcome.batch.timeline
        per_period = self.reconstruction_funding
        year_end = -(-np.arange(tl.columns) // tl.m)  # period k counts in year ceil(k/m)
        by_year = np.cumsum(np.bincount(year_end, weights=per_period, minlength=tl.years + 1))
        fx = fx_at_start(self.assumptions)
        needs = {}
        for n in self.assumptions.needs:
            usd = 1e9 * float(fx[n.currency][0])
            amount = n.amount_bn * usd
            funded = float(by_year[min(n.years, tl.years)])
            first = None if n.first_year_bn is None else n.first_year_bn * usd
            table = need_table(amount, n.years, first, per_period, tl.m, tl.start)
            needs[n.id] = {
                "name": n.name or n.id,
                "needs": _num(amount),
                "years": n.years,
                "funded": _num(funded),
                "share": _num(funded / amount) if amount > 0 else None,
                "gap": _num(amount - funded),
                "by_year": table,
            }
        return {"funded_by_year": [_num(x) for x in by_year], "needs": needs}

    def failed_checks(self) -> dict[str, float]:
        """Checks whose error exceeds its tolerance (an empty dict means the money adds up)."""
        tol = self.check_tolerances
        return {k: v for k, v in self.checks.items() if not v <= tol[k]}


def _num(x: float) -> float | None:
    """A JSON number, or None where it is undefined (never NaN)."""
    x = float(x)
    return x if np.isfinite(x) else None


R = TypeVar("R", bound=Result)


def run(assumptions: Assumptions | Loaded, result: type[R] = Result) -> R:  # type: ignore[assignment]
    """Run one scenario through the engine: a batch of one.

    Parameters
    ----------
    assumptions : Assumptions (from ``finmodel.load``) or Loaded (from ``load_with_origins``,
        which keeps the files and their digests for the report)
    result : the class of the result, :class:`Result` or a subclass (``finmodel.run`` gives
        one that can also write itself)

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> r = run(load("base"))
    >>> r.name, r.summary["checks_ok"], len(r.sha256)
    ('base', True, 64)
    """
    loaded = assumptions if isinstance(assumptions, Loaded) else Loaded.of(assumptions)
    outcome = evaluate(compile_batch(loaded.assumptions))
    return result(
        assumptions=loaded.assumptions,
        outcome=outcome,
        files=loaded.files,
        overrides=loaded.overrides,
        sha256=loaded.sha256,
        changes=loaded.changes,
        identity=loaded.identity or loaded.sha256,
    )
