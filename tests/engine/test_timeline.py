"""The timeline: period dates, per-period rates and phasing (docs/model.md, Conventions)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from strategies import BN, fund, run, scenario

from finmodel.engine.timeline import Timeline
from finmodel.kinds import Frequency

D = dt.date


def test_monthly_dates_from_the_31st_end_on_each_months_last_day():
    # Period k ends k months after the start; a month without a 31st ends on its last day, and
    # the next month goes back to the 31st (calendar of 2026, not a leap year).
    t = Timeline(D(2026, 1, 31), 1, Frequency.monthly)
    assert t.dates() == [
        D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30), D(2026, 5, 31),
        D(2026, 6, 30), D(2026, 7, 31), D(2026, 8, 31), D(2026, 9, 30), D(2026, 10, 31),
        D(2026, 11, 30), D(2026, 12, 31), D(2027, 1, 31),
    ]  # fmt: skip


def test_monthly_dates_across_a_leap_february():
    # 2028 is a leap year: February ends on the 29th.
    t = Timeline(D(2027, 12, 31), 1, Frequency.monthly)
    assert t.dates()[:4] == [D(2027, 12, 31), D(2028, 1, 31), D(2028, 2, 29), D(2028, 3, 31)]
    assert t.dates()[-1] == D(2028, 12, 31)


def test_quarterly_and_annual_dates():
    # 30 November plus 3 months is 28 February (2026); the 30th comes back in May.
    assert Timeline(D(2025, 11, 30), 1, Frequency.quarterly).dates() == [
        D(2025, 11, 30), D(2026, 2, 28), D(2026, 5, 30), D(2026, 8, 30), D(2026, 11, 30),
    ]  # fmt: skip
    # 29 February 2024 falls on the 28th in common years and the 29th again in 2028.
    assert Timeline(D(2024, 2, 29), 4, Frequency.annual).dates() == [
        D(2024, 2, 29), D(2025, 2, 28), D(2026, 2, 28), D(2027, 2, 28), D(2028, 2, 29),
    ]  # fmt: skip


def test_schedule_table_carries_the_period_dates():
    r = run(scenario({"f": fund(term_years=1)}, years=1, frequency="monthly", start=D(2026, 1, 31)))
    dates = r.schedule.query("line == 'value_end'").sort_values("period")["date"]
    assert [d.date() for d in dates] == Timeline(D(2026, 1, 31), 1, Frequency.monthly).dates()


def test_columns_and_year_index():
    t = Timeline(D(2026, 1, 1), 3, Frequency.quarterly)
    assert (t.m, t.n_periods, t.columns) == (4, 12, 13)
    # period 0 and periods 1..4 are year 0, periods 5..8 year 1, periods 9..12 year 2
    assert t.year_index().tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]


@pytest.mark.parametrize(
    ("frequency", "annual", "expected"),
    [
        # 1.21^(1/4) = 1.1^(1/2)
        (Frequency.quarterly, 0.21, np.sqrt(1.1) - 1),
        # 0.81^(1/4) = 0.9^(1/2): negative rates convert the same way
        (Frequency.quarterly, -0.19, np.sqrt(0.9) - 1),
        # 1.12^(1/12) - 1 by definition; 1.0^(anything) = 1
        (Frequency.monthly, 0.12, 1.12 ** (1 / 12) - 1),
        (Frequency.monthly, 0.0, 0.0),
        (Frequency.annual, 0.07, 0.07),
    ],
)
def test_per_period_rate_is_the_annual_effective_rate_converted(frequency, annual, expected):
    t = Timeline(D(2026, 1, 1), 1, frequency)
    q = float(t.per_period(annual))
    assert q == pytest.approx(expected, rel=1e-13, abs=1e-16)
    # compounding m periods gives back the annual rate
    assert (1 + q) ** t.m - 1 == pytest.approx(annual, rel=1e-12, abs=1e-15)


def test_phasing_even_tranches_quarterly():
    # 2 years quarterly: 8 equal tranches of 1/8 at the ends of periods 1..8
    t = Timeline(D(2026, 1, 1), 3, Frequency.quarterly)
    assert t.phasing(2).tolist() == [0.0] + [0.125] * 8 + [0.0] * 4


def test_phasing_fractions_per_year_spread_over_its_periods():
    # year 0 gets 1/4 (1/16 a quarter), year 1 gets 3/4 (3/16 a quarter)
    t = Timeline(D(2026, 1, 1), 2, Frequency.quarterly)
    assert t.phasing(0, [0.25, 0.75]).tolist() == [0.0] + [1 / 16] * 4 + [3 / 16] * 4


def test_phasing_years_zero_and_start_year():
    t = Timeline(D(2026, 1, 1), 3, Frequency.quarterly)
    assert t.phasing(0).tolist() == [1.0] + [0.0] * 12  # everything at period 0
    # starting in year 1 with years 0: everything at period 1*4 = 4
    assert np.flatnonzero(t.phasing(0, start_year=1)).tolist() == [4]
    # starting in year 1 over 1 year: periods 5..8
    assert t.phasing(1, start_year=1).tolist() == [0.0] * 5 + [0.25] * 4 + [0.0] * 4


def test_phasing_drops_tranches_past_the_timeline():
    # 4 annual tranches of 1/4 on a 2-year timeline: only periods 1 and 2 are left
    assert Timeline(D(2026, 1, 1), 2, Frequency.annual).phasing(4).tolist() == [0.0, 0.25, 0.25]


def test_deployment_and_contributions_follow_the_phasing_in_the_engine():
    # A fund deploying its 100bn over 2 years quarterly (12.5bn at the ends of periods 1..8),
    # and a grant paid by Europe in 8 quarterly instalments from year 1 (periods 5..12).
    grant = {
        "name": "g",
        "kind": "grant",
        "capital": {"contributions": [
            {"party": "europe", "amount_bn": 40.0, "years": 2, "start_year": 1},
        ]},
        "waterfall": {"capital_to": "ukraine", "profit_split": {"ukraine": 1.0}},
    }  # fmt: skip
    f = fund(deployment={"years": 2}, term_years=3)
    r = run(scenario({"f": f, "g": grant}, years=3, frequency="quarterly"))
    deployed = r.outcome.schedules["f"].deployed[0] / BN
    np.testing.assert_allclose(deployed, [0.0] + [12.5] * 8 + [0.0] * 4, rtol=1e-12)
    paid = r.outcome.schedules["g"].contribution[0] / BN
    np.testing.assert_allclose(paid, [0.0] * 5 + [5.0] * 8, rtol=1e-12)


def test_a_return_path_shorter_than_the_timeline_holds_its_last_value():
    # path [10%, 20%] on 4 years: years 3 and 4 earn 20%. With everything paid out each year
    # (payout 1) the value stays 100, so the income is 10, 20, 20 and the term pays 100 + 20.
    f = fund(**{"return": {"path": [0.1, 0.2]}}, payout=1.0, term_years=4)
    r = run(scenario({"f": f}, years=4))
    d = r.outcome.schedules["f"].distribution[0] / BN
    np.testing.assert_allclose(d, [0.0, 10.0, 20.0, 20.0, 120.0], rtol=1e-12)
