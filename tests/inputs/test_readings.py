"""The status quo and the later readings (Geneva, the development package, the energy split of
Zaporizhzhia), and the share of the reconstruction needs each one funds.

Expected numbers are worked out by hand from the assumption files' inputs, in the comments.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import finmodel
from finmodel.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "assumptions" / "scenarios"
BN = 1e9
CENT = 0.01
EUR, GBP = 1.16, 1.32
EUROCLEAR_USD = 185 * EUR * BN  # EUR 185bn of CBR assets at Euroclear
# the EU recovers EUR 45bn of its EUR 90bn loan from them (eu_loan_recovery): 140 stay frozen
RECOVERED_USD = 45 * EUR * BN
FROZEN_EUROCLEAR_USD = EUROCLEAR_USD - RECOVERED_USD
# tests/inputs/test_shipped_files.py::test_base_pool_matches_the_published_figures
POOL_USD = 298.458 * BN


def run(name: str) -> finmodel.Result:
    return finmodel.run(finmodel.load(SCENARIOS / f"{name}.yaml"))


def _flow(r: finmodel.Result, vehicle: str, party: str, flow: str):
    f = r.flows
    mine = f[(f.vehicle == vehicle) & (f.party == party) & (f.flow == flow)]
    return mine.groupby("period")["amount_usd"].sum()


def test_status_quo_russia_keeps_title_and_receives_nothing():
    s = run("status_quo").summary
    russia = s["parties"]["russia"]
    assert russia["received"] == 0.0
    assert russia["paid"] == pytest.approx(POOL_USD, abs=CENT)  # no access from the start
    # title at the horizon to all but what the EU took for its loan: 298.458 - 52.2
    assert russia["terminal_claim"] == pytest.approx(POOL_USD - RECOVERED_USD, abs=CENT)
    assert set(s["vehicles"]) == {
        "eu_loan_recovery",
        "frozen_euroclear",
        "frozen_elsewhere",
        "era_loans",
        "eu_support_loan",
    }
    assert "world_bank" not in s["parties"]  # removed with `world_bank: null`


def test_status_quo_windfall_goes_to_belgium_and_ukraine():
    # 2% on the EUR 140bn left after the EU's recovery (185 - 45) at 1.16 = 3.248bn a year: 60%
    # to Ukraine (the share that reached it in 2025: about EUR 3.0bn of EUR 5.0bn) = 1.9488bn;
    # 40% to Europe (Belgian tax, Euroclear's buffer and costs) = 1.2992bn
    r = run("status_quo")
    income = 0.02 * FROZEN_EUROCLEAR_USD
    to_ukraine = _flow(r, "frozen_euroclear", "ukraine", "income")
    to_europe = _flow(r, "frozen_euroclear", "europe", "income")
    assert to_ukraine.loc[1] == pytest.approx(0.60 * income, abs=CENT)
    assert to_europe.loc[30] == pytest.approx(0.40 * income, abs=CENT)
    assert len(to_ukraine) == 30  # every year of the horizon, none at the start


def test_status_quo_era_loans_are_serviced_from_the_windfall():
    # Opening balance lent before 2026: US 20 + EU 18.1 x 1.16 + UK 1.504 x 1.32 + Canada 3.6
    # + Japan 3.0 = 49.58128bn; the UK's last tranche 0.752 x 1.32 = 0.99264bn at the end of
    # 2026. Year 1: interest 3.5% x 49.58128 = 1.7353448; Ukraine pays all its windfall,
    # 60% x 2% x 162.4 (EUR 140bn left at Euroclear) = 1.9488; the balance is 49.58128
    # + 0.99264 + 1.7353448 - 1.9488 = 50.3604648.
    r = run("status_quo")
    s = r.outcome.schedules["era_loans"]
    opening = (20 + 18.1 * EUR + 1.504 * GBP + 3.6 + 3.0) * BN
    assert float(s.opening_value[0]) == pytest.approx(opening, abs=CENT)
    windfall = 0.60 * 0.02 * FROZEN_EUROCLEAR_USD
    assert s.distribution[0, 1] == pytest.approx(windfall, abs=CENT)
    assert s.value_end[0, 1] == pytest.approx(50.3604648 * BN, rel=1e-12)
    # Ukraine passes the whole windfall on every year: at 60% it no longer clears the loans
    # within the horizon. A plain loop: b_k = 1.035 b_(k-1) - windfall from year 2 on.
    service = -_flow(r, "era_loans", "ukraine", "debt_service")
    assert service.loc[1] == pytest.approx(windfall, abs=CENT)
    balance = 50.3604648 * BN
    for _ in range(2, 31):
        balance = balance * 1.035 - windfall
    assert s.value_end[0, -1] == pytest.approx(balance, rel=1e-9)
    assert balance > 0
    # each lender earns interest on its own money: year 1's interest (1.7353448) is on the
    # opening balance only, the US's 20 of it 3.5% x 20 = 0.7 (the UK's tranche arrives at
    # the end of year 1). The windfall pays it all, so no interest is ever left unpaid; the
    # rest of every payment (year 1's principal and all later service) goes pro rata to
    # principal, the US's 20 of 49.58128 + 0.99264 = 50.57392.
    v = r.summary["vehicles"]["era_loans"]
    assert v["irr"] == pytest.approx(0.035, abs=1e-12)
    assert v["contributed"] == pytest.approx(opening + 0.752 * GBP * BN, abs=CENT)
    us = r.summary["parties"]["us"]["by_vehicle"]["era_loans"]["received"]
    lent = opening / BN + 0.752 * GBP
    expected = 0.7 * BN + (v["distributed"] - 1.7353448 * BN) * 20 / lent
    assert us == pytest.approx(expected, rel=1e-12)


def test_geneva_keeps_the_status_quo_and_adds_zaporizhzhia():
    sq, g = run("status_quo").summary, run("geneva_19_point").summary
    assert set(g["vehicles"]) == set(sq["vehicles"]) | {"znpp_output"}
    # 5.7 GW x 8,760 h x 0.80 = 39,945.6 GWh a year at EUR 100 - 25 (running cost) = EUR 75
    # net a MWh x 1.16, in years 2-30 (29 years); of six units two start in year 2, two in
    # year 3 and two in year 4, so years 2 and 3 lose 4/6 and 2/6 of a year: 28 full years
    zn = g["vehicles"]["znpp_output"]["distributed"]
    assert zn == pytest.approx(39_945.6e3 * 75 * EUR * 28, rel=1e-12)
    for p in ("russia", "ukraine"):
        change = g["parties"][p]["received"] - sq["parties"][p]["received"]
        assert change == pytest.approx(zn / 2, abs=CENT)
        # each pays half the EUR 2bn of restart capital
        paid = g["parties"][p]["paid"] - sq["parties"][p]["paid"]
        assert paid == pytest.approx(1.0 * EUR * BN, abs=CENT)


def test_znpp_energy_split_values_russias_half_at_its_own_price():
    literal = run("literal").summary["parties"]
    energy = run("znpp_energy_split").summary["parties"]
    half = 39_945.6e3 / 2 * EUR * 28  # MWh a year, for each side, over 28 full years
    # net of the EUR 25/MWh running cost: EUR 75 at the Ukrainian price, 2.40 at Russia's
    assert literal["russia"]["by_vehicle"]["znpp_output"]["received"] == pytest.approx(
        half * 75, rel=1e-12
    )
    assert energy["russia"]["by_vehicle"]["znpp_output"]["received"] == pytest.approx(
        half * 2.4, rel=1e-12
    )
    assert energy["ukraine"]["by_vehicle"]["znpp_output"]["received"] == pytest.approx(
        half * 75, rel=1e-12
    )
    # the restart capital is paid by the revenue split (50/50), not by the value shares
    for p in ("russia", "ukraine"):
        paid = energy[p]["by_vehicle"]["znpp_output"]["paid"]
        assert paid == pytest.approx(1.0 * EUR * BN, abs=CENT)


def test_reconstruction_share_of_the_literal_reading():
    # Europe's grant of 100bn, and the US-led fund's deployment: 20bn a year for 5 years while
    # the undeployed cash earns 3% (3, 2.49, 1.9647, 1.423641, 0.86635 on 100, 83, 65.49,
    # 47.4547, 28.878341), all of it invested in year 5: 109.744691bn. All within 10 years.
    s = run("literal").summary["reconstruction"]
    funded = (100 + 109.744691) * BN
    assert s["needs"]["rdna4"]["funded"] == pytest.approx(funded, abs=1e3)
    assert s["needs"]["rdna4"]["share"] == pytest.approx(funded / 524e9, abs=1e-8)
    assert s["needs"]["rdna5"]["share"] == pytest.approx(funded / 588e9, abs=1e-8)
    # when: 20bn a year from each, then the sweep in year 5
    assert [round(x / BN, 6) for x in s["funded_by_year"][:3]] == [0.0, 40.0, 80.0]
    assert run("status_quo").summary["reconstruction"]["needs"]["rdna4"]["share"] == 0.0


def test_development_package_funds_its_known_parts():
    # EUR 100bn over 2028-34 (7 equal parts) and EUR 207bn of private money deployed over 10
    # years: (100 + 207) x 1.16 = 356.12bn within the 10 years of RDNA4: 67.96%
    s = run("development_package_800bn").summary
    share = s["reconstruction"]["needs"]["rdna4"]["share"]
    assert share == pytest.approx(356.12 / 524, abs=1e-9)
    grant = s["parties"]["ukraine"]["by_vehicle"]["eu_budget_support"]["received"]
    assert grant == pytest.approx(100 * EUR * BN, abs=CENT)
    years = s["reconstruction"]["funded_by_year"]
    # nothing from the EU before 2028 (years 1-2), then 116/7 = 16.571429bn a year
    private_a_year = 207 * EUR / 10
    assert years[2] / BN == pytest.approx(2 * private_a_year, rel=1e-9)
    assert (years[3] - years[2]) / BN == pytest.approx(private_a_year + 116 / 7, rel=1e-9)


def test_compare_against_the_status_quo_by_default(tmp_path):
    out = tmp_path / "cmp"
    names = ["literal", "status_quo", "geneva_19_point", "development_package_800bn"]
    assert main(["compare", *names, "--out", str(out)]) == 0
    import pandas as pd

    t = pd.read_csv(out / "compare.csv")
    npv = t[(t.entity == "party") & (t.metric == "npv")].set_index(["scenario", "id"])
    # the status quo is the baseline: its own changes are 0, and a party a reading does not
    # name (Canada and Japan outside the status quo) counts as 0, so its change is defined
    assert (npv.loc["status_quo", "change"] == 0).all()
    sq_g7 = npv.loc[("status_quo", "other_g7"), "value"]
    assert npv.loc[("literal", "other_g7"), "change"] == pytest.approx(-sq_g7)
    wb = openpyxl.load_workbook(out / "compare.xlsx")
    labels = {c.value for row in wb["Compare"].iter_rows() for c in row if isinstance(c.value, str)}
    assert "Share of reconstruction needs funded within their years" in labels
    by_year = wb["Reconstruction"]
    assert by_year["A1"].value == "Reconstruction funding to date, by year end"
    literal = next(r for r in by_year.iter_rows() if r[0].value == "literal")
    assert literal[2].value == pytest.approx(40e9)  # year 1: 20bn from each of two vehicles


def test_the_summary_sheet_shows_the_share_of_each_estimate(tmp_path):
    r = run("literal")
    path = r.to_excel(tmp_path / "literal.xlsx")
    ws = openpyxl.load_workbook(path)["Summary"]
    rows = {row[0].value: row for row in ws.iter_rows() if isinstance(row[0].value, str)}
    for n in r.summary["reconstruction"]["needs"].values():
        cells = rows[n["name"]]
        assert cells[1].value == pytest.approx(n["needs"])
        assert cells[3].value == pytest.approx(n["funded"])
        assert cells[4].value == pytest.approx(n["share"])
