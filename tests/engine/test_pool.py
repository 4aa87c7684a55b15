"""The frozen-asset pool: holdings, carve-outs, remainder, currencies (docs/model.md, The
frozen-asset pool)."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from strategies import (
    BN,
    FX,
    assumption_dicts,
    fund,
    named_order,
    run,
    scenario,
    take,
    validated,
)

import finmodel
from finmodel.exceptions import InputError
from finmodel.inputs.compile import compile_batch

# Holdings for the worked examples, in USD at EUR 1.25:
#   a: EUR 60bn, europe = 75 USD bn;  b: USD 25bn, europe;  c: USD 40bn, other.  Total 140.
HOLDINGS = [
    {"id": "a", "region": "europe", "amount_bn": 60.0, "currency": "EUR"},
    {"id": "b", "region": "europe", "amount_bn": 25.0, "currency": "USD"},
    {"id": "c", "region": "other", "amount_bn": 40.0, "currency": "USD"},
]


def _pool_scenario(allocation):
    vehicles = {c["vehicle"]: fund() for c in allocation if c["vehicle"] != "stays_frozen"}
    return scenario(vehicles, holdings=HOLDINGS, allocation=allocation)


def _uses(r):
    """{vehicle: {holding: USD bn}} from the summary's pool table."""
    return [
        (u["use"], {h: x / BN for h, x in u["by_holding"].items()})
        for u in r.summary["pool"]["uses"]
    ]


def test_pro_rata_then_in_order_then_remainder():
    r = run(
        _pool_scenario(
            [
                {"vehicle": "f", "amount_bn": 50.0, "from": ["europe"], "method": "pro_rata"},
                {"vehicle": "g", "amount_bn": 20.0, "currency": "EUR", "from": ["europe"],
                 "method": "in_order"},
                {"vehicle": "h", "amount": "remainder", "from": ["europe", "other"]},
            ]
        )
    )  # fmt: skip
    uses = _uses(r)
    # f: 50 pro rata from a (75) and b (25): 50 * 75/100 = 37.5 and 50 * 25/100 = 12.5
    assert uses[0][0] == "f"
    assert uses[0][1] == pytest.approx({"a": 37.5, "b": 12.5}, rel=1e-12)
    # g: EUR 20bn = 25 USD bn, in holding order: a has 75 - 37.5 = 37.5 left, enough for 25
    assert uses[1][1] == pytest.approx({"a": 25.0}, rel=1e-12)
    # h: what is left: a 37.5 - 25 = 12.5, b 25 - 12.5 = 12.5, c 40
    assert uses[2][1] == pytest.approx({"a": 12.5, "b": 12.5, "c": 40.0}, rel=1e-12)
    # each vehicle receives its carve-out from Russia at period 0
    for vid, expected in (("f", 50.0), ("g", 25.0), ("h", 65.0)):
        c = r.outcome.schedules[vid].contribution[0]
        assert c[0] / BN == pytest.approx(expected, rel=1e-12)
        assert not c[1:].any()
    paid = r.flows.query("flow == 'contribution'").groupby("party")["amount_usd"].sum()
    assert paid.to_dict() == pytest.approx({"russia": -140.0 * BN}, rel=1e-12)
    # sources = uses = 75 + 25 + 40 = 140
    assert r.summary["pool"]["total"] / BN == pytest.approx(140.0, rel=1e-12)


def test_in_order_moves_to_the_next_holding_when_the_first_runs_out():
    r = run(
        _pool_scenario(
            [
                # 80 in order from europe: all of a (75), then 5 of b
                {"vehicle": "f", "amount_bn": 80.0, "from": ["europe"], "method": "in_order"},
                {"vehicle": "g", "amount": "remainder", "from": ["b"]},  # b's last 20
                {"vehicle": "stays_frozen", "amount": "remainder", "from": ["other"]},  # c: 40
            ]
        )
    )
    uses = _uses(r)
    assert uses[0][1] == pytest.approx({"a": 75.0, "b": 5.0}, rel=1e-12)
    assert uses[1][1] == pytest.approx({"b": 20.0}, rel=1e-12)
    assert uses[2] == ("stays_frozen", pytest.approx({"c": 40.0}, rel=1e-12))
    # the frozen 40 goes to no vehicle: Russia pays in 80 + 20 only
    assert r.summary["parties"]["russia"]["paid"] / BN == pytest.approx(100.0, rel=1e-12)
    assert r.summary["pool"]["total"] / BN == pytest.approx(140.0, rel=1e-12)


def test_in_order_draws_on_the_holdings_in_the_order_from_names_them():
    # from: [b, a], in order: b first (all its 25), then 50 - 25 = 25 of a (75). In the
    # holdings' file order it would have been 50 of a and nothing of b (issue 10, part 5).
    r = run(
        _pool_scenario(
            [
                {"vehicle": "f", "amount_bn": 50.0, "from": ["b", "a"], "method": "in_order"},
                {"vehicle": "g", "amount": "remainder", "from": ["europe", "other"]},
            ]
        )
    )
    uses = _uses(r)
    assert uses[0][1] == pytest.approx({"a": 25.0, "b": 25.0}, rel=1e-12)
    # g: a's 75 - 25 = 50 and c's 40
    assert uses[1][1] == pytest.approx({"a": 50.0, "c": 40.0}, rel=1e-12)
    # a region and an id: [other, europe] takes c (40) first, then a (file order in europe)
    r = run(
        _pool_scenario(
            [
                {"vehicle": "f", "amount_bn": 60.0, "from": ["other", "europe"],
                 "method": "in_order"},
                {"vehicle": "g", "amount": "remainder", "from": ["europe", "other"]},
            ]
        )
    )  # fmt: skip
    assert _uses(r)[0][1] == pytest.approx({"c": 40.0, "a": 20.0}, rel=1e-12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(assumption_dicts())
def test_in_order_touches_a_holding_only_once_those_named_before_it_are_used_up(d):
    # A property independent of how the split is computed: for an in_order carve-out, if it
    # takes anything from a holding, every holding its `from` names earlier has nothing left.
    a = validated(d)
    b = compile_batch(a)
    holdings = d["pool"]["holdings"]
    left = b.pool.taken[0].sum(axis=0) + b.pool.left[0]  # what each holding starts with
    for c, carve in enumerate(d["pool"]["allocation"]):
        taken = b.pool.taken[0, c]
        after = left - taken
        if carve.get("method") == "in_order" and "amount_bn" in carve:
            named = set(carve["from"])
            order = [
                i
                for i in named_order(holdings, carve["from"])
                if {holdings[i]["id"], holdings[i]["region"]} & named
            ]
            for pos, i in enumerate(order):
                if taken[i] > 0.01:
                    assert all(after[j] < 0.01 for j in order[:pos]), (carve, taken, after)
        left = after


def test_a_holding_id_and_a_region_select_together_and_gbp_converts():
    # GBP 10bn at 1.5 = 15 USD bn, pro rata from c (40) and b (25): 15 * 40/65, 15 * 25/65
    r = run(
        _pool_scenario(
            [
                {"vehicle": "f", "amount_bn": 10.0, "currency": "GBP", "from": ["c", "b"],
                 "method": "pro_rata"},
                {"vehicle": "g", "amount": "remainder", "from": ["europe", "other"]},
            ]
        )
    )  # fmt: skip
    uses = _uses(r)
    assert uses[0][1] == pytest.approx({"b": 15 * 25 / 65, "c": 15 * 40 / 65}, rel=1e-12)
    assert r.outcome.schedules["f"].contribution[0, 0] / BN == pytest.approx(15.0, rel=1e-12)
    assert r.outcome.schedules["g"].contribution[0, 0] / BN == pytest.approx(125.0, rel=1e-12)


def test_the_base_case_pool_by_hand():
    # Base case: European holdings EUR 185 + 18 + 7 at 1.16, GBP 8 at 1.32, CHF 7.45 at 1.24;
    # 100 USD bn to the US-led fund pro rata, the rest of Europe released, Japan 30 + US 5.06
    # to the instrument.
    europe = (185 + 18 + 7) * 1.16 + 8 * 1.32 + 7.45 * 1.24
    r = finmodel.run(finmodel.load("base"))
    v = r.summary["vehicles"]
    assert v["us_led_fund"]["contributed"] / BN == pytest.approx(100.0, rel=1e-12)
    assert v["unfrozen_european_assets"]["contributed"] / BN == pytest.approx(
        europe - 100, rel=1e-12
    )
    assert v["us_russia_instrument"]["contributed"] / BN == pytest.approx(35.06, rel=1e-12)
    # pro rata: Euroclear gives 100 * (185 * 1.16) / europe of the 100
    fund_use = r.summary["pool"]["uses"][0]["by_holding"]
    assert fund_use["euroclear"] / BN == pytest.approx(100 * 185 * 1.16 / europe, rel=1e-12)
    assert r.summary["pool"]["total"] / BN == pytest.approx(europe + 35.06, rel=1e-12)


def _write(tmp_path, d):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(d, sort_keys=False))
    return path


def test_a_carve_out_larger_than_what_is_left_is_an_input_error(tmp_path):
    d = _pool_scenario(
        [
            {"vehicle": "f", "amount_bn": 90.0, "from": ["europe"], "method": "pro_rata"},
            {"vehicle": "g", "amount_bn": 20.0, "from": ["europe"], "method": "pro_rata"},
            {"vehicle": "h", "amount": "remainder", "from": ["europe", "other"]},
        ]
    )
    with pytest.raises(InputError) as e:
        finmodel.load(_write(tmp_path, d))
    # Europe holds 75 + 25 = 100; after 90 only 10 is left for the second carve-out's 20
    assert e.value.field == "pool.allocation.1.amount_bn"
    assert "only 10.000 bn USD is left" in e.value.message


def test_money_no_carve_out_takes_is_an_input_error(tmp_path):
    d = _pool_scenario([{"vehicle": "f", "amount": "remainder", "from": ["europe"]}])
    with pytest.raises(InputError) as e:
        finmodel.load(_write(tmp_path, d))
    assert "40.000 bn USD of the pool is not allocated" in e.value.message  # c's 40


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(assumption_dicts())
def test_carve_outs_match_an_independent_split_and_add_up_to_the_holdings(d):
    a = validated(d)
    b = compile_batch(a)
    fx = {"USD": 1.0, "EUR": d["fx"]["EUR"].get("rate") or d["fx"]["EUR"]["path"][0],
          "GBP": FX["GBP"]}  # fmt: skip
    holdings = [h["amount_bn"] * BN * fx[h["currency"]] for h in d["pool"]["holdings"]]
    left = list(holdings)
    for c, carve in enumerate(d["pool"]["allocation"]):
        select = [
            h["id"] in carve["from"] or h["region"] in carve["from"] for h in d["pool"]["holdings"]
        ]
        avail = [x if s else 0.0 for x, s in zip(left, select)]
        if "amount_bn" in carve:
            want = min(carve["amount_bn"] * BN * fx[carve.get("currency", "USD")], sum(avail))
            if carve.get("method", "pro_rata") == "pro_rata":
                taken = [x * want / sum(avail) if sum(avail) else 0.0 for x in avail]
            else:  # holding by holding, in the order its `from` names them
                order = named_order(d["pool"]["holdings"], carve["from"])
                taken = take(left, select, want, "in_order", order)
        else:
            taken = avail
        np.testing.assert_allclose(b.pool.taken[0, c], taken, rtol=1e-9, atol=1e-3)
        left = [x - t for x, t in zip(left, taken)]
    # every dollar of the pool goes to exactly one carve-out, to the cent
    assert abs(b.pool.taken.sum() - sum(holdings)) < 0.01
    assert abs(b.pool.left.sum()) < 0.01
