"""Key paths, parties and result columns in words, with their units (issue 13, point 3)."""

from hypothesis import given, settings
from strategies import assumption_dicts, leaf_keys, validated

from finmodel.inputs.labels import Label, column_label, label, party_name, show
from finmodel.inputs.loader import load


def test_the_issue_s_examples():
    a = load("base")
    # the names are the assumption file's: vehicles.us_led_fund.name, parties.us.name
    assert label(a, "vehicles.us_led_fund.return.rate").full == (
        "US-led reconstruction fund: return rate, % a year"
    )
    assert label(a, "pool.allocation.0.amount_bn").full == (
        "Allocation to the US-led reconstruction fund, USD bn"
    )
    assert party_name(a, "us") == "United States"
    assert column_label(a, "us.received") == "United States: received, USD bn"


def test_units_follow_the_currency_of_the_node():
    a = load("base")
    # euroclear is held in EUR (pool.holdings.0.currency), the ZNPP price is EUR per MWh
    assert label(a, "pool.holdings.euroclear.amount_bn").unit == "EUR bn"
    assert label(a, "pool.holdings.0.amount_bn").unit == "EUR bn"
    assert label(a, "vehicles.znpp_output.stream.energy.price_per_mwh").unit == "EUR per MWh"
    assert label(a, "fx.GBP.rate").unit == "USD per GBP"
    assert label(a, "discount_rate") == Label("Discount rate", "% a year", "rate", "discount_rate")


def test_shown_values():
    rate = Label("r", "% a year", "rate", "k")
    # 0.08 is 8%; 1/3 of a share is 33.3%; 1234.5 bn with two decimals and a thousands comma
    assert show(rate, 0.08) == "8.0%"
    assert show(Label("s", "%", "share", "k"), 1 / 3) == "33.3%"
    assert show(Label("a", "USD bn", "amount", "k"), 1234.5) == "1,234.50"


@settings(max_examples=30, deadline=None)
@given(assumption_dicts())
def test_every_settable_key_has_words_naming_its_vehicle_and_a_unit_for_rates(d):
    a = validated(d)
    for key, _ in leaf_keys(a):
        lab = label(a, key)
        assert lab.text and lab.key == key
        parts = key.split(".")
        if parts[0] == "vehicles":
            # the vehicle's name from the file, never its id, leads the label
            assert lab.text.startswith(a.vehicles[parts[1]].name + ":")
        if parts[-1] in ("rate", "cash_rate") and parts[0] != "fx":
            assert lab.kind == "rate" and lab.unit == "% a year"
        if parts[-1] == "amount_bn":
            assert lab.kind == "amount" and lab.unit.endswith(" bn")


def test_a_tornado_range_has_the_unit_of_its_input():
    # the plant's price is in EUR (base.yaml: currency EUR), and so is its tornado range; the
    # Assumptions sheet showed "USD per MWh" for the range
    a = load("base")
    key = "vehicles.znpp_output.stream.energy.price_per_mwh"
    lab = label(a, f"tornado.{key}")
    assert lab.unit == "EUR per MWh" and lab.kind == label(a, key).kind
    assert lab.text == "Tornado range: " + label(a, key).text
