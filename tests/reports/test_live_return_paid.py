"""The live Excel model of a fund whose projects' return a party pays in (reading
``ukraine_pays_returns``): the payer's row is MAX(return on projects, 0), its payments include
it, and the workbook, recomputed by the formulas package, equals finmodel's run.
"""

from __future__ import annotations

import pytest
from test_live_model import (
    Book,
    assert_live_equals_engine,
    calc_sheet,
    check_flags,
    labels,
    master,
    recompute,
    write,
)

import finmodel

pytest.importorskip("formulas")


def test_ukraine_pays_returns_is_live_and_equals_the_engine(tmp_path):
    r = finmodel.run(finmodel.load("ukraine_pays_returns"))
    path = write(r, tmp_path / "ukraine_pays_returns.xlsx")
    book = Book(path, recompute(path))
    sheet = calc_sheet(r.assumptions, "us_led_fund")
    rows = labels(book.wb[sheet])
    row = next(k for k in rows if k.startswith("Return paid in by Ukraine"))
    n = r.outcome.batch.timeline.columns
    paid = book.row(sheet, row, n)
    f = r.flows
    engine = f[(f.vehicle == "us_led_fund") & (f.flow == "return_paid")]
    assert sum(paid) == pytest.approx(-engine.amount_usd.sum(), rel=1e-9)  # USD
    assert_live_equals_engine(book, r)
    flags = check_flags(book)
    assert flags and all(v == 0 for v in flags.values()), flags
    assert master(book).startswith("OK")
