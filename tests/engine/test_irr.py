"""The batched IRR against numpy-financial and by hand (docs/model.md, Metrics)."""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from finmodel.engine.irr import irr


def _one(row):
    r = irr(np.array([row], dtype=float))
    return float(r.rate[0]), str(r.reason[0])


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # numpy-financial's own doctests (numpy_financial/_financial.py, irr), rounded to 5 places
        ([-100, 39, 59, 55, 20], 0.28095),
        ([-100, 0, 0, 74], -0.0955),
        ([-100, 100, 0, 7], 0.06206),
    ],
)
def test_numpy_financial_doctest_values(row, expected):
    rate, reason = _one(row)
    assert reason == ""
    assert round(rate, 5) == expected
    assert rate == pytest.approx(npf.irr(row), abs=1e-10)


@pytest.mark.parametrize(
    "row",
    [
        # numpy-financial's doctests with several sign changes: it returns the rate closest to
        # 0 (-0.0833 and 0.0886); both rows have more than one real rate, so finmodel gives none.
        # [-100, 100, 0, -7]: rates -8.33% and -67.89%.
        [-100, 100, 0, -7],
        # [-5, 10.5, 1, -8, 1]: rates 8.86%, 70.96% and -87.02%.
        [-5, 10.5, 1, -8, 1],
        # -100 + 230 x - 132 x^2 = 0 with x = 1/(1+r): x = (230 +- 10)/264, i.e. r = 10% or 20%
        [-100, 230, -132],
    ],
)
def test_several_rates_give_no_rate_and_say_why(row):
    rate, reason = _one(row)
    assert np.isnan(rate)
    assert reason.startswith("not unique")


def test_the_two_rates_of_a_two_root_row_are_named():
    # x = 1/1.1 and 1/1.2 (see above): the reason lists 10% and 20%
    _, reason = _one([-100, 230, -132])
    assert "10.0000%" in reason and "20.0000%" in reason


@pytest.mark.parametrize("row", [[5, 5, 0], [100, 0, 0, 1], [0, 0, 3]])
def test_no_sign_change_gives_no_rate(row):
    rate, reason = _one(row)
    assert np.isnan(rate)
    assert "no sign change" in reason


def test_no_flows_at_all_gives_no_rate():
    rate, reason = _one([0, 0, 0])
    assert np.isnan(rate) and reason == "no cash flows"


@pytest.mark.parametrize("row", [[-100, 0, 0], [-100, -5, 0, 0], [0, -1]])
def test_paid_in_and_nothing_back_is_a_total_loss(row):
    assert _one(row) == (-1.0, "")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # -100 + 110/(1+r) = 0  ->  r = 10%
        ([-100, 110], 0.10),
        # the same with zeros before and after: zeros change neither the equation nor its root
        ([0, 0, -100, 110], 0.10),
        ([-100, 110, *[0] * 40], 0.10),  # regression: trailing zeros once gave "edge of range"
        # a loan: +100 now, -121 in two periods: (1+r)^2 = 1.21  ->  r = 10%
        ([100, 0, -121], 0.10),
        # -100 + 100 (1.07)^40 at the end of 480 months: r = 1.07^(1/12) - 1 a month
        ([-100, *[0] * 479, 100 * 1.07**40], 1.07 ** (1 / 12) - 1),
        # zero return: 100 back for 100
        ([-100, 0, 0, 100], 0.0),
        # a big loss: 1 back for 100 after one period, r = -99%
        ([-100, 1], -0.99),
    ],
)
def test_closed_form_rates(row, expected):
    rate, reason = _one(row)
    assert reason == ""
    assert rate == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_rows_are_independent_in_a_batch():
    rows = [[-100, 39, 59, 55, 20], [-100, 0, 0], [5, 5, 5], [-100, 230, -132], [-100, 110]]
    r = irr(np.array([row + [0] * (5 - len(row)) for row in rows], dtype=float))
    for i, row in enumerate(rows):
        rate, reason = _one(row + [0] * (5 - len(row)))
        assert r.reason[i] == reason
        assert r.rate[i] == pytest.approx(rate, nan_ok=True, abs=1e-12)


def test_a_row_gives_the_same_rate_to_the_bit_alone_as_in_a_batch():
    # Nothing batch-wide (a common trimmed span, rows run in lockstep) may change the arithmetic
    # of a row: its rate is equal to the bit, not only close. Rows of every span: leading and
    # trailing zeros, lengths of every remainder mod 4, rates below and above 0, loans.
    rng = np.random.default_rng(20251120)
    n, periods = 300, 121
    flows = np.zeros((n, periods))
    for i in range(n):
        start = int(rng.integers(0, 30))
        end = int(rng.integers(start + 1, periods))
        flows[i, start] = -100.0
        flows[i, start + 1 : end + 1] = rng.uniform(0, 3, end - start) * rng.choice([0.3, 1, 3])
        flows[i, end] += rng.uniform(0, 150)
        if i % 7 == 0:
            flows[i] = -flows[i]  # a loan: money in first, repaid later
    flows[::50, -1] = -5.0  # some rows with two sign changes, solved by numpy.roots
    batch = irr(flows)
    assert (batch.reason == "").mean() > 0.9
    for i in range(n):
        alone = irr(flows[i : i + 1])
        assert alone.reason[0] == batch.reason[i]
        assert np.array_equal(alone.rate, batch.rate[i : i + 1], equal_nan=True), i


def test_annualised():
    # a quarterly rate q with (1+q)^4 = 1.21 is 21% a year
    r = irr(np.array([[-100.0, 0, 0, 0, 121]]))
    assert r.rate[0] == pytest.approx(np.sqrt(1.1) - 1, rel=1e-12)
    assert r.annualised(1)[0] == pytest.approx(r.rate[0], rel=1e-15)


# --- one sign change: agreement with numpy_financial.irr ------------------------------------------

_flow = st.integers(0, 10**5).map(lambda k: k / 100)


@st.composite
def one_sign_change(draw, max_len=40):
    """Rows of non-positive flows, then non-negative flows (or the reverse): one sign change."""
    n = draw(st.integers(2, max_len))
    k = draw(st.integers(1, n - 1))
    out = [-draw(_flow) for _ in range(k)] + [draw(_flow) for _ in range(n - k)]
    if not any(x < 0 for x in out):
        out[draw(st.integers(0, k - 1))] = -1.0
    if not any(x > 0 for x in out):
        out[draw(st.integers(k, n - 1))] = 1.0
    if draw(st.booleans()):
        out = [-x for x in out]
    return out


@settings(max_examples=500, deadline=None)
@given(one_sign_change())
# regressions, found by this test: the safeguarded Newton once crept for 200 steps from the
# edge of its bracket and returned -65.1% (and, for the second, -99.996%) with reason "":
@example([-7.0, -7.0, -9.0, 0.0, -4.0, -3.0, 0.0, 0.0, 9.0])  # npf: -18.5986%
@example([-100.0, *[0.0] * 479, 1496.0])  # a 40-year monthly fund: was -100% a year
def test_agrees_with_numpy_financial_where_the_rate_is_unique(row):
    expected = npf.irr(row)
    rate, reason = _one(row)
    # one sign change: exactly one rate above -100% (Descartes), inside the search range here
    assert reason == ""
    if not np.isnan(expected):  # numpy-financial's roots can miss a root it deems complex
        assert rate == pytest.approx(expected, abs=1e-8, rel=1e-8)
    # and the NPV at the rate is zero, relative to the size of the flows (scaled at the root)
    t = np.arange(len(row))
    terms = np.asarray(row) * np.exp(-np.log1p(rate) * t)
    assert abs(terms.sum()) <= 1e-9 * np.abs(terms).max()
