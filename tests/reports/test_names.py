"""Workbook tables name inputs, parties and vehicles as a person reads them (issue 13, 3)."""

import math

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

import finmodel
from finmodel import reports
from finmodel.reports.cells import NOISE_USD, USD_BN, put
from finmodel.studies.compare import compare


@pytest.fixture(scope="module")
def base():
    return finmodel.load("base")


def _rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_assumptions_sheet_names_each_input_beside_its_key_path(base, tmp_path):
    reports.write(finmodel.run(base), tmp_path)
    ws = openpyxl.load_workbook(tmp_path / "base.xlsx")["Assumptions"]
    row = next(r for r in ws.iter_rows() if r[1].value == "vehicles.us_led_fund.return.rate")
    # the words and unit from the assumptions; 0.08 shown as a percentage
    assert row[0].value == "US-led reconstruction fund: return rate"
    assert (row[2].value, row[3].value) == (0.08, "% a year")
    assert "%" in row[2].number_format


def test_compare_columns_are_party_and_vehicle_names(base, tmp_path):
    status_quo = finmodel.load("status_quo")
    c = compare([finmodel.run(status_quo), finmodel.run(base)])
    reports.write(c, tmp_path)
    texts = {v for r in _rows(openpyxl.load_workbook(tmp_path / "compare.xlsx")["Compare"])
             for v in r if isinstance(v, str)}  # fmt: skip
    assert {"United States", "Ukraine", "US-led reconstruction fund"} <= texts
    assert not {"us", "ukraine", "us_led_fund"} & texts


@given(st.floats(-1e12, 1e12, allow_nan=False))
def test_an_amount_below_half_a_cent_is_shown_as_zero(x):
    # "-0.00" in red comes from noise such as -1.5e-5 USD; anything below half a cent is 0
    cell = put(Workbook().active, 1, 1, x, USD_BN)
    if abs(x) < NOISE_USD:
        assert cell.value == 0.0 and math.copysign(1, cell.value) == 1
    else:
        assert cell.value == x
