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


# --- an address that is not a scheduler: one line, exit 2, within seconds, nothing written ----


@pytest.fixture
def silent_port():
    """A plain TCP socket that accepts connections and never says anything."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield server.getsockname()[1]
    server.close()


@pytest.fixture
def closed_port():
    """A port nothing listens on (bound, then closed)."""
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _refused(tmp_path, capsys, command: str, address: str) -> str:
    import time

    from finmodel.cli import main

    out = tmp_path / "out"
    args = {
        "simulate": ["simulate", "-n", "100", "--seed", "1"],
        "sensitivity": ["sensitivity", "-n", "8", "--input", "discount_rate"],
    }[command]
    start = time.monotonic()
    code = main([*args, "--scheduler", address, "--out", str(out)])
    took = time.monotonic() - start
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert "Traceback" not in err and address in err
    assert took < 10 + 5, took  # about 10 s at most (the probe waits 4 s): here, not a hang
    assert not out.exists()
    return err


@pytest.mark.parametrize("command", ["simulate", "sensitivity"])
def test_a_port_that_says_nothing_is_not_a_scheduler(tmp_path, capsys, silent_port, command):
    err = _refused(tmp_path, capsys, command, f"tcp://127.0.0.1:{silent_port}")
    assert "says nothing" in err and "not a Dask scheduler" in err


def test_a_closed_port_is_unreachable(tmp_path, capsys, closed_port):
    err = _refused(tmp_path, capsys, "sensitivity", f"tcp://127.0.0.1:{closed_port}")
    assert "cannot reach a Dask scheduler" in err


@pytest.mark.parametrize(
    ("address", "says"),
    [
        ("tcp://[::1", "malformed"),
        ("http://127.0.0.1:8786", "http:// is not a Dask protocol"),
        ("tcp://127.0.0.1:99999", "from 1 to 65535"),
        ("tcp://127.0.0.1", "no port"),
        ("tcp://:8786", "no host"),
        ("inproc://nothing", "no Dask scheduler runs in this process"),
    ],
)
def test_a_malformed_address_is_one_line_at_once(tmp_path, capsys, address, says):
    assert says in _refused(tmp_path, capsys, "simulate", address)


def test_a_server_that_answers_otherwise_is_not_a_scheduler(tmp_path, capsys):
    # an SSH-like banner: Dask's client would read "SSH-2.0-" as a frame of 3.3e17 bytes
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)

    def banner():
        try:
            while True:
                conn, _ = server.accept()
                conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
                conn.close()
        except OSError:  # closed at the end of the test
            pass

    threading.Thread(target=banner, daemon=True).start()
    try:
        err = _refused(tmp_path, capsys, "simulate", f"tcp://127.0.0.1:{server.getsockname()[1]}")
    finally:
        server.close()
    assert "not as a Dask scheduler" in err


def test_a_real_tcp_scheduler_passes_the_check():
    from finmodel.studies.scheduler import check_scheduler

    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None, protocol="tcp://"
    ) as cluster:
        check_scheduler(cluster.scheduler_address)  # raises if it is taken for something else
