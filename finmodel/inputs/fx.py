"""Exchange rates as arrays: USD per unit of each currency, per year or at the start.

A currency's rate is constant or a per-year path (shorter than the timeline: it holds its last
value, as :meth:`finmodel.engine.timeline.Timeline.by_period` spreads it). USD is 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from finmodel.kinds import Array

if TYPE_CHECKING:
    from finmodel.inputs.models.scenario import Assumptions



def fx_at_start(a: Assumptions) -> dict[str, Array]:
    """USD per unit of each currency in the first year, shape (1,) each."""
    return {cur: path[:, 0] for cur, path in fx_paths(a).items()}



def fx_paths(a: Assumptions) -> dict[str, Array]:
    """USD per unit, per year: shape (1, n_years_given)."""
    out = {"USD": np.ones((1, 1))}
    for cur, fx in a.fx.items():
        out[cur] = np.array([[fx.rate]]) if fx.path is None else np.array([fx.path], dtype=float)
    return out
