"""A :class:`~finmodel.reports.headlines.Headline` on the terminal (a ``rich`` table), or as JSON
or CSV on stdout for a script (raw numbers, nothing decorative).

In a table, amounts show as USD bn with one decimal, fractions as percentages with one decimal,
and a value that rounds to zero shows as ``0.0`` (never ``-0.0``). JSON and CSV carry the
numbers unrounded, amounts in USD bn and rates as fractions, with each column's unit in the JSON.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import IO, Any

from finmodel.inputs.wording import value_text
from finmodel.reports.headlines import Column, Headline

FORMATS = ("table", "json", "csv")
#: Width of a table written to a pipe or a file.
WIDTH = 160
#: The longest word a text column keeps whole (a reading's name; a key path may be longer, and
#: is folded only where the table would not fit otherwise).
WORD_LIMIT = 32


def cell(value: Any, unit: str, row_unit: str = "") -> str:
    """A value as the table shows it.

    Examples
    --------
    >>> cell(-1e7, "USD bn"), cell(63.4e9, "USD bn"), cell(0.0525, "%"), cell(None, "USD bn")
    ('0.0', '63.4', '5.2%', '')
    >>> cell(0.03, "", row_unit="%"), cell("us", "")
    ('3.0%', 'us')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if unit == "USD bn":
        shown = round(value / 1e9, 1)
        return f"{shown + 0.0:,.1f}"  # + 0.0 turns -0.0 into 0.0
    if unit == "%":
        return f"{round(value * 100, 1) + 0.0:.1f}%"
    return value_text(value, row_unit) if row_unit else f"{value:g}"


def machine(value: Any, unit: str) -> Any:
    """A value as JSON and CSV carry it: amounts in USD bn, unrounded; NaN as None.

    Examples
    --------
    >>> machine(63.4e9, "USD bn"), machine(0.05, "%"), machine(float("nan"), "USD bn")
    (63.4, 0.05, None)
    """
    if isinstance(value, float) and math.isnan(value):
        return None
    if unit == "USD bn" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return value / 1e9
    if hasattr(value, "item"):  # a numpy scalar
        return value.item()
    return value


def _header(c: Column) -> str:
    return c.id if c.unit in ("", "%") else f"{c.id}_{c.unit.lower().replace(' ', '_')}"


def _data(h: Headline) -> list[Column]:
    """The columns JSON and CSV carry."""
    return [c for c in h.columns if c.where != "table"]


def to_json(h: Headline) -> str:
    """The headline as JSON: title, columns (id, title, unit), rows, notes."""
    return json.dumps(
        {
            "title": h.title,
            "columns": [{"id": c.id, "title": c.title, "unit": c.unit} for c in _data(h)],
            "rows": [{c.id: machine(r.get(c.id), c.unit) for c in _data(h)} for r in h.rows],
            "notes": [*h.notes, *h.after],
        },
        indent=2,
    )


def to_csv(h: Headline) -> str:
    """The headline as CSV: one header line (ids, with the unit of amounts), then the rows."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([_header(c) for c in _data(h)])
    for r in h.rows:
        w.writerow(["" if (v := machine(r.get(c.id), c.unit)) is None else v for c in _data(h)])
    return buf.getvalue()


def show(h: Headline, fmt: str = "table", file: IO[str] | None = None) -> None:
    """Print ``h`` in ``fmt`` (``table``, ``json`` or ``csv``) to ``file`` (stdout)."""
    import sys

    out = file or sys.stdout
    if fmt == "json":
        out.write(to_json(h) + "\n")
    elif fmt == "csv":
        out.write(to_csv(h))
    else:
        _rich_table(h, out)


def _rich_table(h: Headline, out: IO[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    columns = [c for c in h.columns if c.where != "data"
               and any(r.get(c.id) not in (None, "") for r in h.rows)]  # fmt: skip
    from rich import box

    table = Table(header_style="bold", box=box.SIMPLE_HEAD, show_edge=False)
    cells = [[cell(r.get(c.id), c.unit, r.get("unit", "")) for c in columns] for r in h.rows]
    for j, c in enumerate(columns):
        texts = [row[j] for row in cells]
        numeric = all(_is_number(r.get(c.id)) for r in h.rows)
        # a number never wraps (the header does); a text wraps at its words, never inside
        # one (a reading's name is one word: assets_returned_to_russia)
        longest = max((len(t) for t in texts), default=0)
        words = max((len(w) for t in [c.title, *texts] for w in t.split()), default=0)
        table.add_column(c.title, justify="right" if numeric else "left",
                         min_width=longest if numeric else min(words, WORD_LIMIT),
                         overflow="fold")  # fmt: skip
    for row in cells:
        table.add_row(*row)
    wide = None if out.isatty() else WIDTH  # a pipe or a file: no terminal to fit
    console = Console(file=out, highlight=False, soft_wrap=False, width=wide)
    for note in h.notes:  # first: a changed run says so before its numbers
        console.print(note, markup=False)
    # the title on its own line, never wrapped to the table's width (a changed run's name
    # can be 80 characters)
    console.print(h.title, markup=False, soft_wrap=True, style="italic")
    console.print(table)
    for line in h.after:
        console.print(line, markup=False)


def _is_number(value: Any) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def progress(label: str) -> Any:
    """A progress callback ``(done, total)`` drawing a ``rich`` bar on stderr, with a
    ``close()``; None when stderr is not a terminal (a script's log gets no bar)."""
    import sys

    if not sys.stderr.isatty():
        return None
    from rich.progress import Progress

    bar = Progress(console=_stderr_console(), transient=True)
    task = bar.add_task(label, total=None)
    bar.start()

    class _Bar:
        def __call__(self, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        def close(self) -> None:
            bar.stop()

    return _Bar()


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)
