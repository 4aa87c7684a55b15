"""The tables of finmodel/inputs/reads.py against the code they describe.

A sweep compiles two keys apart only when no compiled input and no validation rule reads them
both, as the tables say; these tests check what the tables say. Every compiled input and every
cross-field check must be in them; and, on random scenarios with random values, an input that
the tables say a key does not touch keeps its value when the key moves, and two keys that no
rule joins are valid together exactly when each is valid alone.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import assumption_dicts, leaf_keys, leaf_values, validated

import finmodel
from finmodel.engine.batch import Batch, VehicleInputs, by_path
from finmodel.engine.pool import PoolSplit
from finmodel.exceptions import InputError
from finmodel.inputs.checks import CHECKS, problems
from finmodel.inputs.compile import compile_batch
from finmodel.inputs.keys import Key, key, touched, touches
from finmodel.inputs.reads import (
    BATCH_FIELD_READS,
    DESCRIBED_CHECKS,
    VEHICLE_FIELD_READS,
    field_reads,
    rule_reads,
)
from finmodel.studies.variation import Design

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SHIPPED = ("base", "status_quo", "literal", "geneva_19_point", "znpp_energy_split")


def test_every_compiled_input_says_what_it_reads():
    vehicle = {f.name for f in dataclasses.fields(VehicleInputs)}
    assert vehicle == set(VEHICLE_FIELD_READS), vehicle ^ set(VEHICLE_FIELD_READS)
    top = {f.name for f in dataclasses.fields(Batch)} - {"names", "vehicles"} | {"vehicle_ids"}
    assert top == set(BATCH_FIELD_READS), top ^ set(BATCH_FIELD_READS)
    assert {f.name for f in dataclasses.fields(PoolSplit)} == {"taken", "left", "shortfall"}


def test_every_cross_field_check_is_described():
    # problems() runs every check of CHECKS and nothing else; each must say what it reads in
    # finmodel/inputs/reads.py, by the same name
    assert problems.__code__.co_names.count("CHECKS") == 1
    assert set(CHECKS) == DESCRIBED_CHECKS, set(CHECKS) ^ DESCRIBED_CHECKS


def test_touches_reads_within_and_above_and_presence():
    k = Key("vehicles.f.return.rate", ("vehicles", "f", "return", "rate"), None)
    assert touches(k, ("vehicles", "f", "return"))  # within what the pattern reads
    assert touches(k, ("vehicles", "*", "return", "rate", "x"))  # the key replaces it
    assert not touches(k, ("vehicles", "g", "return"))
    assert not touches(k, ("vehicles", "f", "return", "?"))  # set before and after
    made = Key("vehicles.f.fee.rate", ("vehicles", "f", "fee", "rate"), ("vehicles", "f", "fee"))
    assert touches(made, ("vehicles", "f", "fee", "?"))  # the key makes the fee
    assert not touches(made, ("vehicles", "f", "payout", "?"))
    section = Key("vehicles.f", ("vehicles", "f"), None)
    assert touches(section, ("vehicles", "f", "fee", "?"))  # replaced whole


@functools.cache
def _shipped(name: str) -> finmodel.Assumptions:
    return finmodel.load(name)


@st.composite
def scenarios(draw: st.DrawFn) -> finmodel.Assumptions:
    if draw(st.booleans()):
        return _shipped(draw(st.sampled_from(SHIPPED)))
    return validated(draw(assumption_dicts(max_vehicles=3, max_years=10)))


def _moved(a: finmodel.Assumptions, point: dict) -> finmodel.Assumptions | None:
    try:
        return finmodel.with_overrides(a, point)
    except InputError:
        return None


def _same(x, y) -> bool:
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        return (
            isinstance(x, np.ndarray)
            and isinstance(y, np.ndarray)
            and x.shape == y.shape
            and np.array_equal(x, y)
        )
    return x == y


@PROPERTY
@given(st.data())
def test_an_input_a_key_does_not_touch_keeps_its_value(data):
    a = data.draw(scenarios())
    name, value = data.draw(st.sampled_from(leaf_keys(a)))
    new = data.draw(leaf_values(name, value, a))
    moved = _moved(a, {name: new})
    assume(moved is not None)
    base, after = by_path(compile_batch(a)), by_path(compile_batch(moved))
    k = key(a, name)
    for path, pats in field_reads(a, list(base)).items():
        if not touched(k, pats):
            assert path in after and _same(base[path], after[path]), (name, new, path)


@PROPERTY
@given(st.data())
def test_keys_no_rule_joins_are_valid_together_when_each_is_valid_alone(data):
    a = data.draw(scenarios())
    leaves = leaf_keys(a)
    (n1, v1), (n2, v2) = data.draw(
        st.lists(st.sampled_from(leaves), min_size=2, max_size=2, unique_by=lambda x: x[0])
    )
    k1, k2 = key(a, n1), key(a, n2)
    rules = rule_reads(a) + [(k.creates,) for k in (k1, k2) if k.creates is not None]
    assume(not any(touched(k1, r) and touched(k2, r) for r in rules))
    x1, x2 = data.draw(leaf_values(n1, v1, a)), data.draw(leaf_values(n2, v2, a))
    alone = _moved(a, {n1: x1}) is not None and _moved(a, {n2: x2}) is not None
    assert (_moved(a, {n1: x1, n2: x2}) is not None) == alone, (n1, x1, n2, x2)


@PROPERTY
@given(st.data())
def test_a_vehicle_compiled_alone_is_what_the_single_run_compiles(data):
    # the quick path of a sweep (one vehicle's model validated and compiled in the base's
    # context) against with_overrides and compile_batch, on keys of one vehicle
    a = data.draw(scenarios())
    vid = data.draw(st.sampled_from(list(a.vehicles)))
    leaves = [x for x in leaf_keys(a) if x[0].startswith(f"vehicles.{vid}.")]
    assume(leaves)
    name, value = data.draw(st.sampled_from(leaves))
    values = data.draw(st.lists(leaf_values(name, value, a), min_size=1, max_size=3, unique=True))
    d = Design.grid(a, {name: values})
    (g,) = d.groups
    assume(g.alone is not None)
    for j, v in enumerate(values):
        moved = _moved(a, {name: v})
        quick = d._in_vehicle(g, [(0, v)])
        assert (quick is None) == (moved is None), (name, v)
        if moved is None:
            continue
        full = by_path(compile_batch(moved))
        for f, x in zip(g.fields, quick):
            assert _same(x, full[f]), (name, v, f)
        assert d._combo(g, j, {}).message == ""


def _rich() -> finmodel.Assumptions:
    """A small scenario with every kind and most settings: a fund with contributions, a fee and
    a hurdle; a pool-funded fund; a release; a grant; an energy stream split as energy with a
    payer; a loan on a schedule and one serviced from the grant."""
    from strategies import fund, scenario

    contributions = [{"party": "europe", "amount_bn": 10, "currency": "EUR", "years": 2,
                      "start_year": 1}]  # fmt: skip
    waterfall = {"basis": "capital_first", "profit_split": {"us": 0.5, "ukraine": 0.5},
                 "hurdle": {"rate": 0.05, "to": "us"}}  # fmt: skip
    d = scenario(
        {
            "f": fund(capital={"contributions": contributions}, term_years=6,
                      deployment={"years": 2}, fee={"rate": 0.01, "to": "manager"},
                      waterfall=waterfall, **{"return": {"rate": 0.06}}),
            "p": fund(term_years=4, payout=0.5, deployment={"years": 1}),
            "r": {"name": "r", "kind": "release", "capital": {"from": "pool"},
                  "release": {"years": 3}, "cash_rate": 0.02,
                  "waterfall": {"capital_to": "russia", "profit_split": {"russia": 1.0}}},
            "g": {"name": "g", "kind": "grant", "capital": {"contributions": [
                      {"party": "europe", "amount_bn": 5, "years": 3}]},
                  "waterfall": {"capital_to": "ukraine", "profit_split": {"ukraine": 1.0}}},
            "s": {"name": "s", "kind": "stream", "stream": {
                      "energy": {"capacity_gw": 1.0, "capacity_factor": 0.5,
                                 "price_per_mwh": 50.0, "currency": "EUR", "split_as": "energy",
                                 "price_per_mwh_by_party": {"russia": 30.0}},
                      "start_year": 1, "ramp_years": 1.0, "payer": "europe"},
                  "waterfall": {"profit_split": {"russia": 0.5, "ukraine": 0.5}}},
            "l": {"name": "l", "kind": "loan", "capital": {"contributions": [
                      {"party": "europe", "amount_bn": 3, "years": 1},
                      {"party": "us", "amount_bn": 2, "before_start": True}]},
                  "loan": {"borrower": "ukraine", "rate": 0.04,
                           "repayment": {"grace_years": 1, "years": 3}}},
            "m": {"name": "m", "kind": "loan", "capital": {"contributions": [
                      {"party": "us", "amount_bn": 1}]},
                  "loan": {"borrower": "ukraine", "rate": 0.03, "serviced_from": "g"}},
        },
        years=6,
        allocation=[
            {"vehicle": "p", "amount_bn": 40, "from": ["europe"]},
            {"vehicle": "r", "amount": "remainder", "from": ["europe", "other"]},
        ],
    )
    return validated(d)


def test_two_keys_no_rule_joins_are_valid_together_when_each_is_alone_everywhere():
    """Every pair of keys of one vehicle (or with the timeline's length), over values that
    put each near the others' values: those no rule joins must be valid together exactly
    when each is valid alone."""
    a = _rich()
    leaves = dict(leaf_keys(a))
    rules = rule_reads(a)
    words = {"to": ["us", "nobody"], "party": ["us", "nobody"], "borrower": ["us", "nobody"],
             "kind": ["fund", "loan", "stream"], "basis": ["income_split", "nav"],
             "currency": ["GBP", "JPY"], "payer": ["us"], "split_as": ["revenue"],
             "from": ["pool"], "method": ["in_order"], "region": ["other"]}  # fmt: skip
    checked = broken = 0
    valid: dict = {}

    def ok(point: dict) -> bool:
        frozen = tuple(sorted(point.items(), key=str))
        if frozen not in valid:
            valid[frozen] = _moved(a, point) is not None
        return valid[frozen]

    for vid in a.vehicles:
        names = [n for n in leaves if n.startswith(f"vehicles.{vid}.")] + ["timeline.years"]
        ints = sorted({v for n in names if type(v := leaves[n]) is int} | {0, 1})
        for i, n1 in enumerate(names):
            for n2 in names[i + 1 :]:
                k1, k2 = key(a, n1), key(a, n2)
                pair = [(k.creates,) for k in (k1, k2) if k.creates is not None]
                if any(touched(k1, r) and touched(k2, r) for r in rules + pair):
                    continue
                for x1 in _values(n1, leaves[n1], ints, words):
                    for x2 in _values(n2, leaves[n2], ints, words):
                        alone = ok({n1: x1}) and ok({n2: x2})
                        together = ok({n1: x1, n2: x2})
                        assert together == alone, (n1, x1, n2, x2)
                        checked += 1
                        broken += not alone
    assert checked > 1000 and broken > 100  # the values do reach the rules


def _values(name: str, value, ints: list[int], words: dict) -> list:
    if isinstance(value, bool):
        return [True, False]
    if isinstance(value, int):
        return ints
    if isinstance(value, float):
        return [0.0, value * 2 + 0.1, 1.5, -0.5]
    return [value, *words.get(name.rsplit(".", 1)[-1], [])]


def test_the_models_validators_are_found_where_they_sit():
    from finmodel.inputs.reads import model_reads

    found = model_reads(_shipped("base"))
    f = ("vehicles", "us_led_fund")
    assert ((*f, "return"),) in found  # Return: a rate or a path
    assert ((*f, "capital"),) in found  # Capital: the pool or contributions
    assert ((*f, "waterfall", "profit_split"),) in found  # plain values, read whole
    assert (("vehicles", "znpp_output", "stream"),) in found
    assert (("fx", "EUR"),) in found
    assert (("pool", "allocation", 0),) in found
    assert not any(rule == (f,) for rule in found)  # a vehicle has no validator of its own
