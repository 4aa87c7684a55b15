"""The Python API: assumptions exist only validated, and stay so; bad arguments are bad input.

An ``Assumptions`` was frozen at its top only: ``a.vehicles.pop("us_led_fund")`` went through
and ``finmodel.run(a)`` then reported Russia's net as 101.0bn instead of 1.0bn with every check
passing; ``model_copy(update=...)`` took a NaN or a discount rate of -500% without a word.
Now every container in it is a tuple or a read-only dict, every copy is validated, checks
across fields included, and what validate accepts every later use can handle: numbers are
finite, texts hold no control characters, dates keep the timeline inside the calendar.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import pickle
import unicodedata
from enum import Enum
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from strategies import assumption_dicts

import finmodel
from finmodel import limits
from finmodel.engine.timeline import Timeline
from finmodel.exceptions import InputError
from finmodel.inputs.models.base import ReadOnlyDict
from finmodel.inputs.models.scenario import Assumptions
from finmodel.kinds import Frequency

BASE = Path(__file__).resolve().parents[1] / "assumptions" / "base.yaml"
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def base() -> Assumptions:
    return finmodel.load(BASE)


def one_line(e: BaseException) -> str:
    """The message, asserted to be one line a terminal shows as it is: no control or format
    character, no line separator, no lone surrogate."""
    text = str(e)
    bad = {"Cc", "Cf", "Cs", "Zl", "Zp"}
    assert not any(unicodedata.category(c) in bad for c in text), repr(text)
    return text


#: Invisible characters that change how a text reads, by name (Unicode's own): written out here
#: apart from the package's table, so that the two are checked against each other.
HIDDEN = {
    "ZERO WIDTH SPACE", "LINE SEPARATOR", "PARAGRAPH SEPARATOR", "LEFT-TO-RIGHT EMBEDDING",
    "RIGHT-TO-LEFT EMBEDDING", "POP DIRECTIONAL FORMATTING", "LEFT-TO-RIGHT OVERRIDE",
    "RIGHT-TO-LEFT OVERRIDE", "WORD JOINER", "FUNCTION APPLICATION", "INVISIBLE TIMES",
    "INVISIBLE SEPARATOR", "INVISIBLE PLUS", "LEFT-TO-RIGHT ISOLATE", "RIGHT-TO-LEFT ISOLATE",
    "FIRST STRONG ISOLATE", "POP DIRECTIONAL ISOLATE", "ZERO WIDTH NO-BREAK SPACE",
}  # fmt: skip


def fit_for_text(c: str) -> bool:
    """What a text field may hold, by Unicode category: no control character but tab and line
    feed, no lone surrogate, not the two noncharacters XML refuses, and none of the invisible
    characters that make a text read as another (bidirectional overrides and the like)."""
    return (
        (unicodedata.category(c) not in ("Cc", "Cs") or c in "\t\n")
        and c not in "\ufffe\uffff"
        and unicodedata.name(c, "") not in HIDDEN
    )


# --- immutable all the way down ------------------------------------------------------------------


def containers(x: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every value reachable from ``x`` (fields of models, items of tuples and dicts)."""
    found = [(path, x)]
    if isinstance(x, BaseModel):
        for name in type(x).model_fields:
            found += containers(getattr(x, name), f"{path}.{name}")
    elif isinstance(x, dict):
        for k, v in x.items():
            found += containers(v, f"{path}.{k}")
    elif isinstance(x, (tuple, list)):
        for i, v in enumerate(x):
            found += containers(v, f"{path}.{i}")
    return found


IMMUTABLE = (BaseModel, ReadOnlyDict, tuple, str, int, float, bool, dt.date, Enum, type(None))


@SLOW
@given(d=assumption_dicts())
def test_every_value_in_assumptions_is_immutable(d):
    a = Assumptions.model_validate(d)
    for path, x in containers(a):
        assert isinstance(x, IMMUTABLE), (path, type(x))
        if isinstance(x, ReadOnlyDict):
            with pytest.raises(TypeError):
                x["added"] = 1
            for change in (x.clear, x.popitem, lambda x=x: x.update(a=1)):
                with pytest.raises(TypeError):
                    change()
        if isinstance(x, BaseModel) and type(x).model_fields:
            name = next(iter(type(x).model_fields))
            with pytest.raises(ValidationError, match="frozen"):
                setattr(x, name, getattr(x, name))


def test_the_issue_example_is_refused_and_changes_nothing(base):
    # a.vehicles.pop("us_led_fund") used to succeed; the run then counted the pool's 100bn
    # for the fund as Russia's again (net 1.0bn -> 101.0bn) with every check passing
    before = finmodel.run(base).summary["parties"]["russia"]["net"]
    with pytest.raises(TypeError, match="cannot be changed in place"):
        base.vehicles.pop("us_led_fund")
    with pytest.raises(TypeError):
        del base.parties["us"]
    with pytest.raises(AttributeError):  # a tuple has no append
        base.pool.holdings.append(base.pool.holdings[0])  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        base.vehicles["us_led_fund"].waterfall.profit_split["us"] = 1.0
    assert "us_led_fund" in base.vehicles
    assert finmodel.run(base).summary["parties"]["russia"]["net"] == before


def test_copies_and_pickles_are_equal_and_still_immutable(base):
    for twin in (copy.copy(base), copy.deepcopy(base), pickle.loads(pickle.dumps(base))):
        assert twin == base
        assert isinstance(twin.vehicles, ReadOnlyDict)
        with pytest.raises(TypeError):
            twin.vehicles.pop("us_led_fund")


# --- model_copy validates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("update", "says"),
    [
        ({"discount_rate": float("nan")}, "finite"),
        ({"discount_rate": float("inf")}, "finite"),
        ({"discount_rate": -5}, "greater than -1"),
        ({"vehicles": {}}, "at least 1 item"),
        ({"parties": {"us": {"name": "US"}}}, "not declared"),  # shares name parties dropped
        ({"description": "\x1b[31m"}, "control character"),
    ],
)
def test_model_copy_validates_the_copy(base, update, says):
    with pytest.raises(InputError, match=says) as refused:
        base.model_copy(update=update)
    assert one_line(refused.value).startswith("model_copy: ")


def test_model_copy_of_a_part_validates_it(base):
    fund = base.vehicles["us_led_fund"]
    with pytest.raises(InputError, match="payout: Input should be less than or equal to 1"):
        fund.model_copy(update={"payout": 2})
    assert fund.model_copy(update={"payout": 0.25}).payout == 0.25
    assert fund.model_copy() is fund  # nothing to change: the object itself


@SLOW
@given(rate=st.floats(-0.99, 1.0))
def test_a_valid_model_copy_equals_with_overrides(base, rate):
    copied = base.model_copy(update={"discount_rate": rate})
    overridden = finmodel.with_overrides(base, {"discount_rate": rate})
    assert copied == overridden
    assert copied.vehicles == base.vehicles


def number_paths(data: Any, path: tuple = ()) -> list[str]:
    """Dotted key paths of every number in a model's dump (not booleans)."""
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in number_paths(v, (*path, k))]
    if isinstance(data, (list, tuple)):
        return [p for i, v in enumerate(data) for p in number_paths(v, (*path, i))]
    if isinstance(data, (int, float)) and not isinstance(data, bool):
        return [".".join(map(str, path))]
    return []


@pytest.fixture(scope="module")
def numbers(base) -> list[str]:
    paths = number_paths(base.model_dump(by_alias=True, exclude={"sources", "tornado"}))
    assert len(paths) > 40  # rates, amounts, shares, years, prices, fx...
    return paths


@SLOW
@given(data=st.data(), bad=st.sampled_from([math.inf, -math.inf, math.nan]))
def test_no_number_may_be_infinite_or_nan(base, numbers, data, bad):
    # every number a later step computes with is finite: .inf and .nan are refused anywhere
    key = data.draw(st.sampled_from(numbers))
    with pytest.raises(InputError) as refused:
        finmodel.with_overrides(base, {key: bad})
    assert one_line(refused.value)


# --- text a report can write and a terminal can show --------------------------------------------

TEXTS = [
    "description",
    "parties.us.name",
    "vehicles.us_led_fund.name",
    "vehicles.us_led_fund.description",
    "vehicles.us_led_fund.plan_point",
    "pool.holdings.0.name",
    "fx.EUR.source.title",
    "fx.EUR.source.note",
    "needs.0.name",
]


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from(TEXTS), text=st.text(st.characters(codec=None), min_size=1, max_size=12))
def test_any_text_is_refused_or_fit_for_the_workbook_and_the_terminal(base, key, text):
    # random characters, controls and lone surrogates included, in any text field: either
    # an InputError of one printable line, or text that UTF-8 and the workbook can hold
    try:
        a = finmodel.with_overrides(base, {key: text})
    except InputError as e:
        one_line(e)
        assert not all(fit_for_text(c) for c in text)
        return
    assert all(fit_for_text(c) for c in text)
    assert isinstance(a, Assumptions)
    text.encode("utf-8")
    openpyxl.Workbook().active["A1"] = text  # raises IllegalCharacterError on a control


def test_a_control_character_in_a_description_is_refused_by_validate_and_run(tmp_path, capsys):
    from finmodel.cli import main

    bad = tmp_path / "bad.yaml"
    bad.write_text(f'extends: {BASE}\ndescription: "\\a\\x01\\x1b[31m"\n', encoding="utf-8")
    for argv in (["validate", str(bad)], ["run", str(bad), "--out", str(tmp_path / "out")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "\x1b" not in err and "\x07" not in err
        assert r"holds '\x07', a control character" in err
    assert not (tmp_path / "out").exists()


# --- dates keep the timeline inside the calendar -------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(
    start=st.dates(limits.FIRST_START, limits.LAST_START),
    years=st.integers(1, limits.MAX_YEARS),
    frequency=st.sampled_from(list(Frequency)),
)
def test_every_accepted_timeline_has_its_dates(start, years, frequency):
    # 9999-01-01 was accepted and then failed: "year 10000 is out of range"
    dates = Timeline(start, years, frequency).dates()
    assert len(dates) == years * frequency.periods_per_year + 1
    assert dates[-1].year == start.year + years


@pytest.mark.parametrize("start", [dt.date(1899, 12, 31), dt.date(2201, 1, 1), dt.date(9999, 1, 1)])
def test_a_start_outside_the_calendar_range_is_refused(base, start):
    with pytest.raises(InputError, match=r"timeline\.start"):
        finmodel.with_overrides(base, {"timeline.start": start})


# --- counts --------------------------------------------------------------------------------------


def grants(n: int) -> dict:
    return {
        f"g{i}": {
            "name": "g",
            "kind": "grant",
            "capital": {"contributions": [{"party": "europe", "amount_bn": 1}]},
            "waterfall": {"profit_split": {"ukraine": 1}},
        }
        for i in range(n)
    }


def test_vehicle_periods_exactly_at_the_limit_are_accepted(base):
    # quarterly for 31 years: 124 periods and period 0, 125 columns; 800 vehicles make
    # 100,000 columns of schedules, the limit; one vehicle more is refused
    timeline = {"timeline.years": 31, "timeline.frequency": "quarterly"}
    more = 800 - len(base.vehicles)
    a = finmodel.with_overrides(base, {**timeline, "vehicles": {**base.vehicles, **grants(more)}})
    assert len(a.vehicles) * 125 == limits.MAX_VEHICLE_PERIODS
    with pytest.raises(InputError, match="100,125 columns of schedules"):
        finmodel.with_overrides(a, {"vehicles.one_more": grants(1)["g0"]})


# --- arguments of the wrong type are bad input ---------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ((None,), "got NoneType None"),
        ((123,), "got int 123"),
        ((b"base",), "got bytes"),
        (("",), "got str ''"),
        (("base", {1: 2}), "key must be a dotted key path (str), got int 1"),
        (("base", [1]), "must be a 'KEY=VALUE' string, got int 1"),
        (("base", "discount_rate=0.1"), "or a list of 'KEY=VALUE' strings, got str"),
        (("base", 0.1), "got float 0.1"),
        (("a\x00b",), "cannot be read"),
        (("x" * 5000,), "cannot be read"),
    ],
)
def test_load_refuses_arguments_of_the_wrong_type(args, says):
    with pytest.raises(InputError) as refused:
        finmodel.load(*args)
    assert says in one_line(refused.value)


def test_run_and_with_overrides_refuse_what_is_not_assumptions(base):
    for call in (
        lambda: finmodel.run({"name": "base"}),
        lambda: finmodel.with_overrides({"name": "base"}, {}),
        lambda: finmodel.with_overrides(base, ["discount_rate=0.1"]),
        lambda: finmodel.with_overrides(base, {("discount_rate",): 0.1}),
    ):
        with pytest.raises(InputError) as refused:
            call()
        one_line(refused.value)


def test_the_api_and_the_command_line_agree(base, tmp_path, capsys):
    # the same bad override: the same message, but for the CLI's prefix
    from finmodel.cli import main

    with pytest.raises(InputError) as refused:
        finmodel.load(BASE, ["discount_rate=abc"])
    assert main(["validate", str(BASE), "--set", "discount_rate=abc"]) == 2
    assert capsys.readouterr().err == f"finmodel: error: {refused.value}\n"


@pytest.mark.parametrize("c", ["\u202e", "\u2066", "\u2028", "\u200b", "\ufeff"])
def test_an_invisible_character_that_changes_how_a_name_reads_is_refused(base, c):
    # "United\u202eStates" would show in a workbook as "UnitedsetatS": one name looking like another
    with pytest.raises(InputError, match="an invisible character that changes how the text reads"):
        finmodel.with_overrides(base, {"parties.us.name": f"United{c}States"})


@pytest.mark.parametrize("c", ["\u200e", "\u200f", "\u200d", "\u200c"])
def test_marks_and_joiners_that_scripts_need_stay(base, c):
    assert finmodel.with_overrides(base, {"parties.us.name": f"United{c}States"}).parties[
        "us"
    ].name == f"United{c}States"


def test_a_text_holds_what_one_workbook_cell_holds_and_no_more(base):
    # Excel's cell holds 32,767 characters; a longer one is "repaired" by cutting it
    assert len(finmodel.with_overrides(base, {"description": "x" * 32_767}).description) == 32_767
    with pytest.raises(InputError, match="holds 32,768 characters; a text may hold at most 32,767"):
        finmodel.with_overrides(base, {"vehicles.us_led_fund.name": "x" * 32_768})
