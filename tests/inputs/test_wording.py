"""Overrides in words, the names of changed runs' reports, and the suggestions of errors."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import override_lists

import finmodel
from finmodel.exceptions import MORE_PROBLEMS, InputError, also
from finmodel.inputs.names import name_problem
from finmodel.inputs.wording import NAME_LIMIT, change, changed_name, label, settable, value_text

BASE = finmodel.load("base")
#: The scenario name's pattern, as docs/limits.md states it.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.=+-]*$"


def test_an_override_in_words_names_the_vehicle_the_value_and_the_base():
    # base.yaml: us_led_fund is "US-led reconstruction fund", return.rate 0.08 -> 8.0%
    words = change(BASE, "vehicles.us_led_fund.return.rate", 0.03, 0.08, "base")
    assert words == "US-led reconstruction fund: return rate 3.0% (base 8.0%)"


@pytest.mark.parametrize(
    ("key", "unit"),
    [
        ("pool.holdings.euroclear.amount_bn", "EUR bn"),  # its currency: EUR
        ("pool.holdings.japan.amount_bn", "USD bn"),
        ("vehicles.znpp_output.stream.energy.price_per_mwh", "EUR per MWh"),
        ("vehicles.world_bank_package.loan.repayment.grace_years", "years"),
        ("discount_rate", "%"),
        ("fx.GBP.rate", "USD per GBP"),
    ],
)
def test_units_follow_the_key_and_the_currency_beside_it(key, unit):
    assert label(BASE, key)[1] == unit


def test_values_show_in_their_unit():
    assert value_text(0.035, "%") == "3.5%"
    assert value_text(185, "EUR bn") == "185.0 EUR bn"
    assert value_text(1.16, "USD per EUR") == "1.16 USD per EUR"


def test_every_settable_number_is_a_key_a_set_accepts():
    # setting each number to its own value changes nothing: the key path is one --set takes
    for key, value in list(settable(BASE))[:12]:
        assert finmodel.with_overrides(BASE, {key: value}).model_dump() == BASE.model_dump()


def test_changed_name_reads_as_the_overrides():
    assert changed_name("base", [("vehicles.us_led_fund.return.rate", 0.03)]) == (
        "base+us_led_fund.return.rate=0.03"
    )


@settings(max_examples=200, deadline=None)
@given(override_lists(BASE))
def test_a_changed_name_is_a_name_the_model_takes_and_never_the_base(sets):
    name = changed_name("base", sets)
    assert name != "base" and name.startswith("base+")
    assert len(name) <= NAME_LIMIT and re.match(NAME_PATTERN, name)
    if name_problem(name) is None:
        assert finmodel.with_overrides(BASE, {"name": name}).name == name


@settings(max_examples=100, deadline=None)
@given(override_lists(BASE, max_size=20), override_lists(BASE, max_size=20))
def test_two_long_override_lists_get_different_names(a, b):
    # past the limit the name ends in a digest of the whole: different lists, different names
    text_a, text_b = (("base" + "".join(f"+{k}={v!r}" for k, v in s)) for s in (a, b))
    long_ = len(changed_name("base", a)) == NAME_LIMIT == len(changed_name("base", b))
    if long_ and text_a != text_b:
        assert changed_name("base", a) != changed_name("base", b)


@settings(max_examples=100)
@given(st.lists(st.text("abc: ", min_size=1, max_size=30), max_size=12))
def test_an_error_lists_its_other_problems_up_to_the_cap(others):
    tail = also(others)
    if not others:
        assert tail == ""
        return
    assert f"and {len(others)} more problem" in tail
    listed = min(len(others), MORE_PROBLEMS)
    assert tail.count("; ") >= listed - 1
    for o in others[:listed]:
        assert o in tail
    assert "\n" not in tail


def test_a_file_with_three_problems_names_all_three():
    with pytest.raises(InputError) as e:
        finmodel.load(
            "base", ["timeline.years=0", "discount_rate=-5", "vehicles.us_led_fund.payout=7"]
        )
    text = str(e.value)
    for field in ("timeline.years", "discount_rate", "vehicles.us_led_fund.payout"):
        assert field in text
    assert "and 2 more problems" in text


@pytest.mark.parametrize(
    ("setting", "suggested"),
    [
        ("vehicles.us_fund.return.rate=0.03", "unknown vehicle 'us_fund'"),
        ("vehicles.us_fund.return.rate=0.03", "nearest: 'us_led_fund'"),
        ("pool.holdings.eurocler.amount_bn=3", "nearest: 'euroclear'"),
        ("discount_rat=0.03", "nearest: 'discount_rate'"),
        ("vehicles.us_led_fund.return.rat=0.03", "'vehicles.us_led_fund.return.rate'"),
        ("vehicles.us_led_fund.waterfall.capital_to=ukrain", "nearest: 'ukraine'"),
    ],
)
def test_an_unknown_name_in_a_set_is_called_unknown_with_the_nearest(setting, suggested):
    with pytest.raises(InputError) as e:
        finmodel.load("base", [setting])
    assert suggested in str(e.value)
    assert "is required but missing" not in str(e.value)


def test_an_unknown_reading_suggests_the_nearest_shipped_one():
    with pytest.raises(InputError, match="nearest: literal"):
        finmodel.load("literall")


@st.composite
def vehicle_typos(draw: st.DrawFn) -> tuple[str, str]:
    """A shipped vehicle id and a one-character slip of it that names no vehicle."""
    vid = draw(st.sampled_from(sorted(BASE.vehicles)))
    i = draw(st.integers(0, len(vid) - 1))
    slip = draw(st.sampled_from(["drop", "double", "swap"]))
    typo = {"drop": vid[:i] + vid[i + 1 :], "double": vid[:i] + vid[i] + vid[i:],
            "swap": vid[:i] + vid[i + 1 : i + 2] + vid[i] + vid[i + 2 :]}[slip]  # fmt: skip
    assume(typo not in BASE.vehicles and typo)
    return vid, typo


@settings(max_examples=60, deadline=None)
@given(vehicle_typos())
def test_a_slip_in_a_vehicle_id_is_unknown_and_the_right_one_is_suggested(pair):
    vid, typo = pair
    with pytest.raises(InputError) as e:
        finmodel.load("base", [f"vehicles.{typo}.payout=0.4"])
    text = str(e.value)
    assert f"unknown vehicle '{typo}'" in text
    assert f"'{vid}'" in text.split("nearest:")[1]  # one slip away: among the nearest
