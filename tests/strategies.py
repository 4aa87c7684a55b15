"""Hypothesis strategies: random, valid assumption sets for finmodel.

:func:`assumption_dicts` draws a whole scenario as the dict that ``Assumptions.model_validate``
takes (the same shape as ``assumptions/base.yaml``): a timeline, a pool of holdings with
carve-outs that fit it, and one to four vehicles of every kind. Everything it draws is valid by
construction: the tests assert that ``assumptions.problems`` finds nothing, so a draw that the
model rejects is a bug in this file or in the validation, not a skipped example.

Magnitudes. float64 carries about 16 significant digits, so an identity "to the cent" can hold
only while the amounts stay well below 1e13 USD. Amounts are drawn so that the largest value a
vehicle can reach (every input growing at the highest rate drawn, 30% a year, over the whole
timeline) stays below about 1e11 USD.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from hypothesis import strategies as st

PARTIES = ("us", "ukraine", "russia", "europe", "manager")
OWNER = "russia"
#: USD per unit at the start date (EUR may also get a per-year path; its first year is used).
FX = {"USD": 1.0, "EUR": 1.16, "GBP": 1.32}
MAX_RATE = 0.3
MIN_RATE = -0.5
#: Periods a year, and the longest timeline drawn for each frequency (monthly kept small).
FREQUENCIES = {"annual": (1, 40), "quarterly": (4, 15), "monthly": (12, 5)}
KINDS = ("fund", "grant", "release", "stream", "loan")
#: the kinds whose distributions go through a waterfall (capital, hurdle, profit)
WATERFALL_KINDS = ("fund", "grant", "release")


def amount_cap_bn(years: int) -> float:
    """Largest single amount (bn) drawn on a timeline of ``years``: 5bn / 1.3^years.

    At most 4 holdings and 4 vehicles with 3 contributions each, at 1.5 USD per unit, grown at
    30% a year for the whole timeline, stay below 5e9 * 16 * 1.5 = 1.2e11 USD.
    """
    return 5.0 / (1.0 + MAX_RATE) ** years


def rates(lo: float = MIN_RATE, hi: float = MAX_RATE) -> st.SearchStrategy[float]:
    """Rates on a 1e-4 grid (basis points), so shrunk examples read like inputs."""
    return st.integers(round(lo * 10_000), round(hi * 10_000)).map(lambda k: k / 10_000)


def shares(parties: tuple[str, ...] = PARTIES, min_size: int = 1) -> st.SearchStrategy[dict]:
    """Party shares >= 0 summing to 1 (within 1e-15), built from integer weights."""

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, float]:
        chosen = draw(
            st.lists(
                st.sampled_from(parties), min_size=min_size, max_size=len(parties), unique=True
            )
        )
        weights = [draw(st.integers(0, 8)) for _ in chosen]
        if sum(weights) == 0:
            weights[0] = 1
        total = sum(weights)
        out = {p: w / total for p, w in zip(chosen, weights)}
        # make the float sum 1: the rounding residue (< 1e-15) goes to the largest share
        top = chosen[weights.index(max(weights))]
        out[top] += 1.0 - sum(out.values())
        return out

    return build()


@st.composite
def timelines(draw: st.DrawFn, max_years: int | None = None) -> dict[str, Any]:
    """``{start, years, frequency}``: 1-40 years annual, 1-15 quarterly, 1-5 monthly."""
    frequency = draw(st.sampled_from(list(FREQUENCIES)))
    longest = FREQUENCIES[frequency][1]
    if max_years is not None:
        longest = min(longest, max_years)
    years = draw(st.integers(1, longest))
    start = draw(
        st.sampled_from([dt.date(2026, 1, 1), dt.date(2026, 1, 31), dt.date(2025, 11, 30)])
    )
    return {"start": start, "years": years, "frequency": frequency}


@st.composite
def need_entries(draw: st.DrawFn, max_years: int) -> dict[str, Any]:
    """A ``needs:`` entry over 1..max_years years, with or without a first year's need."""
    amount = draw(st.floats(0.0, 1000.0, allow_nan=False))
    need: dict[str, Any] = {"id": "need", "amount_bn": amount,
                            "years": draw(st.integers(1, max_years))}  # fmt: skip
    if draw(st.booleans()):
        need["first_year_bn"] = draw(st.floats(0.0, amount, allow_nan=False))
    return need


@st.composite
def phasings(draw: st.DrawFn, max_years: int) -> dict[str, Any]:
    """``{years: d}`` (d <= max_years) or ``{fractions: [...]}`` over at most max_years years."""
    if max_years >= 1 and draw(st.booleans()):
        n = draw(st.integers(1, max_years))
        weights = [draw(st.integers(0, 4)) for _ in range(n)]
        if sum(weights) == 0:
            weights[-1] = 1
        return {"fractions": [w / sum(weights) for w in weights]}
    return {"years": draw(st.integers(0, max_years))}


@st.composite
def returns(
    draw: st.DrawFn, years: int, path: bool | None = None, lo: float = MIN_RATE
) -> dict[str, Any]:
    """A constant ``rate`` or a per-year ``path`` (1..years values), each in lo..0.3."""
    use_path = draw(st.booleans()) if path is None else path
    if use_path:
        return {"path": draw(st.lists(rates(lo), min_size=1, max_size=years))}
    return {"rate": draw(rates(lo))}


@st.composite
def contributions(
    draw: st.DrawFn, years: int, term: int | None, cap_bn: float
) -> list[dict[str, Any]]:
    """1-3 contributions ending by the timeline and strictly before the term."""
    last = years if term is None else min(years, term - 1)
    out = []
    for _ in range(draw(st.integers(1, 3))):
        start_year = draw(st.integers(0, last))
        span = draw(st.integers(0, last - start_year))
        out.append(
            {
                "party": draw(st.sampled_from(PARTIES)),
                "amount_bn": draw(st.integers(0, 1000)) * cap_bn / 1000,
                "currency": draw(st.sampled_from(list(FX))),
                "years": span,
                "start_year": start_year,
            }
        )
    return out


@st.composite
def waterfalls(
    draw: st.DrawFn,
    basis: str | None = None,
    hurdle: bool | None = None,
) -> dict[str, Any]:
    """A waterfall: basis, capital_to (None, a party or shares), optional hurdle, profit split."""
    w: dict[str, Any] = {
        "basis": basis or draw(st.sampled_from(["capital_first", "income_split"])),
        "profit_split": draw(shares()),
    }
    capital_to = draw(st.sampled_from(["contributors", "party", "shares"]))
    if capital_to == "party":
        w["capital_to"] = draw(st.sampled_from(PARTIES))
    elif capital_to == "shares":
        w["capital_to"] = draw(shares())
    with_hurdle = draw(st.booleans()) if hurdle is None else hurdle
    if with_hurdle and w["basis"] == "capital_first":  # a hurdle is a capital_first tier
        w["hurdle"] = {"rate": draw(rates(0.0, 0.15)), "to": draw(st.sampled_from(PARTIES))}
    return w


@st.composite
def vehicles(
    draw: st.DrawFn,
    years: int,
    cap_bn: float,
    kind: str | None = None,
    basis: str | None = None,
    hurdle: bool | None = None,
    fee: bool | None = None,
    from_pool: bool | None = None,
    min_return: float = MIN_RATE,
) -> dict[str, Any]:
    """One vehicle of any kind; a fund's, grant's or release's capital from the pool or
    contributions."""
    kind = kind or draw(st.sampled_from(KINDS))
    if kind == "stream":
        return draw(streams(years, cap_bn))
    if kind == "loan":
        return draw(loans(years, cap_bn))
    v: dict[str, Any] = {"name": f"a {kind}", "kind": kind}
    term = draw(st.integers(1, years + 5)) if kind == "fund" else None
    if term is not None:
        v["term_years"] = term
    pool = draw(st.booleans()) if from_pool is None else from_pool
    if pool:
        v["capital"] = {"from": "pool"}
    else:
        v["capital"] = {"contributions": draw(contributions(years, term, cap_bn))}
    if kind != "grant":  # a grant passes money straight on: it holds no cash
        v["cash_rate"] = draw(rates(-0.01, 0.08))
    if kind == "fund":
        v["deployment"] = draw(phasings(term))
        v["return"] = draw(returns(years, lo=min_return))
        v["payout"] = draw(st.integers(0, 20)) / 20
        with_fee = draw(st.booleans()) if fee is None else fee
        if with_fee:
            v["fee"] = {
                "rate": draw(rates(0.0, 0.05)),
                "basis": draw(st.sampled_from(["committed", "nav"])),
                "to": draw(st.sampled_from(PARTIES)),
            }
    elif kind == "release":
        v["release"] = draw(phasings(years + 3))
    # a grant or a release passes its capital on: only capital_first makes sense for them
    v["waterfall"] = draw(
        waterfalls(basis=basis if kind == "fund" else "capital_first", hurdle=hurdle)
    )
    return v


@st.composite
def streams(draw: st.DrawFn, years: int, cap_bn: float) -> dict[str, Any]:
    """A stream: an amount a year, a path or an energy output; a payer or none; a ramp."""
    form = draw(st.sampled_from(["amount_bn", "path_bn", "energy"]))
    size = lambda: draw(st.integers(0, 1000)) * cap_bn / 1000  # noqa: E731
    s: dict[str, Any] = {"currency": draw(st.sampled_from(list(FX)))}
    if form == "amount_bn":
        s["amount_bn"] = size()
    elif form == "path_bn":
        s["path_bn"] = [size() for _ in range(draw(st.integers(1, years)))]
    else:
        s.pop("currency")
        s["energy"] = {
            "capacity_gw": max(size(), 1e-3),
            "capacity_factor": draw(st.integers(1, 100)) / 100,
            "price_per_mwh": float(draw(st.integers(0, 100))),
            "currency": draw(st.sampled_from(list(FX))),
        }
        if draw(st.booleans()):
            s["energy"]["split_as"] = "energy"
            s["energy"]["price_per_mwh_by_party"] = {
                p: float(draw(st.integers(0, 100))) for p in draw(st.sets(st.sampled_from(PARTIES)))
            }
    s["start_year"] = draw(st.integers(0, years))
    if draw(st.booleans()):
        s["years"] = draw(st.integers(1, years + 2))
    s["ramp_years"] = draw(st.integers(0, 8)) / 4
    if draw(st.booleans()):
        s["payer"] = draw(st.sampled_from(PARTIES))
    return {
        "name": "a stream",
        "kind": "stream",
        "stream": s,
        "waterfall": {"profit_split": draw(shares())},
    }


@st.composite
def loans(draw: st.DrawFn, years: int, cap_bn: float) -> dict[str, Any]:
    """A loan: some money lent before the start, the rest by contributions; repaid on a
    schedule, or serviced from vehicle ``v0`` (when v0 is not a loan: see assumption_dicts)."""
    lent = draw(contributions(years, None, cap_bn))
    for c in lent:
        if draw(st.booleans()):
            c.update(before_start=True, years=0, start_year=0)
    loan: dict[str, Any] = {
        "borrower": draw(st.sampled_from(PARTIES)),
        "rate": draw(rates(0.0, 0.15)),
    }
    if draw(st.booleans()):
        loan["serviced_from"] = "v0"
    else:
        loan["repayment"] = {
            "grace_years": draw(st.integers(0, years)),
            "years": draw(st.integers(1, years + 3)),
            "style": draw(st.sampled_from(["equal_principal", "annuity"])),
        }
    return {"name": "a loan", "kind": "loan", "capital": {"contributions": lent}, "loan": loan}


def named_order(holdings: list[dict[str, Any]], chosen: list[str]) -> list[int]:
    """Indices of the holdings in the order a carve-out's ``from`` names them (an id its
    holding, a region its holdings in file order), each once, then the others."""
    out: list[int] = []
    for name in chosen:
        for i, h in enumerate(holdings):
            if name in (h["id"], h["region"]) and i not in out:
                out.append(i)
    return out + [i for i in range(len(holdings)) if i not in out]


def take(
    left: list[float], select: list[bool], want: float | None, method: str, order: list[int]
) -> list[float]:
    """What one carve-out takes from each holding (docs/model.md, The frozen-asset pool), in USD: a
    plain loop,
    independent of finmodel.engine.pool; ``in_order`` draws on the holdings in ``order``."""
    avail = [x if s else 0.0 for x, s in zip(left, select)]
    total = sum(avail)
    if want is None:
        return avail
    want = min(want, total)
    if method == "pro_rata":
        return [a * want / total if total > 0 else 0.0 for a in avail]
    out, need = [0.0] * len(avail), want
    for i in order:
        out[i] = min(avail[i], max(need, 0.0))
        need -= out[i]
    return out


@st.composite
def pools(draw: st.DrawFn, pool_vehicles: list[str], cap_bn: float) -> dict[str, Any]:
    """Holdings, and carve-outs that fit: one per pool vehicle, then a catch-all remainder.

    A fixed carve-out asks for a fraction (0..100%) of what is left in its selection, so it
    always fits; the last carve-out takes the remainder of everything, so every dollar of the
    pool goes to exactly one carve-out.
    """
    n = draw(st.integers(1, 4))
    holdings = [
        {
            "id": f"h{i}",
            "region": draw(st.sampled_from(["europe", "other"])),
            "amount_bn": draw(st.integers(0, 1000)) * cap_bn / 1000,
            "currency": draw(st.sampled_from(list(FX))),
        }
        for i in range(n)
    ]
    left = [h["amount_bn"] * 1e9 * FX[h["currency"]] for h in holdings]
    allocation = []
    for vid in pool_vehicles:
        selectors = ["europe", "other", *(h["id"] for h in holdings)]
        chosen = draw(st.lists(st.sampled_from(selectors), min_size=1, max_size=3, unique=True))
        select = [h["id"] in chosen or h["region"] in chosen for h in holdings]
        method = draw(st.sampled_from(["pro_rata", "in_order"]))
        carve: dict[str, Any] = {"vehicle": vid, "from": chosen, "method": method}
        if draw(st.integers(0, 3)) == 0:
            carve["amount"] = "remainder"
            want = None
        else:
            currency = draw(st.sampled_from(list(FX)))
            available = sum(x for x, s in zip(left, select) if s)
            fraction = draw(st.integers(0, 100)) / 100
            carve["amount_bn"] = max(0.0, fraction * available / FX[currency] / 1e9)
            carve["currency"] = currency
            want = carve["amount_bn"] * 1e9 * FX[currency]
        taken = take(left, select, want, method, named_order(holdings, chosen))
        left = [x - t for x, t in zip(left, taken)]
        allocation.append(carve)
    last = draw(st.sampled_from([*pool_vehicles, "stays_frozen"]))
    allocation.append({"vehicle": last, "amount": "remainder", "from": ["europe", "other"]})
    return {"owner": OWNER, "holdings": holdings, "allocation": allocation}


@st.composite
def assumption_dicts(
    draw: st.DrawFn,
    *,
    kinds: tuple[str, ...] = KINDS,
    basis: str | None = None,
    hurdle: bool | None = None,
    fee: bool | None = None,
    max_vehicles: int = 4,
    max_years: int | None = None,
    first_kind: str | None = None,
    min_return: float = MIN_RATE,
) -> dict[str, Any]:
    """A whole random scenario, as the dict ``Assumptions.model_validate`` takes.

    Keyword arguments pin one feature for every vehicle (``basis="capital_first"``,
    ``hurdle=False``, ``fee=False``), restrict the kinds drawn, or fix the kind of the first
    vehicle, ``v0`` (``first_kind="fund"``), or the lowest project return (``min_return``).
    """
    timeline = draw(timelines(max_years=max_years))
    years = timeline["years"]
    cap = amount_cap_bn(years)
    n = draw(st.integers(1, max_vehicles))
    vs = {
        f"v{i}": draw(
            vehicles(
                years,
                cap,
                kind=first_kind if i == 0 and first_kind else draw(st.sampled_from(kinds)),
                basis=basis,
                hurdle=hurdle,
                fee=fee,
                min_return=min_return,
            )
        )
        for i in range(n)
    }
    for vid, v in vs.items():  # a loan serviced from v0 needs a v0 that is not a loan
        loan = v.get("loan", {})
        if loan.get("serviced_from") == "v0" and (vid == "v0" or vs["v0"]["kind"] == "loan"):
            loan.pop("serviced_from")
            loan["repayment"] = {"grace_years": 0, "years": years}
    pool_vehicles = [vid for vid, v in vs.items() if v.get("capital", {}).get("from") == "pool"]
    fx: dict[str, Any] = {"EUR": {"rate": FX["EUR"]}, "GBP": {"rate": FX["GBP"]}}
    if draw(st.booleans()):
        path = draw(st.lists(st.integers(80, 150), min_size=1, max_size=years))
        fx["EUR"] = {"path": [FX["EUR"], *(k / 100 for k in path)][:years]}
    return {
        "name": "random",
        "timeline": timeline,
        "discount_rate": draw(rates(0.0, 0.1)),
        "fx": fx,
        "parties": {p: {"name": p.title()} for p in PARTIES},
        "pool": draw(pools(pool_vehicles, cap)),
        "vehicles": vs,
    }


#: Rates that ``magnified`` scales, by their key; a fee stays below 1 (a share of the value).
_SCALED_RATES = ("rate", "cash_rate", "discount_rate", "path")


def magnified(d: dict[str, Any], amounts: float, rates: float) -> dict[str, Any]:
    """``d`` with every amount (``amount_bn``, ``path_bn``) times ``amounts`` and every
    positive rate times ``rates`` (kept below 9.9; a fee's rate kept below 1), and
    ``allow_high_rates: true``: a valid file whose money runs far past what
    :func:`assumption_dicts` draws. The pool's carve-outs scale with its holdings, so it still
    fits; capacities and prices are left alone.
    """

    def walk(node: Any, key: str | None, parent: str | None) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, k, key) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, key, parent) for v in node]
        if not isinstance(node, float) or isinstance(node, bool):
            return node
        if key in ("amount_bn", "path_bn"):
            return node * amounts
        if key in _SCALED_RATES and node > 0 and parent not in ("fx", "EUR", "GBP"):
            cap = 0.99 if parent == "fee" else 9.9
            return min(node * rates, cap)
        return node

    out = walk(d, None, None)
    out["allow_high_rates"] = True
    return out


# --- hand-built scenarios for the worked examples ------------------------------------------------

BN = 1e9


def scenario(
    vehicles: dict[str, dict[str, Any]],
    *,
    years: int = 3,
    frequency: str = "annual",
    start: dt.date = dt.date(2026, 1, 1),
    pool_bn: float = 100.0,
    discount_rate: float = 0.05,
    holdings: list[dict[str, Any]] | None = None,
    allocation: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A small scenario around hand-written ``vehicles``, as a dict for ``model_validate``.

    By default the pool is one European holding of ``pool_bn`` USD bn, all of it carved out to
    the first vehicle with ``capital: {from: pool}`` (or left frozen if none takes pool money).
    """
    if holdings is None:
        holdings = [{"id": "frozen", "region": "europe", "amount_bn": pool_bn, "currency": "USD"}]
    if allocation is None:
        takers = [k for k, v in vehicles.items() if v.get("capital", {}).get("from") == "pool"]
        target = takers[0] if takers else "stays_frozen"
        allocation = [{"vehicle": target, "amount": "remainder", "from": ["europe", "other"]}]
    return {
        "name": "worked",
        "timeline": {"start": start, "years": years, "frequency": frequency},
        "discount_rate": discount_rate,
        "fx": {"EUR": {"rate": 1.25}, "GBP": {"rate": 1.5}},
        "parties": {p: {"name": p.title()} for p in PARTIES},
        "pool": {"owner": OWNER, "holdings": holdings, "allocation": allocation},
        "vehicles": vehicles,
    }


def fund(**fields: Any) -> dict[str, Any]:
    """A pool-funded fund: all deployed at period 0, 0% return, all reinvested, no fee, unless
    ``fields`` say otherwise; profits to the US and Ukraine 50/50, capital to Ukraine."""
    v: dict[str, Any] = {
        "name": "a fund",
        "kind": "fund",
        "capital": {"from": "pool"},
        "deployment": {"years": 0},
        "cash_rate": 0.0,
        "return": {"rate": 0.0},
        "payout": 0.0,
        "term_years": 3,
        "waterfall": {
            "basis": "capital_first",
            "capital_to": "ukraine",
            "profit_split": {"us": 0.5, "ukraine": 0.5},
        },
    }
    v.update(fields)
    return v


def validated(d: dict[str, Any]):
    """``Assumptions`` from a dict, asserting that the cross-field checks find nothing."""
    from finmodel.inputs.checks import problems
    from finmodel.inputs.models.scenario import Assumptions

    a = Assumptions.model_validate(d)
    found = problems(a)
    assert not found, found
    return a


def run(d: dict[str, Any]):
    """Validate ``d`` and run it: a ``finmodel.Result``."""
    import finmodel

    return finmodel.run(validated(d))


# --- outputs: report sets, names, CSV cells -------------------------------------------------------

#: Endings and words that make names collide: finmodel's own suffixes, and the report's sheets.
_TRICKY_WORDS = (
    *("sweep", "simulation", "tornado", "flows", "schedule", "summary", "compare"),
    *("parties", "checks", "contents", "history", "calc", "inputs", "timeline"),
)


@st.composite
def scenario_names(draw: st.DrawFn) -> str:
    """A scenario name as the model's pattern allows (``^[A-Za-z0-9][A-Za-z0-9_.=+-]*$``, at
    most 80 characters), often built from the words finmodel uses in its own file names."""
    first = st.sampled_from("abcXYZ019")
    rest = st.text("abAB09_.=+-", max_size=6)
    pieces = draw(st.lists(st.one_of(st.sampled_from(_TRICKY_WORDS), rest), max_size=3))
    sep = draw(st.sampled_from([".", "_", "-", ""]))
    name = draw(first) + sep.join(pieces)
    if draw(st.booleans()):  # the word alone, any case: "Compare", "base.SWEEP"
        word = draw(st.sampled_from(_TRICKY_WORDS))
        name = word if draw(st.booleans()) else f"{name}.{word}"
        name = name.upper() if draw(st.booleans()) else name
    return name[:80]


@st.composite
def vehicle_id_lists(draw: st.DrawFn) -> list[str]:
    """1-12 distinct vehicle ids (``^[a-z][a-z0-9_]*$``, at most 64 characters), many sharing
    a long prefix, some equal to a report sheet's title in lower case."""
    prefix = draw(st.sampled_from(["", "fund_", "a" * 26, "reconstruction_vehicle_number_"]))
    tails = st.one_of(
        st.sampled_from(_TRICKY_WORDS),
        st.text("abz019_", min_size=0, max_size=40),
    )
    ids = draw(st.lists(tails, min_size=1, max_size=12))
    out = []
    for tail in ids:
        vid = (prefix + tail)[:64] if draw(st.booleans()) else tail[:64]
        if not vid or not vid[0].isalpha():
            vid = "v" + vid[:63]
        out.append(vid)
    return list(dict.fromkeys(out))


#: What a text cell may start with: the characters a spreadsheet reads as a formula, and others.
CELL_STARTS = ("=", "+", "-", "@", "\t", "\r", "'", " ", "a", "1", "\n", '"', ",")


@st.composite
def cell_texts(draw: st.DrawFn) -> str:
    """Text for a CSV cell: often starting like a formula, sometimes a plain number such as
    ``-1.5`` or ``+2e3`` (which a spreadsheet reads as the number, not a formula)."""
    if draw(st.booleans()):
        number = draw(st.floats(-1e6, 1e6, allow_nan=False))
        return draw(st.sampled_from(["", "+", "-"])) + repr(abs(number))
    start = draw(st.sampled_from(CELL_STARTS))
    return start + draw(st.text(max_size=12))


#: A report set's files (names from one run) and what each target holds before a write.
SET_FILES = ("r.xlsx", "r.flows.csv", "r.schedule.csv", "r.summary.json")
EARLIER = ("absent", "file", "link")


@st.composite
def report_set_writes(draw: st.DrawFn) -> dict[str, Any]:
    """A report set to write over an earlier state, and where the write fails (if anywhere):

    ``files``: the set's names; ``earlier``: per name, absent / a file / a symbolic link;
    ``failure``: None, ``("writer", i, "enospc" | "bug")`` (writing file i fails),
    ``("replace", i)`` (renaming file i into place fails), or ``("folder", i)`` (a folder
    stands where file i goes).
    """
    files = draw(st.lists(st.sampled_from(SET_FILES), min_size=1, max_size=4, unique=True))
    earlier = {f: draw(st.sampled_from(EARLIER)) for f in files}
    i = draw(st.integers(0, len(files) - 1))
    failure = draw(
        st.sampled_from(
            [None, ("writer", i, "enospc"), ("writer", i, "bug"), ("replace", i), ("folder", i)]
        )
    )
    return {"files": files, "earlier": earlier, "failure": failure}


# --- key paths and values to move (sweeps, tornado, the read tables) ----------------------------

#: Sections whose values no compiled input reads: text, sources and the tables of key paths.
_NOT_MODEL = frozenset({"name", "description", "extends", "sources", "readings", "tornado",
                        "source", "plan_point", "statement", "reason", "needs"})  # fmt: skip
#: A string leaf's plausible values, by its last segment (others are left alone).
_WORDS = {
    "currency": ("USD", "EUR", "GBP", "JPY"),
    "method": ("pro_rata", "in_order"),
    "basis": ("capital_first", "income_split", "committed", "nav"),
    "kind": KINDS,
    "frequency": ("annual", "quarterly", "monthly"),
    "region": ("europe", "other"),
    "dist": ("normal", "lognormal", "student_t"),
    "split_as": ("revenue", "energy"),
    "from": ("pool",),
}
_PARTY_WORDS = ("owner", "to", "borrower", "payer", "party", "capital_to")


def leaf_keys(a) -> list[tuple[str, Any]]:
    """Every key path of ``a`` (as ``--set`` takes it) that leads to a number, a boolean or a
    string with a handful of plausible values, with its value in ``a``."""
    out: list[tuple[str, Any]] = []

    def walk(node: Any, path: tuple) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k not in _NOT_MODEL:
                    walk(v, (*path, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, (*path, i))
        elif isinstance(node, (bool, int, float)) or (
            isinstance(node, str) and (path[-1] in _WORDS or path[-1] in _PARTY_WORDS)
        ):
            out.append((".".join(str(p) for p in path), node))

    walk(a.model_dump(mode="python", by_alias=True, exclude_none=True), ())
    return out


@st.composite
def leaf_values(draw: st.DrawFn, key: str, value: Any, a) -> Any:
    """A value for ``key`` (whose value in ``a`` is ``value``): near it, at an edge, or beyond
    what the field allows (a rate of 12, a share of 1.5, a negative year), now and then."""
    last = key.rsplit(".", 1)[-1]
    if isinstance(value, bool):
        return draw(st.booleans())
    if isinstance(value, str):
        if last in _PARTY_WORDS:
            return draw(st.sampled_from([*a.parties, "nobody"]))
        if last == "vehicle" or last == "serviced_from":
            return draw(st.sampled_from([*a.vehicles, "stays_frozen"]))
        return draw(st.sampled_from(_WORDS[last]))
    if isinstance(value, int):
        return draw(st.one_of(st.integers(max(value - 4, -1), value + 6), st.sampled_from([0, 1])))
    scale = abs(value) if value else 0.05
    return draw(
        st.one_of(
            st.integers(0, 40).map(lambda k: round(value * k / 20, 12)),
            st.integers(-20, 20).map(lambda k: round(value + scale * k / 10, 12)),
            st.sampled_from([0.0, 1.0, -0.5, 1.5, 12.0]),
        )
    )


def stream(**fields) -> dict:
    """A stream vehicle's spec paying all its profit to the US, with ``fields`` as its stream."""
    spec = {"name": "a stream", "kind": "stream", "waterfall": {"profit_split": {"us": 1.0}}}
    spec["stream"] = fields
    return spec


def loan(contributions: list[dict], **terms) -> dict:
    """A loan vehicle's spec to Ukraine at 10% a year, with ``terms`` added to its loan block."""
    return {
        "name": "a loan",
        "kind": "loan",
        "capital": {"contributions": contributions},
        "loan": {"borrower": "ukraine", "rate": 0.10} | terms,
    }


# --- the explorer's sliders ------------------------------------------------------------------


@st.composite
def slider_grids(draw: st.DrawFn, d: dict[str, Any]) -> dict[str, list[float]]:
    """One to three sliders over numeric keys of the scenario dict ``d`` (its discount rate, a
    fund's return rate or payout), each with one to three values; some may be values that a
    single run rejects (a payout above 1)."""
    keys = ["discount_rate"]
    for vid, v in d["vehicles"].items():
        if v.get("kind") == "fund" and "rate" in v.get("return", {}):
            keys += [f"vehicles.{vid}.return.rate", f"vehicles.{vid}.payout"]
    chosen = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True))
    values = {
        k: st.floats(0.0, 1.2, allow_nan=False) if k.endswith("payout") else rates(-0.2, 0.2)
        for k in chosen
    }
    return {k: draw(st.lists(s, min_size=1, max_size=3, unique=True)) for k, s in values.items()}


@st.composite
def separated_roots(draw: st.DrawFn, lo: float = -1.0, hi: float = 1.0, most: int = 4) -> list:
    """Up to ``most`` distinct roots in (lo, hi), each at least a fortieth of the range from
    the others and from the ends, so that a 65-point grid puts a sign change between each."""
    gap = (hi - lo) / 40
    k = draw(st.integers(1, most))
    slots = draw(st.lists(st.integers(1, 39), min_size=k, max_size=k, unique=True))
    slots = sorted(slots)
    slots = [s for i, s in enumerate(slots) if i == 0 or s - slots[i - 1] >= 2]
    return [lo + gap * s + draw(st.floats(-0.3, 0.3)) * gap for s in slots]


@st.composite
def override_lists(draw: st.DrawFn, a, max_size: int = 12) -> list[tuple[str, Any]]:
    """One to ``max_size`` numeric overrides of ``a`` as (key path, value), values near the
    file's, at an edge or past what the field allows (for names and words, not for runs)."""
    numeric = [(k, v) for k, v in leaf_keys(a) if isinstance(v, (int, float))
               and not isinstance(v, bool)]  # fmt: skip
    picked = draw(st.lists(st.sampled_from(numeric), min_size=1, max_size=max_size))
    return [(k, draw(leaf_values(k, v, a))) for k, v in picked]


#: The fingerprint of a scenario's inputs: a sha256 as 64 hex digits (finmodel.reports.fingerprint).
fingerprints = st.text("0123456789abcdef", min_size=64, max_size=64)


@st.composite
def share_set_lists(draw: st.DrawFn, parties: tuple[str, ...] = ("us", "ukraine")) -> list:
    """One to four ``(party, share)`` sets of one profit split, shares in tenths (whose sums
    of two are exact where they are 1)."""
    one = st.tuples(st.sampled_from(parties), st.integers(1, 9).map(lambda k: k / 10))
    return draw(st.lists(one, min_size=1, max_size=4))


def flows_bn(r, vehicle: str, party: str, flow: str, digits: int = 9) -> list[float]:
    """Per-period amounts (USD bn, rounded to ``digits``) of one party's flow of one kind from
    one vehicle of a single run ``r``, read from its flows table."""
    f = r.flows
    mine = f[(f.vehicle == vehicle) & (f.party == party) & (f.flow == flow)]
    out = np.zeros(r.outcome.batch.timeline.columns)
    by_period = mine.groupby("period")["amount_usd"].sum()
    out[by_period.index.to_numpy(dtype=int)] = by_period.to_numpy(dtype=float)
    return (out / BN).round(digits).tolist()
