"""A fund whose projects' return a party pays in (``return.paid_by``, flow ``return_paid``):
reading ``ukraine_pays_returns``, where Ukraine's economy pays the US-led fund's return.

Every expected number is worked out in the comment beside it or by the plain loop below, not
taken from the code.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import BN, OWNER, flows_bn, fund, run, scenario

CENT = 0.01


def test_ukraine_pays_a_100_fund_its_8_percent_over_2_years():
    # 100 deployed at once, 8% a year, all reinvested, term 2 (timeline of 3 years):
    # year 1 the projects earn 8 (100 -> 108), year 2 8.64 (108 -> 116.64), all paid out at
    # the term: 100 of capital to Ukraine, 16.64 of profit, 8.32 each to the US and Ukraine.
    # Ukraine pays the projects' return in as it accrues: 8 in year 1, 8.64 in year 2.
    # Ukraine: +100 + 8.32 - 16.64 = +91.68; the US +8.32, all of it from Ukraine.
    f = fund(**{"return": {"rate": 0.08, "paid_by": "ukraine"}}, term_years=2)
    r = run(scenario({"f": f}))
    assert flows_bn(r, "f", "ukraine", "return_paid") == [0, -8, -8.64, 0]
    assert flows_bn(r, "f", "ukraine", "capital_return") == [0, 0, 100, 0]
    assert flows_bn(r, "f", "ukraine", "profit") == [0, 0, 8.32, 0]
    assert flows_bn(r, "f", "us", "profit") == [0, 0, 8.32, 0]
    ukraine = r.summary["parties"]["ukraine"]
    assert ukraine["net"] == pytest.approx(91.68 * BN, abs=CENT)
    assert ukraine["paid"] == pytest.approx(16.64 * BN, abs=CENT)
    # the fund's own view is unchanged: 100 in, 116.64 out
    assert r.summary["vehicles"]["f"]["distributed"] == pytest.approx(116.64 * BN, abs=CENT)
    assert r.summary["checks_ok"]
    # without the reading Ukraine keeps 108.32; the difference is the fund's return
    plain = run(scenario({"f": fund(**{"return": {"rate": 0.08}}, term_years=2)}))
    assert plain.summary["parties"]["ukraine"]["net"] - ukraine["net"] == pytest.approx(
        16.64 * BN, abs=CENT
    )


def _paid_returns(capital: float, rate: float, payout: float, term: int, cols: int) -> np.ndarray:
    """A plain loop over years: all capital deployed at period 0, no fee, no cash left; the
    projects grow by ``rate``, pay out ``payout`` of a positive return, everything at the term.
    Returns what the payer pays in each period: the projects' return when positive."""
    paid, projects = np.zeros(cols), capital
    for k in range(1, min(term, cols - 1) + 1):
        grow = projects * rate
        projects += grow
        paid[k] = max(grow, 0.0)
        projects -= projects if k == term else payout * max(grow, 0.0)
    return paid


@settings(max_examples=25, deadline=None)
@given(
    rate=st.floats(-0.05, 0.20),
    payout=st.floats(0.0, 1.0),
    term=st.integers(1, 8),
    years=st.integers(2, 8),
    discount=st.floats(0.0, 0.12),
)
def test_ukraines_npv_falls_by_the_present_value_of_the_return_it_pays(
    rate, payout, term, years, discount
):
    def spec(**ret):
        return fund(**{"return": {"rate": rate, **ret}}, payout=payout, term_years=term)

    with_ = run(scenario({"f": spec(paid_by="ukraine")}, years=years, discount_rate=discount))
    without = run(scenario({"f": spec()}, years=years, discount_rate=discount))
    paid = _paid_returns(100.0, rate, payout, term, years + 1)
    pv = float(np.sum(paid / (1 + discount) ** np.arange(years + 1))) * BN
    np.testing.assert_allclose(np.negative(flows_bn(with_, "f", "ukraine", "return_paid")),
                               paid, rtol=1e-9, atol=1e-9)  # fmt: skip
    u_with, u_without = (r.summary["parties"]["ukraine"] for r in (with_, without))
    assert u_with["npv"] == pytest.approx(u_without["npv"] - pv, rel=1e-9, abs=1.0)
    # nobody else's flows move
    for p in ("us", OWNER):
        assert with_.summary["parties"][p]["npv"] == pytest.approx(
            without.summary["parties"][p]["npv"], rel=1e-12, abs=1e-3
        )
    assert with_.summary["checks_ok"]


def test_a_return_payer_must_be_a_declared_party(tmp_path):
    import yaml

    import finmodel
    from finmodel.exceptions import InputError

    path = tmp_path / "f.yaml"
    f = fund(**{"return": {"rate": 0.08, "paid_by": "ukrain"}})
    path.write_text(yaml.safe_dump(scenario({"f": f})))
    with pytest.raises(InputError) as e:
        finmodel.load(path)
    said = str(e.value)
    assert "vehicles.f.return.paid_by" in said and "not declared" in said and "ukraine" in said
