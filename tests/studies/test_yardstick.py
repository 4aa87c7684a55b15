"""The yardstick: both baselines in the default comparison, the EU's EUR 90bn in every reading,
the baseline named wherever a change is shown."""

from __future__ import annotations

import openpyxl
import pytest

import finmodel
from finmodel.reports.compare import headline, write_comparison
from finmodel.studies.compare import DEFAULT_SET, compare

BN = 1e9
EUR = 1.16


def test_the_default_set_holds_both_baselines_and_every_shipped_reading():
    from pathlib import Path

    shipped = {p.stem for p in (Path(__file__).parents[2] / "assumptions/scenarios").glob("*.yaml")}
    assert set(DEFAULT_SET) == shipped
    assert {"status_quo", "reparations_loan"} <= set(DEFAULT_SET)


@pytest.mark.parametrize("name", ["status_quo", "literal", "geneva_19_point"])
def test_the_eu_90bn_reaches_ukraine_in_every_reading(name):
    # European Council, 18 Dec 2025: EUR 90bn for 2026-27, EUR 45bn a year (Politico): at 1.16,
    # 52.2bn at the end of 2026 and of 2027; worth 52.2/1.04 + 52.2/1.04^2 = 98.4541bn today
    s = finmodel.run(finmodel.load(name)).summary
    got = s["parties"]["ukraine"]["by_vehicle"]["eu_support_loan"]
    assert got["received"] == pytest.approx(90 * EUR * BN, rel=1e-12)
    assert got["npv"] == pytest.approx((52.2 / 1.04 + 52.2 / 1.04**2) * BN, rel=1e-12)
    europe = s["parties"]["europe"]["by_vehicle"]["eu_support_loan"]
    assert europe["paid"] == pytest.approx(90 * EUR * BN, rel=1e-12)


def test_the_reparations_loan_counts_the_90bn_once():
    s = finmodel.run(finmodel.load("reparations_loan")).summary
    assert "eu_support_loan" not in s["vehicles"]
    # EUR 165bn reaches Ukraine: 90 over 2026-27, 75 over 2028-30
    got = s["parties"]["ukraine"]["by_vehicle"]["reparations_loan_to_ukraine"]["received"]
    assert got == pytest.approx(165 * EUR * BN, rel=1e-12)


def test_every_change_names_its_baseline(tmp_path):
    rs = [finmodel.run(finmodel.load(n)) for n in ("reparations_loan", "literal")]
    c = compare(rs, "reparations_loan")
    text = headline(c)
    assert text.splitlines()[0].startswith("Change in NPV from the baseline reparations_loan")
    assert len(text.splitlines()) == 2 + 2  # title, header, one line per reading
    write_comparison(c, tmp_path)
    ws = openpyxl.load_workbook(tmp_path / "compare.xlsx")["Compare"]
    titles = [v for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    changes = [t for t in titles if t.startswith("Change in")]
    assert changes == [
        "Change in NPV from the baseline reparations_loan",
        "Change in NPV with claims valued from the baseline reparations_loan",
    ]
    assert "reparations_loan" in ws["A1"].value


def test_the_console_change_with_claims_equals_the_single_runs():
    # literal against status_quo, Russia: the change in NPV with claims is the difference of
    # the two single runs' values
    sq, lit = (finmodel.run(finmodel.load(n)) for n in ("status_quo", "literal"))
    c = compare([sq, lit], "status_quo")
    t = c.table.query("scenario == 'literal' and id == 'russia' and metric == 'npv_with_claims'")
    want = (
        lit.summary["parties"]["russia"]["npv_with_claims"]
        - sq.summary["parties"]["russia"]["npv_with_claims"]
    )
    assert t["change"].item() == pytest.approx(want, rel=1e-12)
