"""A vehicle that earns no return says so in words, wherever its IRR is shown (issue 13, 3)."""

from hypothesis import given, settings
from strategies import assumption_dicts, run

import finmodel
from finmodel.engine.metrics import NO_RETURN, NOTHING_PAID
from finmodel.kinds import VehicleKind


def test_the_base_grant_says_it_pays_no_return():
    # european_fund is a $100bn grant: Europe pays in, Ukraine receives the same amount in the
    # same period, so the investors' flows cancel; the reason is the grant's, not "no cash flows"
    v = finmodel.run(finmodel.load("base")).summary["vehicles"]
    assert v["european_fund"]["irr"] is None
    assert v["european_fund"]["irr_note"] == "a grant pays no return, so it has no IRR"
    # the release of the European holdings to Russia at year 0 earns nothing either
    assert v["unfrozen_european_assets"]["irr_note"] == NO_RETURN[VehicleKind.release]
    # the guarantee compensation is a stream of 0 a year and the World Bank lends 0: a stream
    # has no capital; a loan of nothing has no flows
    assert v["us_guarantee_compensation"]["irr_note"] == NO_RETURN[VehicleKind.stream]
    assert v["world_bank_package"]["irr_note"] == NOTHING_PAID


@settings(max_examples=25, deadline=None)
@given(assumption_dicts(kinds=("grant",), max_vehicles=2))
def test_every_grant_has_the_grant_reason_and_no_irr(d):
    for vid, v in run(d).summary["vehicles"].items():
        assert v["irr"] is None, vid
        assert v["irr_note"] == NO_RETURN[VehicleKind.grant]
