"""What ``finmodel list`` shows: the shipped readings, and the numbers a ``--set`` may change.

Examples
--------
>>> from finmodel.inputs.loader import load
>>> h = settable_headline(load("base"))
>>> row = next(r for r in h.rows if r["key"] == "vehicles.us_led_fund.return.rate")
>>> row["label"], row["value"], row["unit"]
('US-led reconstruction fund: return rate', 0.08, '%')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from finmodel.inputs.locate import shipped, shipped_names
from finmodel.inputs.merge import read_chain
from finmodel.inputs.wording import label, settable
from finmodel.reports.headlines import Column, Headline

if TYPE_CHECKING:
    from finmodel.inputs.models.scenario import Assumptions


def readings_headline() -> Headline:
    """Each shipped scenario (a reading of the plan): its name and its description's first
    sentence, read from the file alone (no validation: listing stays quick)."""
    rows = []
    for name in shipped_names():
        data, _, _ = read_chain(shipped(name))
        text = " ".join(str(data.get("description") or "").split())
        first = text.split(". ")[0].rstrip(".") + "." if text else ""
        rows.append({"name": name, "statement": first})
    columns = (Column("name", "Name"), Column("statement", "What it reads the plan as"))
    return Headline("Shipped readings (run or compare them by name)", columns, rows)


def settable_headline(a: Assumptions) -> Headline:
    """Every number ``--set`` and ``--vary`` may change, with its label, value and unit."""
    rows = []
    for key, value in settable(a):
        text, unit = label(a, key)
        # the number itself: the table shows it in its unit (``unit`` of the row), JSON and
        # CSV carry it raw, a rate as a fraction
        rows.append({"key": key, "label": text, "value": value, "unit": unit})
    columns = (Column("key", "Key path (for --set)"), Column("label", "What it is"),
               Column("value", "Value"), Column("unit", "Unit"))  # fmt: skip
    return Headline(f"Settable numbers in {a.name}", columns, rows)
