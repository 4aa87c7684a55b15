"""The explorer never disagrees with the model: the numbers embedded in the page equal single runs.

The expected numbers come from ``finmodel.run(with_overrides(a, point))`` (its summary.json
numbers, its tidy flows table and its pool table), never from the explorer's own arrays.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import assumption_dicts, slider_grids, validated

import finmodel
from finmodel.cli import main
from finmodel.exceptions import InputError
from finmodel.inputs.loader import with_overrides
from finmodel.reports import explore as page
from finmodel.studies.explore import (
    DEFAULT_VALUES,
    distinct,
    explore,
    explore_reading,
    shipped_readings,
)

CENT = 0.01
RATE = "vehicles.us_led_fund.return.rate"
PAYOUT = "vehicles.us_led_fund.payout"
UNSIZED = "vehicles.us_guarantee_compensation.stream.amount_bn"


def page_data(text: str) -> dict:
    """The JSON the page embeds, read back as the browser reads it."""
    m = re.search(r'<script type="application/json" id="finmodel-data">(.*?)</script>', text, re.S)
    assert m is not None
    return json.loads(m.group(1))


def point_values(r: dict, i: int) -> dict:
    """The slider values of grid point ``i`` of reading ``r`` (the last slider fastest)."""
    out = {}
    for s in reversed(r["sliders"]):
        i, k = divmod(i, len(s["values"]))
        out[s["key"]] = s["values"][k]
    return out


def flows_cumulative(result, party: str, columns: int) -> np.ndarray:
    """A party's cumulative net receipts per period, from the single run's tidy flows table."""
    f = result.flows
    per = f[f["party"] == party].groupby("period")["amount_usd"].sum()
    return np.cumsum(per.reindex(range(columns), fill_value=0.0).to_numpy())


def assert_point(r: dict, i: int, result) -> None:
    """Every number the page holds at point ``i`` equals the single run ``result``'s."""
    parties = [p["id"] for p in r["parties"]]
    metrics = r["metrics"]
    for j, pid in enumerate(parties):
        for k, m in enumerate(("received", "paid", "net", "npv")):
            shown = metrics[(i * len(parties) + j) * 4 + k]
            assert abs(shown - result.summary["parties"][pid][m]) <= CENT, (r["name"], i, pid, m)
        s = r["series"][j]
        series = np.array(s["rows"][s["index"][i]])
        expected = flows_cumulative(result, pid, len(series))
        np.testing.assert_allclose(series, expected, rtol=0, atol=CENT)
    pool = r["pool"]
    row = pool["rows"][pool["index"][i]]
    nh = len(pool["holdings"])
    for u, use in enumerate(result.summary["pool"]["uses"]):
        assert use["use"] == pool["uses"][u]
        for h, hid in enumerate(pool["holdings"]):
            assert abs(row[u * nh + h] - use["by_holding"].get(hid, 0.0)) <= CENT


@pytest.fixture(scope="module")
def shipped_page() -> dict:
    readings = [finmodel.load(n) for n in shipped_readings()]
    return page_data(page.html(explore(readings)))


def test_shipped_page_equals_single_runs_at_random_grid_points(shipped_page):
    rng = np.random.default_rng(15)
    for r in shipped_page["readings"]:
        a = finmodel.load(r["name"])
        n = len(r["metrics"]) // (4 * len(r["parties"]))
        assert n == math.prod(len(s["values"]) for s in r["sliders"])
        for i in {0, n - 1, *rng.integers(0, n, size=3).tolist()}:
            assert_point(r, i, finmodel.run(with_overrides(a, point_values(r, i))))


def test_default_sliders_open_at_each_readings_own_values(shipped_page):
    # literal: the US-led fund at 8% and half paid out, 4% discount, no compensation (base.yaml)
    r = next(r for r in shipped_page["readings"] if r["name"] == "literal")
    own = {s["key"]: s["values"][s["at"]] for s in r["sliders"]}
    assert own == {RATE: 0.08, PAYOUT: 0.5, "discount_rate": 0.04, UNSIZED: 0.0}
    assert [len(s["values"]) for s in r["sliders"]] == [13, 5, 4, 4]  # 1,040 points
    # status_quo has no US-led fund and nothing unsized: the discount rate alone
    sq = next(r for r in shipped_page["readings"] if r["name"] == "status_quo")
    assert [s["key"] for s in sq["sliders"]] == ["discount_rate"]
    assert shipped_page["readings"][shipped_page["baseline"]]["name"] == "status_quo"


def test_a_cumulative_series_ends_at_the_partys_net(shipped_page):
    for r in shipped_page["readings"]:
        n_parties = len(r["parties"])
        for j, s in enumerate(r["series"]):
            for i in (0, len(s["index"]) - 1):
                net = r["metrics"][(i * n_parties + j) * 4 + 2]
                assert abs(s["rows"][s["index"][i]][-1] - net) <= 2 * CENT


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_grid_point_equals_its_single_run(data):
    d = data.draw(assumption_dicts())
    a = validated(d)
    vary = data.draw(slider_grids(d))
    try:
        g = explore_reading(a, vary)
    except InputError:  # every point rejected: so is the first by a single run
        first = {k: min({*v, _own(a, k)}) for k, v in vary.items()}
        with pytest.raises(InputError):
            finmodel.run(with_overrides(a, first))
        return
    i = data.draw(st.integers(0, g.n_points - 1))
    values = {}
    rest = i
    for s in reversed(g.sliders):
        rest, k = divmod(rest, len(s.values))
        values[s.key] = s.values[k]
    if g.invalid[i]:
        with pytest.raises(InputError):
            finmodel.run(with_overrides(a, values))
        return
    r = json.loads(_page_of(g))["readings"][0]
    assert_point(r, i, finmodel.run(with_overrides(a, values)))


def _own(a, key):
    from finmodel.studies.explore import value_at

    return value_at(a, key)


def _page_of(g) -> str:
    from finmodel.studies.explore import Exploration

    return page.script_json(page.payload(Exploration(readings=(g,), baseline=g.name)))


def test_page_of_is_the_pages_own_json():
    g = explore_reading(finmodel.load("base"), {"discount_rate": [0.03]})
    from finmodel.studies.explore import Exploration

    e = Exploration(readings=(g,), baseline="base")
    assert page_data(page.html(e)) == json.loads(_page_of(g))


@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(1, 5)),
                  elements=st.floats(-1e11, 1e11).map(lambda x: round(x, 2))))  # fmt: skip
def test_distinct_rows_give_back_every_row_to_the_cent(rows):
    s = distinct(np.vstack([rows, rows[::-1]]))
    np.testing.assert_array_equal(s.rows[s.index], np.vstack([rows, rows[::-1]]))
    assert len(s.rows) <= len(rows)


def test_a_description_holding_script_is_data_not_markup(tmp_path):
    a = finmodel.load("base", {"description": "</script><script>window.pwned=1</script> & <b>"})
    text = page.html(explore([a], {"discount_rate": [0.03]}))
    assert "<script>window.pwned" not in text
    assert "</script><script>" not in text.split('id="finmodel-data">')[1].split("</script>")[0]
    r = page_data(text)["readings"][0]
    assert r["description"] == "</script><script>window.pwned=1</script> & <b>"


def test_the_page_allows_no_network_request():
    text = page.html(explore([finmodel.load("base")], {"discount_rate": [0.03]}))
    head = text.split("</head>")[0]
    assert "default-src 'none'" in head and "connect-src" not in head
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", text)


# --- bad input: exit 2, one line, nothing written ----------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--vary", "vehicles.us_led_fund.retrun.rate=0.1"], "did you mean " + RATE),
        (["--vary", "vehicles.us_led_fund.waterfall.basis=1,2"], "is not a number in base"),
        (["--vary", "discount_rate=low,high"], "values must be numbers"),
        (["--vary", "timeline.years=10,20"], "a slider cannot move it"),
        (
            [
                "--vary",
                f"{RATE}=0:0.3:0.001",
                "--vary",
                f"{PAYOUT}=0:1:0.01",
                "--vary",
                "discount_rate=0:0.2:0.01",
            ],
            "the page would hold at least",
        ),
        (["--vary", "discount_rate=0.03", "--vary", "discount_rate=0.04"], "is varied twice"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, args, says):
    out = tmp_path / "out"
    assert main(["explore", "base", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err, err
    assert not out.exists() or not any(out.iterdir())


def test_an_unknown_reading_exits_2(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["explore", "literal", "no_such_reading", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no_such_reading" in err
    assert not out.exists() or not any(out.iterdir())


def test_a_page_over_the_limit_is_not_written_and_an_earlier_one_stays(tmp_path, monkeypatch):
    e = explore([finmodel.load("base")], {"discount_rate": [0.03]})
    [written] = page.write_explore(e, tmp_path)
    before = written.read_bytes()
    monkeypatch.setattr(page, "MAX_PAGE_BYTES", 1000)
    with pytest.raises(InputError, match="the page would be"):
        page.write_explore(explore([finmodel.load("base")], {"discount_rate": [0.05]}), tmp_path)
    assert written.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.explore.html"]


def test_explore_writes_one_page_for_the_named_readings(tmp_path, capsys):
    assert main(["explore", "status_quo", "literal", "--vary", "discount_rate=0.03,0.05",
                 "--out", str(tmp_path)]) == 0  # fmt: skip
    assert [p.name for p in tmp_path.iterdir()] == ["readings.explore.html"]
    data = page_data((tmp_path / "readings.explore.html").read_text(encoding="utf-8"))
    assert [r["name"] for r in data["readings"]] == ["status_quo", "literal"]
    assert data["readings"][1]["sliders"][0]["values"] == [0.03, 0.04, 0.05]
    assert set(DEFAULT_VALUES) - {s["key"] for s in data["readings"][1]["sliders"]}


def test_a_reading_without_the_sliders_keys_is_its_own_single_run():
    # status_quo has no US-led fund: the page holds one point, the reading as it is
    e = explore([finmodel.load("status_quo"), finmodel.load("literal")], {PAYOUT: [0.0, 1.0]})
    data = json.loads(page.script_json(page.payload(e)))
    sq, lit = data["readings"]
    assert sq["sliders"] == [] and len(sq["metrics"]) == 4 * len(sq["parties"])
    assert_point(sq, 0, finmodel.run(finmodel.load("status_quo")))
    assert [s["values"] for s in lit["sliders"]] == [[0.0, 0.5, 1.0]]
    assert_point(lit, 2, finmodel.run(finmodel.load("literal", {PAYOUT: 1.0})))


def test_a_changed_reading_is_named_and_described_so(tmp_path):
    # explore --set: the page is never written under the reading's own name, and says the change
    from finmodel.api import explore_page

    (page,) = explore_page(["literal"], ["vehicles.us_led_fund.payout=0.4"],
                           ["discount_rate=0.03"], tmp_path)  # fmt: skip
    assert page.name == "literal+us_led_fund.payout=0.4.explore.html"
    text = page.read_text()
    assert "CHANGED by --set: vehicles.us_led_fund.payout=0.4" in text
    assert not (tmp_path / "literal.explore.html").exists()
