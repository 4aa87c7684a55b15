"""The command line: ``finmodel run | sweep | simulate | tornado | compare | explore | ...``.

Exit codes: 0 done; 2 bad input (one clear message on stderr, no traceback, nothing written);
1 an internal error, or a disk too full for the work (one message, nothing written). Ctrl-C and
SIGTERM: one message, nothing written, temporary files removed, and :func:`main` returns 130 or
143; the process then ends by that signal (:func:`console`), which a shell reports as 130 or
143.

This module imports nothing heavy at the top: numpy, pandas and pydantic are imported inside
:func:`main`, after its handlers are in place, so that Ctrl-C or SIGTERM while they load ends
with one line too.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from finmodel import cli_questions as questions
from finmodel.exceptions import MESSAGE_LIMIT, InputError, ResourceError, printable

if TYPE_CHECKING:
    from finmodel.inputs.loader import Loaded

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 128 + signal.SIGTERM
_whole = questions.whole  # a whole number >= 0 from the command line


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors in finmodel's one-line form (exit code 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        message = printable(message, MESSAGE_LIMIT)
        self.exit(EXIT_INPUT, f"finmodel: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="finmodel",
        description="Cash flows of the 28-point plan's reconstruction funds: who receives what.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    run = sub.add_parser("run", help="run a scenario and write its report")
    _inputs(run, out=True)
    sw = sub.add_parser("sweep", help="run a grid of values of one to three assumptions")
    _inputs(sw, out=True, vary="KEY=START:STOP:STEP (STOP included) or KEY=v1,v2; one to three")
    sim = sub.add_parser("simulate", help="Monte Carlo over the vehicles' returns")
    _inputs(sim, out=True)
    sim.add_argument("-n", dest="n", required=True, type=_whole, metavar="N", help="scenarios")
    sim.add_argument("--seed", required=True, type=_whole, metavar="S", help="random seed, >= 0")
    sim.add_argument(
        "--method",
        choices=("mc", "lhs"),
        default="mc",
        help="plain Monte Carlo or Latin hypercube (default mc)",
    )
    tor = sub.add_parser("tornado", help="move each key input alone to its low and high value")
    _inputs(tor, out=True)
    cmp = sub.add_parser("compare", help="run several readings and compare them with a baseline")
    cmp.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                     help="assumption files (default: both baselines and every shipped reading)")
    _inputs(cmp, out=True, scenario=False)
    cmp.add_argument("--baseline", default=None, metavar="NAME",
                     help="the scenario the others are measured against "
                          "(default: status_quo if given, else the first)")  # fmt: skip
    exp = sub.add_parser("explore", help="write one self-contained interactive page of readings")
    exp.add_argument("scenarios", nargs="*", metavar="SCENARIO", help="default: every shipped one")
    _inputs(exp, out=True, scenario=False, vary="a slider: KEY=START:STOP:STEP or KEY=v1,v2")
    val = sub.add_parser("validate", help="check assumption files without running them")
    val.add_argument("files", nargs="+", metavar="FILE")
    _inputs(val, out=False, scenario=False)
    sub.add_parser("schema", help="print the JSON Schema of an assumption file")
    questions.add_parsers(sub, _inputs)
    return p


def _inputs(p: argparse.ArgumentParser, out: bool, scenario: bool = True, vary: str = "") -> None:
    """The arguments most commands share: a scenario, --set, --out, and --vary if ``vary``."""
    if scenario:
        p.add_argument(
            "scenario",
            nargs="?",
            default=None,
            help="assumption file (YAML); default: the shipped base case",
        )
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one value, e.g. vehicles.us_led_fund.return.rate=0.04 (repeatable)",
    )
    if out:
        p.add_argument(
            "--out", default="reports", metavar="DIR", help="output folder (default: reports)"
        )
    if vary:
        p.add_argument("--vary", action="append", default=[], metavar="KEY=VALUES", help=vary)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``finmodel`` command; returns the exit code."""
    try:
        with _terminate_like_ctrl_c():  # inside the try: no moment without a handler
            return _main(argv)
    except InputError as e:
        print(f"finmodel: error: {e}", file=sys.stderr)
        return EXIT_INPUT
    except ResourceError as e:
        print(f"finmodel: error: {e}", file=sys.stderr)
        return EXIT_INTERNAL
    except BrokenPipeError:  # the reader of our output went away (| head): not our failure
        sys.stderr.close()
        return EXIT_OK
    except _Terminated:
        print("finmodel: terminated; nothing written", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print("finmodel: interrupted; nothing written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as e:
        if os.environ.get("FINMODEL_DEBUG"):
            raise
        print(
            f"finmodel: internal error: {type(e).__name__}: {printable(str(e), MESSAGE_LIMIT)} "
            "(set FINMODEL_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    if getattr(args, "out", None) is not None:
        from finmodel.reports.files import check_out_dir

        check_out_dir(args.out)
    commands = {
        "run": _run,
        "sweep": _sweep,
        "simulate": _simulate,
        "tornado": _tornado,
        "compare": _compare,
        "explore": _explore,
        "validate": _validate,
        "schema": _schema,
    }
    return {**commands, **questions.commands(sys.modules[__name__])}[args.command](args)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that the same clean-up runs as for Ctrl-C."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise _Terminated


@contextlib.contextmanager
def _terminate_like_ctrl_c() -> Iterator[None]:
    """Turn SIGTERM into :class:`_Terminated` while the command runs (Python's default would
    end the process at once, leaving temporary files); the earlier handler comes back after.

    Left alone where SIGTERM is ignored, or when not called from the main thread."""
    try:
        previous = signal.getsignal(signal.SIGTERM)
        if previous is not signal.SIG_IGN:
            signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread
        previous = None
    try:
        yield
    finally:
        if previous not in (None, signal.SIG_IGN):
            signal.signal(signal.SIGTERM, previous)


def _load(args: argparse.Namespace, scenario: str | None = None) -> Loaded:
    """The scenario (a path or a shipped name; ``base`` when none is given) with the
    ``--set`` overrides applied, validated, with the files it came from."""
    from finmodel.inputs.loader import load_with_origins

    return load_with_origins(scenario or args.scenario or "base", args.sets)


def _write(result: object, args: argparse.Namespace) -> list[Path]:
    """Write ``result``'s report set into ``--out``."""
    from finmodel import reports

    return reports.write(result, Path(args.out))


def _say_written(paths: list[Path]) -> None:
    """Say what was written: one line per file."""
    for p in paths:
        print(f"wrote {printable(str(p))}")


def _check_targets(args: argparse.Namespace, command: str, name: str) -> None:
    """Refuse at once, before the work, a report whose files could not replace what is there."""
    from finmodel.reports.files import check_targets, report_paths

    check_targets(report_paths(args.out, command, name))


def _run(args: argparse.Namespace) -> int:
    import finmodel

    loaded = _load(args)
    _check_targets(args, "run", loaded.assumptions.name)
    result = finmodel.run(loaded)
    failed = result.failed_checks()
    if failed:
        worst = max(failed, key=failed.__getitem__)
        raise RuntimeError(f"check '{worst}' is off by {failed[worst]:.2f} USD; nothing written")
    paths = _write(result, args)
    _print_summary(result)
    _say_written(paths)
    return EXIT_OK


def _print_summary(result) -> None:
    s = result.summary
    print(f"scenario {s['scenario']}: who receives what (USD bn; + received, - paid)")
    keys = ["received", "paid", "net", "npv"]
    heads = ["received", "paid", "net", "NPV"]
    if any(p["terminal_claim"] for p in s["parties"].values()):
        keys.append("terminal_claim")  # a vehicle runs past the horizon: show who owns its value
        heads.append("TV claim")
    print("  " + f"{'party':<10}" + "".join(f"{h:>11}" for h in heads))
    for pid, p in s["parties"].items():
        cells = "".join(f"{p[k] / 1e9:>11.1f}" for k in keys)
        print(f"  {pid:<10}{cells}")
    ok = "all checks hold" if s["checks_ok"] else "CHECKS FAILED"
    worst = max(s["checks"], key=lambda k: s["checks"][k] / s["checks_tolerance_usd"][k])
    error, allowed = s["checks"][worst], s["checks_tolerance_usd"][worst]
    print(f"  {ok} (closest to its tolerance: {worst}, off by {error:.2g} USD of "
          f"{allowed:.2g} allowed: a cent, or 8 ulps of the money)")  # fmt: skip


def _sweep(args: argparse.Namespace) -> int:
    from finmodel.studies.sweep import parse_varies, sweep

    if not args.vary:
        raise InputError("give at least one --vary KEY=START:STOP:STEP", file="--vary")
    values = parse_varies(args.vary)
    loaded = _load(args)
    _check_targets(args, "sweep", loaded.assumptions.name)
    result = sweep(loaded.assumptions, values)
    _say_written(_write(result, args))
    print(f"{len(result.table)} grid points")
    if result.n_invalid:
        print(
            f"finmodel: {result.n_invalid:,} of {len(result.table):,} grid points are invalid "
            "(a single run rejects them): not computed; the 'invalid' column says why",
            file=sys.stderr,
        )
    return EXIT_OK


def _simulate(args: argparse.Namespace) -> int:
    from finmodel.studies.simulation import simulate

    if args.n < 1:
        raise InputError("N must be at least 1", file="-n")
    loaded = _load(args)
    _check_targets(args, "simulate", loaded.assumptions.name)
    bar = _ProgressBar() if sys.stderr.isatty() else None
    try:
        result = simulate(loaded.assumptions, args.n, args.seed, args.method, progress=bar,
                          scheduler=args.scheduler)  # fmt: skip
    except InputError as e:
        if e.field != "n":
            raise
        raise InputError(e.message, file=f"-n {args.n}") from None
    if bar:
        bar.close()
    _say_written(_write(result, args))
    return EXIT_OK


class _ProgressBar:
    """A one-line progress bar on stderr (only when stderr is a terminal)."""

    def __call__(self, done: int, total: int) -> None:
        width = 40
        filled = width * done // total
        bar = "#" * filled + "-" * (width - filled)
        print(f"\rsimulate [{bar}] {done:,}/{total:,}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        print(file=sys.stderr)


def _tornado(args: argparse.Namespace) -> int:
    from finmodel.studies.tornado import tornado

    loaded = _load(args)
    _check_targets(args, "tornado", loaded.assumptions.name)
    result = tornado(loaded.assumptions, origins=loaded.origins)
    _say_written(_write(result, args))
    if result.n_invalid:
        print(
            f"finmodel: {result.n_invalid} low or high value(s) are invalid (a single run "
            "rejects them): not computed; the 'invalid' column says why",
            file=sys.stderr,
        )
    return EXIT_OK


def _compare(args: argparse.Namespace) -> int:
    import finmodel
    from finmodel.reports.compare import headline
    from finmodel.studies.compare import DEFAULT_SET, checked, compare

    _check_targets(args, "compare", "")
    results = checked([finmodel.run(_load(args, s)) for s in args.scenarios or DEFAULT_SET])
    comparison = compare(results, args.baseline)
    _say_written(_write(comparison, args))
    print(headline(comparison))
    return EXIT_OK


def _explore(args: argparse.Namespace) -> int:
    from finmodel.api import explore_page
    _say_written(explore_page(args.scenarios, args.sets, args.vary, args.out))
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from finmodel.studies import tornado

    for f in args.files:
        loaded = _load(args, f)
        # what any command would refuse, validate refuses: here, the tornado's ranges
        tornado.check(loaded.assumptions, loaded.origins)
        print(f"{printable(f)}: ok ({loaded.assumptions.name}, sha256 {loaded.sha256[:12]})")
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from finmodel.inputs.models.scenario import Assumptions

    print(json.dumps(Assumptions.model_json_schema(by_alias=True), indent=2))
    return EXIT_OK


def console() -> None:
    """The ``finmodel`` command (and ``python -m finmodel.cli``): :func:`main`, then the end of
    the process.

    After Ctrl-C or SIGTERM, once everything is cleaned up and the one line printed, the
    process ends by that same signal, as Unix tools should: the shell reports 130 or 143, and a
    shell script that ran finmodel stops too (one that exits normally with 130 would let the
    script go on). This also makes the ending certain: CPython itself ends a process by SIGINT
    at exit when a KeyboardInterrupt passed through code run by ``exec`` (scipy runs some while
    it loads), even though :func:`main` caught it.
    """
    ending: list[int] = []
    # registered before main imports anything that registers its own: runs after all of them
    atexit.register(_end_by_signal, ending)
    code = main()
    ending += [sig for sig, c in _SIGNAL_EXITS.items() if c == code]
    sys.exit(code)


_SIGNAL_EXITS = {signal.SIGINT: EXIT_INTERRUPTED, signal.SIGTERM: EXIT_TERMINATED}


def _end_by_signal(ending: list[int]) -> None:
    """The last exit handler: if the command was interrupted, end by the signal that did it."""
    if not ending:
        return
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    signal.signal(ending[0], signal.SIG_DFL)
    os.kill(os.getpid(), ending[0])


if __name__ == "__main__":
    console()
