"""The command line: ``finmodel run | validate | schema``.

Exit codes: 0 done; 2 bad input (one clear message on stderr, no traceback, nothing written);
1 an internal error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from finmodel.exceptions import MESSAGE_LIMIT, InputError, printable

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2


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
    _inputs(sw, out=True)
    sw.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="KEY=START:STOP:STEP|KEY=v1,v2",
        help="a key path and its values (STOP included); one to three --vary",
    )
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
    cmp.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="assumption files")
    _inputs(cmp, out=True, scenario=False)
    cmp.add_argument("--baseline", default=None, metavar="NAME",
                     help="the scenario the others are measured against "
                          "(default: status_quo if given, else the first)")  # fmt: skip
    val = sub.add_parser("validate", help="check assumption files without running them")
    val.add_argument("files", nargs="+", metavar="FILE")
    _inputs(val, out=False, scenario=False)
    sub.add_parser("schema", help="print the JSON Schema of an assumption file")
    return p


def _inputs(p: argparse.ArgumentParser, out: bool, scenario: bool = True) -> None:
    """The arguments most commands share: a scenario, --set overrides, an --out folder."""
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


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``finmodel`` command; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        if getattr(args, "out", None) is not None:
            from finmodel.files import check_out_dir

            check_out_dir(args.out)
        commands = {
            "run": _run,
            "sweep": _sweep,
            "simulate": _simulate,
            "tornado": _tornado,
            "compare": _compare,
            "validate": _validate,
            "schema": _schema,
        }
        return commands[args.command](args)
    except InputError as e:
        print(f"finmodel: error: {e}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # the reader of our output went away (| head): not our failure
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("finmodel: interrupted; nothing written", file=sys.stderr)
        return 130
    except Exception as e:
        if os.environ.get("FINMODEL_DEBUG"):
            raise
        print(
            f"finmodel: internal error: {type(e).__name__}: {printable(str(e), MESSAGE_LIMIT)} "
            "(set FINMODEL_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _run(args: argparse.Namespace) -> int:
    import finmodel
    from finmodel.loader import load_with_origins

    loaded = load_with_origins(args.scenario or "base", args.sets)
    result = finmodel.run(loaded)
    failed = result.failed_checks()
    if failed:
        worst = max(failed, key=failed.get)
        raise RuntimeError(f"check '{worst}' is off by {failed[worst]:.2f} USD; nothing written")
    paths = result.write(Path(args.out))
    _print_summary(result)
    for p in paths:
        print(f"wrote {printable(str(p))}")
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
    ok = "all checks below 1 cent" if s["checks_ok"] else "CHECKS FAILED"
    print(f"  {ok} (largest error {max(s['checks'].values()):.2g} USD)")


def _sweep(args: argparse.Namespace) -> int:
    from finmodel.loader import load_with_origins
    from finmodel.sweeps import parse_vary, sweep

    if not args.vary:
        raise InputError("give at least one --vary KEY=START:STOP:STEP", file="--vary")
    values: dict = {}
    for text in args.vary:
        key, vals = parse_vary(text)
        if key in values:
            raise InputError("is varied twice", file=f"--vary {text}", field=key)
        values[key] = vals
    loaded = load_with_origins(args.scenario or "base", args.sets)
    result = sweep(loaded.assumptions, values)
    for p in result.write(Path(args.out)):
        print(f"wrote {printable(str(p))}")
    print(f"{len(result.table)} grid points")
    return EXIT_OK


def _whole(text: str) -> int:
    """A whole number >= 0 from the command line (argparse turns the error into exit 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {value}")
    return value


def _simulate(args: argparse.Namespace) -> int:
    from finmodel.loader import load_with_origins
    from finmodel.simulation import simulate

    if args.n < 1:
        raise InputError("N must be at least 1", file="-n")
    loaded = load_with_origins(args.scenario or "base", args.sets)
    bar = _ProgressBar() if sys.stderr.isatty() else None
    result = simulate(loaded.assumptions, args.n, args.seed, args.method, progress=bar)
    if bar:
        bar.close()
    for p in result.write(Path(args.out)):
        print(f"wrote {printable(str(p))}")
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
    from finmodel.loader import load_with_origins
    from finmodel.tornado import tornado

    loaded = load_with_origins(args.scenario or "base", args.sets)
    result = tornado(loaded.assumptions, origins=loaded.origins)
    for p in result.write(Path(args.out)):
        print(f"wrote {printable(str(p))}")
    return EXIT_OK


def _compare(args: argparse.Namespace) -> int:
    import finmodel
    from finmodel.compare import compare
    from finmodel.loader import load_with_origins

    results = [finmodel.run(load_with_origins(s, args.sets)) for s in args.scenarios]
    for r in results:
        failed = r.failed_checks()
        if failed:
            raise RuntimeError(f"{r.name}: check '{max(failed, key=failed.get)}' failed")
    comparison = compare(results, args.baseline)
    for p in comparison.write(Path(args.out)):
        print(f"wrote {printable(str(p))}")
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from finmodel import tornado
    from finmodel.loader import load_with_origins

    for f in args.files:
        loaded = load_with_origins(f, args.sets)
        # what any command would refuse, validate refuses: here, the tornado's ranges
        tornado.check(loaded.assumptions, loaded.origins)
        print(f"{printable(f)}: ok ({loaded.assumptions.name}, sha256 {loaded.sha256[:12]})")
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from finmodel.assumptions import Assumptions

    print(json.dumps(Assumptions.model_json_schema(by_alias=True), indent=2))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
