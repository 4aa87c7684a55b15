"""Bad input through the real command line: exit 2, one clear message, nothing written.

Every bad file is the shipped base case with one line changed, or a small override file that
``extends:`` the base. Each case says which file and line the message must name (computed from
the text written here, never from the program's output) and which key path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
import yaml

from finmodel import limits
from finmodel.cli import main

REPO = Path(__file__).resolve().parents[1]
BASE = REPO / "assumptions" / "base.yaml"
BASE_TEXT = BASE.read_text(encoding="utf-8")


# --- helpers ------------------------------------------------------------------------------------


def edit(old: str, new: str, text: str = BASE_TEXT) -> str:
    """``text`` with the first ``old`` replaced by ``new`` (which must be there)."""
    assert old in text, f"the base case no longer contains {old!r}"
    return text.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    """1-based line of the first occurrence of ``needle`` in ``text``."""
    return text.count("\n", 0, text.index(needle)) + 1


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@dataclass
class Bad:
    """A bad input and what the one-line message must say about it."""

    args: list[str]  # after the command: scenario file and/or --set options
    file: str  # how the message names the culprit: "bad.yaml" or "--set KEY=VALUE"
    line: int | tuple[int, ...] | None  # expected line (or acceptable lines); None: not asserted
    field: str | None  # dotted key path the message must name
    says: tuple[str, ...] = ()  # further text the message must contain
    command: str = "run"
    must_not_exist: Path | None = None  # a file the input would have created if executed


CASES: dict[str, Callable[[Path], Bad]] = {}
BUGS: dict[str, str] = {}


def case(name: str, bug: str | None = None):
    def register(fn: Callable[[Path], Bad]) -> Callable[[Path], Bad]:
        CASES[name] = fn
        if bug:
            BUGS[name] = bug
        return fn

    return register


def bad_file(tmp: Path, text: str, needle: str | None, field: str | None, *says: str) -> Bad:
    """A changed copy of the base case; the message must point at the line holding ``needle``."""
    p = write(tmp / "bad.yaml", text)
    line = line_of(text, needle) if needle is not None else None
    return Bad([str(p)], "bad.yaml", line, field, says)


def override(tmp: Path, body: str, field: str | None, line: int | None, *says: str) -> Bad:
    """A small file that extends the base case (relative path) and overrides a few values."""
    rel = os.path.relpath(BASE, tmp)
    p = write(tmp / "bad.yaml", f"extends: {rel}\n{body}")
    return Bad([str(p)], "bad.yaml", line, field, says)


def set_option(text: str, field: str | None, *says: str) -> Bad:
    return Bad(["--set", text], f"--set {text}", None, field, says)


def check_message(err: str, bad: Bad) -> None:
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{err}"
    msg = lines[0]
    assert msg.startswith("finmodel: error: "), msg
    # no control character reaches the terminal, and an echoed value is cut short
    assert msg.isprintable(), repr(msg)
    assert len(msg) < 1500, f"a message of {len(msg)} characters"
    if bad.line is None:
        assert bad.file in msg, msg
    else:
        wanted = bad.line if isinstance(bad.line, tuple) else (bad.line,)
        want = [f"{bad.file}:{n}: " for n in wanted]
        assert any(w in msg for w in want), f"want one of {want} in {msg}"
    if bad.field is not None:
        assert f"{bad.field}: " in msg, f"want field {bad.field} in {msg}"
    for s in bad.says:
        assert s in msg, f"want {s!r} in {msg}"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` (hidden ones included) with its bytes."""
    if not folder.exists():
        return {}
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.fixture(scope="module")
def earlier_report(tmp_path_factory) -> Path:
    """A real report of the base case, to be copied into --out folders before a failing run."""
    out = tmp_path_factory.mktemp("earlier")
    assert main(["run", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "base.flows.csv",
        "base.schedule.csv",
        "base.summary.json",
        "base.xlsx",
    ]
    return out


def europe_left_usd_bn() -> float:
    """USD bn of the European holdings (what a carve-out from [europe] can take at most)."""
    data = yaml.safe_load(BASE_TEXT)
    fx = {k: v["rate"] for k, v in data["fx"].items()} | {"USD": 1.0}
    return sum(
        h["amount_bn"] * fx[h.get("currency", "USD")]
        for h in data["pool"]["holdings"]
        if h["region"] == "europe"
    )


# --- the cases ----------------------------------------------------------------------------------


@case("yaml_syntax")
def _(tmp):
    t = edit("discount_rate: 0.04\n", "discount_rate: 0.04: 5\n")
    return bad_file(tmp, t, "discount_rate: 0.04: 5", None, "invalid YAML")


@case("yaml_unclosed_bracket")
def _(tmp):
    t = edit("    payout: 0.5\n", "    payout: [0.5\n")
    n = line_of(t, "payout: [0.5")
    b = bad_file(tmp, t, None, None, "invalid YAML")
    b.line = (n, n + 1)  # YAML notices the missing ']' on the bracket's line or the next
    return b


@case("tab_indent")
def _(tmp):
    t = edit("  years: 30\n", "\tyears: 30\n")
    return bad_file(tmp, t, "\tyears: 30", None, "invalid YAML")


@case("bad_indentation")
def _(tmp):
    t = edit("  frequency: annual\n", "   frequency: annual\n")
    return bad_file(tmp, t, "   frequency: annual", None, "invalid YAML")


@case("unknown_key_typo")
def _(tmp):
    t = edit("    return:\n      rate: 0.08\n", "    retrun:\n      rate: 0.08\n")
    return bad_file(tmp, t, "retrun:", "vehicles.us_led_fund.retrun", "unknown key")


@case("payout_string")
def _(tmp):
    t = edit("    payout: 0.5\n", '    payout: "half"\n')
    return bad_file(tmp, t, 'payout: "half"', "vehicles.us_led_fund.payout", "half")


@case("years_float")
def _(tmp):
    t = edit("  years: 30\n", "  years: 2.5\n")
    return bad_file(tmp, t, "years: 2.5", "timeline.years", "integer", "2.5")


@case("rate_bool")
def _(tmp):
    t = edit("      rate: 0.08\n", "      rate: true\n")
    return bad_file(tmp, t, "rate: true", "vehicles.us_led_fund.return.rate", "number")


@case("profit_split_sum")
def _(tmp):
    t = edit("profit_split: {us: 0.5, ukraine: 0.5}", "profit_split: {us: 0.6, ukraine: 0.5}")
    return bad_file(
        tmp,
        t,
        "profit_split: {us: 0.6",
        "vehicles.us_led_fund.waterfall.profit_split",
        "sum to 1",
        "1.1",
    )


@case("undeclared_party_profit_split")
def _(tmp):
    t = edit("profit_split: {us: 0.5, ukraine: 0.5}", "profit_split: {us: 0.5, uk: 0.5}")
    return bad_file(
        tmp,
        t,
        "profit_split: {us: 0.5, uk",
        "vehicles.us_led_fund.waterfall.profit_split.uk",
        "'uk'",
        "not declared",
    )


@case("undeclared_party_capital_to")
def _(tmp):
    t = edit("      capital_to: ukraine\n", "      capital_to: ukrane\n")
    return bad_file(
        tmp,
        t,
        "capital_to: ukrane",
        "vehicles.us_led_fund.waterfall.capital_to",
        "'ukrane'",
        "not declared",
    )


@case("undeclared_party_fee_to")
def _(tmp):
    t = edit("    fee: null\n", "    fee: {rate: 0.01, to: blackrock}\n")
    return bad_file(
        tmp, t, "fee: {rate: 0.01", "vehicles.us_led_fund.fee.to", "'blackrock'", "not declared"
    )


@case("undeclared_party_hurdle_to")
def _(tmp):
    t = edit("      hurdle: null\n", "      hurdle: {rate: 0.08, to: bank}\n")
    return bad_file(
        tmp,
        t,
        "hurdle: {rate: 0.08",
        "vehicles.us_led_fund.waterfall.hurdle.to",
        "'bank'",
        "not declared",
    )


@case("undeclared_party_contribution")
def _(tmp):
    t = edit("        - party: europe\n", "        - party: eu\n")
    return bad_file(
        tmp,
        t,
        "- party: eu\n",
        "vehicles.european_fund.capital.contributions.0.party",
        "'eu'",
        "not declared",
    )


@case("carve_out_larger_than_pool")
def _(tmp):
    t = edit("amount_bn: 100, currency: USD, from", "amount_bn: 1000, currency: USD, from")
    return bad_file(
        tmp,
        t,
        "amount_bn: 1000",
        "pool.allocation.0.amount_bn",
        f"{europe_left_usd_bn():,.3f} bn USD is left",
    )


@case("money_not_allocated_last_carve_out_dropped")
def _(tmp):
    last = "    - {vehicle: us_russia_instrument, amount: remainder, from: [other]}\n"
    t = edit(last, "")
    # The instrument's money (everything outside Europe) is now in no carve-out.
    i = t.index("  us_russia_instrument:")
    n = t.count("\n", 0, t.index("    capital: {from: pool}", i)) + 1
    b = bad_file(tmp, t, None, "vehicles.us_russia_instrument.capital.from", "no carve-out")
    b.line = n
    return b


@case("money_not_allocated")
def _(tmp):
    t = edit("amount: remainder, from: [other]}", "amount: remainder, from: [japan]}")
    b = bad_file(tmp, t, "  allocation:\n", "pool.allocation", "not allocated", "united_states")
    b.line = line_of(t, "  allocation:\n")
    return b


@case("unknown_vehicle_in_allocation")
def _(tmp):
    t = edit("{vehicle: unfrozen_european_assets,", "{vehicle: unfrozen_european_asets,")
    return bad_file(
        tmp,
        t,
        "unfrozen_european_asets",
        "pool.allocation.1.vehicle",
        "'unfrozen_european_asets'",
        "not a vehicle",
    )


@case(
    "currency_without_fx_holding",
)
def _(tmp):
    t = edit("      currency: GBP\n", "      currency: JPY\n")
    return bad_file(tmp, t, "currency: JPY", "pool.holdings.3.currency", "'JPY'", "fx")


@case(
    "currency_without_fx_carve_out",
)
def _(tmp):
    t = edit("amount_bn: 100, currency: USD", "amount_bn: 100, currency: JPY")
    return bad_file(tmp, t, "currency: JPY", "pool.allocation.0.currency", "'JPY'", "fx")


@case("currency_without_fx_contribution")
def _(tmp):
    t = edit("currency: USD\n          years: 5\n", "currency: XYZ\n          years: 5\n")
    return bad_file(
        tmp,
        t,
        "currency: XYZ",
        "vehicles.european_fund.capital.contributions.0.currency",
        "'XYZ'",
        "fx",
    )


@case("negative_amount")
def _(tmp):
    t = edit("      amount_bn: 30\n", "      amount_bn: -30\n")
    return bad_file(tmp, t, "amount_bn: -30", "pool.holdings.5.amount_bn", "-30")


@case("return_rate_minus_one")
def _(tmp):
    t = edit("      rate: 0.08\n", "      rate: -1.0\n")
    return bad_file(tmp, t, "rate: -1.0", "vehicles.us_led_fund.return.rate", "-1")


@case("return_rate_below_minus_one")
def _(tmp):
    t = edit("      rate: 0.08\n", "      rate: -1.5\n")
    return bad_file(tmp, t, "rate: -1.5", "vehicles.us_led_fund.return.rate", "-1.5")


@case("return_rate_typed_as_a_percentage")
def _(tmp):
    # 8 for 8% (issue 10, part 6): refused with the decimal it probably means
    t = edit("      rate: 0.08\n", "      rate: 8\n")
    return bad_file(tmp, t, "rate: 8\n", "vehicles.us_led_fund.return.rate",
                    "rate above 1", "did you mean 0.08?", "allow_high_rates")  # fmt: skip


@case("set_rate_typed_as_a_percentage")
def _(tmp):
    return set_option(
        "vehicles.us_led_fund.return.rate=5", "vehicles.us_led_fund.return.rate",
        "did you mean 0.05?",
    )  # fmt: skip


@case("sweep_rate_typed_as_a_percentage")
def _(tmp):
    # every value typed as a percentage: no point a single run accepts, so the sweep is bad
    # input (a grid where only some are is computed, those marked invalid: test_paths.py)
    key = "vehicles.us_led_fund.return.rate"
    return Bad(["--vary", f"{key}=5,8", "--out", str(tmp / "out")], f"--vary {key}=5", None,
               key, ("did you mean 0.05?",), command="sweep")  # fmt: skip


@case("tornado_rate_typed_as_a_percentage")
def _(tmp):
    return Bad(["--set", "discount_rate=4", "--out", str(tmp / "out")], "--set discount_rate=4",
               None, "discount_rate", ("did you mean 0.04?",), command="tornado")  # fmt: skip


@case("simulate_rate_typed_as_a_percentage")
def _(tmp):
    text = "vehicles.us_led_fund.cash_rate=3"
    return Bad(["-n", "10", "--seed", "1", "--set", text, "--out", str(tmp / "out")],
               f"--set {text}", None, "vehicles.us_led_fund.cash_rate", ("did you mean 0.03?",),
               command="simulate")  # fmt: skip


@case("timeline_years_zero")
def _(tmp):
    t = edit("  years: 30\n", "  years: 0\n")
    return bad_file(tmp, t, "  years: 0\n", "timeline.years", "(got 0)")


@case("timeline_years_1000")
def _(tmp):
    t = edit("  years: 30\n", "  years: 1000\n")
    return bad_file(tmp, t, "years: 1000", "timeline.years", "1000")


@case("deployment_longer_than_term")
def _(tmp):
    t = edit("    deployment: {years: 5}\n", "    deployment: {years: 25}\n")
    return bad_file(
        tmp, t, "deployment: {years: 25}", "vehicles.us_led_fund.deployment", "25", "20"
    )


@case("python_tag")
def _(tmp):
    marker = tmp / "PWNED"
    t = edit(
        "name: base\n",
        f"name: base\nnote: !!python/object/apply:os.system ['touch {marker}']\n",
    )
    b = bad_file(tmp, t, "!!python", None, "invalid YAML")
    b.must_not_exist = marker
    return b


@case("python_tag_nested")
def _(tmp):
    marker = tmp / "PWNED"
    tag = f"!!python/object/apply:os.system ['touch {marker}']"
    t = edit("    payout: 0.5\n", f"    payout: {tag}\n")
    b = bad_file(tmp, t, "!!python", None, "invalid YAML")
    b.must_not_exist = marker
    return b


@case("duplicate_key")
def _(tmp):
    t = edit("discount_rate: 0.04\n", "discount_rate: 0.04\ndiscount_rate: 0.05\n")
    return bad_file(tmp, t, "discount_rate: 0.05", "discount_rate", "twice")


@case("duplicate_nested_key")
def _(tmp):
    t = edit("    payout: 0.5\n", "    payout: 0.5\n    payout: 0.7\n")
    return bad_file(tmp, t, "payout: 0.7", "vehicles.us_led_fund.payout", "twice")


@case("empty_file")
def _(tmp):
    return bad_file(tmp, "", None, None, "empty")


@case("comments_only_file")
def _(tmp):
    return bad_file(tmp, "# nothing here\n", None, None, "empty")


@case("list_not_mapping")
def _(tmp):
    return bad_file(tmp, "- name: base\n- years: 30\n", None, None, "mapping")


@case("scalar_not_mapping")
def _(tmp):
    return bad_file(tmp, "just a string\n", None, None, "mapping")


@case("nonexistent_scenario")
def _(tmp):
    return Bad([str(tmp / "nothere.yaml")], "nothere.yaml", None, None, ("no such file",))


@case("correlation_not_symmetric")
def _(tmp):
    t = edit(
        "correlation: null\n",
        "correlation:\n  - [1, 0.5]\n  - [0.2, 1]\n",
    )
    return bad_file(tmp, t, "correlation:", "correlation", "symmetric")


@case("correlation_not_psd")
def _(tmp):
    # three funds (the base's two and one more) correlated in a way no returns can be
    third = (
        "  third_fund:\n    name: A third fund\n    kind: fund\n"
        "    capital: {contributions: [{party: us, amount_bn: 1}]}\n    term_years: 5\n"
        "    waterfall: {profit_split: {us: 1.0}}\n"
    )
    t = edit(
        "correlation: null\n",
        f"{third}correlation:\n  - [1, 0.9, 0.9]\n  - [0.9, 1, -0.9]\n  - [0.9, -0.9, 1]\n",
    )
    return bad_file(tmp, t, "correlation:", "correlation", "positive semi-definite")


@case("correlation_wrong_shape")
def _(tmp):
    t = edit("correlation: null\n", "correlation: [[1, 0, 0], [0, 1, 0], [0, 0, 1]]\n")
    return bad_file(tmp, t, "correlation:", "correlation", "2x2")


# streams and loans


@case("stream_negative_capacity")
def _(tmp):
    t = edit("        capacity_gw: 5.7\n", "        capacity_gw: -5.7\n")
    field = "vehicles.znpp_output.stream.energy.capacity_gw"
    return bad_file(tmp, t, "capacity_gw: -5.7", field, "greater than 0")


@case("stream_capacity_factor_over_one")
def _(tmp):
    t = edit("        capacity_factor: 0.80\n", "        capacity_factor: 1.2\n")
    field = "vehicles.znpp_output.stream.energy.capacity_factor"
    return bad_file(tmp, t, "capacity_factor: 1.2", field, "less than or equal to 1")


@case("stream_share_outside_0_1")
def _(tmp):
    t = edit(
        "      profit_split: {russia: 0.5, ukraine: 0.5}\n",
        "      profit_split: {russia: 1.5, ukraine: -0.5}\n",
    )
    field = "vehicles.znpp_output.waterfall.profit_split.russia"
    return bad_file(tmp, t, "profit_split: {russia: 1.5", field, "less than or equal to 1")


@case("stream_two_forms")
def _(tmp):
    body = "vehicles:\n  us_guarantee_compensation:\n    stream:\n      path_bn: [1, 2]\n"
    field = "vehicles.us_guarantee_compensation.stream"
    return override(tmp, body, field, None, "exactly one of 'amount_bn', 'path_bn' and 'energy'")


@case("stream_without_waterfall")
def _(tmp):
    body = "vehicles:\n  extra:\n    name: x\n    kind: stream\n    stream: {amount_bn: 1}\n"
    return override(tmp, body, "vehicles.extra.waterfall", 3, "a stream needs this setting")


@case("loan_serviced_from_nowhere")
def _(tmp):
    body = (
        "vehicles:\n  world_bank_package:\n    loan:\n      repayment: null\n"
        "      serviced_from: nowhere\n"
    )
    field = "vehicles.world_bank_package.loan.serviced_from"
    return override(tmp, body, field, 6, "'nowhere' is not a vehicle to service the loan from")


@case("before_start_on_a_grant")
def _(tmp):
    body = (
        "vehicles:\n  european_fund:\n    capital:\n      contributions:\n"
        "        - {party: europe, amount_bn: 100, before_start: true}\n"
    )
    field = "vehicles.european_fund.capital.contributions.0.before_start"
    return override(tmp, body, field, 6, "only a loan")


# --- the inputs added for issue 12: the plant's net revenue, who pays a fund's return, needs --

_PLANT = "vehicles.znpp_output.stream.energy"


@case("plant_negative_running_cost")
def _(tmp):
    return set_option(f"{_PLANT}.cost_per_mwh=-5", f"{_PLANT}.cost_per_mwh", "greater than")


@case("plant_no_units")
def _(tmp):
    return set_option(f"{_PLANT}.unit_start_years=[]", f"{_PLANT}.unit_start_years",
                      "at least 1 item")  # fmt: skip


@case("plant_restart_capital_past_the_timeline")
def _(tmp):
    return set_option(f"{_PLANT}.restart_capital.start_year=35",
                      f"{_PLANT}.restart_capital.start_year",
                      "spent until year 37, past the 30-year timeline")  # fmt: skip


@case("plant_restart_capital_paid_by_a_typo")
def _(tmp):
    return set_option(f"{_PLANT}.restart_capital.paid_by.rusia=1",
                      f"{_PLANT}.restart_capital.paid_by.rusia", "nearest: 'russia'")  # fmt: skip


@case("fund_return_paid_by_a_typo")
def _(tmp):
    return set_option("vehicles.us_led_fund.return.paid_by=ukrane",
                      "vehicles.us_led_fund.return.paid_by", "nearest: 'ukraine'")  # fmt: skip


@case("first_year_need_above_the_whole_need")
def _(tmp):
    return set_option("needs.0.first_year_bn=9999", "needs.0.first_year_bn",
                      "at most amount_bn (524)")  # fmt: skip


@case("needs_unknown_currency")
def _(tmp):
    t = edit("    amount_bn: 524\n    currency: USD\n", "    amount_bn: 524\n    currency: UAH\n")
    return bad_file(tmp, t, "currency: UAH", "needs.0.currency", "has no rate in 'fx'")


@case("energy_split_as_unknown")
def _(tmp):
    t = edit("        split_as: revenue\n", "        split_as: money\n")
    field = "vehicles.znpp_output.stream.energy.split_as"
    return bad_file(tmp, t, "split_as: money", field, "'revenue' or 'energy'")


@case("loan_repaid_over_zero_years")
def _(tmp):
    bad = "repayment: {grace_years: 5, years: 0}"
    t = edit("      repayment: {grace_years: 5, years: 30}\n", f"      {bad}\n")
    field = "vehicles.world_bank_package.loan.repayment.years"
    return bad_file(tmp, t, bad, field, "greater than or equal to 1")


@case("null_removes_a_required_key")
def _(tmp):
    return override(tmp, "timeline: null\n", "timeline", None, "required")


# extends


@case("override_out_of_range")
def _(tmp):
    return override(
        tmp, "vehicles:\n  us_led_fund:\n    payout: 1.5\n", "vehicles.us_led_fund.payout", 4, "1.5"
    )


@case("override_typo")
def _(tmp):
    return override(
        tmp,
        "vehicles:\n  us_led_fund:\n    retrun: {rate: 0.1}\n",
        "vehicles.us_led_fund.retrun",
        4,
        "unknown key",
    )


@case("override_undeclared_party")
def _(tmp):
    return override(
        tmp,
        "vehicles:\n  us_russia_instrument:\n    waterfall:\n"
        "      profit_split: {us: 0.5, china: 0.5}\n",
        "vehicles.us_russia_instrument.waterfall.profit_split.china",
        5,
        "'china'",
    )


@case("extends_missing_target")
def _(tmp):
    p = write(tmp / "bad.yaml", "description: x\nextends: nothere.yaml\n")
    return Bad([str(p)], "bad.yaml", 2, "extends", ("nothere.yaml",))


@case(
    "extends_missing_target_no_suffix",
)
def _(tmp):
    p = write(tmp / "bad.yaml", "description: x\nextends: nothere\n")
    return Bad([str(p)], "bad.yaml", 2, "extends", ("nothere",))


@case("extends_not_a_string")
def _(tmp):
    p = write(tmp / "bad.yaml", "description: x\nextends: [a.yaml]\n")
    return Bad([str(p)], "bad.yaml", 2, "extends", ())


@case("extends_circular")
def _(tmp):
    a = write(tmp / "a.yaml", "name: a\nextends: b.yaml\n")
    write(tmp / "b.yaml", "extends: a.yaml\n")
    return Bad([str(a)], ".yaml", None, "extends", ("circular", "a.yaml", "b.yaml"))


@case("extends_circular_line")
def _(tmp):
    # the message names the 'extends' that closes the loop: b.yaml's line 1 points back to a
    a = write(tmp / "a.yaml", "name: a\nextends: b.yaml\n")
    write(tmp / "b.yaml", "extends: a.yaml\n")
    return Bad([str(a)], "b.yaml", 1, "extends", ("circular", "a.yaml -> b.yaml -> a.yaml"))


# --set


@case("set_without_equals")
def _(tmp):
    return set_option("discount_rate", None, "KEY=VALUE")


@case(
    "set_unknown_key_path",
)
def _(tmp):
    return set_option(
        "vehicles.us_led_fund.retrun.rate=1", "vehicles.us_led_fund.retrun", "unknown key"
    )


@case(
    "set_unknown_vehicle",
)
def _(tmp):
    # an unknown vehicle is called unknown (not "vehicles.nope.name: required"), with the known
    return set_option(
        "vehicles.nope.payout=0.3", "vehicles.nope.payout", "unknown vehicle 'nope'", "us_led_fund"
    )


@case("set_wrong_type")
def _(tmp):
    return set_option("discount_rate=abc", "discount_rate", "number", "abc")


@case("set_list_index_out_of_range")
def _(tmp):
    return set_option("pool.holdings.99.amount_bn=1", "pool.holdings.99.amount_bn", "99")


@case("set_path_through_scalar")
def _(tmp):
    return set_option("discount_rate.x=1", "discount_rate.x", "not a section")


@case("set_bad_key_syntax")
def _(tmp):
    return set_option("=3", None, "dotted key path")


@case("set_value_not_yaml")
def _(tmp):
    return set_option("discount_rate=[1", None, "[1")


@case("set_out_of_range_by_id")
def _(tmp):
    return set_option("pool.holdings.japan.amount_bn=-1", "pool.holdings.5.amount_bn", "-1")


@case("set_on_bad_file_blames_file")
def _(tmp):
    t = edit("  years: 30\n", "  years: 1000\n")
    b = bad_file(tmp, t, "years: 1000", "timeline.years", "1000")
    b.args += ["--set", "discount_rate=0.05"]
    return b


@case("validate_bad_file")
def _(tmp):
    t = edit("    return:\n      rate: 0.08\n", "    retrun:\n      rate: 0.08\n")
    b = bad_file(tmp, t, "retrun:", "vehicles.us_led_fund.retrun", "unknown key")
    b.command = "validate"
    return b


@case("validate_good_then_bad_file")
def _(tmp):
    t = edit("  years: 30\n", "  years: 2.5\n")
    b = bad_file(tmp, t, "years: 2.5", "timeline.years", "2.5")
    b.args = [str(BASE), *b.args]
    b.command = "validate"
    return b


# work bounded by the input's size: each limit of finmodel.limits, just past it


def _laughs(levels: int = 9, fan: int = 9) -> str:
    """A "billion laughs": each level an alias list of the one before (fan**levels values)."""
    rows = ["name: lol", "a0: &a0 [" + ", ".join(['"lol"'] * fan) + "]"]
    rows += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fan) + "]" for i in range(1, levels)]
    return "\n".join(rows) + "\n"


@case("billion_laughs")
def _(tmp):
    # 9**9 = 387 million values from a 400-byte file
    return bad_file(tmp, _laughs(), None, None, "aliases repeat more values than the limit")


@case("alias_nested_in_itself")
def _(tmp):
    # an anchor used inside itself: a list that holds itself, without end
    return bad_file(tmp, "name: x\nloop: &l [1, *l]\n", None, None, "nest deeper than the limit")


@case("file_past_the_size_limit")
def _(tmp):
    # the base case padded with a comment to one byte past the limit: refused before parsing
    pad = limits.MAX_FILE_BYTES + 1 - len(BASE_TEXT.encode()) - 2
    t = BASE_TEXT + "#" + "x" * pad + "\n"
    assert len(t.encode()) == limits.MAX_FILE_BYTES + 1
    return bad_file(tmp, t, None, None, f"holds {limits.MAX_FILE_BYTES + 1:,} bytes")


@case("extended_files_past_the_size_limit")
def _(tmp):
    # the extending file fits alone; with the base case it extends, it does not
    own = limits.MAX_FILE_BYTES - 1000
    rel = os.path.relpath(BASE, tmp)
    head = f"extends: {rel}\n#"
    write(tmp / "bad.yaml", head + "x" * (own - len(head) - 1) + "\n")
    base_bytes = len(BASE.read_bytes())
    return Bad([str(tmp / "bad.yaml")], "base.yaml", None, None, (f"holds {base_bytes:,} bytes",
               f"and the files that extend it {own:,}"))  # fmt: skip


@case("nesting_5000_brackets")
def _(tmp):
    deep = "[" * 5000 + "]" * 5000
    t = edit("discount_rate: 0.04\n", f"discount_rate: 0.04\ndeep: {deep}\n")
    return bad_file(tmp, t, "deep: [[[", None, "nest deeper than the limit of 32")


@case("nesting_1000_block_levels")
def _(tmp):
    # the top mapping is level 1, the value of 'deep' (first key k0) level 2: level 33, past
    # the limit, is the mapping whose first key is k31
    deep = "".join(" " * (i + 1) + f"k{i}:\n" for i in range(1000)) + " " * 1001 + "v: 1\n"
    t = edit("discount_rate: 0.04\n", "discount_rate: 0.04\ndeep:\n" + deep)
    b = bad_file(tmp, t, " k31:\n", None, "nest deeper than the limit of 32")
    b.line = (b.line - 1, b.line)  # libyaml starts a block mapping where the key before ends
    return b


def _chain(tmp: Path, files: int) -> Path:
    """A chain of ``files`` files: c0.yaml extends the base case, each next one the last."""
    write(tmp / "c0.yaml", f"extends: {os.path.relpath(BASE, tmp)}\n")
    for i in range(1, files - 1):
        write(tmp / f"c{i}.yaml", f"extends: c{i - 1}.yaml\n")
    return tmp / f"c{files - 2}.yaml"


@case("extends_chain_past_the_limit")
def _(tmp):
    # 17 files: the top one is the first, c0 the 16th; its extends would read a 17th
    top = _chain(tmp, limits.MAX_EXTENDS + 1)
    return Bad([str(top)], "c0.yaml", 1, "extends", ("chain longer than the limit of 16",))


@case("integer_past_4300_digits")
def _(tmp):
    t = edit("discount_rate: 0.04\n", "discount_rate: " + "9" * 4301 + "\n")
    return bad_file(tmp, t, "discount_rate: 999", None, "4,301 digits")


@case("integer_of_4000_digits")
def _(tmp):
    # readable, but no rate: the message says so in a few words, not 4,000 digits
    t = edit("discount_rate: 0.04\n", "discount_rate: " + "9" * 4000 + "\n")
    return bad_file(tmp, t, "discount_rate: 999", "discount_rate", "integer of 4,000 digits")


@case("timeline_start_in_year_9999")
def _(tmp):
    t = edit("  start: 2026-01-01\n", "  start: 9999-01-01\n")
    return bad_file(tmp, t, "start: 9999", "timeline.start", "2200-12-31", "9999-01-01")


@case("date_that_does_not_exist")
def _(tmp):
    t = edit("  start: 2026-01-01\n", "  start: 2026-02-30\n")
    return bad_file(tmp, t, "start: 2026-02-30", None, "'2026-02-30'", "day is out of range")


@case("nul_byte")
def _(tmp):
    t = edit("name: base\n", "name: base\nnote: a\x00b\n")
    return bad_file(tmp, t, "note: a", None, r"'\x00' is not allowed")


@case("extends_proc_self_environ")
def _(tmp):
    # a file of NUL-separated text with no size: read no further than the limit, refused
    p = write(tmp / "bad.yaml", "name: x\nextends: /proc/self/environ\n")
    return Bad([str(p)], "/proc/self/environ", 1, None, (r"'\x00' is not allowed",))


@case("extends_a_device")
def _(tmp):
    p = write(tmp / "bad.yaml", "name: x\nextends: /dev/zero\n")
    return Bad([str(p)], "bad.yaml", 2, "extends", ("not a regular file",))


@case("scenario_is_a_device")
def _(tmp):
    return Bad(["/dev/zero"], "/dev/zero", None, None, ("not a regular file",))


@case("too_many_vehicles")
def _(tmp):
    # the base case's vehicles and enough grants to make one more than the limit
    n = limits.MAX_VEHICLES + 1
    grants = "".join(
        f"  g{i}: {{name: g, kind: grant, capital: {{contributions: [{{party: europe, "
        f"amount_bn: 1}}]}}, waterfall: {{profit_split: {{ukraine: 1}}}}}}\n"
        for i in range(n - len(yaml.safe_load(BASE_TEXT)["vehicles"]))
    )
    return override(tmp, "vehicles:\n" + grants, "vehicles", 2, f"{n:,} vehicles, past the limit")


@case("too_many_parties")
def _(tmp):
    n = limits.MAX_PARTIES + 1
    more = n - len(yaml.safe_load(BASE_TEXT)["parties"])
    parties = "".join(f"  p{i}: {{name: P{i}}}\n" for i in range(more))
    return override(tmp, "parties:\n" + parties, "parties", 2, f"{n:,} parties, past the limit")


@case("too_many_holdings")
def _(tmp):
    n = limits.MAX_HOLDINGS + 1
    rows = "".join(f"    - {{id: h{i}, region: other, amount_bn: 1}}\n" for i in range(n))
    body = f"pool:\n  holdings:\n{rows}"
    return override(tmp, body, "pool.holdings", 3, f"{n:,} holdings, past the limit")


@case("too_many_numbers_per_array")
def _(tmp):
    # 200 parties x 22 vehicles x 1,201 monthly periods (100 years and period 0) = 5,284,400
    # numbers per array, past 5,000,000; each count alone is within its limit
    base = yaml.safe_load(BASE_TEXT)
    new_parties, new_vehicles = 200 - len(base["parties"]), 22 - len(base["vehicles"])
    parties = "".join(f"  p{i}: {{name: P{i}}}\n" for i in range(new_parties))
    grants = "".join(
        f"  g{i}: {{name: g, kind: grant, capital: {{contributions: [{{party: europe, "
        f"amount_bn: 1}}]}}, waterfall: {{profit_split: {{ukraine: 1}}}}}}\n"
        for i in range(new_vehicles)
    )
    body = f"timeline: {{years: 100, frequency: monthly}}\nparties:\n{parties}vehicles:\n{grants}"
    return override(tmp, body, "vehicles", None, "5,284,400 numbers per array")


@case("too_many_vehicle_periods")
def _(tmp):
    # 84 vehicles x 1,201 monthly periods = 100,884 columns of schedules > 100,000
    grants = "".join(
        f"  g{i}: {{name: g, kind: grant, capital: {{contributions: [{{party: europe, "
        f"amount_bn: 1}}]}}, waterfall: {{profit_split: {{ukraine: 1}}}}}}\n"
        for i in range(84 - len(yaml.safe_load(BASE_TEXT)["vehicles"]))
    )
    body = f"timeline: {{years: 100, frequency: monthly}}\nvehicles:\n{grants}"
    return override(tmp, body, "vehicles", None, "100,884 columns of schedules")


@case("correlation_rows_of_different_lengths")
def _(tmp):
    t = edit("correlation: null\n", "correlation: [[1, 0.5], [0.5]]\n")
    return bad_file(tmp, t, "correlation:", "correlation", "2x2")


@case("set_key_path_past_the_depth_limit")
def _(tmp):
    return set_option("a." + ".".join(["b"] * 40) + "=1", None, "41 parts", "limit of 32")


@case("set_billion_laughs")
def _(tmp):
    # the same attack in flow style fits on a command line
    levels = ["&a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    levels += [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    b = set_option(f"vehicles.us_led_fund.return.path=[{', '.join(levels)}]", None,
                   "aliases repeat more values than the limit")  # fmt: skip
    b.file = "--set vehicles.us_led_fund.return.path=[&a0 [1"
    return b


@case("set_value_nested_in_itself")
def _(tmp):
    return set_option("vehicles.us_led_fund.return.path=&a [*a]", None, "nest deeper")


@case("vary_5000_brackets")
def _(tmp):
    b = Bad(["--vary", "discount_rate=" + "[" * 5000 + "]" * 5000 + ",0.1"], "--vary", None,
            None, ("nest deeper than the limit",), command="sweep")  # fmt: skip
    return b


@case("vary_integer_past_4300_digits")
def _(tmp):
    b = Bad(["--vary", "discount_rate=" + "9" * 5000 + ",0.1"], "--vary", None, None,
            ("5,000 digits",), command="sweep")  # fmt: skip
    return b


@case("set_integer_past_4300_digits")
def _(tmp):
    b = set_option("discount_rate=" + "9" * 5000, None, "5,000 digits")
    b.file = "--set discount_rate=999"  # the option, cut short
    return b


# what validate accepts, every command runs; what any command refuses, validate refuses


@case("uncertainty_df_infinite")
def _(tmp):
    t = edit("uncertainty: {dist: normal, vol: 0.08}", "uncertainty: {dist: student_t, df: .inf}")
    field = "vehicles.us_led_fund.return.uncertainty.df"
    return bad_file(tmp, t, "df: .inf", field, "finite")


@case("validate_uncertainty_df_infinite")
def _(tmp):
    b = CASES["uncertainty_df_infinite"](tmp)
    b.command = "validate"
    return b


@case("simulate_uncertainty_df_infinite")
def _(tmp):
    b = CASES["uncertainty_df_infinite"](tmp)
    b.command = "simulate"
    b.args += ["-n", "10", "--seed", "1"]
    return b


@case("vol_not_a_number")
def _(tmp):
    t = edit("uncertainty: {dist: normal, vol: 0.08}", "uncertainty: {dist: normal, vol: .nan}")
    field = "vehicles.us_led_fund.return.uncertainty.vol"
    return bad_file(tmp, t, "vol: .nan", field, "finite")


@case("control_characters_in_description")
def _(tmp):
    t = edit("name: base\n", 'name: base\ndescription: "\\a\\x01\\x1b[31m"\n')
    t = t.replace("description: >-\n", "old_description: >-\n", 1)  # one description only
    t = t.replace("old_description: >-\n", "notes_: >-\n", 1)
    return bad_file(tmp, t, 'description: "', "description", r"'\x07', a control character")


@case("validate_control_characters_in_description")
def _(tmp):
    b = CASES["control_characters_in_description"](tmp)
    b.command = "validate"
    return b


@case("control_character_in_a_vehicle_name")
def _(tmp):
    t = edit("    name: US-led reconstruction fund\n", '    name: "US-led\\x1b[2J fund"\n')
    return bad_file(tmp, t, "x1b[2J", "vehicles.us_led_fund.name", r"'\x1b'")


@case("set_value_with_bytes_not_utf8")
def _(tmp):
    # the byte 0xff on the command line, as Python hands it over (a lone surrogate)
    b = set_option("description=\udcff", None, "not UTF-8")
    b.file = r"--set description=\udcff"
    return b


@case("set_key_with_escape")
def _(tmp):
    b = set_option("vehicles.us\x1b[31m.payout=1", None, "dotted key path")
    b.file = r"--set vehicles.us\x1b[31m.payout=1"  # the escape shown, not sent
    return b


@case("set_value_with_newline")
def _(tmp):
    b = set_option("discount_rate=abc\ndef", "discount_rate", "valid number")
    b.file = r"--set discount_rate=abc\ndef"
    return b


@case("megabyte_string_in_a_number_field")
def _(tmp):
    t = edit("discount_rate: 0.04\n", 'discount_rate: "' + "x" * 1_000_000 + '"\n')
    return bad_file(tmp, t, "discount_rate:", "discount_rate", "(1,000,000 characters)")


@case("set_megabyte_value")
def _(tmp):
    b = set_option("discount_rate=" + "x" * 1_000_000, "discount_rate", "1,000,000 characters")
    b.file = "--set discount_rate=xxx"
    return b


@case("validate_tornado_range_a_run_refuses")
def _(tmp):
    t = edit("  vehicles.world_bank_package.loan.rate: [0.03, 0.07]\n",
             "  vehicles.world_bank_package.loan.rate: [0.03, 70]\n")  # fmt: skip
    b = bad_file(tmp, t, "loan.rate: [0.03, 70]", "tornado.vehicles.world_bank_package.loan.rate",
                 "high end 70 is refused", "less than 10")  # fmt: skip
    b.command = "validate"
    return b


def _params(names):
    return [
        pytest.param(n, marks=pytest.mark.xfail(reason=f"BUG: {BUGS[n]}", strict=True))
        if n in BUGS
        else n
        for n in names
    ]


def _argv(bad: Bad, out: Path) -> list[str]:
    if bad.command in ("run", "simulate", "tornado", "sweep"):
        return [bad.command, *bad.args, "--out", str(out)]
    return [bad.command, *bad.args]


# --- the tests ----------------------------------------------------------------------------------


def test_at_least_twenty_kinds():
    assert len(CASES) - len(BUGS) >= 20


@pytest.mark.parametrize("name", _params(CASES))
def test_bad_input(name, tmp_path, capsys, monkeypatch, earlier_report):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FINMODEL_DEBUG", raising=False)
    bad = CASES[name](tmp_path)

    # 1. into a folder that does not exist yet: it stays absent or empty
    out = tmp_path / "out"
    code = main(_argv(bad, out))
    got = capsys.readouterr()
    assert code == 2, got.err
    check_message(got.err, bad)
    assert "wrote" not in got.out
    assert not out.exists() or not any(out.iterdir())
    if bad.must_not_exist is not None:
        assert not bad.must_not_exist.exists(), "the YAML tag ran a command"

    # 2. into a folder holding an earlier report of the same name: untouched, nothing new
    if bad.command == "run":
        out = tmp_path / "out_earlier"
        shutil.copytree(earlier_report, out)
        before = snapshot(out)
        code = main(_argv(bad, out))
        got = capsys.readouterr()
        assert code == 2, got.err
        check_message(got.err, bad)
        assert snapshot(out) == before


SUBPROCESS_CASES = [
    "yaml_syntax",
    "python_tag",
    "unknown_key_typo",
    "carve_out_larger_than_pool",
    "extends_circular",
    "set_list_index_out_of_range",
    "empty_file",
    "validate_bad_file",
    "billion_laughs",
    "file_past_the_size_limit",
    "nesting_5000_brackets",
    "nesting_1000_block_levels",
    "extends_chain_past_the_limit",
    "integer_past_4300_digits",
    "timeline_start_in_year_9999",
    "nul_byte",
    "extends_proc_self_environ",
    "too_many_vehicles",
    "simulate_uncertainty_df_infinite",
    "validate_control_characters_in_description",
    "control_characters_in_description",
    "set_key_with_escape",
    "set_value_with_newline",
    "megabyte_string_in_a_number_field",
    "validate_tornado_range_a_run_refuses",
    "vary_5000_brackets",
]


@pytest.mark.parametrize("name", _params(SUBPROCESS_CASES))
def test_bad_input_subprocess(name, tmp_path):
    """The real process: exit 2 and one line on stderr, no traceback."""
    bad = CASES[name](tmp_path)
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k != "FINMODEL_DEBUG"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    r = subprocess.run(
        [sys.executable, "-m", "finmodel.cli", *_argv(bad, out)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2, r.stderr
    check_message(r.stderr, bad)
    assert not out.exists() or not any(out.iterdir())
    if bad.must_not_exist is not None:
        assert not bad.must_not_exist.exists()


def test_line_numbers_checked_for_many_cases(tmp_path):
    """At least five cases pin an exact line computed from the text they wrote."""
    exact = 0
    for name, make in CASES.items():
        d = tmp_path / name
        d.mkdir()
        if isinstance(make(d).line, int):
            exact += 1
    assert exact >= 5


def test_validate_good_base(capsys):
    assert main(["validate", str(BASE)]) == 0
    got = capsys.readouterr()
    assert got.err == ""
    assert "ok" in got.out


def test_validate_does_not_write(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["validate", str(BASE)]) == 0
    capsys.readouterr()
    assert list(tmp_path.iterdir()) == []


def test_unsafe_loader_would_have_run_it(tmp_path):
    """Sanity check of the python_tag cases: the payload is real (an unsafe loader runs it)."""
    marker = tmp_path / "PWNED"
    text = f"x: !!python/object/apply:os.system ['touch {marker}']\n"
    yaml.unsafe_load(text)
    assert marker.exists()


# --- text that looks like a formula stays text in the workbook ----------------------------------


def test_leading_equals_is_text_in_xlsx(tmp_path, capsys):
    rel = os.path.relpath(BASE, tmp_path)
    scenario = write(
        tmp_path / "formula.yaml",
        f"extends: {rel}\n"
        "name: formula\n"
        'description: \'=HYPERLINK("http://example.com","click")\'\n'
        "parties:\n"
        "  us: {name: '=1+1'}\n"
        "vehicles:\n"
        "  us_led_fund:\n"
        "    name: '@SUM(A1:A9)'\n"
        "  european_fund:\n"
        "    name: '+CMD()'\n"
        "  us_russia_instrument:\n"
        "    name: '-2+3'\n",
    )
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out)]) == 0, capsys.readouterr().err
    wb = openpyxl.load_workbook(out / "formula.xlsx")
    risky = ("=HYPERLINK", "=1+1", "@SUM(A1:A9)", "+CMD()", "-2+3")
    found: dict[str, int] = dict.fromkeys(risky, 0)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if cell.data_type == "f":  # the live model's own formulas: never the file's text
                    assert not any(r[1:] in v for r in risky), (ws.title, cell.coordinate, v)
                    continue
                if isinstance(v, str) and v.startswith(("=", "+", "@")):
                    assert cell.data_type == "s", (ws.title, cell.coordinate, v, cell.data_type)
                for r in risky:
                    if isinstance(v, str) and v.startswith(r):
                        found[r] += 1
    assert all(found.values()), found
    summary = wb["Summary"]
    desc = [c for row in summary.iter_rows() for c in row if c.value == scenario_description()]
    assert desc and all(c.data_type == "s" for c in desc)


def scenario_description() -> str:
    return '=HYPERLINK("http://example.com","click")'


# --- a rate above 1 that the file means ----------------------------------------------------------


@pytest.mark.parametrize("how", ["set", "file"])
def test_a_high_rate_the_file_means_runs_and_its_checks_hold(tmp_path, capsys, how):
    # Issue 10, part 6: 500% a year used to end in "internal error" (a check off by 393,216
    # USD on values near 1e21 USD). With allow_high_rates it runs, and every check holds
    # within its tolerance (a cent, or 8 ulps of the money it involves).
    key = "vehicles.us_led_fund.return.rate"
    if how == "set":
        args = ["--set", "allow_high_rates=true", "--set", f"{key}=5"]
    else:
        rel = os.path.relpath(BASE, tmp_path)
        body = f"extends: {rel}\nallow_high_rates: true\nvehicles:\n  us_led_fund:\n"
        args = [str(write(tmp_path / "high.yaml", body + "    return: {rate: 5}\n"))]
    out = tmp_path / "out"
    assert main(["run", *args, "--out", str(out)]) == 0, capsys.readouterr().err
    assert "all checks hold" in capsys.readouterr().out
