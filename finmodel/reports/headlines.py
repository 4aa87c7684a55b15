"""Each command's headline table, as data: what the terminal shows after the files are written.

A :class:`Headline` holds its columns (a machine id, a title a person reads, a unit) and rows of
raw values (amounts in USD, rates as fractions); :mod:`finmodel.reports.console` draws it as a
table, or writes it as JSON or CSV for a script. Parties and inputs go by the names the
assumptions give them (:func:`finmodel.inputs.wording.label`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from finmodel.inputs.wording import label, value_text

if TYPE_CHECKING:
    import pandas as pd

    from finmodel.inputs.models.scenario import Assumptions
    from finmodel.studies.compare import Comparison
    from finmodel.studies.run import Result
    from finmodel.studies.simulation import SimulationResult
    from finmodel.studies.sweep import SweepResult
    from finmodel.studies.tornado import TornadoResult

#: Most rows a sweep's table shows in full; past it, each party's best and worst point.
SWEEP_ROWS = 20
#: Drivers a tornado's table shows for each party.
TOP_DRIVERS = 3
#: A swing smaller than this (USD) shows as 0.0 USD bn: not a driver.
NO_SWING = 0.05e9


@dataclass(frozen=True)
class Column:
    """One column: ``id`` for scripts, ``title`` for people, ``unit`` of its values
    (``USD bn`` for amounts given in USD, ``%`` for fractions, ``''`` for text or plain);
    ``where`` it shows: ``both``, ``table`` (a person's view only) or ``data`` (JSON/CSV only).
    """

    id: str
    title: str
    unit: str = ""
    where: str = "both"


@dataclass(frozen=True)
class Headline:
    """A command's headline table: ``rows`` hold raw values, keyed by column id."""

    title: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]]
    notes: tuple[str, ...] = field(default=())
    #: lines printed after the table (what it leads to), where ``notes`` come before it
    after: tuple[str, ...] = field(default=())


def _party_name(a: Assumptions, pid: str) -> str:
    party = a.parties.get(pid)
    return party.name if party is not None else pid


def run_headline(result: Result) -> Headline:
    """Who receives what, by party.

    Examples
    --------
    >>> import finmodel
    >>> h = run_headline(finmodel.run(finmodel.load("base")))
    >>> h.rows[0]["party"], round(h.rows[0]["net"] / 1e9, 1)
    ('United States', 139.0)
    """
    s, a = result.summary, result.assumptions
    keys = ["received", "paid", "net", "npv"]
    if any(p["terminal_claim"] for p in s["parties"].values()):
        keys.append("terminal_claim")  # a vehicle runs past the horizon: who owns its value
    titles = {"received": "Received", "paid": "Paid", "net": "Net",
              "npv": f"NPV @ {a.discount_rate:.1%}" + (", own rate where given"
                                                       if a.party_discount_rates else ""),
              "terminal_claim": "Terminal claim"}  # fmt: skip
    columns = (Column("party", "Party"), Column("id", "id", where="data"),
               *(Column(k, titles[k], "USD bn") for k in keys))  # fmt: skip
    rows = [{"party": _party_name(a, pid), "id": pid, **{k: p[k] for k in keys}}
            for pid, p in s["parties"].items()]  # fmt: skip
    return Headline(
        f"{result.name}: who receives what (USD bn; + received, - paid)",
        columns,
        rows,
        tuple(f"changed: {c}" for c in result.changes),
        tuple(gap_notes(s["reconstruction"])),
    )


def gap_notes(rec: dict[str, Any]) -> list[str]:
    """A line per estimate of the needs: the reconstruction gap to its last year.

    Examples
    --------
    >>> t = {"year": [2026, 2027], "cumulative_gap": [1e9, 4e9]}
    >>> gap_notes({"needs": {"x": {"name": "RDNA", "needs": 10e9, "funded": 6e9, "by_year": t}}})
    ['reconstruction gap to 2027 against RDNA: USD 4.0bn (needs 10.0, funded 6.0)']
    """
    return [
        f"reconstruction gap to {n['by_year']['year'][-1]} against {n['name']}: "
        f"USD {n['by_year']['cumulative_gap'][-1] / 1e9:.1f}bn "
        f"(needs {n['needs'] / 1e9:.1f}, funded {n['funded'] / 1e9:.1f})"
        for n in rec["needs"].values()
    ]


def sweep_headline(result: SweepResult) -> Headline:
    """Each party's NPV at the grid's points: all of them for a small grid, else the points
    best and worst for each party."""
    a, t = result.assumptions, result.table
    keys = list(result.values)
    parties = [p for p in a.parties if f"{p}.npv" in t.columns]
    columns = [Column(k, " / ".join(label(a, k)) if label(a, k)[1] else label(a, k)[0],
                      label(a, k)[1]) for k in keys]  # fmt: skip
    columns += [Column(f"{p}.npv", f"NPV {_party_name(a, p)}", "USD bn") for p in parties]
    picked, notes = _key_rows(t, parties)
    rows = [{"point": i, **{c.id: t.at[i, c.id] for c in columns}} for i in picked]
    if "invalid" in t.columns:
        for row, i in zip(rows, picked):
            row["invalid"] = t.at[i, "invalid"] or ""
    columns = [Column("point", "Point"), *columns, Column("invalid", "Not computed")]
    return Headline(f"{a.name}: sweep, NPV by party (USD bn)", tuple(columns), rows, notes)


def _key_rows(t: pd.DataFrame, parties: list[str]) -> tuple[list[int], tuple[str, ...]]:
    """The grid points a person needs: all of a small grid; else each party's best and worst."""
    if len(t) <= SWEEP_ROWS:
        return list(t.index), ()
    picked: list[int] = []
    for p in parties:
        npv = t[f"{p}.npv"].dropna()
        if npv.nunique() > 1:
            picked += [int(npv.idxmax()), int(npv.idxmin())]
    picked = sorted(set(picked))
    note = (f"{len(picked)} of {len(t):,} grid points: each party's best and worst "
            "(all points in the files)")  # fmt: skip
    return picked, (note,)


def simulation_headline(result: SimulationResult) -> Headline:
    """P5, P50, P95 of each party's NPV and the chance it is below zero."""
    a, st = result.assumptions, result.stats
    npv = st[(st["entity"] == "party") & (st["metric"] == "npv")]
    columns = (Column("party", "Party"), Column("id", "id", where="data"),
               Column("p5", "P5", "USD bn"),
               Column("p50", "P50", "USD bn"), Column("p95", "P95", "USD bn"),
               Column("prob_loss", "Chance NPV < 0", "%"))  # fmt: skip
    rows = [{"party": _party_name(a, r.id), "id": r.id, "p5": r.p5, "p50": r.p50,
             "p95": r.p95, "prob_loss": r.prob_loss} for r in npv.itertuples()]  # fmt: skip
    return Headline(
        f"{a.name}: {result.n:,} scenarios ({result.method}, seed {result.seed}), NPV by party",
        columns,
        rows,
    )


def tornado_headline(result: TornadoResult) -> Headline:
    """The inputs that move each party's NPV most, biggest first."""
    a, t = result.assumptions, result.table
    columns = (Column("party", "Party"), Column("input", "Input", where="data"),
               Column("key", "Key path", where="data"),
               Column("shown", "Input (key path for --set)", where="table"),
               Column("low", "Low", where="data"), Column("high", "High", where="data"),
               Column("range", "Low to high", where="table"),
               Column("npv_low", "NPV low", "USD bn"),
               Column("npv_high", "NPV high", "USD bn"),
               Column("swing", "Swing", "USD bn"))  # fmt: skip
    rows = []
    for pid, bars in t.groupby("party", sort=False):
        moving = bars[bars["swing"].abs() >= NO_SWING]  # an input that moves nothing is no driver
        for r in moving.sort_values("swing", ascending=False).head(TOP_DRIVERS).itertuples():
            text, unit = label(a, r.key)
            rows.append({"party": _party_name(a, str(pid)), "input": text, "key": r.key,
                         "shown": f"{text} ({r.key})",
                         "range": f"{value_text(r.low, unit)} to {value_text(r.high, unit)}",
                         "low": r.low, "high": r.high, "npv_low": r.npv_low,
                         "npv_high": r.npv_high, "swing": r.swing, "unit": unit})  # fmt: skip
    return Headline(f"{a.name}: the top {TOP_DRIVERS} drivers of each party's NPV", columns, rows)


def compare_headline(comparison: Comparison) -> Headline:
    """Each reading's NPV change by party against the baseline, in USD bn: without claims,
    then with each party's claims at the horizon valued (``npv_with_claims``)."""
    t = comparison.table
    npv = t[(t["entity"] == "party") & (t["metric"].isin(["npv", "npv_with_claims"]))]
    names: dict[str, str] = {}
    for r in comparison.results:
        names |= {p: _party_name(r.assumptions, p) for p in r.assumptions.parties}
    parties = [p for p in names if p in set(npv["id"])]
    columns = (Column("scenario", "Reading"), Column("measure", "Claims"),
               *(Column(p, names[p], "USD bn") for p in parties))  # fmt: skip
    rows = []
    for (scenario, metric), block in npv.groupby(["scenario", "metric"], sort=False):
        if scenario == comparison.baseline:
            continue
        change = dict(zip(block["id"], block["change"]))
        measure = "without" if metric == "npv" else "valued"
        rows.append({"scenario": scenario, "measure": measure,
                     **{p: change.get(p) for p in parties}})  # fmt: skip
    return Headline(
        f"NPV change by party against the baseline {comparison.baseline}, without and with "
        "claims valued (USD bn; + better off)", columns, rows
    )
