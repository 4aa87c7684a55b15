"""The Assumptions sheet gives each of Zaporizhzhia's new inputs its own source (issue 12)."""

from openpyxl import Workbook

import finmodel
from finmodel.reports.sheets.assumptions import assumptions_sheet


def test_plant_inputs_show_their_own_sources():
    ws = Workbook().active
    assumptions_sheet(ws, finmodel.run(finmodel.load("base")))
    rows = {r[1]: r for r in ws.iter_rows(values_only=True) if isinstance(r[1], str)}
    energy = "vehicles.znpp_output.stream.energy"
    # (key path) -> (value shown, publisher of the source beside it), as base.yaml sets them
    expected = {
        f"{energy}.cost_per_mwh": (25, "Nuclear Energy Institute (NEI)"),
        f"{energy}.restart_capital.amount_bn": (2, "Interfax-Ukraine"),
        f"{energy}.restart_capital.start_year": (0, "Interfax-Ukraine"),
        f"{energy}.restart_capital.years": (2, "Interfax-Ukraine"),
        f"{energy}.unit_start_years": ("1.0, 1.0, 2.0, 2.0, 3.0, 3.0", "Reuters (via The Star)"),
    }
    for key, (value, publisher) in expected.items():
        assert (rows[key][2], rows[key][5]) == (value, publisher), key
