"""The explorer page: one self-contained HTML file (data, scripts and styles inlined).

The page embeds every grid point's numbers (:mod:`finmodel.studies.explore`) as JSON, and
Vega-Lite (with Vega and vega-embed, bundled by ``vl-convert``) to draw them; its script only
looks numbers up. A Content-Security-Policy allows no network request. Text from assumption
files reaches the page as JSON data, which the script writes with ``textContent``: a description
holding ``<script>`` shows as text; only ``http(s)`` source URLs become links.
"""

from __future__ import annotations

import functools
import json
import math
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from finmodel.exceptions import InputError
from finmodel.inputs.models.scenario import Assumptions
from finmodel.reports.files import write_all
from finmodel.studies.explore import MAX_PAGE_BYTES, SHOWN, Exploration, ReadingGrid, Series

#: Words for the ends of key paths a slider moves (the rest of the path names a vehicle).
ENDINGS = {
    "return.rate": "return rate",
    "payout": "payout (share of each period's return paid out)",
    "stream.amount_bn": "USD bn a year",
    "discount_rate": "Discount rate",
}


def page_name(names: list[str]) -> str:
    """NAME of ``NAME.explore.html``: the reading's name, or ``readings`` for several.

    Examples
    --------
    >>> page_name(["literal"]), page_name(["literal", "status_quo"])
    ('literal', 'readings')
    >>> page_name(["literal+discount_rate=0.05", "status_quo+discount_rate=0.05"])
    'readings+discount_rate=0.05'
    """
    if len(names) == 1:
        return names[0]
    changes = {n.partition("+")[2] for n in names}  # readings changed alike by --set
    return f"readings+{changes.pop()}" if len(changes) == 1 and "" not in changes else "readings"


def cents(x: np.ndarray) -> list:
    """Numbers as JSON: USD rounded to the cent, None where undefined.

    Examples
    --------
    >>> cents(np.array([1.234, np.nan, 2.0]))
    [1.23, None, 2.0]
    """
    values = np.asarray(x, float).ravel().tolist()
    return [round(v, 2) if math.isfinite(v) else None for v in values]


def _series(s: Series) -> dict[str, Any]:
    return {"rows": [cents(row) for row in s.rows], "index": s.index.tolist()}


def label(a: Assumptions, key: str) -> str:
    """A slider's label: the vehicle's name and what the key's end means, else the key path.

    Examples
    --------
    >>> import finmodel
    >>> label(finmodel.load("base"), "vehicles.us_led_fund.payout")
    "US-led reconstruction fund: payout (share of each period's return paid out)"
    >>> label(finmodel.load("base"), "fx.EUR.rate")
    'fx.EUR.rate'
    """
    parts = key.split(".", 2)
    if parts[0] == "vehicles" and len(parts) == 3 and parts[1] in a.vehicles:
        name = a.vehicles[parts[1]].name or parts[1]
        return f"{name}: {ENDINGS.get(parts[2], parts[2])}"
    return ENDINGS.get(key, key)


def reading_data(g: ReadingGrid, labels: dict[str, str]) -> dict[str, Any]:
    """What the page knows of one reading (JSON-ready): ``metrics`` flat in the order (grid
    point, party, metric), ``series`` and ``pool`` as distinct rows and an index per point,
    ``invalid`` the single run's message by point."""
    a = g.assumptions
    mine = {s.key for s in g.sliders}
    return {
        "name": a.name,
        "description": " ".join((a.description or "").split()),
        "parties": [{"id": p, "name": a.parties[p].name or p} for p in g.parties],
        "sliders": [
            {"key": s.key, "label": labels[s.key], "values": list(s.values), "at": s.at}
            for s in g.sliders
        ],
        "absent": [text for k, text in labels.items() if k not in mine],
        "metrics": cents(g.metrics),
        "invalid": {str(i): str(m) for i, m in enumerate(g.invalid) if m},
        "series": [_series(s) for s in g.series],
        "years": [round(float(y), 6) for y in g.years],
        "pool": _series(g.pool)
        | {
            "uses": list(g.uses),
            "holdings": [h.id for h in a.pool.holdings],
        },
        "statements": [
            {"id": rid, "statement": r.statement, "reason": r.reason}
            for rid, r in a.readings.items()
        ],
        "sources": [
            {
                "key": k,
                "title": s.title,
                "publisher": s.publisher or "",
                "date": str(s.date or ""),
                "url": s.url or "",
            }
            for k, s in a.sources.items()
        ],
    }


def payload(e: Exploration) -> dict[str, Any]:
    """Everything the page shows, as JSON-ready data.

    Examples
    --------
    >>> import finmodel
    >>> from finmodel.studies.explore import explore
    >>> d = payload(explore([finmodel.load("base")], {"discount_rate": [0.06]}))
    >>> r = d["readings"][0]
    >>> r["sliders"][0]["values"], len(r["metrics"]) == 2 * len(r["parties"]) * 4
    ([0.04, 0.06], True)
    """
    labels: dict[str, str] = {}  # each key named as the first reading that has it names it
    for g in e.readings:
        for s in g.sliders:
            labels.setdefault(s.key, label(g.assumptions, s.key))
    names = [g.name for g in e.readings]
    return {
        "metrics": list(SHOWN),
        "baseline": names.index(e.baseline),
        "readings": [reading_data(g, labels) for g in e.readings],
    }


def script_json(data: Any) -> str:
    """JSON safe inside a ``<script>`` element: ``<``, ``>`` and ``&`` escaped.

    Examples
    --------
    >>> script_json({"d": "</script><b>"})
    '{"d":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(data, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script (``vl-convert`` bundles them; some seconds,
    once per process), safe inside a ``<script>`` element."""
    import vl_convert

    # the default snippet puts vegaEmbed, vega and vegaLite on window (the stubs want one)
    bundle: str = vl_convert.javascript_bundle()  # type: ignore[call-arg]
    return bundle.replace("</script", "<\\/script")


def _asset(name: str) -> str:
    return (resources.files("finmodel.reports") / "page" / name).read_text(encoding="utf-8")


def html(e: Exploration) -> str:
    """The page, as text.

    Examples
    --------
    >>> import finmodel
    >>> from finmodel.studies.explore import explore
    >>> page = html(explore([finmodel.load("base")], {"discount_rate": [0.03]}))
    >>> page.startswith("<!DOCTYPE html>"), 'src="http' in page  # nothing fetched from a server
    (True, False)
    """
    import html as html_escape
    import re

    names = ", ".join(g.name for g in e.readings)
    parts = {
        "TITLE": html_escape.escape(f"finmodel explorer: {names}"),
        "GENERATED": "finmodel explore",
        "STYLE": _asset("explore.css"),
        "DATA": script_json(payload(e)),
        "VEGA": vega_bundle(),
        "SCRIPT": _asset("explore.js"),
    }
    # one pass: what is put in is not searched again
    return re.sub(r"%%([A-Z]+)%%", lambda m: parts[m.group(1)], _asset("explore.html"))


def write_explore(e: Exploration, out_dir: str | Path) -> list[Path]:
    """Write NAME.explore.html to ``out_dir`` (:func:`~finmodel.reports.files.write_all`);
    a page over :data:`MAX_PAGE_BYTES` is refused and nothing is written."""
    page = html(e).encode("utf-8")
    if len(page) > MAX_PAGE_BYTES:
        raise InputError(
            f"the page would be {len(page) / 2**20:.1f} MiB; at most "
            f"{MAX_PAGE_BYTES / 2**20:.0f} MiB: give fewer values to --vary",
            file="--vary",
        )
    target = Path(out_dir) / f"{page_name([g.name for g in e.readings])}.explore.html"

    def writer(path: Path) -> None:
        path.write_bytes(page)

    return write_all({target: writer})
