"""Comparing readings: several scenarios, each run on its own, measured against a baseline.

Readings of the plan differ in structure (which vehicles exist, who receives what), so each
scenario is its own run; the comparison lines them up party by party and vehicle by vehicle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from finmodel.exceptions import InputError
from finmodel.inputs.wording import nearest
from finmodel.studies.measures import PARTY_METRICS, VEHICLE_METRICS
from finmodel.studies.run import Result

NEEDS_METRICS = ("funded", "share", "gap")
DEFAULT_BASELINE = "status_quo"
#: What ``finmodel compare`` runs when no scenario is named: both baselines and every shipped
#: reading (docs/readings.md says what each assumes and why).
DEFAULT_SET = (
    "status_quo",
    "reparations_loan",
    "literal",
    "russia_keeps_title",
    "us_half_of_gross",
    "instrument_split",
    "assets_returned_to_russia",
    "foreign_policy",
    "european_fund_as_investment",
    "znpp_energy_split",
    "geneva_19_point",
    "development_package_800bn",
    "znpp_three_way",
    "znpp_us_ukraine_jv",
    "ukraine_pays_returns",
)


@dataclass(frozen=True)
class Comparison:
    """Results of several scenarios and the baseline they are measured against.

    table : tidy, one row per (scenario, entity, id, metric): value, baseline value and the
        change from the baseline (value - baseline; empty where either is undefined)
    """

    results: list[Result]
    baseline: str
    table: pd.DataFrame


def checked(results: list[Result]) -> list[Result]:
    """``results``, once every identity of each holds; else a RuntimeError (an internal error:
    the engine broke an identity) naming the scenario and its worst check."""
    for r in results:
        failed = r.failed_checks()
        if failed:
            raise RuntimeError(f"{r.name}: check '{max(failed, key=lambda k: failed[k])}' failed")
    return results


def compare(results: Sequence[Result], baseline: str | None = None) -> Comparison:
    """Line up ``results`` against the one named ``baseline``.

    The baseline defaults to ``status_quo`` when it is among the scenarios, else the first.

    Examples
    --------
    >>> import finmodel
    >>> base = finmodel.run(finmodel.load("base"))
    >>> low = finmodel.run(finmodel.load("base", {"name": "low",
    ...                                           "vehicles.us_led_fund.return.rate": 0.02}))
    >>> c = compare([base, low], baseline="base")
    >>> row = c.table.query("scenario == 'low' and id == 'us' and metric == 'received'")
    >>> bool(row["change"].item() < 0)
    True
    """
    names = [r.name for r in results]
    if len(results) < 1:
        raise InputError("give at least one scenario to compare", field="scenarios")
    for i, name in enumerate(names):
        if name in names[:i]:
            raise InputError(
                f"two scenarios are named '{name}': give each reading its own name",
                field="name",
            )
    if baseline is None:
        baseline = DEFAULT_BASELINE if DEFAULT_BASELINE in names else names[0]
    if baseline not in names:
        raise InputError(
            f"'{baseline}' is not among the scenarios ({', '.join(names)})"
            + nearest(baseline, names),
            file="--baseline",
        )
    parties = list(dict.fromkeys(p for r in results for p in r.summary["parties"]))
    rows = [row for r in results for row in _rows(r, parties)]
    table = pd.DataFrame(rows, columns=["scenario", "entity", "id", "metric", "value"])
    base = table[table["scenario"] == baseline].set_index(["entity", "id", "metric"])["value"]
    keys = pd.MultiIndex.from_frame(table[["entity", "id", "metric"]])
    table["baseline"] = base.reindex(keys).to_numpy()
    table["change"] = table["value"] - table["baseline"]
    return Comparison(results=list(results), baseline=baseline, table=table)


def _rows(r: Result, parties: list[str]) -> list[tuple]:
    """A result's rows; a party that a reading does not name neither pays nor receives: 0."""
    s = r.summary
    none = dict.fromkeys(PARTY_METRICS, 0.0)
    out = [
        (r.name, "party", pid, m, s["parties"].get(pid, none)[m])
        for pid in parties
        for m in PARTY_METRICS
    ]
    out += [
        (r.name, "vehicle", vid, m, v[m])
        for vid, v in s["vehicles"].items()
        for m in VEHICLE_METRICS
    ]
    rec = s["reconstruction"]
    out += [
        (r.name, "needs", nid, m, n[m]) for nid, n in rec["needs"].items() for m in NEEDS_METRICS
    ]
    out += [
        (r.name, "reconstruction", str(year), "funded_cumulative", x)
        for year, x in enumerate(rec["funded_by_year"])
    ]
    return [(a, b, c, d, float("nan") if e is None else e) for a, b, c, d, e in out]
