"""The command line's break-even and global-sensitivity commands: ``finmodel solve`` and
``finmodel sensitivity`` (docs/solve.md, docs/sensitivity.md), and the ``--scheduler`` option
that ``simulate`` shares. :mod:`finmodel.cli` registers them; reading the scenario and writing
the files stay its own (imported from it when a command runs).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from types import ModuleType


def add_parsers(command: Callable, inputs: Callable, sub) -> None:
    """Add ``solve`` and ``sensitivity`` to the command line (``command(name, help)`` makes a
    subcommand, with its examples), and ``--scheduler`` to ``simulate`` (among the
    subcommands ``sub``); ``inputs`` adds the arguments commands share."""
    _solve_parser(command, inputs)
    _sensitivity_parser(command, inputs)
    scheduler_argument(sub.choices["simulate"])


def commands(cli: ModuleType) -> dict[str, Callable[[argparse.Namespace], int]]:
    """The commands of this module, each given the module of the command line's commands
    (``cli``: :mod:`finmodel.cli_commands`, passed in) for reading the scenario and writing the
    files."""
    return {"solve": lambda args: solve(args, cli),
            "sensitivity": lambda args: sensitivity(args, cli)}  # fmt: skip


def _data(rows: list[dict], fmt: str) -> None:
    """``rows`` on stdout as JSON or CSV, for a script."""
    import csv
    import json

    if fmt == "json":
        print(json.dumps(rows, indent=2))
    elif rows:
        w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def whole(text: str) -> int:
    """A whole number >= 0 from the command line (argparse turns the error into exit 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {value}")
    return value


def _sensitivity_parser(command: Callable, inputs: Callable) -> None:
    sen = command("sensitivity", "Sobol or Morris indices: which inputs drive whom")
    inputs(sen, out=True)
    sen.add_argument("-n", dest="n", required=True, type=whole, metavar="N",
                     help="base samples (Sobol: a power of two; N (D + 2) runs)")  # fmt: skip
    sen.add_argument("--seed", type=whole, default=0, metavar="S", help="random seed (default 0)")
    sen.add_argument("--method", choices=("sobol", "morris"), default="sobol",
                     help="Sobol indices (default) or Morris screening (cheaper)")  # fmt: skip
    sen.add_argument("--input", dest="inputs", action="append", default=[],
                     metavar="KEY|KEY=LOW:HIGH",
                     help="an input (repeatable); default: the tornado ranges and the return "
                          "uncertainties")  # fmt: skip
    scheduler_argument(sen)


def scheduler_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run the chunks on a Dask cluster, e.g. tcp://host:8786 "
                        "(pip install 'finmodel[dask]')")  # fmt: skip


def _solve_parser(command: Callable, inputs: Callable) -> None:
    sol = command("solve", "the values of one input at which a metric equals a target")
    inputs(sol, out=True)
    sol.add_argument("--vary", required=True, metavar="KEY=LOW:HIGH",
                     help="the input to solve for and the range to search")  # fmt: skip
    sol.add_argument("--target", required=True, metavar="METRIC=VALUE|METRIC=READING:METRIC",
                     help="e.g. parties.us.npv=100e9 or parties.ukraine.npv=status_quo:parties."
                          "ukraine.npv (metrics named as in NAME.summary.json)")  # fmt: skip


def solve(args: argparse.Namespace, cli: ModuleType) -> int:
    """``finmodel solve``: the roots, each solved run's summary, the files."""
    from finmodel.reports.headlines import run_headline
    from finmodel.studies import solve as study

    key, bounds = study.parse_bounds(args.vary)
    loaded = cli._load(args)
    cli._check_targets(args, "solve", loaded.assumptions.name)
    target = study.parse_target(loaded.assumptions, args.target)
    result = study.solve(loaded.assumptions, key, bounds, target, where=f"--vary {args.vary}")
    runs = study.solved_runs(result)
    text = args.format == "table"  # else stdout holds the data only: the roots
    for x, r in zip(result.roots, runs):
        at = float(target.metric.of(r.outcome)[0])
        line = f"{key} = {x:.12g}: {target.metric.name} = {at:.12g} (target {target.text})"
        print(line, file=sys.stdout if text else sys.stderr)
        if text:
            cli._show(run_headline(r), args)
    if not text:
        _data([{"key": key, "root": float(x)} for x in result.roots], args.format)
    cli._say_written(cli._write(result, args), args)
    return cli.EXIT_OK


def sensitivity(args: argparse.Namespace, cli: ModuleType) -> int:
    """``finmodel sensitivity``: the indices, the top drivers per party, the files."""
    from finmodel.studies.sensitivity import sensitivity as run_sensitivity
    from finmodel.studies.sensitivity import top_drivers
    from finmodel.studies.solve import parse_bounds

    keys: dict | None = None
    if args.inputs:
        keys = {}
        for text in args.inputs:
            key, bounds = parse_bounds(text, "--input") if "=" in text else (text, None)
            keys[key] = bounds
    loaded = cli._load(args)
    cli._check_targets(args, "sensitivity", loaded.assumptions.name)
    result = run_sensitivity(loaded.assumptions, args.n, args.seed, args.method, keys,
                             scheduler=args.scheduler)  # fmt: skip
    by = "total order" if args.method == "sobol" else "mu*, USD bn"
    scale = 1.0 if args.method == "sobol" else 1e9  # Morris's mu* of an NPV is money
    rows = []
    for output, drivers in top_drivers(result).items():
        cells = ", ".join(f"{k} {v / scale:.2f}" for k, v in drivers)
        if args.format == "table":
            print(f"{output}: top drivers by {by}: {cells}")
        rows += [{"output": output, "input": k, by: v / scale} for k, v in drivers]
    if args.format != "table":
        _data(rows, args.format)
    cli._say_written(cli._write(result, args), args)
    return cli.EXIT_OK
