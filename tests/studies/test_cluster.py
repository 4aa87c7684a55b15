"""Chunks on a Dask cluster: a simulation's and a sensitivity's numbers are bit for bit those
of a local run (chunk c draws from (seed, c); a sensitivity's chunks are rows of a fixed
sample)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import finmodel
from finmodel.studies import sensitivity as sens_module
from finmodel.studies import simulation as sim_module

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:  # fmt: skip
        yield cluster.scheduler_address


def test_simulation_on_two_workers_equals_the_local_run(scheduler, monkeypatch):
    monkeypatch.setattr(sim_module, "CHUNK", 1000)  # three chunks of 1,000 and one of 500
    a = finmodel.load("base")
    local = sim_module.simulate(a, 3500, seed=11, workers=1)
    remote = sim_module.simulate(a, 3500, seed=11, scheduler=scheduler)
    pd.testing.assert_frame_equal(local.stats, remote.stats, check_exact=True)
    pd.testing.assert_frame_equal(local.fan, remote.fan, check_exact=True)
    for p, (edges, counts) in local.histograms.items():
        assert np.array_equal(edges, remote.histograms[p][0])
        assert np.array_equal(counts, remote.histograms[p][1])


def test_sensitivity_on_two_workers_equals_the_local_run(scheduler, monkeypatch):
    monkeypatch.setattr(sens_module, "POINTS_PER_CHUNK", 50)  # 256 runs: six chunks
    a = finmodel.load("base")
    keys = {"vehicles.us_led_fund.return.rate": None, "fx.EUR.rate": None}
    local = sens_module.sensitivity(a, 64, seed=2, keys=keys)
    remote = sens_module.sensitivity(a, 64, seed=2, keys=keys, scheduler=scheduler)
    assert local.runs == 256
    pd.testing.assert_frame_equal(local.table, remote.table, check_exact=True)


def test_unreachable_scheduler_is_one_line_exit_2_nothing_written(tmp_path, capsys):
    from finmodel.cli import main

    out = tmp_path / "out"
    code = main(["simulate", "-n", "100", "--seed", "1", "--scheduler", "tcp://127.0.0.1:9",
                 "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "cannot reach a Dask scheduler" in err
    assert not out.exists()
