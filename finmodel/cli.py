"""The command line: ``finmodel run | sweep | simulate | tornado | compare | explore | solve |
sensitivity | validate | list | schema``.

Each command prints its headline table (:mod:`finmodel.reports.headlines`) with ``rich``, or as
JSON or CSV with ``--format`` (then stdout holds the data only; the files written are named on
stderr). A run with ``--set`` overrides is named after them (or ``--name``), never as the file's
own scenario.

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
import os
import signal
import sys

from finmodel import cli_questions as questions
from finmodel import cli_signals as signals
from finmodel.cli_help import EXAMPLES
from finmodel.exceptions import MESSAGE_LIMIT, InputError, ResourceError, printable

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 128 + signal.SIGTERM


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

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help, epilog=EXAMPLES[name],
                              formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip

    run = command("run", "run a scenario and write its report")
    _inputs(run, out=True)
    sw = command("sweep", "run a grid of values of one to three assumptions")
    _inputs(sw, out=True)
    sw.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="KEY=START:STOP:STEP|KEY=v1,v2",
        help="a key path and its values (STOP included); one to three --vary",
    )
    sim = command("simulate", "Monte Carlo over the vehicles' returns")
    _inputs(sim, out=True)
    whole = questions.whole
    sim.add_argument("-n", dest="n", required=True, type=whole, metavar="N", help="scenarios")
    sim.add_argument("--seed", required=True, type=whole, metavar="S", help="random seed, >= 0")
    sim.add_argument(
        "--method",
        choices=("mc", "lhs"),
        default="mc",
        help="plain Monte Carlo or Latin hypercube (default mc)",
    )
    tor = command("tornado", "move each key input alone to its low and high value")
    _inputs(tor, out=True)
    cmp = command("compare", "run several readings and compare them with a baseline")
    cmp.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                     help="assumption files (default: both baselines and every shipped reading)")
    _inputs(cmp, out=True, scenario=False)
    cmp.add_argument("--baseline", default=None, metavar="NAME",
                     help="the scenario the others are measured against "
                          "(default: status_quo if given, else the first)")  # fmt: skip
    exp = command("explore", "write one self-contained interactive page of readings")
    exp.add_argument("scenarios", nargs="*", metavar="SCENARIO", help="default: every shipped one")
    _inputs(exp, out=True, scenario=False, headline=False)  # a page: no table to format
    exp.add_argument("--vary", action="append", default=[], metavar="KEY=VALUES",
                     help="a slider: KEY=START:STOP:STEP or KEY=v1,v2")  # fmt: skip
    val = command("validate", "check assumption files without running them")
    val.add_argument("files", nargs="+", metavar="FILE")
    _inputs(val, out=False, scenario=False)
    command("schema", "print the JSON Schema of an assumption file")
    lst = command("list", "show the shipped readings and the numbers --set may change")
    lst.add_argument("scenario", nargs="?", default="base", help="whose numbers (default base)")
    _format(lst)
    questions.add_parsers(command, _inputs, sub)
    return p


def _format(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("table", "json", "csv"), default="table",
                   help="the headline table: for people, or for a script (stdout)")  # fmt: skip


def _inputs(
    p: argparse.ArgumentParser, out: bool, scenario: bool = True, headline: bool = True
) -> None:
    """The arguments most commands share: a scenario, --set overrides, an --out folder, and
    (``headline``: a command that prints a table) --format."""
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
    if out and headline:
        _format(p)
    if out and scenario:
        p.add_argument("--name", default=None, metavar="NAME",
                       help="the reports' name (default: the scenario's +KEY=VALUE)")  # fmt: skip
        p.add_argument("--force", action="store_true",
                       help="replace a same-named report of other inputs")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``finmodel`` command; returns the exit code."""
    try:
        with signals.handled():  # inside the try: no moment without a handler
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
    except signals.Terminated:
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
    from finmodel import cli_commands

    commands = {**cli_commands.COMMANDS, **questions.commands(cli_commands)}
    return commands[args.command](args)


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
    signals.process_ends_with_command = True  # a Ctrl-C after the reports are written: ignored
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
