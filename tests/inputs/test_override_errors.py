"""Errors of ``--set`` and of names that finish the job (issue 13): an unknown party is refused
with the nearest names, a broken profit split names the ``--set`` that broke it, and a changed
scenario loaded from Python is named as the command line names it."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

import finmodel
from finmodel.cli import main
from finmodel.exceptions import InputError
from finmodel.inputs.loader import load, load_with_origins
from tests.strategies import share_set_lists

SPLIT = "vehicles.us_led_fund.waterfall.profit_split"


def test_an_unknown_party_in_set_is_refused_with_the_nearest(capsys):
    # before: a new party 'rusia' was made silently and the file validated
    assert main(["validate", "base", "--set", "parties.rusia.name=X"]) == 2
    err = capsys.readouterr().err
    assert "unknown party 'rusia'" in err and "nearest: 'russia'" in err
    assert err.count("\n") == 1


def test_a_known_party_may_be_renamed():
    assert load("base", ["parties.russia.name=Bank of Russia"]).parties["russia"].name == (
        "Bank of Russia"
    )


def test_a_typo_in_a_party_discount_rate_suggests_the_party():
    with pytest.raises(InputError, match=r"'rusia' is not a party.*nearest: 'russia'"):
        load("base", ["party_discount_rates.rusia=0.1"])


def test_a_typo_in_the_baseline_suggests_the_reading():
    from finmodel.studies.compare import compare

    results = [finmodel.run(finmodel.load(s)) for s in ("status_quo", "literal")]
    with pytest.raises(InputError, match=r"'status_qou' is not among.*nearest: 'status_quo'"):
        compare(results, "status_qou")


@pytest.mark.parametrize(
    ("sets", "blamed"),
    [
        # base is us 0.5 + ukraine 0.5: the return rate has nothing to do with the split
        (["vehicles.us_led_fund.return.rate=0.05", f"{SPLIT}.us=0.9"], f"{SPLIT}.us=0.9"),
        # us=0.5 leaves the sum at 1; ukraine=0.9 makes it 1.4
        ([f"{SPLIT}.us=0.5", f"{SPLIT}.ukraine=0.9"], f"{SPLIT}.ukraine=0.9"),
        # us=0.9 makes it 1.4; ukraine=0.5 leaves it so
        ([f"{SPLIT}.us=0.9", f"{SPLIT}.ukraine=0.5"], f"{SPLIT}.us=0.9"),
    ],
)
def test_a_broken_profit_split_names_the_set_that_broke_it(sets, blamed):
    with pytest.raises(InputError, match="shares must sum to 1") as e:
        load("base", sets)
    assert e.value.file == f"--set {blamed}"


@settings(max_examples=40, deadline=None)
@given(share_set_lists())
def test_the_blamed_set_is_the_last_that_took_the_sum_off_one(sets):
    # a plain replay, apart from the loader: the shares after each set, and the last set at
    # which their sum went from 1 to something else
    shares, blamed = {"us": 0.5, "ukraine": 0.5}, None
    for party, value in sets:
        was_one = math.isclose(sum(shares.values()), 1.0, abs_tol=1e-9)
        shares[party] = value
        if was_one and not math.isclose(sum(shares.values()), 1.0, abs_tol=1e-9):
            blamed = f"{SPLIT}.{party}={value}"
    texts = [f"{SPLIT}.{party}={value}" for party, value in sets]
    if blamed is None or math.isclose(sum(shares.values()), 1.0, abs_tol=1e-9):
        assert load("base", texts).vehicles["us_led_fund"].waterfall.profit_split == shares
        return
    with pytest.raises(InputError, match="shares must sum to 1") as e:
        load("base", texts)
    assert e.value.file == f"--set {blamed}"


def test_load_names_a_changed_scenario_as_the_command_line_does(tmp_path):
    # the name worked out by hand from the rule: file name, then +key=value, 'vehicles.' out
    expected = "base+us_led_fund.return.rate=0.03"
    assert load("base", {"vehicles.us_led_fund.return.rate": 0.03}).name == expected
    assert load("base", ["vehicles.us_led_fund.return.rate=0.03"]).name == expected
    assert main(["run", "--set", "vehicles.us_led_fund.return.rate=0.03",
                 "--out", str(tmp_path)]) == 0  # fmt: skip
    assert (tmp_path / f"{expected}.xlsx").exists()


def test_load_keeps_a_name_an_override_gives():
    assert load("base", ["discount_rate=0.05", "name=mine"]).name == "mine"
    assert load_with_origins("base", ["discount_rate=0.05"]).scenario == "base"
