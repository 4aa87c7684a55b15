"""The sensitivity workbook: a block per output, a bar chart per party of S1 against ST."""

from __future__ import annotations

import openpyxl
import pandas as pd

import finmodel
from finmodel import reports
from finmodel.studies.sensitivity import sensitivity


def test_workbook_has_the_table_and_a_first_vs_total_chart_per_varying_party(tmp_path):
    a = finmodel.load("base")
    r = sensitivity(a, 16, seed=1, keys={"discount_rate": None, "fx.EUR.rate": None})
    paths = reports.write(r, tmp_path)
    assert sorted(p.name for p in paths) == ["base.sensitivity.csv", "base.sensitivity.xlsx"]
    csv = pd.read_csv(tmp_path / "base.sensitivity.csv")
    assert list(csv.columns[:6]) == ["output", "input", "S1", "S1_conf", "ST", "ST_conf"]
    assert len(csv) == 2 * (len(a.parties) + len(a.vehicles))
    ws = openpyxl.load_workbook(tmp_path / "base.sensitivity.xlsx").active
    varying = csv[csv.output.str.startswith("parties.") & csv.S1.notna()].output.nunique()
    assert len(ws._charts) == varying > 0
    for chart in ws._charts:
        titles = [s.tx.strRef.f for s in chart.series]
        assert len(titles) == 2  # S1 and ST
        assert all(ws[t.split("!")[1].replace("$", "")].value in ("S1", "ST") for t in titles)
