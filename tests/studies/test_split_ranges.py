"""docs/readings.md says a split's range cannot be a tornado bar: one share moved alone is
refused, since the shares must sum to 1; moving both shares together runs (issue 12, docs)."""

import pytest

import finmodel
from finmodel.exceptions import InputError
from finmodel.studies.tornado import tornado

SPLIT = "vehicles.us_russia_instrument.waterfall.profit_split"


def test_one_share_of_a_split_is_refused_as_a_tornado_range():
    a = finmodel.load("instrument_split")
    with pytest.raises(InputError, match="shares must sum to 1"):
        tornado(a, {f"{SPLIT}.us": (0.25, 0.75)})


def test_both_shares_moved_together_run_as_the_docs_say():
    # the instrument's profit a quarter to the US: the US's share of it halves
    half = finmodel.run(finmodel.load("instrument_split")).summary["parties"]["us"]["by_vehicle"]
    quarter = finmodel.run(finmodel.load("instrument_split", {f"{SPLIT}.us": 0.25,
                                                              f"{SPLIT}.russia": 0.75}))
    got = quarter.summary["parties"]["us"]["by_vehicle"]["us_russia_instrument"]
    want = half["us_russia_instrument"]
    assert got["profit_received"] == pytest.approx(want["profit_received"] / 2, rel=1e-12)
