"""What each ``finmodel`` command does, once :mod:`finmodel.cli` has read its arguments.

Each command prints its headline table (:mod:`finmodel.reports.headlines`) with ``rich``, or as
JSON or CSV with ``--format`` (then stdout holds the data only; the files written are named on
stderr). A run with ``--set`` overrides is named after them (or ``--name``), never as the file's
own scenario.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from finmodel.exceptions import InputError, printable

if TYPE_CHECKING:
    from finmodel.inputs.loader import Loaded

EXIT_OK = 0


def _load(args: argparse.Namespace, scenario: str | None = None) -> Loaded:
    """The scenario (a path or a shipped name; ``base`` when none is given) with the
    ``--set`` overrides applied, validated, with the files it came from; named after the
    overrides (the loader does that), or ``--name``."""
    from finmodel.inputs.loader import load_with_origins

    loaded = load_with_origins(scenario or args.scenario or "base", args.sets)
    name = getattr(args, "name", None)
    return _renamed(loaded, args.sets, name) if name else loaded


def _renamed(loaded: Loaded, sets: list[str], name: str) -> Loaded:
    """``loaded`` under the name ``--name`` gives it; refused when that is the name of the
    unchanged scenario and ``--set`` changed it."""
    import dataclasses

    from finmodel.inputs.loader import digest, identity, with_overrides
    from finmodel.inputs.overrides import changes

    a = loaded.assumptions
    if sets and name == loaded.scenario:
        raise InputError(f"is the name of the unchanged scenario: a run with --set needs "
                         f"another, e.g. '{name}_changed'", file=f"--name {name}")  # fmt: skip
    renamed = with_overrides(a, {"name": name}, "--name")
    return dataclasses.replace(
        loaded, assumptions=renamed, sha256=digest(renamed),
        identity=identity(loaded.files[-1][0], changes(sets or []), name) if loaded.files else "",
    )


def _write(result: object, args: argparse.Namespace) -> list[Path]:
    """Write ``result``'s report set into ``--out``: not after a Ctrl-C that something
    swallowed; after it, a Ctrl-C changes nothing (:mod:`finmodel.cli_signals`)."""
    from finmodel import cli_signals, reports

    cli_signals.before_writing()
    paths = reports.write(result, Path(args.out))
    cli_signals.after_writing()
    return paths


def _say_written(paths: list[Path], args: argparse.Namespace) -> None:
    """Say what was written, one line per file: on stderr when stdout carries JSON or CSV."""
    out = sys.stdout if getattr(args, "format", "table") == "table" else sys.stderr
    for p in paths:
        print(f"wrote {printable(str(p))}", file=out)


def _report(result: Any, headline: Callable[[Any], object], args: argparse.Namespace) -> None:
    """Write ``result``'s files, show its headline table (made by ``headline``, a function of
    :mod:`finmodel.reports.headlines`), then say what was written."""
    paths = _write(result, args)
    _show(headline(result), args)
    _say_written(paths, args)


def _with_changes(result: Any, loaded: Loaded) -> Any:
    """A study's result with its scenario's ``--set`` changes in words, which its workbook
    lists at the top."""
    import dataclasses

    return dataclasses.replace(
        result, changes=loaded.changes, identity=loaded.identity or loaded.sha256
    )


def _show(headline: object, args: argparse.Namespace) -> None:
    from finmodel.reports.console import show

    show(headline, args.format)  # type: ignore[arg-type]


def _check_targets(args: argparse.Namespace, command: str, name: str,
                   loaded: Loaded | None = None) -> None:
    """Refuse at once, before the work, a report whose files could not replace what is there,
    or (``loaded`` given) whose files hold another scenario's report under the same name
    (:mod:`finmodel.reports.fingerprint`; ``--force`` replaces it)."""
    from finmodel.reports.files import check_targets, report_paths

    paths = report_paths(args.out, command, name)
    check_targets(paths)
    if loaded is not None:
        from finmodel.reports.fingerprint import check_replaceable

        workbook = next(p for p in paths if p.suffix == ".xlsx")
        check_replaceable(workbook, loaded.identity or loaded.sha256, getattr(args, "force", False))


def _run(args: argparse.Namespace) -> int:
    import finmodel

    loaded = _load(args)
    _check_targets(args, "run", loaded.assumptions.name, loaded)
    result = finmodel.run(loaded)
    failed = result.failed_checks()
    if failed:
        worst = max(failed, key=failed.__getitem__)
        raise RuntimeError(f"check '{worst}' is off by {failed[worst]:.2f} USD; nothing written")
    paths = _write(result, args)
    from finmodel.reports.headlines import run_headline

    _show(run_headline(result), args)
    if args.format == "table":
        _print_checks(result.summary)
    _say_written(paths, args)
    return EXIT_OK


def _print_checks(s: dict) -> None:
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
    _check_targets(args, "sweep", loaded.assumptions.name, loaded)
    from finmodel.reports.console import progress

    bar = progress("sweep")
    try:
        result = sweep(loaded.assumptions, values, progress=bar)
    finally:
        if bar:
            bar.close()
    from finmodel.reports.headlines import sweep_headline

    _report(_with_changes(result, loaded), sweep_headline, args)
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
    _check_targets(args, "simulate", loaded.assumptions.name, loaded)
    from finmodel.reports.console import progress

    bar = progress("simulate")
    try:
        result = simulate(loaded.assumptions, args.n, args.seed, args.method, progress=bar,
                          scheduler=args.scheduler)
    except InputError as e:
        if e.field != "n":
            raise
        raise InputError(e.message, file=f"-n {args.n}") from None
    finally:
        if bar:
            bar.close()
    from finmodel.reports.headlines import simulation_headline

    _report(_with_changes(result, loaded), simulation_headline, args)
    return EXIT_OK


def _tornado(args: argparse.Namespace) -> int:
    from finmodel.studies.tornado import tornado

    loaded = _load(args)
    _check_targets(args, "tornado", loaded.assumptions.name, loaded)
    result = tornado(loaded.assumptions, origins=loaded.origins)
    from finmodel.reports.headlines import tornado_headline

    _report(_with_changes(result, loaded), tornado_headline, args)
    if result.n_invalid:
        print(
            f"finmodel: {result.n_invalid} low or high value(s) are invalid (a single run "
            "rejects them): not computed; the 'invalid' column says why",
            file=sys.stderr,
        )
    return EXIT_OK


def _compare(args: argparse.Namespace) -> int:
    import finmodel
    from finmodel.studies.compare import DEFAULT_SET, checked, compare

    if args.sets:  # a changed comparison goes beside the plain one, never over it
        from finmodel.inputs.overrides import changes
        from finmodel.inputs.wording import changed_name

        args.out = str(Path(args.out) / changed_name("compare", changes(args.sets)))
    _check_targets(args, "compare", "")
    loaded = [(s, _load_reading(args, s)) for s in args.scenarios or DEFAULT_SET]
    results = checked([finmodel.run(x) for _, x in loaded])
    comparison = compare(results, _baseline(args, loaded))
    from finmodel.reports.headlines import compare_headline

    _report(comparison, compare_headline, args)
    return EXIT_OK


def _load_reading(args: argparse.Namespace, scenario: str) -> Loaded:
    """One reading of a comparison; a ``--set`` it cannot take names the reading (each reading
    has its own vehicles: a key of one may be unknown to another)."""
    try:
        return _load(args, scenario)
    except InputError as e:
        if not args.sets:
            raise
        raise InputError(f"in reading {scenario}: {e.message}", file=e.file, line=e.line,
                         field=e.field) from None  # fmt: skip


def _baseline(args: argparse.Namespace, loaded: list[tuple[str, Loaded]]) -> str | None:
    """The baseline's name as the comparison knows it: a reading renamed by its overrides is
    still found by the name it was given (``--baseline status_quo``, or the default)."""
    from finmodel.studies.compare import DEFAULT_BASELINE

    if not args.sets:
        return args.baseline
    want = args.baseline or DEFAULT_BASELINE
    for given, x in loaded:
        original = x.assumptions.name.split("+")[0]
        if want in (given, original, x.assumptions.name):
            return x.assumptions.name
    return args.baseline


def _explore(args: argparse.Namespace) -> int:
    from finmodel.api import explore_page

    _say_written(explore_page(args.scenarios, args.sets, args.vary, args.out), args)
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from finmodel.studies import tornado

    for f in args.files:
        loaded = _load(args, f)
        # what any command would refuse, validate refuses: here, the tornado's ranges
        tornado.check(loaded.assumptions, loaded.origins)
        print(f"{printable(f)}: ok ({loaded.assumptions.name}, sha256 {loaded.sha256[:12]})")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    from finmodel.inputs.loader import load
    from finmodel.reports.listing import readings_headline, settable_headline

    settable = settable_headline(load(args.scenario))
    if args.format == "table":
        _show(readings_headline(), args)
    _show(settable, args)
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from finmodel.inputs.models.scenario import Assumptions

    print(json.dumps(Assumptions.model_json_schema(by_alias=True), indent=2))
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": _run,
    "sweep": _sweep,
    "simulate": _simulate,
    "tornado": _tornado,
    "compare": _compare,
    "explore": _explore,
    "validate": _validate,
    "schema": _schema,
    "list": _list,
}
