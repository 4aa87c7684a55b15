"""The base case's own promises: every figure has a source, every reading is used and explained."""

from __future__ import annotations

from pathlib import Path

import pytest

import finmodel
from finmodel.assumptions import Assumptions

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "assumptions" / "base.yaml"


def _numeric_leaves(data, path=()):
    if isinstance(data, dict):
        for k, v in data.items():
            if k in ("source", "sources", "readings"):
                continue
            yield from _numeric_leaves(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _numeric_leaves(v, (*path, i))
    elif isinstance(data, (int, float)) and not isinstance(data, bool):
        yield path


def _has_inline_source(data, path) -> bool:
    node = data
    for p in path[:-1]:
        node = node[p]
        if isinstance(node, dict) and node.get("source"):
            return True
    return False


SHIPPED = [BASE, *sorted((ROOT / "assumptions" / "scenarios").glob("*.yaml"))]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_figure_in_a_shipped_scenario_has_a_source(path):
    a = finmodel.load(path)
    # exclude_defaults: figures the file does not state (a default 0 fee rate) are not figures
    data = a.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    missing = [
        ".".join(map(str, p))
        for p in _numeric_leaves(data)
        if ".".join(map(str, p)) not in a.sources and not _has_inline_source(data, p)
    ]
    assert missing == []


@pytest.mark.parametrize("field", ["title", "publisher", "date", "url"])
def test_every_source_is_complete(field):
    a = finmodel.load(BASE)
    sources = list(a.sources.values())
    sources += [f.source for f in a.fx.values()] + [h.source for h in a.pool.holdings]
    assert all(s is not None and getattr(s, field) for s in sources)


def test_every_reading_is_used_by_a_vehicle_and_has_a_reason():
    a = finmodel.load(BASE)
    used = {r for v in a.vehicles.values() for r in v.readings}
    assert used == set(a.readings)
    assert all(r.reason.strip() for r in a.readings.values())


def test_shipped_base_is_the_same_file():
    assert (ROOT / "finmodel" / "data" / "base.yaml").read_bytes() == BASE.read_bytes()


def test_base_pool_matches_the_published_figures():
    # EUR 210bn in the EU (Euroclear 185 + French banks 18 + Belgian banks 7), at 1.16
    # = USD 243.6bn; UK GBP 8bn at 1.32 = 10.56; Switzerland CHF 7.45bn at 1.24 = 9.238;
    # Japan 30 + US 5.06 = 35.06. Total 298.458bn: the "roughly $300bn" of the press.
    s = finmodel.run(finmodel.load(BASE)).summary
    assert s["pool"]["total"] == pytest.approx(298.458e9, abs=0.01)
    uses = {u["use"]: u["amount"] for u in s["pool"]["uses"]}
    assert uses["us_led_fund"] == pytest.approx(100e9, abs=0.01)
    assert uses["unfrozen_european_assets"] == pytest.approx(243.6e9 + 10.56e9 + 9.238e9 - 100e9)
    assert uses["us_russia_instrument"] == pytest.approx(35.06e9)


def test_schema_forbids_unknown_keys():
    schema = Assumptions.model_json_schema(by_alias=True)
    assert schema["additionalProperties"] is False
    assert {"timeline", "pool", "vehicles", "parties"} <= set(schema["properties"])
