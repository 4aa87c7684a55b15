"""The base case's own promises: every figure has a source, every reading is used and explained."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import finmodel
from finmodel.inputs.models.scenario import Assumptions
from finmodel.inputs.vehicle_checks import rates

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "assumptions" / "base.yaml"


def _numeric_leaves(data, path=()):
    if isinstance(data, dict):
        for k, v in data.items():
            if k in ("source", "sources", "readings", "tornado"):  # tornado: ranges, not figures
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


@pytest.mark.parametrize(
    ("vehicle", "setting", "value"),
    [
        ("european_fund", "cash_rate", 0.03),  # a grant holds no cash
        ("european_fund", "fee", {"rate": 0.01, "to": "us"}),
        ("unfrozen_european_assets", "term_years", 2),  # a release has no term
        ("unfrozen_european_assets", "payout", 1.0),
        ("us_led_fund", "release", {"years": 3}),  # a fund has no release schedule
    ],
)
def test_a_setting_the_vehicles_kind_ignores_is_an_error(vehicle, setting, value):
    with pytest.raises(finmodel.InputError) as e:
        finmodel.load(BASE, {f"vehicles.{vehicle}.{setting}": value})
    assert f"vehicles.{vehicle}.{setting}: a " in str(e.value)
    assert "does not use this setting" in str(e.value)


def test_exponent_numbers_are_numbers_in_files_and_overrides(tmp_path):
    # YAML 1.1 reads 5e-2 as a string; finmodel reads it as the number it looks like
    f = tmp_path / "s.yaml"
    f.write_text(f"name: s\nextends: {BASE}\ndiscount_rate: 5e-2\n")
    assert finmodel.load(f).discount_rate == 0.05
    assert finmodel.load(BASE, ["discount_rate=3E-2"]).discount_rate == 0.03


def test_a_tornado_range_of_whole_years_stays_whole(tmp_path):
    from finmodel.studies.tornado import tornado

    f = tmp_path / "t.yaml"
    f.write_text(
        f"name: t\nextends: {BASE}\ntornado:\n  vehicles.us_led_fund.term_years: [10, 30]\n"
    )
    t = tornado(finmodel.load(f))
    table = t.table
    row = table[(table["party"] == "us") & (table["key"] == "vehicles.us_led_fund.term_years")]
    row = row.iloc[0]
    assert (row["low"], row["high"]) == (10, 30)
    assert row["npv_low"] != row["npv_high"]


# --- rates above 1 (issue 10, part 6) ------------------------------------------------------------

_BASE = finmodel.load("base")
#: Every rate of the base case, by key path: the discount rate and each vehicle's return,
#: cash, fee, hurdle and loan rates.
_RATE_KEYS = [".".join(map(str, path)) for path, _ in rates(_BASE)]


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(_RATE_KEYS), st.integers(10_001, 99_999).map(lambda k: k / 10_000))
def test_a_rate_above_one_is_refused_with_the_decimal_it_probably_means(key, value):
    # whichever rate: refused, naming it, with value / 100 as the hint; accepted when the file
    # says it means it
    with pytest.raises(finmodel.InputError) as e:
        finmodel.with_overrides(_BASE, {key: value})
    assert e.value.field == key
    assert f"did you mean {value / 100:g}?" in e.value.message
    a = finmodel.with_overrides(_BASE, {key: value, "allow_high_rates": True})
    assert a.allow_high_rates


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(_RATE_KEYS), st.integers(0, 10_000).map(lambda k: k / 10_000))
def test_a_rate_of_at_most_one_is_accepted(key, value):
    if key.endswith("fee.rate") and value >= 1:  # a fee takes less than the whole value
        return
    assert finmodel.with_overrides(_BASE, {key: value})
