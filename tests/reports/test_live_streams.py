"""The live formulas of streams and loans, recomputed by spreadsheet engines that are not finmodel.

One short annual scenario holds every case: an energy stream in EUR with a ramp split as energy
(each party's MWh at its own price), a stream paid by a party for a window of years, a stream
earned from outside that services a loan lent before the start (its lenders' money an opening
balance, in two currencies, plus new money within the horizon), an amortising loan with a
grace period, and an annuity lent by two lenders a year apart (each earning interest on its own
money). The `formulas` package recomputes the workbook; every live value must equal the
engine to 1e-9 relative, and again after inputs are changed in the workbook, against
``finmodel.run(finmodel.with_overrides(...))``. LibreOffice does the same where it is installed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from strategies import loan, scenario, stream, validated
from test_live_model import (
    Book,
    assert_live_equals_engine,
    calc_sheet,
    check_flags,
    labels,
    libreoffice,
    master,
    recompute,
    recompute_books,
    write,
    written_and_changed,
)

import finmodel
from finmodel.inputs.streams import ramp as batch_ramp

pytest.importorskip("formulas")

_ENERGY = {
    "capacity_gw": 1.0,
    "capacity_factor": 0.5,
    "price_per_mwh": 50.0,
    "currency": "EUR",
    "split_as": "energy",
    "price_per_mwh_by_party": {"russia": 20.0},
}
_PLANT = {
    "capacity_gw": 1.9,
    "capacity_factor": 0.9,
    "price_per_mwh": 60.0,
    "cost_per_mwh": 20.0,
    "currency": "EUR",
    "unit_start_years": [1, 2.5],
    "restart_capital": {"amount_bn": 1.5, "years": 2, "paid_by": {"us": 0.25, "ukraine": 0.75}},
}
VEHICLES = {
    # the loan first: its source (windfall) is built before it all the same
    "era": loan(
        [
            {"party": "us", "amount_bn": 60, "before_start": True},
            {"party": "europe", "amount_bn": 30, "currency": "EUR", "before_start": True},
            {"party": "europe", "amount_bn": 5, "years": 1},
        ],
        serviced_from="windfall",
    ),
    "znpp": stream(energy=_ENERGY, start_year=1, ramp_years=1.5)
    | {"waterfall": {"profit_split": {"russia": 0.5, "ukraine": 0.5}}},
    # net of a running cost, two units (one starting mid-year), restart capital paid 25/75:
    # formulas of finmodel.reports.live.plant
    "plant": stream(energy=_PLANT, ramp_years=0.5)
    | {"waterfall": {"profit_split": {"russia": 0.5, "ukraine": 0.5}}},
    "comp": stream(amount_bn=3, start_year=1, years=3, payer="europe"),
    "windfall": stream(amount_bn=30) | {"waterfall": {"profit_split": {"ukraine": 1.0}}},
    "wb": loan(
        [{"party": "us", "amount_bn": 100, "years": 2}], repayment={"grace_years": 1, "years": 3}
    ),
    # an annuity lent by two lenders, the second a year later: each its own interest
    "annuity": loan(
        [{"party": "europe", "amount_bn": 40}, {"party": "russia", "amount_bn": 20,
                                                 "start_year": 1}],
        repayment={"grace_years": 1, "years": 4, "style": "annuity"},
    ),
}
#: The same change, made in the workbook's Inputs and with --set.
CHANGES = {
    "vehicles.znpp.stream.energy.price_per_mwh": 80.0,
    "vehicles.znpp.stream.energy.price_per_mwh_by_party.russia": 35.0,
    "vehicles.znpp.stream.ramp_years": 2.5,
    "vehicles.znpp.waterfall.profit_split.russia": 0.4,
    "vehicles.znpp.waterfall.profit_split.ukraine": 0.6,
    "vehicles.plant.stream.energy.cost_per_mwh": 30.0,
    "vehicles.plant.stream.energy.unit_start_years.1": 3.0,
    "vehicles.plant.stream.energy.restart_capital.amount_bn": 2.0,
    "vehicles.plant.stream.energy.restart_capital.start_year": 1,
    "vehicles.plant.stream.energy.restart_capital.paid_by.us": 0.5,
    "vehicles.plant.stream.energy.restart_capital.paid_by.ukraine": 0.5,
    "vehicles.comp.stream.amount_bn": 4.0,
    "vehicles.comp.stream.start_year": 2,
    "vehicles.windfall.stream.amount_bn": 20.0,
    "vehicles.era.loan.rate": 0.07,
    "vehicles.era.capital.contributions.1.amount_bn": 45.0,
    "vehicles.wb.loan.rate": 0.04,
    "vehicles.wb.loan.repayment.years": 2,
    "vehicles.wb.capital.contributions.0.years": 1,
    "vehicles.annuity.loan.rate": 0.12,
    "vehicles.annuity.loan.repayment.years": 3,
}


@pytest.fixture(scope="module")
def worked():
    return validated(scenario(VEHICLES, years=7))


@pytest.fixture(scope="module")
def books(worked, tmp_path_factory) -> dict[str, Book]:
    d = tmp_path_factory.mktemp("live_streams")
    return recompute_books(written_and_changed(finmodel.run(worked), d, "worked", CHANGES))


def test_every_stream_and_loan_is_live(books, worked):
    for vid in VEHICLES:
        ws = books["worked"].wb[calc_sheet(worked, vid)]
        assert not any("no live formulas" in str(c.value) for c in ws["A"]), vid
        assert "Net flow (with V_N at the horizon" in " ".join(str(c.value) for c in ws["A"])


def test_worked_live_values_equal_engine(books, worked):
    r = finmodel.run(worked)
    flows = {(a.vehicle, a.flow.value) for a in r.outcome.allocations}
    assert {("znpp", "income"), ("comp", "payment"), ("comp", "contribution"),
            ("plant", "income"), ("plant", "contribution"),
            ("era", "interest"), ("era", "debt_service"), ("era", "disbursement"),
            ("wb", "capital_return"), ("annuity", "interest")} <= flows  # fmt: skip
    assert r.outcome.schedules["era"].opening is not None
    assert_live_equals_engine(books["worked"], r)
    flags = check_flags(books["worked"])
    assert flags and all(f == 0 for f in flags.values()), flags
    assert master(books["worked"]).startswith("OK")


def test_worked_rows_follow_the_engine_period_by_period(books, worked):
    """The ramp, the effective shares and the loan's balance: the rows a reader checks."""
    r, book = finmodel.run(worked), books["worked"]
    n = r.outcome.batch.timeline.columns
    b = r.outcome.batch
    znpp = next(v for v in b.vehicles if v.id == "znpp")
    sheet = calc_sheet(worked, "znpp")
    ramp = batch_ramp(b.timeline, 1, 1.5)[0]
    got = book.row(sheet, "Ramp: the period's average (area(t) - area(t - 1))", n)
    np.testing.assert_allclose(got, ramp, rtol=1e-12, atol=1e-12)
    for j, p in enumerate(b.parties):
        rows = labels(book.wb[sheet])
        live = book.cell(sheet, "B", rows[f"Share of the money: {worked.parties[p].name}"])
        assert live == pytest.approx(znpp.profit_split[0, j], rel=1e-12, abs=1e-15), p
    era = r.outcome.schedules["era"]
    got = book.row(calc_sheet(worked, "era"), "Balance at the end of the period", n)
    np.testing.assert_allclose(got, era.value_end[0], rtol=1e-9)


def test_changed_inputs_equal_run_with_set(books, worked):
    expected = finmodel.run(finmodel.with_overrides(worked, CHANGES))
    before = finmodel.run(worked).summary
    for vid in VEHICLES:  # every change matters
        new, old = expected.summary["vehicles"][vid], before["vehicles"][vid]
        assert (new["distributed"], new["npv"]) != (old["distributed"], old["npv"]), vid
    assert_live_equals_engine(books["changed"], expected, moved=True)
    flags = check_flags(books["changed"])
    identities = {k: f for k, f in flags.items() if "live vs finmodel run" not in k}
    assert identities and all(f == 0 for f in identities.values()), identities


def test_a_path_stream_stays_on_the_engine_values(tmp_path):
    """A per-year path has no live form yet: the engine's numbers, and the workbook adds up."""
    a = validated(scenario({"s": stream(path_bn=[1, 2], currency="EUR")}, years=3))
    r = finmodel.run(a)
    book = Book(path := write(r, tmp_path / "path.xlsx"), recompute(path))
    ws = book.wb[calc_sheet(a, "s")]
    assert any("no live formulas" in str(c.value) for c in ws["A"])
    assert_live_equals_engine(book, r)
    assert master(book).startswith("OK")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_worked_and_changed(books, worked, tmp_path):
    cases = (("worked", finmodel.run(worked)),
             ("changed", finmodel.run(finmodel.with_overrides(worked, CHANGES))))  # fmt: skip
    for key, expected in cases:
        book = books[key]
        out = tmp_path / key
        out.mkdir()
        lo = Book(book.path, libreoffice(book.path, out))
        assert_live_equals_engine(lo, expected, moved=key == "changed")
        assert master(lo).startswith("OK" if key == "worked" else "CHANGED")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_status_quo_and_base_streams_and_loans_are_live(tmp_path):
    """The shipped cases with a loan serviced from a fund (status_quo) and with an energy
    stream, a payer stream and an amortising loan (base): live, equal to the engine, OK."""
    for name, vids in (("status_quo", ["era_loans"]),
                       ("base", ["znpp_output", "us_guarantee_compensation",
                                 "world_bank_package"])):  # fmt: skip
        result = finmodel.run(finmodel.load(name))
        path = write(result, tmp_path / f"{name}.xlsx")
        out = tmp_path / f"lo_{name}"
        out.mkdir()
        lo = Book(path, libreoffice(path, out))
        for vid in vids:
            ws = lo.wb[calc_sheet(result.assumptions, vid)]
            assert not any("no live formulas" in str(c.value) for c in ws["A"]), vid
        assert_live_equals_engine(lo, result)
        assert master(lo).startswith("OK"), name


def test_the_source_sheet_is_referenced_not_copied(books, worked):
    """The loan serviced from the windfall reads Ukraine's receipts on the windfall's sheet."""
    ws = books["worked"].wb[calc_sheet(worked, "era")]
    row = labels(ws)["What Ukraine receives from windfall"]
    assert ws.cell(row=row, column=5).value.startswith(f"='{calc_sheet(worked, 'windfall')}'!E$")
    assert Path(books["worked"].path).exists()


def test_a_plant_run_at_a_loss_is_a_total_loss_live_as_in_the_engine(tmp_path):
    # cost 60 > price 50 a MWh: the plant pays out less than nothing; the engine's IRR of a
    # vehicle with money in and nothing back is -100% (a total loss), and the live formula said
    # "n/a" there, so the Summary read CHANGED though nothing was edited (the review's find)
    plant = {"capacity_gw": 1.0, "capacity_factor": 0.5, "price_per_mwh": 50.0,
             "cost_per_mwh": 60.0, "currency": "EUR",
             "restart_capital": {"amount_bn": 0.5, "years": 1}}  # fmt: skip
    v = stream(energy=plant) | {"waterfall": {"profit_split": {"russia": 0.5, "ukraine": 0.5}}}
    a = validated(scenario({"plant": v}, years=4))
    r = finmodel.run(a)
    assert r.summary["vehicles"]["plant"]["irr"] == -1.0
    book = Book(path := write(r, tmp_path / "loss.xlsx"), recompute(path))
    assert_live_equals_engine(book, r)
    assert master(book).startswith("OK")
