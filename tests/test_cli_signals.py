"""Ctrl-C and SIGTERM around a command's reports (finmodel.cli_signals): before they are
written, the command stops with one line and nothing written, even where a library swallowed
the KeyboardInterrupt; once they are written, the signal changes nothing (exit 0, the reports
complete). Each run is in this process: the signal is sent to it with os.kill."""

from __future__ import annotations

import os
import signal
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import finmodel.cli_commands
import finmodel.studies.simulation
from finmodel.cli import main

MESSAGES = {signal.SIGINT: "finmodel: interrupted; nothing written\n",
            signal.SIGTERM: "finmodel: terminated; nothing written\n"}  # fmt: skip
CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}


def _reports(factory) -> list[str]:
    """The files a run of the same command writes when nothing interrupts it."""
    out = factory.mktemp("reference") / "out"
    assert main(["simulate", "-n", "50", "--seed", "1", "--out", str(out)]) == 0
    return sorted(p.name for p in out.iterdir())


def _signal_self(sig: int) -> None:
    """Send ``sig`` to this process and give its handler the moment to run."""
    os.kill(os.getpid(), sig)
    time.sleep(0.5)  # the handler raises here; a handler that ignores it lets the sleep end


def _during_the_run(monkeypatch, sig: int, swallowed: bool) -> None:
    real = finmodel.studies.simulation.simulate

    def simulate(*args, **kwargs):
        try:
            _signal_self(sig)
        except KeyboardInterrupt:
            if not swallowed:
                raise
            # as a library's bare except: (or a __del__) would: the run goes on
        return real(*args, **kwargs)

    monkeypatch.setattr(finmodel.studies.simulation, "simulate", simulate)


def _after_the_reports(monkeypatch, sig: int) -> None:
    real = finmodel.cli_commands._show

    def show(*args, **kwargs):
        _signal_self(sig)
        return real(*args, **kwargs)

    monkeypatch.setattr(finmodel.cli_commands, "_show", show)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    sig=st.sampled_from([signal.SIGINT, signal.SIGTERM]),
    moment=st.sampled_from(["during", "during, swallowed", "after the reports"]),
)
def test_a_signal_stops_the_command_or_changes_nothing(tmp_path_factory, monkeypatch, capsys,
                                                       sig, moment):  # fmt: skip
    out = tmp_path_factory.mktemp("signals") / "out"
    with monkeypatch.context() as m:
        if moment == "after the reports":
            _after_the_reports(m, sig)
        else:
            _during_the_run(m, sig, swallowed=moment.endswith("swallowed"))
        code = main(["simulate", "-n", "50", "--seed", "1", "--out", str(out)])
    err = capsys.readouterr().err
    if moment == "after the reports":  # too late to stop anything: the command is done
        assert code == 0 and "nothing written" not in err, err
        assert sorted(p.name for p in out.iterdir()) == _reports(tmp_path_factory)
    else:  # stopped, even where the KeyboardInterrupt was swallowed on its way
        assert code == CODES[sig] and err == MESSAGES[sig], err
        assert not out.exists()
    # the handlers are the caller's again
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_a_swallowed_ctrl_c_is_not_lost(tmp_path, monkeypatch, capsys):
    # the worked case: the KeyboardInterrupt is caught inside the simulation and the run
    # finishes; before, its reports were written and the command said nothing (exit 0)
    _during_the_run(monkeypatch, signal.SIGINT, swallowed=True)
    out = tmp_path / "out"
    assert main(["simulate", "-n", "50", "--seed", "1", "--out", str(out)]) == 130
    assert capsys.readouterr().err == MESSAGES[signal.SIGINT]
    assert not out.exists()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_ignored_signal_stays_ignored(sig, tmp_path, capsys):
    # under nohup (SIGINT or SIGTERM ignored), finmodel leaves it so
    previous = signal.signal(sig, signal.SIG_IGN)
    try:
        assert main(["simulate", "-n", "20", "--seed", "1", "--out", str(tmp_path)]) == 0
        assert signal.getsignal(sig) is signal.SIG_IGN
    finally:
        signal.signal(sig, previous)
