"""The model's vocabulary: one spelling for each choice, and the array shapes.

Every choice the assumption files offer is an enum here, so that the
engine, the reports and the tests spell it the same way.
"""

from __future__ import annotations

from enum import Enum

import numpy as np
import numpy.typing as npt

#: float64 array with a leading scenario axis, e.g. shape (n_scenarios, n_periods + 1).
Array = npt.NDArray[np.float64]


class Frequency(str, Enum):
    """How many periods a year the timeline has."""

    annual = "annual"
    quarterly = "quarterly"
    monthly = "monthly"

    @property
    def periods_per_year(self) -> int:
        """m in docs/model.md, Conventions: 1, 4 or 12."""
        return _PERIODS_PER_YEAR[self.value]


#: (a table built once: the property is read on every period of every compilation)
_PERIODS_PER_YEAR = {"annual": 1, "quarterly": 4, "monthly": 12}


class VehicleKind(str, Enum):
    """How a vehicle turns contributions into distributions.

    - ``fund``: capital is deployed into projects that earn a return; part of the income is
      paid out each period and the whole value at the term.
    - ``grant``: every contribution is passed on at once to ``capital_to``; nothing is earned.
    - ``release``: the balance stays frozen (earning ``cash_rate``) and is released to
      ``capital_to`` in equal shares of what is left, on the release schedule.
    - ``stream``: a series of payments (points 10a and 19): a fixed amount a year, a per-year
      path, or an energy output times a price; paid by ``payer`` (or earned from outside when
      there is none) and passed on at once to ``profit_split``.
    - ``loan``: lenders' money lent to a borrower, who pays interest and principal back, on an
      amortising schedule or out of what it receives from another vehicle (the ERA loans).
    """

    fund = "fund"
    grant = "grant"
    release = "release"
    stream = "stream"
    loan = "loan"


class Basis(str, Enum):
    """The waterfall's basis (docs/model.md, The waterfall)."""

    capital_first = "capital_first"
    income_split = "income_split"


class FeeBasis(str, Enum):
    """What a management fee is charged on: the capital committed, or the value on hand."""

    committed = "committed"
    nav = "nav"


class RepaymentStyle(str, Enum):
    """How a loan's principal is repaid over its repayment years.

    - ``equal_principal``: the same principal each period, plus the interest on what is left
      (the debt service falls over time);
    - ``annuity``: the same debt service each period (interest and principal together), as
      ``numpy_financial.pmt`` gives it.
    """

    equal_principal = "equal_principal"
    annuity = "annuity"


class Method(str, Enum):
    """How a pool carve-out draws on the holdings it selects."""

    pro_rata = "pro_rata"
    in_order = "in_order"


class Flow(str, Enum):
    """The kind of a payment between a party and a vehicle (``flow`` column of flows.csv)."""

    contribution = "contribution"
    capital_return = "capital_return"
    hurdle = "hurdle"
    profit = "profit"
    income = "income"
    fee = "fee"
    release = "release"
    grant = "grant"
    payment = "payment"
    disbursement = "disbursement"
    debt_service = "debt_service"
    interest = "interest"
    #: a fund's projects' return, paid into the fund by the party named in ``return.paid_by``
    return_paid = "return_paid"

    @property
    def is_paid(self) -> bool:
        """Whether the party pays this flow into the vehicle (a contribution, debt service, or
        a fund's return it pays).

        Examples
        --------
        >>> Flow.debt_service.is_paid, Flow.disbursement.is_paid, Flow.return_paid.is_paid
        (True, False, True)
        """
        return self in (Flow.contribution, Flow.debt_service, Flow.return_paid)


class Line(str, Enum):
    """A line of a vehicle's schedule (``line`` column of schedule.csv)."""

    contribution = "contribution"
    deployed = "deployed"
    return_ = "return"
    fee = "fee"
    distribution = "distribution"
    value_end = "value_end"
